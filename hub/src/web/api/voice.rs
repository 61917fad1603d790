//! `GET /api/v1/voice/call.wav?number=KTB-A007&counter=3`: the call as the display plays it
//! (`audio/wav`), what `mpp-hub voice say` writes.

use std::convert::Infallible;

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
    let parts = state
        .app
        .voice
        .call(&q.number, q.counter)
        .map_err(|e| WebError::json(StatusCode::BAD_REQUEST, e.to_string()))?;
    // The parts share the loaded clips: a response costs no copy of the audio.
    let length: usize = parts.iter().map(bytes::Bytes::len).sum();
    let body = axum::body::Body::from_stream(futures_util::stream::iter(parts.into_iter().map(Ok::<_, Infallible>)));
    Ok((
        [
            (header::CONTENT_TYPE, "audio/wav".to_owned()),
            (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
            (header::CONTENT_LENGTH, length.to_string()),
        ],
        body,
    )
        .into_response())
}
