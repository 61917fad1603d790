//! `mpp-kiosk ticket …`: issue, list and void queue tickets (the same code path the screen uses).

use std::sync::Arc;

use serde::Serialize;

use super::{CliError, Context, PrinterCommand, TicketCommand, ensure_catalogue, print_json};
use crate::printing::{self, Outcome, PrintFlowError};
use crate::store::{IssueError, StatusError, Ticket};
use crate::text::Lang;
use crate::tickets::Status;

impl From<IssueError> for CliError {
    fn from(e: IssueError) -> Self {
        match e {
            // Both languages: the refusal is for whoever stands at the kiosk.
            IssueError::Refused(r) => {
                CliError::BadInput(format!("refused ({}): {} / {}", r.code(), r.message(Lang::Id), r.message(Lang::En)))
            }
            IssueError::UnknownService(_) => CliError::BadInput(format!("{e} (`catalogue list` shows the codes)")),
            IssueError::TimeZone(_) | IssueError::Store(_) => CliError::Failed(e.to_string()),
        }
    }
}

impl From<StatusError> for CliError {
    fn from(e: StatusError) -> Self {
        match e {
            StatusError::NotFound(_) | StatusError::NotAllowed { .. } => CliError::BadInput(e.to_string()),
            StatusError::Store(e) => e.into(),
        }
    }
}

impl From<printing::JobError> for CliError {
    fn from(e: printing::JobError) -> Self {
        use printing::JobError;
        match e {
            JobError::Flow(e) => e.into(),
            JobError::Store(e) => e.into(),
            JobError::NoSuchTicket { number, date } => {
                CliError::BadInput(format!("no ticket {number} on {date} (`ticket list --date {date}` shows that day)"))
            }
            JobError::Clock(_) => CliError::BadInput(e.to_string()),
            JobError::Stopped | JobError::Crashed(_) => CliError::Failed(e.to_string()),
        }
    }
}

impl From<PrintFlowError> for CliError {
    fn from(e: PrintFlowError) -> Self {
        match e {
            PrintFlowError::NotReady(f) => CliError::BadInput(format!(
                "refused (printer {}): {} / {}",
                f.code(),
                f.message(Lang::Id),
                f.message(Lang::En)
            )),
            PrintFlowError::Issue(e) => e.into(),
            PrintFlowError::Status(e) => e.into(),
            PrintFlowError::Encode(e) => CliError::Failed(e.to_string()),
            PrintFlowError::Unreachable(e) => CliError::Failed(e),
            PrintFlowError::CheckIn(r) => CliError::BadInput(r.says(Lang::Id)),
        }
    }
}

impl From<crate::clock::ClockError> for CliError {
    fn from(e: crate::clock::ClockError) -> Self {
        CliError::BadInput(e.to_string())
    }
}

/// A ticket as `--json` prints it, with the service's name for people reading it.
#[derive(Serialize)]
struct TicketJson<'a> {
    #[serde(flatten)]
    ticket: &'a Ticket,
    service_name: String,
}

/// The same worker the kiosk's screen uses: one job at a time on the printer; with a site
/// server, the ticket is pushed and its people ahead asked, as on the screen.
fn print_worker(ctx: &Context, site: &str, kiosk: u8) -> Result<printing::PrintWorker, CliError> {
    let lookup = crate::app::ahead_lookup(ctx.config.config.sync.clone(), site.to_owned(), kiosk);
    Ok(printing::PrintWorker::spawn_with(
        ctx.db_path.clone(),
        ctx.print_settings()?,
        kiosk,
        crate::clock::system(),
        lookup,
    )?)
}

