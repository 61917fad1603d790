//! System updates, the rules both halves share: the update bundle's header and manifest (what
//! the image build writes and the kiosk checks), the kiosk's report of its two root slots
//! (carried in its health report), and which kiosk the site server offers a rollout to.
//!
//! A bundle (`mpp-kiosk-VERSION.update`, signed whole by a detached `.minisig`) is
//!
//! ```text
//! mpp-kiosk-update 1\n
//! {manifest as one line of JSON}\n
//! the parts' bytes, in the manifest's order, nothing between and nothing after
//! ```
//!
//! so a kiosk reads the header, then streams each part where it goes while hashing it.

use serde::{Deserialize, Serialize};

/// The first line of every bundle.
pub const MAGIC: &str = "mpp-kiosk-update 1";
/// The header (magic and manifest) is never longer: a bundle that claims more is refused
/// before anything is read into memory.
pub const MAX_HEADER: usize = 16 * 1024;

/// What a bundle carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The system's version, e.g. "0.9.0+20261207.1" (letters, digits, `.+-_~`).
    pub version: String,
    /// When the image build made it.
    pub built_utc: jiff::Timestamp,
    /// Root file system first, then the kernel and the initrd.
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub kind: PartKind,
    /// Bytes.
    pub size: u64,
    /// SHA-256, 64 lowercase hex digits.
    pub sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// The read-only root file system (squashfs), written raw into the inactive slot.
    Root,
    /// The kernel and initrd, written to the EFI system partition beside the slot's entry.
    Kernel,
    Initrd,
}

impl PartKind {
    pub const ORDER: [PartKind; 3] = [PartKind::Root, PartKind::Kernel, PartKind::Initrd];
    pub fn as_str(self) -> &'static str {
        match self {
            PartKind::Root => "root",
            PartKind::Kernel => "kernel",
            PartKind::Initrd => "initrd",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not an update bundle (its first line is not {MAGIC:?})")]
    NotABundle,
    #[error("the bundle's header is longer than {MAX_HEADER} bytes or has no end")]
    HeaderTooLong,
    #[error("the bundle's manifest cannot be read: {0}")]
    Manifest(String),
    #[error("the manifest's version {0:?} is empty, too long or has characters other than letters, digits and .+-_~")]
    Version(String),
    #[error("the manifest must list the parts root, kernel, initrd in that order")]
    Parts,
    #[error("the {part} part is empty")]
    EmptyPart { part: &'static str },
    #[error("the {part} part's sha256 {sha:?} is not 64 lowercase hex digits")]
    Sha { part: &'static str, sha: String },
    #[error("the root file system is {size} bytes and the slot holds {slot}: the slot is too small for this bundle")]
    TooBig { size: u64, slot: u64 },
}

/// Checks a version string (it names files and boot entries, so no path characters).
pub fn check_version(v: &str) -> Result<(), BundleError> {
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars().all(|c| c.is_ascii_alphanumeric() || ".+-_~".contains(c))
        && !v.starts_with('.');
    if ok { Ok(()) } else { Err(BundleError::Version(v.to_owned())) }
}

impl Manifest {
    /// The checks a kiosk makes before trusting the sizes: versions that name files,
    /// the three parts in order, hashes that read.
    pub fn check(&self) -> Result<(), BundleError> {
        check_version(&self.version)?;
        let kinds: Vec<PartKind> = self.parts.iter().map(|p| p.kind).collect();
        if kinds != PartKind::ORDER {
            return Err(BundleError::Parts);
        }
        for p in &self.parts {
            if p.size == 0 {
                return Err(BundleError::EmptyPart { part: p.kind.as_str() });
            }
            if p.sha256.len() != 64 || !p.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return Err(BundleError::Sha { part: p.kind.as_str(), sha: p.sha256.clone() });
            }
        }
        Ok(())
    }

    pub fn part(&self, kind: PartKind) -> &Part {
        self.parts.iter().find(|p| p.kind == kind).expect("checked manifests have every part")
    }

    /// The parts' bytes together (the bundle is the header and these).
    pub fn payload_size(&self) -> u64 {
        self.parts.iter().map(|p| p.size).sum()
    }

    /// Refuses a root file system larger than the slot it would go to.
    pub fn fits(&self, slot_bytes: u64) -> Result<(), BundleError> {
        let size = self.part(PartKind::Root).size;
        if size > slot_bytes { Err(BundleError::TooBig { size, slot: slot_bytes }) } else { Ok(()) }
    }

    /// The header that starts a bundle with this manifest.
    pub fn header(&self) -> Vec<u8> {
        let mut h = format!("{MAGIC}\n").into_bytes();
        h.extend(serde_json::to_vec(self).expect("a manifest serializes"));
        h.push(b'\n');
        h
    }
}

/// Reads the header from the start of a bundle: the manifest (checked) and how many bytes
/// the header takes. `start` may hold more than the header; it must hold all of it (the
/// first `MAX_HEADER` bytes of the file, or the whole file when shorter).
pub fn read_header(start: &[u8]) -> Result<(Manifest, usize), BundleError> {
    let magic = format!("{MAGIC}\n");
    if !start.starts_with(magic.as_bytes()) {
        return Err(BundleError::NotABundle);
    }
    let rest = &start[magic.len()..start.len().min(MAX_HEADER)];
    let end = rest.iter().position(|&b| b == b'\n').ok_or(BundleError::HeaderTooLong)?;
    let manifest: Manifest = serde_json::from_slice(&rest[..end]).map_err(|e| BundleError::Manifest(e.to_string()))?;
    manifest.check()?;
    Ok((manifest, magic.len() + end + 1))
}

/// One of the kiosk's two root file systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    A,
    B,
}

impl Slot {
    pub fn other(self) -> Slot {
        match self {
            Slot::A => Slot::B,
            Slot::B => Slot::A,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::A => "a",
            Slot::B => "b",
        }
    }
    pub fn parse(s: &str) -> Option<Slot> {
        match s {
            "a" | "A" => Some(Slot::A),
            "b" | "B" => Some(Slot::B),
            _ => None,
        }
    }
}

/// How the kiosk's last update went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum UpdateResult {
    /// Written into the other slot; it boots at the next quiet moment.
    Installed,
    /// The new slot booted and the kiosk came up in it (blessed).
    Running,
    /// The new slot used up its tries and the boot loader went back to the old one.
    FellBack,
    /// Refused before a byte was written (signature, hash, size), or writing failed.
    Failed { reason: String },
    /// Writing was cut off (a power cut, a restart): nothing boots the half-written slot,
    /// and the same version is tried again (it is not the bundle's fault).
    Interrupted,
}

