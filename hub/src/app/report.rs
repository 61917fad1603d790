//! The performance report of a site over a period (`mpp_domain::report`), read from the
//! tickets, the counters' audit trail and the survey responses, and written as JSON, CSV
//! (one table a ministry clerk opens in a spreadsheet) or text. `mpp-hub report` prints
//! the same figures as the page (`web::pages::report`).

use mpp_domain::report::{Pause, Report, report};
use serde::Serialize;

use crate::db::{self, DbError};

use super::App;

/// A report with what it covers.
#[derive(Debug, Serialize)]
pub struct SiteReport {
    pub site: String,
    pub site_name: String,
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    pub time_zone: String,
    #[serde(flatten)]
    pub report: Report,
    /// Bookings against walk-ins, per service that took bookings.
    pub bookings: std::collections::BTreeMap<String, mpp_domain::booking::report::BookingFigures>,
    /// Service and agency names for the page and the text, by code.
    #[serde(skip)]
    pub names: std::collections::HashMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no site {0:?} on this server")]
    NoSite(String),
    #[error("the period {from}..{to} is backwards or longer than 366 days")]
    Period { from: jiff::civil::Date, to: jiff::civil::Date },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Pauses from their events, counter by counter: each pause until the counter's next pause
/// or resume, or, when none follows, until `last_event` (the period's last end).
pub fn pauses(events: &[db::report::PauseEvent], last_event: Option<jiff::Timestamp>) -> Vec<Pause> {
    let open_end = |from: jiff::Timestamp| last_event.unwrap_or(from).max(from);
    let mut pauses = Vec::new();
    let mut open: Option<(i16, String, jiff::Timestamp)> = None;
    for e in events {
        if let Some((c, why, from)) = open.take() {
            let until = if c == e.counter { e.at } else { open_end(from) };
            pauses.push(Pause { counter: c, reason: why, from, until });
        }
        if let Some(reason) = &e.paused {
            open = Some((e.counter, reason.clone(), e.at));
        }
    }
    if let Some((counter, reason, from)) = open {
        pauses.push(Pause { counter, reason, from, until: open_end(from) });
    }
    pauses
}

impl App {
    /// Reads the site's tickets, trail and survey of `from..=to` (local days) and computes.
    pub async fn report(
        &self,
        site: &str,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<SiteReport, ReportError> {
        if to < from || (to - from).get_days() > 366 {
            return Err(ReportError::Period { from, to });
        }
        let info = self.site_info_cached(site).await?.ok_or_else(|| ReportError::NoSite(site.to_owned()))?;
        let zone = mpp_domain::hours::zone(&info.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let visits = db::report::visits(&self.db, site, from, to).await?;
        let events = db::report::pause_events(&self.db, site, from, to, &info.time_zone).await?;
        let pauses = pauses(&events, visits.iter().filter_map(|v| v.end_at).max());
        let survey = db::report::survey_answers(&self.db, site, from, to).await?;
        let booked = db::report::bookings(&self.db, site, from, to).await?;
        let (walk_ins, share) = db::report::walk_ins_and_share(&self.db, site, from, to).await?;
        let elements: Vec<String> = mpp_domain::survey::ELEMENT_CODES.iter().map(|s| s.to_string()).collect();
        let mut names: std::collections::HashMap<String, String> = info.services.iter().cloned().collect();
        for v in &visits {
            names.entry(v.agency.clone()).or_insert_with(|| v.agency.clone());
        }
        Ok(SiteReport {
            site: site.to_owned(),
            site_name: info.name.clone(),
            from,
            to,
            time_zone: info.time_zone.clone(),
            report: report(&visits, &pauses, &zone, &elements, &survey),
            bookings: mpp_domain::booking::report::figures(&booked, &walk_ins, &share),
            names,
        })
    }
}

/// A cell a spreadsheet shows as text: one that would begin a formula (`=`, `+`, `-`,
/// `@`, a tab or a return: text typed at a counter, a pause's reason, a catalogue's name)
/// gets a leading apostrophe, so opening the file runs nothing.
pub fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}").into() } else { cell.into() }
}

fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// One table: a row per group (`site`, `agency`, `service`, `staff`, `counter`, `hour`,
/// `ikm_element`, `ikm`) with the same columns, empty where a figure does not apply.
pub fn csv(r: &SiteReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "site",
        "from",
        "to",
        "kind",
        "group",
        "name",
        "issued",
        "called",
        "served",
        "no_shows",
        "transfers",
        "wait_median_min",
        "wait_p90_min",
        "service_median_min",
        "service_p90_min",
        "light",
        "busy_min",
        "paused_min",
        "idle_min",
        "nrr_or_ikm",
        "respondents",
        "booked",
        "booked_in_time",
        "booked_late",
        "booked_no_shows",
        "booked_cancelled",
        "walk_ins",
        "arrival_median_min",
        "booked_share_used_percent",
    ])
    .expect("writing to memory");
    let head = [r.site.clone(), r.from.to_string(), r.to.to_string()];
    let mut row =
        |kind: &str, group: &str, name: &str, f: Option<&mpp_domain::report::Figures>, mut rest: Vec<String>| {
            rest.resize(14, String::new());
            let figs: [String; 9] = match f {
                Some(f) => [
                    f.issued.to_string(),
                    f.called.to_string(),
                    f.served.to_string(),
                    f.no_shows.to_string(),
                    f.transfers.to_string(),
                    num(f.wait_median_min),
                    num(f.wait_p90_min),
                    num(f.service_median_min),
                    num(f.service_p90_min),
                ],
                None => Default::default(),
            };
            let rec: Vec<String> =
                head.iter().cloned().chain([kind.into(), group.into(), name.into()]).chain(figs).chain(rest).collect();
            w.write_record(rec.iter().map(|c| formula_safe(c).into_owned())).expect("writing to memory");
        };
    let none = Vec::<String>::new;
    row("site", &r.site, &r.site_name, Some(&r.report.site), none());
    for (a, f) in &r.report.by_agency {
        row("agency", a, r.names.get(a).map_or(a, |n| n), Some(f), none());
    }
    for (s, (f, light)) in &r.report.by_service {
        let light = light.map(|l| format!("{l:?}").to_lowercase()).unwrap_or_default();
        row("service", s, r.names.get(s).map_or(s, |n| n), Some(f), vec![light]);
    }
    for (p, f) in &r.report.by_staff {
        row("staff", p, p, Some(f), none());
    }
    for c in &r.report.counters {
        row(
            "counter",
            &c.counter.to_string(),
            &format!("Loket {}", c.counter),
            Some(&c.figures),
            vec![
                String::new(),
                format!("{:.1}", c.busy_min),
                format!("{:.1}", c.paused_min),
                format!("{:.1}", c.idle_min),
            ],
        );
    }
    for h in &r.report.hours {
        let f =
            mpp_domain::report::Figures { issued: h.issued, wait_median_min: h.wait_median_min, ..Default::default() };
        row("hour", &format!("{:02}", h.hour), &format!("{:02}.00-{:02}.59", h.hour, h.hour), Some(&f), none());
    }
    if let Some(ikm) = &r.report.ikm {
        for e in &ikm.elements {
            row(
                "ikm_element",
                &e.element,
                &e.element,
                None,
                vec![
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("{:.2}", e.nrr),
                    e.answered.to_string(),
                ],
            );
        }
        row(
            "ikm",
            "IKM",
            &format!("{:?} {}", ikm.grade, ikm.grade.words(mpp_domain::text::Lang::Id)),
            None,
            vec![
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("{:.2}", ikm.converted),
                ikm.respondents.to_string(),
            ],
        );
    }
    for (s, b) in &r.bookings {
        let mut rest = vec![String::new(); 6];
        rest.extend([
            b.booked.to_string(),
            b.in_time.to_string(),
            b.late.to_string(),
            b.no_shows.to_string(),
            b.cancelled.to_string(),
            b.walk_ins.to_string(),
            num(b.arrival_median_min),
            num(b.share_used_percent),
        ]);
        row("booking", s, r.names.get(s).map_or(s, |n| n), None, rest);
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

/// The figures as a person reads them on a terminal.
pub fn text(r: &SiteReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let f = &r.report.site;
    let m = |x: Option<f64>| x.map_or("-".to_owned(), |v| format!("{v:.1} min"));
    writeln!(out, "{} ({}), {} to {}", r.site_name, r.site, r.from, r.to).unwrap();
    writeln!(
        out,
        "tickets: {} issued, {} called, {} served, {} no-shows, {} transfers",
        f.issued, f.called, f.served, f.no_shows, f.transfers
    )
    .unwrap();
    writeln!(
        out,
        "wait: median {}, p90 {}; service: median {}, p90 {}",
        m(f.wait_median_min),
        m(f.wait_p90_min),
        m(f.service_median_min),
        m(f.service_p90_min)
    )
    .unwrap();
    writeln!(
        out,
        "busiest hours: {}",
        r.report.busiest_hours.iter().map(|h| format!("{h:02}.00")).collect::<Vec<_>>().join(", ")
    )
    .unwrap();
    writeln!(
        out,
        "\nby service (light: p90 wait <= {} min green, <= {} amber, else red):",
        mpp_domain::report::AMBER_MIN,
        mpp_domain::report::RED_MIN
    )
    .unwrap();
    for (s, (f, light)) in &r.report.by_service {
        writeln!(
            out,
            "  {:<16} {:>4} issued {:>4} served {:>3} no-show  wait p50 {:>9} p90 {:>9}  service p50 {:>9}  {}",
            s,
            f.issued,
            f.served,
            f.no_shows,
            m(f.wait_median_min),
            m(f.wait_p90_min),
            m(f.service_median_min),
            light.map(|l| format!("{l:?}").to_lowercase()).unwrap_or_default()
        )
        .unwrap();
    }
    if !r.bookings.is_empty() {
        writeln!(
            out,
            "\nbookings (in time / late, walk-in / no-show / cancelled; walk-ins; arrival vs slot; booked share used):"
        )
        .unwrap();
        for (s, b) in &r.bookings {
            writeln!(
                out,
                "  {:<16} {:>4} booked: {} / {} / {} / {}; {} walk-ins; arrival {}; share {}",
                s,
                b.booked,
                b.in_time,
                b.late,
                b.no_shows,
                b.cancelled,
                b.walk_ins,
                b.arrival_median_min.map_or("-".to_owned(), |v| format!("{v:+.0} min")),
                b.share_used_percent.map_or("-".to_owned(), |v| format!("{v:.0} %"))
            )
            .unwrap();
        }
    }
    writeln!(out, "\nby counter:").unwrap();
    for c in &r.report.counters {
        let reasons = c.paused_by_reason.iter().map(|(k, v)| format!("{k} {v:.0} min")).collect::<Vec<_>>().join(", ");
        writeln!(
            out,
            "  Loket {:<3} {:>4} served  busy {:.0} min  paused {:.0} min{}  idle {:.0} min",
            c.counter,
            c.figures.served,
            c.busy_min,
            c.paused_min,
            if reasons.is_empty() { String::new() } else { format!(" ({reasons})") },
            c.idle_min
        )
        .unwrap();
    }
    writeln!(out, "\nby staff:").unwrap();
    for (p, f) in &r.report.by_staff {
        writeln!(
            out,
            "  {:<16} {:>4} called {:>4} served  service p50 {}",
            p,
            f.called,
            f.served,
            m(f.service_median_min)
        )
        .unwrap();
    }
    match &r.report.ikm {
        Some(i) => writeln!(
            out,
            "\nIKM: {:.2} ({:?}, {}) from {} respondents",
            i.converted,
            i.grade,
            i.grade.words(mpp_domain::text::Lang::Id),
            i.respondents
        )
        .unwrap(),
        None => writeln!(out, "\nIKM: no respondents").unwrap(),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::report::PauseEvent;

    fn at(hm: &str) -> jiff::Timestamp {
        format!("2026-11-30T{hm}:00+08:00").parse().unwrap()
    }

    #[test]
    fn a_cell_that_would_be_a_formula_is_text() {
        assert_eq!(formula_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        for f in ["+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(formula_safe(f).starts_with('\''), "{f:?}");
        }
        assert_eq!(formula_safe("istirahat"), "istirahat");
        assert_eq!(formula_safe("10.5"), "10.5");
    }

    #[test]
    fn a_pause_ends_at_its_counters_next_event_or_the_periods_last() {
        let e = |counter, paused: Option<&str>, hm| PauseEvent { counter, paused: paused.map(Into::into), at: at(hm) };
        let events = [
            e(1, Some("istirahat"), "09:28"),
            e(1, None, "09:35"),
            e(1, Some("sholat"), "10:30"),
            // Counter 1's last pause is still open when counter 2's rows begin.
            e(2, Some("gangguan"), "10:00"),
            e(2, Some("istirahat"), "10:10"),
        ];
        let p = pauses(&events, Some(at("10:45")));
        let got: Vec<(i16, &str, jiff::Timestamp, jiff::Timestamp)> =
            p.iter().map(|p| (p.counter, p.reason.as_str(), p.from, p.until)).collect();
        assert_eq!(
            got,
            [
                (1, "istirahat", at("09:28"), at("09:35")),
                (1, "sholat", at("10:30"), at("10:45")),
                (2, "gangguan", at("10:00"), at("10:10")),
                (2, "istirahat", at("10:10"), at("10:45")),
            ]
        );
    }
}
