//! Reminders to booked citizens who gave a mobile number, through the site's SMS or
//! WhatsApp gateway (`[reminders]`): at booking, the day before, and when a checked-in
//! booking has a few people ahead. Each is queued once (`db::reminders`) and delivered by
//! its own task: a gateway that fails is tried again later with growing pauses, and never
//! holds up a booking, a check-in or the queue.

use std::sync::Arc;

use mpp_domain::text::Lang;

use super::App;
use crate::db::reminders::{Candidate, NewReminder};
use crate::db::{self, DbError};

/// After this many failures a reminder is given up (its moment has passed anyway).
const MAX_ATTEMPTS: i32 = 8;

/// The template with its placeholders filled in.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_owned(), |t, (k, v)| t.replace(&format!("{{{k}}}"), v))
}

/// "Senin, 30 November 2026", as the slip says a day.
fn day_words(date: jiff::civil::Date) -> String {
    mpp_domain::hours::local_date(&date.at(0, 0, 0, 0), Lang::Id)
}

impl App {
    fn reminders_on(&self) -> bool {
        self.reminders.url.is_some()
    }

    /// Queues the "booked" reminder of a booking just taken (its code only now known).
    pub(super) async fn remind_booked(
        &self,
        booking: &db::bookings::Booking,
        code: &str,
        phone: Option<&str>,
        now: jiff::Timestamp,
    ) -> Result<(), DbError> {
        let Some(phone) = phone.filter(|_| self.reminders_on()) else { return Ok(()) };
        let c = Candidate {
            booking: booking.id.clone(),
            site: booking.site.clone(),
            service: booking.service.clone(),
            local_date: booking.local_date,
            slot_start: booking.slot_start.clone(),
            slot_end: booking.slot_end.clone(),
            phone: phone.to_owned(),
            number: None,
            ahead: None,
        };
        let message = self.message(&self.reminders.booked, &c, code).await?;
        db::reminders::queue(
            &self.db,
            &NewReminder { booking: &c.booking, kind: "booked", phone, message: &message },
            now,
        )
        .await
    }

    async fn message(&self, template: &str, c: &Candidate, code: &str) -> Result<String, DbError> {
        let info = self.site_info_cached(&c.site).await?;
        let site = info.as_ref().map_or(c.site.clone(), |i| i.name.clone());
        let service = info.as_ref().map_or(c.service.clone(), |i| i.service_name(&c.service).to_owned());
        let zone = info.as_ref().map_or("Asia/Makassar".to_owned(), |i| i.time_zone.clone());
        let slot = mpp_domain::booking::slot_label(&c.slot_start, &c.slot_end, &zone);
        let ahead = c.ahead.map(|a| a.to_string()).unwrap_or_default();
        Ok(fill(
            template,
            &[
                ("site", &site),
                ("service", &service),
                ("date", &day_words(c.local_date)),
                ("slot", &slot),
                ("code", code),
                ("number", c.number.as_deref().unwrap_or("")),
                ("ahead", &ahead),
            ],
        ))
    }

    /// Queues what has come due at `now`: the day-before reminders (from the configured
    /// hour, local time) and the "few people ahead" ones.
    pub async fn queue_reminders(&self, now: jiff::Timestamp) -> Result<(), DbError> {
        if !self.reminders_on() {
            return Ok(());
        }
        let earliest =
            now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().yesterday().unwrap_or(jiff::civil::Date::MIN);
        for (site, zone) in db::reminders::sites(&self.db, earliest).await? {
            let local = now.to_zoned_datetime(mpp_domain::hours::zone(&zone).unwrap_or(jiff::tz::TimeZone::UTC));
            let (today, hour) = (local.date(), local.hour());
            if hour >= self.reminders.day_before_hour as i8
                && let Ok(tomorrow) = today.tomorrow()
            {
                for c in db::reminders::for_day_before(&self.db, &site, tomorrow).await? {
                    let message = self.message(&self.reminders.day_before, &c, "").await?;
                    let r = NewReminder { booking: &c.booking, kind: "day_before", phone: &c.phone, message: &message };
                    db::reminders::queue(&self.db, &r, now).await?;
                }
            }
            for c in db::reminders::for_ahead(&self.db, &site, today, i64::from(self.reminders.ahead_at)).await? {
                let message = self.message(&self.reminders.ahead, &c, "").await?;
                let r = NewReminder { booking: &c.booking, kind: "ahead", phone: &c.phone, message: &message };
                db::reminders::queue(&self.db, &r, now).await?;
            }
        }
        Ok(())
    }

    /// Sends what is due to the gateway; a failure is tried again after 1, 2, 4 … minutes.
    /// Returns how many the gateway took. `stop` turning true ends it between two
    /// reminders, never between sending one and recording it (which would send it twice).
    pub async fn deliver_reminders(
        &self,
        now: jiff::Timestamp,
        stop: &tokio::sync::watch::Receiver<bool>,
    ) -> Result<usize, DbError> {
        let Some(url) = self.reminders.url.as_deref() else { return Ok(0) };
        let mut sent = 0;
        // Claimed for ten minutes: a server that dies mid-way leaves them to be sent again then.
        let claim = now + jiff::SignedDuration::from_mins(10);
        for r in db::reminders::due(&self.db, now, claim, 50).await? {
            if *stop.borrow() {
                // Still claimed: sent when the claim ends, by the next server.
                break;
            }
            let body = serde_json::json!({ "to": r.phone, "message": r.message });
            if crate::webhook::post_with(url, self.reminders.token.as_deref(), body).await {
                db::reminders::sent(&self.db, &r.booking, &r.kind, crate::clock::now()).await?;
                sent += 1;
            } else if r.attempts + 1 >= MAX_ATTEMPTS {
                log::warn!(
                    "reminder {} of booking {}: the gateway refused it {MAX_ATTEMPTS} times; given up",
                    r.kind,
                    r.booking
                );
                db::reminders::given_up(&self.db, &r.booking, &r.kind).await?;
            } else {
                let pause = jiff::SignedDuration::from_mins(1 << r.attempts.clamp(0, 6));
                db::reminders::failed(&self.db, &r.booking, &r.kind, now + pause).await?;
            }
        }
        Ok(sent)
    }

    /// Queues and sends reminders every few seconds until `stop` turns true; the server
    /// waits for it to end (a reminder being sent is recorded first).
    pub async fn watch_reminders(self: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
        if !self.reminders_on() {
            return;
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let now = crate::clock::now();
            if let Err(e) = self.queue_reminders(now).await {
                log::warn!("queueing reminders: {e}");
            }
            if let Err(e) = self.deliver_reminders(now, &stop).await {
                log::warn!("sending reminders: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_template_is_filled_and_unknown_braces_stay() {
        let t = "Booking {site}: {service} jam {slot}. Kode {code}. {other}";
        let out =
            super::fill(t, &[("site", "MPP Jeneponto"), ("service", "KTP"), ("slot", "09.00"), ("code", "KQ4M-7TCX")]);
        assert_eq!(out, "Booking MPP Jeneponto: KTP jam 09.00. Kode KQ4M-7TCX. {other}");
    }
}
