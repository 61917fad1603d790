//! Reminders waiting for the gateway: queued once per booking and kind, picked when due,
//! marked sent (the text erased) or put off after a failure.

use super::{Db, DbError, Ts};

/// A reminder to queue.
pub struct NewReminder<'a> {
    pub booking: &'a str,
    pub kind: &'static str,
    pub phone: &'a str,
    pub message: &'a str,
}

/// Queues a reminder, once per booking and kind.
pub async fn queue(db: &Db, r: &NewReminder<'_>, due: jiff::Timestamp) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "INSERT INTO reminder (booking, kind, phone, message, due_at, attempts) VALUES ($1, $2, $3, $4, $5, 0)
             ON CONFLICT (booking, kind) DO NOTHING",
            &[&r.booking, &r.kind, &r.phone, &r.message, &Ts(due)],
        )
        .await?;
    Ok(())
}

/// A booking a reminder may be due for, with what its message says.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub booking: String,
    pub site: String,
    pub service: String,
    pub local_date: jiff::civil::Date,
    pub slot_start: String,
    pub slot_end: String,
    pub phone: String,
    /// The ticket it became and the people waiting ahead of it ("ahead" only).
    pub number: Option<String>,
    pub ahead: Option<i64>,
}

fn candidate(r: &tokio_postgres::Row) -> Result<Candidate, DbError> {
    Ok(Candidate {
        booking: r.try_get("id")?,
        site: r.try_get("site")?,
        service: r.try_get("service")?,
        local_date: r.try_get::<_, super::Day>("local_date")?.0,
        slot_start: r.try_get("slot_start")?,
        slot_end: r.try_get("slot_end")?,
        phone: r.try_get("phone")?,
        number: r.try_get("number")?,
        ahead: r.try_get("ahead")?,
    })
}

/// Bookings still booked for `date` with a phone and no day-before reminder yet.
pub async fn for_day_before(db: &Db, site: &str, date: jiff::civil::Date) -> Result<Vec<Candidate>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT b.id, b.site, b.service, b.local_date, b.slot_start, b.slot_end, b.phone,
                    NULL::text AS number, NULL::bigint AS ahead
             FROM booking b
             WHERE b.site = $1 AND b.local_date = $2 AND b.state = 'booked' AND b.phone IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM reminder r WHERE r.booking = b.id AND r.kind = 'day_before')",
            &[&site, &super::Day(date)],
        )
        .await?;
    rows.iter().map(candidate).collect()
}

/// Checked-in bookings of `date` whose ticket waits with at most `n` tickets of its service
/// ahead of it (in line before it), with a phone and no "ahead" reminder yet.
pub async fn for_ahead(db: &Db, site: &str, date: jiff::civil::Date, n: i64) -> Result<Vec<Candidate>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT * FROM (
               SELECT b.id, b.site, b.service, b.local_date, b.slot_start, b.slot_end, b.phone, t.number,
                      (SELECT count(*) FROM ticket o
                        WHERE o.site = t.site AND o.local_date = t.local_date AND o.service = t.service
                          AND o.call_state = 'waiting' AND o.status <> 'voided' AND o.queue_at < t.queue_at) AS ahead
               FROM booking b JOIN ticket t ON t.id = b.ticket
               WHERE b.site = $1 AND b.local_date = $2 AND b.state = 'checked_in' AND b.phone IS NOT NULL
                 AND t.call_state = 'waiting'
                 AND NOT EXISTS (SELECT 1 FROM reminder r WHERE r.booking = b.id AND r.kind = 'ahead')
             ) c WHERE c.ahead <= $3",
            &[&site, &super::Day(date), &n],
        )
        .await?;
    rows.iter().map(candidate).collect()
}

/// A reminder due for the gateway.
#[derive(Debug, Clone)]
pub struct Due {
    pub booking: String,
    pub kind: String,
    pub phone: String,
    pub message: String,
    pub attempts: i32,
}

/// Reminders due at `now`, oldest first, claimed for a few minutes (pushed to `claim`), so
/// a second server on the same database does not send them too.
pub async fn due(db: &Db, now: jiff::Timestamp, claim: jiff::Timestamp, limit: i64) -> Result<Vec<Due>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "UPDATE reminder SET due_at = $3
             WHERE (booking, kind) IN (SELECT booking, kind FROM reminder
                                       WHERE sent_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2
                                       FOR UPDATE SKIP LOCKED)
             RETURNING booking, kind, phone, message, attempts",
            &[&Ts(now), &limit, &Ts(claim)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                booking: r.try_get("booking")?,
                kind: r.try_get("kind")?,
                phone: r.try_get("phone")?,
                message: r.try_get("message")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

/// The gateway took it: sent, its text erased.
pub async fn sent(db: &Db, booking: &str, kind: &str, now: jiff::Timestamp) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "UPDATE reminder SET sent_at = $3, message = '', attempts = attempts + 1 WHERE booking = $1 AND kind = $2",
            &[&booking, &kind, &Ts(now)],
        )
        .await?;
    Ok(())
}

/// The gateway failed: tried again at `next` (never blocking anything else).
pub async fn failed(db: &Db, booking: &str, kind: &str, next: jiff::Timestamp) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "UPDATE reminder SET attempts = attempts + 1, due_at = $3 WHERE booking = $1 AND kind = $2",
            &[&booking, &kind, &Ts(next)],
        )
        .await?;
    Ok(())
}

/// Given up after too many failures: never tried again, its text (a code, perhaps) erased.
pub async fn given_up(db: &Db, booking: &str, kind: &str) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "UPDATE reminder SET attempts = attempts + 1, message = '', due_at = 'infinity' WHERE booking = $1 AND kind = $2",
            &[&booking, &kind],
        )
        .await?;
    Ok(())
}

/// The sites with bookings on `date` or later that carry a phone (where reminders may be due).
pub async fn sites(db: &Db, date: jiff::civil::Date) -> Result<Vec<(String, String)>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT DISTINCT s.code, s.time_zone FROM booking b JOIN site s ON s.code = b.site
             WHERE b.local_date >= $1 AND b.phone IS NOT NULL",
            &[&super::Day(date)],
        )
        .await?;
    rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("time_zone")?))).collect()
}
