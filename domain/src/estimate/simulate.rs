//! Realistic days, replayed through the real queue engine (`queue::calling_order` picks,
//! `calling::apply` moves each visit), to measure how far the wait estimate is from the
//! wait each citizen then had. Used by the accuracy test and `benches/estimate_accuracy`.
//!
//! A day: numbers from 08.00 to 15.30 with a morning peak (08.30–10.30, 2.5× the base rate)
//! and a quieter lunch hour; four services whose cycles differ (4 to 18 minutes, lognormal,
//! so some citizens take three times the usual); one or two counters each; every counter
//! takes a 30-minute break around midday and now and then a short pause; one citizen in
//! ten has priority; one in twelve does not come when called (two recalls, then no-show).
//! Deterministic for a seed.

use std::collections::HashMap;

use super::{LineNow, Summary, cycle_secs, wait_secs};
use crate::calling::{Action, CallState, Rules, Visit, apply};
use crate::queue::{Waiting, calling_order, people_ahead};
use crate::tickets::Priority;

/// The model choices the benchmark compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub summary: Summary,
    /// Blend earlier days' cycle in (else the morning has no estimate until a cycle ends).
    pub prior: bool,
    /// Count the time already spent at the counters (else every counter is taken as free
    /// or as just starting).
    pub busy_aware: bool,
}

impl Default for Model {
    fn default() -> Self {
        Model { summary: Summary::CappedMean, prior: true, busy_aware: true }
    }
}

/// One scored ticket: the estimate at issue and the wait it had, seconds.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub estimate: f64,
    pub actual: f64,
}

/// The figures of a run.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    pub tickets: usize,
    /// Tickets issued while no counter of their service was open: no estimate shown.
    pub without_estimate: usize,
    pub median_wait_min: f64,
    pub median_abs_min: f64,
    pub p90_abs_min: f64,
    /// |error| / actual wait, over tickets that waited at least 5 minutes.
    pub median_share: f64,
    pub p90_share: f64,
}

struct ServiceSpec {
    code: &'static str,
    cycle_min: f64,
    counters: usize,
    share: f64,
}

const SERVICES: [ServiceSpec; 4] = [
    ServiceSpec { code: "KTP", cycle_min: 6.0, counters: 2, share: 0.38 },
    ServiceSpec { code: "SKCK", cycle_min: 10.0, counters: 2, share: 0.26 },
    ServiceSpec { code: "PKB", cycle_min: 4.0, counters: 1, share: 0.28 },
    ServiceSpec { code: "PSP", cycle_min: 18.0, counters: 1, share: 0.08 },
];

const OPEN: i64 = 8 * 3600;
const LAST_NUMBER: i64 = 15 * 3600 + 1800;
const END: i64 = 20 * 3600;
const RECALL_GAP: i64 = 45;

/// A small, seeded generator (SplitMix64): the domain takes no dependency for it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// Lognormal with this mean and a shape that gives some visits three times the usual.
    fn lognormal(&mut self, mean: f64) -> f64 {
        let s = 0.5;
        (mean.ln() - s * s / 2.0 + s * self.normal()).exp()
    }
}

/// Numbers per second at `t` (seconds since midnight), whole site.
fn rate(t: i64) -> f64 {
    let base = 0.62 / 60.0;
    match t {
        _ if (8 * 3600 + 1800..10 * 3600 + 1800).contains(&t) => base * 2.5,
        _ if (12 * 3600..13 * 3600).contains(&t) => base * 0.6,
        _ => base,
    }
}

struct Counter {
    service: usize,
    number: i16,
    busy_until: i64,
    /// The ticket at it: (index, called at).
    at: Option<(usize, i64)>,
    pauses: Vec<(i64, i64)>,
}

impl Counter {
    fn paused(&self, t: i64) -> bool {
        self.pauses.iter().any(|&(a, b)| (a..b).contains(&t))
    }
}

struct Ticket {
    waiting: Waiting,
    visit: Visit,
    issued: i64,
    estimate: Option<f64>,
    called: Option<i64>,
}

