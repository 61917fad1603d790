//! A site's queue: the waiting tickets of one local day in the calling order of
//! `mpp_domain::queue`, who is at the counters, each line's wait estimate
//! (`mpp_domain::estimate`: today's cycles blended with the last 14 days'), one ticket's
//! place, and the lobby display's board. The states many clients read are cached as JSON
//! per site and day and dropped when the site changes.

use std::collections::HashMap;
use std::sync::Arc;

use mpp_domain::estimate::{Summary, cycle_secs, summarise};
use mpp_domain::queue::{QueueState, ServiceLine, TicketPlace, lines, people_ahead};

use crate::db::queue::{Board, CounterDesk, TicketState};
use crate::db::{self, DbError};

use super::App;

/// How many earlier days give a service's cycle before today measures it.
const PRIOR_DAYS: i64 = 14;

/// How many next numbers each line of a cached state lists.
const SHOWN: usize = 5;

impl App {
    /// The site's time zone (an IANA name), cached a minute; `None` for an unknown site.
    pub async fn zone(&self, site: &str) -> Result<Option<String>, DbError> {
        if let Some(zone) = self.zones.get(&site.to_owned()) {
            return Ok(zone);
        }
        let zone = db::sites::time_zone(&self.db, site).await?;
        self.zones.put(site.to_owned(), zone.clone());
        Ok(zone)
    }

    /// The site's local day at `now`; `None` for an unknown site.
    pub async fn today(&self, site: &str, now: jiff::Timestamp) -> Result<Option<jiff::civil::Date>, DbError> {
        Ok(self.zone(site).await?.map(|zone| mpp_domain::hours::local_day(now, &zone)))
    }

    /// The queue of `site` on `date` at `now`, `show` next numbers per service.
    pub async fn queue_state(
        &self,
        site: &str,
        date: jiff::civil::Date,
        show: usize,
        now: jiff::Timestamp,
    ) -> Result<QueueState, DbError> {
        let waiting = db::queue::waiting(&self.db, site, date).await?;
        self.state_of(site, date, waiting, show, now).await
    }

    /// The queue from its waiting tickets (read once by the caller): each line with who is
    /// at its counters, its open counters and its wait estimate.
    async fn state_of(
        &self,
        site: &str,
        date: jiff::civil::Date,
        waiting: Vec<mpp_domain::queue::Waiting>,
        show: usize,
        now: jiff::Timestamp,
    ) -> Result<QueueState, DbError> {
        let n = waiting.len();
        let mut services = lines(waiting, show);
        // Who is at a counter now, and for how long (for the estimate), per service.
        for (service, since) in db::queue::at_counters(&self.db, site, date).await? {
            let at: Vec<u32> = since
                .iter()
                .map(|s| s.map_or(0.0, |s| now.duration_since(s).as_secs_f64().max(0.0)).round() as u32)
                .collect();
            let i = match services.binary_search_by(|l| l.service.cmp(&service)) {
                Ok(i) => i,
                // Someone at a counter but nobody waiting: the service has a line all the same.
                Err(i) => {
                    services.insert(i, ServiceLine { service: service.clone(), ..Default::default() });
                    i
                }
            };
            services[i].serving = at.len();
            services[i].at_counters = at;
        }
        for (service, open) in db::queue::open_counters(&self.db, site).await? {
            if let Ok(i) = services.binary_search_by(|l| l.service.cmp(&service)) {
                services[i].counters_open = open;
            }
        }
        self.estimate(site, date, &mut services).await?;
        Ok(QueueState { site: site.to_owned(), date, waiting: n, services })
    }

    /// Earlier days' cycle per service, computed once per site and day.
    async fn prior(&self, site: &str, date: jiff::civil::Date) -> Result<Arc<HashMap<String, f64>>, DbError> {
        let key = (site.to_owned(), date);
        if let Some(p) = self.prior.get(&key) {
            return Ok(p);
        }
        let from = date.checked_sub(jiff::Span::new().days(PRIOR_DAYS)).unwrap_or(date);
        let to = date.yesterday().unwrap_or(date);
        let p: HashMap<String, f64> = db::queue::cycles(&self.db, site, from, to)
            .await?
            .into_iter()
            .filter_map(|(s, c)| Some((s, summarise(&c, Summary::CappedMean)?)))
            .collect();
        let p = Arc::new(p);
        self.prior.put(key, p.clone());
        Ok(p)
    }

