//! Catalogue import and search figures on a generated 10,000-service feed.
//!
//!     cargo bench --no-default-features --bench catalogue
//!
//! (`--no-default-features` leaves out the Slint window, which the catalogue does not use
//! and which takes long to build with optimisations.) Targets: import ≤ 1 s, search
//! median ≤ 5 ms on the 2-core reference machine.

use std::time::{Duration, Instant};

use mpp_kiosk::catalogue::{default_feed, parse_feed, Feed};
use mpp_kiosk::store::Store;

const SERVICES: usize = 10_000;

/// The embedded catalogue multiplied to `n` services over 10× as many agencies, each copy
/// with its own codes and ticket prefix so the feed stays valid.
fn generated_feed(n: usize) -> Feed {
    let base = default_feed();
    let mut feed = base.clone();
    feed.agencies.clear();
    feed.services.clear();
    let copies = n.div_ceil(base.services.len());
    for copy in 0..copies.min(10) {
        for a in &base.agencies {
            let mut a = a.clone();
            a.code = format!("{}-{copy}", a.code);
            feed.agencies.push(a);
        }
    }
    for i in 0..n {
        let mut s = base.services[i % base.services.len()].clone();
        let copy = i / base.services.len();
        s.code = format!("{}-{copy}", s.code);
        s.agency = format!("{}-{}", s.agency, copy % 10);
        s.ticket_prefix = prefix(i);
        s.name.id = format!("{} {copy}", s.name.id);
        feed.services.push(s);
    }
    feed
}

/// 0 → "AAAA", 1 → "AAAB", … : unique four-letter prefixes.
fn prefix(mut i: usize) -> String {
    let mut p = [b'A'; 4];
    for slot in p.iter_mut().rev() {
        *slot = b'A' + (i % 26) as u8;
        i /= 26;
    }
    String::from_utf8(p.to_vec()).unwrap()
}

fn stats(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let p = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (p(0.0), p(0.5), p(0.95))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let feed = generated_feed(SERVICES);
    let json = serde_json::to_vec(&feed).unwrap();
    println!("feed: {} services, {} agencies, {:.1} MB of JSON", feed.services.len(), feed.agencies.len(), json.len() as f64 / 1e6);

    let mut parse = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let parsed = parse_feed(&json).expect("the generated feed is valid");
        parse.push(t.elapsed());
        assert_eq!(parsed.services.len(), SERVICES);
    }
    let (min, med, _) = stats(parse);
    println!("parse + validate:           median {:8.1} ms   min {:8.1} ms", ms(med), ms(min));

    // MPP_BENCH_KEEP=DIR keeps the database for inspection.
    let dir = tempfile::tempdir().unwrap();
    let dir_path = std::env::var_os("MPP_BENCH_KEEP").map(std::path::PathBuf::from).unwrap_or_else(|| dir.path().to_owned());
    let mut imports = Vec::new();
    let mut store = Store::open(&dir_path.join("bench.sqlite3")).unwrap();
    for round in 0..5u64 {
        let mut f = feed.clone();
        f.version = feed.version + round;
        let t = Instant::now();
        store.import_catalogue(&f, "bench", false).unwrap();
        imports.push(t.elapsed());
    }
    let (min, med, _) = stats(imports);
    println!("import (one transaction):   median {:8.1} ms   min {:8.1} ms   (target ≤ 1000 ms)", ms(med), ms(min));

    let t = Instant::now();
    let loaded = store.load_catalogue().unwrap().unwrap();
    println!("load whole catalogue:              {:8.1} ms", ms(t.elapsed()));
    assert_eq!(loaded.feed.services.len(), SERVICES);

    let queries = ["ktp", "e-ktp", "KTP-el", "paspor", "passport", "skck", "sim c", "akte lahir", "listrik", "kartu keluarga", "bpjs", "pajak kendaraan", "k", "xyzzy"];
    let mut samples = Vec::new();
    for _ in 0..30 {
        for q in queries {
            let t = Instant::now();
            let hits = store.search_services(q, 20).unwrap();
            samples.push(t.elapsed());
            std::hint::black_box(hits);
        }
    }
    let n = samples.len();
    let (min, med, p95) = stats(samples);
    println!("search (limit 20, {n} runs): median {:8.2} ms   min {:8.2} ms   p95 {:8.2} ms   (target median ≤ 5 ms)", ms(med), ms(min), ms(p95));
    for q in ["ktp", "k", "sim c"] {
        let mut per = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            std::hint::black_box(store.search_services(q, 20).unwrap());
            per.push(t.elapsed());
        }
        let (_, med, p95) = stats(per);
        println!("  search {q:<8}               median {:8.2} ms   p95 {:8.2} ms", ms(med), ms(p95));
    }
}
