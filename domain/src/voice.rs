//! The spoken call, as a list of clips: "Nomor antrean, K T B, A, nol nol tujuh, silakan
//! menuju loket tiga" after a chime. Letters are read one by one and the sequence digit by
//! digit, everywhere the same; the counter's number as a number ("dua belas"). The clips
//! are data a site can re-record (docs/voice.md); this only says which, in what order.

/// Every clip of the call: its file name (without `.wav`) and what it says.
pub const CLIPS: &[(&str, &str)] = &[
    ("chime", "(a two-tone chime before each call)"),
    ("jeda", "(0.4 s of silence between phrases)"),
    ("jeda-pendek", "(0.15 s of silence between the parts of a number)"),
    ("nomor-antrean", "Nomor antrean"),
    ("silakan-menuju", "silakan menuju"),
    ("loket", "loket"),
    ("huruf-a", "a"),
    ("huruf-b", "be"),
    ("huruf-c", "ce"),
    ("huruf-d", "de"),
    ("huruf-e", "e"),
    ("huruf-f", "ef"),
    ("huruf-g", "ge"),
    ("huruf-h", "ha"),
    ("huruf-i", "i"),
    ("huruf-j", "je"),
    ("huruf-k", "ka"),
    ("huruf-l", "el"),
    ("huruf-m", "em"),
    ("huruf-n", "en"),
    ("huruf-o", "o"),
    ("huruf-p", "pe"),
    ("huruf-q", "ki"),
    ("huruf-r", "er"),
    ("huruf-s", "es"),
    ("huruf-t", "te"),
    ("huruf-u", "u"),
    ("huruf-v", "fe"),
    ("huruf-w", "we"),
    ("huruf-x", "eks"),
    ("huruf-y", "ye"),
    ("huruf-z", "zet"),
    ("angka-0", "nol"),
    ("angka-1", "satu"),
    ("angka-2", "dua"),
    ("angka-3", "tiga"),
    ("angka-4", "empat"),
    ("angka-5", "lima"),
    ("angka-6", "enam"),
    ("angka-7", "tujuh"),
    ("angka-8", "delapan"),
    ("angka-9", "sembilan"),
    ("sepuluh", "sepuluh"),
    ("sebelas", "sebelas"),
    ("belas", "belas"),
    ("puluh", "puluh"),
    ("seratus", "seratus"),
    ("ratus", "ratus"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhraseError {
    #[error("{0:?} is not a ticket number (letters and digits, one '-': KTB-A007)")]
    Number(String),
    #[error("counter {0} cannot be spoken: use 1 to 999")]
    Counter(i32),
}

const LETTERS: [&str; 26] = [
    "huruf-a", "huruf-b", "huruf-c", "huruf-d", "huruf-e", "huruf-f", "huruf-g", "huruf-h", "huruf-i", "huruf-j",
    "huruf-k", "huruf-l", "huruf-m", "huruf-n", "huruf-o", "huruf-p", "huruf-q", "huruf-r", "huruf-s", "huruf-t",
    "huruf-u", "huruf-v", "huruf-w", "huruf-x", "huruf-y", "huruf-z",
];
const DIGITS: [&str; 10] =
    ["angka-0", "angka-1", "angka-2", "angka-3", "angka-4", "angka-5", "angka-6", "angka-7", "angka-8", "angka-9"];

/// A number from 1 to 999 in Indonesian words (as clips): 12 → dua belas, 21 → dua puluh
/// satu, 110 → seratus sepuluh.
pub fn number_words(n: u16) -> Vec<&'static str> {
    let d = |i: u16| DIGITS[usize::from(i)];
    match n {
        0 => vec![d(0)],
        1..=9 => vec![d(n)],
        10 => vec!["sepuluh"],
        11 => vec!["sebelas"],
        12..=19 => vec![d(n - 10), "belas"],
        20..=99 => {
            let mut w = vec![d(n / 10), "puluh"];
            if !n.is_multiple_of(10) {
                w.push(d(n % 10));
            }
            w
        }
        _ => {
            let mut w = if n / 100 == 1 { vec!["seratus"] } else { vec![d(n / 100 % 10), "ratus"] };
            if !n.is_multiple_of(100) {
                w.extend(number_words(n % 100));
            }
            w
        }
    }
}

/// The clips of the call of `number` to `counter`, in order.
pub fn call_phrase(number: &str, counter: i32) -> Result<Vec<&'static str>, PhraseError> {
    let counter = u16::try_from(counter).ok().filter(|c| (1..=999).contains(c)).ok_or(PhraseError::Counter(counter))?;
    let mut clips = vec!["chime", "jeda", "nomor-antrean", "jeda-pendek"];
    clips.extend(number_clips(number)?);
    clips.extend(["jeda", "silakan-menuju", "loket"]);
    clips.extend(number_words(counter));
    Ok(clips)
}

