//! The live queue out: two kiosks' tickets, uploaded, come back in the calling order.

use mpp_domain::calling::Action;
use mpp_hub::app::App;
use mpp_hub::app::accounts::Role;
use mpp_hub::app::calling::Actor;
use mpp_kiosk::tickets::{Priority, Status};

const DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 30);

use crate::support::{Hub, KioskLedger, SITE, hub_command};

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[test]
fn two_kiosks_tickets_come_back_in_calling_order() {
    let hub = Hub::start();
    let second =
        String::from_utf8(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"]).stdout)
            .unwrap()
            .trim()
            .to_owned();
    let (mut a, mut b) = (KioskLedger::new(), KioskLedger::new());
    let issue = |k: &mut KioskLedger, kiosk: u8, priority: Option<Priority>, at: &str| {
        let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", priority, kiosk, ts(at)).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, ts(at), None).unwrap();
        t
    };
    issue(&mut a, 1, None, "2026-11-30T01:05:00Z"); // KTB-A001
    issue(&mut b, 2, None, "2026-11-30T01:06:00Z"); // KTB-B001
    let voided = issue(&mut a, 1, None, "2026-11-30T01:07:00Z"); // KTB-A002, voided below
    a.store.set_ticket_status(&voided.id, Status::Voided, ts("2026-11-30T01:08:00Z"), None).unwrap();
    issue(&mut a, 1, None, "2026-11-30T01:09:00Z"); // KTB-A003
    issue(&mut b, 2, Some(Priority::Elderly), "2026-11-30T01:10:00Z"); // KTB-PB001
    for (k, kiosk, token) in [(&mut a, 1, hub.token.clone()), (&mut b, 2, second)] {
        let cfg = k.sync_config(&hub, &token);
        mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, kiosk, ts("2026-11-30T01:11:00Z")).unwrap().unwrap();
    }

    let (status, body) = hub.get(&format!("/api/v1/sites/{SITE}/queue?date=2026-11-30"));
    assert_eq!(status, 200, "{body}");
    let q: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(q["waiting"], 4, "the voided ticket does not wait: {q}");
    let ktp = q["services"].as_array().unwrap().iter().find(|s| s["service"] == "KTP-BARU").unwrap();
    assert_eq!(
        ktp["next"],
        serde_json::json!(["KTB-PB001", "KTB-A001", "KTB-B001", "KTB-A003"]),
        "priority first, then by issue time across kiosks"
    );
    assert_eq!(ktp["priority_waiting"], 1);

    assert!(
        hub.get(&format!("/api/v1/sites/{SITE}/queue?date=2026-12-01")).1.contains("\"waiting\":0"),
        "another day is empty"
    );
    assert_eq!(hub.get("/api/v1/sites/MPP-NOWHERE/queue").0, 404);
    assert_eq!(hub.get(&format!("/api/v1/sites/{SITE}/queue?date=30-11-2026")).0, 400);
}

