//! The staff screen: five quick taps on the welcome screen's logo, the PIN pad with its
//! lock-out, then reprint, test slip and sync now. Results come back as [`StaffOutcome`]s,
//! worded by `view::staff_screen` in the chosen language.

use std::time::Duration;

use super::{Command, Event, Flow, Screen};
use crate::staff_pin::PinResult;

/// What a staff action came to.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffOutcome {
    Reprinted(String),
    ReprintFailed {
        number: String,
        reason: String,
    },
    TestSlipSent,
    /// The job could not run: what it was for (a number, or nothing) and why.
    JobFailed {
        what: String,
        error: String,
    },
    Synced {
        pull: PullOutcome,
        upload: UploadOutcome,
    },
    /// The round could not start (the database, the clock).
    SyncFailed(String),
}

/// The catalogue half of a sync round.
#[derive(Debug, Clone, PartialEq)]
pub enum PullOutcome {
    Imported { version: u64, services: usize },
    NotModified,
    NotConfigured,
    Failed(String),
}

/// The upload half of a sync round.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadOutcome {
    Sent(usize),
    NotConfigured,
    Failed(String),
}

impl Flow {
    pub(super) fn staff_event(&mut self, event: Event, now: Duration) -> Option<Command> {
        match event {
            Event::CornerTap => {
                if self.screen != Screen::Welcome {
                    return None;
                }
                self.corner_taps.retain(|t| now.saturating_sub(*t) < Duration::from_secs(4));
                self.corner_taps.push(now);
                if self.corner_taps.len() >= 5 {
                    self.corner_taps.clear();
                    self.pin.clear();
                    self.pin_result = None;
                    self.screen = Screen::StaffPin;
                }
            }
            Event::PinKey(d) if self.screen == Screen::StaffPin && d.is_ascii_digit() && self.pin.len() < 8 => {
                self.pin.push(d);
            }
            Event::PinBackspace => {
                self.pin.pop();
            }
            Event::PinSubmit => {
                if self.screen != Screen::StaffPin {
                    return None;
                }
                let pin = std::mem::take(&mut self.pin);
                let result = self.pin_guard.try_pin(self.pin_hash.as_deref(), &pin, now);
                if result == PinResult::Accepted {
                    self.pin_result = None;
                    self.staff_outcome = None;
                    self.screen = Screen::Staff;
                    return Some(Command::RefreshStaff);
                }
                self.pin_result = Some(result);
            }
            Event::StaffReprint(number) if self.screen == Screen::Staff => return Some(Command::Reprint(number)),
            Event::StaffTestSlip if self.screen == Screen::Staff => return Some(Command::TestSlip),
            Event::StaffSyncNow if self.screen == Screen::Staff => return Some(Command::SyncNow),
            Event::StaffResult(outcome) if self.screen == Screen::Staff => {
                self.staff_outcome = Some(outcome);
                return Some(Command::RefreshStaff);
            }
            // Staff actions off the staff screen, and the other machines' events.
            _ => {}
        }
        None
    }
}
