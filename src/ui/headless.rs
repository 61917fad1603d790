//! A screen without a display: Slint's software renderer into memory, for the
//! `screenshot` command and the UI benchmark. Each window the app creates gets a fresh
//! in-memory window; time can be moved forward to show the idle countdown.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, PlatformError, Rgb8Pixel};

struct Headless {
    size: PhysicalSize,
    start: Instant,
    skipped: Rc<Cell<Duration>>,
    latest: Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        window.set_size(self.size);
        *self.latest.borrow_mut() = Some(window.clone());
        Ok(window)
    }

    fn duration_since_start(&self) -> Duration {
        self.start.elapsed() + self.skipped.get()
    }
}

/// The installed headless platform: the size it draws at, its clock, its latest window.
pub struct HeadlessScreen {
    pub width: u32,
    pub height: u32,
    skipped: Rc<Cell<Duration>>,
    latest: Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>,
    start: Instant,
    /// The frame buffer of [`HeadlessScreen::frame`], made on first use and kept.
    buffer: RefCell<Vec<Rgb8Pixel>>,
}

impl HeadlessScreen {
    /// The flow's clock, moved by [`HeadlessScreen::skip`] like Slint's timers.
    pub fn mono(&self) -> super::Mono {
        let (start, skipped) = (self.start, self.skipped.clone());
        Box::new(move || start.elapsed() + skipped.get())
    }

    /// Makes Slint draw into memory for the rest of this process (once per process).
    pub fn install(width: u32, height: u32) -> Result<HeadlessScreen, String> {
        let skipped = Rc::new(Cell::new(Duration::ZERO));
        let latest = Rc::new(RefCell::new(None));
        let start = Instant::now();
        let platform = Headless {
            size: PhysicalSize::new(width, height),
            start,
            skipped: skipped.clone(),
            latest: latest.clone(),
        };
        slint::platform::set_platform(Box::new(platform)).map_err(|e| format!("cannot draw headless: {e}"))?;
        Ok(HeadlessScreen { width, height, skipped, latest, start, buffer: RefCell::default() })
    }

    /// Moves the UI's clock forward (timers fire on the next [`HeadlessScreen::frame`]).
    pub fn skip(&self, d: Duration) {
        self.skipped.set(self.skipped.get() + d);
    }

    /// Runs due timers and animations without drawing (the app's 100 ms tick among them).
    pub fn advance(&self) {
        slint::platform::update_timers_and_animations();
    }

    /// Runs due timers and draws the whole latest window into the kept frame buffer (as a
    /// display would); returns the buffer's first pixel, so the work cannot be optimised away.
    pub fn frame(&self) -> Rgb8Pixel {
        slint::platform::update_timers_and_animations();
        let mut buf = self.buffer.borrow_mut();
        buf.resize((self.width * self.height) as usize, Rgb8Pixel::new(0, 0, 0));
        if let Some(w) = self.latest.borrow().as_ref() {
            w.request_redraw();
            w.draw_if_needed(|r| {
                r.render(&mut buf, self.width as usize);
            });
        }
        buf[0]
    }

    /// Hands an input event (a touch, a drag) to the latest window.
    pub fn dispatch(&self, event: slint::platform::WindowEvent) {
        if let Some(w) = self.latest.borrow().as_ref() {
            w.dispatch_event(event);
        }
    }

    /// A frame as PNG bytes, drawn line by line straight into the encoder: no frame
    /// buffer (6 MB at 1080×1920) and no copy of one, only a row at a time.
    pub fn png(&self) -> Vec<u8> {
        slint::platform::update_timers_and_animations();
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header().expect("writing to memory");
            let mut stream = writer.stream_writer().expect("writing to memory");
            let mut rows = PngRows {
                out: &mut stream,
                row: vec![Rgb8Pixel::new(0, 0, 0); self.width as usize],
                bytes: Vec::with_capacity(self.width as usize * 3),
                current: None,
                written: 0,
            };
            if let Some(w) = self.latest.borrow().as_ref() {
                w.request_redraw();
                w.draw_if_needed(|r| {
                    r.render_by_line(&mut rows);
                });
            }
            rows.finish(self.height as usize);
            stream.finish().expect("writing to memory");
        }
        out
    }
}

/// Rows handed by the renderer (top to bottom, a line possibly in several spans) and
/// written to the PNG stream as each line completes; lines the renderer skips stay black.
struct PngRows<'a, W: std::io::Write> {
    out: &'a mut W,
    row: Vec<Rgb8Pixel>,
    bytes: Vec<u8>,
    current: Option<usize>,
    written: usize,
}

impl<W: std::io::Write> PngRows<'_, W> {
    /// Writes rows up to and including `line`.
    fn flush_through(&mut self, line: usize) {
        while self.written <= line {
            if self.current != Some(self.written) {
                self.row.fill(Rgb8Pixel::new(0, 0, 0));
            }
            self.bytes.clear();
            self.bytes.extend(self.row.iter().flat_map(|p| [p.r, p.g, p.b]));
            self.out.write_all(&self.bytes).expect("writing to memory");
            self.written += 1;
        }
    }

    fn finish(&mut self, height: usize) {
        if height > 0 {
            self.flush_through(height - 1);
        }
    }
}

impl<W: std::io::Write> slint::platform::software_renderer::LineBufferProvider for &mut PngRows<'_, W> {
    type TargetPixel = Rgb8Pixel;

    fn process_line(&mut self, line: usize, range: core::ops::Range<usize>, render_fn: impl FnOnce(&mut [Rgb8Pixel])) {
        assert!(line >= self.written, "the renderer went back to line {line} after {} was written", self.written);
        if self.current != Some(line) {
            if let Some(done) = self.current {
                self.flush_through(done);
            }
            if line > self.written {
                self.flush_through(line - 1);
            }
            self.current = Some(line);
            self.row.fill(Rgb8Pixel::new(0, 0, 0));
        }
        render_fn(&mut self.row[range]);
    }
}
