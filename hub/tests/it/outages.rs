//! Outages between the parts: PostgreSQL restarted under load, the network between a kiosk
//! and the server cut. Afterwards every record is stored once, nothing is lost, the
//! kiosks' outboxes are empty, and the server has reconnected by itself.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mpp_hub::db::local_cluster::LocalCluster;
use mpp_kiosk::tickets::Status;

use crate::support::{Hub, KioskLedger, SITE};

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// `n` tickets over a Monday morning in the kiosk's ledger, each printed.
fn issue(k: &mut KioskLedger, n: i64) {
    let start = ts("2026-11-30T00:00:00Z");
    for i in 0..n {
        let at = start.checked_add(jiff::SignedDuration::from_secs(i * 30)).unwrap();
        let t = k
            .store
            .issue_ticket(&k.catalogue, ["KTP-BARU", "KK-BARU", "SKCK-BARU"][i as usize % 3], None, 1, at)
            .unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    }
}

/// The queue's events as they arrive, each `data:` line sent down a channel.
fn listen(url: String) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(120))).build().into();
        let Ok(mut resp) = agent.get(&url).call() else { return };
        let mut reader = std::io::BufReader::new(resp.body_mut().as_reader());
        let (mut line, mut event) = (String::new(), String::new());
        while std::io::BufRead::read_line(&mut reader, &mut line).is_ok_and(|n| n > 0) {
            if let Some(name) = line.strip_prefix("event: ") {
                event = name.trim().to_owned();
            } else if let Some(data) = line.strip_prefix("data: ")
                // The beats (the server's clock every 2 s) are not states.
                && event != "beat"
                && tx.send(data.trim().to_owned()).is_err()
            {
                return;
            }
            line.clear();
        }
    });
    rx
}

/// PostgreSQL stopped (fast shutdown) and started again twice while a kiosk uploads 200
/// tickets in small batches. A cluster of this test's own: the other tests' is not touched.
#[test]
fn postgres_restarted_under_load_loses_nothing_and_the_server_reconnects() {
    let dir = tempfile::Builder::new().prefix(&format!("mpp-hub-pg-{}-", std::process::id())).tempdir().unwrap();
    let port = 40000 + (std::process::id() % 20000) as u16;
    let mut cluster =
        LocalCluster::start(dir.path(), port).unwrap_or_else(|e| panic!("{e} (bash .ci/setup installs PostgreSQL)"));
    cluster.create_database("outage").unwrap();
    let hub = Hub::start_on(cluster.url("outage"));
    let events = listen(hub.url(&format!("/api/v1/sites/{SITE}/events?date=2026-11-30")));
    assert!(events.recv_timeout(Duration::from_secs(10)).unwrap().contains("\"waiting\":0"), "the first state: empty");

    let mut k = KioskLedger::new();
    let mut cfg = k.sync_config(&hub, &hub.token);
    (cfg.upload_batch, cfg.timeout_secs, cfg.connect_timeout_secs) = (10, 5, 2);
    issue(&mut k, 200);
    let total = k.store.outbox_stats().unwrap().pending;

    // The restarts run on a thread of their own, which lives until the test ends: a server
    // it starts dies with it (PR_SET_PDEATHSIG), so it stops the server itself, also
    // when the test fails (the sender is dropped).
    let uploading = Arc::new(AtomicBool::new(true));
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let (report, restarted) = std::sync::mpsc::channel::<u32>();
    let restarter = {
        let (uploading, data) = (uploading.clone(), dir.path().to_owned());
        std::thread::spawn(move || {
            let mut restarts = 0;
            while uploading.load(Ordering::Relaxed) && restarts < 2 {
                std::thread::sleep(Duration::from_millis(300));
                // SAFETY: signalling the server this test started: SIGINT is a fast shutdown.
                unsafe { libc::kill(cluster.server.id() as i32, libc::SIGINT) };
                cluster.server.wait().unwrap();
                std::thread::sleep(Duration::from_millis(500));
                // Only a cluster that is still there: never a new one in a folder the
                // test removed (it failed, say) while this thread slept.
                cluster = LocalCluster::start_existing(&data, port).unwrap();
                restarts += 1;
            }
            let _ = report.send(restarts);
            let _ = finished.recv();
            // SAFETY: as above; SIGQUIT stops it at once.
            unsafe { libc::kill(cluster.server.id() as i32, libc::SIGQUIT) };
            let _ = cluster.server.wait();
        })
    };
    let (mut rounds, mut failed) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(120);
    while k.store.outbox_stats().unwrap().pending > 0 {
        assert!(Instant::now() < deadline, "the outbox never emptied: {}", hub.log());
        rounds += 1;
        if mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts("2026-11-30T02:00:00Z")).is_err() {
            failed += 1;
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    uploading.store(false, Ordering::Relaxed);
    let restarts = restarted.recv().expect("the restarts ended");
    eprintln!("{restarts} restarts; {failed} of {rounds} upload rounds failed");
    assert!(
        restarts >= 1 && failed >= 1,
        "PostgreSQL went away during the upload at least once ({restarts} restarts, {failed} failed rounds)"
    );
    assert_eq!(hub.counts(), format!("{total} 200 0"), "every record once, every ticket once");
    assert_eq!(hub.get("/healthz").0, 200, "the server answers again without a restart of its own");
    // The event stream's LISTEN connection came back too: a change after the restarts
    // reaches a display that was connected throughout.
    issue(&mut k, 1);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts("2026-11-30T03:00:00Z")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let data = events
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|e| panic!("no event with the 201st ticket ({e}): {}", hub.log()));
        if data.contains("\"waiting\":201") {
            break;
        }
    }
    drop(hub);
    drop(done);
    restarter.join().unwrap();
}

