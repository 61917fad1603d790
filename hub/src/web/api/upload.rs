//! `POST /api/v1/upload` and `POST /api/v1/health`: a kiosk's outbox and its health. The
//! credential is checked before the body is read; the answer says what was wrong and
//! where, and a refused batch stores nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mpp_domain::protocol::{Batch, KioskHealth};

use crate::app::ingest::IngestError;
use crate::web::auth::Kiosk;
use crate::web::error::{Form, WebError};
use crate::web::state::WebState;

/// A JSON body as `T`, or a 400 that names the path of what is wrong.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WebError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de)
        .map_err(|e| WebError::json(StatusCode::BAD_REQUEST, format!("{}: {}", e.path(), e.inner())))
}

fn refused(e: IngestError, context: &str) -> WebError {
    match e {
        e @ (IngestError::OtherSite { .. } | IngestError::OtherKiosk { .. }) => {
            WebError::json(StatusCode::FORBIDDEN, e.to_string())
        }
        IngestError::Invalid(e) => WebError::json(StatusCode::BAD_REQUEST, e.to_string()),
        IngestError::Db(e) => WebError::db(Form::Json, context, &e),
    }
}

pub async fn upload(State(state): State<WebState>, Kiosk(kiosk): Kiosk, body: Bytes) -> Result<Response, WebError> {
    let _permit = state.ingesting.acquire().await.expect("the semaphore is never closed");
    let batch: Batch = parse(&body)?;
    let context = format!("storing a batch of {} kiosk {}", kiosk.site, kiosk.number);
    let stored = state.app.ingest(&kiosk, &batch, crate::clock::now()).await.map_err(|e| refused(e, &context))?;
    log::info!(
        "{} kiosk {}: {} records stored, {} already had",
        kiosk.site,
        kiosk.number,
        stored.stored,
        stored.duplicates
    );
    Ok((StatusCode::OK, Json(stored)).into_response())
}

/// A kiosk's health after its sync round, kept per kiosk (the latest wins).
pub async fn health(State(state): State<WebState>, Kiosk(kiosk): Kiosk, body: Bytes) -> Result<Response, WebError> {
    let report: KioskHealth = parse(&body)?;
    let context = format!("storing the health of {} kiosk {}", kiosk.site, kiosk.number);
    state.app.ingest_health(&kiosk, &report, crate::clock::now()).await.map_err(|e| refused(e, &context))?;
    Ok((StatusCode::OK, Json(serde_json::json!({}))).into_response())
}

#[derive(serde::Deserialize)]
pub struct DateQuery {
    pub date: jiff::civil::Date,
}

/// `GET /api/v1/kiosk/sequences?date=YYYY-MM-DD`: the last number of each kind this kiosk
/// gave that day, as the server holds them: a kiosk that lost its ledger continues after
/// them.
pub async fn sequences(
    State(state): State<WebState>,
    Kiosk(kiosk): Kiosk,
    query: Result<axum::extract::Query<DateQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(axum::extract::Query(q)) = query else {
        return Err(WebError::json(StatusCode::BAD_REQUEST, "date: use ?date=YYYY-MM-DD"));
    };
    let date = super::queue::plausible(q.date)?;
    let context = format!("the sequences of {} kiosk {}", kiosk.site, kiosk.number);
    let day = state.app.day_sequences(&kiosk, date).await.map_err(|e| WebError::db(Form::Json, &context, &e))?;
    Ok(Json(day).into_response())
}
