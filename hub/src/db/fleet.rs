//! The fleet as stored: every enrolled kiosk with what the server last heard from it, and
//! the alerts raised (each told to the webhook once when raised, once when cleared).

use mpp_domain::fleet::{KioskFacts, SiteFacts};
use mpp_domain::protocol::PrinterState;

use super::{Db, DbError, Ts};

/// One kiosk with its site's catalogue and zone.
pub struct KioskRow {
    pub facts: KioskFacts,
    pub site: SiteFacts,
    pub time_zone: String,
}

/// Every enrolled, unrevoked kiosk of `site` (or of every site), with the numbers it gave
/// twice on its site's day at `now` (flagged until that day ends).
pub async fn kiosks(db: &Db, site: Option<&str>, now: jiff::Timestamp) -> Result<Vec<KioskRow>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT k.site, k.number, k.name, greatest(k.last_seen_at, h.received_at) AS last_seen,
                    h.app_version, h.catalogue_version, coalesce(h.printer, 'unknown') AS printer,
                    coalesce(h.outbox_pending, 0) AS outbox_pending, s.feed_version, s.feed_expires, s.time_zone,
                    k.clock_offset_ms, h.system,
                    (SELECT count(*) FROM number_collision c
                     WHERE c.site = k.site AND c.kiosk = k.number
                       AND c.local_date = ($2::timestamptz AT TIME ZONE s.time_zone)::date) AS repeated
             FROM kiosk k JOIN site s ON s.code = k.site LEFT JOIN kiosk_health h ON h.site = k.site AND h.kiosk = k.number
             WHERE k.revoked_at IS NULL AND ($1::text IS NULL OR k.site = $1)",
            &[&site, &Ts(now)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let code: String = r.try_get("site")?;
            let number: i16 = r.try_get("number")?;
            let bad = |what: &str| DbError::row("kiosk", format!("{code} {number}"), what);
            let feed_version = u64::try_from(r.try_get::<_, i64>("feed_version")?).map_err(|_| bad("feed_version"))?;
            let feed_expires = match r.try_get::<_, Option<String>>("feed_expires")? {
                None => None,
                Some(e) => Some(e.parse().map_err(|_| bad("its site's catalogue expiry"))?),
            };
            let printer: String = r.try_get("printer")?;
            let catalogue_version = match r.try_get::<_, Option<i64>>("catalogue_version")? {
                None => None,
                Some(v) => Some(u64::try_from(v).map_err(|_| bad("catalogue_version"))?),
            };
            Ok(KioskRow {
                facts: KioskFacts {
                    site: code.clone(),
                    kiosk: u8::try_from(number).map_err(|_| bad("number"))?,
                    name: r.try_get("name")?,
                    last_seen: r.try_get::<_, Option<Ts>>("last_seen")?.map(|t| t.0),
                    app_version: r.try_get("app_version")?,
                    catalogue_version,
                    printer: PrinterState::from_code(&printer),
                    outbox_pending: u64::try_from(r.try_get::<_, i64>("outbox_pending")?).unwrap_or(0),
                    clock_offset_secs: r.try_get::<_, Option<i64>>("clock_offset_ms")?.map(|ms| ms / 1000),
                    repeated_numbers: u32::try_from(r.try_get::<_, i64>("repeated")?).unwrap_or(u32::MAX),
                    system: match r.try_get::<_, Option<serde_json::Value>>("system")? {
                        None => None,
                        Some(v) => Some(serde_json::from_value(v).map_err(|_| bad("system"))?),
                    },
                },
                site: SiteFacts { code, feed_version, feed_expires },
                time_zone: r.try_get("time_zone")?,
            })
        })
        .collect()
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    pub site: String,
    pub kiosk: i16,
    pub kind: String,
    pub severity: String,
    pub message: String,
}

/// Raises an alert (or refreshes its words; its raise time stays the first one); whether
/// it is new.
pub async fn raise(db: &Db, alert: &StoredAlert, now: jiff::Timestamp) -> Result<bool, DbError> {
    let row = db
        .client()
        .await?
        .query_one(
            "INSERT INTO fleet_alert (site, kiosk, kind, severity, message, raised_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (site, kiosk, kind) DO UPDATE SET message = excluded.message, severity = excluded.severity
             RETURNING (xmax = 0) AS new",
            &[&alert.site, &alert.kiosk, &alert.kind, &alert.severity, &alert.message, &Ts(now)],
        )
        .await?;
    Ok(row.try_get("new")?)
}

pub async fn alerts(db: &Db) -> Result<Vec<StoredAlert>, DbError> {
    let rows = db.client().await?.query("SELECT site, kiosk, kind, severity, message FROM fleet_alert", &[]).await?;
    rows.iter()
        .map(|r| {
            Ok(StoredAlert {
                site: r.try_get("site")?,
                kiosk: r.try_get("kiosk")?,
                kind: r.try_get("kind")?,
                severity: r.try_get("severity")?,
                message: r.try_get("message")?,
            })
        })
        .collect()
}

/// Removes a cleared alert; whether this call removed it (one process tells the clearing).
pub async fn clear(db: &Db, site: &str, kiosk: i16, kind: &str) -> Result<bool, DbError> {
    let n = db
        .client()
        .await?
        .execute("DELETE FROM fleet_alert WHERE site = $1 AND kiosk = $2 AND kind = $3", &[&site, &kiosk, &kind])
        .await?;
    Ok(n == 1)
}

/// Queues a message for the webhook.
pub async fn enqueue_message(db: &Db, body: &serde_json::Value, now: jiff::Timestamp) -> Result<(), DbError> {
    db.client()
        .await?
        .execute("INSERT INTO webhook_outbox (body, attempts, retry_at) VALUES ($1, 0, $2)", &[body, &Ts(now)])
        .await?;
    Ok(())
}

/// A webhook message to deliver now: the oldest, when it is due (messages go in order),
/// leased for `lease` so another process does not send it meanwhile. (id, body, attempts).
pub async fn next_message(
    db: &Db,
    now: jiff::Timestamp,
    lease: jiff::SignedDuration,
) -> Result<Option<(i64, serde_json::Value, i32)>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            "UPDATE webhook_outbox SET retry_at = $2, attempts = attempts + 1
             WHERE id = (SELECT id FROM webhook_outbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) AND retry_at <= $1
             RETURNING id, body, attempts",
            &[&Ts(now), &Ts(now + lease)],
        )
        .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("body")?, r.try_get("attempts")?))).transpose()
}

/// A message the webhook took.
pub async fn delivered(db: &Db, id: i64) -> Result<(), DbError> {
    db.client().await?.execute("DELETE FROM webhook_outbox WHERE id = $1", &[&id]).await?;
    Ok(())
}

/// A message the webhook did not take: tried again at `retry_at`.
pub async fn retry_at(db: &Db, id: i64, retry_at: jiff::Timestamp) -> Result<(), DbError> {
    db.client().await?.execute("UPDATE webhook_outbox SET retry_at = $2 WHERE id = $1", &[&id, &Ts(retry_at)]).await?;
    Ok(())
}
