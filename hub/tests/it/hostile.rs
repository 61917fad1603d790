//! The site server facing the internet, attacked as a stranger would, on loopback: idle
//! and trickling connections, streams without end, guesses sent at once, a frozen
//! database, SIGTERM with displays connected, absurd inputs; and what a kiosk's mistakes
//! must not break (a number given twice, a clock that is off, records that look alike
//! across sites).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use mpp_kiosk::tickets::Status;

use crate::browser::add_staff;
use crate::support::{Hub, KioskLedger, SITE, hub_command, sign_in_from};

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// Monday 30 November 2026, 09.05 WITA.
const MONDAY: &str = "2026-11-30T01:05:00Z";

/// Reads what the server sends on `s` until it closes (or `within` passes): the text,
/// and whether it closed.
fn read_until_closed(s: &mut TcpStream, within: Duration) -> (String, bool) {
    s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let (start, mut got, mut buf) = (Instant::now(), Vec::new(), [0u8; 4096]);
    while start.elapsed() < within {
        match s.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), true),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), false)
}

fn connect(hub: &Hub) -> TcpStream {
    TcpStream::connect(("127.0.0.1", hub.port)).unwrap()
}

/// A connection from `from` (another loopback address: a device of the LAN, not the
/// site's proxy at 127.0.0.1).
fn connect_from(hub: &Hub, from: &str) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&std::net::SocketAddr::new(from.parse().unwrap(), 0).into()).unwrap();
    socket.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], hub.port)).into()).unwrap();
    socket.into()
}

fn event_stream(hub: &Hub) -> TcpStream {
    let mut s = connect(hub);
    write!(s, "GET /api/v1/sites/{SITE}/events?date=2026-11-30 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    s
}

#[test]
fn idle_and_trickling_connections_are_cut_and_capped_and_streams_are_limited() {
    let hub = Hub::start_at_with(
        MONDAY,
        "max_connections = 40\nmax_connections_per_address = 10\nheader_timeout_secs = 1\nmax_event_streams = 4\nmax_event_streams_per_site = 2\n",
    );
    // One device of the LAN gets ten connections; the eleventh is refused, while
    // everyone else is still served.
    let mut device: Vec<TcpStream> = (0..10).map(|_| connect_from(&hub, "127.0.0.2")).collect();
    std::thread::sleep(Duration::from_millis(200));
    let (answer, _) = read_until_closed(&mut connect_from(&hub, "127.0.0.2"), Duration::from_secs(3));
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert_eq!(hub.get("/healthz").0, 200, "others are served");
    for s in device.iter_mut() {
        assert!(read_until_closed(s, Duration::from_secs(5)).1, "an idle connection was left open");
    }
    // Forty connections that never send a byte take every place …
    let mut idle: Vec<TcpStream> = (0..40).map(|_| connect(&hub)).collect();
    std::thread::sleep(Duration::from_millis(200)); // let the server accept them all
    // … and the forty-first is told so at once, plainly.
    let (answer, closed) = read_until_closed(&mut connect(&hub), Duration::from_secs(3));
    assert!(answer.starts_with("HTTP/1.1 503") && answer.contains("terlalu banyak sambungan") && closed, "{answer}");
    // Idle connections are closed after the header timeout, and the server answers again.
    for s in idle.iter_mut() {
        let (_, closed) = read_until_closed(s, Duration::from_secs(5));
        assert!(closed, "an idle connection was left open");
    }
    assert_eq!(hub.get("/healthz").0, 200);
    // A client that trickles its headers is cut off too.
    let mut slow = connect(&hub);
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let (_, closed) = read_until_closed(&mut slow, Duration::from_secs(5));
    assert!(closed, "a connection trickling its headers was left open");

    // Event streams: two for the site, then a plain refusal; a place is given back when
    // a display leaves.
    let (mut a, mut b) = (event_stream(&hub), event_stream(&hub));
    let mut first = [0u8; 64];
    // Both have their places before a third asks (each answered, not merely connected).
    for s in [&mut a, &mut b] {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let n = s.read(&mut first).unwrap();
        assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"), "a stream opens");
    }
    let (refused, _) = read_until_closed(&mut event_stream(&hub), Duration::from_secs(3));
    assert!(refused.starts_with("HTTP/1.1 503") && refused.contains("terlalu banyak layar"), "{refused}");
    drop(b);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut c = event_stream(&hub);
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let n = c.read(&mut first).unwrap_or(0);
        if String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "the place of a display that left was not given back");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sigterm_ends_event_streams_at_once_and_the_server_exits_in_seconds() {
    let mut hub = Hub::start_at(MONDAY);
    let mut displays: Vec<TcpStream> = (0..3).map(|_| event_stream(&hub)).collect();
    for d in displays.iter_mut() {
        d.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 1024];
        assert!(d.read(&mut buf).unwrap() > 0, "each display gets its first state");
    }
    let (took, clean) = hub.terminate();
    assert!(clean, "the server exits cleanly: {}", hub.log());
    assert!(took < Duration::from_secs(6), "the server took {took:?} to stop with displays connected");
    for d in displays.iter_mut() {
        let (_, closed) = read_until_closed(d, Duration::from_secs(2));
        assert!(closed, "a display's stream was left open");
    }
    eprintln!("SIGTERM with three displays connected: exited in {} ms", took.as_millis());
    hub.start_again();
}

