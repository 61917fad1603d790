//! Bookings: the site's policy per service, the days and slots a citizen may book with the
//! places left, a booking taken under every cap at once (slot, service and day, person and
//! day, strikes), found by its code, cancelled, and checked in once. The rules are the
//! domain's (`mpp_domain::booking`); the counting is `db::bookings`'.

use mpp_domain::booking::{BookingCode, BookingPolicy, Nik, NikError, Slot, slots_of_day};
use sha2::Digest;

use crate::db::bookings::{Count, Full, NewBooking};
use crate::db::{self, DbError};

pub use crate::db::bookings::Booking;

use super::App;

/// A citizen's request, as the page or the API takes it.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub site: String,
    pub service: String,
    pub date: jiff::civil::Date,
    /// The slot's start, "HH:MM".
    pub slot: String,
    pub nik: String,
    pub phone: Option<String>,
}

/// Why a booking was not taken: each said to the citizen in their language.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("no site {0}")]
    NoSite(String),
    #[error("{0} takes no bookings")]
    NotBookable(String),
    #[error("no slot {slot} on {date}")]
    NoSlot { date: jiff::civil::Date, slot: String },
    #[error("that day cannot be booked (today to {last})")]
    OutOfRange { last: jiff::civil::Date },
    #[error("the NIK: {0}")]
    Nik(#[from] NikError),
    #[error("the phone number is not one")]
    Phone,
    #[error("full: {0:?}")]
    Full(Full),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl BookError {
    pub fn says(&self, lang: mpp_domain::text::Lang) -> String {
        use mpp_domain::text::Lang::{En, Id};
        match (self, lang) {
            (BookError::Nik(e), _) => e.says(lang),
            (BookError::NoSite(_) | BookError::NotBookable(_), Id) => "Layanan ini tidak menerima booking.".into(),
            (BookError::NoSite(_) | BookError::NotBookable(_), En) => "This service takes no bookings.".into(),
            (BookError::NoSlot { .. }, Id) => "Jam itu tidak tersedia; pilih jam lain.".into(),
            (BookError::NoSlot { .. }, En) => "That time is not offered; choose another.".into(),
            (BookError::OutOfRange { .. }, Id) => "Hari itu belum atau tidak lagi dapat dibooking.".into(),
            (BookError::OutOfRange { .. }, En) => "That day cannot be booked.".into(),
            (BookError::Phone, Id) => "Nomor HP tidak terbaca; tulis seperti 0812 3456 7890, atau kosongkan.".into(),
            (BookError::Phone, En) => {
                "The phone number does not read; write it as 0812 3456 7890, or leave it empty.".into()
            }
            (BookError::Full(Full::Count("slot")), Id) => "Jam itu sudah penuh; pilih jam lain.".into(),
            (BookError::Full(Full::Count("slot")), En) => "That time is full; choose another.".into(),
            // One answer for a NIK's limit and its strikes: a stranger who types someone's NIK
            // learns neither whether it holds a booking nor whether it missed some.
            (BookError::Full(Full::Count("person") | Full::Strikes), Id) => {
                "NIK ini tidak dapat booking untuk hari itu (batas booking per orang). Anda tetap bisa datang langsung."
                    .into()
            }
            (BookError::Full(Full::Count("person") | Full::Strikes), En) => {
                "This NIK cannot book that day (the limit per person). You can still come and queue.".into()
            }
            (BookError::Full(Full::Count(_)), Id) => {
                "Kuota booking hari itu sudah habis; Anda tetap bisa datang langsung.".into()
            }
            (BookError::Full(Full::Count(_)), En) => {
                "That day's bookings are taken; you can still come and queue.".into()
            }
            (BookError::Db(_), Id) => "Server sedang sibuk; coba lagi sebentar lagi.".into(),
            (BookError::Db(_), En) => "The server is busy; try again shortly.".into(),
        }
    }
}

/// A day the citizen may book: its slots with the places left in each.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BookableDay {
    pub date: jiff::civil::Date,
    pub slots: Vec<(Slot, u32)>,
}

