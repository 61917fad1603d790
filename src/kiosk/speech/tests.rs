//! The speech mode by keys alone, screen by screen: what is said, what the screen shows,
//! what is printed.

use std::sync::Arc;
use std::time::Duration;

use super::{Guide, Key, Part, Step, Utterance};
use crate::catalogue::Catalogue;
use crate::kiosk::{Command, Event, Flow, PrintResult, Screen, TicketShown, Timing};
use crate::text::Lang;
use crate::tickets::{Ahead, Priority};

fn s(n: u64) -> Duration {
    Duration::from_secs(n)
}

struct Kiosk {
    flow: Flow,
    guide: Guide,
    t: u64,
}

impl Kiosk {
    fn at(hour: i8, minute: i8) -> Kiosk {
        let catalogue = Arc::new(Catalogue {
            feed: crate::catalogue::default_feed(),
            imported_at: jiff::Timestamp::UNIX_EPOCH,
            source: "test".into(),
        });
        let mut flow = Flow::new(catalogue, Lang::Id, Timing::with_idle(s(60)), s(0));
        flow.today.local = Some(jiff::civil::date(2026, 11, 30).at(hour, minute, 0, 0)); // a Monday
        flow.popular = vec!["KTP-BARU".into(), "SKCK-BARU".into(), "KK-BARU".into()];
        Kiosk { flow, guide: Guide::new(s(60), 80), t: 0 }
    }

    fn open() -> Kiosk {
        Kiosk::at(9, 5)
    }

    fn key(&mut self, k: Key) -> Step {
        self.t += 1;
        self.guide.key(k, &mut self.flow, s(self.t))
    }

    fn says(&mut self, k: Key) -> Utterance {
        self.key(k).say.expect("every key is answered")
    }

    fn print(&mut self, number: &str, service: &str, priority: Option<Priority>) -> Utterance {
        self.t += 1;
        let shown = TicketShown {
            number: number.into(),
            service: service.into(),
            ahead: Ahead { count: 3, confirmed: true, wait_minutes: None },
            priority,
            print_failed: false,
            booked: None,
            late: false,
        };
        self.flow.handle(Event::Printed(PrintResult::Issued(shown)), s(self.t));
        self.guide.printed(&mut self.flow, s(self.t)).say.expect("the outcome is said")
    }
}

fn texts(u: &Utterance) -> Vec<&str> {
    u.parts
        .iter()
        .filter_map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            Part::Clip(_) => None,
        })
        .collect()
}

fn has_clip(u: &Utterance, name: &str) -> bool {
    u.clips().any(|c| c == name)
}

#[test]
fn the_first_key_starts_the_mode_says_the_keys_and_the_menu_and_does_nothing_else() {
    let mut k = Kiosk::open();
    k.flow.handle(Event::TakeNumber, s(0)); // a sighted citizen left it on the agencies
    assert!(!k.guide.active());
    let u = k.says(Key::Digit(2));
    assert!(k.guide.active());
    assert_eq!(k.flow.screen, Screen::Welcome, "the mode starts from the welcome, the digit chose nothing");
    assert!(has_clip(&u, "sp-mulai") && has_clip(&u, "sp-menu-pilihan"));
    assert!(u.shown.starts_with("Mode suara."), "{}", u.shown);
    assert_eq!(k.guide.shown(), Some(u.shown.as_str()), "the screen shows what is said");
    // Large text chosen before the first key stays.
    let mut k = Kiosk::open();
    k.flow.handle(Event::ToggleLargeText, s(0));
    k.says(Key::Enter);
    assert!(k.flow.large_text);
}

