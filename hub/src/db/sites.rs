//! Sites (their catalogue feed) and the kiosks enrolled at each.

use mpp_domain::catalogue::Feed;

use super::{Db, DbError, Ts};

/// The kiosk a request was authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskId {
    pub site: String,
    pub number: u8,
}

/// Adds a site from its feed, or updates it when the feed is newer.
pub async fn add_site(db: &Db, feed: &Feed, now: jiff::Timestamp) -> Result<(), DbError> {
    let json = serde_json::to_value(feed).expect("a feed serialises");
    db.client()
        .await?
        .execute(
            "INSERT INTO site (code, name, time_zone, feed, feed_version, added_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone,
                 feed = excluded.feed, feed_version = excluded.feed_version
             WHERE site.feed_version < excluded.feed_version",
            &[&feed.site.code, &feed.site.name.id, &feed.site.time_zone, &json, &(feed.version as i64), &Ts(now)],
        )
        .await?;
    Ok(())
}

/// The site's catalogue, as stored; `None` for an unknown site.
pub async fn feed(db: &Db, site: &str) -> Result<Option<Feed>, DbError> {
    let Some(row) = db.client().await?.query_opt("SELECT feed FROM site WHERE code = $1", &[&site]).await? else {
        return Ok(None);
    };
    let json: serde_json::Value = row.try_get("feed")?;
    serde_json::from_value(json).map(Some).map_err(|e| DbError::row("the stored catalogue of site", site, e))
}

/// The site's time zone (an IANA name); `None` for an unknown site.
pub async fn time_zone(db: &Db, site: &str) -> Result<Option<String>, DbError> {
    let row = db.client().await?.query_opt("SELECT time_zone FROM site WHERE code = $1", &[&site]).await?;
    Ok(row.map(|r| r.try_get("time_zone")).transpose()?)
}

/// Enrolls kiosk `number` at `site` with a new credential (replacing an old one).
/// `false`: the site does not exist.
pub async fn enroll(
    db: &Db,
    site: &str,
    number: u8,
    name: &str,
    token_id: &str,
    token_hash: &str,
    now: jiff::Timestamp,
) -> Result<bool, DbError> {
    let n = db
        .client()
        .await?
        .execute(
            "INSERT INTO kiosk (site, number, name, token_id, token_hash, enrolled_at)
             SELECT code, $2, $3, $4, $5, $6 FROM site WHERE code = $1
             ON CONFLICT (site, number) DO UPDATE SET name = excluded.name, token_id = excluded.token_id,
                 token_hash = excluded.token_hash, enrolled_at = excluded.enrolled_at, revoked_at = NULL",
            &[&site, &i16::from(number), &name, &token_id, &token_hash, &Ts(now)],
        )
        .await?;
    Ok(n == 1)
}

/// Revokes a kiosk's credential; whether there was one to revoke.
pub async fn revoke(db: &Db, site: &str, number: u8, now: jiff::Timestamp) -> Result<bool, DbError> {
    let n = db
        .client()
        .await?
        .execute(
            "UPDATE kiosk SET revoked_at = $3 WHERE site = $1 AND number = $2 AND revoked_at IS NULL",
            &[&site, &i16::from(number), &Ts(now)],
        )
        .await?;
    Ok(n == 1)
}

/// The unrevoked kiosk holding credential `token_id`, with its stored hash.
pub async fn kiosk_by_token(db: &Db, token_id: &str) -> Result<Option<(KioskId, String)>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            "SELECT site, number, token_hash FROM kiosk WHERE token_id = $1 AND revoked_at IS NULL",
            &[&token_id],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let number: i16 = row.try_get("number")?;
    let number = u8::try_from(number).map_err(|_| DbError::row("the kiosk with credential", token_id, "number"))?;
    Ok(Some((KioskId { site: row.try_get("site")?, number }, row.try_get("token_hash")?)))
}
