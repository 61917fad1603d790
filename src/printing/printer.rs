//! Printers: where the bytes go (a URI from the config) and the printer's real-time status.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};

use std::path::PathBuf;
use std::time::Duration;

use super::slip::Slip;
use crate::text::Lang;

/// Where slips go, from `[printer] uri`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PrinterUri {
    /// A network printer, raw TCP (port 9100 usually).
    Tcp { host: String, port: u16 },
    /// A device or file written directly, e.g. `/dev/usb/lp0` (no status can be read).
    File(PathBuf),
    /// A USB printer claimed directly by vendor and product id (status is read when the
    /// printer has an IN endpoint).
    Usb { vid: u16, pid: u16 },
    /// A serial printer (RS-232 or USB-serial), e.g. `/dev/ttyUSB0` at 19200 baud.
    Serial { path: PathBuf, baud: u32 },
    /// No printer: each slip's bytes and text land in this folder (development, training).
    Preview(PathBuf),
}

impl std::str::FromStr for PrinterUri {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(rest) = s.strip_prefix("tcp://") {
            let (host, port) = rest
                .rsplit_once(':')
                .ok_or_else(|| format!("{s:?}: expected tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100"))?;
            let port = port.parse().map_err(|_| format!("{s:?}: bad port {port:?}"))?;
            if host.is_empty() {
                return Err(format!("{s:?}: no host"));
            }
            return Ok(PrinterUri::Tcp { host: host.trim_matches(['[', ']']).to_owned(), port });
        }
        if let Some(path) = s.strip_prefix("file://") {
            return Ok(PrinterUri::File(PathBuf::from(path)));
        }
        if let Some(dir) = s.strip_prefix("preview:") {
            return Ok(PrinterUri::Preview(PathBuf::from(dir)));
        }
        if let Some(ids) = s.strip_prefix("usb://") {
            let bad = || format!("{s:?}: expected usb://VID:PID in hexadecimal, e.g. usb://04b8:0202 (see `lsusb`)");
            let (vid, pid) = ids.split_once(':').ok_or_else(bad)?;
            let hex = |h: &str| if h.len() == 4 { u16::from_str_radix(h, 16).ok() } else { None };
            return Ok(PrinterUri::Usb { vid: hex(vid).ok_or_else(bad)?, pid: hex(pid).ok_or_else(bad)? });
        }
        if let Some(rest) = s.strip_prefix("serial://") {
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            if !path.starts_with('/') {
                return Err(format!("{s:?}: expected serial:///dev/ttyUSB0?baud=19200 (an absolute device path)"));
            }
            let mut baud = 9600;
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                match pair.split_once('=') {
                    Some(("baud", b)) => {
                        baud = b
                            .parse()
                            .ok()
                            .filter(|b| [2400, 4800, 9600, 19200, 38400, 57600, 115200].contains(b))
                            .ok_or_else(|| {
                            format!("{s:?}: baud {b:?} is not one of 2400, 4800, 9600, 19200, 38400, 57600, 115200")
                        })?;
                    }
                    _ => return Err(format!("{s:?}: unknown option {pair:?}; the only option is baud=N")),
                }
            }
            return Ok(PrinterUri::Serial { path: PathBuf::from(path), baud });
        }
        Err(format!(
            "{s:?}: unknown printer URI; use tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0?baud=19200, file:///dev/usb/lp0 or preview:DIR"
        ))
    }
}

/// What the printer answered to DLE EOT 1, 2 and 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PrinterStatus {
    pub offline: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_near_end: bool,
    pub error: bool,
}

pub use crate::device::Fault;

impl PrinterStatus {
    /// Reads the three replies; each must have the fixed pattern 0xx1xx10.
    pub fn from_replies(n1: u8, n2: u8, n4: u8) -> Result<PrinterStatus, String> {
        for (n, b) in [(1, n1), (2, n2), (4, n4)] {
            if b & 0x93 != 0x12 {
                return Err(format!("status reply to DLE EOT {n} is {b:#04x}, not an ESC/POS status byte"));
            }
        }
        Ok(PrinterStatus {
            offline: n1 & 0x08 != 0,
            cover_open: n2 & 0x04 != 0,
            paper_out: n2 & 0x20 != 0 || n4 & 0x60 != 0,
            error: n2 & 0x40 != 0,
            paper_near_end: n4 & 0x0C != 0,
        })
    }

    /// The fault that stops printing, if any (paper near its end does not).
    pub fn fault(&self) -> Option<Fault> {
        if self.paper_out {
            Some(Fault::PaperOut)
        } else if self.cover_open {
            Some(Fault::CoverOpen)
        } else if self.error {
            Some(Fault::Error)
        } else if self.offline {
            Some(Fault::Offline)
        } else {
            None
        }
    }
}

/// How a status reads to staff and technicians.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Prints, but needs attention soon (paper near its end).
    Attention,
    /// Cannot print.
    Fault,
}

