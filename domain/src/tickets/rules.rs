//! Whether a ticket may be issued now, and if not, why — in words a citizen understands.

use crate::catalogue::{Service, Site};
use crate::hours::{DayHours, TimeOfDay, local_time_text};
use crate::text::{Lang, Text};

/// Why no ticket can be issued. No number is consumed by a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The service or its agency is switched off in the catalogue.
    Unavailable,
    /// A public holiday.
    Holiday { name: Text },
    /// The service has no hours on this weekday.
    ClosedToday,
    /// Before opening. `zone` is the site's IANA time zone, for the time's label.
    NotYetOpen { opens: TimeOfDay, zone: String },
    /// During a break such as the Friday prayer.
    OnBreak { until: TimeOfDay, zone: String },
    /// Within the cut-off before closing, or after closing.
    ClosedForToday { closes: TimeOfDay, cutoff_minutes: u32, zone: String },
    /// The daily quota is used up.
    QuotaFull { quota: u32 },
    /// This kiosk has handed out every number of the day for this service.
    NumbersExhausted,
}

impl Refusal {
    /// A short, stable name for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unavailable => "unavailable",
            Refusal::Holiday { .. } => "holiday",
            Refusal::ClosedToday => "closed_today",
            Refusal::NotYetOpen { .. } => "not_yet_open",
            Refusal::OnBreak { .. } => "on_break",
            Refusal::ClosedForToday { .. } => "closed_for_today",
            Refusal::QuotaFull { .. } => "quota_full",
            Refusal::NumbersExhausted => "numbers_exhausted",
        }
    }

    /// What the citizen reads: the reason, and for a day that is over the generic advice
    /// to come back (the kiosk says the concrete time instead when it knows it).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::ClosedForToday { .. } | Refusal::QuotaFull { .. } => {
                format!("{}{}", self.reason(lang), COME_BACK[lang as usize])
            }
            _ => self.reason(lang),
        }
    }

    /// Why no number can be taken, without advice on when to come back.
    pub fn reason(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::Unavailable, Lang::Id) => {
                "Layanan ini sedang tidak tersedia. Silakan tanya petugas di meja informasi.".into()
            }
            (Refusal::Unavailable, Lang::En) => {
                "This service is not available at the moment. Please ask at the information desk.".into()
            }
            (Refusal::Holiday { name }, Lang::Id) => {
                format!("MPP tutup hari ini ({}). Silakan datang pada hari kerja berikutnya.", name.in_lang(Lang::Id))
            }
            (Refusal::Holiday { name }, Lang::En) => format!(
                "The MPP is closed today ({}). Please come back on the next working day.",
                name.in_lang(Lang::En)
            ),
            (Refusal::ClosedToday, Lang::Id) => {
                "Layanan ini tidak buka hari ini. Silakan datang pada hari kerja.".into()
            }
            (Refusal::ClosedToday, Lang::En) => {
                "This service is closed today. Please come back on a working day.".into()
            }
            (Refusal::NotYetOpen { opens, zone }, Lang::Id) => format!(
                "Layanan belum buka. Nomor antrean tersedia mulai pukul {}.",
                local_time_text(*opens, zone, lang)
            ),
            (Refusal::NotYetOpen { opens, zone }, Lang::En) => {
                format!("Not open yet. Queue numbers are available from {}.", local_time_text(*opens, zone, lang))
            }
            (Refusal::OnBreak { until, zone }, Lang::Id) => {
                format!("Sedang istirahat. Nomor antrean tersedia lagi pukul {}.", local_time_text(*until, zone, lang))
            }
            (Refusal::OnBreak { until, zone }, Lang::En) => {
                format!("On a break. Queue numbers are available again from {}.", local_time_text(*until, zone, lang))
            }
            (Refusal::ClosedForToday { closes, cutoff_minutes: 0, zone }, Lang::Id) => {
                format!("Layanan sudah tutup hari ini (pukul {}).", local_time_text(*closes, zone, lang))
            }
            (Refusal::ClosedForToday { closes, cutoff_minutes: 0, zone }, Lang::En) => {
                format!("The service has closed for today ({}).", local_time_text(*closes, zone, lang))
            }
            (Refusal::ClosedForToday { closes, cutoff_minutes, zone }, Lang::Id) => format!(
                "Pengambilan nomor antrean hari ini sudah ditutup ({cutoff_minutes} menit sebelum layanan tutup pukul {}).",
                local_time_text(*closes, zone, lang)
            ),
            (Refusal::ClosedForToday { closes, cutoff_minutes, zone }, Lang::En) => format!(
                "Queue numbers for today are closed ({cutoff_minutes} minutes before the service closes at {}).",
                local_time_text(*closes, zone, lang)
            ),
            (Refusal::QuotaFull { quota }, Lang::Id) => format!("Kuota hari ini ({quota} nomor) sudah habis."),
            (Refusal::QuotaFull { quota }, Lang::En) => format!("Today's quota of {quota} numbers is used up."),
            (Refusal::NumbersExhausted, Lang::Id) => {
                "Nomor antrean di kiosk ini sudah habis untuk hari ini. Silakan tanya petugas.".into()
            }
            (Refusal::NumbersExhausted, Lang::En) => {
                "This kiosk has no more numbers for today. Please ask staff.".into()
            }
        }
    }
}

