//! The ESC/POS printer emulator (emupos, PyPI) on loopback, shared by the printing tests.
//! `.ci/setup` installs it in `.venv-emu`; `MPP_EMUPOS` may name another binary. Without
//! it the printing tests skip, except under CI, where they fail.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub struct Emulator {
    pub printer_port: u16,
    api_port: u16,
    pub dir: tempfile::TempDir,
    _child: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn binary() -> Option<PathBuf> {
    let p = std::env::var_os("MPP_EMUPOS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-emu/bin/emupos"));
    p.exists().then_some(p)
}

/// A required external tool is missing: skip locally (visibly), fail under CI.
pub fn missing(what: &str) -> Option<()> {
    crate::support::skip(what)?;
    unreachable!()
}

/// Starts `command` so that it ends with this test process, however the process ends: the
/// kernel sends it SIGTERM when the thread that started it dies (PR_SET_PDEATHSIG), and
/// that thread is parked for the life of the process. (The emulator lives in a static,
/// which Rust never drops, and each test runs on a thread of its own that ends with it.)
pub fn spawn_for_this_process(mut command: Command) -> Child {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tx.send(command.spawn()).unwrap();
        loop {
            std::thread::park();
        }
    });
    rx.recv().unwrap().expect("the emulator starts")
}

/// The emulator's folders in the temporary directory: `mpp-kiosk-emupos-<pid>-…`.
const STALE_PREFIX: &str = "mpp-kiosk-emupos-";

/// This process's emulator (its pid) and folder, ended and removed at exit.
static CLEANUP: OnceLock<(u32, PathBuf)> = OnceLock::new();

