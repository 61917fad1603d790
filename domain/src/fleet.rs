//! The fleet's health: what needs a person at each kiosk (a silent kiosk, a printer out of
//! paper or open, an old or expired catalogue, records not reaching the server), worst
//! first; and a site whose kiosks are all silent (its network, not a kiosk). Plain facts
//! in, alerts out: the site server reads the facts and shows and sends the alerts.

use serde::Serialize;

use crate::device::Fault;
use crate::protocol::PrinterState;

/// One kiosk as the server last heard from it.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskFacts {
    pub site: String,
    pub kiosk: u8,
    pub name: String,
    /// The last upload or health report.
    pub last_seen: Option<jiff::Timestamp>,
    pub app_version: Option<String>,
    pub catalogue_version: Option<u64>,
    pub printer: PrinterState,
    pub outbox_pending: u64,
    /// The kiosk's clock, as the server last measured it: server minus kiosk, seconds.
    pub clock_offset_secs: Option<i64>,
    /// Numbers this kiosk gave today that were already given (it lost its ledger).
    pub repeated_numbers: u32,
    /// Its slots and last system update, as its health report said.
    pub system: Option<crate::update::SystemReport>,
}

/// What the site publishes now, for comparing a kiosk's catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteFacts {
    pub code: String,
    pub feed_version: u64,
    pub feed_expires: Option<jiff::Timestamp>,
}

/// When a kiosk needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Silent (no upload, no health report) for longer than this, minutes.
    pub silent_after_min: i64,
    /// Records waiting on the kiosk beyond this many.
    pub backlog: u64,
    /// A kiosk clock off by more than this, seconds, is flagged (its tickets are put in
    /// line by corrected times meanwhile).
    pub clock_off_secs: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { silent_after_min: 15, backlog: 50, clock_off_secs: 5 }
    }
}

/// A kiosk clock off by more than this, seconds, has its day wrong too: critical.
pub const CLOCK_WRONG_DAY_SECS: i64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Ok,
    Warning,
    Critical,
}

/// Something that needs a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    Silent {
        minutes: i64,
    },
    NeverSeen,
    PaperOut,
    CoverOpen,
    PrinterOffline,
    PrinterError,
    PaperNearEnd,
    CatalogueExpired,
    CatalogueBehind {
        has: Option<u64>,
        current: u64,
    },
    Backlog {
        pending: u64,
    },
    /// Positive: the kiosk's clock is behind the server's.
    ClockOff {
        secs: i64,
    },
    RepeatedNumbers {
        count: u32,
    },
    /// A system update did not take: the kiosk runs its old version (fell back) or refused
    /// the bundle.
    UpdateFailed {
        version: String,
        fell_back: bool,
    },
}

impl Alert {
    pub fn severity(&self) -> Severity {
        match self {
            Alert::PaperNearEnd
            | Alert::CatalogueBehind { .. }
            | Alert::Backlog { .. }
            | Alert::UpdateFailed { .. } => Severity::Warning,
            Alert::ClockOff { secs } if secs.abs() <= CLOCK_WRONG_DAY_SECS => Severity::Warning,
            _ => Severity::Critical,
        }
    }

    /// A stable name (for the webhook and for remembering what was sent).
    pub fn kind(&self) -> &'static str {
        match self {
            Alert::Silent { .. } => "silent",
            Alert::NeverSeen => "never_seen",
            Alert::PaperOut => "paper_out",
            Alert::CoverOpen => "cover_open",
            Alert::PrinterOffline => "printer_offline",
            Alert::PrinterError => "printer_error",
            Alert::PaperNearEnd => "paper_near_end",
            Alert::CatalogueExpired => "catalogue_expired",
            Alert::CatalogueBehind { .. } => "catalogue_behind",
            Alert::Backlog { .. } => "backlog",
            Alert::ClockOff { .. } => "clock_off",
            Alert::RepeatedNumbers { .. } => "repeated_numbers",
            Alert::UpdateFailed { .. } => "update_failed",
        }
    }

    /// What to do, in Indonesian for the MPP's technician.
    pub fn words(&self) -> String {
        match self {
            Alert::Silent { minutes } => format!("Tidak ada kabar {minutes} menit: periksa daya dan jaringan kiosk"),
            Alert::NeverSeen => "Belum pernah terhubung: periksa konfigurasi [sync] kiosk".into(),
            Alert::PaperOut => "Kertas printer habis: ganti gulungan".into(),
            Alert::CoverOpen => "Tutup printer terbuka: tutup printer".into(),
            Alert::PrinterOffline => "Printer tidak menjawab: periksa kabel dan daya printer".into(),
            Alert::PrinterError => "Printer rusak atau macet: periksa printer".into(),
            Alert::PaperNearEnd => "Kertas hampir habis: siapkan gulungan baru".into(),
            Alert::CatalogueExpired => {
                "Katalog kedaluwarsa: warga melihat pemberitahuan; terbitkan katalog baru".into()
            }
            Alert::CatalogueBehind { has, current } => format!(
                "Katalog versi {} (terbaru {current}): periksa sinkronisasi",
                has.map_or("-".to_owned(), |v| v.to_string())
            ),
            Alert::Backlog { pending } => format!("{pending} catatan belum terkirim ke server"),
            Alert::ClockOff { secs } => format!(
                "Jam kiosk {} {} detik dari server: periksa sinkronisasi waktu (NTP)",
                if *secs > 0 { "terlambat" } else { "terlalu cepat" },
                secs.abs()
            ),
            Alert::RepeatedNumbers { count } => format!(
                "{count} nomor hari ini diberikan dua kali (kiosk kehilangan datanya): periksa kiosk, layani keduanya"
            ),
            Alert::UpdateFailed { version, fell_back: true } => format!(
                "Pembaruan sistem {version} gagal menyala dan kiosk kembali ke versi lama sendiri: kiosk tetap melayani; periksa bundel itu"
            ),
            Alert::UpdateFailed { version, fell_back: false } => {
                format!("Pembaruan sistem {version} ditolak atau gagal ditulis: lihat status sistem kiosk")
            }
        }
    }
}

