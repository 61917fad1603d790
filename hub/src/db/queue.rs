//! The queue as stored: a day's waiting tickets, who is at the counters, which counters
//! are open, the cycles counters measured, one ticket's state, and the calls the lobby
//! display shows.

use std::collections::HashMap;

use mpp_domain::calling::CallState;
use mpp_domain::queue::Waiting;
use mpp_domain::tickets::Priority;

use super::calling::CALLABLE;
use super::{Day, Db, DbError, Ts};

/// The waiting tickets of `site` on `date` (any order).
pub async fn waiting(db: &Db, site: &str, date: jiff::civil::Date) -> Result<Vec<Waiting>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT number, service, priority, queue_at FROM ticket
             WHERE site = $1 AND local_date = $2 AND status = ANY($3) AND call_state = 'waiting'",
            &[&site, &Day(date), &CALLABLE.as_slice()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let number: String = r.try_get("number")?;
            let priority = match r.try_get::<_, Option<String>>("priority")? {
                None => None,
                Some(p) => Some(
                    Priority::from_code(&p)
                        .ok_or_else(|| DbError::row("ticket", &number, format!("priority {p:?}")))?,
                ),
            };
            Ok(Waiting {
                service: r.try_get("service")?,
                priority,
                issued_at: r.try_get::<_, Ts>("queue_at")?.0,
                number,
            })
        })
        .collect()
}

/// Per service, since when each ticket at a counter (called or served) was last called.
pub async fn at_counters(
    db: &Db,
    site: &str,
    date: jiff::civil::Date,
) -> Result<HashMap<String, Vec<Option<jiff::Timestamp>>>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT service, last_call_at FROM ticket
             WHERE site = $1 AND local_date = $2 AND call_state IN ('called', 'serving')",
            &[&site, &Day(date)],
        )
        .await?;
    let mut out: HashMap<String, Vec<Option<jiff::Timestamp>>> = HashMap::new();
    for r in &rows {
        out.entry(r.try_get("service")?).or_default().push(r.try_get::<_, Option<Ts>>("last_call_at")?.map(|t| t.0));
    }
    Ok(out)
}

/// Per service, how many open (not paused) counters serve it.
pub async fn open_counters(db: &Db, site: &str) -> Result<HashMap<String, usize>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT s AS service, count(*) AS n FROM counter, unnest(services) AS s
             WHERE site = $1 AND paused_reason IS NULL GROUP BY s",
            &[&site],
        )
        .await?;
    rows.iter().map(|r| Ok((r.try_get("service")?, usize::try_from(r.try_get::<_, i64>("n")?).unwrap_or(0)))).collect()
}

/// Each service's cycles (seconds from calling a ticket to its finish or no-show), oldest
/// first, over the site's days `from..=to`.
pub async fn cycles(
    db: &Db,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<HashMap<String, Vec<u32>>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT coalesce(e.service, t.service) AS service,
                    EXTRACT(EPOCH FROM e.at - (SELECT max(c.at) FROM call_event c
                                               WHERE c.ticket = e.ticket AND c.action = 'call' AND c.at <= e.at))::float8 AS secs
             FROM call_event e JOIN ticket t ON t.id = e.ticket
             WHERE e.site = $1 AND e.action IN ('finish', 'no_show') AND t.local_date BETWEEN $2 AND $3
             ORDER BY e.at",
            &[&site, &Day(from), &Day(to)],
        )
        .await?;
    let mut out: HashMap<String, Vec<u32>> = HashMap::new();
    for r in rows {
        // A finish without a call before it (a ticket called on another day) has no cycle.
        if let Some(secs) = r.try_get::<_, Option<f64>>("secs")?.filter(|s| *s >= 0.0) {
            out.entry(r.try_get("service")?).or_default().push(secs.round() as u32);
        }
    }
    Ok(out)
}

/// A ticket as its place and status page need it.
#[derive(Debug, Clone)]
pub struct TicketState {
    pub site: String,
    pub date: jiff::civil::Date,
    pub number: String,
    pub service: String,
    /// The kiosk's status (`printed`, `voided`, …).
    pub status: String,
    pub call_state: CallState,
    pub counter: Option<i16>,
}

