//! The kiosk application without a screen: it owns the flow, the database, the print
//! worker and the clocks; it takes the flow's events, carries out the commands the flow
//! returns (a search, a print job, a survey saved, a sync round) and says what the screen
//! must redraw. `ui` binds this to Slint; tests drive it with no window at all.
//!
//! Work that takes time (printing, sync, the printer's status) runs on other threads and
//! comes back as messages, handled on the caller's thread by [`App::tick`].

mod restart;
mod staff_actions;

use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::catalogue::Catalogue;
use crate::clock::Clock;
use crate::kiosk::view;
use crate::kiosk::{Command, Event, Flow, Idle, PrintResult, Screen, StaffOutcome, TicketShown, Timing};
use crate::printing::{Done, Job, JobError, Outcome, PrintFlowError, PrintSettings, PrintWorker, PrinterStatus};
use crate::store::{IssueError, Store, StoreError};
use crate::text::Lang;
use crate::tickets::{Priority, Status};

pub use staff_actions::StaffTicketLine;

/// Everything the application needs to start.
pub struct AppSettings {
    pub catalogue: Catalogue,
    pub db_path: PathBuf,
    pub print: PrintSettings,
    pub kiosk_id: u8,
    pub lang: Lang,
    pub idle: Duration,
    /// The wall clock ([`crate::clock::system`] on the kiosk).
    pub clock: Clock,
    /// Sync settings, for the staff screen's "sync now".
    pub sync: crate::sync::SyncConfig,
    /// The staff PIN's hash (`[staff] pin_hash`).
    pub pin_hash: Option<String>,
    /// The monotonic clock of the flow's timers ([`real_time`] on the kiosk; tests and
    /// the screenshot command move it by hand).
    pub mono: Mono,
    /// The background sync, woken to push each ticket as soon as it is issued.
    pub sync_handle: Option<crate::sync::runner::SyncHandle>,
    /// The speech mode (`[speech] keypad` set), `None` without one.
    pub speech: Option<SpeechSetup>,
    /// The quiet moment for the updater to restart into a system update; `None`: never asked.
    pub restart: Option<crate::system::gate::Quiet>,
}

/// How often the welcome screen asks the printer how it is.
const PRINTER_ASK_EVERY: Duration = Duration::from_secs(30);

/// A monotonic clock for the flow's timers, read on the application's thread.
pub type Mono = Box<dyn Fn() -> Duration>;

/// Time since the kiosk started.
pub fn real_time() -> Mono {
    let start = std::time::Instant::now();
    Box::new(move || start.elapsed())
}

/// What other threads hand back.
enum Msg {
    Printed(PrintResult),
    Staff(StaffOutcome),
    Printer(Result<Option<PrinterStatus>, String>),
    Catalogue(Box<Catalogue>),
}

/// What the screen must do after an event or a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Redraw {
    Nothing,
    /// Only a touch: the idle countdown starts again.
    IdleReset,
    /// The state changed: draw it.
    All,
}

/// The running application.
pub struct App {
    flow: Flow,
    store: Store,
    worker: PrintWorker,
    clock: Clock,
    mono: Mono,
    tx: mpsc::Sender<Msg>,
    rx: mpsc::Receiver<Msg>,
    db_path: PathBuf,
    kiosk_id: u8,
    sync: crate::sync::SyncConfig,
    sync_handle: Option<crate::sync::runner::SyncHandle>,
    /// The printer's last known state, for the staff screen (`None`: not read yet).
    printer: Option<Result<Option<PrinterStatus>, String>>,
    /// When the site server's queue was last received (monotonic).
    queue_at: Option<Duration>,
    /// When the printer was last asked how it is from the welcome screen (monotonic).
    printer_asked_at: Option<Duration>,
    /// The local minute last seen: states (open, closed) change with it.
    minute: Option<(jiff::civil::Date, i8, i8)>,
    /// The speech mode, when the kiosk has a keypad.
    speech: Option<Speech>,
    /// The updater's request to restart, looked at every few seconds.
    restart: Option<restart::Gate>,
}

