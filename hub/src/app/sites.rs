//! Sites and their kiosks: a site is added from the same catalogue feed its kiosks take
//! (and read back as its pages show it); a kiosk is enrolled (its credential printed
//! once), authenticated, revoked.

use mpp_domain::catalogue::Feed;
use sha2::Digest;

use std::sync::Arc;

use crate::credential;
use crate::db::sites::KioskId;
use crate::db::{self, DbError};

use super::App;
use super::site_info::SiteInfo;

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("no site {0:?} on this server: add it first (mpp-hub site add FEED)")]
    NoSite(String),
    #[error("kiosk numbers are 1 to 25 (the letter in the ticket number; 26, Z, is the reception desk's), not {0}")]
    Number(u8),
    #[error(transparent)]
    Db(#[from] DbError),
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
        if !(1..mpp_domain::tickets::number::DESK).contains(&number) {
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
        if self.credentials.get(&key).as_deref() == Some(hash.as_str()) {
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
        self.credentials.put(key, hash);
        Ok(Some(kiosk))
    }

    /// The site as stored now; `None` for an unknown site.
    pub async fn site_info(&self, site: &str) -> Result<Option<SiteInfo>, DbError> {
        let Some(feed) = db::sites::feed(&self.db, site).await? else { return Ok(None) };
        let counters = db::accounts::counters(&self.db, site).await?;
        let lang = mpp_domain::text::Lang::Id;
        Ok(Some(SiteInfo {
            code: feed.site.code.clone(),
            name: feed.site.name.in_lang(lang).to_owned(),
            time_zone: feed.site.time_zone.clone(),
            services: feed
                .services
                .iter()
                .filter(|s| s.active)
                .map(|s| (s.code.clone(), s.name.in_lang(lang).to_owned()))
                .collect(),
            counters,
            notices: feed.site.notices.iter().map(|n| n.text.in_lang(lang).to_owned()).collect(),
            agency_of: feed.services.iter().filter(|s| s.active).map(|s| (s.code.clone(), s.agency.clone())).collect(),
            site: feed.site.clone(),
        }))
    }

    /// [`App::site_info`], read at most every 30 s per site: every counter page reads it
    /// on every change of the queue, and the catalogue and counters change rarely.
    pub async fn site_info_cached(&self, site: &str) -> Result<Option<Arc<SiteInfo>>, DbError> {
        if let Some(info) = self.sites.get(&site.to_owned()) {
            return Ok(Some(info));
        }
        let Some(info) = self.site_info(site).await?.map(Arc::new) else { return Ok(None) };
        self.sites.put(site.to_owned(), info.clone());
        Ok(Some(info))
    }
}
