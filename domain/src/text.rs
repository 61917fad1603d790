//! Bilingual text: every citizen-facing string exists in Indonesian, optionally in English.

use serde::{Deserialize, Serialize};

/// The two languages the kiosk speaks. Indonesian first: it is the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// The other language: the one the language button offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "id" => Ok(Lang::Id),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?}, expected \"id\" or \"en\"")),
        }
    }
}

/// A text in Indonesian (`id`, required) and English (`en`, optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

/// A text resolved for one language; `fallback` is true when English was asked for
/// and the Indonesian text stands in for it, so screens and the CLI can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved<'a> {
    pub text: &'a str,
    pub fallback: bool,
}

impl Text {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Text { id: id.into(), en: Some(en.into()) }
    }

    pub fn id_only(id: impl Into<String>) -> Self {
        Text { id: id.into(), en: None }
    }

    pub fn get(&self, lang: Lang) -> Resolved<'_> {
        match (lang, self.en.as_deref()) {
            (Lang::En, Some(en)) if !en.trim().is_empty() => Resolved { text: en, fallback: false },
            (Lang::En, _) => Resolved { text: &self.id, fallback: true },
            (Lang::Id, _) => Resolved { text: &self.id, fallback: false },
        }
    }

    /// The text in `lang`, falling back silently to Indonesian.
    pub fn in_lang(&self, lang: Lang) -> &str {
        self.get(lang).text
    }

    /// Both languages, for search indexing.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.en.as_deref())
    }
}

/// `s` safe for a terminal: control characters (an ESC starting an escape sequence, a
/// BEL, C1 codes) shown as `\u{1b}`, so text from a server or a file cannot drive the
/// technician's terminal. Line breaks and tabs stay.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(
                |c| {
                    if c.is_control() && c != '\n' && c != '\t' {
                        c.escape_unicode().to_string()
                    } else {
                        c.to_string()
                    }
                },
            )
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_indonesian_and_says_so() {
        let t = Text::id_only("Gratis");
        assert_eq!(t.get(Lang::En), Resolved { text: "Gratis", fallback: true });
        assert_eq!(t.get(Lang::Id), Resolved { text: "Gratis", fallback: false });
        let t = Text { id: "Gratis".into(), en: Some("  ".into()) };
        assert!(t.get(Lang::En).fallback, "blank English counts as missing");
        let t = Text::new("Gratis", "Free");
        assert_eq!(t.get(Lang::En), Resolved { text: "Free", fallback: false });
    }

    #[test]
    fn lang_parses_case_insensitively() {
        assert_eq!("EN".parse::<Lang>().unwrap(), Lang::En);
        assert!("fr".parse::<Lang>().unwrap_err().contains("\"fr\""));
    }
}
