//! The upload outbox and the sync state. Rows are queued inside the transaction that
//! records what they describe, so nothing recorded can miss the outbox; the uploader reads
//! pending rows in order and marks them acknowledged once the receiver said so.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError};
use crate::protocol::Body;

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

/// Queues a record in the caller's transaction. `created` is an instant, or only a day
/// for survey responses.
pub(crate) fn enqueue(tx: &Transaction<'_>, body: &Body, created: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO outbox (event_id, kind, payload, created_utc) VALUES (?1, ?2, ?3, ?4)",
        params![uuid::Uuid::new_v4().to_string(), body.kind(), body.data().to_string(), created],
    )?;
    Ok(())
}

/// Queues a survey response's record in the caller's transaction: apart from the queue's
/// records (no shared sequence), by a random id, with its day only.
pub(crate) fn enqueue_survey(tx: &Transaction<'_>, body: &Body, local_date: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO survey_outbox (event_id, payload, local_date) VALUES (?1, ?2, ?3)",
        params![uuid::Uuid::new_v4().to_string(), body.data().to_string(), local_date],
    )?;
    Ok(())
}

/// Which records an upload batch holds: the queue's (tickets and status changes, in the
/// order they happened) or survey responses (never mixed with the queue's, in an order
/// that says nothing of when they were given: by their random event id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxPart {
    Queue,
    Surveys,
}

impl Store {
    /// Pending rows of one part, at most `limit`: the queue's oldest first, surveys in
    /// event-id order.
    pub fn outbox_pending(&self, part: OutboxPart, limit: usize) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = match part {
            OutboxPart::Queue => {
                "SELECT seq, event_id, kind, payload, created_utc FROM outbox WHERE acked_utc IS NULL AND kind <> 'survey' ORDER BY seq LIMIT ?1"
            }
            OutboxPart::Surveys => {
                "SELECT 0, event_id, 'survey', payload, local_date FROM survey_outbox ORDER BY event_id LIMIT ?1"
            }
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(OutboxRow {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                kind: r.get(2)?,
                payload: r.get(3)?,
                created_utc: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks exactly these rows acknowledged (one transaction). By row, not by range: a
    /// queue batch's range of sequence numbers also spans surveys it did not carry.
    pub fn outbox_ack(&mut self, rows: &[OutboxRow], at: jiff::Timestamp) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt =
                tx.prepare_cached("UPDATE outbox SET acked_utc = ?1 WHERE seq = ?2 AND acked_utc IS NULL")?;
            // A delivered survey record is deleted: nothing keeps when it left.
            let mut surveys = tx.prepare_cached("DELETE FROM survey_outbox WHERE event_id = ?1")?;
            for r in rows {
                n += if r.kind == "survey" {
                    surveys.execute([&r.event_id])?
                } else {
                    stmt.execute(params![at.to_string(), r.seq])?
                };
            }
        }
        tx.commit()?;
        Ok(n)
    }

    pub fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
        let surveys: i64 = self.conn.query_row("SELECT count(*) FROM survey_outbox", [], |r| r.get(0))?;
        let mut stats: OutboxStats = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE acked_utc IS NULL), min(created_utc) FILTER (WHERE acked_utc IS NULL), count(*) FILTER (WHERE acked_utc IS NOT NULL) FROM outbox",
            [],
            |r| Ok(OutboxStats { pending: r.get::<_, i64>(0)? as u64, oldest_pending_utc: r.get(1)?, acknowledged: r.get::<_, i64>(2)? as u64 }),
        )?;
        stats.pending += surveys as u64;
        Ok(stats)
    }

    /// Where today's numbering continues after a lost ledger: the last sequences the site
    /// server held for this kiosk (kept for `issue_ticket`, which takes the larger of
    /// them and its own).
    pub fn set_sequence_floor(&mut self, day: &crate::protocol::DaySequences) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for l in &day.last {
            tx.execute(
                "INSERT INTO sequence_floor (local_date, prefix, priority, last) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (local_date, prefix, priority) DO UPDATE SET last = max(last, excluded.last)",
                params![day.date.to_string(), l.prefix, l.priority, l.seq],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether this ledger has issued anything on `date` (a kiosk that has, knows its
    /// numbering; one that has not may have lost it).
    pub fn issued_on(&self, date: jiff::civil::Date) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM ticket WHERE local_date = ?1)",
            [date.to_string()],
            |r| r.get(0),
        )?)
    }

    /// The staff PIN pad's stored lock-out: wrong tries in a row, lock-outs so far, and
    /// until when the pad is locked.
    pub fn staff_lockout(&self) -> Result<(u32, u32, Option<jiff::Timestamp>), StoreError> {
        let row: Option<(i64, i64, Option<String>)> = self
            .conn
            .query_row("SELECT wrong, locks, locked_until_utc FROM staff_lockout", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(row.map_or((0, 0, None), |(w, l, u)| (w as u32, l as u32, u.and_then(|u| u.parse().ok()))))
    }

    pub fn set_staff_lockout(
        &mut self,
        wrong: u32,
        locks: u32,
        locked_until: Option<jiff::Timestamp>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO staff_lockout (id, wrong, locks, locked_until_utc) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET wrong = excluded.wrong, locks = excluded.locks, locked_until_utc = excluded.locked_until_utc",
            params![wrong, locks, locked_until.map(|t| t.to_string())],
        )?;
        Ok(())
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