/// A ticket number as clips, the way the lobby calls it: "K T B, A, nol nol tujuh". The
/// kiosk's speech mode reads the citizen's number with the same clips.
pub fn number_clips(number: &str) -> Result<Vec<&'static str>, PhraseError> {
    let bad = || PhraseError::Number(number.to_owned());
    let (prefix, rest) = number.split_once('-').ok_or_else(bad)?;
    if prefix.is_empty() || rest.is_empty() || rest.contains('-') {
        return Err(bad());
    }
    let mut clips = Vec::new();
    // Each part said on its own: the prefix's characters, then the letters after the dash
    // (the kiosk, a priority mark), then the digits.
    let spell = |part: &str, clips: &mut Vec<&'static str>| -> Result<(), PhraseError> {
        let mut last_digit = None;
        for c in part.chars() {
            let is_digit = c.is_ascii_digit();
            if last_digit.is_some_and(|d| d != is_digit) {
                clips.push("jeda-pendek");
            }
            last_digit = Some(is_digit);
            clips.push(match c {
                'A'..='Z' => LETTERS[(c as u8 - b'A') as usize],
                '0'..='9' => DIGITS[(c as u8 - b'0') as usize],
                _ => return Err(bad()),
            });
        }
        Ok(())
    };
    spell(prefix, &mut clips)?;
    clips.push("jeda-pendek");
    spell(rest, &mut clips)?;
    Ok(clips)
}

/// A letter's clip ("huruf-k"), for spelling.
pub fn letter_clip(c: char) -> Option<&'static str> {
    c.is_ascii_alphabetic().then(|| LETTERS[(c.to_ascii_uppercase() as u8 - b'A') as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_reads_letters_one_by_one_digits_one_by_one_and_the_counter_as_a_number() {
        assert_eq!(
            call_phrase("KTB-A007", 3).unwrap(),
            [
                "chime",
                "jeda",
                "nomor-antrean",
                "jeda-pendek",
                "huruf-k",
                "huruf-t",
                "huruf-b",
                "jeda-pendek",
                "huruf-a",
                "jeda-pendek",
                "angka-0",
                "angka-0",
                "angka-7",
                "jeda",
                "silakan-menuju",
                "loket",
                "angka-3"
            ]
        );
        let priority = call_phrase("SKCK-PB012", 12).unwrap();
        assert_eq!(priority[9..16], ["huruf-p", "huruf-b", "jeda-pendek", "angka-0", "angka-1", "angka-2", "jeda"]);
        assert_eq!(priority[priority.len() - 2..], ["angka-2", "belas"]);
    }

    #[test]
    fn counter_numbers_in_words() {
        assert_eq!(number_words(1), ["angka-1"]);
        assert_eq!(number_words(10), ["sepuluh"]);
        assert_eq!(number_words(11), ["sebelas"]);
        assert_eq!(number_words(19), ["angka-9", "belas"]);
        assert_eq!(number_words(20), ["angka-2", "puluh"]);
        assert_eq!(number_words(21), ["angka-2", "puluh", "angka-1"]);
        assert_eq!(number_words(100), ["seratus"]);
        assert_eq!(number_words(110), ["seratus", "sepuluh"]);
        assert_eq!(number_words(345), ["angka-3", "ratus", "angka-4", "puluh", "angka-5"]);
    }

    #[test]
    fn what_cannot_be_said_is_refused() {
        assert_eq!(call_phrase("KTB", 1), Err(PhraseError::Number("KTB".into())));
        assert_eq!(call_phrase("ktb-a001", 1), Err(PhraseError::Number("ktb-a001".into())));
        assert_eq!(call_phrase("KTB-A-1", 1), Err(PhraseError::Number("KTB-A-1".into())));
        assert_eq!(call_phrase("KTB-A001", 0), Err(PhraseError::Counter(0)));
        assert_eq!(call_phrase("KTB-A001", 1000), Err(PhraseError::Counter(1000)));
    }

    #[test]
    fn every_clip_a_phrase_uses_is_listed() {
        let names: Vec<&str> = CLIPS.iter().map(|(n, _)| *n).collect();
        for n in LETTERS.iter().chain(&DIGITS).chain(&[
            "chime",
            "jeda",
            "jeda-pendek",
            "nomor-antrean",
            "silakan-menuju",
            "loket",
            "sepuluh",
            "sebelas",
            "belas",
            "puluh",
            "seratus",
            "ratus",
        ]) {
            assert!(names.contains(n), "{n}");
        }
        assert_eq!(names.len(), 26 + 10 + 12, "the letters, the digits and the rest");
    }
}
