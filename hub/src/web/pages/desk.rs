//! `/desk`: the reception desk (the "desk" role; supervisors may stand in). Plain forms, no
//! script: a number for a citizen who cannot use the kiosk, a booking checked in by its code
//! or found by the citizen's NIK, a slip printed again, today's bookings by slot. Each action
//! answers with a redirect to the page showing its number (a reload never issues a second).

use axum::extract::{Form as FormBody, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::tickets::Priority;

use crate::app::desk::{DeskError, DeskNumber, Find};
use crate::web::auth::AtDesk;
use crate::web::error::{Form, WebError};
use crate::web::html::{esc, page};
use crate::web::state::WebState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct Shown {
    /// The number just given or printed again.
    n: Option<String>,
    /// How its slip went: "ok", "fail", none (no printer).
    p: Option<String>,
    /// A booking checked in late: a walk-in number.
    late: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct IssueForm {
    csrf: String,
    service: String,
    #[serde(default)]
    priority: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct CheckInForm {
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    id: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct NikForm {
    csrf: String,
    nik: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct ReprintForm {
    csrf: String,
    number: String,
}

fn check_csrf(session: &crate::app::accounts::Session, csrf: &str) -> Result<(), WebError> {
    if session.csrf != csrf {
        return Err(WebError::text(StatusCode::FORBIDDEN, "CSRF token salah"));
    }
    Ok(())
}

/// Where the desk goes after an action: its page with the number shown.
fn shown(n: &DeskNumber) -> Response {
    let p = match &n.printed {
        Some(Ok(())) => "&p=ok",
        Some(Err(e)) => {
            log::warn!("desk: {} not printed: {e}", n.number);
            "&p=fail"
        }
        None => "",
    };
    let late = if n.late { "&late=1" } else { "" };
    // A number is letters, digits and a dash (`TicketNumber`): safe in the query as it is.
    Redirect::to(&format!("/desk?n={}{p}{late}", n.number)).into_response()
}

/// `GET /desk`.
pub async fn page_for(
    State(state): State<WebState>,
    AtDesk(s): AtDesk,
    Query(q): Query<Shown>,
) -> Result<Response, WebError> {
    render(&state, &s, q, None, None).await
}

async fn render(
    state: &WebState,
    s: &crate::app::accounts::Session,
    q: Shown,
    message: Option<String>,
    found: Option<Vec<crate::app::bookings::Booking>>,
) -> Result<Response, WebError> {
    let busy = |e: &crate::app::DbError| WebError::db(Form::Page, "the desk", e);
    let now = crate::clock::now();
    let feed = state
        .app
        .site_feed(&s.site)
        .await
        .map_err(|e| busy(&e))?
        .ok_or_else(|| WebError::page(StatusCode::NOT_FOUND, "MPP ini tidak ada lagi di server"))?;
    let today = state
        .app
        .today(&s.site, now)
        .await
        .map_err(|e| busy(&e))?
        .unwrap_or(now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    let csrf = esc(&s.csrf);
    let lang = mpp_domain::text::Lang::Id;

    // The number just given, large: the citizen reads it off the screen when nothing printed.
    let issued = match q.n.as_deref().filter(|n| n.len() <= 16) {
        Some(n) => match state.app.desk_ticket(&s.site, n, now).await.map_err(|e| busy(&e))? {
            Some(t) => {
                let printed = match q.p.as_deref() {
                    Some("ok") => r#"<p class="printed">Struk tercetak.</p>"#.to_owned(),
                    Some(_) => r#"<p class="message error" role="alert">Struk tidak tercetak: printer meja tidak menjawab. Nomor tetap berlaku: tunjukkan layar ini atau tuliskan nomornya.</p>"#.to_owned(),
                    None => r#"<p class="printed">Meja ini tanpa printer: tunjukkan layar ini atau tuliskan nomornya.</p>"#.to_owned(),
                };
                let late = if q.late.is_some() {
                    format!("<p class=\"late\">{}</p>", esc(mpp_domain::booking::CheckIn::late_words(lang)))
                } else {
                    String::new()
                };
                let booked = t.booked.as_deref().map_or(String::new(), |b| {
                    format!("<p class=\"booked\">Booking {}: dipanggil mulai jam booking.</p>", esc(b))
                });
                format!(
                    r#"<section class="issued" aria-live="polite"><p>Nomor antrean</p><p class="big" id="issued-number">{}</p><p class="service">{}</p><p>Tunggu dipanggil, lalu menuju <b>{}</b></p><p>{}</p>{booked}{late}{printed}</section>"#,
                    esc(&t.number),
                    esc(&t.service_name),
                    esc(&t.counter),
                    esc(&mpp_domain::tickets::Ahead { count: t.people_ahead, confirmed: true, wait_minutes: None }
                        .words(lang)),
                )
            }
            None => String::new(),
        },
        None => String::new(),
    };
    let message =
        message.map_or(String::new(), |m| format!(r#"<p class="message error" role="alert">{}</p>"#, esc(&m)));

    let mut services = String::new();
    for agency in feed.agencies_in_order().into_iter().filter(|a| a.active) {
        let options: String = feed
            .services_of(&agency.code)
            .filter(|s| s.active)
            .map(|s| format!(r#"<option value="{}">{}</option>"#, esc(&s.code), esc(s.name.in_lang(lang))))
            .collect();
        if !options.is_empty() {
            services += &format!(r#"<optgroup label="{}">{options}</optgroup>"#, esc(agency.short_name.in_lang(lang)));
        }
    }
    let priorities: String = Priority::ALL
        .iter()
        .map(|p| format!(r#"<option value="{}">{}</option>"#, p.code(), esc(p.label(lang))))
        .collect();

    let found = found.map_or(String::new(), |list| {
        if list.is_empty() {
            return r#"<p class="message">Tidak ada booking hari ini untuk NIK itu.</p>"#.to_owned();
        }
        let rows: String = list
            .iter()
            .map(|b| {
                let action = if b.state == "booked" {
                    format!(
                        r#"<form method="post" action="/desk/check-in"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="id" value="{}"><button type="submit">Check-in</button></form>"#,
                        esc(&b.id)
                    )
                } else {
                    esc(state_words(&b.state)).to_string()
                };
                format!(
                    "<tr><td>{}–{}</td><td>{}</td><td>…{}</td><td>{action}</td></tr>",
                    esc(&b.slot_start),
                    esc(&b.slot_end),
                    esc(feed.service(&b.service).map_or(&b.service, |s| &s.name.id)),
                    esc(&b.nik_last4)
                )
            })
            .collect();
        format!("<table class=\"found\"><caption>Booking NIK ini hari ini</caption><tbody>{rows}</tbody></table>")
    });

    let day = state.app.bookings_of_day(&s.site, today).await.map_err(|e| busy(&e))?;
    let bookings = if day.is_empty() {
        "<p>Belum ada booking untuk hari ini.</p>".to_owned()
    } else {
        let rows: String = day
            .iter()
            .map(|b| {
                format!(
                    r#"<tr class="{}"><td>{}–{}</td><td>{}</td><td>…{}</td><td>{}</td><td>{}</td></tr>"#,
                    esc(&b.state),
                    esc(&b.slot_start),
                    esc(&b.slot_end),
                    esc(feed.service(&b.service).map_or(&b.service, |s| &s.name.id)),
                    esc(&b.nik_last4),
                    esc(state_words(&b.state)),
                    esc(b.conflict.as_deref().unwrap_or(""))
                )
            })
            .collect();
        format!(
            "<table><thead><tr><th>Jam</th><th>Layanan</th><th>NIK</th><th>Keadaan</th><th>Catatan</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };

    let body = format!(
        r#"<header><h1>{site} · Meja informasi</h1><span>{who}</span><form method="post" action="/counter/sign-out"><input type="hidden" name="csrf" value="{csrf}"><button type="submit">Keluar</button></form></header>
<main class="desk">{message}{issued}
<section><h2>Nomor untuk warga</h2><p class="note">Untuk warga yang tidak dapat memakai kiosk, atau saat printer kiosk rusak. Aturan sama dengan kiosk: jam layanan dan kuota.</p>
<form method="post" action="/desk/issue"><input type="hidden" name="csrf" value="{csrf}">
<label for="service">Layanan</label><select id="service" name="service" required>{services}</select>
<label for="priority">Prioritas</label><select id="priority" name="priority"><option value="">Biasa</option>{priorities}</select>
<button class="primary" type="submit" id="issue">Beri nomor</button></form></section>
<section><h2>Check-in booking</h2>
<form method="post" action="/desk/check-in"><input type="hidden" name="csrf" value="{csrf}"><label for="code">Kode booking</label><input id="code" name="code" autocomplete="off" autocapitalize="characters" maxlength="64" placeholder="KQ4M-7TCX"><button type="submit" id="check-in">Check-in</button></form>
<form method="post" action="/desk/find"><input type="hidden" name="csrf" value="{csrf}"><label for="nik">Atau NIK warga</label><input id="nik" name="nik" inputmode="numeric" autocomplete="off" maxlength="20"><button type="submit" id="find">Cari booking</button></form>
{found}</section>
<section><h2>Cetak ulang struk</h2><p class="note">Nomor hari ini yang struknya gagal tercetak di kiosk.</p>
<form method="post" action="/desk/reprint"><input type="hidden" name="csrf" value="{csrf}"><label for="number">Nomor</label><input id="number" name="number" autocomplete="off" maxlength="16" placeholder="KTB-A007"><button type="submit" id="reprint">Cetak ulang</button></form></section>
<section><h2>Booking hari ini</h2>{bookings}</section>
</main>"#,
        site = esc(feed.site.name.in_lang(lang)),
        who = esc(&s.display_name),
    );
    let status = if message.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page("Meja informasi", r#"class="desk-page""#, &body, None)).into_response())
}

fn state_words(state: &str) -> &'static str {
    match state {
        "booked" => "belum datang",
        "checked_in" => "sudah check-in",
        "cancelled" => "dibatalkan",
        "no_show" => "tidak datang",
        _ => "?",
    }
}

/// What an action that gave no number shows: the page with why.
async fn refused(state: &WebState, s: &crate::app::accounts::Session, e: DeskError) -> Result<Response, WebError> {
    if let DeskError::Db(db) = &e {
        return Err(WebError::db(Form::Page, "the desk", db));
    }
    render(state, s, Shown::default(), Some(e.says()), None).await
}

/// `POST /desk/issue`.
pub async fn issue(
    State(state): State<WebState>,
    AtDesk(s): AtDesk,
    FormBody(f): FormBody<IssueForm>,
) -> Result<Response, WebError> {
    check_csrf(&s, &f.csrf)?;
    let priority = Priority::from_code(&f.priority);
    match state
        .app
        .desk_issue(&s.site, &f.service, priority, &format!("desk {}", s.username), crate::clock::now())
        .await
    {
        Ok(n) => Ok(shown(&n)),
        Err(e) => refused(&state, &s, e).await,
    }
}

/// `POST /desk/check-in`: by code, or by a booking the NIK search listed.
pub async fn check_in(
    State(state): State<WebState>,
    AtDesk(s): AtDesk,
    FormBody(f): FormBody<CheckInForm>,
) -> Result<Response, WebError> {
    check_csrf(&s, &f.csrf)?;
    let find = if f.id.is_empty() { Find::Code(&f.code) } else { Find::Id(&f.id) };
    match state.app.desk_check_in(&s.site, find, &format!("desk {}", s.username), crate::clock::now()).await {
        Ok(n) => Ok(shown(&n)),
        Err(e) => refused(&state, &s, e).await,
    }
}

/// `POST /desk/find`: today's bookings of a NIK (the NIK stays in the request body).
pub async fn find(
    State(state): State<WebState>,
    AtDesk(s): AtDesk,
    FormBody(f): FormBody<NikForm>,
) -> Result<Response, WebError> {
    check_csrf(&s, &f.csrf)?;
    match state.app.desk_find_nik(&s.site, &f.nik, crate::clock::now()).await {
        Ok(list) => render(&state, &s, Shown::default(), None, Some(list)).await,
        Err(e) => refused(&state, &s, e).await,
    }
}

/// `POST /desk/reprint`.
pub async fn reprint(
    State(state): State<WebState>,
    AtDesk(s): AtDesk,
    FormBody(f): FormBody<ReprintForm>,
) -> Result<Response, WebError> {
    check_csrf(&s, &f.csrf)?;
    match state.app.desk_reprint(&s.site, &f.number, crate::clock::now()).await {
        Ok(n) => Ok(shown(&n)),
        Err(e) => refused(&state, &s, e).await,
    }
}
