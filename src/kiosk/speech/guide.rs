//! The speech mode's path: the main flow's screens, driven by keys and described in words.
//! The guide sends the flow the same events a touch would (so the rules, the quota and a
//! double press are handled once, and the screen moves along for a helper who watches),
//! and says where the citizen is, what can be chosen and what happened.

use std::time::Duration;

use super::{Key, Utterance, matches_spelling};
use crate::kiosk::{Command, Event, Flow, Screen, Who, view};
use crate::tickets::Priority;

/// What the screen shows of the speech at most: eight lines of large text on the
/// narrowest panel (1080 logical pixels across, 40 px type).
pub const SHOWN_CHARS: usize = 320;

/// Choices read per page: 1–8 choose, 9 is the next page, 0 the one before.
const PAGE: usize = 8;

/// Where the guide is where the flow alone does not say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The welcome screen: the main menu.
    Menu,
    /// The welcome screen: its often chosen services.
    Popular,
    /// The search screen: letters being spelled.
    Spelling,
    /// The search screen: the services the letters found.
    Matches,
    /// Wherever the flow's screen is.
    Flow,
}

/// The speech mode's state.
#[derive(Debug, Clone)]
pub struct Guide {
    active: bool,
    place: Place,
    page: usize,
    digits: Vec<u8>,
    matches: Vec<String>,
    last: Option<Utterance>,
    volume: u8,
    start_volume: u8,
    last_key: Duration,
    idle: Duration,
    /// Where a service was chosen (the often chosen list, search results), for Back.
    chosen_in: Place,
}

/// What a key (or a print's result) leads to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Step {
    /// Work for the application (a slip to print), from the flow.
    pub command: Option<Command>,
    /// What to say now, cutting off whatever is being said.
    pub say: Option<Utterance>,
}

impl Guide {
    /// `idle`: without a key (and silent) this long the mode ends by itself; `volume` in
    /// percent, where each citizen starts.
    pub fn new(idle: Duration, volume: u8) -> Guide {
        let volume = volume.clamp(10, 100);
        Guide {
            active: false,
            place: Place::Menu,
            page: 0,
            digits: Vec::new(),
            matches: Vec::new(),
            last: None,
            volume,
            start_volume: volume,
            last_key: Duration::ZERO,
            idle,
            chosen_in: Place::Flow,
        }
    }

    pub fn active(&self) -> bool {
        self.active
    }

    /// The playing volume, percent.
    pub fn volume(&self) -> u8 {
        self.volume
    }

    /// What was said last, for the screen (large text) while the mode is on: its last
    /// lines, as many as fit the panel (the choices to press come last, and the screen
    /// behind shows the rest).
    pub fn shown(&self) -> Option<&str> {
        self.active.then(|| self.last.as_ref().map(|u| u.tail(SHOWN_CHARS))).flatten()
    }

    /// A key of the keypad. The first key starts the mode; it does nothing else.
    pub fn key(&mut self, key: Key, flow: &mut Flow, now: Duration) -> Step {
        self.last_key = now;
        flow.handle(Event::Touch, now);
        if !self.active {
            self.active = true;
            self.volume = self.start_volume;
            if flow.screen == Screen::Printing {
                return self.say(Utterance::new().clip("sp-tunggu"));
            }
            // From the start, with the text size the citizen (or a helper) chose kept, in
            // Indonesian: the voice is Indonesian, and the screen says what it says.
            let large = flow.large_text;
            flow.handle(Event::Home, now);
            if large != flow.large_text {
                flow.handle(Event::ToggleLargeText, now);
            }
            if flow.lang != crate::text::Lang::Id {
                flow.handle(Event::ToggleLanguage, now);
            }
            self.back_to_menu();
            let intro = Utterance::new().clip("sp-mulai").then(self.describe(flow));
            return self.say(intro);
        }
        match key {
            Key::VolumeUp | Key::VolumeDown => {
                self.volume = match key {
                    Key::VolumeUp => (self.volume + 10).min(100),
                    _ => self.volume.saturating_sub(10).max(10),
                };
                let u = Utterance::new().clip("sp-volume").count(usize::from(self.volume / 10));
                // Not kept as the last thing said: '*' still repeats the choices.
                Step { command: None, say: Some(u) }
            }
            Key::Repeat => match self.last.clone() {
                Some(u) => Step { command: None, say: Some(u) },
                None => self.say(self.describe(flow)),
            },
            Key::Help => {
                let u = Utterance::new().clip("sp-anda-di").text(self.place_name(flow)).then(self.describe(flow));
                self.say(Utterance::new().clip("sp-mulai").then(u))
            }
            // Never while a slip prints: the citizen would hold a number nobody read out.
            Key::Cancel if flow.screen == Screen::Printing => {
                Step { command: None, say: Some(Utterance::new().clip("sp-tunggu")) }
            }
            Key::Cancel => {
                flow.handle(Event::Home, now);
                self.end();
                Step { command: None, say: Some(Utterance::new().clip("sp-selesai-mode")) }
            }
            _ => self.act(key, flow, now),
        }
    }