/// A kiosk's alerts at `now`, worst first.
pub fn alerts(k: &KioskFacts, site: &SiteFacts, rules: &Rules, now: jiff::Timestamp) -> Vec<Alert> {
    let mut out = Vec::new();
    match k.last_seen {
        None => out.push(Alert::NeverSeen),
        Some(seen) => {
            let minutes = now.duration_since(seen).as_secs() / 60;
            if minutes > rules.silent_after_min {
                out.push(Alert::Silent { minutes });
            }
        }
    }
    match k.printer {
        PrinterState::Fault(Fault::PaperOut) => out.push(Alert::PaperOut),
        PrinterState::Fault(Fault::CoverOpen) => out.push(Alert::CoverOpen),
        PrinterState::Fault(Fault::Offline) => out.push(Alert::PrinterOffline),
        PrinterState::Fault(Fault::Error) => out.push(Alert::PrinterError),
        PrinterState::PaperNearEnd => out.push(Alert::PaperNearEnd),
        PrinterState::Ready | PrinterState::Unknown => {}
    }
    if site.feed_expires.is_some_and(|e| e <= now) {
        out.push(Alert::CatalogueExpired);
    }
    // Behind: a version it reported that is older (one it never reported is not known).
    if k.catalogue_version.is_some_and(|v| v < site.feed_version) {
        out.push(Alert::CatalogueBehind { has: k.catalogue_version, current: site.feed_version });
    }
    if k.outbox_pending > rules.backlog {
        out.push(Alert::Backlog { pending: k.outbox_pending });
    }
    if let Some(secs) = k.clock_offset_secs.filter(|s| s.abs() > rules.clock_off_secs) {
        out.push(Alert::ClockOff { secs });
    }
    if k.repeated_numbers > 0 {
        out.push(Alert::RepeatedNumbers { count: k.repeated_numbers });
    }
    if let Some(last) = k.system.as_ref().and_then(|s| s.last.as_ref()).filter(|l| l.result.is_failure()) {
        out.push(Alert::UpdateFailed {
            version: last.version.clone(),
            fell_back: last.result == crate::update::UpdateResult::FellBack,
        });
    }
    out.sort_by_key(|a| std::cmp::Reverse(a.severity()));
    out
}

/// The worst of a kiosk's alerts.
pub fn severity(alerts: &[Alert]) -> Severity {
    alerts.iter().map(Alert::severity).max().unwrap_or(Severity::Ok)
}

