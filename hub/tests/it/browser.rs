//! In a real browser: Debian's chromium driven through chromedriver (the W3C WebDriver
//! protocol, spoken here over plain HTTP). A clerk signs in, calls next, recalls,
//! transfers and marks done; a display in a second browser shows each call within a
//! second and asks for the right audio; a third browser, another counter, sees its queue
//! change. Both programs are required (`bash .ci/setup` installs them): without them the
//! test fails, it never skips.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use mpp_kiosk::tickets::Status;

use crate::support::{Hub, KioskLedger, SITE, hub_command};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver on a free port, in a process group of its own with every browser it
/// starts. The group is killed when the driver is dropped (whether or not a WebDriver
/// session's DELETE got through), and, if this test binary is killed, by a watcher
/// outside the group that outlives it long enough to do so.
pub(crate) struct Driver {
    child: Child,
    port: u16,
    watcher: Child,
}

impl Driver {
    pub(crate) fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new("chromedriver");
        cmd.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        // SAFETY: setpgid and prctl are async-signal-safe; they run in the child before exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                libc::setpgid(0, 0);
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver: {e} (bash .ci/setup installs chromium and chromium-driver)"));
        let group = child.id();
        let mut watch = Command::new("sh");
        watch
            .arg("-c")
            .arg(format!(
                "while kill -0 {test} 2>/dev/null && kill -0 -{group} 2>/dev/null; do sleep 1; done; kill -KILL -{group} 2>/dev/null",
                test = std::process::id()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe: the watcher leaves this process's session.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut watch, || {
                libc::setsid();
                Ok(())
            });
        }
        let watcher = watch.spawn().expect("sh");
        let driver = Driver { child, port, watcher };
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("http://127.0.0.1:{port}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    /// A headless browser window of `w`×`h` CSS pixels.
    pub(crate) fn browser(&self, w: u32, h: u32) -> Browser {
        let caps = json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": { "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", format!("--window-size={w},{h}"),
            "--autoplay-policy=no-user-gesture-required", "--mute-audio"
        ] } } } });
        let v = post(&format!("http://127.0.0.1:{}/session", self.port), &caps);
        let b = Browser {
            base: format!(
                "http://127.0.0.1:{}/session/{}",
                self.port,
                v["sessionId"].as_str().expect("a WebDriver session")
            ),
        };
        post(
            &format!("{}/goog/cdp/execute", b.base),
            &json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": { "width": w, "height": h, "deviceScaleFactor": 1, "mobile": false } }),
        );
        b
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: signalling the process group this driver made (its pid is the group's id).
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
        let _ = self.watcher.kill();
        let _ = self.watcher.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn post(url: &str, body: &Value) -> Value {
    let mut r = agent().post(url).header("Content-Type", "application/json").send(body.to_string()).unwrap();
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    v["value"].clone()
}

pub(crate) struct Browser {
    base: String,
}

impl Browser {
    pub(crate) fn goto(&self, url: &str) {
        post(&format!("{}/url", self.base), &json!({ "url": url }));
    }

    fn find(&self, css: &str) -> String {
        let v = post(&format!("{}/element", self.base), &json!({ "using": "css selector", "value": css }));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_owned()
    }

    pub(crate) fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        post(&format!("{}/element/{e}/value", self.base), &json!({ "text": text }));
    }

    pub(crate) fn click(&self, css: &str) {
        let e = self.find(css);
        post(&format!("{}/element/{e}/click", self.base), &json!({}));
    }

    /// WebDriver actions (keys as a person types them, to whatever has the focus).
    pub(crate) fn actions(&self, body: &Value) {
        post(&format!("{}/actions", self.base), body);
    }

    pub(crate) fn js(&self, script: &str) -> Value {
        post(&format!("{}/execute/sync", self.base), &json!({ "script": script, "args": [] }))
    }

    pub(crate) fn text(&self, css: &str) -> String {
        self.js(&format!("return document.querySelector({css:?})?.textContent ?? ''"))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until `check` holds (polled every 50 ms), at most `within`; how long it took.
    pub(crate) fn until(&self, within: Duration, what: &str, check: impl Fn(&Browser) -> bool) -> Duration {
        let start = Instant::now();
        while !check(self) {
            if start.elapsed() >= within {
                // What the page showed, for the person reading the failure.
                if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
                    self.screenshot(
                        &std::path::Path::new(&dir)
                            .join(format!("timeout-{}.png", what.replace([' ', '\'', '/'], "-"))),
                    );
                }
                panic!("{what}: not within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        start.elapsed()
    }

    pub(crate) fn screenshot(&self, path: &std::path::Path) {
        let mut r = agent().get(&format!("{}/screenshot", self.base)).call().unwrap();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        use base64::Engine;
        std::fs::write(path, base64::engine::general_purpose::STANDARD.decode(v["value"].as_str().unwrap()).unwrap())
            .unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = agent().delete(&self.base).call();
    }
}

/// Signs `user` in on the counter page (up to the counter choice).
pub(crate) fn sign_in_as(b: &Browser, hub: &Hub, user: &str) {
    b.goto(&hub.url("/counter"));
    b.type_into("#site", SITE);
    b.type_into("#username", user);
    b.type_into("#password", "kata-sandi-panjang");
    b.click("#sign-in");
    b.until(Duration::from_secs(10), "the counter choice", |b| {
        b.js("return !!document.querySelector('#choose')") == json!(true)
    });
}

pub(crate) fn sign_in(b: &Browser, hub: &Hub, user: &str, counter: &str) {
    sign_in_as(b, hub, user);
    b.js(&format!("document.querySelector('#counter').value = '{counter}'"));
    b.click("#choose");
    b.until(Duration::from_secs(10), "the counter page", |b| {
        b.js("return !!document.querySelector('#call-next')") == json!(true)
    });
}

/// A staff account with the password every test uses.
pub(crate) fn add_staff(hub: &Hub, user: &str, role: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpp-hub"))
        .args(["staff", "add", "--site", SITE, "--username", user, "--role", role])
        .env("MPP_HUB_DATABASE_URL", &hub.database)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"kata-sandi-panjang\n").unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_clerk_calls_and_the_display_shows_and_speaks_it() {
    // The server's clock on a Monday morning (09.05 WITA), when the kiosk's tickets are
    // "today"; recalls without a gap so the test need not wait (the gap has its own test).
    let mut hub = Hub::start_at_with("2026-11-30T01:05:00Z", "[calling]\nmax_recalls = 2\nrecall_gap_secs = 0");
    let _ = hub_command(&hub.database, &["counter", "per-agency", "--site", SITE]);
    let out = hub_command(
        &hub.database,
        &["counter", "add", "--site", SITE, "--number", "20", "--name", "Loket 20", "--services", "KK-BARU"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    add_staff(&hub, "petugas1", "counter");
    add_staff(&hub, "petugas2", "counter");
    // Three tickets from the kiosk, 10, 9 and 8 minutes before; and one for its status
    // page on a phone (another service, so the counters' lines below are unchanged).
    let mut k = KioskLedger::new();
    let mut issue = |service: &str, at: &str| {
        let at: jiff::Timestamp = at.parse().unwrap();
        let t = k.store.issue_ticket(&k.catalogue, service, None, 1, at).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
        t
    };
    issue("KTP-BARU", "2026-11-30T00:55:00Z"); // KTB-A001
    issue("KTP-BARU", "2026-11-30T00:56:00Z"); // KTB-A002
    issue("KK-BARU", "2026-11-30T00:57:00Z"); // KKB-A001
    let phone_ticket = issue("SKCK-BARU", "2026-11-30T01:00:00Z"); // SKB-A001
    let cfg = k.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, "2026-11-30T01:00:00Z".parse().unwrap())
        .unwrap()
        .unwrap();

    let driver = Driver::start();
    let display = driver.browser(1920, 1080);
    display.goto(&hub.url(&format!("/display/{SITE}")));
    display.until(Duration::from_secs(10), "the display's tiles", |b| b.text("#tiles").contains("Loket 20"));
    // The waits: nothing measured yet, so counts without an estimate.
    display.until(Duration::from_secs(5), "the waits on the display", |b| b.text("#waits").contains("2 menunggu"));
    assert!(
        display.text("#waits").contains("Penerbitan KTP-el Baru") && !display.text("#waits").contains("menit"),
        "{}",
        display.text("#waits")
    );
    let clerk = driver.browser(1400, 900);
    sign_in(&clerk, &hub, "petugas1", "1");
    let other = driver.browser(1400, 900);
    sign_in(&other, &hub, "petugas2", "20");
    other.until(Duration::from_secs(5), "counter 20's queue", |b| b.text("#waiting-total") == "1 menunggu");

    // Call next: the oldest; the display shows it within a second and asks for its call.
    clerk.click("#call-next");
    clerk.until(Duration::from_secs(5), "the call at the counter", |b| b.text("#current-number") == "KTB-A001");
    let shown =
        display.until(Duration::from_secs(1), "the call on the display", |b| b.text("#now-number") == "KTB-A001");
    assert!(display.text("#now-where").contains("Loket 1"));
    display.until(Duration::from_secs(2), "the call spoken", |b| {
        b.js("return window.mppSpoken").to_string().contains("number=KTB-A001&counter=1")
    });
    eprintln!("call to the display: {} ms", shown.as_millis());

    // Recall (keyboard shortcut R): spoken again.
    clerk.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'r'}))");
    clerk.until(Duration::from_secs(3), "the recall answered", |b| b.text("#message") != "KTB-A001 dipanggil");
    eprintln!("recall: {}", clerk.text("#message"));
    display.until(Duration::from_secs(2), "the recall queued to be spoken", |b| {
        b.js("return window.mppQueued").to_string().matches("KTB-A001@1").count() == 2
    });

    // Transfer to KK-BARU at the front of its line; then counter 20 calls it next.
    clerk.click("#transfer");
    clerk.until(Duration::from_secs(3), "the transfer dialog", |b| {
        b.js("return document.getElementById('transfer-dialog').open") == json!(true)
    });
    clerk.type_into("#transfer-search", "Kartu Keluarga (KK) Baru");
    clerk.until(Duration::from_secs(3), "the service found", |b| {
        b.text("#transfer-choices li:first-child").contains("Penerbitan Kartu Keluarga (KK) Baru")
    });
    clerk.click("#transfer-go");
    clerk.until(Duration::from_secs(5), "the counter free again", |b| b.text("#current-number") == "—");
    // The other counter sees its queue change: the transferred number at the front.
    other.until(Duration::from_secs(2), "counter 20's queue after the transfer", |b| {
        b.text("#waiting-total") == "2 menunggu"
    });
    assert!(other.text("#lines").starts_with("Penerbitan Kartu Keluarga (KK) Baru"), "{}", other.text("#lines"));
    assert!(
        other.text("#lines").contains("2KTB-A001  KKB-A001"),
        "the transferred number first: {}",
        other.text("#lines")
    );
    other.click("#call-next");
    other.until(Duration::from_secs(5), "the transferred number called first", |b| {
        b.text("#current-number") == "KTB-A001"
    });
    display.until(Duration::from_secs(1), "the display's tile for counter 20", |b| {
        b.text("#now-where").contains("Loket 20")
    });

    // Start and done; then the clerk's next call takes KTB-A002.
    other.click("#start");
    other.until(Duration::from_secs(5), "serving", |b| b.text("#current-state").starts_with("Sedang dilayani"));
    other.click("#finish");
    other.until(Duration::from_secs(5), "done", |b| b.text("#current-number") == "—");
    // One visit measured at counter 20 (seconds long): KK-BARU's next number waits under
    // five minutes, and the display says so.
    display.until(Duration::from_secs(3), "an estimate on the display", |b| b.text("#waits").contains("< 5 menit"));
    clerk.click("#call-next");
    clerk.until(Duration::from_secs(5), "the next call", |b| b.text("#current-number") == "KTB-A002");
    display.until(Duration::from_secs(1), "the next call on the display", |b| b.text("#now-number") == "KTB-A002");
    // Spoken one after another (each call is about 8 s), never over each other.
    display.until(Duration::from_secs(60), "every call spoken", |b| {
        b.js("return window.mppPlayed.filter(p => p.end !== null).length").as_u64() == Some(4)
    });
    let played = display.js("return window.mppPlayed");
    let played = played.as_array().unwrap();
    for pair in played.windows(2) {
        assert!(
            pair[1]["start"].as_f64().unwrap() >= pair[0]["end"].as_f64().unwrap(),
            "overlapping calls: {played:?}"
        );
    }
    assert!(
        played.iter().all(|p| p["end"].as_f64().unwrap() - p["start"].as_f64().unwrap() > 5000.0),
        "each call played whole: {played:?}"
    );
    let spoken = display.js("return window.mppSpoken");
    assert_eq!(
        spoken,
        json!([
            "/api/v1/voice/call.wav?number=KTB-A001&counter=1",
            "/api/v1/voice/call.wav?number=KTB-A001&counter=1",
            "/api/v1/voice/call.wav?number=KTB-A001&counter=20",
            "/api/v1/voice/call.wav?number=KTB-A002&counter=1"
        ]),
        "every call and recall spoken once, in order"
    );
    assert_eq!(
        hub.sql("SELECT string_agg(action || ':' || counter || ':' || number, ' ' ORDER BY id) FROM call_event"),
        "call:1:KTB-A001 recall:1:KTB-A001 transfer:1:KTB-A001 call:20:KTB-A001 start:20:KTB-A001 finish:20:KTB-A001 call:1:KTB-A002"
    );
    // The server restarted: the display says plainly that it lost it, then comes back by
    // itself, and the next call reaches it.
    hub.kill_and_restart_after(Duration::from_secs(3), || {
        display.until(Duration::from_secs(3), "the display saying it lost the server", |b| {
            b.js("return !document.querySelector('#lost').hidden") == json!(true)
        });
    });
    display.until(Duration::from_secs(15), "the display reconnected", |b| {
        b.js("return document.querySelector('#lost').hidden") == json!(true)
    });
    clerk.click("#finish");
    clerk.until(Duration::from_secs(5), "done", |b| b.text("#current-number") == "—");
    clerk.click("#call-next");
    display.until(Duration::from_secs(2), "a call after the restart on the display", |b| {
        b.text("#now-number") == "KKB-A001"
    });
    // The status page the slip's QR opens, on a phone-sized window.
    let phone = driver.browser(390, 844);
    phone.goto(&hub.url(&format!("/t/{}", phone_ticket.id)));
    phone.until(Duration::from_secs(5), "the ticket's place on the phone", |b| {
        b.text("main").contains("Tidak ada antrean di depan Anda")
    });
    assert!(
        phone.text("main").contains("SKB-A001") && !phone.text("main").contains("KKB-A001"),
        "{}",
        phone.text("main")
    );
    if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
        display.screenshot(&std::path::Path::new(&dir).join("display-test.png"));
        clerk.screenshot(&std::path::Path::new(&dir).join("counter-test.png"));
        phone.screenshot(&std::path::Path::new(&dir).join("status-phone.png"));
    }
}
