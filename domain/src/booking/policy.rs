//! A site's booking policy for a service: how much of the day may be booked, in what slots,
//! how far ahead, when a booked citizen may check in, how many bookings one person holds.

use serde::{Deserialize, Serialize};

/// The policy of one service (or the site's default for its services).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BookingPolicy {
    /// Whether the service takes bookings at all.
    pub enabled: bool,
    /// The share of the service's daily quota that may be booked, percent (the rest is
    /// kept for walk-ins). A service without a quota is bounded by its slots alone.
    pub share_percent: u8,
    /// A slot's length, minutes.
    pub slot_minutes: u16,
    /// Bookings one slot takes.
    pub per_slot: u16,
    /// How many days ahead one may book (today counts as day 0).
    pub days_ahead: u16,
    /// How early before the slot a booked citizen may check in, minutes.
    pub early_minutes: u16,
    /// How late after the slot's start a booking still keeps its place, minutes; later,
    /// the citizen gets a walk-in number.
    pub late_minutes: u16,
    /// Bookings one person (one NIK) may hold for one day at the site.
    pub per_person_per_day: u8,
    /// After this many bookings not checked in within `strike_days`, the NIK books no more
    /// for `strike_days` (0: no strikes).
    pub strikes: u8,
    pub strike_days: u16,
}

impl Default for BookingPolicy {
    fn default() -> Self {
        BookingPolicy {
            enabled: true,
            share_percent: 50,
            slot_minutes: 30,
            per_slot: 4,
            days_ahead: 7,
            early_minutes: 30,
            late_minutes: 15,
            per_person_per_day: 1,
            strikes: 3,
            strike_days: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{field} {value} is out of range ({range})")]
    OutOfRange { field: &'static str, value: u32, range: &'static str },
}

impl BookingPolicy {
    /// The places the day may book, given the service's daily quota (`None`: no quota).
    pub fn day_cap(&self, daily_quota: Option<u32>) -> Option<u32> {
        daily_quota.map(|q| (u64::from(q) * u64::from(self.share_percent) / 100) as u32)
    }

    /// Checks every value against what a site could mean.
    pub fn check(&self) -> Result<(), PolicyError> {
        let bad = |field, value: u32, range| Err(PolicyError::OutOfRange { field, value, range });
        if self.share_percent > 100 {
            return bad("share_percent", self.share_percent.into(), "0 to 100");
        }
        if !(5..=240).contains(&self.slot_minutes) {
            return bad("slot_minutes", self.slot_minutes.into(), "5 to 240");
        }
        if !(1..=500).contains(&self.per_slot) {
            return bad("per_slot", self.per_slot.into(), "1 to 500");
        }
        if self.days_ahead > 90 {
            return bad("days_ahead", self.days_ahead.into(), "0 to 90");
        }
        if self.early_minutes > 240 || self.late_minutes > 240 {
            return bad("early_minutes/late_minutes", self.early_minutes.max(self.late_minutes).into(), "0 to 240");
        }
        if !(1..=10).contains(&self.per_person_per_day) {
            return bad("per_person_per_day", self.per_person_per_day.into(), "1 to 10");
        }
        if self.strike_days > 365 {
            return bad("strike_days", self.strike_days.into(), "0 to 365");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_booked_share_of_a_quota_and_values_out_of_range() {
        let p = BookingPolicy { share_percent: 60, ..Default::default() };
        assert_eq!(p.day_cap(Some(30)), Some(18), "60 % of Imigrasi's 30");
        assert_eq!(p.day_cap(None), None, "no quota: the slots alone bound it");
        assert_eq!(BookingPolicy::default().check(), Ok(()));
        let e = BookingPolicy { slot_minutes: 1, ..Default::default() }.check().unwrap_err();
        assert_eq!(e.to_string(), "slot_minutes 1 is out of range (5 to 240)");
        assert!(BookingPolicy { share_percent: 101, ..Default::default() }.check().is_err());
    }
}
