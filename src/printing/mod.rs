//! Printing queue slips. Only this module knows ESC/POS.
//!
//! The order is what keeps numbers honest: ask the printer for its status first (a printer
//! out of paper refuses before any number is used), then commit the ticket, then send the
//! slip, then ask again; a failure then marks the ticket `print_failed` and the citizen
//! still gets the number on screen.

pub mod escpos_encode;
pub mod printer;
pub mod slip;

use std::time::Duration;

pub use escpos_encode::{encode, QrMode};
pub use printer::{Connection, Fault, PrintError, PrinterStatus, PrinterUri};
pub use slip::{layout, Paper, Slip, SlipInput};

use crate::catalogue::Catalogue;
use crate::store::{IssueError, StatusError, Store, Ticket};
use crate::text::Lang;
use crate::tickets::{Priority, Status};

/// How and where this kiosk prints.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintSettings {
    pub uri: PrinterUri,
    pub paper: Paper,
    pub qr: QrMode,
    /// The QR code's content; `{service}`, `{number}`, `{ticket}` and `{date}` are filled in.
    pub qr_url: Option<String>,
    pub timeout: Duration,
}

/// How printing a slip went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "print", rename_all = "snake_case")]
pub enum Outcome {
    Printed,
    Failed { reason: String },
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Issued {
    #[serde(flatten)]
    pub ticket: Ticket,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The printer reported its paper roll is nearly used up: staff should change it.
    pub paper_near_end: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PrintFlowError {
    /// The printer cannot print: nothing was issued.
    #[error("{}", .0.message(Lang::En))]
    NotReady(Fault),
    #[error(transparent)]
    Issue(#[from] IssueError),
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error("{0}")]
    Encode(#[from] escpos_encode::EncodeError),
}

/// The QR content for a ticket, from the template.
pub fn qr_text(template: &str, ticket: &Ticket) -> String {
    template
        .replace("{service}", &ticket.service)
        .replace("{number}", &ticket.number)
        .replace("{ticket}", &ticket.id)
        .replace("{date}", &ticket.local_date.to_string())
}

/// Opens the printer and checks it can print; the connection then carries the slip.
fn ready_printer(settings: &PrintSettings) -> Result<(Connection, bool), PrintFlowError> {
    let mut conn = Connection::open(&settings.uri, settings.timeout).map_err(|e| {
        log::warn!("{e}");
        PrintFlowError::NotReady(Fault::Offline)
    })?;
    match conn.status() {
        Ok(Some(status)) => match status.fault() {
            Some(fault) => Err(PrintFlowError::NotReady(fault)),
            None => {
                if status.paper_near_end {
                    log::warn!("printer paper is near its end: change the roll soon");
                }
                Ok((conn, status.paper_near_end))
            }
        },
        Ok(None) => Ok((conn, false)),
        Err(e) => {
            log::warn!("{e}");
            Err(PrintFlowError::NotReady(Fault::Offline))
        }
    }
}

/// Lays out, encodes and sends one slip, then reads the status again.
fn print_slip(conn: &mut Connection, settings: &PrintSettings, catalogue: &Catalogue, ticket: &Ticket, lang: Lang, reprint: bool) -> Result<Outcome, PrintFlowError> {
    let feed = &catalogue.feed;
    let (Some(service), Some(agency)) = (feed.service(&ticket.service), feed.agency(&ticket.agency)) else {
        return Ok(Outcome::Failed { reason: format!("service {} is no longer in the catalogue", ticket.service) });
    };
    let slip = layout(&SlipInput {
        ticket,
        service,
        agency,
        site: &feed.site,
        lang,
        paper: settings.paper,
        qr: settings.qr_url.as_deref().map(|t| qr_text(t, ticket)),
        reprint,
    });
    let bytes = encode(&slip, settings.qr)?;
    let name = format!("{}-{}{}", ticket.local_date, ticket.number, if reprint { "-reprint" } else { "" });
    if let Err(e) = conn.send(&bytes, &name, &slip.plain_text()) {
        return Ok(Outcome::Failed { reason: e.to_string() });
    }
    // A written slip is not a printed one: ask again.
    Ok(match conn.status() {
        Ok(Some(s)) => match s.fault() {
            Some(f) => Outcome::Failed { reason: format!("printer reported {} after the slip was sent", f.code()) },
            None => Outcome::Printed,
        },
        Ok(None) => Outcome::Printed,
        Err(e) => Outcome::Failed { reason: e.to_string() },
    })
}

fn record(store: &mut Store, ticket: Ticket, outcome: &Outcome, success: Status, now: jiff::Timestamp) -> Result<Ticket, PrintFlowError> {
    Ok(match outcome {
        Outcome::Printed => store.set_ticket_status(&ticket.id, success, now, None)?,
        Outcome::Failed { reason } => {
            log::error!("ticket {} was issued but its slip failed: {reason}", ticket.number);
            store.set_ticket_status(&ticket.id, Status::PrintFailed, now, Some(reason))?
        }
    })
}

/// Issues a ticket and prints its slip. A printer that cannot print refuses before any
/// number is used; once the number is committed, a failed print marks it `print_failed`.
#[allow(clippy::too_many_arguments)]
pub fn issue_and_print(
    store: &mut Store,
    catalogue: &Catalogue,
    settings: &PrintSettings,
    service: &str,
    priority: Option<Priority>,
    kiosk_id: u8,
    now: jiff::Timestamp,
    lang: Lang,
) -> Result<Issued, PrintFlowError> {
    let (mut conn, paper_near_end) = ready_printer(settings)?;
    let ticket = store.issue_ticket(catalogue, service, priority, kiosk_id, now)?;
    let outcome = print_slip(&mut conn, settings, catalogue, &ticket, lang, false)?;
    drop(conn); // one connection per slip
    let ticket = record(store, ticket, &outcome, Status::Printed, now)?;
    Ok(Issued { ticket, outcome, paper_near_end })
}

/// Prints a ticket's slip again (marked as a reprint).
pub fn reprint(store: &mut Store, catalogue: &Catalogue, settings: &PrintSettings, ticket: Ticket, now: jiff::Timestamp, lang: Lang) -> Result<Issued, PrintFlowError> {
    if !ticket.status.can_become(Status::Reprinted) {
        return Err(StatusError::NotAllowed { number: ticket.number, from: ticket.status, to: Status::Reprinted }.into());
    }
    let (mut conn, paper_near_end) = ready_printer(settings)?;
    let outcome = print_slip(&mut conn, settings, catalogue, &ticket, lang, true)?;
    drop(conn);
    let ticket = record(store, ticket, &outcome, Status::Reprinted, now)?;
    Ok(Issued { ticket, outcome, paper_near_end })
}
