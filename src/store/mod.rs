//! The kiosk's local SQLite database. Only this module knows rusqlite.
//!
//! One file holds the catalogue (and, as later features land, the ticket ledger and the
//! outbox). It runs in WAL mode so readers keep reading a consistent snapshot while an
//! import writes, with `synchronous=FULL` so a committed transaction survives power loss.

mod bookings;
mod catalogue;
mod migrations;
mod outbox;
mod survey;
mod tickets;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use catalogue::{CatalogueStats, ImportError, ImportOutcome, SearchHit};
pub use outbox::{OutboxPart, OutboxRow, OutboxStats};
pub use survey::{StoredResponse, SurveyFilter};
pub use tickets::{IssueError, StatusError, Ticket, TicketEvent, local_time};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("cannot bring the database {path} up to date: {source}")]
    Migrate { path: PathBuf, source: rusqlite_migration::Error },
    #[error(
        "the database {path} was written by a newer mpp-kiosk (schema {found}, this build knows up to {known}); install the newer version"
    )]
    TooNew { path: PathBuf, found: usize, known: usize },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the stored catalogue is damaged: {0}")]
    Corrupt(String),
}

/// For the crash test: with `MPP_KIOSK_PAUSE_AT=<point>` the process says so on stderr
/// and stops at that point for two seconds, so a SIGKILL lands exactly there (inside the
/// issuing transaction, or between its commit and the printer). Unset, it costs one
/// environment lookup per ticket.
pub(crate) fn pause_point(point: &str) {
    if std::env::var("MPP_KIOSK_PAUSE_AT").is_ok_and(|p| p == point) {
        eprintln!("PAUSED AT {point}");
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it to this build's schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_owned(), source })?;
        }
        let open_err = |source| StoreError::Open { path: path.to_owned(), source };
        let mut conn = Connection::open(path).map_err(open_err)?;
        // Another process (an import, the kiosk) may hold the write lock for a moment.
        conn.busy_timeout(Duration::from_secs(10)).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(open_err)?;
        // 16 MiB of page cache: a large import stays in memory until its commit.
        conn.pragma_update(None, "cache_size", -16_384).map_err(open_err)?;

        let found = migrations::current(&conn).map_err(open_err)?;
        let known = migrations::latest();
        if found > known {
            return Err(StoreError::TooNew { path: path.to_owned(), found, known });
        }
        migrations::apply(&mut conn).map_err(|source| StoreError::Migrate { path: path.to_owned(), source })?;
        Ok(Store { conn, path: path.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database (SQLite `user_version`).
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        Ok(migrations::current(&self.conn)?)
    }

    /// The journal mode in force, e.g. `wal`.
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        Ok(self.conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?)
    }

    /// How hard a commit waits for the disk: `full` (2) here, so a committed ticket survives
    /// a power cut; `normal` (1) could lose the last commits.
    pub fn synchronous(&self) -> Result<&'static str, StoreError> {
        let level: i64 = self.conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
        Ok(match level {
            0 => "off",
            1 => "normal",
            2 => "full",
            _ => "extra",
        })
    }

    /// SQLite's own consistency check plus the search index's; `Ok(())` when both pass.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let verdict: String = self.conn.pragma_query_value(None, "quick_check", |r| r.get(0))?;
        if verdict != "ok" {
            return Err(StoreError::Corrupt(verdict));
        }
        self.conn
            .execute("INSERT INTO service_fts(service_fts) VALUES ('integrity-check')", [])
            .map_err(|e| StoreError::Corrupt(format!("search index: {e}")))?;
        Ok(())
    }
}
