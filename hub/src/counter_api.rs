//! What the pages read and send: the signed-in counter's state and its actions (each
//! checked against the session's CSRF token, then carried to `calling`), and a site's
//! calls for the lobby display.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use deadpool_postgres::Pool;
use mpp_domain::calling::Action;
use serde_json::json;

use crate::calling::{self, Actor, CallError};
use crate::db::DbError;
use crate::http::AppState;

/// A site as its pages show it.
pub struct SiteInfo {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    /// (code, name in Indonesian), in the catalogue's order.
    pub services: Vec<(String, String)>,
    /// (number, name, services).
    pub counters: Vec<(i16, String, Vec<String>)>,
    pub notices: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    #[error("no such site")]
    NoSite,
    #[error("the stored catalogue does not read: {0}")]
    Feed(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for InfoError {
    fn from(e: tokio_postgres::Error) -> Self {
        InfoError::Db(e.into())
    }
}

/// [`site_info`], read at most every 30 s per site: every counter page reads it on every
/// change of the queue, and the catalogue and counters change rarely.
pub async fn site_info_cached(pool: &Pool, site: &str) -> Result<std::sync::Arc<SiteInfo>, InfoError> {
    type Cache = std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, std::sync::Arc<SiteInfo>)>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, info)) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(site)
        .filter(|(at, _)| at.elapsed() < std::time::Duration::from_secs(30))
    {
        return Ok(info.clone());
    }
    let info = std::sync::Arc::new(site_info(pool, site).await?);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() > 1000 {
        cache.clear();
    }
    cache.insert(site.to_owned(), (std::time::Instant::now(), info.clone()));
    Ok(info)
}

