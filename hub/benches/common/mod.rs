//! What both benchmarks start: a PostgreSQL cluster of their own in a temporary folder and
//! the release `mpp-hub serve` as a separate process on a free port.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mpp_hub::db::local_cluster::LocalCluster;

pub const SITE: &str = "MPP-JENEPONTO";

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3
}

/// A cluster in `dir` on socket port `port` with an empty database `mpp_hub`; its URL.
/// The cluster ends with the thread that started it: that thread is kept, parked.
pub fn cluster(dir: &std::path::Path, port: u16) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    let d = dir.to_owned();
    std::thread::spawn(move || {
        tx.send(LocalCluster::start(&d, port).map(|c| (c.url("mpp_hub"), c.create_database("mpp_hub")))).unwrap();
        loop {
            std::thread::park();
        }
    });
    let (database, created) = rx.recv().unwrap().expect("PostgreSQL is installed (bash .ci/setup)");
    created.unwrap();
    database
}

/// `mpp-hub serve` on `database` with a pool of 32, its config in `dir`; returns when it
/// answers, with its port.
pub fn serve(dir: &std::path::Path, database: &str) -> (Child, u16) {
    serve_with(
        dir,
        database,
        |port| format!("[server]\nlisten = \"127.0.0.1:{port}\"\n[database]\npool_size = 32\n"),
        None,
    )
}

/// `mpp-hub serve` on `database` with the config `config(port)` and, when given, the
/// unit's file limit; it ends with the benchmark, also when a measurement panics.
pub fn serve_with(
    dir: &std::path::Path,
    database: &str,
    config: impl Fn(u16) -> String,
    file_limit: Option<u64>,
) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(dir.join("hub.toml"), config(port)).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mpp-hub"));
    command
        .arg("--config")
        .arg(dir.join("hub.toml"))
        .arg("serve")
        .env("MPP_HUB_DATABASE_URL", database)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setrlimit and prctl are async-signal-safe; they run in the child before exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, move || {
            if let Some(n) = file_limit {
                let limit = libc::rlimit { rlim_cur: n, rlim_max: n };
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let server = command.spawn().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    while agent.get(&format!("http://127.0.0.1:{port}/healthz")).call().map(|r| r.status().as_u16()).unwrap_or(0) != 200
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}