fn ticket_state(r: &tokio_postgres::Row) -> Result<TicketState, DbError> {
    let number: String = r.try_get("number")?;
    let call_state: String = r.try_get("call_state")?;
    Ok(TicketState {
        site: r.try_get("site")?,
        date: r.try_get::<_, Day>("local_date")?.0,
        service: r.try_get("service")?,
        status: r.try_get("status")?,
        call_state: CallState::from_code(&call_state)
            .ok_or_else(|| DbError::row("ticket", &number, format!("call_state {call_state:?}")))?,
        counter: r.try_get("counter")?,
        number,
    })
}

const TICKET_STATE: &str = "site, local_date, number, service, status, call_state, counter";

/// The ticket `number` of `site` on `date`.
pub async fn ticket_by_number(
    db: &Db,
    site: &str,
    date: jiff::civil::Date,
    number: &str,
) -> Result<Option<TicketState>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            &format!("SELECT {TICKET_STATE} FROM ticket WHERE site = $1 AND local_date = $2 AND number = $3"),
            &[&site, &Day(date), &number],
        )
        .await?;
    row.as_ref().map(ticket_state).transpose()
}

/// The ticket with the kiosk's id `id` (a UUID: the status page's link).
pub async fn ticket_by_id(db: &Db, id: &str) -> Result<Option<TicketState>, DbError> {
    let row = db.client().await?.query_opt(&format!("SELECT {TICKET_STATE} FROM ticket WHERE id = $1"), &[&id]).await?;
    row.as_ref().map(ticket_state).transpose()
}

/// A counter on the lobby display: the ticket at it, or paused.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CounterNow {
    pub number: i16,
    pub name: String,
    pub paused: bool,
    pub paused_reason: Option<String>,
    /// The number at the counter.
    pub serving: Option<String>,
    pub state: Option<CallState>,
    pub recalls: Option<i16>,
    pub service: Option<String>,
    /// Since when: its start when served, else its last call.
    pub since: Option<jiff::Timestamp>,
    /// Its last call or recall (the recall gap counts from it).
    pub last_call_at: Option<jiff::Timestamp>,
    /// Who a priority ticket is for (`elderly`, `disability`, `pregnant`).
    pub priority: Option<String>,
    /// The ticket's id: its status page's link, so never on the public board; the
    /// counter's own page acts on the ticket by it.
    #[serde(skip)]
    pub ticket_id: Option<String>,
    /// Waiting for this counter only (transferred to it); none on the board.
    #[serde(skip)]
    pub for_counter: Option<i16>,
    /// A booking's slot ("09:15–09:30") when the ticket is a booking's.
    pub booked_slot: Option<String>,
}

/// One call or recall on the display (a recall is a new entry: it is spoken again).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CallNow {
    pub id: i64,
    pub number: Option<String>,
    pub counter: i16,
    pub counter_name: String,
    pub action: String,
    pub at: jiff::Timestamp,
}

/// What the lobby display shows: every counter and the day's last ten calls, newest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Board {
    pub counters: Vec<CounterNow>,
    pub calls: Vec<CallNow>,
}

const AT_COUNTER: &str =
    "SELECT c.number, c.name, c.paused_reason, t.number AS ticket, t.call_state, t.recalls, t.service,
            t.last_call_at, t.priority, t.id AS ticket_id, t.for_counter,
            (SELECT b.slot_start || '–' || b.slot_end FROM booking b WHERE b.id = t.booking) AS booked_slot,
            coalesce(CASE WHEN t.call_state = 'serving'
                          THEN (SELECT max(at) FROM call_event e WHERE e.ticket = t.id AND e.action = 'start') END,
                     t.last_call_at) AS since
     FROM counter c
     LEFT JOIN ticket t ON t.site = c.site AND t.counter = c.number AND t.local_date = $2
                           AND t.call_state IN ('called', 'serving')
     WHERE c.site = $1";

