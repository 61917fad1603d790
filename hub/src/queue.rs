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

/// Computed queue states as JSON, per (site, day), for many readers (the lobby displays,
/// the kiosks, the event streams). A site's entries are dropped when it changes (NOTIFY
/// from any process); a state computed while a change came in is not kept (the site's
/// generation moved on); and no entry is older than [`Cache::MAX_AGE`], in case a
/// notification was lost while the LISTEN connection was being made again.
#[derive(Default)]
pub struct Cache {
    inner: std::sync::Mutex<Inner>,
    /// One computation at a time: a hundred displays asking at once after a change wait
    /// for one query instead of running a hundred.
    computing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Inner {
    entries: std::collections::HashMap<(String, jiff::civil::Date), (std::time::Instant, bytes::Bytes)>,
    generation: std::collections::HashMap<String, u64>,
}

impl Cache {
    pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(2);

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn forget(&self, site: &str) {
        let mut inner = self.lock();
        inner.entries.retain(|(s, _), _| s != site);
        *inner.generation.entry(site.to_owned()).or_default() += 1;
    }

    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation.values_mut().for_each(|g| *g += 1);
    }

    fn fresh(&self, key: &(String, jiff::civil::Date)) -> Option<bytes::Bytes> {
        self.lock().entries.get(key).filter(|(at, _)| at.elapsed() < Self::MAX_AGE).map(|(_, json)| json.clone())
    }

    /// The state as JSON, from the cache or computed now.
    pub async fn get_or_compute(&self, pool: &Pool, site: &str, date: jiff::civil::Date) -> Result<bytes::Bytes, DbError> {
        let key = (site.to_owned(), date);
        if let Some(json) = self.fresh(&key) {
            return Ok(json);
        }
        let _computing = self.computing.lock().await;
        let generation = {
            let inner = self.lock();
            if let Some((_, json)) = inner.entries.get(&key).filter(|(at, _)| at.elapsed() < Self::MAX_AGE) {
                return Ok(json.clone());
            }
            inner.generation.get(site).copied().unwrap_or(0)
        };
        let at = std::time::Instant::now();
        let json = bytes::Bytes::from(serde_json::to_vec(&state(pool, site, date, 5).await?).expect("a queue state serialises"));
        let mut inner = self.lock();
        if inner.generation.get(site).copied().unwrap_or(0) == generation {
            if inner.entries.len() > 1000 {
                inner.entries.clear();
            }
            inner.entries.insert(key, (at, json.clone()));
        }
        Ok(json)
    }
}
