//! A site's queue read from the database: the waiting tickets of one local day, in the
//! calling order of `mpp_domain::queue`.

use deadpool_postgres::Pool;
use std::collections::HashMap;

use mpp_domain::estimate::{Summary, cycle_secs, summarise};
use mpp_domain::queue::{QueueState, ServiceLine, TicketPlace, Waiting, lines, people_ahead};
use mpp_domain::tickets::Priority;

use crate::db::DbError;

/// Statuses in which a ticket still waits to be called (until counters call them).
pub const WAITING: [&str; 4] = ["issued", "printed", "reprinted", "print_failed"];

async fn waiting(pool: &Pool, site: &str, date: jiff::civil::Date) -> Result<Vec<Waiting>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT number, service, priority, to_char(queue_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
             FROM ticket WHERE site = $1 AND local_date = $2::text::date AND status = ANY($3) AND call_state = 'waiting'",
            &[&site, &date.to_string(), &WAITING.as_slice()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Waiting {
            number: r.get(0),
            service: r.get(1),
            priority: r.get::<_, Option<String>>(2).and_then(|p| Priority::from_code(&p)),
            issued_at: r.get::<_, String>(3).parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        })
        .collect())
}

/// The queue of `site` on `date`, `show` next numbers per service.
pub async fn state(pool: &Pool, site: &str, date: jiff::civil::Date, show: usize) -> Result<QueueState, DbError> {
    state_of(pool, site, date, waiting(pool, site, date).await?, show).await
}

/// The queue from its waiting tickets (read once by the caller): each line with who is at
/// its counters, its open counters and its wait estimate.
async fn state_of(
    pool: &Pool,
    site: &str,
    date: jiff::civil::Date,
    waiting: Vec<Waiting>,
    show: usize,
) -> Result<QueueState, DbError> {
    let n = waiting.len();
    let mut services = lines(waiting, show);
    let client = pool.get().await?;
    // Who is at a counter now (and since when, for the estimate), per service.
    let now = crate::clock::now();
    let busy = client
        .query(
            "SELECT service, coalesce(EXTRACT(EPOCH FROM $3::text::timestamptz - last_call_at)::float8, 0) FROM ticket
             WHERE site = $1 AND local_date = $2::text::date AND call_state IN ('called', 'serving')",
            &[&site, &date.to_string(), &now.to_string()],
        )
        .await?;
    let mut at_counters: HashMap<String, Vec<u32>> = HashMap::new();
    for r in &busy {
        at_counters.entry(r.get(0)).or_default().push(r.get::<_, f64>(1).max(0.0).round() as u32);
    }
    for (service, at) in &at_counters {
        let i = match services.binary_search_by(|l| l.service.cmp(service)) {
            Ok(i) => i,
            // Someone at a counter but nobody waiting: the service has a line all the same.
            Err(i) => {
                services.insert(i, ServiceLine { service: service.clone(), ..Default::default() });
                i
            }
        };
        services[i].serving = at.len();
        services[i].at_counters = at.clone();
    }
    let open = client.query("SELECT s, count(*) FROM counter, unnest(services) AS s WHERE site = $1 AND paused_reason IS NULL GROUP BY s", &[&site]).await?;
    for r in open {
        let service: String = r.get(0);
        if let Ok(i) = services.binary_search_by(|l| l.service.cmp(&service)) {
            services[i].counters_open = usize::try_from(r.get::<_, i64>(1)).unwrap_or(0);
        }
    }
    drop(client);
    estimate(pool, site, date, &mut services).await?;
    Ok(QueueState { site: site.to_owned(), date, waiting: n, services })
}

/// How many earlier days give a service's cycle before today measures it.
const PRIOR_DAYS: i64 = 14;

/// Each service's cycles (seconds from calling a ticket to its finish or no-show), oldest
/// first, over the site's days `from..=to`.
async fn cycles(
    pool: &Pool,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<HashMap<String, Vec<u32>>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT coalesce(e.service, t.service),
                    EXTRACT(EPOCH FROM e.at - (SELECT max(c.at) FROM call_event c WHERE c.ticket = e.ticket AND c.action = 'call' AND c.at <= e.at))::float8
             FROM call_event e JOIN ticket t ON t.id = e.ticket
             WHERE e.site = $1 AND e.action IN ('finish', 'no_show') AND t.local_date BETWEEN $2::text::date AND $3::text::date
             ORDER BY e.at",
            &[&site, &from.to_string(), &to.to_string()],
        )
        .await?;
    let mut out: HashMap<String, Vec<u32>> = HashMap::new();
    for r in rows {
        if let Some(secs) = r.get::<_, Option<f64>>(1).filter(|s| *s >= 0.0) {
            out.entry(r.get(0)).or_default().push(secs.round() as u32);
        }
    }
    Ok(out)
}

