//! The fleet: kiosks that need a person, worst first, on the page and to the webhook
//! (a real HTTP server on loopback), each alert told once when raised and once when cleared.

use std::io::{BufReader, Write};
use std::sync::mpsc;
use std::time::Duration;

use crate::browser::add_staff;
use crate::report::{get, session};
use crate::support::{Hub, KioskLedger, SITE, hub_command};

/// A webhook receiver on loopback: each POST's JSON body, in order.
fn receiver() -> (u16, mpsc::Receiver<serde_json::Value>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            if let Some(body) = crate::support::request_body(&mut BufReader::new(stream.try_clone().unwrap())) {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                if let Ok(v) = serde_json::from_slice(&body)
                    && tx.send(v).is_err()
                {
                    return;
                }
            }
        }
    });
    (port, rx)
}

fn next(rx: &mpsc::Receiver<serde_json::Value>) -> serde_json::Value {
    rx.recv_timeout(Duration::from_secs(15)).expect("an alert within 15 s")
}

/// Another site in the hub's database: the embedded catalogue under another code, added
/// as an administrator adds a site (`mpp-hub site add FEED`).
pub(crate) fn add_other_site(hub: &Hub, code: &str) {
    let mut feed: serde_json::Value = serde_json::to_value(mpp_domain::catalogue::default_feed()).unwrap();
    feed["site"]["code"] = code.into();
    let file = hub.dir.path().join(format!("{code}.json"));
    std::fs::write(&file, serde_json::to_vec(&feed).unwrap()).unwrap();
    let out = hub_command(&hub.database, &["site", "add", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A kiosk's sync round (its uploads, then its health report) as the kiosk makes it, with
/// its printer as the print worker last read it.
fn sync_round(hub: &Hub, k: &mut KioskLedger, site: &str, number: u8, token: &str, printer: &str, now: &str) {
    k.store
        .set_sync_state(&[
            (mpp_kiosk::sync::state::PRINTER_STATE, Some(printer)),
            (mpp_kiosk::sync::state::PRINTER_STATE_AT, Some(now)),
        ])
        .unwrap();
    let cfg = k.sync_config(hub, token);
    let round = mpp_kiosk::sync::round(&mut k.store, &cfg, site, number, now.parse().unwrap());
    assert!(round.uploaded.is_ok(), "{:?}", round.uploaded);
}

type Told = std::collections::BTreeMap<(String, i64, String), (u32, u32)>;

/// Records what the webhook hears until `done` holds (within 20 s), then until it has
/// been quiet for a second.
fn hear(hook: &mpsc::Receiver<serde_json::Value>, told: &mut Told, done: impl Fn(&Told) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !done(told) {
        let a = hook
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .unwrap_or_else(|_| panic!("the webhook did not hear what was expected: {told:?}"));
        record(told, &a);
    }
    while let Ok(a) = hook.recv_timeout(Duration::from_secs(1)) {
        record(told, &a);
    }
}

fn record(told: &mut Told, a: &serde_json::Value) {
    let key =
        (a["site"].as_str().unwrap().to_owned(), a["kiosk"].as_i64().unwrap(), a["kind"].as_str().unwrap().to_owned());
    let e = told.entry(key).or_default();
    if a["cleared"] == true { e.1 += 1 } else { e.0 += 1 }
}

fn key(s: &str, k: i64, kind: &str) -> (String, i64, String) {
    (s.to_owned(), k, kind.to_owned())
}

/// Two hours of a Monday morning, the server restarted with its clock on at each step:
/// 08.00 the other MPP's only kiosk reports; 09.20 kiosk 2 reports; 10.00 kiosk 1 reports
/// a printer out of paper. Kiosk 3 never connects. Every fact reaches the server the way
/// kiosks send it (their sync round); the fleet reads only what that stored.
#[test]
fn kiosks_that_need_a_person_come_first_and_the_webhook_hears_once() {
    let (port, hook) = receiver();
    let config =
        format!("[alerts]\nwebhook_url = \"http://127.0.0.1:{port}/hook\"\ncheck_secs = 1\nsilent_after_min = 15\n");
    let mut hub = Hub::start_at_with("2026-11-30T00:00:00Z", &config);
    let enroll = |site: &str, n: &str| {
        let out = hub_command(&hub.database, &["kiosk", "enroll", "--site", site, "--number", n]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let (token2, _token3) = (enroll(SITE, "2"), enroll(SITE, "3"));
    add_other_site(&hub, "MPP-LAIN");
    let lain = enroll("MPP-LAIN", "1");
    let (mut k1, mut k2, mut other) = (KioskLedger::new(), KioskLedger::new(), KioskLedger::new());
    let mut told = Told::new();

    sync_round(&hub, &mut other, "MPP-LAIN", 1, &lain, "ready", "2026-11-30T00:00:00Z");
    hear(&hook, &mut told, |t| t.contains_key(&key(SITE, 3, "never_seen")));
    hub.restart_at("2026-11-30T01:20:00Z");
    sync_round(&hub, &mut k2, SITE, 2, &token2, "ready", "2026-11-30T01:20:00Z");
    hear(&hook, &mut told, |t| t.contains_key(&key("MPP-LAIN", 1, "silent")));
    hub.restart_at("2026-11-30T02:00:00Z");
    let token1 = hub.token.clone();
    sync_round(&hub, &mut k1, SITE, 1, &token1, "paper_out", "2026-11-30T02:00:00Z");
    hear(&hook, &mut told, |t| t.contains_key(&key(SITE, 1, "paper_out")) && t.contains_key(&key(SITE, 2, "silent")));

    // Each alert raised is told once (those of kiosks not seen yet when the morning
    // began are also told once cleared, when they reported).
    assert_eq!(told.get(&key(SITE, 1, "paper_out")), Some(&(1, 0)), "{told:?}");
    assert_eq!(told.get(&key(SITE, 2, "silent")), Some(&(1, 0)), "{told:?}");
    assert_eq!(told.get(&key(SITE, 3, "never_seen")), Some(&(1, 0)), "{told:?}");
    assert_eq!(told.get(&key("MPP-LAIN", 1, "silent")), Some(&(1, 0)), "{told:?}");
    assert_eq!(told.get(&key(SITE, 2, "never_seen")), Some(&(1, 1)), "{told:?}");
    assert!(told.values().all(|(raised, cleared)| *raised == 1 && *cleared <= 1), "each alert told once: {told:?}");

    // The paper is changed: the kiosk's next round says so, and the clearing is told, once.
    sync_round(&hub, &mut k1, SITE, 1, &token1, "ready", "2026-11-30T02:00:02Z");
    let cleared = next(&hook);
    assert_eq!(
        (cleared["kiosk"].as_i64(), cleared["kind"].as_str(), cleared["cleared"].as_bool()),
        (Some(1), Some("paper_out"), Some(true)),
        "{cleared}"
    );

    // The page: the province's operator sees every site, worst first, the silent MPP
    // called out; the site's admin and supervisor see their own site.
    add_staff(&hub, "teknisi", "operator");
    add_staff(&hub, "admin", "admin");
    add_staff(&hub, "kepala", "supervisor");
    let (status, page, _) = get(&hub, "/fleet", Some(&session(&hub, "teknisi")));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Semua kiosk MPP-LAIN senyap"), "{page}");
    let order: Vec<usize> = [
        "Tidak ada kabar 40 menit",
        "Belum pernah terhubung",
        "Tidak ada kabar 120 menit",
        "<td>MPP-JENEPONTO</td><td>1</td>",
    ]
    .iter()
    .map(|w| page.find(w).unwrap_or_else(|| panic!("{w:?} not on the page: {page}")))
    .collect();
    assert!(
        order[3] > order[0] && order[3] > order[1] && order[3] > order[2],
        "the kiosk that is fine comes last: {order:?}"
    );
    // Last heard in the site's own time: kiosk 2 at 09.20 WITA.
    assert!(page.contains("30/11 09.20 WITA (40 menit lalu)"), "{page}");
    for user in ["kepala", "admin"] {
        let (_, own, _) = get(&hub, "/fleet", Some(&session(&hub, user)));
        assert!(!own.contains("MPP-LAIN") && own.contains("Belum pernah terhubung"), "{user} sees their own site");
    }
    if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
        let driver = crate::browser::Driver::start();
        let b = driver.browser(1400, 700);
        crate::browser::sign_in_as(&b, &hub, "teknisi");
        b.goto(&hub.url("/fleet"));
        b.until(Duration::from_secs(10), "the fleet", |b| b.text("main").contains("Perlu tindakan"));
        b.screenshot(&std::path::Path::new(&dir).join("fleet.png"));
    }
}
