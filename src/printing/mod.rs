//! Printing queue slips: the domain's slip (`mpp_domain::slip`) to this kiosk's printer.
//!
//! The order is what keeps numbers honest: ask the printer for its status first (a printer
//! out of paper refuses before any number is used), then commit the ticket, then send the
//! slip, then ask again; a failure then marks the ticket `print_failed` and the citizen
//! still gets the number on screen.

pub mod preview;
pub mod printer;
pub mod settings;
// The slip itself is the domain's, so the site server's desk prints the same slip.
pub use mpp_domain::slip::{bitmap, encode as escpos_encode, layout as slip};
mod usb;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

pub use bitmap::Bitmap;

pub use escpos_encode::{QrMode, encode};
pub use printer::{Connection, Fault, PrintError, PrinterStatus, PrinterUri, Readiness, describe};
pub use slip::{Paper, Slip, SlipInput, layout};
pub use worker::{Done, Job, JobError, PrintWorker};

use crate::catalogue::Catalogue;
use crate::store::{IssueError, StatusError, Store, Ticket};
use crate::text::Lang;
use crate::tickets::{Ahead, Priority, Status};
pub use settings::{LogoSetting, PrinterConfig, Timeout};

/// How and where this kiosk prints.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintSettings {
    pub uri: PrinterUri,
    pub paper: Paper,
    pub qr: QrMode,
    /// The QR code's content; `{service}`, `{number}`, `{ticket}` and `{date}` are filled in.
    pub qr_url: Option<String>,
    pub timeout: Duration,
    /// The logo, already scaled for the paper.
    pub logo: Option<Arc<Bitmap>>,
    /// A file locked while a slip is printed, so two processes (the kiosk and a
    /// technician's `ticket reprint`) never interleave slips on one printer.
    pub lock: Option<std::path::PathBuf>,
}

/// Holds the printer lock for one slip.
pub(crate) struct PrinterLock(#[allow(dead_code)] Option<std::fs::File>);

impl PrinterLock {
    pub(crate) fn take(settings: &PrintSettings) -> Result<PrinterLock, PrintFlowError> {
        let Some(path) = &settings.lock else { return Ok(PrinterLock(None)) };
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(|e| {
            log::warn!("printer lock {}: {e}", path.display());
            PrintFlowError::NotReady(Fault::Offline)
        })?;
        // Another slip takes at most a few timeouts; a holder that takes longer is stuck.
        let deadline = std::time::Instant::now() + settings.timeout * 4;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(PrinterLock(Some(file))),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Err(e) => {
                    log::warn!("printer lock {}: {e:?}: another process is printing", path.display());
                    return Err(PrintFlowError::NotReady(Fault::Offline));
                }
            }
        }
    }
}

/// Reads the configured logo and scales it for the paper.
pub fn load_logo(setting: &LogoSetting, paper: Paper) -> Result<Option<Arc<Bitmap>>, String> {
    let bytes = match setting {
        LogoSetting::None => return Ok(None),
        LogoSetting::Default => std::borrow::Cow::Borrowed(bitmap::DEFAULT_LOGO_PNG),
        LogoSetting::File(path) => {
            std::borrow::Cow::Owned(std::fs::read(path).map_err(|e| format!("logo {}: {e}", path.display()))?)
        }
    };
    let what = match setting {
        LogoSetting::File(p) => format!("logo {}", p.display()),
        _ => "the embedded logo".into(),
    };
    Bitmap::from_png(&bytes, paper.logo_dots(), &what).map(|b| Some(Arc::new(b))).map_err(|e| e.to_string())
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
    /// The people ahead printed on the slip: the site server's count or the estimate.
    pub ahead: Ahead,
}

