//! What kiosks upload: a batch stored in one transaction, every record once per site and
//! kiosk (`ON CONFLICT DO NOTHING` on its key), the queue's tables brought up to date from
//! the records that were new; survey responses kept apart, with neither kiosk nor time of
//! receipt; and each kiosk's latest health report and clock.

use mpp_domain::protocol::{Batch, Body, KioskHealth};

use super::sites::KioskId;
use super::{Day, Db, DbError, Ts, events};

/// What a batch came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    /// Records seen for the first time.
    pub stored: usize,
    /// Records already stored (a batch sent again).
    pub duplicates: usize,
}

/// How the kiosk's own times are taken: shifted by the kiosk clock's measured error, and
/// never later than the server's now (a far-future time would freeze a ticket).
#[derive(Debug, Clone, Copy)]
pub struct Times {
    /// Added to every time the kiosk reports (zero when its clock is right).
    pub correction: jiff::SignedDuration,
    /// The server's now: no corrected time is later.
    pub now: jiff::Timestamp,
}

impl Times {
    pub fn of(&self, kiosk_time: jiff::Timestamp) -> jiff::Timestamp {
        kiosk_time.checked_add(self.correction).unwrap_or(kiosk_time).min(self.now)
    }
}

/// Stores an already checked batch of `kiosk` in one transaction; announces the change.
/// Its times are corrected by `times`; the kiosk's measured clock error is kept.
pub async fn store_batch(
    db: &Db,
    kiosk: &KioskId,
    batch: &Batch,
    times: Times,
    measured: Option<jiff::SignedDuration>,
) -> Result<Stored, DbError> {
    let now = times.now;
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let insert = tx
        .prepare(
            "INSERT INTO upload_record (event_id, site, kiosk, seq, kind, created, data, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (site, kiosk, event_id) DO NOTHING",
        )
        .await?;
    let mut stored = Stored { stored: 0, duplicates: 0 };
    let kiosk_no = i16::from(kiosk.number);
    for record in &batch.records {
        if let Body::Survey(s) = &record.body {
            // Kept once by its own random id, apart from the queue's records: no kiosk, no
            // time of receipt, nothing to place it beside a ticket.
            let new = tx
                .execute(
                    "INSERT INTO survey_response (id, site, service, agency, local_date, source, answers, profile, comment)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
                    &[
                        &s.id,
                        &kiosk.site,
                        &s.service,
                        &s.agency,
                        &Day(s.local_date),
                        &s.source.code(),
                        &serde_json::to_value(&s.answers).expect("answers serialise"),
                        &serde_json::to_value(&s.profile).expect("a profile serialises"),
                        &s.comment,
                    ],
                )
                .await?
                == 1;
            if new {
                stored.stored += 1
            } else {
                stored.duplicates += 1
            }
            continue;
        }
        let data = record.body.data();
        let new = tx
            .execute(
                &insert,
                &[
                    &record.event_id,
                    &kiosk.site,
                    &kiosk_no,
                    &record.seq,
                    &record.body.kind(),
                    &record.created_utc,
                    &data,
                    &Ts(now),
                ],
            )
            .await?
            == 1;
        if !new {
            stored.duplicates += 1;
            continue;
        }
        stored.stored += 1;
        match &record.body {
            Body::Ticket(t) => {
                let t = &t.ticket;
                let issued = Ts(times.of(t.issued_at_utc));
                // The same number twice on one day (a kiosk re-imaged mid-day): both are
                // kept and the collision is noted for the supervisor.
                tx.execute(
                    "INSERT INTO number_collision (site, local_date, number, ticket, earlier, kiosk, noticed_at)
                     SELECT $1, $2, $3, $4, id, $5, $6 FROM ticket
                     WHERE site = $1 AND local_date = $2 AND number = $3 AND id <> $4 LIMIT 1
                     ON CONFLICT DO NOTHING",
                    &[&kiosk.site, &Day(t.local_date), &t.number, &t.id, &kiosk_no, &Ts(now)],
                )
                .await?;
                tx.execute(
                    "INSERT INTO ticket (id, site, kiosk, number, service, agency, priority, local_date, issued_at,
                                         people_ahead, status, status_at, queue_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $9)
                     ON CONFLICT (id) DO NOTHING",
                    &[
                        &t.id,
                        &kiosk.site,
                        &kiosk_no,
                        &t.number,
                        &t.service,
                        &t.agency,
                        &t.priority.map(|p| p.code()),
                        &Day(t.local_date),
                        &issued,
                        &(t.people_ahead as i32),
                        &t.status.code(),
                    ],
                )
                .await?;
                if let Some(code_hash) = &t.booking {
                    check_in(&tx, kiosk, t, code_hash).await?;
                }
            }
            Body::TicketStatus(s) => {
                // The latest change wins; an older one arriving late changes nothing; a
                // kiosk changes only its own tickets.
                tx.execute(
                    "UPDATE ticket SET status = $1, status_at = $2
                     WHERE id = $3 AND site = $4 AND kiosk = $5 AND status_at <= $2",
                    &[&s.status.code(), &Ts(times.of(s.at_utc)), &s.ticket_id, &kiosk.site, &kiosk_no],
                )
                .await?;
            }
            Body::Survey(_) => unreachable!("kept apart above"),
        }
    }
    seen(&tx, kiosk, now, measured).await?;
    if stored.stored > 0 {
        events::announce(&tx, &kiosk.site).await?;
    }
    tx.commit().await?;
    crate::fault::after_commit();
    Ok(stored)
}

