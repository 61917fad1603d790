//! What kiosks upload: a batch stored in one transaction, every record once
//! (`ON CONFLICT DO NOTHING` on its event id), the queue's tables brought up to date from
//! the records that were new; and each kiosk's latest health report.

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

/// Stores an already checked batch of `kiosk` in one transaction; announces the change.
pub async fn store_batch(db: &Db, kiosk: &KioskId, batch: &Batch, now: jiff::Timestamp) -> Result<Stored, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let insert = tx
        .prepare(
            "INSERT INTO upload_record (event_id, site, kiosk, seq, kind, created, data, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING",
        )
        .await?;
    let mut stored = Stored { stored: 0, duplicates: 0 };
    let kiosk_no = i16::from(kiosk.number);
    for record in &batch.records {
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
                        &Ts(t.issued_at_utc),
                        &(t.people_ahead as i32),
                        &t.status.code(),
                    ],
                )
                .await?;
            }
            Body::TicketStatus(s) => {
                // The latest change wins; an older one arriving late changes nothing.
                tx.execute(
                    "UPDATE ticket SET status = $1, status_at = $2
                     WHERE id = $3 AND site = $4 AND status_at <= $2",
                    &[&s.status.code(), &Ts(s.at_utc), &s.ticket_id, &kiosk.site],
                )
                .await?;
            }
            Body::Survey(s) => {
                tx.execute(
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
                .await?;
            }
        }
    }
    tx.execute(
        "UPDATE kiosk SET last_seen_at = $3 WHERE site = $1 AND number = $2",
        &[&kiosk.site, &kiosk_no, &Ts(now)],
    )
    .await?;
    if stored.stored > 0 {
        events::announce(&tx, &kiosk.site).await?;
    }
    tx.commit().await?;
    crate::fault::after_commit();
    Ok(stored)
}

/// Keeps a kiosk's latest health report (an older one arriving late changes nothing).
pub async fn store_health(db: &Db, kiosk: &KioskId, h: &KioskHealth, now: jiff::Timestamp) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "INSERT INTO kiosk_health (site, kiosk, reported_at, received_at, app_version, catalogue_version, printer,
                                       printer_at, outbox_pending, oldest_pending)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (site, kiosk) DO UPDATE SET reported_at = excluded.reported_at, received_at = excluded.received_at,
                 app_version = excluded.app_version, catalogue_version = excluded.catalogue_version,
                 printer = excluded.printer, printer_at = excluded.printer_at, outbox_pending = excluded.outbox_pending,
                 oldest_pending = excluded.oldest_pending
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
                &h.oldest_pending_utc,
            ],
        )
        .await?;
    Ok(())
}
