//! The web pages: the counter page for staff (sign-in, the counter's choice, its queue and
//! actions) and the lobby display. HTML is written here with every text escaped ([`esc`]);
//! the little JavaScript and the CSS are files embedded in the binary (`hub/assets/web/`).
//! The JSON the pages read and the actions they send are in `counter_api`.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::http::AppState;
use crate::session::{self, Session, SignInError};

pub const COOKIE: &str = "mpp_hub_session";

/// Text for HTML: `<`, `>`, `&`, `"` and `'` as entities, so a service named `<script>`
/// shows as text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "style.css" => (include_str!("../assets/web/style.css"), "text/css; charset=utf-8"),
        "counter.js" => (include_str!("../assets/web/counter.js"), "text/javascript; charset=utf-8"),
        "display.js" => (include_str!("../assets/web/display.js"), "text/javascript; charset=utf-8"),
        "report.js" => (include_str!("../assets/web/report.js"), "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

pub fn page(title: &str, body_attrs: &str, body: &str, script: Option<&str>) -> Html<String> {
    page_with_head(title, "", body_attrs, body, script)
}

/// A page with more in its `<head>` (trusted markup, not text).
pub fn page_with_head(title: &str, head: &str, body_attrs: &str, body: &str, script: Option<&str>) -> Html<String> {
    let script = script.map(|s| format!(r#"<script src="/assets/{s}" defer></script>"#)).unwrap_or_default();
    Html(format!(
        r#"<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{head}
<title>{}</title><link rel="stylesheet" href="/assets/style.css">{script}</head><body {body_attrs}>{body}</body></html>"#,
        esc(title)
    ))
}

/// The session cookie's token, if the request carries one.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == COOKIE && v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())).then(|| v.to_owned())
    })
}

