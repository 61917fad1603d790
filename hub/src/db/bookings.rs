//! Bookings in PostgreSQL: the policy per site and service, a booking taken under its caps
//! (one transaction: every count raised by a statement that cannot pass its capacity, then
//! the booking), found by its code's hash, cancelled (its places given back), checked in
//! once, listed for a day (the kiosks' copy, the desk), and the hub's secret key.

use super::{Day, Db, DbError, Ts};

/// A site's policy for `service`, or its default ('*'), as stored (JSON of the domain's
/// `BookingPolicy`); `None`: no bookings.
pub async fn policy(db: &Db, site: &str, service: &str) -> Result<Option<serde_json::Value>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            "SELECT policy FROM booking_policy WHERE site = $1 AND service IN ($2, '*')
             ORDER BY service = '*' LIMIT 1",
            &[&site, &service],
        )
        .await?;
    row.map(|r| r.try_get("policy")).transpose().map_err(DbError::from)
}

/// Sets (or, with `None`, removes) the policy of `service` ('*': the site's default).
pub async fn set_policy(
    db: &Db,
    site: &str,
    service: &str,
    policy: Option<&serde_json::Value>,
    now: jiff::Timestamp,
) -> Result<(), DbError> {
    let client = db.client().await?;
    match policy {
        Some(p) => {
            client
                .execute(
                    "INSERT INTO booking_policy (site, service, policy, set_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (site, service) DO UPDATE SET policy = excluded.policy, set_at = excluded.set_at",
                    &[&site, &service, p, &Ts(now)],
                )
                .await?
        }
        None => {
            client.execute("DELETE FROM booking_policy WHERE site = $1 AND service = $2", &[&site, &service]).await?
        }
    };
    Ok(())
}

/// A count a booking takes a place of: per slot, per service and day, per person and day.
pub struct Count {
    pub scope: &'static str,
    pub key: String,
    pub capacity: i32,
}

/// A booking as it is to be stored.
pub struct NewBooking {
    pub id: String,
    pub site: String,
    pub service: String,
    pub date: jiff::civil::Date,
    pub slot_start: String,
    pub slot_end: String,
    pub slot_at: jiff::Timestamp,
    pub late_minutes: i32,
    pub code_hash: String,
    pub page_key_hash: String,
    pub day_counted: bool,
    pub nik_hash: String,
    pub nik_last4: String,
    pub phone: Option<String>,
}

/// Why a booking was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Full {
    /// That count has no place left.
    Count(&'static str),
    /// The person has had too many bookings not checked in lately.
    Strikes,
}

