//! Sites and their kiosks: a site is added from the same catalogue feed its kiosks take;
//! a kiosk is enrolled (its credential printed once), authenticated, revoked.

use deadpool_postgres::Pool;
use mpp_domain::catalogue::Feed;

use crate::credential;
use crate::db::DbError;
use crate::ingest::KioskId;

/// Adds a site from its feed, or updates it when the feed is newer.
pub async fn add_site(pool: &Pool, feed: &Feed) -> Result<(), DbError> {
    let client = pool.get().await?;
    let json = serde_json::to_value(feed).expect("a feed serialises");
    client
        .execute(
            "INSERT INTO site (code, name, time_zone, feed, feed_version) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone,
                 feed = excluded.feed, feed_version = excluded.feed_version
             WHERE site.feed_version < excluded.feed_version",
            &[&feed.site.code, &feed.site.name.id, &feed.site.time_zone, &json, &(feed.version as i64)],
        )
        .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("no site {0:?} on this server: add it first (mpp-hub site add FEED)")]
    NoSite(String),
    #[error("kiosk numbers are 1 to 26 (the letter in the ticket number), not {0}")]
    Number(u8),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for EnrollError {
    fn from(e: tokio_postgres::Error) -> Self {
        EnrollError::Db(e.into())
    }
}

/// Enrolls kiosk `number` at `site` (a new credential replaces an old one); returns the
/// credential, which is shown once and kept nowhere in clear.
pub async fn enroll(pool: &Pool, site: &str, number: u8, name: &str) -> Result<String, EnrollError> {
    if !(1..=26).contains(&number) {
        return Err(EnrollError::Number(number));
    }
    let client = pool.get().await.map_err(DbError::from)?;
    if client.query_opt("SELECT 1 FROM site WHERE code = $1", &[&site]).await?.is_none() {
        return Err(EnrollError::NoSite(site.to_owned()));
    }
    let c = credential::issue();
    client
        .execute(
            "INSERT INTO kiosk (site, number, name, token_id, token_hash) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (site, number) DO UPDATE SET name = excluded.name, token_id = excluded.token_id,
                 token_hash = excluded.token_hash, enrolled_at = now(), revoked_at = NULL",
            &[&site, &i16::from(number), &name, &c.token_id, &c.hash],
        )
        .await?;
    Ok(c.token)
}

/// Revokes a kiosk's credential; returns whether there was one to revoke.
pub async fn revoke(pool: &Pool, site: &str, number: u8) -> Result<bool, DbError> {
    let client = pool.get().await?;
    Ok(client.execute("UPDATE kiosk SET revoked_at = now() WHERE site = $1 AND number = $2 AND revoked_at IS NULL", &[&site, &i16::from(number)]).await? == 1)
}

/// The kiosk a presented credential belongs to, if it is valid and not revoked.
pub async fn authenticate(pool: &Pool, token: &str) -> Result<Option<KioskId>, DbError> {
    let Some((id, secret)) = credential::parse(token) else { return Ok(None) };
    let client = pool.get().await?;
    let Some(row) = client.query_opt("SELECT site, number, token_hash FROM kiosk WHERE token_id = $1 AND revoked_at IS NULL", &[&id]).await? else {
        return Ok(None);
    };
    let (site, number, hash): (String, i16, String) = (row.get(0), row.get(1), row.get(2));
    // Argon2 takes tens of milliseconds: off the async threads.
    let secret = secret.to_owned();
    let ok = tokio::task::spawn_blocking(move || credential::verify_secret(&secret, &hash)).await.unwrap_or(false);
    Ok(ok.then(|| KioskId { site, number: number as u8 }))
}
