//! Bookings: a place in a service's queue at a slot of a day, taken ahead from a phone and
//! checked in at the kiosk or the desk on the day. The rules both halves share, with no I/O:
//! the site's policy (`policy`), the slots a day offers (`slots`), the person's NIK checked
//! for plausibility and shown only by its last digits (`nik`), the short code a citizen
//! carries (`code`), what an arrival at check-in means (`arrival`) and what a code comes
//! to at the kiosk or the desk (`check_in`).
//!
//! The one rule that merges bookings with walk-ins: a checked-in booking waits in its
//! service's line as if it had taken its number at its slot's start. Walk-ins who came
//! before that are ahead of it, those after it behind; priority classes still come first.
//! A booking checked in early waits for its slot; one checked in late within the window
//! keeps its slot's place; later than the window it is a walk-in (a number now, never a
//! refusal).

pub mod arrival;
pub mod check_in;
pub mod code;
pub mod nik;
pub mod policy;
pub mod report;
pub mod slots;

pub use arrival::{Arrival, arrival};
pub use check_in::{CheckIn, CheckInRefusal, decide};
pub use code::{BookingCode, CODE_ALPHABET, CODE_LEN};
pub use nik::{Nik, NikError};
pub use policy::{BookingPolicy, PolicyError};
pub use slots::{Slot, slots_of_day};

/// A booked slot as the slip and the screens say it: "09.15–09.30 WITA" (from the
/// "HH:MM" starts and ends the lists carry).
pub fn slot_label(start: &str, end: &str, time_zone: &str) -> String {
    format!("{}\u{2013}{} {}", start.replace(':', "."), end.replace(':', "."), crate::hours::zone_label(time_zone))
}
