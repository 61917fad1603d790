//! The pages people read: the counter page for staff, the lobby display, a ticket's
//! status and the booking pages for the citizen's phone, the report and the fleet for
//! supervisors. HTML is
//! written here with every text escaped (`web::html::esc`); the little JavaScript and the
//! CSS are files embedded in the binary (`web::assets`).

pub mod accounts;
pub mod booking;
pub mod counter;
pub mod desk;
pub mod display;
pub mod fleet;
pub mod report;
pub mod status;
