//! The reception desk in chromium, printing on the emulated network printer (emupos over
//! TCP): a number for a citizen, a booking checked in by its code (once), a slip printed
//! again, a citizen's bookings found by NIK; a clerk cannot open the desk.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::browser::{Driver, add_staff};
use crate::support::{Hub, SITE, ends_with_this_thread, hub_command, sign_in_from};

/// emupos with one TCP printer on loopback; ended with the test.
struct Printer {
    port: u16,
    dir: tempfile::TempDir,
    _child: Child,
}

impl Printer {
    fn start() -> Option<Printer> {
        let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-emu/bin/emupos");
        let bin = std::env::var_os("MPP_EMUPOS").map(PathBuf::from).unwrap_or(bin);
        if !bin.exists() {
            let ci = std::env::var("CI").is_ok_and(|v| v != "false");
            assert!(!ci, "the printer emulator emupos is missing ({}): bash .ci/setup installs it", bin.display());
            eprintln!("SKIPPED the desk's printer test: emupos is missing ({})", bin.display());
            return None;
        }
        let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (port, api) = (free(), free());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("emupos.yaml"),
            format!(
                "schema: 1\napi: {{host: 127.0.0.1, port: {api}}}\ndevices:\n  - id: desk\n    type: printer\n    profile: xprinter-xp80t\n    connections: [{{tcp: {{host: 127.0.0.1, port: {port}}}}}]\n    job_idle_timeout_ms: 800\n    receipts_dir: ./receipts\n"
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("emupos.log")).unwrap();
        let mut command = Command::new(bin);
        command
            .args(["run", "--config", "emupos.yaml"])
            .current_dir(dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null());
        ends_with_this_thread(&mut command);
        let child = command.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "emupos did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Printer { port, dir, _child: child })
    }

    fn receipts(&self) -> Vec<PathBuf> {
        let mut r: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("receipts"))
            .map(|rd| {
                rd.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect()
            })
            .unwrap_or_default();
        r.sort();
        r
    }

    /// The text of the next receipt after `before` receipts.
    fn next_receipt(&self, before: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let r = self.receipts();
            if r.len() > before {
                std::thread::sleep(Duration::from_millis(200));
                return std::fs::read_to_string(&r[before]).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
            }
            assert!(Instant::now() < deadline, "no receipt arrived at the desk's printer");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        let _ = self._child.kill();
        let _ = self._child.wait();
    }
}

