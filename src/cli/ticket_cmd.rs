//! `mpp-kiosk ticket …`: issue, list and void queue tickets (the same code path the screen uses).

use serde::Serialize;

use super::{ensure_catalogue, CliError, Context, TicketCommand};
use crate::store::{IssueError, StatusError, Ticket};
use crate::text::Lang;
use crate::tickets::Status;

impl From<IssueError> for CliError {
    fn from(e: IssueError) -> Self {
        match e {
            // Both languages: the refusal is for whoever stands at the kiosk.
            IssueError::Refused(r) => CliError::BadInput(format!("refused ({}): {} / {}", r.code(), r.message(Lang::Id), r.message(Lang::En))),
            IssueError::UnknownService(_) => CliError::BadInput(format!("{e} (`catalogue list` shows the codes)")),
            IssueError::TimeZone(_) | IssueError::Store(_) => CliError::Failed(e.to_string()),
        }
    }
}

impl From<StatusError> for CliError {
    fn from(e: StatusError) -> Self {
        match e {
            StatusError::NotFound { .. } | StatusError::NotAllowed { .. } => CliError::BadInput(e.to_string()),
            StatusError::Store(e) => e.into(),
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

pub fn run(ctx: &Context, cmd: TicketCommand) -> Result<(), CliError> {
    let mut store = ctx.open_store()?;
    let catalogue = ensure_catalogue(&mut store)?;
    let lang = ctx.config.config.kiosk.language;
    let now = crate::clock::now()?;
    let today = crate::store::local_time(&catalogue, now)?.date();
    let name = |t: &Ticket| catalogue.feed.service(&t.service).map(|s| s.name.in_lang(lang).to_owned()).unwrap_or_default();
    match cmd {
        TicketCommand::Issue { service, priority, json } => {
            let kiosk = ctx.config.config.kiosk.id.get();
            let ticket = store.issue_ticket(&catalogue, &service, priority, kiosk, now)?;
            log::warn!("this build does not print slips yet: ticket {} stays `issued`", ticket.number);
            if json {
                print_json(&TicketJson { service_name: name(&ticket), ticket: &ticket })?;
            } else {
                println!("{}", ticket.number);
            }
        }
        TicketCommand::List { date, json } => {
            let date = date.unwrap_or(today);
            let tickets = store.tickets_on(date)?;
            if json {
                let rows: Vec<TicketJson> = tickets.iter().map(|t| TicketJson { service_name: name(t), ticket: t }).collect();
                print_json(&rows)?;
            } else {
                for t in &tickets {
                    let time = t.issued_at_local.get(11..16).unwrap_or("");
                    let priority = t.priority.map(|p| format!("  [{}]", p.label(lang))).unwrap_or_default();
                    println!("{:<10} {time}  {:<12} {:<16} {}{priority}", t.number, t.status.code(), t.service, name(t));
                }
                if tickets.is_empty() {
                    println!("no tickets on {date}");
                }
            }
        }
        TicketCommand::Void { number, date } => {
            let date = date.unwrap_or(today);
            let ticket = store
                .find_ticket(&number, date)?
                .ok_or_else(|| CliError::BadInput(format!("no ticket {number} on {date} (`ticket list --date {date}` shows that day)")))?;
            let t = store.set_ticket_status(&ticket.id, Status::Voided, now, Some("voided by staff"))?;
            println!("{} voided", t.number);
        }
    }
    Ok(())
}

fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Failed(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
