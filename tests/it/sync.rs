//! Catalogue sync and ticket upload against a real HTTP server on loopback, with feeds
//! signed by the real `minisign` tool (Debian package `minisign`; `.ci/setup` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::emulator::missing;
use crate::http::{Route, Server};
use crate::support::{Kiosk, Run};

const NOW: &str = "2026-11-30T01:05:00Z";

pub(crate) struct Keys {
    pub(crate) public: String,
    secret: PathBuf,
}

pub(crate) fn minisign_available() -> Option<()> {
    match Command::new("minisign").arg("-v").output() {
        Ok(_) => Some(()),
        Err(_) => missing("minisign (Debian package minisign)"),
    }
}

pub(crate) fn keypair(dir: &Path, name: &str) -> Keys {
    let (public, secret) = (dir.join(format!("{name}.pub")), dir.join(format!("{name}.key")));
    let out = Command::new("minisign").args(["-G", "-W", "-p"]).arg(&public).arg("-s").arg(&secret).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&public).unwrap();
    Keys { public: text.lines().nth(1).unwrap().trim().to_owned(), secret }
}

/// Signs `bytes` with the real tool; returns the .minisig text.
pub(crate) fn sign(keys: &Keys, dir: &Path, bytes: &[u8]) -> Vec<u8> {
    let file = dir.join(format!("to-sign-{}", uuid::Uuid::new_v4()));
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("minisign").args(["-S", "-s"]).arg(&keys.secret).arg("-m").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(format!("{}.minisig", file.display())).unwrap()
}

/// The embedded feed with another version (and optional changes).
fn feed(version: u64, change: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_str(include_str!("../../assets/catalogue/jeneponto.json")).unwrap();
    v["version"] = version.into();
    change(&mut v);
    serde_json::to_vec_pretty(&v).unwrap()
}

fn sync_now(k: &Kiosk, cfg: &Path) -> Run {
    let mut c = k.command_with_config(cfg);
    c.env("MPP_KIOSK_NOW", NOW).args(["sync", "now"]);
    Run(c.output().unwrap())
}

fn export(k: &Kiosk, cfg: &Path) -> String {
    Run(k.command_with_config(cfg).args(["catalogue", "export"]).output().unwrap()).ok()
}

/// The embedded catalogue's version: the feeds below are newer or older than it.
fn base() -> u64 {
    mpp_kiosk::catalogue::default_feed().version
}

