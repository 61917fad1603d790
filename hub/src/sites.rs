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
    Ok(client
        .execute(
            "UPDATE kiosk SET revoked_at = now() WHERE site = $1 AND number = $2 AND revoked_at IS NULL",
            &[&site, &i16::from(number)],
        )
        .await?
        == 1)
}

/// Credentials already checked: (token id, SHA-256 of the secret) → the stored hash they
/// matched. Argon2id costs 19 MiB and tens of milliseconds by design; a kiosk presents the
/// same credential with every batch, so it is checked once. Revocation and re-enrollment
/// still hold at once: the row is read on every request and must be unrevoked with the
/// same hash.
static VERIFIED: std::sync::Mutex<Option<std::collections::HashMap<(String, [u8; 32]), String>>> =
    std::sync::Mutex::new(None);

/// At most two Argon2id checks at a time: fifty kiosks presenting new credentials at once
/// must not take fifty times 19 MiB.
static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The kiosk a presented credential belongs to, if it is valid and not revoked.
pub async fn authenticate(pool: &Pool, token: &str) -> Result<Option<KioskId>, DbError> {
    use sha2::Digest;
    let Some((id, secret)) = credential::parse(token) else { return Ok(None) };
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt("SELECT site, number, token_hash FROM kiosk WHERE token_id = $1 AND revoked_at IS NULL", &[&id])
        .await?
    else {
        return Ok(None);
    };
    drop(client);
    let (site, number, hash): (String, i16, String) = (row.get(0), row.get(1), row.get(2));
    let key = (id.to_owned(), <[u8; 32]>::from(sha2::Sha256::digest(secret.as_bytes())));
    let known = VERIFIED.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|m| m.get(&key).cloned());
    let ok = if known.as_deref() == Some(hash.as_str()) {
        true
    } else {
        let _permit = CHECKS.acquire().await.expect("the semaphore is never closed");
        let (secret, stored) = (secret.to_owned(), hash.clone());
        // Off the async threads.
        let ok =
            tokio::task::spawn_blocking(move || credential::verify_secret(&secret, &stored)).await.unwrap_or(false);
        if ok {
            let mut cache = VERIFIED.lock().unwrap_or_else(|e| e.into_inner());
            let map = cache.get_or_insert_with(Default::default);
            // Bounded: a server with thousands of kiosks re-checks now and then.
            if map.len() >= 10_000 {
                map.clear();
            }
            map.insert(key, hash);
        }
        ok
    };
    Ok(ok.then(|| KioskId { site, number: number as u8 }))
}