/// Checks a ticket request against the catalogue at local date-time `at` (in the site's
/// time zone). `issued_today` counts the service's tickets already issued today (voided
/// ones excluded), for the quota.
pub fn check_issuable(
    site: &Site,
    service: &Service,
    agency_active: bool,
    at: &jiff::civil::DateTime,
    issued_today: u32,
) -> Result<(), Refusal> {
    if !service.active || !agency_active {
        return Err(Refusal::Unavailable);
    }
    if let Some(h) = site.holidays.iter().find(|h| h.date == at.date()) {
        return Err(Refusal::Holiday { name: h.name.clone() });
    }
    let week = service.hours.as_ref().unwrap_or(&site.hours);
    let Some(day) = week.on(at.weekday()) else { return Err(Refusal::ClosedToday) };
    let now = TimeOfDay::of(at);
    check_time(day, now, site.cutoff_minutes, &site.time_zone)?;
    if let Some(quota) = service.daily_quota
        && issued_today >= quota
    {
        return Err(Refusal::QuotaFull { quota });
    }
    Ok(())
}

/// When numbers for `service` can next be taken, at or after the local time `at`: the first
/// moment on an opening day that is not a holiday, inside the day's hours (the service's
/// own, else the site's), outside its breaks and before its cut-off. `skip_today` starts
/// from tomorrow (today's quota is used up). `None` when the service or its agency is
/// switched off, or nothing opens within a year.
pub fn next_opening(
    site: &Site,
    service: &Service,
    agency_active: bool,
    at: &jiff::civil::DateTime,
    skip_today: bool,
) -> Option<jiff::civil::DateTime> {
    if !service.active || !agency_active {
        return None;
    }
    let week = service.hours.as_ref().unwrap_or(&site.hours);
    let now = TimeOfDay::of(at);
    for offset in 0..=366 {
        if offset == 0 && skip_today {
            continue;
        }
        let date = at.date().checked_add(jiff::Span::new().days(offset)).ok()?;
        if site.holidays.iter().any(|h| h.date == date) {
            continue;
        }
        let Some(day) = week.on(date.weekday()) else { continue };
        let last = day.close.minutes().saturating_sub(site.cutoff_minutes as u16);
        let mut start = if offset == 0 { now.max(day.open) } else { day.open };
        // A break can end where another starts: step over each in turn.
        while let Some(b) = day.breaks.iter().find(|b| b.start <= start && start < b.end) {
            start = b.end;
        }
        if start.minutes() < last {
            return Some(date.at(start.hour() as i8, start.minute() as i8, 0, 0));
        }
    }
    None
}

