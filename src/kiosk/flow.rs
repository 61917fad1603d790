//! The citizen's path through the kiosk as a plain state machine: which screen shows,
//! what is selected, the idle and done timers, refusals. No Slint here: the UI sends
//! [`Event`]s, draws what [`Flow`] holds, and carries out the [`Command`]s it returns.
//!
//! Time comes in with every call as `now`, a monotonic duration (Slint's clock in the
//! window, mock time in tests), so every timer can be tested without waiting.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::catalogue::{Catalogue, Service};
use crate::device::Fault;
use crate::tickets::{Priority, Refusal, check_issuable};

mod citizen;
mod staff;
mod survey;

pub use staff::{PullOutcome, StaffOutcome, UploadOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Welcome,
    Agencies,
    Services,
    Detail,
    Priority,
    Printing,
    Done,
    Search,
    /// "Sudah booking?": the booking code, typed or scanned.
    CheckIn,
    /// The survey: one element's question (`SurveyDraft::step` 0–8).
    SurveyQuestion,
    /// The survey: one optional profile question (step 0–3).
    SurveyProfile,
    /// The survey: the optional comment.
    SurveyComment,
    /// The survey: thank you.
    SurveyThanks,
    /// The staff PIN pad (reached by five quick taps on the welcome screen's logo).
    StaffPin,
    /// The staff screen: health, today's tickets with reprint, test slip, sync, IKM.
    Staff,
}

/// A survey being filled in. Nothing in it points to a ticket or a person.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveyDraft {
    pub service: Option<String>,
    /// Answers to U1–U9 in order; `None` = skipped.
    pub answers: [Option<u8>; 9],
    pub profile: crate::survey::Profile,
    pub comment: String,
    /// The question shown on the question and profile screens.
    pub step: usize,
}

/// Who the ticket is for, as chosen on the priority screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Regular,
    Priority(Priority),
}

/// Something in the citizen's way, shown over the current screen until dismissed.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The catalogue's rules say no (closed, quota full, …), and when numbers can be taken
    /// again (local time), when that is known.
    Refused(Refusal, Option<jiff::civil::DateTime>),
    /// The printer cannot print: ask staff.
    Printer(Fault),
    /// Anything else that went wrong: the words are for staff; the citizen is sent to the desk.
    Failed(String),
    /// A booking code that gives no number, and what to do.
    CheckIn(mpp_domain::booking::CheckInRefusal),
}

/// The ticket the citizen got, for the done screen.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketShown {
    pub number: String,
    pub service: String,
    /// People ahead: the site server's count, or the kiosk's estimate.
    pub ahead: crate::tickets::Ahead,
    pub priority: Option<Priority>,
    /// The number stands but the slip did not print: the citizen is told what to do.
    pub print_failed: bool,
    /// A booking checked in: its slot ("09.15–09.30 WITA"), when the number is called from.
    pub booked: Option<String>,
    /// A booking checked in after its window: a walk-in number, said so.
    pub late: bool,
}

/// How a print job ended, as the worker reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum PrintResult {
    Issued(TicketShown),
    Refused(Refusal),
    PrinterNotReady(Fault),
    Failed(String),
    /// A citizen's "print again" after a failed slip ended: whether it printed now.
    Retried {
        printed: bool,
    },
    /// A booking code gave no number.
    CheckInRefused(mpp_domain::booking::CheckInRefusal),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// "Ambil Nomor Antrean" on the welcome screen.
    TakeNumber,
    OpenSearch,
    Agency(String),
    Service(String),
    /// "Ambil Nomor Antrean" on the service detail.
    TakeTicket,
    Choose(Who),
    Back,
    Home,
    ToggleLanguage,
    ToggleLargeText,
    /// The search text changed (the on-screen keyboard).
    Query(String),
    /// "Sudah booking?" on the welcome screen.
    OpenCheckIn,
    /// The booking code typed so far (the on-screen keyboard).
    Code(String),
    /// "Check-in" under the typed code.
    SubmitCode,
    /// The barcode scanner read a code (from its own device, never the keyboard): on the
    /// welcome or check-in screen it checks in at once.
    Scanned(String),
    DismissNotice,
    /// Any touch: keeps the idle timer from running out.
    Touch,
    /// The print worker finished.
    Printed(PrintResult),
    /// "Coba cetak lagi" on the done screen after the slip did not print.
    RetryPrint,
    /// "Beri Penilaian" on the welcome screen.
    StartSurvey,
    /// An answer 1–4 to the current survey question.
    Answer(u8),
    /// A profile choice (its index among the current question's choices).
    ProfileChoice(usize),
    /// Skip the current survey question (answers and profile are optional per question).
    Skip,
    /// The comment text changed (the on-screen keyboard).
    Comment(String),
    /// Send the survey.
    SubmitSurvey,
    /// A tap on the welcome screen's logo (five within four seconds open the PIN pad).
    CornerTap,
    /// A digit on the PIN pad.
    PinKey(char),
    PinBackspace,
    PinSubmit,
    /// Staff: print this ticket of today again.
    StaffReprint(String),
    StaffTestSlip,
    StaffSyncNow,
    /// A staff action finished: what came of it.
    StaffResult(StaffOutcome),
}