#[test]
fn an_often_chosen_service_from_the_first_key_to_a_slip_hearing_every_requirement() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    let list = k.says(Key::Digit(1));
    assert!(has_clip(&list, "sp-sering"));
    assert!(list.shown.contains("1. Penerbitan KTP-el Baru"), "{}", list.shown);
    assert!(list.shown.contains("2. Penerbitan SKCK"), "{}", list.shown);
    let detail = k.says(Key::Digit(1));
    assert_eq!(k.flow.screen, Screen::Detail, "the screen moves along for a helper");
    let service = k.flow.catalogue.feed.service("KTP-BARU").unwrap().clone();
    let said = texts(&detail).join(" ");
    for r in &service.requirements {
        assert!(said.contains(r.text.id.trim_end_matches('.')), "requirement {:?} is not read in: {said}", r.text.id);
    }
    assert!(
        has_clip(&detail, "sp-persyaratan") && has_clip(&detail, "sp-biaya") && has_clip(&detail, "sp-pilih-antrean")
    );
    // '*' reads it all again.
    assert_eq!(k.says(Key::Repeat), detail);
    let step = k.key(Key::Digit(1));
    assert_eq!(step.command, Some(Command::Print { service: "KTP-BARU".into(), priority: None }));
    assert_eq!(k.flow.screen, Screen::Printing);
    assert!(has_clip(step.say.as_ref().unwrap(), "sp-mencetak"));
    // Keys while the slip prints change nothing.
    let wait = k.key(Key::Digit(1));
    assert_eq!(wait.command, None);
    assert!(has_clip(wait.say.as_ref().unwrap(), "sp-tunggu"));

    let done = k.print("KTB-A001", "KTP-BARU", None);
    assert_eq!(k.flow.screen, Screen::Done);
    // The number twice, as the lobby calls it, and the counter twice.
    let spelled = mpp_domain::voice::number_clips("KTB-A001").unwrap();
    let clips: Vec<&str> = done.clips().collect();
    let found = clips.windows(spelled.len()).filter(|w| *w == spelled.as_slice()).count();
    assert_eq!(found, 2, "the number is said twice: {clips:?}");
    assert_eq!(done.shown.matches("KTB-A001").count(), 2, "{}", done.shown);
    assert_eq!(done.shown.matches("Loket 1 · Disdukcapil").count(), 2, "{}", done.shown);
    assert!(has_clip(&done, "sp-ambil-kertas"), "where the slip comes out");
    assert!(done.shown.contains("3 orang"), "the people ahead, as the slip says: {}", done.shown);
    // Enter ends it; the next citizen finds the welcome.
    let bye = k.says(Key::Enter);
    assert!(has_clip(&bye, "sp-terima-kasih"));
    assert!(!k.guide.active());
    assert_eq!(k.flow.screen, Screen::Welcome);
}

#[test]
fn agencies_are_read_in_pages_with_their_numbers_and_back_goes_one_step() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    let first = k.says(Key::Digit(2));
    assert_eq!(k.flow.screen, Screen::Agencies);
    assert!(first.shown.contains("1. Dinas Kependudukan"), "{}", first.shown);
    assert!(has_clip(&first, "sp-berikutnya"), "18 agencies do not fit one page");
    assert!(!has_clip(&first, "sp-sebelumnya"));
    let second = k.says(Key::Digit(9));
    assert!(has_clip(&second, "sp-sebelumnya"));
    assert!(!second.shown.contains("Dinas Kependudukan"), "the next page: {}", second.shown);
    let third = k.says(Key::Digit(9));
    assert!(!has_clip(&third, "sp-berikutnya"), "the last page");
    assert!(has_clip(&k.says(Key::Digit(9)), "sp-tidak-ada-pilihan"));
    k.says(Key::Digit(0));
    k.says(Key::Digit(0));
    let services = k.says(Key::Digit(1));
    assert_eq!(k.flow.screen, Screen::Services);
    assert!(has_clip(&services, "sp-layanan-di"));
    assert!(services.shown.contains("Penerbitan KTP-el Baru"), "{}", services.shown);
    let detail = k.says(Key::Digit(2));
    assert_eq!(k.flow.selected_service().unwrap().code, "KTP-HILANG");
    assert!(has_clip(&detail, "sp-belum-verifikasi"), "an unverified service says so");
    k.says(Key::Back);
    assert_eq!(k.flow.screen, Screen::Services);
    k.says(Key::Back);
    assert_eq!(k.flow.screen, Screen::Agencies);
    let menu = k.says(Key::Back);
    assert_eq!(k.flow.screen, Screen::Welcome);
    assert!(has_clip(&menu, "sp-menu-pilihan"));
}

