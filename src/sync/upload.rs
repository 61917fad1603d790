//! Pushing the outbox: batches of records POSTed as JSON with an `Idempotency-Key`,
//! acknowledged rows marked only after a 2xx answer. At least once: a batch sent but not
//! acknowledged (the kiosk killed, the answer lost) is sent again; the receiver
//! deduplicates by `event_id` (docs/upload-protocol.md).

use serde_json::{json, Value};

use super::{limits, state, SyncError};
use crate::config::SyncConfig;
use crate::store::Store;

/// What one upload round sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Uploaded {
    pub records: usize,
    pub batches: usize,
}

/// The request body of one batch.
pub fn batch_body(site: &str, kiosk_id: u8, rows: &[crate::store::OutboxRow]) -> Vec<u8> {
    let records: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "seq": r.seq,
                "event_id": r.event_id,
                "kind": r.kind,
                "created_utc": r.created_utc,
                "data": serde_json::from_str::<Value>(&r.payload).unwrap_or(Value::Null),
            })
        })
        .collect();
    json!({ "schema": 1, "site": site, "kiosk": kiosk_id, "records": records }).to_string().into_bytes()
}

/// Sends every pending record, batch by batch, until the outbox is empty or a batch fails.
pub fn upload(store: &mut Store, cfg: &SyncConfig, site: &str, kiosk_id: u8, now: jiff::Timestamp) -> Result<Option<Uploaded>, SyncError> {
    let Some(url) = cfg.upload_url.clone() else { return Ok(None) };
    let now_s = now.to_string();
    let mut sent = Uploaded { records: 0, batches: 0 };
    let result = loop {
        let rows = store.outbox_pending(cfg.upload_batch)?;
        let (Some(first), Some(last)) = (rows.first().map(|r| r.seq), rows.last().map(|r| r.seq)) else { break Ok(()) };
        let key = format!("{site}-k{kiosk_id}-{first}-{last}");
        match super::fetch::post_json(&url, &batch_body(site, kiosk_id, &rows), &key, limits(cfg)) {
            Ok((200..=299, _)) => {
                store.outbox_ack(first, last, now)?;
                sent.records += rows.len();
                sent.batches += 1;
            }
            Ok((status, body)) => break Err(SyncError::Upload { url: url.clone(), status, body: body.chars().take(200).collect() }),
            Err(e) => break Err(e),
        }
    };
    match &result {
        Ok(()) => store.set_sync_state(&[(state::UPLOAD_ATTEMPT, Some(&now_s)), (state::UPLOAD_SUCCESS, Some(&now_s)), (state::UPLOAD_ERROR, None)])?,
        Err(e) => {
            log::warn!("upload: {e}");
            let msg = e.to_string();
            store.set_sync_state(&[(state::UPLOAD_ATTEMPT, Some(&now_s)), (state::UPLOAD_ERROR, Some(&msg))])?;
        }
    }
    result.map(|()| Some(sent))
}
