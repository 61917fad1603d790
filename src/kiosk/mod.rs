//! The kiosk's behaviour, independent of any screen: the citizen's path as a state
//! machine (`flow`) and what each screen shows in the citizen's language (`view`).
//! The Slint glue in `ui` only draws these and forwards touches.

pub mod flow;
pub mod speech;
pub mod view;

pub use flow::{
    Command, Event, Flow, Idle, Notice, PrintResult, PullOutcome, Screen, StaffOutcome, TicketShown, Timing, Today,
    UploadOutcome, Who,
};