/// Runs one day; returns the scored tickets and each service's cycles (for tomorrow's prior).
fn day(rng: &mut Rng, model: Model, prior: &HashMap<usize, f64>) -> (Vec<Scored>, usize, HashMap<usize, Vec<u32>>) {
    let midnight: jiff::Timestamp = "2026-11-30T00:00:00Z".parse().expect("a valid instant");
    let at = |t: i64| midnight + jiff::SignedDuration::from_secs(t);
    let rules = Rules { max_recalls: 2, recall_gap_secs: RECALL_GAP as u32 };
    let mut counters: Vec<Counter> = Vec::new();
    for (s, spec) in SERVICES.iter().enumerate() {
        for _ in 0..spec.counters {
            let lunch = 11 * 3600 + 2700 + (rng.unit() * 5400.0) as i64;
            let mut pauses = vec![(lunch, lunch + 1800)];
            for hour in 8..16 {
                if rng.unit() < 0.08 {
                    let a = hour * 3600 + (rng.unit() * 3000.0) as i64;
                    pauses.push((a, a + 600));
                }
            }
            counters.push(Counter { service: s, number: counters.len() as i16 + 1, busy_until: 0, at: None, pauses });
        }
    }
    let mut tickets: Vec<Ticket> = Vec::new();
    let mut cycles: HashMap<usize, Vec<u32>> = HashMap::new();
    let mut pending: Vec<(i64, usize, u32)> = Vec::new(); // (known at, service, cycle)
    let mut seq = [0u32; 4];
    let mut no_estimate = 0;
    for t in OPEN..END {
        // Cycles that ended become known.
        pending.retain(|&(when, s, c)| {
            if when <= t {
                cycles.entry(s).or_default().push(c);
                false
            } else {
                true
            }
        });
        for c in counters.iter_mut() {
            if c.busy_until <= t {
                c.at = None;
            }
        }
        // A number is taken.
        if t < LAST_NUMBER && rng.unit() < rate(t) {
            let pick = rng.unit();
            let mut acc = 0.0;
            let s = SERVICES.iter().position(|sp| {
                acc += sp.share;
                pick < acc
            });
            let s = s.unwrap_or(SERVICES.len() - 1);
            let priority = (rng.unit() < 0.10).then_some(Priority::Elderly);
            seq[s] += 1;
            let number = format!("{}-{}{:03}", SERVICES[s].code, if priority.is_some() { "P" } else { "A" }, seq[s]);
            let waiting =
                Waiting { number: number.clone(), service: SERVICES[s].code.into(), priority, issued_at: at(t) };
            tickets.push(Ticket {
                waiting,
                visit: Visit::waiting(SERVICES[s].code),
                issued: t,
                estimate: None,
                called: None,
            });
            // The estimate the kiosk would print now.
            let line: Vec<Waiting> =
                tickets.iter().filter(|k| k.visit.state == CallState::Waiting).map(|k| k.waiting.clone()).collect();
            let ahead = people_ahead(&line, &number).unwrap_or(0);
            let open: Vec<&Counter> = counters.iter().filter(|c| c.service == s && !c.paused(t)).collect();
            let at_counters = if model.busy_aware {
                open.iter().filter_map(|c| c.at.map(|(_, called)| (t - called) as u32)).collect()
            } else {
                Vec::new()
            };
            let cycle = cycle_secs(
                cycles.get(&s).map_or(&[][..], Vec::as_slice),
                if model.prior { prior.get(&s).copied() } else { None },
                model.summary,
            );
            let estimate = cycle.and_then(|cycle_secs| {
                wait_secs(&LineNow { ahead, counters_open: open.len(), at_counters, cycle_secs })
            });
            if estimate.is_none() {
                no_estimate += 1;
            }
            tickets.last_mut().expect("just pushed").estimate = estimate;
        }
        // Free counters call the next in calling order.
        for c in counters.iter_mut() {
            if c.at.is_some() || c.busy_until > t || c.paused(t) {
                continue;
            }
            let code = SERVICES[c.service].code;
            let next = tickets
                .iter()
                .enumerate()
                .filter(|(_, k)| k.visit.state == CallState::Waiting && k.visit.service == code)
                .min_by(|a, b| calling_order(&a.1.waiting, &b.1.waiting))
                .map(|(i, _)| i);
            let Some(i) = next else { continue };
            let k = &mut tickets[i];
            let mut v =
                apply(&k.visit, &Action::Call, c.number, &rules, at(t)).expect("a waiting ticket can be called");
            let end = if rng.unit() < 1.0 / 12.0 {
                for r in 1..=2 {
                    v = apply(&v, &Action::Recall, c.number, &rules, at(t + r * RECALL_GAP))
                        .expect("recalls within the rules");
                }
                v = apply(&v, &Action::NoShow, c.number, &rules, at(t + 3 * RECALL_GAP))
                    .expect("a no-show after the recalls");
                t + 3 * RECALL_GAP
            } else {
                let walk = 30 + (rng.unit() * 60.0) as i64;
                let service = rng.lognormal(SERVICES[c.service].cycle_min * 60.0 - 60.0).max(30.0) as i64;
                v = apply(&v, &Action::Start, c.number, &rules, at(t + walk)).expect("start after a call");
                v = apply(&v, &Action::Finish, c.number, &rules, at(t + walk + service)).expect("finish after a start");
                t + walk + service
            };
            k.visit = v;
            k.called = Some(t);
            c.at = Some((i, t));
            c.busy_until = end;
            pending.push((end, c.service, (end - t) as u32));
        }
    }
    let scored = tickets
        .iter()
        .filter_map(|k| Some(Scored { estimate: k.estimate?, actual: (k.called? - k.issued) as f64 }))
        .collect();
    (scored, no_estimate, cycles)
}

