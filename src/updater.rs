//! The updater: `mpp-kiosk system updater`, a systemd service of its own on A/B images,
//! run as root. Beside `system` (the slots) and `sync` (HTTP to the hub), which it uses. Every `[system] check_secs` it asks the site server what this kiosk is
//! offered (with the kiosk's credential), downloads the bundle onto the data partition,
//! checks it whole (`bundle::verify`: nothing is written before), writes it into the other
//! slot (`install`), and then waits for a quiet moment to restart (`gate`). A bundle
//! installed by hand from a USB stick (`system update FILE --install`) restarts the same way.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mpp_domain::update::{LastUpdate, Offer, Progress, SystemReport, UpdateResult, bundle_url, offer_url};

use crate::sync::SyncConfig;
use crate::sync::fetch::{self, Limits};
use crate::system::status::{self, Layout};
use crate::system::{SystemConfig, SystemError, bundle, gate, install, io};

/// What one round came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Round {
    /// No site server, nothing offered, or the offer is what runs.
    Nothing,
    /// The running slot is on its first boots and not yet counted good: the other slot is
    /// its way back, so nothing is written over it until then.
    NotBlessed,
    /// `version` waits in the other slot for a quiet moment.
    Pending(String),
    /// `version` was refused (signature, hash, size, manifest); it is reported, and the
    /// site server offers it no more.
    Refused { version: String, reason: String },
}

/// The updater's settings and where everything is.
pub struct Updater {
    pub layout: Layout,
    pub system: SystemConfig,
    pub sync: SyncConfig,
}

/// How often progress goes into the published report (the health report reads it).
const PUBLISH_EVERY: Duration = Duration::from_secs(2);

/// The slowest download still waited for: 100 kB/s, and never less than 10 minutes.
fn download_limits(sync: &SyncConfig, size: u64) -> Limits {
    Limits {
        connect: Duration::from_secs(sync.connect_timeout_secs),
        total: Duration::from_secs((size / 100_000).max(600)),
        max_bytes: size,
        ca_file: sync.ca_file.clone(),
    }
}

/// The version an earlier round (or a technician) installed, waiting for its first boot.
pub fn pending(r: &SystemReport) -> Option<String> {
    let last = r.last.as_ref()?;
    (last.result == UpdateResult::Installed
        && r.version != last.version
        && r.other_version.as_deref() == Some(last.version.as_str()))
    .then(|| last.version.clone())
}

impl Updater {
    /// Where bundles are downloaded: the data partition, root's only.
    pub fn download_dir(&self) -> PathBuf {
        self.layout.state_dir.join("update")
    }

    /// One round: the report published, then a pending restart, or the site server's offer
    /// fetched, checked and installed.
    pub fn round(&self, now: jiff::Timestamp) -> Result<Round, SystemError> {
        let report = status::report(&self.layout, now)?;
        status::publish(&self.layout.state_dir, &report)?;
        if let Some(v) = pending(&report) {
            return Ok(Round::Pending(v));
        }
        let (Some(upload_url), Some(token_file)) = (&self.sync.upload_url, &self.sync.upload_token_file) else {
            return Ok(Round::Nothing);
        };
        let token = fetch::read_token_file(token_file)
            .map_err(|e| SystemError::Fetch(format!("[sync] upload_token_file {e}")))?;
        let url = offer_url(upload_url);
        let offer: Option<Offer> = fetch::get_optional_with_token(&url, &token, crate::sync::limits(&self.sync))
            .map_err(|e| SystemError::Fetch(e.to_string()))?;
        let Some(offer) = offer else { return Ok(Round::Nothing) };
        // The site server's own rule (mpp_domain::update::offered) says the same; a server
        // that forgets it must not loop a kiosk through a bundle that failed.
        if offer.version == report.version
            || report.last.as_ref().is_some_and(|l| l.version == offer.version && l.result.is_failure())
        {
            return Ok(Round::Nothing);
        }
        if !status::running_blessed(&self.layout, report.slot)? {
            return Ok(Round::NotBlessed);
        }
        if offer.size > self.system.max_bundle_bytes {
            return self.refuse(
                &report,
                &offer.version,
                format!("{} bytes, more than [system] max_bundle_bytes ({})", offer.size, self.system.max_bundle_bytes),
                now,
            );
        }
        let file = self.download(&offer, upload_url, &token, &report)?;
        self.install_downloaded(&file, &offer, &report, now)
    }

