//! `mpp-kiosk screenshot`: every screen drawn headless to PNG, as a citizen would see it.
//! Each screen is reached the way a citizen reaches it (the same events, the same print
//! worker, a real preview printer), in a throw-away database so the kiosk's own ledger
//! is never touched.

use std::path::{Path, PathBuf};
use std::time::Duration;

use slint::ComponentHandle;

use super::headless::HeadlessScreen;
use super::{Ui, UiSettings};
use crate::catalogue::Catalogue;
use crate::kiosk::{Event, Screen, Who};
use crate::printing::{PrintSettings, PrinterUri};
use crate::store::Store;
use crate::text::Lang;

/// Every screen the command can draw, in the order a citizen meets them.
pub const SCREENS: &[&str] = &[
    "welcome",
    "welcome-printer",
    "welcome-booking",
    "agencies",
    "services",
    "services-full",
    "detail",
    "priority",
    "printing",
    "done",
    "print-failed",
    "search",
    "check-in",
    "check-in-done",
    "speech-menu",
    "speech-detail",
    "speech-done",
    "refusal",
    "idle",
    "survey-question",
    "survey-profile",
    "survey-comment",
    "survey-thanks",
    "staff-pin",
    "staff",
];

pub struct Options {
    pub screens: Vec<String>,
    pub lang: Lang,
    pub width: u32,
    pub height: u32,
    pub large_text: bool,
    /// The kiosk's "now" in the pictures.
    pub at: jiff::Timestamp,
    pub catalogue: Catalogue,
    pub print: PrintSettings,
    /// A file for one screen; a folder (files `NAME-LANG.png`) for several.
    pub out: PathBuf,
}