/// The wait estimate comes from what the counters measured: two finished visits of 12 and
/// 8 minutes make a 10-minute cycle; two open counters share the line; worked by hand.
#[test]
fn the_wait_estimate_comes_from_measured_cycles() {
    let hub = Hub::start();
    for n in ["1", "2"] {
        let out = hub_command(
            &hub.database,
            &[
                "counter",
                "add",
                "--site",
                SITE,
                "--number",
                n,
                "--name",
                &format!("Loket {n}"),
                "--services",
                "KTP-BARU",
            ],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut k = KioskLedger::new();
    for minute in 0..6 {
        let at = ts(&format!("2026-11-30T01:0{minute}:00Z"));
        let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, at).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    }
    let cfg = k.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts("2026-11-30T01:06:00Z")).unwrap().unwrap();
    // KTB-A001 served 01.10–01.22 (720 s), KTB-A002 01.22–01.30 (480 s), both at counter 1.
    let app = App::open(&hub.database, &Default::default()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let clerk = Actor { site: SITE.into(), username: "petugas1".into(), role: Role::Counter };
    for (number, call, end) in [("KTB-A001", "01:10", "01:22"), ("KTB-A002", "01:22", "01:30")] {
        let at = |hm: &str| ts(&format!("2026-11-30T{hm}:00Z"));
        let called = rt.block_on(app.call_next(&clerk, 1, DAY, at(call))).unwrap().unwrap();
        assert_eq!(called.number, number);
        rt.block_on(app.act(&clerk, 1, DAY, number, &Action::Finish, None, at(end))).unwrap();
    }
    let (status, body) = hub.get(&format!("/api/v1/sites/{SITE}/queue?date=2026-11-30"));
    assert_eq!(status, 200, "{body}");
    let q: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ktp = q["services"].as_array().unwrap().iter().find(|s| s["service"] == "KTP-BARU").unwrap().clone();
    // Cycle: the mean of 720 and 480 = 600 s. Four wait, two counters free: the four go at
    // 0, 0, 10 and 10 minutes, and a number taken now at 20.
    assert_eq!(
        (ktp["waiting"].as_u64(), ktp["counters_open"].as_u64(), ktp["cycle_secs"].as_u64()),
        (Some(4), Some(2), Some(600)),
        "{ktp}"
    );
    assert_eq!(ktp["wait_minutes"], 20, "{ktp}");
    // KTB-A005 has A003 and A004 ahead: both counters take them, then it goes at 10.
    let (status, body) = hub.get(&format!("/api/v1/sites/{SITE}/tickets/2026-11-30/KTB-A005"));
    assert_eq!(status, 200, "{body}");
    let place: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((place["people_ahead"].as_u64(), place["wait_minutes"].as_u64()), (Some(2), Some(10)), "{place}");
    // A served ticket has no estimate.
    let place: serde_json::Value =
        serde_json::from_str(&hub.get(&format!("/api/v1/sites/{SITE}/tickets/2026-11-30/KTB-A001")).1).unwrap();
    assert!(place["wait_minutes"].is_null(), "{place}");
}

/// The slip's QR opens `/t/{ticket}` on a phone: that ticket's place and nothing about
/// anyone else; an unknown or malformed link finds nothing.
#[test]
fn a_tickets_status_page_shows_its_place_and_no_one_elses() {
    // Monday 30 November 2026, 09.05 WITA: the MPP is open.
    let hub = Hub::start_at("2026-11-30T01:05:00Z");
    let mut k = KioskLedger::new();
    let now = ts("2026-11-30T01:05:00Z");
    let mut ids = Vec::new();
    for i in 0..3 {
        let at = now - jiff::SignedDuration::from_secs(60 * (3 - i));
        let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, at).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
        ids.push((t.id.clone(), t.number.clone()));
    }
    let cfg = k.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, now).unwrap().unwrap();
    let (status, page) = hub.get(&format!("/t/{}", ids[2].0));
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&ids[2].1) && page.contains("2 orang di depan Anda") && page.contains("Penerbitan KTP-el Baru"),
        "{page}"
    );
    assert!(!page.contains(&ids[0].1) && !page.contains(&ids[1].1), "no other ticket's number: {page}");
    assert!(page.contains(r#"http-equiv="refresh""#) && page.contains("noindex"));
    // Called: where to go.
    let out = hub_command(
        &hub.database,
        &["counter", "add", "--site", SITE, "--number", "1", "--name", "Loket 1", "--services", "KTP-BARU"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let app = App::open(&hub.database, &Default::default()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let clerk = Actor { site: SITE.into(), username: "petugas1".into(), role: Role::Counter };
    let called = rt.block_on(app.call_next(&clerk, 1, DAY, now)).unwrap().unwrap();
    assert_eq!(called.number, ids[0].1);
    let page = hub.get(&format!("/t/{}", ids[0].0)).1;
    assert!(page.contains("Silakan ke Loket 1"), "{page}");
    assert_eq!(hub.get("/t/0f8fad5b-d9cb-469f-a165-70867728950e").0, 404, "an unknown ticket");
    assert_eq!(hub.get("/t/KTB-A001").0, 404, "a number is not a link");
}
