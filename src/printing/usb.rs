//! USB printers spoken to directly (pure Rust, `nusb`: no libusb), for printers that the
//! kernel's `usblp` driver does not take, or where the status must be read. The kiosk's
//! udev rule (deploy/) gives the `lp` group access; `usblp` is detached when bound.

use std::io::{Read, Write};
use std::time::Duration;

use nusb::MaybeFuture;
use nusb::descriptors::TransferType;
use nusb::transfer::{Bulk, Direction, In, Out};

/// USB class of printers.
const CLASS_PRINTER: u8 = 7;

/// A claimed printer interface: bulk OUT for the slip, bulk IN (when the printer has one)
/// for the status replies.
pub struct UsbPort {
    out: nusb::io::EndpointWrite<Bulk>,
    inp: Option<nusb::io::EndpointRead<Bulk>>,
}

impl UsbPort {
    /// Opens the first device with this vendor and product id.
    pub fn open(vid: u16, pid: u16, timeout: Duration) -> Result<UsbPort, String> {
        let info = nusb::list_devices()
            .wait()
            .map_err(|e| format!("cannot list USB devices: {e}"))?
            .find(|d| d.vendor_id() == vid && d.product_id() == pid)
            .ok_or_else(|| format!("no USB device {vid:04x}:{pid:04x} is connected (check the cable and `lsusb`)"))?;
        let device = info.open().wait().map_err(|e| format!("cannot open USB device {vid:04x}:{pid:04x}: {e} (is the udev rule installed and the kiosk in group lp?)"))?;
        let config = device
            .active_configuration()
            .map_err(|e| format!("USB device {vid:04x}:{pid:04x} has no active configuration: {e}"))?;
        // Prefer the printer-class interface; cheap printers sometimes report vendor class.
        let mut best: Option<(u8, u8, Option<u8>, bool)> = None;
        for intf in config.interfaces() {
            let Some(alt) = intf.alt_settings().next() else { continue };
            let mut out = None;
            let mut inp = None;
            for ep in alt.endpoints() {
                if ep.transfer_type() == TransferType::Bulk {
                    match ep.direction() {
                        Direction::Out => out = out.or(Some(ep.address())),
                        Direction::In => inp = inp.or(Some(ep.address())),
                    }
                }
            }
            if let Some(out) = out {
                let printer = alt.class() == CLASS_PRINTER;
                if best.is_none_or(|b| printer && !b.3) {
                    best = Some((intf.interface_number(), out, inp, printer));
                }
            }
        }
        let (number, out_addr, in_addr, _) =
            best.ok_or_else(|| format!("USB device {vid:04x}:{pid:04x} has no bulk OUT endpoint: is it a printer?"))?;
        let interface = device
            .detach_and_claim_interface(number)
            .wait()
            .map_err(|e| format!("cannot claim interface {number} of {vid:04x}:{pid:04x}: {e}"))?;
        let out = interface
            .endpoint::<Bulk, Out>(out_addr)
            .map_err(|e| e.to_string())?
            .writer(4096)
            .with_write_timeout(timeout);
        let inp = match in_addr {
            Some(a) => Some(
                interface.endpoint::<Bulk, In>(a).map_err(|e| e.to_string())?.reader(64).with_read_timeout(timeout),
            ),
            None => None,
        };
        Ok(UsbPort { out, inp })
    }

    /// Some cheap USB bridges have no IN endpoint: no status can be read from them.
    pub fn can_read(&self) -> bool {
        self.inp.is_some()
    }
}

impl Write for UsbPort {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Read for UsbPort {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.inp {
            Some(r) => r.read(buf),
            None => Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "this USB printer has no IN endpoint")),
        }
    }
}
