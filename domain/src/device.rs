//! What a kiosk's devices report, in words both ends share: the printer faults a kiosk
//! shows the citizen and reports to its site server's fleet page.

use crate::text::Lang;

/// A printer state that stops printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// No answer within the timeout, or the printer says it is offline.
    Offline,
    CoverOpen,
    PaperOut,
    Error,
}

impl Fault {
    pub fn code(self) -> &'static str {
        match self {
            Fault::Offline => "offline",
            Fault::CoverOpen => "cover_open",
            Fault::PaperOut => "paper_out",
            Fault::Error => "error",
        }
    }

    /// What the citizen reads: the problem and what to do.
    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Fault::PaperOut, Lang::Id) => "Kertas printer habis. Silakan minta bantuan petugas di meja informasi.",
            (Fault::PaperOut, Lang::En) => "The printer is out of paper. Please ask staff at the information desk.",
            (Fault::CoverOpen, Lang::Id) => "Tutup printer terbuka. Silakan minta bantuan petugas di meja informasi.",
            (Fault::CoverOpen, Lang::En) => "The printer cover is open. Please ask staff at the information desk.",
            (Fault::Offline | Fault::Error, Lang::Id) => {
                "Printer sedang tidak dapat dipakai. Silakan minta bantuan petugas di meja informasi."
            }
            (Fault::Offline | Fault::Error, Lang::En) => {
                "The printer is not working right now. Please ask staff at the information desk."
            }
        }
    }
}
