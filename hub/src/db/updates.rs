//! System update bundles the hub holds and each site's rollout of one.

use mpp_domain::update::{Rollout, Stage};

use super::{Db, DbError, Ts};

/// A bundle as listed (its file is `[updates] dir/VERSION.update`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub version: String,
    pub size: u64,
    pub signature: String,
    pub built_at: jiff::Timestamp,
}

pub async fn add_bundle(db: &Db, b: &Bundle, now: jiff::Timestamp) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "INSERT INTO system_bundle (version, size, signature, built_at, added_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (version) DO UPDATE SET size = excluded.size, signature = excluded.signature,
                 built_at = excluded.built_at, added_at = excluded.added_at",
            &[&b.version, &(b.size as i64), &b.signature, &Ts(b.built_at), &Ts(now)],
        )
        .await?;
    Ok(())
}

/// The columns `bundle_row` reads, for every query of bundles.
const BUNDLE_COLUMNS: &str = "SELECT version, size, signature, built_at FROM system_bundle";

fn bundle_row(r: &tokio_postgres::Row) -> Result<Bundle, DbError> {
    let version: String = r.try_get("version")?;
    let size =
        u64::try_from(r.try_get::<_, i64>("size")?).map_err(|_| DbError::row("system_bundle", &version, "size"))?;
    Ok(Bundle { signature: r.try_get("signature")?, built_at: r.try_get::<_, Ts>("built_at")?.0, size, version })
}

pub async fn bundles(db: &Db) -> Result<Vec<Bundle>, DbError> {
    let rows = db.client().await?.query(&format!("{BUNDLE_COLUMNS} ORDER BY built_at DESC, version"), &[]).await?;
    rows.iter().map(bundle_row).collect()
}

pub async fn bundle(db: &Db, version: &str) -> Result<Option<Bundle>, DbError> {
    let row = db.client().await?.query_opt(&format!("{BUNDLE_COLUMNS} WHERE version = $1"), &[&version]).await?;
    row.as_ref().map(bundle_row).transpose()
}

/// Sets `site`'s rollout (a new version, stage or pause); false when the version is not held.
pub async fn set_rollout(db: &Db, site: &str, r: &Rollout, now: jiff::Timestamp) -> Result<bool, DbError> {
    let pilot = match r.stage {
        Stage::Pilot { kiosk } => Some(i16::from(kiosk)),
        Stage::All => None,
    };
    let n = db
        .client()
        .await?
        .execute(
            "INSERT INTO system_rollout (site, version, pilot, paused, changed_at)
             SELECT $1, version, $3, $4, $5 FROM system_bundle WHERE version = $2
             ON CONFLICT (site) DO UPDATE SET version = excluded.version, pilot = excluded.pilot,
                 paused = excluded.paused, changed_at = excluded.changed_at",
            &[&site, &r.version, &pilot, &r.paused, &Ts(now)],
        )
        .await?;
    Ok(n == 1)
}

pub async fn rollout(db: &Db, site: &str) -> Result<Option<Rollout>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt("SELECT version, pilot, paused FROM system_rollout WHERE site = $1", &[&site])
        .await?;
    row.map(|r| {
        let pilot: Option<i16> = r.try_get("pilot")?;
        let stage = match pilot {
            None => Stage::All,
            Some(p) => {
                Stage::Pilot { kiosk: u8::try_from(p).map_err(|_| DbError::row("system_rollout", site, "pilot"))? }
            }
        };
        Ok(Rollout { version: r.try_get("version")?, stage, paused: r.try_get("paused")? })
    })
    .transpose()
}

/// What `kiosk` last reported of its system.
pub async fn kiosk_system(db: &Db, site: &str, kiosk: u8) -> Result<Option<serde_json::Value>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt("SELECT system FROM kiosk_health WHERE site = $1 AND kiosk = $2", &[&site, &i16::from(kiosk)])
        .await?;
    Ok(row.map(|r| r.try_get::<_, Option<serde_json::Value>>("system")).transpose()?.flatten())
}
