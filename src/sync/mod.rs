//! Catalogue sync and ticket upload. The kiosk pulls a signed feed from `[sync] url`
//! (HTTP(S) or a file), verifies its minisign signature, refuses replays and expired feeds,
//! and imports it atomically; it pushes its outbox (tickets, status changes, survey
//! responses) to `[sync] upload_url`. Everything here is blocking and runs off the UI
//! thread: `runner` drives it from a tokio task; `sync now` runs one round in the foreground.

pub mod bookings;
pub mod fetch;
pub mod queue;
pub mod runner;
pub mod settings;
pub mod upload;
pub mod verify;

use std::time::Duration;

use crate::catalogue::Feed;
use crate::store::{ImportError, Store, StoreError};
use fetch::{Fetched, Limits, Validators};
pub use settings::SyncConfig;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{url}: {reason}")]
    Network { url: String, reason: String },
    #[error("{url}: the server answered HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("{url}: larger than the {max}-byte limit ([sync] max_bytes)")]
    TooLarge { url: String, max: u64 },
    #[error("{url}: no signature at {sig_url} ({reason}); the kiosk only takes signed feeds")]
    MissingSignature { url: String, sig_url: String, reason: String },
    #[error("signature refused: {0}")]
    BadSignature(String),
    #[error("the feed is not valid: {0}")]
    Invalid(String),
    #[error(
        "feed version {offered} is not newer than the kiosk's version {stored}: refused (an old feed replayed, or the publisher forgot to raise the version)"
    )]
    NotNewer { stored: u64, offered: u64 },
    #[error("the feed expired at {expires}: refused; the kiosk keeps its catalogue")]
    Expired { expires: jiff::Timestamp },
    #[error("upload to {url} refused: HTTP {status} {body}")]
    Upload { url: String, status: u16, body: String },
    #[error("{url}: the answer is not what the site server sends: {reason}")]
    Answer { url: String, reason: String },
    #[error("outbox record {seq} cannot be sent: {reason}")]
    Outbox { seq: i64, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one pull did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "pull", rename_all = "snake_case")]
pub enum Pulled {
    /// The server says nothing changed (304).
    NotModified,
    Imported {
        version: u64,
        services: usize,
    },
}

/// Where a feed's detached signature is: `.minisig` appended to the path, before any query
/// or fragment (`feed.json?token=X` → `feed.json.minisig?token=X`).
pub fn signature_url(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    format!("{}.minisig{}", &url[..cut], &url[cut..])
}

pub fn limits(cfg: &SyncConfig) -> Limits {
    Limits {
        connect: Duration::from_secs(cfg.connect_timeout_secs),
        total: Duration::from_secs(cfg.timeout_secs),
        max_bytes: cfg.max_bytes,
        ca_file: cfg.ca_file.clone(),
    }
}

/// Keys of `sync_state`.
pub mod state {
    pub const LAST_ATTEMPT: &str = "last_attempt_utc";
    pub const LAST_SUCCESS: &str = "last_success_utc";
    pub const LAST_ERROR: &str = "last_error";
    pub const ETAG: &str = "etag";
    pub const LAST_MODIFIED: &str = "last_modified";
    pub const VERSION: &str = "synced_version";
    pub const UPLOAD_ATTEMPT: &str = "last_upload_attempt_utc";
    pub const UPLOAD_SUCCESS: &str = "last_upload_success_utc";
    pub const UPLOAD_ERROR: &str = "last_upload_error";
    /// The printer's state as the print worker last read it, and when.
    pub const PRINTER_STATE: &str = "printer_state";
    pub const PRINTER_STATE_AT: &str = "printer_state_utc";
}