/// Earlier days' cycle per service, computed once per site and day.
async fn prior(pool: &Pool, site: &str, date: jiff::civil::Date) -> Result<HashMap<String, f64>, DbError> {
    static KNOWN: std::sync::Mutex<Option<HashMap<(String, jiff::civil::Date), HashMap<String, f64>>>> =
        std::sync::Mutex::new(None);
    let key = (site.to_owned(), date);
    if let Some(p) = KNOWN.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|m| m.get(&key)) {
        return Ok(p.clone());
    }
    let from = date.checked_sub(jiff::Span::new().days(PRIOR_DAYS)).unwrap_or(date);
    let to = date.yesterday().unwrap_or(date);
    let p: HashMap<String, f64> = cycles(pool, site, from, to)
        .await?
        .into_iter()
        .filter_map(|(s, c)| Some((s, summarise(&c, Summary::CappedMean)?)))
        .collect();
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    let map = known.get_or_insert_with(HashMap::new);
    if map.len() > 1000 {
        map.clear();
    }
    map.insert(key, p.clone());
    Ok(p)
}

/// Fills each line's cycle and the wait of a number taken now (`mpp_domain::estimate`):
/// today's cycles blended with earlier days'; the time at its counters is already there.
async fn estimate(
    pool: &Pool,
    site: &str,
    date: jiff::civil::Date,
    services: &mut [ServiceLine],
) -> Result<(), DbError> {
    let today = cycles(pool, site, date, date).await?;
    let prior = prior(pool, site, date).await?;
    for line in services.iter_mut() {
        // A paused counter's citizen does not hold one of the open counters.
        line.at_counters.truncate(line.counters_open);
        let cycle = cycle_secs(
            today.get(&line.service).map_or(&[][..], Vec::as_slice),
            prior.get(&line.service).copied(),
            Summary::CappedMean,
        );
        // At least a second: a visit closed within a second of its call is still a visit.
        line.cycle_secs = cycle.map(|c| (c.round() as u32).max(1));
        line.wait_minutes = line.wait_for(line.waiting).map(|m| m.0);
    }
    Ok(())
}

/// One ticket's place in its service's line; `None` when the site has no such ticket that day.
pub async fn place(
    pool: &Pool,
    site: &str,
    date: jiff::civil::Date,
    number: &str,
) -> Result<Option<TicketPlace>, DbError> {
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt("SELECT service, CASE WHEN call_state = 'waiting' THEN status ELSE call_state END FROM ticket WHERE site = $1 AND local_date = $2::text::date AND number = $3", &[&site, &date.to_string(), &number])
        .await?
    else {
        return Ok(None);
    };
    let (service, status): (String, String) = (row.get(0), row.get(1));
    drop(client);
    if !WAITING.contains(&status.as_str()) {
        return Ok(Some(TicketPlace {
            number: number.to_owned(),
            service,
            status,
            people_ahead: None,
            wait_minutes: None,
        }));
    }
    let waiting = waiting(pool, site, date).await?;
    let ahead = people_ahead(&waiting, number);
    // The estimate from the service's line as the queue state has it now.
    let wait_minutes = match ahead {
        Some(n) => state_of(pool, site, date, waiting, 0)
            .await?
            .services
            .iter()
            .find(|l| l.service == service)
            .and_then(|l| l.wait_for(n))
            .map(|m| m.0),
        None => None,
    };
    Ok(Some(TicketPlace { number: number.to_owned(), service, status, people_ahead: ahead, wait_minutes }))
}

/// What the lobby display (and each counter page's header) shows: every counter with the
/// ticket at it (number, called or serving, since when, recalls) or paused, and the day's
/// last ten calls and recalls, newest first (a recall is a new entry: it is spoken again).
pub async fn calls(pool: &Pool, site: &str, date: jiff::civil::Date) -> Result<serde_json::Value, DbError> {
    use serde_json::json;
    let client = pool.get().await?;
    let ts = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";
    let counters = client
        .query(
            &format!(
                "SELECT c.number, c.name, c.paused_reason, t.number, t.call_state, t.recalls, t.service,
                        to_char(coalesce(CASE WHEN t.call_state = 'serving' THEN (SELECT max(at) FROM call_event e WHERE e.ticket = t.id AND e.action = 'start') END, t.last_call_at) AT TIME ZONE 'UTC', {ts})
                 FROM counter c
                 LEFT JOIN ticket t ON t.site = c.site AND t.counter = c.number AND t.local_date = $2::text::date AND t.call_state IN ('called', 'serving')
                 WHERE c.site = $1 ORDER BY c.number"
            ),
            &[&site, &date.to_string()],
        )
        .await?;
    let calls = client
        .query(
            &format!(
                "SELECT e.id, e.number, e.counter, coalesce(c.name, 'Loket ' || e.counter), e.action, to_char(e.at AT TIME ZONE 'UTC', {ts})
                 FROM call_event e JOIN ticket t ON t.id = e.ticket LEFT JOIN counter c ON c.site = e.site AND c.number = e.counter
                 WHERE e.site = $1 AND t.local_date = $2::text::date AND e.action IN ('call', 'recall')
                 ORDER BY e.id DESC LIMIT 10"
            ),
            &[&site, &date.to_string()],
        )
        .await?;
    Ok(json!({
        "counters": counters.iter().map(|r| json!({
            "number": r.get::<_, i16>(0), "name": r.get::<_, String>(1), "paused": r.get::<_, Option<String>>(2).is_some(),
            "paused_reason": r.get::<_, Option<String>>(2), "serving": r.get::<_, Option<String>>(3), "state": r.get::<_, Option<String>>(4),
            "recalls": r.get::<_, Option<i16>>(5), "service": r.get::<_, Option<String>>(6), "since": r.get::<_, Option<String>>(7),
        })).collect::<Vec<_>>(),
        "calls": calls.iter().map(|r| json!({ "id": r.get::<_, i64>(0), "number": r.get::<_, Option<String>>(1), "counter": r.get::<_, i16>(2), "counter_name": r.get::<_, String>(3), "action": r.get::<_, String>(4), "at": r.get::<_, String>(5) })).collect::<Vec<_>>(),
    }))
}