    /// Fills each line's cycle and the wait of a number taken now: today's cycles blended
    /// with earlier days'; the time at its counters is already there.
    async fn estimate(&self, site: &str, date: jiff::civil::Date, services: &mut [ServiceLine]) -> Result<(), DbError> {
        let today = db::queue::cycles(&self.db, site, date, date).await?;
        let prior = self.prior(site, date).await?;
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
        &self,
        site: &str,
        date: jiff::civil::Date,
        number: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<TicketPlace>, DbError> {
        let Some(t) = db::queue::ticket_by_number(&self.db, site, date, number).await? else { return Ok(None) };
        self.place_of(&t, now).await.map(Some)
    }

    /// The place of a ticket already read.
    pub async fn place_of(&self, t: &TicketState, now: jiff::Timestamp) -> Result<TicketPlace, DbError> {
        let status = if t.call_state == mpp_domain::calling::CallState::Waiting {
            t.status.clone()
        } else {
            t.call_state.code().to_owned()
        };
        let place = |people_ahead, wait_minutes| TicketPlace {
            number: t.number.clone(),
            service: t.service.clone(),
            status: status.clone(),
            people_ahead,
            wait_minutes,
        };
        if !db::calling::CALLABLE.contains(&status.as_str()) {
            return Ok(place(None, None));
        }
        let waiting = db::queue::waiting(&self.db, &t.site, t.date).await?;
        let ahead = people_ahead(&waiting, &t.number);
        // The estimate from the service's line as the queue state has it now.
        let wait_minutes = match ahead {
            Some(n) => self
                .state_of(&t.site, t.date, waiting, 0, now)
                .await?
                .services
                .iter()
                .find(|l| l.service == t.service)
                .and_then(|l| l.wait_for(n))
                .map(|m| m.0),
            None => None,
        };
        Ok(place(ahead, wait_minutes))
    }

    /// The ticket with the kiosk's id (the status page's link).
    pub async fn ticket(&self, id: &str) -> Result<Option<TicketState>, DbError> {
        db::queue::ticket_by_id(&self.db, id).await
    }

    /// What the lobby display shows.
    pub async fn board(&self, site: &str, date: jiff::civil::Date) -> Result<Board, DbError> {
        db::queue::board(&self.db, site, date).await
    }

    /// One counter's services, pause and ticket on `date`; `None`: no such counter.
    pub async fn counter_desk(
        &self,
        site: &str,
        counter: i16,
        date: jiff::civil::Date,
    ) -> Result<Option<CounterDesk>, DbError> {
        db::queue::counter_desk(&self.db, site, counter, date).await
    }

    /// The queue state as JSON, from the cache; `heard`: the change that woke the caller
    /// (an older state is not handed out).
    pub async fn queue_json(
        &self,
        site: &str,
        date: jiff::civil::Date,
        heard: Option<std::time::Instant>,
    ) -> Result<bytes::Bytes, DbError> {
        self.queues
            .get_or_compute(site, date, heard, || async {
                let state = self.queue_state(site, date, SHOWN, crate::clock::now()).await?;
                Ok(serde_json::to_vec(&state).expect("a queue state serialises").into())
            })
            .await
    }

    /// The board as JSON, from the cache.
    pub async fn board_json(
        &self,
        site: &str,
        date: jiff::civil::Date,
        heard: Option<std::time::Instant>,
    ) -> Result<bytes::Bytes, DbError> {
        self.boards
            .get_or_compute(site, date, heard, || async {
                Ok(serde_json::to_vec(&self.board(site, date).await?).expect("a board serialises").into())
            })
            .await
    }
}