/// Downloads, verifies and checks a feed; imports it. Nothing is written on any refusal.
fn pull(
    store: &mut Store,
    cfg: &SyncConfig,
    url: &str,
    now: jiff::Timestamp,
) -> Result<(Pulled, Validators), SyncError> {
    let stored = store.catalogue_version()?;
    let validators =
        Validators { etag: store.sync_state(state::ETAG)?, last_modified: store.sync_state(state::LAST_MODIFIED)? };
    // Conditional only while the stored catalogue is the one those validators describe.
    let conditional =
        stored.is_some() && store.sync_state(state::VERSION)?.and_then(|v| v.parse::<u64>().ok()) == stored;
    let (bytes, validators) = match fetch::get(url, conditional.then_some(&validators), limits(cfg))? {
        Fetched::NotModified => return Ok((Pulled::NotModified, validators)),
        Fetched::Body { bytes, validators } => (bytes, validators),
    };
    let sig_url = signature_url(url);
    let sig = match fetch::get(&sig_url, None, Limits { max_bytes: 64 * 1024, ..limits(cfg) }) {
        Ok(Fetched::Body { bytes, .. }) => bytes,
        Ok(Fetched::NotModified) => unreachable!("not a conditional request"),
        Err(e) => {
            return Err(SyncError::MissingSignature {
                url: url.to_owned(),
                sig_url: sig_url.clone(),
                reason: e.to_string(),
            });
        }
    };
    verify::verify(&bytes, &sig, &cfg.keys())?;
    let feed = check_feed(&bytes, stored, now)?;
    store.import_catalogue(&feed, url, false, now).map_err(|e| match e {
        ImportError::NotNewer { stored, offered } => SyncError::NotNewer { stored, offered },
        e @ ImportError::OtherSite { .. } => SyncError::Invalid(e.to_string()),
        ImportError::Store(e) => SyncError::Store(e),
    })?;
    Ok((Pulled::Imported { version: feed.version, services: feed.services.len() }, validators))
}

/// A verified feed's content checks: valid, newer than the stored one, not expired.
pub fn check_feed(bytes: &[u8], stored: Option<u64>, now: jiff::Timestamp) -> Result<Feed, SyncError> {
    let feed = crate::catalogue::parse_feed(bytes).map_err(|e| SyncError::Invalid(e.to_string()))?;
    if let Some(stored) = stored
        && feed.version <= stored
    {
        return Err(SyncError::NotNewer { stored, offered: feed.version });
    }
    if let Some(expires) = feed.expires
        && expires <= now
    {
        return Err(SyncError::Expired { expires });
    }
    Ok(feed)
}

/// One pull, with the attempt, success or error recorded in the sync state.
pub fn pull_and_record(store: &mut Store, cfg: &SyncConfig, now: jiff::Timestamp) -> Result<Option<Pulled>, SyncError> {
    let Some(url) = cfg.url.clone() else { return Ok(None) };
    let now_s = now.to_string();
    let result = pull(store, cfg, &url, now);
    match &result {
        Ok((pulled, v)) => {
            let version = store.catalogue_version()?.map(|v| v.to_string());
            let mut pairs = vec![
                (state::LAST_ATTEMPT, Some(now_s.as_str())),
                (state::LAST_SUCCESS, Some(now_s.as_str())),
                (state::LAST_ERROR, None),
            ];
            if let Pulled::Imported { .. } = pulled {
                pairs.push((state::ETAG, v.etag.as_deref()));
                pairs.push((state::LAST_MODIFIED, v.last_modified.as_deref()));
                pairs.push((state::VERSION, version.as_deref()));
            }
            store.set_sync_state(&pairs)?;
            if let Pulled::Imported { version, services } = pulled {
                log::info!("sync: imported catalogue version {version} ({services} services) from {url}");
            }
        }
        Err(e) => {
            log::warn!("sync: {e}");
            let msg = e.to_string();
            store.set_sync_state(&[
                (state::LAST_ATTEMPT, Some(now_s.as_str())),
                (state::LAST_ERROR, Some(msg.as_str())),
            ])?;
        }
    }
    result.map(|(p, _)| Some(p))
}

/// One sync round: a pull, then an upload; each reports on its own, so a failed pull does
/// not keep tickets from being uploaded.
pub struct Round {
    pub pulled: Result<Option<Pulled>, SyncError>,
    pub uploaded: Result<Option<upload::Uploaded>, SyncError>,
    /// The catalogue just imported, if the pull imported one.
    pub catalogue: Option<crate::catalogue::Catalogue>,
}

impl Round {
    pub fn ok(&self) -> bool {
        self.pulled.is_ok() && self.uploaded.is_ok()
    }
}

