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

/// The server's routes, with the body limit.
pub fn router(state: WebState) -> Router {
    let max_body = state.max_body;
    Router::new()
        .route("/api/v1/upload", post(api::upload::upload))
        .route("/api/v1/health", post(api::upload::health))
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
        .route("/display/{site}", get(pages::display::display))
        .route("/t/{ticket}", get(pages::status::status))
        .route("/report", get(pages::report::report))
        .route("/report.csv", get(pages::report::csv))
        .route("/fleet", get(pages::fleet::fleet))
        .route("/assets/{name}", get(assets::asset))
        .route("/healthz", get(health))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(max_body, refuse_oversize))
        .with_state(state)
}

/// A body announced larger than the limit is refused at once (413), before a byte of it
/// is read; one sent without a length is cut off at the limit by `DefaultBodyLimit`.
async fn refuse_oversize(State(max): State<usize>, request: Request, next: Next) -> Response {
    let announced =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return WebError::json(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than the {max}-byte limit ([server] max_body_bytes)"),
        )
        .into_response();
    }
    next.run(request).await
}

async fn health(State(state): State<WebState>) -> Response {
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => WebError::db(error::Form::Json, "health", &e, "the database is not available").into_response(),
    }
}
