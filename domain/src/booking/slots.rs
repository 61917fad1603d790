//! The slots a service offers for booking on a day: its opening hours (its own, else the
//! site's) cut into slots of the policy's length, none across a break, none past the cut-off
//! before closing, none on a holiday or a closed day.

use serde::{Deserialize, Serialize};

use crate::catalogue::{Service, Site};
use crate::hours::TimeOfDay;

use super::BookingPolicy;

/// One slot of a day, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

impl Slot {
    /// "09.00–09.30" (in the kiosk's words for times).
    pub fn text(&self, lang: crate::text::Lang) -> String {
        format!("{}\u{2013}{}", crate::hours::clock_text(self.start, lang), crate::hours::clock_text(self.end, lang))
    }

    /// The slot's start on `date`, local time.
    pub fn starts(&self, date: jiff::civil::Date) -> jiff::civil::DateTime {
        date.at(self.start.hour() as i8, self.start.minute() as i8, 0, 0)
    }
}

fn time(minutes: u16) -> Option<TimeOfDay> {
    TimeOfDay::new((minutes / 60) as u8, (minutes % 60) as u8)
}

/// The day's slots for `service`, in order.
pub fn slots_of_day(site: &Site, service: &Service, date: jiff::civil::Date, policy: &BookingPolicy) -> Vec<Slot> {
    if !policy.enabled || !service.active || site.holidays.iter().any(|h| h.date == date) {
        return Vec::new();
    }
    let week = service.hours.as_ref().unwrap_or(&site.hours);
    let Some(day) = week.on(date.weekday()) else { return Vec::new() };
    let last = day.close.minutes().saturating_sub(site.cutoff_minutes as u16);
    let step = policy.slot_minutes.max(1);
    let mut out = Vec::new();
    let mut start = day.open.minutes();
    while start + step <= last {
        let end = start + step;
        // A slot that would run into a break starts again when the break ends.
        if let Some(b) = day.breaks.iter().find(|b| start < b.end.minutes() && end > b.start.minutes()) {
            start = b.end.minutes();
            continue;
        }
        if let (Some(s), Some(e)) = (time(start), time(end)) {
            out.push(Slot { start: s, end: e });
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::default_feed;

    #[test]
    fn a_day_cut_into_slots_around_the_break_and_before_the_cut_off() {
        let feed = default_feed();
        let ktp = feed.service("KTP-BARU").unwrap();
        let p = BookingPolicy { slot_minutes: 30, ..Default::default() };
        let text =
            |d| slots_of_day(&feed.site, ktp, d, &p).iter().map(|s| s.text(crate::text::Lang::Id)).collect::<Vec<_>>();
        // Monday 08.00–16.00, numbers until 15.30: 15 slots, the last 15.00–15.30.
        let monday = text(jiff::civil::date(2026, 11, 30));
        assert_eq!(monday.len(), 15);
        assert_eq!((monday[0].as_str(), monday[14].as_str()), ("08.00\u{2013}08.30", "15.00\u{2013}15.30"));
        // Friday: none across the prayer break 11.30–13.00; closing 16.30, numbers until 16.00.
        let friday = text(jiff::civil::date(2026, 12, 4));
        assert!(friday.contains(&"11.00\u{2013}11.30".to_owned()) && friday.contains(&"13.00\u{2013}13.30".to_owned()));
        assert!(!friday.iter().any(|s| s.starts_with("11.30") || s.starts_with("12.")), "{friday:?}");
        assert_eq!(friday.last().unwrap(), "15.30\u{2013}16.00");
        // Saturday and Christmas: nothing.
        assert!(text(jiff::civil::date(2026, 12, 5)).is_empty());
        assert!(text(jiff::civil::date(2026, 12, 25)).is_empty());
        assert!(
            slots_of_day(&feed.site, ktp, jiff::civil::date(2026, 11, 30), &BookingPolicy { enabled: false, ..p })
                .is_empty()
        );
    }
}