#[test]
fn guesses_sent_at_once_lock_the_account_at_that_address_and_say_nothing_of_who_exists() {
    let mut hub = Hub::start_at(MONDAY);
    add_staff(&hub, "petugas", "counter");
    add_staff(&hub, "kepala", "supervisor");
    let right = "kata-sandi-panjang";
    // Thirty wrong passwords at once from one address on the internet.
    let attacker = "203.0.113.7";
    std::thread::scope(|s| {
        let hub = &hub;
        let tries: Vec<_> = (0..30)
            .map(|i| s.spawn(move || sign_in_from(hub, attacker, "petugas", &format!("tebakan-{i:02}"))))
            .collect();
        for t in tries {
            let (status, _, session) = t.join().unwrap();
            assert!(status == 401 || status == 429, "{status}");
            assert!(session.is_none());
        }
    });
    // Locked there, even with the right password; the end in the site's own time.
    let (status, page, session) = sign_in_from(&hub, attacker, "petugas", right);
    assert_eq!((status, session.is_none()), (429, true), "{page}");
    assert!(page.contains("dikunci") && page.contains("09.") && page.contains("WITA"), "{page}");
    // At the counter's PC the clerk still signs in: a stranger cannot lock staff out.
    let (status, _, session) = sign_in_from(&hub, "10.0.0.21", "petugas", right);
    assert_eq!((status, session.is_some()), (303, true));

    // A name that does not exist is locked the same way, with the same words.
    let unknown: Vec<(u16, String)> =
        (0..6).map(|_| sign_in_from(&hub, "198.51.100.1", "siapa", "salah-salah-salah")).map(|r| (r.0, r.1)).collect();
    let known: Vec<(u16, String)> = (0..6)
        .map(|_| sign_in_from(&hub, "198.51.100.2", "petugas", "salah-salah-salah"))
        .map(|r| (r.0, r.1))
        .collect();
    let statuses = |v: &[(u16, String)]| v.iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(statuses(&unknown), [401, 401, 401, 401, 401, 429]);
    assert_eq!(statuses(&known), statuses(&unknown), "an unknown name answers as a known one");
    let message =
        |page: &str| page.split("role=\"alert\">").nth(1).and_then(|m| m.split('<').next()).map(str::to_owned);
    assert_eq!(message(&unknown[5].1), message(&known[5].1), "the same words");

    // Four wrong, then the right one: signed in (the count is per attempt, not a trap).
    for _ in 0..4 {
        assert_eq!(sign_in_from(&hub, "198.51.100.3", "kepala", "salah-salah-salah").0, 401);
    }
    let (status, _, boss) = sign_in_from(&hub, "198.51.100.3", "kepala", right);
    assert_eq!(status, 303);

    // A supervisor lifts a lock from the accounts page.
    let (_, accounts, _) = crate::report::get(&hub, "/accounts", boss.as_deref());
    assert!(accounts.contains("petugas") && accounts.contains("dikunci sampai"), "{accounts}");
    let csrf = {
        let at = accounts.find("name=\"csrf\" value=\"").unwrap() + 19;
        accounts[at..at + 32].to_owned()
    };
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let r = agent
        .post(&hub.url("/accounts"))
        .header("Cookie", boss.as_deref().unwrap())
        .send_form([("csrf", csrf.as_str()), ("username", "petugas"), ("action", "unlock")])
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(sign_in_from(&hub, "198.51.100.2", "petugas", right).0, 303, "lifted");
    // The address that guessed thirty times stays locked for every account (twenty at
    // most from one address), whatever a supervisor lifts …
    assert_eq!(sign_in_from(&hub, attacker, "kepala", right).0, 429);
    // … until the lock's time has passed.
    hub.restart_at("2026-11-30T01:25:00Z");
    assert_eq!(sign_in_from(&hub, attacker, "petugas", right).0, 303, "a lock ends by itself");
}