/// The speech mode's two halves: what to say (the guide) and the voice saying it.
struct Speech {
    guide: crate::kiosk::speech::Guide,
    voice: crate::speech::Voice,
}

/// The speech mode's settings: `[speech]`, and where its sound goes.
pub struct SpeechSetup {
    pub config: crate::speech::SpeechConfig,
    pub sink: crate::speech::Sink,
}

impl App {
    pub fn new(settings: AppSettings) -> Result<App, StoreError> {
        let store = Store::open(&settings.db_path)?;
        // With a site server, each slip carries its count of people ahead (or, when it does
        // not answer in time, the kiosk's estimate, said so).
        let lookup = ahead_lookup(settings.sync.clone(), settings.catalogue.feed.site.code.clone(), settings.kiosk_id);
        let worker = PrintWorker::spawn_with(
            settings.db_path.clone(),
            settings.print,
            settings.kiosk_id,
            settings.clock.clone(),
            lookup,
        )?;
        let speech = settings.speech.map(|setup| {
            let (clips, problems) = crate::speech::Clips::load(setup.config.clips_dir.as_deref());
            for p in problems {
                log::error!("speech: {p}");
            }
            let synth = setup.config.synth(settings.catalogue.feed.site.pronunciations.clone());
            Speech {
                guide: crate::kiosk::speech::Guide::new(
                    Duration::from_secs(u64::from(setup.config.idle_seconds)),
                    setup.config.volume,
                ),
                voice: crate::speech::Voice::spawn(clips, synth, setup.sink),
            }
        });
        let mut flow =
            Flow::new(Arc::new(settings.catalogue), settings.lang, Timing::with_idle(settings.idle), (settings.mono)());
        flow.pin_hash = settings.pin_hash;
        // The PIN pad's lock-out from before a restart, turned into the flow's clock.
        if let (Ok((wrong, locks, until)), Ok(now)) = (store.staff_lockout(), (settings.clock)()) {
            let locked_for = until.and_then(|u| Duration::try_from(u - now).ok()).filter(|d| !d.is_zero());
            flow.restore_pin_guard(crate::staff_pin::PinGuardState { wrong, locks, locked_for }, (settings.mono)());
        }
        let (tx, rx) = mpsc::channel();
        let mut app = App {
            flow,
            store,
            worker,
            clock: settings.clock,
            mono: settings.mono,
            tx,
            rx,
            db_path: settings.db_path,
            kiosk_id: settings.kiosk_id,
            sync: settings.sync,
            sync_handle: settings.sync_handle,
            printer: None,
            queue_at: None,
            printer_asked_at: None,
            minute: None,
            speech,
            restart: settings.restart.map(restart::Gate::new),
        };
        app.refresh_today();
        Ok(app)
    }

