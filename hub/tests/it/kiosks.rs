//! The queue back to the kiosks: the slip and the done screen carry the site server's count
//! of people ahead (every kiosk's tickets, in calling order), the service rows its count of
//! people waiting; without an answer in time, the kiosk's own count, said to be an estimate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mpp_kiosk::printing::{Job, Paper, PrintSettings, PrintWorker, PrinterUri, QrMode};
use mpp_kiosk::text::Lang;
use mpp_kiosk::tickets::{Ahead, Status};

use crate::support::{Hub, KioskLedger, SITE, hub_command};

const MONDAY_0905: &str = "2026-11-30T01:05:00Z";

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// A kiosk's print worker printing to a preview folder, asking `cfg`'s server.
fn worker(
    k: &KioskLedger,
    kiosk: u8,
    cfg: &mpp_kiosk::sync::SyncConfig,
    at: jiff::Timestamp,
) -> (PrintWorker, std::path::PathBuf) {
    let slips = k.dir.path().join("slips");
    std::fs::create_dir_all(&slips).unwrap();
    let settings = PrintSettings {
        uri: PrinterUri::Preview(slips.clone()),
        paper: Paper::Mm80,
        qr: QrMode::Native,
        qr_url: None,
        timeout: Duration::from_secs(2),
        logo: None,
        lock: None,
    };
    let lookup = mpp_kiosk::app::ahead_lookup(cfg.clone(), SITE.into(), kiosk);
    let w = PrintWorker::spawn_with(
        k.dir.path().join("kiosk.sqlite3"),
        settings,
        kiosk,
        mpp_kiosk::clock::fixed(at),
        lookup,
    )
    .unwrap();
    (w, slips)
}

/// The slip's text with its lines joined, so a wrapped sentence still reads as one.
fn slip_text(slips: &std::path::Path, number: &str) -> String {
    let file = std::fs::read_dir(slips)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(&format!("{number}.txt")))
        .expect("the slip was printed");
    std::fs::read_to_string(file).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_slip_counts_every_kiosks_tickets_ahead_and_says_when_it_only_estimates() {
    let hub = Hub::start();
    // Kiosk 1 issued two KTP-BARU numbers and pushed them.
    let mut k1 = KioskLedger::new();
    let cfg1 = k1.sync_config(&hub, &hub.token);
    for _ in 0..2 {
        let t = k1.store.issue_ticket(&k1.catalogue, "KTP-BARU", None, 1, ts(MONDAY_0905)).unwrap();
        k1.store.set_ticket_status(&t.id, Status::Printed, ts(MONDAY_0905), None).unwrap();
    }
    mpp_kiosk::sync::upload::upload(&mut k1.store, &cfg1, SITE, 1, ts(MONDAY_0905)).unwrap();

    // Kiosk 2 knows nothing of them; its slip takes the server's count.
    let out = hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let k2 = KioskLedger::new();
    let cfg2 = k2.sync_config(&hub, String::from_utf8(out.stdout).unwrap().trim());
    let (w, slips) = worker(&k2, 2, &cfg2, ts("2026-11-30T01:06:00Z"));
    let catalogue = Arc::new(k2.catalogue.clone());
    let issued = w
        .run_blocking(Job::Issue { service: "KTP-BARU".into(), priority: None }, catalogue.clone(), Lang::Id)
        .unwrap()
        .ticket()
        .unwrap();
    assert_eq!(issued.ticket.people_ahead, 0, "the kiosk's own count knows only its own tickets");
    assert_eq!(
        issued.ahead,
        Ahead { count: 2, confirmed: true, wait_minutes: None },
        "the server counts kiosk 1's two numbers"
    );
    let slip = slip_text(&slips, &issued.ticket.number);
    // The same words as the done screen.
    assert!(slip.contains("2 orang di depan Anda") && !slip.contains("Perkiraan"), "{slip}");
    assert_eq!(
        hub.sql(&format!("SELECT count(*) FROM ticket WHERE number = '{}'", issued.ticket.number)),
        "1",
        "the ticket was pushed before its slip"
    );

    // What the service rows show: the server's count of people waiting.
    let state = mpp_kiosk::sync::queue::fetch_state(&cfg2, SITE, Some(jiff::civil::date(2026, 11, 30)))
        .unwrap()
        .expect("an upload URL means a server to ask");
    assert_eq!((state.waiting_for("KTP-BARU"), state.waiting_for("KK-BARU")), (3, 0));

    // The server gone: the next slip is printed at once, with the kiosk's count as an estimate.
    drop(hub);
    let started = Instant::now();
    let issued = w
        .run_blocking(Job::Issue { service: "KTP-BARU".into(), priority: None }, catalogue, Lang::Id)
        .unwrap()
        .ticket()
        .unwrap();
    eprintln!("a slip with the server down took {} ms", started.elapsed().as_millis());
    assert_eq!(issued.ahead, Ahead { count: 1, confirmed: false, wait_minutes: None });
    let slip = slip_text(&slips, &issued.ticket.number);
    assert!(slip.contains("Perkiraan: sekitar 1 orang di depan Anda"), "{slip}");
    let waiting: Vec<String> = k2
        .store
        .outbox_pending(mpp_kiosk::store::OutboxPart::Queue, 100)
        .unwrap()
        .iter()
        .map(|r| r.payload.clone())
        .collect();
    assert!(
        waiting.iter().any(|p| p.contains(&issued.ticket.id) && p.contains("\"number\"")),
        "the new ticket waits in the outbox: {waiting:?}"
    );
}

/// The kiosk's background sync reads the site's queue every `queue_interval_secs` and hands
/// it to the screen, with today's counts.
#[test]
fn the_kiosk_reads_the_sites_queue_in_the_background() {
    let hub = Hub::start();
    let mut k = KioskLedger::new();
    let mut cfg = k.sync_config(&hub, &hub.token);
    (cfg.interval_secs, cfg.queue_interval_secs) = (3600, 5);
    // Two numbers on Monday morning; the kiosk's clock says it is Monday.
    let now = ts(MONDAY_0905);
    for _ in 0..2 {
        k.store.issue_ticket(&k.catalogue, "AKTA-LAHIR", None, 1, now).unwrap();
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let deliver =
        mpp_kiosk::sync::runner::Deliver { catalogue: Box::new(|_| {}), queue: Box::new(move |q| drop(tx.send(q))) };
    let _handle = mpp_kiosk::sync::runner::spawn(
        k.dir.path().join("kiosk.sqlite3"),
        cfg,
        SITE.into(),
        jiff::tz::TimeZone::get("Asia/Makassar").unwrap(),
        1,
        mpp_kiosk::clock::fixed(now),
        deliver,
    )
    .unwrap();
    let first = rx.recv_timeout(Duration::from_secs(10)).expect("a queue state within 10 s");
    assert_eq!(first.site, SITE);
    assert_eq!(first.date, jiff::civil::date(2026, 11, 30), "the kiosk's day, not the server's");
    // Within an interval or two it counts what the kiosk uploaded.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let q = rx.recv_timeout(Duration::from_secs(15)).expect("the queue is read again every interval");
        if q.waiting_for("AKTA-LAHIR") == 2 || Instant::now() > deadline {
            assert_eq!(q.waiting_for("AKTA-LAHIR"), 2, "{q:?}");
            break;
        }
    }
}