#[test]
fn only_signed_newer_valid_feeds_are_taken_and_every_refusal_is_reported() {
    let Some(()) = minisign_available() else { return };
    let k = Kiosk::new();
    let keys = keypair(k.path("").as_path(), "publisher");
    let stranger = keypair(k.path("").as_path(), "stranger");
    let server = Server::start();
    let cfg = k.write(
        "sync.toml",
        &format!(
            "[sync]\nurl = \"{}\"\npublic_key = \"{}\"\ntimeout_secs = 2\nconnect_timeout_secs = 1\nmax_bytes = 1000000\n",
            server.url("/feed.json"),
            keys.public
        ),
    );
    let before = export(&k, &cfg); // first start: the embedded catalogue
    let dir = k.path("");
    let good = feed(base() + 1, |_| {});
    let good_sig = sign(&keys, &dir, &good);

    let serve = |body: Vec<u8>, sig: Option<Vec<u8>>| {
        server.route("/feed.json", Route::Ok { body, etag: format!("\"{}\"", uuid::Uuid::new_v4()) });
        match sig {
            Some(s) => server.route("/feed.json.minisig", Route::Ok { body: s, etag: "\"s\"".into() }),
            None => server.route("/feed.json.minisig", Route::Status(404)),
        }
    };
    let expired = feed(base() + 1, |v| {
        v["generated_at"] = "2026-10-01T00:00:00Z".into();
        v["expires"] = "2026-11-01T00:00:00Z".into();
    });
    let invalid_schema = feed(base() + 1, |v| v["services"][0]["agency"] = "NOWHERE".into());
    let old = feed(base(), |_| {});
    // (what, how the server is set up, what the refusal says)
    type Case<'a> = (&'a str, Box<dyn Fn() + 'a>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "bad signature",
            Box::new(|| serve(good.clone(), Some(sign(&keys, &dir, b"something else")))),
            "does not match the feed",
        ),
        (
            "another key",
            Box::new(|| serve(good.clone(), Some(sign(&stranger, &dir, &good)))),
            "a key this kiosk does not trust",
        ),
        ("missing signature", Box::new(|| serve(good.clone(), None)), "no signature at"),
        ("replay of an older feed", Box::new(|| serve(old.clone(), Some(sign(&keys, &dir, &old)))), "is not newer"),
        ("expired", Box::new(|| serve(expired.clone(), Some(sign(&keys, &dir, &expired)))), "expired at 2026-11-01"),
        ("invalid JSON", Box::new(|| serve(b"{not json".to_vec(), Some(sign(&keys, &dir, b"{not json")))), "not valid"),
        (
            "schema-invalid feed",
            Box::new(|| serve(invalid_schema.clone(), Some(sign(&keys, &dir, &invalid_schema)))),
            "services[0].agency",
        ),
        ("truncated body", Box::new(|| server.route("/feed.json", Route::Truncated(good.clone()))), "reading the body"),
        ("over the size cap", Box::new(|| serve(vec![b' '; 1_500_000], None)), "larger than the 1000000-byte limit"),
        ("stall mid-body", Box::new(|| server.route("/feed.json", Route::Stall(good.clone()))), "timeout"),
        ("404", Box::new(|| server.route("/feed.json", Route::Status(404))), "HTTP 404"),
        ("500", Box::new(|| server.route("/feed.json", Route::Status(500))), "HTTP 500"),
    ];
    for (name, setup, words) in cases {
        setup();
        let t = Instant::now();
        let r = sync_now(&k, &cfg);
        assert_eq!(r.code(), 1, "{name}: {}", r.stderr());
        assert!(r.stderr().contains(words), "{name}: expected {words:?} in: {}", r.stderr());
        assert!(t.elapsed() < Duration::from_secs(15), "{name}: bounded by the timeouts");
        assert_eq!(export(&k, &cfg), before, "{name}: the catalogue is untouched");
        let status = Run(k.command_with_config(&cfg).args(["sync", "status", "--json"]).output().unwrap()).json();
        assert!(
            status["last_error"].as_str().is_some_and(|e| e.contains(words)),
            "{name}: the error is recorded: {status}"
        );
    }

    // TLS failure: https to a server that speaks plain HTTP.
    let tls = k.write(
        "tls.toml",
        &format!(
            "[sync]\nurl = \"https://127.0.0.1:{}/feed.json\"\npublic_key = \"{}\"\ntimeout_secs = 2\n",
            server.port, keys.public
        ),
    );
    let r = sync_now(&k, &tls);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert_eq!(export(&k, &cfg), before, "TLS failure: the catalogue is untouched");

    // After all of them, a good feed is taken; asked again, the server says 304.
    serve(good.clone(), Some(good_sig.clone()));
    let r = sync_now(&k, &cfg);
    assert!(r.ok().contains(&format!("imported version {}", base() + 1)), "{}", r.stdout());
    assert_ne!(export(&k, &cfg), before);
    let r = sync_now(&k, &cfg);
    assert!(r.ok().contains("catalogue: unchanged"), "{}", r.stdout());
    assert_eq!(*server.conditional_hits.lock().unwrap(), 1, "a conditional request (If-None-Match)");
    let status = Run(k.command_with_config(&cfg).args(["sync", "status", "--json"]).output().unwrap()).json();
    assert_eq!(status["catalogue_version"], base() + 1);
    assert!(status["last_error"].is_null() && status["last_success_utc"].is_string(), "{status}");

    // A feed on a USB stick (file://), signed the same way.
    let newer = feed(base() + 2, |_| {});
    std::fs::write(k.path("usb-feed.json"), &newer).unwrap();
    std::fs::write(k.path("usb-feed.json.minisig"), sign(&keys, &dir, &newer)).unwrap();
    let usb = k.write(
        "usb.toml",
        &format!("[sync]\nurl = \"file://{}\"\npublic_key = \"{}\"\n", k.path("usb-feed.json").display(), keys.public),
    );
    assert!(sync_now(&k, &usb).ok().contains(&format!("imported version {}", base() + 2)));
    // Read again unchanged: not a failure on every round.
    let again = sync_now(&k, &usb);
    assert!(again.ok().contains("catalogue: unchanged"), "{}", again.stdout());
    let status = Run(k.command_with_config(&usb).args(["sync", "status", "--json"]).output().unwrap()).json();
    assert!(status["last_error"].is_null(), "{status}");
    // A FIFO where the feed should be would block a read forever: refused at once.
    let fifo = k.path("fifo-feed.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let pipe = k.write(
        "fifo.toml",
        &format!("[sync]\nurl = \"file://{}\"\npublic_key = \"{}\"\ntimeout_secs = 3\n", fifo.display(), keys.public),
    );
    let t = Instant::now();
    let r = sync_now(&k, &pipe);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(r.stderr().contains("not a regular file"), "{}", r.stderr());
    assert!(t.elapsed() < Duration::from_secs(10), "bounded");

    // The publisher's check gives the kiosk's answer.
    let pubfile = k.path("publisher.pub");
    let r = Run(k
        .command()
        .args(["feed", "verify"])
        .arg(k.path("usb-feed.json"))
        .arg("--key")
        .arg(&pubfile)
        .output()
        .unwrap());
    assert!(r.ok().contains("signature good"), "{}", r.stdout());
    let r = Run(k
        .command()
        .args(["feed", "verify"])
        .arg(k.path("usb-feed.json"))
        .args(["--key", &stranger.public])
        .output()
        .unwrap());
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("does not trust"), "{}", r.stderr());
}

