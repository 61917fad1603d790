//! "Now" for the server. `MPP_HUB_NOW` pins it (an RFC 3339 instant, e.g.
//! `2026-11-30T01:05:00Z`) for demos, training on a weekend and tests; it is logged loudly.
//! Session expiry and the site's "today" follow it; the database's own clock is not used
//! for either.

use std::sync::OnceLock;

pub const ENV: &str = "MPP_HUB_NOW";

/// The pinned instant, read once; an unreadable value stops the server at start.
pub fn pinned() -> Result<Option<jiff::Timestamp>, String> {
    static PINNED: OnceLock<Result<Option<jiff::Timestamp>, String>> = OnceLock::new();
    PINNED
        .get_or_init(|| match std::env::var(ENV) {
            Ok(v) if !v.is_empty() => {
                v.parse().map(Some).map_err(|e| format!("{ENV}={v:?} is not an instant like 2026-11-30T01:05:00Z: {e}"))
            }
            _ => Ok(None),
        })
        .clone()
}

pub fn now() -> jiff::Timestamp {
    match pinned() {
        // A pinned clock still moves, so sessions, recall gaps and waits behave: it starts
        // at the pinned instant when the process starts.
        Ok(Some(at)) => {
            static START: OnceLock<std::time::Instant> = OnceLock::new();
            let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
            at.checked_add(jiff::SignedDuration::try_from(elapsed).unwrap_or_default()).unwrap_or(at)
        }
        _ => jiff::Timestamp::now(),
    }
}
