//! Printing queue slips: against the emulated printer over TCP, and against a printer
//! that drops the connection mid-slip.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::emulator::{Emulator, decode_qr};
use crate::support::{Kiosk, Run};

const OPEN: &str = "2026-11-30T01:05:00Z"; // Monday 09:05 WITA
const QR: &str = "https://mpp.jenepontokab.go.id/antrean/{number}?layanan={service}";

fn kiosk_with_printer(uri: &str, paper: &str, qr: &str) -> (Kiosk, std::path::PathBuf) {
    let k = Kiosk::new();
    let cfg = k.write(
        "printer.toml",
        &format!(
            "[printer]\nuri = \"{uri}\"\npaper = \"{paper}\"\nqr = \"{qr}\"\nqr_url = \"{QR}\"\ntimeout_ms = 1500\n"
        ),
    );
    (k, cfg)
}

fn issue(k: &Kiosk, cfg: &std::path::Path, args: &[&str]) -> Run {
    let mut c = k.command_with_config(cfg);
    c.env("MPP_KIOSK_NOW", OPEN).args(["ticket", "issue"]).args(args);
    Run(c.output().unwrap())
}

fn check_slip(emu: &Emulator, paper: &str, qr: &str) {
    let (k, cfg) = kiosk_with_printer(&format!("tcp://127.0.0.1:{}", emu.printer_port), paper, qr);
    let log_before = emu.log().len();
    let mut ticket = serde_json::Value::Null;
    let (text, png, job) = emu.receipt_of(|| ticket = issue(&k, &cfg, &["--service", "KTP-BARU", "--json"]).json());
    assert_eq!(ticket["status"], "printed", "{ticket}");
    assert_eq!(ticket["number"], "KTB-A001");
    for expected in [
        "KTB-A001",
        "Penerbitan KTP-el Baru",
        "Senin, 30 November 2026",
        "09.05 WITA",
        "Berlaku hari ini saja",
        "LOKET 1",
        "Perhatikan layar panggilan",
        "Fotokopi Kartu Keluarga (KK)",
        "Mengisi formulir F-1.02",
        "diwakilkan",
        "SP4N-LAPOR!",
    ] {
        assert!(text.contains(expected), "{paper}: {expected:?} missing from the slip:\n{text}");
    }
    assert_eq!(job["boundary"], "cut", "{paper}: the job ends with a cut: {job}");
    // The emulated printer is an 80 mm one; a 58 mm layout must keep within 32 columns.
    let cols = if paper == "58mm" { 32 } else { 48 };
    for line in text.lines().filter(|l| !l.starts_with("[qr ")) {
        assert!(line.chars().count() <= cols, "{paper}: line wider than {cols} columns: {line:?}");
    }
    let log = &emu.log()[log_before..];
    assert!(
        !log.contains("unknown") && !log.contains("unsupported"),
        "{paper}: the emulator saw bytes it does not know:\n{log}"
    );
    if let Some(decoded) = decode_qr(&png) {
        assert_eq!(decoded, "https://mpp.jenepontokab.go.id/antrean/KTB-A001?layanan=KTP-BARU", "{paper} {qr}");
    }
    // Keep the latest sample slips for docs/ (see docs/slips/README.md).
    if let Some(dir) = std::env::var_os("MPP_SLIP_SAMPLES") {
        std::fs::copy(&png, std::path::Path::new(&dir).join(format!("slip-{paper}.png"))).unwrap();
    }
}

#[test]
fn a_slip_on_80mm_paper_with_a_native_qr_code() {
    let Some((emu, _lock)) = Emulator::get() else { return };
    check_slip(emu, "80mm", "native");
}

#[test]
fn a_slip_on_58mm_paper_with_a_raster_qr_code() {
    let Some((emu, _lock)) = Emulator::get() else { return };
    check_slip(emu, "58mm", "raster");
}

