//! The ticket ledger: numbering per local day, two kiosks, the rules, and crashes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use mpp_kiosk::catalogue::{Catalogue, Feed, default_feed};
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
    feed.site.hours =
        WeeklyHours { mon: day(), tue: day(), wed: day(), thu: day(), fri: day(), sat: day(), sun: day() };
    feed.site.cutoff_minutes = 0;
    feed.site.holidays.clear();
    feed
}

fn store_with(feed: &Feed, db: &std::path::Path) -> (Store, Catalogue) {
    let mut store = Store::open(db).unwrap();
    store.import_catalogue(feed, "test", true, jiff::Timestamp::UNIX_EPOCH).unwrap();
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

/// The kiosk and a technician's CLI issue on the same database at the same moment: several
/// processes, one file. Their transactions must serialise in SQLite itself (the printer
/// lock also orders the CLI's prints, so the processes here issue straight through the
/// ledger, without it): every number once, no gaps.
#[test]
fn several_processes_issuing_on_one_database_serialise() {
    let k = Kiosk::new();
    store_with(&always_open(), &k.db());
    let (processes, each) = (6, 25);
    let children: Vec<_> = (0..processes)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "tickets::issuer_process", "--ignored", "--nocapture", "--test-threads", "1"])
                .env("MPP_TEST_ISSUER_DB", k.db())
                .env("MPP_TEST_ISSUER_COUNT", each.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut printed = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "an issuing process failed:\n{}", String::from_utf8_lossy(&out.stdout));
        printed.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.split_once("ISSUED ").map(|(_, n)| n.trim().to_owned())),
        );
    }
    let store = Store::open(&k.db()).unwrap();
    let mut numbers: Vec<String> =
        store.tickets_on("2026-11-30".parse().unwrap()).unwrap().into_iter().map(|t| t.number).collect();
    numbers.sort();
    let expected: Vec<String> = (1..=processes * each).map(|n| format!("KTB-A{n:03}")).collect();
    assert_eq!(numbers, expected, "every number once, gap-free, across {processes} processes");
    printed.sort();
    assert_eq!(printed, expected, "each process was given the numbers it recorded, none twice");
}

/// One issuing process of the test above (run by it; ignored on its own).
#[test]
#[ignore = "a child process of several_processes_issuing_on_one_database_serialise"]
fn issuer_process() {
    let db = std::path::PathBuf::from(std::env::var_os("MPP_TEST_ISSUER_DB").expect("run by the parent test"));
    let n: usize = std::env::var("MPP_TEST_ISSUER_COUNT").unwrap().parse().unwrap();
    let mut store = Store::open(&db).unwrap();
    let cat = store.load_catalogue().unwrap().unwrap();
    for _ in 0..n {
        let t = store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-11-30T01:05:00Z")).unwrap();
        println!("ISSUED {}", t.number);
    }
}