/// Work the UI must do for the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Issue and print a ticket (on the print worker, never on the UI thread).
    Print { service: String, priority: Option<Priority> },
    /// Run a search and hand the codes back with [`Flow::set_results`].
    Search(String),
    /// Check a booking in by its code (the site's list refreshed first, then the print
    /// worker), answering with [`PrintResult::Issued`] or [`PrintResult::CheckInRefused`].
    CheckIn(String),
    /// Store a finished survey response.
    SaveSurvey(crate::survey::Response),
    /// Staff: reprint a ticket of today (print worker).
    Reprint(String),
    /// The citizen's slip did not print: print the same number again (print worker),
    /// answering with [`PrintResult::Retried`].
    RetryPrint(String),
    /// Staff: print the test slip (print worker).
    TestSlip,
    /// Staff: one sync round now (off the UI thread).
    SyncNow,
    /// Staff: read the health figures again (and the printer's status).
    RefreshStaff,
}

/// What the kiosk knows about "today" for the rules: local time and tickets issued.
#[derive(Debug, Clone, Default)]
pub struct Today {
    pub local: Option<jiff::civil::DateTime>,
    /// Tickets issued today per service (voided ones excluded), for quotas.
    pub issued: HashMap<String, u32>,
    /// Places held for today's bookings still to come, per service (until their window ends).
    pub held: HashMap<String, u32>,
}

impl Today {
    /// What counts against a walk-in's quota for `service`: tickets issued and places held.
    pub fn counted(&self, service: &str) -> u32 {
        self.issued.get(service).copied().unwrap_or(0) + self.held.get(service).copied().unwrap_or(0)
    }
}

/// Timings of the flow.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// No touch for this long: back to welcome.
    pub idle: Duration,
    /// The "still there?" countdown shows for this long before the idle return.
    pub warn: Duration,
    /// The done screen returns to welcome after this long.
    pub done: Duration,
    /// … or this long after the last touch when the slip failed: the citizen has time to
    /// print again or note the number, and the next citizen never finds a stranger's
    /// number (it stays reprintable from the staff screen).
    pub done_failed: Duration,
    /// The survey's thank-you screen returns after this long.
    pub thanks: Duration,
}

impl Timing {
    pub fn with_idle(idle: Duration) -> Timing {
        Timing {
            idle,
            warn: Duration::from_secs(15).min(idle / 2),
            done: Duration::from_secs(20),
            done_failed: Duration::from_secs(90),
            thanks: Duration::from_secs(8),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub catalogue: Arc<Catalogue>,
    pub screen: Screen,
    pub lang: crate::text::Lang,
    pub large_text: bool,
    pub agency: Option<String>,
    pub service: Option<String>,
    pub query: String,
    pub results: Vec<String>,
    /// The booking code typed on the check-in screen.
    pub code: String,
    /// The kiosk's copy holds bookings still to check in today (the welcome offers
    /// "Sudah booking?" then).
    pub bookings_today: bool,
    pub notice: Option<Notice>,
    pub shown: Option<TicketShown>,
    pub today: Today,
    /// Services offered on the welcome screen (the most chosen lately), codes.
    pub popular: Vec<String>,
    /// The site's queue as the site server last told it (kept fresh by the application;
    /// `None` without a server or when its word is too old to show).
    pub queue: Option<Arc<crate::queue::QueueState>>,
    /// What stops the printer, as last read (a status read on the welcome screen, a slip):
    /// the welcome says so before anyone chooses a service.
    pub printer_fault: Option<crate::device::Fault>,
    /// The kiosk is about to restart into a system update (granted only at a quiet welcome
    /// screen): the welcome says so and nothing new starts in the seconds before.
    pub restarting: bool,
    /// The screen the service detail was reached from (Back returns there).
    came_from: Screen,
    default_lang: crate::text::Lang,
    timing: Timing,
    last_touch: Duration,
    done_since: Option<Duration>,
    /// A catalogue that arrived mid-path waits for the next return to welcome.
    pending_catalogue: Option<Arc<Catalogue>>,
    /// The survey being filled in, if the citizen is rating a service.
    pub survey: Option<SurveyDraft>,
    /// The staff PIN's hash from the config (`None`: the staff screen cannot be opened).
    pub pin_hash: Option<String>,
    /// Digits typed on the PIN pad.
    pub pin: String,
    /// The PIN pad's last refusal (wrong PIN, locked, none set), for the view to word.
    pub pin_result: Option<crate::staff_pin::PinResult>,
    /// The last staff action's result.
    pub staff_outcome: Option<StaffOutcome>,
    pin_guard: crate::staff_pin::PinGuard,
    corner_taps: Vec<Duration>,
}

/// What the idle timer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    Active,
    /// Show "still there?" with this many whole seconds left.
    Warning(u32),
    /// The screen leaves by itself (the done screen) in this many whole seconds: said on it.
    Leaving(u32),
}

impl Flow {
    /// The PIN pad's lock-out as it should be stored (at monotonic time `now`).
    pub fn pin_guard_state(&self, now: Duration) -> crate::staff_pin::PinGuardState {
        self.pin_guard.state(now)
    }