#[test]
fn a_printer_that_cannot_print_refuses_before_any_number_is_used() {
    let Some((emu, _lock)) = Emulator::get() else { return };
    let (k, cfg) = kiosk_with_printer(&format!("tcp://127.0.0.1:{}", emu.printer_port), "80mm", "native");
    for (fault, code, words) in [
        ("paper-out", "paper_out", "Kertas printer habis"),
        ("cover-open", "cover_open", "Tutup printer terbuka"),
        ("offline", "offline", "Printer sedang tidak dapat dipakai"),
    ] {
        emu.set_fault(fault);
        let r = issue(&k, &cfg, &["--service", "SKCK-BARU"]);
        emu.clear_fault(fault);
        assert_eq!(r.code(), 2, "{fault}: {}", r.stderr());
        assert!(
            r.stderr().contains(&format!("printer {code}")) && r.stderr().contains(words),
            "{fault}: {}",
            r.stderr()
        );
    }
    let mut list = k.command_with_config(&cfg);
    list.env("MPP_KIOSK_NOW", OPEN).args(["ticket", "list", "--json"]);
    assert_eq!(Run(list.output().unwrap()).json().as_array().unwrap().len(), 0, "no ghost tickets");

    // Paper near its end still prints, and says so.
    emu.set_fault("paper-near-end");
    let j = issue(&k, &cfg, &["--service", "SKCK-BARU", "--json"]).json();
    emu.clear_fault("paper-near-end");
    assert_eq!(
        (j["number"].as_str(), j["status"].as_str(), j["paper_near_end"].as_bool()),
        (Some("SKB-A001"), Some("printed"), Some(true))
    );
}

/// A printer that answers status, then drops the connection after part of the slip.
fn dropping_printer() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { return };
            let mut buf = [0u8; 256];
            let mut seen = 0usize;
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                // Answer DLE EOT n status requests with "all fine" (0x12).
                let asks = buf[..n].windows(2).filter(|w| w == &[0x10, 0x04]).count();
                for _ in 0..asks {
                    let _ = s.write_all(&[0x12]);
                }
                seen += n;
                if seen > 200 {
                    break; // the cable is pulled mid-slip
                }
            }
        }
    });
    port
}

