//! The ticket ledger: numbering per local day, two kiosks, the rules, and crashes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use mpp_kiosk::catalogue::{default_feed, Catalogue, Feed};
use mpp_kiosk::hours::{DayHours, WeeklyHours};
use mpp_kiosk::store::{IssueError, Store};
use mpp_kiosk::tickets::{Priority, Refusal, Status};

use crate::support::Kiosk;

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// The default catalogue with every day open around the clock and no cut-off, so that the
/// local midnight (16:00 UTC) can be crossed while issuing.
fn always_open() -> Feed {
    let mut feed = default_feed();
    let day = || Some(DayHours { open: "00:00".parse().unwrap(), close: "23:59".parse().unwrap(), breaks: vec![] });
    feed.site.hours = WeeklyHours { mon: day(), tue: day(), wed: day(), thu: day(), fri: day(), sat: day(), sun: day() };
    feed.site.cutoff_minutes = 0;
    feed.site.holidays.clear();
    feed
}

fn store_with(feed: &Feed, db: &std::path::Path) -> (Store, Catalogue) {
    let mut store = Store::open(db).unwrap();
    store.import_catalogue(feed, "test", true).unwrap();
    let catalogue = store.load_catalogue().unwrap().unwrap();
    (store, catalogue)
}

#[test]
fn numbers_restart_at_local_midnight_which_is_1600_utc() {
    let k = Kiosk::new();
    let (mut store, cat) = store_with(&always_open(), &k.db());
    let issue = |store: &mut Store, at: &str| store.issue_ticket(&cat, "KTP-BARU", None, 1, ts(at)).unwrap();
    let a = issue(&mut store, "2026-11-30T15:58:00Z");
    // 23:59 WITA is the latest time a day can be open (closing is at most 23:59).
    let b = issue(&mut store, "2026-11-30T15:58:59Z");
    let local = |at: &str| mpp_kiosk::store::local_time(&cat, ts(at)).unwrap().date().to_string();
    assert_eq!(local("2026-11-30T15:59:59.999Z"), "2026-11-30");
    assert_eq!(local("2026-11-30T16:00:00Z"), "2026-12-01");
    let c = issue(&mut store, "2026-11-30T16:00:00Z");
    let d = issue(&mut store, "2026-11-30T16:00:01Z");
    assert_eq!((a.number.as_str(), a.local_date.to_string().as_str()), ("KTB-A001", "2026-11-30"));
    assert_eq!((b.number.as_str(), b.local_date.to_string().as_str()), ("KTB-A002", "2026-11-30"));
    assert_eq!((c.number.as_str(), c.local_date.to_string().as_str()), ("KTB-A001", "2026-12-01"));
    assert_eq!(d.number, "KTB-A002");
    assert_eq!(c.issued_at_local, "2026-12-01T00:00:00+08:00[Asia/Makassar]");
    assert_eq!(b.people_ahead, 1);
    assert_eq!(c.people_ahead, 0, "yesterday's tickets are not ahead of anyone");
    assert_eq!(store.tickets_on("2026-11-30".parse().unwrap()).unwrap().len(), 2);
}

#[test]
fn priority_tickets_are_marked_and_count_on_their_own() {
    let k = Kiosk::new();
    let (mut store, cat) = store_with(&always_open(), &k.db());
    let at = ts("2026-11-30T02:00:00Z");
    let r1 = store.issue_ticket(&cat, "SKCK-BARU", None, 1, at).unwrap();
    let p1 = store.issue_ticket(&cat, "SKCK-BARU", Some(Priority::Elderly), 1, at).unwrap();
    let p2 = store.issue_ticket(&cat, "SKCK-BARU", Some(Priority::Pregnant), 1, at).unwrap();
    let r2 = store.issue_ticket(&cat, "SKCK-BARU", None, 1, at).unwrap();
    assert_eq!([r1.number, p1.number, p2.number, r2.number], ["SKB-A001", "SKB-PA001", "SKB-PA002", "SKB-A002"]);
    assert_eq!(p2.priority, Some(Priority::Pregnant));
    assert_eq!((p2.people_ahead, r2.people_ahead), (1, 1));
}

