//! The kiosk's idea of "now". `MPP_KIOSK_NOW` (an RFC 3339 timestamp) pins it, for tests,
//! demos and staff training; the kiosk then logs loudly that its clock is not real.

use std::sync::OnceLock;

pub const ENV: &str = "MPP_KIOSK_NOW";

#[derive(Debug, thiserror::Error)]
#[error("{ENV}={value:?} is not an RFC 3339 timestamp such as 2026-12-01T09:30:00+08:00: {reason}")]
pub struct ClockError {
    pub value: String,
    pub reason: String,
}

/// The pinned time, if `MPP_KIOSK_NOW` is set; read once per process.
fn pinned() -> Result<Option<jiff::Timestamp>, ClockError> {
    static PINNED: OnceLock<Result<Option<jiff::Timestamp>, (String, String)>> = OnceLock::new();
    let r = PINNED.get_or_init(|| match std::env::var(ENV) {
        Err(_) => Ok(None),
        Ok(v) => match v.parse::<jiff::Timestamp>() {
            Ok(t) => {
                log::warn!("{ENV} is set: the kiosk's clock is pinned to {t}, not the real time");
                Ok(Some(t))
            }
            Err(e) => Err((v, e.to_string())),
        },
    });
    r.clone().map_err(|(value, reason)| ClockError { value, reason })
}

/// What `MPP_KIOSK_NOW` says, when it is set (for `doctor` and the staff screen, which
/// warn that the clock is pinned).
pub fn pinned_setting() -> Option<String> {
    std::env::var(ENV).ok()
}

/// The file system's clock, never pinned: for the age of a file (the restart gate's words,
/// stamped by the file system in real time).
pub fn file_clock() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// The system's clock, never pinned: for `doctor`, which checks the machine's time itself.
pub fn system_time() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Now: the pinned time if `MPP_KIOSK_NOW` is set, else the system clock.
pub fn now() -> Result<jiff::Timestamp, ClockError> {
    Ok(pinned()?.unwrap_or_else(jiff::Timestamp::now))
}

/// A source of "now" that can be handed to threads: [`now`] in the kiosk, a fixed or
/// stepping time in tests.
pub type Clock = std::sync::Arc<dyn Fn() -> Result<jiff::Timestamp, ClockError> + Send + Sync>;

/// The kiosk's clock: [`now`].
pub fn system() -> Clock {
    std::sync::Arc::new(now)
}

/// A clock stopped at `t`.
pub fn fixed(t: jiff::Timestamp) -> Clock {
    std::sync::Arc::new(move || Ok(t))
}