/// A TCP relay that can be cut: while cut, connections are accepted and held but nothing
/// passes, as when a cable is pulled or a switch dies (the client only sees a timeout).
struct Relay {
    port: u16,
    cut: Arc<AtomicBool>,
}

impl Relay {
    fn to(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let c = cut.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let c = c.clone();
                std::thread::spawn(move || {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else { return };
                    for s in [&client, &server] {
                        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
                    }
                    let pump = |mut from: TcpStream, mut to: TcpStream, cut: Arc<AtomicBool>| {
                        let mut buf = [0u8; 16384];
                        loop {
                            if cut.load(Ordering::Relaxed) {
                                // Held, silent, until the test ends: a dead link.
                                std::thread::sleep(Duration::from_millis(50));
                                continue;
                            }
                            match from.read(&mut buf) {
                                Ok(0) => return drop(to.shutdown(std::net::Shutdown::Write)),
                                Ok(n) if to.write_all(&buf[..n]).is_ok() => {}
                                Ok(_) => return,
                                Err(e)
                                    if matches!(
                                        e.kind(),
                                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                                    ) => {}
                                Err(_) => return,
                            }
                        }
                    };
                    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                    let cut2 = c.clone();
                    let up = std::thread::spawn(move || pump(c2, s2, cut2));
                    pump(server, client, c);
                    let _ = up.join();
                });
            }
        });
        Relay { port, cut }
    }
}

/// The network between a kiosk and the server cut while citizens take numbers: each slip
/// prints within the kiosk's short wait, with the kiosk's estimate; the tickets wait in the
/// outbox; when the link returns, the background sync delivers every record once.
#[test]
fn a_network_cut_between_kiosk_and_server_loses_nothing() {
    use mpp_kiosk::printing::{Job, Paper, PrintSettings, PrintWorker, PrinterUri, QrMode};
    let hub = Hub::start();
    let relay = Relay::to(hub.port);
    let k = KioskLedger::new();
    let mut cfg = k.sync_config(&hub, &hub.token);
    cfg.upload_url = Some(format!("http://127.0.0.1:{}/api/v1/upload", relay.port));
    (cfg.interval_secs, cfg.timeout_secs, cfg.connect_timeout_secs, cfg.queue_timeout_ms) = (10, 2, 1, 1000);
    let db = k.dir.path().join("kiosk.sqlite3");
    let now = ts("2026-11-30T01:00:00Z");
    let handle = mpp_kiosk::sync::runner::spawn(
        db.clone(),
        cfg.clone(),
        SITE.into(),
        jiff::tz::TimeZone::get("Asia/Makassar").unwrap(),
        1,
        mpp_kiosk::clock::fixed(now),
        mpp_kiosk::sync::runner::Deliver::nowhere(),
    )
    .unwrap();
    let slips = k.dir.path().join("slips");
    std::fs::create_dir_all(&slips).unwrap();
    let settings = PrintSettings {
        uri: PrinterUri::Preview(slips),
        paper: Paper::Mm58,
        qr: QrMode::Raster,
        qr_url: None,
        timeout: Duration::from_secs(2),
        logo: None,
        lock: None,
    };
    let worker = PrintWorker::spawn_with(
        db,
        settings,
        1,
        mpp_kiosk::clock::fixed(now),
        mpp_kiosk::app::ahead_lookup(cfg.clone(), SITE.into(), 1),
    )
    .unwrap();
    let catalogue = Arc::new(k.catalogue.clone());
    let take = |confirmed: bool| {
        let started = Instant::now();
        let issued = worker
            .run_blocking(
                Job::Issue { service: "KTP-BARU".into(), priority: None },
                catalogue.clone(),
                mpp_kiosk::text::Lang::Id,
            )
            .unwrap()
            .ticket()
            .unwrap();
        let took = started.elapsed();
        assert_eq!(issued.ahead.confirmed, confirmed, "{} after {} ms", issued.ticket.number, took.as_millis());
        handle.upload_now();
        took
    };
    for _ in 0..2 {
        take(true);
    }
    relay.cut.store(true, Ordering::Relaxed);
    for _ in 0..3 {
        let took = take(false);
        eprintln!("a slip with the link cut: {} ms", took.as_millis());
    }
    assert!(k.store.outbox_stats().unwrap().pending >= 3, "the tickets wait in the outbox while the link is down");
    relay.cut.store(false, Ordering::Relaxed);
    handle.upload_now();
    let deadline = Instant::now() + Duration::from_secs(60);
    while k.store.outbox_stats().unwrap().pending > 0
        || hub.sql("SELECT count(*) FROM ticket WHERE status = 'printed'") != "5"
    {
        assert!(
            Instant::now() < deadline,
            "the outbox did not drain after the link came back: {:?}",
            k.store.outbox_stats().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(hub.counts(), "15 5 0", "five tickets, each with its issued and printed records, each once");
}
