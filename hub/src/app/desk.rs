//! The reception desk: a number for a citizen who cannot use the kiosk or when its printer
//! is down (the kiosk's rules: hours, breaks, quota), a booking checked in by its code or
//! found by the citizen's NIK (the domain's rule, as at the kiosk), a slip printed again,
//! today's bookings by slot. Slips are the kiosk's own (`mpp_domain::slip`), sent to the
//! desk's network printer when `[desk] printer` names one.

use mpp_domain::booking::{BookingCode, CheckIn, CheckInRefusal, Nik, NikError};
use mpp_domain::catalogue::Feed;
use mpp_domain::slip;
use mpp_domain::text::Lang;
use mpp_domain::tickets::{Ahead, Priority, Refusal};

use super::App;
use crate::db::desk::{DeskIssue, StoredTicket};
use crate::db::{self, DbError};

/// A number the desk gave (or printed again), as the desk's screen shows it.
#[derive(Debug, Clone)]
pub struct DeskNumber {
    pub number: String,
    pub service_name: String,
    /// Where to go: "Loket 1 · Disdukcapil".
    pub counter: String,
    pub people_ahead: u32,
    /// A booking's slot ("09.15–09.30 WITA"), when it kept its place.
    pub booked: Option<String>,
    /// A booking checked in after its window: a walk-in number, said so.
    pub late: bool,
    /// How the slip went: `None` when the desk has no printer.
    pub printed: Option<Result<(), String>>,
}

