//! Catalogue import and search figures on a generated 10,000-service feed.
//!
//!     cargo bench --no-default-features --bench catalogue
//!
//! (`--no-default-features` leaves out the Slint window, which the catalogue does not use
//! and which takes long to build with optimisations.) Targets: import ≤ 1 s, search
//! median ≤ 5 ms on the 2-core reference machine.

use std::time::{Duration, Instant};

mod support;

use mpp_kiosk::catalogue::parse_feed;
use mpp_kiosk::store::Store;
use support::generated_feed;

const SERVICES: usize = 10_000;

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
    println!(
        "feed: {} services, {} agencies, {:.1} MB of JSON",
        feed.services.len(),
        feed.agencies.len(),
        json.len() as f64 / 1e6
    );

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
    let dir_path =
        std::env::var_os("MPP_BENCH_KEEP").map(std::path::PathBuf::from).unwrap_or_else(|| dir.path().to_owned());
    let mut imports = Vec::new();
    let mut store = Store::open(&dir_path.join("bench.sqlite3")).unwrap();
    for round in 0..5u64 {
        let mut f = feed.clone();
        f.version = feed.version + round;
        let t = Instant::now();
        store.import_catalogue(&f, "bench", false, jiff::Timestamp::UNIX_EPOCH).unwrap();
        imports.push(t.elapsed());
    }
    let (min, med, _) = stats(imports);
    println!("import (one transaction):   median {:8.1} ms   min {:8.1} ms   (target ≤ 1000 ms)", ms(med), ms(min));

    let t = Instant::now();
    let loaded = store.load_catalogue().unwrap().unwrap();
    println!("load whole catalogue:              {:8.1} ms", ms(t.elapsed()));
    assert_eq!(loaded.feed.services.len(), SERVICES);

    let queries = [
        "ktp",
        "e-ktp",
        "KTP-el",
        "paspor",
        "passport",
        "skck",
        "sim c",
        "akte lahir",
        "listrik",
        "kartu keluarga",
        "bpjs",
        "pajak kendaraan",
        "k",
        "xyzzy",
    ];
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
    println!(
        "search (limit 20, {n} runs): median {:8.2} ms   min {:8.2} ms   p95 {:8.2} ms   (target median ≤ 5 ms)",
        ms(med),
        ms(min),
        ms(p95)
    );
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
