//! `/fleet`: every kiosk with what the server last heard from it (last seen, printer,
//! catalogue, records waiting, app version) and what needs a person, worst first, for
//! technicians and supervisors (an admin sees every site, a supervisor their own).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use mpp_domain::fleet::{Severity, severity};
use mpp_domain::protocol::PrinterState;

use crate::app::accounts::Role;
use crate::web::auth::Supervisor;
use crate::web::error::{Form, WebError};
use crate::web::html::{esc, page};
use crate::web::state::WebState;

fn ago(now: jiff::Timestamp, t: Option<jiff::Timestamp>, zone: &str) -> String {
    let Some(t) = t else { return "belum pernah".into() };
    let mins = now.duration_since(t).as_secs() / 60;
    let local = mpp_domain::hours::instant_text(t, zone, mpp_domain::text::Lang::Id);
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

pub async fn fleet(State(state): State<WebState>, Supervisor(s): Supervisor) -> Result<Response, WebError> {
    // A province's operator sees every site; a site's admin or supervisor, that site.
    let site = if s.role == Role::Operator { None } else { Some(s.site.as_str()) };
    let now = crate::clock::now();
    let (rows, silent) = state.app.fleet(site, now).await.map_err(|e| WebError::db(Form::Page, "the fleet", &e))?;
    let banner: String = silent.iter().map(|s| format!(r#"<p class="silent-site" role="alert">Semua kiosk {} senyap: periksa jaringan atau listrik MPP itu.</p>"#, esc(s))).collect();
    let rollout = match site {
        Some(site) => match state.app.rollout(site).await {
            Ok(Some(r)) => format!(
                r#"<p class="rollout">Pembaruan sistem: versi {} {}{}.</p>"#,
                esc(&r.version),
                match r.stage {
                    mpp_domain::update::Stage::Pilot { kiosk } => format!("dicoba dulu di kiosk {kiosk}"),
                    mpp_domain::update::Stage::All => "ditawarkan ke semua kiosk".to_owned(),
                },
                if r.paused { " (dijeda)" } else { "" }
            ),
            Ok(None) => String::new(),
            Err(e) => {
                log::warn!("the fleet page's rollout line: {e}");
                String::new()
            }
        },
        None => String::new(),
    };
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
                r#"<tr class="{class}"><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td><td class="system">{}</td><td>{needs}</td></tr>"#,
                esc(&f.site),
                f.kiosk,
                if f.name.is_empty() { String::new() } else { format!(" ({})", esc(&f.name)) },
                esc(&ago(now, f.last_seen, &r.time_zone)),
                printer_words(f.printer),
                f.catalogue_version.map_or("-".into(), |v| v.to_string()),
                r.site_feed_version,
                f.outbox_pending,
                esc(f.app_version.as_deref().unwrap_or("-")),
                system_words(f.system.as_ref()),
            )
        })
        .collect();
    let html = format!(
        r#"<header><h1>Armada kiosk</h1><a href="/report">Laporan</a></header><main class="fleet">{banner}{rollout}
<p class="note">Urutan: yang paling perlu tindakan di atas. Kiosk senyap lebih dari {} menit, printer bermasalah, atau katalog kedaluwarsa: merah; kertas hampir habis, katalog tertinggal, lebih dari {} catatan belum terkirim: kuning.</p>
<table><thead><tr><th>MPP</th><th>Kiosk</th><th>Terakhir terdengar</th><th>Printer</th><th>Katalog (kiosk / terbaru)</th><th>Belum terkirim</th><th>Versi aplikasi</th><th>Sistem (slot, versi, pembaruan terakhir)</th><th>Perlu tindakan</th></tr></thead><tbody>{body}</tbody></table></main>"#,
        state.app.alerts.silent_after_min, state.app.alerts.backlog
    );
    Ok(page("Armada kiosk", r#"class="fleet-page""#, &html, None).into_response())
}

/// The kiosk's slots and last update, as the technician reads them.
fn system_words(s: Option<&mpp_domain::update::SystemReport>) -> String {
    use mpp_domain::update::UpdateResult;
    let Some(s) = s else { return "-".into() };
    let mut out = format!(
        "{} · slot {}{}",
        esc(&s.version),
        s.slot.as_str().to_uppercase(),
        s.other_version.as_deref().map_or(String::new(), |v| format!(" (lainnya {})", esc(v)))
    );
    if let Some(p) = &s.progress {
        let phase = match p.phase.as_str() {
            "download" => "mengunduh",
            "verify" => "memeriksa",
            "write" => "menulis",
            other => other,
        };
        out +=
            &format!("<br>{} {}: {}%", esc(phase), esc(&p.version), (p.done * 100).checked_div(p.total).unwrap_or(0));
    }
    if let Some(l) = &s.last {
        let what = match &l.result {
            UpdateResult::Installed => "terpasang, menunggu mulai ulang".to_owned(),
            UpdateResult::Running => "berjalan".to_owned(),
            UpdateResult::FellBack => "<strong>gagal menyala, kembali ke versi lama</strong>".to_owned(),
            UpdateResult::Failed { reason } => format!("<strong>gagal</strong>: {}", esc(reason)),
            UpdateResult::Interrupted => "penulisan terputus, dicoba lagi".to_owned(),
        };
        out += &format!("<br>{}: {what}", esc(&l.version));
    }
    out
}
