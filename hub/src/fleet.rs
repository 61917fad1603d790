//! The fleet: every kiosk of every site with what the server last heard from it (last
//! seen, printer, catalogue, records waiting, app version) and what needs a person
//! (`mpp_domain::fleet`), worst first; `/fleet` for technicians and supervisors (an admin
//! sees every site, a supervisor their own); and the watch that raises and clears alerts
//! and tells the webhook, once each.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use deadpool_postgres::Pool;
use mpp_domain::fleet::{Alert, KioskFacts, Rules, Severity, SiteFacts, alerts, severity, silent_sites};
use mpp_domain::protocol::PrinterState;

use crate::config::AlertsConfig;
use crate::db::DbError;
use crate::pages::{esc, page, supervisor};
use crate::staff::Role;

/// One kiosk with its alerts and its site's zone.
pub struct Row {
    pub facts: KioskFacts,
    pub alerts: Vec<Alert>,
    pub site_feed_version: u64,
    pub time_zone: String,
}

fn rules(c: &AlertsConfig) -> Rules {
    Rules { silent_after_min: c.silent_after_min, backlog: c.backlog }
}

/// Every enrolled kiosk (of `site`, or of every site), worst first; and the sites whose
/// kiosks are all silent.
pub async fn load(
    pool: &Pool,
    site: Option<&str>,
    config: &AlertsConfig,
    now: jiff::Timestamp,
) -> Result<(Vec<Row>, Vec<String>), DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT k.site, k.number, k.name,
                    to_char(greatest(k.last_seen_at, h.received_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    h.app_version, h.catalogue_version, coalesce(h.printer, 'unknown'), coalesce(h.outbox_pending, 0),
                    s.feed_version, s.feed_expires, s.time_zone
             FROM kiosk k JOIN site s ON s.code = k.site LEFT JOIN kiosk_health h ON h.site = k.site AND h.kiosk = k.number
             WHERE k.revoked_at IS NULL AND ($1::text IS NULL OR k.site = $1)",
            &[&site],
        )
        .await?;
    let rules = rules(config);
    let mut out: Vec<Row> = rows
        .iter()
        .map(|r| {
            let feed_version = u64::try_from(r.get::<_, i64>(8)).unwrap_or(0);
            let site = SiteFacts {
                code: r.get(0),
                feed_version,
                feed_expires: r.get::<_, Option<String>>(9).and_then(|e| e.parse().ok()),
            };
            let facts = KioskFacts {
                site: r.get(0),
                kiosk: u8::try_from(r.get::<_, i16>(1)).unwrap_or(0),
                name: r.get(2),
                last_seen: r.get::<_, Option<String>>(3).and_then(|t| t.parse().ok()),
                app_version: r.get(4),
                catalogue_version: r.get::<_, Option<i64>>(5).and_then(|v| u64::try_from(v).ok()),
                printer: PrinterState::from_code(&r.get::<_, String>(6)),
                outbox_pending: u64::try_from(r.get::<_, i64>(7)).unwrap_or(0),
            };
            let alerts = alerts(&facts, &site, &rules, now);
            Row { facts, alerts, site_feed_version: feed_version, time_zone: r.get(10) }
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

fn ago(now: jiff::Timestamp, t: Option<jiff::Timestamp>, zone: &str) -> String {
    let Some(t) = t else { return "belum pernah".into() };
    let mins = now.duration_since(t).as_secs() / 60;
    let local = jiff::tz::TimeZone::get(zone)
        .map(|tz| t.to_zoned_datetime(tz))
        .map(|z| {
            format!(
                "{:02}/{:02} {:02}.{:02} {}",
                z.day(),
                z.month(),
                z.hour(),
                z.minute(),
                mpp_domain::hours::zone_label(zone)
            )
        })
        .unwrap_or_default();
    match mins {
        0 => format!("{local} (baru saja)"),
        m if m < 120 => format!("{local} ({m} menit lalu)"),
        m => format!("{local} ({} jam lalu)", m / 60),
    }
}

fn printer_words(p: PrinterState) -> &'static str {
    use mpp_domain::device::Fault;
    match p {
        PrinterState::Ready => "siap",
        PrinterState::PaperNearEnd => "kertas hampir habis",
        PrinterState::Fault(Fault::PaperOut) => "kertas habis",
        PrinterState::Fault(Fault::CoverOpen) => "tutup terbuka",
        PrinterState::Fault(Fault::Offline) => "tidak menjawab",
        PrinterState::Fault(Fault::Error) => "rusak",
        PrinterState::Unknown => "belum diketahui",
    }
}

/// `/fleet`: an admin sees every site, a supervisor their own; counter clerks nothing.
pub async fn fleet_page(State(state): State<crate::http::AppState>, headers: HeaderMap) -> Response {
    let s = match supervisor(&state, &headers, "Armada kiosk").await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let site = if s.role == Role::Admin { None } else { Some(s.site.as_str()) };
    let now = crate::clock::now();
    let (rows, silent) = match load(&state.pool, site, &state.alerts, now).await {
        Ok(x) => x,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    };
    let banner: String = silent.iter().map(|s| format!(r#"<p class="silent-site" role="alert">Semua kiosk {} senyap: periksa jaringan atau listrik MPP itu.</p>"#, esc(s))).collect();
    let body: String = rows
        .iter()
        .map(|r| {
            let f = &r.facts;
            let class = match severity(&r.alerts) {
                Severity::Critical => "critical",
                Severity::Warning => "warning",
                Severity::Ok => "ok",
            };
            let needs = if r.alerts.is_empty() { "—".to_owned() } else { r.alerts.iter().map(|a| esc(&a.words())).collect::<Vec<_>>().join("<br>") };
            format!(
                r#"<tr class="{class}"><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td><td>{needs}</td></tr>"#,
                esc(&f.site),
                f.kiosk,
                if f.name.is_empty() { String::new() } else { format!(" ({})", esc(&f.name)) },
                esc(&ago(now, f.last_seen, &r.time_zone)),
                printer_words(f.printer),
                f.catalogue_version.map_or("-".into(), |v| v.to_string()),
                r.site_feed_version,
                f.outbox_pending,
                esc(f.app_version.as_deref().unwrap_or("-")),
            )
        })
        .collect();
    let html = format!(
        r#"<header><h1>Armada kiosk</h1><a href="/report">Laporan</a></header><main class="fleet">{banner}
<p class="note">Urutan: yang paling perlu tindakan di atas. Kiosk senyap lebih dari {} menit, printer bermasalah, atau katalog kedaluwarsa: merah; kertas hampir habis, katalog tertinggal, lebih dari {} catatan belum terkirim: kuning.</p>
<table><thead><tr><th>MPP</th><th>Kiosk</th><th>Terakhir terdengar</th><th>Printer</th><th>Katalog (kiosk / terbaru)</th><th>Belum terkirim</th><th>Versi aplikasi</th><th>Perlu tindakan</th></tr></thead><tbody>{body}</tbody></table></main>"#,
        state.alerts.silent_after_min, state.alerts.backlog
    );
    page("Armada kiosk", r#"class="fleet-page""#, &html, None).into_response()
}

/// Checks the fleet every `check_secs`: new alerts are stored and sent to the webhook,
/// alerts no longer true are removed and their clearing sent. Runs until the process ends.
pub async fn watch(pool: Pool, config: AlertsConfig) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(config.check_secs.max(1)));
    loop {
        tick.tick().await;
        if let Err(e) = check(&pool, &config, crate::clock::now()).await {
            log::warn!("checking the fleet: {e}");
        }
    }
}

/// One round of the watch (public for tests and `mpp-hub fleet`).
pub async fn check(pool: &Pool, config: &AlertsConfig, now: jiff::Timestamp) -> Result<(), DbError> {
    let (rows, _) = load(pool, None, config, now).await?;
    let client = pool.get().await?;
    let mut active: Vec<(String, i16, &'static str)> = Vec::new();
    for r in &rows {
        let kiosk = i16::from(r.facts.kiosk);
        for a in &r.alerts {
            active.push((r.facts.site.clone(), kiosk, a.kind()));
            let sev = format!("{:?}", a.severity()).to_lowercase();
            client
                .execute(
                    "INSERT INTO fleet_alert (site, kiosk, kind, severity, message, raised_at) VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz)
                     ON CONFLICT (site, kiosk, kind) DO UPDATE SET message = excluded.message, severity = excluded.severity",
                    &[&r.facts.site, &kiosk, &a.kind(), &sev, &a.words(), &now.to_string()],
                )
                .await?;
        }
    }
    // Cleared: in the table, no longer active.
    let stored = client
        .query("SELECT site, kiosk, kind, severity, message, notified_at IS NOT NULL FROM fleet_alert", &[])
        .await?;
    for s in stored {
        let (site, kiosk, kind): (String, i16, String) = (s.get(0), s.get(1), s.get(2));
        if active.iter().any(|(a, k, t)| *a == site && *k == kiosk && *t == kind) {
            continue;
        }
        let gone = client
            .execute("DELETE FROM fleet_alert WHERE site = $1 AND kiosk = $2 AND kind = $3", &[&site, &kiosk, &kind])
            .await?;
        if gone == 1 && s.get::<_, bool>(5) {
            notify(config, serde_json::json!({"site": site, "kiosk": kiosk, "kind": kind, "severity": s.get::<_, String>(3), "message": s.get::<_, String>(4), "cleared": true, "at": now.to_string()})).await;
        }
    }
    // Raised and not yet told: each claimed by one process, told once; a failed delivery
    // is released for the next round.
    if config.webhook_url.is_some() {
        let pending = client
            .query("UPDATE fleet_alert SET notified_at = $1::text::timestamptz WHERE notified_at IS NULL RETURNING site, kiosk, kind, severity, message", &[&now.to_string()])
            .await?;
        for p in pending {
            let (site, kiosk, kind): (String, i16, String) = (p.get(0), p.get(1), p.get(2));
            let sent = notify(config, serde_json::json!({"site": site, "kiosk": kiosk, "kind": kind, "severity": p.get::<_, String>(3), "message": p.get::<_, String>(4), "cleared": false, "at": now.to_string()})).await;
            if !sent {
                client
                    .execute(
                        "UPDATE fleet_alert SET notified_at = NULL WHERE site = $1 AND kiosk = $2 AND kind = $3",
                        &[&site, &kiosk, &kind],
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

/// POSTs one alert to the webhook (off the async threads); whether it was accepted.
async fn notify(config: &AlertsConfig, body: serde_json::Value) -> bool {
    let Some(url) = config.webhook_url.clone() else { return false };
    let result = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(std::time::Duration::from_secs(10))).build().into();
        agent.post(&url).header("Content-Type", "application/json").send(body.to_string().as_bytes())
    })
    .await;
    match result {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            log::warn!("the alert webhook: {e}; trying again at the next check");
            false
        }
        Err(e) => {
            log::warn!("the alert webhook: {e}");
            false
        }
    }
}
