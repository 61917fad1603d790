//! The HTTP layer (axum): the routes, who may call them (`auth`), one error type
//! (`error`), the pages and the JSON API. Handlers call `app::App` and render what it
//! answers; they hold no SQL and no rules.

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod html;
pub mod pages;
pub mod serve;
pub mod state;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use error::WebError;
use state::WebState;

/// The server's routes: uploads with `[server] max_body_bytes`, every other request with
/// [`crate::config::SMALL_BODY`]; each bounded in time (event streams excepted), each
/// answer with the pages' security headers.
pub fn router(state: WebState) -> Router {
    let (big, small) = (state.server.max_body_bytes, crate::config::SMALL_BODY);
    let timeout = std::time::Duration::from_secs(state.server.request_timeout_secs);
    let app = state.app.clone();
    let uploads = Router::new()
        .route("/api/v1/upload", post(api::upload::upload))
        .layer(DefaultBodyLimit::max(big))
        .layer(axum::middleware::from_fn_with_state(big, refuse_oversize));
    let rest = Router::new()
        .route("/api/v1/health", post(api::upload::health))
        .route("/api/v1/kiosk/sequences", get(api::upload::sequences))
        .route("/api/v1/kiosk/bookings", get(api::bookings::for_kiosk))
        .route("/api/v1/kiosk/update", get(api::update::offer))
        .route("/api/v1/kiosk/update/{version}", get(api::update::bundle))
        .route("/api/v1/sites/{site}/bookings", post(api::bookings::book))
        .route("/api/v1/sites/{site}/queue", get(api::queue::state))
        .route("/api/v1/sites/{site}/events", get(api::queue::events))
        .route("/api/v1/sites/{site}/tickets/{date}/{number}", get(api::queue::place))
        .route("/api/v1/sites/{site}/calls", get(api::queue::calls))
        .route("/api/v1/voice/call.wav", get(api::voice::call))
        .route("/api/v1/counter/state", get(api::counter::state))
        .route("/api/v1/counter/action", post(api::counter::action))
        .route("/counter", get(pages::counter::page_for))
        .route("/counter/sign-in", post(pages::counter::sign_in))
        .route("/counter/choose", post(pages::counter::choose))
        .route("/counter/sign-out", post(pages::counter::sign_out))
        .route("/desk", get(pages::desk::page_for))
        .route("/desk/issue", post(pages::desk::issue))
        .route("/desk/check-in", post(pages::desk::check_in))
        .route("/desk/find", post(pages::desk::find))
        .route("/desk/reprint", post(pages::desk::reprint))
        .route("/display/{site}", get(pages::display::display))
        .route("/t/{ticket}", get(pages::status::status))
        .route("/book/{site}", get(pages::booking::services))
        .route("/book/{site}/{service}", get(pages::booking::service).post(pages::booking::book))
        .route("/b/{site}/{code}/{key}", get(pages::booking::booking))
        .route("/b/{site}/{code}/{key}/cancel", post(pages::booking::cancel))
        .route("/report", get(pages::report::report))
        .route("/report.csv", get(pages::report::csv))
        .route("/fleet", get(pages::fleet::fleet))
        .route("/accounts", get(pages::accounts::list).post(pages::accounts::act))
        .route("/assets/{name}", get(assets::asset))
        .route("/healthz", get(health))
        .layer(DefaultBodyLimit::max(small))
        .layer(axum::middleware::from_fn_with_state(small, refuse_oversize));
    uploads
        .merge(rest)
        .layer(axum::middleware::from_fn_with_state((timeout, app), bounded_in_time))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// A body announced larger than the limit is refused at once (413), before a byte of it
/// is read; one sent without a length is cut off at the limit by `DefaultBodyLimit`.
async fn refuse_oversize(State(max): State<usize>, request: Request, next: Next) -> Response {
    let announced =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        let form = error::Form::of_path(request.uri().path());
        let message = if request.uri().path() == "/api/v1/upload" {
            format!("the body is larger than the {max}-byte limit ([server] max_body_bytes)")
        } else {
            format!("the body is larger than the {max}-byte limit")
        };
        return WebError::new(form, StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
    }
    next.run(request).await
}

/// Every request but an event stream ends within `[server] request_timeout_secs` (reading
/// its body, the work, a stuck database included), and at once when the database's watch
/// finds PostgreSQL silent while it waits: 503.
async fn bounded_in_time(
    State((limit, app)): State<(std::time::Duration, std::sync::Arc<crate::app::App>)>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().ends_with("/events") {
        return next.run(request).await;
    }
    let form = error::Form::of_path(request.uri().path());
    let unavailable = || WebError::new(form, StatusCode::SERVICE_UNAVAILABLE, error::UNAVAILABLE).into_response();
    tokio::select! {
        response = next.run(request) => response,
        () = tokio::time::sleep(limit) => unavailable(),
        () = app.db.gone_down() => unavailable(),
    }
}

/// What every answer carries: scripts and styles from this server only (no inline script),
/// no framing by another site, no referrer beyond this origin, no content sniffing.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.entry(name).or_insert(axum::http::HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    response
}

/// `/healthz`: 200 while PostgreSQL answers, 503 at once while it does not (the
/// database's watch says so without waiting on it).
async fn health(State(state): State<WebState>) -> Response {
    if state.app.db.is_down() {
        return WebError::json(StatusCode::SERVICE_UNAVAILABLE, error::UNAVAILABLE).into_response();
    }
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => WebError::db(error::Form::Json, "health", &e).into_response(),
    }
}
