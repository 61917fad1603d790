//! A slip description to ESC/POS bytes, with the `escpos` crate (0.20.1) and around its
//! known byte-level bugs (see shared/reference/escpos-and-printers.md):
//! - a fresh `Printer` per slip: `print()` keeps its queue after a failed write;
//! - `FS .` after `ESC @`: cheap printers start in Chinese (Kanji) mode;
//! - code page PC437 set explicitly and text already ASCII: some pages turn `-` into a
//!   soft hyphen, and with no page the text would go out as UTF-8;
//! - QR Model 2 asked for explicitly (the crate's default is Model 1), or a raster QR for
//!   printers without native QR;
//! - the partial cut sent as `GS V 66 0` by hand: the crate's `partial_cut()` is a full cut;
//! - no `cash_drawer()` (it eats the next two bytes).

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use super::bitmap::Bitmap;
use super::layout::{Align, Line, Slip};

/// How the printer draws QR codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QrMode {
    /// `GS ( k`, QR Model 2: sharp and small, for printers that support it.
    #[default]
    Native,
    /// A `GS v 0` raster image, for cheap printers without native QR.
    Raster,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot encode the slip: {0}")]
pub struct EncodeError(String);

/// Collects what the `Printer` writes.
#[derive(Clone, Default)]
struct Memory(Rc<RefCell<Vec<u8>>>);

impl Driver for Memory {
    fn name(&self) -> String {
        "memory".into()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

const FS_CANCEL_KANJI: [u8; 2] = [0x1C, 0x2E];
/// `GS V 66 n`: feed n motion units, then a partial cut.
const GS_PARTIAL_CUT_AFTER_FEED: [u8; 4] = [0x1D, 0x56, 0x42, 0x00];

pub fn encode(slip: &Slip, qr: QrMode) -> Result<Vec<u8>, EncodeError> {
    let err = |e: escpos::errors::PrinterError| EncodeError(e.to_string());
    let memory = Memory::default();
    let cols = slip.paper.columns();
    let options = PrinterOptions::new(Some(PageCode::PC437), None, cols as u8);
    let mut p = Printer::new(memory.clone(), Protocol::default(), Some(options));
    p.init().map_err(err)?.custom(&FS_CANCEL_KANJI).map_err(err)?.page_code(PageCode::PC437).map_err(err)?;
    for line in &slip.lines {
        match line {
            Line::Text { text, align, bold, scale, inverted } => {
                if !text.is_ascii() {
                    return Err(EncodeError(format!("non-ASCII text reached the encoder: {text:?}")));
                }
                p.justify(justify(*align))
                    .map_err(err)?
                    .bold(*bold)
                    .map_err(err)?
                    .size(*scale, *scale)
                    .map_err(err)?
                    .reverse(*inverted)
                    .map_err(err)?
                    .write(text)
                    .map_err(err)?
                    .feed()
                    .map_err(err)?
                    .reverse(false)
                    .map_err(err)?
                    .reset_size()
                    .map_err(err)?
                    .bold(false)
                    .map_err(err)?;
            }
            Line::Rule => {
                p.justify(JustifyMode::LEFT).map_err(err)?.writeln(&"-".repeat(cols)).map_err(err)?;
            }
            Line::Feed(n) => {
                p.feeds(*n).map_err(err)?;
            }
            Line::Image(bitmap) => {
                p.justify(JustifyMode::LEFT).map_err(err)?.custom(&bitmap.raster(slip.paper.dots())).map_err(err)?;
            }
            Line::Qr(data) => {
                p.justify(JustifyMode::CENTER).map_err(err)?;
                match qr {
                    QrMode::Native => {
                        let size = if cols >= 48 { 7 } else { 5 };
                        let option = QRCodeOption::new(QRCodeModel::Model2, size, QRCodeCorrectionLevel::M);
                        p.qrcode_option(data, option).map_err(err)?;
                    }
                    QrMode::Raster => {
                        p.custom(&raster_qr(data, slip.paper.dots())?).map_err(err)?;
                    }
                }
                p.feed().map_err(err)?;
            }
        }
    }
    p.justify(JustifyMode::LEFT)
        .map_err(err)?
        .feeds(3)
        .map_err(err)?
        .custom(&GS_PARTIAL_CUT_AFTER_FEED)
        .map_err(err)?;
    p.print().map_err(err)?;
    drop(p);
    Ok(memory.0.take())
}

fn justify(a: Align) -> JustifyMode {
    match a {
        Align::Left => JustifyMode::LEFT,
        Align::Center => JustifyMode::CENTER,
    }
}

/// A QR code as a `GS v 0` raster image, centred, at most half the paper wide.
pub fn raster_qr(data: &str, paper_dots: u32) -> Result<Vec<u8>, EncodeError> {
    Ok(Bitmap::qr(data, paper_dots / 2).map_err(|e| EncodeError(e.to_string()))?.raster(paper_dots))
}
