//! The staff screen's words, in the language chosen on the kiosk: the health lines, the
//! PIN pad's refusals and what a staff action came to. The app layer gathers the facts;
//! nothing here reads a database or a printer.

use crate::kiosk::{PullOutcome, StaffOutcome, UploadOutcome};
use crate::staff_pin::PinResult;
use crate::survey::ikm::Ikm;
use crate::text::Lang;

/// One line of the health list.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthLine {
    pub label: String,
    pub value: String,
    /// Green.
    pub ok: bool,
    /// Amber: it works, but look (paper near its end, a printer that reports nothing).
    pub warn: bool,
}

/// The facts the staff screen shows, as the app layer read them.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// The printer's last known state, already worded (by the printing module), whether it
    /// reported ready, and whether it needs a look (paper near its end, no status at all).
    pub printer: (String, bool, bool),
    pub catalogue: Result<Option<CatalogueFacts>, String>,
    pub sync: Result<SyncFacts, String>,
    pub ikm_today: Result<Option<Ikm>, String>,
    pub ikm_month: Result<Option<Ikm>, String>,
    /// The site's local date and time, e.g. "2026-11-30T09:05:00".
    pub local_time: String,
    /// The site's zone label (WIB, WITA, WIT).
    pub zone: String,
    /// What pins the clock, when it is pinned (`MPP_KIOSK_NOW`).
    pub pinned_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueFacts {
    pub version: u64,
    pub source: String,
    pub services: usize,
    pub unverified: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncFacts {
    pub expires: Option<String>,
    pub expired: bool,
    pub url_set: bool,
    pub last_error: Option<String>,
    pub last_success: Option<String>,
    pub pending: u64,
    pub oldest_pending: Option<String>,
    pub acknowledged: u64,
    pub upload_failing: bool,
}

/// Picks the Indonesian or English words.
fn w<'a>(lang: Lang, id: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::Id { id } else { en }
}

