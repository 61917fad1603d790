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

/// The site this device signed in to last: the sign-in form fills it in (a counter PC
/// belongs to one MPP; the clerk should not type its code every morning).
const SITE_COOKIE: &str = "mpp_hub_site";

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
            let site = f.site.trim();
            let remember = plausible_site(site).then(|| {
                format!(
                    "{SITE_COOKIE}={site}; HttpOnly; SameSite=Strict; Path=/counter; Max-Age=31536000{}",
                    secure(&state)
                )
            });
            let mut response = Redirect::to("/counter").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie.parse().expect("a cookie is a header value"));
            response.headers_mut().append(header::SET_COOKIE, spent.parse().expect("a cookie is a header value"));
            if let Some(remember) = remember {
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, remember.parse().expect("a site code is a header value"));
            }
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
    if s.session.role == Role::Desk {
        return Err(WebError::text(StatusCode::FORBIDDEN, "meja informasi tidak memanggil di loket"));
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
pub async fn page_for(
    State(state): State<WebState>,
    headers: HeaderMap,
    staff: Option<Staff>,
) -> Result<Response, WebError> {
    let Some(Staff { session: s, .. }) = staff else {
        let remembered = cookie(&headers, SITE_COOKIE).filter(|c| plausible_site(c)).unwrap_or_default();
        return Ok(sign_in_form(&state, StatusCode::OK, None, &remembered, ""));
    };
    // The reception desk signs in here too, and works at its own page.
    if s.role == Role::Desk {
        return Ok(Redirect::to("/desk").into_response());
    }
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
        if !s.role.supervises() {
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
    // What the transfer dialog offers first: this counter's other services, then the
    // services of the counters that serve the same agencies (with those counters), then
    // every service by search. Built here once; the page filters as the clerk types.
    let own_counter = info.counters.iter().find(|c| c.number == counter);
    let own_services: Vec<String> = own_counter.map(|c| c.services.clone()).unwrap_or_default();
    let own_agencies: std::collections::BTreeSet<&str> =
        own_services.iter().filter_map(|s| info.agency_of.get(s).map(String::as_str)).collect();
    let services_json: Vec<serde_json::Value> = info
        .services
        .iter()
        .map(|(code, name)| {
            let agency = info.agency_of.get(code).map(String::as_str).unwrap_or("");
            serde_json::json!({ "code": code, "name": name, "own": own_services.contains(code), "near": own_agencies.contains(agency) })
        })
        .collect();
    let counters_json: Vec<serde_json::Value> = info
        .counters
        .iter()
        .filter(|c| c.number != counter)
        .map(|c| {
            let near =
                c.services.iter().any(|s| info.agency_of.get(s).is_some_and(|a| own_agencies.contains(a.as_str())));
            serde_json::json!({ "number": c.number, "name": c.name, "services": c.services, "near": near })
        })
        .collect();
    let own: Vec<serde_json::Value> =
        own_services.iter().map(|code| serde_json::json!({ "code": code, "name": info.service_name(code) })).collect();
    let supervisor = s.role.supervises();
    let call_number = if supervisor {
        r#"<button id="call-number" data-en="Call a number">Panggil nomor tertentu</button><kbd>C</kbd>"#
    } else {
        ""
    };
    // The language button in the header, beside the sign-out (the script sets its words).
    let header_html = header_html.replacen(
        r#"<form method="post" action="/counter/sign-out">"#,
        r#"<button type="button" class="lang" id="lang">English</button><form method="post" action="/counter/sign-out">"#,
        1,
    );
    Ok(page(
        "Loket",
        &format!(
            r#"data-site="{}" data-csrf="{}" data-counter="{counter}" data-services="{}" data-all-services="{}" data-counters="{}" data-pause-reasons="{}" data-server-now="{}" data-supervisor="{supervisor}""#,
            esc(&s.site),
            esc(&s.csrf),
            attr_json(&own),
            attr_json(&services_json),
            attr_json(&counters_json),
            attr_json(&state.counter.pause_reasons),
            crate::clock::now().as_millisecond(),
        ),
        &format!(
            r#"{header_html}<div class="offline" id="offline" role="alert" hidden><span id="offline-text">Server tidak terjangkau: tindakan terakhir belum terkirim.</span> <button id="retry" data-en="Try again">Coba lagi</button></div><main>
<p id="message" class="message" role="status" hidden></p><p id="paused" class="message paused" hidden></p>
<div class="counter"><section class="card current" aria-live="polite"><h2 data-en="At the counter">Sedang di loket</h2>
<div class="number" id="current-number">—</div><div class="state" id="current-state"></div><div id="current-service"></div><div class="priority-why" id="current-priority" hidden></div>
<div class="actions main-actions">
<span class="act"><button class="primary" id="finish-next" data-en="Done, call next">Selesai &amp; panggil berikutnya</button><kbd>Enter</kbd></span>
<span class="act"><button class="primary" id="call-next" data-en="Call next">Panggil berikutnya</button><kbd>N</kbd></span></div>
<div class="actions">
<span class="act"><button id="recall" data-en="Recall">Panggil ulang</button><kbd>R</kbd></span><span class="act"><button id="start" data-en="Start serving">Mulai layani</button><kbd>S</kbd></span>
<span class="act"><button id="finish" data-en="Done">Selesai</button><kbd>D</kbd></span><span class="act"><button id="no-show" data-en="No-show">Tidak hadir</button><kbd>X</kbd></span>
<span class="act"><button id="transfer" data-en="Transfer">Alihkan</button><kbd>T</kbd></span></div>
<ul class="why" id="why" aria-live="polite"></ul>
<div class="actions"><span class="act"><button id="pause" data-en="Pause">Jeda</button><kbd>P</kbd></span><span class="act"><button id="requeue" data-en="Back in line">Kembalikan ke antrean</button><kbd>B</kbd></span>{call_number}</div></section>
<section class="card lines"><h2><span data-en="This counter's queue">Antrean loket ini</span> · <span id="waiting-total"></span></h2>
<table><thead><tr><th data-en="Service">Layanan</th><th data-en="Waiting">Menunggu</th><th data-en="Next">Berikutnya</th></tr></thead><tbody id="lines"></tbody></table></section></div></main>
<dialog id="transfer-dialog" aria-labelledby="transfer-title"><form method="dialog" id="transfer-form"><h2 id="transfer-title" data-en="Transfer to">Alihkan ke</h2>
<input id="transfer-search" type="search" placeholder="Cari layanan atau loket …" aria-label="Cari layanan atau loket" autocomplete="off">
<ol class="choices" id="transfer-choices"></ol>
<fieldset class="reasons" id="transfer-reasons"><legend data-en="Why">Alasan</legend></fieldset>
<label class="check"><input type="checkbox" id="transfer-front" checked> <span data-en="to the front of the line">ke depan antrean</span></label>
<p class="dialog-actions"><button class="primary" id="transfer-go" value="go" data-en="Transfer">Alihkan</button> <button id="transfer-cancel" value="cancel" formnovalidate data-en="Cancel">Batal</button></p></form></dialog>
<dialog id="pause-dialog" aria-labelledby="pause-title"><form method="dialog"><h2 id="pause-title" data-en="Pause: why?">Jeda: alasannya?</h2><ol class="choices" id="pause-choices"></ol>
<label for="pause-other" data-en="Other">Lainnya</label><input id="pause-other" maxlength="200" autocomplete="off">
<p class="dialog-actions"><button id="pause-go" class="primary" value="go" data-en="Pause">Jeda</button> <button value="cancel" data-en="Cancel">Batal</button></p></form></dialog>
<dialog id="requeue-dialog" aria-labelledby="requeue-title"><form method="dialog"><h2 id="requeue-title" data-en="Back in line: who came late?">Kembalikan ke antrean: siapa yang datang terlambat?</h2>
<ol class="choices" id="requeue-choices"></ol><label for="requeue-number" data-en="Or a number">Atau nomor</label><input id="requeue-number" autocomplete="off" placeholder="KTB-A007">
<p class="dialog-actions"><button id="requeue-go" class="primary" value="go" data-en="Back in line">Kembalikan</button> <button value="cancel" data-en="Cancel">Batal</button></p></form></dialog>
<dialog id="call-dialog" aria-labelledby="call-title"><form method="dialog"><h2 id="call-title" data-en="Call a number out of order">Panggil nomor di luar urutan</h2>
<label for="call-number-input" data-en="Number">Nomor</label><input id="call-number-input" autocomplete="off" placeholder="KTB-A007">
<label for="call-reason" data-en="Why">Alasan</label><input id="call-reason" maxlength="200" autocomplete="off">
<p class="dialog-actions"><button id="call-go" class="primary" value="go" data-en="Call">Panggil</button> <button value="cancel" data-en="Cancel">Batal</button></p></form></dialog>"#
        ),
        Some("counter.js"),
    )
    .into_response())
}

/// A value as JSON for an (escaped) attribute, for the page's script.
fn attr_json<T: serde::Serialize>(v: &T) -> String {
    esc(&serde_json::to_string(v).expect("page data serialises"))
}

/// A site code as a cookie may carry it: letters, digits and dashes, not too long.
fn plausible_site(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
