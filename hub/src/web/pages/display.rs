//! `/display/{site}`: the lobby display (its script, `display.js`, follows the site's
//! event stream, lays the counters out to fit the screen, shows the calls and speaks them).
//!
//! The page carries what the script needs to size and schedule itself: the smallest text
//! the reading distance allows (a share of the screen's short side), how long a page of
//! counters stays, which counters this screen shows, and when the site closes and opens.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::error::{Form, WebError};
use crate::web::html::{esc, page};
use crate::web::state::WebState;

/// A display's own settings in its address (each optional; `[display]` otherwise).
#[derive(Debug, Default, serde::Deserialize)]
pub struct DisplayParams {
    /// The screen's diagonal, inches.
    inches: Option<f64>,
    /// Metres to the people reading it.
    distance: Option<f64>,
    /// Seconds a page of counters stays.
    page: Option<u64>,
    /// The counters this screen shows: "1-20,31,33-40" (one TV per zone).
    counters: Option<String>,
}

/// The smallest text, as a share of the screen's short side: 3 mm of letter height per
/// metre of reading distance (1.5 cm at 5 m), on a 16:9 screen of `inches`.
pub fn min_text_share(inches: f64, distance_m: f64) -> f64 {
    let short_side_cm = inches * 2.54 * 9.0 / (16.0f64 * 16.0 + 9.0 * 9.0).sqrt();
    distance_m * 0.3 / short_side_cm
}

/// "1-20,31" as counter numbers; `None` for a list that does not read (said to the
/// technician as a 400, not shown as an empty screen).
pub fn counter_ranges(spec: &str) -> Option<Vec<i16>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (i16, i16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        if !(1..=999).contains(&a) || !(a..=999).contains(&b) || out.len() + usize::from((b - a) as u16) > 999 {
            return None;
        }
        out.extend(a..=b);
    }
    (!out.is_empty()).then_some(out)
}