#[test]
fn a_connection_dropped_mid_slip_marks_the_ticket_print_failed_and_it_can_be_reprinted() {
    let port = dropping_printer();
    let (k, cfg) = kiosk_with_printer(&format!("tcp://127.0.0.1:{port}"), "80mm", "native");
    let r = issue(&k, &cfg, &["--service", "KK-BARU", "--json"]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    let j: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(
        (j["number"].as_str(), j["status"].as_str()),
        (Some("KKB-A001"), Some("print_failed")),
        "the citizen still gets the number"
    );
    assert!(r.stderr().contains("ticket reprint KKB-A001"), "{}", r.stderr());

    // Staff reprint it on a working printer (here the preview folder).
    let good = k.write("good.toml", &format!("[printer]\nuri = \"preview:{}\"\n", k.path("slips").display()));
    let mut c = k.command_with_config(&good);
    c.env("MPP_KIOSK_NOW", OPEN).args(["ticket", "reprint", "kkb-a001"]);
    assert!(Run(c.output().unwrap()).ok().contains("KKB-A001 reprinted"));
    let text = std::fs::read_to_string(k.path("slips/2026-11-30-KKB-A001-reprint.txt")).unwrap();
    assert!(text.contains("CETAK ULANG") && text.contains("KKB-A001"), "{text}");
    let mut c = k.command_with_config(&good);
    c.env("MPP_KIOSK_NOW", OPEN).args(["ticket", "list", "--json"]);
    let list = Run(c.output().unwrap()).json();
    assert_eq!(list[0]["status"], "reprinted");
}

#[test]
fn without_a_printer_slips_land_in_the_preview_folder() {
    let k = Kiosk::new();
    let mut c = k.command();
    c.env("MPP_KIOSK_NOW", OPEN).args(["ticket", "issue", "--service", "AKTA-LAHIR"]);
    assert_eq!(Run(c.output().unwrap()).ok().trim(), "AKL-A001");
    let dir = k.path("preview");
    let text = std::fs::read_to_string(dir.join("2026-11-30-AKL-A001.txt")).unwrap();
    assert!(text.contains("AKL-A001") && text.contains("Pencatatan Kelahiran"), "{text}");
    let bytes = std::fs::read(dir.join("2026-11-30-AKL-A001.bin")).unwrap();
    assert!(bytes.starts_with(&[0x1B, 0x40]), "starts with ESC @");
    assert!(bytes[..8].windows(2).any(|w| w == [0x1C, 0x2E]), "FS . right after (leave Kanji mode)");
    assert!(bytes[..8].windows(3).any(|w| w == [0x1B, 0x74, 0x00]), "code page PC437");
    assert!(bytes.ends_with(&[0x1D, 0x56, 0x42, 0x00]), "ends with a partial cut");
    assert!(without_rasters(&bytes).iter().all(|b| *b < 0x80), "no UTF-8 or code-page bytes: text is ASCII");
    assert!(!text.contains("belum terverifikasi"), "AKTA-LAHIR is verified: {text}");

    // An unverified service says so on the slip too.
    let mut c = k.command();
    c.env("MPP_KIOSK_NOW", OPEN).args(["ticket", "issue", "--service", "KTP-HILANG"]);
    assert_eq!(Run(c.output().unwrap()).ok().trim(), "KTH-A001");
    let text = std::fs::read_to_string(dir.join("2026-11-30-KTH-A001.txt")).unwrap();
    assert!(text.contains("Data layanan ini belum terverifikasi"), "{text}");

    // The printer test slip goes to the same printer.
    let r = k.run(&["printer", "test"]);
    assert!(r.ok().contains("test slip sent"));
    let test = std::fs::read_to_string(dir.join("printer-test.txt")).unwrap();
    assert!(test.contains("PRINTER TEST") && test.contains("PC437"), "{test}");
}

/// A serial printer: the kiosk opens a real pseudo-terminal as its serial port; the test
/// relays the other end to the emulator, status replies included.
#[test]
fn a_serial_printer_prints_and_answers_status() {
    use serialport::{SerialPort, TTYPort};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let Some((emu, _lock)) = Emulator::get() else { return };
    let (mut master, slave) = TTYPort::pair().unwrap();
    let path = slave.name().unwrap();
    master.set_timeout(std::time::Duration::from_millis(50)).unwrap();
    let mut master_in = master.try_clone_native().unwrap();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", emu.printer_port)).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_millis(50))).unwrap();
    let (mut tcp_in, mut tcp_out) = (tcp.try_clone().unwrap(), tcp);
    let stop = Arc::new(AtomicBool::new(false));
    let relay = |from: &mut dyn Read, to: &mut dyn Write, stop: &AtomicBool| {
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::Relaxed) {
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => to.write_all(&buf[..n]).unwrap(),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) => {}
                Err(e) => panic!("relay: {e}"),
            }
        }
    };
    let (s1, s2) = (stop.clone(), stop.clone());
    let to_printer = std::thread::spawn(move || relay(&mut master_in, &mut tcp_out, &s1));
    let to_kiosk = std::thread::spawn(move || relay(&mut tcp_in, &mut master, &s2));

    let (k, cfg) = kiosk_with_printer(&format!("serial://{path}?baud=19200"), "80mm", "native");
    let mut ticket = serde_json::Value::Null;
    let (text, png, job) = emu.receipt_of(|| ticket = issue(&k, &cfg, &["--service", "KK-BARU", "--json"]).json());
    assert_eq!((ticket["number"].as_str(), ticket["status"].as_str()), (Some("KKB-A001"), Some("printed")), "{ticket}");
    assert!(text.contains("KKB-A001") && text.contains("LOKET"), "{text}");
    assert_eq!(job["boundary"], "cut", "{job}");
    if let Some(q) = decode_qr(&png) {
        assert!(q.contains("KKB-A001"), "{q}");
    }

    // A printer that does not answer (the relay stopped) is offline: refused, nothing issued.
    stop.store(true, Ordering::Relaxed);
    to_printer.join().unwrap();
    to_kiosk.join().unwrap();
    let r = issue(&k, &cfg, &["--service", "KK-BARU"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("printer offline"), "{}", r.stderr());
}

