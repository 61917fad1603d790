//! The application layer with no window: the flow's commands carried out against a real
//! SQLite file and the printer emulator over TCP, results reaching the flow.

use std::time::Duration;

use mpp_kiosk::app::{App, AppSettings, Redraw};
use mpp_kiosk::kiosk::{Event, Screen, Who};
use mpp_kiosk::printing::{Paper, PrintSettings, PrinterUri, QrMode};
use mpp_kiosk::store::{Store, SurveyFilter};
use mpp_kiosk::text::Lang;

use crate::emulator::Emulator;
use crate::support::Kiosk;

/// Monday 30 November 2026, 09:05 WITA: every Dukcapil service is open.
const MONDAY_MORNING: &str = "2026-11-30T01:05:00Z";

fn app(k: &Kiosk, printer: PrinterUri) -> App {
    App::new(settings(k, printer)).unwrap()
}

/// The application's settings on a fresh database with the embedded catalogue (also the
/// speech tests').
pub(crate) fn settings(k: &Kiosk, printer: PrinterUri) -> AppSettings {
    let db = k.db();
    let mut store = Store::open(&db).unwrap();
    store
        .import_catalogue(&mpp_kiosk::catalogue::default_feed(), "embedded", true, jiff::Timestamp::UNIX_EPOCH)
        .unwrap();
    let catalogue = store.load_catalogue().unwrap().unwrap();
    AppSettings {
        catalogue,
        db_path: db,
        print: PrintSettings {
            uri: printer,
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
        clock: mpp_kiosk::clock::fixed(MONDAY_MORNING.parse().unwrap()),
        sync: Default::default(),
        pin_hash: None,
        sync_handle: None,
        mono: Box::new(|| Duration::ZERO),
        speech: None,
        restart: None,
    }
}

/// Types `text` on the on-screen keyboard, key by key, as the window would.
fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let e = app.typed(|t| t.push(c));
        app.send(e);
    }
}

#[test]
fn a_search_runs_on_the_database_and_its_results_reach_the_flow() {
    let k = Kiosk::new();
    let mut app = app(&k, PrinterUri::Preview(k.path("slips")));
    assert_eq!(app.send(Event::OpenSearch), Redraw::All);
    type_text(&mut app, "akta kelahiran");
    assert_eq!(app.screen(), Screen::Search);
    let results = &app.flow().results;
    assert!(!results.is_empty(), "a search for a birth certificate finds something");
    let first = app.flow().catalogue.feed.service(&results[0]).unwrap();
    assert!(first.name.id.to_lowercase().contains("akta kelahiran"), "best hit: {}", first.name.id);
    let e = app.typed(|t| t.clear());
    app.send(e);
    assert!(app.flow().results.is_empty(), "an empty query shows nothing");
}

#[test]
fn a_survey_answered_by_touch_is_saved_in_the_database() {
    let k = Kiosk::new();
    let mut app = app(&k, PrinterUri::Preview(k.path("slips")));
    app.send(Event::StartSurvey);
    app.send(Event::Agency("DUKCAPIL".into()));
    app.send(Event::Service("KK-BARU".into()));
    assert_eq!(app.screen(), Screen::SurveyQuestion);
    for v in [4, 3, 4, 4, 2, 4, 3, 4, 4] {
        app.send(Event::Answer(v));
    }
    for _ in 0..4 {
        app.send(Event::Skip);
    }
    type_text(&mut app, "ramah");
    app.send(Event::SubmitSurvey);
    assert_eq!(app.screen(), Screen::SurveyThanks);
    let saved = Store::open(&k.db()).unwrap().survey_responses(&SurveyFilter::default()).unwrap();
    assert_eq!(saved.len(), 1);
    let r = &saved[0];
    assert_eq!(
        (r.service.as_str(), r.agency.as_str(), r.local_date.to_string().as_str()),
        ("KK-BARU", "DUKCAPIL", "2026-11-30")
    );
    assert_eq!(r.answers.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [4, 3, 4, 4, 2, 4, 3, 4, 4]);
    assert_eq!(r.comment.as_deref(), Some("ramah"));
}

