//! The kiosk's screen. Only this module knows Slint: it copies what `kiosk::view` says
//! into the window's global `K`, turns touches into `kiosk::Event`s, and runs the flow's
//! commands (printing on the print worker, search on the database).

pub mod headless;
pub mod screenshot;
pub mod touch;

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::catalogue::Catalogue;
use crate::clock::Clock;
use crate::kiosk::view::{self, StateKind};
use crate::kiosk::{Command, Event, Flow, Idle, PrintResult, Screen, TicketShown, Timing, Who};
use crate::printing::{Done, Job, JobError, Outcome, PrintFlowError, PrintSettings, PrintWorker};
use crate::store::{IssueError, Store};
use crate::text::Lang;
use crate::tickets::{Priority, Status};

slint::include_modules!();

/// What other threads hand back to the UI thread.
enum UiMsg {
    Printed(PrintResult),
    Staff(String),
    Printer(String, bool),
    Catalogue(Box<Catalogue>),
}

/// Everything the screen needs to start.
pub struct UiSettings {
    pub catalogue: Catalogue,
    pub db_path: PathBuf,
    pub print: PrintSettings,
    pub kiosk_id: u8,
    pub lang: Lang,
    pub idle: Duration,
    pub clock: Clock,
    /// Hide the mouse cursor (on the kiosk itself).
    pub hide_cursor: bool,
    /// Sync settings, for the staff screen's "sync now".
    pub sync: crate::sync::SyncConfig,
    /// The staff PIN's hash (`[staff] pin_hash`).
    pub pin_hash: Option<String>,
    /// The monotonic clock of the flow's timers ([`real_time`] on the kiosk; tests and
    /// the screenshot command move it by hand).
    pub mono: Mono,
}

/// A monotonic clock for the flow's timers, read on the UI thread.
pub type Mono = Rc<dyn Fn() -> Duration>;

/// Time since the kiosk started.
pub fn real_time() -> Mono {
    let start = std::time::Instant::now();
    Rc::new(move || start.elapsed())
}

