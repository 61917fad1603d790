//! mpp-hub under hostile load, beside its normal load: the release server with the shipped
//! config and the unit's file limit (LimitNOFILE=4096), PostgreSQL on the same machine. For
//! each load it prints the server's memory (RSS now and its peak) and how fast it still
//! answers a lobby display's and a kiosk's requests (made from another address):
//! - normal: nothing else happening;
//! - idle connections: 3,000 that never send a byte, from one LAN address (capped at 128)
//!   and through the site's proxy address (capped at 1,024 in all), for 12 s;
//! - absurd inputs: 400 calls for the voice of a number 8,000 digits long and 400 uploads
//!   announcing a gigabyte, all at once;
//! - parallel guesses: 300 sign-ins with wrong passwords at once;
//! - a frozen database: every PostgreSQL process stopped (SIGSTOP) for 10 s.
//!
//!     cargo bench -p mpp-hub --bench hostile

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)] // it starts the server with the shipped config, not `common::serve`
mod common;
use common::{SITE, percentile};

fn rss_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn hub(database: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mpp-hub"));
    c.args(args).env("MPP_HUB_DATABASE_URL", database).env("RUST_LOG", "warn");
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.as_mut().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The release server with the shipped config's limits and the unit's file limit.
fn serve(dir: &std::path::Path, database: &str) -> (Child, u16) {
    let shipped =
        |port: u16| include_str!("../deploy/config.toml").replace("127.0.0.1:8470", &format!("127.0.0.1:{port}"));
    common::serve_with(dir, database, shipped, Some(4096))
}

/// One GET from 127.0.0.3 (a display on the LAN): (status, time).
fn answer(port: u16, path: &str, from: Option<&str>) -> (u16, Duration) {
    let started = Instant::now();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&std::net::SocketAddr::new(from.unwrap_or("127.0.0.3").parse().unwrap(), 0).into()).unwrap();
    if socket.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into()).is_err() {
        return (0, started.elapsed());
    }
    let mut s: TcpStream = socket.into();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    if write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").is_err() {
        return (0, started.elapsed());
    }
    let mut head = [0u8; 16];
    let n = s.read(&mut head).unwrap_or(0);
    let status =
        String::from_utf8_lossy(&head[..n]).split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    (status, started.elapsed())
}

/// The answers of a display and a kiosk while a load runs: `n` of each.
fn sample(port: u16, n: usize) -> (Vec<u16>, Vec<Duration>) {
    let (mut statuses, mut times) = (Vec::new(), Vec::new());
    for i in 0..n {
        let path = if i % 2 == 0 {
            format!("/api/v1/sites/{SITE}/queue?date=2026-11-30")
        } else {
            format!("/api/v1/sites/{SITE}/calls")
        };
        let (status, took) = answer(port, &path, None);
        statuses.push(status);
        times.push(took);
        std::thread::sleep(Duration::from_millis(20));
    }
    times.sort();
    (statuses, times)
}

fn report(what: &str, pid: u32, statuses: &[u16], times: &[Duration]) {
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0);
    println!(
        "{what:<48} RSS {:>6.1} MB (peak {:>6.1} MB), {fds:>4} files open  answers: {ok}/{} ok, p50 {:>7.1} ms, p99 {:>7.1} ms",
        rss_mb(pid, "VmRSS:"),
        rss_mb(pid, "VmHWM:"),
        statuses.len(),
        percentile(times, 0.5),
        percentile(times, 0.99)
    );
}