    /// Puts back a stored lock-out (at start).
    pub fn restore_pin_guard(&mut self, state: crate::staff_pin::PinGuardState, now: Duration) {
        self.pin_guard = crate::staff_pin::PinGuard::restore(state, now);
    }

    pub fn new(catalogue: Arc<Catalogue>, lang: crate::text::Lang, timing: Timing, now: Duration) -> Flow {
        Flow {
            catalogue,
            screen: Screen::Welcome,
            lang,
            large_text: false,
            agency: None,
            service: None,
            query: String::new(),
            results: Vec::new(),
            code: String::new(),
            bookings_today: false,
            notice: None,
            shown: None,
            today: Today::default(),
            popular: Vec::new(),
            queue: None,
            printer_fault: None,
            restarting: false,
            came_from: Screen::Services,
            default_lang: lang,
            timing,
            last_touch: now,
            done_since: None,
            pending_catalogue: None,
            survey: None,
            pin_hash: None,
            pin: String::new(),
            pin_result: None,
            staff_outcome: None,
            pin_guard: Default::default(),
            corner_taps: Vec::new(),
        }
    }

    pub fn selected_service(&self) -> Option<&Service> {
        self.service.as_deref().and_then(|c| self.catalogue.feed.service(c))
    }

    /// How long since the last touch or key, at `now`.
    pub fn idle_for(&self, now: Duration) -> Duration {
        now.saturating_sub(self.last_touch)
    }

    /// Whether the kiosk may restart into an update now: on the welcome screen, untouched
    /// for `quiet`, no notice up, no survey, no slip printing (the caller adds what it
    /// knows of the print worker and the speech mode).
    pub fn quiet(&self, now: Duration, quiet: Duration) -> bool {
        self.screen == Screen::Welcome && self.notice.is_none() && self.survey.is_none() && self.idle_for(now) >= quiet
    }

    /// Whether a ticket for `service` may be issued now, by the catalogue's rules.
    pub fn availability(&self, service: &Service) -> Result<(), Refusal> {
        let feed = &self.catalogue.feed;
        let agency_active = feed.agency(&service.agency).is_some_and(|a| a.active);
        let Some(local) = &self.today.local else { return Ok(()) };
        check_issuable(&feed.site, service, agency_active, local, self.today.counted(&service.code))
    }

    /// When numbers for `service` can be taken again after refusal `r` (local time).
    pub fn next_opening(&self, service: &Service, r: &Refusal) -> Option<jiff::civil::DateTime> {
        let feed = &self.catalogue.feed;
        let agency_active = feed.agency(&service.agency).is_some_and(|a| a.active);
        let skip_today = matches!(r, Refusal::QuotaFull { .. } | Refusal::NumbersExhausted);
        crate::tickets::rules::next_opening(&feed.site, service, agency_active, self.today.local.as_ref()?, skip_today)
    }

    /// A new catalogue (from sync): taken at once on the welcome screen, else kept until
    /// the citizen is done, so nobody's path changes under their finger.
    pub fn offer_catalogue(&mut self, catalogue: Arc<Catalogue>) {
        if self.screen == Screen::Welcome {
            self.catalogue = catalogue;
        } else {
            self.pending_catalogue = Some(catalogue);
        }
    }

    /// Back to the welcome screen with nothing of the last citizen left.
    fn reset(&mut self) {
        self.screen = Screen::Welcome;
        self.lang = self.default_lang;
        self.large_text = false;
        self.agency = None;
        self.service = None;
        self.query.clear();
        self.results.clear();
        self.code.clear();
        self.notice = None;
        self.shown = None;
        self.came_from = Screen::Services;
        self.done_since = None;
        self.survey = None;
        self.pin.clear();
        self.pin_result = None;
        self.staff_outcome = None;
        self.corner_taps.clear();
        if let Some(c) = self.pending_catalogue.take() {
            self.catalogue = c;
        }
    }

