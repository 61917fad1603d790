//! The public booking pages, for a citizen's phone on a slow link: plain HTML forms (no
//! script), Indonesian first (`?lang=en` for English). `/book/{site}` lists the services
//! that take bookings; `/book/{site}/{service}` shows the service's requirements (the same
//! Standar Pelayanan as the kiosk) and the days and slots with places left, and takes the
//! NIK; a booking's own page, `/b/{site}/{code}`, shows its code and QR code and cancels it.
//! Bookings from one address are limited (`WebState::bookings`).

use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::booking::BookingCode;
use mpp_domain::text::Lang;

use crate::app::bookings::{BookError, BookingRequest};
use crate::web::error::{Form as Shape, WebError};
use crate::web::html::{esc, page_with_head};
use crate::web::state::WebState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct LangParam {
    lang: Option<String>,
}

fn lang_of(p: &LangParam) -> Lang {
    if p.lang.as_deref() == Some("en") { Lang::En } else { Lang::Id }
}

fn t<'a>(lang: Lang, id: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { id }
}

/// "?lang=en" to keep English on the next page.
fn keep(lang: Lang) -> &'static str {
    if lang == Lang::En { "?lang=en" } else { "" }
}

fn busy(e: &crate::app::DbError) -> WebError {
    WebError::db(Shape::Page, "the booking pages", e)
}

fn not_found(lang: Lang) -> WebError {
    WebError::page(StatusCode::NOT_FOUND, t(lang, "Tidak ditemukan.", "Not found."))
}