fn main() {
    let dir = tempfile::Builder::new().prefix("mpp-hub-bench-").tempdir().unwrap();
    let database = common::cluster(dir.path(), 31000 + (std::process::id() % 20000) as u16);
    hub(&database, &["site", "add", "--embedded"], None);
    hub(&database, &["counter", "per-agency", "--site", SITE], None);
    hub(
        &database,
        &["staff", "add", "--site", SITE, "--username", "petugas", "--role", "counter"],
        Some("kata-sandi-panjang\n"),
    );
    let token = hub(&database, &["kiosk", "enroll", "--site", SITE, "--number", "1"], None);
    let (mut server, port) = serve(dir.path(), &database);
    let pid = server.id();
    println!("mpp-hub under hostile load (release build, shipped config, LimitNOFILE=4096), port {port}");

    let (s, t) = sample(port, 200);
    report("normal: nothing else happening", pid, &s, &t);

    // Idle connections: one LAN address, then through the proxy's address (trusted).
    let mut idle = Vec::new();
    for from in ["127.0.0.2", "127.0.0.1"] {
        for _ in 0..1500 {
            let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
            socket.bind(&std::net::SocketAddr::new(from.parse().unwrap(), 0).into()).unwrap();
            if socket.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into()).is_ok() {
                idle.push(socket);
            }
        }
    }
    println!("{:<48} {} of 3,000 connected", "", idle.len());
    let (s, t) = sample(port, 100);
    report("3,000 idle connections (first seconds)", pid, &s, &t);
    std::thread::sleep(Duration::from_secs(11));
    let (s, t) = sample(port, 100);
    report("3,000 idle connections (after the 10 s timeout)", pid, &s, &t);
    drop(idle);

    // Absurd inputs, all at once.
    let huge = "9".repeat(8000);
    let flood: Vec<_> = (0..800)
        .map(|i| {
            let huge = huge.clone();
            let token = token.clone();
            std::thread::spawn(move || {
                let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return };
                s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let _ = if i % 2 == 0 {
                    write!(s, "GET /api/v1/voice/call.wav?number={huge}&counter=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                } else {
                    write!(s, "POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: 1000000000\r\n\r\n")
                };
                let mut sink = Vec::new();
                let _ = s.read_to_end(&mut sink);
            })
        })
        .collect();
    let (s, t) = sample(port, 100);
    for f in flood {
        let _ = f.join();
    }
    report("800 absurd requests at once", pid, &s, &t);

    // Parallel guesses.
    let guesses: Vec<_> = (0..300)
        .map(|i| {
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .timeout_global(Some(Duration::from_secs(60)))
                    .build()
                    .into();
                let Ok(mut form) = agent.get(&format!("http://127.0.0.1:{port}/counter")).call() else { return 0 };
                let cookie = form
                    .headers()
                    .get("set-cookie")
                    .and_then(|v| v.to_str().ok())
                    .map(|c| c.split(';').next().unwrap_or("").to_owned())
                    .unwrap_or_default();
                let page = form.body_mut().read_to_string().unwrap_or_default();
                let marker = r#"name="login_csrf" value=""#;
                let at = page.find(marker).map(|a| a + marker.len()).unwrap_or(0);
                let csrf = page.get(at..at + 32).unwrap_or("").to_owned();
                agent
                    .post(&format!("http://127.0.0.1:{port}/counter/sign-in"))
                    .header("Cookie", &cookie)
                    .header("X-Forwarded-For", &format!("198.51.100.{}", i % 200))
                    .send_form([
                        ("site", SITE),
                        ("username", "petugas"),
                        ("password", &format!("tebakan-{i}")),
                        ("login_csrf", &csrf),
                    ])
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let started = Instant::now();
    let (s, t) = sample(port, 100);
    let answered: Vec<u16> = guesses.into_iter().map(|g| g.join().unwrap()).collect();
    report("300 wrong passwords at once", pid, &s, &t);
    println!(
        "{:<48} all answered in {:.1} s: {} refused as wrong, {} as locked",
        "",
        started.elapsed().as_secs_f64(),
        answered.iter().filter(|s| **s == 401).count(),
        answered.iter().filter(|s| **s == 429).count()
    );

    // A frozen database.
    let postmaster = Command::new("pgrep")
        .args(["-f", &format!("postgres -D {}", dir.path().join("data").display())])
        .output()
        .unwrap();
    let postmaster: u32 = String::from_utf8_lossy(&postmaster.stdout).lines().next().unwrap().trim().parse().unwrap();
    let children = Command::new("pgrep").args(["-P", &postmaster.to_string()]).output().unwrap();
    let mut pids: Vec<i32> = String::from_utf8_lossy(&children.stdout).lines().filter_map(|l| l.parse().ok()).collect();
    pids.push(postmaster as i32);
    for p in &pids {
        // SAFETY: stopping the benchmark's own PostgreSQL.
        unsafe { libc::kill(*p, libc::SIGSTOP) };
    }
    let frozen = Instant::now();
    while answer(port, "/healthz", None).0 != 503 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let noticed = frozen.elapsed();
    let (s, t) = sample(port, 100);
    report("a frozen database (503 expected)", pid, &s, &t);
    let health: Vec<Duration> = (0..20).map(|_| answer(port, "/healthz", None).1).collect();
    println!(
        "{:<48} noticed in {:.1} s; /healthz answers in at most {:.1} ms",
        "",
        noticed.as_secs_f64(),
        health.iter().max().unwrap().as_secs_f64() * 1e3
    );
    for p in &pids {
        // SAFETY: as above.
        unsafe { libc::kill(*p, libc::SIGCONT) };
    }
    let thawed = Instant::now();
    while answer(port, "/healthz", None).0 != 200 {
        std::thread::sleep(Duration::from_millis(50));
    }
    println!("{:<48} answering again {:.1} s after PostgreSQL came back", "", thawed.elapsed().as_secs_f64());
    let (s, t) = sample(port, 200);
    report("normal again", pid, &s, &t);
    let _ = server.kill();
    let _ = server.wait();
}
