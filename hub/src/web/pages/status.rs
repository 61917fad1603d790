//! `/t/{ticket}`: one ticket's place for the citizen's phone, opened from the slip's QR
//! code (`qr_url = "https://…/t/{ticket}"` on the kiosk). The link is the ticket's id, a
//! random UUID made by the kiosk (122 random bits): it cannot be guessed from a number, and
//! the page shows that one ticket only — its number, service, place and estimate, or the
//! counter calling it — nothing about anyone else. It refreshes itself every 20 seconds.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::calling::CallState;

use crate::web::error::WebError;
use crate::web::html::{esc, page_with_head};
use crate::web::state::WebState;

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

fn not_found() -> WebError {
    WebError::page_html(
        StatusCode::NOT_FOUND,
        "Nomor antrean tidak ditemukan",
        r#"<main class="status"><h1>Nomor antrean tidak ditemukan</h1><p>Periksa tautan dari struk Anda, atau tanyakan di meja informasi.</p><p lang="en">Queue number not found. Check the link on your slip, or ask at the information desk.</p></main>"#.into(),
    )
}

fn busy(e: &crate::app::DbError) -> WebError {
    WebError::db(crate::web::error::Form::Page, "a ticket's status page", e)
}

pub async fn status(State(state): State<WebState>, Path(id): Path<String>) -> Result<Response, WebError> {
    if !is_uuid(&id) {
        return Err(not_found());
    }
    let t = state.app.ticket(&id).await.map_err(|e| busy(&e))?.ok_or_else(not_found)?;
    let info = state.app.site_info_cached(&t.site).await.map_err(|e| busy(&e))?.ok_or_else(not_found)?;
    let now = crate::clock::now();
    let today = mpp_domain::hours::local_day(now, &info.time_zone);
    let (headline, detail) = if t.date != today {
        ("Nomor ini untuk hari lain".to_owned(), format!("Nomor antrean berlaku pada hari diambil ({}) saja.", t.date))
    } else {
        match t.call_state {
            CallState::Waiting => match state.app.place_of(&t, now).await {
                Ok(p) => {
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
                Err(e) => {
                    log::error!("a ticket's place: {e}");
                    ("Menunggu".to_owned(), String::new())
                }
            },
            CallState::Called | CallState::Serving => (
                format!("Silakan ke {}", info.counter_name(t.counter.unwrap_or(0))),
                "Nomor Anda sedang dipanggil.".to_owned(),
            ),
            CallState::Done => (
                "Selesai dilayani".to_owned(),
                "Terima kasih. Beri penilaian di kiosk: survei kepuasan, tanpa nama.".to_owned(),
            ),
            CallState::NoShow => (
                "Nomor Anda sudah dipanggil".to_owned(),
                "Anda tidak hadir saat dipanggil. Sampaikan nomor ini di meja informasi.".to_owned(),
            ),
        }
    };
    let clock = mpp_domain::hours::instant_time_text(now, &info.time_zone, mpp_domain::text::Lang::Id);
    let body = format!(
        r#"<main class="status"><p class="site">{site}</p><h1 class="number">{number}</h1><p class="service">{service}</p>
<section aria-live="polite"><p class="place">{headline}</p><p class="wait">{detail}</p></section>
<p class="meta">Diperbarui {clock} · halaman ini diperbarui sendiri tiap {REFRESH_SECS} detik</p>
<p class="meta">Perhatikan layar panggilan di MPP. Nomor berlaku hari ini saja.</p></main>"#,
        site = esc(&info.name),
        number = esc(&t.number),
        service = esc(info.service_name(&t.service)),
        headline = esc(&headline),
        detail = esc(&detail),
    );
    let head = format!(r#"<meta http-equiv="refresh" content="{REFRESH_SECS}"><meta name="robots" content="noindex">"#);
    Ok((
        [(header::CACHE_CONTROL, "no-store"), (header::REFERRER_POLICY, "no-referrer")],
        page_with_head(&format!("{} — {}", t.number, info.name), &head, "", &body, None),
    )
        .into_response())
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
