//! Calling's figures, on this machine with PostgreSQL on it and the release server as a
//! separate process, through the same HTTP API the counter page uses:
//! - call next under 100 concurrent counters (each then finishes its ticket and calls
//!   again), p99 of call next (target ≤ 20 ms);
//! - a call at a counter until the display page has it (the site's event stream brings the
//!   calls), p50/p95, with 20 displays and 50 counter pages on the stream (target p95 ≤
//!   300 ms on loopback).
//!
//!     cargo bench -p mpp-hub --bench calling

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::{SITE, percentile};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A signed-in counter: its cookie and CSRF token.
struct Clerk {
    cookie: String,
    csrf: String,
}

fn sign_in(url: &dyn Fn(&str) -> String, user: &str, counter: i16) -> Clerk {
    let a = agent();
    let r = a
        .post(&url("/counter/sign-in"))
        .send_form([("site", SITE), ("username", user), ("password", "kata-sandi-panjang")])
        .unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let page = a.get(&url("/counter")).header("Cookie", &cookie).call().unwrap().body_mut().read_to_string().unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = page[at..at + 32].to_owned();
    let r = a
        .post(&url("/counter/choose"))
        .header("Cookie", &cookie)
        .send_form([("csrf", csrf.as_str()), ("counter", &counter.to_string())])
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    Clerk { cookie, csrf }
}