#[test]
fn a_config_with_a_feed_url_but_no_key_is_refused() {
    let k = Kiosk::new();
    let cfg = k.write("c.toml", "[sync]\nurl = \"http://example.org/feed.json\"\n");
    let r = Run(k.command_with_config(&cfg).args(["sync", "status"]).output().unwrap());
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("no public_key"), "{}", r.stderr());
    let cfg = k.write("d.toml", "[sync]\nurl = \"ftp://x/feed.json\"\npublic_key = \"RWQ\"\n");
    let r = Run(k.command_with_config(&cfg).args(["sync", "status"]).output().unwrap());
    assert!(r.stderr().contains("use https://, http:// or file:///"), "{}", r.stderr());
}

#[test]
fn the_outbox_survives_a_server_down_for_days_and_a_kiosk_killed_mid_upload() {
    let k = Kiosk::new();
    let server = Server::start();
    let cfg = k.write(
        "up.toml",
        &format!("[sync]\ninsecure_http_upload = true\nupload_url = \"{}\"\nupload_batch = 4\ntimeout_secs = 10\n[printer]\nuri = \"preview:{}\"\n", server.url("/upload"), k.path("slips").display()),
    );
    let issue = |service: &str| {
        let mut c = k.command_with_config(&cfg);
        c.env("MPP_KIOSK_NOW", NOW).args(["ticket", "issue", "--service", service]);
        Run(c.output().unwrap()).ok();
    };
    server.receiver.lock().unwrap().down = true;
    for s in ["KTP-BARU", "KK-BARU", "SKCK-BARU", "KTP-BARU", "AKTA-LAHIR"] {
        issue(s);
    }
    let r = sync_now(&k, &cfg);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("HTTP 503"), "{}", r.stderr());
    let status = Run(k.command_with_config(&cfg).args(["sync", "status", "--json"]).output().unwrap()).json();
    // Each ticket: its record, its "issued" and its "printed" status change.
    assert_eq!(status["outbox"]["pending"], 15, "{status}");
    assert!(status["outbox"]["oldest_pending_utc"].is_string());

    // The server is back, but the kiosk is killed after the first batch was received and
    // before its acknowledgement arrived.
    {
        let mut rx = server.receiver.lock().unwrap();
        rx.down = false;
        rx.hold_next = Some(Duration::from_secs(5));
    }
    let mut c = k.command_with_config(&cfg);
    let mut child = c.env("MPP_KIOSK_NOW", NOW).args(["sync", "now"]).spawn().unwrap();
    let t = Instant::now();
    while server.receiver.lock().unwrap().posts.is_empty() {
        assert!(t.elapsed() < Duration::from_secs(10), "the first batch never arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(server.receiver.lock().unwrap().records.len(), 4, "one batch received");

    let r = sync_now(&k, &cfg);
    assert!(
        r.ok().contains("upload: 15 records in 4 batches"),
        "the unacknowledged batch is sent again: {}",
        r.stdout()
    );
    let rx = server.receiver.lock().unwrap();
    assert_eq!(rx.records.len(), 15, "every record arrives exactly once after deduplication");
    assert_eq!(rx.posts.iter().map(|p| p.1).sum::<usize>(), 19, "4 records were sent twice");
    assert_eq!(rx.posts[0].0, rx.posts[1].0, "the resent batch carries the same Idempotency-Key");
    let kinds: Vec<&str> = rx.records.values().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "ticket").count(), 5);
    assert!(rx.records.values().any(|r| r["data"]["number"] == "KTB-A002"));
    drop(rx);
    let status = Run(k.command_with_config(&cfg).args(["sync", "status", "--json"]).output().unwrap()).json();
    assert_eq!(status["outbox"]["pending"], 0);
    assert_eq!(status["outbox"]["acknowledged"], 15);
}

