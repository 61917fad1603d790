//! `/report`: the performance report for supervisors (a signed-in supervisor or admin of
//! the site): the period's figures, charts drawn on the server as SVG (tickets and the
//! median wait per hour, the IKM per element), a traffic light per service, counters and
//! staff; `/report.csv` the same as one table; a print button with a print style sheet.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::report::Light;

use crate::app::report::{ReportError, SiteReport};
use crate::web::auth::Supervisor;
use crate::web::error::{Form, WebError};
use crate::web::html::{esc, page};
use crate::web::state::WebState;

#[derive(serde::Deserialize)]
pub struct Period {
    from: Option<jiff::civil::Date>,
    to: Option<jiff::civil::Date>,
}

type PeriodParam = Result<Query<Period>, axum::extract::rejection::QueryRejection>;

/// The signed-in supervisor's site's report for the period asked (default today).
async fn load(state: &WebState, site: &str, q: PeriodParam) -> Result<SiteReport, WebError> {
    let Ok(Query(q)) = q else { return Err(WebError::text(StatusCode::BAD_REQUEST, "from, to: YYYY-MM-DD")) };
    let unavailable = |e: &crate::app::DbError| WebError::db(Form::Page, &format!("the report of {site}"), e);
    let today = match q.from {
        Some(d) => d,
        None => state
            .app
            .today(site, crate::clock::now())
            .await
            .map_err(|e| unavailable(&e))?
            .unwrap_or_else(|| crate::clock::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
    };
    let bad = |e: WebError| WebError::text(StatusCode::BAD_REQUEST, e.message);
    let from = crate::web::api::queue::plausible(q.from.unwrap_or(today)).map_err(bad)?;
    let to = crate::web::api::queue::plausible(q.to.unwrap_or(from)).map_err(bad)?;
    state.app.report(site, from, to).await.map_err(|e| match e {
        ReportError::Period { .. } => WebError::text(StatusCode::BAD_REQUEST, e.to_string()),
        ReportError::NoSite(_) => WebError::page(StatusCode::NOT_FOUND, e.to_string()),
        ReportError::Db(e) => unavailable(&e),
    })
}

pub async fn csv(
    State(state): State<WebState>,
    Supervisor(s): Supervisor,
    q: PeriodParam,
) -> Result<Response, WebError> {
    let r = load(&state, &s.site, q).await?;
    let name = format!("attachment; filename=\"laporan-{}-{}-{}.csv\"", r.site, r.from, r.to);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)],
        crate::app::report::csv(&r),
    )
        .into_response())
}

fn minutes(x: Option<f64>) -> String {
    x.map_or("—".to_owned(), |v| format!("{v:.0} mnt"))
}

/// Vertical bars with a value on each, labels under them. Sizes in the SVG's own units;
/// it scales to the page.
fn bars(title: &str, items: &[(String, f64, String)], colour: &str) -> String {
    let (w, h, left, bottom, top) = (640.0, 240.0, 8.0, 28.0, 24.0);
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max).max(1.0);
    let n = items.len().max(1) as f64;
    let slot = (w - 2.0 * left) / n;
    let mut svg = format!(
        r#"<figure><figcaption>{}</figcaption><svg viewBox="0 0 {w} {h}" role="img" aria-label="{}">"#,
        esc(title),
        esc(title)
    );
    for (i, (label, v, shown)) in items.iter().enumerate() {
        let bh = (h - bottom - top) * v / max;
        let x = left + slot * i as f64 + slot * 0.15;
        let y = h - bottom - bh;
        svg += &format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="{colour}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="v">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" class="l">{}</text>"#,
            slot * 0.7,
            x + slot * 0.35,
            y - 4.0,
            esc(shown),
            x + slot * 0.35,
            h - 8.0,
            esc(label)
        );
    }
    svg + "</svg></figure>"
}

fn light_words(l: Option<Light>) -> (&'static str, &'static str) {
    match l {
        Some(Light::Green) => ("green", "Hijau"),
        Some(Light::Amber) => ("amber", "Kuning"),
        Some(Light::Red) => ("red", "Merah"),
        None => ("none", "—"),
    }
}