/// Sites with kiosks all of which are silent or never seen: the site itself is cut off.
pub fn silent_sites<'a>(kiosks: impl IntoIterator<Item = (&'a KioskFacts, &'a [Alert])>) -> Vec<String> {
    let mut by_site: std::collections::BTreeMap<&str, (usize, usize)> = std::collections::BTreeMap::new();
    for (k, alerts) in kiosks {
        let e = by_site.entry(&k.site).or_default();
        e.0 += 1;
        if alerts.iter().any(|a| matches!(a, Alert::Silent { .. } | Alert::NeverSeen)) {
            e.1 += 1;
        }
    }
    by_site.into_iter().filter(|(_, (n, silent))| n == silent).map(|(s, _)| s.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    fn kiosk(site: &str, n: u8, seen: Option<&str>, printer: PrinterState) -> KioskFacts {
        KioskFacts {
            site: site.into(),
            kiosk: n,
            name: String::new(),
            last_seen: seen.map(t),
            app_version: Some("0.1.0".into()),
            catalogue_version: Some(7),
            printer,
            outbox_pending: 0,
            clock_offset_secs: None,
            repeated_numbers: 0,
            system: None,
        }
    }

    #[test]
    fn a_clock_that_is_off_and_numbers_given_twice_are_flagged() {
        let site = SiteFacts { code: "S".into(), feed_version: 7, feed_expires: None };
        let now = t("2026-11-30T02:00:00Z");
        let mut k = kiosk("S", 1, Some("2026-11-30T01:59:00Z"), PrinterState::Ready);
        k.clock_offset_secs = Some(3);
        assert!(alerts(&k, &site, &Rules::default(), now).is_empty(), "within a few seconds: the network");
        k.clock_offset_secs = Some(300);
        let a = alerts(&k, &site, &Rules::default(), now);
        assert_eq!(a, [Alert::ClockOff { secs: 300 }]);
        assert_eq!((a[0].severity(), a[0].words().contains("terlambat 300 detik")), (Severity::Warning, true));
        k.clock_offset_secs = Some(-6 * 86_400);
        assert_eq!(alerts(&k, &site, &Rules::default(), now)[0].severity(), Severity::Critical, "a wrong day");
        k.clock_offset_secs = None;
        k.repeated_numbers = 2;
        assert_eq!(alerts(&k, &site, &Rules::default(), now), [Alert::RepeatedNumbers { count: 2 }]);
    }

    #[test]
    fn an_update_that_fell_back_or_failed_is_flagged_and_one_that_runs_is_not() {
        use crate::update::{LastUpdate, Slot, SystemReport, UpdateResult};
        let site = SiteFacts { code: "S".into(), feed_version: 7, feed_expires: None };
        let now = t("2026-11-30T02:00:00Z");
        let mut k = kiosk("S", 1, Some("2026-11-30T01:59:00Z"), PrinterState::Ready);
        let with = |result| SystemReport {
            slot: Slot::A,
            version: "2".into(),
            other_version: None,
            last: Some(LastUpdate { version: "3".into(), result, at_utc: now }),
            progress: None,
        };
        k.system = Some(with(UpdateResult::Running));
        assert!(alerts(&k, &site, &Rules::default(), now).is_empty());
        k.system = Some(with(UpdateResult::FellBack));
        let a = alerts(&k, &site, &Rules::default(), now);
        assert_eq!(a, [Alert::UpdateFailed { version: "3".into(), fell_back: true }]);
        assert_eq!(a[0].severity(), Severity::Warning, "the old version serves meanwhile");
        assert!(a[0].words().contains("kembali ke versi lama"));
        k.system = Some(with(UpdateResult::Failed { reason: "hash".into() }));
        assert_eq!(
            alerts(&k, &site, &Rules::default(), now),
            [Alert::UpdateFailed { version: "3".into(), fell_back: false }]
        );
    }

    #[test]
    fn what_needs_a_person_worst_first() {
        let site = SiteFacts { code: "S".into(), feed_version: 7, feed_expires: None };
        let now = t("2026-11-30T02:00:00Z");
        let rules = Rules::default();
        assert!(
            alerts(&kiosk("S", 1, Some("2026-11-30T01:50:00Z"), PrinterState::Ready), &site, &rules, now).is_empty(),
            "fine"
        );
        let a = alerts(&kiosk("S", 1, Some("2026-11-30T01:40:00Z"), PrinterState::PaperNearEnd), &site, &rules, now);
        assert_eq!(a, vec![Alert::Silent { minutes: 20 }, Alert::PaperNearEnd], "silent 20 > 15 min, critical first");
        assert_eq!(
            alerts(
                &kiosk("S", 1, Some("2026-11-30T01:59:00Z"), PrinterState::Fault(Fault::PaperOut)),
                &site,
                &rules,
                now
            ),
            vec![Alert::PaperOut]
        );
        let mut old = kiosk("S", 1, Some("2026-11-30T01:59:00Z"), PrinterState::Ready);
        old.catalogue_version = Some(6);
        old.outbox_pending = 51;
        assert_eq!(
            alerts(&old, &site, &rules, now),
            vec![Alert::CatalogueBehind { has: Some(6), current: 7 }, Alert::Backlog { pending: 51 }]
        );
        let expired = SiteFacts { feed_expires: Some(t("2026-11-30T00:00:00Z")), ..site.clone() };
        assert_eq!(
            alerts(&kiosk("S", 1, Some("2026-11-30T01:59:00Z"), PrinterState::Ready), &expired, &rules, now),
            vec![Alert::CatalogueExpired]
        );
        assert_eq!(alerts(&kiosk("S", 2, None, PrinterState::Unknown), &site, &rules, now), vec![Alert::NeverSeen]);
    }

    #[test]
    fn a_site_whose_kiosks_are_all_silent_stands_out() {
        let (a, b, c) = (
            kiosk("A", 1, None, PrinterState::Ready),
            kiosk("A", 2, None, PrinterState::Ready),
            kiosk("B", 1, None, PrinterState::Ready),
        );
        let silent = [Alert::Silent { minutes: 30 }];
        let none: [Alert; 0] = [];
        assert_eq!(silent_sites([(&a, &silent[..]), (&b, &silent[..]), (&c, &none[..])]), vec!["A".to_owned()]);
        assert_eq!(silent_sites([(&a, &silent[..]), (&b, &none[..])]), Vec::<String>::new());
    }
}
