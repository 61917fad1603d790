//! Calling against the real database: call next follows the rules and never hands one
//! ticket to two counters, however many press it at once; every action is recorded.

use std::collections::HashSet;
use std::sync::Arc;

use mpp_domain::calling::{Action, CallState, Refused, Rules};
use mpp_hub::app::App;
use mpp_hub::app::accounts::Role;
use mpp_hub::app::calling::{Actor, CallError, Called};
use mpp_kiosk::tickets::{Priority, Status};

use crate::support::{Hub, KioskLedger, SITE};

const DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 30);

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn actor(role: Role) -> Actor {
    Actor { site: SITE.into(), username: "petugas1".into(), role }
}

/// `n` printed tickets of `service` from 08:00 WITA on, a minute apart; every `priority_every`th a priority one.
fn tickets(hub: &Hub, k: &mut KioskLedger, service: &str, n: i64, priority_every: i64) {
    let start = ts("2026-11-30T00:00:00Z");
    for i in 0..n {
        let at = start.checked_add(jiff::SignedDuration::from_secs(i * 60)).unwrap();
        let priority = (priority_every > 0 && i % priority_every == priority_every - 1).then_some(Priority::Elderly);
        let t = k.store.issue_ticket(&k.catalogue, service, priority, 1, at).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    }
    let cfg = k.sync_config(hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, start).unwrap();
}

