//! Storing a kiosk's upload batch: checked whole, then every record stored once
//! (`ON CONFLICT (event_id) DO NOTHING`) in one transaction, and the queue's tables
//! brought up to date from the records that were new.

use mpp_domain::protocol::{Batch, BatchError, Body};

use crate::db::DbError;

/// The kiosk a request was authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskId {
    pub site: String,
    pub number: u8,
}

/// What a batch came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    /// Records seen for the first time.
    pub stored: usize,
    /// Records already stored (a batch sent again).
    pub duplicates: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Invalid(#[from] BatchError),
    #[error("this kiosk is enrolled at site {enrolled:?}, not {claimed:?}")]
    OtherSite { enrolled: String, claimed: String },
    #[error("this credential belongs to kiosk {enrolled}, not kiosk {claimed}")]
    OtherKiosk { enrolled: u8, claimed: u8 },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for IngestError {
    fn from(e: tokio_postgres::Error) -> Self {
        IngestError::Db(e.into())
    }
}

/// Checks `batch` against the kiosk that sent it, then stores it in one transaction.
pub async fn store(pool: &deadpool_postgres::Pool, kiosk: &KioskId, batch: &Batch) -> Result<Stored, IngestError> {
    if batch.site != kiosk.site {
        return Err(IngestError::OtherSite { enrolled: kiosk.site.clone(), claimed: batch.site.clone() });
    }
    if batch.kiosk != kiosk.number {
        return Err(IngestError::OtherKiosk { enrolled: kiosk.number, claimed: batch.kiosk });
    }
    batch.check()?;
    let mut client = pool.get().await.map_err(DbError::from)?;
    let tx = client.transaction().await?;
    let insert = tx
        .prepare(
            "INSERT INTO upload_record (event_id, site, kiosk, seq, kind, created, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING",
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
                    "INSERT INTO ticket (id, site, kiosk, number, service, agency, priority, local_date, issued_at, people_ahead, status, status_at, queue_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::date, $9::text::timestamptz, $10, $11, $9::text::timestamptz, $9::text::timestamptz)
                     ON CONFLICT (id) DO NOTHING",
                    &[
                        &t.id,
                        &kiosk.site,
                        &kiosk_no,
                        &t.number,
                        &t.service,
                        &t.agency,
                        &t.priority.map(|p| p.code()),
                        &t.local_date.to_string(),
                        &t.issued_at_utc.to_string(),
                        &(t.people_ahead as i32),
                        &t.status.code(),
                    ],
                )
                .await?;
            }
            Body::TicketStatus(s) => {
                // The latest change wins; an older one arriving late changes nothing.
                tx.execute(
                    "UPDATE ticket SET status = $1, status_at = $2::text::timestamptz
                     WHERE id = $3 AND site = $4 AND status_at <= $2::text::timestamptz",
                    &[&s.status.code(), &s.at_utc.to_string(), &s.ticket_id, &kiosk.site],
                )
                .await?;
            }
            Body::Survey(s) => {
                tx.execute(
                    "INSERT INTO survey_response (id, site, service, agency, local_date, source, answers, profile, comment)
                     VALUES ($1, $2, $3, $4, $5::text::date, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
                    &[
                        &s.id,
                        &kiosk.site,
                        &s.service,
                        &s.agency,
                        &s.local_date.to_string(),
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
    tx.execute("UPDATE kiosk SET last_seen_at = now() WHERE site = $1 AND number = $2", &[&kiosk.site, &kiosk_no])
        .await?;
    if stored.stored > 0 {
        crate::events::announce(&tx, &kiosk.site).await?;
    }
    tx.commit().await?;
    Ok(stored)
}

/// Keeps a kiosk's latest health report (an older one arriving late changes nothing).
pub async fn store_health(
    pool: &deadpool_postgres::Pool,
    kiosk: &KioskId,
    h: &mpp_domain::protocol::KioskHealth,
) -> Result<(), IngestError> {
    if h.site != kiosk.site {
        return Err(IngestError::OtherSite { enrolled: kiosk.site.clone(), claimed: h.site.clone() });
    }
    if h.kiosk != kiosk.number {
        return Err(IngestError::OtherKiosk { enrolled: kiosk.number, claimed: h.kiosk });
    }
    let client = pool.get().await.map_err(DbError::from)?;
    client
        .execute(
            "INSERT INTO kiosk_health (site, kiosk, reported_at, app_version, catalogue_version, printer, printer_at, outbox_pending, oldest_pending)
             VALUES ($1, $2, $3::text::timestamptz, $4, $5, $6, $7::text::timestamptz, $8, $9)
             ON CONFLICT (site, kiosk) DO UPDATE SET reported_at = excluded.reported_at, received_at = now(),
                 app_version = excluded.app_version, catalogue_version = excluded.catalogue_version, printer = excluded.printer,
                 printer_at = excluded.printer_at, outbox_pending = excluded.outbox_pending, oldest_pending = excluded.oldest_pending
             WHERE kiosk_health.reported_at <= excluded.reported_at",
            &[
                &kiosk.site,
                &i16::from(kiosk.number),
                &h.at_utc.to_string(),
                &h.app_version.chars().take(40).collect::<String>(),
                &h.catalogue_version.map(|v| v as i64),
                &h.printer.code(),
                &h.printer_at_utc.map(|t| t.to_string()),
                &(h.outbox_pending as i64),
                &h.oldest_pending_utc,
            ],
        )
        .await?;
    Ok(())
}