/// Takes a place of every count and stores the booking, in one transaction; `Err(Full)`
/// when a count has none left (nothing is then taken). `strikes`: (how many no-shows
/// block, since when they count).
pub async fn book(
    db: &Db,
    b: &NewBooking,
    counts: &[Count],
    strikes: Option<(i64, jiff::Timestamp)>,
    now: jiff::Timestamp,
) -> Result<Result<(), Full>, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    if let Some((max, since)) = strikes {
        let missed: i64 = tx
            .query_one(
                "SELECT count(*) AS n FROM booking WHERE site = $1 AND nik_hash = $2 AND state = 'no_show' AND state_at >= $3",
                &[&b.site, &b.nik_hash, &Ts(since)],
            )
            .await?
            .try_get("n")?;
        if missed >= max {
            return Ok(Err(Full::Strikes));
        }
    }
    for c in counts {
        tx.execute(
            "INSERT INTO booking_count (site, scope, key, local_date, capacity, taken) VALUES ($1, $2, $3, $4, $5, 0)
             ON CONFLICT (site, scope, key, local_date) DO UPDATE SET capacity = GREATEST(excluded.capacity, booking_count.taken)",
            &[&b.site, &c.scope, &c.key, &Day(b.date), &c.capacity],
        )
        .await?;
        // One statement: under concurrency each waits for the row and sees the last count.
        let took = tx
            .execute(
                "UPDATE booking_count SET taken = taken + 1
                 WHERE site = $1 AND scope = $2 AND key = $3 AND local_date = $4 AND taken < capacity",
                &[&b.site, &c.scope, &c.key, &Day(b.date)],
            )
            .await?;
        if took == 0 {
            return Ok(Err(Full::Count(c.scope)));
        }
    }
    tx.execute(
        "INSERT INTO booking (id, site, service, local_date, slot_start, slot_end, slot_at, late_minutes, code_hash,
                              nik_hash, nik_last4, phone, state, booked_at, state_at, page_key_hash, day_counted)
         VALUES ($1, $2, $3, $4, $5, $6, $12, $13, $7, $8, $9, $10, 'booked', $11, $11, $14, $15)",
        &[
            &b.id,
            &b.site,
            &b.service,
            &Day(b.date),
            &b.slot_start,
            &b.slot_end,
            &b.code_hash,
            &b.nik_hash,
            &b.nik_last4,
            &b.phone,
            &Ts(now),
            &Ts(b.slot_at),
            &b.late_minutes,
            &b.page_key_hash,
            &b.day_counted,
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Booking {
    pub id: String,
    pub site: String,
    pub service: String,
    pub local_date: jiff::civil::Date,
    pub slot_start: String,
    pub slot_end: String,
    #[serde(skip)]
    pub code_hash: String,
    #[serde(skip)]
    pub page_key_hash: String,
    #[serde(skip)]
    pub day_counted: bool,
    /// The booking's own page (`/b/{site}/{code}/{key}`): known only when it was just taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    pub nik_last4: String,
    pub state: String,
    pub ticket: Option<String>,
    pub checked_in_by: Option<String>,
    pub conflict: Option<String>,
}

pub(super) const BOOKING: &str =
    "id, site, service, local_date, slot_start, slot_end, code_hash, page_key_hash, day_counted, nik_last4, state, ticket,
     checked_in_by, conflict";

pub(super) fn booking(r: &tokio_postgres::Row) -> Result<Booking, DbError> {
    Ok(Booking {
        id: r.try_get("id")?,
        site: r.try_get("site")?,
        service: r.try_get("service")?,
        local_date: r.try_get::<_, Day>("local_date")?.0,
        slot_start: r.try_get("slot_start")?,
        slot_end: r.try_get("slot_end")?,
        code_hash: r.try_get("code_hash")?,
        page_key_hash: r.try_get("page_key_hash")?,
        day_counted: r.try_get("day_counted")?,
        page: None,
        nik_last4: r.try_get("nik_last4")?,
        state: r.try_get("state")?,
        ticket: r.try_get("ticket")?,
        checked_in_by: r.try_get("checked_in_by")?,
        conflict: r.try_get("conflict")?,
    })
}

/// The booking with this code's hash.
pub async fn by_code(db: &Db, code_hash: &str) -> Result<Option<Booking>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(&format!("SELECT {BOOKING} FROM booking WHERE code_hash = $1"), &[&code_hash])
        .await?;
    row.as_ref().map(booking).transpose()
}

/// A person's bookings of one day at a site (the desk finds a citizen by NIK).
pub async fn by_person(db: &Db, site: &str, nik_hash: &str, date: jiff::civil::Date) -> Result<Vec<Booking>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            &format!(
                "SELECT {BOOKING} FROM booking WHERE site = $1 AND nik_hash = $2 AND local_date = $3 ORDER BY slot_start"
            ),
            &[&site, &nik_hash, &Day(date)],
        )
        .await?;
    rows.iter().map(booking).collect()
}

/// A site's bookings of one day, by slot (the kiosks' copy, the desk's list).
pub async fn of_day(db: &Db, site: &str, date: jiff::civil::Date) -> Result<Vec<Booking>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            &format!("SELECT {BOOKING} FROM booking WHERE site = $1 AND local_date = $2 ORDER BY slot_start, id"),
            &[&site, &Day(date)],
        )
        .await?;
    rows.iter().map(booking).collect()
}