/// A ticket that checks a booking in: the first check-in of the code at this site on its
/// day, within the booking's grace after its slot's start, puts the ticket in line at the
/// slot's start (a later one waits as a walk-in); a second check-in (another kiosk while
/// the network was cut) leaves its ticket a walk-in and is recorded as the booking's
/// conflict for the supervisor. A code the hub does not know leaves a walk-in too.
async fn check_in(
    tx: &tokio_postgres::Transaction<'_>,
    kiosk: &KioskId,
    t: &mpp_domain::tickets::Ticket,
    code_hash: &str,
) -> Result<(), DbError> {
    let by = format!("kiosk {}", kiosk.number);
    let first = tx
        .query_opt(
            // Checked in when the citizen took the number (the ticket's corrected issue time),
            // not when the upload arrived.
            "UPDATE booking SET state = 'checked_in', ticket = $4, checked_in_by = $5,
                                state_at = (SELECT queue_at FROM ticket WHERE id = $4)
             WHERE code_hash = $1 AND site = $2 AND local_date = $3 AND state = 'booked'
             RETURNING id, slot_at, late_minutes",
            &[&code_hash, &kiosk.site, &Day(t.local_date), &t.id, &by],
        )
        .await?;
    match first {
        Some(b) => {
            let (id, slot_at, late): (String, Ts, i32) =
                (b.try_get("id")?, b.try_get("slot_at")?, b.try_get("late_minutes")?);
            let issued: Ts =
                tx.query_one("SELECT queue_at FROM ticket WHERE id = $1", &[&t.id]).await?.try_get("queue_at")?;
            let in_time = issued.0 <= slot_at.0 + jiff::SignedDuration::from_mins(i64::from(late));
            // In time: the ticket is the booking's and waits at its slot; late: a walk-in.
            if in_time {
                tx.execute("UPDATE ticket SET queue_at = $2, booking = $3 WHERE id = $1", &[&t.id, &slot_at, &id])
                    .await?;
            }
        }
        None => {
            let flagged = tx
                .execute(
                    "UPDATE booking SET conflict = coalesce(conflict || '; ', '') || $3
                     WHERE code_hash = $1 AND site = $2 AND state = 'checked_in' AND ticket IS DISTINCT FROM $4",
                    &[&code_hash, &kiosk.site, &format!("{by}: {} ({})", t.number, t.id), &t.id],
                )
                .await?;
            if flagged == 0 {
                log::warn!("{}: ticket {} checks in a booking the hub does not have: a walk-in", kiosk.site, t.number);
            }
        }
    }
    Ok(())
}

