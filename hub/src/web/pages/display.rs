//! `/display/{site}`: the lobby display (its script, `display.js`, follows the site's
//! event stream, shows the calls and speaks them).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::error::{Form, WebError};
use crate::web::html::{esc, page};
use crate::web::state::WebState;

pub async fn display(State(state): State<WebState>, Path(site): Path<String>) -> Result<Response, WebError> {
    let info = state
        .app
        .site_info(&site)
        .await
        .map_err(|e| WebError::db(Form::Page, "the display", &e))?
        .ok_or_else(|| WebError::page(StatusCode::NOT_FOUND, format!("Tidak ada MPP {site}")))?;
    let now = crate::clock::now();
    let notices: String = info.notices.iter().map(|n| format!("<div class=\"notice\">{}</div>", esc(n))).collect();
    Ok(page(
        &format!("Layar antrean — {}", info.name),
        &format!(
            r#"class="display" data-site="{}" data-zone-label="{}" data-zone-offset="{}" data-server-now="{}" data-services="{}""#,
            esc(&info.code),
            esc(mpp_domain::hours::zone_label(&info.time_zone)),
            mpp_domain::hours::offset_minutes(now, &info.time_zone),
            now.as_millisecond(),
            // Service names for the waits list, as JSON in an (escaped) attribute.
            esc(&serde_json::to_string(&info.services.iter().cloned().collect::<std::collections::BTreeMap<_, _>>())
                .expect("names serialise"))
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
    .into_response())
}
