//! `[sync]` of the kiosk's config: where the catalogue comes from, where the queue goes,
//! and the checks serde cannot make.

use serde::{Deserialize, Serialize};

/// Catalogue sync and ticket upload. With no `url` the kiosk keeps its catalogue; with no
/// `upload_url` tickets stay in the outbox until one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// The signed feed: `https://…`, `http://…` or `file:///…` (a USB stick, a shared
    /// folder); its detached minisign signature is at the same place plus `.minisig`.
    pub url: Option<String>,
    /// The minisign public key (the base64 line of a `.pub` file) that must have signed the feed.
    pub public_key: Option<String>,
    /// More keys, for rotation: a feed signed by any listed key is accepted.
    pub public_keys: Vec<String>,
    /// How often to look for a new feed, in seconds (a random 0–10 % is added).
    pub interval_secs: u64,
    /// Connect timeout, seconds.
    pub connect_timeout_secs: u64,
    /// Whole-request timeout, seconds (a server that stalls mid-body is cut off).
    pub timeout_secs: u64,
    /// The largest feed accepted, in bytes.
    pub max_bytes: u64,
    /// Where issued tickets, status changes and survey responses are POSTed.
    pub upload_url: Option<String>,
    /// Records per upload request.
    pub upload_batch: usize,
    /// The site's own CA certificate (PEM), for an MPP server with an internal or
    /// self-signed certificate: HTTPS feeds and uploads then trust that CA only.
    pub ca_file: Option<std::path::PathBuf>,
    /// This kiosk's upload credential (from `mpp-hub kiosk enroll`), sent as a bearer
    /// token with every upload; a file only the service may read.
    pub upload_token_file: Option<std::path::PathBuf>,
    /// Allow a plain `http://` upload_url (a lab without TLS). Off: uploads carry the
    /// credential and the queue, so they go over https only.
    pub insecure_http_upload: bool,
    /// How often to read the site's queue (people waiting per service), in seconds.
    pub queue_interval_secs: u64,
    /// How long a citizen waits at most for the site server's count of people ahead
    /// (pushing the ticket, then asking), in milliseconds; then the slip shows the estimate.
    pub queue_timeout_ms: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            url: None,
            public_key: None,
            public_keys: Vec::new(),
            interval_secs: 300,
            connect_timeout_secs: 10,
            timeout_secs: 60,
            max_bytes: 16 * 1024 * 1024,
            upload_url: None,
            upload_batch: 500,
            ca_file: None,
            upload_token_file: None,
            insecure_http_upload: false,
            queue_interval_secs: 20,
            queue_timeout_ms: 1500,
        }
    }
}

impl SyncConfig {
    /// Every trusted key, `public_key` first.
    pub fn keys(&self) -> Vec<&str> {
        self.public_key.iter().chain(&self.public_keys).map(String::as_str).collect()
    }

    /// Checks what serde cannot: URL schemes, that a feed URL has a key, that keys decode.
    pub fn check(&self) -> Result<(), String> {
        let scheme_ok = |u: &str| u.starts_with("https://") || u.starts_with("http://") || u.starts_with("file:///");
        if let Some(u) = &self.url {
            if !scheme_ok(u) {
                return Err(format!("[sync] url {u:?}: use https://, http:// or file:///"));
            }
            if self.keys().is_empty() {
                return Err("[sync] url is set but no public_key: the kiosk only takes signed feeds (the base64 line of the publisher's minisign .pub file)".into());
            }
        }
        if let Some(u) = &self.upload_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                return Err(format!("[sync] upload_url {u:?}: use https:// or http://"));
            }
            if u.starts_with("http://") && !self.insecure_http_upload {
                return Err(format!(
                    "[sync] upload_url {u:?} is plain http: uploads carry the kiosk's credential and its queue; use https:// (with ca_file for the site's own CA), or insecure_http_upload = true in a lab"
                ));
            }
        }
        for k in self.keys() {
            minisign_verify::PublicKey::from_base64(k.trim())
                .map_err(|e| format!("[sync] public key {k:?} is not a minisign public key: {e}"))?;
        }
        if !(10..=86_400).contains(&self.interval_secs) {
            return Err(format!("[sync] interval_secs {} is out of range: use 10 to 86400", self.interval_secs));
        }
        if !(1..=600).contains(&self.timeout_secs) || !(1..=120).contains(&self.connect_timeout_secs) {
            return Err("[sync] timeout_secs must be 1 to 600 and connect_timeout_secs 1 to 120".into());
        }
        if !(1024..=1 << 30).contains(&self.max_bytes) {
            return Err(format!("[sync] max_bytes {} is out of range: use 1024 to 1073741824", self.max_bytes));
        }
        if !(5..=3600).contains(&self.queue_interval_secs) {
            return Err(format!(
                "[sync] queue_interval_secs {} is out of range: use 5 to 3600",
                self.queue_interval_secs
            ));
        }
        if !(200..=10_000).contains(&self.queue_timeout_ms) {
            return Err(format!("[sync] queue_timeout_ms {} is out of range: use 200 to 10000", self.queue_timeout_ms));
        }
        if !(1..=mpp_domain::protocol::MAX_RECORDS).contains(&self.upload_batch) {
            return Err(format!(
                "[sync] upload_batch {} is out of range: use 1 to {}",
                self.upload_batch,
                mpp_domain::protocol::MAX_RECORDS
            ));
        }
        Ok(())
    }
}