#[test]
fn a_service_is_found_by_spelling_its_first_letters_as_on_a_phone() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    assert!(has_clip(&k.says(Key::Digit(3)), "sp-eja"));
    assert_eq!(k.flow.screen, Screen::Search);
    // S K C K: 7 5 2 5.
    let s1 = k.says(Key::Digit(7));
    assert!(s1.shown.starts_with("P Q R S"), "the key's letters are said: {}", s1.shown);
    for d in [5, 2, 5] {
        k.says(Key::Digit(d));
    }
    let list = k.says(Key::Enter);
    assert!(has_clip(&list, "sp-hasil"));
    assert!(list.shown.contains("1. Penerbitan SKCK"), "{}", list.shown);
    // Back to the letters; Back takes the last one away.
    k.says(Key::Back);
    let fewer = k.says(Key::Back);
    assert!(has_clip(&fewer, "sp-dihapus"));
    // Letters nothing matches.
    for d in [9, 9, 9] {
        k.says(Key::Digit(d));
    }
    assert!(has_clip(&k.says(Key::Enter), "sp-tidak-cocok"));
    for _ in 0..6 {
        k.says(Key::Back); // the six letters left
    }
    assert_eq!(k.flow.screen, Screen::Search);
    k.says(Key::Back);
    assert_eq!(k.flow.screen, Screen::Welcome, "back past the first letter leaves the search");
    k.says(Key::Digit(3));
    for d in [5, 8, 7] {
        k.says(Key::Digit(d)); // KTP
    }
    k.says(Key::Enter);
    k.says(Key::Digit(1));
    assert_eq!(k.flow.screen, Screen::Detail);
    assert!(k.flow.selected_service().unwrap().name.id.contains("KTP"));
}

#[test]
fn a_priority_number_for_a_person_with_a_disability() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.says(Key::Digit(1));
    k.says(Key::Digit(1));
    let ask = k.says(Key::Digit(2));
    assert!(has_clip(&ask, "sp-pilih-prioritas"));
    assert_eq!(k.flow.screen, Screen::Priority);
    let step = k.key(Key::Digit(2));
    assert_eq!(step.command, Some(Command::Print { service: "KTP-BARU".into(), priority: Some(Priority::Disability) }));
    let done = k.print("KTB-PA001", "KTP-BARU", Some(Priority::Disability));
    assert!(done.shown.contains("disabilitas"), "{}", done.shown);
}

#[test]
fn a_closed_service_says_why_and_prints_nothing() {
    let mut k = Kiosk::at(20, 0);
    k.says(Key::Enter);
    k.says(Key::Digit(1));
    let detail = k.says(Key::Digit(1));
    assert!(has_clip(&detail, "sp-tidak-bisa"), "{}", detail.shown);
    assert!(!has_clip(&detail, "sp-pilih-antrean"));
    let step = k.key(Key::Digit(1));
    assert_eq!(step.command, None);
    assert!(step.say.unwrap().shown.contains("Nomor antrean belum dapat diambil"));
    assert!(k.flow.notice.is_none(), "the notice was said and put away");
    assert_eq!(k.flow.screen, Screen::Detail);
}

#[test]
fn a_failed_print_is_said_with_where_to_get_help() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.says(Key::Digit(1));
    k.says(Key::Digit(1));
    k.key(Key::Digit(1));
    k.flow.handle(Event::Printed(PrintResult::PrinterNotReady(crate::device::Fault::PaperOut)), s(50));
    let u = k.guide.printed(&mut k.flow, s(50)).say.unwrap();
    assert!(has_clip(&u, "sp-petugas"));
    assert!(u.shown.contains("Printer bermasalah"), "{}", u.shown);
}

#[test]
fn volume_repeat_help_and_cancel() {
    let mut k = Kiosk::open();
    let menu = k.says(Key::Enter);
    assert_eq!(k.guide.volume(), 80);
    let louder = k.says(Key::VolumeUp);
    assert_eq!(k.guide.volume(), 90);
    assert!(has_clip(&louder, "sp-volume") && louder.shown.ends_with('9'), "{}", louder.shown);
    for _ in 0..20 {
        k.says(Key::VolumeDown);
    }
    assert_eq!(k.guide.volume(), 10, "never silent");
    assert_eq!(k.says(Key::Repeat), menu, "repeat says the choices, not the volume");
    let help = k.says(Key::Help);
    assert!(has_clip(&help, "sp-anda-di") && help.shown.contains("menu utama"), "{}", help.shown);
    k.says(Key::Digit(2));
    let bye = k.says(Key::Cancel);
    assert!(has_clip(&bye, "sp-selesai-mode"));
    assert!(!k.guide.active());
    assert_eq!(k.flow.screen, Screen::Welcome);
    // The next citizen starts at the usual volume.
    k.says(Key::Enter);
    assert_eq!(k.guide.volume(), 80);
}