/// The health list, top to bottom.
pub fn health_lines(h: &Health, lang: Lang) -> Vec<HealthLine> {
    let (words, ok, warn) = h.printer.clone();
    let mut lines = vec![HealthLine { label: "Printer".to_owned(), value: words, ok, warn }];
    let mut add = |label: &str, value: String, ok: bool| {
        lines.push(HealthLine { label: label.to_owned(), value, ok, warn: false })
    };
    let label = w(lang, "Katalog", "Catalogue");
    match &h.catalogue {
        Ok(Some(c)) => add(
            label,
            match lang {
                Lang::Id => format!(
                    "versi {} {} ({} layanan, {} belum terverifikasi)",
                    c.version,
                    source_words(&c.source, lang),
                    c.services,
                    c.unverified
                ),
                Lang::En => format!(
                    "version {} {} ({} services, {} unverified)",
                    c.version,
                    source_words(&c.source, lang),
                    c.services,
                    c.unverified
                ),
            },
            true,
        ),
        Ok(None) => add(label, w(lang, "belum ada", "none yet").to_owned(), false),
        Err(e) => add(label, e.clone(), false),
    }
    let never = w(lang, "belum pernah", "never");
    match &h.sync {
        Ok(s) => {
            let label = w(lang, "Masa berlaku katalog", "Catalogue valid until");
            match (&s.expires, s.expired) {
                (Some(e), true) => add(
                    label,
                    format!(
                        "{} {e}; {}",
                        w(lang, "KEDALUWARSA sejak", "EXPIRED since"),
                        w(lang, "warga melihat pemberitahuan", "citizens see a notice")
                    ),
                    false,
                ),
                (Some(e), false) => add(label, format!("{} {e}", w(lang, "berlaku sampai", "valid until")), true),
                (None, _) => {}
            }
            let last = s.last_success.as_deref().unwrap_or(never);
            let (value, ok) = match (s.url_set, &s.last_error) {
                // Not set up is not working: the dot is not green.
                (false, _) => (
                    w(
                        lang,
                        "belum diatur: katalog hanya dari kiosk ini",
                        "not set up: the catalogue is only this kiosk's",
                    )
                    .to_owned(),
                    false,
                ),
                (true, Some(e)) => (
                    format!(
                        "{} {e}; {} {last}",
                        w(lang, "gagal:", "failed:"),
                        w(lang, "terakhir berhasil", "last success")
                    ),
                    false,
                ),
                (true, None) => (format!("{} {last}", w(lang, "terakhir berhasil", "last success")), true),
            };
            add(w(lang, "Sinkronisasi", "Sync"), value, ok);
            let oldest = s
                .oldest_pending
                .as_ref()
                .map(|o| format!(" ({} {o})", w(lang, "tertua", "oldest")))
                .unwrap_or_default();
            add(
                w(lang, "Unggahan", "Uploads"),
                format!(
                    "{} {}{oldest}, {} {}",
                    s.pending,
                    w(lang, "menunggu", "waiting"),
                    s.acknowledged,
                    w(lang, "terkirim", "sent")
                ),
                !s.upload_failing && s.url_set,
            );
        }
        Err(e) => add(w(lang, "Sinkronisasi", "Sync"), e.clone(), false),
    }
    let ikm = |r: &Result<Option<Ikm>, String>| match r {
        Ok(Some(i)) => format!(
            "{:.2} ({:?}, {}) {} {} {}",
            i.converted,
            i.grade,
            i.grade.words(lang),
            w(lang, "dari", "from"),
            i.respondents,
            w(lang, "responden", "respondents")
        ),
        Ok(None) => w(lang, "belum ada responden", "no respondents yet").to_owned(),
        Err(e) => e.clone(),
    };
    add(w(lang, "IKM hari ini", "IKM today"), ikm(&h.ikm_today), true);
    add(w(lang, "IKM bulan ini", "IKM this month"), ikm(&h.ikm_month), true);
    let clock = h.local_time.clone();
    let value = match &h.pinned_by {
        Some(_) => format!(
            "{clock} ({})",
            w(
                lang,
                "jam diatur tetap untuk uji coba, bukan jam sebenarnya",
                "set fixed for testing, not the real time"
            )
        ),
        None => clock,
    };
    add(w(lang, "Jam", "Clock"), value, h.pinned_by.is_none());
    lines
}

/// Where the catalogue came from, in words: the one built into the kiosk, or its address.
fn source_words(source: &str, lang: Lang) -> String {
    if source.starts_with("embedded") {
        w(lang, "bawaan kiosk", "built into the kiosk").to_owned()
    } else {
        format!("{} {source}", w(lang, "dari", "from"))
    }
}

/// A ticket's state in the staff's language.
pub fn status_word(s: crate::tickets::Status, lang: Lang) -> &'static str {
    use crate::tickets::Status::*;
    match s {
        Issued => w(lang, "diterbitkan", "issued"),
        Printed => w(lang, "tercetak", "printed"),
        PrintFailed => w(lang, "gagal cetak", "print failed"),
        Reprinted => w(lang, "dicetak ulang", "reprinted"),
        Voided => w(lang, "dibatalkan", "voided"),
    }
}

/// What the PIN pad says after a refused PIN.
pub fn pin_message(result: Option<&PinResult>, lang: Lang) -> String {
    match (result, lang) {
        (None | Some(PinResult::Accepted), _) => String::new(),
        (Some(PinResult::Wrong { tries_left }), Lang::Id) => format!("PIN salah. Sisa {tries_left} kali coba."),
        (Some(PinResult::Wrong { tries_left }), Lang::En) => format!("Wrong PIN. {tries_left} tries left."),
        (Some(PinResult::Locked(secs)), Lang::Id) => format!("Terlalu banyak PIN salah. Coba lagi dalam {secs} detik."),
        (Some(PinResult::Locked(secs)), Lang::En) => format!("Too many wrong PINs. Try again in {secs} seconds."),
        (Some(PinResult::NotSet), Lang::Id) => {
            "PIN staf belum diatur. Teknisi: mpp-kiosk staff pin-hash, lalu [staff] pin_hash di config.".into()
        }
        (Some(PinResult::NotSet), Lang::En) => {
            "No staff PIN is set. Technician: mpp-kiosk staff pin-hash, then [staff] pin_hash in the config.".into()
        }
    }
}