pub fn sha256_hex(data: &[u8]) -> String {
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 (RFC 2104): the NIK's keyed hash, so a copy of the database does not give a
/// list of NIKs (16 digits with known structure are easily guessed from a plain hash).
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&sha2::Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = sha2::Sha256::new().chain_update(pad(0x36)).chain_update(data).finalize();
    let outer = sha2::Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// The code's hash as the hub and the kiosks keep it.
pub fn code_hash(code: &BookingCode, site: &str) -> String {
    sha256_hex(code.hash_input(site).as_bytes())
}

/// A phone number as Indonesian gateways take it (62…), or an error; empty is none.
fn phone(typed: Option<&str>) -> Result<Option<String>, BookError> {
    let Some(t) = typed.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    if t.chars().any(|c| !(c.is_ascii_digit() || " +-.()".contains(c))) {
        return Err(BookError::Phone);
    }
    let national = digits.strip_prefix("62").or_else(|| digits.strip_prefix('0')).ok_or(BookError::Phone)?;
    if !(8..=13).contains(&national.len()) || !national.starts_with('8') {
        return Err(BookError::Phone);
    }
    Ok(Some(format!("62{national}")))
}

impl App {
    /// The policy of a site's service (its own, else the site's default); `None`: no bookings.
    pub async fn booking_policy(&self, site: &str, service: &str) -> Result<Option<BookingPolicy>, DbError> {
        Ok(db::bookings::policy(&self.db, site, service).await?.and_then(|v| serde_json::from_value(v).ok()))
    }

    /// A site's catalogue (its services, their requirements): the booking pages show it.
    pub async fn site_feed(&self, site: &str) -> Result<Option<mpp_domain::catalogue::Feed>, DbError> {
        db::sites::feed(&self.db, site).await
    }

    /// The site's services that take bookings (their own policy, else the site's default).
    pub async fn bookable_services(&self, site: &str) -> Result<std::collections::HashSet<String>, DbError> {
        let policies: std::collections::HashMap<String, BookingPolicy> = db::bookings::policies(&self.db, site)
            .await?
            .into_iter()
            .filter_map(|(service, v)| Some((service, serde_json::from_value(v).ok()?)))
            .collect();
        let Some(feed) = db::sites::feed(&self.db, site).await? else { return Ok(Default::default()) };
        Ok(feed
            .services
            .iter()
            .filter(|s| s.active)
            .filter(|s| policies.get(&s.code).or_else(|| policies.get("*")).is_some_and(|p| p.enabled))
            .map(|s| s.code.clone())
            .collect())
    }

    /// Sets or removes (`None`) the policy of `service` ('*': the site's default).
    pub async fn set_booking_policy(
        &self,
        site: &str,
        service: &str,
        policy: Option<&BookingPolicy>,
        now: jiff::Timestamp,
    ) -> Result<(), DbError> {
        let v = policy.map(|p| serde_json::to_value(p).expect("a policy serialises"));
        db::bookings::set_policy(&self.db, site, service, v.as_ref(), now).await
    }

    /// The days from `today` a citizen may book `service` on, with each slot's places left
    /// (full slots and those already begun today are left out).
    pub async fn bookable_days(
        &self,
        site: &str,
        service: &str,
        now: jiff::Timestamp,
    ) -> Result<Vec<BookableDay>, BookError> {
        let feed = db::sites::feed(&self.db, site).await?.ok_or_else(|| BookError::NoSite(site.to_owned()))?;
        let s = feed.service(service).ok_or_else(|| BookError::NotBookable(service.to_owned()))?;
        let policy = self.booking_policy(site, service).await?.filter(|p| p.enabled);
        let Some(policy) = policy else { return Err(BookError::NotBookable(service.to_owned())) };
        let local =
            now.to_zoned_datetime(mpp_domain::hours::zone(&feed.site.time_zone).unwrap_or(jiff::tz::TimeZone::UTC));
        let today = local.date();
        let last = today.checked_add(jiff::Span::new().days(i64::from(policy.days_ahead))).unwrap_or(today);
        let taken = db::bookings::taken(&self.db, site, today, last).await?;
        let mut days = Vec::new();
        for offset in 0..=i64::from(policy.days_ahead) {
            let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else { break };
            let slots = slots_of_day(&feed.site, s, date, &policy);
            if slots.is_empty() {
                continue;
            }
            let day_left = policy
                .day_cap(s.daily_quota)
                .map(|cap| cap.saturating_sub(taken.get(&(date, "day", service.to_owned())).copied().unwrap_or(0)));
            if day_left == Some(0) {
                continue;
            }
            let open: Vec<(Slot, u32)> = slots
                .into_iter()
                .filter(|slot| date > today || slot.starts(date) > local.datetime())
                .map(|slot| {
                    let key = slot_key(service, &slot);
                    let left = u32::from(policy.per_slot)
                        .saturating_sub(taken.get(&(date, "slot", key)).copied().unwrap_or(0));
                    (slot, day_left.map_or(left, |d| left.min(d)))
                })
                .filter(|(_, left)| *left > 0)
                .collect();
            if !open.is_empty() {
                days.push(BookableDay { date, slots: open });
            }
        }
        Ok(days)
    }

    /// The key of the NIK's hash: `[bookings] nik_key_file`, else made once in the database.
    pub(super) async fn nik_key(&self) -> Result<Vec<u8>, DbError> {
        if let Some(path) = &self.bookings.nik_key_file {
            return match std::fs::read(path) {
                Ok(key) if key.len() >= 32 => Ok(key),
                Ok(_) => Err(DbError::row("[bookings] nik_key_file", path.display(), "shorter than 32 bytes")),
                Err(e) => Err(DbError::row("[bookings] nik_key_file", path.display(), e)),
            };
        }
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).expect("the operating system's random source");
        db::bookings::secret(&self.db, "nik", &fresh).await
    }

    /// Takes a booking: the slot must be one the day offers, the NIK plausible, and every
    /// cap have a place (taken in one transaction). Returns the code (shown once: the hub
    /// keeps only its hash) and the booking.
    pub async fn book(&self, req: &BookingRequest, now: jiff::Timestamp) -> Result<(BookingCode, Booking), BookError> {
        let nik = Nik::parse(&req.nik)?;
        let phone = phone(req.phone.as_deref())?;
        let feed = db::sites::feed(&self.db, &req.site).await?.ok_or_else(|| BookError::NoSite(req.site.clone()))?;
        let s = feed.service(&req.service).ok_or_else(|| BookError::NotBookable(req.service.clone()))?;
        let policy = self
            .booking_policy(&req.site, &req.service)
            .await?
            .filter(|p| p.enabled)
            .ok_or_else(|| BookError::NotBookable(req.service.clone()))?;
        let zone = mpp_domain::hours::zone(&feed.site.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let local = now.to_zoned_datetime(zone.clone());
        let last =
            local.date().checked_add(jiff::Span::new().days(i64::from(policy.days_ahead))).unwrap_or(local.date());
        if req.date < local.date() || req.date > last {
            return Err(BookError::OutOfRange { last });
        }
        let slot = slots_of_day(&feed.site, s, req.date, &policy)
            .into_iter()
            .find(|slot| slot.start.to_string() == req.slot)
            .filter(|slot| slot.starts(req.date) > local.datetime())
            .ok_or_else(|| BookError::NoSlot { date: req.date, slot: req.slot.clone() })?;
        // Yesterday's bookings never checked in become no-shows before strikes are counted.
        db::bookings::close_days_before(&self.db, &req.site, local.date(), now).await?;
        let nik_hash = hmac_sha256_hex(&self.nik_key().await?, nik.digits().as_bytes());
        let mut counts = vec![
            Count { scope: "slot", key: slot_key(&req.service, &slot), capacity: i32::from(policy.per_slot) },
            Count { scope: "person", key: nik_hash.clone(), capacity: i32::from(policy.per_person_per_day) },
        ];
        let day_cap = policy.day_cap(s.daily_quota);
        if let Some(cap) = day_cap {
            counts.push(Count {
                scope: "day",
                key: req.service.clone(),
                capacity: i32::try_from(cap).unwrap_or(i32::MAX),
            });
        }
        let strikes = (policy.strikes > 0).then(|| {
            (i64::from(policy.strikes), now - jiff::SignedDuration::from_hours(24 * i64::from(policy.strike_days)))
        });
        // Codes are drawn until one is free (a clash is a one-in-10¹¹ event per booking).
        for _ in 0..4 {
            let mut random = [0u8; 16];
            getrandom::fill(&mut random).expect("the operating system's random source");
            let code = BookingCode::from_random(&random);
            // The booking's own page: a key of 128 bits beside the code.
            let page_key = crate::credential::random_hex(16);
            let b = NewBooking {
                id: crate::credential::random_hex(12),
                site: req.site.clone(),
                service: req.service.clone(),
                date: req.date,
                slot_start: slot.start.to_string(),
                slot_end: slot.end.to_string(),
                slot_at: zone
                    .to_timestamp(slot.starts(req.date))
                    .map_err(|_| BookError::NoSlot { date: req.date, slot: req.slot.clone() })?,
                late_minutes: i32::from(policy.late_minutes),
                code_hash: code_hash(&code, &req.site),
                page_key_hash: sha256_hex(page_key.as_bytes()),
                day_counted: day_cap.is_some(),
                nik_hash: nik_hash.clone(),
                nik_last4: nik.digits()[12..].to_owned(),
                phone: phone.clone(),
            };
            if db::bookings::by_code(&self.db, &b.code_hash).await?.is_some() {
                continue;
            }
            db::bookings::book(&self.db, &b, &counts, strikes, now).await?.map_err(BookError::Full)?;
            let mut stored = db::bookings::by_code(&self.db, &b.code_hash).await?.ok_or(DbError::Unavailable)?;
            stored.page = Some(format!("/b/{}/{}/{page_key}", req.site, code.as_str()));
            // Its reminder waits for the gateway; a gateway that is down delays nothing here.
            if let Err(e) = self.remind_booked(&stored, &code.to_string(), phone.as_deref(), now).await {
                log::warn!("booking {}: its reminder was not queued: {e}", stored.id);
            }
            return Ok((code, stored));
        }
        Err(BookError::Db(DbError::Unavailable))
    }

    /// The booking with `code` at `site`.
    pub async fn booking(&self, site: &str, code: &BookingCode) -> Result<Option<Booking>, DbError> {
        db::bookings::by_code(&self.db, &code_hash(code, site)).await
    }

    /// The booking whose page is `/b/{site}/{code}/{key}`: its code and its page's key.
    pub async fn booking_page(&self, site: &str, code: &BookingCode, key: &str) -> Result<Option<Booking>, DbError> {
        let found = self.booking(site, code).await?;
        Ok(found.filter(|b| key.len() == 32 && b.page_key_hash == sha256_hex(key.as_bytes())))
    }

    /// Cancels a booking still booked whose window has not ended (its places go back);
    /// whether it was.
    pub async fn cancel_booking(&self, site: &str, code: &BookingCode, now: jiff::Timestamp) -> Result<bool, DbError> {
        let Some(b) = self.booking(site, code).await? else { return Ok(false) };
        let nik_hash = db::bookings::nik_hash_of(&self.db, &b.id).await?;
        let mut counts = vec![("slot", format!("{}@{}", b.service, b.slot_start)), ("person", nik_hash)];
        if b.day_counted {
            counts.push(("day", b.service.clone()));
        }
        db::bookings::cancel(&self.db, &b.id, &counts, now).await
    }

    /// A site's bookings of a day (the kiosks' copy, the desk).
    pub async fn bookings_of_day(&self, site: &str, date: jiff::civil::Date) -> Result<Vec<Booking>, DbError> {
        db::bookings::of_day(&self.db, site, date).await
    }
}

/// The count key of a slot: the service and its start.
fn slot_key(service: &str, slot: &Slot) -> String {
    format!("{service}@{}", slot.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_and_phones_read_as_gateways_take_them() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(phone(Some("0812-3456-7890")).unwrap(), Some("6281234567890".into()));
        assert_eq!(phone(Some("+62 812 3456 7890")).unwrap(), Some("6281234567890".into()));
        assert_eq!(phone(Some("")).unwrap(), None);
        assert!(matches!(phone(Some("0411 123456")), Err(BookError::Phone)), "a landline takes no messages");
        assert!(matches!(phone(Some("0812<script>")), Err(BookError::Phone)));
    }
}
