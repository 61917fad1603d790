//! Which slot runs, what the other holds, and how the last update went: read from the
//! kernel's command line, the boot entries on the ESP and the kiosk's saved state (on the
//! data partition, so it outlives both slots).

use std::fs;
use std::path::{Path, PathBuf};

use mpp_domain::update::{LastUpdate, Slot, SystemReport, UpdateResult};
use serde::{Deserialize, Serialize};

use super::entries::{self, Entry};
use super::{SystemConfig, SystemError, io};

/// Where everything is; tests point it at temporary files.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub slot_a: PathBuf,
    pub slot_b: PathBuf,
    pub esp: PathBuf,
    /// The kiosk's state folder (the data partition): the saved update state.
    pub state_dir: PathBuf,
    /// `/proc/cmdline`.
    pub cmdline: PathBuf,
    /// The running root's version (written by the image build).
    pub release: PathBuf,
    /// `/proc/sys/kernel/random/boot_id`: a write interrupted in an earlier boot is over.
    pub boot_id: PathBuf,
}

/// The running root's version file, written by deploy/image/build.sh.
pub const RELEASE_FILE: &str = "/usr/lib/mpp-kiosk/system-version";

impl Layout {
    pub fn new(config: &SystemConfig, state_dir: &Path) -> Layout {
        Layout {
            slot_a: config.slot_a.clone(),
            slot_b: config.slot_b.clone(),
            esp: config.esp.clone(),
            state_dir: state_dir.to_owned(),
            cmdline: "/proc/cmdline".into(),
            release: RELEASE_FILE.into(),
            boot_id: "/proc/sys/kernel/random/boot_id".into(),
        }
    }

    pub fn slot(&self, s: Slot) -> PathBuf {
        match s {
            Slot::A => self.slot_a.clone(),
            Slot::B => self.slot_b.clone(),
        }
    }

    fn saved_path(&self) -> PathBuf {
        self.state_dir.join("system-update.json")
    }

    fn writing_path(&self) -> PathBuf {
        self.state_dir.join("system-update.writing")
    }
}

/// The last update as the kiosk keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub last: LastUpdate,
    /// The slot it went to.
    pub slot: Slot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Writing {
    version: String,
    boot_id: String,
}

pub fn save(layout: &Layout, saved: &Saved) -> Result<(), SystemError> {
    let p = layout.saved_path();
    let tmp = super::install::beside(&p, ".tmp");
    fs::write(&tmp, serde_json::to_vec_pretty(saved).expect("serializes")).map_err(io(&tmp))?;
    fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io(&tmp))?;
    fs::rename(&tmp, &p).map_err(io(&p))?;
    fs::File::open(&layout.state_dir).and_then(|d| d.sync_all()).map_err(io(&layout.state_dir))
}

fn load(layout: &Layout) -> Option<Saved> {
    let text = fs::read(layout.saved_path()).ok()?;
    match serde_json::from_slice(&text) {
        Ok(s) => Some(s),
        Err(e) => {
            log::warn!("{}: unreadable, ignored: {e}", layout.saved_path().display());
            None
        }
    }
}

fn boot_id(layout: &Layout) -> String {
    fs::read_to_string(&layout.boot_id).map(|s| s.trim().to_owned()).unwrap_or_default()
}

pub(super) fn writing_started(layout: &Layout, version: &str) -> Result<(), SystemError> {
    let p = layout.writing_path();
    let w = Writing { version: version.to_owned(), boot_id: boot_id(layout) };
    fs::write(&p, serde_json::to_vec(&w).expect("serializes")).map_err(io(&p))?;
    // On disk before the first byte of the slot is: a power cut mid-write must find it
    // (the update test cuts the power 2 s in; ext4 commits every 5 s).
    fs::File::open(&p).and_then(|f| f.sync_all()).map_err(io(&p))?;
    fs::File::open(&layout.state_dir).and_then(|d| d.sync_all()).map_err(io(&layout.state_dir))
}

pub(super) fn writing_done(layout: &Layout) {
    let _ = fs::remove_file(layout.writing_path());
    let _ = fs::File::open(&layout.state_dir).and_then(|d| d.sync_all());
}