    /// After a print job: the number (twice) and where the slip is, or what went wrong.
    pub fn printed(&mut self, flow: &mut Flow, now: Duration) -> Step {
        if !self.active {
            return Step::default();
        }
        self.last_key = now;
        if flow.screen == Screen::Done {
            self.place = Place::Flow;
            return self.say(self.done(flow));
        }
        if let Some((title, body)) = view::notice(flow) {
            flow.handle(Event::DismissNotice, now);
            let u = Utterance::new().text(title).text(body).clip("sp-petugas").then(self.describe(flow));
            return self.say(u);
        }
        self.say(self.describe(flow))
    }

    /// Time passes: `speaking` while the voice still plays (a long list is not idleness).
    /// Returns whether the mode ended by itself (the citizen left): stop the voice then.
    pub fn tick(&mut self, flow: &Flow, speaking: bool, now: Duration) -> bool {
        if !self.active {
            return false;
        }
        if speaking || flow.screen == Screen::Printing {
            self.last_key = now;
            return false;
        }
        // The flow went home by itself (its idle timeout, the done screen's end).
        let flow_left = flow.screen == Screen::Welcome && self.place == Place::Flow;
        if flow_left || now.saturating_sub(self.last_key) >= self.idle {
            self.end();
            return true;
        }
        false
    }

    fn end(&mut self) {
        self.active = false;
        self.back_to_menu();
        self.last = None;
        self.volume = self.start_volume;
    }

    fn back_to_menu(&mut self) {
        self.place = Place::Menu;
        self.chosen_in = Place::Flow;
        self.page = 0;
        self.digits.clear();
        self.matches.clear();
    }

    fn say(&mut self, u: Utterance) -> Step {
        self.last = Some(u.clone());
        Step { command: None, say: Some(u) }
    }

    fn no_choice(&mut self) -> Step {
        // Said, but not kept: '*' repeats the choices, not the mistake.
        let u = Utterance::new().clip("sp-tidak-ada-pilihan");
        Step { command: None, say: Some(u) }
    }