impl UpdateResult {
    pub fn is_failure(&self) -> bool {
        matches!(self, UpdateResult::FellBack | UpdateResult::Failed { .. })
    }
}

/// The last update a kiosk tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUpdate {
    pub version: String,
    #[serde(flatten)]
    pub result: UpdateResult,
    pub at_utc: jiff::Timestamp,
}

/// Downloading or writing a bundle, now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub version: String,
    /// "download", "verify" or "write".
    pub phase: String,
    pub done: u64,
    pub total: u64,
}

/// A kiosk's system as it reports it (`mpp-kiosk system status --json`, and in its health
/// report): the slot it runs, the versions in both slots, the last update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemReport {
    pub slot: Slot,
    pub version: String,
    /// The other slot's version, when it holds a bootable one.
    pub other_version: Option<String>,
    pub last: Option<LastUpdate>,
    pub progress: Option<Progress>,
}

/// What the site server offers a kiosk (`GET /api/v1/kiosk/update`; 204 when nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub version: String,
    /// The bundle's length in bytes.
    pub size: u64,
    /// The `.minisig` text: the kiosk checks the bundle against its own trusted keys.
    pub signature: String,
    /// Where to fetch it, on the same server, with the same credential.
    pub path: String,
}

/// Where a kiosk asks what it is offered, beside its upload URL.
pub fn offer_url(upload_url: &str) -> String {
    crate::protocol::beside_upload(upload_url, "kiosk/update")
}

/// Where a kiosk fetches the bundle of `version` it was offered (versions are checked
/// before they name a URL or a file: `[0-9A-Za-z.+_-]`).
pub fn bundle_url(upload_url: &str, version: &str) -> Result<String, BundleError> {
    check_version(version)?;
    Ok(crate::protocol::beside_upload(upload_url, &format!("kiosk/update/{version}")))
}

/// A site's rollout of one stored bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    pub version: String,
    pub stage: Stage,
    /// Paused: no kiosk is offered the bundle (those writing it finish).
    pub paused: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// One kiosk first: the rest wait until it runs the version.
    Pilot {
        kiosk: u8,
    },
    All,
}