/// Draws the screens; returns the files written.
pub fn run(opts: Options) -> Result<Vec<PathBuf>, String> {
    for s in &opts.screens {
        if !SCREENS.contains(&s.as_str()) {
            return Err(format!("unknown screen {s:?}; the screens are: {}", SCREENS.join(", ")));
        }
    }
    let screen = HeadlessScreen::install(opts.width, opts.height)?;
    let many = opts.screens.len() > 1;
    if many {
        std::fs::create_dir_all(&opts.out).map_err(|e| format!("{}: {e}", opts.out.display()))?;
    }
    let scratch = std::env::temp_dir().join(format!("mpp-kiosk-screenshot-{}", std::process::id()));
    let mut written = Vec::new();
    let result = (|| {
        for name in &opts.screens {
            let png = shot(&screen, &opts, name, &scratch.join(name))?;
            let path = if many { opts.out.join(format!("{name}-{}.png", opts.lang.code())) } else { opts.out.clone() };
            std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result.map(|()| written)
}

fn shot(screen: &HeadlessScreen, opts: &Options, name: &str, dir: &Path) -> Result<Vec<u8>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let db = dir.join("kiosk.sqlite3");
    let mut store = Store::open(&db).map_err(|e| e.to_string())?;
    store.import_catalogue(&opts.catalogue.feed, &opts.catalogue.source, true, opts.at).map_err(|e| e.to_string())?;
    // A service list with a full quota: the first service with a daily quota, filled.
    let full = quota_service(opts);
    if name == "services-full" {
        let s = full.ok_or("services-full: no service in the catalogue has a daily quota")?;
        let stored = store.load_catalogue().map_err(|e| e.to_string())?.ok_or("no catalogue")?;
        for _ in 0..s.daily_quota.unwrap_or(0) {
            store
                .issue_ticket(&stored, &s.code, None, 1, opts.at)
                .map_err(|e| format!("services-full: filling {}: {e}", s.code))?;
        }
    }
    if matches!(name, "check-in-done" | "welcome-booking") {
        // A booking of this morning's 09.00–09.30 slot, as the site server lists it.
        let zone = crate::hours::zone(&opts.catalogue.feed.site.time_zone).map_err(|e| e.to_string())?;
        let date = opts.at.to_zoned_datetime(zone).date();
        let code = mpp_domain::booking::BookingCode::parse(SAMPLE_CODE).ok_or("check-in-done: the sample code")?;
        let day = crate::protocol::DayBookings {
            date,
            bookings: vec![crate::protocol::BookingEntry {
                code_hash: crate::sync::bookings::code_hash(&code, &opts.catalogue.feed.site.code),
                service: "KTP-BARU".into(),
                slot_start: "09:00".into(),
                slot_end: "09:30".into(),
                state: "booked".into(),
                early_minutes: 30,
                late_minutes: 15,
            }],
        };
        store.set_day_bookings(&day).map_err(|e| e.to_string())?;
    }
    drop(store);
    let mut print = opts.print.clone();
    print.lock = None;
    print.uri = if name == "print-failed" {
        // A device that cannot be written: the number is committed, the slip fails.
        PrinterUri::File(dir.join("no-such-folder/lp0"))
    } else if name == "welcome-printer" {
        PrinterUri::Tcp { host: "127.0.0.1".into(), port: paper_out_printer()? }
    } else {
        PrinterUri::Preview(dir.join("slips"))
    };
    let at = if name == "refusal" { at_local(opts, 15, 45)? } else { opts.at };
    let ui = Ui::new(UiSettings {
        app: crate::app::AppSettings {
            catalogue: opts.catalogue.clone(),
            db_path: db,
            print,
            kiosk_id: 1,
            lang: opts.lang,
            idle: Duration::from_secs(60),
            clock: crate::clock::fixed(at),
            mono: screen.mono(),
            sync: Default::default(),
            pin_hash: Some(crate::staff_pin::hash_pin("1234")),
            sync_handle: None,
            // The speech mode's screens: its voice written to a folder, not played.
            speech: name.starts_with("speech-").then(|| crate::app::SpeechSetup {
                config: Default::default(),
                sink: crate::speech::Sink::Folder { dir: dir.join("voice"), paced: false },
            }),
            restart: None,
        },
        hide_cursor: false,
    })
    .map_err(|e| e.to_string())?;
    ui.window.show().map_err(|e| e.to_string())?;
    ui.fit_to_panel();
    let send = |e: Event| ui.send(e);
    if opts.large_text {
        send(Event::ToggleLargeText);
    }
    let (agency, service) = ("DUKCAPIL", "KTP-BARU");
    match name {
        "welcome" | "welcome-booking" => {}
        "welcome-printer" => {
            // The welcome asks the printer how it is: out of paper.
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while !ui.window.global::<super::K>().get_closed().shown {
                if std::time::Instant::now() > deadline {
                    return Err("welcome-printer: the welcome never said the printer is out of paper".into());
                }
                std::thread::sleep(Duration::from_millis(20));
                screen.skip(Duration::from_millis(100));
                screen.advance();
            }
        }
        "agencies" => send(Event::TakeNumber),
        "services" | "idle" => {
            send(Event::TakeNumber);
            send(Event::Agency(agency.into()));
        }
        "services-full" => {
            send(Event::TakeNumber);
            send(Event::Agency(full.map(|s| s.agency.clone()).unwrap_or_default()));
        }
        "search" => {
            send(Event::OpenSearch);
            send(Event::Query("ktp".into()));
        }
        "check-in" => {
            send(Event::OpenCheckIn);
            send(Event::Code(SAMPLE_CODE[..5].into()));
        }
        "speech-menu" | "speech-detail" | "speech-done" => {
            use crate::kiosk::speech::Key;
            let key = |k: Key| ui.keypad(k, std::time::Instant::now());
            key(Key::Enter);
            if name != "speech-menu" {
                key(Key::Digit(1));
                key(Key::Digit(1));
            }
            if name == "speech-done" {
                key(Key::Digit(1));
                wait_for(screen, &ui, Screen::Done, name)?;
            }
        }
        "check-in-done" => {
            send(Event::OpenCheckIn);
            send(Event::Scanned(SAMPLE_CODE.into()));
            wait_for(screen, &ui, Screen::Done, name)?;
        }
        "staff-pin" => {
            for _ in 0..5 {
                send(Event::CornerTap);
            }
            for d in "12".chars() {
                send(Event::PinKey(d));
            }
        }
        "staff" => {
            // One ticket of today to show, then the staff screen.
            send(Event::Service(service.into()));
            send(Event::TakeTicket);
            send(Event::Choose(Who::Regular));
            wait_for(screen, &ui, Screen::Done, name)?;
            send(Event::Home);
            for _ in 0..5 {
                send(Event::CornerTap);
            }
            for d in "1234".chars() {
                send(Event::PinKey(d));
            }
            send(Event::PinSubmit);
            // Let the printer status arrive.
            for _ in 0..20 {
                std::thread::sleep(Duration::from_millis(20));
                screen.skip(Duration::from_millis(100));
                screen.advance();
            }
        }
        s if s.starts_with("survey-") => {
            send(Event::StartSurvey);
            send(Event::Agency(agency.into()));
            send(Event::Service(service.into()));
            if s != "survey-question" {
                for a in [4, 3, 4, 4, 3, 4, 4, 3, 3] {
                    send(Event::Answer(a));
                }
            }
            if matches!(s, "survey-comment" | "survey-thanks") {
                for i in [5, 1, 2, 4] {
                    send(Event::ProfileChoice(i));
                }
                send(Event::Comment("petugas ramah".into()));
            }
            if s == "survey-thanks" {
                send(Event::SubmitSurvey);
            }
        }
        _ => {
            send(Event::TakeNumber);
            send(Event::Agency(agency.into()));
            send(Event::Service(service.into()));
        }
    }
    if matches!(name, "priority" | "printing" | "done" | "print-failed" | "refusal") {
        send(Event::TakeTicket);
    }
    if matches!(name, "printing" | "done" | "print-failed") {
        send(Event::Choose(Who::Regular));
    }
    if matches!(name, "done" | "print-failed") {
        wait_for(screen, &ui, Screen::Done, name)?;
    }
    if name == "idle" {
        screen.skip(Duration::from_secs(50));
    }
    let png = screen.png();
    if name == "printing" {
        // Let the slip finish so the worker is idle before the next picture.
        wait_for(screen, &ui, Screen::Done, name)?;
    }
    ui.window.hide().map_err(|e| e.to_string())?;
    Ok(png)
}

/// The booking code the check-in pictures use.
const SAMPLE_CODE: &str = "KQ4M7TCX";

/// The first active service with a daily quota (Imigrasi's lost-passport service in the
/// embedded catalogue).
fn quota_service(opts: &Options) -> Option<&crate::catalogue::Service> {
    opts.catalogue.feed.services.iter().find(|s| s.active && s.daily_quota.is_some_and(|q| q > 0))
}

fn wait_for(screen: &HeadlessScreen, ui: &Ui, target: Screen, name: &str) -> Result<(), String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while ui.screen() != target {
        if std::time::Instant::now() > deadline {
            return Err(format!("{name}: the screen did not reach {target:?} within 10 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
        screen.skip(Duration::from_millis(100));
        screen.advance();
    }
    Ok(())
}

/// The instant of hh:mm local time on the day of `opts.at`.
fn at_local(opts: &Options, hour: i64, minute: i64) -> Result<jiff::Timestamp, String> {
    let local = crate::store::local_time(&opts.catalogue, opts.at).map_err(|e| e.to_string())?;
    let now_secs = local.hour() as i64 * 3600 + local.minute() as i64 * 60 + local.second() as i64;
    let delta = hour * 3600 + minute * 60 - now_secs;
    opts.at.checked_add(jiff::SignedDuration::from_secs(delta)).map_err(|e| e.to_string())
}

/// A printer on loopback that answers every status request "out of paper" (the paper-end
/// bits of DLE EOT 4): the picture of a welcome whose printer cannot print. It lives as
/// long as the command.
fn paper_out_printer() -> Result<u16, String> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("a loopback printer: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { return };
            let mut buf = [0u8; 64];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                for w in buf[..n].windows(3).filter(|w| w[0] == 0x10 && w[1] == 0x04) {
                    let _ = s.write_all(&[if w[2] == 4 { 0x72 } else { 0x12 }]);
                }
            }
        }
    });
    Ok(port)
}
