//! The ticket ledger: issuing a number (atomically, durably) and recording status changes.
//!
//! A number is allocated, checked against the catalogue's rules and written in one
//! `BEGIN IMMEDIATE` transaction, committed with `synchronous=FULL` before anything is sent
//! to a printer. A crash before the commit leaves no trace and consumes no number; after it,
//! the number exists and its slip can be reprinted. Every status change is an event row.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Store, StoreError};
use crate::catalogue::Catalogue;
use crate::protocol::{Body, StatusRecord, TicketRecord};
use crate::tickets::number::MAX_SEQ;
use crate::tickets::{Priority, Refusal, Status, TicketNumber, check_issuable};
pub use crate::tickets::{Ticket, TicketEvent};

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("unknown service code {0:?}")]
    UnknownService(String),
    #[error("refused: {}", .0.message(crate::text::Lang::En))]
    Refused(Refusal),
    #[error("the site's time zone {0:?} is unknown to this kiosk")]
    TimeZone(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for IssueError {
    fn from(e: rusqlite::Error) -> Self {
        IssueError::Store(e.into())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("no ticket with id {0}")]
    NotFound(String),
    #[error("ticket {number} is {from}; it cannot become {to}", from = .from.code(), to = .to.code())]
    NotAllowed { number: String, from: Status, to: Status },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for StatusError {
    fn from(e: rusqlite::Error) -> Self {
        StatusError::Store(e.into())
    }
}

/// The site's local date-time of an instant.
pub fn local_time(catalogue: &Catalogue, at: jiff::Timestamp) -> Result<jiff::ZonedDateTime, IssueError> {
    let tz = crate::hours::zone(&catalogue.feed.site.time_zone)
        .map_err(|_| IssueError::TimeZone(catalogue.feed.site.time_zone.clone()))?;
    Ok(at.to_zoned_datetime(tz))
}

pub(super) const SELECT: &str =
    "SELECT id, number, service_code, agency_code, priority, kiosk_id, local_date, issued_at_utc,
                             issued_at_local, people_ahead, status, booking FROM ticket";

pub(super) fn row_to_ticket(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ticket> {
    let bad =
        |i: usize, what: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into());
    let priority: Option<String> = r.get(4)?;
    let status: String = r.get(10)?;
    let date: String = r.get(6)?;
    let utc: String = r.get(7)?;
    Ok(Ticket {
        id: r.get(0)?,
        number: r.get(1)?,
        service: r.get(2)?,
        agency: r.get(3)?,
        priority: match priority {
            None => None,
            Some(p) => Some(Priority::from_code(&p).ok_or_else(|| bad(4, format!("unknown priority {p:?}")))?),
        },
        kiosk_id: r.get(5)?,
        local_date: date.parse().map_err(|e| bad(6, format!("{e}")))?,
        issued_at_utc: utc.parse().map_err(|e| bad(7, format!("{e}")))?,
        issued_at_local: r.get(8)?,
        people_ahead: r.get(9)?,
        status: Status::from_code(&status).ok_or_else(|| bad(10, format!("unknown status {status:?}")))?,
        booking: r.get(11)?,
    })
}

/// Records a status change and queues it for upload, in the caller's transaction.
fn add_event(
    tx: &Transaction<'_>,
    ticket: &Ticket,
    status: Status,
    at: jiff::Timestamp,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO ticket_event (ticket_id, status, at_utc, detail) VALUES (?1, ?2, ?3, ?4)",
        params![ticket.id, status.code(), at.to_string(), detail],
    )?;
    let record = StatusRecord {
        ticket_id: ticket.id.clone(),
        number: ticket.number.clone(),
        local_date: ticket.local_date,
        status,
        at_utc: at,
        detail: detail.map(str::to_owned),
    };
    super::outbox::enqueue(tx, &Body::TicketStatus(record), &at.to_string())
}

impl Store {
    /// Issues the next number for `service` at kiosk `kiosk_id`, or says why not. The ticket
    /// is committed (durably) when this returns `Ok`.
    pub fn issue_ticket(
        &mut self,
        catalogue: &Catalogue,
        service: &str,
        priority: Option<Priority>,
        kiosk_id: u8,
        now: jiff::Timestamp,
    ) -> Result<Ticket, IssueError> {
        self.issue(catalogue, service, priority, kiosk_id, now, None)
    }

    /// Issues the number of a booking checked in (its code's hash): the service's hours
    /// apply, not its quota (the booked share is part of it, held for this citizen).
    pub fn issue_booked(
        &mut self,
        catalogue: &Catalogue,
        service: &str,
        kiosk_id: u8,
        now: jiff::Timestamp,
        code_hash: &str,
    ) -> Result<Ticket, IssueError> {
        self.issue(catalogue, service, None, kiosk_id, now, Some(code_hash))
    }

    fn issue(
        &mut self,
        catalogue: &Catalogue,
        service: &str,
        priority: Option<Priority>,
        kiosk_id: u8,
        now: jiff::Timestamp,
        booking: Option<&str>,
    ) -> Result<Ticket, IssueError> {
        let feed = &catalogue.feed;
        let service = feed.service(service).ok_or_else(|| IssueError::UnknownService(service.to_owned()))?;
        let agency_active = feed.agency(&service.agency).is_some_and(|a| a.active);
        let local = local_time(catalogue, now)?;
        let date = local.date().to_string();

        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let issued_today: u32 = tx.query_row(
            "SELECT count(*) FROM ticket WHERE local_date = ?1 AND service_code = ?2 AND status <> 'voided'",
            params![date, service.code],
            |r| r.get(0),
        )?;
        // A walk-in also counts the day's bookings still to come (their places are held
        // until their window ends, then go back to walk-ins); a booking itself is counted in
        // its share, not against walk-ins.
        let counted = if booking.is_some() {
            0
        } else {
            issued_today + super::bookings::held(&tx, local.date(), &service.code, local.datetime())?
        };
        check_issuable(&feed.site, service, agency_active, &local.datetime(), counted).map_err(IssueError::Refused)?;

        // After the last of this ledger and of what the site server held when a lost
        // ledger was replaced: a re-imaged kiosk continues the day's numbering.
        let seq: u32 = tx.query_row(
            "SELECT max(coalesce((SELECT max(seq) FROM ticket
                                  WHERE local_date = ?1 AND prefix = ?2 AND kiosk_id = ?3 AND (priority IS NOT NULL) = ?4), 0),
                        coalesce((SELECT last FROM sequence_floor
                                  WHERE local_date = ?1 AND prefix = ?2 AND priority = ?4), 0)) + 1",
            params![date, service.ticket_prefix, kiosk_id, priority.is_some()],
            |r| r.get(0),
        )?;
        if seq > MAX_SEQ {
            return Err(IssueError::Refused(Refusal::NumbersExhausted));
        }
        let people_ahead: u32 = tx.query_row(
            "SELECT count(*) FROM ticket
             WHERE local_date = ?1 AND service_code = ?2 AND status <> 'voided' AND (priority IS NOT NULL) = ?3",
            params![date, service.code, priority.is_some()],
            |r| r.get(0),
        )?;
        let number =
            TicketNumber { prefix: service.ticket_prefix.clone(), kiosk: kiosk_id, priority: priority.is_some(), seq }
                .to_string();
        let ticket = Ticket {
            id: uuid::Uuid::new_v4().to_string(),
            number,
            service: service.code.clone(),
            agency: service.agency.clone(),
            priority,
            kiosk_id,
            local_date: local.date(),
            issued_at_utc: now,
            issued_at_local: local.to_string(),
            people_ahead,
            status: Status::Issued,
            booking: booking.map(str::to_owned),
        };
        tx.execute(
            "INSERT INTO ticket (id, local_date, number, service_code, agency_code, prefix, kiosk_id, priority, seq,
                                 issued_at_utc, issued_at_local, people_ahead, status, booking)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                ticket.id,
                date,
                ticket.number,
                ticket.service,
                ticket.agency,
                service.ticket_prefix,
                kiosk_id,
                priority.map(Priority::code),
                seq,
                now.to_string(),
                ticket.issued_at_local,
                people_ahead,
                Status::Issued.code(),
                booking,
            ],
        )?;
        super::outbox::enqueue(
            &tx,
            &Body::Ticket(TicketRecord { ticket: ticket.clone(), backfilled: false }),
            &now.to_string(),
        )?;
        add_event(&tx, &ticket, Status::Issued, now, None)?;
        super::pause_point("before-commit");
        tx.commit()?;
        super::pause_point("after-commit");
        Ok(ticket)
    }

    /// Moves a ticket to `to`, recording the change; refuses changes the status rules forbid.
    pub fn set_ticket_status(
        &mut self,
        ticket_id: &str,
        to: Status,
        at: jiff::Timestamp,
        detail: Option<&str>,
    ) -> Result<Ticket, StatusError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ticket = tx
            .query_row(&format!("{SELECT} WHERE id = ?1"), [ticket_id], row_to_ticket)
            .optional()?
            .ok_or_else(|| StatusError::NotFound(ticket_id.to_owned()))?;
        if !ticket.status.can_become(to) {
            return Err(StatusError::NotAllowed { number: ticket.number, from: ticket.status, to });
        }
        tx.execute("UPDATE ticket SET status = ?1 WHERE id = ?2", params![to.code(), ticket_id])?;
        add_event(&tx, &ticket, to, at, detail)?;
        tx.commit()?;
        Ok(Ticket { status: to, ..ticket })
    }

    /// The ticket with this number on this local day.
    pub fn find_ticket(&self, number: &str, date: jiff::civil::Date) -> Result<Option<Ticket>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{SELECT} WHERE local_date = ?1 AND number = ?2"),
                params![date.to_string(), number.to_ascii_uppercase()],
                row_to_ticket,
            )
            .optional()?)
    }

    /// The tickets of one local day, in the order they were issued.
    /// Every ticket in `status`, on any day, oldest first.
    pub fn tickets_with_status(&self, status: Status) -> Result<Vec<Ticket>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT} WHERE status = ?1 ORDER BY rowid"))?;
        let rows = stmt.query_map([status.code()], row_to_ticket)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn tickets_on(&self, date: jiff::civil::Date) -> Result<Vec<Ticket>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT} WHERE local_date = ?1 ORDER BY rowid"))?;
        let rows = stmt.query_map([date.to_string()], row_to_ticket)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The services with the most tickets since `since` (inclusive), most first: what the
    /// welcome screen offers as "often chosen".
    pub fn busiest_services(&self, since: jiff::civil::Date, limit: usize) -> Result<Vec<(String, u32)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT service_code, COUNT(*) FROM ticket WHERE local_date >= ?1 AND status <> 'voided'
             GROUP BY service_code ORDER BY COUNT(*) DESC, service_code LIMIT ?2",
        )?;
        let rows =
            stmt.query_map(rusqlite::params![since.to_string(), limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A ticket's status history, oldest first.
    pub fn ticket_events(&self, ticket_id: &str) -> Result<Vec<TicketEvent>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status, at_utc, detail FROM ticket_event WHERE ticket_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([ticket_id], |r| {
            let status: String = r.get(0)?;
            let at: String = r.get(1)?;
            Ok((status, at, r.get::<_, Option<String>>(2)?))
        })?;
        rows.map(|row| {
            let (status, at, detail) = row?;
            Ok(TicketEvent {
                status: Status::from_code(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown status {status:?}")))?,
                at_utc: at.parse().map_err(|e| StoreError::Corrupt(format!("event time {at:?}: {e}")))?,
                detail,
            })
        })
        .collect()
    }
}