    /// Downloads `offer` to the data partition (a `.part` file renamed when whole); a whole
    /// file from an earlier round is used again.
    fn download(
        &self,
        offer: &Offer,
        upload_url: &str,
        token: &str,
        report: &SystemReport,
    ) -> Result<PathBuf, SystemError> {
        let dir = self.download_dir();
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(io(&dir))?;
        }
        let name = format!("{}.update", offer.version);
        let whole = dir.join(&name);
        // Older downloads go: the data partition holds one bundle at a time.
        for f in fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
            if f.file_name().to_str() != Some(name.as_str()) {
                let _ = fs::remove_file(f.path());
            }
        }
        if fs::metadata(&whole).is_ok_and(|m| m.len() == offer.size) {
            return Ok(whole);
        }
        let url = bundle_url(upload_url, &offer.version)
            .map_err(|e| SystemError::Fetch(format!("the offer's version {:?}: {e}", offer.version)))?;
        let part = install::beside(&whole, ".part");
        let mut out = fs::File::create(&part).map_err(io(&part))?;
        let t = Instant::now();
        let mut publish = self.progress_publisher(report, &offer.version, "download", offer.size);
        let got = fetch::download_with_token(
            &url,
            token,
            download_limits(&self.sync, offer.size),
            offer.size,
            &mut out,
            &mut |done| publish(done),
        );
        if let Err(e) = got {
            drop(out);
            let _ = fs::remove_file(&part);
            return Err(SystemError::Fetch(e.to_string()));
        }
        out.sync_all().map_err(io(&part))?;
        fs::rename(&part, &whole).map_err(io(&whole))?;
        log::info!("update {}: {} bytes downloaded in {:.1} s", offer.version, offer.size, t.elapsed().as_secs_f64());
        Ok(whole)
    }

    /// Checks the downloaded bundle whole, then writes it into the other slot. A bundle
    /// that is not what was signed is refused and reported; the file goes either way.
    fn install_downloaded(
        &self,
        file: &Path,
        offer: &Offer,
        report: &SystemReport,
        now: jiff::Timestamp,
    ) -> Result<Round, SystemError> {
        let keys: Vec<String> = self.sync.keys().into_iter().map(str::to_owned).collect();
        let mut publish = self.progress_publisher(report, &offer.version, "verify", offer.size);
        let checked =
            bundle::verify(file, &offer.signature, &keys, self.system.max_bundle_bytes, &mut |done, _| publish(done));
        let manifest = match checked {
            Ok(m) => m,
            // The disk, or a file cut short: not the bundle's fault; tried again next round.
            Err(e @ (SystemError::Io { .. } | SystemError::Length { .. } | SystemError::NoKey)) => {
                let _ = fs::remove_file(file);
                return Err(e);
            }
            Err(e) => {
                let _ = fs::remove_file(file);
                return self.refuse(report, &offer.version, e.to_string(), now);
            }
        };
        if manifest.version != offer.version {
            let _ = fs::remove_file(file);
            let reason = format!("the bundle says version {}, the offer {}", manifest.version, offer.version);
            return self.refuse(report, &offer.version, reason, now);
        }
        let (_, header_len) = bundle::manifest(file)?;
        let job = install::Job {
            bundle: file,
            manifest: &manifest,
            header_len,
            running: report.slot,
            tries: self.system.tries,
        };
        let mut publish = self.progress_publisher(report, &offer.version, "write", manifest.payload_size());
        let t = Instant::now();
        let done = install::install(&self.layout, &job, now, &mut |done, _| publish(done));
        let _ = fs::remove_file(file);
        let after = status::report(&self.layout, now)?;
        status::publish(&self.layout.state_dir, &after)?;
        let done = done?;
        log::info!(
            "update {} written into slot {} ({}) in {:.1} s; it starts at the next quiet moment",
            done.version,
            done.slot.as_str().to_uppercase(),
            done.entry,
            t.elapsed().as_secs_f64()
        );
        Ok(Round::Pending(done.version))
    }

    fn refuse(
        &self,
        report: &SystemReport,
        version: &str,
        reason: String,
        now: jiff::Timestamp,
    ) -> Result<Round, SystemError> {
        log::error!("update {version} refused: {reason}");
        let last = LastUpdate {
            version: version.to_owned(),
            result: UpdateResult::Failed { reason: reason.clone() },
            at_utc: now,
        };
        status::save(&self.layout, &status::Saved { last, slot: report.slot.other() })?;
        let after = status::report(&self.layout, now)?;
        status::publish(&self.layout.state_dir, &after)?;
        Ok(Round::Refused { version: version.to_owned(), reason })
    }

    /// A callback that publishes the report with this phase's progress, now and then.
    fn progress_publisher<'a>(
        &'a self,
        report: &'a SystemReport,
        version: &'a str,
        phase: &'a str,
        total: u64,
    ) -> impl FnMut(u64) + 'a {
        let mut last: Option<Instant> = None;
        move |done| {
            if last.is_some_and(|t| t.elapsed() < PUBLISH_EVERY) && done < total {
                return;
            }
            last = Some(Instant::now());
            let mut r = report.clone();
            r.progress = Some(Progress { version: version.to_owned(), phase: phase.to_owned(), done, total });
            if let Err(e) = status::publish(&self.layout.state_dir, &r) {
                log::warn!("the update's progress is not published: {e}");
            }
        }
    }

    /// Asks the kiosk for a quiet moment and waits for it: the kiosk says it is quiet, or its
    /// screen is not running at all (`kiosk_running` says; nobody can be at it then).
    /// Returns why it may restart now.
    pub fn wait_for_quiet(&self, version: &str, kiosk_running: &dyn Fn() -> bool) -> Result<&'static str, SystemError> {
        let dir = &self.layout.state_dir;
        gate::clear(dir);
        let wanted = gate::Wanted { version: version.to_owned(), boot_id: gate::boot_id(&self.layout.boot_id) };
        log::info!("update {version} is installed: waiting for a quiet moment to restart");
        loop {
            gate::want(dir, &wanted).map_err(io(dir))?;
            if gate::is_ready(dir, crate::clock::file_clock()) {
                return Ok("the kiosk is quiet");
            }
            if !kiosk_running() {
                return Ok("the kiosk's screen is not running");
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }
}
