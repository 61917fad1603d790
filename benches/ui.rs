//! Screen figures at 1080×1920 with the software renderer, headless (full repaint every
//! frame: the worst case; the kiosk repaints only what changed):
//! - cold start: creating the UI (catalogue, database, print worker) to the first full
//!   frame of the welcome screen, drawn line by line into a PNG as `screenshot` does;
//! - peak RSS (VmHWM) after that frame: target ≤ 25 MB;
//! - frame time while dragging the longest service list up and down, into a kept frame
//!   buffer as a display would (target < 16 ms), and the peak RSS after it.
//!
//!     cargo bench --bench ui
//!
//! Each figure is printed beside the one measured before the structure issue (#11).

use std::rc::Rc;
use std::time::{Duration, Instant};

use mpp_kiosk::kiosk::Event;
use mpp_kiosk::printing::{Paper, PrintSettings, PrinterUri, QrMode};
use mpp_kiosk::store::Store;
use mpp_kiosk::text::Lang;
use mpp_kiosk::ui::headless::HeadlessScreen;
use mpp_kiosk::ui::{Ui, UiSettings};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let t0 = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.sqlite3");
    let screen = HeadlessScreen::install(1080, 1920).unwrap();
    let mut store = Store::open(&db).unwrap();
    store
        .import_catalogue(&mpp_kiosk::catalogue::default_feed(), "embedded", false, jiff::Timestamp::UNIX_EPOCH)
        .unwrap();
    let catalogue = store.load_catalogue().unwrap().unwrap();
    drop(store);
    let agency = catalogue
        .feed
        .agencies
        .iter()
        .max_by_key(|a| catalogue.feed.services_of(&a.code).count())
        .unwrap()
        .code
        .clone();
    let ui: Rc<Ui> = Ui::new(UiSettings {
        app: mpp_kiosk::app::AppSettings {
            catalogue,
            db_path: db,
            print: PrintSettings {
                uri: PrinterUri::Preview(dir.path().join("slips")),
                paper: Paper::Mm80,
                qr: QrMode::Native,
                qr_url: None,
                timeout: Duration::from_secs(1),
                logo: None,
                lock: None,
            },
            kiosk_id: 1,
            lang: Lang::Id,
            idle: Duration::from_secs(60),
            clock: mpp_kiosk::clock::fixed("2026-11-30T01:05:00Z".parse().unwrap()),
            mono: screen.mono(),
            sync: Default::default(),
            pin_hash: None,
            sync_handle: None,
            speech: None,
            restart: None,
        },
        hide_cursor: false,
    })
    .unwrap();
    ui.window.show().unwrap();
    let png = screen.png();
    let cold = t0.elapsed();
    assert!(png.len() > 10_000, "a real picture");
    println!("cold start to the first full frame (1080x1920): {:7.1} ms   (before: 40 ms)", cold.as_secs_f64() * 1e3);
    println!("peak RSS after the welcome frame:          {:5.1} MB   (before: 32 MB; target <= 25 MB)", peak_rss_mb());

    // The longest list: the agency with the most services.
    ui.send(Event::TakeNumber);
    ui.send(Event::Agency(agency.clone()));
    screen.frame();
    let mut frames = Vec::new();
    let x = 540.0;
    for round in 0..10 {
        let (from, to) = if round % 2 == 0 { (1500.0, 500.0) } else { (500.0, 1500.0) };
        screen.dispatch(WindowEvent::PointerPressed {
            position: LogicalPosition::new(x, from),
            button: PointerEventButton::Left,
        });
        for step in 1..=30 {
            let y = from + (to - from) * step as f32 / 30.0;
            screen.dispatch(WindowEvent::PointerMoved { position: LogicalPosition::new(x, y) });
            screen.skip(Duration::from_millis(16));
            let t = Instant::now();
            std::hint::black_box(screen.frame());
            frames.push(t.elapsed());
        }
        screen.dispatch(WindowEvent::PointerReleased {
            position: LogicalPosition::new(x, to),
            button: PointerEventButton::Left,
        });
        for _ in 0..20 {
            screen.skip(Duration::from_millis(16));
            let t = Instant::now();
            std::hint::black_box(screen.frame());
            frames.push(t.elapsed());
        }
    }
    frames.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let n = frames.len();
    println!(
        "frame while scrolling {agency} ({n} frames): median {:5.2} ms   p95 {:5.2} ms   max {:5.2} ms   (before: 4.8 / 7.2 / 10.6 ms; target < 16 ms)",
        ms(frames[n / 2]),
        ms(frames[n * 95 / 100]),
        ms(frames[n - 1])
    );
    println!("peak RSS after scrolling (with a kept 6 MB frame buffer): {:5.1} MB   (before: 30 MB)", peak_rss_mb());
}