    /// Handles one event; returns the work the UI must do, if any. Guards shared by every
    /// screen come first; then the event goes to the machine it belongs to: the citizen's
    /// path (`citizen.rs`), the survey (`survey.rs`) or the staff screen (`staff.rs`).
    pub fn handle(&mut self, event: Event, now: Duration) -> Option<Command> {
        if !matches!(event, Event::Printed(_)) {
            self.last_touch = now;
        }
        // While a slip prints, touches change nothing: no second ticket from a double tap.
        if self.screen == Screen::Printing
            && !matches!(event, Event::Printed(_) | Event::Touch | Event::ToggleLargeText)
        {
            return None;
        }
        if self.restarting
            && !matches!(
                event,
                Event::Printed(_)
                    | Event::Touch
                    | Event::ToggleLanguage
                    | Event::ToggleLargeText
                    | Event::StaffResult(_)
            )
        {
            return None;
        }
        // A notice must be dismissed first (its button is the only one on top).
        if self.notice.is_some()
            && !matches!(
                event,
                Event::DismissNotice | Event::Touch | Event::Home | Event::ToggleLanguage | Event::ToggleLargeText
            )
        {
            return None;
        }
        match event {
            Event::Touch => None,
            Event::Home => {
                self.reset();
                None
            }
            Event::ToggleLanguage => {
                self.lang = self.lang.other();
                None
            }
            Event::ToggleLargeText => {
                self.large_text = !self.large_text;
                None
            }
            Event::DismissNotice => {
                // After a printer fault or failure the citizen may still read the requirements.
                self.notice = None;
                None
            }
            Event::Back => self.back(),
            e @ (Event::StartSurvey
            | Event::Answer(_)
            | Event::ProfileChoice(_)
            | Event::Skip
            | Event::Comment(_)
            | Event::SubmitSurvey) => self.survey_event(e, now),
            e @ (Event::CornerTap
            | Event::PinKey(_)
            | Event::PinBackspace
            | Event::PinSubmit
            | Event::StaffReprint(_)
            | Event::StaffTestSlip
            | Event::StaffSyncNow
            | Event::StaffResult(_)) => self.staff_event(e, now),
            e => self.citizen_event(e, now),
        }
    }

    /// Back: within the survey one question back; from staff screens home; otherwise one
    /// step back along the citizen's path (to welcome resets everything).
    fn back(&mut self) -> Option<Command> {
        if matches!(self.screen, Screen::StaffPin | Screen::Staff) {
            self.reset();
            return None;
        }
        if self.survey_back() {
            return None;
        }
        self.screen = match self.screen {
            Screen::Welcome | Screen::Agencies | Screen::Search | Screen::CheckIn => Screen::Welcome,
            Screen::Services => Screen::Agencies,
            Screen::Detail => self.came_from,
            Screen::Priority => Screen::Detail,
            Screen::Printing => Screen::Printing,
            Screen::SurveyQuestion | Screen::SurveyProfile | Screen::SurveyComment | Screen::SurveyThanks => {
                Screen::Welcome
            }
            Screen::StaffPin | Screen::Staff => Screen::Welcome,
            Screen::Done => Screen::Welcome,
        };
        if self.screen == Screen::Welcome {
            self.reset();
        }
        None
    }

    /// Keeps the done screen up from `now` (the speech mode reads the number on it: the
    /// screen does not leave while the voice still says it).
    pub fn keep_done(&mut self, now: Duration) {
        if self.screen == Screen::Done && self.done_since.is_some() {
            self.done_since = Some(now);
        }
    }

    /// Search results for the current query (codes, best first); stale ones are dropped.
    pub fn set_results(&mut self, query: &str, codes: Vec<String>) {
        if query == self.query {
            self.results = codes;
        }
    }

    /// Advances the timers; returns whether the idle warning shows.
    pub fn tick(&mut self, now: Duration) -> Idle {
        if self.screen == Screen::SurveyThanks {
            if self.done_since.is_some_and(|t| now.saturating_sub(t) >= self.timing.thanks) {
                self.reset();
            }
            return Idle::Active;
        }
        if self.screen == Screen::Done {
            // A failed slip's number stays a while after the last touch (print again, note
            // it), then goes: the next citizen must not find it.
            let failed = self.shown.as_ref().is_some_and(|s| s.print_failed);
            let (since, stay) = match failed {
                true => (self.done_since.map(|t| t.max(self.last_touch)), self.timing.done_failed),
                false => (self.done_since, self.timing.done),
            };
            let Some(since) = since else { return Idle::Active };
            let gone = now.saturating_sub(since);
            if gone >= stay {
                self.reset();
                return Idle::Active;
            }
            return Idle::Leaving((stay - gone).as_secs_f64().ceil() as u32);
        }
        if self.screen == Screen::Printing {
            // A slip in progress is never abandoned.
            self.last_touch = now;
            return Idle::Active;
        }
        if self.screen == Screen::Welcome {
            // No countdown on welcome, but a language or text size the last citizen chose
            // there is forgotten after the same idle time.
            if (self.lang != self.default_lang || self.large_text) && self.is_idle(now) {
                self.reset();
            }
            return Idle::Active;
        }
        let idle = now.saturating_sub(self.last_touch);
        if idle >= self.timing.idle {
            self.reset();
            return Idle::Active;
        }
        let left = self.timing.idle - idle;
        if left <= self.timing.warn { Idle::Warning(left.as_secs_f64().ceil() as u32) } else { Idle::Active }
    }

