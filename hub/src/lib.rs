//! mpp-hub: the site server of a Mal Pelayanan Publik. It receives every kiosk's tickets,
//! status changes and survey responses exactly once, into PostgreSQL.
//!
//! See ARCHITECTURE.md for its place beside the kiosk.

pub mod calling;
pub mod clock;
pub mod config;
pub mod counter_api;
pub mod credential;
pub mod db;
pub mod events;
pub mod fleet;
pub mod http;
pub mod ingest;
pub mod local_cluster;
pub mod pages;
pub mod queue;
pub mod report;
pub mod report_page;
pub mod session;
pub mod sites;
pub mod staff;
pub mod status_page;
pub mod voice;
