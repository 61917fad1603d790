//! The performance report of a site over a period, from the counters' audit trail: per
//! agency, service, counter and staff member, tickets issued, called, served, no-shows and
//! transfers; waits (issue to first call) and service times (start, or call, to finish) as
//! median and p90; tickets and waits per hour of the day; each counter's busy, paused
//! (by reason) and idle time; and the IKM of the period's survey responses, computed by
//! `survey::ikm` as on the kiosk. Plain data in, figures out: the site server reads the
//! trail, renders the page, the CSV and the command line's text from this.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::survey::ikm::{Ikm, compute};

/// How a ticket's day ended (so far).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    Waiting,
    AtCounter,
    Served,
    NoShow,
    Voided,
}

/// One ticket's day as the trail tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub service: String,
    pub agency: String,
    pub issued_at: jiff::Timestamp,
    /// The first call of the day (the wait ends here).
    pub first_call: Option<jiff::Timestamp>,
    /// When its last service began ("start"), if the counter marked it.
    pub start: Option<jiff::Timestamp>,
    /// The last call before the end (a service without "start" is timed from it).
    pub last_call: Option<jiff::Timestamp>,
    /// Finish or no-show.
    pub end_at: Option<jiff::Timestamp>,
    pub end: End,
    /// The counter and staff member that ended it (or last called it).
    pub counter: Option<i16>,
    pub staff: Option<String>,
    pub transfers: u32,
}

/// A counter's pause: from, until (open-ended pauses end at the period's last event).
#[derive(Debug, Clone, PartialEq)]
pub struct Pause {
    pub counter: i16,
    pub reason: String,
    pub from: jiff::Timestamp,
    pub until: jiff::Timestamp,
}

/// Counts and times of one group (the site, an agency, a service, a counter, a person).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Figures {
    pub issued: u32,
    pub called: u32,
    pub served: u32,
    pub no_shows: u32,
    pub transfers: u32,
    /// Minutes from issue to the first call: median and p90 (nearest rank).
    pub wait_median_min: Option<f64>,
    pub wait_p90_min: Option<f64>,
    /// Minutes of service: median and p90, over served tickets.
    pub service_median_min: Option<f64>,
    pub service_p90_min: Option<f64>,
}

/// A traffic light for a service's waits: green when nine in ten are called within
/// `AMBER_MIN`, amber within `RED_MIN`, red beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Amber,
    Red,
}

pub const AMBER_MIN: f64 = 30.0;
pub const RED_MIN: f64 = 60.0;

impl Light {
    pub fn of(f: &Figures) -> Option<Light> {
        let p90 = f.wait_p90_min?;
        Some(if p90 <= AMBER_MIN {
            Light::Green
        } else if p90 <= RED_MIN {
            Light::Amber
        } else {
            Light::Red
        })
    }
}

/// One local hour of the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hour {
    pub hour: i8,
    pub issued: u32,
    /// The median wait of the tickets issued in that hour and called.
    pub wait_median_min: Option<f64>,
}

/// A counter's time: busy with citizens, paused (by reason), idle (the rest of its day,
/// from its first call to its last end).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterTime {
    pub counter: i16,
    pub busy_min: f64,
    pub paused_min: f64,
    pub paused_by_reason: BTreeMap<String, f64>,
    pub idle_min: f64,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub site: Figures,
    pub by_agency: BTreeMap<String, Figures>,
    pub by_service: BTreeMap<String, (Figures, Option<Light>)>,
    pub by_staff: BTreeMap<String, Figures>,
    pub counters: Vec<CounterTime>,
    pub hours: Vec<Hour>,
    /// The busiest hours, most tickets first (at most three).
    pub busiest_hours: Vec<i8>,
    pub ikm: Option<Ikm>,
}

fn minutes(a: jiff::Timestamp, b: jiff::Timestamp) -> f64 {
    b.duration_since(a).as_secs_f64() / 60.0
}

/// Nearest-rank percentile (`p` in 0..=1) of unsorted values; `None` for none.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = (p * v.len() as f64).ceil().max(1.0) as usize;
    Some(v[rank - 1])
}

fn figures<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> Figures {
    let mut f = Figures::default();
    let (mut waits, mut services) = (Vec::new(), Vec::new());
    for v in visits {
        if v.end == End::Voided {
            continue;
        }
        f.issued += 1;
        f.transfers += v.transfers;
        if let Some(c) = v.first_call {
            f.called += 1;
            waits.push(minutes(v.issued_at, c));
        }
        match v.end {
            End::Served => {
                f.served += 1;
                if let (Some(from), Some(to)) = (v.start.or(v.last_call), v.end_at) {
                    services.push(minutes(from, to));
                }
            }
            End::NoShow => f.no_shows += 1,
            _ => {}
        }
    }
    f.wait_median_min = percentile(&waits, 0.5);
    f.wait_p90_min = percentile(&waits, 0.9);
    f.service_median_min = percentile(&services, 0.5);
    f.service_p90_min = percentile(&services, 0.9);
    f
}

