//! The README's quick start: `mpp-hub demo` brings up the whole site on one machine (its
//! own PostgreSQL in a folder), a kiosk uploads with the credential it wrote, the queue
//! shows the ticket, and stopping the demo stops its PostgreSQL.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mpp_kiosk::tickets::Status;

use crate::support::{KioskLedger, SITE};

/// Killed when the test ends, passing or failing.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_demo_runs_the_whole_site_on_one_machine() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, format!("[server]\nlisten = \"127.0.0.1:{port}\"\n")).unwrap();
    let data = dir.path().join("demo");
    let mut command = Command::new(env!("CARGO_BIN_EXE_mpp-hub"));
    command
        .arg("--config")
        .arg(&config)
        .arg("demo")
        .arg("--data")
        .arg(&data)
        .env_remove("MPP_HUB_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // The demo (and its PostgreSQL, which dies with it) ends with this test, however it ends.
    crate::support::ends_with_this_thread(&mut command);
    let mut demo = Stopped(command.spawn().unwrap());
    let demo = &mut demo.0;
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let get = |path: &str| {
        agent
            .get(&format!("http://127.0.0.1:{port}{path}"))
            .call()
            .ok()
            .map(|mut r| (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default()))
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while get("/healthz").is_none_or(|(s, _)| s != 200) {
        if Instant::now() > deadline || demo.try_wait().unwrap().is_some() {
            let _ = demo.kill();
            panic!("the demo did not come up: {:?}", std::fs::read_to_string(data.join("server.log")));
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    // A kiosk with the credential the demo wrote takes a ticket and uploads it.
    let mut k = KioskLedger::new();
    let token = std::fs::read_to_string(data.join("kiosk-1.token")).unwrap();
    let hub_url = format!("http://127.0.0.1:{port}/api/v1/upload");
    let cfg = mpp_kiosk::sync::SyncConfig {
        upload_url: Some(hub_url),
        insecure_http_upload: true,
        upload_token_file: Some(data.join("kiosk-1.token")),
        ..Default::default()
    };
    assert!(token.starts_with("mpk1."));
    let at: jiff::Timestamp = "2026-11-30T01:05:00Z".parse().unwrap();
    let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, at).unwrap();
    k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, at).unwrap().unwrap();
    let (status, queue) = get(&format!("/api/v1/sites/{SITE}/queue?date=2026-11-30")).unwrap();
    assert_eq!(status, 200);
    assert!(queue.contains("\"next\":[\"KTB-A001\"]"), "{queue}");

    // Stopping the demo (SIGTERM, as systemd or Ctrl+C would) stops its PostgreSQL too.
    // SAFETY: signalling our own child.
    unsafe { libc::kill(demo.id() as i32, libc::SIGTERM) };
    assert!(demo.wait().unwrap().success());
    let socket = data.join(".s.PGSQL.5432");
    let deadline = Instant::now() + Duration::from_secs(20);
    while socket.exists() {
        assert!(Instant::now() < deadline, "the demo's PostgreSQL outlived it");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// As root the demo's PostgreSQL runs as the postgres user: a folder it cannot reach is
/// named with what to do, not left to initdb's bare "Permission denied"; with no folder
/// given, the demo goes where it can (root's home is closed).
#[test]
fn as_root_the_demo_names_a_folder_postgres_cannot_reach() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED as_root_the_demo_names_a_folder_postgres_cannot_reach: not root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed).unwrap();
    std::fs::set_permissions(&closed, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mpp-hub"))
        .arg("demo")
        .arg("--data")
        .arg(closed.join("demo"))
        .env_remove("MPP_HUB_DATABASE_URL")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("{} (mode 700) is closed to the postgres user", closed.display()))
            && said.contains("--data /var/tmp/mpp-hub-demo"),
        "{said}"
    );
    assert!(!closed.join("demo").exists(), "nothing made where PostgreSQL cannot go");
}
