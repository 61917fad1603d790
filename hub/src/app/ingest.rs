//! A kiosk's upload: the batch checked whole against the kiosk that sent it (its site, its
//! number, `Batch::check`), then stored once; and its health report.

use mpp_domain::protocol::{Batch, BatchError, KioskHealth};

use crate::db::sites::KioskId;
use crate::db::uploads::Stored;
use crate::db::{self, DbError};

use super::App;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Invalid(#[from] BatchError),
    #[error("this kiosk is enrolled at site {enrolled:?}, not {claimed:?}")]
    OtherSite { enrolled: String, claimed: String },
    #[error("this credential belongs to kiosk {enrolled}, not kiosk {claimed}")]
    OtherKiosk { enrolled: u8, claimed: u8 },
    #[error(transparent)]
    Db(#[from] DbError),
}

fn check_sender(kiosk: &KioskId, site: &str, number: u8) -> Result<(), IngestError> {
    if site != kiosk.site {
        return Err(IngestError::OtherSite { enrolled: kiosk.site.clone(), claimed: site.to_owned() });
    }
    if number != kiosk.number {
        return Err(IngestError::OtherKiosk { enrolled: kiosk.number, claimed: number });
    }
    Ok(())
}

impl App {
    /// Checks `batch` against the kiosk that sent it, then stores it in one transaction.
    pub async fn ingest(&self, kiosk: &KioskId, batch: &Batch, now: jiff::Timestamp) -> Result<Stored, IngestError> {
        check_sender(kiosk, &batch.site, batch.kiosk)?;
        batch.check()?;
        Ok(db::uploads::store_batch(&self.db, kiosk, batch, now).await?)
    }

    /// Keeps a kiosk's latest health report.
    pub async fn ingest_health(
        &self,
        kiosk: &KioskId,
        h: &KioskHealth,
        now: jiff::Timestamp,
    ) -> Result<(), IngestError> {
        check_sender(kiosk, &h.site, h.kiosk)?;
        Ok(db::uploads::store_health(&self.db, kiosk, h, now).await?)
    }
}
