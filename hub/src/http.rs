//! The HTTP API (axum). Kiosks POST their outbox here (docs/upload-protocol.md); the
//! answer says what was wrong and where, and a refused batch stores nothing.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use deadpool_postgres::Pool;
use mpp_domain::protocol::Batch;
use serde_json::json;

use crate::ingest::{self, IngestError};

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// Every process's committed changes, from PostgreSQL's NOTIFY.
    pub changes: crate::events::Changes,
    /// Queue states already computed, dropped when their site changes (see `queue_cached`).
    pub queues: std::sync::Arc<crate::queue::Cache>,
    /// The displays' calls, cached the same way.
    pub calls: std::sync::Arc<crate::queue::Cache>,
    /// Each site's time zone, for its "today".
    pub zones: std::sync::Arc<crate::queue::Zones>,
    /// The lobby's voice (the built-in clips unless the site has its own).
    pub voice: std::sync::Arc<crate::voice::Voice>,
    /// `[calling]`: recall limit and gap.
    pub rules: mpp_domain::calling::Rules,
    /// `[alerts]`: when the fleet needs a person.
    pub alerts: crate::config::AlertsConfig,
}

impl AppState {
    pub fn new(pool: Pool, changes: crate::events::Changes) -> AppState {
        let queues = std::sync::Arc::new(crate::queue::Cache::default());
        let calls = std::sync::Arc::new(crate::queue::Cache::of_calls());
        // Every change of a site (from any process) drops its cached states.
        let (mut rx, q, c) = (changes.subscribe(), queues.clone(), calls.clone());
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(change) if change.site == crate::events::Change::EVERY_SITE => {
                        q.forget_all();
                        c.forget_all();
                    }
                    Ok(change) => {
                        q.forget(&change.site);
                        c.forget(&change.site);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        q.forget_all();
                        c.forget_all();
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        AppState {
            pool,
            changes,
            queues,
            calls,
            zones: Default::default(),
            rules: Default::default(),
            alerts: Default::default(),
            voice: std::sync::Arc::new(
                crate::voice::Voice::load(None).expect("the built-in clips are readable (a unit test checks)"),
            ),
        }
    }
}

impl AppState {
    pub fn with_rules(mut self, rules: mpp_domain::calling::Rules) -> AppState {
        self.rules = rules;
        self
    }

    pub fn with_alerts(mut self, alerts: crate::config::AlertsConfig) -> AppState {
        self.alerts = alerts;
        self
    }

    /// With the site's voice instead of the built-in one.
    pub fn with_voice(mut self, voice: crate::voice::Voice) -> AppState {
        self.voice = std::sync::Arc::new(voice);
        self
    }
}

/// Bounds the batches parsed and stored at once: each holds its records in memory, and
/// the pool's connections are the real limit anyway.
static INGESTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(8);

/// The server's routes, with the body limit for uploads.
pub fn router(state: AppState, max_body: usize) -> Router {
    Router::new()
        .route("/api/v1/upload", post(upload))
        .route("/api/v1/health", post(health_report))
        .route("/api/v1/sites/{site}/queue", get(queue_state))
        .route("/api/v1/sites/{site}/events", get(queue_events))
        .route("/api/v1/sites/{site}/tickets/{date}/{number}", get(ticket_place))
        .route("/api/v1/voice/call.wav", get(voice_call))
        .route("/api/v1/sites/{site}/calls", get(crate::counter_api::calls))
        .route("/api/v1/counter/state", get(crate::counter_api::counter_state))
        .route("/api/v1/counter/action", post(crate::counter_api::counter_action))
        .route("/counter", get(crate::pages::counter))
        .route("/counter/sign-in", post(crate::pages::sign_in))
        .route("/counter/choose", post(crate::pages::choose))
        .route("/counter/sign-out", post(crate::pages::sign_out))
        .route("/display/{site}", get(crate::pages::display))
        .route("/t/{ticket}", get(crate::status_page::status))
        .route("/report", get(crate::report_page::report))
        .route("/fleet", get(crate::fleet::fleet_page))
        .route("/report.csv", get(crate::report_page::csv))
        .route("/assets/{name}", get(crate::pages::asset))
        .route("/healthz", get(health))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(max_body, refuse_oversize))
        .with_state(state)
}

/// A body announced larger than the limit is refused at once (413), before a byte of it
/// is read; one sent without a length is cut off at the limit by `DefaultBodyLimit`.
async fn refuse_oversize(
    State(max): State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let announced = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than the {max}-byte limit ([server] max_body_bytes)"),
        );
    }
    next.run(request).await
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    match state.pool.get().await {
        Ok(client) => match client.query_one("SELECT 1", &[]).await {
            Ok(_) => (StatusCode::OK, "ok\n").into_response(),
            Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")),
        },
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")),
    }
}

/// `Authorization: Bearer <credential>`; the kiosk it names, or why not.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<ingest::KioskId, Response> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "no kiosk credential (Authorization: Bearer …)"))?;
    match crate::sites::authenticate(&state.pool, token).await {
        Ok(Some(kiosk)) => Ok(kiosk),
        // Never echo the credential, not even in the log.
        Ok(None) => Err(error(StatusCode::UNAUTHORIZED, "the kiosk credential is unknown or revoked")),
        Err(e) => {
            log::error!("authenticating a kiosk: {e}");
            Err(error(StatusCode::SERVICE_UNAVAILABLE, "the database is not available; try again"))
        }
    }
}

#[derive(serde::Deserialize)]
struct QueueQuery {
    /// The site's local day (default: today in the site's time zone).
    date: Option<jiff::civil::Date>,
}