/// The session of a supervisor or admin, or the page that says why not: 401 without a
/// session, 403 for a counter clerk. For the report and the fleet pages.
pub async fn supervisor(state: &AppState, headers: &HeaderMap, title: &str) -> Result<Session, Response> {
    let Some((_, s)) = current(state, headers).await else {
        return Err((StatusCode::UNAUTHORIZED, page(title, "", r#"<main class="status"><h1>Masuk dulu</h1><p><a href="/counter">Masuk</a> sebagai supervisor atau admin.</p></main>"#, None)).into_response());
    };
    if s.role == crate::staff::Role::Counter {
        return Err((
            StatusCode::FORBIDDEN,
            page(title, "", r#"<main class="status"><h1>Hanya untuk supervisor dan admin</h1></main>"#, None),
        )
            .into_response());
    }
    Ok(s)
}

/// The session of this request, if it has a valid one.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Option<(String, Session)> {
    let token = cookie_token(headers)?;
    match session::find(&state.pool, &token, crate::clock::now()).await {
        Ok(s) => s.map(|s| (token, s)),
        Err(e) => {
            log::error!("reading a staff session: {e}");
            None
        }
    }
}

fn sign_in_form(message: Option<&str>, site: &str, username: &str) -> Html<String> {
    let message =
        message.map(|m| format!(r#"<p class="message error" role="alert">{}</p>"#, esc(m))).unwrap_or_default();
    page(
        "Masuk — Loket",
        "",
        &format!(
            r#"<main><form class="signin" method="post" action="/counter/sign-in">
<h1>Masuk ke loket</h1>{message}
<label for="site">Kode MPP</label><input id="site" name="site" value="{}" required autocomplete="organization">
<label for="username">Nama pengguna</label><input id="username" name="username" value="{}" required autocomplete="username">
<label for="password">Kata sandi</label><input id="password" name="password" type="password" required autocomplete="current-password">
<p><button class="primary" type="submit" id="sign-in">Masuk</button></p></form></main>"#,
            esc(site),
            esc(username)
        ),
        None,
    )
}

#[derive(serde::Deserialize)]
pub struct SignIn {
    site: String,
    username: String,
    password: String,
}

pub async fn sign_in(State(state): State<AppState>, Form(f): Form<SignIn>) -> Response {
    match session::sign_in(&state.pool, f.site.trim(), f.username.trim(), &f.password, crate::clock::now()).await {
        Ok((token, _)) => {
            // HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it.
            let cookie =
                format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", session::MAX_AGE.as_secs());
            ([(header::SET_COOKIE, cookie)], Redirect::to("/counter")).into_response()
        }
        Err(SignInError::Db(e)) => {
            log::error!("staff sign-in: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                sign_in_form(Some("Server basis data tidak tersedia; coba lagi."), &f.site, &f.username),
            )
                .into_response()
        }
        Err(e @ SignInError::Locked(_)) => (
            StatusCode::TOO_MANY_REQUESTS,
            sign_in_form(
                Some(&format!("Terlalu banyak kata sandi salah; akun dikunci sementara. ({e})")),
                &f.site,
                &f.username,
            ),
        )
            .into_response(),
        Err(SignInError::Wrong) => {
            (StatusCode::UNAUTHORIZED, sign_in_form(Some("Nama pengguna atau kata sandi salah."), &f.site, &f.username))
                .into_response()
        }
    }
}

#[derive(serde::Deserialize)]
pub struct WithCsrf {
    csrf: String,
    counter: Option<i16>,
}

pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<WithCsrf>) -> Response {
    if let Some((token, s)) = current(&state, &headers).await {
        if s.csrf != f.csrf {
            return (StatusCode::FORBIDDEN, "CSRF token salah").into_response();
        }
        let _ = session::sign_out(&state.pool, &token).await;
    }
    (
        [(header::SET_COOKIE, format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"))],
        Redirect::to("/counter"),
    )
        .into_response()
}

pub async fn choose(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<WithCsrf>) -> Response {
    let Some((token, s)) = current(&state, &headers).await else { return Redirect::to("/counter").into_response() };
    if s.csrf != f.csrf {
        return (StatusCode::FORBIDDEN, "CSRF token salah").into_response();
    }
    match f.counter {
        Some(n) if session::choose_counter(&state.pool, &token, &s.site, n).await.unwrap_or(false) => {
            Redirect::to("/counter").into_response()
        }
        _ => (StatusCode::BAD_REQUEST, "loket tidak ada di MPP ini").into_response(),
    }
}

/// `/counter`: the sign-in form, the counter's choice, or the counter page.
pub async fn counter(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some((_, s)) = current(&state, &headers).await else { return sign_in_form(None, "", "").into_response() };
    let info = match crate::counter_api::site_info(&state.pool, &s.site).await {
        Ok(i) => i,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    };
    let header_html = format!(
        r#"<header><h1>{} · {}</h1><span>{}</span>{}<form method="post" action="/counter/sign-out"><input type="hidden" name="csrf" value="{}"><button type="submit">Keluar</button></form></header>"#,
        esc(&info.name),
        s.counter
            .and_then(|n| info.counters.iter().find(|c| c.0 == n))
            .map(|c| esc(&c.1))
            .unwrap_or_else(|| "Pilih loket".into()),
        esc(&s.display_name),
        if s.role == crate::staff::Role::Counter { "" } else { r#"<a class="report-link" href="/report">Laporan</a>"# },
        esc(&s.csrf)
    );
    let Some(_) = s.counter else {
        let options: String =
            info.counters.iter().map(|(n, name, _)| format!(r#"<option value="{n}">{}</option>"#, esc(name))).collect();
        return page(
            "Pilih loket",
            "",
            &format!(
                r#"{header_html}<main><form class="signin" method="post" action="/counter/choose"><h1>Pilih loket</h1><input type="hidden" name="csrf" value="{}">
<label for="counter">Loket</label><select id="counter" name="counter">{options}</select><p><button class="primary" type="submit" id="choose">Buka loket</button></p></form></main>"#,
                esc(&s.csrf)
            ),
            None,
        )
        .into_response();
    };
    let services: String = info
        .services
        .iter()
        .map(|(code, name)| format!(r#"<option value="{}">{}</option>"#, esc(code), esc(name)))
        .collect();
    let counters: String =
        info.counters.iter().map(|(n, name, _)| format!(r#"<option value="{n}">{}</option>"#, esc(name))).collect();
    let supervisor = s.role != crate::staff::Role::Counter;
    let call_number =
        if supervisor { r#"<button id="call-number">Panggil nomor tertentu<kbd>C</kbd></button>"# } else { "" };
    page(
        "Loket",
        &format!(
            r#"data-site="{}" data-csrf="{}" data-counter="{}" data-services="{}""#,
            esc(&s.site),
            esc(&s.csrf),
            s.counter.unwrap_or_default(),
            esc(&serde_json::to_string(&info.counters.iter().find(|c| Some(c.0) == s.counter).map(|c| c.2.iter().map(|code| serde_json::json!({ "code": code, "name": info.services.iter().find(|(sc, _)| sc == code).map_or(code.as_str(), |(_, n)| n.as_str()) })).collect::<Vec<_>>()).unwrap_or_default()).unwrap_or_default())
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
    .into_response()
}

/// `/display/{site}`: the lobby display.
pub async fn display(State(state): State<AppState>, Path(site): Path<String>) -> Response {
    let info = match crate::counter_api::site_info(&state.pool, &site).await {
        Ok(i) => i,
        Err(crate::counter_api::InfoError::NoSite) => {
            return (StatusCode::NOT_FOUND, Html(format!("<p>Tidak ada MPP {}</p>", esc(&site)))).into_response();
        }
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    };
    let notices: String = info.notices.iter().map(|n| format!("<div class=\"notice\">{}</div>", esc(n))).collect();
    page(
        &format!("Layar antrean — {}", info.name),
        &format!(
            r#"class="display" data-site="{}" data-zone="{}" data-zone-label="{}" data-server-now="{}" data-services="{}""#,
            esc(&info.code),
            esc(&info.time_zone),
            esc(mpp_domain::hours::zone_label(&info.time_zone)),
            crate::clock::now().as_millisecond(),
            // Service names for the waits list, as JSON in an (escaped) attribute.
            esc(&serde_json::to_string(&info.services.iter().cloned().collect::<std::collections::BTreeMap<_, _>>()).expect("names serialise"))
        ),
        &format!(
            r#"<header><h1>{}</h1><div class="clock"><div id="date"></div><div id="time"></div></div></header>
<div class="lost" id="lost" role="alert">Terputus dari server antrean — menyambung lagi … · Connection lost, reconnecting …</div>
<section class="now" id="now" aria-live="assertive"><div class="label">Nomor antrean · Now calling</div><div class="number" id="now-number">—</div><div class="where" id="now-where"></div></section>
<div class="board"><section class="tiles" id="tiles" aria-label="Loket"></section>
<section class="recent"><h2>Panggilan terakhir · Recent calls</h2><ol id="recent"></ol>
<h2>Perkiraan tunggu · Estimated wait</h2><ol id="waits" class="waits"></ol></section></div>
{notices}<div class="sound" id="sound"><button id="sound-button">Sentuh untuk menyalakan suara · Touch to enable sound</button></div>"#,
            esc(&info.name)
        ),
        Some("display.js"),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            esc(r#"<script>alert('x') & "y"</script>"#),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(esc("Loket 3 (Disdukcapil)"), "Loket 3 (Disdukcapil)");
    }

    #[test]
    fn only_a_well_formed_session_cookie_is_read() {
        let mut h = HeaderMap::new();
        let token = "a".repeat(64);
        h.insert(header::COOKIE, format!("other=1; {COOKIE}={token}").parse().unwrap());
        assert_eq!(cookie_token(&h), Some(token));
        h.insert(header::COOKIE, format!("{COOKIE}=' OR 1=1 --").parse().unwrap());
        assert_eq!(cookie_token(&h), None);
    }
}
