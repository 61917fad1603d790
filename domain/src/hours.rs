//! Opening hours: times of day, a day's opening with breaks, and the week.
//!
//! Pure data and checks; no clock is read here.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Text;

/// A local time of day with minute precision, written `HH:MM` (24-hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then(|| TimeOfDay(u16::from(hour) * 60 + u16::from(minute)))
    }

    /// The minute a local date-time falls in (seconds dropped).
    pub fn of(dt: &jiff::civil::DateTime) -> TimeOfDay {
        TimeOfDay(dt.hour() as u16 * 60 + dt.minute() as u16)
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    pub fn hour(self) -> u8 {
        (self.0 / 60) as u8
    }

    pub fn minute(self) -> u8 {
        (self.0 % 60) as u8
    }
}

impl std::str::FromStr for TimeOfDay {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid time {s:?}, expected HH:MM between 00:00 and 23:59");
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        TimeOfDay::new(h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A pause inside a day's opening, e.g. the Friday prayer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Break {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
}

/// One day's opening: from `open` to `close`, minus the breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayHours {
    pub open: TimeOfDay,
    pub close: TimeOfDay,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<Break>,
}

impl DayHours {
    /// What is wrong with this day, as (field, reason) pairs; empty when sound.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.open >= self.close {
            out.push(("close".into(), format!("closing time {} is not after opening time {}", self.close, self.open)));
        }
        let mut prev_end = self.open;
        for (i, b) in self.breaks.iter().enumerate() {
            let at = format!("breaks[{i}]");
            if b.start >= b.end {
                out.push((format!("{at}.end"), format!("break end {} is not after its start {}", b.end, b.start)));
            } else if b.start <= self.open || b.end >= self.close {
                out.push((
                    at,
                    format!("break {}–{} is not inside opening hours {}–{}", b.start, b.end, self.open, self.close),
                ));
            } else if b.start < prev_end {
                out.push((
                    format!("{at}.start"),
                    format!("break starting {} overlaps or precedes the break before it", b.start),
                ));
            }
            prev_end = prev_end.max(b.end);
        }
        out
    }
}

/// The week's opening hours; a missing day is a closed day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mon: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tue: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wed: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thu: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fri: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sat: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sun: Option<DayHours>,
}

impl WeeklyHours {
    /// The days Monday to Sunday with their feed names.
    pub fn days(&self) -> [(&'static str, Option<&DayHours>); 7] {
        [
            ("mon", self.mon.as_ref()),
            ("tue", self.tue.as_ref()),
            ("wed", self.wed.as_ref()),
            ("thu", self.thu.as_ref()),
            ("fri", self.fri.as_ref()),
            ("sat", self.sat.as_ref()),
            ("sun", self.sun.as_ref()),
        ]
    }

    /// The opening of one weekday.
    pub fn on(&self, day: jiff::civil::Weekday) -> Option<&DayHours> {
        use jiff::civil::Weekday::*;
        match day {
            Monday => self.mon.as_ref(),
            Tuesday => self.tue.as_ref(),
            Wednesday => self.wed.as_ref(),
            Thursday => self.thu.as_ref(),
            Friday => self.fri.as_ref(),
            Saturday => self.sat.as_ref(),
            Sunday => self.sun.as_ref(),
        }
    }
}

const DAYS_ID: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
const DAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "Senin, 30 November 2026" / "Monday, 30 November 2026".
/// "Senin" / "Monday".
pub fn weekday_name(date: jiff::civil::Date, lang: crate::text::Lang) -> &'static str {
    let day = date.weekday().to_monday_zero_offset() as usize;
    if lang == crate::text::Lang::Id { DAYS_ID[day] } else { DAYS_EN[day] }
}

/// "30 November" (no year).
pub fn day_month(date: jiff::civil::Date, lang: crate::text::Lang) -> String {
    let month = date.month() as usize - 1;
    format!("{} {}", date.day(), if lang == crate::text::Lang::Id { MONTHS_ID[month] } else { MONTHS_EN[month] })
}

pub fn local_date(dt: &jiff::civil::DateTime, lang: crate::text::Lang) -> String {
    let day = dt.weekday().to_monday_zero_offset() as usize;
    let month = dt.month() as usize - 1;
    match lang {
        crate::text::Lang::Id => format!("{}, {} {} {}", DAYS_ID[day], dt.day(), MONTHS_ID[month], dt.year()),
        crate::text::Lang::En => format!("{}, {} {} {}", DAYS_EN[day], dt.day(), MONTHS_EN[month], dt.year()),
    }
}

/// The time zone of an IANA name (`Asia/Makassar`), from the database bundled in the
/// binary, never the host's `/usr/share/zoneinfo`: the same answer on every kiosk and
/// server, whatever their system has (a minimal image may have no zoneinfo at all). The
/// only zone lookup of the workspace (a structure test keeps it so).
pub fn zone(time_zone: &str) -> Result<jiff::tz::TimeZone, jiff::Error> {
    static BUNDLED: std::sync::OnceLock<jiff::tz::TimeZoneDatabase> = std::sync::OnceLock::new();
    BUNDLED.get_or_init(jiff::tz::TimeZoneDatabase::bundled).get(time_zone)
}

/// The site's local day at an instant (UTC for a zone that does not exist).
pub fn local_day(at: jiff::Timestamp, time_zone: &str) -> jiff::civil::Date {
    at.to_zoned_datetime(zone(time_zone).unwrap_or(jiff::tz::TimeZone::UTC)).date()
}