/// A status (`None`: the printer reports none) in words, with its readiness.
pub fn describe(status: Option<PrinterStatus>, lang: Lang) -> (Readiness, String) {
    let en = lang == Lang::En;
    match status {
        None => (
            Readiness::Ready,
            if en {
                "ready (this kind of printer reports no status)"
            } else {
                "siap (printer ini tidak melaporkan status)"
            }
            .into(),
        ),
        Some(s) => match s.fault() {
            Some(f) => (Readiness::Fault, format!("{} — {}", f.code(), f.message(lang))),
            None if s.paper_near_end => (
                Readiness::Attention,
                if en {
                    "ready, paper near its end: change the roll"
                } else {
                    "siap; kertas hampir habis, ganti gulungan"
                }
                .into(),
            ),
            None => (Readiness::Ready, if en { "ready" } else { "siap" }.into()),
        },
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("printer {target}: {reason}")]
    Io { target: String, reason: String },
    #[error("printer not ready: {}", .0.code())]
    NotReady(Fault),
}

const DLE_EOT: [u8; 2] = [0x10, 0x04];

/// A two-way byte stream to a printer with read and write timeouts.
pub trait Port: Read + Write + Send {}
impl<T: Read + Write + Send> Port for T {}

/// One open connection to a printer, for one slip.
pub enum Connection {
    /// TCP, USB or serial: bytes both ways, so status can be read (when `status`).
    Port {
        port: Box<dyn Port>,
        target: String,
        status: bool,
    },
    /// A device file written blindly (usblp). The kernel can block a write on it forever
    /// (paper out), so writes run on a helper thread and give up after `timeout`.
    File {
        path: PathBuf,
        timeout: Duration,
    },
    Preview {
        dir: PathBuf,
    },
}

impl Connection {
    /// Opens the printer with a connect timeout; `timeout` also bounds each read and write.
    pub fn open(uri: &PrinterUri, timeout: Duration) -> Result<Connection, PrintError> {
        match uri {
            PrinterUri::Tcp { host, port } => {
                let target = format!("{host}:{port}");
                let io = |reason: String| PrintError::Io { target: target.clone(), reason };
                let addrs: Vec<_> =
                    (host.as_str(), *port).to_socket_addrs().map_err(|e| io(format!("cannot resolve: {e}")))?.collect();
                let mut last = String::from("no address");
                for addr in addrs {
                    match TcpStream::connect_timeout(&addr, timeout) {
                        Ok(stream) => {
                            stream.set_read_timeout(Some(timeout)).map_err(|e| io(e.to_string()))?;
                            stream.set_write_timeout(Some(timeout)).map_err(|e| io(e.to_string()))?;
                            stream.set_nodelay(true).ok();
                            return Ok(Connection::Port { port: Box::new(stream), target, status: true });
                        }
                        Err(e) => last = format!("cannot connect: {e}"),
                    }
                }
                Err(io(last))
            }
            PrinterUri::Usb { vid, pid } => {
                let target = format!("usb://{vid:04x}:{pid:04x}");
                let port = super::usb::UsbPort::open(*vid, *pid, timeout)
                    .map_err(|reason| PrintError::Io { target: target.clone(), reason })?;
                let status = port.can_read();
                Ok(Connection::Port { port: Box::new(port), target, status })
            }
            PrinterUri::Serial { path, baud } => {
                let target = path.display().to_string();
                let port = serialport::new(target.as_str(), *baud).timeout(timeout).open_native().map_err(|e| {
                    PrintError::Io { target: target.clone(), reason: format!("cannot open serial port: {e}") }
                })?;
                Ok(Connection::Port { port: Box::new(port), target, status: true })
            }
            PrinterUri::File(path) => Ok(Connection::File { path: path.clone(), timeout }),
            PrinterUri::Preview(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| PrintError::Io { target: dir.display().to_string(), reason: e.to_string() })?;
                Ok(Connection::Preview { dir: dir.clone() })
            }
        }
    }

    /// The printer's real-time status, or `None` where the transport cannot read one
    /// (a device file, the preview). No reply within the timeout counts as offline.
    pub fn status(&mut self) -> Result<Option<PrinterStatus>, PrintError> {
        let Connection::Port { port, target, status: true } = self else { return Ok(None) };
        let mut replies = [0u8; 3];
        for (i, n) in [1u8, 2, 4].into_iter().enumerate() {
            let io = |reason: String| PrintError::Io { target: target.clone(), reason };
            port.write_all(&[DLE_EOT[0], DLE_EOT[1], n])
                .and_then(|()| port.flush())
                .map_err(|e| io(format!("cannot ask for status: {e}")))?;
            let mut b = [0u8; 1];
            match port.read(&mut b) {
                Ok(1) => replies[i] = b[0],
                Ok(_) => return Err(io("the printer closed the connection".into())),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return Ok(Some(PrinterStatus { offline: true, ..Default::default() }));
                }
                Err(e) => return Err(io(format!("cannot read status: {e}"))),
            }
        }
        PrinterStatus::from_replies(replies[0], replies[1], replies[2])
            .map(Some)
            .map_err(|reason| PrintError::Io { target: target.clone(), reason })
    }

    /// Sends one slip. `name` names the preview files; the preview also draws `slip`.
    pub fn send(&mut self, bytes: &[u8], name: &str, slip: &Slip) -> Result<(), PrintError> {
        match self {
            Connection::Port { port, target, .. } => port.write_all(bytes).and_then(|()| port.flush()).map_err(|e| {
                PrintError::Io { target: target.clone(), reason: format!("sending the slip failed: {e}") }
            }),
            Connection::File { path, timeout } => {
                let (tx, rx) = std::sync::mpsc::channel();
                let (p, b) = (path.clone(), bytes.to_vec());
                // A blocked writer stays blocked in the kernel; the job goes on without it.
                std::thread::spawn(move || {
                    let r = std::fs::OpenOptions::new()
                        .append(true)
                        .create(true)
                        .open(&p)
                        .and_then(|mut f| f.write_all(&b).and_then(|()| f.flush()));
                    let _ = tx.send(r);
                });
                let target = path.display().to_string();
                match rx.recv_timeout(*timeout * 4) {
                    Ok(r) => r.map_err(|e| PrintError::Io { target, reason: e.to_string() }),
                    Err(_) => Err(PrintError::Io {
                        target,
                        reason: format!(
                            "the printer took no data for {} ms (paper out, or a device that does not answer)",
                            (*timeout * 4).as_millis()
                        ),
                    }),
                }
            }
            Connection::Preview { dir } => {
                let io =
                    |e: std::io::Error| PrintError::Io { target: dir.display().to_string(), reason: e.to_string() };
                std::fs::write(dir.join(format!("{name}.bin")), bytes).map_err(io)?;
                std::fs::write(dir.join(format!("{name}.txt")), slip.plain_text()).map_err(io)?;
                std::fs::write(dir.join(format!("{name}.png")), super::preview::render(slip).to_png()).map_err(io)?;
                Ok(())
            }
        }
    }
}