    /// The flow's state, for drawing.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    pub fn screen(&self) -> Screen {
        self.flow.screen
    }

    /// How long the print worker has been on its current job (the watchdog's question).
    pub fn print_busy_for(&self) -> Option<Duration> {
        self.worker.busy_for()
    }

    /// One event into the flow, its command carried out.
    pub fn send(&mut self, event: Event) -> Redraw {
        let touch_only = event == Event::Touch;
        let pin_submit = event == Event::PinSubmit;
        if matches!(event, Event::TakeNumber | Event::OpenSearch | Event::Home)
            || (matches!(event, Event::Service(_)) && self.flow.screen == Screen::Welcome)
        {
            self.refresh_today();
        }
        let command = self.flow.handle(event, (self.mono)());
        if pin_submit {
            self.save_pin_guard();
        }
        self.run(command);
        if touch_only { Redraw::IdleReset } else { Redraw::All }
    }

    /// Carries out what the flow asked for.
    fn run(&mut self, command: Option<Command>) {
        match command {
            Some(Command::Print { service, priority }) => self.print(service, priority),
            Some(Command::Search(q)) => {
                let codes = match self.store.search_services(&q, 30) {
                    Ok(hits) => hits.into_iter().map(|h| h.code).collect(),
                    Err(e) => {
                        log::error!("search {q:?}: {e}");
                        Vec::new()
                    }
                };
                self.flow.set_results(&q, codes);
            }
            Some(Command::SaveSurvey(r)) => self.save_survey(&r),
            Some(Command::Reprint(number)) => {
                let date = self.today_date();
                self.staff_job(Job::Reprint { number: number.clone(), date }, number);
            }
            Some(Command::RetryPrint(number)) => self.retry_print(number),
            Some(Command::CheckIn(code)) => self.check_in(code),
            Some(Command::TestSlip) => self.staff_job(Job::TestSlip, String::new()),
            Some(Command::SyncNow) => self.sync_now(),
            Some(Command::RefreshStaff) => self.refresh_printer(),
            None => {}
        }
    }

    /// A key of the speech mode's keypad (pressed `at`): the guide moves the flow and the
    /// voice says where the citizen is. Nothing without a speech mode.
    pub fn keypad(&mut self, key: crate::kiosk::speech::Key, at: std::time::Instant) -> Redraw {
        if self.speech.is_none() {
            return Redraw::Nothing;
        }
        self.refresh_today();
        let now = (self.mono)();
        let Some(sp) = self.speech.as_mut() else { return Redraw::Nothing };
        let step = sp.guide.key(key, &mut self.flow, now);
        if let Some(u) = step.say {
            sp.voice.say(u, sp.guide.volume(), at);
        }
        self.run(step.command);
        Redraw::All
    }

    /// What the speech mode says now, for the screen (large text); `None` when it is off.
    pub fn speech_shown(&self) -> Option<&str> {
        self.speech.as_ref().and_then(|s| s.guide.shown())
    }

    /// The speech mode's voice (figures, for tests and the benchmark).
    pub fn voice(&self) -> Option<&crate::speech::Voice> {
        self.speech.as_ref().map(|s| &s.voice)
    }

    /// The text the on-screen keyboard edits (the search, or the survey comment), edited,
    /// as the event that carries it.
    pub fn typed(&self, edit: impl FnOnce(&mut String)) -> Event {
        if self.flow.screen == Screen::CheckIn {
            let mut t = self.flow.code.clone();
            edit(&mut t);
            return Event::Code(t);
        }
        if self.flow.screen == Screen::SurveyComment {
            let mut t = self.flow.survey.as_ref().map(|d| d.comment.clone()).unwrap_or_default();
            edit(&mut t);
            Event::Comment(t)
        } else {
            let mut t = self.flow.query.clone();
            edit(&mut t);
            Event::Query(t)
        }
    }

    /// Results from other threads, the flow's timers and the minute: call it often (the
    /// window does every 100 ms). Returns the idle state and what to redraw.
    pub fn tick(&mut self) -> (Idle, Redraw) {
        let mut redraw = Redraw::Nothing;
        while let Ok(msg) = self.rx.try_recv() {
            redraw = redraw.max(self.handle(msg));
        }
        let before = self.flow.screen;
        let mono = (self.mono)();
        if self.flow.queue.is_some() && self.queue_at.is_none_or(|at| mono.saturating_sub(at) > self.queue_shelf_life())
        {
            self.flow.queue = None;
            redraw = Redraw::All;
        }
        // The welcome screen asks the printer how it is now and then (the worker does; a
        // slip in progress goes first), so a printer out of paper is said at the start.
        if self.flow.screen == Screen::Welcome
            && self.printer_asked_at.is_none_or(|at| mono.saturating_sub(at) >= PRINTER_ASK_EVERY)
        {
            self.printer_asked_at = Some(mono);
            self.refresh_printer();
        }
        if let Some(sp) = self.speech.as_mut() {
            let speaking = sp.voice.speaking();
            // While the mode is on, its own idle time decides (counted from the end of
            // what is said): the screen's shorter timer would send a citizen who is
            // listening, or thinking, home under the voice.
            if sp.guide.active() {
                self.flow.handle(Event::Touch, mono);
                self.flow.keep_done(mono);
            }
            if sp.guide.tick(&self.flow, speaking, mono) {
                log::info!("speech mode ended: no key for a while");
                sp.voice.stop();
                if self.flow.screen != Screen::Printing {
                    self.flow.handle(Event::Home, mono);
                }
                redraw = Redraw::All;
            }
        }
        let idle = self.flow.tick(mono);
        if let Some(gate) = self.restart.as_mut() {
            let busy = self.worker.busy_for().is_some();
            let speaking = self.speech.as_ref().is_some_and(|s| s.guide.active());
            if gate.poll(&mut self.flow, busy || speaking, mono) {
                redraw = Redraw::All;
            }
        }
        let minute = (self.clock)()
            .ok()
            .and_then(|t| crate::store::local_time(&self.flow.catalogue, t).ok())
            .map(|z| (z.date(), z.hour(), z.minute()));
        let new_minute = minute != self.minute;
        if new_minute {
            self.minute = minute;
            self.refresh_today();
        }
        if before != self.flow.screen || new_minute {
            redraw = Redraw::All;
        }
        (idle, redraw)
    }

    /// Waits up to `timeout` for work from another thread (a print result, a staff
    /// action) and handles it: for tests and tools that have no event loop.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        match self.rx.recv_timeout(timeout) {
            Ok(msg) => {
                self.handle(msg);
                true
            }
            Err(_) => false,
        }
    }

    fn handle(&mut self, msg: Msg) -> Redraw {
        match msg {
            Msg::Printed(r) => {
                // A new ticket goes to the site server now, not at the next interval.
                if let (PrintResult::Issued(_), Some(h)) = (&r, &self.sync_handle) {
                    h.upload_now();
                }
                let redraw = self.send(Event::Printed(r));
                if let Some(sp) = self.speech.as_mut() {
                    let step = sp.guide.printed(&mut self.flow, (self.mono)());
                    if let Some(u) = step.say {
                        sp.voice.say(u, sp.guide.volume(), std::time::Instant::now());
                    }
                }
                redraw
            }
            Msg::Staff(outcome) => self.send(Event::StaffResult(outcome)),
            Msg::Printer(status) => {
                // What stops it is said on the welcome screen, before anyone chooses; a
                // printer that cannot report (a device file) is trusted until a slip fails.
                self.flow.printer_fault = match &status {
                    Ok(Some(st)) => st.fault(),
                    Ok(None) => None,
                    Err(_) => Some(crate::device::Fault::Offline),
                };
                self.printer = Some(status);
                Redraw::All
            }
            Msg::Catalogue(c) => {
                self.offer_catalogue(*c);
                Redraw::All
            }
        }
    }

    /// The site's queue as the site server just told it (from sync): the service rows and
    /// the detail screen show how many wait.
    pub fn offer_queue(&mut self, queue: crate::queue::QueueState) -> Redraw {
        self.queue_at = Some((self.mono)());
        if self.flow.queue.as_deref() == Some(&queue) {
            return Redraw::Nothing;
        }
        self.flow.queue = Some(Arc::new(queue));
        Redraw::All
    }

    /// How long the site server's queue is shown after its last word: a few missed
    /// readings, then the counts go rather than show numbers that are no longer true.
    fn queue_shelf_life(&self) -> Duration {
        Duration::from_secs((self.sync.queue_interval_secs * 3).max(60))
    }

    /// A newer catalogue (from sync): applied without disturbing a citizen mid-path.
    pub fn offer_catalogue(&mut self, catalogue: Catalogue) {
        if let Some(sp) = &self.speech {
            sp.voice.pronunciations(catalogue.feed.site.pronunciations.clone());
        }
        self.flow.offer_catalogue(Arc::new(catalogue));
    }

    /// The site's local day (the flow's, or from the clock before the flow has one).
    fn today_date(&self) -> jiff::civil::Date {
        self.flow.today.local.map(|d| d.date()).unwrap_or_else(|| {
            let now = (self.clock)().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            crate::store::local_time(&self.flow.catalogue, now)
                .map(|z| z.date())
                .unwrap_or_else(|_| now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
        })
    }

    /// Issues and prints on the worker; the result comes back as a message.
    fn print(&self, service: String, priority: Option<Priority>) {
        let tx = self.tx.clone();
        let code = service.clone();
        self.worker.submit(
            Job::Issue { service, priority },
            self.flow.catalogue.clone(),
            self.flow.lang,
            Box::new(move |r| {
                let _ = tx.send(Msg::Printed(print_result(r, &code)));
            }),
        );
    }

    /// Prints the citizen's ticket again after its slip failed (the same number, marked as
    /// a reprint); the result comes back as [`PrintResult::Retried`].
    fn retry_print(&self, number: String) {
        let tx = self.tx.clone();
        let date = self.today_date();
        self.worker.submit(
            Job::Reprint { number: number.clone(), date },
            self.flow.catalogue.clone(),
            self.flow.lang,
            Box::new(move |r| {
                let printed = match r {
                    Ok(Done::Ticket(i)) => matches!(i.outcome, Outcome::Printed),
                    Ok(_) => false,
                    Err(e) => {
                        log::warn!("printing {number} again failed: {e}");
                        false
                    }
                };
                let _ = tx.send(Msg::Printed(PrintResult::Retried { printed }));
            }),
        );
    }

    /// A booked citizen's code: the site's list of the day refreshed (within the short
    /// timeout a citizen can wait; without it, the kiosk's copy), then the print worker's
    /// check-in; the result comes back as a print result. Off the UI thread throughout.
    fn check_in(&self, typed: String) {
        let tx = self.tx.clone();
        let Some(code) = mpp_domain::booking::BookingCode::parse(&typed) else {
            let _ = tx.send(Msg::Printed(PrintResult::CheckInRefused(mpp_domain::booking::CheckInRefusal::Unknown)));
            return;
        };
        let (db, cfg, worker, catalogue, lang) =
            (self.db_path.clone(), self.sync.clone(), self.worker.clone(), self.flow.catalogue.clone(), self.flow.lang);
        let site = catalogue.feed.site.code.clone();
        let today = self.today_date();
        std::thread::spawn(move || {
            if let Ok(mut store) = Store::open(&db)
                && let Err(e) =
                    crate::sync::bookings::fetch_day(&mut store, &cfg, today, crate::sync::queue::quick_limits(&cfg))
            {
                log::warn!("today's bookings from the site server: {e}; checking in from the kiosk's copy");
            }
            let code_hash = crate::sync::bookings::code_hash(&code, &site);
            worker.submit(
                Job::CheckIn { code_hash },
                catalogue,
                lang,
                Box::new(move |r| {
                    let result = match r {
                        Ok(Done::CheckedIn { issued, late, booked }) => PrintResult::Issued(TicketShown {
                            number: issued.ticket.number.clone(),
                            service: issued.ticket.service.clone(),
                            ahead: issued.ahead,
                            priority: issued.ticket.priority,
                            print_failed: matches!(issued.outcome, Outcome::Failed { .. }),
                            booked,
                            late,
                        }),
                        Err(JobError::Flow(PrintFlowError::CheckIn(r))) => PrintResult::CheckInRefused(r),
                        other => print_result(other, ""),
                    };
                    let _ = tx.send(Msg::Printed(result));
                }),
            );
        });
    }

    /// Stores a finished survey response (one small transaction).
    fn save_survey(&mut self, r: &crate::survey::Response) {
        let Some(agency) = self.flow.catalogue.feed.service(&r.service).map(|s| s.agency.clone()) else { return };
        let result = (self.clock)().map_err(|e| e.to_string()).and_then(|now| {
            let date = crate::store::local_time(&self.flow.catalogue, now).map_err(|e| e.to_string())?.date();
            self.store.record_survey(r, &agency, date).map_err(|e| e.to_string())
        });
        match result {
            // No id in the log: the journal dates every line to the microsecond.
            Ok(_) => log::info!("a survey response for {} saved", r.service),
            Err(e) => log::error!("a survey response for {} could not be saved: {e}", r.service),
        }
    }

    /// Today's local time and ticket counts, for the catalogue's rules.
    fn refresh_today(&mut self) {
        let now = match (self.clock)() {
            Ok(t) => t,
            Err(e) => {
                log::error!("{e}");
                return;
            }
        };
        let Ok(local) = crate::store::local_time(&self.flow.catalogue, now) else { return };
        self.flow.today.local = Some(local.datetime());
        let month_ago = local.date().checked_sub(jiff::Span::new().days(30)).unwrap_or(local.date());
        match self.store.busiest_services(month_ago, 4) {
            Ok(busiest) => self.flow.popular = view::choose_popular(&self.flow.catalogue, &busiest, 4),
            Err(e) => log::error!("finding the busiest services: {e}"),
        }
        match self.store.bookings_waiting(local.date()) {
            Ok(n) => self.flow.bookings_today = n > 0,
            Err(e) => log::error!("counting today's bookings: {e}"),
        }
        match self.store.held_places(local.date(), local.datetime()) {
            Ok(held) => self.flow.today.held = held,
            Err(e) => log::error!("counting the places held for bookings: {e}"),
        }
        match self.store.tickets_on(local.date()) {
            Ok(tickets) => {
                self.flow.today.issued.clear();
                for t in tickets.iter().filter(|t| t.status != Status::Voided) {
                    *self.flow.today.issued.entry(t.service.clone()).or_default() += 1;
                }
            }
            Err(e) => log::error!("counting today's tickets: {e}"),
        }
    }
}

