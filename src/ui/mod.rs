//! The kiosk's screen. Only this module knows Slint: it copies what `kiosk::view` says
//! into the window's global `K`, turns touches into `kiosk::Event`s, and runs the flow's
//! commands (printing on the print worker, search on the database).

mod bind;
pub mod headless;
pub mod screenshot;
pub mod touch;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, SharedString};

use crate::app::{App, AppSettings, Redraw};
use crate::catalogue::Catalogue;
use crate::kiosk::view;
use crate::kiosk::{self, Event, Idle, Screen};
use crate::store::StoreError;
use crate::text::Lang;
use crate::tickets::Priority;

pub use crate::app::{Mono, real_time};

slint::include_modules!();

/// Everything the screen needs to start: the application's settings and the window's.
pub struct UiSettings {
    pub app: AppSettings,
    /// Hide the mouse cursor (on the kiosk itself).
    pub hide_cursor: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error("cannot open the kiosk window: {0} (is a display available? set DISPLAY or WAYLAND_DISPLAY)")]
    Window(#[from] slint::PlatformError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The short side, in logical pixels, the screens are laid out for.
pub const DESIGN_SHORT_SIDE: f32 = 1080.0;

/// The running screen: the window bound to the application.
pub struct Ui {
    pub window: AppWindow,
    app: RefCell<App>,
    timer: slint::Timer,
    shown_screen: RefCell<Option<Screen>>,
    shown_lang: std::cell::Cell<Option<Lang>>,
    lists: bind::Lists,
}

impl Ui {
    pub fn new(settings: UiSettings) -> Result<Rc<Ui>, UiError> {
        let window = AppWindow::new()?;
        let app = App::new(settings.app)?;
        window.global::<K>().set_hide_cursor(settings.hide_cursor);
        let ui = Rc::new(Ui {
            window,
            app: RefCell::new(app),
            timer: slint::Timer::default(),
            shown_screen: RefCell::new(None),
            shown_lang: std::cell::Cell::new(None),
            lists: bind::Lists::new(),
        });
        ui.connect();
        ui.bind_lists();
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
        k.on_open_check_in(on(self, || Event::OpenCheckIn));
        k.on_submit_code(on(self, || Event::SubmitCode));
        k.on_take_ticket(on(self, || Event::TakeTicket));
        k.on_retry_print(on(self, || Event::RetryPrint));
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
                if let Some(ui) = weak.upgrade()
                    && let Some(e) = make(&ui, a)
                {
                    ui.send(e);
                }
            }
        }
        k.on_pin_key(with_arg(self, |_, d: SharedString| d.chars().next().map(Event::PinKey)));
        k.on_staff_reprint(with_arg(self, |_, n: SharedString| Some(Event::StaffReprint(n.into()))));
        k.on_agency(with_arg(self, |_, code: SharedString| Some(Event::Agency(code.into()))));
        k.on_service(with_arg(self, |_, code: SharedString| Some(Event::Service(code.into()))));
        k.on_answer(with_arg(self, |_, v: i32| u8::try_from(v).ok().map(Event::Answer)));
        k.on_profile_choice(with_arg(self, |_, i: i32| usize::try_from(i).ok().map(Event::ProfileChoice)));
        k.on_choose(with_arg(self, |_, who: self::Who| {
            Some(Event::Choose(match who {
                self::Who::Regular => kiosk::Who::Regular,
                self::Who::Elderly => kiosk::Who::Priority(Priority::Elderly),
                self::Who::Disability => kiosk::Who::Priority(Priority::Disability),
                self::Who::Pregnant => kiosk::Who::Priority(Priority::Pregnant),
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
        let weak = Rc::downgrade(self);
        k.on_clear_text(move || {
            if let Some(ui) = weak.upgrade() {
                let event = ui.typed(String::clear);
                ui.send(event);
            }
        });
    }

    /// Scales the drawing to the panel. The screens are laid out for 1080 logical pixels
    /// across the panel's short side (a 1080x1920 portrait or 1920x1080 landscape kiosk):
    /// a 1280x800 panel draws them at 0.74, a 768x1366 one at 0.71, a 4K one at 2. A
    /// technician's `SLINT_SCALE_FACTOR` wins. Call it once the window has its size.
    pub fn fit_to_panel(&self) {
        if std::env::var_os("SLINT_SCALE_FACTOR").is_some() {
            return;
        }
        let size = self.window.window().size();
        let short = size.width.min(size.height);
        if short == 0 {
            return;
        }
        let scale_factor = (short as f32 / DESIGN_SHORT_SIDE).clamp(0.5, 4.0);
        self.window.window().dispatch_event(slint::platform::WindowEvent::ScaleFactorChanged { scale_factor });
        // The same physical panel, now this many logical pixels. The window is told both
        // ways: linuxkms ignores `set_size` (its window is the display), and without the
        // Resized event the screens kept the panel's physical size as their logical one and
        // were drawn into its top-left 74 % on a 1280x800 panel (the QEMU speech test's
        // screendumps showed it).
        self.window.window().set_size(size);
        self.window
            .window()
            .dispatch_event(slint::platform::WindowEvent::Resized { size: size.to_logical(scale_factor) });
    }

    /// The window's top-level lists are the same models for its whole life.
    fn bind_lists(&self) {
        let k = self.window.global::<K>();
        k.set_notices(self.lists.notices.model());
        k.set_popular(self.lists.popular.model());
        k.set_agencies(self.lists.agencies.model());
        k.set_services(self.lists.services.model());
        k.set_results(self.lists.results.model());
    }

    /// The text the on-screen keyboard edits, edited, as the event that carries it.
    fn typed(&self, edit: impl FnOnce(&mut String)) -> Event {
        self.app.borrow().typed(edit)
    }

    /// A key of the speech mode's keypad, the screen redrawn.
    pub fn keypad(&self, key: crate::kiosk::speech::Key, at: std::time::Instant) {
        let redraw = self.app.borrow_mut().keypad(key, at);
        self.apply(redraw);
    }

    /// One event into the application, the screen redrawn.
    pub fn send(&self, event: Event) {
        let redraw = self.app.borrow_mut().send(event);
        self.apply(redraw);
    }

    fn apply(&self, redraw: Redraw) {
        match redraw {
            Redraw::Nothing => {}
            Redraw::IdleReset => self.window.global::<K>().set_idle_seconds(0),
            Redraw::All => self.draw(true),
        }
    }

    /// The timers: results from other threads, the clock, idle and done returns.
    pub fn tick(&self) {
        let (idle, redraw) = self.app.borrow_mut().tick();
        let k = self.window.global::<K>();
        k.set_idle_seconds(match idle {
            Idle::Warning(s) => s as i32,
            _ => 0,
        });
        k.set_leaving_seconds(match idle {
            Idle::Leaving(s) => s as i32,
            _ => 0,
        });
        self.apply(redraw);
    }

    /// Copies the flow's state into the window.
    fn draw(&self, full: bool) {
        let mut app = self.app.borrow_mut();
        let k = self.window.global::<K>();
        let lists = &self.lists;
        let lang = app.flow().lang;
        // Switching the translation re-evaluates every text: only when the language changed.
        if self.shown_lang.get() != Some(lang) {
            self.shown_lang.set(Some(lang));
            let _ = slint::select_bundled_translation(match lang {
                Lang::En => "en",
                Lang::Id => "",
            });
        }
        if app.screen() == Screen::Staff {
            let health = app.health();
            lists.health.set(view::staff_screen::health_lines(&health, lang).into_iter().map(|h| HealthLine {
                label: h.label.into(),
                value: h.value.into(),
                ok: h.ok,
                warn: h.warn,
            }));
            lists.tickets.set(
                app.staff_tickets().into_iter().map(|t| StaffTicket { number: t.number.into(), line: t.line.into() }),
            );
        }
        let flow = app.flow();
        let (date, clock) = view::date_and_clock(flow);
        k.set_date_line(date.into());
        k.set_clock(clock.into());
        if !full {
            return;
        }
        k.set_english(lang == Lang::En);
        k.set_large_text(flow.large_text);
        k.set_site_name(flow.catalogue.feed.site.name.in_lang(lang).into());
        lists.notices.set(bind::strings(view::notices(flow)));
        if flow.screen == Screen::Welcome {
            lists.popular.set(view::popular(flow).into_iter().map(bind::row));
        }
        k.set_staff(StaffView {
            pin_dots: "* ".repeat(flow.pin.len()).trim_end().into(),
            pin_message: view::staff_screen::pin_message(flow.pin_result.as_ref(), lang).into(),
            message: view::staff_screen::staff_message(flow.staff_outcome.as_ref(), lang).into(),
            health: lists.health.model(),
            tickets: lists.tickets.model(),
        });
        k.set_surveying(flow.survey.is_some());
        if let Some(v) = view::survey(flow) {
            k.set_survey(bind::survey(v, lists));
        }
        match flow.screen {
            Screen::Agencies => lists.agencies.set(view::agencies(flow).into_iter().map(bind::tile)),
            Screen::Services => {
                let (short, name, rows) = view::services(flow);
                k.set_agency_short(short.into());
                k.set_agency_name(name.into());
                lists.services.set(rows.into_iter().map(bind::row));
            }
            Screen::CheckIn => k.set_code(flow.code.to_uppercase().into()),
            Screen::Search => {
                k.set_query(flow.query.to_uppercase().into());
                lists.results.set(view::search_results(flow).into_iter().map(bind::row));
            }
            _ => {}
        }
        if let Some(d) = view::detail(flow) {
            k.set_detail(bind::detail(d, lists));
        }
        k.set_ticket(bind::ticket(view::done(flow), lists));
        k.set_notice(bind::banner(view::notice(flow)));
        k.set_closed(bind::banner(view::closed_banner(flow)));
        k.set_printer_down(view::printer_down(flow));
        k.set_speech_text(app.speech_shown().unwrap_or_default().into());
        k.set_bookings_today(flow.bookings_today);
        k.set_screen(screen_id(flow.screen));
        if *self.shown_screen.borrow() != Some(flow.screen) {
            *self.shown_screen.borrow_mut() = Some(flow.screen);
            k.set_idle_seconds(0);
        }
    }

    /// The flow's current screen (for tests and the screenshot command).
    pub fn screen(&self) -> Screen {
        self.app.borrow().screen()
    }

    /// A newer catalogue (from sync): applied without disturbing a citizen mid-path.
    pub fn offer_catalogue(&self, catalogue: Catalogue) {
        self.app.borrow_mut().offer_catalogue(catalogue);
        self.draw(true);
    }

    /// The site's queue (from sync): redrawn only when a count changed.
    pub fn offer_queue(&self, queue: crate::queue::QueueState) {
        let redraw = self.app.borrow_mut().offer_queue(queue);
        if redraw == Redraw::All {
            self.draw(true);
        }
    }
}

fn screen_id(s: Screen) -> ScreenId {
    match s {
        Screen::Welcome => ScreenId::Welcome,
        Screen::Agencies => ScreenId::Agencies,
        Screen::Services => ScreenId::Services,
        Screen::Detail => ScreenId::Detail,
        Screen::Priority => ScreenId::Priority,
        Screen::Printing => ScreenId::Printing,
        Screen::Done => ScreenId::Done,
        Screen::Search => ScreenId::Search,
        Screen::CheckIn => ScreenId::CheckIn,
        Screen::SurveyQuestion => ScreenId::SurveyQuestion,
        Screen::SurveyProfile => ScreenId::SurveyProfile,
        Screen::SurveyComment => ScreenId::SurveyComment,
        Screen::SurveyThanks => ScreenId::SurveyThanks,
        Screen::StaffPin => ScreenId::StaffPin,
        Screen::Staff => ScreenId::Staff,
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
            .with_libinput_event_hook(move |event| {
                matches!(event, input::Event::Keyboard(_)) || rotator.handle(event, window)
            })
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

/// Hands a code the booking scanner read (from its thread) to the running screen.
pub fn deliver_scan(code: String) {
    let r = slint::invoke_from_event_loop(move || {
        CURRENT.with(|c| {
            if let Some(ui) = c.borrow().upgrade() {
                ui.send(Event::Scanned(code));
            }
        })
    });
    if let Err(e) = r {
        log::warn!("a scanned code could not reach the screen: {e}");
    }
}

/// Hands a key of the speech mode's keypad (from its thread) to the running screen.
pub fn deliver_key(key: crate::kiosk::speech::Key, at: std::time::Instant) {
    let r = slint::invoke_from_event_loop(move || {
        CURRENT.with(|c| {
            if let Some(ui) = c.borrow().upgrade() {
                ui.keypad(key, at);
            }
        })
    });
    if let Err(e) = r {
        log::warn!("a keypad key could not reach the screen: {e}");
    }
}

/// Hands the site's queue (from the site server, via sync) to the running screen.
pub fn deliver_queue(queue: crate::queue::QueueState) {
    let r = slint::invoke_from_event_loop(move || {
        CURRENT.with(|c| {
            if let Some(ui) = c.borrow().upgrade() {
                ui.offer_queue(queue);
            }
        })
    });
    if let Err(e) = r {
        log::debug!("the site's queue could not reach the screen: {e}");
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
            if let Some(busy) = ui.upgrade().and_then(|ui| ui.app.borrow().print_busy_for()).filter(|b| *b > STUCK_PRINT_JOB) {
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
    let fit = settings.hide_cursor;
    let ui = Ui::new(settings)?;
    CURRENT.with(|c| *c.borrow_mut() = Rc::downgrade(&ui));
    let _watchdog = start_watchdog(Rc::downgrade(&ui));
    ui.window.show()?;
    // On the kiosk's own panel (full screen): the screens fit it whatever its resolution.
    // A development window keeps the desktop's scale.
    if fit {
        ui.fit_to_panel();
    }
    slint::run_event_loop()?;
    ui.window.hide()?;
    Ok(())
}
