//! `GET /api/v1/kiosk/update` (what this kiosk is offered: 204 for nothing) and
//! `GET /api/v1/kiosk/update/{version}` (the bundle's bytes, only while it is offered to
//! this kiosk; one at a time per kiosk, a few at once in all), both with the kiosk's
//! credential.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncReadExt;

use crate::app::updates::UpdateError;
use crate::web::auth::Kiosk;
use crate::web::error::{Form, WebError};
use crate::web::state::{Busy, WebState};

fn failed(e: UpdateError, context: &str) -> WebError {
    match e {
        UpdateError::Db(e) => WebError::db(Form::Json, context, &e),
        e => WebError::json(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

pub async fn offer(State(state): State<WebState>, Kiosk(kiosk): Kiosk) -> Result<Response, WebError> {
    let context = format!("the update offer for {} kiosk {}", kiosk.site, kiosk.number);
    match state.app.offer(&kiosk).await.map_err(|e| failed(e, &context))? {
        Some(offer) => Ok(Json(offer).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

pub async fn bundle(
    State(state): State<WebState>,
    Kiosk(kiosk): Kiosk,
    Path(version): Path<String>,
) -> Result<Response, WebError> {
    let context = format!("the update bundle for {} kiosk {}", kiosk.site, kiosk.number);
    let offer = state.app.offer(&kiosk).await.map_err(|e| failed(e, &context))?;
    let Some(offer) = offer.filter(|o| o.version == version) else {
        // The path is the caller's: only a bounded piece of it is said back.
        let shown: String = version.chars().take(40).collect();
        return Err(WebError::json(StatusCode::NOT_FOUND, format!("version {shown:?} is not offered to this kiosk")));
    };
    let guard = state.downloads.start(&kiosk.site, kiosk.number).map_err(|busy| match busy {
        Busy::Kiosk => WebError::json(StatusCode::TOO_MANY_REQUESTS, "this kiosk is already downloading a bundle"),
        Busy::Hub => WebError::json(
            StatusCode::SERVICE_UNAVAILABLE,
            "the hub is sending as many bundles as it sends at once: ask again at the next round",
        ),
    })?;
    let path = state.app.bundle_path(&offer.version).expect("an offered version names a file");
    let file = tokio::fs::File::open(&path).await.map_err(|e| {
        log::error!("{}: {e}", path.display());
        WebError::json(StatusCode::INTERNAL_SERVER_ERROR, format!("the bundle of {version} cannot be read on the hub"))
    })?;
    // The guard rides with the body: the kiosk's slot is free again when the body ends or
    // the connection goes.
    let stream =
        futures_util::stream::unfold((file, vec![0u8; 256 * 1024], guard), |(mut f, mut buf, guard)| async move {
            match f.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => Some((Ok::<_, std::io::Error>(Bytes::copy_from_slice(&buf[..n])), (f, buf, guard))),
                Err(e) => Some((Err(e), (f, buf, guard))),
            }
        });
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, offer.size.to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
