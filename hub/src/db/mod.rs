//! The PostgreSQL store: a connection pool and the embedded, ordered migrations.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

/// The schema, step by step; applied in order, each once, each in its own transaction.
/// A step is never edited after release: a change is a new step.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_sites_kiosks_uploads", include_str!("0001_sites_kiosks_uploads.sql")),
    ("0002_counters_staff", include_str!("0002_counters_staff.sql")),
    ("0003_kiosk_health", include_str!("0003_kiosk_health.sql")),
    ("0004_calling", include_str!("0004_calling.sql")),
    ("0005_sessions", include_str!("0005_sessions.sql")),
    ("0006_fleet_alerts", include_str!("0006_fleet_alerts.sql")),
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
}

/// A pool of connections to `url` (`postgres://…` or `host=/run/postgresql dbname=mpp_hub`).
pub fn pool(url: &str, size: usize) -> Result<Pool, DbError> {
    let config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| DbError::Url(e.to_string()))?;
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager).max_size(size).build().map_err(|e| DbError::Url(e.to_string()))
}

/// Applies the migrations the database lacks; returns the names applied. Two servers
/// starting at once serialise on an advisory lock.
pub async fn migrate(pool: &Pool) -> Result<Vec<&'static str>, DbError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7212004)", &[]).await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())").await?;
    let done: Vec<String> =
        tx.query("SELECT name FROM schema_migration ORDER BY name", &[]).await?.iter().map(|r| r.get(0)).collect();
    if let Some(unknown) = done.iter().find(|d| !MIGRATIONS.iter().any(|(n, _)| n == d)) {
        return Err(DbError::UnknownMigration(unknown.clone()));
    }
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS {
        if done.iter().any(|d| d == name) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_migration (name) VALUES ($1)", &[name]).await?;
        applied.push(*name);
    }
    tx.commit().await?;
    Ok(applied)
}
