//! mpp-kiosk: the self-service kiosk of an Indonesian Mal Pelayanan Publik.
//!
//! See ARCHITECTURE.md for the map of modules and the data flow.

// The shared domain (crate `mpp-domain`, no I/O), under the paths the kiosk has always
// used: `crate::catalogue`, `crate::tickets`, … are the same items the site server uses.
pub use mpp_domain::{catalogue, device, estimate, hours, protocol, queue, survey, text, tickets};

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod keypad;
pub mod kiosk;
pub mod printing;
pub mod scanner;
pub mod speech;
pub mod staff_pin;
pub mod store;
pub mod sync;
pub mod system;
#[cfg(feature = "gui")]
pub mod ui;
pub mod updater;
