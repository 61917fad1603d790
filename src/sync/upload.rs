//! Pushing the outbox: batches of records POSTed as JSON with an `Idempotency-Key`,
//! acknowledged rows marked only after a 2xx answer. At least once: a batch sent but not
//! acknowledged (the kiosk killed, the answer lost) is sent again; the receiver
//! deduplicates by `event_id` (docs/upload-protocol.md).

use super::settings::SyncConfig;
use super::{SyncError, limits, state};
use crate::protocol::{Batch, Body, KioskHealth, PrinterState, Record, SCHEMA, health_url};
use crate::store::{OutboxPart, Store};

/// What one upload round sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Uploaded {
    pub records: usize,
    pub batches: usize,
}

/// The request body of one batch. Survey records carry no `seq`: the outbox's sequence is
/// shared with the queue's records and would place a response next to a ticket. A row
/// that no longer reads as its kind is named, not sent half-empty.
pub fn batch_body(
    site: &str,
    kiosk_id: u8,
    rows: &[crate::store::OutboxRow],
    now: jiff::Timestamp,
) -> Result<Vec<u8>, SyncError> {
    let records = rows
        .iter()
        .map(|r| {
            let data = serde_json::from_str(&r.payload)
                .map_err(|e| SyncError::Outbox { seq: r.seq, reason: e.to_string() })?;
            let body = Body::from_parts(&r.kind, data)
                .map_err(|e| SyncError::Outbox { seq: r.seq, reason: format!("not a {} record: {e}", r.kind) })?;
            let seq = (!matches!(body, Body::Survey(_))).then_some(r.seq);
            Ok(Record { seq, event_id: r.event_id.clone(), created_utc: r.created_utc.clone(), body })
        })
        .collect::<Result<_, SyncError>>()?;
    // The kiosk's clock goes with the batch: the site server measures it against its own.
    let batch = Batch { schema: SCHEMA, site: site.to_owned(), kiosk: kiosk_id, records, sent_at_utc: Some(now) };
    Ok(serde_json::to_vec(&batch).expect("a batch serialises"))
}

/// The batch's `Idempotency-Key`: the same rows give the same key when a batch is sent
/// again. The queue's by its range of sequence numbers; surveys' by a digest of their event
/// ids, which says nothing of their place among the queue's records.
fn batch_key(site: &str, kiosk_id: u8, part: OutboxPart, rows: &[crate::store::OutboxRow]) -> String {
    match part {
        OutboxPart::Queue => format!("{site}-k{kiosk_id}-{}-{}", rows[0].seq, rows[rows.len() - 1].seq),
        OutboxPart::Surveys => {
            let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
            for r in rows {
                ctx.update(r.event_id.as_bytes());
            }
            let hex: String = ctx.finish().as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect();
            format!("{site}-k{kiosk_id}-survey-{hex}")
        }
    }
}

/// Sends every pending record, batch by batch, until the outbox is empty or a batch fails:
/// the queue's records first, in order, then survey responses in batches of their own.
pub fn upload(
    store: &mut Store,
    cfg: &SyncConfig,
    site: &str,
    kiosk_id: u8,
    now: jiff::Timestamp,
) -> Result<Option<Uploaded>, SyncError> {
    upload_within(store, cfg, limits(cfg), site, kiosk_id, now)
}

/// [`upload`] with other timeouts: a ticket pushed while its citizen waits for the slip
/// gets a second or two, not the background round's minute.
pub fn upload_within(
    store: &mut Store,
    cfg: &SyncConfig,
    limits: super::fetch::Limits,
    site: &str,
    kiosk_id: u8,
    now: jiff::Timestamp,
) -> Result<Option<Uploaded>, SyncError> {
    let Some(url) = cfg.upload_url.clone() else { return Ok(None) };
    let now_s = now.to_string();
    let mut sent = Uploaded { records: 0, batches: 0 };
    let token = match &cfg.upload_token_file {
        Some(path) => Some(super::fetch::read_token_file(path).map_err(|reason| SyncError::Network {
            url: url.clone(),
            reason: format!("[sync] upload_token_file {reason}"),
        })?),
        None => None,
    };
    let mut send = |store: &mut Store, part: OutboxPart| -> Result<(), SyncError> {
        loop {
            let rows = store.outbox_pending(part, cfg.upload_batch)?;
            if rows.is_empty() {
                return Ok(());
            }
            let key = batch_key(site, kiosk_id, part, &rows);
            match super::fetch::post_json(
                &url,
                &batch_body(site, kiosk_id, &rows, now)?,
                &key,
                token.as_deref(),
                limits.clone(),
            ) {
                Ok((200..=299, _)) => {
                    store.outbox_ack(&rows, now)?;
                    sent.records += rows.len();
                    sent.batches += 1;
                }
                Ok((status, body)) => {
                    let body: String = body.chars().take(200).collect();
                    return Err(SyncError::Upload {
                        url: url.clone(),
                        status,
                        body: crate::text::printable(&body).into_owned(),
                    });
                }
                Err(e) => return Err(e),
            }
        }
    };
    let result = send(store, OutboxPart::Queue).and_then(|()| send(store, OutboxPart::Surveys));
    match &result {
        Ok(()) => store.set_sync_state(&[
            (state::UPLOAD_ATTEMPT, Some(&now_s)),
            (state::UPLOAD_SUCCESS, Some(&now_s)),
            (state::UPLOAD_ERROR, None),
        ])?,
        Err(e) => {
            log::warn!("upload: {e}");
            let msg = e.to_string();
            store.set_sync_state(&[(state::UPLOAD_ATTEMPT, Some(&now_s)), (state::UPLOAD_ERROR, Some(&msg))])?;
        }
    }
    result.map(|()| Some(sent))
}

