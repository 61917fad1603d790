//! Calling at the counters, in PostgreSQL: the rules are `mpp_domain::calling`'s; this
//! module takes the rows, locks them, stores the result and the audit row (who, which
//! counter, why) and announces the change, all in one transaction.
//!
//! "Call next" locks the counter's row (one call at a time per counter), then takes the
//! first waiting ticket of the counter's services in calling order with `FOR UPDATE SKIP
//! LOCKED`: two counters calling at the same instant lock different rows, so they never
//! get the same ticket, and neither waits for the other.

use deadpool_postgres::Pool;
use mpp_domain::calling::{Action, CallState, Refused, Rules, Visit, apply};

use crate::db::DbError;
use crate::staff::Role;

/// Who acts: a signed-in staff member of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub site: String,
    pub username: String,
    pub role: Role,
}

/// A ticket after an action, as the counter page, the display and the voice need it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Called {
    pub number: String,
    pub service: String,
    pub state: CallState,
    pub counter: Option<i16>,
    pub recalls: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("counter {0} does not exist at this site")]
    NoCounter(i16),
    #[error("counter {counter} is paused ({reason}): resume it first")]
    Paused { counter: i16, reason: String },
    #[error("{number} is still at counter {counter}: finish it, transfer it or mark it a no-show first")]
    Busy { counter: i16, number: String },
    #[error("no ticket {number} on {date}")]
    NoTicket { number: String, date: jiff::civil::Date },
    #[error("no service {0} at this site")]
    NoService(String),
    #[error("only a supervisor or an admin may {0}")]
    NotAllowed(&'static str),
    #[error("give a reason to {0}")]
    NeedsReason(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for CallError {
    fn from(e: tokio_postgres::Error) -> Self {
        CallError::Db(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for CallError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        CallError::Db(e.into())
    }
}

/// The kiosk statuses in which a ticket can be called (not voided).
const CALLABLE: [&str; 4] = crate::queue::WAITING;

fn reason_of(reason: Option<&str>) -> Option<String> {
    reason.map(str::trim).filter(|r| !r.is_empty()).map(|r| r.chars().take(200).collect())
}

/// Locks the counter's row; its services, or why it cannot call.
async fn counter_for_update(
    tx: &tokio_postgres::Transaction<'_>,
    site: &str,
    counter: i16,
) -> Result<Vec<String>, CallError> {
    let row = tx
        .query_opt(
            "SELECT services, paused_reason FROM counter WHERE site = $1 AND number = $2 FOR UPDATE",
            &[&site, &counter],
        )
        .await?
        .ok_or(CallError::NoCounter(counter))?;
    if let Some(reason) = row.get::<_, Option<String>>(1) {
        return Err(CallError::Paused { counter, reason });
    }
    Ok(row.get(0))
}

/// What is still at this counter (called or being served) on `date`.
async fn at_counter(
    tx: &tokio_postgres::Transaction<'_>,
    site: &str,
    counter: i16,
    date: jiff::civil::Date,
) -> Result<Option<String>, CallError> {
    Ok(tx
        .query_opt(
            "SELECT number FROM ticket WHERE site = $1 AND counter = $2 AND local_date = $3::text::date AND call_state IN ('called', 'serving') LIMIT 1",
            &[&site, &counter, &date.to_string()],
        )
        .await?
        .map(|r| r.get(0)))
}

struct Row {
    id: String,
    visit: Visit,
    number: String,
}

fn row_of(r: &tokio_postgres::Row) -> Row {
    Row {
        id: r.get(0),
        number: r.get(1),
        visit: Visit {
            service: r.get(2),
            state: CallState::from_code(&r.get::<_, String>(3)).unwrap_or(CallState::Waiting),
            counter: r.get(4),
            recalls: u8::try_from(r.get::<_, i16>(5)).unwrap_or(u8::MAX),
            last_call_at: r.get::<_, Option<String>>(6).and_then(|t| t.parse().ok()),
            for_counter: r.get(7),
        },
    }
}

const COLUMNS: &str = "id, number, service, call_state, counter, recalls, to_char(last_call_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), for_counter";

/// Stores the visit after `action` and its audit row; announces the change.
async fn store(
    tx: &tokio_postgres::Transaction<'_>,
    actor: &Actor,
    counter: i16,
    row: &Row,
    action: &Action,
    next: &Visit,
    reason: Option<&str>,
    now: jiff::Timestamp,
) -> Result<Called, CallError> {
    let now_s = now.to_string();
    let queue_at: Option<String> = match action {
        // To the front of one counter: before the first ticket it would call.
        Action::Transfer { front: true, counter: Some(to), .. } => {
            let first: Option<String> = tx
                .query_one(
                    "SELECT to_char((min(t.queue_at) - interval '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
                     FROM ticket t, counter c
                     WHERE c.site = $1 AND c.number = $2 AND t.site = $1 AND t.call_state = 'waiting' AND t.id <> $3
                       AND t.local_date = (SELECT local_date FROM ticket WHERE id = $3)
                       AND ((t.service = ANY(c.services) AND t.for_counter IS NULL) OR t.for_counter = $2)",
                    &[&actor.site, to, &row.id],
                )
                .await?
                .get(0);
            Some(first.unwrap_or_else(|| now_s.clone()))
        }
        // To the front: just before the first waiting ticket of the new service; to the back: now.
        Action::Transfer { service, front: true, .. } => {
            let first: Option<String> = tx
                .query_one(
                    "SELECT to_char((min(queue_at) - interval '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
                     FROM ticket WHERE site = $1 AND service = $2 AND call_state = 'waiting' AND local_date = (SELECT local_date FROM ticket WHERE id = $3)",
                    &[&actor.site, service, &row.id],
                )
                .await?
                .get(0);
            Some(first.unwrap_or_else(|| now_s.clone()))
        }
        Action::Transfer { front: false, .. } | Action::Requeue => Some(now_s.clone()),
        _ => None,
    };
    tx.execute(
        "UPDATE ticket SET call_state = $2, counter = $3, recalls = $4, last_call_at = $5::text::timestamptz, service = $6,
                           queue_at = coalesce($7::text::timestamptz, queue_at), for_counter = $8
         WHERE id = $1",
        &[&row.id, &next.state.code(), &next.counter, &i16::from(next.recalls), &next.last_call_at.map(|t| t.to_string()), &next.service, &queue_at, &next.for_counter],
    )
    .await?;
    tx.execute(
        "INSERT INTO call_event (site, ticket, number, action, counter, staff, reason, service, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::timestamptz)",
        &[&actor.site, &row.id, &row.number, &action.code(), &counter, &actor.username, &reason, &next.service, &now_s],
    )
    .await?;
    crate::events::announce(tx, &actor.site).await?;
    Ok(Called {
        number: row.number.clone(),
        service: next.service.clone(),
        state: next.state,
        counter: next.counter,
        recalls: next.recalls,
    })
}

/// Calls the next ticket to `counter`: the counter's services, priority class first, then
/// the earliest in line across every kiosk. `Ok(None)`: nobody waits.
pub async fn call_next(
    pool: &Pool,
    actor: &Actor,
    counter: i16,
    date: jiff::civil::Date,
    rules: &Rules,
    now: jiff::Timestamp,
) -> Result<Option<Called>, CallError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let services = counter_for_update(&tx, &actor.site, counter).await?;
    if let Some(number) = at_counter(&tx, &actor.site, counter, date).await? {
        return Err(CallError::Busy { counter, number });
    }
    let Some(r) = tx
        .query_opt(
            &format!(
                "SELECT {COLUMNS} FROM ticket
                 WHERE site = $1 AND local_date = $2::text::date AND call_state = 'waiting' AND status = ANY($4)
                   AND ((service = ANY($3) AND for_counter IS NULL) OR for_counter = $5)
                 ORDER BY (priority IS NULL), queue_at, number LIMIT 1 FOR UPDATE SKIP LOCKED"
            ),
            &[&actor.site, &date.to_string(), &services, &CALLABLE.as_slice(), &counter],
        )
        .await?
    else {
        return Ok(None);
    };
    let row = row_of(&r);
    let next = apply(&row.visit, &Action::Call, counter, rules, now)?;
    let called = store(&tx, actor, counter, &row, &Action::Call, &next, None, now).await?;
    tx.commit().await?;
    Ok(Some(called))
}

/// An action on one ticket (by its number on `date`) at `counter`. Calling a number out
/// of order needs a supervisor or an admin and a reason; a transfer, a reason too.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    pool: &Pool,
    actor: &Actor,
    counter: i16,
    date: jiff::civil::Date,
    number: &str,
    action: &Action,
    reason: Option<&str>,
    rules: &Rules,
    now: jiff::Timestamp,
) -> Result<Called, CallError> {
    let reason = reason_of(reason);
    if matches!(action, Action::Call) {
        if actor.role == Role::Counter {
            return Err(CallError::NotAllowed("call a number out of order"));
        }
        if reason.is_none() {
            return Err(CallError::NeedsReason("call a number out of order"));
        }
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    if matches!(action, Action::Call) {
        counter_for_update(&tx, &actor.site, counter).await?;
        if let Some(number) = at_counter(&tx, &actor.site, counter, date).await? {
            return Err(CallError::Busy { counter, number });
        }
    }
    if let Action::Transfer { counter: Some(to), .. } = action {
        let known: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM counter WHERE site = $1 AND number = $2)", &[&actor.site, to])
            .await?
            .get(0);
        if !known {
            return Err(CallError::NoCounter(*to));
        }
    }
    if let Action::Transfer { service, .. } = action {
        let known: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM site WHERE code = $1 AND feed->'services' @> jsonb_build_array(jsonb_build_object('code', $2::text)))", &[&actor.site, service])
            .await?
            .get(0);
        if !known {
            return Err(CallError::NoService(service.clone()));
        }
    }
    let r = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM ticket WHERE site = $1 AND local_date = $2::text::date AND number = $3 AND status = ANY($4) FOR UPDATE"),
            &[&actor.site, &date.to_string(), &number, &CALLABLE.as_slice()],
        )
        .await?
        .ok_or_else(|| CallError::NoTicket { number: number.to_owned(), date })?;
    let row = row_of(&r);
    let next = apply(&row.visit, action, counter, rules, now)?;
    let called = store(&tx, actor, counter, &row, action, &next, reason.as_deref(), now).await?;
    tx.commit().await?;
    Ok(called)
}

/// Pauses `counter` with a reason, or resumes it (`None`); recorded like every action.
pub async fn set_paused(
    pool: &Pool,
    actor: &Actor,
    counter: i16,
    reason: Option<&str>,
    now: jiff::Timestamp,
) -> Result<(), CallError> {
    let reason = reason_of(reason);
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let n = tx
        .execute(
            "UPDATE counter SET paused_reason = $3, state_at = $4::text::timestamptz WHERE site = $1 AND number = $2",
            &[&actor.site, &counter, &reason, &now.to_string()],
        )
        .await?;
    if n == 0 {
        return Err(CallError::NoCounter(counter));
    }
    let action = if reason.is_some() { "pause" } else { "resume" };
    tx.execute(
        "INSERT INTO call_event (site, action, counter, staff, reason, at) VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz)",
        &[&actor.site, &action, &counter, &actor.username, &reason, &now.to_string()],
    )
    .await?;
    crate::events::announce(&tx, &actor.site).await?;
    tx.commit().await?;
    Ok(())
}
