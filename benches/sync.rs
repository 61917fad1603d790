//! Sync figures on loopback: a 10,000-service feed downloaded over HTTP, its minisign
//! signature verified, the feed validated and imported; and 10,000 queued tickets (20,000
//! outbox records: each ticket and its "issued" change) uploaded to a receiver.
//!
//!     cargo bench --no-default-features --bench sync
//!
//! Needs the `minisign` tool to sign the feed (Debian package `minisign`).
//! Target: download + verify + import ≤ 1 s.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use mpp_kiosk::store::Store;
use mpp_kiosk::sync::SyncConfig;

/// Serves `feed.json` and `feed.json.minisig`, and answers every POST with 200.
fn server(feed: Vec<u8>, sig: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (feed, sig) = (feed.clone(), sig.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let mut len = 0;
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).unwrap();
                        if h.trim().is_empty() {
                            break;
                        }
                        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; len];
                    reader.read_exact(&mut body).unwrap();
                    let answer: &[u8] = if line.starts_with("POST") {
                        b"{}"
                    } else if path.ends_with(".minisig") {
                        &sig
                    } else {
                        &feed
                    };
                    write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", answer.len()).unwrap();
                    out.write_all(answer).unwrap();
                }
            });
        }
    });
    port
}

fn main() {
    if Command::new("minisign").arg("-v").output().is_err() {
        println!("skipped: the minisign tool is not installed (apt install minisign)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut feed = support::generated_feed(10_000);
    feed.version += 1;
    let bytes = serde_json::to_vec(&feed).unwrap();
    let feed_path = dir.path().join("feed.json");
    std::fs::write(&feed_path, &bytes).unwrap();
    let (public, secret) = (dir.path().join("k.pub"), dir.path().join("k.key"));
    assert!(
        Command::new("minisign")
            .args(["-G", "-W", "-p"])
            .arg(&public)
            .arg("-s")
            .arg(&secret)
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(
        Command::new("minisign")
            .args(["-S", "-s"])
            .arg(&secret)
            .arg("-m")
            .arg(&feed_path)
            .output()
            .unwrap()
            .status
            .success()
    );
    let sig = std::fs::read(dir.path().join("feed.json.minisig")).unwrap();
    let key = std::fs::read_to_string(&public).unwrap().lines().nth(1).unwrap().to_owned();
    let port = server(bytes.clone(), sig);
    let cfg = SyncConfig {
        url: Some(format!("http://127.0.0.1:{port}/feed.json")),
        public_key: Some(key),
        upload_url: Some(format!("http://127.0.0.1:{port}/upload")),
        insecure_http_upload: true,
        // 10,000 services are ~25 MB of JSON, above the 16 MiB default meant for real sites.
        max_bytes: 64 * 1024 * 1024,
        ..SyncConfig::default()
    };
    let now: jiff::Timestamp = "2026-11-30T01:05:00Z".parse().unwrap();

    let mut samples = Vec::new();
    for i in 0..5 {
        let db = dir.path().join(format!("pull-{i}.sqlite3"));
        let mut store = Store::open(&db).unwrap();
        let t = Instant::now();
        let pulled = mpp_kiosk::sync::pull_and_record(&mut store, &cfg, now).unwrap();
        samples.push(t.elapsed());
        assert!(matches!(pulled, Some(mpp_kiosk::sync::Pulled::Imported { services: 10_000, .. })));
    }
    samples.sort();
    println!(
        "pull 10,000 services ({:.1} MB) over loopback HTTP, verify, validate, import: median {:.0} ms  max {:.0} ms  (target ≤ 1000 ms)",
        bytes.len() as f64 / 1e6,
        samples[2].as_secs_f64() * 1e3,
        samples[4].as_secs_f64() * 1e3
    );

    // 10,000 tickets in the outbox, then one upload round.
    let db = dir.path().join("upload.sqlite3");
    let mut store = Store::open(&db).unwrap();
    store.import_catalogue(&mpp_kiosk::catalogue::default_feed(), "bench", false, jiff::Timestamp::UNIX_EPOCH).unwrap();
    let catalogue = store.load_catalogue().unwrap().unwrap();
    let open: Vec<String> = catalogue
        .feed
        .services
        .iter()
        .filter(|s| s.daily_quota.is_none() && s.hours.is_none())
        .map(|s| s.code.clone())
        .collect();
    let t = Instant::now();
    for i in 0..10_000 {
        let kiosk = 1 + (i / (open.len() * 999)) as u8;
        store.issue_ticket(&catalogue, &open[i % open.len()], None, kiosk, now).unwrap();
    }
    let queued = t.elapsed();
    let pending = store.outbox_stats().unwrap().pending;
    let t = Instant::now();
    let up = mpp_kiosk::sync::upload::upload(&mut store, &cfg, "MPP-JENEPONTO", 1, now).unwrap().unwrap();
    let took = t.elapsed();
    assert_eq!(up.records as u64, pending);
    println!(
        "upload {} outbox records (10,000 tickets) in {} batches of {}: {:.0} ms ({:.0} records/s); issuing them took {:.1} s",
        up.records,
        up.batches,
        cfg.upload_batch,
        took.as_secs_f64() * 1e3,
        up.records as f64 / took.as_secs_f64(),
        queued.as_secs_f64()
    );
    let _ = Duration::ZERO;
}
