//! The performance report against a day worked out by hand: six tickets at MPP Jeneponto
//! on Monday 30 November 2026 (WITA, UTC+8), their calls, a transfer, a no-show, a voided
//! number, two pauses and two survey responses; every figure below is computed by hand
//! from the scenario, not read from the program.

use std::sync::Arc;

use mpp_domain::calling::Action;
use mpp_hub::app::App;
use mpp_hub::app::accounts::Role;
use mpp_hub::app::calling::Actor;
use mpp_kiosk::tickets::Status;

use crate::browser::add_staff;
use crate::support::{Hub, KioskLedger, SITE, hub_command};

const DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 30);

/// Local 09:10 on the day (WITA).
fn at(hm: &str) -> jiff::Timestamp {
    format!("2026-11-30T{hm}:00+08:00").parse().unwrap()
}

/// The day as it happens: a kiosk issues the tickets and takes two survey forms (its own
/// ledger, uploaded by its own uploader); the counters call, serve, transfer and pause
/// through the application, as the counter page's actions do, at the times of the day.
fn scenario(hub: &Hub) {
    for (n, name, services) in [("1", "Loket 1", "KTP-BARU"), ("2", "Loket 2", "SKCK-BARU")] {
        let out = hub_command(
            &hub.database,
            &["counter", "add", "--site", SITE, "--number", n, "--name", name, "--services", services],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut k = KioskLedger::new();
    let mut issue = |service: &str, hm: &str| {
        let t = k.store.issue_ticket(&k.catalogue, service, None, 1, at(hm)).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at(hm), None).unwrap();
        t
    };
    issue("KTP-BARU", "09:00"); // KTB-A001
    issue("KTP-BARU", "09:05"); // KTB-A002
    issue("KTP-BARU", "09:30"); // KTB-A003
    issue("SKCK-BARU", "09:50"); // SKB-A001
    let voided = issue("KTP-BARU", "10:10"); // KTB-A004, voided at the kiosk
    issue("SKCK-BARU", "10:20"); // SKB-A002, still waiting at the end
    k.store.set_ticket_status(&voided.id, Status::Voided, at("10:11"), Some("salah layanan")).unwrap();
    // Two paper survey forms keyed in: every element 4, every element 3.
    for v in [4, 3] {
        let response = mpp_kiosk::survey::Response {
            service: "KTP-BARU".into(),
            answers: mpp_domain::survey::ELEMENT_CODES.iter().map(|e| (e.to_string(), v)).collect(),
            profile: Default::default(),
            comment: None,
            source: mpp_kiosk::survey::Source::Paper,
        };
        k.store.record_survey(&response, "DUKCAPIL", DAY).unwrap();
    }
    let cfg = k.sync_config(hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, at("10:20")).unwrap().unwrap();
    assert_eq!(k.store.outbox_stats().unwrap().pending, 0);

    let app = Arc::new(App::open(&hub.database, &Default::default()).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let staff = |name: &str| Actor { site: SITE.into(), username: name.into(), role: Role::Counter };
    let (andi, budi) = (staff("andi"), staff("budi"));
    let next = |who: &Actor, counter: i16, hm: &str| {
        rt.block_on(app.call_next(who, counter, DAY, at(hm))).unwrap().expect("someone waits").number
    };
    let act = |who: &Actor, counter: i16, number: &str, action: Action, reason: Option<&str>, hm: &str| {
        rt.block_on(app.act(who, counter, DAY, number, &action, reason, at(hm))).unwrap();
    };
    let pause = |reason: Option<&str>, hm: &str| rt.block_on(app.set_paused(&andi, 1, reason, at(hm))).unwrap();
    // KTB-A001: called 09.10 at counter 1 by andi, served 09.11–09.21.
    assert_eq!(next(&andi, 1, "09:10"), "KTB-A001");
    act(&andi, 1, "KTB-A001", Action::Start, None, "09:11");
    act(&andi, 1, "KTB-A001", Action::Finish, None, "09:21");
    // KTB-A002: called 09.21, served 09.22–09.28.
    assert_eq!(next(&andi, 1, "09:21"), "KTB-A002");
    act(&andi, 1, "KTB-A002", Action::Start, None, "09:22");
    act(&andi, 1, "KTB-A002", Action::Finish, None, "09:28");
    // Counter 1 pauses for a break 09.28–09.35.
    pause(Some("istirahat"), "09:28");
    pause(None, "09:35");
    // KTB-A003: called 09.40, recalled twice, a no-show at 09.43.
    assert_eq!(next(&andi, 1, "09:40"), "KTB-A003");
    act(&andi, 1, "KTB-A003", Action::Recall, None, "09:41");
    act(&andi, 1, "KTB-A003", Action::Recall, None, "09:42");
    act(&andi, 1, "KTB-A003", Action::NoShow, None, "09:43");
    // SKB-A001 (Polres): called 10.00 at counter 2 by budi, started 10.02, transferred to
    // KTP-BARU 10.05, called 10.10 at counter 1 by andi, served 10.10–10.30.
    assert_eq!(next(&budi, 2, "10:00"), "SKB-A001");
    act(&budi, 2, "SKB-A001", Action::Start, None, "10:02");
    let to_ktp = Action::Transfer { service: "KTP-BARU".into(), front: true, counter: None };
    act(&budi, 2, "SKB-A001", to_ktp, Some("salah layanan"), "10:05");
    assert_eq!(next(&andi, 1, "10:10"), "SKB-A001");
    act(&andi, 1, "SKB-A001", Action::Start, None, "10:10");
    act(&andi, 1, "SKB-A001", Action::Finish, None, "10:30");
    // Counter 1 pauses for prayer 10.30–10.45.
    pause(Some("sholat"), "10:30");
    pause(None, "10:45");
}

#[test]
fn the_report_of_a_day_worked_out_by_hand() {
    let hub = Hub::start();
    scenario(&hub);
    let out = hub_command(&hub.database, &["report", "--site", SITE, "--from", "2026-11-30", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let figs = |f: &serde_json::Value| {
        (
            [
                f["issued"].as_u64(),
                f["called"].as_u64(),
                f["served"].as_u64(),
                f["no_shows"].as_u64(),
                f["transfers"].as_u64(),
            ],
            [
                f["wait_median_min"].as_f64(),
                f["wait_p90_min"].as_f64(),
                f["service_median_min"].as_f64(),
                f["service_p90_min"].as_f64(),
            ],
        )
    };
    // The site: 5 tickets (the voided one does not count), 4 called, 3 served, 1 no-show,
    // 1 transfer. Waits 10, 16, 10, 10 (SKB-A001 from its first call): sorted 10 10 10 16,
    // median (2nd) 10, p90 (4th) 16. Service 10, 6, 20 (SKB-A001 from its last start):
    // median 10, p90 20.
    assert_eq!(
        figs(&r["site"]),
        ([Some(5), Some(4), Some(3), Some(1), Some(1)], [Some(10.0), Some(16.0), Some(10.0), Some(20.0)]),
        "{}",
        r["site"]
    );
    // KTP-BARU holds the transferred ticket now: 4 tickets; p90 wait 16 min, a green light.
    let ktp = &r["by_service"]["KTP-BARU"];
    assert_eq!(figs(&ktp[0]).0, [Some(4), Some(4), Some(3), Some(1), Some(1)]);
    assert_eq!(ktp[1], "green");
    // SKCK-BARU: one waiting, nothing measured, no light.
    assert_eq!(
        figs(&r["by_service"]["SKCK-BARU"][0]),
        ([Some(1), Some(0), Some(0), Some(0), Some(0)], [None, None, None, None])
    );
    assert!(r["by_service"]["SKCK-BARU"][1].is_null());
    // Agencies keep the agency of issue: Dukcapil 3 (2 served, 1 no-show), Polres 2.
    assert_eq!(figs(&r["by_agency"]["DUKCAPIL"]).0, [Some(3), Some(3), Some(2), Some(1), Some(0)]);
    assert_eq!(figs(&r["by_agency"]["POLRES"]).0, [Some(2), Some(1), Some(1), Some(0), Some(1)]);
    // Staff: andi called or ended all four visits last.
    assert_eq!(figs(&r["by_staff"]["andi"]).0, [Some(4), Some(4), Some(3), Some(1), Some(1)]);
    // Counter 1: busy 11 + 7 + 3 + 20 = 41 min (from each last call to its end); paused
    // 7 (istirahat) + 15 (sholat) = 22; its day 09.10–10.45 = 95 min, so idle 32.
    let c1 = &r["counters"][0];
    assert_eq!(
        (c1["counter"].as_i64(), c1["busy_min"].as_f64(), c1["paused_min"].as_f64(), c1["idle_min"].as_f64()),
        (Some(1), Some(41.0), Some(22.0), Some(32.0)),
        "{c1}"
    );
    assert_eq!(
        (c1["paused_by_reason"]["istirahat"].as_f64(), c1["paused_by_reason"]["sholat"].as_f64()),
        (Some(7.0), Some(15.0))
    );
    // Hours: 09.xx four tickets (median wait 10), 10.xx one (not called yet).
    assert_eq!(
        r["hours"],
        serde_json::json!([{"hour": 9, "issued": 4, "wait_median_min": 10.0}, {"hour": 10, "issued": 1, "wait_median_min": null}])
    );
    assert_eq!(r["busiest_hours"], serde_json::json!([9, 10]));
    // IKM: every element's NRR (4 + 3) / 2 = 3.5; IKM 3.5 × 25 = 87.50, grade B.
    assert_eq!((r["ikm"]["respondents"].as_u64(), r["ikm"]["grade"].as_str()), (Some(2), Some("B")));
    assert!((r["ikm"]["converted"].as_f64().unwrap() - 87.5).abs() < 1e-9, "{}", r["ikm"]["converted"]);

    // The CSV a ministry clerk opens: one table, the same figures.
    let csv = String::from_utf8(
        hub_command(&hub.database, &["report", "--site", SITE, "--from", "2026-11-30", "--format", "csv"]).stdout,
    )
    .unwrap();
    assert!(
        csv.starts_with(
            "site,from,to,kind,group,name,issued,called,served,no_shows,transfers,wait_median_min,wait_p90_min"
        ),
        "{csv}"
    );
    assert!(csv.contains(&format!("{SITE},2026-11-30,2026-11-30,site,{SITE},Mal Pelayanan Publik Kabupaten Jeneponto,5,4,3,1,1,10.0,16.0,10.0,20.0,")), "{csv}");
    assert!(csv.contains(",counter,1,Loket 1,4,4,3,1,1,") && csv.contains(",41.0,22.0,32.0,"), "{csv}");
    assert!(csv.contains(",ikm,IKM,B Baik,") && csv.contains(",87.50,2"), "{csv}");
    // And the text for a terminal.
    let text =
        String::from_utf8(hub_command(&hub.database, &["report", "--site", SITE, "--from", "2026-11-30"]).stdout)
            .unwrap();
    assert!(
        text.contains("tickets: 5 issued, 4 called, 3 served, 1 no-shows, 1 transfers")
            && text.contains("IKM: 87.50 (B, Baik) from 2 respondents"),
        "{text}"
    );
    // Bad input names what is wrong.
    let out = hub_command(&hub.database, &["report", "--site", SITE, "--from", "2026-12-01", "--to", "2026-11-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("backwards"));
}

/// Signs in over HTTP; the session cookie.
pub(crate) fn session(hub: &Hub, user: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let (cookie, token) = crate::support::login_form(hub);
    let r = agent
        .post(&hub.url("/counter/sign-in"))
        .header("Cookie", &cookie)
        .send_form([("site", SITE), ("username", user), ("password", "kata-sandi-panjang"), ("login_csrf", &token)])
        .unwrap();
    r.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

pub(crate) fn get(hub: &Hub, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut req = agent.get(&hub.url(path));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut r = req.call().unwrap();
    let disposition = r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap(), disposition)
}

/// The page for supervisors: the same figures, charts, the light per service, the CSV
/// download; a counter clerk and a stranger get nothing.
#[test]
fn the_report_page_is_for_supervisors_and_shows_the_same_figures() {
    let hub = Hub::start();
    scenario(&hub);
    add_staff(&hub, "kepala", "supervisor");
    add_staff(&hub, "andi", "counter");
    assert_eq!(get(&hub, "/report?from=2026-11-30", None).0, 401);
    assert_eq!(get(&hub, "/report?from=2026-11-30", Some(&session(&hub, "andi"))).0, 403, "a counter clerk");
    let boss = session(&hub, "kepala");
    let (status, page, _) = get(&hub, "/report?from=2026-11-30", Some(&boss));
    assert_eq!(status, 200, "{page}");
    for expected in [
        "<b>5</b>nomor diambil",
        "<b>3</b>dilayani",
        "<b>10 mnt</b>tunggu (median)",
        "<b>16 mnt</b>tunggu (p90)",
        "87.50 (B, Baik)",
        "Jam tersibuk: 09.00, 10.00",
        "light green",
        "Penerbitan KTP-el Baru",
        "istirahat 7 mnt",
        "<svg",
    ] {
        assert!(page.contains(expected), "{expected:?} missing from the report page");
    }
    let (status, csv, disposition) = get(&hub, "/report.csv?from=2026-11-30&to=2026-11-30", Some(&boss));
    assert_eq!(status, 200);
    assert_eq!(disposition, format!("attachment; filename=\"laporan-{SITE}-2026-11-30-2026-11-30.csv\""));
    let cli = String::from_utf8(
        hub_command(&hub.database, &["report", "--site", SITE, "--from", "2026-11-30", "--format", "csv"]).stdout,
    )
    .unwrap();
    assert_eq!(csv, cli, "the page's CSV is the command's");
    assert_eq!(get(&hub, "/report?from=2026-12-02&to=2026-11-30", Some(&boss)).0, 400);

    // In chromium, as a supervisor sees it (and for docs/screens/hub/report.png).
    let driver = crate::browser::Driver::start();
    let b = driver.browser(1280, 1600);
    crate::browser::sign_in_as(&b, &hub, "kepala");
    b.goto(&hub.url("/report?from=2026-11-30"));
    b.until(std::time::Duration::from_secs(10), "the report", |b| b.text("main").contains("Per layanan"));
    assert_eq!(
        b.js("return document.querySelectorAll('svg rect').length").as_u64(),
        Some(2 + 2 + 9),
        "bars: 2 hours, 2 hours, 9 elements"
    );
    if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
        b.screenshot(&std::path::Path::new(&dir).join("report.png"));
    }
}