/// A booking taken through the public API; its code.
fn book(hub: &Hub, slot: &str, nik: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent
        .post(&hub.url(&format!("/api/v1/sites/{SITE}/bookings")))
        .header("Content-Type", "application/json")
        .send(json!({ "service": "KTP-BARU", "date": "2026-11-30", "slot": slot, "nik": nik }).to_string().as_bytes())
        .unwrap();
    let body = r.body_mut().read_to_string().unwrap();
    assert_eq!(r.status().as_u16(), 201, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["code"].as_str().unwrap().to_owned()
}

#[test]
fn the_desk_gives_and_prints_numbers_checks_bookings_in_once_and_reprints() {
    let Some(printer) = Printer::start() else { return };
    let hub = Hub::start_at_with(
        "2026-11-30T01:05:00Z",
        &format!("public_url = \"http://antrean.example\"\n[desk]\nprinter = \"tcp://127.0.0.1:{}\"", printer.port),
    );
    let out = hub_command(
        &hub.database,
        &["booking", "policy", "--site", SITE, "--service", "KTP-BARU", "--slot-minutes", "15"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = book(&hub, "09:15", "7304010101900001");
    let out = hub_command(&hub.database, &["counter", "per-agency", "--site", SITE]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    add_staff(&hub, "meja1", "desk");
    add_staff(&hub, "petugas1", "counter");

    let driver = Driver::start();
    let b = driver.browser(1280, 900);
    b.goto(&hub.url("/counter"));
    b.type_into("#site", SITE);
    b.type_into("#username", "meja1");
    b.type_into("#password", "kata-sandi-panjang");
    b.click("#sign-in");
    b.until(Duration::from_secs(10), "the desk", |b| b.js("return !!document.querySelector('#issue')") == json!(true));
    assert!(b.text("main").contains("Belum datang") || b.text("main").contains("belum datang"), "today's bookings");

    // A number for a citizen who cannot use the kiosk: shown large, printed at the desk.
    let before = printer.receipts().len();
    b.js("document.querySelector('#service').value = 'KTP-BARU'");
    b.click("#issue");
    b.until(Duration::from_secs(10), "the number", |b| b.text("#issued-number") == "KTB-Z001");
    assert!(b.text(".issued").contains("Struk tercetak"), "{}", b.text(".issued"));
    let slip = printer.next_receipt(before);
    for expected in
        ["KTB-Z001", "Penerbitan KTP-el Baru", "LOKET 1", "Fotokopi Kartu Keluarga (KK)", "Berlaku hari ini saja"]
    {
        assert!(slip.contains(expected), "{expected:?} missing from the desk's slip: {slip}");
    }
    assert_eq!(hub.sql("SELECT kiosk || ' ' || call_state FROM ticket WHERE number = 'KTB-Z001'"), "26 waiting");
    // A reload shows the same number and issues none.
    let here = b.js("return location.href");
    b.goto(here.as_str().unwrap());
    assert_eq!(hub.sql("SELECT count(*) FROM ticket"), "1");

    // The booking by its code: a number that waits at its slot, printed with it.
    let before = printer.receipts().len();
    b.type_into("#code", &code.to_lowercase());
    b.click("#check-in");
    b.until(Duration::from_secs(10), "the booked number", |b| b.text("#issued-number") == "KTB-Z002");
    assert!(b.text(".issued").contains("Booking 09.15\u{2013}09.30 WITA"), "{}", b.text(".issued"));
    assert!(printer.next_receipt(before).contains("BOOKING 09.15-09.30 WITA"));
    assert_eq!(
        hub.sql("SELECT to_char(queue_at AT TIME ZONE 'Asia/Makassar', 'HH24:MI') || ' ' || (booking IS NOT NULL) FROM ticket WHERE number = 'KTB-Z002'"),
        "09:15 true"
    );
    assert_eq!(hub.sql("SELECT state || ' ' || checked_in_by FROM booking"), "checked_in desk meja1");
    // The same code again: refused, with the number it already has.
    b.type_into("#code", &code);
    b.click("#check-in");
    b.until(Duration::from_secs(10), "the refusal", |b| b.text(".message").contains("hanya berlaku sekali"));
    assert!(b.text(".message").contains("KTB-Z002"), "{}", b.text(".message"));
    // The citizen's bookings by NIK.
    b.type_into("#nik", "7304 0101 0190 0001");
    b.click("#find");
    b.until(Duration::from_secs(10), "the NIK's bookings", |b| b.text("table.found").contains("sudah check-in"));
    assert!(!b.text("main").contains("7304010101900001"), "the NIK is never shown whole");

    // A kiosk's failed slip, printed again at the desk.
    let before = printer.receipts().len();
    b.type_into("#number", "ktb-z001");
    b.click("#reprint");
    b.until(Duration::from_secs(10), "the reprint", |b| b.text("#issued-number") == "KTB-Z001");
    assert!(printer.next_receipt(before).contains("CETAK ULANG"));
    if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
        b.screenshot(&Path::new(&dir).join("desk.png"));
    }

    // At the counter: the desk's walk-in (09.05) first, then the booking (its slot 09.15),
    // shown as one.
    let clerk = driver.browser(1280, 800);
    crate::browser::sign_in(&clerk, &hub, "petugas1", "1");
    clerk.click("#call-next");
    clerk.until(Duration::from_secs(10), "the walk-in called", |b| b.text("#current-number") == "KTB-Z001");
    clerk.click("#finish");
    clerk.until(Duration::from_secs(10), "the counter free", |b| b.text("#current-number") == "\u{2014}");
    clerk.click("#call-next");
    clerk.until(Duration::from_secs(10), "the booking called", |b| b.text("#current-number") == "KTB-Z002");
    assert!(
        clerk.text("#current-priority").contains("Booking 09.15\u{2013}09.30"),
        "{}",
        clerk.text("#current-priority")
    );

    // A clerk is not the desk; the desk sees no report.
    let (_, _, clerk) = sign_in_from(&hub, "127.0.0.3", "petugas1", "kata-sandi-panjang");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let get =
        |path: &str, cookie: &str| agent.get(&hub.url(path)).header("Cookie", cookie).call().unwrap().status().as_u16();
    assert_eq!(get("/desk", clerk.as_deref().unwrap()), 403);
    let (_, _, desk) = sign_in_from(&hub, "127.0.0.4", "meja1", "kata-sandi-panjang");
    assert_eq!(get("/report", desk.as_deref().unwrap()), 403);
    assert_eq!(get("/counter", desk.as_deref().unwrap()), 303, "the desk works at its own page");
}
