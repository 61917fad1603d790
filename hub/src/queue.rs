//! A site's queue read from the database: the waiting tickets of one local day, in the
//! calling order of `mpp_domain::queue`.

use deadpool_postgres::Pool;
use mpp_domain::queue::{lines, ServiceLine, Waiting};
use mpp_domain::tickets::Priority;

use crate::db::DbError;

/// Statuses in which a ticket still waits to be called (until counters call them).
pub const WAITING: [&str; 4] = ["issued", "printed", "reprinted", "print_failed"];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueueState {
    pub site: String,
    pub date: jiff::civil::Date,
    pub waiting: usize,
    pub services: Vec<ServiceLine>,
}

/// The site's local day now, from its time zone; `None` for an unknown site.
pub async fn today(pool: &Pool, site: &str, now: jiff::Timestamp) -> Result<Option<jiff::civil::Date>, DbError> {
    let client = pool.get().await?;
    let Some(row) = client.query_opt("SELECT time_zone FROM site WHERE code = $1", &[&site]).await? else { return Ok(None) };
    let zone: String = row.get(0);
    let tz = jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(Some(now.to_zoned_datetime(tz).date()))
}

/// The queue of `site` on `date`, `show` next numbers per service.
pub async fn state(pool: &Pool, site: &str, date: jiff::civil::Date, show: usize) -> Result<QueueState, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT number, service, priority, to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
             FROM ticket WHERE site = $1 AND local_date = $2::text::date AND status = ANY($3)",
            &[&site, &date.to_string(), &WAITING.as_slice()],
        )
        .await?;
    let waiting: Vec<Waiting> = rows
        .iter()
        .map(|r| Waiting {
            number: r.get(0),
            service: r.get(1),
            priority: r.get::<_, Option<String>>(2).and_then(|p| Priority::from_code(&p)),
            issued_at: r.get::<_, String>(3).parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        })
        .collect();
    let n = waiting.len();
    Ok(QueueState { site: site.to_owned(), date, waiting: n, services: lines(waiting, show) })
}
