//! A site's queue out: its state (`…/queue`), one ticket's place (`…/tickets/…`), the
//! display's calls (`…/calls`) and the live stream of both (`…/events`). Numbers and
//! counts only: what the lobby display shows anyway.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};

use crate::app::DbError;
use crate::web::error::{self, Form, WebError};
use crate::web::state::WebState;

/// How often an event stream beats; pages call the server lost after a few silent beats.
pub const BEAT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(serde::Deserialize)]
pub struct DayQuery {
    /// The site's local day (default: today in the site's time zone).
    date: Option<jiff::civil::Date>,
}

type DayParam = Result<Query<DayQuery>, axum::extract::rejection::QueryRejection>;

fn unavailable(e: &DbError) -> WebError {
    WebError::db(Form::Json, "reading the queue", e)
}

/// A day a site can have tickets on (PostgreSQL cannot store every day jiff reads, and no
/// site has tickets in the year 9999): 400 otherwise.
pub fn plausible(date: jiff::civil::Date) -> Result<jiff::civil::Date, WebError> {
    if (2000..=2100).contains(&date.year()) {
        Ok(date)
    } else {
        Err(WebError::json(StatusCode::BAD_REQUEST, format!("date {date}: use a day between 2000 and 2100")))
    }
}

/// The site's local day now, or 404 for an unknown site.
pub async fn today(state: &WebState, site: &str) -> Result<jiff::civil::Date, WebError> {
    match state.app.today(site, crate::clock::now()).await {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(WebError::json(StatusCode::NOT_FOUND, format!("no site {site:.40?} on this server"))),
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
    let today = today(&state, &site).await?; // 404 for an unknown site, whatever the day
    let date = plausible(query.date.unwrap_or(today))?;
    state.app.queue_json(&site, date, None).await.map(json).map_err(|e| unavailable(&e))
}

/// `GET /api/v1/sites/{site}/tickets/{date}/{number}`: one ticket's place in its line; the
/// kiosk asks it for the slip and the done screen, right after pushing the ticket.
pub async fn place(
    State(state): State<WebState>,
    Path((site, date, number)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let Ok(date) = date.parse::<jiff::civil::Date>() else {
        return Err(WebError::json(StatusCode::BAD_REQUEST, format!("date {date:.20}: use YYYY-MM-DD")));
    };
    let date = plausible(date)?;
    today(&state, &site).await?;
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
    let fixed_date = query.date.map(plausible).transpose()?;
    today(&state, &site).await?;
    // A place among the live streams, or a plain refusal: a display retries by itself.
    let Some(slot) = state.streams.take(&site, state.server.max_event_streams, state.server.max_event_streams_per_site)
    else {
        return Err(WebError::json(
            StatusCode::SERVICE_UNAVAILABLE,
            "terlalu banyak layar tersambung; coba lagi sebentar lagi · too many live displays; try again shortly",
        ));
    };
    let changes = state.app.changes.subscribe();
    let limit = std::time::Duration::from_secs(state.server.request_timeout_secs);
    let mut stopping = state.stopping.clone();
    let beat_app = state.app.clone();
    let stream_of_events = futures_util::stream::unfold(
        (state, site, changes, true, slot),
        move |(state, site, mut changes, first, slot)| async move {
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
            // From the caches: a hundred displays woken by one change run one query each;
            // a database that does not answer is said to, not waited on for ever.
            let read = async {
                let date = match fixed_date {
                    Some(d) => d,
                    None => {
                        state.app.today(&site, crate::clock::now()).await?.ok_or(crate::app::DbError::Unavailable)?
                    }
                };
                let queue = state.app.queue_json(&site, date, heard).await?;
                let calls = state.app.board_json(&site, date, heard).await?;
                Ok::<_, crate::app::DbError>([("queue", queue), ("calls", calls)])
            };
            let events: Vec<Event> = match tokio::time::timeout(limit, read).await {
                Ok(Ok(both)) => both
                    .into_iter()
                    .map(|(name, json)| Event::default().event(name).data(String::from_utf8_lossy(&json)))
                    .collect(),
                Ok(Err(e)) => {
                    log::warn!("an event stream of {site}: {e}");
                    vec![Event::default().event("error").data(error::UNAVAILABLE)]
                }
                Err(_) => vec![Event::default().event("error").data(error::UNAVAILABLE)],
            };
            Some((
                futures_util::stream::iter(events.into_iter().map(Ok::<_, std::convert::Infallible>)),
                (state, site, changes, false, slot),
            ))
        },
    );
    let stream = futures_util::StreamExt::flatten(Box::pin(stream_of_events));
    // A beat every BEAT: the server's clock (pages keep their clocks by it) and whether
    // its database answers. A page that hears nothing for a few beats knows the server is
    // lost even when no connection was closed (a cable pulled, a switch down).
    let beats = futures_util::stream::unfold((tokio::time::interval(BEAT), beat_app), |(mut every, app)| async move {
        every.tick().await;
        let data = format!(r#"{{"now":{},"db":{}}}"#, crate::clock::now().as_millisecond(), !app.db.is_down());
        Some((Ok::<_, std::convert::Infallible>(Event::default().event("beat").data(data)), (every, app)))
    });
    let stream = futures_util::stream::select(stream, beats);
    // The server stopping ends the stream at once: the display reconnects by itself.
    let stream = futures_util::StreamExt::take_until(stream, async move {
        let _ = stopping.wait_for(|s| *s).await;
    });
    Ok(Sse::new(stream).into_response())
}