/// The worker's answer in the flow's terms.
fn print_result(r: Result<Done, JobError>, service: &str) -> PrintResult {
    match r {
        Ok(Done::Ticket(issued)) => PrintResult::Issued(TicketShown {
            number: issued.ticket.number.clone(),
            service: service.to_owned(),
            ahead: issued.ahead,
            priority: issued.ticket.priority,
            print_failed: matches!(issued.outcome, Outcome::Failed { .. }),
            booked: None,
            late: false,
        }),
        Ok(Done::CheckedIn { .. } | Done::TestSlip | Done::Status(_)) => PrintResult::Failed("not a ticket".into()),
        Err(JobError::Flow(PrintFlowError::NotReady(f))) => PrintResult::PrinterNotReady(f),
        Err(JobError::Flow(PrintFlowError::Issue(IssueError::Refused(r)))) => PrintResult::Refused(r),
        Err(e) => {
            log::error!("issuing a ticket for {service} failed: {e}");
            PrintResult::Failed(e.to_string())
        }
    }
}

/// The print worker's question to the site server (printing knows nothing of sync): push
/// the ticket, ask its place ([`crate::sync::queue::people_ahead_now`]); a failure is
/// logged and read as "not known", and the slip shows the kiosk's estimate.
pub fn ahead_lookup(cfg: crate::sync::SyncConfig, site: String, kiosk_id: u8) -> Option<crate::printing::AheadLookup> {
    cfg.upload_url.as_ref()?;
    Some(Arc::new(move |store: &mut Store, ticket: &crate::store::Ticket, now| {
        match crate::sync::queue::people_ahead_now(store, &cfg, &site, kiosk_id, ticket, now) {
            Ok(n) => n,
            Err(e) => {
                log::warn!(
                    "people ahead of {} from the site server: {e}; the slip shows the kiosk's estimate",
                    ticket.number
                );
                None
            }
        }
    }))
}