#[test]
fn a_print_command_reaches_the_printer_and_its_result_reaches_the_flow() {
    let Some((emu, _lock)) = Emulator::get() else { return };
    let k = Kiosk::new();
    let mut app = app(&k, PrinterUri::Tcp { host: "127.0.0.1".into(), port: emu.printer_port });
    let (text, _, _) = emu.receipt_of(|| {
        app.send(Event::TakeNumber);
        app.send(Event::Agency("DUKCAPIL".into()));
        app.send(Event::Service("KTP-BARU".into()));
        app.send(Event::TakeTicket);
        app.send(Event::Choose(Who::Regular));
        assert_eq!(app.screen(), Screen::Printing);
        assert!(app.wait(Duration::from_secs(10)), "the print worker answered");
    });
    assert_eq!(app.screen(), Screen::Done);
    let shown = app.flow().shown.clone().unwrap();
    assert_eq!((shown.number.as_str(), shown.print_failed), ("KTB-A001", false));
    assert!(text.contains("KTB-A001"), "the slip carries the number the screen shows:\n{text}");
    let today = jiff::civil::date(2026, 11, 30);
    let ticket = Store::open(&k.db()).unwrap().find_ticket("KTB-A001", today).unwrap().unwrap();
    assert_eq!(ticket.status, mpp_kiosk::tickets::Status::Printed);
}

#[test]
fn a_printer_fault_comes_back_as_a_notice_and_uses_no_number() {
    let Some((emu, _lock)) = Emulator::get() else { return };
    emu.set_fault("paper-out");
    let k = Kiosk::new();
    let mut app = app(&k, PrinterUri::Tcp { host: "127.0.0.1".into(), port: emu.printer_port });
    for e in [
        Event::TakeNumber,
        Event::Agency("DUKCAPIL".into()),
        Event::Service("KTP-BARU".into()),
        Event::TakeTicket,
        Event::Choose(Who::Regular),
    ] {
        app.send(e);
    }
    assert!(app.wait(Duration::from_secs(10)));
    emu.clear_fault("paper-out");
    assert_eq!(app.screen(), Screen::Detail);
    assert_eq!(app.flow().notice, Some(mpp_kiosk::kiosk::Notice::Printer(mpp_kiosk::device::Fault::PaperOut)));
    assert!(Store::open(&k.db()).unwrap().tickets_on(jiff::civil::date(2026, 11, 30)).unwrap().is_empty());
}

/// A printer out of paper is said on the welcome screen, before anyone chooses a service:
/// the welcome offers the requirements instead of numbers, a service's screen says the
/// printer is the trouble, and when the paper is in again the welcome gives numbers again.
#[test]
fn a_printer_out_of_paper_is_said_on_the_welcome_before_anyone_chooses() {
    let Some((emu, _lock)) = Emulator::get() else { return };
    let k = Kiosk::new();
    let mono = std::rc::Rc::new(std::cell::Cell::new(Duration::ZERO));
    let m = mono.clone();
    let mut settings = settings(&k, PrinterUri::Tcp { host: "127.0.0.1".into(), port: emu.printer_port });
    settings.mono = Box::new(move || m.get());
    let mut app = App::new(settings).unwrap();
    emu.set_fault("paper-out");
    // The welcome asks the printer (through the print worker) and hears its answer.
    let asked = |app: &mut App| {
        app.tick();
        assert!(app.wait(Duration::from_secs(5)), "the printer's status came back");
        app.tick();
    };
    asked(&mut app);
    let banner = mpp_kiosk::kiosk::view::closed_banner(app.flow());
    emu.clear_fault("paper-out");
    let (title, text) = banner.expect("the welcome says numbers cannot be printed");
    assert_eq!(title, "Nomor antrean belum dapat dicetak");
    assert!(text.contains("Kertas printer habis") && text.contains("persyaratan"), "{text}");
    app.send(Event::Service("KTP-BARU".into()));
    let detail = mpp_kiosk::kiosk::view::detail(app.flow()).unwrap();
    assert_eq!(detail.kind, mpp_kiosk::kiosk::view::StateKind::Closed, "no ticket offered: {}", detail.state);
    assert!(detail.state.starts_with("Printer bermasalah"), "{}", detail.state);
    app.send(Event::Home);
    // The paper is changed: within the next asking (every 30 s) numbers are offered again.
    mono.set(Duration::from_secs(31));
    asked(&mut app);
    assert_eq!(mpp_kiosk::kiosk::view::closed_banner(app.flow()), None);
    assert_eq!(Store::open(&k.db()).unwrap().tickets_on(jiff::civil::date(2026, 11, 30)).unwrap().len(), 0);
}