pub async fn site_info(pool: &Pool, site: &str) -> Result<SiteInfo, InfoError> {
    let client = pool.get().await.map_err(DbError::from)?;
    let row = client.query_opt("SELECT feed FROM site WHERE code = $1", &[&site]).await?.ok_or(InfoError::NoSite)?;
    let feed: mpp_domain::catalogue::Feed =
        serde_json::from_value(row.get(0)).map_err(|e| InfoError::Feed(e.to_string()))?;
    let counters =
        client.query("SELECT number, name, services FROM counter WHERE site = $1 ORDER BY number", &[&site]).await?;
    let lang = mpp_domain::text::Lang::Id;
    Ok(SiteInfo {
        code: feed.site.code.clone(),
        name: feed.site.name.in_lang(lang).to_owned(),
        time_zone: feed.site.time_zone.clone(),
        services: feed
            .services
            .iter()
            .filter(|s| s.active)
            .map(|s| (s.code.clone(), s.name.in_lang(lang).to_owned()))
            .collect(),
        counters: counters.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect(),
        notices: feed.site.notices.iter().map(|n| n.text.in_lang(lang).to_owned()).collect(),
    })
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// The site's local day now.
async fn today(state: &AppState, site: &str) -> Result<jiff::civil::Date, Response> {
    match state.zones.today(&state.pool, site, crate::clock::now()).await {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(error(StatusCode::NOT_FOUND, "no such site")),
        Err(e) => Err(error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}"))),
    }
}

/// `GET /api/v1/counter/state`: the signed-in counter's current ticket and its lines.
pub async fn counter_state(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some((_, s)) = crate::pages::current(&state, &headers).await else {
        return error(StatusCode::UNAUTHORIZED, "sign in first");
    };
    let Some(counter) = s.counter else { return error(StatusCode::CONFLICT, "choose a counter first") };
    let date = match today(&state, &s.site).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let run = async {
        let info = site_info_cached(&state.pool, &s.site).await.map_err(|e| e.to_string())?;
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        let (services, paused): (Vec<String>, Option<String>) = client
            .query_opt(
                "SELECT services, paused_reason FROM counter WHERE site = $1 AND number = $2",
                &[&s.site, &counter],
            )
            .await
            .map_err(|e| e.to_string())?
            .map(|r| (r.get(0), r.get(1)))
            .ok_or("the counter is gone")?;
        let current = client
            .query_opt(
                "SELECT t.number, t.service, t.call_state, t.recalls,
                        to_char(coalesce((SELECT max(at) FROM call_event e WHERE e.ticket = t.id AND e.action = 'start' AND t.call_state = 'serving'), t.last_call_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                 FROM ticket t WHERE t.site = $1 AND t.counter = $2 AND t.local_date = $3::text::date AND t.call_state IN ('called', 'serving') LIMIT 1",
                &[&s.site, &counter, &date.to_string()],
            )
            .await
            .map_err(|e| e.to_string())?;
        let name_of =
            |code: &str| info.services.iter().find(|(c, _)| c == code).map_or(code.to_owned(), |(_, n)| n.clone());
        let current = current.map(|r| {
            let service: String = r.get(1);
            json!({ "number": r.get::<_, String>(0), "service": service, "service_name": name_of(&service), "state": r.get::<_, String>(2), "recalls": r.get::<_, i16>(3), "since": r.get::<_, Option<String>>(4) })
        });
        // Per service this counter serves: how many wait, how many with priority, the next
        // five — from the site's queue state, computed once per change for every page and
        // display (priority tickets come first in it, so the first `priority_waiting` of
        // the next numbers are the priority ones).
        let queue = state.queues.get_or_compute(&state.pool, &s.site, date, None).await.map_err(|e| e.to_string())?;
        let queue: mpp_domain::queue::QueueState = serde_json::from_slice(&queue).map_err(|e| e.to_string())?;
        let lines: Vec<serde_json::Value> = services
            .iter()
            .map(|code| {
                let line = queue.services.iter().find(|l| l.service == *code);
                let (waiting, priority) = line.map_or((0, 0), |l| (l.waiting, l.priority_waiting));
                let next: Vec<_> = line.map(|l| l.next.iter().enumerate().map(|(i, n)| json!({ "number": n, "priority": i < priority })).collect()).unwrap_or_default();
                json!({ "service": code, "name": name_of(code), "waiting": waiting, "priority_waiting": priority, "next": next })
            })
            .collect();
        Ok::<_, String>(json!({ "counter": counter, "paused": paused, "current": current, "lines": lines }))
    };
    match run.await {
        Ok(v) => Json(v).into_response(),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e),
    }
}

#[derive(serde::Deserialize)]
pub struct ActionRequest {
    action: String,
    number: Option<String>,
    service: Option<String>,
    #[serde(default)]
    front: bool,
    /// A transfer to one counter.
    counter: Option<i16>,
    reason: Option<String>,
}

/// `POST /api/v1/counter/action`: one action at the signed-in counter. Needs the session
/// and its CSRF token in `X-CSRF-Token`.
pub async fn counter_action(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let Some((_, s)) = crate::pages::current(&state, &headers).await else {
        return error(StatusCode::UNAUTHORIZED, "sign in first");
    };
    let csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    if csrf.is_empty() || csrf != s.csrf {
        return error(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong: reload the page");
    }
    let Some(counter) = s.counter else { return error(StatusCode::CONFLICT, "choose a counter first") };
    let req: ActionRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("the request: {e}")),
    };
    let date = match today(&state, &s.site).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let actor = Actor { site: s.site.clone(), username: s.username.clone(), role: s.role };
    let rules = state.rules;
    let now = crate::clock::now();
    let number = req.number.as_deref().unwrap_or("");
    let result: Result<String, CallError> = match req.action.as_str() {
        "call_next" => calling::call_next(&state.pool, &actor, counter, date, &rules, now).await.map(|c| match c {
            Some(c) => format!("{} dipanggil", c.number),
            None => "Tidak ada yang menunggu.".to_owned(),
        }),
        "pause" => {
            let reason = req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or("jeda");
            calling::set_paused(&state.pool, &actor, counter, Some(reason), now)
                .await
                .map(|()| "Loket dijeda.".to_owned())
        }
        "resume" => {
            calling::set_paused(&state.pool, &actor, counter, None, now).await.map(|()| "Loket dibuka lagi.".to_owned())
        }
        other => {
            let action = match other {
                "call" => Action::Call,
                "recall" => Action::Recall,
                "start" => Action::Start,
                "finish" => Action::Finish,
                "no_show" => Action::NoShow,
                "requeue" => Action::Requeue,
                "transfer" => Action::Transfer {
                    service: req.service.clone().unwrap_or_default(),
                    front: req.front,
                    counter: req.counter,
                },
                _ => return error(StatusCode::BAD_REQUEST, format!("no action {other:?}")),
            };
            calling::act(&state.pool, &actor, counter, date, number, &action, req.reason.as_deref(), &rules, now)
                .await
                .map(|c| format!("{}: {}", c.number, c.state.code()))
        }
    };
    match result {
        Ok(message) => Json(json!({ "message": message })).into_response(),
        Err(CallError::Db(e)) => {
            log::error!("counter {counter} at {}: {e}", s.site);
            error(StatusCode::SERVICE_UNAVAILABLE, "the database is not available; try again")
        }
        Err(e @ CallError::NotAllowed(_)) => error(StatusCode::FORBIDDEN, e.to_string()),
        Err(e) => error(StatusCode::CONFLICT, e.to_string()),
    }
}

/// `GET /api/v1/sites/{site}/calls`: what the lobby display shows: each counter with the
/// number at it (or paused), and the last calls (call and recall, newest first; a recall
/// is a new entry, so the display speaks it again).
pub async fn calls(State(state): State<AppState>, Path(site): Path<String>) -> Response {
    let date = match today(&state, &site).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match state.calls.get_or_compute(&state.pool, &site, date, None).await {
        Ok(json) => ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")),
    }
}