/// Counters as the administrator adds them (`mpp-hub counter add`).
fn counters(hub: &Hub, numbers: std::ops::RangeInclusive<i16>, services: &str) {
    for n in numbers {
        let (number, name) = (n.to_string(), format!("Loket {n}"));
        let out = crate::support::hub_command(
            &hub.database,
            &["counter", "add", "--site", SITE, "--number", &number, "--name", &name, "--services", services],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The application on the hub's database, with these calling rules: the counters'
/// actions go through it as the counter page's do, at the instants the test gives.
fn app(hub: &Hub, pool_size: usize, rules: Rules) -> Arc<App> {
    let mut config = mpp_hub::config::Config::default();
    (config.database.pool_size, config.calling) = (pool_size, rules);
    Arc::new(App::open(&hub.database, &config).unwrap())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap()
}

#[test]
fn twenty_counters_calling_at_once_never_get_the_same_ticket() {
    let hub = Hub::start();
    let mut k = KioskLedger::new();
    tickets(&hub, &mut k, "KTP-BARU", 130, 7);
    counters(&hub, 101..=120, "KTP-BARU,KK-BARU");
    let rt = runtime();
    let app = app(&hub, 24, Rules::default());
    let mut called: Vec<String> = Vec::new();
    // Seven rounds of twenty counters pressing "call next" together (130 tickets: the last
    // round finds the line empty for ten of them), each round then finishing its tickets.
    for round in 0..7 {
        let barrier = Arc::new(tokio::sync::Barrier::new(20));
        let results: Vec<(i16, Result<Option<Called>, CallError>)> = rt.block_on(async {
            let tasks: Vec<_> = (101..=120)
                .map(|counter| {
                    let (app, barrier) = (app.clone(), barrier.clone());
                    tokio::spawn(async move {
                        barrier.wait().await;
                        (counter, app.call_next(&actor(Role::Counter), counter, DAY, ts("2026-11-30T03:00:00Z")).await)
                    })
                })
                .collect();
            futures_util::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect()
        });
        let mut this_round = Vec::new();
        for (counter, r) in results {
            if let Some(c) = r.unwrap_or_else(|e| panic!("counter {counter}: {e}")) {
                assert_eq!((c.counter, c.state), (Some(counter), CallState::Called));
                this_round.push((counter, c.number));
            }
        }
        assert_eq!(this_round.len(), if round < 6 { 20 } else { 10 }, "round {round}");
        for (counter, number) in &this_round {
            rt.block_on(app.act(
                &actor(Role::Counter),
                *counter,
                DAY,
                number,
                &Action::Finish,
                None,
                ts("2026-11-30T03:05:00Z"),
            ))
            .unwrap();
            called.push(number.clone());
        }
    }
    let distinct: HashSet<&String> = called.iter().collect();
    assert_eq!((called.len(), distinct.len()), (130, 130), "every ticket called once, none twice");
    // Each round took the first twenty in calling order: the priority tickets went first.
    let first_round: HashSet<&str> = called[..20].iter().map(String::as_str).collect();
    assert_eq!(
        first_round.iter().filter(|n| n.contains("-PA")).count(),
        18,
        "all 18 priority tickets in the first round: {first_round:?}"
    );
    assert_eq!(hub.sql("SELECT count(*) FROM call_event WHERE action = 'call'"), "130");
    assert_eq!(hub.sql("SELECT count(DISTINCT ticket) FROM call_event WHERE action = 'call'"), "130");
}

#[test]
fn the_counters_actions_follow_the_rules_and_are_recorded() {
    let hub = Hub::start();
    let mut k = KioskLedger::new();
    tickets(&hub, &mut k, "KTP-BARU", 3, 0);
    tickets(&hub, &mut k, "KK-BARU", 2, 0);
    counters(&hub, 201..=202, "KTP-BARU");
    counters(&hub, 203..=203, "KK-BARU");
    let rt = runtime();
    let app = app(&hub, 4, Rules { max_recalls: 1, recall_gap_secs: 20 });
    let clerk = actor(Role::Counter);
    let t = |s: &str| ts(&format!("2026-11-30T03:{s}Z"));
    let run = |counter: i16, number: &str, action: Action, reason: Option<&str>, at: &str| {
        rt.block_on(app.act(&clerk, counter, DAY, number, &action, reason, t(at)))
    };

    let first = rt.block_on(app.call_next(&clerk, 201, DAY, t("00:00"))).unwrap().unwrap();
    assert_eq!(first.number, "KTB-A001", "the oldest");
    // Another call before this one is finished is refused: one citizen at a counter.
    assert!(matches!(
        rt.block_on(app.call_next(&clerk, 201, DAY, t("00:05"))),
        Err(CallError::Refused(Refused::Busy { counter: 201, .. }))
    ));
    assert!(matches!(
        run(201, "KTB-A001", Action::Recall, None, "00:10"),
        Err(CallError::Refused(Refused::TooSoon { .. }))
    ));
    assert!(matches!(
        run(202, "KTB-A001", Action::Recall, None, "00:30"),
        Err(CallError::Refused(Refused::OtherCounter(201)))
    ));
    run(201, "KTB-A001", Action::Recall, None, "00:30").unwrap();
    assert!(matches!(
        run(201, "KTB-A001", Action::Recall, None, "01:30"),
        Err(CallError::Refused(Refused::RecallLimit { .. }))
    ));
    assert_eq!(run(201, "KTB-A001", Action::NoShow, None, "01:30").unwrap().state, CallState::NoShow);
    // Late, the citizen comes: back in line, behind those already waiting.
    run(201, "KTB-A001", Action::Requeue, None, "02:00").unwrap();
    assert_eq!(rt.block_on(app.call_next(&clerk, 201, DAY, t("02:10"))).unwrap().unwrap().number, "KTB-A002");
    run(201, "KTB-A002", Action::Start, None, "02:20").unwrap();
    // A transfer keeps the number and goes to the front of the KK line, ahead of KK-A001.
    run(
        201,
        "KTB-A002",
        Action::Transfer { service: "KK-BARU".into(), front: true, counter: None },
        Some("salah layanan"),
        "03:00",
    )
    .unwrap();
    assert_eq!(rt.block_on(app.call_next(&clerk, 203, DAY, t("03:10"))).unwrap().unwrap().number, "KTB-A002");
    assert!(matches!(
        run(
            203,
            "KTB-A002",
            Action::Transfer { service: "NO-SUCH".into(), front: false, counter: None },
            None,
            "03:20"
        ),
        Err(CallError::Refused(Refused::NoService(_)))
    ));
    // Calling out of order: a supervisor with a reason only.
    assert!(matches!(
        run(202, "KTB-A003", Action::Call, Some("lansia"), "04:00"),
        Err(CallError::Refused(Refused::NotAllowed(_)))
    ));
    let boss = actor(Role::Supervisor);
    assert!(matches!(
        rt.block_on(app.act(&boss, 202, DAY, "KTB-A003", &Action::Call, Some("  "), t("04:00"))),
        Err(CallError::Refused(Refused::NeedsReason(_)))
    ));
    assert_eq!(
        rt.block_on(app.act(
            &boss,
            202,
            DAY,
            "KTB-A003",
            &Action::Call,
            Some("dokumen sudah diverifikasi"),
            t("04:00")
        ))
        .unwrap()
        .counter,
        Some(202)
    );
    // A paused counter calls no one until resumed.
    rt.block_on(app.set_paused(&clerk, 203, Some("istirahat salat"), t("05:00"))).unwrap();
    run(203, "KTB-A002", Action::Finish, None, "05:10").unwrap();
    assert!(matches!(
        rt.block_on(app.call_next(&clerk, 203, DAY, t("05:20"))),
        Err(CallError::Refused(Refused::Paused { .. }))
    ));
    rt.block_on(app.set_paused(&clerk, 203, None, t("06:00"))).unwrap();
    assert_eq!(rt.block_on(app.call_next(&clerk, 203, DAY, t("06:10"))).unwrap().unwrap().number, "KKB-A001");
    // The queue state shows who is served and which counters are open.
    let q = rt.block_on(app.queue_state(SITE, DAY, 5, t("06:10"))).unwrap();
    let kk = q.services.iter().find(|l| l.service == "KK-BARU").unwrap();
    assert_eq!((kk.waiting, kk.serving, kk.counters_open), (1, 1, 1));
    // Every action, with who, where and why.
    assert_eq!(
        hub.sql("SELECT string_agg(action || ':' || counter || ':' || coalesce(reason, '-'), ' ' ORDER BY id) FROM call_event"),
        "call:201:- recall:201:- no_show:201:- requeue:201:- call:201:- start:201:- transfer:201:salah layanan call:203:- call:202:dokumen sudah diverifikasi pause:203:istirahat salat finish:203:- resume:203:- call:203:-"
    );
    // To one counter: 203 (a KK counter) gets a KTP ticket no KTP counter may call.
    rt.block_on(app.act(
        &boss,
        202,
        DAY,
        "KTB-A003",
        &Action::Transfer { service: "KTP-BARU".into(), front: true, counter: Some(203) },
        Some("berkas di loket 203"),
        t("07:00"),
    ))
    .unwrap();
    assert!(matches!(
        rt.block_on(app.act(
            &boss,
            202,
            DAY,
            "KTB-A001",
            &Action::Transfer { service: "KTP-BARU".into(), front: true, counter: Some(999) },
            None,
            t("07:05")
        )),
        Err(CallError::Refused(Refused::NoCounter(999)))
    ));
    assert_eq!(
        rt.block_on(app.call_next(&clerk, 201, DAY, t("07:10"))).unwrap().unwrap().number,
        "KTB-A001",
        "not KTB-A003, which waits for 203"
    );
    assert!(
        rt.block_on(app.call_next(&clerk, 202, DAY, t("07:10"))).unwrap().is_none(),
        "nothing else for a KTP counter"
    );
    run(203, "KKB-A001", Action::Finish, None, "07:20").unwrap();
    assert_eq!(rt.block_on(app.call_next(&clerk, 203, DAY, t("07:30"))).unwrap().unwrap().number, "KTB-A003");
    assert_eq!(
        hub.sql(
            "SELECT count(*) || ' ' || min(reason) FROM call_event WHERE action = 'transfer' AND reason LIKE 'berkas%'"
        ),
        "1 berkas di loket 203"
    );
}