pub fn run(ctx: &Context, cmd: TicketCommand) -> Result<(), CliError> {
    let mut store = ctx.open_store()?;
    let catalogue = ensure_catalogue(&mut store)?;
    let lang = ctx.config.config.kiosk.language;
    let now = crate::clock::now()?;
    let today = crate::store::local_time(&catalogue, now)?.date();
    let name =
        |t: &Ticket| catalogue.feed.service(&t.service).map(|s| s.name.in_lang(lang).to_owned()).unwrap_or_default();
    match cmd {
        TicketCommand::Issue { service, priority, json } => {
            let kiosk = ctx.config.config.kiosk.id.get();
            let worker = print_worker(ctx, &catalogue.feed.site.code, kiosk)?;
            let issued = worker
                .run_blocking(printing::Job::Issue { service, priority }, Arc::new(catalogue.clone()), lang)?
                .ticket()
                .expect("an issue job gives a ticket");
            if json {
                #[derive(Serialize)]
                struct IssuedJson<'a> {
                    #[serde(flatten)]
                    issued: &'a printing::Issued,
                    service_name: String,
                }
                print_json(&IssuedJson { service_name: name(&issued.ticket), issued: &issued })?;
            } else {
                println!("{}", issued.ticket.number);
            }
            if let Outcome::Failed { reason } = &issued.outcome {
                // The number exists and is shown; the citizen goes to the information desk.
                eprintln!(
                    "mpp-kiosk: ticket {} was issued but its slip did not print ({reason}); reprint it with `ticket reprint {}`",
                    issued.ticket.number, issued.ticket.number
                );
                return Err(CliError::Failed(format!("slip for {} not printed", issued.ticket.number)));
            }
        }
        TicketCommand::CheckIn { code, json } => {
            let site = catalogue.feed.site.code.clone();
            let code = mpp_domain::booking::BookingCode::parse(&code).ok_or_else(|| {
                CliError::BadInput(format!("{code:?} is not a booking code (8 letters and digits, e.g. KQ4M-7TCX)"))
            })?;
            let kiosk = ctx.config.config.kiosk.id.get();
            let sync = &ctx.config.config.sync;
            // The server's list first (a booking made minutes ago, one used elsewhere);
            // without it, the copy from the last sync round.
            if let Err(e) =
                crate::sync::bookings::fetch_day(&mut store, sync, today, crate::sync::queue::quick_limits(sync))
            {
                log::warn!("today's bookings from the site server: {e}; checking in from the kiosk's copy");
            }
            let worker = print_worker(ctx, &site, kiosk)?;
            let done = worker.run_blocking(
                printing::Job::CheckIn { code_hash: crate::sync::bookings::code_hash(&code, &site) },
                Arc::new(catalogue.clone()),
                lang,
            );
            let (issued, late) = match done {
                Ok(printing::Done::CheckedIn { issued, late, .. }) => (issued, late),
                Ok(_) => unreachable!("a check-in job gives a check-in"),
                Err(printing::JobError::Flow(PrintFlowError::CheckIn(r))) => {
                    return Err(CliError::BadInput(r.says(lang)));
                }
                Err(e) => return Err(e.into()),
            };
            if json {
                #[derive(Serialize)]
                struct CheckedInJson<'a> {
                    #[serde(flatten)]
                    issued: &'a printing::Issued,
                    service_name: String,
                    late: bool,
                }
                print_json(&CheckedInJson { service_name: name(&issued.ticket), issued: &issued, late })?;
            } else {
                println!("{}", issued.ticket.number);
            }
            if late {
                eprintln!("{}", mpp_domain::booking::CheckIn::late_words(lang));
            }
            if let Outcome::Failed { reason } = &issued.outcome {
                return Err(CliError::Failed(format!(
                    "{} was issued but its slip did not print ({reason}); reprint it with `ticket reprint {}`",
                    issued.ticket.number, issued.ticket.number
                )));
            }
        }
        TicketCommand::Reprint { number, date } => {
            let date = date.unwrap_or(today);
            let worker = printing::PrintWorker::spawn(
                ctx.db_path.clone(),
                ctx.print_settings()?,
                ctx.config.config.kiosk.id.get(),
                crate::clock::system(),
            )?;
            let issued = worker
                .run_blocking(printing::Job::Reprint { number, date }, Arc::new(catalogue.clone()), lang)?
                .ticket()
                .expect("a reprint job gives a ticket");
            match issued.outcome {
                Outcome::Printed => println!("{} reprinted", issued.ticket.number),
                Outcome::Failed { reason } => {
                    return Err(CliError::Failed(format!("reprint of {} failed: {reason}", issued.ticket.number)));
                }
            }
        }
        TicketCommand::List { date, json } => {
            let date = date.unwrap_or(today);
            let tickets = store.tickets_on(date)?;
            if json {
                let rows: Vec<TicketJson> =
                    tickets.iter().map(|t| TicketJson { service_name: name(t), ticket: t }).collect();
                print_json(&rows)?;
            } else {
                for t in &tickets {
                    let time = t.issued_at_local.get(11..16).unwrap_or("");
                    let priority = t.priority.map(|p| format!("  [{}]", p.label(lang))).unwrap_or_default();
                    println!(
                        "{:<10} {time}  {:<12} {:<16} {}{priority}",
                        t.number,
                        t.status.code(),
                        t.service,
                        name(t)
                    );
                }
                if tickets.is_empty() {
                    println!("no tickets on {date}");
                }
            }
        }
        TicketCommand::Void { number, date } => {
            let date = date.unwrap_or(today);
            let ticket = store.find_ticket(&number, date)?.ok_or_else(|| {
                CliError::BadInput(format!("no ticket {number} on {date} (`ticket list --date {date}` shows that day)"))
            })?;
            let t = store.set_ticket_status(&ticket.id, Status::Voided, now, Some("voided by staff"))?;
            println!("{} voided", t.number);
        }
    }
    Ok(())
}