/// Whether the site offers `rollout` to `kiosk`, as its last report describes it.
/// A kiosk already running the version, or whose last try of it failed (fell back, or
/// refused it), is not offered it again: a bad bundle must not loop through a kiosk's tries
/// for ever; publishing it anew (a new version) is the way to try again.
pub fn offered(rollout: &Rollout, kiosk: u8, report: Option<&SystemReport>) -> bool {
    if rollout.paused {
        return false;
    }
    if let Stage::Pilot { kiosk: pilot } = rollout.stage
        && pilot != kiosk
    {
        return false;
    }
    let Some(r) = report else { return true };
    if r.version == rollout.version {
        return false;
    }
    if let Some(last) = &r.last
        && last.version == rollout.version
        && (last.result.is_failure() || last.result == UpdateResult::Installed)
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let sha = "ab".repeat(32);
        Manifest {
            version: "1.2.0+20261207".into(),
            built_utc: "2026-12-07T03:00:00Z".parse().unwrap(),
            parts: PartKind::ORDER.iter().map(|&kind| Part { kind, size: 10, sha256: sha.clone() }).collect(),
        }
    }

    #[test]
    fn update_urls_sit_beside_the_upload_url() {
        let up = "https://hub.mpp.example/api/v1/upload";
        assert_eq!(offer_url(up), "https://hub.mpp.example/api/v1/kiosk/update");
        assert_eq!(
            bundle_url(up, "1.2.0+20261207").unwrap(),
            "https://hub.mpp.example/api/v1/kiosk/update/1.2.0+20261207"
        );
        assert!(bundle_url(up, "../../etc/passwd").is_err());
    }

    #[test]
    fn an_interrupted_write_is_offered_again_a_failed_one_is_not() {
        let r = Rollout { version: "2.0".into(), stage: Stage::All, paused: false };
        let with = |result| SystemReport {
            slot: Slot::A,
            version: "1.0".into(),
            other_version: None,
            last: Some(LastUpdate { version: "2.0".into(), result, at_utc: "2026-12-07T03:00:00Z".parse().unwrap() }),
            progress: None,
        };
        assert!(offered(&r, 1, Some(&with(UpdateResult::Interrupted))));
        assert!(!offered(&r, 1, Some(&with(UpdateResult::Failed { reason: "hash".into() }))));
        assert!(!offered(&r, 1, Some(&with(UpdateResult::FellBack))));
    }

    #[test]
    fn a_header_reads_back_with_its_length() {
        let m = manifest();
        let mut file = m.header();
        let len = file.len();
        file.extend([0u8; 30]);
        assert_eq!(read_header(&file).unwrap(), (m.clone(), len));
        assert_eq!(m.payload_size(), 30);
    }

    #[test]
    fn bad_headers_say_what_is_wrong() {
        assert_eq!(read_header(b"PK\x03\x04zip").unwrap_err(), BundleError::NotABundle);
        let mut long = format!("{MAGIC}\n").into_bytes();
        long.extend(vec![b' '; MAX_HEADER]);
        assert_eq!(read_header(&long).unwrap_err(), BundleError::HeaderTooLong);
        assert!(matches!(
            read_header(format!("{MAGIC}\n{{\"version\":1}}\n").as_bytes()),
            Err(BundleError::Manifest(_))
        ));

        let mut m = manifest();
        m.version = "../../etc".into();
        assert_eq!(read_header(&m.header()).unwrap_err(), BundleError::Version("../../etc".into()));
        let mut m = manifest();
        m.parts.swap(0, 1);
        assert_eq!(read_header(&m.header()).unwrap_err(), BundleError::Parts);
        let mut m = manifest();
        m.parts[2].sha256 = "AB".repeat(32);
        assert!(matches!(read_header(&m.header()).unwrap_err(), BundleError::Sha { part: "initrd", .. }));
        let mut m = manifest();
        m.parts[1].size = 0;
        assert_eq!(read_header(&m.header()).unwrap_err(), BundleError::EmptyPart { part: "kernel" });
        assert_eq!(manifest().fits(9).unwrap_err(), BundleError::TooBig { size: 10, slot: 9 });
        assert!(manifest().fits(10).is_ok());
    }

    fn report(version: &str, last: Option<(&str, UpdateResult)>) -> SystemReport {
        SystemReport {
            slot: Slot::A,
            version: version.into(),
            other_version: None,
            last: last.map(|(v, result)| LastUpdate {
                version: v.into(),
                result,
                at_utc: "2026-12-07T03:00:00Z".parse().unwrap(),
            }),
            progress: None,
        }
    }

    #[test]
    fn a_rollout_reaches_the_pilot_first_then_all_and_never_loops_a_failed_version() {
        let mut r = Rollout { version: "2".into(), stage: Stage::Pilot { kiosk: 1 }, paused: false };
        let v1 = report("1", None);
        assert!(offered(&r, 1, Some(&v1)));
        assert!(!offered(&r, 2, Some(&v1)), "only the pilot");
        r.stage = Stage::All;
        assert!(offered(&r, 2, Some(&v1)));
        assert!(offered(&r, 3, None), "a kiosk that never reported");
        assert!(!offered(&r, 1, Some(&report("2", None))), "already runs it");
        assert!(!offered(&r, 2, Some(&report("1", Some(("2", UpdateResult::FellBack))))));
        assert!(!offered(&r, 2, Some(&report("1", Some(("2", UpdateResult::Installed))))), "waits for its reboot");
        let failed = UpdateResult::Failed { reason: "hash".into() };
        assert!(!offered(&r, 2, Some(&report("1", Some(("2", failed))))));
        assert!(offered(&r, 2, Some(&report("1", Some(("0.9", UpdateResult::FellBack))))), "an older failure");
        r.paused = true;
        assert!(!offered(&r, 2, Some(&v1)));
        // A rollback is a rollout of the older version.
        let back = Rollout { version: "1".into(), stage: Stage::All, paused: false };
        assert!(offered(&back, 2, Some(&report("2", Some(("2", UpdateResult::Running))))));
    }

    #[test]
    fn reports_round_trip_as_json() {
        let r = report("1", Some(("2", UpdateResult::Failed { reason: "x".into() })));
        let j = serde_json::to_string(&r).unwrap();
        assert!(j.contains(r#""result":"failed","reason":"x""#), "{j}");
        assert_eq!(serde_json::from_str::<SystemReport>(&j).unwrap(), r);
    }
}
