//! Integration tests: the real binary against real SQLite files in temporary folders.
//! One test target, so heavy crates are linked once.

mod support;

mod app;
mod atomic_import;
mod cli;
mod contrast;
mod default_catalogue;
mod emulator;
mod http;
mod invalid_feeds;
mod labels;
mod printing;
mod round_trip;
mod scanner;
mod speech;
mod structure;
mod survey;
mod sync;
mod system;
mod tickets;
