//! System updates: the bundles the hub holds, each site's staged rollout (a pilot kiosk,
//! then all; paused; an older version rolled out is the roll back), and the offer a kiosk
//! fetches with its credential. The kiosk checks the signature; the hub checks that what it
//! stores and serves is a bundle, whole.

use std::path::{Path, PathBuf};

use mpp_domain::update::{MAX_HEADER, Offer, Rollout, Stage, SystemReport, offered, read_header};

use super::App;
use crate::db::sites::KioskId;
use crate::db::{self, DbError, updates::Bundle};

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("no bundle {0:?} here: `mpp-hub update add FILE` first (`mpp-hub update list` shows them)")]
    NoBundle(String),
    #[error("no kiosk {kiosk} at site {site}")]
    NoKiosk { site: String, kiosk: u8 },
    #[error("site {0} has no rollout")]
    NoRollout(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl App {
    /// The bundle file of `version` (its name is checked: versions name files).
    pub fn bundle_path(&self, version: &str) -> Option<PathBuf> {
        mpp_domain::update::check_version(version).ok()?;
        Some(self.updates.dir.join(format!("{version}.update")))
    }

    /// Takes a bundle and its signature (`FILE.minisig`) into `[updates] dir` and lists it.
    pub async fn add_bundle(&self, file: &Path, now: jiff::Timestamp) -> Result<Bundle, UpdateError> {
        let bad = |reason: String| UpdateError::File { path: file.to_owned(), reason };
        let mut start = Vec::new();
        {
            use std::io::Read;
            let f = std::fs::File::open(file).map_err(|e| bad(e.to_string()))?;
            f.take(MAX_HEADER as u64).read_to_end(&mut start).map_err(|e| bad(e.to_string()))?;
        }
        let (manifest, header) = read_header(&start).map_err(|e| bad(e.to_string()))?;
        let size = std::fs::metadata(file).map_err(|e| bad(e.to_string()))?.len();
        let expected = header as u64 + manifest.payload_size();
        if size != expected {
            return Err(bad(format!("{size} bytes, its manifest says {expected}: not whole")));
        }
        let sig_path = PathBuf::from(format!("{}.minisig", file.display()));
        let signature = std::fs::read_to_string(&sig_path)
            .map_err(|e| UpdateError::File { path: sig_path.clone(), reason: format!("its signature: {e}") })?;
        std::fs::create_dir_all(&self.updates.dir)
            .map_err(|e| UpdateError::File { path: self.updates.dir.clone(), reason: e.to_string() })?;
        let dest = self.bundle_path(&manifest.version).expect("a checked manifest's version names a file");
        let tmp = dest.with_extension("update.part");
        std::fs::copy(file, &tmp).map_err(|e| UpdateError::File { path: tmp.clone(), reason: e.to_string() })?;
        std::fs::rename(&tmp, &dest).map_err(|e| UpdateError::File { path: dest.clone(), reason: e.to_string() })?;
        let b = Bundle { version: manifest.version, size, signature, built_at: manifest.built_utc };
        db::updates::add_bundle(&self.db, &b, now).await?;
        Ok(b)
    }

    pub async fn bundles(&self) -> Result<Vec<Bundle>, UpdateError> {
        Ok(db::updates::bundles(&self.db).await?)
    }

    /// Rolls `version` out at `site`: to `pilot` alone, or to every kiosk.
    pub async fn roll_out(
        &self,
        site: &str,
        version: &str,
        pilot: Option<u8>,
        now: jiff::Timestamp,
    ) -> Result<Rollout, UpdateError> {
        if let Some(k) = pilot
            && !db::fleet::kiosks(&self.db, Some(site), now).await?.iter().any(|r| r.facts.kiosk == k)
        {
            return Err(UpdateError::NoKiosk { site: site.to_owned(), kiosk: k });
        }
        let r = Rollout {
            version: version.to_owned(),
            stage: pilot.map_or(Stage::All, |kiosk| Stage::Pilot { kiosk }),
            paused: false,
        };
        if !db::updates::set_rollout(&self.db, site, &r, now).await? {
            return Err(UpdateError::NoBundle(version.to_owned()));
        }
        Ok(r)
    }

    /// Pauses (or resumes) `site`'s rollout: no kiosk is offered the bundle meanwhile.
    pub async fn pause_rollout(&self, site: &str, paused: bool, now: jiff::Timestamp) -> Result<Rollout, UpdateError> {
        let mut r =
            db::updates::rollout(&self.db, site).await?.ok_or_else(|| UpdateError::NoRollout(site.to_owned()))?;
        r.paused = paused;
        db::updates::set_rollout(&self.db, site, &r, now).await?;
        Ok(r)
    }

    pub async fn rollout(&self, site: &str) -> Result<Option<Rollout>, UpdateError> {
        Ok(db::updates::rollout(&self.db, site).await?)
    }

    /// What `kiosk` is offered now, as its last health report describes it.
    pub async fn offer(&self, kiosk: &KioskId) -> Result<Option<Offer>, UpdateError> {
        let Some(r) = db::updates::rollout(&self.db, &kiosk.site).await? else { return Ok(None) };
        let report: Option<SystemReport> = db::updates::kiosk_system(&self.db, &kiosk.site, kiosk.number)
            .await?
            .and_then(|v| serde_json::from_value(v).ok());
        if !offered(&r, kiosk.number, report.as_ref()) {
            return Ok(None);
        }
        let Some(b) = db::updates::bundle(&self.db, &r.version).await? else { return Ok(None) };
        Ok(Some(Offer {
            path: format!("/api/v1/kiosk/update/{}", b.version),
            version: b.version,
            size: b.size,
            signature: b.signature,
        }))
    }
}
