//! The reception desk's numbers: issued by the site server itself as "kiosk" 26 (letter Z),
//! one transaction each under a lock on the site's day and class, so two desks at once
//! never give the same number; a booking checked in at the desk in the same transaction.

use mpp_domain::tickets::{Priority, TicketNumber, number::DESK};

use super::{Day, Db, DbError, Ts, events};

/// A number to issue at the desk.
pub struct DeskIssue<'a> {
    pub site: &'a str,
    pub service: &'a str,
    pub agency: &'a str,
    pub prefix: &'a str,
    pub priority: Option<Priority>,
    pub local_date: jiff::civil::Date,
    /// A booking checked in with this number: its id, and its slot's start when it came in
    /// its window (the ticket then waits at the slot's start; late, it is a walk-in).
    pub booking: Option<(&'a str, Option<jiff::Timestamp>)>,
    pub by: &'a str,
}

/// An issued desk ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskTicket {
    pub id: String,
    pub number: String,
    /// Tickets of the service waiting ahead of it when it was issued.
    pub people_ahead: u32,
}

/// What counts against a walk-in's quota: tickets of `service` issued today and not voided,
/// from kiosks and the desk alike, and the day's bookings whose window is still open at
/// `now` (their places are held; once the window ends they go back to walk-ins).
pub async fn counted_for_walk_ins(
    db: &Db,
    site: &str,
    service: &str,
    date: jiff::civil::Date,
    now: jiff::Timestamp,
) -> Result<u32, DbError> {
    let n: i64 = db
        .client()
        .await?
        .query_one(
            "SELECT (SELECT count(*) FROM ticket
                     WHERE site = $1 AND service = $2 AND local_date = $3 AND status <> 'voided')
                  + (SELECT count(*) FROM booking
                     WHERE site = $1 AND service = $2 AND local_date = $3 AND state = 'booked'
                       AND slot_at + make_interval(mins => late_minutes) > $4) AS n",
            &[&site, &service, &Day(date), &Ts(now)],
        )
        .await?
        .try_get("n")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// What an issue at the desk came to.
#[derive(Debug)]
pub enum Issued {
    Ticket(DeskTicket),
    /// The booking was checked in elsewhere meanwhile.
    BookingTaken,
    /// The day's 999 desk numbers of this class are given.
    NumbersUsedUp,
}

/// Issues the next desk number of the service's prefix and class today.
pub async fn issue(db: &Db, d: &DeskIssue<'_>, id: &str, now: jiff::Timestamp) -> Result<Issued, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let priority = d.priority.is_some();
    let class = format!("{}-{}", d.prefix, if priority { "P" } else { "" });
    // One desk number at a time per site, day and class: the lock ends with the transaction.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('mpp-desk'), hashtext($1 || ':' || $2::date::text || ':' || $3))",
        &[&d.site, &Day(d.local_date), &class],
    )
    .await?;
    let taken: Vec<String> = tx
        .query(
            "SELECT number FROM ticket WHERE site = $1 AND kiosk = $2 AND local_date = $3 AND number LIKE $4",
            &[&d.site, &i16::from(DESK), &Day(d.local_date), &format!("{class}%")],
        )
        .await?
        .iter()
        .map(|r| r.try_get("number"))
        .collect::<Result<_, _>>()?;
    let seq = taken
        .iter()
        .filter_map(|n| n.parse::<TicketNumber>().ok())
        .filter(|n| n.priority == priority && n.prefix == d.prefix)
        .map(|n| n.seq)
        .max()
        .unwrap_or(0)
        + 1;
    if seq > mpp_domain::tickets::number::MAX_SEQ {
        return Ok(Issued::NumbersUsedUp);
    }
    let number = TicketNumber { prefix: d.prefix.to_owned(), kiosk: DESK, priority, seq }.to_string();
    let queue_at = d.booking.and_then(|(_, slot)| slot).unwrap_or(now);
    let ahead: i64 = tx
        .query_one(
            "SELECT count(*) AS n FROM ticket WHERE site = $1 AND service = $2 AND local_date = $3
             AND call_state = 'waiting' AND status <> 'voided' AND queue_at <= $4",
            &[&d.site, &d.service, &Day(d.local_date), &Ts(queue_at)],
        )
        .await?
        .try_get("n")?;
    tx.execute(
        "INSERT INTO ticket (id, site, kiosk, number, service, agency, priority, local_date, issued_at,
                             people_ahead, status, status_at, queue_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'printed', $9, $11)",
        &[
            &id,
            &d.site,
            &i16::from(DESK),
            &number,
            &d.service,
            &d.agency,
            &d.priority.map(|p| p.code()),
            &Day(d.local_date),
            &Ts(now),
            &(ahead as i32),
            &Ts(queue_at),
        ],
    )
    .await?;
    if let Some((booking, in_time)) = d.booking {
        let first = tx
            .execute(
                "UPDATE booking SET state = 'checked_in', state_at = $3, ticket = $2, checked_in_by = $4
                 WHERE id = $1 AND state = 'booked'",
                &[&booking, &id, &Ts(now), &d.by],
            )
            .await?;
        if first == 0 {
            return Ok(Issued::BookingTaken);
        }
        if in_time.is_some() {
            tx.execute("UPDATE ticket SET booking = $2 WHERE id = $1", &[&id, &booking]).await?;
        }
    }
    events::announce(&tx, d.site).await?;
    tx.commit().await?;
    Ok(Issued::Ticket(DeskTicket { id: id.to_owned(), number, people_ahead: u32::try_from(ahead).unwrap_or(0) }))
}

