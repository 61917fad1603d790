//! The NIK (Nomor Induk Kependudukan), as a booking asks for it: 16 digits whose parts must
//! be plausible (a province code, a birth date, a sequence), so a slip of the finger is
//! caught at once. The hub keeps only a keyed hash of it (per-person limits, strikes) and
//! shows it back only by its last four digits.

use crate::text::Lang;

/// A plausible NIK, digits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nik(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("a NIK has 16 digits, not {0}")]
    Length(usize),
    #[error("a NIK has digits only")]
    NotDigits,
    #[error("its first two digits ({0}) are no province's code")]
    Province(String),
    #[error("digits 7 to 12 ({0}) are no birth date")]
    BirthDate(String),
    #[error("its last four digits cannot be 0000")]
    Sequence,
}

impl NikError {
    /// What is wrong, for the citizen typing it.
    pub fn says(&self, lang: Lang) -> String {
        match (self, lang) {
            (NikError::Length(n), Lang::Id) => format!("NIK terdiri dari 16 angka; yang diisi {n} angka."),
            (NikError::Length(n), Lang::En) => format!("A NIK has 16 digits; {n} were entered."),
            (NikError::NotDigits, Lang::Id) => "NIK hanya berisi angka.".into(),
            (NikError::NotDigits, Lang::En) => "A NIK has digits only.".into(),
            (NikError::Province(_) | NikError::BirthDate(_) | NikError::Sequence, Lang::Id) => {
                "NIK ini tidak mungkin benar; periksa lagi dengan KTP-el atau KK Anda.".into()
            }
            (NikError::Province(_) | NikError::BirthDate(_) | NikError::Sequence, Lang::En) => {
                "This NIK cannot be right; check it against your KTP-el or family card.".into()
            }
        }
    }
}

impl Nik {
    /// Reads a NIK as people type it (spaces, dots and dashes between groups allowed).
    pub fn parse(typed: &str) -> Result<Nik, NikError> {
        let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NikError::NotDigits);
        }
        if digits.len() != 16 {
            return Err(NikError::Length(digits.len()));
        }
        let num = |r: std::ops::Range<usize>| digits[r].parse::<u32>().unwrap_or(0);
        // Province codes run from 11 (Aceh) to 97 (the Papuan provinces made in 2022).
        if !(11..=97).contains(&num(0..2)) {
            return Err(NikError::Province(digits[0..2].to_owned()));
        }
        // DDMMYY, with 40 added to the day for women.
        let (day, month) = (num(6..8), num(8..10));
        let day = if day > 40 { day - 40 } else { day };
        if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
            return Err(NikError::BirthDate(digits[6..12].to_owned()));
        }
        if num(12..16) == 0 {
            return Err(NikError::Sequence);
        }
        Ok(Nik(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// What a page may show of it: "••••••••••••1234".
    pub fn masked(&self) -> String {
        format!("{}{}", "\u{2022}".repeat(12), &self.0[12..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nik_is_sixteen_plausible_digits_shown_only_by_its_last_four() {
        // Jeneponto (73 04), a woman born 12 March 1985 (52 = 12 + 40), sequence 0007.
        let nik = Nik::parse("7304 0152 0385 0007").unwrap();
        assert_eq!(nik.digits(), "7304015203850007");
        assert_eq!(nik.masked(), "••••••••••••0007");
        assert_eq!(Nik::parse("7304.0112.0385.0007").unwrap().digits(), "7304011203850007");
        assert_eq!(Nik::parse("730401120385"), Err(NikError::Length(12)));
        assert_eq!(Nik::parse("73040112038500O7"), Err(NikError::NotDigits));
        assert_eq!(Nik::parse("0104011203850007"), Err(NikError::Province("01".into())));
        assert_eq!(Nik::parse("7304013213850007"), Err(NikError::BirthDate("321385".into())));
        assert_eq!(Nik::parse("7304011203850000"), Err(NikError::Sequence));
        assert!(NikError::Length(12).says(Lang::Id).contains("16 angka"));
    }
}