/// The entries of the two slots on the ESP, with their text (others are left alone).
pub fn entries(dir: &Path) -> Result<Vec<(Entry, String)>, SystemError> {
    let mut out = Vec::new();
    let list = match fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(SystemError::Io { path: dir.to_owned(), source: e }),
    };
    for f in list {
        let f = f.map_err(io(dir))?;
        if let Some(e) = f.file_name().to_str().and_then(Entry::parse) {
            let text = fs::read_to_string(f.path()).map_err(io(&f.path()))?;
            out.push((e, text));
        }
    }
    out.sort_by_key(|(e, _)| std::cmp::Reverse(e.generation));
    Ok(out)
}

/// The slot the kernel was booted from.
pub fn running(layout: &Layout) -> Result<Slot, SystemError> {
    let cmdline = fs::read_to_string(&layout.cmdline).map_err(io(&layout.cmdline))?;
    entries::running_slot(&cmdline)
        .ok_or_else(|| SystemError::NoSlot(format!("{} has no mpp.slot=a or mpp.slot=b", layout.cmdline.display())))
}

/// Whether `running`'s newest entry is counted good (blessed, or booted without counting):
/// until it is, the other slot is the way back and must not be written over.
pub fn running_blessed(layout: &Layout, running: Slot) -> Result<bool, SystemError> {
    let all = entries(&layout.esp.join("loader/entries"))?;
    Ok(all.iter().find(|(e, _)| e.slot == running).is_none_or(|(e, _)| e.is_blessed()))
}

/// The system's report; a change seen since the last look (the new slot came up, or the
/// boot loader fell back, or a write was cut off) is saved, so it is reported after the
/// entries change again.
pub fn report(layout: &Layout, now: jiff::Timestamp) -> Result<SystemReport, SystemError> {
    let slot = running(layout)?;
    let version = fs::read_to_string(&layout.release).map(|v| v.trim().to_owned()).unwrap_or_else(|_| "unknown".into());
    let all = entries(&layout.esp.join("loader/entries"))?;
    let other = all.iter().find(|(e, _)| e.slot == slot.other());
    let other_version =
        other.filter(|(e, _)| !e.is_bad()).and_then(|(_, text)| entries::field(text, "version").map(str::to_owned));

    let mut saved = load(layout);
    if let Ok(text) = fs::read(layout.writing_path())
        && let Ok(w) = serde_json::from_slice::<Writing>(&text)
        && w.boot_id != boot_id(layout)
    {
        // Cut off by a power cut or a kill: its slot has no entry, nothing boots it.
        log::warn!("update {}: writing it was cut off (power or restart); it is written again", w.version);
        let s = Saved {
            last: LastUpdate { version: w.version, result: UpdateResult::Interrupted, at_utc: now },
            slot: slot.other(),
        };
        save(layout, &s)?;
        writing_done(layout);
        saved = Some(s);
    }
    if let Some(s) = &mut saved
        && s.last.result == UpdateResult::Installed
    {
        let entry = all.iter().find(|(e, _)| e.slot == s.slot).map(|(e, _)| *e);
        let next = match entry {
            Some(e) if slot == s.slot && version == s.last.version && e.is_blessed() => Some(UpdateResult::Running),
            Some(e) if slot != s.slot && e.is_bad() => Some(UpdateResult::FellBack),
            None => Some(UpdateResult::Failed { reason: "its boot entry is gone".into() }),
            _ => None,
        };
        if let Some(result) = next {
            s.last.result = result;
            s.last.at_utc = now;
            save(layout, s)?;
        }
    }
    Ok(SystemReport { slot, version, other_version, last: saved.map(|s| s.last), progress: None })
}

/// The report as last written by the updater (`publish`), for the kiosk's health report:
/// the kiosk itself runs without the rights to read slots or rename state.
pub fn published(state_dir: &Path) -> Option<SystemReport> {
    let text = fs::read(state_dir.join(PUBLISHED)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Writes `report` where [`published`] reads it (readable by the kiosk's user).
pub fn publish(state_dir: &Path, report: &SystemReport) -> Result<(), SystemError> {
    let p = state_dir.join(PUBLISHED);
    let tmp = super::install::beside(&p, ".tmp");
    fs::write(&tmp, serde_json::to_vec_pretty(report).expect("serializes")).map_err(io(&tmp))?;
    fs::rename(&tmp, &p).map_err(io(&p))
}

const PUBLISHED: &str = "system-report.json";