/// A ticket of the site as the desk prints it again.
#[derive(Debug, Clone)]
pub struct StoredTicket {
    pub ticket: mpp_domain::tickets::Ticket,
    pub booking_slot: Option<(String, String)>,
}

/// Today's ticket `number` at the site (the latest, should a re-imaged kiosk have used it
/// twice).
pub async fn ticket(
    db: &Db,
    site: &str,
    date: jiff::civil::Date,
    number: &str,
) -> Result<Option<StoredTicket>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            "SELECT t.id, t.number, t.service, t.agency, t.priority, t.kiosk, t.issued_at, t.people_ahead, t.status,
                    b.slot_start, b.slot_end
             FROM ticket t LEFT JOIN booking b ON b.id = t.booking
             WHERE t.site = $1 AND t.local_date = $2 AND t.number = $3 ORDER BY t.issued_at DESC LIMIT 1",
            &[&site, &Day(date), &number],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let id: String = r.try_get("id")?;
    let priority: Option<String> = r.try_get("priority")?;
    let status: String = r.try_get("status")?;
    let kiosk: i16 = r.try_get("kiosk")?;
    let issued: Ts = r.try_get("issued_at")?;
    let ahead: i32 = r.try_get("people_ahead")?;
    let slot: (Option<String>, Option<String>) = (r.try_get("slot_start")?, r.try_get("slot_end")?);
    Ok(Some(StoredTicket {
        ticket: mpp_domain::tickets::Ticket {
            number: r.try_get("number")?,
            service: r.try_get("service")?,
            agency: r.try_get("agency")?,
            priority: priority.as_deref().and_then(Priority::from_code),
            kiosk_id: u8::try_from(kiosk).map_err(|_| DbError::row("ticket", &id, "kiosk"))?,
            local_date: date,
            issued_at_utc: issued.0,
            issued_at_local: String::new(),
            people_ahead: u32::try_from(ahead).unwrap_or(0),
            status: mpp_domain::tickets::Status::from_code(&status)
                .ok_or_else(|| DbError::row("ticket", &id, format!("status {status:?}")))?,
            booking: None,
            id,
        },
        booking_slot: match slot {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        },
    }))
}

/// A booking as the desk finds it (by code or by NIK), with what a check-in needs.
#[derive(Debug, Clone)]
pub struct DeskBooking {
    pub booking: super::bookings::Booking,
    pub slot_at: jiff::Timestamp,
    pub late_minutes: i32,
}

/// A booking by its id (one the desk listed) or its code's hash, at the site.
pub async fn booking(
    db: &Db,
    site: &str,
    id: Option<&str>,
    code_hash: Option<&str>,
) -> Result<Option<DeskBooking>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            &format!(
                "SELECT {}, slot_at, late_minutes FROM booking WHERE site = $1 AND (id = $2 OR code_hash = $3)",
                super::bookings::BOOKING
            ),
            &[&site, &id, &code_hash],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(DeskBooking {
        booking: super::bookings::booking(&r)?,
        slot_at: r.try_get::<_, Ts>("slot_at")?.0,
        late_minutes: r.try_get("late_minutes")?,
    }))
}

/// A ticket's number by its id.
pub async fn number_of(db: &Db, id: &str) -> Result<Option<String>, DbError> {
    let row = db.client().await?.query_opt("SELECT number FROM ticket WHERE id = $1", &[&id]).await?;
    row.map(|r| r.try_get("number")).transpose().map_err(DbError::from)
}
