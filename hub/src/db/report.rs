//! What the performance report reads: each ticket of a period with its trail of calls,
//! the counters' pauses and resumes, and the survey responses' answers (as uploaded).

use mpp_domain::protocol::Answer;
use mpp_domain::report::{End, Visit};

use std::collections::BTreeMap;

use super::{Day, Db, DbError, Ts};

/// The period's tickets (local days `from..=to`), each with its trail. A day's margin
/// either side of the local days lets the (site, at) index bound the trail.
pub async fn visits(
    db: &Db,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<Visit>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "WITH ev AS (
               SELECT ticket,
                      min(at) FILTER (WHERE action = 'call') AS first_call,
                      max(at) FILTER (WHERE action = 'call') AS last_call,
                      max(at) FILTER (WHERE action = 'start') AS start,
                      max(at) FILTER (WHERE action IN ('finish', 'no_show')) AS end_at,
                      count(*) FILTER (WHERE action = 'transfer') AS transfers,
                      (array_agg(counter ORDER BY id DESC) FILTER (WHERE action IN ('call', 'finish', 'no_show')))[1] AS counter,
                      (array_agg(staff ORDER BY id DESC) FILTER (WHERE action IN ('call', 'finish', 'no_show')))[1] AS staff
               FROM call_event
               WHERE site = $1 AND at >= $2::date - 1 AND at < $3::date + 2 AND ticket IS NOT NULL
               GROUP BY ticket)
             SELECT t.id, t.service, t.agency, t.issued_at, t.status, t.call_state, ev.first_call, ev.start, ev.last_call,
                    ev.end_at, coalesce(ev.transfers, 0) AS transfers, ev.counter, ev.staff
             FROM ticket t LEFT JOIN ev ON ev.ticket = t.id
             WHERE t.site = $1 AND t.local_date BETWEEN $2 AND $3",
            &[&site, &Day(from), &Day(to)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let (status, call_state): (String, String) = (r.try_get("status")?, r.try_get("call_state")?);
            let end = match (status.as_str(), call_state.as_str()) {
                ("voided", _) => End::Voided,
                (_, "done") => End::Served,
                (_, "no_show") => End::NoShow,
                (_, "called" | "serving") => End::AtCounter,
                (_, "waiting") => End::Waiting,
                (_, other) => return Err(DbError::row("ticket", &id, format!("call_state {other:?}"))),
            };
            let at = |col: &str| -> Result<Option<jiff::Timestamp>, DbError> {
                Ok(r.try_get::<_, Option<Ts>>(col)?.map(|t| t.0))
            };
            let transfers: i64 = r.try_get("transfers")?;
            Ok(Visit {
                service: r.try_get("service")?,
                agency: r.try_get("agency")?,
                issued_at: r.try_get::<_, Ts>("issued_at")?.0,
                first_call: at("first_call")?,
                start: at("start")?,
                last_call: at("last_call")?,
                end_at: at("end_at")?,
                end,
                counter: r.try_get("counter")?,
                staff: r.try_get("staff")?,
                transfers: u32::try_from(transfers).map_err(|_| DbError::row("ticket", &id, "transfers"))?,
            })
        })
        .collect()
}

/// A counter paused (with its reason) or resumed.
#[derive(Debug, Clone, PartialEq)]
pub struct PauseEvent {
    pub counter: i16,
    /// `Some(reason)` for a pause, `None` for a resume.
    pub paused: Option<String>,
    pub at: jiff::Timestamp,
}

/// The pauses and resumes of the period's local days in `zone`, counter by counter, in order.
pub async fn pause_events(
    db: &Db,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    zone: &str,
) -> Result<Vec<PauseEvent>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT id, counter, action, coalesce(reason, '') AS reason, at FROM call_event
             WHERE site = $1 AND action IN ('pause', 'resume') AND (at AT TIME ZONE $4)::date BETWEEN $2 AND $3
             ORDER BY counter, id",
            &[&site, &Day(from), &Day(to), &zone],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let action: String = r.try_get("action")?;
            Ok(PauseEvent {
                counter: r.try_get("counter")?,
                paused: (action == "pause").then(|| r.try_get("reason")).transpose()?,
                at: r.try_get::<_, Ts>("at")?.0,
            })
        })
        .collect()
}

/// Every survey response's answers over the period, as uploaded. A response whose answers
/// do not read is an error that names it: the IKM is never computed from a silent subset.
pub async fn survey_answers(
    db: &Db,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<Vec<Answer>>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT id, answers FROM survey_response WHERE site = $1 AND local_date BETWEEN $2 AND $3",
            &[&site, &Day(from), &Day(to)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let answers: serde_json::Value = r.try_get("answers")?;
            serde_json::from_value(answers).map_err(|e| DbError::row("survey response", &id, e))
        })
        .collect()
}

/// The period's bookings (local days `from..=to`), each with how it ended; a checked-in
/// one kept its place when its ticket waited as the booking's.
pub async fn bookings(
    db: &Db,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<mpp_domain::booking::report::BookingVisit>, DbError> {
    use mpp_domain::booking::report::{BookingEnd, BookingVisit};
    let rows = db
        .client()
        .await?
        .query(
            "SELECT b.id, b.service, b.state, b.slot_at, b.state_at, t.booking IS NOT NULL AS kept_place
             FROM booking b LEFT JOIN ticket t ON t.id = b.ticket
             WHERE b.site = $1 AND b.local_date BETWEEN $2 AND $3",
            &[&site, &Day(from), &Day(to)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let state: String = r.try_get("state")?;
            let end = match state.as_str() {
                "booked" => BookingEnd::Waiting,
                "cancelled" => BookingEnd::Cancelled,
                "no_show" => BookingEnd::NoShow,
                "checked_in" => BookingEnd::CheckedIn { kept_place: r.try_get("kept_place")? },
                other => return Err(DbError::row("booking", &id, format!("state {other:?}"))),
            };
            let at: Ts = r.try_get("state_at")?;
            Ok(BookingVisit {
                service: r.try_get("service")?,
                end,
                slot_at: r.try_get::<_, Ts>("slot_at")?.0,
                checked_in_at: matches!(end, BookingEnd::CheckedIn { .. }).then_some(at.0),
            })
        })
        .collect()
}

/// Per service over the period: tickets taken without a booking, and the places the
/// booked share offered (the day counts of services with a quota).
pub async fn walk_ins_and_share(
    db: &Db,
    site: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<(BTreeMap<String, u32>, BTreeMap<String, u32>), DbError> {
    let client = db.client().await?;
    let count = |rows: Vec<tokio_postgres::Row>| -> Result<BTreeMap<String, u32>, DbError> {
        rows.iter()
            .map(|r| Ok((r.try_get("key")?, u32::try_from(r.try_get::<_, i64>("n")?).unwrap_or(u32::MAX))))
            .collect()
    };
    let walk_ins = count(
        client
            .query(
                "SELECT service AS key, count(*) AS n FROM ticket
                 WHERE site = $1 AND local_date BETWEEN $2 AND $3 AND booking IS NULL AND status <> 'voided'
                 GROUP BY service",
                &[&site, &Day(from), &Day(to)],
            )
            .await?,
    )?;
    let share = count(
        client
            .query(
                "SELECT key, sum(capacity)::bigint AS n FROM booking_count
                 WHERE site = $1 AND scope = 'day' AND local_date BETWEEN $2 AND $3 GROUP BY key",
                &[&site, &Day(from), &Day(to)],
            )
            .await?,
    )?;
    Ok((walk_ins, share))
}
