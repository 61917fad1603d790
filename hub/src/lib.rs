//! mpp-hub: the site server of a Mal Pelayanan Publik. It receives every kiosk's tickets,
//! status changes and survey responses exactly once into PostgreSQL, lets counters call
//! them, and shows and speaks the calls in the lobby.
//!
//! Three layers, each using only the ones below it (ARCHITECTURE.md; a structure test
//! keeps them so):
//! - `web`: HTTP (axum): routes, auth extractors, pages, the JSON API;
//! - `app`: what the hub does (ingest, calling, queue and estimate, report, fleet, voice),
//!   no SQL and no HTTP;
//! - `db`: every query, typed rows, the migrations.
//!
//! Beside them: `clock` (the one "now"), `config`, `credential` (kiosk credentials),
//! `webhook` (the fleet's alerts out) and `fault` (fault points for tests).

pub mod app;
pub mod clock;
pub mod config;
pub mod credential;
pub mod db;
pub mod desk_printer;
pub mod fault;
pub mod web;
pub mod webhook;
