//! `GET /api/v1/voice/call.wav?number=KTB-A007&counter=3`: the call as the display plays it
//! (`audio/wav`), what `mpp-hub voice say` writes.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::web::error::WebError;
use crate::web::state::WebState;

#[derive(serde::Deserialize)]
pub struct CallQuery {
    number: String,
    counter: i32,
}

pub async fn call(
    State(state): State<WebState>,
    query: Result<Query<CallQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(q)) = query else {
        return Err(WebError::json(StatusCode::BAD_REQUEST, "use ?number=KTB-A007&counter=3"));
    };
    let wav = state
        .app
        .voice
        .say(&q.number, q.counter)
        .map_err(|e| WebError::json(StatusCode::BAD_REQUEST, e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "audio/wav"), (header::CACHE_CONTROL, "public, max-age=86400")], wav).into_response())
}
