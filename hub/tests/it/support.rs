//! A running `mpp-hub` on a fresh database, with the embedded Jeneponto site and an
//! enrolled kiosk; and a kiosk ledger (the kiosk's own store) that uploads to it.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::pg::Cluster;

pub const SITE: &str = "MPP-JENEPONTO";

pub struct Hub {
    pub database: String,
    pub port: u16,
    pub token: String,
    server: Child,
    pub dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `mpp-hub serve` with the config in `dir`, its log appended to `dir/hub.log`; its clock
/// pinned (`MPP_HUB_NOW`) to the instant in `dir/now`, if there is one.
fn spawn_serve(dir: &std::path::Path, database: &str) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("hub.log")).unwrap();
    let now = std::fs::read_to_string(dir.join("now")).unwrap_or_default();
    let fault = std::fs::read_to_string(dir.join("fault")).unwrap_or_default();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_mpp-hub"));
    serve
        .arg("--config")
        .arg(dir.join("hub.toml"))
        .arg("serve")
        .env("MPP_HUB_DATABASE_URL", database)
        .env("MPP_HUB_NOW", now.trim())
        .env("MPP_HUB_TEST_FAULT", fault.trim())
        .stdout(Stdio::null())
        .stderr(log);
    ends_with_this_thread(&mut serve);
    serve.spawn().unwrap()
}

