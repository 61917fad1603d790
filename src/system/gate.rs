//! The quiet moment to restart into an installed update. The updater (root) asks; the
//! kiosk (its own user, the only one that knows whether a citizen is at it) answers when
//! its welcome screen has been untouched for a while and nothing prints, and from then
//! starts nothing new. Two small files in the kiosk's state folder, each rewritten every
//! few seconds while it holds, so a side that dies lets the other go on:
//!
//! - `restart-wanted.json` (the updater): the version waiting and this boot's id;
//! - `restart-ready` (the kiosk): "no citizen here, restart now".

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

const WANTED: &str = "restart-wanted.json";
const READY: &str = "restart-ready";

/// A side's word counts while its file is this fresh.
pub const FRESH: Duration = Duration::from_secs(30);

/// When the kiosk lets the updater restart it (`[system] restart_when`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RestartWhen {
    /// At the first quiet moment: the welcome screen untouched for `quiet_secs`, no slip
    /// printing, no speech mode.
    #[default]
    Idle,
    /// Only while the site is closed (and quiet as above).
    Closed,
}

/// The kiosk's side of the gate: where the files are and what counts as quiet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quiet {
    pub state_dir: std::path::PathBuf,
    /// This boot's id (`/proc/sys/kernel/random/boot_id`): a request from another boot is stale.
    pub boot_id: String,
    /// How long the welcome screen must be untouched.
    pub after: Duration,
    pub when: RestartWhen,
}

/// What the updater asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wanted {
    /// The version installed in the other slot.
    pub version: String,
    pub boot_id: String,
}

/// This boot's id, as the kernel gives it ("" where there is none).
pub fn boot_id(path: &Path) -> String {
    fs::read_to_string(path).map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn fresh(path: &Path, now: SystemTime) -> bool {
    fs::metadata(path).and_then(|m| m.modified()).is_ok_and(|t| now.duration_since(t).map_or(true, |age| age <= FRESH))
}

/// The updater asks (again: each call refreshes the request). Readable by the kiosk's user.
pub fn want(state_dir: &Path, wanted: &Wanted) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let p = state_dir.join(WANTED);
    let tmp = state_dir.join(format!(".{WANTED}.tmp"));
    fs::write(&tmp, serde_json::to_vec(wanted).expect("serializes"))?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o644))?;
    fs::rename(&tmp, &p)
}

/// The request the kiosk should answer: fresh, and made in this boot.
pub fn wanted(state_dir: &Path, boot_id: &str, now: SystemTime) -> Option<Wanted> {
    let p = state_dir.join(WANTED);
    if !fresh(&p, now) {
        return None;
    }
    let w: Wanted = serde_json::from_slice(&fs::read(&p).ok()?).ok()?;
    (w.boot_id == boot_id).then_some(w)
}

/// The kiosk says it is quiet (again: each call refreshes it).
pub fn ready(state_dir: &Path) -> std::io::Result<()> {
    fs::write(state_dir.join(READY), b"quiet\n")
}

/// Whether the kiosk said so within [`FRESH`].
pub fn is_ready(state_dir: &Path, now: SystemTime) -> bool {
    fresh(&state_dir.join(READY), now)
}

/// Both words taken back (the updater, before it asks and when it gives up).
pub fn clear(state_dir: &Path) {
    let _ = fs::remove_file(state_dir.join(WANTED));
    let _ = fs::remove_file(state_dir.join(READY));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_counts_only_while_fresh_and_in_its_own_boot() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        assert_eq!(wanted(dir.path(), "boot-1", now), None);
        let w = Wanted { version: "2.0".into(), boot_id: "boot-1".into() };
        want(dir.path(), &w).unwrap();
        assert_eq!(wanted(dir.path(), "boot-1", now), Some(w));
        assert_eq!(wanted(dir.path(), "boot-2", now), None, "a request from an earlier boot is stale");
        assert_eq!(wanted(dir.path(), "boot-1", now + FRESH + Duration::from_secs(5)), None);
        assert!(!is_ready(dir.path(), now));
        ready(dir.path()).unwrap();
        assert!(is_ready(dir.path(), SystemTime::now()));
        assert!(!is_ready(dir.path(), SystemTime::now() + FRESH + Duration::from_secs(5)));
        clear(dir.path());
        assert!(!is_ready(dir.path(), SystemTime::now()));
        assert_eq!(wanted(dir.path(), "boot-1", SystemTime::now()), None);
    }
}
