//! The speech mode: a citizen who cannot see the screen takes a number with a 12-key
//! keypad and the kiosk's voice. Plain Rust, no audio and no device: keys come in
//! (`Key`), and what to say (`Utterance`: clips and texts for the synthesizer) and what the
//! main flow must do come out. `crate::speech` plays the utterances; `crate::keypad` reads
//! the keypad. docs/speech-mode.md has the keys and every prompt.

pub mod guide;
pub mod keys;
pub mod prompts;
mod spelling;

pub use guide::{Guide, Step};
pub use keys::Key;
pub use spelling::{letters_of, matches_spelling};

/// One part of what is said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A recorded clip: a prompt (`prompts::all`) or a number's letter or digit.
    Clip(&'static str),
    /// A catalogue text for the synthesizer (the pronunciation list applied when played).
    Text(String),
}

/// What the kiosk says at once, and the same words for the screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Utterance {
    pub parts: Vec<Part>,
    /// What the screen shows while it is said (the numbers as written: "KTB-A001").
    pub shown: String,
}

impl Utterance {
    pub fn new() -> Utterance {
        Utterance::default()
    }

    fn show(&mut self, words: &str) {
        let words = words.trim();
        if words.is_empty() {
            return;
        }
        if !self.shown.is_empty() {
            let end = self.shown.chars().last().unwrap_or(' ');
            self.shown.push(if matches!(end, '.' | ':' | '?' | '!') { '\n' } else { ' ' });
        }
        self.shown.push_str(words);
    }

    /// A fixed prompt.
    pub fn clip(mut self, name: &'static str) -> Utterance {
        debug_assert!(prompts::words(name).is_some(), "unknown prompt {name}");
        self.show(prompts::words(name).unwrap_or(name));
        self.parts.push(Part::Clip(name));
        self
    }

    /// A text of the catalogue, for the synthesizer.
    pub fn text(mut self, text: impl Into<String>) -> Utterance {
        let text = text.into();
        if text.trim().is_empty() {
            return self;
        }
        self.show(&text);
        self.parts.push(Part::Text(text));
        self
    }

    /// A count said with the number clips ("dua belas"); shown as digits.
    pub fn count(mut self, n: usize) -> Utterance {
        match u16::try_from(n).ok().filter(|n| *n <= 999) {
            Some(n) => {
                self.show(&n.to_string());
                self.parts.extend(mpp_domain::voice::number_words(n).into_iter().map(Part::Clip));
                self
            }
            None => self.text(n.to_string()),
        }
    }

    /// A choice's number and what it is: "3. Perekaman KTP-el".
    pub fn item(mut self, n: usize, text: &str) -> Utterance {
        let Some(n16) = u16::try_from(n).ok().filter(|n| *n <= 999) else { return self.text(format!("{n}. {text}")) };
        self.show(&format!("{n}. {text}"));
        self.parts.extend(mpp_domain::voice::number_words(n16).into_iter().map(Part::Clip));
        self.parts.push(Part::Clip("jeda-pendek"));
        self.parts.push(Part::Text(text.to_owned()));
        self
    }

    /// A ticket number spelled as the lobby calls it ("K T B, A, nol nol satu").
    pub fn number(mut self, number: &str) -> Utterance {
        match mpp_domain::voice::number_clips(number) {
            Ok(clips) => {
                self.show(&format!("{number}."));
                self.parts.extend(clips.into_iter().map(Part::Clip));
                self.parts.push(Part::Clip("jeda"));
                self
            }
            Err(_) => self.text(number.to_owned()),
        }
    }

    /// Letters said one by one ("J, K, L").
    pub fn letters(mut self, letters: &str) -> Utterance {
        self.show(&letters.chars().map(String::from).collect::<Vec<_>>().join(" "));
        for c in letters.chars() {
            if let Some(clip) = mpp_domain::voice::letter_clip(c) {
                self.parts.push(Part::Clip(clip));
            }
        }
        self
    }

    /// Another utterance after this one.
    pub fn then(mut self, other: Utterance) -> Utterance {
        self.show(&other.shown.clone());
        self.parts.extend(other.parts);
        self
    }

    /// The last whole lines of what is shown, at most `chars` characters (one line cut to
    /// its end when even it is longer).
    pub fn tail(&self, chars: usize) -> &str {
        let total = self.shown.chars().count();
        if total <= chars && self.shown.lines().count() <= 8 {
            return &self.shown;
        }
        let mut start = self.shown.len();
        // Lines wrap, and a list's short lines each take a line: at most 8 of them.
        for (n, (at, _)) in self.shown.match_indices('\n').collect::<Vec<_>>().into_iter().rev().enumerate() {
            if self.shown[at + 1..].chars().count() > chars || n >= 8 {
                break;
            }
            start = at + 1;
        }
        if start == self.shown.len() {
            // One long last line: its end, from a word.
            let skip = total - chars;
            let cut = self.shown.char_indices().nth(skip).map(|(i, _)| i).unwrap_or(0);
            let from = self.shown[cut..].find(' ').map(|i| cut + i + 1).unwrap_or(cut);
            return &self.shown[from..];
        }
        &self.shown[start..]
    }

    /// Every clip it uses.
    pub fn clips(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Clip(c) => Some(*c),
            Part::Text(_) => None,
        })
    }
}

#[cfg(test)]
mod tests;
