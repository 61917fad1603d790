//! mpp-kiosk: the self-service kiosk of an Indonesian Mal Pelayanan Publik.
//!
//! See ARCHITECTURE.md for the map of modules and the data flow.

pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod config;
pub mod hours;
pub mod kiosk;
pub mod printing;
pub mod staff;
pub mod store;
pub mod survey;
pub mod sync;
pub mod text;
pub mod tickets;
#[cfg(feature = "gui")]
pub mod ui;
