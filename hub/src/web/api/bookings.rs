//! Bookings over the API: a program books for a citizen (`POST /api/v1/sites/{site}/bookings`,
//! the same rules as the booking page), and a kiosk reads its site's bookings of a day
//! (`GET /api/v1/kiosk/bookings?date=`, with its credential) to check citizens in, also
//! with the network cut.

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mpp_domain::protocol::{BookingEntry, DayBookings};
use mpp_domain::text::Lang;

use crate::app::bookings::{BookError, BookingRequest};
use crate::web::auth::Kiosk;
use crate::web::error::{Form, WebError};
use crate::web::state::WebState;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookBody {
    service: String,
    date: jiff::civil::Date,
    /// The slot's start, "HH:MM".
    slot: String,
    nik: String,
    #[serde(default)]
    phone: Option<String>,
    /// The language of the refusal ("id" unless "en").
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /api/v1/sites/{site}/bookings`: 201 with the code (shown once: the hub keeps
/// only its hash) and the booking; 422 with why not, in the caller's language.
pub async fn book(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(site): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    // JSON only: a page elsewhere cannot send JSON without the browser asking first (CORS).
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return Err(WebError::json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    if !state.bookings.allow(state.client_address(Some(peer), forwarded), std::time::Instant::now()) {
        return Err(WebError::json(
            StatusCode::TOO_MANY_REQUESTS,
            "terlalu banyak booking dari alamat ini · too many bookings from this address",
        ));
    }
    let b: BookBody = serde_json::from_slice(&body)
        .map_err(|e| WebError::json(StatusCode::BAD_REQUEST, format!("the request: {e}")))?;
    let lang: Lang = b.lang.as_deref().and_then(|l| l.parse().ok()).unwrap_or_default();
    let req = BookingRequest { site, service: b.service, date: b.date, slot: b.slot, nik: b.nik, phone: b.phone };
    match state.app.book(&req, crate::clock::now()).await {
        Ok((code, booking)) => Ok((
            StatusCode::CREATED,
            Json(serde_json::json!({
                "code": code.as_str(), "shown": code.to_string(), "page": booking.page, "booking": booking
            })),
        )
            .into_response()),
        Err(BookError::Db(e)) => Err(WebError::db(Form::Json, "a booking", &e)),
        Err(e @ (BookError::NoSite(_) | BookError::NotBookable(_))) => {
            Err(WebError::json(StatusCode::NOT_FOUND, e.says(lang)))
        }
        Err(e) => Err(WebError::json(StatusCode::UNPROCESSABLE_ENTITY, e.says(lang))),
    }
}

/// `GET /api/v1/kiosk/bookings?date=YYYY-MM-DD`: the kiosk's site's bookings of the day,
/// codes only as hashes, no NIK.
pub async fn for_kiosk(
    State(state): State<WebState>,
    Kiosk(kiosk): Kiosk,
    query: Result<axum::extract::Query<super::upload::DateQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(axum::extract::Query(q)) = query else {
        return Err(WebError::json(StatusCode::BAD_REQUEST, "date: use ?date=YYYY-MM-DD"));
    };
    let date = super::queue::plausible(q.date)?;
    let list = state
        .app
        .bookings_of_day(&kiosk.site, date)
        .await
        .map_err(|e| WebError::db(Form::Json, &format!("the bookings of {}", kiosk.site), &e))?;
    // Each service's check-in window, from its policy (looked up once per service).
    let mut windows = std::collections::HashMap::new();
    for b in &list {
        if !windows.contains_key(&b.service) {
            let p = state
                .app
                .booking_policy(&kiosk.site, &b.service)
                .await
                .map_err(|e| WebError::db(Form::Json, "a booking policy", &e))?
                .unwrap_or_default();
            windows.insert(b.service.clone(), (p.early_minutes, p.late_minutes));
        }
    }
    Ok(Json(DayBookings {
        date,
        bookings: list
            .into_iter()
            .map(|b| {
                let (early_minutes, late_minutes) = windows[&b.service];
                BookingEntry {
                    code_hash: b.code_hash,
                    service: b.service,
                    slot_start: b.slot_start,
                    slot_end: b.slot_end,
                    state: b.state,
                    early_minutes,
                    late_minutes,
                }
            })
            .collect(),
    })
    .into_response())
}