/// The updater asks to restart; the kiosk says "quiet" only once its welcome screen has been
/// untouched for `quiet_secs`, never while a citizen is on a path, and then starts nothing
/// new; when the request goes, it takes citizens again.
#[test]
fn the_kiosk_lets_the_updater_restart_only_when_nobody_is_at_it() {
    use mpp_kiosk::system::gate::{self, Quiet, RestartWhen, Wanted};
    use std::cell::Cell;
    use std::rc::Rc;

    let k = Kiosk::new();
    let state = k.path("state");
    std::fs::create_dir_all(&state).unwrap();
    let mono = Rc::new(Cell::new(Duration::ZERO));
    let mut s = settings(&k, PrinterUri::Preview(k.path("slips")));
    s.mono = Box::new({
        let m = mono.clone();
        move || m.get()
    });
    s.restart = Some(Quiet {
        state_dir: state.clone(),
        boot_id: "boot-1".into(),
        after: Duration::from_secs(120),
        when: RestartWhen::Idle,
    });
    let mut app = App::new(s).unwrap();
    let at = |app: &mut App, secs: u64| {
        mono.set(Duration::from_secs(secs));
        app.tick();
    };
    let ready = || gate::is_ready(&state, std::time::SystemTime::now());

    // A request from an earlier boot is not answered.
    gate::want(&state, &Wanted { version: "2.0".into(), boot_id: "boot-0".into() }).unwrap();
    at(&mut app, 200);
    assert!(!ready() && !app.flow().restarting);

    // A citizen is on a path: however long the request waits, no "quiet".
    gate::want(&state, &Wanted { version: "2.0".into(), boot_id: "boot-1".into() }).unwrap();
    app.send(Event::TakeNumber);
    app.send(Event::Agency("DUKCAPIL".into()));
    for t in (203..=300).step_by(3) {
        app.send(Event::Touch);
        at(&mut app, t);
        assert!(!ready(), "asked while a citizen chooses a service, at {t} s");
    }
    assert_eq!(app.screen(), Screen::Services, "still on the path");
    app.send(Event::Home);
    // The welcome screen, but touched 100 s ago: not yet.
    at(&mut app, 400);
    assert!(!ready() && !app.flow().restarting);
    at(&mut app, 421);
    assert!(ready(), "quiet after 120 s untouched");
    assert!(app.flow().restarting);
    let banner = mpp_kiosk::kiosk::view::closed_banner(app.flow()).unwrap();
    assert_eq!(banner.0, "Kiosk sedang diperbarui");
    // A tap now starts nothing: the kiosk goes down in seconds.
    app.send(Event::TakeNumber);
    assert_eq!(app.screen(), Screen::Welcome);

    // The updater gave up: citizens are taken again.
    gate::clear(&state);
    at(&mut app, 424);
    assert!(!app.flow().restarting);
    app.send(Event::TakeNumber);
    assert_eq!(app.screen(), Screen::Agencies);
}