/// The site's doors at a local time (its own hours and holidays, not a service's): what
/// a lobby display says when the MPP is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doors {
    /// Open now (inside the day's hours; a break does not close the building).
    pub open: bool,
    /// When it closes today, while open.
    pub closes: Option<jiff::civil::DateTime>,
    /// When it next opens after now (after today's closing while open); `None` when
    /// nothing opens within a year.
    pub next_open: Option<jiff::civil::DateTime>,
}

pub fn doors(site: &Site, at: &jiff::civil::DateTime) -> Doors {
    let holiday = |d: jiff::civil::Date| site.holidays.iter().any(|h| h.date == d);
    let today = if holiday(at.date()) { None } else { site.hours.on(at.weekday()) };
    let now = TimeOfDay::of(at);
    let open = today.is_some_and(|d| d.open <= now && now < d.close);
    let at_close = |d: &DayHours| at.date().at(d.close.hour() as i8, d.close.minute() as i8, 0, 0);
    let closes = today.filter(|_| open).map(at_close);
    let after = closes.unwrap_or(*at);
    let next_open = (0..=366).find_map(|offset| {
        let date = at.date().checked_add(jiff::Span::new().days(offset)).ok()?;
        let day = site.hours.on(date.weekday()).filter(|_| !holiday(date))?;
        let opens = date.at(day.open.hour() as i8, day.open.minute() as i8, 0, 0);
        (opens > after).then_some(opens)
    });
    Doors { open, closes, next_open }
}

/// A refusal, and when numbers can be taken again when that is known: what the kiosk
/// says instead of a bare "no".
pub fn refusal_text(
    r: &Refusal,
    next: Option<&jiff::civil::DateTime>,
    today: jiff::civil::Date,
    zone: &str,
    lang: Lang,
) -> String {
    // The concrete time replaces the generic "come back on the next service day".
    let reason = || r.reason(lang);
    match (next, lang) {
        (Some(n), Lang::Id) => {
            format!("{} Nomor antrean tersedia lagi {}.", reason(), next_opening_text(n, today, zone, lang))
        }
        (Some(n), Lang::En) => {
            format!("{} Numbers are available again {}.", reason(), next_opening_text(n, today, zone, lang))
        }
        (None, _) => r.message(lang),
    }
}

/// The generic advice of the refusals that end a day, when no time is known.
const COME_BACK: [&str; 2] =
    [" Silakan datang lagi pada hari layanan berikutnya.", " Please come back on the next service day."];

/// The next opening in a few words, for a service row: "besok 08.00", "Senin 08.00",
/// "hari ini 13.00", "4 Januari 08.00" (further than a week).
pub fn next_opening_short(next: &jiff::civil::DateTime, today: jiff::civil::Date, lang: Lang) -> String {
    let time = crate::hours::clock_text(TimeOfDay::of(next), lang);
    let days = (next.date() - today).get_days();
    let (weekday, day_month) =
        (crate::hours::weekday_name(next.date(), lang), crate::hours::day_month(next.date(), lang));
    match (days, lang) {
        (0, Lang::Id) => format!("hari ini {time}"),
        (0, Lang::En) => format!("today {time}"),
        (1, Lang::Id) => format!("besok {time}"),
        (1, Lang::En) => format!("tomorrow {time}"),
        (2..=6, _) => format!("{weekday} {time}"),
        _ => format!("{day_month} {time}"),
    }
}