/// A committed ticket survives a power cut only with synchronous=FULL in WAL mode; NORMAL
/// would lose the last commits. Read back from the store the kiosk and the CLI use.
#[test]
fn the_ledger_is_durable_by_its_pragmas() {
    let k = Kiosk::new();
    let store = Store::open(&k.db()).unwrap();
    assert_eq!(store.journal_mode().unwrap(), "wal");
    assert_eq!(store.synchronous().unwrap(), "full");
    // And doctor, what a technician reads, says so.
    drop(store);
    let out = k.run(&["doctor"]).stdout();
    assert!(out.contains("journal wal, synchronous full"), "{out}");
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
    assert_eq!(
        refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-12-05T02:00:00Z"))),
        Refusal::ClosedToday
    );
    assert!(matches!(
        refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-12-04T03:45:00Z"))),
        Refusal::OnBreak { .. }
    ));
    assert!(matches!(
        refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-12-25T02:00:00Z"))),
        Refusal::Holiday { .. }
    ));
    assert!(matches!(
        refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-11-30T07:45:00Z"))),
        Refusal::ClosedForToday { .. }
    ));
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
    assert_eq!(
        (j["number"].as_str(), j["service"].as_str(), j["status"].as_str()),
        (Some("KTB-PA001"), Some("KTP-BARU"), Some("printed"))
    );
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
    // Random kills mostly land outside the short commit window: aim some at it. The
    // process stops at a named point (MPP_KIOSK_PAUSE_AT) and says so; the kill lands
    // there: inside the issuing transaction, and between its commit and the printer.
    let mut aimed = BTreeMap::new();
    for point in ["before-commit", "after-commit"].iter().cycle().take(8) {
        let mut child = k
            .command()
            .env("MPP_KIOSK_NOW", "2026-11-30T01:05:00Z")
            .env("MPP_KIOSK_PAUSE_AT", point)
            .args(["ticket", "issue", "--service", "KTP-BARU"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut err, &mut line).unwrap() > 0 && !line.contains("PAUSED AT") {
            line.clear();
        }
        assert!(line.contains(&format!("PAUSED AT {point}")), "the process never reached {point}: {line}");
        child.kill().unwrap(); // SIGKILL, at the point
        child.wait().unwrap();
        *aimed.entry(*point).or_insert(0) += 1;
        killed += 1;
    }
    let store = Store::open(&k.db()).unwrap();
    store.check_integrity().unwrap();
    let tickets = store.tickets_on("2026-11-30".parse().unwrap()).unwrap();
    // A kill before the commit leaves nothing; after it, the ticket stands.
    let committed_then_killed = aimed["after-commit"];
    assert!(
        tickets.len() >= finished + committed_then_killed && tickets.len() <= finished + killed,
        "{} tickets, {finished} finished, {killed} killed ({aimed:?} aimed)",
        tickets.len()
    );
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
    eprintln!(
        "{finished} issues finished, {killed} killed ({aimed:?} of them aimed), {} tickets recorded",
        tickets.len()
    );

    // The tickets killed after their commit were never confirmed printed. The next print
    // worker (here a technician's reprint) marks every such ticket print_failed, and it
    // can be reprinted: no number stays stuck as "issued".
    drop(store);
    let stuck: Vec<String> = tickets.iter().filter(|t| t.status == Status::Issued).map(|t| t.number.clone()).collect();
    assert!(!stuck.is_empty(), "the kills after the commit leave unconfirmed tickets");
    let mut c = k.command();
    let r = crate::support::Run(
        c.env("MPP_KIOSK_NOW", "2026-11-30T01:06:00Z").args(["ticket", "reprint", &stuck[0]]).output().unwrap(),
    );
    r.ok();
    let store = Store::open(&k.db()).unwrap();
    let after = store.tickets_on("2026-11-30".parse().unwrap()).unwrap();
    assert!(
        after.iter().all(|t| t.status != Status::Issued),
        "no ticket stays issued: {:?}",
        after.iter().map(|t| (&t.number, t.status)).collect::<Vec<_>>()
    );
    let first = after.iter().find(|t| t.number == stuck[0]).unwrap();
    assert_eq!(first.status, Status::Reprinted, "the stuck ticket was reprinted");
    for n in &stuck[1..] {
        assert_eq!(
            after.iter().find(|t| &t.number == n).unwrap().status,
            Status::PrintFailed,
            "{n} shows as a failed print"
        );
    }
}

/// Every record reaches the outbox in the transaction that records it: a ticket, a status
/// change, a void and a survey response. An outbox insert that fails (a trigger injects the
/// failure) must undo the whole change; if the enqueue ran after the commit, the ticket or
/// response would stay recorded with nothing queued to upload.
#[test]
fn the_outbox_row_is_written_in_the_same_transaction_for_every_kind() {
    let k = Kiosk::new();
    let (mut store, cat) = store_with(&always_open(), &k.db());
    let at = ts("2026-11-30T01:05:00Z");
    let ticket = store.issue_ticket(&cat, "KTP-BARU", None, 1, at).unwrap();
    let other = store.issue_ticket(&cat, "KTP-BARU", None, 1, at).unwrap();
    store.set_ticket_status(&other.id, Status::Printed, at, None).unwrap();
    let before = crate::support::dump(&k.db());

    let inject = rusqlite::Connection::open(k.db()).unwrap();
    inject
        .execute_batch(
            "CREATE TRIGGER injected BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END;
             CREATE TRIGGER injected_survey BEFORE INSERT ON survey_outbox
                 BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END;",
        )
        .unwrap();
    let survey = mpp_kiosk::survey::Response {
        service: "KTP-BARU".into(),
        answers: vec![("U1".into(), 4), ("U2".into(), 3)],
        profile: Default::default(),
        comment: None,
        source: mpp_kiosk::survey::Source::Kiosk,
    };
    let failed = [
        ("a ticket", store.issue_ticket(&cat, "KTP-BARU", None, 1, at).map(|_| ()).map_err(|e| e.to_string())),
        (
            "a status change",
            store.set_ticket_status(&ticket.id, Status::Printed, at, None).map(|_| ()).map_err(|e| e.to_string()),
        ),
        (
            "a void",
            store.set_ticket_status(&other.id, Status::Voided, at, Some("test")).map(|_| ()).map_err(|e| e.to_string()),
        ),
        (
            "a survey",
            store
                .record_survey(&survey, "DUKCAPIL", "2026-11-30".parse().unwrap())
                .map(|_| ())
                .map_err(|e| e.to_string()),
        ),
    ];
    for (what, r) in failed {
        let e = r.expect_err(what);
        assert!(e.contains("injected outbox failure"), "{what}: {e}");
    }
    inject.execute_batch("DROP TRIGGER injected; DROP TRIGGER injected_survey;").unwrap();
    crate::support::assert_same(&before, &crate::support::dump(&k.db()), "a failed outbox insert undoes everything");
}

/// Every MPP, in each of Indonesia's three zones: the slip's time and every refusal carry
/// the site's own zone label and local time, not Jeneponto's WITA.
#[test]
fn a_site_in_each_time_zone_prints_its_own_local_time() {
    // 01:05 UTC is 08:05 WIB, 09:05 WITA, 10:05 WIT on Monday 30 November 2026.
    for (zone, label, local) in
        [("Asia/Jakarta", "WIB", "08.05"), ("Asia/Makassar", "WITA", "09.05"), ("Asia/Jayapura", "WIT", "10.05")]
    {
        let k = Kiosk::new();
        let mut feed = crate::support::default_feed_value();
        feed["site"]["time_zone"] = zone.into();
        feed["version"] = (mpp_kiosk::catalogue::default_feed().version + 1).into();
        let path = k.write("feed.json", &feed.to_string());
        k.run(&["catalogue", "import", path.to_str().unwrap()]).ok();
        let slips = k.path("slips");
        let cfg = k.write("p.toml", &format!("[printer]\nuri = \"preview:{}\"\n", slips.display()));
        let mut c = k.command_with_config(&cfg);
        let r = crate::support::Run(
            c.env("MPP_KIOSK_NOW", "2026-11-30T01:05:00Z")
                .args(["ticket", "issue", "--service", "KTP-BARU"])
                .output()
                .unwrap(),
        );
        let number = r.ok().trim().to_owned();
        let slip = std::fs::read_to_string(slips.join(format!("2026-11-30-{number}.txt"))).unwrap();
        assert!(slip.contains(&format!("Pukul {local} {label}")), "{zone}: {slip}");
        assert!(!slip.contains("WITA") || label == "WITA", "{zone}: {slip}");
        // A refusal before opening (07:00 local, whatever the zone) names the zone too.
        let early = match zone {
            "Asia/Jakarta" => "2026-11-30T00:00:00Z",
            "Asia/Makassar" => "2026-11-29T23:00:00Z",
            _ => "2026-11-29T22:00:00Z",
        };
        let mut c = k.command_with_config(&cfg);
        let r = crate::support::Run(
            c.env("MPP_KIOSK_NOW", early).args(["ticket", "issue", "--service", "KTP-BARU"]).output().unwrap(),
        );
        assert_eq!(r.code(), 2, "{zone}: {}", r.stderr());
        assert!(
            r.stderr().contains(&format!("08.00 {label}")) && r.stderr().contains(&format!("08:00 {label}")),
            "{zone}: {}",
            r.stderr()
        );
    }
}

/// A technician's command in a root shell on the kiosk's database works as the kiosk's
/// user: every file it creates (the database, its WAL, the printer lock, slips) belongs to
/// the service, which a root-owned lock file used to lock out of its printer for good.
#[test]
fn a_root_shell_command_leaves_the_kiosks_files_to_the_kiosk() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if !crate::support::as_root("this test checks what a root shell does") {
        return;
    }
    let k = Kiosk::new();
    std::fs::set_permissions(k.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let state = k.path("state");
    std::fs::create_dir(&state).unwrap();
    // nobody:nogroup stands in for the kiosk's service user.
    let (uid, gid) = (65534, 65534);
    std::os::unix::fs::chown(&state, Some(uid), Some(gid)).unwrap();
    let db = state.join("kiosk.sqlite3");
    let cfg = k.write("cfg.toml", &format!("[database]\npath = \"{}\"\n", db.display()));
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mpp-kiosk"));
        c.args(["--config"]).arg(&cfg).args(args).env("MPP_KIOSK_NOW", "2026-11-30T01:05:00Z").env_remove("RUST_LOG");
        crate::support::Run(c.output().unwrap())
    };
    assert_eq!(run(&["ticket", "issue", "--service", "KTP-BARU"]).ok().trim(), "KTB-A001");
    run(&["printer", "test"]).ok();
    run(&["doctor"]);
    let mut files = vec![state.clone()];
    let mut seen = 0;
    while let Some(p) = files.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid()),
            (uid, gid),
            "{} belongs to {}:{}, not the kiosk's user",
            p.display(),
            meta.uid(),
            meta.gid()
        );
        if meta.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
        seen += 1;
    }
    assert!(seen >= 5, "the database, its lock and the slips were created ({seen} files)");
}

