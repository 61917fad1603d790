//! Spelling on a keypad as on a phone: 2 is A B C, 3 is D E F … 9 is W X Y Z, one press
//! per letter whichever of its letters is meant ("587" finds KTP). A service matches when
//! a word of its name, its agency's short name or a keyword starts with the letters.

/// The letters of a digit's key ("ABC" for 2); none for 0 and 1.
pub fn letters_of(digit: u8) -> &'static str {
    match digit {
        2 => "ABC",
        3 => "DEF",
        4 => "GHI",
        5 => "JKL",
        6 => "MNO",
        7 => "PQRS",
        8 => "TUV",
        9 => "WXYZ",
        _ => "",
    }
}

fn digit_of(c: char) -> Option<u8> {
    let c = c.to_ascii_uppercase();
    (2..=9).find(|d| letters_of(*d).contains(c))
}

/// Whether `text` has a word whose first letters are spelled by `digits`.
pub fn matches_spelling(text: &str, digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let folded = deunicode::deunicode(text);
    folded.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
        let spelled: Vec<u8> = word.chars().filter(|c| c.is_ascii_alphabetic()).filter_map(digit_of).collect();
        spelled.len() >= digits.len() && spelled[..digits.len()] == *digits
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_spelled_one_press_each() {
        assert!(matches_spelling("Perekaman KTP-el", &[5, 8, 7]));
        assert!(matches_spelling("Perekaman KTP-el", &[7, 3, 7]));
        assert!(matches_spelling("Penerbitan SKCK", &[7, 5, 2, 5]));
        assert!(!matches_spelling("Penerbitan SKCK", &[7, 5, 2, 6]));
        assert!(matches_spelling("Akta Kelahiran", &[5, 3, 5, 2]));
        assert!(!matches_spelling("Akta Kelahiran", &[]));
        assert_eq!(letters_of(7), "PQRS");
        assert_eq!(letters_of(1), "");
    }
}