/// Asks the site server how many people are ahead of a ticket just committed (pushing it
/// there first) and its estimated wait in minutes, within a short timeout; `None` when it
/// cannot say. Given by the application, so printing knows nothing of sync.
pub type AheadLookup = Arc<dyn Fn(&mut Store, &Ticket, jiff::Timestamp) -> Option<(u32, Option<u32>)> + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum PrintFlowError {
    /// The printer cannot print: nothing was issued.
    #[error("{}", .0.message(Lang::En))]
    NotReady(Fault),
    /// The printer did not answer a status read: what the connection said.
    #[error("{0}")]
    Unreachable(String),
    #[error(transparent)]
    Issue(#[from] IssueError),
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error("{0}")]
    Encode(#[from] escpos_encode::EncodeError),
    /// A booking code that gives no number (unknown, cancelled, used, too early).
    #[error("{}", .0.says(Lang::En))]
    CheckIn(mpp_domain::booking::CheckInRefusal),
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

/// What marks a slip beside its ticket.
#[derive(Default)]
struct Marks {
    /// A reprint says so.
    reprint: bool,
    /// A booking checked in: its slot.
    booked: Option<String>,
}

/// Lays out, encodes and sends one slip, then reads the status again.
fn print_slip(
    conn: &mut Connection,
    settings: &PrintSettings,
    catalogue: &Catalogue,
    ticket: &Ticket,
    ahead: Ahead,
    lang: Lang,
    Marks { reprint, booked }: Marks,
) -> Result<Outcome, PrintFlowError> {
    let feed = &catalogue.feed;
    let (Some(service), Some(agency)) = (feed.service(&ticket.service), feed.agency(&ticket.agency)) else {
        return Ok(Outcome::Failed { reason: format!("service {} is no longer in the catalogue", ticket.service) });
    };
    let slip = layout(&SlipInput {
        ticket,
        ahead,
        service,
        agency,
        site: &feed.site,
        lang,
        paper: settings.paper,
        qr: settings.qr_url.as_deref().map(|t| qr_text(t, ticket)),
        // A link with the ticket's id opens its status page (`mpp-hub`'s `/t/{ticket}`).
        qr_follows_ticket: settings.qr_url.as_deref().is_some_and(|t| t.contains("{ticket}")),
        reprint,
        logo: settings.logo.clone(),
        booked,
    });
    // The number is committed by now: a slip that cannot be encoded is a failed print
    // (reprintable once fixed), never an error that leaves the ticket "issued".
    let bytes = match encode(&slip, settings.qr) {
        Ok(b) => b,
        Err(e) => return Ok(Outcome::Failed { reason: format!("the slip could not be encoded: {e}") }),
    };
    let name = format!("{}-{}{}", ticket.local_date, ticket.number, if reprint { "-reprint" } else { "" });
    if let Err(e) = conn.send(&bytes, &name, &slip) {
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

fn record(
    store: &mut Store,
    ticket: Ticket,
    outcome: &Outcome,
    success: Status,
    now: jiff::Timestamp,
) -> Result<Ticket, PrintFlowError> {
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
    lookup: Option<&AheadLookup>,
) -> Result<Issued, PrintFlowError> {
    let _lock = PrinterLock::take(settings)?;
    let (mut conn, paper_near_end) = ready_printer(settings)?;
    let ticket = store.issue_ticket(catalogue, service, priority, kiosk_id, now)?;
    let ahead = Ahead::of(&ticket, lookup.and_then(|l| l(store, &ticket, now)));
    let outcome = print_slip(&mut conn, settings, catalogue, &ticket, ahead, lang, Marks::default())?;
    drop(conn); // one connection per slip
    let ticket = record(store, ticket, &outcome, Status::Printed, now)?;
    Ok(Issued { ticket, outcome, paper_near_end, ahead })
}

/// A booked citizen's code at the kiosk: from the day's list (the caller refreshed it from
/// the site server when it could), a number that waits for its slot, a walk-in number when
/// late (`Issued::late`), or the refusal that says what to do; a code this kiosk already
/// checked in gives no second number. Under the printer lock, like any slip.
#[allow(clippy::too_many_arguments)]
pub fn check_in_and_print(
    store: &mut Store,
    catalogue: &Catalogue,
    settings: &PrintSettings,
    code_hash: &str,
    kiosk_id: u8,
    now: jiff::Timestamp,
    lang: Lang,
    lookup: Option<&AheadLookup>,
) -> Result<(Issued, bool, Option<String>), PrintFlowError> {
    use mpp_domain::booking::{CheckIn, CheckInRefusal};
    let zone = &catalogue.feed.site.time_zone;
    let local = crate::store::local_time(catalogue, now).map_err(PrintFlowError::Issue)?;
    if let Some(t) = store.ticket_of_booking(code_hash).map_err(|e| PrintFlowError::Issue(e.into()))? {
        return Err(PrintFlowError::CheckIn(CheckInRefusal::Used { number: Some(t.number) }));
    }
    let entry = store.booking(code_hash, local.date()).map_err(|e| PrintFlowError::Issue(e.into()))?;
    let decision = mpp_domain::booking::decide(entry.as_ref(), local.date(), local.datetime(), zone);
    let (entry, late) = match (decision, entry) {
        (CheckIn::Refused(r), _) => return Err(PrintFlowError::CheckIn(r)),
        (CheckIn::Booked, Some(e)) => (e, false),
        (CheckIn::Late, Some(e)) => (e, true),
        (_, None) => return Err(PrintFlowError::CheckIn(CheckInRefusal::Unknown)),
    };
    let _lock = PrinterLock::take(settings)?;
    let (mut conn, paper_near_end) = ready_printer(settings)?;
    // A late one is a walk-in number, but its code is spent all the same (once only).
    let ticket = store.issue_booked(catalogue, &entry.service, kiosk_id, now, code_hash)?;
    let ahead = Ahead::of(&ticket, lookup.and_then(|l| l(store, &ticket, now)));
    let booked = (!late).then(|| mpp_domain::booking::slot_label(&entry.slot_start, &entry.slot_end, zone));
    let outcome = print_slip(
        &mut conn,
        settings,
        catalogue,
        &ticket,
        ahead,
        lang,
        Marks { reprint: false, booked: booked.clone() },
    )?;
    drop(conn);
    let ticket = record(store, ticket, &outcome, Status::Printed, now)?;
    Ok((Issued { ticket, outcome, paper_near_end, ahead }, late, booked))
}

/// The longest text a QR template can become: every placeholder at its longest.
const QR_WORST_CASE: [(&str, &str); 4] = [
    ("{service}", "SERVICE-CODE-OF-32-CHARACTERS-XX"),
    ("{number}", "ABCDEFGH-PZ9999"),
    ("{ticket}", "00000000-0000-0000-0000-000000000000"),
    ("{date}", "2026-12-31"),
];

/// Checks, before any number is issued, that the QR template fits a QR code the printer can
/// print in this mode on this paper, whatever ticket fills it in.
pub fn check_qr_template(template: &str, qr: QrMode, paper: Paper) -> Result<(), String> {
    let worst = QR_WORST_CASE.iter().fold(template.to_owned(), |t, (k, v)| t.replace(k, v));
    let paper_name = if paper == Paper::Mm58 { "58 mm" } else { "80 mm" };
    match qr {
        QrMode::Raster => {
            // The raster code takes half the paper's width; below 2 dots a module a phone
            // cannot read it.
            let too_long = |why: String| {
                format!(
                    "qr_url is too long for a raster QR code on {paper_name} paper ({} characters filled in): {why}",
                    worst.len()
                )
            };
            let side = bitmap::Bitmap::qr(&worst, paper.dots() / 2).map_err(|e| too_long(e.to_string()))?.width;
            let modules = qrcode::QrCode::with_error_correction_level(worst.as_bytes(), qrcode::EcLevel::M)
                .map_err(|e| too_long(e.to_string()))?
                .width() as u32
                + 8;
            if side / modules < 2 {
                return Err(too_long(format!(
                    "{modules} modules do not fit {} dots at 2 dots each; shorten it or use qr = \"native\"",
                    paper.dots() / 2
                )));
            }
            Ok(())
        }
        // GS ( k stores at most 7089 characters; printers read long codes badly well before.
        QrMode::Native if worst.len() > 1000 => {
            Err(format!("qr_url is too long for a QR code ({} characters filled in, at most 1000)", worst.len()))
        }
        QrMode::Native => Ok(()),
    }
}

/// Tickets that were committed but whose slip was never confirmed — the kiosk or a CLI was
/// killed between the commit and the status — become `print_failed`, so they show as
/// failed and can be reprinted. Runs under the printer lock: while it is held nobody else
/// can be printing, so every `issued` ticket is such an orphan. Returns their numbers.
pub fn recover_unconfirmed(
    store: &mut Store,
    settings: &PrintSettings,
    now: jiff::Timestamp,
) -> Result<Vec<String>, PrintFlowError> {
    if settings.lock.is_none() {
        return Ok(Vec::new()); // without a lock another process may be printing this moment
    }
    let _lock = PrinterLock::take(settings)?;
    let mut numbers = Vec::new();
    for t in store.tickets_with_status(Status::Issued).map_err(IssueError::from)? {
        log::warn!(
            "ticket {} ({}) was issued but its slip never confirmed: marked print_failed, reprint it",
            t.number,
            t.local_date
        );
        store.set_ticket_status(
            &t.id,
            Status::PrintFailed,
            now,
            Some("the slip was never confirmed: the kiosk stopped between issuing and printing"),
        )?;
        numbers.push(t.number);
    }
    Ok(numbers)
}

/// Prints the technician's test slip; a printer that cannot print says why.
pub fn test_slip(settings: &PrintSettings) -> Result<(), PrintFlowError> {
    let target = String::from(settings.uri.clone());
    let qr = settings.qr_url.clone().unwrap_or_else(|| "mpp-kiosk printer test".into());
    let qr_mode = format!("{:?}", settings.qr).to_lowercase();
    let mut slip = slip::test_slip(settings.paper, &target, &qr_mode, &qr);
    if let Some(logo) = &settings.logo {
        slip.lines.insert(0, slip::Line::Image(logo.clone()));
    }
    let bytes = encode(&slip, settings.qr)?;
    let _lock = PrinterLock::take(settings)?;
    let (mut conn, _) = ready_printer(settings)?;
    conn.send(&bytes, "printer-test", &slip).map_err(|e| {
        log::warn!("{e}");
        PrintFlowError::NotReady(Fault::Offline)
    })
}

/// Prints a ticket's slip again (marked as a reprint).
pub fn reprint(
    store: &mut Store,
    catalogue: &Catalogue,
    settings: &PrintSettings,
    ticket: Ticket,
    now: jiff::Timestamp,
    lang: Lang,
    lookup: Option<&AheadLookup>,
) -> Result<Issued, PrintFlowError> {
    if !ticket.status.can_become(Status::Reprinted) {
        return Err(
            StatusError::NotAllowed { number: ticket.number, from: ticket.status, to: Status::Reprinted }.into()
        );
    }
    let _lock = PrinterLock::take(settings)?;
    let (mut conn, paper_near_end) = ready_printer(settings)?;
    // Later in the day the morning's count is stale: ask again.
    let ahead = Ahead::of(&ticket, lookup.and_then(|l| l(store, &ticket, now)));
    let outcome =
        print_slip(&mut conn, settings, catalogue, &ticket, ahead, lang, Marks { reprint: true, booked: None })?;
    drop(conn);
    let ticket = record(store, ticket, &outcome, Status::Reprinted, now)?;
    Ok(Issued { ticket, outcome, paper_near_end, ahead })
}
