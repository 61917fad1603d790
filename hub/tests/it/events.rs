//! The live queue across processes: a client listening to one `mpp-hub` process sees a
//! ticket uploaded through another process on the same database (PostgreSQL LISTEN/NOTIFY).

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use mpp_kiosk::tickets::Status;

use crate::support::{Hub, KioskLedger, SITE};

#[test]
fn a_change_made_through_one_process_reaches_the_clients_of_another() {
    let a = Hub::start();
    let b = a.second_process();
    // A client of process B, listening to the site's events for the day.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", b.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "GET /api/v1/sites/{SITE}/events?date=2026-11-30 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let mut lines = BufReader::new(stream).lines();
    // The next `queue` event's data (each change also sends `calls`, for the displays).
    let mut next_queue = || -> String {
        let mut event = String::new();
        loop {
            let line = lines.next().expect("the event stream is open").expect("an event within 20 s");
            if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_owned();
            } else if let Some(data) = line.strip_prefix("data: ").filter(|_| event == "queue") {
                return data.to_owned();
            }
        }
    };
    assert!(next_queue().contains("\"waiting\":0"), "first the queue as it is: empty");

    // A kiosk uploads through process A.
    let mut k = KioskLedger::new();
    let at: jiff::Timestamp = "2026-11-30T01:05:00Z".parse().unwrap();
    let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, at).unwrap();
    k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    let cfg = k.sync_config(&a, &a.token);
    let sent = Instant::now();
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, at).unwrap().unwrap();
    let queue = next_queue();
    assert!(queue.contains("\"next\":[\"KTB-A001\"]"), "process B's client sees the ticket: {queue}");
    eprintln!("upload through A to the event at B's client: {} ms", sent.elapsed().as_millis());
}