/// Runs a warm-up day (it gives the first day's prior) then `days` scored days.
pub fn run(days: u32, seed: u64, model: Model) -> Figures {
    let mut rng = Rng(seed);
    let mut prior: HashMap<usize, f64> = HashMap::new();
    let mut all: Vec<Scored> = Vec::new();
    let mut without = 0;
    for d in 0..=days {
        let (scored, none, cycles) = day(&mut rng, model, &prior);
        if d > 0 {
            all.extend(scored);
            without += none;
        }
        // Tomorrow's prior: today's cycles, as the server keeps them per service.
        for (s, c) in cycles {
            if let Some(x) = super::summarise(&c, model.summary) {
                prior.insert(s, x);
            }
        }
    }
    figures(&all, without)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn figures(all: &[Scored], without: usize) -> Figures {
    let mut abs: Vec<f64> = all.iter().map(|s| (s.estimate - s.actual).abs() / 60.0).collect();
    let mut waits: Vec<f64> = all.iter().map(|s| s.actual / 60.0).collect();
    let mut share: Vec<f64> =
        all.iter().filter(|s| s.actual >= 300.0).map(|s| (s.estimate - s.actual).abs() / s.actual).collect();
    Figures {
        tickets: all.len() + without,
        without_estimate: without,
        median_wait_min: pct(&mut waits, 0.5),
        median_abs_min: pct(&mut abs, 0.5),
        p90_abs_min: pct(&mut abs.clone(), 0.9),
        median_share: pct(&mut share, 0.5),
        p90_share: pct(&mut share.clone(), 0.9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The target of the wait estimate: its median error within a quarter of the wait.
    #[test]
    fn the_estimate_is_within_a_quarter_of_the_wait_on_realistic_days() {
        let f = run(5, 20261130, Model::default());
        assert!(f.tickets > 1000, "{f:?}");
        assert!(f.median_wait_min > 10.0, "the days must have queues to estimate: {f:?}");
        assert!(f.median_share <= 0.25, "{f:?}");
        // A deliberately poor model (no earlier days, blind to who is at the counters,
        // a plain mean) does measurably worse: the figure can fail.
        let poor = run(5, 20261130, Model { summary: Summary::Mean, prior: false, busy_aware: false });
        assert!(poor.median_abs_min > f.median_abs_min, "{poor:?} vs {f:?}");
    }

    #[test]
    fn a_seed_gives_the_same_day() {
        let (a, b) = (run(1, 7, Model::default()), run(1, 7, Model::default()));
        assert_eq!((a.tickets, a.median_abs_min.to_bits()), (b.tickets, b.median_abs_min.to_bits()));
    }
}
