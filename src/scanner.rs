//! The booking scanner: a USB 2D barcode scanner read on a thread of its own; each code
//! it reads (a line) is handed to the screen as `Event::Scanned`. The scanner never types
//! into the screen, whichever way it is attached, and one that is unplugged is opened again
//! when it returns:
//! - `serial:///dev/ttyACM0?baud=9600`: its serial (CDC-ACM) mode, its own device; most
//!   report as `/dev/serial/by-id/usb-…`;
//! - `evdev:/dev/input/by-id/usb-…-event-kbd`: its keyboard-wedge (HID) mode. The device
//!   is grabbed (`EVIOCGRAB`), so its keys reach this reader only, never the screen (the
//!   kiosk's screen drops keyboard input besides), and read as a US keyboard's.
//!
//! Without a scanner the check-in screen takes typed codes.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `[scanner]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    /// `serial:///dev/ttyACM0?baud=9600` or `evdev:/dev/input/…`; none: no scanner.
    pub uri: Option<ScannerUri>,
}

/// Where the scanner is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ScannerUri {
    Serial {
        path: PathBuf,
        baud: u32,
    },
    /// A keyboard-wedge scanner's input event device.
    Evdev {
        path: PathBuf,
    },
}

impl ScannerUri {
    pub fn path(&self) -> &std::path::Path {
        match self {
            ScannerUri::Serial { path, .. } | ScannerUri::Evdev { path } => path,
        }
    }
}

impl TryFrom<String> for ScannerUri {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if let Some(path) = s.strip_prefix("evdev:") {
            let path = path.trim_start_matches("//");
            if !path.starts_with("/dev/") && !path.starts_with('/') {
                return Err(format!(
                    "{s:?}: the device path must be absolute, e.g. evdev:/dev/input/by-id/usb-…-event-kbd"
                ));
            }
            return Ok(ScannerUri::Evdev { path: path.into() });
        }
        let rest = s.strip_prefix("serial://").ok_or_else(|| {
            format!("{s:?}: a scanner is serial:///dev/ttyACM0?baud=9600 (serial mode) or evdev:/dev/input/by-id/…-event-kbd (keyboard mode)")
        })?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if !path.starts_with('/') {
            return Err(format!("{s:?}: the device path must be absolute, e.g. serial:///dev/ttyACM0"));
        }
        let mut baud = 9600;
        for part in query.split('&').filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some(("baud", b)) => baud = b.parse().map_err(|_| format!("{s:?}: baud {b:?} is not a number"))?,
                _ => return Err(format!("{s:?}: unknown option {part:?} (only baud)")),
            }
        }
        Ok(ScannerUri::Serial { path: path.into(), baud })
    }
}

impl From<ScannerUri> for String {
    fn from(u: ScannerUri) -> String {
        match u {
            ScannerUri::Serial { path, baud } => format!("serial://{}?baud={baud}", path.display()),
            ScannerUri::Evdev { path } => format!("evdev:{}", path.display()),
        }
    }
}

/// Codes from a scanner's bytes: a line each (CR, LF or both end one), blanks and
/// control characters dropped, at most 512 characters (a QR code holds a booking's
/// address, not a page).
#[derive(Default)]
pub struct Lines {
    partial: String,
}

impl Lines {
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for &b in bytes {
            match b {
                b'\r' | b'\n' => {
                    let line = std::mem::take(&mut self.partial);
                    if !line.trim().is_empty() {
                        out.push(line.trim().to_owned());
                    }
                }
                b if (b.is_ascii_graphic() || b == b' ') && self.partial.len() < 512 => self.partial.push(b as char),
                _ => {}
            }
        }
        out
    }
}