#[test]
fn two_kiosks_issuing_at_once_never_share_a_number() {
    let k = Kiosk::new();
    let feed = always_open();
    let at = ts("2026-11-30T01:00:00Z");
    let run = |kiosk: u8, db: std::path::PathBuf, feed: Feed| {
        std::thread::spawn(move || {
            let (mut store, cat) = store_with(&feed, &db);
            let mut numbers = Vec::new();
            for i in 0..150 {
                let service = ["KTP-BARU", "SKCK-BARU", "KK-BARU"][i % 3];
                let priority = (i % 7 == 0).then_some(Priority::Disability);
                numbers.push(store.issue_ticket(&cat, service, priority, kiosk, at).unwrap().number);
            }
            numbers
        })
    };
    let a = run(1, k.path("kiosk1.sqlite3"), feed.clone());
    let b = run(2, k.path("kiosk2.sqlite3"), feed);
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    let all: BTreeSet<&String> = a.iter().chain(&b).collect();
    assert_eq!(all.len(), a.len() + b.len(), "a number was handed out twice");
    assert!(a.contains(&"KTB-A001".to_string()) && b.contains(&"KTB-B001".to_string()));
}

#[test]
fn the_rules_refuse_without_consuming_a_number() {
    let k = Kiosk::new();
    let (mut store, cat) = store_with(&default_feed(), &k.db());
    let refused = |r: Result<_, IssueError>| match r {
        Err(IssueError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    };
    // Saturday; Friday prayer (11:45 WITA = 03:45 UTC); Christmas; after the cut-off (15:45 WITA).
    assert_eq!(refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-12-05T02:00:00Z"))), Refusal::ClosedToday);
    assert!(matches!(refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-12-04T03:45:00Z"))), Refusal::OnBreak { .. }));
    assert!(matches!(refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-12-25T02:00:00Z"))), Refusal::Holiday { .. }));
    assert!(matches!(refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-11-30T07:45:00Z"))), Refusal::ClosedForToday { .. }));
    assert!(store.tickets_on("2026-12-04".parse().unwrap()).unwrap().is_empty());

    // The passport quota of 30; a voided ticket frees its place.
    let at = ts("2026-11-30T01:00:00Z");
    let first = store.issue_ticket(&cat, "PASPOR-BARU", None, 1, at).unwrap();
    for _ in 1..30 {
        store.issue_ticket(&cat, "PASPOR-BARU", None, 1, at).unwrap();
    }
    assert_eq!(refused(store.issue_ticket(&cat, "PASPOR-BARU", None, 1, at)), Refusal::QuotaFull { quota: 30 });
    store.set_ticket_status(&first.id, Status::Voided, at, Some("test")).unwrap();
    let again = store.issue_ticket(&cat, "PASPOR-BARU", None, 1, at).unwrap();
    assert_eq!(again.number, "PSB-A031", "numbers are never reused, even after a void");
}

#[test]
fn status_changes_follow_the_rules_and_are_all_recorded() {
    let k = Kiosk::new();
    let (mut store, cat) = store_with(&always_open(), &k.db());
    let at = ts("2026-11-30T01:00:00Z");
    let t = store.issue_ticket(&cat, "KIA", None, 1, at).unwrap();
    store.set_ticket_status(&t.id, Status::PrintFailed, at, Some("paper out")).unwrap();
    store.set_ticket_status(&t.id, Status::Reprinted, at, None).unwrap();
    assert!(store.set_ticket_status(&t.id, Status::Issued, at, None).is_err());
    store.set_ticket_status(&t.id, Status::Voided, at, None).unwrap();
    assert!(store.set_ticket_status(&t.id, Status::Reprinted, at, None).is_err(), "a voided ticket stays voided");
    let events: Vec<Status> = store.ticket_events(&t.id).unwrap().into_iter().map(|e| e.status).collect();
    assert_eq!(events, [Status::Issued, Status::PrintFailed, Status::Reprinted, Status::Voided]);
}

#[test]
fn the_cli_issues_lists_voids_and_explains_refusals() {
    let k = Kiosk::new();
    let now = |t: &str| {
        let mut c = k.command();
        c.env("MPP_KIOSK_NOW", t);
        c
    };
    let run = |mut c: std::process::Command, args: &[&str]| crate::support::Run(c.args(args).output().unwrap());
    let open = "2026-11-30T01:05:00Z"; // Monday 09:05 WITA
    assert_eq!(run(now(open), &["ticket", "issue", "--service", "ktp-baru"]).ok().trim(), "KTB-A001");
    let j = run(now(open), &["ticket", "issue", "--service", "KTP-BARU", "--priority", "elderly", "--json"]).json();
    assert_eq!((j["number"].as_str(), j["service"].as_str(), j["status"].as_str()), (Some("KTB-PA001"), Some("KTP-BARU"), Some("printed")));
    let list = run(now(open), &["ticket", "list", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["number"], "KTB-A001");
    run(now(open), &["ticket", "void", "KTB-A001"]).ok();
    let r = run(now(open), &["ticket", "void", "KTB-A001"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("is voided; it cannot become voided"), "{}", r.stderr());

    let r = run(now("2026-12-05T02:00:00Z"), &["ticket", "issue", "--service", "KTP-BARU"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("tidak buka hari ini") && r.stderr().contains("closed today"), "{}", r.stderr());
    let r = run(now(open), &["ticket", "issue", "--service", "NOPE"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("unknown service code \"NOPE\""), "{}", r.stderr());
    let r = run(now("yesterday"), &["ticket", "list"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("MPP_KIOSK_NOW"), "{}", r.stderr());
}

/// A tiny deterministic generator: the seed is printed so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

#[test]
fn killing_the_kiosk_mid_issue_loses_and_duplicates_nothing() {
    let k = Kiosk::new();
    k.run(&["catalogue", "list"]).ok(); // create the database first
    let seed = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("crash test seed {seed} (CRASH_SEED={seed} replays it)");
    let mut rng = Lcg(seed);
    let (mut finished, mut killed) = (0, 0);
    for _ in 0..60 {
        let service = ["KTP-BARU", "SKCK-BARU"][rng.next(2) as usize];
        let mut child = k
            .command()
            .env("MPP_KIOSK_NOW", "2026-11-30T01:05:00Z")
            .args(["ticket", "issue", "--service", service])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.next(40_000)));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success());
                finished += 1;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                killed += 1;
            }
        }
    }
    let store = Store::open(&k.db()).unwrap();
    store.check_integrity().unwrap();
    let tickets = store.tickets_on("2026-11-30".parse().unwrap()).unwrap();
    assert!(tickets.len() >= finished && tickets.len() <= finished + killed, "{} tickets, {finished} finished, {killed} killed", tickets.len());
    let mut by_prefix: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut numbers = BTreeSet::new();
    for t in &tickets {
        assert!(numbers.insert(t.number.clone()), "duplicate {}", t.number);
        let n: mpp_kiosk::tickets::TicketNumber = t.number.parse().unwrap();
        by_prefix.entry(n.prefix).or_default().push(n.seq);
        let events = store.ticket_events(&t.id).unwrap();
        assert_eq!(events.first().map(|e| e.status), Some(Status::Issued), "{} has its issue recorded", t.number);
        assert_eq!(events.last().map(|e| e.status), Some(t.status), "{}: status and history agree", t.number);
    }
    for (prefix, seqs) in by_prefix {
        // Allocation and the write are one transaction: a kill before the commit consumes
        // no number, so the numbers have no gaps at all.
        assert_eq!(seqs, (1..=seqs.len() as u32).collect::<Vec<_>>(), "{prefix}: gap-free in issue order");
    }
    eprintln!("{finished} issues finished, {killed} killed, {} tickets recorded", tickets.len());
}
