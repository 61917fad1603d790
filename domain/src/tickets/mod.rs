//! Queue tickets: numbering, the rules for issuing one, and a ticket's status history.
//! Pure domain; the kiosk's ledger lives in its `store::tickets`.

pub mod number;
pub mod rules;
pub mod status;
pub mod ticket;

pub use number::{Priority, TicketNumber};
pub use rules::{Refusal, check_issuable};
pub use status::Status;
pub use ticket::{Ahead, Ticket, TicketEvent};