/// The process ends when the thread that starts it does (PR_SET_PDEATHSIG: SIGKILL): a test
/// that fails, or a test binary that is killed, leaves no server behind.
pub fn ends_with_this_thread(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe; it runs in the child before exec.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// `mpp-hub ARGS` against `database`; its output.
pub fn hub_command(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mpp-hub"))
        .args(args)
        .env("MPP_HUB_DATABASE_URL", database)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "mpp-hub failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

impl Hub {
    pub fn start() -> Hub {
        Hub::start_on(Cluster::get().database())
    }

    /// A hub on `database` (an empty one): the embedded site, kiosk 1 enrolled.
    pub fn start_on(database: String) -> Hub {
        ok(hub_command(&database, &["site", "add", "--embedded"]));
        let token = ok(hub_command(&database, &["kiosk", "enroll", "--site", SITE, "--number", "1"])).trim().to_owned();
        Hub::serve(database, token)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("hub.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        match agent.get(&self.url(path)).call() {
            Ok(mut r) => (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default()),
            Err(_) => (0, String::new()),
        }
    }

    /// POSTs a body to the upload endpoint with this credential (or none).
    pub fn post(&self, body: &[u8], token: Option<&str>) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut req = agent.post(&self.url("/api/v1/upload")).header("Content-Type", "application/json");
        if let Some(t) = token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        match req.send(body) {
            Ok(mut r) => (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default()),
            Err(e) => (0, e.to_string()),
        }
    }

    /// Announces a body of `length` bytes and sends only its first kilobyte (a client that
    /// would send 10 MB): the status line and body of the answer.
    pub fn post_announcing(&self, length: usize, token: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "POST /api/v1/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: {length}\r\n\r\n").unwrap();
        let _ = s.write_all(&vec![b' '; 1024]);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        (status, answer)
    }

    /// One value from the hub's database (psql -tA).
    pub fn sql(&self, query: &str) -> String {
        let cluster = Cluster::get();
        let bin = mpp_hub::db::local_cluster::bindir().unwrap().join("psql");
        let out = Command::new(bin)
            .args(["-tAX", "-d", &self.database, "-c", query])
            .env("PGHOST", cluster.dir())
            .output()
            .unwrap();
        assert!(out.status.success(), "{query}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// How many rows each of the hub's tables has: what "nothing stored" is checked against.
    pub fn counts(&self) -> String {
        self.sql("SELECT (SELECT count(*) FROM upload_record) || ' ' || (SELECT count(*) FROM ticket) || ' ' || (SELECT count(*) FROM survey_response)")
    }
}

impl Hub {
    /// Another `mpp-hub serve` process on the same database (its own port), as a second
    /// server behind a load balancer would be.
    pub fn second_process(&self) -> Hub {
        Hub::serve(self.database.clone(), self.token.clone())
    }

    /// `mpp-hub serve` on `database`, on a free port; returns when it answers.
    fn serve(database: String, token: String) -> Hub {
        Hub::serve_with(database, token, "")
    }

    /// A hub whose clock is pinned to `now` (it then moves on from there).
    pub fn start_at(now: &str) -> Hub {
        let database = Cluster::get().database();
        ok(hub_command(&database, &["site", "add", "--embedded"]));
        let token = ok(hub_command(&database, &["kiosk", "enroll", "--site", SITE, "--number", "1"])).trim().to_owned();
        Hub::serve_at(database, token, "", Some(now))
    }

    /// A hub whose clock is pinned to `now` and whose config has `extra` after `[server]`.
    pub fn start_at_with(now: &str, extra: &str) -> Hub {
        let database = Cluster::get().database();
        ok(hub_command(&database, &["site", "add", "--embedded"]));
        let token = ok(hub_command(&database, &["kiosk", "enroll", "--site", SITE, "--number", "1"])).trim().to_owned();
        Hub::serve_at(database, token, extra, Some(now))
    }

    fn serve_with(database: String, token: String, extra: &str) -> Hub {
        Hub::serve_at(database, token, extra, None)
    }

    fn serve_at(database: String, token: String, extra: &str, now: Option<&str>) -> Hub {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        if let Some(now) = now {
            std::fs::write(dir.path().join("now"), now).unwrap();
        }
        std::fs::write(
            dir.path().join("hub.toml"),
            format!("[server]\nlisten = \"127.0.0.1:{port}\"\nmax_body_bytes = 4194304\n{extra}\n"),
        )
        .unwrap();
        let server = spawn_serve(dir.path(), &database);
        let mut hub = Hub { database, port, token, server, dir };
        hub.wait_until_up();
        hub
    }

    fn wait_until_up(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.get("/healthz").0 != 200 {
            assert!(Instant::now() < deadline, "mpp-hub did not start: {}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILLs the server (no graceful anything) and starts it again on the same port and
    /// database; returns when it answers.
    /// SIGKILLs the server, runs `meanwhile` while it is down (at least `down`), then
    /// starts it again; returns when it answers.
    pub fn kill_and_restart_after(&mut self, down: Duration, meanwhile: impl FnOnce()) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let start = Instant::now();
        meanwhile();
        std::thread::sleep(down.saturating_sub(start.elapsed()));
        self.server = spawn_serve(self.dir.path(), &self.database);
        self.wait_until_up();
    }

    /// Stops the server (SIGTERM, as systemd does) and starts it again with its clock
    /// pinned to `now`: time passing for what the server stamps, without waiting for it.
    pub fn restart_at(&mut self, now: &str) {
        // SAFETY: signalling the server this test started.
        unsafe { libc::kill(self.server.id() as i32, libc::SIGTERM) };
        let _ = self.server.wait();
        std::fs::write(self.dir.path().join("now"), now).unwrap();
        self.server = spawn_serve(self.dir.path(), &self.database);
        self.wait_until_up();
    }

    /// SIGTERM, as systemd stops the service: how long the server took to exit, and
    /// whether it exited cleanly.
    pub fn terminate(&mut self) -> (Duration, bool) {
        let asked = Instant::now();
        // SAFETY: signalling the server this test started.
        unsafe { libc::kill(self.server.id() as i32, libc::SIGTERM) };
        let status = self.server.wait().unwrap();
        (asked.elapsed(), status.success())
    }

    /// Starts the server again after [`Hub::terminate`].
    pub fn start_again(&mut self) {
        self.server = spawn_serve(self.dir.path(), &self.database);
        self.wait_until_up();
    }

    pub fn kill_and_restart(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        self.server = spawn_serve(self.dir.path(), &self.database);
        self.wait_until_up();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The kiosk's own ledger (its SQLite store and uploader), pointed at a hub.
pub struct KioskLedger {
    pub store: mpp_kiosk::store::Store,
    pub catalogue: mpp_kiosk::catalogue::Catalogue,
    pub dir: tempfile::TempDir,
}

impl KioskLedger {
    pub fn new() -> KioskLedger {
        let dir = tempfile::tempdir().unwrap();
        let mut store = mpp_kiosk::store::Store::open(&dir.path().join("kiosk.sqlite3")).unwrap();
        store
            .import_catalogue(&mpp_kiosk::catalogue::default_feed(), "embedded", true, jiff::Timestamp::UNIX_EPOCH)
            .unwrap();
        let catalogue = store.load_catalogue().unwrap().unwrap();
        KioskLedger { store, catalogue, dir }
    }

    /// The kiosk's [sync] settings for `hub` with `token` in a file only its owner reads.
    pub fn sync_config(&self, hub: &Hub, token: &str) -> mpp_kiosk::sync::SyncConfig {
        use std::os::unix::fs::PermissionsExt;
        let file: PathBuf = self.dir.path().join("upload.token");
        std::fs::write(&file, format!("{token}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        mpp_kiosk::sync::SyncConfig {
            upload_url: Some(hub.url("/api/v1/upload")),
            insecure_http_upload: true,
            upload_token_file: Some(file),
            ..Default::default()
        }
    }
}

/// The sign-in form's login token as a fresh browser gets it: the cookie to send back
/// (`mpp_hub_login=…`) and the form's hidden `login_csrf`.
pub fn login_form(hub: &Hub) -> (String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent.get(&hub.url("/counter")).call().unwrap();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("mpp_hub_login="))
        .expect("the sign-in form sets its login cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = r.body_mut().read_to_string().unwrap();
    let marker = r#"name="login_csrf" value=""#;
    let at = page.find(marker).expect("the form carries its login token") + marker.len();
    (cookie, page[at..at + 32].to_owned())
}

/// A sign-in as a browser at `address` makes it (through the site's TLS proxy, which
/// names the client in `X-Forwarded-For`): the status, the page, the session cookie.
pub fn sign_in_from(hub: &Hub, address: &str, user: &str, password: &str) -> (u16, String, Option<String>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let (cookie, token) = login_form(hub);
    let mut r = agent
        .post(&hub.url("/counter/sign-in"))
        .header("Cookie", &cookie)
        .header("X-Forwarded-For", address)
        .send_form([("site", SITE), ("username", user), ("password", password), ("login_csrf", &token)])
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("mpp_hub_session=") && !c.starts_with("mpp_hub_session=;"))
        .map(|c| c.split(';').next().unwrap().to_owned());
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default(), session)
}

/// One HTTP request read off a connection, as the tests' little receivers (webhooks) need
/// it: the head skipped, the body by its Content-Length; `None` when it does not arrive whole.
pub fn request_body(reader: &mut impl std::io::BufRead) -> Option<Vec<u8>> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok().map(|()| body)
}
