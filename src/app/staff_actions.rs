//! The staff screen's work: reprints and test slips on the print worker, a sync round on
//! its own thread, the printer's status, and the health facts read from the database.

use super::{App, Msg};
use crate::kiosk::view::staff_screen::{CatalogueFacts, Health, SyncFacts};
use crate::kiosk::{PullOutcome, StaffOutcome, UploadOutcome};
use crate::printing::{Done, Job, Outcome, Readiness};
use crate::store::Store;
use crate::text::Lang;

/// One of today's tickets on the staff screen (the number is what a reprint needs).
#[derive(Debug, Clone, PartialEq)]
pub struct StaffTicketLine {
    pub number: String,
    pub line: String,
}

impl App {
    /// A reprint or test slip for staff, on the print worker; the result comes back as a message.
    pub(super) fn staff_job(&self, job: Job, what: String) {
        let tx = self.tx.clone();
        self.worker.submit(
            job,
            self.flow.catalogue.clone(),
            self.flow.lang,
            Box::new(move |r| {
                let outcome = match r {
                    Ok(Done::Ticket(i)) => match i.outcome {
                        Outcome::Printed => StaffOutcome::Reprinted(i.ticket.number),
                        Outcome::Failed { reason } => StaffOutcome::ReprintFailed { number: i.ticket.number, reason },
                    },
                    Ok(Done::TestSlip | Done::Status(_)) => StaffOutcome::TestSlipSent,
                    // Staff never check bookings in from here.
                    Ok(Done::CheckedIn { issued, .. }) => StaffOutcome::Reprinted(issued.ticket.number),
                    Err(e) => StaffOutcome::JobFailed { what, error: e.to_string() },
                };
                let _ = tx.send(Msg::Staff(outcome));
            }),
        );
    }

    /// Reads the printer's status on the worker (never on the caller's thread).
    pub(super) fn refresh_printer(&self) {
        let tx = self.tx.clone();
        self.worker.submit(
            Job::Status,
            self.flow.catalogue.clone(),
            Lang::Id,
            Box::new(move |r| {
                let status = match r {
                    Ok(Done::Status(status)) => Ok(status),
                    Ok(_) => Ok(None),
                    Err(e) => Err(e.to_string()),
                };
                let _ = tx.send(Msg::Printer(status));
            }),
        );
    }

    /// One sync round on its own thread; the outcome comes back as a message.
    pub(super) fn sync_now(&self) {
        let (tx, db, cfg, kiosk, clock) =
            (self.tx.clone(), self.db_path.clone(), self.sync.clone(), self.kiosk_id, self.clock.clone());
        let site = self.flow.catalogue.feed.site.code.clone();
        std::thread::spawn(move || {
            let outcome = (|| -> Result<StaffOutcome, String> {
                let mut store = Store::open(&db).map_err(|e| e.to_string())?;
                let now = clock().map_err(|e| e.to_string())?;
                let round = crate::sync::round(&mut store, &cfg, &site, kiosk, now);
                if let Some(c) = round.catalogue {
                    let _ = tx.send(Msg::Catalogue(Box::new(c)));
                }
                let pull = match round.pulled {
                    Ok(Some(crate::sync::Pulled::Imported { version, services })) => {
                        PullOutcome::Imported { version, services }
                    }
                    Ok(Some(crate::sync::Pulled::NotModified)) => PullOutcome::NotModified,
                    Ok(None) => PullOutcome::NotConfigured,
                    Err(e) => PullOutcome::Failed(e.to_string()),
                };
                let upload = match round.uploaded {
                    Ok(Some(u)) => UploadOutcome::Sent(u.records),
                    Ok(None) => UploadOutcome::NotConfigured,
                    Err(e) => UploadOutcome::Failed(e.to_string()),
                };
                Ok(StaffOutcome::Synced { pull, upload })
            })()
            .unwrap_or_else(StaffOutcome::SyncFailed);
            let _ = tx.send(Msg::Staff(outcome));
        });
    }

