//! What a booked citizen's arrival at check-in means: in the window (a number that waits
//! for its slot), too early (come back when the window opens: the place is kept), or too
//! late (a walk-in number now, said plainly, never a refusal).

use super::BookingPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Within the window: checked in, waiting as if the number were taken at the slot's start.
    OnTime,
    /// Before the window: check in again from this local time on.
    Early { opens: jiff::civil::DateTime },
    /// After the window: the booking's place is gone; a walk-in number instead.
    Late,
}

/// The arrival at local time `now` for a slot starting at `slot_start` (local, same day).
pub fn arrival(slot_start: jiff::civil::DateTime, now: jiff::civil::DateTime, policy: &BookingPolicy) -> Arrival {
    let minutes = |m: u16| jiff::SignedDuration::from_mins(i64::from(m));
    let opens = slot_start.checked_sub(minutes(policy.early_minutes)).unwrap_or(slot_start);
    let closes = slot_start.checked_add(minutes(policy.late_minutes)).unwrap_or(slot_start);
    if now < opens {
        Arrival::Early { opens }
    } else if now > closes {
        Arrival::Late
    } else {
        Arrival::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_on_time_and_late_by_the_policys_windows() {
        let p = BookingPolicy { early_minutes: 30, late_minutes: 15, ..Default::default() };
        let day = jiff::civil::date(2026, 11, 30);
        let slot = day.at(10, 0, 0, 0);
        assert_eq!(arrival(slot, day.at(9, 29, 0, 0), &p), Arrival::Early { opens: day.at(9, 30, 0, 0) });
        assert_eq!(arrival(slot, day.at(9, 30, 0, 0), &p), Arrival::OnTime);
        assert_eq!(arrival(slot, day.at(10, 15, 0, 0), &p), Arrival::OnTime);
        assert_eq!(arrival(slot, day.at(10, 15, 1, 0), &p), Arrival::Late);
    }
}
