//! What the counter page reads and sends: the signed-in counter's state
//! (`GET /api/v1/counter/state`) and its actions (`POST /api/v1/counter/action`, each
//! checked against the session's CSRF token, then carried to `app::calling`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use mpp_domain::calling::{Action, Refused};
use serde_json::json;

use crate::app::calling::{Actor, CallError, Target};
use crate::web::auth::AtCounter;
use crate::web::error::{Form, WebError};
use crate::web::state::WebState;

use super::queue::today;

fn unavailable(context: &str, e: &crate::app::DbError) -> WebError {
    WebError::db(Form::Json, context, e)
}

/// The signed-in counter's current ticket and its lines.
pub async fn state(State(state): State<WebState>, at: AtCounter) -> Result<Json<serde_json::Value>, WebError> {
    let (site, counter) = (at.session.site.as_str(), at.counter);
    let date = today(&state, site).await?;
    let context = format!("counter {counter} at {site}");
    let info = state
        .app
        .site_info_cached(site)
        .await
        .map_err(|e| unavailable(&context, &e))?
        .ok_or_else(|| WebError::json(StatusCode::NOT_FOUND, "no such site"))?;
    let desk = state
        .app
        .counter_desk(site, counter, date)
        .await
        .map_err(|e| unavailable(&context, &e))?
        .ok_or_else(|| WebError::json(StatusCode::SERVICE_UNAVAILABLE, "the counter is gone"))?;
    let current = desk.now.serving.as_ref().map(|number| {
        let service = desk.now.service.clone().unwrap_or_default();
        json!({
            "number": number, "service_name": info.service_name(&service), "service": service,
            "state": desk.now.state.map(|s| s.code()), "recalls": desk.now.recalls, "since": desk.now.since,
        })
    });
    // Per service this counter serves: how many wait, how many with priority, the next
    // five — from the site's queue state, computed once per change for every page and
    // display (priority tickets come first in it, so the first `priority_waiting` of the
    // next numbers are the priority ones).
    let queue = state.app.queue_json(site, date, None).await.map_err(|e| unavailable(&context, &e))?;
    let queue: mpp_domain::queue::QueueState = serde_json::from_slice(&queue).expect("the cached state is ours");
    let lines: Vec<serde_json::Value> = desk
        .services
        .iter()
        .map(|code| {
            let line = queue.services.iter().find(|l| l.service == *code);
            let (waiting, priority) = line.map_or((0, 0), |l| (l.waiting, l.priority_waiting));
            let next: Vec<_> = line
                .map(|l| l.next.iter().enumerate().map(|(i, n)| json!({ "number": n, "priority": i < priority })).collect())
                .unwrap_or_default();
            json!({ "service": code, "name": info.service_name(code), "waiting": waiting, "priority_waiting": priority, "next": next })
        })
        .collect();
    Ok(Json(json!({ "counter": counter, "paused": desk.now.paused_reason, "current": current, "lines": lines })))
}

#[derive(serde::Deserialize)]
pub struct ActionRequest {
    action: String,
    /// The ticket's id (what a program that has it sends).
    ticket: Option<String>,
    number: Option<String>,
    service: Option<String>,
    #[serde(default)]
    front: bool,
    /// A transfer to one counter.
    counter: Option<i16>,
    reason: Option<String>,
}

/// One action at the signed-in counter. Needs the session's CSRF token in `X-CSRF-Token`.
pub async fn action(
    State(state): State<WebState>,
    at: AtCounter,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, WebError> {
    let csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    if csrf.is_empty() || csrf != at.session.csrf {
        return Err(WebError::json(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong: reload the page"));
    }
    let req: ActionRequest = serde_json::from_slice(&body)
        .map_err(|e| WebError::json(StatusCode::BAD_REQUEST, format!("the request: {e}")))?;
    let (site, counter) = (at.session.site.clone(), at.counter);
    let date = today(&state, &site).await?;
    let actor = Actor { site: site.clone(), username: at.session.username.clone(), role: at.session.role };
    let now = crate::clock::now();
    let number = req.number.as_deref().unwrap_or("");
    let app = &state.app;
    let result: Result<String, CallError> = match req.action.as_str() {
        "call_next" => app.call_next(&actor, counter, date, now).await.map(|c| match c {
            Some(c) => format!("{} dipanggil", c.number),
            None => "Tidak ada yang menunggu.".to_owned(),
        }),
        "pause" => {
            let reason = req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or("jeda");
            app.set_paused(&actor, counter, Some(reason), now).await.map(|()| "Loket dijeda.".to_owned())
        }
        "resume" => app.set_paused(&actor, counter, None, now).await.map(|()| "Loket dibuka lagi.".to_owned()),
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
                _ => return Err(WebError::json(StatusCode::BAD_REQUEST, format!("no action {other:?}"))),
            };
            // By the ticket's id when the caller has it; else by its number as the counter
            // sees it, or the ticket at the counter when no number is given.
            let target = match (&req.ticket, number) {
                (Some(id), _) => Target::Id(id.clone()),
                (None, "") => Target::AtCounter { number: None },
                (None, n) if matches!(action, Action::Call | Action::Requeue) => Target::Number(n.to_owned()),
                (None, n) => Target::AtCounter { number: Some(n.to_owned()) },
            };
            app.act_on(&actor, counter, date, &target, &action, req.reason.as_deref(), now)
                .await
                .map(|c| format!("{}: {}", c.number, c.state.code()))
        }
    };
    match result {
        Ok(message) => Ok(Json(json!({ "message": message }))),
        Err(CallError::Db(e)) => Err(unavailable(&format!("counter {counter} at {site}"), &e)),
        Err(CallError::Refused(e @ Refused::NotAllowed(_))) => {
            Err(WebError::json(StatusCode::FORBIDDEN, e.to_string()))
        }
        Err(CallError::Refused(e)) => Err(WebError::json(StatusCode::CONFLICT, e.to_string())),
    }
}