/// When that is, as a citizen reads it: "hari ini pukul 13.00 WITA", "besok, Selasa 1
/// Desember, pukul 08.00 WITA", "Senin, 7 Desember, pukul 08.00 WITA".
pub fn next_opening_text(next: &jiff::civil::DateTime, today: jiff::civil::Date, zone: &str, lang: Lang) -> String {
    let time = local_time_text(TimeOfDay::of(next), zone, lang);
    // "Senin, 30 November", with the year only when it is not this year.
    let date = if next.year() == today.year() {
        format!("{}, {}", crate::hours::weekday_name(next.date(), lang), crate::hours::day_month(next.date(), lang))
    } else {
        crate::hours::local_date(next, lang)
    };
    let tomorrow = today.tomorrow().ok();
    match lang {
        Lang::Id if next.date() == today => format!("hari ini pukul {time}"),
        Lang::Id if Some(next.date()) == tomorrow => format!("besok, {date}, pukul {time}"),
        Lang::Id => format!("{date}, pukul {time}"),
        Lang::En if next.date() == today => format!("today at {time}"),
        Lang::En if Some(next.date()) == tomorrow => format!("tomorrow, {date}, at {time}"),
        Lang::En => format!("{date}, at {time}"),
    }
}

fn check_time(day: &DayHours, now: TimeOfDay, cutoff: u32, zone: &str) -> Result<(), Refusal> {
    if now < day.open {
        return Err(Refusal::NotYetOpen { opens: day.open, zone: zone.to_owned() });
    }
    let last = day.close.minutes().saturating_sub(cutoff as u16);
    if now.minutes() >= last {
        return Err(Refusal::ClosedForToday { closes: day.close, cutoff_minutes: cutoff, zone: zone.to_owned() });
    }
    if let Some(b) = day.breaks.iter().find(|b| b.start <= now && now < b.end) {
        return Err(Refusal::OnBreak { until: b.end, zone: zone.to_owned() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::default_feed;
    use jiff::civil::date;

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> jiff::civil::DateTime {
        date(y, m, d).at(h, min, 0, 0)
    }

    #[test]
    fn opening_hours_breaks_cutoff_holidays_and_quota() {
        let feed = default_feed();
        let site = &feed.site;
        let ktp = feed.service("KTP-BARU").unwrap();
        let paspor = feed.service("PASPOR-BARU").unwrap();
        let check = |s, t: jiff::civil::DateTime, n| check_issuable(site, s, true, &t, n);

        // Monday 30 November 2026.
        assert_eq!(
            check(ktp, at(2026, 11, 30, 7, 59), 0),
            Err(Refusal::NotYetOpen { opens: "08:00".parse().unwrap(), zone: "Asia/Makassar".into() })
        );
        assert_eq!(check(ktp, at(2026, 11, 30, 8, 0), 0), Ok(()));
        assert_eq!(check(ktp, at(2026, 11, 30, 15, 29), 0), Ok(()));
        let closed = Refusal::ClosedForToday {
            closes: "16:00".parse().unwrap(),
            cutoff_minutes: 30,
            zone: "Asia/Makassar".into(),
        };
        assert_eq!(check(ktp, at(2026, 11, 30, 15, 30), 0), Err(closed.clone()));
        assert_eq!(check(ktp, at(2026, 11, 30, 20, 0), 0), Err(closed));
        // Friday 4 December: the prayer break, and the later closing.
        assert_eq!(check(ktp, at(2026, 12, 4, 11, 29), 0), Ok(()));
        assert_eq!(
            check(ktp, at(2026, 12, 4, 11, 30), 0),
            Err(Refusal::OnBreak { until: "13:00".parse().unwrap(), zone: "Asia/Makassar".into() })
        );
        assert_eq!(check(ktp, at(2026, 12, 4, 13, 0), 0), Ok(()));
        assert_eq!(check(ktp, at(2026, 12, 4, 15, 59), 0), Ok(()));
        // Saturday, and Christmas (a Friday).
        assert_eq!(check(ktp, at(2026, 12, 5, 10, 0), 0), Err(Refusal::ClosedToday));
        assert!(matches!(check(ktp, at(2026, 12, 25, 10, 0), 0), Err(Refusal::Holiday { .. })));
        // The passport quota of 30.
        assert_eq!(check(paspor, at(2026, 11, 30, 9, 0), 29), Ok(()));
        assert_eq!(check(paspor, at(2026, 11, 30, 9, 0), 30), Err(Refusal::QuotaFull { quota: 30 }));
        // Switched off.
        assert_eq!(check_issuable(site, ktp, false, &at(2026, 11, 30, 9, 0), 0), Err(Refusal::Unavailable));
    }

    #[test]
    fn the_doors_open_and_close_with_the_site_not_a_service() {
        let feed = default_feed();
        let site = &feed.site;
        // Monday 09.05: open until 16.00, then Tuesday 08.00.
        assert_eq!(
            doors(site, &at(2026, 11, 30, 9, 5)),
            Doors { open: true, closes: Some(at(2026, 11, 30, 16, 0)), next_open: Some(at(2026, 12, 1, 8, 0)) }
        );
        // Before opening: today at 08.00. After closing: tomorrow.
        assert_eq!(doors(site, &at(2026, 11, 30, 7, 0)).next_open, Some(at(2026, 11, 30, 8, 0)));
        assert!(!doors(site, &at(2026, 11, 30, 7, 0)).open);
        assert_eq!(
            doors(site, &at(2026, 11, 30, 16, 0)),
            Doors { open: false, closes: None, next_open: Some(at(2026, 12, 1, 8, 0)) }
        );
        // The Friday prayer break does not close the building.
        assert!(doors(site, &at(2026, 12, 4, 12, 0)).open);
        // Saturday afternoon: Monday. Christmas Eve evening (Thursday): past the holiday
        // (Friday) and the weekend, Monday 28 December.
        assert_eq!(doors(site, &at(2026, 12, 5, 15, 0)).next_open, Some(at(2026, 12, 7, 8, 0)));
        assert_eq!(doors(site, &at(2026, 12, 24, 18, 0)).next_open, Some(at(2026, 12, 28, 8, 0)));
        assert!(!doors(site, &at(2026, 12, 25, 10, 0)).open);
    }

    #[test]
    fn refusals_speak_both_languages() {
        let r = Refusal::OnBreak { until: "13:00".parse().unwrap(), zone: "Asia/Makassar".into() };
        assert_eq!(r.message(Lang::Id), "Sedang istirahat. Nomor antrean tersedia lagi pukul 13.00 WITA.");
        assert_eq!(r.message(Lang::En), "On a break. Queue numbers are available again from 13:00 WITA.");
        let q = Refusal::QuotaFull { quota: 30 };
        assert!(q.message(Lang::Id).contains("Kuota hari ini (30 nomor) sudah habis"));
        assert!(q.message(Lang::En).contains("quota of 30"));
    }

    #[test]
    fn the_next_opening_skips_weekends_holidays_breaks_and_the_cut_off() {
        let mut feed = default_feed();
        let ktp = feed.service("KTP-BARU").unwrap().clone();
        let next = |site: &Site, t: jiff::civil::DateTime, skip: bool| next_opening(site, &ktp, true, &t, skip);
        let site = feed.site.clone();
        // Before opening on a Monday: today at 08:00.
        assert_eq!(next(&site, at(2026, 11, 30, 7, 0), false), Some(at(2026, 11, 30, 8, 0)));
        // Open now: now.
        assert_eq!(next(&site, at(2026, 11, 30, 9, 5), false), Some(at(2026, 11, 30, 9, 5)));
        // Friday prayer break: when it ends.
        assert_eq!(next(&site, at(2026, 12, 4, 12, 0), false), Some(at(2026, 12, 4, 13, 0)));
        // Past the cut-off on Friday (closes 16:30, numbers until 16:00): Monday 08:00.
        assert_eq!(next(&site, at(2026, 12, 4, 15, 59), false), Some(at(2026, 12, 4, 15, 59)));
        assert_eq!(next(&site, at(2026, 12, 4, 16, 0), false), Some(at(2026, 12, 7, 8, 0)));
        // Saturday afternoon: Monday.
        assert_eq!(next(&site, at(2026, 11, 28, 15, 0), false), Some(at(2026, 11, 30, 8, 0)));
        // Quota used up today: tomorrow's opening.
        assert_eq!(next(&site, at(2026, 11, 30, 9, 5), true), Some(at(2026, 12, 1, 8, 0)));
        // A holiday on a Monday: Tuesday.
        let mut holiday = site.clone();
        holiday
            .holidays
            .push(crate::catalogue::Holiday { date: date(2026, 12, 7), name: Text::new("Libur", "Holiday") });
        assert_eq!(next(&holiday, at(2026, 12, 5, 10, 0), false), Some(at(2026, 12, 8, 8, 0)));
        // The end of the year: New Year's Eve evening to the first working day of January.
        let mut year_end = site.clone();
        year_end
            .holidays
            .push(crate::catalogue::Holiday { date: date(2027, 1, 1), name: Text::new("Tahun Baru", "New Year") });
        assert_eq!(next(&year_end, at(2026, 12, 31, 20, 0), false), Some(at(2027, 1, 4, 8, 0)));
        // A service with its own hours (Saturday mornings only): the next Saturday.
        let mut sat = ktp.clone();
        let day =
            |o: &str, c: &str| Some(DayHours { open: o.parse().unwrap(), close: c.parse().unwrap(), breaks: vec![] });
        sat.hours = Some(crate::hours::WeeklyHours {
            mon: None,
            tue: None,
            wed: None,
            thu: None,
            fri: None,
            sat: day("08:00", "12:00"),
            sun: None,
        });
        assert_eq!(next_opening(&site, &sat, true, &at(2026, 11, 30, 9, 0), false), Some(at(2026, 12, 5, 8, 0)));
        // Switched off: never.
        assert_eq!(next_opening(&site, &ktp, false, &at(2026, 11, 30, 9, 0), false), None);
        // Never open at all: none within a year.
        feed.site.hours =
            crate::hours::WeeklyHours { mon: None, tue: None, wed: None, thu: None, fri: None, sat: None, sun: None };
        assert_eq!(next(&feed.site, at(2026, 11, 30, 9, 0), false), None);
    }

    #[test]
    fn the_next_opening_reads_as_a_citizen_says_it() {
        let today = date(2026, 11, 28);
        let z = "Asia/Makassar";
        assert_eq!(next_opening_text(&at(2026, 11, 28, 13, 0), today, z, Lang::Id), "hari ini pukul 13.00 WITA");
        assert_eq!(
            next_opening_text(&at(2026, 11, 29, 8, 0), today, z, Lang::Id),
            "besok, Minggu, 29 November, pukul 08.00 WITA"
        );
        assert_eq!(
            next_opening_text(&at(2026, 11, 30, 8, 0), today, z, Lang::Id),
            "Senin, 30 November, pukul 08.00 WITA"
        );
        assert_eq!(
            next_opening_text(&at(2026, 11, 30, 8, 0), today, "Asia/Jakarta", Lang::En),
            "Monday, 30 November, at 08:00 WIB"
        );
        assert_eq!(
            next_opening_text(&at(2027, 1, 4, 8, 0), today, z, Lang::Id),
            "Senin, 4 Januari 2027, pukul 08.00 WITA"
        );
    }

    #[test]
    fn the_next_opening_fits_a_service_row() {
        let today = date(2026, 11, 28);
        assert_eq!(next_opening_short(&at(2026, 11, 28, 13, 0), today, Lang::Id), "hari ini 13.00");
        assert_eq!(next_opening_short(&at(2026, 11, 29, 8, 0), today, Lang::Id), "besok 08.00");
        assert_eq!(next_opening_short(&at(2026, 11, 30, 8, 0), today, Lang::Id), "Senin 08.00");
        assert_eq!(next_opening_short(&at(2026, 11, 30, 8, 0), today, Lang::En), "Monday 08:00");
        assert_eq!(next_opening_short(&at(2027, 1, 4, 8, 0), today, Lang::Id), "4 Januari 08.00");
    }
}
