//! The site server's word on the queue: how many wait for each service (read every
//! `[sync] queue_interval_secs`, for the service rows and the detail screen), and how many
//! are ahead of a ticket just issued (asked once, right after pushing the ticket, for the
//! slip and the done screen). A citizen stands at the kiosk meanwhile, so these requests
//! get a short timeout; without an answer the kiosk shows its own count as an estimate.

use std::time::Duration;

use super::SyncError;
use super::fetch::{self, Fetched, Limits};
use super::settings::SyncConfig;
use crate::protocol::{place_url, queue_url};
use crate::queue::{QueueState, TicketPlace};
use crate::store::{Store, Ticket};

/// What a citizen can wait for: connecting, then the whole answer.
pub fn quick_limits(cfg: &SyncConfig) -> Limits {
    Limits {
        connect: Duration::from_millis(cfg.queue_timeout_ms / 2),
        total: Duration::from_millis(cfg.queue_timeout_ms),
        max_bytes: 1024 * 1024,
        ca_file: cfg.ca_file.clone(),
    }
}

fn get_json<T: serde::de::DeserializeOwned>(url: &str, limits: Limits) -> Result<T, SyncError> {
    match fetch::get(url, None, limits)? {
        Fetched::Body { bytes, .. } => {
            serde_json::from_slice(&bytes).map_err(|e| SyncError::Answer { url: url.to_owned(), reason: e.to_string() })
        }
        Fetched::NotModified => {
            Err(SyncError::Answer { url: url.to_owned(), reason: "304 to a request that asked for none".into() })
        }
    }
}

/// The site's queue on `date` (default: the server's today in the site's zone); `Ok(None)`
/// without an upload URL (no site server).
pub fn fetch_state(
    cfg: &SyncConfig,
    site: &str,
    date: Option<jiff::civil::Date>,
) -> Result<Option<QueueState>, SyncError> {
    let Some(upload_url) = &cfg.upload_url else { return Ok(None) };
    let mut url = queue_url(upload_url, site);
    if let Some(d) = date {
        url += &format!("{}date={d}", if url.contains('?') { '&' } else { '?' });
    }
    let state: QueueState = get_json(&url, quick_limits(cfg))?;
    if state.site != site {
        return Err(SyncError::Answer { url, reason: format!("it describes site {:?}, not {site:?}", state.site) });
    }
    Ok(Some(state))
}

/// Pushes the outbox (with `ticket` in it) and asks how many are ahead of `ticket` (and
/// its estimated wait, when the server knows one), each
/// within the short timeout. An error means "not known": the caller shows the estimate.
pub fn people_ahead_now(
    store: &mut Store,
    cfg: &SyncConfig,
    site: &str,
    kiosk_id: u8,
    ticket: &Ticket,
    now: jiff::Timestamp,
) -> Result<Option<(u32, Option<u32>)>, SyncError> {
    let Some(upload_url) = &cfg.upload_url else { return Ok(None) };
    super::upload::upload_within(store, cfg, quick_limits(cfg), site, kiosk_id, now)?;
    let url = place_url(upload_url, site, ticket.local_date, &ticket.number);
    let place: TicketPlace = get_json(&url, quick_limits(cfg))?;
    Ok(place.people_ahead.map(|n| (u32::try_from(n).unwrap_or(u32::MAX), place.wait_minutes)))
}
