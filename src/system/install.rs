//! Writing a verified bundle: the other slot's old entry is removed first (a half-written
//! slot is never booted), the root file system is streamed into the slot and read back, the
//! kernel and initrd go to the ESP, and only then a new entry with its tries appears (renamed
//! into place, so the boot loader sees the whole entry or none).

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use mpp_domain::update::{LastUpdate, Manifest, PartKind, Slot, UpdateResult};
use sha2::{Digest, Sha256};

use super::bundle::hex;
use super::entries::{self, Entry};
use super::status::{self, Layout};
use super::{SystemError, io};

const CHUNK: usize = 1 << 20;

/// What was installed where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub version: String,
    pub slot: Slot,
    pub entry: String,
}

/// A verified bundle and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The bundle's file, already checked by `bundle::verify`.
    pub bundle: &'a Path,
    /// What `bundle::verify` read from it.
    pub manifest: &'a Manifest,
    pub header_len: usize,
    /// The slot running now: the bundle goes to the other.
    pub running: Slot,
    /// The new entry's boot tries.
    pub tries: u32,
}

/// Installs `job` into the slot that is not running. `progress` hears (written, total).
/// The result is saved as the last update (installed, or failed with why).
pub fn install(
    layout: &Layout,
    job: &Job,
    now: jiff::Timestamp,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Installed, SystemError> {
    let target = job.running.other();
    let result = write(layout, job, progress);
    let last = LastUpdate {
        version: job.manifest.version.clone(),
        result: match &result {
            Ok(_) => UpdateResult::Installed,
            Err(e) => UpdateResult::Failed { reason: e.to_string() },
        },
        at_utc: now,
    };
    status::save(layout, &status::Saved { last, slot: target })?;
    status::writing_done(layout);
    result
}

fn write(layout: &Layout, job: &Job, progress: &mut dyn FnMut(u64, u64)) -> Result<Installed, SystemError> {
    let Job { bundle, manifest, header_len, running, tries } = *job;
    let target = running.other();
    let entries_dir = layout.esp.join("loader/entries");
    let existing = status::entries(&entries_dir)?;
    let running_entry_options = existing
        .iter()
        .filter(|(e, _)| e.slot == running)
        .find_map(|(_, text)| entries::field(text, "options").map(str::to_owned))
        .unwrap_or_default();
    // The slot about to be overwritten must not be booted half-written.
    for (e, _) in existing.iter().filter(|(e, _)| e.slot == target) {
        let p = entries_dir.join(e.file_name());
        fs::remove_file(&p).map_err(io(&p))?;
    }
    sync_dir(&entries_dir)?;
    status::writing_started(layout, &manifest.version)?;

    let total = manifest.payload_size();
    let mut done = 0u64;
    let mut r = BufReader::with_capacity(CHUNK, File::open(bundle).map_err(io(bundle))?);
    r.seek(SeekFrom::Start(header_len as u64)).map_err(io(bundle))?;

    // The root file system, raw into the slot.
    let dev_path = layout.slot(target);
    let mut dev = OpenOptions::new().write(true).open(&dev_path).map_err(io(&dev_path))?;
    let slot_bytes = dev.seek(SeekFrom::End(0)).map_err(io(&dev_path))?;
    manifest.fits(slot_bytes).map_err(|source| SystemError::Bundle { path: bundle.to_owned(), source })?;
    dev.seek(SeekFrom::Start(0)).map_err(io(&dev_path))?;
    let root = manifest.part(PartKind::Root);
    copy_hashed(&mut r, &mut dev, root.size, bundle, &dev_path, root.kind.as_str(), &root.sha256, &mut |n| {
        done += n;
        progress(done, total)
    })?;
    dev.sync_all().map_err(io(&dev_path))?;
    drop(dev);
    let back = hash_prefix(&dev_path, root.size)?;
    if back != root.sha256 {
        return Err(SystemError::Readback {
            slot: target.as_str(),
            path: dev_path,
            expected: root.sha256.clone(),
            actual: back,
        });
    }

    // Its kernel and initrd on the ESP.
    let dir = layout.esp.join("mpp").join(target.as_str());
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    for (kind, name) in [(PartKind::Kernel, "vmlinuz"), (PartKind::Initrd, "initrd.img")] {
        let part = manifest.part(kind);
        let tmp = dir.join(format!("{name}.tmp"));
        let mut f = File::create(&tmp).map_err(io(&tmp))?;
        copy_hashed(&mut r, &mut f, part.size, bundle, &tmp, kind.as_str(), &part.sha256, &mut |n| {
            done += n;
            progress(done, total)
        })?;
        f.sync_all().map_err(io(&tmp))?;
        let dest = dir.join(name);
        fs::rename(&tmp, &dest).map_err(io(&dest))?;
    }
    sync_dir(&dir)?;

    // The entry last: a higher generation than any, so it boots first, with its tries.
    let generation = existing.iter().map(|(e, _)| e.generation).max().unwrap_or(0) + 1;
    let entry = Entry::new(generation, target, tries);
    let text = entries::contents(target, &manifest.version, &running_entry_options);
    let tmp = entries_dir.join(".new-entry.tmp");
    fs::write(&tmp, text).map_err(io(&tmp))?;
    File::open(&tmp).and_then(|f| f.sync_all()).map_err(io(&tmp))?;
    let dest = entries_dir.join(entry.file_name());
    fs::rename(&tmp, &dest).map_err(io(&dest))?;
    sync_dir(&entries_dir)?;
    Ok(Installed { version: manifest.version.clone(), slot: target, entry: entry.file_name() })
}

#[allow(clippy::too_many_arguments)]
fn copy_hashed(
    r: &mut impl Read,
    w: &mut impl Write,
    size: u64,
    from: &Path,
    to: &Path,
    part: &'static str,
    expected: &str,
    step: &mut dyn FnMut(u64),
) -> Result<(), SystemError> {
    let mut buf = vec![0u8; CHUNK];
    let mut hash = Sha256::new();
    let mut left = size;
    while left > 0 {
        let n = r.read(&mut buf[..CHUNK.min(left as usize)]).map_err(io(from))?;
        if n == 0 {
            return Err(SystemError::Io {
                path: from.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the bundle ended early"),
            });
        }
        hash.update(&buf[..n]);
        w.write_all(&buf[..n]).map_err(io(to))?;
        left -= n as u64;
        step(n as u64);
    }
    let actual = hex(&hash.finalize());
    if actual != expected {
        // The file changed between the check and the writing: the slot is not switched to.
        return Err(SystemError::Hash { path: from.to_owned(), part, expected: expected.to_owned(), actual });
    }
    Ok(())
}

/// The SHA-256 of the first `size` bytes at `path` (a slot read back).
fn hash_prefix(path: &Path, size: u64) -> Result<String, SystemError> {
    let mut f = File::open(path).map_err(io(path))?.take(size);
    let mut hash = Sha256::new();
    std::io::copy(&mut f, &mut hash).map_err(io(path))?;
    Ok(hex(&hash.finalize()))
}

fn sync_dir(dir: &Path) -> Result<(), SystemError> {
    // A rename is durable once its directory is (FAT on the ESP included, as far as Linux goes).
    File::open(dir)
        .and_then(|d| d.sync_all())
        .or_else(|e| {
            // Some file systems refuse fsync on a directory; the data itself was synced.
            if e.kind() == std::io::ErrorKind::InvalidInput { Ok(()) } else { Err(e) }
        })
        .map_err(io(dir))
}

/// A temporary path beside `p` (same file system, for rename).
pub fn beside(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
