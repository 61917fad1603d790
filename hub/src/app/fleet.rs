//! The fleet: every kiosk of every site with what the server last heard from it and what
//! needs a person (`mpp_domain::fleet`), worst first; and the watch that raises and clears
//! alerts and tells the webhook, once each.

use std::sync::Arc;

use mpp_domain::fleet::{Alert, KioskFacts, Rules, alerts, severity, silent_sites};

use crate::config::AlertsConfig;
use crate::db::fleet::StoredAlert;
use crate::db::{self, DbError};

use super::App;

/// One kiosk with its alerts and its site's catalogue and zone.
pub struct Row {
    pub facts: KioskFacts,
    pub alerts: Vec<Alert>,
    pub site_feed_version: u64,
    pub time_zone: String,
}

fn rules(c: &AlertsConfig) -> Rules {
    Rules { silent_after_min: c.silent_after_min, backlog: c.backlog, ..Rules::default() }
}

fn alert_json(a: &StoredAlert, cleared: bool, now: jiff::Timestamp) -> serde_json::Value {
    serde_json::json!({
        "site": a.site, "kiosk": a.kiosk, "kind": a.kind, "severity": a.severity, "message": a.message,
        "cleared": cleared, "at": now.to_string(),
    })
}

impl App {
    /// Every enrolled kiosk (of `site`, or of every site), worst first; and the sites
    /// whose kiosks are all silent.
    pub async fn fleet(&self, site: Option<&str>, now: jiff::Timestamp) -> Result<(Vec<Row>, Vec<String>), DbError> {
        let rules = rules(&self.alerts);
        let mut out: Vec<Row> = db::fleet::kiosks(&self.db, site, now)
            .await?
            .into_iter()
            .map(|k| {
                let alerts = alerts(&k.facts, &k.site, &rules, now);
                Row { facts: k.facts, alerts, site_feed_version: k.site.feed_version, time_zone: k.time_zone }
            })
            .collect();
        out.sort_by(|a, b| {
            severity(&b.alerts)
                .cmp(&severity(&a.alerts))
                .then(b.alerts.len().cmp(&a.alerts.len()))
                .then(a.facts.site.cmp(&b.facts.site))
                .then(a.facts.kiosk.cmp(&b.facts.kiosk))
        });
        let silent = silent_sites(out.iter().map(|r| (&r.facts, r.alerts.as_slice())));
        Ok((out, silent))
    }

    /// One round of the watch: new alerts are stored and their messages queued for the
    /// webhook, alerts no longer true are removed and their clearing queued.
    pub async fn check_fleet(&self, now: jiff::Timestamp) -> Result<(), DbError> {
        let (rows, _) = self.fleet(None, now).await?;
        let tell = self.alerts.webhook_url.is_some();
        let mut active: Vec<(String, i16, &'static str)> = Vec::new();
        for r in &rows {
            let kiosk = i16::from(r.facts.kiosk);
            for a in &r.alerts {
                active.push((r.facts.site.clone(), kiosk, a.kind()));
                let alert = StoredAlert {
                    site: r.facts.site.clone(),
                    kiosk,
                    kind: a.kind().to_owned(),
                    severity: format!("{:?}", a.severity()).to_lowercase(),
                    message: a.words(),
                };
                if db::fleet::raise(&self.db, &alert, now).await? && tell {
                    db::fleet::enqueue_message(&self.db, &alert_json(&alert, false, now), now).await?;
                }
            }
        }
        // Cleared: stored, no longer active.
        for s in db::fleet::alerts(&self.db).await? {
            if active.iter().any(|(site, k, kind)| *site == s.site && *k == s.kiosk && *kind == s.kind) {
                continue;
            }
            if db::fleet::clear(&self.db, &s.site, s.kiosk, &s.kind).await? && tell {
                db::fleet::enqueue_message(&self.db, &alert_json(&s, true, now), now).await?;
            }
        }
        Ok(())
    }

    /// Delivers the webhook's queued messages in order: each until the receiver takes it
    /// (a 2xx, no redirect followed), backing off after a failure (2, 4, 8 … seconds, at
    /// most ten minutes) without holding up the fleet's watch.
    pub async fn deliver_webhook(&self, now: jiff::Timestamp) -> Result<usize, DbError> {
        let Some(url) = &self.alerts.webhook_url else { return Ok(0) };
        let mut sent = 0;
        while let Some((id, body, attempts)) =
            db::fleet::next_message(&self.db, now, jiff::SignedDuration::from_secs(60)).await?
        {
            // Held from the POST until it is marked: a stopping server waits for it
            // (App::finish_deliveries), so a restart never tells the receiver twice.
            let _delivering = self.delivering.lock().await;
            if crate::webhook::post(url, body).await {
                db::fleet::delivered(&self.db, id).await?;
                sent += 1;
            } else {
                let wait = jiff::SignedDuration::from_secs(2_i64.saturating_pow(attempts.clamp(1, 10) as u32).min(600));
                db::fleet::retry_at(&self.db, id, now + wait).await?;
                break;
            }
        }
        Ok(sent)
    }

    /// Waits (at most `within`) for a webhook delivery under way to be marked, and lets
    /// no other begin: the last thing a stopping server does.
    pub async fn finish_deliveries(&self, within: std::time::Duration) {
        if let Ok(guard) = tokio::time::timeout(within, self.delivering.lock()).await {
            std::mem::forget(guard);
        }
    }

    /// Checks the fleet every `check_secs`, and delivers the webhook's messages every
    /// second, until the process ends.
    pub async fn watch_fleet(self: Arc<App>) {
        let deliverer = {
            let app = self.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    if let Err(e) = app.deliver_webhook(crate::clock::now()).await {
                        log::warn!("the alert webhook's queue: {e}");
                    }
                }
            })
        };
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(self.alerts.check_secs.max(1)));
        loop {
            tick.tick().await;
            if let Err(e) = self.check_fleet(crate::clock::now()).await {
                log::warn!("checking the fleet: {e}");
            }
            if deliverer.is_finished() {
                log::error!("the alert webhook's deliverer stopped");
            }
        }
    }
}