    /// The staff screen's health facts, read now (the printer's as last read).
    pub fn health(&mut self) -> Health {
        let lang = self.flow.lang;
        let printer = match &self.printer {
            None => ("-".to_owned(), false, true),
            // Green only on the printer's own word; one that reports no status (it may be
            // off) and paper near its end are amber, beside words that say so.
            Some(Ok(None)) => (
                match lang {
                    Lang::Id => {
                        "status tidak terbaca: printer ini tidak melaporkan status; cetak slip uji untuk memeriksa"
                    }
                    Lang::En => "status unknown: this printer reports none; print a test slip to check",
                }
                .to_owned(),
                false,
                true,
            ),
            Some(Ok(status)) => {
                let (readiness, words) = crate::printing::describe(*status, lang);
                (words, readiness == Readiness::Ready, readiness == Readiness::Attention)
            }
            Some(Err(e)) => (e.clone(), false, false),
        };
        let catalogue = match self.store.catalogue_stats() {
            Ok(c) => Ok(c.map(|c| CatalogueFacts {
                version: c.version,
                source: c.source,
                services: c.services,
                unverified: c.unverified_services,
            })),
            Err(e) => Err(e.to_string()),
        };
        let now = (self.clock)().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        // Instants as staff read them: the site's local date and time, not UTC.
        let site = &self.flow.catalogue.feed.site;
        let local = |utc: Option<String>| utc.map(|u| local_instant(&u, &site.time_zone, lang));
        let sync = match crate::sync::status(&mut self.store, &self.sync, now) {
            Ok(st) => Ok(SyncFacts {
                expires: st.catalogue_expires,
                expired: st.catalogue_expired,
                url_set: st.url.is_some(),
                last_error: st.last_error,
                last_success: local(st.last_success_utc),
                pending: st.outbox.pending,
                oldest_pending: local(st.outbox.oldest_pending_utc),
                acknowledged: st.outbox.acknowledged,
                upload_failing: st.last_upload_error.is_some(),
            }),
            Err(e) => Err(e.to_string()),
        };
        let today = self.today_date();
        let elements: Vec<String> = crate::survey::ELEMENT_CODES.iter().map(|s| s.to_string()).collect();
        let store = &self.store;
        let ikm = |from: jiff::civil::Date| {
            let f = crate::store::SurveyFilter { from: Some(from), to: Some(today), ..Default::default() };
            store
                .survey_responses(&f)
                .map(|rs| crate::survey::ikm::compute(&elements, rs.iter().map(|r| r.answers.as_slice())))
                .map_err(|e| e.to_string())
        };
        Health {
            printer,
            catalogue,
            sync,
            ikm_today: ikm(today),
            ikm_month: ikm(today.first_of_month()),
            local_time: self
                .flow
                .today
                .local
                .map(|d| {
                    format!(
                        "{}, {}",
                        crate::hours::local_date(&d, lang),
                        crate::hours::local_time_text(crate::hours::TimeOfDay::of(&d), &site.time_zone, lang)
                    )
                })
                .unwrap_or_default(),
            zone: crate::hours::zone_label(&self.flow.catalogue.feed.site.time_zone).to_owned(),
            pinned_by: crate::clock::pinned_setting().map(|_| crate::clock::ENV.to_owned()),
        }
    }

    /// Today's last 50 tickets, newest first.
    pub fn staff_tickets(&self) -> Vec<StaffTicketLine> {
        let lang = self.flow.lang;
        match self.store.tickets_on(self.today_date()) {
            Ok(ts) => ts
                .iter()
                .rev()
                .take(50)
                .map(|t| {
                    let name = self
                        .flow
                        .catalogue
                        .feed
                        .service(&t.service)
                        .map(|s| s.name.in_lang(lang).to_owned())
                        .unwrap_or_default();
                    // The time as every other on this screen says it ("09.05").
                    let time = t
                        .issued_at_local
                        .parse::<jiff::civil::DateTime>()
                        .map(|d| crate::hours::clock_text(crate::hours::TimeOfDay::of(&d), lang))
                        .unwrap_or_else(|_| t.issued_at_local.get(11..16).unwrap_or("").to_owned());
                    StaffTicketLine {
                        number: t.number.clone(),
                        line: format!(
                            "{}  {time}  {}  {name}",
                            t.number,
                            crate::kiosk::view::staff_screen::status_word(t.status, lang)
                        ),
                    }
                })
                .collect(),
            Err(e) => vec![StaffTicketLine { number: String::new(), line: e.to_string() }],
        }
    }

    /// Keeps the PIN pad's lock-out in the database (it outlives a restart) and logs a wrong
    /// try — never the PIN itself.
    pub(super) fn save_pin_guard(&mut self) {
        let state = self.flow.pin_guard_state((self.mono)());
        if state.wrong > 0 || state.locked_for.is_some() {
            log::warn!(
                "a wrong staff PIN was entered ({} in a row, {} lock-outs so far{})",
                state.wrong,
                state.locks,
                state.locked_for.map(|d| format!(", locked for {} s", d.as_secs())).unwrap_or_default()
            );
        }
        let until = (self.clock)()
            .ok()
            .zip(state.locked_for)
            .and_then(|(now, d)| now.checked_add(jiff::SignedDuration::try_from(d).ok()?).ok());
        if let Err(e) = self.store.set_staff_lockout(state.wrong, state.locks, until) {
            log::error!("storing the PIN pad's lock-out: {e}");
        }
    }
}

/// "30/11 09.05 WITA" for a stored UTC instant (kept as given if it does not parse).
fn local_instant(utc: &str, time_zone: &str, lang: Lang) -> String {
    utc.parse::<jiff::Timestamp>().map_or_else(|_| utc.to_owned(), |t| crate::hours::instant_text(t, time_zone, lang))
}
