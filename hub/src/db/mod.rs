//! The PostgreSQL layer: the only part of the hub that knows SQL, `tokio_postgres` or the
//! pool. Every query lives in one of these modules, takes the server's "now" as an
//! argument where it stamps or compares time (no `now()` in SQL), and hands back the
//! domain's types, decoded strictly: a row that does not decode is a [`DbError::Row`]
//! that names it, never skipped.
//!
//! `migrations/` holds the schema, step by step, embedded in the binary.

pub mod accounts;
pub mod bookings;
pub mod calling;
pub mod desk;
pub mod events;
pub mod fleet;
pub mod local_cluster;
pub mod queue;
pub mod reminders;
pub mod report;
pub mod sites;
mod types;
pub mod updates;
pub mod uploads;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

pub use types::{Day, Ts};

/// The schema, step by step; applied in order, each once, all in one transaction.
/// A step is never edited after release: a change is a new step.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_sites_kiosks_uploads", include_str!("migrations/0001_sites_kiosks_uploads.sql")),
    ("0002_counters_staff", include_str!("migrations/0002_counters_staff.sql")),
    ("0003_kiosk_health", include_str!("migrations/0003_kiosk_health.sql")),
    ("0004_calling", include_str!("migrations/0004_calling.sql")),
    ("0005_sessions", include_str!("migrations/0005_sessions.sql")),
    ("0006_fleet_alerts", include_str!("migrations/0006_fleet_alerts.sql")),
    ("0007_one_clock", include_str!("migrations/0007_one_clock.sql")),
    ("0008_facing_the_internet", include_str!("migrations/0008_facing_the_internet.sql")),
    ("0009_bookings", include_str!("migrations/0009_bookings.sql")),
    ("0010_desk", include_str!("migrations/0010_desk.sql")),
    ("0011_reminders", include_str!("migrations/0011_reminders.sql")),
    ("0012_system_updates", include_str!("migrations/0012_system_updates.sql")),
];

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database URL is not valid: {0}")]
    Url(String),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("cannot get a database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("the database has migration {0:?}, which this mpp-hub does not know: it is older than the database")]
    UnknownMigration(String),
    #[error("the database does not answer")]
    Unavailable,
    /// A stored row that does not read as what the server wrote: named, never skipped.
    #[error("{what} {key}: {reason}")]
    Row { what: &'static str, key: String, reason: String },
}

impl DbError {
    pub(crate) fn row(what: &'static str, key: impl std::fmt::Display, reason: impl std::fmt::Display) -> DbError {
        DbError::Row { what, key: key.to_string(), reason: reason.to_string() }
    }
}

/// The database: a pool of connections. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// Set by [`Db::watch`] while PostgreSQL does not answer: requests then fail at once
    /// (503) instead of each waiting for its own timeout, and those already waiting on it
    /// are answered ([`Db::gone_down`]).
    down: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Db {
    /// A pool of connections as `config` says: its URL (`postgres://…` or
    /// `host=/run/postgresql dbname=mpp_hub`), size, and the timeouts that turn a frozen or
    /// unreachable PostgreSQL into a quick error: connecting, waiting for a free
    /// connection, and each statement (PostgreSQL's `statement_timeout`).
    pub fn connect(config: &crate::config::DatabaseConfig) -> Result<Db, DbError> {
        let mut pg = pg_config(&config.url, config.connect_timeout_secs)?;
        pg.options(format!(
            "{} -c statement_timeout={}",
            pg.get_options().unwrap_or_default(),
            config.statement_timeout_ms
        ));
        let manager = Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let wait = Duration::from_millis(config.pool_wait_ms);
        let pool = Pool::builder(manager)
            .max_size(config.pool_size)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(wait))
            .create_timeout(Some(Duration::from_secs(config.connect_timeout_secs)))
            .recycle_timeout(Some(wait))
            .build()
            .map_err(|e| DbError::Url(e.to_string()))?;
        Ok(Db { pool, down: Arc::new(tokio::sync::watch::Sender::new(false)) })
    }

    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, DbError> {
        if self.is_down() {
            return Err(DbError::Unavailable);
        }
        Ok(self.pool.get().await?)
    }

    /// Whether the database answers a trivial query, within a second.
    pub async fn ping(&self) -> Result<(), DbError> {
        let ping = async { self.pool.get().await?.query_one("SELECT 1", &[]).await.map_err(DbError::from) };
        match tokio::time::timeout(Duration::from_secs(1), ping).await {
            Ok(result) => result.map(|_| ()),
            Err(_) => Err(DbError::Unavailable),
        }
    }

    /// Whether the last check found PostgreSQL silent.
    pub fn is_down(&self) -> bool {
        *self.down.borrow()
    }

    /// Resolves when the watch finds PostgreSQL silent: a request waiting on a query that
    /// will not come back is answered then, not at its own timeout.
    pub async fn gone_down(&self) {
        let mut rx = self.down.subscribe();
        let _ = rx.wait_for(|down| *down).await;
    }

    /// Checks PostgreSQL every second for the life of the runtime: while it does not
    /// answer, every request is told so at once.
    pub fn watch(&self) {
        let db = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let answered = db.ping().await.is_ok();
                if db.down.send_replace(!answered) == answered {
                    if answered {
                        log::warn!("the database answers again");
                    } else {
                        log::error!("the database does not answer: requests are refused until it does");
                    }
                }
            }
        });
    }
}

