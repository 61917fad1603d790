//! Queue numbers.
//!
//! A number is `{prefix}-{P?}{kiosk letter}{seq:03}`: `KTB-A007` is the 7th regular ticket of
//! the day for the service with prefix `KTB` at kiosk 1 (A); `KTB-PB003` the 3rd priority
//! ticket at kiosk 2 (B). Every kiosk of a site has its own letter, so kiosks that cannot
//! reach each other can never hand out the same number; priority tickets (elderly,
//! disability, pregnant or with an infant — UU 25/2009 Pasal 29) carry a `P` and count on
//! their own, so they are visible in the number itself. Sequences restart every local day.
//! The site server's reception desk issues numbers too, as "kiosk" [`DESK`] with the letter
//! Z (`KTB-Z004`), so a desk number can never be a kiosk's.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The "kiosk" number of the site server's reception desk: its numbers carry the letter Z.
pub const DESK: u8 = 26;

/// Highest sequence number a kiosk hands out per service, class and day.
pub const MAX_SEQ: u32 = 999;

/// Who a priority ticket is for (UU 25/2009 Pasal 29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// 60 years or older.
    Elderly,
    /// A person with a disability.
    Disability,
    /// Pregnant, or with an infant.
    Pregnant,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Elderly, Priority::Disability, Priority::Pregnant];

    pub fn code(self) -> &'static str {
        match self {
            Priority::Elderly => "elderly",
            Priority::Disability => "disability",
            Priority::Pregnant => "pregnant",
        }
    }

    pub fn from_code(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.code() == s)
    }

    /// The label on the slip and screen.
    pub fn label(self, lang: crate::text::Lang) -> &'static str {
        use crate::text::Lang::*;
        match (self, lang) {
            (Priority::Elderly, Id) => "PRIORITAS - Lansia",
            (Priority::Elderly, En) => "PRIORITY - Elderly",
            (Priority::Disability, Id) => "PRIORITAS - Penyandang disabilitas",
            (Priority::Disability, En) => "PRIORITY - Person with a disability",
            (Priority::Pregnant, Id) => "PRIORITAS - Ibu hamil / membawa bayi",
            (Priority::Pregnant, En) => "PRIORITY - Pregnant / with an infant",
        }
    }
}

/// The parts of a queue number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketNumber {
    pub prefix: String,
    pub kiosk: u8,
    pub priority: bool,
    pub seq: u32,
}

impl TicketNumber {
    /// The kiosk's letter: 1 → A … 9 → I; the desk ([`DESK`]) → Z.
    pub fn kiosk_letter(kiosk: u8) -> char {
        debug_assert!((1..=9).contains(&kiosk) || kiosk == DESK);
        (b'A' + kiosk - 1) as char
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = if self.priority { "P" } else { "" };
        write!(f, "{}-{p}{}{:03}", self.prefix, Self::kiosk_letter(self.kiosk), self.seq)
    }
}

impl std::str::FromStr for TicketNumber {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a queue number like KTB-A007 or KTB-PA007");
        let s_up = s.trim().to_ascii_uppercase();
        let (prefix, rest) = s_up.split_once('-').ok_or_else(bad)?;
        if prefix.is_empty() || prefix.len() > 4 || !prefix.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(bad());
        }
        let (priority, rest) = match rest.strip_prefix('P') {
            Some(r) if r.len() == 4 => (true, r),
            _ => (false, rest),
        };
        let mut chars = rest.chars();
        let letter = chars.next().ok_or_else(bad)?;
        let digits: String = chars.collect();
        if !(('A'..='I').contains(&letter) || letter == 'Z')
            || digits.len() != 3
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        Ok(TicketNumber {
            prefix: prefix.to_owned(),
            kiosk: letter as u8 - b'A' + 1,
            priority,
            seq: digits.parse().map_err(|_| bad())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_and_parse() {
        let n = TicketNumber { prefix: "KTB".into(), kiosk: 1, priority: false, seq: 7 };
        assert_eq!(n.to_string(), "KTB-A007");
        assert_eq!("ktb-a007".parse::<TicketNumber>().unwrap(), n);
        let p = TicketNumber { prefix: "SKB".into(), kiosk: 2, priority: true, seq: 123 };
        assert_eq!(p.to_string(), "SKB-PB123");
        let desk = TicketNumber { prefix: "KTB".into(), kiosk: DESK, priority: false, seq: 4 };
        assert_eq!(desk.to_string(), "KTB-Z004");
        assert_eq!("KTB-Z004".parse::<TicketNumber>().unwrap(), desk);
        assert_eq!("SKB-PB123".parse::<TicketNumber>().unwrap(), p);
        // A kiosk letter P does not exist (kiosks are A–I, the desk Z), so "PA" is never ambiguous.
        for bad in ["KTB007", "KTB-J007", "KTB-A07", "KTB-A0007", "-A007", "KTBXX-A007", "KTB-PP007"] {
            assert!(bad.parse::<TicketNumber>().is_err(), "{bad}");
        }
    }

    #[test]
    fn kiosks_have_disjoint_letters() {
        let letters: std::collections::BTreeSet<char> = (1..=9).map(TicketNumber::kiosk_letter).collect();
        assert_eq!(letters.len(), 9);
        assert!(!letters.contains(&'P'));
    }
}