/// The publisher's whole path: start from the kiosk's catalogue as spreadsheets, change a
/// requirement, build, sign with minisign, and a kiosk reading the USB stick shows it.
#[test]
fn a_publisher_edits_the_spreadsheet_builds_signs_and_the_kiosk_shows_it() {
    let Some(()) = minisign_available() else { return };
    let publisher = Kiosk::new();
    let dir = publisher.path("");
    let keys = keypair(&dir, "publisher");
    Run(publisher.command().args(["feed", "source", "--out"]).arg(publisher.path("src")).output().unwrap()).ok();
    let csv_path = publisher.path("src/services.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(csv.contains("Mengisi formulir F-1.02"));
    std::fs::write(
        &csv_path,
        csv.replacen("Mengisi formulir F-1.02", "Mengisi formulir F-1.02 (tersedia di loket)", 1),
    )
    .unwrap();
    let usb = publisher.path("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let feed_path = usb.join("feed.json");
    let r = Run(publisher
        .command()
        .args(["feed", "build", "--from"])
        .arg(publisher.path("src"))
        .arg("--out")
        .arg(&feed_path)
        .args(["--feed-version", &(base() + 100).to_string()])
        .output()
        .unwrap());
    assert!(r.ok().contains(&format!("version {}", base() + 100)), "{}", r.stdout());
    let out = Command::new("minisign").args(["-S", "-s"]).arg(&keys.secret).arg("-m").arg(&feed_path).output().unwrap();
    assert!(out.status.success());

    let kiosk = Kiosk::new();
    let cfg = kiosk.write(
        "k.toml",
        &format!("[sync]\nurl = \"file://{}\"\npublic_key = \"{}\"\n", feed_path.display(), keys.public),
    );
    assert!(sync_now(&kiosk, &cfg).ok().contains(&format!("imported version {}", base() + 100)));
    let shown = Run(kiosk.command_with_config(&cfg).args(["catalogue", "show", "KTP-BARU"]).output().unwrap()).ok();
    assert!(shown.contains("Mengisi formulir F-1.02 (tersedia di loket)"), "{shown}");

    // A mistake in the spreadsheet is named by file, row and column, and nothing is written.
    std::fs::write(&csv_path, std::fs::read_to_string(&csv_path).unwrap().replacen(",DUKCAPIL,", ",DUKCAPI,", 1))
        .unwrap();
    let r = Run(publisher
        .command()
        .args(["feed", "build", "--from"])
        .arg(publisher.path("src"))
        .arg("--out")
        .arg(publisher.path("bad.json"))
        .output()
        .unwrap());
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("services.csv row 2 (KTP-BARU): agency"), "{}", r.stderr());
    assert!(!publisher.path("bad.json").exists());
}

/// Runs `openssl` with `args` in `dir`; panics with its output when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// An MPP's own server with a certificate from the site's internal CA: with `[sync] ca_file`
/// the kiosk trusts that CA and completes the HTTPS pull; without it the pull is refused
/// as untrusted. A real TLS server on loopback (`openssl s_server`), a real test CA.
#[test]
fn https_with_the_sites_own_ca_completes_a_pull() {
    let Some(()) = minisign_available() else { return };
    if Command::new("openssl").arg("version").output().is_err() {
        crate::support::skip("openssl (Debian package openssl)");
        return;
    }
    let k = Kiosk::new();
    let dir = k.path("tls");
    std::fs::create_dir_all(&dir).unwrap();
    // The site's CA, and the server's certificate for 127.0.0.1 signed by it.
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=MPP Jeneponto internal CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        &dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n").unwrap();
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    // The feed and its signature, served from the folder by the TLS server (-WWW).
    let keys = keypair(&dir, "publisher");
    let body = feed(base() + 5, |_| {});
    std::fs::write(dir.join("feed.json"), &body).unwrap();
    std::fs::write(dir.join("feed.json.minisig"), sign(&keys, &dir, &body)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new("openssl");
    server
        .args(["s_server", "-quiet", "-WWW", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-cert", "server.pem", "-key", "server.key"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut server = crate::emulator::spawn_for_this_process(server);
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(10), "the TLS server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("https://127.0.0.1:{port}/feed.json");
    let config =
        |ca: &str| format!("[sync]\nurl = \"{url}\"\npublic_key = \"{}\"\ntimeout_secs = 10\n{ca}", keys.public);

    // Without the CA: refused as untrusted, the catalogue untouched.
    let plain = k.write("plain.toml", &config(""));
    let r = sync_now(&k, &plain);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(r.stderr().to_lowercase().contains("certificate"), "{}", r.stderr());

    // With the site's CA: the pull completes over TLS and the feed is imported.
    let trusted = k.write("ca.toml", &config(&format!("ca_file = \"{}\"\n", dir.join("ca.pem").display())));
    let r = sync_now(&k, &trusted);
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout(), r.stderr());
    let status = Run(k.command_with_config(&trusted).args(["sync", "status", "--json"]).output().unwrap()).json();
    assert_eq!(status["catalogue_version"], base() + 5, "{status}");

    // A CA file that is not one is named in the error at config load.
    let broken = k.write("broken-ca.pem", "not a certificate");
    let bad = k.write("bad.toml", &config(&format!("ca_file = \"{}\"\n", broken.display())));
    let r = sync_now(&k, &bad);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("broken-ca.pem"), "{}", r.stderr());
    server.kill().ok();
    server.wait().ok();
}

/// A redirect on the upload POST (a captive portal, http→https, a moved endpoint) would be
/// followed as a GET whose 200 page counted as delivery. It is not followed: the outbox
/// keeps every record, and `sync status` says why.
#[test]
fn an_upload_that_is_redirected_keeps_its_records() {
    let k = Kiosk::new();
    let server = Server::start();
    let cfg = k.write(
        "up.toml",
        &format!(
            "[sync]\ninsecure_http_upload = true\nupload_url = \"{}\"\n[printer]\nuri = \"preview:{}\"\n",
            server.url("/upload"),
            k.path("slips").display()
        ),
    );
    // Redirected from the start: the push on issue (before the slip) is refused too.
    server.receiver.lock().unwrap().redirect = Some((301, server.url("/portal")));
    let mut c = k.command_with_config(&cfg);
    Run(c.env("MPP_KIOSK_NOW", NOW).args(["ticket", "issue", "--service", "KTP-BARU"]).output().unwrap()).ok();
    for status in [301, 302, 303, 307, 308] {
        server.receiver.lock().unwrap().redirect = Some((status, server.url("/portal")));
        let r = sync_now(&k, &cfg);
        assert_eq!(r.code(), 1, "HTTP {status}: {}", r.stderr());
        assert!(
            r.stderr().contains(&format!("HTTP {status}")) && r.stderr().contains("not followed"),
            "HTTP {status}: {}",
            r.stderr()
        );
        let status_json = Run(k.command_with_config(&cfg).args(["sync", "status", "--json"]).output().unwrap()).json();
        assert_eq!(status_json["outbox"]["pending"], 3, "HTTP {status}: nothing marked sent: {status_json}");
        assert!(status_json["last_upload_error"].as_str().is_some_and(|e| e.contains("redirected")), "{status_json}");
    }
    assert!(server.receiver.lock().unwrap().records.is_empty());
    server.receiver.lock().unwrap().redirect = None;
    sync_now(&k, &cfg).ok();
    assert_eq!(server.receiver.lock().unwrap().records.len(), 3, "delivered once the server answers the POST itself");
}

/// A server's error page reaches the technician's terminal with its control characters
/// shown, not obeyed: an ESC in it cannot retitle or rewrite the terminal.
#[test]
fn a_servers_error_text_cannot_drive_the_terminal() {
    let k = Kiosk::new();
    let server = Server::start();
    let cfg = k.write(
        "up.toml",
        &format!(
            "[sync]\ninsecure_http_upload = true\nupload_url = \"{}\"\n[printer]\nuri = \"preview:{}\"\n",
            server.url("/upload"),
            k.path("slips").display()
        ),
    );
    let mut c = k.command_with_config(&cfg);
    Run(c.env("MPP_KIOSK_NOW", NOW).args(["ticket", "issue", "--service", "KTP-BARU"]).output().unwrap()).ok();
    {
        let mut rx = server.receiver.lock().unwrap();
        rx.down = true;
        rx.down_body = Some("maintenance \u{1b}]0;pwned\u{7}\u{1b}[2J".into());
    }
    let r = sync_now(&k, &cfg);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    assert!(
        !r.0.stderr.contains(&0x1b) && !r.0.stderr.contains(&0x07),
        "raw control bytes reached the terminal: {:?}",
        r.stderr()
    );
    assert!(r.stderr().contains("maintenance \\u{1b}]0;pwned\\u{7}"), "{}", r.stderr());
    let status = Run(k.command_with_config(&cfg).args(["sync", "status"]).output().unwrap());
    assert!(!status.0.stdout.contains(&0x1b), "sync status shows the raw error: {:?}", status.stdout());
}

/// A catalogue whose feed has expired is kept (better than none) and said to be expired
/// everywhere a person looks: `sync status`, `doctor`, and a notice for citizens.
#[test]
fn an_expired_catalogue_is_kept_and_reported() {
    let k = Kiosk::new();
    let mut v: serde_json::Value = serde_json::from_slice(&feed(base() + 3, |_| {})).unwrap();
    v["generated_at"] = "2026-10-01T00:00:00Z".into();
    v["expires"] = "2026-11-01T00:00:00Z".into();
    let f = mpp_kiosk::catalogue::parse_feed(v.to_string().as_bytes()).unwrap();
    mpp_kiosk::store::Store::open(&k.db())
        .unwrap()
        .import_catalogue(&f, "test", false, jiff::Timestamp::UNIX_EPOCH)
        .unwrap();
    let mut c = k.command();
    let status = Run(c.env("MPP_KIOSK_NOW", NOW).args(["sync", "status", "--json"]).output().unwrap()).json();
    assert_eq!(status["catalogue_expired"], true, "{status}");
    assert_eq!(status["catalogue_expires"], "2026-11-01T00:00:00Z");
    let mut c = k.command();
    let text = Run(c.env("MPP_KIOSK_NOW", NOW).args(["sync", "status"]).output().unwrap()).ok();
    assert!(text.contains("catalogue EXPIRED: at 2026-11-01T00:00:00Z"), "{text}");
    let mut c = k.command();
    let doctor = Run(c.env("MPP_KIOSK_NOW", NOW).args(["doctor"]).output().unwrap()).stdout();
    assert!(
        doctor.lines().any(|l| l.starts_with("WARN") && l.contains("expiry") && l.contains("EXPIRED at 2026-11-01")),
        "{doctor}"
    );
    // Before the expiry, all is well.
    let mut c = k.command();
    let early =
        Run(c.env("MPP_KIOSK_NOW", "2026-10-15T01:00:00Z").args(["sync", "status", "--json"]).output().unwrap()).json();
    assert_eq!(early["catalogue_expired"], false, "{early}");
}

/// Uploads are authenticated per kiosk: the credential from enrollment, in a file only the
/// service can read, goes with every batch; a plain http:// upload URL is refused unless
/// a lab says so; a credential file anyone can read is refused.
#[test]
fn uploads_carry_the_kiosks_credential_and_refuse_plain_http() {
    use std::os::unix::fs::PermissionsExt;
    let k = Kiosk::new();
    let server = Server::start();
    let plain = k.write("plain.toml", &format!("[sync]\nupload_url = \"{}\"\n", server.url("/upload")));
    let r = Run(k.command_with_config(&plain).args(["sync", "status"]).output().unwrap());
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("is plain http") && r.stderr().contains("insecure_http_upload"), "{}", r.stderr());

    let token = k.write("upload-token", "kiosk-1.s3cr3t-credential\n");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let cfg = k.write(
        "up.toml",
        &format!(
            "[sync]\ninsecure_http_upload = true\nupload_url = \"{}\"\nupload_token_file = \"{}\"\n[printer]\nuri = \"preview:{}\"\n",
            server.url("/upload"),
            token.display(),
            k.path("slips").display()
        ),
    );
    let r = Run(k.command_with_config(&cfg).args(["sync", "status"]).output().unwrap());
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("readable by everyone"), "{}", r.stderr());

    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut c = k.command_with_config(&cfg);
    Run(c.env("MPP_KIOSK_NOW", NOW).args(["ticket", "issue", "--service", "KTP-BARU"]).output().unwrap()).ok();
    sync_now(&k, &cfg).ok();
    let rx = server.receiver.lock().unwrap();
    assert!(!rx.auth.is_empty() && rx.auth.iter().all(|a| a == "Bearer kiosk-1.s3cr3t-credential"), "{:?}", rx.auth);
}