/// The connection settings of `url`, with a connect timeout and TCP keepalives.
pub fn pg_config(url: &str, connect_timeout_secs: u64) -> Result<tokio_postgres::Config, DbError> {
    let mut pg: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| DbError::Url(e.to_string()))?;
    pg.connect_timeout(Duration::from_secs(connect_timeout_secs)).keepalives(true);
    Ok(pg)
}

/// Applies the migrations the database lacks; returns the names applied. Two servers
/// starting at once serialise on an advisory lock.
pub async fn migrate(db: &Db, now: jiff::Timestamp) -> Result<Vec<&'static str>, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7212004)", &[]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    )
    .await?;
    let done: Vec<String> = tx
        .query("SELECT name FROM schema_migration ORDER BY name", &[])
        .await?
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?;
    if let Some(unknown) = done.iter().find(|d| !MIGRATIONS.iter().any(|(n, _)| n == d)) {
        return Err(DbError::UnknownMigration(unknown.clone()));
    }
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS {
        if done.iter().any(|d| d == name) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_migration (name, applied_at) VALUES ($1, $2)", &[name, &Ts(now)]).await?;
        applied.push(*name);
    }
    tx.commit().await?;
    Ok(applied)
}

/// What `mpp-hub doctor` reports of the database.
pub struct Health {
    pub server_version: String,
    pub migrations_applied: usize,
    /// Each site with its enrolled (not revoked) kiosks.
    pub sites: Vec<(String, i64)>,
}

pub async fn health(db: &Db) -> Result<Health, DbError> {
    let client = db.client().await?;
    let server_version: String = client.query_one("SHOW server_version", &[]).await?.try_get(0)?;
    let migrations_applied =
        client.query("SELECT name FROM schema_migration", &[]).await.map(|rows| rows.len()).unwrap_or(0);
    let sites = if migrations_applied == MIGRATIONS.len() {
        client
            .query(
                "SELECT s.code, count(k.number) FILTER (WHERE k.revoked_at IS NULL) AS kiosks
                 FROM site s LEFT JOIN kiosk k ON k.site = s.code GROUP BY s.code ORDER BY s.code",
                &[],
            )
            .await?
            .iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("kiosks")?)))
            .collect::<Result<_, tokio_postgres::Error>>()?
    } else {
        Vec::new()
    };
    Ok(Health { server_version, migrations_applied, sites })
}

/// The columns whose default reads PostgreSQL's clock: none, since `0007_one_clock`.
pub async fn clock_defaults(db: &Db) -> Result<Vec<String>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT table_name || '.' || column_name AS col FROM information_schema.columns
             WHERE table_schema = 'public' AND column_default ~* '(now|timestamp|clock)'",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| r.try_get("col")).collect::<Result<_, _>>()?)
}