    fn is_idle(&self, now: Duration) -> bool {
        now.saturating_sub(self.last_touch) >= self.timing.idle
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn flow() -> Flow {
        let catalogue = Arc::new(Catalogue {
            feed: crate::catalogue::default_feed(),
            imported_at: jiff::Timestamp::UNIX_EPOCH,
            source: "test".into(),
        });
        let mut f = Flow::new(catalogue, Lang::Id, Timing::with_idle(s(60)), s(0));
        f.today.local = Some(jiff::civil::date(2026, 11, 30).at(9, 5, 0, 0)); // Monday, open
        f
    }

    fn to_priority(f: &mut Flow) {
        f.handle(Event::TakeNumber, s(1));
        f.handle(Event::Agency("DUKCAPIL".into()), s(2));
        f.handle(Event::Service("KTP-BARU".into()), s(3));
        f.handle(Event::TakeTicket, s(4));
        assert_eq!(f.screen, Screen::Priority);
    }

    fn issued(number: &str) -> PrintResult {
        PrintResult::Issued(TicketShown {
            number: number.into(),
            service: "KTP-BARU".into(),
            ahead: crate::tickets::Ahead { count: 0, confirmed: true, wait_minutes: None },
            priority: None,
            print_failed: false,
            booked: None,
            late: false,
        })
    }

    #[test]
    fn three_taps_from_welcome_to_a_slip_then_done_and_back() {
        let mut f = flow();
        to_priority(&mut f);
        let cmd = f.handle(Event::Choose(Who::Priority(Priority::Elderly)), s(5));
        assert_eq!(cmd, Some(Command::Print { service: "KTP-BARU".into(), priority: Some(Priority::Elderly) }));
        assert_eq!(f.screen, Screen::Printing);
        f.handle(Event::Printed(issued("KTB-PA001")), s(6));
        assert_eq!(f.screen, Screen::Done);
        assert_eq!(f.today.issued["KTP-BARU"], 1, "the quota count follows");
        assert_eq!(f.tick(s(25)), Idle::Leaving(1), "the done screen says when it goes");
        assert_eq!(f.screen, Screen::Done);
        f.tick(s(26));
        assert_eq!(f.screen, Screen::Welcome, "done returns after 20 s");
        assert!(f.shown.is_none() && f.service.is_none() && f.agency.is_none());
    }

    #[test]
    fn a_booking_checks_in_by_typing_or_scanning_and_a_refusal_says_what_to_do() {
        let mut f = flow();
        f.handle(Event::OpenCheckIn, s(1));
        assert_eq!(f.screen, Screen::CheckIn);
        assert_eq!(f.handle(Event::SubmitCode, s(2)), None, "nothing typed: nothing to check");
        f.handle(Event::Code("kq4m-7tcx\n".into()), s(3));
        assert_eq!(f.code, "kq4m-7tcx", "control characters never reach the field");
        assert_eq!(f.handle(Event::SubmitCode, s(4)), Some(Command::CheckIn("kq4m-7tcx".into())));
        assert_eq!(f.screen, Screen::Printing);
        // A second submit or a scan while printing does nothing.
        assert_eq!(f.handle(Event::SubmitCode, s(4)), None);
        assert_eq!(f.handle(Event::Scanned("ACDEFGHA".into()), s(4)), None);
        let refusal = mpp_domain::booking::CheckInRefusal::Used { number: Some("KTB-A003".into()) };
        f.handle(Event::Printed(PrintResult::CheckInRefused(refusal.clone())), s(5));
        assert_eq!((f.screen, f.notice.clone()), (Screen::CheckIn, Some(Notice::CheckIn(refusal))));
        // A scan on the welcome goes straight to the check-in; one mid-path is ignored.
        f.handle(Event::Home, s(6));
        f.notice = None;
        assert_eq!(
            f.handle(Event::Scanned("https://x/b/S/ACDEFGHA".into()), s(7)),
            Some(Command::CheckIn("https://x/b/S/ACDEFGHA".into()))
        );
        let mut shown = match issued("KTB-A004") {
            PrintResult::Issued(t) => t,
            _ => unreachable!(),
        };
        shown.booked = Some("09.15\u{2013}09.30 WITA".into());
        f.handle(Event::Printed(PrintResult::Issued(shown)), s(8));
        assert_eq!(f.screen, Screen::Done);
        f.handle(Event::Home, s(9));
        to_priority(&mut f);
        assert_eq!(f.handle(Event::Scanned("ACDEFGHA".into()), s(10)), None, "never in someone's path");
        assert_eq!(f.screen, Screen::Priority);
    }

    #[test]
    fn places_held_for_bookings_count_against_walk_ins_on_the_screen_too() {
        let mut f = flow();
        let quota = f.catalogue.feed.services.iter().find(|s| s.active && s.daily_quota.is_some()).unwrap().clone();
        let q = quota.daily_quota.unwrap();
        f.today.issued.insert(quota.code.clone(), q - 2);
        assert!(f.availability(&quota).is_ok());
        f.today.held.insert(quota.code.clone(), 2);
        assert_eq!(f.availability(&quota), Err(Refusal::QuotaFull { quota: q }), "the last two are booked");
    }

    #[test]
    fn a_double_tap_while_printing_never_makes_a_second_ticket() {
        let mut f = flow();
        to_priority(&mut f);
        assert!(f.handle(Event::Choose(Who::Regular), s(5)).is_some());
        for e in
            [Event::Choose(Who::Regular), Event::TakeTicket, Event::Back, Event::Home, Event::Service("KK-BARU".into())]
        {
            assert_eq!(f.handle(e, s(5)), None);
            assert_eq!(f.screen, Screen::Printing);
        }
        // A long print never times out into welcome: the result must be shown.
        assert_eq!(f.tick(s(500)), Idle::Active);
        assert_eq!(f.screen, Screen::Printing);
        f.handle(Event::Printed(issued("KTB-A001")), s(501));
        assert_eq!(f.screen, Screen::Done);
        // A stray second result is ignored.
        f.handle(Event::Printed(issued("KTB-A002")), s(502));
        assert_eq!(f.shown.as_ref().unwrap().number, "KTB-A001");
    }

    #[test]
    fn a_failed_slip_keeps_the_number_a_while_and_can_print_again() {
        let failed = || TicketShown {
            number: "KTB-A001".into(),
            service: "KTP-BARU".into(),
            ahead: crate::tickets::Ahead { count: 2, confirmed: false, wait_minutes: None },
            priority: None,
            print_failed: true,
            booked: None,
            late: false,
        };
        let mut f = flow();
        to_priority(&mut f);
        f.handle(Event::Choose(Who::Regular), s(5));
        f.handle(Event::Printed(PrintResult::Issued(failed())), s(6));
        // The number stays, and the screen says when it goes: 90 s after the last touch.
        assert_eq!(f.tick(s(60)), Idle::Leaving(36));
        assert_eq!(f.screen, Screen::Done, "the number is the citizen's record: it stays a while");
        assert_eq!(f.today.issued["KTP-BARU"], 1);
        f.handle(Event::Touch, s(80));
        assert_eq!(f.tick(s(150)), Idle::Leaving(20), "a touch gives the citizen time again");

        // Print again: the same number, never a new ticket; touches wait meanwhile.
        assert_eq!(f.handle(Event::RetryPrint, s(151)), Some(Command::RetryPrint("KTB-A001".into())));
        assert_eq!(f.screen, Screen::Printing);
        assert_eq!(f.handle(Event::RetryPrint, s(151)), None, "one job at a time");
        f.handle(Event::Printed(PrintResult::Retried { printed: false }), s(152));
        assert_eq!(
            (f.screen, f.shown.as_ref().unwrap().print_failed),
            (Screen::Done, true),
            "still failed: still on screen"
        );
        f.handle(Event::RetryPrint, s(153));
        f.handle(Event::Printed(PrintResult::Retried { printed: true }), s(154));
        assert_eq!((f.screen, f.shown.as_ref().unwrap().print_failed), (Screen::Done, false));
        assert_eq!(f.today.issued["KTP-BARU"], 1, "a reprint is not a second ticket");
        assert_eq!(f.handle(Event::RetryPrint, s(155)), None, "nothing to retry once printed");
        assert_eq!(f.tick(s(164)), Idle::Leaving(10), "a printed slip's screen counts down its 20 s");
        f.tick(s(154 + 21));
        assert_eq!(f.screen, Screen::Welcome, "a printed slip's screen times out as usual");

        // Left alone, a failed slip's screen goes after 90 s: the next citizen never finds
        // a stranger's number (the staff screen can print it again).
        let mut f = flow();
        to_priority(&mut f);
        f.handle(Event::Choose(Who::Regular), s(5));
        f.handle(Event::Printed(PrintResult::Issued(failed())), s(6));
        f.tick(s(95));
        assert_eq!(f.screen, Screen::Done);
        f.tick(s(96));
        assert_eq!((f.screen, f.shown.as_ref()), (Screen::Welcome, None));
    }

    #[test]
    fn refusals_explain_and_use_no_number() {
        let mut f = flow();
        f.today.local = Some(jiff::civil::date(2026, 11, 30).at(15, 45, 0, 0)); // past the cut-off
        f.handle(Event::TakeNumber, s(1));
        f.handle(Event::Agency("DUKCAPIL".into()), s(2));
        f.handle(Event::Service("KTP-BARU".into()), s(3));
        assert_eq!(f.handle(Event::TakeTicket, s(4)), None);
        assert_eq!(f.screen, Screen::Detail);
        assert!(matches!(f.notice, Some(Notice::Refused(Refusal::ClosedForToday { .. }, Some(_)))));
        assert_eq!(f.handle(Event::Back, s(5)), None, "the notice must be dismissed first");
        assert_eq!(f.screen, Screen::Detail);
        f.handle(Event::DismissNotice, s(6));
        f.handle(Event::Back, s(7));
        assert_eq!(f.screen, Screen::Services);

        // The printer refuses after the choice: back to the detail with the reason.
        let mut f = flow();
        to_priority(&mut f);
        f.handle(Event::Choose(Who::Regular), s(5));
        f.handle(Event::Printed(PrintResult::PrinterNotReady(Fault::PaperOut)), s(6));
        assert_eq!((f.screen, f.notice.clone()), (Screen::Detail, Some(Notice::Printer(Fault::PaperOut))));
        assert!(!f.today.issued.contains_key("KTP-BARU"));

        // Quota: a service with a quota of 1 refuses the second ticket.
        let mut f = flow();
        let code = f.catalogue.feed.services.iter().find(|s| s.daily_quota.is_some()).map(|s| s.code.clone());
        if let Some(code) = code {
            let quota = f.catalogue.feed.service(&code).unwrap().daily_quota.unwrap();
            f.today.issued.insert(code.clone(), quota);
            let service = f.catalogue.feed.service(&code).unwrap().clone();
            assert_eq!(f.availability(&service), Err(Refusal::QuotaFull { quota }));
        }
    }

    #[test]
    fn idle_warns_then_returns_and_forgets_everything() {
        let mut f = flow();
        f.handle(Event::ToggleLanguage, s(1));
        f.handle(Event::ToggleLargeText, s(1));
        f.handle(Event::OpenSearch, s(1));
        assert_eq!(f.handle(Event::Query("ktp".into()), s(2)), Some(Command::Search("ktp".into())));
        f.set_results("ktp", vec!["KTP-BARU".into()]);
        f.set_results("kt", vec!["stale".into()]);
        assert_eq!(f.results, ["KTP-BARU"]);
        assert_eq!(f.tick(s(46)), Idle::Active);
        assert_eq!(f.tick(s(47)), Idle::Warning(15));
        assert_eq!(f.tick(s(61)), Idle::Warning(1));
        // A touch cancels the warning.
        f.handle(Event::Touch, s(61));
        assert_eq!(f.tick(s(62)), Idle::Active);
        assert_eq!(f.screen, Screen::Search);
        f.tick(s(121));
        f.tick(s(122));
        assert_eq!(f.screen, Screen::Welcome);
        assert_eq!(
            (f.lang, f.large_text, f.query.as_str(), f.results.len()),
            (Lang::Id, false, "", 0),
            "nothing of the last citizen stays"
        );
    }

    #[test]
    fn a_choice_made_on_welcome_is_forgotten_when_the_citizen_leaves() {
        let mut f = flow();
        f.handle(Event::ToggleLanguage, s(1));
        f.handle(Event::ToggleLargeText, s(2));
        assert_eq!(f.tick(s(50)), Idle::Active, "no countdown on welcome");
        assert_eq!((f.lang, f.large_text), (Lang::En, true));
        f.tick(s(62));
        assert_eq!((f.lang, f.large_text), (Lang::Id, false));
    }

    #[test]
    fn back_retraces_the_path_and_search_leads_to_the_same_detail() {
        let mut f = flow();
        f.handle(Event::OpenSearch, s(1));
        f.handle(Event::Query("paspor".into()), s(1));
        f.set_results("paspor", vec!["PASPOR-BARU".into()]);
        f.handle(Event::Service("PASPOR-BARU".into()), s(2));
        assert_eq!((f.screen, f.agency.as_deref()), (Screen::Detail, Some("IMIGRASI")));
        f.handle(Event::Back, s(3));
        assert_eq!(f.screen, Screen::Search, "back to the results, not an agency list never seen");
        assert_eq!(f.query, "paspor");
        f.handle(Event::Back, s(4));
        assert_eq!(f.screen, Screen::Welcome);
        // Touches meant for another screen do nothing.
        assert_eq!(f.handle(Event::Agency("POLRES".into()), s(5)), None);
        assert_eq!(f.handle(Event::TakeTicket, s(5)), None);
        assert_eq!(f.handle(Event::Choose(Who::Regular), s(5)), None, "no ticket without a service");
        assert_eq!(f.screen, Screen::Welcome);
        f.handle(Event::TakeNumber, s(6));
        f.handle(Event::Agency("NOPE".into()), s(6));
        assert_eq!(f.screen, Screen::Agencies);
        f.handle(Event::Agency("POLRES".into()), s(7));
        f.handle(Event::Back, s(8));
        f.handle(Event::Back, s(8));
        assert_eq!(f.screen, Screen::Welcome);
    }

    #[test]
    fn a_popular_service_is_three_taps_from_welcome_to_a_slip() {
        let mut f = flow();
        f.popular = vec!["KTP-BARU".into()];
        f.handle(Event::Service("KTP-BARU".into()), s(1));
        f.handle(Event::TakeTicket, s(2));
        assert!(f.handle(Event::Choose(Who::Regular), s(3)).is_some(), "the third tap prints");
        f.handle(Event::Printed(issued("KTB-A001")), s(4));
        f.handle(Event::Home, s(5));
        f.handle(Event::Service("KTP-BARU".into()), s(6));
        f.handle(Event::Back, s(7));
        assert_eq!(f.screen, Screen::Welcome, "back returns where the citizen came from");
    }

    #[test]
    fn a_survey_by_touch_alone_and_idle_discards_an_unfinished_one() {
        let mut f = flow();
        f.handle(Event::StartSurvey, s(1));
        assert_eq!(f.screen, Screen::Agencies);
        f.handle(Event::Agency("DUKCAPIL".into()), s(2));
        f.handle(Event::Service("KK-BARU".into()), s(3));
        assert_eq!(
            (f.screen, f.survey.as_ref().unwrap().step),
            (Screen::SurveyQuestion, 0),
            "a service leads to the questions, not to a ticket"
        );
        for (i, v) in [4, 3, 4, 4, 3, 4, 4, 3].into_iter().enumerate() {
            f.handle(Event::Answer(v), s(4 + i as u64));
        }
        f.handle(Event::Back, s(13));
        assert_eq!(f.survey.as_ref().unwrap().step, 7, "back goes one question back, to U8");
        f.handle(Event::Answer(2), s(14));
        f.handle(Event::Skip, s(15)); // U9 left unanswered
        assert_eq!(f.screen, Screen::SurveyProfile);
        f.handle(Event::ProfileChoice(5), s(16)); // 60+
        f.handle(Event::Skip, s(17));
        f.handle(Event::Skip, s(18));
        f.handle(Event::ProfileChoice(99), s(19));
        assert_eq!(f.screen, Screen::SurveyProfile, "a choice that does not exist does nothing");
        f.handle(Event::ProfileChoice(4), s(19)); // farmer / fisher
        assert_eq!(f.screen, Screen::SurveyComment);
        f.handle(Event::Comment("antrean cepat".into()), s(20));
        let Some(Command::SaveSurvey(r)) = f.handle(Event::SubmitSurvey, s(21)) else { panic!("no response") };
        assert_eq!(r.service, "KK-BARU");
        assert_eq!(r.answers.len(), 8);
        assert_eq!(r.answers[7], ("U8".into(), 2), "the changed answer counts");
        assert!(!r.answers.iter().any(|(c, _)| c == "U9"));
        assert_eq!(
            (r.profile.age.as_deref(), r.profile.occupation.as_deref(), r.profile.sex.as_deref()),
            (Some("60+"), Some("PETANI-NELAYAN"), None)
        );
        assert_eq!(r.comment.as_deref(), Some("antrean cepat"));
        assert_eq!(f.screen, Screen::SurveyThanks);
        f.tick(s(30));
        assert_eq!(f.screen, Screen::Welcome);

        // Idle in the middle: the draft is gone, nothing is saved.
        f.handle(Event::StartSurvey, s(40));
        f.handle(Event::Agency("POLRES".into()), s(41));
        f.handle(Event::Service("SKCK-BARU".into()), s(42));
        f.handle(Event::Answer(4), s(43));
        f.tick(s(104));
        assert_eq!((f.screen, f.survey.is_none()), (Screen::Welcome, true));
        // A survey with no answer at all is not a response.
        f.handle(Event::StartSurvey, s(110));
        f.handle(Event::Agency("POLRES".into()), s(111));
        f.handle(Event::Service("SKCK-BARU".into()), s(112));
        for _ in 0..13 {
            f.handle(Event::Skip, s(113));
        }
        assert_eq!(f.handle(Event::Skip, s(114)), None);
        assert_eq!(f.screen, Screen::SurveyThanks);
    }

    #[test]
    fn five_quick_taps_and_the_pin_open_the_staff_screen() {
        let mut f = flow();
        f.pin_hash = Some(crate::staff_pin::hash_pin("2468"));
        for i in 0..4 {
            f.handle(Event::CornerTap, s(i));
        }
        f.handle(Event::CornerTap, s(9));
        assert_eq!(f.screen, Screen::Welcome, "slow taps do not open it");
        for _ in 0..4 {
            f.handle(Event::CornerTap, s(10));
        }
        assert_eq!(f.screen, Screen::StaffPin);
        for d in "1111".chars() {
            f.handle(Event::PinKey(d), s(11));
        }
        f.handle(Event::PinSubmit, s(11));
        assert_eq!(
            (f.screen, f.pin_result),
            (Screen::StaffPin, Some(crate::staff_pin::PinResult::Wrong { tries_left: 2 }))
        );
        for d in "2468".chars() {
            f.handle(Event::PinKey(d), s(12));
        }
        assert_eq!(f.handle(Event::PinSubmit, s(12)), Some(Command::RefreshStaff));
        assert_eq!(f.screen, Screen::Staff);
        assert_eq!(f.handle(Event::StaffReprint("KTB-A001".into()), s(13)), Some(Command::Reprint("KTB-A001".into())));
        assert_eq!(f.handle(Event::StaffTestSlip, s(14)), Some(Command::TestSlip));
        f.handle(Event::StaffResult(StaffOutcome::TestSlipSent), s(15));
        assert_eq!(f.staff_outcome, Some(StaffOutcome::TestSlipSent));
        // Left alone, the staff screen closes like any other.
        f.tick(s(80));
        assert_eq!((f.screen, f.staff_outcome.as_ref()), (Screen::Welcome, None));
        // Staff actions are refused anywhere else.
        assert_eq!(f.handle(Event::StaffTestSlip, s(81)), None);
    }

    #[test]
    fn a_new_catalogue_waits_for_the_citizen_to_finish() {
        let mut f = flow();
        let mut feed = f.catalogue.feed.clone();
        feed.version += 1;
        let newer = Arc::new(Catalogue { feed, imported_at: jiff::Timestamp::UNIX_EPOCH, source: "sync".into() });
        let v = f.catalogue.feed.version;
        f.handle(Event::TakeNumber, s(1));
        f.offer_catalogue(newer.clone());
        assert_eq!(f.catalogue.feed.version, v, "not mid-path");
        f.handle(Event::Home, s(2));
        assert_eq!(f.catalogue.feed.version, v + 1);
    }
}
