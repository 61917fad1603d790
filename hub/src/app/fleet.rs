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
    Rules { silent_after_min: c.silent_after_min, backlog: c.backlog }
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
        let mut out: Vec<Row> = db::fleet::kiosks(&self.db, site)
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

    /// One round of the watch: new alerts are stored and sent to the webhook, alerts no
    /// longer true are removed and their clearing sent.
    pub async fn check_fleet(&self, now: jiff::Timestamp) -> Result<(), DbError> {
        let (rows, _) = self.fleet(None, now).await?;
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
                    notified: false,
                };
                db::fleet::raise(&self.db, &alert, now).await?;
            }
        }
        // Cleared: stored, no longer active.
        for s in db::fleet::alerts(&self.db).await? {
            if active.iter().any(|(site, k, kind)| *site == s.site && *k == s.kiosk && *kind == s.kind) {
                continue;
            }
            let gone = db::fleet::clear(&self.db, &s.site, s.kiosk, &s.kind).await?;
            if let (true, true, Some(url)) = (gone, s.notified, &self.alerts.webhook_url) {
                crate::webhook::post(url, alert_json(&s, true, now)).await;
            }
        }
        // Raised and not yet told: each claimed by one process, told once; a failed
        // delivery is released for the next round.
        if let Some(url) = &self.alerts.webhook_url {
            for p in db::fleet::claim_untold(&self.db, now).await? {
                if !crate::webhook::post(url, alert_json(&p, false, now)).await {
                    db::fleet::release(&self.db, &p.site, p.kiosk, &p.kind).await?;
                }
            }
        }
        Ok(())
    }

    /// Checks the fleet every `check_secs` until the process ends.
    pub async fn watch_fleet(self: Arc<App>) {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(self.alerts.check_secs.max(1)));
        loop {
            tick.tick().await;
            if let Err(e) = self.check_fleet(crate::clock::now()).await {
                log::warn!("checking the fleet: {e}");
            }
        }
    }
}
