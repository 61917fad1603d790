//! Fault points for tests: `MPP_HUB_TEST_FAULT=exit-after-commit` ends the process, as a
//! power cut or a SIGKILL would, right after an upload's transaction commits and before
//! its answer leaves, so a test can show deterministically that the kiosk's resend is
//! stored once. Unset in production; the server says loudly when it is set.

use std::sync::OnceLock;

pub const ENV: &str = "MPP_HUB_TEST_FAULT";

/// The fault asked for, read once.
pub fn armed() -> Option<&'static str> {
    static FAULT: OnceLock<Option<String>> = OnceLock::new();
    FAULT.get_or_init(|| std::env::var(ENV).ok().filter(|v| !v.is_empty())).as_deref()
}

/// After an upload's commit: ends the process here when the fault is armed.
pub fn after_commit() {
    if armed() == Some("exit-after-commit") {
        log::warn!("{ENV}=exit-after-commit: ending the process after the commit, before the answer");
        // SAFETY: _exit ends the process at once; nothing is run or flushed (as a crash).
        unsafe { libc::_exit(137) };
    }
}
