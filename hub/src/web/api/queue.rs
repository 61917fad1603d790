//! A site's queue out: its state (`…/queue`), one ticket's place (`…/tickets/…`), the
//! display's calls (`…/calls`) and the live stream of both (`…/events`). Numbers and
//! counts only: what the lobby display shows anyway.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};

use crate::app::DbError;
use crate::web::error::{Form, WebError};
use crate::web::state::WebState;

#[derive(serde::Deserialize)]
pub struct DayQuery {
    /// The site's local day (default: today in the site's time zone).
    date: Option<jiff::civil::Date>,
}

type DayParam = Result<Query<DayQuery>, axum::extract::rejection::QueryRejection>;

fn unavailable(e: &DbError) -> WebError {
    WebError::db(Form::Json, "reading the queue", e, "the database is not available; try again")
}

/// The site's local day now, or 404 for an unknown site.
pub async fn today(state: &WebState, site: &str) -> Result<jiff::civil::Date, WebError> {
    match state.app.today(site, crate::clock::now()).await {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(WebError::json(StatusCode::NOT_FOUND, format!("no site {site:?} on this server"))),
        Err(e) => Err(unavailable(&e)),
    }
}

fn json(bytes: bytes::Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// `GET /api/v1/sites/{site}/queue?date=`: the waiting tickets of a site's day, per
/// service, in calling order.
pub async fn state(
    State(state): State<WebState>,
    Path(site): Path<String>,
    query: DayParam,
) -> Result<Response, WebError> {
    let Ok(Query(query)) = query else { return Err(WebError::json(StatusCode::BAD_REQUEST, "date: use YYYY-MM-DD")) };
    let date = match query.date {
        Some(d) => d,
        None => today(&state, &site).await?,
    };
    state.app.queue_json(&site, date, None).await.map(json).map_err(|e| unavailable(&e))
}

/// `GET /api/v1/sites/{site}/tickets/{date}/{number}`: one ticket's place in its line; the
/// kiosk asks it for the slip and the done screen, right after pushing the ticket.
pub async fn place(
    State(state): State<WebState>,
    Path((site, date, number)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let Ok(date) = date.parse::<jiff::civil::Date>() else {
        return Err(WebError::json(StatusCode::BAD_REQUEST, format!("date {date:?}: use YYYY-MM-DD")));
    };
    match state.app.place(&site, date, &number, crate::clock::now()).await {
        Ok(Some(place)) => Ok(axum::Json(place).into_response()),
        Ok(None) => {
            Err(WebError::json(StatusCode::NOT_FOUND, format!("no ticket {number} of site {site:?} on {date}")))
        }
        Err(e) => Err(unavailable(&e)),
    }
}

/// `GET /api/v1/sites/{site}/calls`: what the lobby display shows: each counter with the
/// number at it (or paused), and the last calls (call and recall, newest first; a recall
/// is a new entry, so the display speaks it again).
pub async fn calls(State(state): State<WebState>, Path(site): Path<String>) -> Result<Response, WebError> {
    let date = today(&state, &site).await?;
    state.app.board_json(&site, date, None).await.map(json).map_err(|e| unavailable(&e))
}

/// `GET /api/v1/sites/{site}/events`: Server-Sent Events: the site's queue (`event: queue`,
/// as `…/queue` gives it) and calls (`event: calls`) at once, then again after every
/// change, whichever server process made it.
pub async fn events(
    State(state): State<WebState>,
    Path(site): Path<String>,
    query: DayParam,
) -> Result<Response, WebError> {
    let Ok(Query(query)) = query else { return Err(WebError::json(StatusCode::BAD_REQUEST, "date: use YYYY-MM-DD")) };
    let fixed_date = query.date;
    let changes = state.app.changes.subscribe();
    today(&state, &site).await?;
    let stream_of_events = futures_util::stream::unfold(
        (state, site, changes, true),
        move |(state, site, mut changes, first)| async move {
            let mut heard = None;
            if !first {
                // Wait for a change of this site (a lagging receiver just redraws).
                loop {
                    match changes.recv().await {
                        Ok(c) if c.concerns(&site) => {
                            heard = Some(c.heard);
                            break;
                        }
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            heard = Some(std::time::Instant::now());
                            break;
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    }
                }
            }
            let day = match fixed_date {
                Some(d) => Ok(Some(d)),
                None => state.app.today(&site, crate::clock::now()).await,
            };
            // From the caches: a hundred displays woken by one change run one query each.
            let events = match day {
                Ok(Some(date)) => {
                    let queue = state.app.queue_json(&site, date, heard).await;
                    let calls = state.app.board_json(&site, date, heard).await;
                    [("queue", queue), ("calls", calls)]
                        .into_iter()
                        .map(|(name, json)| match json {
                            Ok(json) => Event::default().event(name).data(String::from_utf8_lossy(&json)),
                            Err(e) => Event::default().event("error").data(e.to_string()),
                        })
                        .collect()
                }
                Ok(None) => return None,
                Err(e) => vec![Event::default().event("error").data(e.to_string())],
            };
            Some((
                futures_util::stream::iter(events.into_iter().map(Ok::<_, std::convert::Infallible>)),
                (state, site, changes, false),
            ))
        },
    );
    let stream = futures_util::StreamExt::flatten(Box::pin(stream_of_events));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))).into_response())
}