pub fn round(store: &mut Store, cfg: &SyncConfig, site: &str, kiosk_id: u8, now: jiff::Timestamp) -> Round {
    let pulled = pull_and_record(store, cfg, now);
    let catalogue = match &pulled {
        Ok(Some(Pulled::Imported { .. })) => store.load_catalogue().unwrap_or_else(|e| {
            log::error!("sync: reading the new catalogue: {e}");
            None
        }),
        _ => None,
    };
    // Before anything is uploaded: where today's numbering stands, if this ledger has
    // issued nothing today (it may be a replaced one).
    let today = store.load_catalogue().ok().flatten().map(|c| crate::hours::local_day(now, &c.feed.site.time_zone));
    if let Some(today) = today
        && let Err(e) = upload::learn_numbering(store, cfg, today)
    {
        log::warn!("asking where today's numbering stands: {e}");
    }
    let uploaded = upload::upload(store, cfg, site, kiosk_id, now);
    // After the upload (this kiosk's check-ins are then the server's too): today's bookings.
    if let Some(today) = today
        && let Err(e) = bookings::fetch_day(store, cfg, today, limits(cfg))
    {
        log::warn!("reading today's bookings: {e}");
    }
    if let Err(e) = upload::report_health(store, cfg, site, kiosk_id, now) {
        log::warn!("health report: {e}");
    }
    Round { pulled, uploaded, catalogue }
}

/// The sync state for `sync status`, `doctor` and the staff screen.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub url: Option<String>,
    pub upload_url: Option<String>,
    pub catalogue_version: Option<u64>,
    pub catalogue_source: Option<String>,
    /// When the stored catalogue expires, and whether it already has: an expired catalogue
    /// is still shown (better than none), with a notice to citizens, until a fresh one comes.
    pub catalogue_expires: Option<String>,
    pub catalogue_expired: bool,
    pub last_attempt_utc: Option<String>,
    pub last_success_utc: Option<String>,
    pub last_error: Option<String>,
    pub last_upload_attempt_utc: Option<String>,
    pub last_upload_success_utc: Option<String>,
    pub last_upload_error: Option<String>,
    pub outbox: crate::store::OutboxStats,
}

pub fn status(store: &mut Store, cfg: &SyncConfig, now: jiff::Timestamp) -> Result<Status, StoreError> {
    let catalogue = store.catalogue_stats()?;
    let expires = catalogue.as_ref().and_then(|c| c.expires.clone());
    let g = |k: &str| store.sync_state(k);
    Ok(Status {
        url: cfg.url.clone(),
        upload_url: cfg.upload_url.clone(),
        catalogue_version: catalogue.as_ref().map(|c| c.version),
        catalogue_source: catalogue.as_ref().map(|c| c.source.clone()),
        catalogue_expired: expires.as_deref().and_then(|e| e.parse::<jiff::Timestamp>().ok()).is_some_and(|e| e <= now),
        catalogue_expires: expires,
        last_attempt_utc: g(state::LAST_ATTEMPT)?,
        last_success_utc: g(state::LAST_SUCCESS)?,
        last_error: g(state::LAST_ERROR)?,
        last_upload_attempt_utc: g(state::UPLOAD_ATTEMPT)?,
        last_upload_success_utc: g(state::UPLOAD_SUCCESS)?,
        last_upload_error: g(state::UPLOAD_ERROR)?,
        outbox: store.outbox_stats()?,
    })
}

#[cfg(test)]
mod tests {
    use super::signature_url;

    #[test]
    fn the_signature_sits_on_the_path_not_after_the_query() {
        assert_eq!(signature_url("https://mpp.example.go.id/feed.json"), "https://mpp.example.go.id/feed.json.minisig");
        assert_eq!(
            signature_url("https://mpp.example.go.id/feed.json?token=X"),
            "https://mpp.example.go.id/feed.json.minisig?token=X"
        );
        assert_eq!(signature_url("https://h/feed.json?a=1&b=2#top"), "https://h/feed.json.minisig?a=1&b=2#top");
        assert_eq!(signature_url("file:///media/usb/feed.json"), "file:///media/usb/feed.json.minisig");
    }
}
