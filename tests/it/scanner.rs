//! The booking scanner, both ways a USB 2D scanner attaches, with emupos's own scanners:
//! its serial (CDC-ACM) mode on a pty, and its keyboard-wedge (HID) mode, whose keys the
//! test hands to the kiosk as the kernel would (HID usages to input events in an event
//! device, here a FIFO). The codes they read check a booking in with `ticket check-in`,
//! which prints a booking slip on the emulated printer; the same code a second time is
//! refused.

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use mpp_kiosk::scanner::{self, ScannerUri, evdev};

use crate::emulator::Emulator;
use crate::support::Kiosk;

const OPEN: &str = "2026-11-30T01:05:00Z"; // Monday 09:05 WITA
const CODE: &str = "KQ4M7TCX";

/// The kernel's HID keyboard usage → Linux key code table (drivers/hid/hid-input.c,
/// `hid_keyboard`), for the keys a scan of printable ASCII presses.
fn linux_key(usage: u64) -> u16 {
    const LETTERS: [u16; 26] =
        [30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50, 49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44];
    match usage {
        0x04..=0x1D => LETTERS[(usage - 0x04) as usize],
        0x1E..=0x27 => (usage - 0x1E) as u16 + 2,
        0x28 => 28,
        0x2B => 15,
        0x2C => 57,
        0x2D => 12,
        0x2E => 13,
        0x2F => 26,
        0x30 => 27,
        0x31 => 43,
        0x33 => 39,
        0x34 => 40,
        0x35 => 41,
        0x36 => 51,
        0x37 => 52,
        0x38 => 53,
        other => panic!("HID usage {other:#x} is not on a US keyboard's main block"),
    }
}

/// The input events a wedge scanner's planned keys make (press, release, Shift around).
fn events_of(keys: &serde_json::Value) -> Vec<u8> {
    let mut out = Vec::new();
    for k in keys.as_array().expect("the keys to press") {
        let usage = k["usage"].as_u64().unwrap_or_else(|| panic!("a physical key: {k}"));
        let shift = k["shift"].as_bool().unwrap_or(false);
        let code = linux_key(usage);
        if shift {
            out.extend(evdev::raw(1, 42, 1));
        }
        out.extend(evdev::raw(1, code, 1));
        out.extend(evdev::raw(0, 0, 0));
        out.extend(evdev::raw(1, code, 0));
        if shift {
            out.extend(evdev::raw(1, 42, 0));
        }
    }
    out
}

fn booked_kiosk() -> (Kiosk, String) {
    let k = Kiosk::new();
    let feed = mpp_kiosk::catalogue::default_feed();
    let site = feed.site.code.clone();
    // The day's bookings as a sync round keeps them: one for this morning's 09.00 slot.
    let mut store = mpp_kiosk::store::Store::open(&k.db()).unwrap();
    let code = mpp_domain::booking::BookingCode::parse(CODE).unwrap();
    store
        .set_day_bookings(&mpp_kiosk::protocol::DayBookings {
            date: jiff::civil::date(2026, 11, 30),
            bookings: vec![mpp_kiosk::protocol::BookingEntry {
                code_hash: mpp_kiosk::sync::bookings::code_hash(&code, &site),
                service: "KTP-BARU".into(),
                slot_start: "09:00".into(),
                slot_end: "09:30".into(),
                state: "booked".into(),
                early_minutes: 30,
                late_minutes: 15,
            }],
        })
        .unwrap();
    drop(store);
    (k, site)
}

fn check_in(k: &Kiosk, cfg: &std::path::Path, scanned: &str) -> crate::support::Run {
    let mut c = k.command_with_config(cfg);
    c.env("MPP_KIOSK_NOW", OPEN).args(["ticket", "check-in", scanned, "--json"]);
    crate::support::Run(c.output().unwrap())
}

#[test]
fn codes_from_a_serial_and_a_keyboard_wedge_scanner_check_a_booking_in_once() {
    let Some((emu, _guard)) = Emulator::get() else { return };
    let (k, site) = booked_kiosk();
    let cfg = k.write(
        "printer.toml",
        &format!("[printer]\nuri = \"tcp://127.0.0.1:{}\"\npaper = \"80mm\"\ntimeout_ms = 1500\n", emu.printer_port),
    );

    // Serial mode: the QR code holds the booking page's address; the kiosk reads the line.
    let (tx, rx) = mpsc::channel();
    let serial = tx.clone();
    scanner::spawn(ScannerUri::Serial { path: emu.scanner_link(), baud: 9600 }, move |c| drop(serial.send(c)));
    let address = format!("https://antrean.example/b/{site}/{CODE}");
    // The reader opens the pty within a moment; a scan before that waits in the pty.
    std::thread::sleep(Duration::from_millis(300));
    emu.scan("reader", &address);
    let scanned = rx.recv_timeout(Duration::from_secs(10)).expect("the serial scanner's code reached the kiosk");
    assert_eq!(scanned, address);

    let mut ticket = serde_json::Value::Null;
    let (text, _, _) = emu.receipt_of(|| ticket = check_in(&k, &cfg, &scanned).json());
    let number = ticket["number"].as_str().expect("a number").to_owned();
    assert_eq!(ticket["late"], false, "{ticket}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [number.as_str(), "BOOKING 09.00-09.30 WITA", "Fotokopi Kartu Keluarga (KK)", "LOKET 1"] {
        assert!(flat.contains(expected), "{expected:?} missing from the booking slip:\n{text}");
    }

    // Keyboard-wedge mode: emupos plans the keys; they arrive as the device's events.
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("usb-Scanner-event-kbd");
    let c = std::ffi::CString::new(device.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let wedge = tx;
    scanner::spawn(ScannerUri::Evdev { path: device.clone() }, move |c| drop(wedge.send(c)));
    let accepted = emu.scan("wedge", &format!("{}-{}", &CODE[..4], &CODE[4..]));
    assert_eq!(accepted["typed_by"], "client", "{accepted}");
    let mut fifo = std::fs::OpenOptions::new().write(true).open(&device).unwrap();
    fifo.write_all(&events_of(&accepted["keys"])).unwrap();
    let typed = rx.recv_timeout(Duration::from_secs(10)).expect("the wedge scanner's code reached the kiosk");
    assert_eq!(typed, format!("{}-{}", &CODE[..4], &CODE[4..]));

    // The same booking again: refused with its number, nothing printed.
    let again = check_in(&k, &cfg, &typed);
    assert_ne!(again.code(), 0);
    let said = again.stderr();
    assert!(said.contains(&number) && said.contains("hanya berlaku sekali"), "{said}");
}
