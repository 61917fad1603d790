//! A booked citizen at the kiosk or the desk: what their code comes to, from the site's
//! list of the day's bookings. A booking in its window becomes a number that waits for its
//! slot; a late one a walk-in number (said plainly, never refused); an early one comes
//! back when the window opens; a code already used, cancelled or unknown is refused with
//! what to do.

use super::{Arrival, BookingPolicy, arrival};
use crate::hours::TimeOfDay;
use crate::protocol::BookingEntry;
use crate::text::Lang;

/// Why a code gives no number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckInRefusal {
    /// Not a booking of this site today.
    Unknown,
    Cancelled,
    /// Already checked in (here: its number).
    Used {
        number: Option<String>,
    },
    /// Before its window: from when.
    Early {
        opens: TimeOfDay,
        zone: String,
    },
}

impl CheckInRefusal {
    pub fn says(&self, lang: Lang) -> String {
        match (self, lang) {
            (CheckInRefusal::Unknown, Lang::Id) => {
                "Kode booking ini tidak ada untuk hari ini di MPP ini. Periksa kodenya, atau tanyakan di meja informasi.".into()
            }
            (CheckInRefusal::Unknown, Lang::En) => {
                "This booking code is not for today at this MPP. Check the code, or ask at the information desk.".into()
            }
            (CheckInRefusal::Cancelled, Lang::Id) => "Booking ini sudah dibatalkan. Silakan ambil nomor antrean biasa.".into(),
            (CheckInRefusal::Cancelled, Lang::En) => "This booking was cancelled. Please take a regular number.".into(),
            (CheckInRefusal::Used { number: Some(n) }, Lang::Id) => {
                format!("Booking ini sudah check-in dengan nomor {n}. Kode booking hanya berlaku sekali.")
            }
            (CheckInRefusal::Used { number: Some(n) }, Lang::En) => {
                format!("This booking has checked in already, as number {n}. A code works once.")
            }
            (CheckInRefusal::Used { number: None }, Lang::Id) => {
                "Booking ini sudah check-in. Kode booking hanya berlaku sekali; tanyakan di meja informasi.".into()
            }
            (CheckInRefusal::Used { number: None }, Lang::En) => {
                "This booking has checked in already. A code works once; ask at the information desk.".into()
            }
            (CheckInRefusal::Early { opens, zone }, lang) => match lang {
                Lang::Id => format!(
                    "Terlalu awal: check-in untuk booking ini dibuka pukul {}. Tempat Anda tetap ada.",
                    crate::hours::local_time_text(*opens, zone, lang)
                ),
                Lang::En => format!(
                    "Too early: check-in for this booking opens at {}. Your place is kept.",
                    crate::hours::local_time_text(*opens, zone, lang)
                ),
            },
        }
    }
}

/// What a listed booking comes to at local time `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    /// A number that waits for its slot.
    Booked,
    /// Later than the window: a walk-in number (the booking's place is gone).
    Late,
    Refused(CheckInRefusal),
}

impl CheckIn {
    /// What the citizen is told beside a late number.
    pub fn late_words(lang: Lang) -> &'static str {
        match lang {
            Lang::Id => "Anda datang lewat dari waktu booking, jadi mendapat nomor antrean biasa.",
            Lang::En => "You came after your booking's time, so you get a regular number.",
        }
    }
}

/// Decides a check-in of `entry` (from the site's list; `None`: not on it) on `today` at
/// local time `now`, in the site's `zone`.
pub fn decide(
    entry: Option<&BookingEntry>,
    today: jiff::civil::Date,
    now: jiff::civil::DateTime,
    zone: &str,
) -> CheckIn {
    let Some(e) = entry else { return CheckIn::Refused(CheckInRefusal::Unknown) };
    match e.state.as_str() {
        "booked" => {}
        "checked_in" => return CheckIn::Refused(CheckInRefusal::Used { number: None }),
        "cancelled" => return CheckIn::Refused(CheckInRefusal::Cancelled),
        _ => return CheckIn::Refused(CheckInRefusal::Unknown),
    }
    let Ok(start) = e.slot_start.parse::<TimeOfDay>() else { return CheckIn::Refused(CheckInRefusal::Unknown) };
    let policy = BookingPolicy { early_minutes: e.early_minutes, late_minutes: e.late_minutes, ..Default::default() };
    match arrival(today.at(start.hour() as i8, start.minute() as i8, 0, 0), now, &policy) {
        Arrival::OnTime => CheckIn::Booked,
        Arrival::Late => CheckIn::Late,
        Arrival::Early { opens } => {
            CheckIn::Refused(CheckInRefusal::Early { opens: TimeOfDay::of(&opens), zone: zone.to_owned() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(state: &str) -> BookingEntry {
        BookingEntry {
            code_hash: "h".into(),
            service: "KTP-BARU".into(),
            slot_start: "10:00".into(),
            slot_end: "10:30".into(),
            state: state.into(),
            early_minutes: 30,
            late_minutes: 15,
        }
    }

    #[test]
    fn a_code_comes_to_a_booked_number_a_walk_in_or_a_refusal_that_says_what_to_do() {
        let day = jiff::civil::date(2026, 11, 30);
        let at = |h, m| day.at(h, m, 0, 0);
        let z = "Asia/Makassar";
        assert_eq!(decide(Some(&entry("booked")), day, at(9, 45), z), CheckIn::Booked);
        assert_eq!(decide(Some(&entry("booked")), day, at(10, 16), z), CheckIn::Late);
        let early = decide(Some(&entry("booked")), day, at(9, 0), z);
        let CheckIn::Refused(r) = &early else { panic!("{early:?}") };
        assert_eq!(
            r.says(Lang::Id),
            "Terlalu awal: check-in untuk booking ini dibuka pukul 09.30 WITA. Tempat Anda tetap ada."
        );
        assert_eq!(decide(None, day, at(9, 45), z), CheckIn::Refused(CheckInRefusal::Unknown));
        assert_eq!(decide(Some(&entry("cancelled")), day, at(9, 45), z), CheckIn::Refused(CheckInRefusal::Cancelled));
        assert_eq!(
            decide(Some(&entry("checked_in")), day, at(9, 45), z),
            CheckIn::Refused(CheckInRefusal::Used { number: None })
        );
        assert!(CheckInRefusal::Used { number: Some("KTB-A007".into()) }.says(Lang::Id).contains("KTB-A007"));
    }
}