fn frame(title: &str, lang: Lang, body: &str) -> Response {
    let head = r#"<meta name="robots" content="noindex">"#;
    (
        [(header::CACHE_CONTROL, "no-store"), (header::REFERRER_POLICY, "no-referrer")],
        page_with_head(
            title,
            head,
            r#"class="booking-page""#,
            &format!(r#"<main class="booking" lang="{}">{body}</main>"#, lang.code()),
            None,
        ),
    )
        .into_response()
}

/// `/book/{site}`: the services that take bookings, by agency.
pub async fn services(
    State(state): State<WebState>,
    Path(site): Path<String>,
    Query(p): Query<LangParam>,
) -> Result<Response, WebError> {
    let lang = lang_of(&p);
    let feed = state.app.site_feed(&site).await.map_err(|e| busy(&e))?.ok_or_else(|| not_found(lang))?;
    let bookable = state.app.bookable_services(&site).await.map_err(|e| busy(&e))?;
    let mut list = String::new();
    for agency in feed.agencies_in_order().into_iter().filter(|a| a.active) {
        let items: String = feed
            .services_of(&agency.code)
            .filter(|s| s.active && bookable.contains(&s.code))
            .map(|s| {
                format!(
                    r#"<li><a href="/book/{}/{}{}">{}</a></li>"#,
                    esc(&feed.site.code),
                    esc(&s.code),
                    keep(lang),
                    esc(s.name.in_lang(lang))
                )
            })
            .collect();
        if !items.is_empty() {
            list += &format!("<h2>{}</h2><ul class=\"choices\">{items}</ul>", esc(agency.short_name.in_lang(lang)));
        }
    }
    if list.is_empty() {
        list = format!(
            "<p>{}</p>",
            t(
                lang,
                "Belum ada layanan yang menerima booking. Silakan datang langsung dan ambil nomor di kiosk.",
                "No service takes bookings yet. Please come and take a number at the kiosk."
            )
        );
    }
    let other = if lang == Lang::En {
        format!("/book/{}", esc(&feed.site.code))
    } else {
        format!("/book/{}?lang=en", esc(&feed.site.code))
    };
    let body = format!(
        r#"<p class="site">{site}</p><h1>{title}</h1><p>{intro}</p>{list}<p class="meta"><a href="{other}">{other_lang}</a></p>"#,
        site = esc(feed.site.name.in_lang(lang)),
        title = t(lang, "Booking nomor antrean", "Book a queue number"),
        intro = t(
            lang,
            "Pilih layanan. Sebagian kuota tiap hari tetap untuk yang datang langsung.",
            "Choose a service. Part of each day stays for people who come without booking."
        ),
        other_lang = t(lang, "English", "Bahasa Indonesia"),
    );
    Ok(frame(t(lang, "Booking", "Booking"), lang, &body))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct BookForm {
    /// "YYYY-MM-DD HH:MM": a day and a slot's start, one radio button each.
    slot: Option<String>,
    #[serde(default)]
    nik: String,
    #[serde(default)]
    phone: String,
}

/// `/book/{site}/{service}`: the requirements, the slots, the NIK.
pub async fn service(
    State(state): State<WebState>,
    Path((site, service)): Path<(String, String)>,
    Query(p): Query<LangParam>,
) -> Result<Response, WebError> {
    form_page(&state, &site, &service, lang_of(&p), &BookForm::default(), None).await
}

async fn form_page(
    state: &WebState,
    site: &str,
    service: &str,
    lang: Lang,
    form: &BookForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let feed = state.app.site_feed(site).await.map_err(|e| busy(&e))?.ok_or_else(|| not_found(lang))?;
    let s = feed.service(service).filter(|s| s.active).ok_or_else(|| not_found(lang))?;
    let now = crate::clock::now();
    let days = match state.app.bookable_days(site, service, now).await {
        Ok(d) => d,
        Err(BookError::Db(e)) => return Err(busy(&e)),
        Err(_) => return Err(not_found(lang)),
    };
    let mut requirements = String::new();
    for (kind, items) in s.requirement_groups() {
        let li: String = items.iter().map(|r| format!("<li>{}</li>", esc(r.text.in_lang(lang)))).collect();
        requirements += &format!("<h3>{}</h3><ul>{li}</ul>", esc(kind.heading(lang)));
    }
    let zone = esc(mpp_domain::hours::zone_label(&feed.site.time_zone));
    let mut slots = String::new();
    for day in &days {
        let date_words = format!(
            "{}, {}",
            mpp_domain::hours::weekday_name(day.date, lang),
            mpp_domain::hours::day_month(day.date, lang)
        );
        let radios: String = day
            .slots
            .iter()
            .map(|(slot, left)| {
                let value = format!("{} {}", day.date, slot.start);
                let checked = if form.slot.as_deref() == Some(value.as_str()) { " checked" } else { "" };
                format!(
                    r#"<label class="slot"><input type="radio" name="slot" value="{value}" required{checked}> {time} {zone} <small>· {left} {places}</small></label>"#,
                    time = esc(&slot.text(lang)),
                    places = t(lang, "tempat", "places"),
                )
            })
            .collect();
        slots += &format!(r#"<fieldset><legend>{}</legend>{radios}</fieldset>"#, esc(&date_words));
    }
    if days.is_empty() {
        slots = format!(
            "<p>{}</p>",
            t(
                lang,
                "Semua jam sudah penuh untuk hari-hari yang bisa dibooking. Silakan datang langsung.",
                "Every time is taken for the days that can be booked. Please come and queue."
            )
        );
    }
    let error = error.map(|e| format!(r#"<p class="message error" role="alert">{}</p>"#, esc(&e))).unwrap_or_default();
    let fee = s.fee.text.in_lang(lang);
    let body = format!(
        r#"<p class="site">{site}</p><h1>{name}</h1><p>{summary}</p><p><b>{fee_word}:</b> {fee}</p>
<details open><summary>{req_word}</summary>{requirements}</details>
{error}<form method="post" action="/book/{site_code}/{code}{keep}">
<h2>{when}</h2>{slots}
<label for="nik">NIK</label><input id="nik" name="nik" inputmode="numeric" autocomplete="off" maxlength="24" value="{nik}" required>
<p class="meta">{nik_note}</p>
<label for="phone">{phone_word}</label><input id="phone" name="phone" inputmode="tel" autocomplete="tel" maxlength="24" value="{phone}">
<p><button class="primary" type="submit" id="book">{submit}</button></p></form>
<p class="meta"><a href="/book/{site_code}{keep}">{back}</a></p>"#,
        site = esc(feed.site.name.in_lang(lang)),
        name = esc(s.name.in_lang(lang)),
        summary = esc(s.summary.in_lang(lang)),
        fee_word = t(lang, "Biaya", "Fee"),
        fee = esc(fee),
        req_word = t(lang, "Persyaratan (bawa saat datang)", "Requirements (bring them)"),
        site_code = esc(&feed.site.code),
        code = esc(&s.code),
        keep = keep(lang),
        when = t(lang, "Pilih hari dan jam", "Choose a day and time"),
        nik = esc(&form.nik),
        nik_note = t(
            lang,
            "16 angka NIK di KTP-el atau KK. Disimpan hanya sebagai sandi, tidak ditampilkan lagi.",
            "The 16 digits of the NIK on your KTP-el or family card. Kept only as a hash, never shown again."
        ),
        phone_word = t(lang, "Nomor HP (boleh kosong)", "Mobile number (optional)"),
        phone = esc(&form.phone),
        submit = t(lang, "Booking", "Book"),
        back = t(lang, "Layanan lain", "Other services"),
    );
    Ok(frame(s.name.in_lang(lang), lang, &body))
}

/// `POST /book/{site}/{service}`: takes the booking, or shows the form again with why not.
pub async fn book(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path((site, service)): Path<(String, String)>,
    Query(p): Query<LangParam>,
    Form(form): Form<BookForm>,
) -> Result<Response, WebError> {
    let lang = lang_of(&p);
    from_this_site(&state, &headers, lang)?;
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let from = state.client_address(Some(peer), forwarded);
    if !state.bookings.allow(from, std::time::Instant::now()) {
        return Err(WebError::page(
            StatusCode::TOO_MANY_REQUESTS,
            t(
                lang,
                "Terlalu banyak booking dari perangkat ini; coba lagi nanti.",
                "Too many bookings from this device; try again later.",
            ),
        ));
    }
    let Some((date, slot)) = form.slot.as_deref().and_then(|s| s.split_once(' ')) else {
        let says = t(lang, "Pilih hari dan jam dulu.", "Choose a day and time first.").to_owned();
        return form_page(&state, &site, &service, lang, &form, Some(says))
            .await
            .map(|r| (StatusCode::UNPROCESSABLE_ENTITY, r).into_response());
    };
    let Ok(date) = date.parse::<jiff::civil::Date>() else { return Err(not_found(lang)) };
    let req = BookingRequest {
        site: site.clone(),
        service: service.clone(),
        date,
        slot: slot.to_owned(),
        nik: form.nik.clone(),
        phone: Some(form.phone.clone()),
    };
    match state.app.book(&req, crate::clock::now()).await {
        Ok((_, b)) => Ok(Redirect::to(&format!("{}{}", b.page.unwrap_or_default(), keep(lang))).into_response()),
        Err(BookError::Db(e)) => Err(busy(&e)),
        Err(e) => form_page(&state, &site, &service, lang, &form, Some(e.says(lang)))
            .await
            .map(|r| (StatusCode::UNPROCESSABLE_ENTITY, r).into_response()),
    }
}

/// A QR code as inline SVG (no image request, nothing to load on a slow link).
fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else { return String::new() };
    let w = code.width();
    let mut path = String::new();
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            path += &format!("M{} {}h1v1h-1z", i % w + 4, i / w + 4);
        }
    }
    format!(
        r##"<svg class="qr" viewBox="0 0 {n} {n}" role="img" aria-label="QR"><rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##,
        n = w + 8
    )
}

/// A booking page's booking, or 404; wrong codes and keys are counted per address and
/// refused (429) past the limit, before the database is asked.
async fn page_booking(
    state: &WebState,
    peer: std::net::SocketAddr,
    headers: &HeaderMap,
    site: &str,
    code: &str,
    key: &str,
    lang: Lang,
) -> Result<(BookingCode, crate::app::bookings::Booking), WebError> {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let from = state.client_address(Some(peer), forwarded);
    let now = std::time::Instant::now();
    if !state.booking_misses.under(from, now) {
        return Err(WebError::page(
            StatusCode::TOO_MANY_REQUESTS,
            t(
                lang,
                "Terlalu banyak alamat booking yang salah dari perangkat ini; coba lagi nanti.",
                "Too many wrong booking addresses from this device; try again later.",
            ),
        ));
    }
    let found = match BookingCode::parse(code).filter(|c| c.as_str() == code) {
        Some(c) => state.app.booking_page(site, &c, key).await.map_err(|e| busy(&e))?.map(|b| (c, b)),
        None => None,
    };
    found.ok_or_else(|| {
        state.booking_misses.allow(from, now);
        not_found(lang)
    })
}

/// `/b/{site}/{code}/{key}`: the booking, its code and QR code, how to check in, and cancelling.
pub async fn booking(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path((site, code, key)): Path<(String, String, String)>,
    Query(p): Query<LangParam>,
) -> Result<Response, WebError> {
    let lang = lang_of(&p);
    let (code, b) = page_booking(&state, peer, &headers, &site, &code, &key, lang).await?;
    let feed = state.app.site_feed(&site).await.map_err(|e| busy(&e))?.ok_or_else(|| not_found(lang))?;
    let s = feed.service(&b.service).ok_or_else(|| not_found(lang))?;
    let policy = state.app.booking_policy(&site, &b.service).await.map_err(|e| busy(&e))?.unwrap_or_default();
    let zone = esc(mpp_domain::hours::zone_label(&feed.site.time_zone));
    let day = format!(
        "{}, {}",
        mpp_domain::hours::weekday_name(b.local_date, lang),
        mpp_domain::hours::day_month(b.local_date, lang)
    );
    let page = format!("/b/{}/{}/{}", feed.site.code, code.as_str(), key);
    let url = format!("{}{page}", state.server.public_url.as_deref().unwrap_or(""));
    let state_words = match (b.state.as_str(), lang) {
        ("booked", Lang::Id) => "Terbooking",
        ("booked", Lang::En) => "Booked",
        ("checked_in", Lang::Id) => "Sudah check-in",
        ("checked_in", Lang::En) => "Checked in",
        ("cancelled", Lang::Id) => "Dibatalkan",
        ("cancelled", Lang::En) => "Cancelled",
        (_, Lang::Id) => "Tidak datang",
        (_, Lang::En) => "Not come",
    };
    let cancel = if b.state == "booked" {
        format!(
            r#"<form method="post" action="{}/cancel{}"><p><button type="submit" id="cancel">{}</button></p></form>"#,
            esc(&page),
            keep(lang),
            t(lang, "Batalkan booking", "Cancel the booking")
        )
    } else {
        String::new()
    };
    let how = match lang {
        Lang::Id => format!(
            "Datang paling cepat {} menit sebelum jam Anda. Di kiosk sentuh \u{201c}Sudah booking?\u{201d} lalu pindai kode QR ini atau ketik kodenya; atau sebutkan kode di meja informasi. Terlambat lebih dari {} menit: Anda mendapat nomor antrean biasa. Bawa persyaratannya.",
            policy.early_minutes, policy.late_minutes
        ),
        Lang::En => format!(
            "Come at most {} minutes before your time. At the kiosk touch \u{201c}Booked already?\u{201d} and scan this QR code or type the code; or give the code at the information desk. More than {} minutes late: you get a regular number. Bring the requirements.",
            policy.early_minutes, policy.late_minutes
        ),
    };
    let body = format!(
        r#"<p class="site">{site}</p><h1>{title}</h1><p class="code" id="code">{code}</p>{qr}
<dl><dt>{svc_word}</dt><dd>{service}</dd><dt>{when_word}</dt><dd>{day}, {slot} {zone}</dd><dt>NIK</dt><dd>{nik}</dd><dt>Status</dt><dd id="state">{state_words}</dd></dl>
<p>{how}</p>{cancel}<p class="meta"><a href="/book/{site_code}/{svc_code}{keep}">{req_word}</a></p>"#,
        site = esc(feed.site.name.in_lang(lang)),
        title = t(lang, "Booking Anda", "Your booking"),
        code = esc(&code.to_string()),
        qr = qr_svg(&url),
        svc_word = t(lang, "Layanan", "Service"),
        service = esc(s.name.in_lang(lang)),
        when_word = t(lang, "Waktu", "Time"),
        slot = esc(&format!("{}\u{2013}{}", b.slot_start.replace(':', "."), b.slot_end.replace(':', "."))),
        nik = esc(&format!("{}{}", "\u{2022}".repeat(12), b.nik_last4)),
        how = esc(&how),
        site_code = esc(&feed.site.code),
        svc_code = esc(&s.code),
        keep = keep(lang),
        req_word = t(lang, "Persyaratan layanan ini", "This service's requirements"),
    );
    Ok(frame(&code.to_string(), lang, &body))
}

/// `POST /b/{site}/{code}/{key}/cancel`: from the booking's own page only.
pub async fn cancel(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path((site, code, key)): Path<(String, String, String)>,
    Query(p): Query<LangParam>,
) -> Result<Response, WebError> {
    let lang = lang_of(&p);
    from_this_site(&state, &headers, lang)?;
    let (code, b) = page_booking(&state, peer, &headers, &site, &code, &key, lang).await?;
    state.app.cancel_booking(&b.site, &code, crate::clock::now()).await.map_err(|e| busy(&e))?;
    Ok(Redirect::to(&format!("/b/{}/{}/{}{}", b.site, code.as_str(), key, keep(lang))).into_response())
}

/// A form posted from another site's page is refused: a browser says where a request
/// comes from (`Sec-Fetch-Site`, `Origin`), so no page elsewhere can book or cancel with
/// its visitors' browsers.
fn from_this_site(state: &WebState, headers: &HeaderMap, lang: Lang) -> Result<(), WebError> {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross = match fetch_site {
        Some(s) => !matches!(s, "same-origin" | "none"),
        None => {
            let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let public = state.server.public_url.as_deref().map(|u| u.trim_end_matches('/'));
            match origin {
                None | Some("null") => origin.is_some(),
                Some(o) => {
                    let o_host = o.split_once("://").map_or(o, |(_, h)| h);
                    public != Some(o) && host != Some(o_host)
                }
            }
        }
    };
    if cross {
        return Err(WebError::page(
            StatusCode::FORBIDDEN,
            t(lang, "Permintaan dari situs lain ditolak.", "A request from another site is refused."),
        ));
    }
    Ok(())
}
