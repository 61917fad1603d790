//! A site's queue as the calling rules see it: who is called first. Priority classes come
//! first (UU 25/2009 Pasal 29: the elderly, people with a disability, pregnant women and
//! those with an infant), then the oldest issue time across every kiosk of the site.
//! Plain data in, order out; the site server keeps the tickets.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::tickets::Priority;

/// A ticket waiting to be called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub number: String,
    pub service: String,
    pub priority: Option<Priority>,
    pub issued_at: jiff::Timestamp,
}

/// The calling order: priority first, then the earlier issue, then the number (two
/// kiosks issuing in the same instant still give one order).
pub fn calling_order(a: &Waiting, b: &Waiting) -> Ordering {
    b.priority
        .is_some()
        .cmp(&a.priority.is_some())
        .then(a.issued_at.cmp(&b.issued_at))
        .then_with(|| a.number.cmp(&b.number))
}

/// One service's line: how many wait, how many of them with priority, who is next, and
/// how long a number taken now waits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceLine {
    pub service: String,
    pub waiting: usize,
    pub priority_waiting: usize,
    /// The next numbers to be called, in calling order (at most `show`).
    pub next: Vec<String>,
    /// Called to a counter or being served now.
    #[serde(default)]
    pub serving: usize,
    /// Counters that serve it and are not paused.
    #[serde(default)]
    pub counters_open: usize,
    /// The cycle the estimate plans with, seconds (`estimate::cycle_secs`); `None` before
    /// anything is measured, today or on earlier days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle_secs: Option<u32>,
    /// Seconds since each ticket now at its counters was called.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_counters: Vec<u32>,
    /// The estimated wait of a number taken now, minutes; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<u32>,
}

impl ServiceLine {
    /// The estimated wait of a ticket with `ahead` people before it, from this line's
    /// counters and cycle; `None` when unknown (nothing measured, no counter open).
    pub fn wait_for(&self, ahead: usize) -> Option<crate::estimate::Minutes> {
        let cycle_secs = f64::from(self.cycle_secs?);
        let line = crate::estimate::LineNow {
            ahead,
            counters_open: self.counters_open,
            at_counters: self.at_counters.clone(),
            cycle_secs,
        };
        crate::estimate::wait_secs(&line).map(crate::estimate::Minutes::of_secs)
    }
}

/// A site's queue on one local day, as the site server serves it to kiosks and displays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueState {
    pub site: String,
    pub date: jiff::civil::Date,
    /// Every waiting ticket of the site.
    pub waiting: usize,
    /// The services with someone waiting, in code order.
    pub services: Vec<ServiceLine>,
}

impl QueueState {
    /// How many wait for `service` (0 when nobody does).
    pub fn waiting_for(&self, service: &str) -> usize {
        self.services.iter().find(|l| l.service == service).map_or(0, |l| l.waiting)
    }
}

/// One ticket's place: its status and, while it waits, how many will be called before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPlace {
    pub number: String,
    pub service: String,
    pub status: String,
    /// `None` once the ticket no longer waits (called, served, voided).
    pub people_ahead: Option<usize>,
    /// Its estimated wait, minutes, while it waits and the estimate is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<u32>,
}

/// How many tickets of the same service are called before `number`; `None` when it is
/// not among the waiting.
pub fn people_ahead(waiting: &[Waiting], number: &str) -> Option<usize> {
    let me = waiting.iter().find(|w| w.number == number)?;
    Some(waiting.iter().filter(|w| w.service == me.service && calling_order(w, me) == Ordering::Less).count())
}

/// Every service's line, services in code order; `show` numbers each.
pub fn lines(mut waiting: Vec<Waiting>, show: usize) -> Vec<ServiceLine> {
    waiting.sort_by(|a, b| a.service.cmp(&b.service).then_with(|| calling_order(a, b)));
    let mut out: Vec<ServiceLine> = Vec::new();
    for w in waiting {
        if out.last().is_none_or(|l| l.service != w.service) {
            out.push(ServiceLine { service: w.service.clone(), ..Default::default() });
        }
        let line = out.last_mut().expect("just pushed");
        line.waiting += 1;
        line.priority_waiting += usize::from(w.priority.is_some());
        if line.next.len() < show {
            line.next.push(w.number);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(number: &str, service: &str, priority: bool, at: &str) -> Waiting {
        Waiting {
            number: number.into(),
            service: service.into(),
            priority: priority.then_some(Priority::Elderly),
            issued_at: at.parse().unwrap(),
        }
    }

    #[test]
    fn priority_first_then_the_oldest_across_kiosks() {
        let lines = lines(
            vec![
                w("KTB-A002", "KTP-BARU", false, "2026-11-30T01:07:00Z"),
                w("KTB-B001", "KTP-BARU", false, "2026-11-30T01:06:00Z"),
                w("KTB-A001", "KTP-BARU", false, "2026-11-30T01:05:00Z"),
                w("KTB-PB001", "KTP-BARU", true, "2026-11-30T01:09:00Z"),
                w("KK-A001", "KK-BARU", false, "2026-11-30T01:08:00Z"),
            ],
            3,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            ServiceLine { service: "KK-BARU".into(), waiting: 1, next: vec!["KK-A001".into()], ..Default::default() }
        );
        assert_eq!(
            lines[1].next,
            ["KTB-PB001", "KTB-A001", "KTB-B001"],
            "the priority ticket, then by issue time across kiosks A and B"
        );
        assert_eq!((lines[1].waiting, lines[1].priority_waiting), (4, 1));
    }

    #[test]
    fn people_ahead_counts_only_who_is_called_first_in_the_same_service() {
        let all = vec![
            w("KTB-A001", "KTP-BARU", false, "2026-11-30T01:05:00Z"),
            w("KTB-B001", "KTP-BARU", false, "2026-11-30T01:06:00Z"),
            w("KTB-A002", "KTP-BARU", false, "2026-11-30T01:07:00Z"),
            w("KTB-PB001", "KTP-BARU", true, "2026-11-30T01:09:00Z"),
            w("KK-A001", "KK-BARU", false, "2026-11-30T01:00:00Z"),
        ];
        assert_eq!(people_ahead(&all, "KTB-PB001"), Some(0), "priority goes first even when issued last");
        assert_eq!(people_ahead(&all, "KTB-A001"), Some(1));
        assert_eq!(people_ahead(&all, "KTB-A002"), Some(3), "another kiosk's earlier ticket counts");
        assert_eq!(people_ahead(&all, "KK-A001"), Some(0), "other services do not");
        assert_eq!(people_ahead(&all, "KTB-A009"), None);
        let state =
            QueueState { site: "S".into(), date: jiff::civil::date(2026, 11, 30), waiting: 5, services: lines(all, 3) };
        assert_eq!((state.waiting_for("KTP-BARU"), state.waiting_for("KK-BARU"), state.waiting_for("X")), (4, 1, 0));
    }

    #[test]
    fn the_same_instant_still_gives_one_order() {
        let (a, b) = (w("X-B001", "S", false, "2026-11-30T01:05:00Z"), w("X-A001", "S", false, "2026-11-30T01:05:00Z"));
        assert_eq!(calling_order(&a, &b), Ordering::Greater);
        assert_eq!(calling_order(&b, &a), Ordering::Less);
        assert_eq!(lines(vec![], 3), vec![]);
    }
}
