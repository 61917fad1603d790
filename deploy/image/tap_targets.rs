//! Where the citizen's fingers go, read from the compiled UI itself: the centre of each
//! button on the path welcome → agency → service → take a number → regular queue, at a
//! given screen size, for the image's boot test to tap under QEMU. Positions come from
//! Slint's element geometry (the headless testing backend), so a layout change moves the
//! taps with it instead of breaking a list of hand-typed pixels.
//!
//!   cargo run --example tap-targets -- --at 2026-11-30T01:05:00Z 1280x800 800x1280
//!
//! Prints one JSON object: for each size (in order, on one database, as the booted image
//! sees them: the second walk follows the first's ticket), the taps with their labels.

use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use mpp_kiosk::kiosk::Screen;
use mpp_kiosk::printing::{Paper, PrintSettings, PrinterUri, QrMode};
use mpp_kiosk::store::Store;
use mpp_kiosk::text::Lang;
use mpp_kiosk::ui::{Ui, UiSettings};
use slint::ComponentHandle;

/// The path: (the button's accessible label, the screen it must be on).
const PATH: [(&str, Screen); 5] = [
    ("Ambil Nomor Antrean", Screen::Welcome),
    ("Disdukcapil", Screen::Agencies),
    ("Penerbitan KTP-el Baru (perekaman pertama)", Screen::Services),
    ("Ambil Nomor Antrean", Screen::Detail),
    ("Antrean Umum", Screen::Priority),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let mut at = None;
    let mut sizes = Vec::new();
    while let Some(a) = args.next() {
        if a == "--at" {
            at = args.next();
        } else {
            let (w, h) = a.split_once('x').unwrap_or_else(|| panic!("{a}: a size is WIDTHxHEIGHT"));
            sizes.push((w.parse::<u32>().expect("width"), h.parse::<u32>().expect("height")));
        }
    }
    let at: jiff::Timestamp = at.expect("--at INSTANT (the guest's clock)").parse().expect("--at: an RFC 3339 instant");
    assert!(!sizes.is_empty(), "give at least one size, e.g. 1280x800");

    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.sqlite3");
    let catalogue = {
        let mut store = Store::open(&db).unwrap();
        store
            .import_catalogue(&mpp_kiosk::catalogue::default_feed(), "embedded", true, jiff::Timestamp::UNIX_EPOCH)
            .unwrap();
        store.load_catalogue().unwrap().unwrap()
    };
    let ui = Ui::new(UiSettings {
        app: mpp_kiosk::app::AppSettings {
            catalogue,
            db_path: db.clone(),
            print: PrintSettings {
                uri: PrinterUri::Preview(dir.path().join("slips")),
                paper: Paper::Mm80,
                qr: QrMode::Native,
                qr_url: None,
                timeout: Duration::from_secs(2),
                logo: None,
                lock: None,
            },
            kiosk_id: 1,
            lang: Lang::Id,
            idle: Duration::from_secs(60),
            clock: mpp_kiosk::clock::fixed(at),
            mono: Box::new(|| Duration::ZERO),
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

    let mut walks = Vec::new();
    for (w, h) in sizes {
        ui.window.window().set_size(slint::PhysicalSize::new(w, h));
        // As the kiosk does on its panel: the screens scaled to the panel's short side.
        ui.fit_to_panel();
        let scale = ui.window.window().scale_factor();
        let mut taps = Vec::new();
        for (label, screen) in PATH {
            assert_eq!(ui.screen(), screen, "expected the {screen:?} screen before tapping {label:?}");
            // Let the layout settle at the new size before reading it.
            i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(50));
            let button = ElementHandle::find_by_accessible_label(&ui.window, label)
                .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
                .unwrap_or_else(|| panic!("no button {label:?} on the {screen:?} screen"));
            let (pos, size) = (button.absolute_position(), button.size());
            // Element geometry is logical; QEMU taps the panel's physical pixels.
            let (x, y) = ((pos.x + size.width / 2.0) * scale, (pos.y + size.height / 2.0) * scale);
            assert!(
                x > 0.0 && y > 0.0 && x < w as f32 && y < h as f32,
                "{label:?} is off the {w}x{h} screen at ({x}, {y})"
            );
            taps.push(
                serde_json::json!({ "label": label, "screen": format!("{screen:?}"), "x": x.round(), "y": y.round() }),
            );
            button.invoke_accessible_default_action();
        }
        // The slip is printed (to the preview) and the done screen shows the number.
        for _ in 0..300 {
            if ui.screen() == Screen::Done {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
            i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(100));
        }
        assert_eq!(ui.screen(), Screen::Done, "the walk at {w}x{h} did not end on the done screen");
        let done = ElementHandle::find_by_accessible_label(&ui.window, "Selesai")
            .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .expect("a Selesai button on the done screen");
        done.invoke_accessible_default_action();
        walks.push(serde_json::json!({ "width": w, "height": h, "taps": taps }));
    }
    println!("{}", serde_json::json!({ "at": at.to_string(), "walks": walks }));
}