/// What the last staff action came to.
pub fn staff_message(outcome: Option<&StaffOutcome>, lang: Lang) -> String {
    let Some(outcome) = outcome else { return String::new() };
    match outcome {
        StaffOutcome::Reprinted(n) => format!("{n} {}", w(lang, "dicetak ulang", "reprinted")),
        StaffOutcome::ReprintFailed { number, reason } => {
            format!("{number}: {} {reason}", w(lang, "cetak ulang gagal:", "reprint failed:"))
        }
        StaffOutcome::TestSlipSent => {
            w(lang, "Slip tes dikirim ke printer", "Test slip sent to the printer").to_owned()
        }
        StaffOutcome::JobFailed { what, error } => format!("{what} {error}").trim().to_owned(),
        StaffOutcome::SyncFailed(e) => format!("{}: {e}", w(lang, "Sinkronisasi", "Sync")),
        StaffOutcome::Synced { pull, upload } => {
            let pull = match pull {
                PullOutcome::Imported { version, services } => match lang {
                    Lang::Id => format!("katalog versi {version} ({services} layanan) diterima"),
                    Lang::En => format!("catalogue version {version} ({services} services) received"),
                },
                PullOutcome::NotModified => w(lang, "katalog tidak berubah", "catalogue unchanged").to_owned(),
                PullOutcome::NotConfigured => w(lang, "tidak ada [sync] url", "no [sync] url").to_owned(),
                PullOutcome::Failed(e) => format!("{}: {e}", w(lang, "katalog", "catalogue")),
            };
            let upload = match upload {
                UploadOutcome::Sent(n) => format!("{n} {}", w(lang, "catatan terkirim", "records sent")),
                UploadOutcome::NotConfigured => {
                    w(lang, "tidak ada [sync] upload_url", "no [sync] upload_url").to_owned()
                }
                UploadOutcome::Failed(e) => format!("{}: {e}", w(lang, "unggah", "upload")),
            };
            format!("{}: {pull}; {upload}", w(lang, "Sinkronisasi", "Sync"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_words_follow_the_chosen_language() {
        let synced = StaffOutcome::Synced { pull: PullOutcome::NotModified, upload: UploadOutcome::Sent(3) };
        assert_eq!(staff_message(Some(&synced), Lang::Id), "Sinkronisasi: katalog tidak berubah; 3 catatan terkirim");
        assert_eq!(staff_message(Some(&synced), Lang::En), "Sync: catalogue unchanged; 3 records sent");
        assert_eq!(pin_message(Some(&PinResult::Wrong { tries_left: 2 }), Lang::Id), "PIN salah. Sisa 2 kali coba.");
        assert_eq!(
            pin_message(Some(&PinResult::Locked(60)), Lang::En),
            "Too many wrong PINs. Try again in 60 seconds."
        );
        let health = Health {
            printer: ("siap".into(), true, false),
            catalogue: Ok(None),
            sync: Err("db".into()),
            ikm_today: Ok(None),
            ikm_month: Ok(None),
            local_time: "Monday, 30 November 2026, 09:05 WITA".into(),
            zone: "WITA".into(),
            pinned_by: Some("MPP_KIOSK_NOW".into()),
        };
        let en = health_lines(&health, Lang::En);
        assert_eq!(
            en.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(),
            ["Printer", "Catalogue", "Sync", "IKM today", "IKM this month", "Clock"]
        );
        assert_eq!(en[5].value, "Monday, 30 November 2026, 09:05 WITA (set fixed for testing, not the real time)");
        assert!(en.iter().all(|l| !l.value.contains("MPP_KIOSK_NOW") && !l.value.contains("embedded:")));
        assert!(!en[5].ok && !en[1].ok);
    }
}