#[test]
fn a_booked_place_is_held_from_walk_ins_until_its_window_ends() {
    let k = Kiosk::new();
    let mut feed = always_open();
    feed.services.iter_mut().find(|s| s.code == "KTP-BARU").unwrap().daily_quota = Some(3);
    let (mut store, cat) = store_with(&feed, &k.db());
    let booking = |hash: &str, start: &str| mpp_kiosk::protocol::BookingEntry {
        code_hash: hash.into(),
        service: "KTP-BARU".into(),
        slot_start: start.into(),
        slot_end: "11:00".into(),
        state: "booked".into(),
        early_minutes: 30,
        late_minutes: 15,
    };
    let day = mpp_kiosk::protocol::DayBookings {
        date: "2026-11-30".parse().unwrap(),
        bookings: vec![booking("h-1000", "10:00"), booking("h-1030", "10:30")],
    };
    store.set_day_bookings(&day).unwrap();
    let refused = |r: Result<_, IssueError>| match r {
        Err(IssueError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    };
    // 09.00: a quota of 3, two places held for the bookings: one walk-in.
    let at = ts("2026-11-30T01:00:00Z");
    store.issue_ticket(&cat, "KTP-BARU", None, 1, at).unwrap();
    assert_eq!(refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, at)), Refusal::QuotaFull { quota: 3 });
    // The 10.30 booking checks in; the 10.00 one never comes: after 10.15 its place is a
    // walk-in's again.
    store.issue_booked(&cat, "KTP-BARU", 1, ts("2026-11-30T02:10:00Z"), "h-1030").unwrap();
    assert!(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-11-30T02:14:00Z")).is_err());
    store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-11-30T02:16:00Z")).unwrap();
    assert_eq!(
        refused(store.issue_ticket(&cat, "KTP-BARU", None, 1, ts("2026-11-30T02:17:00Z"))),
        Refusal::QuotaFull { quota: 3 }
    );
}
