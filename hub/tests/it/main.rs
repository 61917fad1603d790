//! mpp-hub's integration tests: the real `mpp-hub` binary against a real PostgreSQL cluster
//! (started by the tests), fed by the kiosk's own code (its SQLite ledger and uploader).

mod admin;
mod bookings;
mod browser;
mod busy_day;
mod calling;
mod demo;
mod desk;
mod events;
mod fleet;
mod hostile;
mod kiosks;
mod outages;
mod pages;
mod pg;
mod queue;
mod reminders;
mod report;
mod support;
mod updates;
mod upload;
mod voice;