    /// A digit, Enter or Back where the citizen is.
    fn act(&mut self, key: Key, flow: &mut Flow, now: Duration) -> Step {
        if flow.screen == Screen::Printing {
            return Step { command: None, say: Some(Utterance::new().clip("sp-tunggu")) };
        }
        match (flow.screen, self.place) {
            (Screen::Welcome, Place::Menu) => match key {
                Key::Digit(1) if !self.popular(flow).is_empty() => {
                    self.place = Place::Popular;
                    self.page = 0;
                    self.say(self.describe(flow))
                }
                Key::Digit(1) | Key::Digit(2) => {
                    flow.handle(Event::TakeNumber, now);
                    self.enter_flow(flow)
                }
                Key::Digit(3) => {
                    flow.handle(Event::OpenSearch, now);
                    self.place = Place::Spelling;
                    self.digits.clear();
                    self.matches.clear();
                    self.say(self.describe(flow))
                }
                Key::Enter => self.say(self.describe(flow)),
                // Back from the start: the citizen leaves (a keypad without a Cancel key).
                Key::Back => {
                    self.end();
                    Step { command: None, say: Some(Utterance::new().clip("sp-selesai-mode")) }
                }
                _ => self.no_choice(),
            },
            (Screen::Welcome, Place::Popular) => {
                let list = self.popular(flow);
                self.choose(key, list, flow, now, Event::Service)
            }
            (Screen::Search, Place::Spelling) => self.spell(key, flow, now),
            (Screen::Search, Place::Matches) => {
                if key == Key::Back {
                    self.place = Place::Spelling;
                    return self.say(self.describe(flow));
                }
                let list = self.match_list(flow);
                self.choose(key, list, flow, now, Event::Service)
            }
            (Screen::Agencies, _) => {
                let list = agencies(flow);
                self.choose(key, list, flow, now, Event::Agency)
            }
            (Screen::Services, _) => {
                let list = services(flow);
                self.choose(key, list, flow, now, Event::Service)
            }
            (Screen::Detail, _) => match key {
                Key::Digit(d @ (1 | 2)) => {
                    flow.handle(Event::TakeTicket, now);
                    if flow.notice.is_some() {
                        return self.printed(flow, now);
                    }
                    if d == 2 {
                        return self.say(Utterance::new().clip("sp-pilih-prioritas"));
                    }
                    let command = flow.handle(Event::Choose(Who::Regular), now);
                    let say = self.say(Utterance::new().clip("sp-mencetak")).say;
                    Step { command, say }
                }
                Key::Back => self.back(flow, now),
                Key::Enter => self.say(self.describe(flow)),
                _ => self.no_choice(),
            },
            (Screen::Priority, _) => match key {
                Key::Digit(d @ 1..=3) => {
                    let p = Priority::ALL[usize::from(d - 1)];
                    let command = flow.handle(Event::Choose(Who::Priority(p)), now);
                    let say = self.say(Utterance::new().text(p.label(crate::text::Lang::Id)).clip("sp-mencetak")).say;
                    Step { command, say }
                }
                Key::Back => {
                    flow.handle(Event::Back, now);
                    self.say(Utterance::new().clip("sp-pilih-antrean"))
                }
                Key::Enter => self.say(Utterance::new().clip("sp-pilih-prioritas")),
                _ => self.no_choice(),
            },
            (Screen::Done, _) => match key {
                Key::Enter | Key::Back => {
                    flow.handle(Event::Home, now);
                    self.end();
                    Step { command: None, say: Some(Utterance::new().clip("sp-terima-kasih")) }
                }
                _ => self.no_choice(),
            },
            // The search screen reached by a touch, or a screen a helper opened.
            (Screen::Search, _) => {
                self.place = Place::Spelling;
                self.spell(key, flow, now)
            }
            _ => match key {
                Key::Enter | Key::Back => {
                    flow.handle(Event::Home, now);
                    self.back_to_menu();
                    self.say(self.describe(flow))
                }
                _ => self.no_choice(),
            },
        }
    }

    /// Moved to the flow's own screens: say where.
    fn enter_flow(&mut self, flow: &Flow) -> Step {
        self.place = Place::Flow;
        self.page = 0;
        self.say(self.describe(flow))
    }

    /// Back one step along the flow, and say where that is.
    fn back(&mut self, flow: &mut Flow, now: Duration) -> Step {
        flow.handle(Event::Back, now);
        self.page = 0;
        self.place = match flow.screen {
            Screen::Welcome => match self.chosen_in {
                Place::Popular => Place::Popular,
                _ => Place::Menu,
            },
            Screen::Search => Place::Matches,
            _ => Place::Flow,
        };
        self.say(self.describe(flow))
    }

    /// A digit chooses from a list read in pages; Back leaves it.
    fn choose(
        &mut self,
        key: Key,
        list: Vec<(String, String)>,
        flow: &mut Flow,
        now: Duration,
        event: impl Fn(String) -> Event,
    ) -> Step {
        let pages = list.len().div_ceil(PAGE).max(1);
        match key {
            Key::Digit(9) if self.page + 1 < pages => {
                self.page += 1;
                self.say(self.describe(flow))
            }
            Key::Digit(0) if self.page > 0 => {
                self.page -= 1;
                self.say(self.describe(flow))
            }
            Key::Digit(d @ 1..=8) => {
                let Some((code, _)) = list.get(self.page * PAGE + usize::from(d) - 1) else {
                    return self.no_choice();
                };
                self.chosen_in = self.place;
                flow.handle(event(code.clone()), now);
                self.enter_flow(flow)
            }
            Key::Back => match self.place {
                Place::Popular => {
                    self.back_to_menu();
                    self.say(self.describe(flow))
                }
                _ => self.back(flow, now),
            },
            Key::Enter => self.say(self.describe(flow)),
            _ => self.no_choice(),
        }
    }