#[test]
fn a_password_change_and_disabling_end_sessions_and_staff_can_be_signed_out_everywhere() {
    let hub = Hub::start_at(MONDAY);
    add_staff(&hub, "andi", "counter");
    let (_, _, first) = sign_in_from(&hub, "10.0.0.1", "andi", "kata-sandi-panjang");
    let (_, _, second) = sign_in_from(&hub, "10.0.0.2", "andi", "kata-sandi-panjang");
    let works =
        |cookie: &Option<String>| crate::report::get(&hub, "/counter", cookie.as_deref()).1.contains("Pilih loket");
    assert!(works(&first) && works(&second));
    // Signed out everywhere.
    let out = hub_command(&hub.database, &["staff", "sign-out", "--site", SITE, "--username", "andi"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 session(s) ended"), "{out:?}");
    assert!(!works(&first) && !works(&second));
    // A new password ends the sessions of the old one.
    let (_, _, third) = sign_in_from(&hub, "10.0.0.1", "andi", "kata-sandi-panjang");
    assert!(works(&third));
    add_staff(&hub, "andi", "counter"); // reset (the same words: a reset all the same)
    assert!(!works(&third), "a session outlived a password reset");
    // Disabled: no session works and no sign-in; enabled again: it does.
    let (_, _, fourth) = sign_in_from(&hub, "10.0.0.1", "andi", "kata-sandi-panjang");
    assert!(hub_command(&hub.database, &["staff", "disable", "--site", SITE, "--username", "andi"]).status.success());
    assert!(!works(&fourth));
    assert_eq!(sign_in_from(&hub, "10.0.0.1", "andi", "kata-sandi-panjang").0, 401);
    assert!(hub_command(&hub.database, &["staff", "enable", "--site", SITE, "--username", "andi"]).status.success());
    assert_eq!(sign_in_from(&hub, "10.0.0.1", "andi", "kata-sandi-panjang").0, 303);
}

/// Every PostgreSQL process of a cluster stopped (SIGSTOP), as a frozen machine would be,
/// and started again when dropped, whatever happens in between.
struct Frozen(Vec<i32>);

impl Frozen {
    fn cluster(postmaster: u32) -> Frozen {
        let out = std::process::Command::new("pgrep").args(["-P", &postmaster.to_string()]).output().unwrap();
        let mut pids: Vec<i32> = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.parse().ok()).collect();
        pids.push(postmaster as i32);
        for p in &pids {
            // SAFETY: stopping processes this test started.
            unsafe { libc::kill(*p, libc::SIGSTOP) };
        }
        Frozen(pids)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        for p in &self.0 {
            // SAFETY: as above.
            unsafe { libc::kill(*p, libc::SIGCONT) };
        }
    }
}

#[test]
fn a_frozen_database_is_answered_in_seconds_not_waited_on() {
    let dir = tempfile::Builder::new().prefix(&format!("mpp-hub-pg-{}-", std::process::id())).tempdir().unwrap();
    let port = 41000 + (std::process::id() % 20000) as u16;
    let cluster = mpp_hub::db::local_cluster::LocalCluster::start(dir.path(), port).unwrap();
    cluster.create_database("frozen").unwrap();
    let hub = Hub::start_on(cluster.url("frozen"));
    add_staff(&hub, "andi", "counter");
    let (_, _, session) = sign_in_from(&hub, "10.0.0.1", "andi", "kata-sandi-panjang");
    assert_eq!(hub.get("/healthz").0, 200);

    let frozen = Frozen::cluster(cluster.server.id());
    // The server's watch notices within a couple of seconds; /healthz answers at once.
    let started = Instant::now();
    loop {
        let asked = Instant::now();
        let (status, _) = hub.get("/healthz");
        assert!(asked.elapsed() < Duration::from_secs(3), "/healthz took {:?}", asked.elapsed());
        if status == 503 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "/healthz kept saying ok with the database frozen");
    }
    eprintln!("frozen database noticed in {} ms", started.elapsed().as_millis());
    // The API answers 503 quickly, with words for people and nothing of PostgreSQL's.
    let asked = Instant::now();
    let (status, body) = hub.get(&format!("/api/v1/sites/{SITE}/queue?date=2026-11-30"));
    assert_eq!(status, 503, "{body} {}", hub.log());
    assert!(asked.elapsed() < Duration::from_secs(3), "took {:?}", asked.elapsed());
    assert!(
        body.contains("Basis data tidak tersedia") && !body.contains("PostgreSQL") && !body.contains("ERROR"),
        "{body}"
    );
    // Signed-in staff are told the database is unavailable, not shown the sign-in form.
    let (status, page, _) = crate::report::get(&hub, "/counter", session.as_deref());
    assert_eq!(status, 503);
    assert!(page.contains("Basis data tidak tersedia") && !page.contains("id=\"password\""), "{page}");
    // A kiosk's upload is refused with the same words; its outbox keeps the records.
    let mut k = KioskLedger::new();
    let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, ts(MONDAY)).unwrap();
    k.store.set_ticket_status(&t.id, Status::Printed, ts(MONDAY), None).unwrap();
    let cfg = k.sync_config(&hub, &hub.token);
    assert!(mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts(MONDAY)).is_err());
    drop(frozen);
    // Thawed: the server answers again by itself, and the kiosk's records arrive once.
    let deadline = Instant::now() + Duration::from_secs(15);
    while hub.get("/healthz").0 != 200 {
        assert!(Instant::now() < deadline, "the server did not come back: {}", hub.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts(MONDAY)).unwrap();
    assert_eq!(hub.counts(), "3 1 0", "issued, its status record, printed: each once");
    drop(hub);
    drop(cluster);
}

