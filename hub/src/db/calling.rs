//! Calling at the counters, in PostgreSQL: each action locks its rows, asks the caller's
//! rule (`decide`, `mpp_domain::calling::apply`) what the ticket becomes, stores that with
//! its audit row (`call_event`: who, which counter, why) and announces the change, all in
//! one transaction.
//!
//! "Call next" locks the counter's row (one call at a time per counter), then takes the
//! first waiting ticket of the counter's services in calling order with `FOR UPDATE SKIP
//! LOCKED`: two counters calling at the same instant lock different rows, so they never
//! get the same ticket, and neither waits for the other.
//!
//! The answer is `Ok(Err(refused))` when the site's state refuses the action (a paused
//! counter, a citizen still at it, no such ticket): nothing is written then.

use mpp_domain::calling::{Action, CallState, Refused, Visit};

use super::{Day, Db, DbError, Ts, events};

/// Who acts: a signed-in staff member's site and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub site: String,
    pub username: String,
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

/// The kiosk statuses in which a ticket waits and can be called (not voided).
pub const CALLABLE: [&str; 4] = ["issued", "printed", "reprinted", "print_failed"];

/// A decision about a ticket's visit: `mpp_domain::calling::apply` with the action's
/// counter, rules and time.
pub trait Decide: FnOnce(&Visit) -> Result<Visit, Refused> + Send {}
impl<F: FnOnce(&Visit) -> Result<Visit, Refused> + Send> Decide for F {}

struct Row {
    id: String,
    number: String,
    visit: Visit,
}

const COLUMNS: &str = "id, number, service, call_state, counter, recalls, last_call_at, for_counter";

fn row_of(r: &tokio_postgres::Row) -> Result<Row, DbError> {
    let id: String = r.try_get("id")?;
    let state: String = r.try_get("call_state")?;
    let state =
        CallState::from_code(&state).ok_or_else(|| DbError::row("ticket", &id, format!("call_state {state:?}")))?;
    let recalls: i16 = r.try_get("recalls")?;
    Ok(Row {
        number: r.try_get("number")?,
        visit: Visit {
            service: r.try_get("service")?,
            state,
            counter: r.try_get("counter")?,
            recalls: u8::try_from(recalls).map_err(|_| DbError::row("ticket", &id, format!("recalls {recalls}")))?,
            last_call_at: r.try_get::<_, Option<Ts>>("last_call_at")?.map(|t| t.0),
            for_counter: r.try_get("for_counter")?,
        },
        id,
    })
}

/// Locks the counter's row; its services, or why it cannot call.
async fn counter_for_update(
    tx: &tokio_postgres::Transaction<'_>,
    site: &str,
    counter: i16,
) -> Result<Result<Vec<String>, Refused>, DbError> {
    let Some(row) = tx
        .query_opt(
            "SELECT services, paused_reason FROM counter WHERE site = $1 AND number = $2 FOR UPDATE",
            &[&site, &counter],
        )
        .await?
    else {
        return Ok(Err(Refused::NoCounter(counter)));
    };
    if let Some(reason) = row.try_get::<_, Option<String>>("paused_reason")? {
        return Ok(Err(Refused::Paused { counter, reason }));
    }
    Ok(Ok(row.try_get("services")?))
}

/// What is still at this counter (called or being served) on `date`.
async fn at_counter(
    tx: &tokio_postgres::Transaction<'_>,
    site: &str,
    counter: i16,
    date: jiff::civil::Date,
) -> Result<Option<String>, DbError> {
    let row = tx
        .query_opt(
            "SELECT number FROM ticket
             WHERE site = $1 AND counter = $2 AND local_date = $3 AND call_state IN ('called', 'serving') LIMIT 1",
            &[&site, &counter, &Day(date)],
        )
        .await?;
    Ok(row.map(|r| r.try_get("number")).transpose()?)
}