pub async fn report(
    State(state): State<WebState>,
    Supervisor(s): Supervisor,
    q: PeriodParam,
) -> Result<Response, WebError> {
    let r = load(&state, &s.site, q).await?;
    let f = &r.report.site;
    let name = |code: &str| r.names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let ikm = r.report.ikm.as_ref().map_or("belum ada responden".to_owned(), |i| {
        format!(
            "{:.2} ({:?}, {}) · {} responden",
            i.converted,
            i.grade,
            i.grade.words(mpp_domain::text::Lang::Id),
            i.respondents
        )
    });
    let hours: Vec<(String, f64, String)> =
        r.report.hours.iter().map(|h| (format!("{:02}", h.hour), f64::from(h.issued), h.issued.to_string())).collect();
    let waits: Vec<(String, f64, String)> = r
        .report
        .hours
        .iter()
        .map(|h| {
            (
                format!("{:02}", h.hour),
                h.wait_median_min.unwrap_or(0.0),
                h.wait_median_min.map_or("—".into(), |m| format!("{m:.0}")),
            )
        })
        .collect();
    let elements: Vec<(String, f64, String)> = r.report.ikm.as_ref().map_or(Vec::new(), |i| {
        i.elements.iter().map(|e| (e.element.clone(), e.nrr, format!("{:.2}", e.nrr))).collect()
    });
    let services: String = r
        .report
        .by_service
        .iter()
        .map(|(code, (f, light))| {
            let (class, word) = light_words(*light);
            format!(
                r#"<tr><td><span class="light {class}"></span> {word}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                esc(&name(code)),
                f.issued,
                f.served,
                f.no_shows,
                minutes(f.wait_median_min),
                minutes(f.wait_p90_min),
                minutes(f.service_median_min)
            )
        })
        .collect();
    let counters: String = r
        .report
        .counters
        .iter()
        .map(|c| {
            let reasons =
                c.paused_by_reason.iter().map(|(k, v)| format!("{} {v:.0} mnt", esc(k))).collect::<Vec<_>>().join(", ");
            format!(
                "<tr><td>Loket {}</td><td>{}</td><td>{:.0} mnt</td><td>{:.0} mnt {}</td><td>{:.0} mnt</td></tr>",
                c.counter,
                c.figures.served,
                c.busy_min,
                c.paused_min,
                if reasons.is_empty() { String::new() } else { format!("({reasons})") },
                c.idle_min
            )
        })
        .collect();
    let staff: String = r
        .report
        .by_staff
        .iter()
        .map(|(p, f)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(p),
                f.called,
                f.served,
                minutes(f.service_median_min)
            )
        })
        .collect();
    let bookings = if r.bookings.is_empty() {
        String::new()
    } else {
        let rows: String = r
            .bookings
            .iter()
            .map(|(code, b)| {
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&name(code)),
                    b.booked,
                    b.in_time,
                    b.late,
                    b.no_shows,
                    b.cancelled,
                    b.walk_ins,
                    b.arrival_median_min.map_or("—".to_owned(), |m| format!("{m:+.0} mnt")),
                    b.share_used_percent.map_or("—".to_owned(), |p| format!("{p:.0} %")),
                )
            })
            .collect();
        format!(
            r#"<h2>Booking dan datang langsung</h2><p class="note">Datang: menit dari awal jam booking sampai check-in (negatif: lebih awal). Kuota booking terpakai: booking dari bagian kuota harian yang disediakan untuk booking.</p>
<table><thead><tr><th>Layanan</th><th>Booking</th><th>Tepat waktu</th><th>Terlambat (jadi biasa)</th><th>Tidak datang</th><th>Dibatalkan</th><th>Datang langsung</th><th>Datang (median)</th><th>Kuota booking terpakai</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    let q = format!("from={}&to={}", r.from, r.to);
    let body = format!(
        r#"<header><h1>Laporan kinerja · {site}</h1><a href="/counter">Loket</a></header>
<main class="report">
<form class="period" method="get" action="/report"><label>Dari <input type="date" name="from" value="{from}"></label><label>Sampai <input type="date" name="to" value="{to}"></label><button type="submit">Tampilkan</button>
<a class="button" href="/report.csv?{q}" download>Unduh CSV</a><button type="button" id="print">Cetak</button></form>
<h2>{from} s.d. {to}</h2>
<section class="cards">
<div><b>{issued}</b>nomor diambil</div><div><b>{served}</b>dilayani</div><div><b>{no_shows}</b>tidak hadir</div><div><b>{transfers}</b>dialihkan</div>
<div><b>{wait50}</b>tunggu (median)</div><div><b>{wait90}</b>tunggu (p90)</div><div><b>{svc50}</b>lama layanan (median)</div><div><b>{ikm}</b>IKM (PermenPANRB 14/2017)</div>
</section>
<p>Jam tersibuk: {busiest}</p>
<section class="charts">{c1}{c2}{c3}</section>
<h2>Per layanan</h2><p class="note">Lampu: hijau bila 9 dari 10 dipanggil dalam {amber:.0} menit, kuning dalam {red:.0} menit, merah lebih lama.</p>
<table><thead><tr><th>Lampu</th><th>Layanan</th><th>Diambil</th><th>Dilayani</th><th>Tidak hadir</th><th>Tunggu median</th><th>Tunggu p90</th><th>Layanan median</th></tr></thead><tbody>{services}</tbody></table>
{bookings}
<h2>Per loket</h2><table><thead><tr><th>Loket</th><th>Dilayani</th><th>Sibuk</th><th>Jeda (alasan)</th><th>Menganggur</th></tr></thead><tbody>{counters}</tbody></table>
<h2>Per petugas</h2><table><thead><tr><th>Petugas</th><th>Dipanggil</th><th>Dilayani</th><th>Layanan median</th></tr></thead><tbody>{staff}</tbody></table>
</main>"#,
        site = esc(&r.site_name),
        from = r.from,
        to = r.to,
        issued = f.issued,
        served = f.served,
        no_shows = f.no_shows,
        transfers = f.transfers,
        wait50 = minutes(f.wait_median_min),
        wait90 = minutes(f.wait_p90_min),
        svc50 = minutes(f.service_median_min),
        ikm = esc(&ikm),
        busiest = r.report.busiest_hours.iter().map(|h| format!("{h:02}.00")).collect::<Vec<_>>().join(", "),
        c1 = bars("Nomor diambil per jam", &hours, "#123D91"),
        c2 = bars("Tunggu median per jam (menit)", &waits, "#B7791F"),
        c3 = bars("IKM per unsur (NRR, 1–4)", &elements, "#0A5733"),
        amber = mpp_domain::report::AMBER_MIN,
        red = mpp_domain::report::RED_MIN,
    );
    Ok(page(&format!("Laporan — {}", r.site_name), r#"class="report-page""#, &body, Some("report.js")).into_response())
}
