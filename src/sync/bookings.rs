//! The site's bookings of the day from the site server, kept in the kiosk's database: in
//! every sync round, and right before a check-in (with the short timeout a citizen can
//! wait), so a booking made minutes ago is known and one checked in elsewhere is refused;
//! with the network cut, the last copy checks citizens in.

use super::SyncError;
use super::fetch::Limits;
use super::settings::SyncConfig;
use crate::store::Store;

/// Refreshes the copy of `date`'s bookings; `Ok(false)` without a site server.
pub fn fetch_day(
    store: &mut Store,
    cfg: &SyncConfig,
    date: jiff::civil::Date,
    limits: Limits,
) -> Result<bool, SyncError> {
    let (Some(url), Some(path)) = (&cfg.upload_url, &cfg.upload_token_file) else { return Ok(false) };
    let token = super::fetch::read_token_file(path).map_err(|reason| SyncError::Network {
        url: url.clone(),
        reason: format!("[sync] upload_token_file {reason}"),
    })?;
    let url = crate::protocol::bookings_url(url, date);
    let day: crate::protocol::DayBookings = super::fetch::get_with_token(&url, &token, limits)?;
    if day.date != date {
        return Err(SyncError::Answer { url, reason: format!("it describes {}, not {date}", day.date) });
    }
    store.set_day_bookings(&day)?;
    Ok(true)
}

/// The hash a booking's code is kept and listed as (the hub computes the same).
pub fn code_hash(code: &mpp_domain::booking::BookingCode, site: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, code.hash_input(site).as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
