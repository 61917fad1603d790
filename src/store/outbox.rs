//! The upload outbox and the sync state. Rows are queued inside the transaction that
//! records what they describe, so nothing recorded can miss the outbox; the uploader reads
//! pending rows in order and marks them acknowledged once the receiver said so.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{Store, StoreError};

/// One queued record.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub seq: i64,
    pub event_id: String,
    pub kind: String,
    pub payload: String,
    pub created_utc: String,
}

/// How much is waiting, for `doctor` and `sync status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxStats {
    pub pending: u64,
    pub oldest_pending_utc: Option<String>,
    pub acknowledged: u64,
}

/// Queues a record in the caller's transaction.
pub(crate) fn enqueue(tx: &Transaction<'_>, kind: &str, payload: &serde_json::Value, at: jiff::Timestamp) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO outbox (event_id, kind, payload, created_utc) VALUES (?1, ?2, ?3, ?4)",
        params![uuid::Uuid::new_v4().to_string(), kind, payload.to_string(), at.to_string()],
    )?;
    Ok(())
}

impl Store {
    /// The oldest pending rows, at most `limit`.
    pub fn outbox_pending(&self, limit: usize) -> Result<Vec<OutboxRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT seq, event_id, kind, payload, created_utc FROM outbox WHERE acked_utc IS NULL ORDER BY seq LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| Ok(OutboxRow { seq: r.get(0)?, event_id: r.get(1)?, kind: r.get(2)?, payload: r.get(3)?, created_utc: r.get(4)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks rows `first..=last` acknowledged (one transaction).
    pub fn outbox_ack(&mut self, first: i64, last: i64, at: jiff::Timestamp) -> Result<usize, StoreError> {
        Ok(self.conn.execute("UPDATE outbox SET acked_utc = ?1 WHERE seq BETWEEN ?2 AND ?3 AND acked_utc IS NULL", params![at.to_string(), first, last])?)
    }

    pub fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE acked_utc IS NULL), min(created_utc) FILTER (WHERE acked_utc IS NULL), count(*) FILTER (WHERE acked_utc IS NOT NULL) FROM outbox",
            [],
            |r| Ok(OutboxStats { pending: r.get::<_, i64>(0)? as u64, oldest_pending_utc: r.get(1)?, acknowledged: r.get::<_, i64>(2)? as u64 }),
        )?)
    }

    pub fn sync_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_sync_state(&mut self, pairs: &[(&str, Option<&str>)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for (k, v) in pairs {
            match v {
                Some(v) => tx.execute("INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params![k, v])?,
                None => tx.execute("DELETE FROM sync_state WHERE key = ?1", [k])?,
            };
        }
        tx.commit()?;
        Ok(())
    }
}