    /// Spelling: a digit adds a letter group, Back takes the last away, Enter lists.
    fn spell(&mut self, key: Key, flow: &mut Flow, now: Duration) -> Step {
        match key {
            Key::Digit(d @ 2..=9) if self.digits.len() < 12 => {
                self.digits.push(d);
                self.matches = self.find(flow);
                let u = Utterance::new().letters(super::letters_of(d)).then(self.found());
                self.say(u)
            }
            Key::Back if !self.digits.is_empty() => {
                self.digits.pop();
                self.matches = self.find(flow);
                let u = Utterance::new().clip("sp-dihapus");
                let u = if self.digits.is_empty() { u.clip("sp-eja") } else { u.then(self.found()) };
                self.say(u)
            }
            Key::Back => {
                flow.handle(Event::Back, now);
                self.back_to_menu();
                self.say(self.describe(flow))
            }
            Key::Enter if !self.matches.is_empty() => {
                self.place = Place::Matches;
                self.page = 0;
                self.say(self.describe(flow))
            }
            Key::Enter => self.say(self.found()),
            _ => self.no_choice(),
        }
    }

    fn found(&self) -> Utterance {
        match self.matches.len() {
            0 if self.digits.is_empty() => Utterance::new().clip("sp-eja"),
            0 => Utterance::new().clip("sp-tidak-cocok"),
            n => Utterance::new().count(n).clip("sp-cocok"),
        }
    }

    /// The services the letters spell, the often chosen first.
    fn find(&self, flow: &Flow) -> Vec<String> {
        let feed = &flow.catalogue.feed;
        let mut found: Vec<(bool, String, String)> = feed
            .services
            .iter()
            .filter(|s| s.active && feed.agency(&s.agency).is_some_and(|a| a.active))
            .filter(|s| {
                let agency = feed.agency(&s.agency).map(|a| a.short_name.id.as_str()).unwrap_or("");
                matches_spelling(&s.name.id, &self.digits)
                    || matches_spelling(agency, &self.digits)
                    || s.keywords.iter().any(|k| matches_spelling(k, &self.digits))
            })
            .map(|s| (!flow.popular.contains(&s.code), s.name.id.clone(), s.code.clone()))
            .collect();
        found.sort();
        found.into_iter().map(|(_, _, code)| code).collect()
    }

    fn popular(&self, flow: &Flow) -> Vec<(String, String)> {
        let feed = &flow.catalogue.feed;
        flow.popular
            .iter()
            .filter_map(|c| feed.service(c))
            .filter(|s| s.active)
            .map(|s| (s.code.clone(), service_words(flow, s)))
            .collect()
    }

    fn match_list(&self, flow: &Flow) -> Vec<(String, String)> {
        let feed = &flow.catalogue.feed;
        self.matches.iter().filter_map(|c| feed.service(c)).map(|s| (s.code.clone(), service_words(flow, s))).collect()
    }

    /// The name of where the citizen is, for "where am I".
    fn place_name(&self, flow: &Flow) -> String {
        let name = match (flow.screen, self.place) {
            (Screen::Welcome, Place::Popular) => "layanan yang sering dipilih",
            (Screen::Welcome, _) => "menu utama",
            (Screen::Search, _) => "pencarian layanan",
            (Screen::Agencies, _) => "daftar instansi",
            (Screen::Services, _) => "daftar layanan",
            (Screen::Detail, _) => "persyaratan layanan",
            (Screen::Priority, _) => "pilihan antrean prioritas",
            (Screen::Printing, _) => "pencetakan nomor",
            (Screen::Done, _) => "nomor antrean Anda",
            _ => "layar lain",
        };
        format!("{name}.")
    }

    /// Where the citizen is and what can be chosen there.
    fn describe(&self, flow: &Flow) -> Utterance {
        let u = Utterance::new();
        match (flow.screen, self.place) {
            (Screen::Welcome, Place::Popular) => self.page_of(u.clip("sp-sering"), self.popular(flow)),
            (Screen::Welcome, _) => u.clip("sp-menu").clip("sp-menu-pilihan"),
            (Screen::Search, Place::Matches) => self.page_of(u.clip("sp-hasil"), self.match_list(flow)),
            (Screen::Search, _) => {
                if self.digits.is_empty() {
                    u.clip("sp-eja")
                } else {
                    u.then(self.found())
                }
            }
            (Screen::Agencies, _) => self.page_of(u.clip("sp-instansi"), agencies(flow)),
            (Screen::Services, _) => {
                let agency = flow
                    .agency
                    .as_deref()
                    .and_then(|a| flow.catalogue.feed.agency(a))
                    .map(|a| a.name.id.clone())
                    .unwrap_or_default();
                self.page_of(u.clip("sp-layanan-di").text(agency), services(flow))
            }
            (Screen::Detail, _) => detail(flow),
            (Screen::Priority, _) => u.clip("sp-pilih-prioritas"),
            (Screen::Printing, _) => u.clip("sp-mencetak"),
            (Screen::Done, _) => self.done(flow),
            _ => u.clip("sp-anda-di").clip("sp-layar-lain"),
        }
    }

