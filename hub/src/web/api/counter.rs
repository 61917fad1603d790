//! What the counter page reads and sends: the signed-in counter's state
//! (`GET /api/v1/counter/state`) and its actions (`POST /api/v1/counter/action`, each
//! checked against the session's CSRF token, then carried to `app::calling`). Every word
//! for the clerk is in Indonesian unless the page asks for English (`lang=en`).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use mpp_domain::calling::{Action, Refused};
use mpp_domain::text::Lang;
use serde_json::json;

use crate::app::calling::{Actor, CallError, Target};
use crate::web::auth::AtCounter;
use crate::web::error::{Form, WebError};
use crate::web::state::WebState;

use super::queue::today;

fn unavailable(context: &str, e: &crate::app::DbError) -> WebError {
    WebError::db(Form::Json, context, e)
}

/// Indonesian, or English when asked for.
fn say(lang: Lang, id: &str, en: &str) -> String {
    if lang == Lang::En { en.to_owned() } else { id.to_owned() }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StateParams {
    lang: Option<String>,
}

fn lang_of(code: Option<&str>) -> Lang {
    code.and_then(|c| c.parse().ok()).unwrap_or(Lang::Id)
}

/// The signed-in counter's current ticket, what may be done to it now (and why not),
/// its lines and today's no-shows, with the server's clock.
pub async fn state(
    State(state): State<WebState>,
    at: AtCounter,
    params: Query<StateParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let lang = lang_of(params.lang.as_deref());
    let (site, counter) = (at.session.site.as_str(), at.counter);
    let date = today(&state, site).await?;
    let context = format!("counter {counter} at {site}");
    let info = state
        .app
        .site_info_cached(site)
        .await
        .map_err(|e| unavailable(&context, &e))?
        .ok_or_else(|| WebError::json(StatusCode::NOT_FOUND, "no such site"))?;
    let desk =
        state.app.counter_desk(site, counter, date).await.map_err(|e| unavailable(&context, &e))?.ok_or_else(|| {
            WebError::json(
                StatusCode::SERVICE_UNAVAILABLE,
                say(lang, "Loket ini sudah dihapus.", "This counter is gone."),
            )
        })?;
    let now = crate::clock::now();
    let (refusals, recall_at) = crate::app::calling::desk_refusals(&desk.now, counter, &state.app.rules, now);
    let current = desk.now.serving.as_ref().map(|number| {
        let service = desk.now.service.clone().unwrap_or_default();
        let priority = desk.now.priority.as_deref().and_then(mpp_domain::tickets::Priority::from_code);
        json!({
            "ticket": desk.now.ticket_id, "number": number, "service_name": info.service_name(&service), "service": service,
            "state": desk.now.state.map(|s| s.code()), "state_words": desk.now.state.map(|s| s.words(lang)),
            "recalls": desk.now.recalls, "since": desk.now.since,
            "priority": priority.map(|p| p.code()), "priority_words": priority.map(|p| p.label(lang)),
            "booked_slot": desk.now.booked_slot.as_ref().map(|s| s.replace(':', ".")),
        })
    });
    let refusals: serde_json::Map<String, serde_json::Value> =
        refusals.into_iter().map(|(code, r)| (code.to_owned(), json!(r.map(|r| r.says(lang))))).collect();
    // Calling next needs a free, open counter: the same refusals the action would give.
    let call_next = match (&desk.now.paused_reason, &desk.now.serving) {
        (Some(reason), _) => Some(Refused::Paused { counter, reason: reason.clone() }.says(lang)),
        (None, Some(number)) => Some(Refused::Busy { counter, number: number.clone() }.says(lang)),
        (None, None) => None,
    };
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
    let no_shows: Vec<serde_json::Value> = desk
        .no_shows
        .iter()
        .map(|m| json!({ "ticket": m.id, "number": m.number, "service_name": info.service_name(&m.service), "at": m.at }))
        .collect();
    Ok(Json(json!({
        "counter": counter, "paused": desk.now.paused_reason, "current": current, "refusals": refusals,
        "recall_at": recall_at, "call_next": call_next, "lines": lines, "no_shows": no_shows,
        "server_now": now.as_millisecond(),
    })))
}

#[derive(serde::Deserialize)]
pub struct ActionRequest {
    action: String,
    /// The ticket's id (the page has it: a number given twice cannot confuse it).
    ticket: Option<String>,
    number: Option<String>,
    service: Option<String>,
    #[serde(default)]
    front: bool,
    /// A transfer to one counter.
    counter: Option<i16>,
    reason: Option<String>,
    /// The clerk's language for the answer ("id" unless "en").
    lang: Option<String>,
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
        return Err(WebError::json(
            StatusCode::FORBIDDEN,
            "Halaman ini kedaluwarsa: muat ulang (F5). · This page is out of date: reload it (F5).",
        ));
    }
    let req: ActionRequest = serde_json::from_slice(&body)
        .map_err(|e| WebError::json(StatusCode::BAD_REQUEST, format!("the request: {e}")))?;
    let lang = lang_of(req.lang.as_deref());
    let (site, counter) = (at.session.site.clone(), at.counter);
    let date = today(&state, &site).await?;
    let actor = Actor { site: site.clone(), username: at.session.username.clone(), role: at.session.role };
    let now = crate::clock::now();
    let number = req.number.as_deref().unwrap_or("");
    let app = &state.app;
    let nobody = || say(lang, "Tidak ada yang menunggu.", "Nobody is waiting.");
    // By the ticket's id when the caller has it; else by its number as the counter sees
    // it, or the ticket at the counter when no number is given.
    let target = |action: &Action| match (&req.ticket, number) {
        (Some(id), _) => Target::Id(id.clone()),
        (None, "") => Target::AtCounter { number: None },
        (None, n) if matches!(action, Action::Call | Action::Requeue) => Target::Number(n.to_owned()),
        (None, n) => Target::AtCounter { number: Some(n.to_owned()) },
    };
    let result: Result<String, CallError> = match req.action.as_str() {
        "call_next" => app.call_next(&actor, counter, date, now).await.map(|c| match c {
            Some(c) => mpp_domain::calling::done(&Action::Call, &c.number, counter, 0, lang),
            None => nobody(),
        }),
        "finish_and_call_next" => {
            app.finish_and_call_next(&actor, counter, date, &target(&Action::Finish), now).await.map(|(done, next)| {
                let first = mpp_domain::calling::done(&Action::Finish, &done.number, counter, 0, lang);
                match next {
                    Some(c) => {
                        format!("{first} {}", mpp_domain::calling::done(&Action::Call, &c.number, counter, 0, lang))
                    }
                    None => format!("{first} {}", nobody()),
                }
            })
        }
        "pause" => {
            let reason = req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or("jeda");
            app.set_paused(&actor, counter, Some(reason), now)
                .await
                .map(|()| say(lang, &format!("Loket dijeda: {reason}."), &format!("Counter paused: {reason}.")))
        }
        "resume" => app
            .set_paused(&actor, counter, None, now)
            .await
            .map(|()| say(lang, "Loket dibuka lagi.", "Counter open again.")),
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
            app.act_on(&actor, counter, date, &target(&action), &action, req.reason.as_deref(), now)
                .await
                .map(|c| mpp_domain::calling::done(&action, &c.number, counter, c.recalls, lang))
        }
    };
    match result {
        Ok(message) => Ok(Json(json!({ "message": message }))),
        Err(CallError::Db(e)) => Err(unavailable(&format!("counter {counter} at {site}"), &e)),
        Err(CallError::Refused(e @ Refused::NotAllowed(_))) => Err(WebError::json(StatusCode::FORBIDDEN, e.says(lang))),
        Err(CallError::Refused(e)) => Err(WebError::json(StatusCode::CONFLICT, e.says(lang))),
    }
}