#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error("cannot open the kiosk window: {0} (is a display available? set DISPLAY or WAYLAND_DISPLAY)")]
    Window(#[from] slint::PlatformError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The running screen: the window, the flow, and the parts it talks to.
pub struct Ui {
    pub window: AppWindow,
    flow: RefCell<Flow>,
    store: RefCell<Store>,
    worker: PrintWorker,
    clock: Clock,
    results_tx: mpsc::Sender<UiMsg>,
    results_rx: mpsc::Receiver<UiMsg>,
    db_path: PathBuf,
    kiosk_id: u8,
    sync: crate::sync::SyncConfig,
    /// The printer's last known state, for the staff screen.
    printer_line: RefCell<(String, bool)>,
    timer: slint::Timer,
    /// The minute last drawn: states (open, closed) are redrawn when it changes.
    minute: RefCell<Option<(jiff::civil::Date, i8, i8)>>,
    shown_screen: RefCell<Option<Screen>>,
    shown_lang: std::cell::Cell<Option<Lang>>,
    mono: Mono,
}

impl Ui {
    pub fn new(settings: UiSettings) -> Result<Rc<Ui>, UiError> {
        let window = AppWindow::new()?;
        let store = Store::open(&settings.db_path)?;
        let worker = PrintWorker::spawn(settings.db_path.clone(), settings.print, settings.kiosk_id, settings.clock.clone())?;
        let mut flow = Flow::new(Arc::new(settings.catalogue), settings.lang, Timing::with_idle(settings.idle), (settings.mono)());
        flow.pin_hash = settings.pin_hash;
        // The PIN pad's lock-out from before a restart, turned into the flow's clock.
        if let (Ok((wrong, locks, until)), Ok(now)) = (store.staff_lockout(), (settings.clock)()) {
            let locked_for = until.and_then(|u| std::time::Duration::try_from(u - now).ok()).filter(|d| !d.is_zero());
            flow.restore_pin_guard(crate::staff::PinGuardState { wrong, locks, locked_for }, (settings.mono)());
        }
        let (results_tx, results_rx) = mpsc::channel();
        window.global::<K>().set_hide_cursor(settings.hide_cursor);
        let ui = Rc::new(Ui {
            window,
            flow: RefCell::new(flow),
            store: RefCell::new(store),
            worker,
            clock: settings.clock,
            results_tx,
            results_rx,
            timer: slint::Timer::default(),
            minute: RefCell::new(None),
            shown_screen: RefCell::new(None),
            shown_lang: std::cell::Cell::new(None),
            mono: settings.mono,
            db_path: settings.db_path,
            kiosk_id: settings.kiosk_id,
            sync: settings.sync,
            printer_line: RefCell::new((String::from("-"), true)),
        });
        ui.connect();
        ui.refresh_today();
        ui.draw(true);
        let weak = Rc::downgrade(&ui);
        ui.timer.start(slint::TimerMode::Repeated, Duration::from_millis(100), move || {
            if let Some(ui) = weak.upgrade() {
                ui.tick();
            }
        });
        Ok(ui)
    }

    fn connect(self: &Rc<Self>) {
        let k = self.window.global::<K>();
        let on = |ui: &Rc<Ui>, make: fn() -> Event| {
            let weak = Rc::downgrade(ui);
            move || {
                if let Some(ui) = weak.upgrade() {
                    ui.send(make());
                }
            }
        };
        k.on_take_number(on(self, || Event::TakeNumber));
        k.on_open_search(on(self, || Event::OpenSearch));
        k.on_take_ticket(on(self, || Event::TakeTicket));
        k.on_back(on(self, || Event::Back));
        k.on_home(on(self, || Event::Home));
        k.on_toggle_language(on(self, || Event::ToggleLanguage));
        k.on_toggle_large_text(on(self, || Event::ToggleLargeText));
        k.on_dismiss_notice(on(self, || Event::DismissNotice));
        k.on_touch(on(self, || Event::Touch));
        k.on_start_survey(on(self, || Event::StartSurvey));
        k.on_skip(on(self, || Event::Skip));
        k.on_submit_survey(on(self, || Event::SubmitSurvey));
        k.on_corner_tap(on(self, || Event::CornerTap));
        k.on_pin_backspace(on(self, || Event::PinBackspace));
        k.on_pin_submit(on(self, || Event::PinSubmit));
        k.on_staff_test_slip(on(self, || Event::StaffTestSlip));
        k.on_staff_sync_now(on(self, || Event::StaffSyncNow));
        // Callbacks with an argument: `make` turns it into an event (or nothing).
        fn with_arg<A>(ui: &Rc<Ui>, make: impl Fn(&Ui, A) -> Option<Event> + 'static) -> impl Fn(A) + 'static {
            let weak = Rc::downgrade(ui);
            move |a| {
                if let Some(ui) = weak.upgrade() {
                    if let Some(e) = make(&ui, a) {
                        ui.send(e);
                    }
                }
            }
        }
        k.on_pin_key(with_arg(self, |_, d: SharedString| d.chars().next().map(Event::PinKey)));
        k.on_staff_reprint(with_arg(self, |_, n: SharedString| Some(Event::StaffReprint(n.into()))));
        k.on_agency(with_arg(self, |_, code: SharedString| Some(Event::Agency(code.into()))));
        k.on_service(with_arg(self, |_, code: SharedString| Some(Event::Service(code.into()))));
        k.on_answer(with_arg(self, |ui, i: i32| {
            Some(if ui.screen() == Screen::SurveyProfile { Event::ProfileChoice(i.max(0) as usize) } else { Event::Answer(i.clamp(0, 9) as u8) })
        }));
        k.on_choose(with_arg(self, |_, who: i32| {
            Some(Event::Choose(match who {
                1 => Who::Priority(Priority::Elderly),
                2 => Who::Priority(Priority::Disability),
                3 => Who::Priority(Priority::Pregnant),
                _ => Who::Regular,
            }))
        }));
        k.on_key(with_arg(self, |ui, key: SharedString| Some(ui.typed(|t| t.push_str(&key.to_lowercase())))));
        let weak = Rc::downgrade(self);
        k.on_backspace(move || {
            if let Some(ui) = weak.upgrade() {
                let event = ui.typed(|t| {
                    t.pop();
                });
                ui.send(event);
            }
        });
    }

    /// The text the on-screen keyboard edits (the search, or the survey comment), edited.
    fn typed(&self, edit: impl FnOnce(&mut String)) -> Event {
        let flow = self.flow.borrow();
        if flow.screen == Screen::SurveyComment {
            let mut t = flow.survey.as_ref().map(|d| d.comment.clone()).unwrap_or_default();
            edit(&mut t);
            Event::Comment(t)
        } else {
            let mut t = flow.query.clone();
            edit(&mut t);
            Event::Query(t)
        }
    }

    /// One event into the flow, its command carried out, the screen redrawn.
    pub fn send(&self, event: Event) {
        let touch_only = event == Event::Touch;
        let pin_submit = event == Event::PinSubmit;
        if matches!(event, Event::TakeNumber | Event::OpenSearch | Event::Home) || (matches!(event, Event::Service(_)) && self.screen() == Screen::Welcome) {
            self.refresh_today();
        }
        let command = self.flow.borrow_mut().handle(event, (self.mono)());
        if pin_submit {
            self.save_pin_guard();
        }
        match command {
            Some(Command::Print { service, priority }) => self.print(service, priority),
            Some(Command::Search(q)) => {
                let codes = match self.store.borrow().search_services(&q, 30) {
                    Ok(hits) => hits.into_iter().map(|h| h.code).collect(),
                    Err(e) => {
                        log::error!("search {q:?}: {e}");
                        Vec::new()
                    }
                };
                self.flow.borrow_mut().set_results(&q, codes);
            }
            Some(Command::SaveSurvey(r)) => self.save_survey(&r),
            Some(Command::Reprint(number)) => self.staff_job(Job::Reprint { number: number.clone(), date: self.today_date() }, format!("{number}")),
            Some(Command::TestSlip) => self.staff_job(Job::TestSlip, String::new()),
            Some(Command::SyncNow) => self.sync_now(),
            Some(Command::RefreshStaff) => self.refresh_printer(),
            None => {}
        }
        if touch_only {
            self.window.global::<K>().set_idle_seconds(0);
        } else {
            self.draw(true);
        }
    }

    fn today_date(&self) -> jiff::civil::Date {
        self.flow.borrow().today.local.map(|d| d.date()).unwrap_or_else(|| {
            let now = (self.clock)().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            crate::store::local_time(&self.flow.borrow().catalogue, now).map(|z| z.date()).unwrap_or_else(|_| now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
        })
    }

    /// A reprint or test slip for staff, on the print worker; the result comes back as a message.
    fn staff_job(&self, job: Job, what: String) {
        let (catalogue, lang) = {
            let f = self.flow.borrow();
            (f.catalogue.clone(), f.lang)
        };
        let tx = self.results_tx.clone();
        self.worker.submit(
            job,
            catalogue,
            lang,
            Box::new(move |r| {
                let msg = match r {
                    Ok(Done::Ticket(i)) => match i.outcome {
                        Outcome::Printed => format!("{} dicetak ulang / reprinted", i.ticket.number),
                        Outcome::Failed { reason } => format!("{}: cetak ulang gagal / reprint failed: {reason}", i.ticket.number),
                    },
                    Ok(Done::TestSlip) => "Slip tes dikirim ke printer / test slip sent".into(),
                    Ok(Done::Status(_)) => String::new(),
                    Err(e) => format!("{what} {e}").trim().to_owned(),
                };
                let _ = tx.send(UiMsg::Staff(msg));
            }),
        );
    }

    /// Reads the printer's status on the worker (never on the UI thread).
    fn refresh_printer(&self) {
        let tx = self.results_tx.clone();
        let catalogue = self.flow.borrow().catalogue.clone();
        self.worker.submit(
            Job::Status,
            catalogue,
            Lang::Id,
            Box::new(move |r| {
                let (line, ok) = match r {
                    Ok(Done::Status(status)) => {
                        let (readiness, words) = crate::printing::describe(status, Lang::Id);
                        (words, readiness == crate::printing::Readiness::Ready)
                    }
                    Ok(_) => ("-".to_owned(), true),
                    Err(e) => (e.to_string(), false),
                };
                let _ = tx.send(UiMsg::Printer(line, ok));
            }),
        );
    }

    /// One sync round on its own thread; the outcome comes back as a message.
    fn sync_now(&self) {
        let (tx, db, cfg, kiosk, clock) = (self.results_tx.clone(), self.db_path.clone(), self.sync.clone(), self.kiosk_id, self.clock.clone());
        let site = self.flow.borrow().catalogue.feed.site.code.clone();
        std::thread::spawn(move || {
            let msg = (|| -> Result<String, String> {
                let mut store = Store::open(&db).map_err(|e| e.to_string())?;
                let now = clock().map_err(|e| e.to_string())?;
                let round = crate::sync::round(&mut store, &cfg, &site, kiosk, now);
                let mut parts = Vec::new();
                match round.pulled {
                    Ok(Some(crate::sync::Pulled::Imported { version, services })) => parts.push(format!("katalog versi {version} ({services} layanan) diterima")),
                    Ok(Some(crate::sync::Pulled::NotModified)) => parts.push("katalog tidak berubah".into()),
                    Ok(None) => parts.push("tidak ada [sync] url".into()),
                    Err(e) => parts.push(format!("katalog: {e}")),
                }
                if let Some(c) = round.catalogue {
                    let _ = tx.send(UiMsg::Catalogue(Box::new(c)));
                }
                match round.uploaded {
                    Ok(Some(u)) => parts.push(format!("{} catatan terkirim", u.records)),
                    Ok(None) => parts.push("tidak ada [sync] upload_url".into()),
                    Err(e) => parts.push(format!("unggah: {e}")),
                }
                Ok(parts.join("; "))
            })()
            .unwrap_or_else(|e| e);
            let _ = tx.send(UiMsg::Staff(format!("Sinkronisasi: {msg}")));
        });
    }

    /// The staff screen's health lines, read from the database.
    fn health(&self) -> Vec<HealthLine> {
        let mut lines = Vec::new();
        let mut add = |label: &str, value: String, ok: bool| lines.push(HealthLine { label: label.into(), value: value.into(), ok });
        let (printer, printer_ok) = self.printer_line.borrow().clone();
        add("Printer", printer, printer_ok);
        let mut store = self.store.borrow_mut();
        match store.catalogue_stats() {
            Ok(Some(c)) => add("Katalog", format!("versi {} dari {} ({} layanan, {} belum terverifikasi)", c.version, c.source, c.services, c.unverified_services), true),
            Ok(None) => add("Katalog", "belum ada".into(), false),
            Err(e) => add("Katalog", e.to_string(), false),
        }
        let now = (self.clock)().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        match crate::sync::status(&mut store, &self.sync, now) {
            Ok(st) => {
                match (&st.catalogue_expires, st.catalogue_expired) {
                    (Some(e), true) => add("Masa berlaku katalog", format!("KEDALUWARSA sejak {e}; warga melihat pemberitahuan"), false),
                    (Some(e), false) => add("Masa berlaku katalog", format!("berlaku sampai {e}"), true),
                    (None, _) => {}
                }
                let sync = match (&st.url, &st.last_error) {
                    (None, _) => ("tidak diatur ([sync] url)".to_owned(), true),
                    (Some(_), Some(e)) => (format!("gagal: {e}; terakhir berhasil {}", st.last_success_utc.as_deref().unwrap_or("belum pernah")), false),
                    (Some(_), None) => (format!("terakhir berhasil {}", st.last_success_utc.as_deref().unwrap_or("belum pernah")), true),
                };
                add("Sinkronisasi", sync.0, sync.1);
                add(
                    "Outbox",
                    format!("{} menunggu{}, {} terkirim", st.outbox.pending, st.outbox.oldest_pending_utc.map(|o| format!(" (tertua {o})")).unwrap_or_default(), st.outbox.acknowledged),
                    st.last_upload_error.is_none(),
                );
            }
            Err(e) => add("Sinkronisasi", e.to_string(), false),
        }
        let today = self.today_date();
        let month_start = today.first_of_month();
        let elements: Vec<String> = crate::survey::ELEMENT_CODES.iter().map(|s| s.to_string()).collect();
        let ikm = |from: jiff::civil::Date| -> String {
            let f = crate::store::SurveyFilter { from: Some(from), to: Some(today), ..Default::default() };
            match store.survey_responses(&f) {
                Ok(rs) => match crate::survey::ikm::compute(&elements, rs.iter().map(|r| r.answers.as_slice())) {
                    Some(i) => format!("{:.2} ({:?}, {}) dari {} responden", i.converted, i.grade, i.grade.words(Lang::Id), i.respondents),
                    None => "belum ada responden".into(),
                },
                Err(e) => e.to_string(),
            }
        };
        add("IKM hari ini", ikm(today), true);
        add("IKM bulan ini", ikm(month_start), true);
        let pinned = crate::clock::pinned_setting().is_some();
        let clock = self.flow.borrow().today.local.map(|d| d.to_string()).unwrap_or_default();
        let zone = crate::hours::zone_label(&self.flow.borrow().catalogue.feed.site.time_zone).to_owned();
        add("Jam", if pinned { format!("{clock} {zone} (DIPATOK oleh {})", crate::clock::ENV) } else { format!("{clock} {zone}") }, !pinned);
        lines
    }

    fn staff_tickets(&self) -> Vec<StaffTicket> {
        let flow = self.flow.borrow();
        let today = self.today_date();
        match self.store.borrow().tickets_on(today) {
            Ok(ts) => ts
                .iter()
                .rev()
                .take(50)
                .map(|t| {
                    let name = flow.catalogue.feed.service(&t.service).map(|s| s.name.in_lang(Lang::Id).to_owned()).unwrap_or_default();
                    let time = t.issued_at_local.get(11..16).unwrap_or("");
                    StaffTicket { number: t.number.clone().into(), line: format!("{}  {time}  {}  {name}", t.number, t.status.code()).into() }
                })
                .collect(),
            Err(e) => vec![StaffTicket { number: "".into(), line: e.to_string().into() }],
        }
    }

    /// Keeps the PIN pad's lock-out in the database (it outlives a restart) and logs a wrong
    /// try — never the PIN itself.
    fn save_pin_guard(&self) {
        let state = self.flow.borrow().pin_guard_state((self.mono)());
        if state.wrong > 0 || state.locked_for.is_some() {
            log::warn!("a wrong staff PIN was entered ({} in a row, {} lock-outs so far{})", state.wrong, state.locks, state.locked_for.map(|d| format!(", locked for {} s", d.as_secs())).unwrap_or_default());
        }
        let until = (self.clock)().ok().zip(state.locked_for).and_then(|(now, d)| now.checked_add(jiff::SignedDuration::try_from(d).ok()?).ok());
        if let Err(e) = self.store.borrow_mut().set_staff_lockout(state.wrong, state.locks, until) {
            log::error!("storing the PIN pad's lock-out: {e}");
        }
    }

    /// Stores a finished survey response (one small transaction).
    fn save_survey(&self, r: &crate::survey::Response) {
        let flow = self.flow.borrow();
        let Some(agency) = flow.catalogue.feed.service(&r.service).map(|s| s.agency.clone()) else { return };
        let result = (self.clock)().map_err(|e| e.to_string()).and_then(|now| {
            let date = crate::store::local_time(&flow.catalogue, now).map_err(|e| e.to_string())?.date();
            self.store.borrow_mut().record_survey(r, &agency, date).map_err(|e| e.to_string())
        });
        match result {
            // No id in the log: the journal dates every line to the microsecond.
            Ok(_) => log::info!("a survey response for {} saved", r.service),
            Err(e) => log::error!("a survey response for {} could not be saved: {e}", r.service),
        }
    }

    fn print(&self, service: String, priority: Option<Priority>) {
        let (catalogue, lang) = {
            let f = self.flow.borrow();
            (f.catalogue.clone(), f.lang)
        };
        let tx = self.results_tx.clone();
        let code = service.clone();
        self.worker.submit(
            Job::Issue { service, priority },
            catalogue,
            lang,
            Box::new(move |r| {
                // Read on the UI thread by the timer (within 100 ms).
                let _ = tx.send(UiMsg::Printed(print_result(r, &code)));
            }),
        );
    }

    /// Today's local time and ticket counts, for the catalogue's rules.
    fn refresh_today(&self) {
        let mut flow = self.flow.borrow_mut();
        let now = match (self.clock)() {
            Ok(t) => t,
            Err(e) => {
                log::error!("{e}");
                return;
            }
        };
        let Ok(local) = crate::store::local_time(&flow.catalogue, now) else { return };
        flow.today.local = Some(local.datetime());
        let month_ago = local.date().checked_sub(jiff::Span::new().days(30)).unwrap_or(local.date());
        match self.store.borrow().busiest_services(month_ago, 4) {
            Ok(busiest) => flow.popular = view::choose_popular(&flow.catalogue, &busiest, 4),
            Err(e) => log::error!("finding the busiest services: {e}"),
        }
        match self.store.borrow().tickets_on(local.date()) {
            Ok(tickets) => {
                flow.today.issued.clear();
                for t in tickets.iter().filter(|t| t.status != Status::Voided) {
                    *flow.today.issued.entry(t.service.clone()).or_default() += 1;
                }
            }
            Err(e) => log::error!("counting today's tickets: {e}"),
        }
    }

    /// The timers: print results, the clock, idle and done returns.
    pub fn tick(&self) {
        while let Ok(msg) = self.results_rx.try_recv() {
            match msg {
                UiMsg::Printed(r) => self.send(Event::Printed(r)),
                UiMsg::Staff(m) => self.send(Event::StaffResult(m)),
                UiMsg::Printer(line, ok) => {
                    *self.printer_line.borrow_mut() = (line, ok);
                    self.draw(true);
                }
                UiMsg::Catalogue(c) => self.offer_catalogue(*c),
            }
        }
        let before = self.flow.borrow().screen;
        let idle = self.flow.borrow_mut().tick((self.mono)());
        let after = self.flow.borrow().screen;
        let k = self.window.global::<K>();
        k.set_idle_seconds(match idle {
            Idle::Warning(s) => s as i32,
            Idle::Active => 0,
        });
        let minute = (self.clock)().ok().and_then(|t| crate::store::local_time(&self.flow.borrow().catalogue, t).ok()).map(|z| (z.date(), z.hour(), z.minute()));
        let new_minute = minute != *self.minute.borrow();
        if new_minute {
            *self.minute.borrow_mut() = minute;
            self.refresh_today();
        }
        if before != after || new_minute {
            self.draw(before != after || new_minute);
        }
    }

    /// Copies the flow's state into the window.
    fn draw(&self, full: bool) {
        let flow = self.flow.borrow();
        let k = self.window.global::<K>();
        let lang = flow.lang;
        // Switching the translation re-evaluates every text: only when the language changed.
        if self.shown_lang.get() != Some(lang) {
            self.shown_lang.set(Some(lang));
            let _ = slint::select_bundled_translation(match lang {
                Lang::En => "en",
                Lang::Id => "",
            });
        }
        let (date, clock) = view::date_and_clock(&flow);
        k.set_date_line(date.into());
        k.set_clock(clock.into());
        if !full {
            return;
        }
        k.set_english(lang == Lang::En);
        k.set_large_text(flow.large_text);
        k.set_site_name(flow.catalogue.feed.site.name.in_lang(lang).into());
        k.set_notices(strings(view::notices(&flow)));
        if flow.screen == Screen::Welcome {
            k.set_popular(rows_model(view::popular(&flow)));
        }
        let screen = match flow.screen {
            Screen::Welcome => ScreenId::Welcome,
            Screen::Agencies => ScreenId::Agencies,
            Screen::Services => ScreenId::Services,
            Screen::Detail => ScreenId::Detail,
            Screen::Priority => ScreenId::Priority,
            Screen::Printing => ScreenId::Printing,
            Screen::Done => ScreenId::Done,
            Screen::Search => ScreenId::Search,
            Screen::SurveyQuestion => ScreenId::SurveyQuestion,
            Screen::SurveyProfile => ScreenId::SurveyProfile,
            Screen::SurveyComment => ScreenId::SurveyComment,
            Screen::SurveyThanks => ScreenId::SurveyThanks,
            Screen::StaffPin => ScreenId::StaffPin,
            Screen::Staff => ScreenId::Staff,
        };
        k.set_pin_dots("* ".repeat(flow.pin.len()).trim_end().into());
        k.set_pin_message(flow.pin_message.clone().into());
        k.set_staff_message(flow.staff_message.clone().into());
        if flow.screen == Screen::Staff {
            drop(flow);
            k.set_health(ModelRc::new(VecModel::from(self.health())));
            k.set_staff_tickets(ModelRc::new(VecModel::from(self.staff_tickets())));
            k.set_screen(screen);
            return;
        }
        k.set_surveying(flow.survey.is_some());
        if let Some(v) = view::survey(&flow) {
            k.set_sv_service(v.service.into());
            k.set_sv_progress(v.progress.into());
            k.set_sv_title(v.title.into());
            k.set_sv_question(v.question.into());
            k.set_sv_choices(strings(v.choices));
            k.set_sv_comment(v.comment.to_uppercase().into());
        }
        match flow.screen {
            Screen::Agencies => {
                let tiles: Vec<AgencyTile> = view::agencies(&flow)
                    .into_iter()
                    .map(|t| AgencyTile { code: t.code.into(), name: t.name.into(), icon: t.icon.into(), count: t.count.into(), closed: t.closed.unwrap_or_default().into() })
                    .collect();
                k.set_agencies(ModelRc::new(VecModel::from(tiles)));
            }
            Screen::Services => {
                let (short, name, rows) = view::services(&flow);
                k.set_agency_short(short.into());
                k.set_agency_name(name.into());
                k.set_services(rows_model(rows));
            }
            Screen::Search => {
                k.set_query(flow.query.to_uppercase().into());
                k.set_results(rows_model(view::search_results(&flow)));
            }
            _ => {}
        }
        if let Some(d) = view::detail(&flow) {
            k.set_d_name(d.name.into());
            k.set_d_agency(d.agency.into());
            k.set_d_summary(d.summary.into());
            k.set_d_requirements(strings(d.requirements));
            k.set_d_steps(strings(d.steps));
            k.set_d_fee(d.fee.into());
            k.set_d_free(d.free);
            k.set_d_legal(d.legal_basis.into());
            k.set_d_time(d.time.into());
            k.set_d_product(d.product.into());
            k.set_d_counter(d.counter.into());
            k.set_d_complaints(d.complaints.into());
            k.set_d_state(d.state.into());
            k.set_d_kind(kind(d.kind));
            k.set_d_unverified(d.unverified.unwrap_or_default().into());
            k.set_d_notes(d.notes.into());
        }
        let done = view::done(&flow);
        let d = done.as_ref();
        k.set_t_number(d.map(|d| d.number.clone()).unwrap_or_default().into());
        k.set_t_service(d.map(|d| d.service.clone()).unwrap_or_default().into());
        k.set_t_counter(d.map(|d| d.counter.clone()).unwrap_or_default().into());
        k.set_t_ahead(d.map(|d| d.ahead.clone()).unwrap_or_default().into());
        k.set_t_priority(d.map(|d| d.priority.clone()).unwrap_or_default().into());
        k.set_t_failed(d.map(|d| d.failed.clone()).unwrap_or_default().into());
        let (title, text) = view::notice(&flow).unwrap_or_default();
        k.set_notice_title(title.into());
        k.set_notice_text(text.into());
        k.set_screen(screen);
        if *self.shown_screen.borrow() != Some(flow.screen) {
            *self.shown_screen.borrow_mut() = Some(flow.screen);
            k.set_idle_seconds(0);
        }
    }

    /// The flow's current screen (for tests and the screenshot command).
    pub fn screen(&self) -> Screen {
        self.flow.borrow().screen
    }

    /// A newer catalogue (from sync): applied without disturbing a citizen mid-path.
    pub fn offer_catalogue(&self, catalogue: Catalogue) {
        self.flow.borrow_mut().offer_catalogue(Arc::new(catalogue));
        self.draw(true);
    }
}

fn kind(k: StateKind) -> i32 {
    match k {
        StateKind::Open => 0,
        StateKind::Closed => 1,
        StateKind::Full => 2,
    }
}

fn strings(v: Vec<String>) -> ModelRc<SharedString> {
    ModelRc::new(VecModel::from(v.into_iter().map(SharedString::from).collect::<Vec<_>>()))
}

fn rows_model(rows: Vec<view::ServiceRow>) -> ModelRc<ServiceRow> {
    ModelRc::new(VecModel::from(
        rows.into_iter()
            .map(|r| ServiceRow {
                code: r.code.into(),
                name: r.name.into(),
                fee: r.fee.into(),
                free: r.free,
                time: r.time.into(),
                state: r.state.into(),
                kind: kind(r.kind),
                unverified: r.unverified,
            })
            .collect::<Vec<_>>(),
    ))
}

/// The worker's answer in the flow's terms.
fn print_result(r: Result<Done, JobError>, service: &str) -> PrintResult {
    match r {
        Ok(Done::Ticket(issued)) => PrintResult::Issued(TicketShown {
            number: issued.ticket.number.clone(),
            service: service.to_owned(),
            people_ahead: issued.ticket.people_ahead,
            priority: issued.ticket.priority,
            print_failed: matches!(issued.outcome, Outcome::Failed { .. }),
        }),
        Ok(Done::TestSlip | Done::Status(_)) => PrintResult::Failed("not a ticket".into()),
        Err(JobError::Flow(PrintFlowError::NotReady(f))) => PrintResult::PrinterNotReady(f),
        Err(JobError::Flow(PrintFlowError::Issue(IssueError::Refused(r)))) => PrintResult::Refused(r),
        Err(e) => {
            log::error!("issuing a ticket for {service} failed: {e}");
            PrintResult::Failed(e.to_string())
        }
    }
}

/// On kiosk hardware (feature `kiosk`, linuxkms backend): keyboard events are dropped, so
/// a keyboard plugged into the kiosk cannot type into it or quit it with Ctrl+Alt+Backspace
/// (systemd restarts the kiosk if it ever stops), and every touch device that appears is
/// turned with the picture (`touch`). Other backends are left as they are.
#[cfg(feature = "kiosk")]
fn select_backend() -> Result<(), UiError> {
    if std::env::var("SLINT_BACKEND").is_ok_and(|b| b.starts_with("linuxkms")) {
        let rotator = touch::Rotator::new(touch::drawing_rotation());
        let window = || CURRENT.with(|c| c.borrow().upgrade().map(|ui| ui.window.clone_strong()));
        slint::BackendSelector::new()
            .with_libinput_event_hook(move |event| matches!(event, input::Event::Keyboard(_)) || rotator.handle(event, window))
            .select()?;
    }
    Ok(())
}

#[cfg(not(feature = "kiosk"))]
fn select_backend() -> Result<(), UiError> {
    Ok(())
}

thread_local! {
    /// The running screen, for work that arrives from other threads (a synced catalogue).
    static CURRENT: RefCell<std::rc::Weak<Ui>> = const { RefCell::new(std::rc::Weak::new()) };
}

/// Hands a newly synced catalogue to the running screen (from any thread); it is applied
/// without disturbing a citizen mid-path.
pub fn deliver_catalogue(catalogue: Catalogue) {
    let r = slint::invoke_from_event_loop(move || {
        CURRENT.with(|c| {
            if let Some(ui) = c.borrow().upgrade() {
                ui.offer_catalogue(catalogue);
            }
        })
    });
    if let Err(e) = r {
        log::warn!("a new catalogue could not reach the screen: {e}");
    }
}

/// A print job running this long is stuck (every job is bounded by the printer's timeouts,
/// a few seconds): the kiosk stops feeding the watchdog and systemd restarts it.
const STUCK_PRINT_JOB: Duration = Duration::from_secs(90);

/// Tells systemd the kiosk is up, then pings its watchdog from the UI's own event loop:
/// if the screen hangs, or the print worker is stuck, the pings stop and systemd restarts
/// the kiosk. Without systemd (development) this does nothing.
fn start_watchdog(ui: std::rc::Weak<Ui>) -> slint::Timer {
    let timer = slint::Timer::default();
    if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        log::debug!("no systemd notification socket: {e}");
    }
    if let Some(interval) = sd_notify::watchdog_enabled() {
        log::info!("systemd watchdog every {interval:?}: pinging at half of it from the event loop");
        timer.start(slint::TimerMode::Repeated, interval / 2, move || {
            if let Some(busy) = ui.upgrade().and_then(|ui| ui.worker.busy_for()).filter(|b| *b > STUCK_PRINT_JOB) {
                log::error!("the print worker has been on one job for {} s: not feeding the watchdog, systemd will restart the kiosk", busy.as_secs());
                return;
            }
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        });
    }
    timer
}

/// Runs the kiosk window until it is closed.
pub fn run(settings: UiSettings) -> Result<(), UiError> {
    select_backend()?;
    let ui = Ui::new(settings)?;
    CURRENT.with(|c| *c.borrow_mut() = Rc::downgrade(&ui));
    let _watchdog = start_watchdog(Rc::downgrade(&ui));
    ui.window.run()?;
    Ok(())
}