/// Reads the scanner for the life of the process, handing each code to `scanned`.
pub fn spawn(uri: ScannerUri, scanned: impl Fn(String) + Send + 'static) {
    std::thread::Builder::new()
        .name("scanner".into())
        .spawn(move || {
            let mut warned = false;
            loop {
                let opened: Result<Box<dyn Read>, String> = match &uri {
                    ScannerUri::Serial { path, baud } => serialport::new(path.to_string_lossy(), *baud)
                        .timeout(Duration::from_secs(1))
                        .open_native()
                        .map(|p| Box::new(p) as Box<dyn Read>)
                        .map_err(|e| e.to_string()),
                    ScannerUri::Evdev { path } => evdev::open(path).map(|d| Box::new(d) as Box<dyn Read>),
                };
                match opened {
                    Ok(mut port) => {
                        log::info!("scanner on {}", uri.path().display());
                        warned = false;
                        let mut lines = Lines::default();
                        let mut buf = [0u8; 256];
                        loop {
                            match port.read(&mut buf) {
                                Ok(0) => break,
                                Ok(n) => lines.feed(&buf[..n]).into_iter().for_each(&scanned),
                                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                                Err(e) => {
                                    log::warn!("scanner {}: {e}; opening it again", uri.path().display());
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) if !warned => {
                        log::warn!("scanner {}: {e}; trying again every 5 s", uri.path().display());
                        warned = true;
                    }
                    Err(_) => {}
                }
                std::thread::sleep(Duration::from_secs(5));
            }
        })
        .expect("a thread for the scanner");
}

/// A keyboard-wedge scanner's input events as the text it types.
pub mod evdev {
    use std::io::Read;
    use std::os::fd::AsRawFd;

    /// `EVIOCGRAB`: `_IOW('E', 0x90, int)`.
    const EVIOCGRAB: libc::c_ulong = 0x4004_4590;
    const EV_KEY: u16 = 1;
    /// `struct input_event` on 64-bit Linux: a timeval (16 bytes), type, code, value.
    pub const EVENT_SIZE: usize = 24;
    const KEY_LEFTSHIFT: u16 = 42;
    const KEY_RIGHTSHIFT: u16 = 54;

    /// The device, grabbed: what it types reaches nothing else.
    pub struct Device {
        file: std::fs::File,
        keys: Keys,
        pending: Vec<u8>,
    }

    /// Opens and grabs the device. A file that cannot be grabbed (not an event device: a
    /// recorded stream in a test) is read all the same, with a note in the log.
    pub fn open(path: &std::path::Path) -> Result<Device, String> {
        Ok(Device { file: open_grabbed(path)?, keys: Keys::default(), pending: Vec::new() })
    }

    /// Opens an input event device and grabs it, so its events reach this reader only (the
    /// scanner's, the speech keypad's). One that cannot be grabbed (a recorded stream in a
    /// test) is read all the same, with a note in the log.
    pub fn open_grabbed(path: &std::path::Path) -> Result<std::fs::File, String> {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        // SAFETY: EVIOCGRAB takes an int by value; the fd is open for the call.
        let r = unsafe { libc::ioctl(file.as_raw_fd(), EVIOCGRAB as _, 1 as libc::c_int) };
        if r != 0 {
            log::warn!(
                "{}: cannot grab it ({}); its keys may also reach other readers",
                path.display(),
                std::io::Error::last_os_error()
            );
        }
        Ok(file)
    }

    impl Read for Device {
        /// The characters typed, with Enter as `\n`.
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let mut event = [0u8; EVENT_SIZE * 16];
            loop {
                let n = self.file.read(&mut event)?;
                if n == 0 {
                    return Ok(0);
                }
                self.pending.extend_from_slice(&event[..n]);
                let whole = self.pending.len() / EVENT_SIZE * EVENT_SIZE;
                let text: Vec<u8> =
                    self.pending[..whole].chunks(EVENT_SIZE).filter_map(|e| self.keys.event(e)).collect();
                self.pending.drain(..whole);
                if !text.is_empty() {
                    let n = text.len().min(out.len());
                    out[..n].copy_from_slice(&text[..n]);
                    return Ok(n);
                }
            }
        }
    }

    /// The shift state and the US layout: key events to characters.
    #[derive(Default)]
    pub struct Keys {
        shift: bool,
    }

    impl Keys {
        /// The character one raw `input_event` types, if any.
        pub fn event(&mut self, e: &[u8]) -> Option<u8> {
            let kind = u16::from_ne_bytes([e[16], e[17]]);
            let code = u16::from_ne_bytes([e[18], e[19]]);
            let value = i32::from_ne_bytes([e[20], e[21], e[22], e[23]]);
            if kind != EV_KEY {
                return None;
            }
            if code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT {
                self.shift = value != 0;
                return None;
            }
            // Presses and repeats type; releases do not.
            if value == 0 {
                return None;
            }
            char_of(code, self.shift)
        }
    }

    /// A US keyboard's key codes (linux/input-event-codes.h) to ASCII.
    fn char_of(code: u16, shift: bool) -> Option<u8> {
        const ROW1: &[u8] = b"1234567890-=";
        const ROW1_SHIFT: &[u8] = b"!@#$%^&*()_+";
        const ROW2: &[u8] = b"qwertyuiop[]";
        const ROW3: &[u8] = b"asdfghjkl;'`";
        const ROW4: &[u8] = b"\\zxcvbnm,./";
        const ROW4_SHIFT: &[u8] = b"|ZXCVBNM<>?";
        let pick = |row: &[u8], i: usize| row.get(i).copied();
        let c = match code {
            2..=13 => {
                if shift {
                    pick(ROW1_SHIFT, usize::from(code - 2))
                } else {
                    pick(ROW1, usize::from(code - 2))
                }
            }
            16..=27 => pick(ROW2, usize::from(code - 16)),
            30..=41 => pick(ROW3, usize::from(code - 30)),
            43..=53 => {
                if shift {
                    pick(ROW4_SHIFT, usize::from(code - 43))
                } else {
                    pick(ROW4, usize::from(code - 43))
                }
            }
            28 | 96 => Some(b'\n'),
            57 => Some(b' '),
            _ => None,
        }?;
        Some(match (c, shift) {
            (b'a'..=b'z', true) => c.to_ascii_uppercase(),
            (b'[', true) => b'{',
            (b']', true) => b'}',
            (b';', true) => b':',
            (b'\'', true) => b'"',
            (b'`', true) => b'~',
            _ => c,
        })
    }

    /// One raw `input_event` (for tests and recordings).
    pub fn raw(kind: u16, code: u16, value: i32) -> [u8; EVENT_SIZE] {
        let mut e = [0u8; EVENT_SIZE];
        e[16..18].copy_from_slice(&kind.to_ne_bytes());
        e[18..20].copy_from_slice(&code.to_ne_bytes());
        e[20..24].copy_from_slice(&value.to_ne_bytes());
        e
    }

    /// The events a US keyboard sends to type `text` (press and release, Shift around
    /// capitals and shifted signs, Enter at the end): what a wedge scanner sends.
    pub fn typing(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for ch in text.bytes() {
            let Some((code, shift)) = (1..=96u16)
                .find_map(|c| [false, true].into_iter().find(|&s| char_of(c, s) == Some(ch)).map(|s| (c, s)))
            else {
                continue;
            };
            if shift {
                out.extend(raw(EV_KEY, KEY_LEFTSHIFT, 1));
            }
            out.extend(raw(EV_KEY, code, 1));
            out.extend(raw(0, 0, 0));
            out.extend(raw(EV_KEY, code, 0));
            if shift {
                out.extend(raw(EV_KEY, KEY_LEFTSHIFT, 0));
            }
        }
        out.extend(raw(EV_KEY, 28, 1));
        out.extend(raw(EV_KEY, 28, 0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scanner_uri_and_its_lines() {
        let u: ScannerUri = "serial:///dev/ttyACM0?baud=115200".to_owned().try_into().unwrap();
        assert_eq!(u, ScannerUri::Serial { path: "/dev/ttyACM0".into(), baud: 115200 });
        let e: ScannerUri = "evdev:/dev/input/event3".to_owned().try_into().unwrap();
        assert_eq!(e, ScannerUri::Evdev { path: "/dev/input/event3".into() });
        assert!(ScannerUri::try_from("hid:/dev/input/event3".to_owned()).unwrap_err().contains("evdev:"));
        assert!(ScannerUri::try_from("serial://ttyACM0".to_owned()).unwrap_err().contains("absolute"));
        let mut l = Lines::default();
        assert_eq!(l.feed(b"KQ4M7TCX\r\nhttps://antrean.example/b/MPP"), vec!["KQ4M7TCX"]);
        assert_eq!(l.feed(b"-JENEPONTO/ACDEFGHA\n\n\x1b\r"), vec!["https://antrean.example/b/MPP-JENEPONTO/ACDEFGHA"]);
    }

    #[test]
    fn a_wedge_scanners_key_events_read_as_the_code_it_typed() {
        let typed = evdev::typing("https://hub.example/b/MPP-JENEPONTO/KQ4M7TCX");
        let mut keys = evdev::Keys::default();
        let text: Vec<u8> = typed.chunks(evdev::EVENT_SIZE).filter_map(|e| keys.event(e)).collect();
        let mut l = Lines::default();
        assert_eq!(l.feed(&text), vec!["https://hub.example/b/MPP-JENEPONTO/KQ4M7TCX"]);
    }

    #[test]
    fn a_wedge_scanner_read_from_its_device_through_a_pipe() {
        // A FIFO stands in for the event device (it cannot be grabbed; it is read the same).
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("event-kbd");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
                // Split mid-event: the reader keeps the half for the next read.
                let t = evdev::typing("ACDE3479");
                f.write_all(&t[..30]).unwrap();
                f.flush().unwrap();
                f.write_all(&t[30..]).unwrap();
            })
        };
        let mut d = evdev::open(&fifo).unwrap();
        let mut lines = Lines::default();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while got.is_empty() {
            let n = d.read(&mut buf).unwrap();
            assert!(n > 0, "the stream ended before a whole code");
            got = lines.feed(&buf[..n]);
        }
        writer.join().unwrap();
        assert_eq!(got, vec!["ACDE3479"]);
    }
}
