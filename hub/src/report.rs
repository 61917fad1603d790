//! The performance report of a site over a period (`mpp_domain::report`), read from the
//! tickets, the counters' audit trail (`call_event`) and the survey responses, and written
//! as JSON, CSV (one table a ministry clerk opens in a spreadsheet) or text. The page is in
//! `report_page`; `mpp-hub report` prints the same figures.

use deadpool_postgres::Pool;
use mpp_domain::report::{End, Pause, Report, Visit, report};
use serde::Serialize;

use crate::db::DbError;

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
    #[error("the site's catalogue: {0}")]
    Catalogue(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for ReportError {
    fn from(e: tokio_postgres::Error) -> Self {
        ReportError::Db(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for ReportError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        ReportError::Db(e.into())
    }
}

fn ts(s: Option<String>) -> Option<jiff::Timestamp> {
    s.and_then(|s| s.parse().ok())
}

const ISO: &str = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'";

/// Reads the site's tickets, trail and survey of `from..=to` (local days) and computes.
pub async fn load(
    pool: &Pool,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<SiteReport, ReportError> {
    if to < from || (to - from).get_days() > 366 {
        return Err(ReportError::Period { from, to });
    }
    let info = crate::counter_api::site_info_cached(pool, site).await.map_err(|e| match e {
        crate::counter_api::InfoError::NoSite => ReportError::NoSite(site.to_owned()),
        other => ReportError::Catalogue(other.to_string()),
    })?;
    let zone = jiff::tz::TimeZone::get(&info.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let client = pool.get().await?;
    // The trail of the period's tickets, one row per ticket (a day's margin either side
    // of the local days lets the (site, at) index bound it).
    let rows = client
        .query(
            &format!(
                "WITH ev AS (
                   SELECT ticket,
                          min(at) FILTER (WHERE action = 'call') AS first_call,
                          max(at) FILTER (WHERE action = 'call') AS last_call,
                          max(at) FILTER (WHERE action = 'start') AS start,
                          max(at) FILTER (WHERE action IN ('finish', 'no_show')) AS end_at,
                          count(*) FILTER (WHERE action = 'transfer') AS transfers,
                          (array_agg(counter ORDER BY id DESC) FILTER (WHERE action IN ('call', 'finish', 'no_show')))[1] AS counter,
                          (array_agg(staff ORDER BY id DESC) FILTER (WHERE action IN ('call', 'finish', 'no_show')))[1] AS staff
                   FROM call_event
                   WHERE site = $1 AND at >= $2::text::date - 1 AND at < $3::text::date + 2 AND ticket IS NOT NULL
                   GROUP BY ticket)
                 SELECT t.service, t.agency, to_char(t.issued_at AT TIME ZONE 'UTC', {ISO}), t.status, t.call_state,
                        to_char(ev.first_call AT TIME ZONE 'UTC', {ISO}), to_char(ev.start AT TIME ZONE 'UTC', {ISO}),
                        to_char(ev.last_call AT TIME ZONE 'UTC', {ISO}), to_char(ev.end_at AT TIME ZONE 'UTC', {ISO}),
                        coalesce(ev.transfers, 0), ev.counter, ev.staff
                 FROM ticket t LEFT JOIN ev ON ev.ticket = t.id
                 WHERE t.site = $1 AND t.local_date BETWEEN $2::text::date AND $3::text::date"
            ),
            &[&site, &from.to_string(), &to.to_string()],
        )
        .await?;
    let visits: Vec<Visit> = rows
        .iter()
        .map(|r| {
            let (status, call_state): (String, String) = (r.get(3), r.get(4));
            let end = match (status.as_str(), call_state.as_str()) {
                ("voided", _) => End::Voided,
                (_, "done") => End::Served,
                (_, "no_show") => End::NoShow,
                (_, "called" | "serving") => End::AtCounter,
                _ => End::Waiting,
            };
            Visit {
                service: r.get(0),
                agency: r.get(1),
                issued_at: ts(r.get(2)).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                first_call: ts(r.get(5)),
                start: ts(r.get(6)),
                last_call: ts(r.get(7)),
                end_at: ts(r.get(8)),
                end,
                counter: r.get(10),
                staff: r.get(11),
                transfers: u32::try_from(r.get::<_, i64>(9)).unwrap_or(0),
            }
        })
        .collect();
    // Pauses: each "pause" until the counter's next "resume" (or the period's last event).
    let rows = client
        .query(
            &format!(
                "SELECT counter, action, coalesce(reason, ''), to_char(at AT TIME ZONE 'UTC', {ISO}) FROM call_event
                 WHERE site = $1 AND action IN ('pause', 'resume') AND (at AT TIME ZONE $4)::date BETWEEN $2::text::date AND $3::text::date
                 ORDER BY counter, id"
            ),
            &[&site, &from.to_string(), &to.to_string(), &info.time_zone],
        )
        .await?;
    let last_event = visits.iter().filter_map(|v| v.end_at).max();
    // Rows come counter by counter; a pause ends at the counter's next pause or resume, or,
    // when none follows, at the period's last event.
    let open_end = |from: jiff::Timestamp| last_event.unwrap_or(from).max(from);
    let mut pauses = Vec::new();
    let mut open: Option<(i16, String, jiff::Timestamp)> = None;
    for r in &rows {
        let (counter, action, reason, at): (i16, String, String, Option<jiff::Timestamp>) =
            (r.get(0), r.get(1), r.get(2), ts(r.get(3)));
        let Some(at) = at else { continue };
        if let Some((c, why, from)) = open.take() {
            let until = if c == counter { at } else { open_end(from) };
            pauses.push(Pause { counter: c, reason: why, from, until });
        }
        if action == "pause" {
            open = Some((counter, reason, at));
        }
    }
    if let Some((counter, reason, from)) = open {
        pauses.push(Pause { counter, reason, from, until: open_end(from) });
    }
    let survey: Vec<Vec<(String, u8)>> = client
        .query("SELECT answers FROM survey_response WHERE site = $1 AND local_date BETWEEN $2::text::date AND $3::text::date", &[&site, &from.to_string(), &to.to_string()])
        .await?
        .iter()
        .filter_map(|r| serde_json::from_value(r.get::<_, serde_json::Value>(0)).ok())
        .collect();
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
        names,
    })
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
    ])
    .expect("writing to memory");
    let head = [r.site.clone(), r.from.to_string(), r.to.to_string()];
    let mut row = |kind: &str, group: &str, name: &str, f: Option<&mpp_domain::report::Figures>, rest: [String; 6]| {
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
        w.write_record(&rec).expect("writing to memory");
    };
    let none = || -> [String; 6] { Default::default() };
    row("site", &r.site, &r.site_name, Some(&r.report.site), none());
    for (a, f) in &r.report.by_agency {
        row("agency", a, r.names.get(a).map_or(a, |n| n), Some(f), none());
    }
    for (s, (f, light)) in &r.report.by_service {
        let light = light.map(|l| format!("{l:?}").to_lowercase()).unwrap_or_default();
        row(
            "service",
            s,
            r.names.get(s).map_or(s, |n| n),
            Some(f),
            [light, String::new(), String::new(), String::new(), String::new(), String::new()],
        );
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
            [
                String::new(),
                format!("{:.1}", c.busy_min),
                format!("{:.1}", c.paused_min),
                format!("{:.1}", c.idle_min),
                String::new(),
                String::new(),
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
                [
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
            [
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("{:.2}", ikm.converted),
                ikm.respondents.to_string(),
            ],
        );
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
