//! The report's bookings, per service: bookings against walk-ins, how bookings ended
//! (checked in in time, late and turned walk-in, no-show, cancelled, still to come), how
//! punctual the booked citizens were, and how much of the booked share was taken.

use std::collections::BTreeMap;

use serde::Serialize;

/// How a booking ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingEnd {
    /// Not checked in yet (its day is today or later).
    Waiting,
    Cancelled,
    /// Checked in; `kept_place`: within its window (else it waited as a walk-in).
    CheckedIn {
        kept_place: bool,
    },
    NoShow,
}

/// One booking of the period.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingVisit {
    pub service: String,
    pub end: BookingEnd,
    pub slot_at: jiff::Timestamp,
    pub checked_in_at: Option<jiff::Timestamp>,
}

/// A service's bookings over the period.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct BookingFigures {
    /// Bookings taken, cancelled ones not counted.
    pub booked: u32,
    pub cancelled: u32,
    /// Checked in within the window: they kept their slot's place.
    pub in_time: u32,
    /// Checked in after the window: a walk-in number.
    pub late: u32,
    pub no_shows: u32,
    /// Still to come (today's or later).
    pub waiting: u32,
    /// Tickets taken without a booking.
    pub walk_ins: u32,
    /// Minutes from the slot's start to the check-in, median (negative: early).
    pub arrival_median_min: Option<f64>,
    /// The places the booked share offered (services with a daily quota) and the share of
    /// them booked, percent.
    pub share_places: Option<u32>,
    pub share_used_percent: Option<f64>,
}

/// The figures per service. `walk_ins`: tickets without a booking per service; `share`:
/// the booked share's places per service over the period.
pub fn figures(
    bookings: &[BookingVisit],
    walk_ins: &BTreeMap<String, u32>,
    share: &BTreeMap<String, u32>,
) -> BTreeMap<String, BookingFigures> {
    let mut out: BTreeMap<String, BookingFigures> = BTreeMap::new();
    let mut arrivals: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for b in bookings {
        let f = out.entry(b.service.clone()).or_default();
        match b.end {
            BookingEnd::Cancelled => f.cancelled += 1,
            BookingEnd::Waiting => f.waiting += 1,
            BookingEnd::NoShow => f.no_shows += 1,
            BookingEnd::CheckedIn { kept_place: true } => f.in_time += 1,
            BookingEnd::CheckedIn { kept_place: false } => f.late += 1,
        }
        if b.end != BookingEnd::Cancelled {
            f.booked += 1;
        }
        if let Some(at) = b.checked_in_at {
            arrivals.entry(&b.service).or_default().push(b.slot_at.duration_until(at).as_secs_f64() / 60.0);
        }
    }
    for (service, n) in walk_ins {
        out.entry(service.clone()).or_default().walk_ins = *n;
    }
    for (service, f) in out.iter_mut() {
        f.arrival_median_min = arrivals.get(service.as_str()).and_then(|a| crate::report::percentile(a, 0.5));
        if let Some(&places) = share.get(service) {
            f.share_places = Some(places);
            f.share_used_percent = (places > 0).then(|| f64::from(f.booked) * 100.0 / f64::from(places));
        }
    }
    out.retain(|_, f| f.booked + f.cancelled > 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_services_bookings_counted_by_how_they_ended() {
        let slot: jiff::Timestamp = "2026-11-30T01:00:00Z".parse().unwrap();
        let visit = |end, mins: Option<i64>| BookingVisit {
            service: "KTP-BARU".into(),
            end,
            slot_at: slot,
            checked_in_at: mins.map(|m| slot + jiff::SignedDuration::from_mins(m)),
        };
        let bookings = [
            visit(BookingEnd::CheckedIn { kept_place: true }, Some(-10)),
            visit(BookingEnd::CheckedIn { kept_place: true }, Some(5)),
            visit(BookingEnd::CheckedIn { kept_place: false }, Some(40)),
            visit(BookingEnd::NoShow, None),
            visit(BookingEnd::Cancelled, None),
        ];
        let walk_ins = BTreeMap::from([("KTP-BARU".to_owned(), 12), ("KK-BARU".to_owned(), 3)]);
        let share = BTreeMap::from([("KTP-BARU".to_owned(), 8)]);
        let f = figures(&bookings, &walk_ins, &share);
        assert_eq!(f.len(), 1, "a service without bookings has no row");
        let k = &f["KTP-BARU"];
        assert_eq!((k.booked, k.cancelled, k.in_time, k.late, k.no_shows, k.walk_ins), (4, 1, 2, 1, 1, 12));
        assert_eq!(k.arrival_median_min, Some(5.0), "median of -10, 5, 40");
        assert_eq!(k.share_used_percent, Some(50.0), "4 of the share's 8 places");
    }
}