extern "C" fn remove_own_folder() {
    if let Some((pid, dir)) = CLEANUP.get() {
        // SAFETY: ending and reaping our own child before the process exits (its parent-
        // death signal would come only as the process goes, and it may take a while).
        unsafe {
            libc::kill(*pid as i32, libc::SIGKILL);
            libc::waitpid(*pid as i32, std::ptr::null_mut(), 0);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Folders left by test processes that were killed (their pid no longer runs).
fn remove_stale_folders() {
    let tmp = std::env::temp_dir();
    for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(STALE_PREFIX).and_then(|r| r.split('-').next()) else { continue };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Emulator {
    fn start() -> Option<Emulator> {
        let bin = binary()?;
        remove_stale_folders();
        // The folder of this test process's emulator: removed at its exit (the emulator
        // lives in a static, which is never dropped), or by the next run if it was killed.
        let dir = tempfile::Builder::new().prefix(&format!("{STALE_PREFIX}{}-", std::process::id())).tempdir().unwrap();

        let (printer_port, api_port) = (free_port(), free_port());
        std::fs::write(
            dir.path().join("emupos.yaml"),
            format!(
                "schema: 1\napi: {{host: 127.0.0.1, port: {api_port}}}\ndevices:\n  - id: front\n    type: printer\n    profile: epson-tm-t20iii\n    connections: [{{tcp: {{host: 127.0.0.1, port: {printer_port}}}}}]\n    job_idle_timeout_ms: 1500\n    receipts_dir: ./receipts\n  - id: wedge\n    type: scanner\n    mode: keyboard\n    typed_by: client\n    inter_key_delay_ms: 0\n  - id: reader\n    type: scanner\n    mode: serial\n    connections: [{{serial: {{pty: true, link: reader}}}}]\n"
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
            .stdin(Stdio::null())
            // The serial scanner's pty is linked as $TMPDIR/emupos/reader: in this folder.
            .env("TMPDIR", dir.path());
        let child = spawn_for_this_process(command);
        let _ = CLEANUP.set((child.id(), dir.path().to_owned()));
        // SAFETY: registers a plain function, run once at process exit.
        unsafe { libc::atexit(remove_own_folder) };
        let emu = Emulator { printer_port, api_port, dir, _child: child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while emu.http("GET", "/api/v1/health").0 != 200 {
            assert!(Instant::now() < deadline, "emupos did not start: {}", emu.log());
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(emu)
    }

    /// The shared emulator and a lock: printing tests run one at a time against it.
    pub fn get() -> Option<(&'static Emulator, MutexGuard<'static, ()>)> {
        static EMU: OnceLock<Option<Emulator>> = OnceLock::new();
        static LOCK: Mutex<()> = Mutex::new(());
        // Every test that needs it reports its own skip, not only the first.
        let Some(emu) = EMU.get_or_init(Emulator::start).as_ref() else {
            missing("the printer emulator emupos")?;
            unreachable!()
        };
        let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for fault in ["paper-out", "paper-near-end", "cover-open", "offline"] {
            emu.clear_fault(fault);
        }
        Some((emu, guard))
    }

    /// A minimal HTTP/1.1 request to the control API: (status, body).
    pub fn http(&self, method: &str, path: &str) -> (u16, String) {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.api_port)) else { return (0, String::new()) };
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).ok();
        let status = resp.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = resp.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    /// The serial scanner's device (a pty the emulator writes scans to).
    pub fn scanner_link(&self) -> PathBuf {
        self.dir.path().join("emupos/reader")
    }

    /// Scans `data` at scanner `device` now: the API's answer (for the keyboard-wedge
    /// scanner typed by the client, the keys it presses).
    pub fn scan(&self, device: &str, data: &str) -> serde_json::Value {
        let body = serde_json::json!({ "data": data, "countdown_seconds": 0 }).to_string();
        let mut s = TcpStream::connect(("127.0.0.1", self.api_port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "POST /api/v1/devices/{device}/scans HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).ok();
        let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
        assert!(head.starts_with("HTTP/1.1 20"), "scan at {device}: {resp}");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("scan at {device}: {e}: {body}"))
    }

    pub fn set_fault(&self, fault: &str) {
        let (status, body) = self.http("PUT", &format!("/api/v1/devices/front/faults/{fault}"));
        assert!((200..300).contains(&status), "PUT fault {fault}: {status} {body}");
    }

    pub fn clear_fault(&self, fault: &str) {
        self.http("DELETE", &format!("/api/v1/devices/front/faults/{fault}"));
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("emupos.log")).unwrap_or_default()
    }

    fn receipt_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(self.dir.path().join("receipts"))
            .map(|rd| {
                rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    /// Runs `f`, then waits for the receipt it printed: (text, png path, job json).
    pub fn receipt_of(&self, f: impl FnOnce()) -> (String, PathBuf, serde_json::Value) {
        let before = self.receipt_ids();
        f();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = self.receipt_ids();
            // The receipt's three files, each written whole (the JSON parses, the PNG ends
            // with its IEND chunk), as the emulator finishes them.
            if let Some(id) = now.iter().find(|id| !before.contains(id)) {
                let base = self.dir.path().join("receipts").join(id);
                let json = std::fs::read_to_string(base.with_extension("json"))
                    .ok()
                    .and_then(|j| serde_json::from_str(&j).ok());
                let text = std::fs::read_to_string(base.with_extension("txt")).ok();
                let png_whole =
                    std::fs::read(base.with_extension("png")).is_ok_and(|p| p.ends_with(&[0xAE, 0x42, 0x60, 0x82]));
                if let (Some(json), Some(text), true) = (json, text, png_whole) {
                    return (text, base.with_extension("png"), json);
                }
            }
            assert!(Instant::now() < deadline, "no receipt arrived; emulator log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The text of the QR code in a PNG, via zbarimg.
pub fn decode_qr(png: &Path) -> Option<String> {
    match Command::new("zbarimg").args(["--raw", "-q"]).arg(png).output() {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).trim().to_owned()),
        Err(_) => {
            missing("zbarimg (Debian zbar-tools)")?;
            None
        }
    }
}
