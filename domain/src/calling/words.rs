//! What the counter page says, in the staff member's language (Indonesian unless they chose
//! English): the states, what an action did, and why one is refused. One place, so the
//! page, the API and the tests read the same words.

use crate::text::Lang;

use super::{Action, CallState, Deed, Refused};

impl CallState {
    /// The state as the counter page names it.
    pub fn words(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (CallState::Waiting, Lang::Id) => "menunggu",
            (CallState::Waiting, Lang::En) => "waiting",
            (CallState::Called, Lang::Id) => "dipanggil",
            (CallState::Called, Lang::En) => "called",
            (CallState::Serving, Lang::Id) => "sedang dilayani",
            (CallState::Serving, Lang::En) => "being served",
            (CallState::Done, Lang::Id) => "selesai",
            (CallState::Done, Lang::En) => "done",
            (CallState::NoShow, Lang::Id) => "tidak hadir",
            (CallState::NoShow, Lang::En) => "no-show",
        }
    }
}

/// An action as the refusal names it: "cannot be {recalled}".
fn done_to(action: &str, lang: Lang) -> &'static str {
    match (action, lang) {
        ("call", Lang::Id) => "dipanggil",
        ("call", Lang::En) => "called",
        ("recall", Lang::Id) => "dipanggil ulang",
        ("recall", Lang::En) => "recalled",
        ("start", Lang::Id) => "mulai dilayani",
        ("start", Lang::En) => "started",
        ("finish", Lang::Id) => "diselesaikan",
        ("finish", Lang::En) => "finished",
        ("no_show", Lang::Id) => "ditandai tidak hadir",
        ("no_show", Lang::En) => "marked a no-show",
        ("requeue", Lang::Id) => "dikembalikan ke antrean",
        ("requeue", Lang::En) => "put back in line",
        (_, Lang::Id) => "dialihkan",
        (_, Lang::En) => "transferred",
    }
}

impl Deed {
    fn words(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Deed::CallOutOfOrder, Lang::Id) => "memanggil nomor di luar urutan",
            (Deed::CallOutOfOrder, Lang::En) => "call a number out of order",
        }
    }
}

impl Refused {
    /// Why, for the staff member at the counter: what is wrong and what to do instead.
    pub fn says(&self, lang: Lang) -> String {
        use Refused::*;
        match (self, lang) {
            (NotNow { from, action }, Lang::Id) => {
                format!("Nomor ini berstatus {}: tidak bisa {}.", from.words(lang), done_to(action, lang))
            }
            (NotNow { from, action }, Lang::En) => {
                format!("This number is {}: it cannot be {}.", from.words(lang), done_to(action, lang))
            }
            (OtherCounter(c), Lang::Id) => format!("Nomor ini ada di Loket {c}, bukan di loket ini."),
            (OtherCounter(c), Lang::En) => format!("This number is at counter {c}, not this one."),
            (RecallLimit { done, max }, Lang::Id) => format!(
                "Sudah dipanggil ulang {done} kali (batasnya {max}): tandai tidak hadir, atau layani bila orangnya datang."
            ),
            (RecallLimit { done, max }, Lang::En) => {
                format!("Recalled {done} times already (the limit is {max}): mark it a no-show, or serve it.")
            }
            (TooSoon { ago, wait }, Lang::Id) => {
                format!("Baru dipanggil {ago} detik lalu: beri waktu berjalan, panggil ulang {wait} detik lagi.")
            }
            (TooSoon { ago, wait }, Lang::En) => format!("Called {ago} s ago: recall it in {wait} s."),
            (NoShowTooEarly { done, max }, Lang::Id) => {
                format!("Panggil ulang dulu: tidak hadir baru boleh setelah {max} kali panggilan ulang (baru {done}).")
            }
            (NoShowTooEarly { done, max }, Lang::En) => {
                format!("Recall it first: a no-show only after {max} recalls ({done} so far).")
            }
            (SameService, Lang::Id) => "Nomor ini sudah di layanan itu.".to_owned(),
            (SameService, Lang::En) => "It is already in that service.".to_owned(),
            (ForOtherCounter(c), Lang::Id) => format!("Nomor ini dialihkan khusus ke Loket {c}."),
            (ForOtherCounter(c), Lang::En) => format!("This number waits for counter {c}."),
            (NoCounter(c), Lang::Id) => format!("Loket {c} tidak ada di MPP ini."),
            (NoCounter(c), Lang::En) => format!("Counter {c} does not exist at this site."),
            (Paused { counter, reason }, Lang::Id) => {
                format!("Loket {counter} sedang jeda ({reason}): lanjutkan dulu.")
            }
            (Paused { counter, reason }, Lang::En) => {
                format!("Counter {counter} is paused ({reason}): resume it first.")
            }
            (Busy { counter, number }, Lang::Id) => {
                format!("{number} masih di Loket {counter}: selesaikan, alihkan, atau tandai tidak hadir dulu.")
            }
            (Busy { counter, number }, Lang::En) => {
                format!("{number} is still at counter {counter}: finish it, transfer it or mark it a no-show first.")
            }
            (NoTicket { number, date }, Lang::Id) => {
                format!("Tidak ada nomor {number} pada {}.", date.strftime("%d/%m/%Y"))
            }
            (NoTicket { number, date }, Lang::En) => format!("No number {number} on {}.", date.strftime("%d/%m/%Y")),
            (Ambiguous { number }, Lang::Id) => format!(
                "{number} terbit dua kali hari ini (sebuah kios kehilangan datanya): layani di loket tempat ia dipanggil, atau minta supervisor."
            ),
            (Ambiguous { number }, Lang::En) => format!(
                "{number} was given twice today (a kiosk lost its ledger): act on it at its counter, or ask a supervisor."
            ),
            (NoService(s), Lang::Id) => format!("Tidak ada layanan {s} di MPP ini."),
            (NoService(s), Lang::En) => format!("No service {s} at this site."),
            (NotAllowed(d), Lang::Id) => format!("Hanya supervisor atau admin yang boleh {}.", d.words(lang)),
            (NotAllowed(d), Lang::En) => format!("Only a supervisor or an admin may {}.", d.words(lang)),
            (NeedsReason(d), Lang::Id) => format!("Tulis alasan untuk {}.", d.words(lang)),
            (NeedsReason(d), Lang::En) => format!("Give a reason to {}.", d.words(lang)),
        }
    }
}

