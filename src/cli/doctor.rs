//! `mpp-kiosk doctor`: what a technician checks first. Reports every check, even after one
//! fails, and never changes the database.

use std::path::Path;

use serde::Serialize;

use super::CliError;
use crate::config;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
}

#[derive(Debug, Serialize)]
struct Report {
    ok: bool,
    checks: Vec<Check>,
}

pub fn run(config_arg: Option<&Path>, db_arg: Option<&Path>, json: bool) -> Result<(), CliError> {
    let mut checks = Vec::new();
    let mut add = |name, status, detail: String| checks.push(Check { name, status, detail });

    let loaded = match config::load(config_arg) {
        Ok(l) => {
            let detail = match &l.path {
                Some(p) => format!("{} (kiosk id {})", p.display(), l.config.kiosk.id.get()),
                None => format!("no file; built-in defaults (kiosk id {})", l.config.kiosk.id.get()),
            };
            add("config", Status::Ok, detail);
            l
        }
        Err(e) => {
            add("config", Status::Fail, e.to_string());
            // Go on with the defaults to check what else can be checked.
            config::Loaded { config: config::Config::default(), path: None }
        }
    };

    let db_path = loaded.database_path(db_arg);
    if !db_path.exists() {
        add("database", Status::Warn, format!("{} does not exist yet; the kiosk creates it at first start", db_path.display()));
    } else {
        match Store::open(&db_path) {
            Err(e) => add("database", Status::Fail, e.to_string()),
            Ok(mut store) => {
                let schema = store.schema_version().map(|v| v.to_string()).unwrap_or_else(|e| e.to_string());
                let journal = store.journal_mode().unwrap_or_else(|e| e.to_string());
                add("database", Status::Ok, format!("{} (schema {schema}, journal {journal})", db_path.display()));
                match store.check_integrity() {
                    Ok(()) => add("integrity", Status::Ok, "database and search index pass their checks".into()),
                    Err(e) => add("integrity", Status::Fail, e.to_string()),
                }
                match store.catalogue_stats() {
                    Ok(Some(s)) => {
                        add(
                            "catalogue",
                            Status::Ok,
                            format!(
                                "version {} generated {} from {}, imported {}: {} agencies, {} services ({} active)",
                                s.version, s.generated_at, s.source, s.imported_at, s.agencies, s.services, s.active_services
                            ),
                        );
                        let status = if s.unverified_services > 0 { Status::Warn } else { Status::Ok };
                        add(
                            "verified",
                            status,
                            format!("{} of {} services not yet verified by the site", s.unverified_services, s.services),
                        );
                    }
                    Ok(None) => add("catalogue", Status::Warn, "none stored yet; the kiosk loads the embedded one at first start".into()),
                    Err(e) => add("catalogue", Status::Fail, e.to_string()),
                }
                match crate::sync::status(&mut store, &loaded.config.sync) {
                    Ok(st) => {
                        let sync_detail = match (&st.url, &st.last_error) {
                            (None, _) => (Status::Warn, "no [sync] url: the catalogue is never updated".to_owned()),
                            (Some(u), Some(e)) => (Status::Warn, format!("{u}: last pull failed: {e} (last success {})", st.last_success_utc.as_deref().unwrap_or("never"))),
                            (Some(u), None) => (Status::Ok, format!("{u}: last success {}", st.last_success_utc.as_deref().unwrap_or("never yet"))),
                        };
                        add("sync", sync_detail.0, sync_detail.1);
                        // A day of tickets not uploaded is worth a look; the kiosk keeps them safely.
                        let backlog = st.outbox.pending;
                        let status = if backlog > 0 && st.upload_url.is_some() && st.last_upload_error.is_some() { Status::Warn } else { Status::Ok };
                        add(
                            "outbox",
                            status,
                            format!(
                                "{backlog} records waiting{}, {} sent{}",
                                st.outbox.oldest_pending_utc.map(|o| format!(" (oldest {o})")).unwrap_or_default(),
                                st.outbox.acknowledged,
                                st.last_upload_error.map(|e| format!("; last upload error: {e}")).unwrap_or_default()
                            ),
                        );
                    }
                    Err(e) => add("sync", Status::Fail, e.to_string()),
                }
            }
        }
    }

    let ok = checks.iter().all(|c| c.status != Status::Fail);
    let report = Report { ok, checks };
    if json {
        println!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
    } else {
        for c in &report.checks {
            let mark = match c.status {
                Status::Ok => "ok  ",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            println!("{mark}  {:<10} {}", c.name, c.detail);
        }
    }
    if ok { Ok(()) } else { Err(CliError::Failed("doctor: a check failed (see above)".into())) }
}