/// Stores the visit after `action` and its audit row; announces the change.
#[allow(clippy::too_many_arguments)]
async fn store(
    tx: &tokio_postgres::Transaction<'_>,
    actor: &Actor,
    counter: i16,
    row: &Row,
    action: &Action,
    next: &Visit,
    reason: Option<&str>,
    now: jiff::Timestamp,
) -> Result<Called, DbError> {
    let queue_at: Option<Ts> = match action {
        // To the front of one counter: before the first ticket it would call.
        Action::Transfer { front: true, counter: Some(to), .. } => {
            let first: Option<Ts> = tx
                .query_one(
                    "SELECT min(t.queue_at) - interval '1 millisecond' AS first
                     FROM ticket t, counter c
                     WHERE c.site = $1 AND c.number = $2 AND t.site = $1 AND t.call_state = 'waiting' AND t.id <> $3
                       AND t.local_date = (SELECT local_date FROM ticket WHERE id = $3)
                       AND ((t.service = ANY(c.services) AND t.for_counter IS NULL) OR t.for_counter = $2)",
                    &[&actor.site, to, &row.id],
                )
                .await?
                .try_get("first")?;
            Some(first.unwrap_or(Ts(now)))
        }
        // To the front: just before the first waiting ticket of the new service; to the back: now.
        Action::Transfer { service, front: true, .. } => {
            let first: Option<Ts> = tx
                .query_one(
                    "SELECT min(queue_at) - interval '1 millisecond' AS first
                     FROM ticket WHERE site = $1 AND service = $2 AND call_state = 'waiting'
                       AND local_date = (SELECT local_date FROM ticket WHERE id = $3)",
                    &[&actor.site, service, &row.id],
                )
                .await?
                .try_get("first")?;
            Some(first.unwrap_or(Ts(now)))
        }
        Action::Transfer { front: false, .. } | Action::Requeue => Some(Ts(now)),
        _ => None,
    };
    tx.execute(
        "UPDATE ticket SET call_state = $2, counter = $3, recalls = $4, last_call_at = $5, service = $6,
                           queue_at = coalesce($7, queue_at), for_counter = $8
         WHERE id = $1",
        &[
            &row.id,
            &next.state.code(),
            &next.counter,
            &i16::from(next.recalls),
            &next.last_call_at.map(Ts),
            &next.service,
            &queue_at,
            &next.for_counter,
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO call_event (site, ticket, number, action, counter, staff, reason, service, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &actor.site,
            &row.id,
            &row.number,
            &action.code(),
            &counter,
            &actor.username,
            &reason,
            &next.service,
            &Ts(now),
        ],
    )
    .await?;
    events::announce(tx, &actor.site).await?;
    Ok(Called {
        number: row.number.clone(),
        service: next.service.clone(),
        state: next.state,
        counter: next.counter,
        recalls: next.recalls,
    })
}

/// Calls the next ticket to `counter`: the counter's services, priority class first, then
/// the earliest in line across every kiosk. `Ok(Ok(None))`: nobody waits.
pub async fn call_next(
    db: &Db,
    actor: &Actor,
    counter: i16,
    date: jiff::civil::Date,
    decide: impl Decide,
    now: jiff::Timestamp,
) -> Result<Result<Option<Called>, Refused>, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let services = match counter_for_update(&tx, &actor.site, counter).await? {
        Ok(s) => s,
        Err(refused) => return Ok(Err(refused)),
    };
    if let Some(number) = at_counter(&tx, &actor.site, counter, date).await? {
        return Ok(Err(Refused::Busy { counter, number }));
    }
    let Some(r) = tx
        .query_opt(
            &format!(
                "SELECT {COLUMNS} FROM ticket
                 WHERE site = $1 AND local_date = $2 AND call_state = 'waiting' AND status = ANY($4)
                   AND ((service = ANY($3) AND for_counter IS NULL) OR for_counter = $5)
                 ORDER BY (priority IS NULL), queue_at, number LIMIT 1 FOR UPDATE SKIP LOCKED"
            ),
            &[&actor.site, &Day(date), &services, &CALLABLE.as_slice(), &counter],
        )
        .await?
    else {
        return Ok(Ok(None));
    };
    let row = row_of(&r)?;
    let next = match decide(&row.visit) {
        Ok(next) => next,
        Err(refused) => return Ok(Err(refused)),
    };
    let called = store(&tx, actor, counter, &row, &Action::Call, &next, None, now).await?;
    tx.commit().await?;
    Ok(Ok(Some(called)))
}

/// Which ticket an action is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The ticket at this counter (called or being served); when a number is given, the
    /// one with that number (the page's view), else that number wherever it is.
    AtCounter { number: Option<String> },
    /// The ticket with this id (the kiosk's, unique).
    Id(String),
    /// The ticket with this number today: for calling out of order (a waiting one) and
    /// back in line (a no-show one). Two such tickets (a kiosk that lost its ledger gave
    /// the number again) are refused as ambiguous, never guessed.
    Number(String),
}

