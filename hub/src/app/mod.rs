//! The application: what the hub does, with no SQL (that is `db`) and no HTTP (that is
//! `web`). `App` holds the database, the caches and the site's settings; the web layer and
//! the command line call its methods, handing in "now" from `clock` where it matters.

pub mod accounts;
pub mod bookings;
pub mod cache;
pub mod calling;
pub mod desk;
pub mod fleet;
pub mod ingest;
pub mod queue;
pub mod reminders;
pub mod report;
pub mod site_info;
pub mod sites;
pub mod updates;
pub mod voice;

use std::sync::Arc;
use std::time::Duration;

use crate::config::{AlertsConfig, Config};
use crate::db::Db;
use crate::db::events::{Change, Changes};
use cache::{SiteStates, Ttl};

pub use crate::db::DbError;
pub use crate::db::sites::KioskId;

/// The hub's application state: one per process, shared by every request.
pub struct App {
    pub db: Db,
    /// Every process's committed changes, from PostgreSQL's NOTIFY.
    pub changes: Changes,
    /// `[calling]`: recall limit and gap.
    pub rules: mpp_domain::calling::Rules,
    /// `[alerts]`: when the fleet needs a person.
    pub alerts: AlertsConfig,
    /// The lobby's voice (the built-in clips unless the site has its own).
    pub voice: voice::Voice,
    /// `[desk]`: the reception desk's printer.
    pub desk: crate::config::DeskConfig,
    /// `[reminders]`: the booked citizens' gateway.
    pub reminders: crate::config::RemindersConfig,
    /// `[bookings]`: where the NIK hash's key is.
    pub bookings: crate::config::BookingsConfig,
    /// `[updates]`: where system update bundles are kept.
    pub updates: crate::config::UpdatesConfig,
    /// `[server] public_url`: what the desk's slips' QR codes open.
    pub public_url: Option<String>,
    /// Queue states already computed, dropped when their site changes.
    queues: SiteStates,
    /// The displays' calls, cached the same way.
    boards: SiteStates,
    /// Each site's time zone (for its "today"): every queue request needs it.
    zones: Ttl<String, Option<String>>,
    /// Each site's catalogue and counters as the pages show them.
    sites: Ttl<String, Arc<site_info::SiteInfo>>,
    /// Earlier days' cycle per service, per site and day.
    prior: Ttl<(String, jiff::civil::Date), Arc<std::collections::HashMap<String, f64>>>,
    /// Kiosk credentials already checked (Argon2id costs 19 MiB and tens of ms by design).
    credentials: cache::Credentials,
    /// Held while a webhook message is between its POST and its mark.
    delivering: tokio::sync::Mutex<()>,
}

impl App {
    /// The application on `db` with `config`'s settings and `changes` (from
    /// `db::events::listen`, or `Changes::local()` for a command that serves nothing).
    pub fn new(db: Db, config: &Config, changes: Changes, voice: voice::Voice) -> App {
        App {
            db,
            changes,
            rules: config.calling,
            alerts: config.alerts.clone(),
            desk: config.desk.clone(),
            reminders: config.reminders.clone(),
            bookings: config.bookings.clone(),
            updates: config.updates.clone(),
            public_url: config.server.public_url.clone(),
            voice,
            queues: SiteStates::default(),
            boards: SiteStates::default(),
            zones: Ttl::new(Duration::from_secs(60), 10_000),
            sites: Ttl::new(Duration::from_secs(30), 1000),
            prior: Ttl::new(Duration::from_secs(6 * 3600), 1000),
            credentials: cache::Credentials::default(),
            delivering: tokio::sync::Mutex::new(()),
        }
    }

    /// An application on the database at `url` with `config`'s settings and the built-in
    /// voice, serving no live client: for tests and benchmarks.
    pub fn open(url: &str, config: &Config) -> Result<App, crate::db::DbError> {
        let db = Db::connect(&crate::config::DatabaseConfig { url: url.to_owned(), ..config.database.clone() })?;
        let voice = voice::Voice::load(None).expect("the built-in clips are readable (a unit test checks)");
        Ok(App::new(db, config, Changes::local(), voice))
    }

    /// Drops a site's cached states whenever it changes, from any process; runs for the
    /// life of the runtime.
    pub fn watch_changes(self: &Arc<App>) {
        let mut rx = self.changes.subscribe();
        let app = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let change = rx.recv().await;
                let Some(app) = app.upgrade() else { return };
                match change {
                    Ok(c) if c.site == Change::EVERY_SITE => app.forget_all(),
                    Ok(c) => {
                        app.queues.forget(&c.site);
                        app.boards.forget(&c.site);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => app.forget_all(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }

    fn forget_all(&self) {
        self.queues.forget_all();
        self.boards.forget_all();
    }
}
