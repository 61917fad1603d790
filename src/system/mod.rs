//! The kiosk's own system: two root slots (A and B) on the disk, signed update bundles
//! written into the slot not running, and systemd-boot's boot counting to fall back to the
//! old slot when the new one does not come up (docs/system-updates.md).
//!
//! - `bundle`: reads and verifies a bundle (signature, sizes, hashes) before a byte is written.
//! - `entries`: the boot entries' file names (slot, generation, tries) and contents.
//! - `install`: streams a verified bundle into the other slot and its entry.
//! - `status`: which slot runs, what the other holds, how the last update went.
//! - `gate`: the quiet moment to restart, agreed between the updater and the kiosk.

pub mod bundle;
pub mod entries;
pub mod gate;
pub mod install;
pub mod status;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[system]` of the config: where the slots and the boot loader's files are. Images built
/// by deploy/image/build.sh have them at these defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SystemConfig {
    /// The block device of root slot A (a partition, written raw).
    pub slot_a: PathBuf,
    /// The block device of root slot B.
    pub slot_b: PathBuf,
    /// Where the EFI system partition is mounted (boot entries, kernels).
    pub esp: PathBuf,
    /// How many boots a new slot gets to come up before the boot loader falls back (1–9).
    pub tries: u32,
    /// The largest bundle accepted, in bytes.
    pub max_bundle_bytes: u64,
    /// How often the updater asks the site server for an update, in seconds.
    pub check_secs: u64,
    /// How long the welcome screen must be untouched before the kiosk lets the updater
    /// restart it into an installed update, in seconds.
    pub quiet_secs: u64,
    /// `idle` (the first quiet moment) or `closed` (a quiet moment while the site is closed).
    pub restart_when: gate::RestartWhen,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            slot_a: "/dev/disk/by-partlabel/kiosk-root-a".into(),
            slot_b: "/dev/disk/by-partlabel/kiosk-root-b".into(),
            esp: "/boot/efi".into(),
            tries: 3,
            max_bundle_bytes: 2 * 1024 * 1024 * 1024,
            check_secs: 900,
            quiet_secs: 120,
            restart_when: gate::RestartWhen::Idle,
        }
    }
}

impl SystemConfig {
    pub fn check(&self) -> Result<(), String> {
        if !(1..=9).contains(&self.tries) {
            return Err(format!("[system] tries = {}: must be 1 to 9", self.tries));
        }
        if !(10..=86_400).contains(&self.check_secs) {
            return Err(format!("[system] check_secs = {}: must be 10 to 86400", self.check_secs));
        }
        if !(10..=3600).contains(&self.quiet_secs) {
            return Err(format!("[system] quiet_secs = {}: must be 10 to 3600", self.quiet_secs));
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Bundle { path: PathBuf, source: mpp_domain::update::BundleError },
    #[error("{path}: the bundle is {actual} bytes, its manifest says {expected}")]
    Length { path: PathBuf, expected: u64, actual: u64 },
    #[error("{path}: the bundle is {size} bytes, more than [system] max_bundle_bytes ({max})")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("{path}: the {part} part's SHA-256 is {actual}, the manifest says {expected} (changed or damaged)")]
    Hash { path: PathBuf, part: &'static str, expected: String, actual: String },
    #[error("{path}: signature refused: {reason}")]
    Signature { path: PathBuf, reason: String },
    #[error(
        "slot {slot} ({path}): after writing, it reads back with SHA-256 {actual}, not {expected}: the slot is not switched to"
    )]
    Readback { slot: &'static str, path: PathBuf, expected: String, actual: String },
    #[error("cannot tell which slot runs: {0}")]
    NoSlot(String),
    #[error("no trusted key: set [sync] public_key (bundles are signed as the catalogue is)")]
    NoKey,
    #[error("asking the site server: {0}")]
    Fetch(String),
}

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> SystemError + '_ {
    move |source| SystemError::Io { path: path.to_owned(), source }
}