#[test]
fn absurd_inputs_are_refused_before_any_work() {
    let hub = Hub::start_at(MONDAY);
    // A number tens of thousands of digits long is no queue number.
    let asked = Instant::now();
    let (status, body) = hub.get(&format!("/api/v1/voice/call.wav?number={}&counter=3", "9".repeat(8000)));
    assert_eq!(status, 400, "{body}");
    assert!(body.len() < 300 && asked.elapsed() < Duration::from_secs(2), "{} bytes", body.len());
    assert_eq!(hub.get("/api/v1/voice/call.wav?number=KTB-A007&counter=100000").0, 400);
    // A body over the limit is refused from its announced length, before it is read, on
    // every route; an upload's credential is checked before its body.
    for path in ["/counter/sign-in", "/api/v1/counter/action", "/api/v1/health"] {
        let mut s = connect(&hub);
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        )
        .unwrap();
        let (answer, _) = read_until_closed(&mut s, Duration::from_secs(3));
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
    }
    let mut s = connect(&hub);
    write!(
        s,
        "POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Length: 4000000\r\n\r\n"
    )
    .unwrap();
    let started = Instant::now();
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(3));
    assert!(answer.starts_with("HTTP/1.1 401"), "refused by its credential, not after 4 MB: {answer}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Days no site has tickets on, and sites that do not exist.
    assert_eq!(hub.get(&format!("/api/v1/sites/{SITE}/queue?date=9999-12-31")).0, 400);
    assert_eq!(hub.get(&format!("/api/v1/sites/{SITE}/queue?date=-9999-01-01")).0, 400);
    assert_eq!(hub.get(&format!("/api/v1/sites/{SITE}/tickets/1000-01-01/KTB-A001")).0, 400);
    assert_eq!(hub.get("/api/v1/sites/MPP-ENTAH/queue?date=2026-11-30").0, 404);
    // Every page carries its security headers.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let r = agent.get(&hub.url("/counter")).call().unwrap();
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(!header("content-security-policy").contains("unsafe-inline"), "no inline script");
    assert_eq!(
        (header("referrer-policy").as_str(), header("x-content-type-options").as_str()),
        ("same-origin", "nosniff")
    );
    // A sign-in without the form's login token is refused (login CSRF).
    let r = agent
        .post(&hub.url("/counter/sign-in"))
        .send_form([("site", SITE), ("username", "x1"), ("password", "kata-sandi-panjang")])
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[test]
fn behind_https_the_session_cookie_is_secure() {
    let hub = Hub::start_at_with(MONDAY, "public_url = \"https://antrean.mpp-jeneponto.go.id\"\n");
    add_staff(&hub, "andi", "counter");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let (cookie, token) = crate::support::login_form(&hub);
    let r = agent
        .post(&hub.url("/counter/sign-in"))
        .header("Cookie", &cookie)
        .send_form([("site", SITE), ("username", "andi"), ("password", "kata-sandi-panjang"), ("login_csrf", &token)])
        .unwrap();
    let set: Vec<&str> = r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect();
    let session = set.iter().find(|c| c.starts_with("mpp_hub_session=")).unwrap();
    assert!(session.contains("; Secure") && session.contains("HttpOnly"), "{session}");
}

#[test]
fn a_number_given_twice_never_jams_a_counter_and_is_shown_to_the_supervisor() {
    let hub = Hub::start_at(MONDAY);
    let out = hub_command(
        &hub.database,
        &["counter", "add", "--site", SITE, "--number", "1", "--name", "Loket 1", "--services", "KTP-BARU"],
    );
    assert!(out.status.success());
    // Kiosk 1 gives KTB-A001 and KTB-A002; then it is re-imaged (a new ledger, the same
    // credential) and, before it could ask the server, gives KTB-A001 again.
    let mut before = KioskLedger::new();
    for minute in ["00:50", "00:55"] {
        let at = ts(&format!("2026-11-30T{minute}:00Z"));
        let t = before.store.issue_ticket(&before.catalogue, "KTP-BARU", None, 1, at).unwrap();
        before.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    }
    let cfg = before.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut before.store, &cfg, SITE, 1, ts(MONDAY)).unwrap();
    let mut after = KioskLedger::new();
    let t = after.store.issue_ticket(&after.catalogue, "KTP-BARU", None, 1, ts("2026-11-30T01:00:00Z")).unwrap();
    assert_eq!(t.number, "KTB-A001");
    after.store.set_ticket_status(&t.id, Status::Printed, ts("2026-11-30T01:00:00Z"), None).unwrap();
    let cfg2 = after.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut after.store, &cfg2, SITE, 1, ts(MONDAY)).unwrap();
    assert_eq!(hub.sql("SELECT count(*) FROM ticket WHERE number = 'KTB-A001'"), "2", "both kept");

    // The clerk serves both KTB-A001s, one after the other, by the page's own actions.
    add_staff(&hub, "andi", "counter");
    let (_, _, cookie) = sign_in_from(&hub, "10.0.0.1", "andi", "kata-sandi-panjang");
    let cookie = cookie.unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let (_, page) = {
        let mut r = agent.get(&hub.url("/counter")).header("Cookie", &cookie).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    let csrf = {
        let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
        page[at..at + 32].to_owned()
    };
    let r = agent
        .post(&hub.url("/counter/choose"))
        .header("Cookie", &cookie)
        .send_form([("csrf", csrf.as_str()), ("counter", "1")])
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let act = |body: &str| {
        let mut r = agent
            .post(&hub.url("/api/v1/counter/action"))
            .header("Cookie", &cookie)
            .header("X-CSRF-Token", &csrf)
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    };
    // In the order they were taken: KTB-A001, KTB-A002, then the second KTB-A001.
    for number in ["KTB-A001", "KTB-A002", "KTB-A001"] {
        assert_eq!(
            act(r#"{"action":"call_next"}"#),
            (200, format!(r#"{{"message":"{number} dipanggil ke Loket 1."}}"#))
        );
        for action in ["start", "finish"] {
            let (status, body) = act(&format!(r#"{{"action":"{action}","number":"{number}"}}"#));
            assert_eq!(status, 200, "{number} {action}: {body}");
        }
    }
    assert_eq!(act(r#"{"action":"call_next"}"#), (200, r#"{"message":"Tidak ada yang menunggu."}"#.to_owned()));
    // The supervisor sees that kiosk 1 gave a number twice.
    add_staff(&hub, "kepala", "supervisor");
    let (_, fleet, _) = crate::report::get(&hub, "/fleet", crate::report::session(&hub, "kepala").as_str().into());
    assert!(fleet.contains("1 nomor hari ini diberikan dua kali"), "{fleet}");
}

#[test]
fn a_replaced_ledger_continues_the_days_numbering() {
    let hub = Hub::start_at(MONDAY);
    let mut before = KioskLedger::new();
    for i in 0..3 {
        let at = ts(&format!("2026-11-30T00:5{i}:00Z"));
        let t = before.store.issue_ticket(&before.catalogue, "KTP-BARU", None, 1, at).unwrap();
        before.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    }
    let t = before
        .store
        .issue_ticket(
            &before.catalogue,
            "KTP-BARU",
            Some(mpp_kiosk::tickets::Priority::Elderly),
            1,
            ts("2026-11-30T00:56:00Z"),
        )
        .unwrap();
    assert_eq!(t.number, "KTB-PA001");
    let cfg = before.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut before.store, &cfg, SITE, 1, ts(MONDAY)).unwrap();
    // The kiosk is re-imaged: its first sync round asks where today's numbering stands.
    let mut after = KioskLedger::new();
    let cfg = after.sync_config(&hub, &hub.token);
    let round = mpp_kiosk::sync::round(&mut after.store, &cfg, SITE, 1, ts(MONDAY));
    assert!(round.uploaded.is_ok(), "{:?}", round.uploaded);
    let next = after.store.issue_ticket(&after.catalogue, "KTP-BARU", None, 1, ts("2026-11-30T01:06:00Z")).unwrap();
    let priority = after
        .store
        .issue_ticket(
            &after.catalogue,
            "KTP-BARU",
            Some(mpp_kiosk::tickets::Priority::Pregnant),
            1,
            ts("2026-11-30T01:07:00Z"),
        )
        .unwrap();
    let other = after.store.issue_ticket(&after.catalogue, "KK-BARU", None, 1, ts("2026-11-30T01:08:00Z")).unwrap();
    assert_eq!(
        (next.number.as_str(), priority.number.as_str(), other.number.as_str()),
        ("KTB-A004", "KTB-PA002", "KKB-A001")
    );
}

#[test]
fn records_are_kept_once_per_site_and_kiosk_and_a_kiosk_changes_only_its_own() {
    let hub = Hub::start_at(MONDAY);
    crate::fleet::add_other_site(&hub, "MPP-LAIN");
    let other_site = String::from_utf8(
        hub_command(&hub.database, &["kiosk", "enroll", "--site", "MPP-LAIN", "--number", "1"]).stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let second =
        String::from_utf8(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"]).stdout)
            .unwrap()
            .trim()
            .to_owned();
    let mut k = KioskLedger::new();
    let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, ts(MONDAY)).unwrap();
    k.store.set_ticket_status(&t.id, Status::Printed, ts(MONDAY), None).unwrap();
    let rows = k.store.outbox_pending(mpp_kiosk::store::OutboxPart::Queue, 500).unwrap();
    let body = mpp_kiosk::sync::upload::batch_body(SITE, 1, &rows, ts(MONDAY)).unwrap();
    // Another site's kiosk sends records with the same event ids first (copied, say):
    // they are its own, and do not make the real ones look like duplicates.
    let mut copy: serde_json::Value = serde_json::from_slice(&body).unwrap();
    copy["site"] = "MPP-LAIN".into();
    for r in copy["records"].as_array_mut().unwrap() {
        if r["kind"] == "ticket" {
            r["data"]["id"] = "0f8fad5b-d9cb-469f-a165-70867728950e".into();
        } else {
            r["data"]["ticket_id"] = "0f8fad5b-d9cb-469f-a165-70867728950e".into();
        }
    }
    assert_eq!(hub.post(&serde_json::to_vec(&copy).unwrap(), Some(&other_site)).0, 200);
    let (status, answer) = hub.post(&body, Some(&hub.token));
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        (answer["stored"].as_u64(), answer["duplicates"].as_u64()),
        (Some(rows.len() as u64), Some(0)),
        "{answer}"
    );
    assert_eq!(hub.sql(&format!("SELECT status FROM ticket WHERE id = '{}'", t.id)), "printed");
    // Kiosk 2 tries to void kiosk 1's ticket: nothing changes.
    let mut void: serde_json::Value = serde_json::from_slice(&body).unwrap();
    void["kiosk"] = 2.into();
    let status_record =
        void["records"].as_array().unwrap().iter().find(|r| r["kind"] == "ticket_status").unwrap().clone();
    let mut status_record = status_record;
    status_record["event_id"] = "aaaaaaaa-d9cb-469f-a165-70867728950e".into();
    status_record["data"]["status"] = "voided".into();
    void["records"] = serde_json::json!([status_record.clone()]);
    assert_eq!(hub.post(&serde_json::to_vec(&void).unwrap(), Some(&second)).0, 200);
    assert_eq!(
        hub.sql(&format!("SELECT status FROM ticket WHERE id = '{}'", t.id)),
        "printed",
        "another kiosk's ticket"
    );
    // A status from the far future is taken as now: a later change still applies.
    let mut future = serde_json::from_slice::<serde_json::Value>(&body).unwrap();
    status_record["event_id"] = "bbbbbbbb-d9cb-469f-a165-70867728950e".into();
    status_record["data"]["status"] = "reprinted".into();
    status_record["data"]["at_utc"] = "2099-01-01T00:00:00Z".into();
    future["records"] = serde_json::json!([status_record.clone()]);
    assert_eq!(hub.post(&serde_json::to_vec(&future).unwrap(), Some(&hub.token)).0, 200);
    k.store.set_ticket_status(&t.id, Status::Voided, ts("2026-11-30T01:10:00Z"), Some("salah layanan")).unwrap();
    let cfg = k.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts("2026-11-30T01:10:00Z")).unwrap();
    assert_eq!(hub.sql(&format!("SELECT status FROM ticket WHERE id = '{}'", t.id)), "voided", "not frozen by 2099");
}

#[test]
fn the_order_follows_arrival_whatever_the_kiosks_clocks_say() {
    let hub = Hub::start_at(MONDAY);
    let second =
        String::from_utf8(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"]).stdout)
            .unwrap()
            .trim()
            .to_owned();
    // Kiosk 1's clock is right; kiosk 2's runs five minutes slow. A citizen takes a number
    // at kiosk 1, then another at kiosk 2 a few seconds later: by kiosk 2's clock it was
    // at 09.00, before the first.
    let (mut right, mut slow) = (KioskLedger::new(), KioskLedger::new());
    let a = right.store.issue_ticket(&right.catalogue, "KTP-BARU", None, 1, ts(MONDAY)).unwrap();
    let cfg = right.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut right.store, &cfg, SITE, 1, ts(MONDAY)).unwrap();
    let b = slow.store.issue_ticket(&slow.catalogue, "KTP-BARU", None, 2, ts("2026-11-30T01:00:02Z")).unwrap();
    let cfg = slow.sync_config(&hub, &second);
    mpp_kiosk::sync::upload::upload(&mut slow.store, &cfg, SITE, 2, ts("2026-11-30T01:00:02Z")).unwrap();
    let (_, q) = hub.get(&format!("/api/v1/sites/{SITE}/queue?date=2026-11-30"));
    let q: serde_json::Value = serde_json::from_str(&q).unwrap();
    let ktp = q["services"].as_array().unwrap().iter().find(|s| s["service"] == "KTP-BARU").unwrap();
    assert_eq!(ktp["next"], serde_json::json!([a.number, b.number]), "the order they were taken in: {ktp}");
    // The fleet says kiosk 2's clock is off.
    add_staff(&hub, "kepala", "supervisor");
    let (_, fleet, _) = crate::report::get(&hub, "/fleet", crate::report::session(&hub, "kepala").as_str().into());
    assert!(fleet.contains("Jam kiosk terlambat"), "{fleet}");
}

#[test]
fn a_survey_answer_cannot_be_matched_to_the_ticket_before_it() {
    let hub = Hub::start_at(MONDAY);
    let mut k = KioskLedger::new();
    // A morning: a ticket, then a survey answer, ten times over.
    let mut given = Vec::new();
    for i in 0..10 {
        let at = ts(&format!("2026-11-30T01:0{i}:00Z"));
        let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, at).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
        let answers = mpp_domain::survey::ELEMENT_CODES.iter().map(|e| (e.to_string(), 1 + (i % 4) as u8)).collect();
        let r = mpp_kiosk::survey::Response {
            service: "KTP-BARU".into(),
            answers,
            profile: Default::default(),
            comment: Some(format!("jawaban ke-{i}")),
            source: mpp_kiosk::survey::Source::Kiosk,
        };
        k.store.record_survey(&r, "DUKCAPIL", jiff::civil::date(2026, 11, 30)).unwrap();
        given.push(format!("jawaban ke-{i}"));
    }
    // On the kiosk: no survey record in the tickets' outbox (no sequence beside theirs),
    // the survey tables keep no rowid (no order of arrival), nothing finer than the day.
    let db = rusqlite::Connection::open(k.dir.path().join("kiosk.sqlite3")).unwrap();
    let one = |sql: &str| -> String { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT CAST(count(*) AS TEXT) FROM outbox WHERE kind = 'survey'"), "0");
    for table in ["survey_outbox", "survey_response", "survey_answer"] {
        let sql = one(&format!("SELECT sql FROM sqlite_master WHERE name = '{table}'"));
        assert!(sql.contains("WITHOUT ROWID"), "{table}: {sql}");
        assert!(!sql.contains("_utc") && !sql.contains("seq"), "{table} keeps a time or a sequence: {sql}");
    }
    // What the kiosk sends: survey batches in an order that is not the order given.
    let rows = k.store.outbox_pending(mpp_kiosk::store::OutboxPart::Surveys, 500).unwrap();
    let sent: Vec<String> = rows
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.payload).unwrap()["comment"].as_str().unwrap().to_owned())
        .collect();
    assert_ne!(sent, given, "sent in the order they were given");
    let cfg = k.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts(MONDAY)).unwrap();
    assert_eq!(k.store.outbox_stats().unwrap().pending, 0);
    assert_eq!(one("SELECT CAST(count(*) AS TEXT) FROM survey_outbox"), "0", "a delivered record is deleted");
    // At the server: the responses without a kiosk or a time of receipt, and no upload
    // record of theirs beside the tickets'.
    assert_eq!(hub.sql("SELECT count(*) FROM survey_response"), "10");
    assert_eq!(hub.sql("SELECT count(*) FROM upload_record WHERE kind = 'survey'"), "0");
    assert_eq!(
        hub.sql("SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'survey_response'"),
        "agency,answers,comment,id,local_date,profile,service,site,source"
    );
    let stored: Vec<String> = hub
        .sql("SELECT string_agg(comment, '|' ORDER BY ctid) FROM survey_response")
        .split('|')
        .map(str::to_owned)
        .collect();
    assert_ne!(stored, given, "stored in the order they were given");
}

#[test]
fn text_a_kiosk_sends_opens_as_text_in_a_spreadsheet_and_the_schema_keeps_no_clock() {
    let hub = Hub::start_at(MONDAY);
    let mut k = KioskLedger::new();
    let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, ts(MONDAY)).unwrap();
    let rows = k.store.outbox_pending(mpp_kiosk::store::OutboxPart::Queue, 500).unwrap();
    let mut batch: serde_json::Value =
        serde_json::from_slice(&mpp_kiosk::sync::upload::batch_body(SITE, 1, &rows, ts(MONDAY)).unwrap()).unwrap();
    // A tampered kiosk names its agency as a spreadsheet formula.
    let evil = "=HYPERLINK(\"http://x.y/\")";
    for r in batch["records"].as_array_mut().unwrap() {
        if r["kind"] == "ticket" {
            r["data"]["agency"] = evil.into();
        }
    }
    assert_eq!(hub.post(&serde_json::to_vec(&batch).unwrap(), Some(&hub.token)).0, 200);
    assert_eq!(hub.sql(&format!("SELECT agency FROM ticket WHERE id = '{}'", t.id)), evil);
    let csv = String::from_utf8(
        hub_command(&hub.database, &["report", "--site", SITE, "--from", "2026-11-30", "--format", "csv"]).stdout,
    )
    .unwrap();
    assert!(csv.contains("'=HYPERLINK") && !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"), "{csv}");
    // Every time the server keeps is its own clock's, passed in: no column reads
    // PostgreSQL's clock by default.
    assert_eq!(
        hub.sql("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND column_default ~* '(now|current_|clock_|timestamp)'"),
        "0"
    );
}

#[test]
fn the_webhook_follows_no_redirect_and_a_slow_one_holds_up_nothing() {
    use std::io::BufReader;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, mpsc};
    // A receiver that first takes ten seconds to answer, then sends the alert elsewhere
    // twice (302), then takes it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, heard) = mpsc::channel::<(usize, serde_json::Value)>();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let body =
                crate::support::request_body(&mut BufReader::new(stream.try_clone().unwrap())).unwrap_or_default();
            let n = c.fetch_add(1, Ordering::SeqCst);
            let answer: &[u8] = match n {
                0 => {
                    std::thread::sleep(Duration::from_secs(10));
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                }
                1 | 2 => b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                _ => b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            };
            let _ = stream.write_all(answer);
            if let Ok(v) = serde_json::from_slice(&body)
                && tx.send((n, v)).is_err()
            {
                return;
            }
        }
    });
    let hub = Hub::start_at_with(
        MONDAY,
        &format!("[alerts]\nwebhook_url = \"http://127.0.0.1:{port}/hook\"\ncheck_secs = 1\nsilent_after_min = 15\n"),
    );
    // Kiosk 1 has never been heard from: an alert, whose delivery hangs ten seconds.
    let first = heard.recv_timeout(Duration::from_secs(20)).expect("a first delivery");
    assert_eq!((first.1["kind"].as_str(), first.1["kiosk"].as_i64()), (Some("never_seen"), Some(1)));
    // Meanwhile the fleet's watch goes on: a kiosk enrolled now is an alert within seconds.
    assert!(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"]).status.success());
    let enrolled = Instant::now();
    while hub.sql("SELECT count(*) FROM fleet_alert WHERE kiosk = 2") != "1" {
        assert!(enrolled.elapsed() < Duration::from_secs(5), "the watch waited on the webhook");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The first message is tried again after each failure and each redirect (not
    // followed), then taken; every message reaches the receiver in order, each taken once.
    let mut taken = Vec::new();
    while let Ok((n, v)) = heard.recv_timeout(Duration::from_secs(30)) {
        if n >= 3 {
            taken.push((v["kiosk"].as_i64().unwrap(), v["kind"].as_str().unwrap().to_owned()));
        } else {
            assert_eq!(v["kiosk"].as_i64(), Some(1), "a message before the first was taken: {v}");
        }
        if taken.len() == 2 {
            break;
        }
    }
    assert_eq!(taken, [(1, "never_seen".to_owned()), (2, "never_seen".to_owned())]);
    assert!(heard.recv_timeout(Duration::from_secs(4)).is_err(), "a message taken was sent again");
    assert_eq!(count.load(Ordering::SeqCst), 5, "one slow failure, two redirects, then each message once");
}
