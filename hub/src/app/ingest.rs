//! A kiosk's upload: the batch checked whole against the kiosk that sent it (its site, its
//! number, `Batch::check`), its times corrected by the kiosk clock's measured error, then
//! stored once; its health report; and what a kiosk that lost its ledger continues from.

use mpp_domain::protocol::{Batch, BatchError, DaySequences, KioskHealth};

use crate::db::sites::KioskId;
use crate::db::uploads::{Stored, Times};
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

/// A kiosk clock's error below this is the network's delay, not the clock: left alone.
pub const CLOCK_SLACK: jiff::SignedDuration = jiff::SignedDuration::from_secs(2);
/// A kiosk clock wrong by more than this has its day wrong too: its times are not
/// corrected (they would move to another day), and the fleet says so loudly.
pub const CLOCK_LIMIT: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// What is added to a kiosk's times, from its clock's measured error.
pub fn correction(measured: jiff::SignedDuration) -> jiff::SignedDuration {
    if measured.abs() > CLOCK_SLACK && measured.abs() <= CLOCK_LIMIT { measured } else { jiff::SignedDuration::ZERO }
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
    /// Checks `batch` against the kiosk that sent it, then stores it in one transaction,
    /// ordered by corrected times: the kiosk's clock is measured by the time it sent the
    /// batch (or, from an older kiosk, taken as last measured).
    pub async fn ingest(&self, kiosk: &KioskId, batch: &Batch, now: jiff::Timestamp) -> Result<Stored, IngestError> {
        check_sender(kiosk, &batch.site, batch.kiosk)?;
        batch.check()?;
        let measured = batch.sent_at_utc.map(|sent| now.duration_since(sent));
        let error = match measured {
            Some(m) => Some(m),
            None => db::uploads::clock_offset(&self.db, kiosk).await?,
        };
        let times = Times { correction: error.map_or(jiff::SignedDuration::ZERO, correction), now };
        Ok(db::uploads::store_batch(&self.db, kiosk, batch, times, measured).await?)
    }

    /// Keeps a kiosk's latest health report (its time corrected as its records' are).
    pub async fn ingest_health(
        &self,
        kiosk: &KioskId,
        h: &KioskHealth,
        now: jiff::Timestamp,
    ) -> Result<(), IngestError> {
        check_sender(kiosk, &h.site, h.kiosk)?;
        let measured = now.duration_since(h.at_utc);
        let times = Times { correction: correction(measured), now };
        let h = KioskHealth {
            at_utc: times.of(h.at_utc),
            printer_at_utc: h.printer_at_utc.map(|t| times.of(t)),
            ..h.clone()
        };
        Ok(db::uploads::store_health(&self.db, kiosk, &h, now, measured).await?)
    }

    /// The last number of each kind `kiosk` gave on `date`, as this server holds them.
    pub async fn day_sequences(&self, kiosk: &KioskId, date: jiff::civil::Date) -> Result<DaySequences, DbError> {
        Ok(DaySequences::of(date, &db::uploads::day_numbers(&self.db, kiosk, date).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kiosk_clock_is_corrected_between_the_networks_delay_and_a_wrong_day() {
        let s = jiff::SignedDuration::from_secs;
        assert_eq!(correction(s(1)), s(0), "the network's delay");
        assert_eq!(correction(s(-300)), s(-300), "five minutes fast");
        assert_eq!(correction(s(300)), s(300), "five minutes slow");
        assert_eq!(correction(s(6 * 86_400)), s(0), "days off: flagged, not corrected");
        let times = Times { correction: s(300), now: "2026-11-30T01:10:00Z".parse().unwrap() };
        assert_eq!(times.of("2026-11-30T01:00:00Z".parse().unwrap()).to_string(), "2026-11-30T01:05:00Z");
        assert_eq!(
            times.of("2027-01-01T00:00:00Z".parse().unwrap()).to_string(),
            "2026-11-30T01:10:00Z",
            "a far-future time is never later than the server's now"
        );
    }
}