    /// A heading and one page of a list, with how to turn pages.
    fn page_of(&self, heading: Utterance, list: Vec<(String, String)>) -> Utterance {
        let page = self.page.min(list.len().saturating_sub(1) / PAGE);
        let mut u = heading;
        for (i, (_, words)) in list.iter().enumerate().skip(page * PAGE).take(PAGE) {
            u = u.item(i - page * PAGE + 1, words);
        }
        if (page + 1) * PAGE < list.len() {
            u = u.clip("sp-berikutnya");
        }
        if page > 0 {
            u = u.clip("sp-sebelumnya");
        }
        u
    }

    /// The number twice, where the slip comes out, where to go.
    fn done(&self, flow: &Flow) -> Utterance {
        let Some(t) = &flow.shown else { return Utterance::new().clip("sp-petugas") };
        let counter = view::done(flow).map(|d| d.counter).unwrap_or_default();
        let mut u = Utterance::new().clip("sp-nomor-anda").number(&t.number);
        if let Some(p) = t.priority {
            u = u.text(p.label(crate::text::Lang::Id));
        }
        u = if t.print_failed { u.clip("sp-tidak-tercetak").clip("sp-petugas") } else { u.clip("sp-ambil-kertas") };
        if let Some(slot) = &t.booked {
            u = u.text(format!("Booking {slot}."));
        }
        u.clip("sp-menuju")
            .text(format!("{counter}."))
            .text(with_stop(&view::ahead_text(t.ahead, crate::text::Lang::Id)))
            .clip("sp-sekali-lagi")
            .number(&t.number)
            .text(format!("{counter}."))
            .clip("sp-selesai-pilihan")
    }
}

/// A service as read in a list: its name, and its agency when the list mixes agencies.
fn service_words(flow: &Flow, s: &crate::catalogue::Service) -> String {
    let agency = flow.catalogue.feed.agency(&s.agency).map(|a| a.short_name.id.as_str()).unwrap_or("");
    format!("{}, {agency}.", s.name.id)
}

fn agencies(flow: &Flow) -> Vec<(String, String)> {
    flow.catalogue
        .feed
        .agencies_in_order()
        .into_iter()
        .filter(|a| a.active)
        .map(|a| (a.code.clone(), format!("{}.", a.name.id)))
        .collect()
}

fn services(flow: &Flow) -> Vec<(String, String)> {
    let Some(agency) = flow.agency.as_deref() else { return Vec::new() };
    flow.catalogue
        .feed
        .services_of(agency)
        .filter(|s| s.active)
        .map(|s| (s.code.clone(), format!("{}.", s.name.id)))
        .collect()
}

/// A service read in full: its name, whether it is verified, every requirement under its
/// heading, the fee and the time, then the choices (or why no number can be taken).
pub fn detail(flow: &Flow) -> Utterance {
    let Some(s) = flow.selected_service() else { return Utterance::new().clip("sp-petugas") };
    let Some(d) = view::detail(flow) else { return Utterance::new().clip("sp-petugas") };
    let mut u = Utterance::new().clip("sp-layanan").text(format!("{}, {}.", d.name, d.agency));
    if !s.verified {
        u = u.clip("sp-belum-verifikasi");
    }
    u = u.clip("sp-persyaratan");
    let lines = view::requirement_lines(s, crate::text::Lang::Id);
    if lines.iter().all(|l| l.heading) {
        u = u.clip("sp-tanpa-persyaratan");
    }
    for line in lines {
        u = if line.heading { u.text(format!("{}.", line.text)) } else { u.item(line.number, &with_stop(&line.text)) };
    }
    // A free service is "Gratis." (the law behind it is for reading, not for the ear).
    u = u.clip("sp-biaya");
    u = if s.fee.is_free() { u.clip("sp-gratis") } else { u.text(with_stop(s.fee.text.id.trim())) };
    if !d.time.is_empty() {
        u = u.clip("sp-waktu").text(with_stop(&d.time));
    }
    match flow.availability(s) {
        Ok(()) => u.clip("sp-pilih-antrean"),
        Err(r) => {
            let next = flow.next_opening(s, &r);
            u.clip("sp-tidak-bisa").text(view::refusal_words(flow, &r, next.as_ref())).clip("sp-kembali-titik")
        }
    }
}

/// A sentence ends with a stop, so the voice pauses before the next.
fn with_stop(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?', ':']) { t.to_owned() } else { format!("{t}.") }
}
