//! mpp-domain: the rules and records the kiosk (`mpp-kiosk`) and the site server
//! (`mpp-hub`) share, so they cannot drift apart. Nothing here does I/O or reads a clock:
//! no database, no network, no screen, no printer; instants come in as arguments.
//!
//! See ARCHITECTURE.md for where each part is used.

pub mod booking;
pub mod calling;
pub mod catalogue;
pub mod device;
pub mod estimate;
pub mod fleet;
pub mod hours;
pub mod protocol;
pub mod queue;
pub mod report;
pub mod slip;
pub mod speech;
pub mod survey;
pub mod text;
pub mod tickets;
pub mod update;
pub mod voice;