/// Each site's time zone, read once a minute at most: every queue request needs the
/// site's "today", and asking the database for it each time made the database the
/// bottleneck of a hundred displays.
#[derive(Default)]
pub struct Zones {
    known: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Option<jiff::tz::TimeZone>)>>,
}

impl Zones {
    const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

    /// The site's local day at `now`; `None` for an unknown site.
    pub async fn today(
        &self,
        pool: &Pool,
        site: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<jiff::civil::Date>, DbError> {
        let cached = self
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(site)
            .filter(|(at, _)| at.elapsed() < Self::MAX_AGE)
            .map(|(_, tz)| tz.clone());
        let zone = match cached {
            Some(zone) => zone,
            None => {
                let client = pool.get().await?;
                let zone = client
                    .query_opt("SELECT time_zone FROM site WHERE code = $1", &[&site])
                    .await?
                    .map(|row| jiff::tz::TimeZone::get(&row.get::<_, String>(0)).unwrap_or(jiff::tz::TimeZone::UTC));
                let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
                if known.len() > 10_000 {
                    known.clear(); // a client inventing site codes cannot grow this forever
                }
                known.insert(site.to_owned(), (std::time::Instant::now(), zone.clone()));
                zone
            }
        };
        Ok(zone.map(|tz| now.to_zoned_datetime(tz).date()))
    }
}

/// Computed queue states as JSON, per (site, day), for many readers (the lobby displays,
/// the kiosks, the event streams). A site's entries are dropped when it changes (NOTIFY
/// from any process); a state computed while a change came in is not kept (the site's
/// generation moved on); and no entry is older than [`Cache::MAX_AGE`], in case a
/// notification was lost while the LISTEN connection was being made again.
#[derive(Default)]
pub struct Cache {
    /// What it holds: the queue state, or the calls.
    pub calls: bool,
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

    /// A cache of the displays' calls ([`calls`]) instead of queue states.
    pub fn of_calls() -> Cache {
        Cache { calls: true, ..Default::default() }
    }
    /// How old an entry may be when handed out while it is being computed again.
    const STALE_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

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

    fn fresh(&self, key: &(String, jiff::civil::Date), not_before: Option<std::time::Instant>) -> Option<bytes::Bytes> {
        Self::usable(&self.lock(), key, not_before)
    }

    fn stale(&self, key: &(String, jiff::civil::Date), not_before: Option<std::time::Instant>) -> Option<bytes::Bytes> {
        self.lock()
            .entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < Self::STALE_LIMIT && not_before.is_none_or(|nb| *at >= nb))
            .map(|(_, json)| json.clone())
    }

    fn usable(
        inner: &Inner,
        key: &(String, jiff::civil::Date),
        not_before: Option<std::time::Instant>,
    ) -> Option<bytes::Bytes> {
        inner
            .entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < Self::MAX_AGE && not_before.is_none_or(|nb| *at >= nb))
            .map(|(_, json)| json.clone())
    }

    /// The state as JSON, from the cache or computed now. `not_before`: an event stream
    /// woken by a change takes only a state whose query started after it heard of the
    /// change (the cache may not have heard yet), so it never sends the state before it.
    pub async fn get_or_compute(
        &self,
        pool: &Pool,
        site: &str,
        date: jiff::civil::Date,
        not_before: Option<std::time::Instant>,
    ) -> Result<bytes::Bytes, DbError> {
        let key = (site.to_owned(), date);
        if let Some(json) = self.fresh(&key, not_before) {
            return Ok(json);
        }
        // An entry still in the cache has seen no change since (a change removes it); it
        // is only old. While one request computes it again, the others take it as it is
        // rather than queue behind the query.
        let _computing = match self.computing.try_lock() {
            Ok(guard) => guard,
            Err(_) => match self.stale(&key, not_before) {
                Some(json) => return Ok(json),
                None => self.computing.lock().await,
            },
        };
        let generation = {
            let inner = self.lock();
            if let Some(json) = Self::usable(&inner, &key, not_before) {
                return Ok(json);
            }
            inner.generation.get(site).copied().unwrap_or(0)
        };
        let at = std::time::Instant::now();
        let json = bytes::Bytes::from(if self.calls {
            serde_json::to_vec(&calls(pool, site, date).await?).expect("calls serialise")
        } else {
            serde_json::to_vec(&state(pool, site, date, 5).await?).expect("a queue state serialises")
        });
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