/// Cancels a booking still booked whose window has not ended (a booking missed is a
/// no-show, not cancelled afterwards) and gives its places back; whether it was.
pub async fn cancel(
    db: &Db,
    id: &str,
    counts: &[(&'static str, String)],
    now: jiff::Timestamp,
) -> Result<bool, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let Some(row) = tx
        .query_opt(
            "UPDATE booking SET state = 'cancelled', state_at = $2
             WHERE id = $1 AND state = 'booked' AND slot_at + make_interval(mins => late_minutes) > $2
             RETURNING site, local_date",
            &[&id, &Ts(now)],
        )
        .await?
    else {
        return Ok(false);
    };
    let (site, date): (String, Day) = (row.try_get("site")?, row.try_get("local_date")?);
    for (scope, key) in counts {
        tx.execute(
            "UPDATE booking_count SET taken = taken - 1
             WHERE site = $1 AND scope = $2 AND key = $3 AND local_date = $4 AND taken > 0",
            &[&site, scope, key, &date],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Marks a booking checked in, once: the first check-in wins; a second one (another kiosk
/// while the network was cut) is recorded as the booking's conflict. Returns the booking
/// as it now stands and whether this was the first.
pub async fn check_in(
    db: &Db,
    code_hash: &str,
    ticket: &str,
    by: &str,
    now: jiff::Timestamp,
) -> Result<Option<(Booking, bool)>, DbError> {
    let client = db.client().await?;
    let first = client
        .execute(
            "UPDATE booking SET state = 'checked_in', state_at = $4, ticket = $2, checked_in_by = $3
             WHERE code_hash = $1 AND state = 'booked'",
            &[&code_hash, &ticket, &by, &Ts(now)],
        )
        .await?
        == 1;
    if !first {
        client
            .execute(
                "UPDATE booking SET conflict = coalesce(conflict || '; ', '') || $2
                 WHERE code_hash = $1 AND state = 'checked_in' AND ticket IS DISTINCT FROM $3",
                &[&code_hash, &format!("{by}: {ticket}"), &ticket],
            )
            .await?;
    }
    Ok(by_code(db, code_hash).await?.map(|b| (b, first)))
}

/// A site's bookings of days before its `today` never checked in become no-shows (they
/// count as strikes).
pub async fn close_days_before(
    db: &Db,
    site: &str,
    today: jiff::civil::Date,
    now: jiff::Timestamp,
) -> Result<u64, DbError> {
    Ok(db
        .client()
        .await?
        .execute(
            "UPDATE booking SET state = 'no_show', state_at = $2 WHERE site = $3 AND state = 'booked' AND local_date < $1",
            &[&Day(today), &Ts(now), &site],
        )
        .await?)
}

/// The hub's secret `name`, made (from `fresh`) the first time it is asked for.
pub async fn secret(db: &Db, name: &str, fresh: &[u8]) -> Result<Vec<u8>, DbError> {
    let client = db.client().await?;
    client
        .execute("INSERT INTO hub_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", &[&name, &fresh])
        .await?;
    Ok(client.query_one("SELECT value FROM hub_secret WHERE name = $1", &[&name]).await?.try_get("value")?)
}

/// Places taken at a site on the days `from..=to`, by (day, scope, key): one query for the
/// whole page of days.
pub type Taken = std::collections::HashMap<(jiff::civil::Date, &'static str, String), u32>;

pub async fn taken(db: &Db, site: &str, from: jiff::civil::Date, to: jiff::civil::Date) -> Result<Taken, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT local_date, scope, key, taken FROM booking_count WHERE site = $1 AND local_date BETWEEN $2 AND $3",
            &[&site, &Day(from), &Day(to)],
        )
        .await?;
    let mut out = std::collections::HashMap::new();
    for r in rows {
        let scope: String = r.try_get("scope")?;
        let scope = match scope.as_str() {
            "slot" => "slot",
            "day" => "day",
            "person" => "person",
            other => return Err(DbError::row("booking_count", other, "an unknown scope")),
        };
        let taken: i32 = r.try_get("taken")?;
        out.insert((r.try_get::<_, Day>("local_date")?.0, scope, r.try_get("key")?), taken.max(0) as u32);
    }
    Ok(out)
}

/// The keyed hash of a booking's NIK (to give its person's place back on cancelling).
pub async fn nik_hash_of(db: &Db, id: &str) -> Result<String, DbError> {
    Ok(db.client().await?.query_one("SELECT nik_hash FROM booking WHERE id = $1", &[&id]).await?.try_get("nik_hash")?)
}

/// Every policy of a site, by service ('*': its default).
pub async fn policies(db: &Db, site: &str) -> Result<Vec<(String, serde_json::Value)>, DbError> {
    let rows = db.client().await?.query("SELECT service, policy FROM booking_policy WHERE site = $1", &[&site]).await?;
    rows.iter().map(|r| Ok((r.try_get("service")?, r.try_get("policy")?))).collect()
}