impl TryFrom<String> for PrinterUri {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<PrinterUri> for String {
    fn from(u: PrinterUri) -> String {
        match u {
            PrinterUri::Tcp { host, port } => format!("tcp://{host}:{port}"),
            PrinterUri::File(p) => format!("file://{}", p.display()),
            PrinterUri::Usb { vid, pid } => format!("usb://{vid:04x}:{pid:04x}"),
            PrinterUri::Serial { path, baud } => format!("serial://{}?baud={baud}", path.display()),
            PrinterUri::Preview(d) => format!("preview:{}", d.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_with_clear_errors() {
        assert_eq!("tcp://127.0.0.1:9100".parse(), Ok(PrinterUri::Tcp { host: "127.0.0.1".into(), port: 9100 }));
        assert_eq!("file:///dev/usb/lp0".parse(), Ok(PrinterUri::File("/dev/usb/lp0".into())));
        assert_eq!("preview:/tmp/slips".parse(), Ok(PrinterUri::Preview("/tmp/slips".into())));
        assert!("tcp://printer".parse::<PrinterUri>().unwrap_err().contains("tcp://HOST:PORT"));
        assert_eq!("usb://04b8:0202".parse(), Ok(PrinterUri::Usb { vid: 0x04b8, pid: 0x0202 }));
        assert!("usb://04b8".parse::<PrinterUri>().unwrap_err().contains("usb://VID:PID"));
        assert!("usb://epson:1".parse::<PrinterUri>().unwrap_err().contains("hexadecimal"));
        assert_eq!(
            "serial:///dev/ttyUSB0?baud=19200".parse(),
            Ok(PrinterUri::Serial { path: "/dev/ttyUSB0".into(), baud: 19200 })
        );
        assert_eq!("serial:///dev/ttyS0".parse(), Ok(PrinterUri::Serial { path: "/dev/ttyS0".into(), baud: 9600 }));
        assert!("serial:///dev/ttyUSB0?baud=12345".parse::<PrinterUri>().unwrap_err().contains("not one of"));
        assert!("serial:///dev/ttyUSB0?parity=odd".parse::<PrinterUri>().unwrap_err().contains("unknown option"));
        assert!("lpt1".parse::<PrinterUri>().unwrap_err().contains("unknown printer URI"));
    }

    #[test]
    fn status_bytes() {
        let ok = PrinterStatus::from_replies(0x12, 0x12, 0x12).unwrap();
        assert_eq!(ok.fault(), None);
        assert_eq!(PrinterStatus::from_replies(0x1A, 0x12, 0x12).unwrap().fault(), Some(Fault::Offline));
        assert_eq!(PrinterStatus::from_replies(0x12, 0x16, 0x12).unwrap().fault(), Some(Fault::CoverOpen));
        assert_eq!(PrinterStatus::from_replies(0x12, 0x32, 0x72).unwrap().fault(), Some(Fault::PaperOut));
        let near = PrinterStatus::from_replies(0x12, 0x12, 0x1E).unwrap();
        assert!(near.paper_near_end && near.fault().is_none());
        assert!(PrinterStatus::from_replies(0x00, 0x12, 0x12).is_err());
    }
}
