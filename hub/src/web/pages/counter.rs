//! `/counter`: staff sign in, choose their counter, and call (the page's script reads and
//! sends `web::api::counter`).

use axum::extract::{ConnectInfo, Form as FormBody, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::accounts::{MAX_AGE, Role, SignInError};
use crate::web::auth::{COOKIE, Staff};
use crate::web::error::{Form, WebError};
use crate::web::html::{esc, page};
use crate::web::state::WebState;

/// The login form's CSRF cookie: a random token the form repeats, so no other site's page
/// can sign a clerk's browser in to an account of its choosing.
const LOGIN_COOKIE: &str = "mpp_hub_login";

/// The sign-in form with a fresh login token (and the cookie that carries it).
fn sign_in_form(state: &WebState, status: StatusCode, message: Option<&str>, site: &str, username: &str) -> Response {
    let token = crate::credential::random_hex(16);
    let message =
        message.map(|m| format!(r#"<p class="message error" role="alert">{}</p>"#, esc(m))).unwrap_or_default();
    let html = page(
        "Masuk — Loket",
        "",
        &format!(
            r#"<main><form class="signin" method="post" action="/counter/sign-in">
<h1>Masuk ke loket</h1>{message}<input type="hidden" name="login_csrf" value="{token}">
<label for="site">Kode MPP</label><input id="site" name="site" value="{}" required autocomplete="organization">
<label for="username">Nama pengguna</label><input id="username" name="username" value="{}" required autocomplete="username">
<label for="password">Kata sandi</label><input id="password" name="password" type="password" required autocomplete="current-password">
<p><button class="primary" type="submit" id="sign-in">Masuk</button></p></form></main>"#,
            esc(site),
            esc(username)
        ),
        None,
    );
    let cookie = format!("{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/counter{}", secure(state));
    (status, [(header::SET_COOKIE, cookie)], html).into_response()
}

/// `; Secure` when the public address is https.
fn secure(state: &WebState) -> &'static str {
    if state.secure_cookies() { "; Secure" } else { "" }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

#[derive(serde::Deserialize)]
pub struct SignIn {
    site: String,
    username: String,
    password: String,
    #[serde(default)]
    login_csrf: String,
}

pub async fn sign_in(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    FormBody(f): FormBody<SignIn>,
) -> Response {
    let refuse = |status, message: &str| sign_in_form(&state, status, Some(message), &f.site, &f.username);
    let expected = cookie(&headers, LOGIN_COOKIE).filter(|t| t.len() == 32);
    if expected.is_none() || expected.as_deref() != Some(f.login_csrf.as_str()) {
        return refuse(StatusCode::FORBIDDEN, "Formulir ini kedaluwarsa; masuk lagi dari halaman ini.");
    }
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let source = state.client_address(Some(peer), forwarded).map(|a| a.to_string()).unwrap_or_default();
    match state.app.sign_in(f.site.trim(), f.username.trim(), &f.password, &source, crate::clock::now()).await {
        Ok((token, _)) => {
            // HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it.
            let cookie = format!(
                "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                MAX_AGE.as_secs(),
                secure(&state)
            );
            let spent = format!("{LOGIN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/counter; Max-Age=0");
            let mut response = Redirect::to("/counter").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie.parse().expect("a cookie is a header value"));
            response.headers_mut().append(header::SET_COOKIE, spent.parse().expect("a cookie is a header value"));
            response
        }
        Err(SignInError::Db(e)) => {
            log::error!("staff sign-in: {e}");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "Server basis data tidak tersedia; coba lagi.")
        }
        Err(SignInError::Locked(until)) => refuse(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Terlalu banyak percobaan; akun ini dikunci di perangkat ini sampai {until} (atau minta supervisor membukanya)."
            ),
        ),
        Err(SignInError::Wrong) => refuse(StatusCode::UNAUTHORIZED, "Nama pengguna atau kata sandi salah."),
    }
}

#[derive(serde::Deserialize)]
pub struct WithCsrf {
    csrf: String,
    counter: Option<i16>,
}

fn signed_out() -> Response {
    let cookie = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/counter")).into_response()
}

pub async fn sign_out(
    State(state): State<WebState>,
    staff: Option<Staff>,
    FormBody(f): FormBody<WithCsrf>,
) -> Result<Response, WebError> {
    if let Some(s) = staff {
        if s.session.csrf != f.csrf {
            return Err(WebError::text(StatusCode::FORBIDDEN, "CSRF token salah"));
        }
        if let Err(e) = state.app.sign_out(&s.token).await {
            return Err(WebError::db(Form::Page, "signing out", &e));
        }
    }
    Ok(signed_out())
}