/// The kiosk was heard from at `now`; its clock, when measured, is `measured` off.
async fn seen(
    tx: &tokio_postgres::Transaction<'_>,
    kiosk: &KioskId,
    now: jiff::Timestamp,
    measured: Option<jiff::SignedDuration>,
) -> Result<(), DbError> {
    let offset_ms = measured.map(|m| i64::try_from(m.as_millis()).unwrap_or(i64::MAX));
    tx.execute(
        "UPDATE kiosk SET last_seen_at = $3,
                          clock_offset_ms = coalesce($4, clock_offset_ms),
                          clock_measured_at = CASE WHEN $4::bigint IS NULL THEN clock_measured_at ELSE $3 END
         WHERE site = $1 AND number = $2",
        &[&kiosk.site, &i16::from(kiosk.number), &Ts(now), &offset_ms],
    )
    .await?;
    Ok(())
}

/// The kiosk's measured clock error (server minus kiosk), if it was measured.
pub async fn clock_offset(db: &Db, kiosk: &KioskId) -> Result<Option<jiff::SignedDuration>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            "SELECT clock_offset_ms FROM kiosk WHERE site = $1 AND number = $2",
            &[&kiosk.site, &i16::from(kiosk.number)],
        )
        .await?;
    Ok(row
        .and_then(|r| r.try_get::<_, Option<i64>>("clock_offset_ms").ok().flatten())
        .map(jiff::SignedDuration::from_millis))
}

/// Keeps a kiosk's latest health report (an older one arriving late changes nothing), and
/// its clock as the report measured it.
pub async fn store_health(
    db: &Db,
    kiosk: &KioskId,
    h: &KioskHealth,
    now: jiff::Timestamp,
    measured: jiff::SignedDuration,
) -> Result<(), DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO kiosk_health (site, kiosk, reported_at, received_at, app_version, catalogue_version, printer,
                                   printer_at, outbox_pending, oldest_pending, system)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (site, kiosk) DO UPDATE SET reported_at = excluded.reported_at, received_at = excluded.received_at,
             app_version = excluded.app_version, catalogue_version = excluded.catalogue_version,
             printer = excluded.printer, printer_at = excluded.printer_at, outbox_pending = excluded.outbox_pending,
             oldest_pending = excluded.oldest_pending, system = excluded.system
         WHERE kiosk_health.reported_at <= excluded.reported_at",
        &[
            &kiosk.site,
            &i16::from(kiosk.number),
            &Ts(h.at_utc),
            &Ts(now),
            &h.app_version.chars().take(40).collect::<String>(),
            &h.catalogue_version.map(|v| v as i64),
            &h.printer.code(),
            &h.printer_at_utc.map(Ts),
            &(h.outbox_pending as i64),
            &h.oldest_pending_utc.as_deref().map(|o| o.chars().take(40).collect::<String>()),
            &h.system.as_ref().map(|s| serde_json::to_value(s).expect("a report serializes")),
        ],
    )
    .await?;
    seen(&tx, kiosk, now, Some(measured)).await?;
    tx.commit().await?;
    Ok(())
}

/// The last sequence of each of `kiosk`'s numbers on `date` (prefix, priority or not, last
/// sequence), from the numbers the server holds: what a kiosk that lost its ledger
/// continues from.
pub async fn day_numbers(db: &Db, kiosk: &KioskId, date: jiff::civil::Date) -> Result<Vec<String>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT DISTINCT number FROM ticket WHERE site = $1 AND kiosk = $2 AND local_date = $3",
            &[&kiosk.site, &i16::from(kiosk.number), &Day(date)],
        )
        .await?;
    rows.iter().map(|r| Ok(r.try_get("number")?)).collect()
}