#[test]
fn the_mode_ends_by_itself_when_the_citizen_leaves_but_not_while_it_speaks() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.says(Key::Digit(2));
    let flow = k.flow.clone();
    assert!(!k.guide.tick(&flow, true, s(500)), "a long reading is not idleness");
    assert!(!k.guide.tick(&flow, false, s(530)));
    assert!(k.guide.tick(&flow, false, s(561)), "a minute of silence after the last word");
    assert!(!k.guide.active());
    assert_eq!(k.guide.shown(), None, "the large text goes with it");
    // The flow sent home by its own idle timeout also ends it.
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.says(Key::Digit(2));
    k.flow.handle(Event::Home, s(100));
    let flow = k.flow.clone();
    assert!(k.guide.tick(&flow, false, s(101)));
}

#[test]
fn a_screen_a_helper_opened_is_named_and_enter_returns_to_the_menu() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.flow.handle(Event::OpenCheckIn, s(10));
    let u = k.says(Key::Help);
    assert!(has_clip(&u, "sp-layar-lain"), "{}", u.shown);
    k.says(Key::Enter);
    assert_eq!(k.flow.screen, Screen::Welcome);
}

#[test]
fn the_screen_shows_the_last_lines_that_fit() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.says(Key::Digit(1));
    let detail = k.says(Key::Digit(1));
    let shown = k.guide.shown().unwrap();
    assert!(detail.shown.chars().count() > super::guide::SHOWN_CHARS, "a long reading");
    assert!(shown.chars().count() <= super::guide::SHOWN_CHARS);
    assert!(shown.ends_with("membawa bayi."), "the choices come last: {shown}");
    assert!(detail.shown.ends_with(shown));
    let short = Utterance::new().text("satu dua tiga empat");
    assert_eq!(short.tail(9), "empat");
    let mut list = Utterance::new().clip("sp-instansi");
    for i in 1..=8 {
        list = list.item(i, "Dinas.");
    }
    assert_eq!(list.tail(320).lines().count(), 8, "at most eight lines: {}", list.tail(320));
    assert!(list.tail(320).starts_with("1. Dinas."));
}

#[test]
fn cancel_while_the_slip_prints_waits_and_the_number_is_still_read() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.says(Key::Digit(1));
    k.says(Key::Digit(1));
    assert!(k.key(Key::Digit(1)).command.is_some());
    assert!(has_clip(&k.says(Key::Cancel), "sp-tunggu"));
    assert!(k.guide.active(), "the mode stays until the number is read");
    let flow = k.flow.clone();
    assert!(!k.guide.tick(&flow, false, s(10_000)), "no idle end while the slip prints");
    let done = k.print("KTB-A001", "KTP-BARU", None);
    assert!(has_clip(&done, "sp-nomor-anda"));
}

#[test]
fn back_returns_to_the_list_a_service_came_from_and_leaves_from_the_menu() {
    let mut k = Kiosk::open();
    k.says(Key::Enter);
    k.says(Key::Digit(1));
    k.says(Key::Digit(2)); // SKCK, from the often chosen
    assert_eq!(k.flow.screen, Screen::Detail);
    let list = k.says(Key::Back);
    assert!(has_clip(&list, "sp-sering"), "back to the often chosen list: {}", list.shown);
    let menu = k.says(Key::Back);
    assert!(has_clip(&menu, "sp-menu-pilihan"));
    let bye = k.says(Key::Back);
    assert!(has_clip(&bye, "sp-selesai-mode"), "back from the menu leaves: {}", bye.shown);
    assert!(!k.guide.active());
}

#[test]
fn the_mode_speaks_indonesian_whatever_language_the_screen_was_in() {
    let mut k = Kiosk::open();
    k.flow.handle(Event::ToggleLanguage, s(0));
    assert_eq!(k.flow.lang, Lang::En);
    k.says(Key::Enter);
    assert_eq!(k.flow.lang, Lang::Id);
    k.says(Key::Digit(1));
    let detail = k.says(Key::Digit(1));
    assert!(detail.shown.contains("Penerbitan KTP-el Baru"), "{}", detail.shown);
}
