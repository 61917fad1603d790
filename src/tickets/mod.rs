//! Queue tickets: numbering, the rules for issuing one, and a ticket's status history.
//! Pure domain; the ledger itself lives in `store::tickets`.

pub mod number;
pub mod rules;
pub mod status;

pub use number::{Priority, TicketNumber};
pub use rules::{check_issuable, Refusal};
pub use status::Status;