/// The row `target` names, locked, or why there is none.
async fn find(
    tx: &tokio_postgres::Transaction<'_>,
    site: &str,
    counter: i16,
    date: jiff::civil::Date,
    target: &Target,
    action: &Action,
) -> Result<Result<Row, Refused>, DbError> {
    let callable = CALLABLE.as_slice();
    let rows = match target {
        Target::Id(id) => {
            tx.query(
                &format!("SELECT {COLUMNS} FROM ticket WHERE site = $1 AND id = $2 AND status = ANY($3) FOR UPDATE"),
                &[&site, id, &callable],
            )
            .await?
        }
        Target::AtCounter { number } => {
            let here = tx
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM ticket
                         WHERE site = $1 AND counter = $2 AND local_date = $3 AND call_state IN ('called', 'serving')
                           AND status = ANY($4) AND ($5::text IS NULL OR number = $5)
                         ORDER BY last_call_at DESC LIMIT 1 FOR UPDATE"
                    ),
                    &[&site, &counter, &Day(date), &callable, number],
                )
                .await?;
            match (here.is_empty(), number) {
                (false, _) => here,
                // Not here: that number wherever it is (the rules then say why not).
                (true, Some(n)) => {
                    return Box::pin(find(tx, site, counter, date, &Target::Number(n.clone()), action)).await;
                }
                (true, None) => {
                    return Ok(Err(Refused::NoTicket { number: format!("at counter {counter}"), date }));
                }
            }
        }
        Target::Number(number) => {
            let all = tx
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM ticket WHERE site = $1 AND local_date = $2 AND number = $3 AND status = ANY($4)
                         ORDER BY queue_at FOR UPDATE"
                    ),
                    &[&site, &Day(date), number, &callable],
                )
                .await?;
            // Of a number given twice, the one this action can be for.
            let fits = |r: &tokio_postgres::Row| {
                let state: String = r.try_get("call_state").unwrap_or_default();
                match action {
                    Action::Call => state == "waiting",
                    Action::Requeue => state == "no_show",
                    _ => true,
                }
            };
            match all.len() {
                0 | 1 => all,
                _ => {
                    let fitting: Vec<_> = all.into_iter().filter(fits).collect();
                    if fitting.len() > 1 {
                        return Ok(Err(Refused::Ambiguous { number: number.clone() }));
                    }
                    fitting
                }
            }
        }
    };
    match rows.first() {
        Some(r) => Ok(Ok(row_of(r)?)),
        None => {
            let number = match target {
                Target::Id(id) => id.clone(),
                Target::Number(n) | Target::AtCounter { number: Some(n) } => n.clone(),
                Target::AtCounter { number: None } => format!("at counter {counter}"),
            };
            Ok(Err(Refused::NoTicket { number, date }))
        }
    }
}

/// An action on one ticket at `counter`; `reason` is recorded.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    db: &Db,
    actor: &Actor,
    counter: i16,
    date: jiff::civil::Date,
    target: &Target,
    action: &Action,
    reason: Option<&str>,
    decide: impl Decide,
    now: jiff::Timestamp,
) -> Result<Result<Called, Refused>, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    if matches!(action, Action::Call) {
        if let Err(refused) = counter_for_update(&tx, &actor.site, counter).await? {
            return Ok(Err(refused));
        }
        if let Some(number) = at_counter(&tx, &actor.site, counter, date).await? {
            return Ok(Err(Refused::Busy { counter, number }));
        }
    }
    if let Action::Transfer { counter: Some(to), .. } = action {
        let known: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM counter WHERE site = $1 AND number = $2) AS known",
                &[&actor.site, to],
            )
            .await?
            .try_get("known")?;
        if !known {
            return Ok(Err(Refused::NoCounter(*to)));
        }
    }
    if let Action::Transfer { service, .. } = action {
        let known: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM site WHERE code = $1
                                AND feed->'services' @> jsonb_build_array(jsonb_build_object('code', $2::text))) AS known",
                &[&actor.site, service],
            )
            .await?
            .try_get("known")?;
        if !known {
            return Ok(Err(Refused::NoService(service.clone())));
        }
    }
    let row = match find(&tx, &actor.site, counter, date, target, action).await? {
        Ok(row) => row,
        Err(refused) => return Ok(Err(refused)),
    };
    let next = match decide(&row.visit) {
        Ok(next) => next,
        Err(refused) => return Ok(Err(refused)),
    };
    let called = store(&tx, actor, counter, &row, action, &next, reason, now).await?;
    tx.commit().await?;
    Ok(Ok(called))
}

/// Pauses `counter` with a reason, or resumes it (`None`); recorded like every action.
pub async fn set_paused(
    db: &Db,
    actor: &Actor,
    counter: i16,
    reason: Option<&str>,
    now: jiff::Timestamp,
) -> Result<Result<(), Refused>, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let n = tx
        .execute(
            "UPDATE counter SET paused_reason = $3, state_at = $4 WHERE site = $1 AND number = $2",
            &[&actor.site, &counter, &reason, &Ts(now)],
        )
        .await?;
    if n == 0 {
        return Ok(Err(Refused::NoCounter(counter)));
    }
    let action = if reason.is_some() { "pause" } else { "resume" };
    tx.execute(
        "INSERT INTO call_event (site, action, counter, staff, reason, at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&actor.site, &action, &counter, &actor.username, &reason, &Ts(now)],
    )
    .await?;
    events::announce(&tx, &actor.site).await?;
    tx.commit().await?;
    Ok(Ok(()))
}
