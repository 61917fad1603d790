//! Readers never see a mix of two catalogues, whether they read in another thread or in
//! another process while imports run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mpp_kiosk::catalogue::{Feed, default_feed};
use mpp_kiosk::store::Store;

use crate::support::Kiosk;

/// A catalogue whose every service name carries its version, and whose size depends on
/// the version, so a reader can tell from the rows alone which import they belong to.
fn tagged(version: u64) -> Feed {
    let mut feed = default_feed();
    feed.version = version;
    let keep = if version.is_multiple_of(2) { feed.services.len() } else { 30 };
    feed.services.truncate(keep);
    for s in &mut feed.services {
        s.name.id = format!("{} [v{version}]", s.name.id);
    }
    feed
}

fn expected_len(version: u64) -> usize {
    if version.is_multiple_of(2) { default_feed().services.len() } else { 30 }
}

/// Checks one loaded catalogue; panics on a mix.
fn check(feed: &Feed) {
    let tag = format!("[v{}]", feed.version);
    assert_eq!(
        feed.services.len(),
        expected_len(feed.version),
        "version {} has the wrong number of services",
        feed.version
    );
    for s in &feed.services {
        assert!(
            s.name.id.ends_with(&tag),
            "service {} ({}) read with catalogue version {}",
            s.code,
            s.name.id,
            feed.version
        );
    }
}

#[test]
fn a_reader_thread_never_sees_a_mixed_catalogue() {
    let k = Kiosk::new();
    let db = k.db();
    let mut writer = Store::open(&db).unwrap();
    writer.import_catalogue(&tagged(100), "test", false, jiff::Timestamp::UNIX_EPOCH).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut store = Store::open(&db).unwrap();
            let mut seen = std::collections::BTreeSet::new();
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) || reads < 10 {
                let c = store.load_catalogue().unwrap().expect("a catalogue is always there");
                check(&c.feed);
                seen.insert(c.feed.version);
                reads += 1;
            }
            (reads, seen)
        })
    };
    for v in 101..=140 {
        writer.import_catalogue(&tagged(v), "test", false, jiff::Timestamp::UNIX_EPOCH).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let (reads, seen) = reader.join().expect("the reader saw only whole catalogues");
    assert!(seen.len() > 1, "the reader read during the imports ({reads} reads saw versions {seen:?})");
}

#[test]
fn a_reader_process_never_sees_a_mixed_catalogue() {
    let k = Kiosk::new();
    let db = k.db();
    let mut writer = Store::open(&db).unwrap();
    writer.import_catalogue(&tagged(200), "test", false, jiff::Timestamp::UNIX_EPOCH).unwrap();

    // Another process exports the catalogue again and again while this one imports.
    let stop = Arc::new(AtomicBool::new(false));
    let exporter = {
        let stop = stop.clone();
        let mut command = k.command();
        command.args(["catalogue", "export"]);
        std::thread::spawn(move || {
            let mut exports = Vec::new();
            while !stop.load(Ordering::Relaxed) || exports.len() < 3 {
                let out = command.output().unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                exports.push(out.stdout);
            }
            exports
        })
    };
    let mut v = 201;
    while !exporter.is_finished() && v < 2000 {
        writer.import_catalogue(&tagged(v), "test", false, jiff::Timestamp::UNIX_EPOCH).unwrap();
        v += 1;
        if v > 230 {
            stop.store(true, Ordering::Relaxed);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let exports = exporter.join().unwrap();
    let mut versions = std::collections::BTreeSet::new();
    for bytes in &exports {
        let feed = mpp_kiosk::catalogue::parse_feed(bytes).expect("each export is a valid feed");
        check(&feed);
        versions.insert(feed.version);
    }
    // The reader ran while imports committed: it saw more than one catalogue, each whole.
    assert!(versions.len() >= 2, "the exports never overlapped an import: {versions:?}");
}
