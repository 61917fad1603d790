//! The JSON API: kiosks' uploads and health, the queue and its live events, the counter
//! page's state and actions, the display's calls and voice, bookings (docs/hub-api.md).

pub mod bookings;
pub mod counter;
pub mod queue;
pub mod update;
pub mod upload;
pub mod voice;