pub async fn display(
    State(state): State<WebState>,
    Path(site): Path<String>,
    params: Result<Query<DisplayParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(params)) = params else {
        return Err(WebError::page(
            StatusCode::BAD_REQUEST,
            "Alamat layar tidak terbaca: inches, distance dan page berupa angka, counters seperti 1-20,31",
        ));
    };
    let info = state
        .app
        .site_info(&site)
        .await
        .map_err(|e| WebError::db(Form::Page, "the display", &e))?
        .ok_or_else(|| WebError::page(StatusCode::NOT_FOUND, format!("Tidak ada MPP {site}")))?;
    let config = &state.display;
    let inches = params.inches.unwrap_or(config.screen_inches);
    let distance = params.distance.unwrap_or(config.reading_distance_m);
    let page_secs = params.page.unwrap_or(config.page_secs);
    if !(15.0..=150.0).contains(&inches) || !(1.0..=30.0).contains(&distance) || !(2..=120).contains(&page_secs) {
        return Err(WebError::page(
            StatusCode::BAD_REQUEST,
            "inches 15 sampai 150, distance 1 sampai 30 (meter), page 2 sampai 120 (detik)",
        ));
    }
    let counters = match params.counters.as_deref() {
        None | Some("") => Vec::new(),
        Some(spec) => counter_ranges(spec)
            .ok_or_else(|| WebError::page(StatusCode::BAD_REQUEST, "counters: nomor loket seperti 1-20,31,33-40"))?,
    };
    let now = crate::clock::now();
    let zone = mpp_domain::hours::zone(&info.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let instant = |dt: jiff::civil::DateTime| zone.to_timestamp(dt).map(|t| t.as_millisecond()).ok();
    let doors = info.doors(now);
    let next_open_text = doors
        .next_open
        .map(|n| {
            let lang = mpp_domain::text::Lang::Id;
            format!(
                "{}, {}, pukul {}",
                mpp_domain::hours::weekday_name(n.date(), lang),
                mpp_domain::hours::day_month(n.date(), lang),
                mpp_domain::hours::local_time_text(mpp_domain::hours::TimeOfDay::of(&n), &info.time_zone, lang)
            )
        })
        .unwrap_or_default();
    let notices: String = info.notices.iter().map(|n| format!("<p class=\"notice\">{}</p>", esc(n))).collect();
    let attrs = format!(
        r#"class="display" data-site="{}" data-zone-label="{}" data-zone-offset="{}" data-server-now="{}" data-services="{}" data-min-text="{:.4}" data-page-secs="{page_secs}" data-counters="{}" data-closes="{}" data-next-open="{}" data-next-open-text="{}""#,
        esc(&info.code),
        esc(mpp_domain::hours::zone_label(&info.time_zone)),
        mpp_domain::hours::offset_minutes(now, &info.time_zone),
        now.as_millisecond(),
        // Service names for the waits list, as JSON in an (escaped) attribute.
        esc(&serde_json::to_string(&info.services.iter().cloned().collect::<std::collections::BTreeMap<_, _>>())
            .expect("names serialise")),
        min_text_share(inches, distance),
        esc(&serde_json::to_string(&counters).expect("numbers serialise")),
        // While open: today's closing; while closed: now (closed already).
        if doors.open {
            doors.closes.and_then(instant).map(|t| t.to_string()).unwrap_or_default()
        } else {
            now.as_millisecond().to_string()
        },
        doors.next_open.and_then(instant).map(|t| t.to_string()).unwrap_or_default(),
        esc(&next_open_text),
    );
    Ok(page(
        &format!("Layar antrean — {}", info.name),
        &attrs,
        &format!(
            r#"<header><h1>{name}</h1><div class="clock"><span id="date"></span> <span id="time"></span></div></header>
<div class="lost" id="lost" role="alert" hidden>Terputus dari server antrean — menyambung lagi …</div>
<section class="now" id="now" aria-live="assertive"><div class="label" id="now-label">Nomor antrean</div><div class="number" id="now-number"></div><div class="where" id="now-where"></div></section>
<main class="board" id="board"><section class="counters" aria-label="Loket"><div class="tiles" id="tiles"></div><div class="pager" id="pager" aria-hidden="true"></div></section>
<aside class="side"><section class="recent-box"><h2>Panggilan terakhir</h2><ol id="recent" class="recent"></ol></section>
<section class="waits-box"><h2>Perkiraan tunggu</h2><ol id="waits" class="waits"></ol></section></aside></main>
<section class="closed" id="closed" hidden><h2>{name} sudah tutup</h2><p>Buka lagi <span id="opens"></span>.</p><p class="quiet">Terima kasih atas kunjungan Anda.</p></section>
<footer class="notices" id="notices">{notices}</footer>
<div class="sound" id="sound"><button id="sound-button">Sentuh untuk menyalakan suara</button></div>"#,
            name = esc(&info.name)
        ),
        Some("display.js"),
    )
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_text_follows_the_reading_distance() {
        // 43″: a short side of 53.6 cm; 1.5 cm at 5 m is 2.8 % of it.
        assert!((min_text_share(43.0, 5.0) - 0.028).abs() < 0.0005, "{}", min_text_share(43.0, 5.0));
        // Twice as far, twice as tall; a screen twice as big, half the share.
        assert!((min_text_share(43.0, 10.0) - 2.0 * min_text_share(43.0, 5.0)).abs() < 1e-9);
        assert!((min_text_share(86.0, 5.0) - min_text_share(43.0, 5.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn counter_lists_read_or_are_refused() {
        assert_eq!(counter_ranges("1-3, 7"), Some(vec![1, 2, 3, 7]));
        assert_eq!(counter_ranges("5"), Some(vec![5]));
        for bad in ["", "a", "3-1", "0-4", "1-1000", "1-", ",,"] {
            assert_eq!(counter_ranges(bad), None, "{bad:?}");
        }
    }
}
