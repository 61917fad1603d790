//! The citizen's path: welcome → agency → service → requirements → who → printing → done,
//! and search as the other way to a service.

use std::time::Duration;

use super::{Command, Event, Flow, Notice, PrintResult, Screen, Who};

impl Flow {
    pub(super) fn citizen_event(&mut self, event: Event, now: Duration) -> Option<Command> {
        match event {
            Event::TakeNumber => self.screen = Screen::Agencies,
            Event::OpenSearch => {
                self.query.clear();
                self.results.clear();
                self.screen = Screen::Search;
            }
            Event::Agency(code) => {
                let known = self.catalogue.feed.agency(&code).is_some_and(|a| a.active);
                if known && matches!(self.screen, Screen::Agencies) {
                    self.agency = Some(code);
                    self.screen = Screen::Services;
                }
            }
            Event::Service(code) => {
                let service = self.catalogue.feed.service(&code)?;
                if !service.active || !matches!(self.screen, Screen::Services | Screen::Search | Screen::Welcome) {
                    return None;
                }
                self.came_from = self.screen;
                self.agency = Some(service.agency.clone());
                if let Some(draft) = &mut self.survey {
                    // Rating a service: straight to the first question.
                    draft.service = Some(code);
                    draft.step = 0;
                    self.screen = Screen::SurveyQuestion;
                    return None;
                }
                self.service = Some(code);
                self.screen = Screen::Detail;
            }
            Event::TakeTicket => {
                if self.screen != Screen::Detail {
                    return None;
                }
                let service = self.selected_service()?;
                match self.availability(service) {
                    Ok(()) => self.screen = Screen::Priority,
                    Err(r) => {
                        let next = self.next_opening(service, &r);
                        self.notice = Some(Notice::Refused(r, next));
                    }
                }
            }
            Event::Choose(who) => {
                if self.screen != Screen::Priority {
                    return None;
                }
                let service = self.service.clone()?;
                self.screen = Screen::Printing;
                let priority = match who {
                    Who::Regular => None,
                    Who::Priority(p) => Some(p),
                };
                return Some(Command::Print { service, priority });
            }
            Event::Printed(result) => self.printed(result, now),
            Event::OpenCheckIn if self.screen == Screen::Welcome => {
                self.code.clear();
                self.screen = Screen::CheckIn;
            }
            Event::Code(c) => {
                if self.screen != Screen::CheckIn {
                    return None;
                }
                // A code is 8 characters (9 with its dash); a few more for a slip of the finger.
                self.code = c.chars().filter(|c| !c.is_control()).take(12).collect();
            }
            Event::SubmitCode => {
                if self.screen != Screen::CheckIn || self.code.trim().is_empty() {
                    return None;
                }
                self.screen = Screen::Printing;
                return Some(Command::CheckIn(self.code.clone()));
            }
            Event::Scanned(c) => {
                // Only where a citizen expects it: never in the middle of someone's path.
                if !matches!(self.screen, Screen::Welcome | Screen::CheckIn) || self.notice.is_some() {
                    return None;
                }
                self.code = c.chars().filter(|c| !c.is_control()).take(200).collect();
                self.screen = Screen::Printing;
                return Some(Command::CheckIn(self.code.clone()));
            }
            Event::RetryPrint => {
                let shown = self.shown.as_ref().filter(|s| s.print_failed && self.screen == Screen::Done)?;
                let number = shown.number.clone();
                self.screen = Screen::Printing;
                return Some(Command::RetryPrint(number));
            }
            Event::Query(q) => {
                if self.screen != Screen::Search {
                    return None;
                }
                // Bounded: the keyboard could be held down by a curious child.
                self.query = q.chars().take(40).collect();
                if self.query.trim().is_empty() {
                    self.results.clear();
                    return None;
                }
                return Some(Command::Search(self.query.clone()));
            }
            // The other events belong to the survey, the staff screen or every screen.
            _ => {}
        }
        None
    }

    /// The print worker's answer: the done screen, or the detail with a notice.
    fn printed(&mut self, result: PrintResult, now: Duration) {
        if self.screen != Screen::Printing {
            log::warn!("a print result arrived when no slip was printing: {result:?}");
            return;
        }
        match result {
            PrintResult::Retried { printed } => {
                if let Some(s) = &mut self.shown {
                    s.print_failed = !printed;
                }
                self.screen = Screen::Done;
                self.done_since = Some(now);
            }
            PrintResult::Issued(t) => {
                // A slip came out (or failed mid-way): the printer took the job.
                if !t.print_failed {
                    self.printer_fault = None;
                }
                *self.today.issued.entry(t.service.clone()).or_default() += 1;
                self.shown = Some(t);
                self.screen = Screen::Done;
                self.done_since = Some(now);
            }
            PrintResult::Refused(r) => {
                self.screen = if self.service.is_some() { Screen::Detail } else { Screen::CheckIn };
                let next = self.selected_service().and_then(|s| self.next_opening(s, &r));
                self.notice = Some(Notice::Refused(r, next));
            }
            PrintResult::PrinterNotReady(f) => {
                self.printer_fault = Some(f);
                self.screen = if self.service.is_some() { Screen::Detail } else { Screen::CheckIn };
                self.notice = Some(Notice::Printer(f));
            }
            PrintResult::Failed(reason) => {
                self.screen = if self.service.is_some() { Screen::Detail } else { Screen::CheckIn };
                self.notice = Some(Notice::Failed(reason));
            }
            PrintResult::CheckInRefused(r) => {
                self.screen = Screen::CheckIn;
                self.notice = Some(Notice::CheckIn(r));
            }
        }
    }
}
