//! The booking code a citizen carries (on a phone, on paper, in a QR code): eight characters
//! from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), so it can be read out
//! over a counter and typed on the kiosk's keyboard. Made from random bytes the caller draws
//! (the domain has no randomness of its own); 25⁸ ≈ 1.5 × 10¹¹ codes.

use std::fmt;

/// The characters a code is made of.
pub const CODE_ALPHABET: &[u8; 25] = b"ACDEFGHJKMNPQRTUVWXY34679";
/// The code's length.
pub const CODE_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BookingCode(String);

impl BookingCode {
    /// A code from random bytes (at least [`CODE_LEN`]; each picks one character, with the
    /// bias of 256 mod 25 a few parts in a thousand, which no one can use).
    pub fn from_random(bytes: &[u8]) -> BookingCode {
        assert!(bytes.len() >= CODE_LEN, "a code needs {CODE_LEN} random bytes");
        BookingCode(
            bytes[..CODE_LEN].iter().map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char).collect(),
        )
    }

    /// Reads a code as typed or scanned: case, spaces and dashes do not matter; `None`
    /// when it cannot be a code.
    pub fn parse(typed: &str) -> Option<BookingCode> {
        let s: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect();
        // A scanned QR may carry the booking page's address (`…/b/SITE/CODE/KEY`): the code
        // is its last part that is one (the page's key is longer).
        let s = s.split('?').next().unwrap_or("");
        s.rsplit('/')
            .find(|p| p.len() == CODE_LEN && p.bytes().all(|b| CODE_ALPHABET.contains(&b)))
            .map(|p| BookingCode(p.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What both halves hash to find a booking without keeping its code: the site and the
    /// code (SHA-256 of this, hex, on the hub and on the kiosk).
    pub fn hash_input(&self, site: &str) -> String {
        format!("mpp-booking:{site}:{}", self.0)
    }
}

impl fmt::Display for BookingCode {
    /// "KQ4M-7TCX": in two groups, to read out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..4], &self.0[4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unambiguous_and_read_however_they_are_typed() {
        assert_eq!(CODE_ALPHABET.len(), 25);
        for look_alike in b"0O1IL2Z5S8B" {
            assert!(!CODE_ALPHABET.contains(look_alike), "{}", *look_alike as char);
        }
        let code = BookingCode::from_random(&[0, 1, 2, 3, 4, 5, 6, 200]);
        assert_eq!(code.as_str(), "ACDEFGHA", "200 mod 25 is 0");
        assert_eq!(code.to_string(), "ACDE-FGHA");
        assert_eq!(BookingCode::parse("acde-fgha"), Some(code.clone()));
        assert_eq!(BookingCode::parse(" ACDE FGHA "), Some(code.clone()));
        assert_eq!(BookingCode::parse("https://antrean.example/b/ACDEFGHA"), Some(code.clone()));
        assert_eq!(
            BookingCode::parse("https://antrean.example/b/MPP-JENEPONTO/ACDEFGHA/0f3a9c4d7e6b5a4c3d2e1f0a9b8c7d6e"),
            Some(code.clone()),
            "the page's address with its key"
        );
        assert_eq!(BookingCode::parse("ACDEFGH0"), None, "0 is no code's");
        assert_eq!(BookingCode::parse("ACDEFGH"), None);
        assert_eq!(code.hash_input("MPP-JENEPONTO"), "mpp-booking:MPP-JENEPONTO:ACDEFGHA");
    }
}