/// The preview printer draws each slip as a PNG too: logo, text and a QR that decodes.
#[test]
fn the_preview_printer_draws_the_slip() {
    let k = Kiosk::new();
    let slips = k.path("slips");
    let cfg = k.write(
        "preview.toml",
        &format!("[printer]\nuri = \"preview:{}\"\npaper = \"58mm\"\nqr_url = \"{QR}\"\n", slips.display()),
    );
    let r = issue(&k, &cfg, &["--service", "AKTA-LAHIR", "--priority", "pregnant"]);
    assert_eq!(r.ok().trim(), "AKL-PA001");
    let png = slips.join("2026-11-30-AKL-PA001.png");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let info = decoder.read_info().unwrap();
    assert_eq!(info.info().width, 384, "58 mm paper is 384 dots wide");
    assert!(info.info().height > 900, "a whole slip, not a fragment");
    if let Some(q) = decode_qr(&png) {
        assert_eq!(q, "https://mpp.jenepontokab.go.id/antrean/AKL-PA001?layanan=AKTA-LAHIR");
    }

    // A site logo replaces the embedded mark; a broken one is named in the message.
    let bad = k.write("bad-logo.png", "not a picture");
    let cfg = k.write(
        "bad.toml",
        &format!("[printer]\nuri = \"preview:{}\"\nlogo = \"{}\"\n", slips.display(), bad.display()),
    );
    let r = issue(&k, &cfg, &["--service", "AKTA-LAHIR"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("[printer] logo") && r.stderr().contains("bad-logo.png: not a PNG"), "{}", r.stderr());
    let cfg = k.write("none.toml", "[printer]\nlogo = \"logo.png\"\n");
    let r = issue(&k, &cfg, &["--service", "AKTA-LAHIR"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("line 2") && r.stderr().contains("absolute path"), "{}", r.stderr());
}

/// The bytes with `GS v 0` raster pictures (the logo, a raster QR) cut out.
fn without_rasters(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(&[0x1D, 0x76, 0x30]) && i + 8 <= bytes.len() {
            let w = bytes[i + 4] as usize + 256 * bytes[i + 5] as usize;
            let h = bytes[i + 6] as usize + 256 * bytes[i + 7] as usize;
            i += 8 + w * h;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// A QR template too long for the chosen QR mode is refused at config load, before any
/// number is issued, naming the key; it used to fail after the commit, leaving the
/// ticket "issued" forever.
#[test]
fn a_qr_url_too_long_for_the_qr_mode_is_refused_before_any_number() {
    let k = Kiosk::new();
    let long = format!("https://mpp.example.go.id/{}/{{number}}", "a".repeat(1500));
    let cfg = k.write(
        "qr.toml",
        &format!(
            "[printer]\nuri = \"preview:{}\"\nqr = \"raster\"\npaper = \"58mm\"\nqr_url = \"{long}\"\n",
            k.path("slips").display()
        ),
    );
    let mut c = k.command_with_config(&cfg);
    let r = Run(c
        .env("MPP_KIOSK_NOW", "2026-11-30T01:05:00Z")
        .args(["ticket", "issue", "--service", "KTP-BARU"])
        .output()
        .unwrap());
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("[printer] qr_url is too long"), "{}", r.stderr());
    // The day the ticket would have had (a listing of the real today could not fail).
    let listed = k.run(&["ticket", "list", "--date", "2026-11-30", "--json"]).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "no number was used: {listed}");
}

/// A device file that never takes the slip (the kernel's usblp blocks writes on paper-out;
/// here a pipe nobody reads) does not hang the kiosk: the job ends within its timeout, the
/// number stands as print_failed and can be reprinted.
#[test]
fn a_device_that_blocks_the_write_ends_the_job_by_its_timeout() {
    let k = Kiosk::new();
    let fifo = k.path("lp0");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let cfg = k.write("lp.toml", &format!("[printer]\nuri = \"file://{}\"\ntimeout_ms = 500\n", fifo.display()));
    let t = std::time::Instant::now();
    let mut c = k.command_with_config(&cfg);
    let r = Run(c
        .env("MPP_KIOSK_NOW", "2026-11-30T01:05:00Z")
        .args(["ticket", "issue", "--service", "KTP-BARU", "--json"])
        .output()
        .unwrap());
    assert!(t.elapsed() < std::time::Duration::from_secs(20), "the job ended by its timeout ({:?})", t.elapsed());
    assert_ne!(r.code(), 0, "a failed slip is not a success");
    let ticket: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(
        (ticket["number"].as_str(), ticket["status"].as_str()),
        (Some("KTB-A001"), Some("print_failed")),
        "{ticket}"
    );
    assert!(ticket["reason"].as_str().is_some_and(|s| s.contains("took no data")), "{ticket}");
}

/// A printer lock left behind by another user (an older version run as root) would keep
/// the service from printing for good: doctor names the file, its owner and the fix.
#[test]
fn doctor_names_a_printer_lock_that_belongs_to_someone_else() {
    if !crate::support::as_root("to give the lock file another owner") {
        return;
    }
    let k = Kiosk::new();
    k.run(&["catalogue", "list"]).ok();
    let lock = k.db().with_extension("printer-lock");
    std::fs::write(&lock, "").unwrap();
    std::os::unix::fs::chown(&lock, Some(65534), Some(65534)).unwrap();
    let cfg = k.write("p.toml", "[printer]\nuri = \"tcp://127.0.0.1:9\"\ntimeout_ms = 200\n");
    let out = Run(k.command_with_config(&cfg).arg("doctor").output().unwrap());
    assert_eq!(out.code(), 1, "{}", out.stdout());
    assert!(
        out.stdout().contains("printer lock")
            && out.stdout().contains("belongs to uid 65534")
            && out.stdout().contains("chown"),
        "{}",
        out.stdout()
    );
}

/// `printer status` reads the printer through a print worker under the printer lock, as the
/// kiosk does: while another process holds the lock (the kiosk printing a slip) it waits,
/// and answers once the lock is free; it never cuts into that slip.
#[test]
fn printer_status_waits_for_a_slip_being_printed() {
    let Some((emu, _lock)) = Emulator::get() else { return };
    let (k, cfg) = kiosk_with_printer(&format!("tcp://127.0.0.1:{}", emu.printer_port), "80mm", "native");
    k.run(&["catalogue", "list"]).ok(); // the database, beside which the lock lives
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(k.db().with_extension("printer-lock"))
        .unwrap();
    lock.lock().unwrap(); // "the kiosk is printing"
    let mut status = k.command_with_config(&cfg);
    let mut status = status.args(["printer", "status", "--json"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    // It waits for the lock (up to four of its 1.5 s timeouts), not for the printer.
    let held = std::time::Instant::now();
    while held.elapsed() < std::time::Duration::from_millis(1500) {
        assert!(status.try_wait().unwrap().is_none(), "printer status answered while the printer was locked");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    lock.unlock().unwrap();
    let out = status.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["readable"].as_bool(), v["fault"].is_null()), (Some(true), true), "{v}");
}