/// The support bundle a technician sends: no secret in any of its files (the config, the
/// doctor's and sync status's outputs print URLs), readable by its owner only.
#[test]
fn the_support_bundle_holds_no_secret_and_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let k = Kiosk::new();
    let token = k.write("upload-token", "kiosk-1.s3cr3t-credential\n");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let pin = mpp_kiosk::staff_pin::hash_pin("246813");
    let cfg = k.write(
        "c.toml",
        &format!(
            "[staff]\npin_hash = \"{pin}\"\n[sync]\nurl = \"https://user:pw@mpp.example.go.id/feed.json?token=feedtoken\"\npublic_key = \"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\"\nupload_url = \"https://user:pw@mpp.example.go.id/upload?token=uptoken\"\nupload_token_file = \"{}\"\ntimeout_secs = 1\nconnect_timeout_secs = 1\n",
            token.display()
        ),
    );
    let out = k.path("bundle.tar.gz");
    let r = Run(k.command_with_config(&cfg).args(["support-bundle", "--out"]).arg(&out).output().unwrap());
    r.ok();
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600, "the tarball is private");
    let unpacked = k.path("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    assert!(Command::new("tar").arg("xzf").arg(&out).arg("-C").arg(&unpacked).status().unwrap().success());
    let mut files = vec![unpacked.clone()];
    let mut read = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for secret in ["pw@", "feedtoken", "uptoken", "s3cr3t", pin.as_str()] {
            assert!(!text.contains(secret), "{} holds {secret:?}:\n{text}", p.display());
        }
        read += 1;
    }
    assert!(read >= 5, "the bundle has its files ({read})");
}