/// The waiting tickets of a site's day, per service, in calling order. Numbers and
/// counts only: what the lobby display shows anyway.
async fn queue_state(
    State(state): State<AppState>,
    axum::extract::Path(site): axum::extract::Path<String>,
    query: Result<axum::extract::Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(axum::extract::Query(query)) = query else { return error(StatusCode::BAD_REQUEST, "date: use YYYY-MM-DD") };
    let date = match query.date {
        Some(d) => Some(d),
        None => match state.zones.today(&state.pool, &site, crate::clock::now()).await {
            Ok(d) => d,
            Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")),
        },
    };
    let Some(date) = date else { return error(StatusCode::NOT_FOUND, format!("no site {site:?} on this server")) };
    match state.queues.get_or_compute(&state.pool, &site, date, None).await {
        Ok(json) => ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")),
    }
}

/// One ticket's place in its line: the kiosk asks it for the slip and the done screen,
/// right after pushing the ticket. Only what the lobby display shows anyway.
async fn ticket_place(
    State(state): State<AppState>,
    axum::extract::Path((site, date, number)): axum::extract::Path<(String, String, String)>,
) -> Response {
    let Ok(date) = date.parse::<jiff::civil::Date>() else {
        return error(StatusCode::BAD_REQUEST, format!("date {date:?}: use YYYY-MM-DD"));
    };
    match crate::queue::place(&state.pool, &site, date, &number).await {
        Ok(Some(place)) => Json(place).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no ticket {number} of site {site:?} on {date}")),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")),
    }
}

#[derive(serde::Deserialize)]
struct CallQuery {
    number: String,
    counter: i32,
}

/// The call as the display plays it (`audio/wav`); what `mpp-hub voice say` writes.
async fn voice_call(
    State(state): State<AppState>,
    query: Result<axum::extract::Query<CallQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(axum::extract::Query(q)) = query else {
        return error(StatusCode::BAD_REQUEST, "use ?number=KTB-A007&counter=3");
    };
    match state.voice.say(&q.number, q.counter) {
        Ok(wav) => (
            [
                (axum::http::header::CONTENT_TYPE, "audio/wav"),
                (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            wav,
        )
            .into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// Server-Sent Events: the site's queue (as `GET …/queue` gives it) at once, then again
/// after every change, whichever server process made it. `event: queue`.
async fn queue_events(
    State(state): State<AppState>,
    axum::extract::Path(site): axum::extract::Path<String>,
    query: Result<axum::extract::Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let Ok(axum::extract::Query(query)) = query else { return error(StatusCode::BAD_REQUEST, "date: use YYYY-MM-DD") };
    let fixed_date = query.date;
    let changes = state.changes.subscribe();
    let first = match state.zones.today(&state.pool, &site, crate::clock::now()).await {
        Ok(Some(_)) => true,
        Ok(None) => return error(StatusCode::NOT_FOUND, format!("no site {site:?} on this server")),
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")),
    };
    let stream_of_events = futures_util::stream::unfold(
        (state, site, changes, first),
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
                None => state.zones.today(&state.pool, &site, crate::clock::now()).await,
            };
            // From the caches: a hundred displays woken by one change run one query each. The
            // queue's state, then the calls (the displays need nothing else).
            let events = match day {
                Ok(Some(date)) => {
                    let mut events = Vec::with_capacity(2);
                    for (name, cache) in [("queue", &state.queues), ("calls", &state.calls)] {
                        events.push(match cache.get_or_compute(&state.pool, &site, date, heard).await {
                            Ok(json) => Event::default().event(name).data(String::from_utf8_lossy(&json)),
                            Err(e) => Event::default().event("error").data(e.to_string()),
                        });
                    }
                    events
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
    Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))).into_response()
}

/// A kiosk's health after its sync round, kept per kiosk (the latest wins).
async fn health_report(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let kiosk = match authenticate(&state, &headers).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let report: mpp_domain::protocol::KioskHealth = match serde_path_to_error::deserialize(de) {
        Ok(h) => h,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("{}: {}", e.path(), e.inner())),
    };
    match ingest::store_health(&state.pool, &kiosk, &report).await {
        Ok(()) => (StatusCode::OK, Json(json!({}))).into_response(),
        Err(e @ (IngestError::OtherSite { .. } | IngestError::OtherKiosk { .. })) => {
            error(StatusCode::FORBIDDEN, e.to_string())
        }
        Err(e) => {
            log::error!("storing the health of {} kiosk {}: {e}", kiosk.site, kiosk.number);
            error(StatusCode::SERVICE_UNAVAILABLE, "the report could not be stored")
        }
    }
}

async fn upload(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let kiosk = match authenticate(&state, &headers).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let _permit = INGESTING.acquire().await.expect("the semaphore is never closed");
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let batch: Batch = match serde_path_to_error::deserialize(de) {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("{}: {}", e.path(), e.inner())),
    };
    match ingest::store(&state.pool, &kiosk, &batch).await {
        Ok(stored) => {
            log::info!(
                "{} kiosk {}: {} records stored, {} already had",
                kiosk.site,
                kiosk.number,
                stored.stored,
                stored.duplicates
            );
            (StatusCode::OK, Json(stored)).into_response()
        }
        Err(e @ (IngestError::OtherSite { .. } | IngestError::OtherKiosk { .. })) => {
            error(StatusCode::FORBIDDEN, e.to_string())
        }
        Err(IngestError::Invalid(e)) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(IngestError::Db(e)) => {
            log::error!("storing a batch of {} kiosk {}: {e}", kiosk.site, kiosk.number);
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the batch could not be stored; nothing of it was kept; send it again",
            )
        }
    }
}