fn act(a: &ureq::Agent, url: &str, clerk: &Clerk, body: &str) -> String {
    let mut r = a
        .post(url)
        .header("Cookie", &clerk.cookie)
        .header("X-CSRF-Token", &clerk.csrf)
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    assert_eq!(status, 200, "{text}");
    text
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let database = common::cluster(dir.path(), 5433);
    let hub = |args: &[&str], stdin: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mpp-hub"));
        c.args(args)
            .env("MPP_HUB_DATABASE_URL", &database)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            std::io::Write::write_all(child.stdin.as_mut().unwrap(), s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success(), "mpp-hub {args:?}");
    };
    hub(&["migrate"], None);
    hub(&["site", "add", "--embedded"], None);
    for n in 1..=100 {
        hub(
            &[
                "counter",
                "add",
                "--site",
                SITE,
                "--number",
                &n.to_string(),
                "--name",
                &format!("Loket {n}"),
                "--services",
                "KTP-BARU",
            ],
            None,
        );
    }
    for n in 1..=100 {
        hub(
            &["staff", "add", "--site", SITE, "--username", &format!("petugas{n}"), "--role", "counter"],
            Some("kata-sandi-panjang\n"),
        );
    }
    let (mut server, port) = common::serve(dir.path(), &database);
    let url = move |p: &str| format!("http://127.0.0.1:{port}{p}");
    // 6,000 tickets waiting today (three times a large MPP's whole day; the calls below use most) (the site's day by the server's clock).
    let psql = mpp_hub::db::local_cluster::bindir().unwrap().join("psql");
    let sql = |q: &str| {
        let out = Command::new(&psql).args(["-tAX", "-d", &database, "-c", q]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    sql(&format!(
        "INSERT INTO ticket (id, site, kiosk, number, service, agency, local_date, issued_at, people_ahead, status, status_at, queue_at)
         SELECT 'b' || i, '{SITE}', 1 + i % 26, 'KTB-' || chr(65 + i % 26) || lpad((i / 26)::text, 4, '0'), 'KTP-BARU', 'DUKCAPIL',
                (now() AT TIME ZONE 'Asia/Makassar')::date, now() - interval '1 second' * (40000 - i), 0, 'printed', now(), now() - interval '1 second' * (40000 - i)
         FROM generate_series(1, 6000) AS i"
    ));
    sql("ANALYZE ticket");
    let clerks: Vec<Arc<Clerk>> =
        (1..=100).map(|n| Arc::new(sign_in(&url, &format!("petugas{n}"), n as i16))).collect();

    // 1. Call next under 100 concurrent counters, 6 s each way: every counter pressing it
    // once a second (100 calls a second, each followed by done: far more than a hall's
    // counters, which call every few minutes), then as fast as answered (saturation: the
    // 100 client threads share the two cores with the server and PostgreSQL, and every
    // call and done is a committed transaction).
    for (load, period) in [("each once a second", Some(Duration::from_secs(1))), ("as fast as answered", None)] {
        let t0 = Instant::now();
        let handles: Vec<_> = clerks
            .iter()
            .enumerate()
            .map(|(i, clerk)| {
                let (clerk, action) = (clerk.clone(), url("/api/v1/counter/action"));
                std::thread::spawn(move || {
                    let a = agent();
                    let mut times = Vec::new();
                    // Spread over the period, as independent counters are.
                    let mut next = t0 + period.map_or(Duration::ZERO, |p| p.mul_f64(i as f64 / 100.0));
                    while t0.elapsed() < Duration::from_secs(6) {
                        if let Some(p) = period {
                            std::thread::sleep(next.saturating_duration_since(Instant::now()));
                            next += p;
                        }
                        let t = Instant::now();
                        let answer = act(&a, &action, &clerk, r#"{"action":"call_next"}"#);
                        times.push(t.elapsed());
                        let number = answer.split('"').nth(3).and_then(|m| m.split(' ').next()).unwrap().to_owned();
                        act(&a, &action, &clerk, &format!(r#"{{"action":"finish","number":"{number}"}}"#));
                    }
                    times
                })
            })
            .collect();
        let mut times: Vec<Duration> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        times.sort();
        println!(
            "call next, 100 counters, {load}, {:.1} s: {} calls (each followed by done), p50 {:.1} ms, p99 {:.1} ms (target p99 <= 20 ms)",
            t0.elapsed().as_secs_f64(),
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }

    // 2. Call to display: 20 displays and 50 counter pages on the site's event stream, which
    // carries what both pages show (the queue, the calls); one counter calls 50 times.
    let stop = Arc::new(AtomicBool::new(false));
    let (seen_tx, seen_rx) = std::sync::mpsc::channel::<(usize, String, Instant)>();
    for i in 0..70 {
        let (stop, seen_tx, events) = (stop.clone(), seen_tx.clone(), url(&format!("/api/v1/sites/{SITE}/events")));
        std::thread::spawn(move || {
            let Ok(mut r) = agent().get(&events).call() else { return };
            let mut lines = std::io::BufReader::new(r.body_mut().as_reader()).lines();
            let mut event = String::new();
            while let Some(Ok(line)) = lines.next() {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                if let Some(name) = line.strip_prefix("event: ") {
                    event = name.to_owned();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    // A display reads the newest call; a counter page parses the same data.
                    let value: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
                    if i < 20 && event == "calls" {
                        let newest = value["calls"][0]["number"].as_str().unwrap_or("").to_owned();
                        let _ = seen_tx.send((i, newest, Instant::now()));
                    }
                }
            }
        });
    }
    std::thread::sleep(Duration::from_secs(2));
    let caller = &clerks[0];
    let a = agent();
    let action = url("/api/v1/counter/action");
    let mut delays = Vec::new();
    for _ in 0..50 {
        while seen_rx.try_recv().is_ok() {}
        let t = Instant::now();
        let answer = act(&a, &action, caller, r#"{"action":"call_next"}"#);
        let number = answer.split('"').nth(3).and_then(|m| m.split(' ').next()).unwrap().to_owned();
        // Every display must have it.
        let mut displays = std::collections::HashSet::new();
        while displays.len() < 20 {
            let (i, newest, at) = seen_rx.recv_timeout(Duration::from_secs(10)).expect("the displays see the call");
            if newest == number && displays.insert(i) {
                delays.push(at - t);
            }
        }
        act(&a, &action, caller, &format!(r#"{{"action":"finish","number":"{number}"}}"#));
        std::thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::Relaxed);
    delays.sort();
    println!(
        "call to display, 20 displays and 50 counter pages on the event stream, 50 calls ({} display readings): p50 {:.0} ms, p95 {:.0} ms (target p95 <= 300 ms)",
        delays.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 0.95)
    );
    let _ = server.kill();
    let _ = server.wait();
}