/// The report of `visits` and `pauses`, hours in `zone`, the IKM of `survey` (each
/// response's answers, as uploaded) over `elements`.
pub fn report(
    visits: &[Visit],
    pauses: &[Pause],
    zone: &jiff::tz::TimeZone,
    elements: &[String],
    survey: &[Vec<crate::protocol::Answer>],
) -> Report {
    let survey: Vec<Vec<(String, u8)>> =
        survey.iter().map(|r| r.iter().map(|a| (a.element.as_str().to_owned(), a.value)).collect()).collect();
    let group = |key: &dyn Fn(&Visit) -> Option<String>| {
        let mut m: BTreeMap<String, Vec<&Visit>> = BTreeMap::new();
        for v in visits {
            if let Some(k) = key(v) {
                m.entry(k).or_default().push(v);
            }
        }
        m.into_iter().map(|(k, vs)| (k, figures(vs))).collect::<BTreeMap<_, _>>()
    };
    let by_service = group(&|v| Some(v.service.clone())).into_iter().map(|(k, f)| {
        let light = Light::of(&f);
        (k, (f, light))
    });
    let mut hours: BTreeMap<i8, (u32, Vec<f64>)> = BTreeMap::new();
    for v in visits.iter().filter(|v| v.end != End::Voided) {
        let h = v.issued_at.to_zoned_datetime(zone.clone()).hour();
        let e = hours.entry(h).or_default();
        e.0 += 1;
        if let Some(c) = v.first_call {
            e.1.push(minutes(v.issued_at, c));
        }
    }
    let hours: Vec<Hour> = hours
        .into_iter()
        .map(|(hour, (issued, waits))| Hour { hour, issued, wait_median_min: percentile(&waits, 0.5) })
        .collect();
    let mut busiest: Vec<&Hour> = hours.iter().collect();
    busiest.sort_by(|a, b| b.issued.cmp(&a.issued).then(a.hour.cmp(&b.hour)));
    let counters = counter_times(visits, pauses);
    Report {
        site: figures(visits),
        by_agency: group(&|v| Some(v.agency.clone())),
        by_service: by_service.collect(),
        by_staff: group(&|v| v.staff.clone()),
        counters,
        busiest_hours: busiest.iter().take(3).map(|h| h.hour).collect(),
        hours,
        ikm: compute(elements, survey.iter().map(Vec::as_slice)),
    }
}

fn counter_times(visits: &[Visit], pauses: &[Pause]) -> Vec<CounterTime> {
    let mut numbers: Vec<i16> =
        visits.iter().filter_map(|v| v.counter).chain(pauses.iter().map(|p| p.counter)).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .map(|n| {
            let mine: Vec<&Visit> = visits.iter().filter(|v| v.counter == Some(n)).collect();
            // Busy: from the last call to the end of each visit it ended.
            let busy: f64 = mine.iter().filter_map(|v| Some(minutes(v.last_call?, v.end_at?))).sum();
            let mut by_reason: BTreeMap<String, f64> = BTreeMap::new();
            for p in pauses.iter().filter(|p| p.counter == n) {
                *by_reason.entry(p.reason.clone()).or_default() += minutes(p.from, p.until);
            }
            let paused: f64 = by_reason.values().sum();
            // Its day: from its first call (or pause) to its last end (or pause's end).
            let starts =
                mine.iter().filter_map(|v| v.last_call).chain(pauses.iter().filter(|p| p.counter == n).map(|p| p.from));
            let ends =
                mine.iter().filter_map(|v| v.end_at).chain(pauses.iter().filter(|p| p.counter == n).map(|p| p.until));
            let day = match (starts.min(), ends.max()) {
                (Some(a), Some(b)) if b > a => minutes(a, b),
                _ => 0.0,
            };
            CounterTime {
                counter: n,
                busy_min: busy,
                paused_min: paused,
                paused_by_reason: by_reason,
                idle_min: (day - busy - paused).max(0.0),
                figures: figures(mine),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[5.0, 1.0, 3.0], 0.5), Some(3.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 0.9), Some(9.0));
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
    }

    #[test]
    fn lights_follow_the_p90_wait() {
        let f = |p90| Figures { wait_p90_min: Some(p90), ..Default::default() };
        assert_eq!(Light::of(&f(30.0)), Some(Light::Green));
        assert_eq!(Light::of(&f(45.0)), Some(Light::Amber));
        assert_eq!(Light::of(&f(61.0)), Some(Light::Red));
        assert_eq!(Light::of(&Figures::default()), None);
    }
}