fn counter_now(r: &tokio_postgres::Row) -> Result<CounterNow, DbError> {
    let number: i16 = r.try_get("number")?;
    let paused_reason: Option<String> = r.try_get("paused_reason")?;
    let state = match r.try_get::<_, Option<String>>("call_state")? {
        None => None,
        Some(s) => {
            Some(CallState::from_code(&s).ok_or_else(|| DbError::row("counter", number, format!("call_state {s:?}")))?)
        }
    };
    Ok(CounterNow {
        number,
        name: r.try_get("name")?,
        paused: paused_reason.is_some(),
        paused_reason,
        serving: r.try_get("ticket")?,
        state,
        recalls: r.try_get("recalls")?,
        service: r.try_get("service")?,
        since: r.try_get::<_, Option<Ts>>("since")?.map(|t| t.0),
        last_call_at: r.try_get::<_, Option<Ts>>("last_call_at")?.map(|t| t.0),
        priority: r.try_get("priority")?,
        ticket_id: r.try_get("ticket_id")?,
        for_counter: r.try_get("for_counter")?,
        booked_slot: r.try_get("booked_slot")?,
    })
}

pub async fn board(db: &Db, site: &str, date: jiff::civil::Date) -> Result<Board, DbError> {
    let client = db.client().await?;
    let counters = client.query(&format!("{AT_COUNTER} ORDER BY c.number"), &[&site, &Day(date)]).await?;
    let calls = client
        .query(
            "SELECT e.id, e.number, e.counter, coalesce(c.name, 'Loket ' || e.counter) AS counter_name, e.action, e.at
             FROM call_event e JOIN ticket t ON t.id = e.ticket
             LEFT JOIN counter c ON c.site = e.site AND c.number = e.counter
             WHERE e.site = $1 AND t.local_date = $2 AND e.action IN ('call', 'recall')
             ORDER BY e.id DESC LIMIT 10",
            &[&site, &Day(date)],
        )
        .await?;
    Ok(Board {
        counters: counters.iter().map(counter_now).collect::<Result<_, _>>()?,
        calls: calls
            .iter()
            .map(|r| {
                Ok(CallNow {
                    id: r.try_get("id")?,
                    number: r.try_get("number")?,
                    counter: r.try_get("counter")?,
                    counter_name: r.try_get("counter_name")?,
                    action: r.try_get("action")?,
                    at: r.try_get::<_, Ts>("at")?.0,
                })
            })
            .collect::<Result<_, DbError>>()?,
    })
}

/// One counter as its own page shows it: its services, whether it is paused, and the
/// ticket at it on `date`. `None`: no such counter.
pub struct CounterDesk {
    pub services: Vec<String>,
    pub now: CounterNow,
    /// Today's no-shows at this counter, latest first (at most ten): the citizens who may
    /// still turn up and go back in line.
    pub no_shows: Vec<Missed>,
}

/// A ticket marked a no-show, as the counter page offers it back in line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Missed {
    pub id: String,
    pub number: String,
    pub service: String,
    pub at: Option<jiff::Timestamp>,
}

pub async fn counter_desk(
    db: &Db,
    site: &str,
    counter: i16,
    date: jiff::civil::Date,
) -> Result<Option<CounterDesk>, DbError> {
    let client = db.client().await?;
    let Some(services) =
        client.query_opt("SELECT services FROM counter WHERE site = $1 AND number = $2", &[&site, &counter]).await?
    else {
        return Ok(None);
    };
    let services: Vec<String> = services.try_get("services")?;
    let row =
        client.query_one(&format!("{AT_COUNTER} AND c.number = $3 LIMIT 1"), &[&site, &Day(date), &counter]).await?;
    let no_shows = client
        .query(
            "SELECT id, number, service, marked_at FROM (
                 SELECT t.id, t.number, t.service,
                        (SELECT max(e.at) FROM call_event e WHERE e.ticket = t.id AND e.action = 'no_show') AS marked_at
                 FROM ticket t
                 WHERE t.site = $1 AND t.local_date = $2 AND t.counter = $3 AND t.call_state = 'no_show') m
             ORDER BY marked_at DESC NULLS LAST, number LIMIT 10",
            &[&site, &Day(date), &counter],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Missed {
                id: r.try_get("id")?,
                number: r.try_get("number")?,
                service: r.try_get("service")?,
                at: r.try_get::<_, Option<Ts>>("marked_at")?.map(|t| t.0),
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok(Some(CounterDesk { services, now: counter_now(&row)?, no_shows }))
}