/// The kiosk's health as the site server's fleet view wants it: version, catalogue,
/// printer (as the print worker last read it), backlog.
pub fn health(store: &Store, site: &str, kiosk_id: u8, now: jiff::Timestamp) -> Result<KioskHealth, SyncError> {
    let outbox = store.outbox_stats()?;
    Ok(KioskHealth {
        schema: SCHEMA,
        site: site.to_owned(),
        kiosk: kiosk_id,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        at_utc: now,
        catalogue_version: store.catalogue_version()?,
        printer: store.sync_state(state::PRINTER_STATE)?.map_or(PrinterState::Unknown, |c| PrinterState::from_code(&c)),
        printer_at_utc: store.sync_state(state::PRINTER_STATE_AT)?.and_then(|t| t.parse().ok()),
        outbox_pending: outbox.pending,
        oldest_pending_utc: outbox.oldest_pending_utc,
        system: store.path().parent().and_then(crate::system::status::published),
    })
}

/// Sends [`health`] beside the upload URL (`…/health`); `Ok(false)` when there is no
/// upload URL. The server answering anything but 2xx is an error (logged by the caller;
/// it never holds the queue's records back).
pub fn report_health(
    store: &Store,
    cfg: &SyncConfig,
    site: &str,
    kiosk_id: u8,
    now: jiff::Timestamp,
) -> Result<bool, SyncError> {
    let Some(upload_url) = &cfg.upload_url else { return Ok(false) };
    let url = health_url(upload_url);
    let token = match &cfg.upload_token_file {
        Some(path) => Some(super::fetch::read_token_file(path).map_err(|reason| SyncError::Network {
            url: url.clone(),
            reason: format!("[sync] upload_token_file {reason}"),
        })?),
        None => None,
    };
    let body = serde_json::to_vec(&health(store, site, kiosk_id, now)?).expect("health serialises");
    match super::fetch::post_json(
        &url,
        &body,
        &format!("{site}-k{kiosk_id}-health-{}", now.as_second()),
        token.as_deref(),
        limits(cfg),
    )? {
        (200..=299, _) => Ok(true),
        (status, body) => Err(SyncError::Upload {
            url,
            status,
            body: crate::text::printable(&body.chars().take(200).collect::<String>()).into_owned(),
        }),
    }
}

/// A ledger that has issued nothing today may have been lost (a kiosk re-imaged
/// mid-day, its database replaced): it asks the site server where today's numbering
/// stands for this kiosk and continues after it, so no number is given twice. `Ok(false)`
/// when there was nothing to ask (no server, or numbers already issued today).
pub fn learn_numbering(store: &mut Store, cfg: &SyncConfig, today: jiff::civil::Date) -> Result<bool, SyncError> {
    let (Some(url), Some(path)) = (&cfg.upload_url, &cfg.upload_token_file) else { return Ok(false) };
    if store.issued_on(today)? {
        return Ok(false);
    }
    let token = super::fetch::read_token_file(path).map_err(|reason| SyncError::Network {
        url: url.clone(),
        reason: format!("[sync] upload_token_file {reason}"),
    })?;
    let url = crate::protocol::sequences_url(url, today);
    let day: crate::protocol::DaySequences =
        super::fetch::get_with_token(&url, &token, super::queue::quick_limits(cfg))?;
    if day.date != today {
        return Err(SyncError::Answer { url, reason: format!("it describes {}, not {today}", day.date) });
    }
    if !day.last.is_empty() {
        log::warn!(
            "this ledger has no ticket today but the site server has: numbering continues after {}",
            day.last
                .iter()
                .map(|l| format!("{}{} {}", l.prefix, if l.priority { " (P)" } else { "" }, l.seq))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    store.set_sequence_floor(&day)?;
    Ok(true)
}
