//! Sites and their kiosks: a site is added from the same catalogue feed its kiosks take;
//! a kiosk is enrolled (its credential printed once), authenticated, revoked.

use mpp_domain::catalogue::Feed;
use sha2::Digest;

use crate::credential;
use crate::db::sites::KioskId;
use crate::db::{self, DbError};

use super::App;

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("no site {0:?} on this server: add it first (mpp-hub site add FEED)")]
    NoSite(String),
    #[error("kiosk numbers are 1 to 26 (the letter in the ticket number), not {0}")]
    Number(u8),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Credentials already checked: (token id, SHA-256 of the secret) → the stored hash they
/// matched. A kiosk presents the same credential with every batch, so it is checked once.
/// Revocation and re-enrollment still hold at once: the row is read on every request and
/// must be unrevoked with the same hash.
pub struct Verified {
    known: super::cache::Ttl<(String, [u8; 32]), String>,
    /// At most two Argon2id checks at a time: fifty kiosks presenting new credentials at
    /// once must not take fifty times 19 MiB.
    checks: tokio::sync::Semaphore,
}

impl Default for Verified {
    fn default() -> Self {
        Verified {
            known: super::cache::Ttl::new(std::time::Duration::from_secs(24 * 3600), 10_000),
            checks: tokio::sync::Semaphore::new(2),
        }
    }
}

impl App {
    /// Adds a site from its feed, or updates it when the feed is newer.
    pub async fn add_site(&self, feed: &Feed, now: jiff::Timestamp) -> Result<(), DbError> {
        db::sites::add_site(&self.db, feed, now).await?;
        self.sites.forget(&feed.site.code);
        self.zones.forget(&feed.site.code);
        Ok(())
    }

    /// Enrolls kiosk `number` at `site` (a new credential replaces an old one); returns the
    /// credential, which is shown once and kept nowhere in clear.
    pub async fn enroll(
        &self,
        site: &str,
        number: u8,
        name: &str,
        now: jiff::Timestamp,
    ) -> Result<String, EnrollError> {
        if !(1..=26).contains(&number) {
            return Err(EnrollError::Number(number));
        }
        let c = credential::issue();
        if !db::sites::enroll(&self.db, site, number, name, &c.token_id, &c.hash, now).await? {
            return Err(EnrollError::NoSite(site.to_owned()));
        }
        Ok(c.token)
    }

    /// Revokes a kiosk's credential; whether there was one to revoke.
    pub async fn revoke(&self, site: &str, number: u8, now: jiff::Timestamp) -> Result<bool, DbError> {
        db::sites::revoke(&self.db, site, number, now).await
    }

    /// The kiosk a presented credential belongs to, if it is valid and not revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Option<KioskId>, DbError> {
        let Some((id, secret)) = credential::parse(token) else { return Ok(None) };
        let Some((kiosk, hash)) = db::sites::kiosk_by_token(&self.db, id).await? else { return Ok(None) };
        let key = (id.to_owned(), <[u8; 32]>::from(sha2::Sha256::digest(secret.as_bytes())));
        if self.credentials.known.get(&key).as_deref() == Some(hash.as_str()) {
            return Ok(Some(kiosk));
        }
        let _permit = self.credentials.checks.acquire().await.expect("the semaphore is never closed");
        let (secret, stored) = (secret.to_owned(), hash.clone());
        // Off the async threads.
        let ok =
            tokio::task::spawn_blocking(move || credential::verify_secret(&secret, &stored)).await.unwrap_or(false);
        if !ok {
            return Ok(None);
        }
        self.credentials.known.put(key, hash);
        Ok(Some(kiosk))
    }
}