pub fn printer(ctx: &Context, cmd: PrinterCommand) -> Result<(), CliError> {
    let settings = ctx.print_settings()?;
    let target = String::from(settings.uri.clone());
    match cmd {
        PrinterCommand::Status { json } => {
            // Through a print worker, under the printer lock, as the kiosk prints: a status
            // read never cuts into a slip the kiosk is printing.
            let catalogue = Arc::new(ensure_catalogue(&mut ctx.open_store()?)?);
            let worker = printing::PrintWorker::for_status(ctx.db_path.clone(), settings, crate::clock::system())?;
            let status =
                match worker.run_blocking(printing::Job::Status, catalogue, ctx.config.config.kiosk.language)? {
                    printing::Done::Status(status) => status,
                    other => return Err(CliError::Failed(format!("the print worker answered {other:?}"))),
                };
            let fault = status.and_then(|s| s.fault());
            if json {
                #[derive(Serialize)]
                struct StatusJson {
                    printer: String,
                    readable: bool,
                    #[serde(flatten)]
                    status: Option<printing::PrinterStatus>,
                    fault: Option<printing::Fault>,
                }
                print_json(&StatusJson { printer: target, readable: status.is_some(), status, fault })?;
            } else {
                match status {
                    None => println!("{target}: ready (this kind of printer reports no status)"),
                    Some(s) => println!(
                        "{target}: {}{}",
                        fault.map_or("ready", |f| f.code()),
                        if s.paper_near_end { " (paper near end: change the roll soon)" } else { "" }
                    ),
                }
            }
            if let Some(f) = fault {
                return Err(CliError::Failed(format!("the printer cannot print: {}", f.code())));
            }
        }
        PrinterCommand::Test => {
            let catalogue = Arc::new(ensure_catalogue(&mut ctx.open_store()?)?);
            let worker = printing::PrintWorker::spawn(
                ctx.db_path.clone(),
                settings,
                ctx.config.config.kiosk.id.get(),
                crate::clock::system(),
            )?;
            worker.run_blocking(printing::Job::TestSlip, catalogue, ctx.config.config.kiosk.language)?;
            println!("test slip sent to {target}");
        }
    }
    Ok(())
}
