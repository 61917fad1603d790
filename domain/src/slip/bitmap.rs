//! One-bit pictures for the slip: the site's logo and the raster QR code. Thermal printers
//! print dots, black or nothing, so every picture is reduced to that here, once, and the
//! encoder (`GS v 0`) and the PNG preview draw the same dots.

use std::io::Cursor;

/// A black-and-white picture, row by row; `true` is a printed (black) dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    dots: Vec<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum BitmapError {
    #[error("{what}: not a PNG picture the kiosk can read: {reason}")]
    Png { what: String, reason: String },
    #[error("{what}: the picture is empty")]
    Empty { what: String },
    #[error("QR code for {data:?}: {reason}")]
    Qr { data: String, reason: String },
}

/// The mark printed at the top of every slip unless the site sets its own logo.
pub const DEFAULT_LOGO_PNG: &[u8] = include_bytes!("../../../assets/logo/mpp-mark-print.png");

impl Bitmap {
    pub fn blank(width: u32, height: u32) -> Bitmap {
        Bitmap { width, height, dots: vec![false; (width * height) as usize] }
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.dots[(y * self.width + x) as usize]
    }

    pub fn set(&mut self, x: u32, y: u32, dark: bool) {
        if x < self.width && y < self.height {
            self.dots[(y * self.width + x) as usize] = dark;
        }
    }

    /// Reads a PNG (any colour type; transparent counts as paper) and scales it to `width`
    /// dots, keeping its proportions. A dot is black when the area it covers is mostly dark.
    pub fn from_png(bytes: &[u8], width: u32, what: &str) -> Result<Bitmap, BitmapError> {
        let err = |reason: String| BitmapError::Png { what: what.to_owned(), reason };
        let mut decoder = png::Decoder::new(Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(|e| err(e.to_string()))?;
        let mut buf = vec![0; reader.output_buffer_size().ok_or_else(|| err("picture too large".into()))?];
        let info = reader.next_frame(&mut buf).map_err(|e| err(e.to_string()))?;
        let (w, h) = (info.width, info.height);
        if w == 0 || h == 0 || width == 0 {
            return Err(BitmapError::Empty { what: what.to_owned() });
        }
        let channels = info.color_type.samples();
        // Luminance 0 (black) to 255 (white), transparency blended onto white paper.
        let lum = |x: u32, y: u32| -> u32 {
            let p = &buf[(y as usize * info.line_size) + x as usize * channels..][..channels];
            let (l, a) = match channels {
                1 => (p[0] as u32, 255),
                2 => (p[0] as u32, p[1] as u32),
                3 => ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000, 255),
                _ => ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000, p[3] as u32),
            };
            (l * a + 255 * (255 - a)) / 255
        };
        let height = ((h as u64 * width as u64) / w as u64).max(1) as u32;
        let mut out = Bitmap::blank(width, height);
        for oy in 0..height {
            let (y0, y1) = (oy * h / height, ((oy + 1) * h / height).max(oy * h / height + 1));
            for ox in 0..width {
                let (x0, x1) = (ox * w / width, ((ox + 1) * w / width).max(ox * w / width + 1));
                let (mut sum, mut n) = (0u32, 0u32);
                for y in y0..y1.min(h) {
                    for x in x0..x1.min(w) {
                        sum += lum(x, y);
                        n += 1;
                    }
                }
                out.set(ox, oy, n > 0 && sum / n < 128);
            }
        }
        Ok(out)
    }

    /// A QR code (error correction M, 4-module quiet zone), each module `scale` dots, as large
    /// as fits in `max_side` dots.
    pub fn qr(data: &str, max_side: u32) -> Result<Bitmap, BitmapError> {
        let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| BitmapError::Qr { data: data.to_owned(), reason: e.to_string() })?;
        let modules = code.width() as u32;
        let quiet = 4;
        let side_modules = modules + 2 * quiet;
        let scale = (max_side / side_modules).max(1);
        let colors = code.to_colors();
        let mut out = Bitmap::blank(side_modules * scale, side_modules * scale);
        for my in 0..modules {
            for mx in 0..modules {
                if colors[(my * modules + mx) as usize] == qrcode::Color::Dark {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            out.set((mx + quiet) * scale + dx, (my + quiet) * scale + dy, true);
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// `GS v 0` raster bytes for the whole paper width, the picture centred in it.
    pub fn raster(&self, paper_dots: u32) -> Vec<u8> {
        let width = self.width.min(paper_dots);
        let width_bytes = paper_dots.div_ceil(8);
        let offset = (paper_dots - width) / 2;
        let mut out = vec![
            0x1D,
            0x76,
            0x30,
            0x00,
            (width_bytes & 0xFF) as u8,
            (width_bytes >> 8) as u8,
            (self.height & 0xFF) as u8,
            (self.height >> 8) as u8,
        ];
        for y in 0..self.height {
            let mut row = vec![0u8; width_bytes as usize];
            for x in 0..width {
                if self.get(x, y) {
                    let px = offset + x;
                    row[(px / 8) as usize] |= 0x80 >> (px % 8);
                }
            }
            out.extend_from_slice(&row);
        }
        out
    }

    /// The picture as a 1-bit PNG (black on white).
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::One);
            let mut w = enc.write_header().expect("writing to memory");
            let row_bytes = self.width.div_ceil(8) as usize;
            let mut data = vec![0xFFu8; row_bytes * self.height as usize];
            for y in 0..self.height {
                for x in 0..self.width {
                    if self.get(x, y) {
                        data[y as usize * row_bytes + (x / 8) as usize] &= !(0x80 >> (x % 8));
                    }
                }
            }
            w.write_image_data(&data).expect("writing to memory");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_logo_scales_to_the_paper() {
        for width in [128, 192] {
            let logo = Bitmap::from_png(DEFAULT_LOGO_PNG, width, "default logo").unwrap();
            assert_eq!((logo.width, logo.height), (width, width), "the mark is square");
            let dark = (0..logo.height)
                .flat_map(|y| (0..logo.width).map(move |x| (x, y)))
                .filter(|&(x, y)| logo.get(x, y))
                .count();
            let share = dark as f64 / (width * width) as f64;
            assert!((0.3..0.7).contains(&share), "a recognisable mark, not a blot or blank: {share}");
        }
    }

    #[test]
    fn png_round_trip_and_raster_header() {
        let mut b = Bitmap::blank(10, 3);
        b.set(0, 0, true);
        b.set(9, 2, true);
        let again = Bitmap::from_png(&b.to_png(), 10, "test").unwrap();
        assert_eq!(again, b);
        let r = b.raster(16);
        assert_eq!(&r[..8], &[0x1D, 0x76, 0x30, 0, 2, 0, 3, 0]);
        assert_eq!(r[8], 0x80 >> 3, "centred: 3 dots of margin");
        assert_eq!(r.len(), 8 + 2 * 3);
    }

    #[test]
    fn bad_pictures_say_what_they_are() {
        let e = Bitmap::from_png(b"GIF89a", 100, "/etc/mpp-kiosk/logo.png").unwrap_err().to_string();
        assert!(e.starts_with("/etc/mpp-kiosk/logo.png: not a PNG"), "{e}");
    }
}
