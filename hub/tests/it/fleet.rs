//! The fleet: kiosks that need a person, worst first, on the page and to the webhook
//! (a real HTTP server on loopback), each alert told once when raised and once when cleared.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use crate::browser::add_staff;
use crate::report::{get, session};
use crate::support::{Hub, SITE, hub_command};

/// A webhook receiver on loopback: each POST's JSON body, in order.
fn receiver() -> (u16, mpsc::Receiver<serde_json::Value>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_ok() {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                if let Ok(v) = serde_json::from_slice(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        }
    });
    (port, rx)
}

fn next(rx: &mpsc::Receiver<serde_json::Value>) -> serde_json::Value {
    rx.recv_timeout(Duration::from_secs(15)).expect("an alert within 15 s")
}

#[test]
fn kiosks_that_need_a_person_come_first_and_the_webhook_hears_once() {
    let (port, hook) = receiver();
    let hub = Hub::start_with(&format!(
        "[alerts]\nwebhook_url = \"http://127.0.0.1:{port}/hook\"\ncheck_secs = 1\nsilent_after_min = 15\n"
    ));
    for n in ["2", "3"] {
        assert!(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", n]).status.success());
    }
    // Kiosk 1 heard from a minute ago, its printer out of paper; kiosk 2 silent for 40
    // minutes; kiosk 3 never connected. A second MPP whose only kiosk went silent.
    hub.sql(&format!(
        "UPDATE kiosk SET last_seen_at = now() - interval '1 minute' WHERE site = '{SITE}' AND number = 1;
         UPDATE kiosk SET last_seen_at = now() - interval '40 minutes' WHERE site = '{SITE}' AND number = 2;
         INSERT INTO kiosk_health (site, kiosk, reported_at, received_at, app_version, catalogue_version, printer, outbox_pending)
           SELECT '{SITE}', n, now() - ago, now() - ago, '0.1.0', feed_version, p, 0 FROM site,
             (VALUES (1, 'paper_out', interval '1 minute'), (2, 'ready', interval '40 minutes')) AS k(n, p, ago) WHERE code = '{SITE}';
         INSERT INTO site (code, name, time_zone, feed, feed_version) SELECT 'MPP-LAIN', 'MPP Lain', time_zone, feed, feed_version FROM site WHERE code = '{SITE}';"
    ));
    assert!(hub_command(&hub.database, &["kiosk", "enroll", "--site", "MPP-LAIN", "--number", "1"]).status.success());
    hub.sql("UPDATE kiosk SET last_seen_at = now() - interval '2 hours' WHERE site = 'MPP-LAIN'");

    // The webhook hears each alert raised once (and, for the kiosks that were never seen
    // when the server started, once cleared when they were). Listen until it is quiet.
    let mut told: std::collections::BTreeMap<(String, i64, String), (u32, u32)> = std::collections::BTreeMap::new();
    while let Ok(a) = hook.recv_timeout(Duration::from_secs(4)) {
        let e = told
            .entry((
                a["site"].as_str().unwrap().to_owned(),
                a["kiosk"].as_i64().unwrap(),
                a["kind"].as_str().unwrap().to_owned(),
            ))
            .or_default();
        if a["cleared"] == true { e.1 += 1 } else { e.0 += 1 }
    }
    let key = |s: &str, k: i64, kind: &str| (s.to_owned(), k, kind.to_owned());
    assert_eq!(told.get(&key(SITE, 1, "paper_out")), Some(&(1, 0)), "{told:?}");
    assert_eq!(told.get(&key(SITE, 2, "silent")), Some(&(1, 0)), "{told:?}");
    assert_eq!(told.get(&key(SITE, 3, "never_seen")), Some(&(1, 0)), "{told:?}");
    assert_eq!(told.get(&key("MPP-LAIN", 1, "silent")), Some(&(1, 0)), "{told:?}");
    assert!(told.values().all(|(raised, cleared)| *raised == 1 && *cleared <= 1), "each alert told once: {told:?}");

    // The paper is changed: the clearing is told, once.
    hub.sql(&format!("UPDATE kiosk_health SET printer = 'ready' WHERE site = '{SITE}' AND kiosk = 1"));
    let cleared = next(&hook);
    assert_eq!(
        (cleared["kiosk"].as_i64(), cleared["kind"].as_str(), cleared["cleared"].as_bool()),
        (Some(1), Some("paper_out"), Some(true)),
        "{cleared}"
    );

    // The page: an admin sees every site, worst first, the silent MPP called out.
    add_staff(&hub, "teknisi", "admin");
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
    .map(|w| page.find(w).unwrap_or_else(|| panic!("{w:?} not on the page")))
    .collect();
    assert!(
        order[3] > order[0] && order[3] > order[1] && order[3] > order[2],
        "the kiosk that is fine comes last: {order:?}"
    );
    let (_, own, _) = get(&hub, "/fleet", Some(&session(&hub, "kepala")));
    assert!(!own.contains("MPP-LAIN") && own.contains("Belum pernah terhubung"), "a supervisor sees their own site");
    if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
        let driver = crate::browser::Driver::start();
        let b = driver.browser(1400, 700);
        crate::browser::sign_in_as(&b, &hub, "teknisi");
        b.goto(&hub.url("/fleet"));
        b.until(Duration::from_secs(10), "the fleet", |b| b.text("main").contains("Perlu tindakan"));
        b.screenshot(&std::path::Path::new(&dir).join("fleet.png"));
    }
}