/// Why the desk gave no number.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no site {0}")]
    NoSite(String),
    #[error("no service {0}")]
    NoService(String),
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error("check-in refused: {0:?}")]
    CheckIn(CheckInRefusal),
    #[error("the NIK: {0}")]
    Nik(#[from] NikError),
    #[error("no ticket {0} today")]
    NoTicket(String),
    #[error("the desk's numbers of the day are used up")]
    NumbersUsedUp,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl DeskError {
    /// What the desk's screen says (Indonesian: the desk's staff).
    pub fn says(&self) -> String {
        match self {
            DeskError::NoSite(_) => "MPP ini tidak ada di server.".into(),
            DeskError::NoService(s) => format!("Layanan {s} tidak ada di katalog."),
            DeskError::Refused(r) => r.message(Lang::Id),
            DeskError::CheckIn(r) => r.says(Lang::Id),
            DeskError::Nik(e) => e.says(Lang::Id),
            DeskError::NoTicket(n) => format!("Tidak ada nomor {n} hari ini."),
            DeskError::NumbersUsedUp => "Nomor meja untuk layanan ini hari ini sudah habis (999).".into(),
            DeskError::Db(_) => "Server sedang sibuk; coba lagi sebentar lagi.".into(),
        }
    }
}

/// How the desk finds a booking.
pub enum Find<'a> {
    /// The code as read or typed.
    Code(&'a str),
    /// One of the bookings the desk listed for a NIK.
    Id(&'a str),
}

impl App {
    async fn desk_feed(&self, site: &str) -> Result<Feed, DeskError> {
        db::sites::feed(&self.db, site).await?.ok_or_else(|| DeskError::NoSite(site.to_owned()))
    }

    /// A walk-in number for `service` now, under the kiosk's rules; printed when the desk
    /// has a printer.
    pub async fn desk_issue(
        &self,
        site: &str,
        service: &str,
        priority: Option<Priority>,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<DeskNumber, DeskError> {
        self.desk_number(site, service, priority, None, by, now).await
    }

    async fn desk_number(
        &self,
        site: &str,
        service: &str,
        priority: Option<Priority>,
        booking: Option<(&str, Option<(jiff::Timestamp, String)>)>,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<DeskNumber, DeskError> {
        let feed = self.desk_feed(site).await?;
        let s = feed.service(service).ok_or_else(|| DeskError::NoService(service.to_owned()))?;
        let agency = feed.agency(&s.agency).ok_or_else(|| DeskError::NoService(service.to_owned()))?;
        let local = local(&feed, now);
        // A booking is counted in its share, not against walk-ins (as at the kiosk).
        let counted = match booking {
            Some(_) => 0,
            None => db::desk::counted_for_walk_ins(&self.db, site, service, local.date(), now).await?,
        };
        mpp_domain::tickets::check_issuable(&feed.site, s, agency.active, &local.datetime(), counted)
            .map_err(DeskError::Refused)?;
        let (booking_id, slot) = match booking {
            Some((id, slot)) => (Some(id), slot),
            None => (None, None),
        };
        let id = crate::credential::random_hex(16);
        let d = DeskIssue {
            site,
            service,
            agency: &agency.code,
            prefix: &s.ticket_prefix,
            priority,
            local_date: local.date(),
            booking: booking_id.map(|id| (id, slot.as_ref().map(|(at, _)| *at))),
            by,
        };
        let t = match db::desk::issue(&self.db, &d, &id, now).await? {
            db::desk::Issued::Ticket(t) => t,
            db::desk::Issued::BookingTaken => return Err(DeskError::CheckIn(CheckInRefusal::Used { number: None })),
            db::desk::Issued::NumbersUsedUp => return Err(DeskError::NumbersUsedUp),
        };
        let booked = slot.map(|(_, label)| label);
        let late = booking_id.is_some() && booked.is_none();
        let stored = db::desk::ticket(&self.db, site, local.date(), &t.number)
            .await?
            .ok_or_else(|| DeskError::NoTicket(t.number.clone()))?;
        let printed = self.print_at_desk(&feed, &stored, booked.clone(), false).await;
        Ok(DeskNumber {
            number: t.number,
            service_name: s.name.in_lang(Lang::Id).to_owned(),
            counter: s.counter.in_lang(Lang::Id).to_owned(),
            people_ahead: t.people_ahead,
            booked,
            late,
            printed,
        })
    }

    /// Checks a booking in at the desk: by the domain's rule, as the kiosk does (early: when
    /// to come back; late: a walk-in number; used, cancelled or unknown: refused).
    pub async fn desk_check_in(
        &self,
        site: &str,
        find: Find<'_>,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<DeskNumber, DeskError> {
        let feed = self.desk_feed(site).await?;
        let found = match find {
            Find::Code(typed) => {
                let code = BookingCode::parse(typed).ok_or(DeskError::CheckIn(CheckInRefusal::Unknown))?;
                db::desk::booking(&self.db, site, None, Some(&super::bookings::code_hash(&code, site))).await?
            }
            Find::Id(id) => db::desk::booking(&self.db, site, Some(id), None).await?,
        };
        let local = local(&feed, now);
        let Some(found) = found.filter(|b| b.booking.local_date == local.date()) else {
            return Err(DeskError::CheckIn(CheckInRefusal::Unknown));
        };
        let b = &found.booking;
        if b.state == "checked_in" {
            let number = match &b.ticket {
                Some(id) => db::desk::number_of(&self.db, id).await?,
                None => None,
            };
            return Err(DeskError::CheckIn(CheckInRefusal::Used { number }));
        }
        let early = self.booking_policy(site, &b.service).await?.unwrap_or_default().early_minutes;
        let entry = mpp_domain::protocol::BookingEntry {
            code_hash: String::new(),
            service: b.service.clone(),
            slot_start: b.slot_start.clone(),
            slot_end: b.slot_end.clone(),
            state: b.state.clone(),
            early_minutes: early,
            late_minutes: u16::try_from(found.late_minutes).unwrap_or(0),
        };
        let zone = &feed.site.time_zone;
        let slot = match mpp_domain::booking::decide(Some(&entry), local.date(), local.datetime(), zone) {
            CheckIn::Refused(r) => return Err(DeskError::CheckIn(r)),
            CheckIn::Booked => Some((found.slot_at, mpp_domain::booking::slot_label(&b.slot_start, &b.slot_end, zone))),
            CheckIn::Late => None,
        };
        self.desk_number(site, &b.service, None, Some((&b.id, slot)), by, now).await
    }

    /// Today's bookings of the NIK at the site (the desk checks one in from the list).
    pub async fn desk_find_nik(
        &self,
        site: &str,
        typed: &str,
        now: jiff::Timestamp,
    ) -> Result<Vec<super::bookings::Booking>, DeskError> {
        let nik = Nik::parse(typed)?;
        let feed = self.desk_feed(site).await?;
        let hash = super::bookings::hmac_sha256_hex(&self.nik_key().await?, nik.digits().as_bytes());
        Ok(db::bookings::by_person(&self.db, site, &hash, local(&feed, now).date()).await?)
    }

    /// Prints today's ticket `number` again on the desk's printer (a kiosk's failed slip).
    pub async fn desk_reprint(&self, site: &str, number: &str, now: jiff::Timestamp) -> Result<DeskNumber, DeskError> {
        let feed = self.desk_feed(site).await?;
        let typed = number.trim().to_ascii_uppercase();
        let stored = db::desk::ticket(&self.db, site, local(&feed, now).date(), &typed)
            .await?
            .ok_or_else(|| DeskError::NoTicket(typed.clone()))?;
        let mut shown = shown(&feed, &stored);
        shown.printed = self.print_at_desk(&feed, &stored, shown.booked.clone(), true).await;
        Ok(shown)
    }

    /// Today's ticket `number` as the desk shows it (nothing printed).
    pub async fn desk_ticket(
        &self,
        site: &str,
        number: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<DeskNumber>, DbError> {
        let Some(feed) = db::sites::feed(&self.db, site).await? else { return Ok(None) };
        let stored = db::desk::ticket(&self.db, site, local(&feed, now).date(), number).await?;
        Ok(stored.map(|t| shown(&feed, &t)))
    }

    /// The kiosk's slip for `stored`, on the desk's printer; `None` without one.
    async fn print_at_desk(
        &self,
        feed: &Feed,
        stored: &StoredTicket,
        booked: Option<String>,
        reprint: bool,
    ) -> Option<Result<(), String>> {
        let printer = self.desk.printer.clone()?;
        let t = &stored.ticket;
        let (Some(service), Some(agency)) = (feed.service(&t.service), feed.agency(&t.agency)) else {
            return Some(Err(format!("service {} is not in the catalogue", t.service)));
        };
        let paper = self.desk.paper;
        let logo = slip::Bitmap::from_png(slip::bitmap::DEFAULT_LOGO_PNG, paper.logo_dots(), "the embedded logo")
            .ok()
            .map(std::sync::Arc::new);
        let qr = self.public_url.as_deref().map(|u| format!("{}/t/{}", u.trim_end_matches('/'), t.id));
        let layout = slip::layout(&slip::SlipInput {
            ticket: t,
            ahead: Ahead { count: t.people_ahead, confirmed: true, wait_minutes: None },
            service,
            agency,
            site: &feed.site,
            lang: Lang::Id,
            paper,
            qr_follows_ticket: qr.is_some(),
            qr,
            reprint,
            logo,
            booked,
        });
        let bytes = match slip::encode(&layout, self.desk.qr) {
            Ok(b) => b,
            Err(e) => return Some(Err(e.to_string())),
        };
        Some(crate::desk_printer::send(&printer, &bytes, std::time::Duration::from_millis(self.desk.timeout_ms)).await)
    }
}

/// A stored ticket in the desk's words.
fn shown(feed: &Feed, stored: &StoredTicket) -> DeskNumber {
    let s = feed.service(&stored.ticket.service);
    DeskNumber {
        number: stored.ticket.number.clone(),
        service_name: s.map_or(stored.ticket.service.clone(), |s| s.name.in_lang(Lang::Id).to_owned()),
        counter: s.map(|s| s.counter.in_lang(Lang::Id).to_owned()).unwrap_or_default(),
        people_ahead: stored.ticket.people_ahead,
        booked: stored.booking_slot.as_ref().map(|(a, b)| mpp_domain::booking::slot_label(a, b, &feed.site.time_zone)),
        late: false,
        printed: None,
    }
}

/// The site's local time now.
fn local(feed: &Feed, now: jiff::Timestamp) -> jiff::ZonedDateTime {
    now.to_zoned_datetime(mpp_domain::hours::zone(&feed.site.time_zone).unwrap_or(jiff::tz::TimeZone::UTC))
}
