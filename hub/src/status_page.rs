//! `/t/{ticket}`: one ticket's place for the citizen's phone, opened from the slip's QR
//! code (`qr_url = "https://…/t/{ticket}"` on the kiosk). The link is the ticket's id, a
//! random UUID made by the kiosk (122 random bits): it cannot be guessed from a number, and
//! the page shows that one ticket only — its number, service, place and estimate, or the
//! counter calling it — nothing about anyone else. It refreshes itself every 20 seconds.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::AppState;
use crate::pages::{esc, page, page_with_head};

/// The refresh, seconds: the queue moves in minutes, and a phone on a slow link must not
/// be kept busy.
const REFRESH_SECS: u32 = 20;

fn is_uuid(id: &str) -> bool {
    id.len() == 36
        && id
            .bytes()
            .enumerate()
            .all(|(i, b)| if [8, 13, 18, 23].contains(&i) { b == b'-' } else { b.is_ascii_hexdigit() })
}

fn not_found() -> Response {
    let body = r#"<main class="status"><h1>Nomor antrean tidak ditemukan</h1><p>Periksa tautan dari struk Anda, atau tanyakan di meja informasi.</p><p lang="en">Queue number not found. Check the link on your slip, or ask at the information desk.</p></main>"#;
    (StatusCode::NOT_FOUND, page("Nomor antrean tidak ditemukan", "", body, None)).into_response()
}

pub async fn status(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if !is_uuid(&id) {
        return not_found();
    }
    let row = match state.pool.get().await {
        Ok(client) => client
            .query_opt(
                "SELECT site, local_date::text, number, service, call_state, counter FROM ticket WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let row = match row {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(),
        Err(e) => {
            log::error!("a ticket's status page: {e}");
            return (StatusCode::SERVICE_UNAVAILABLE, "Server antrean sedang sibuk; coba lagi sebentar lagi.")
                .into_response();
        }
    };
    let (site, date, number, service, call_state, counter): (String, String, String, String, String, Option<i16>) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), row.get(5));
    let Ok(date) = date.parse::<jiff::civil::Date>() else { return not_found() };
    let info = match crate::counter_api::site_info_cached(&state.pool, &site).await {
        Ok(i) => i,
        Err(e) => {
            log::error!("a ticket's status page: site {site}: {e}");
            return not_found();
        }
    };
    let service_name = info.services.iter().find(|(c, _)| *c == service).map_or(service.clone(), |(_, n)| n.clone());
    let counter_name = |n: i16| info.counters.iter().find(|c| c.0 == n).map_or(format!("Loket {n}"), |c| c.1.clone());
    let now = crate::clock::now();
    let today = jiff::tz::TimeZone::get(&info.time_zone).map(|tz| now.to_zoned_datetime(tz).date()).unwrap_or(date);
    let (headline, detail) = if date != today {
        ("Nomor ini untuk hari lain".to_owned(), format!("Nomor antrean berlaku pada hari diambil ({date}) saja."))
    } else {
        match call_state.as_str() {
            "waiting" => match crate::queue::place(&state.pool, &site, date, &number).await {
                Ok(Some(p)) => {
                    let ahead = match p.people_ahead {
                        Some(0) => "Tidak ada antrean di depan Anda".to_owned(),
                        Some(n) => format!("{n} orang di depan Anda"),
                        None => "Nomor ini tidak lagi menunggu".to_owned(),
                    };
                    let wait = p
                        .wait_minutes
                        .map(|m| mpp_domain::estimate::Minutes(m).text(mpp_domain::text::Lang::Id))
                        .unwrap_or_default();
                    (ahead, wait)
                }
                Ok(None) => return not_found(),
                Err(e) => {
                    log::error!("a ticket's place: {e}");
                    ("Menunggu".to_owned(), String::new())
                }
            },
            "called" | "serving" => (
                format!("Silakan ke {}", counter_name(counter.unwrap_or(0))),
                "Nomor Anda sedang dipanggil.".to_owned(),
            ),
            "done" => (
                "Selesai dilayani".to_owned(),
                "Terima kasih. Beri penilaian di kiosk: survei kepuasan, tanpa nama.".to_owned(),
            ),
            "no_show" => (
                "Nomor Anda sudah dipanggil".to_owned(),
                "Anda tidak hadir saat dipanggil. Sampaikan nomor ini di meja informasi.".to_owned(),
            ),
            _ => ("Menunggu".to_owned(), String::new()),
        }
    };
    let zone = mpp_domain::hours::zone_label(&info.time_zone);
    let clock = jiff::tz::TimeZone::get(&info.time_zone)
        .map(|tz| now.to_zoned_datetime(tz))
        .map(|z| format!("{:02}.{:02} {zone}", z.hour(), z.minute()))
        .unwrap_or_default();
    let body = format!(
        r#"<main class="status"><p class="site">{site}</p><h1 class="number">{number}</h1><p class="service">{service}</p>
<section aria-live="polite"><p class="place">{headline}</p><p class="wait">{detail}</p></section>
<p class="meta">Diperbarui {clock} · halaman ini diperbarui sendiri tiap {REFRESH_SECS} detik</p>
<p class="meta">Perhatikan layar panggilan di MPP. Nomor berlaku hari ini saja.</p></main>"#,
        site = esc(&info.name),
        number = esc(&number),
        service = esc(&service_name),
        headline = esc(&headline),
        detail = esc(&detail),
    );
    let head = format!(r#"<meta http-equiv="refresh" content="{REFRESH_SECS}"><meta name="robots" content="noindex">"#);
    (
        [(header::CACHE_CONTROL, "no-store"), (header::REFERRER_POLICY, "no-referrer")],
        page_with_head(&format!("{number} — {}", info.name), &head, "", &body, None),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_uuid_is_a_ticket_link() {
        assert!(super::is_uuid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(!super::is_uuid("KTB-A001"));
        assert!(!super::is_uuid("0f8fad5b-d9cb-469f-a165-70867728950e' OR 1=1 --"));
    }
}