/// An instant as the site's local time: "09.05 WITA".
pub fn instant_time_text(at: jiff::Timestamp, time_zone: &str, lang: crate::text::Lang) -> String {
    let dt = at.to_zoned_datetime(zone(time_zone).unwrap_or(jiff::tz::TimeZone::UTC)).datetime();
    local_time_text(TimeOfDay::of(&dt), time_zone, lang)
}

/// An instant as the site's local day and time: "30/11 09.05 WITA".
pub fn instant_text(at: jiff::Timestamp, time_zone: &str, lang: crate::text::Lang) -> String {
    let dt = at.to_zoned_datetime(zone(time_zone).unwrap_or(jiff::tz::TimeZone::UTC)).datetime();
    format!("{:02}/{:02} {}", dt.day(), dt.month(), local_time_text(TimeOfDay::of(&dt), time_zone, lang))
}

/// The zone's offset from UTC at an instant, in minutes (what a page's script adds to
/// UTC to show the site's local time, with [`zone_label`], instead of its own zone data).
pub fn offset_minutes(at: jiff::Timestamp, time_zone: &str) -> i32 {
    zone(time_zone).map(|tz| tz.to_offset(at).seconds() / 60).unwrap_or(0)
}

/// The label citizens know for a site's time zone: Indonesia's three zones by their
/// names (WIB UTC+7, WITA UTC+8, WIT UTC+9); any other zone by its IANA name.
pub fn zone_label(time_zone: &str) -> &str {
    match time_zone {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB",
        "Asia/Makassar" => "WITA",
        "Asia/Jayapura" => "WIT",
        other => other,
    }
}

/// A local time as citizens read it: "09.05" in Indonesian, "09:05" in English.
pub fn clock_text(t: TimeOfDay, lang: crate::text::Lang) -> String {
    match lang {
        crate::text::Lang::Id => format!("{:02}.{:02}", t.hour(), t.minute()),
        crate::text::Lang::En => format!("{:02}:{:02}", t.hour(), t.minute()),
    }
}

/// The one formatter for a local time with its zone: "09.05 WITA", "09:05 WIB".
pub fn local_time_text(t: TimeOfDay, time_zone: &str, lang: crate::text::Lang) -> String {
    format!("{} {}", clock_text(t, lang), zone_label(time_zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> TimeOfDay {
        s.parse().unwrap()
    }

    #[test]
    fn zones_come_from_the_bundled_database_and_instants_read_locally() {
        let at: jiff::Timestamp = "2026-11-30T01:05:00Z".parse().unwrap();
        assert_eq!(instant_text(at, "Asia/Makassar", crate::text::Lang::Id), "30/11 09.05 WITA");
        assert_eq!(instant_text(at, "Asia/Jakarta", crate::text::Lang::En), "30/11 08:05 WIB");
        assert_eq!(instant_time_text(at, "Asia/Jayapura", crate::text::Lang::Id), "10.05 WIT");
        assert_eq!(local_day("2026-11-30T16:00:00Z".parse().unwrap(), "Asia/Makassar"), jiff::civil::date(2026, 12, 1));
        assert_eq!(offset_minutes(at, "Asia/Makassar"), 480);
        assert!(zone("Asia/Atlantis").is_err());
    }

    #[test]
    fn time_of_day_parses_strictly() {
        assert_eq!(t("08:00").minutes(), 480);
        assert_eq!(t("23:59").to_string(), "23:59");
        for bad in ["24:00", "8:00", "08:60", "08-00", "0800", "", "ab:cd", "08:00:00", "+8:00"] {
            let err = bad.parse::<TimeOfDay>().unwrap_err();
            assert!(err.contains("HH:MM"), "{bad}: {err}");
        }
    }

    #[test]
    fn day_problems_name_the_field() {
        let day = DayHours {
            open: t("08:00"),
            close: t("16:30"),
            breaks: vec![Break { start: t("11:30"), end: t("13:00"), reason: None }],
        };
        assert!(day.problems().is_empty());

        let closed_before_open = DayHours { open: t("16:00"), close: t("08:00"), breaks: vec![] };
        assert_eq!(closed_before_open.problems()[0].0, "close");

        let outside = DayHours {
            open: t("08:00"),
            close: t("16:00"),
            breaks: vec![Break { start: t("15:00"), end: t("17:00"), reason: None }],
        };
        assert_eq!(outside.problems()[0].0, "breaks[0]");

        let overlapping = DayHours {
            open: t("08:00"),
            close: t("16:00"),
            breaks: vec![
                Break { start: t("11:00"), end: t("12:00"), reason: None },
                Break { start: t("11:30"), end: t("13:00"), reason: None },
            ],
        };
        assert_eq!(overlapping.problems()[0].0, "breaks[1].start");

        let inverted = DayHours {
            open: t("08:00"),
            close: t("16:00"),
            breaks: vec![Break { start: t("12:00"), end: t("11:00"), reason: None }],
        };
        assert_eq!(inverted.problems()[0].0, "breaks[0].end");
    }

    #[test]
    fn every_indonesian_zone_has_its_label() {
        use crate::text::Lang;
        let t = TimeOfDay::new(9, 5).unwrap();
        assert_eq!(local_time_text(t, "Asia/Jakarta", Lang::Id), "09.05 WIB");
        assert_eq!(local_time_text(t, "Asia/Pontianak", Lang::Id), "09.05 WIB");
        assert_eq!(local_time_text(t, "Asia/Makassar", Lang::Id), "09.05 WITA");
        assert_eq!(local_time_text(t, "Asia/Jayapura", Lang::En), "09:05 WIT");
        assert_eq!(local_time_text(t, "Europe/Amsterdam", Lang::En), "09:05 Europe/Amsterdam");
    }
}
