//! The kiosk's screen. Only this module knows Slint.

pub mod placeholder;