/// What an action did, for the counter page's message: "KTB-A001 dipanggil ke Loket 3".
pub fn done(action: &Action, number: &str, counter: i16, recalls: u8, lang: Lang) -> String {
    match (action, lang) {
        (Action::Call, Lang::Id) => format!("{number} dipanggil ke Loket {counter}."),
        (Action::Call, Lang::En) => format!("{number} called to counter {counter}."),
        (Action::Recall, Lang::Id) => format!("{number} dipanggil ulang ({recalls}×)."),
        (Action::Recall, Lang::En) => format!("{number} recalled ({recalls}×)."),
        (Action::Start, Lang::Id) => format!("{number} sedang dilayani."),
        (Action::Start, Lang::En) => format!("{number} is being served."),
        (Action::Finish, Lang::Id) => format!("{number} selesai dilayani."),
        (Action::Finish, Lang::En) => format!("{number} done."),
        (Action::NoShow, Lang::Id) => format!("{number} ditandai tidak hadir."),
        (Action::NoShow, Lang::En) => format!("{number} marked a no-show."),
        (Action::Requeue, Lang::Id) => format!("{number} kembali ke antrean."),
        (Action::Requeue, Lang::En) => format!("{number} is back in line."),
        (Action::Transfer { counter: Some(to), .. }, Lang::Id) => format!("{number} dialihkan ke Loket {to}."),
        (Action::Transfer { counter: Some(to), .. }, Lang::En) => format!("{number} transferred to counter {to}."),
        (Action::Transfer { .. }, Lang::Id) => format!("{number} dialihkan."),
        (Action::Transfer { .. }, Lang::En) => format!("{number} transferred."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal, in both languages: Indonesian has no English words in it, and both
    /// name the figures the staff member needs.
    fn every_refusal() -> Vec<Refused> {
        vec![
            Refused::NotNow { from: CallState::Done, action: "recall" },
            Refused::OtherCounter(4),
            Refused::RecallLimit { done: 2, max: 2 },
            Refused::TooSoon { ago: 5, wait: 15 },
            Refused::NoShowTooEarly { done: 0, max: 2 },
            Refused::SameService,
            Refused::ForOtherCounter(7),
            Refused::NoCounter(99),
            Refused::Paused { counter: 3, reason: "istirahat".into() },
            Refused::Busy { counter: 1, number: "KTB-A002".into() },
            Refused::NoTicket { number: "KTB-A999".into(), date: jiff::civil::date(2026, 11, 30) },
            Refused::Ambiguous { number: "KTB-A001".into() },
            Refused::NoService("XYZ".into()),
            Refused::NotAllowed(Deed::CallOutOfOrder),
            Refused::NeedsReason(Deed::CallOutOfOrder),
        ]
    }

    #[test]
    fn refusals_are_said_in_indonesian_by_default_and_in_english_when_chosen() {
        let english = ["the ", " is ", "counter", "first", "wait", "only", "called", "recall", "give"];
        for r in every_refusal() {
            let id = r.says(Lang::Id);
            let en = r.says(Lang::En);
            let lower = id.to_lowercase();
            for w in english {
                assert!(!lower.contains(w), "English {w:?} in {id:?}");
            }
            assert_ne!(id, en);
            assert!(id.ends_with('.') && en.ends_with('.'), "{id} / {en}");
        }
        assert_eq!(
            Refused::NoShowTooEarly { done: 0, max: 2 }.says(Lang::Id),
            "Panggil ulang dulu: tidak hadir baru boleh setelah 2 kali panggilan ulang (baru 0)."
        );
        assert_eq!(
            Refused::NoTicket { number: "KTB-A999".into(), date: jiff::civil::date(2026, 11, 30) }.says(Lang::Id),
            "Tidak ada nomor KTB-A999 pada 30/11/2026."
        );
    }

    #[test]
    fn what_was_done_is_said_in_one_language() {
        assert_eq!(done(&Action::Call, "KTB-PA001", 3, 0, Lang::Id), "KTB-PA001 dipanggil ke Loket 3.");
        assert_eq!(done(&Action::Start, "KTB-PA001", 3, 0, Lang::Id), "KTB-PA001 sedang dilayani.");
        assert_eq!(done(&Action::Recall, "KTB-A001", 3, 1, Lang::En), "KTB-A001 recalled (1×).");
        assert_eq!(CallState::Serving.words(Lang::Id), "sedang dilayani");
    }
}
