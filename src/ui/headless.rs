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
        let platform = Headless { size: PhysicalSize::new(width, height), start, skipped: skipped.clone(), latest: latest.clone() };
        slint::platform::set_platform(Box::new(platform)).map_err(|e| format!("cannot draw headless: {e}"))?;
        Ok(HeadlessScreen { width, height, skipped, latest, start })
    }

    /// Moves the UI's clock forward (timers fire on the next [`HeadlessScreen::frame`]).
    pub fn skip(&self, d: Duration) {
        self.skipped.set(self.skipped.get() + d);
    }

    /// Runs due timers and draws the latest window; returns its pixels (RGB, row by row).
    pub fn frame(&self) -> Vec<Rgb8Pixel> {
        slint::platform::update_timers_and_animations();
        let mut buf = vec![Rgb8Pixel::new(0, 0, 0); (self.width * self.height) as usize];
        if let Some(w) = self.latest.borrow().as_ref() {
            w.request_redraw();
            w.draw_if_needed(|r| {
                r.render(&mut buf, self.width as usize);
            });
        }
        buf
    }

    /// Hands an input event (a touch, a drag) to the latest window.
    pub fn dispatch(&self, event: slint::platform::WindowEvent) {
        if let Some(w) = self.latest.borrow().as_ref() {
            w.dispatch_event(event);
        }
    }

    /// A frame as PNG bytes.
    pub fn png(&self) -> Vec<u8> {
        let pixels = self.frame();
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().expect("writing to memory");
            let bytes: Vec<u8> = pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
            w.write_image_data(&bytes).expect("writing to memory");
        }
        out
    }
}