pub async fn choose(
    State(state): State<WebState>,
    staff: Option<Staff>,
    FormBody(f): FormBody<WithCsrf>,
) -> Result<Response, WebError> {
    let Some(s) = staff else { return Ok(Redirect::to("/counter").into_response()) };
    if s.session.csrf != f.csrf {
        return Err(WebError::text(StatusCode::FORBIDDEN, "CSRF token salah"));
    }
    let chosen = match f.counter {
        Some(n) => state
            .app
            .choose_counter(&s.token, &s.session.site, n)
            .await
            .map_err(|e| WebError::db(Form::Page, "choosing a counter", &e))?,
        None => false,
    };
    if !chosen {
        return Err(WebError::text(StatusCode::BAD_REQUEST, "loket tidak ada di MPP ini"));
    }
    Ok(Redirect::to("/counter").into_response())
}

/// `/counter`: the sign-in form, the counter's choice, or the counter page.
pub async fn page_for(State(state): State<WebState>, staff: Option<Staff>) -> Result<Response, WebError> {
    let Some(Staff { session: s, .. }) = staff else { return Ok(sign_in_form(&state, StatusCode::OK, None, "", "")) };
    let info = state
        .app
        .site_info(&s.site)
        .await
        .map_err(|e| WebError::db(Form::Page, "the counter page", &e))?
        .ok_or_else(|| WebError::page(StatusCode::NOT_FOUND, "MPP ini tidak ada lagi di server"))?;
    let header_html = format!(
        r#"<header><h1>{} · {}</h1><span>{}</span>{}<form method="post" action="/counter/sign-out"><input type="hidden" name="csrf" value="{}"><button type="submit">Keluar</button></form></header>"#,
        esc(&info.name),
        s.counter.map(|n| esc(&info.counter_name(n))).unwrap_or_else(|| "Pilih loket".into()),
        esc(&s.display_name),
        if s.role == Role::Counter {
            ""
        } else {
            r#"<a class="report-link" href="/report">Laporan</a><a class="report-link" href="/accounts">Akun staf</a>"#
        },
        esc(&s.csrf)
    );
    let Some(counter) = s.counter else {
        let options: String = info
            .counters
            .iter()
            .map(|c| format!(r#"<option value="{}">{}</option>"#, c.number, esc(&c.name)))
            .collect();
        return Ok(page(
            "Pilih loket",
            "",
            &format!(
                r#"{header_html}<main><form class="signin" method="post" action="/counter/choose"><h1>Pilih loket</h1><input type="hidden" name="csrf" value="{}">
<label for="counter">Loket</label><select id="counter" name="counter">{options}</select><p><button class="primary" type="submit" id="choose">Buka loket</button></p></form></main>"#,
                esc(&s.csrf)
            ),
            None,
        )
        .into_response());
    };
    let services: String = info
        .services
        .iter()
        .map(|(code, name)| format!(r#"<option value="{}">{}</option>"#, esc(code), esc(name)))
        .collect();
    let counters: String =
        info.counters.iter().map(|c| format!(r#"<option value="{}">{}</option>"#, c.number, esc(&c.name))).collect();
    let call_number = if s.role != Role::Counter {
        r#"<button id="call-number">Panggil nomor tertentu<kbd>C</kbd></button>"#
    } else {
        ""
    };
    let own: Vec<serde_json::Value> = info
        .counters
        .iter()
        .find(|c| c.number == counter)
        .map(|c| {
            c.services.iter().map(|code| serde_json::json!({ "code": code, "name": info.service_name(code) })).collect()
        })
        .unwrap_or_default();
    Ok(page(
        "Loket",
        &format!(
            r#"data-site="{}" data-csrf="{}" data-counter="{counter}" data-services="{}""#,
            esc(&s.site),
            esc(&s.csrf),
            esc(&serde_json::to_string(&own).expect("names serialise"))
        ),
        &format!(
            r#"{header_html}<main>
<p id="message" class="message" role="status" hidden></p><p id="paused" class="message paused" hidden></p>
<div class="counter"><section class="card current" aria-live="polite"><h2>Sedang di loket</h2>
<div class="number" id="current-number">—</div><div class="state" id="current-state"></div><div id="current-service"></div>
<div class="actions">
<button class="primary" id="call-next">Panggil berikutnya<kbd>N</kbd></button>
<button id="recall">Panggil ulang<kbd>R</kbd></button><button id="start">Mulai layani<kbd>S</kbd></button>
<button id="finish">Selesai<kbd>D</kbd></button><button id="no-show">Tidak hadir<kbd>X</kbd></button></div>
<div class="actions"><select id="transfer-service" aria-label="Layanan tujuan">{services}</select>
<select id="transfer-counter" aria-label="Loket tujuan"><option value="">loket mana saja</option>{counters}</select>
<label class="check"><input type="checkbox" id="transfer-front" checked> ke depan antrean</label><button id="transfer">Alihkan<kbd>T</kbd></button></div>
<div class="actions"><button id="pause">Jeda<kbd>P</kbd></button><button id="requeue">Kembalikan ke antrean</button>{call_number}</div></section>
<section class="card lines"><h2>Antrean loket ini · <span id="waiting-total"></span></h2>
<table><thead><tr><th>Layanan</th><th>Menunggu</th><th>Berikutnya</th></tr></thead><tbody id="lines"></tbody></table></section></div></main>"#
        ),
        Some("counter.js"),
    )
    .into_response())
}
