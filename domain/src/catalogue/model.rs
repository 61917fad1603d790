//! The catalogue feed: serde types for the site, its agencies and their services.
//!
//! Field names are the feed's JSON names; `docs/feed-format.md` documents each one.
//! Optional fields are skipped when absent so an exported feed reads like the one imported.

use serde::{Deserialize, Serialize};

use crate::hours::WeeklyHours;
use crate::text::Text;

/// The feed schema this build reads and writes.
pub const SCHEMA: u32 = 1;

/// One complete catalogue, as published by the central source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feed {
    pub schema: u32,
    /// Monotonically increasing; a kiosk refuses a feed that is not newer than its own.
    pub version: u64,
    pub generated_at: jiff::Timestamp,
    /// After this instant a kiosk no longer accepts the feed from sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<jiff::Timestamp>,
    pub site: Site,
    pub agencies: Vec<Agency>,
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub code: String,
    pub name: Text,
    pub short_name: Text,
    pub address: Text,
    /// IANA zone name; for Jeneponto `Asia/Makassar` (WITA, UTC+8).
    pub time_zone: String,
    pub hours: WeeklyHours,
    /// No new tickets this many minutes before closing.
    #[serde(default)]
    pub cutoff_minutes: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<Holiday>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
    /// Where to complain when a service has no channel of its own (e.g. SP4N-LAPOR!).
    pub complaints: Text,
    /// How the kiosk's speech mode says what its synthesizer reads wrong ("SKCK" → "es ka
    /// ce ka"), on top of the built-in list (`crate::speech`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pronunciations: Vec<crate::speech::Pronunciation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub date: jiff::civil::Date,
    pub name: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub text: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<jiff::civil::Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub code: String,
    pub name: Text,
    pub short_name: Text,
    /// One of [`ICONS`]; the UI draws a fixed, embedded icon set.
    pub icon: String,
    /// Display order on the agency grid, smallest first.
    #[serde(default)]
    pub order: i32,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    pub agency: String,
    pub name: Text,
    /// One or two sentences: what this service is for.
    pub summary: Text,
    /// Persyaratan: what to bring, what must hold, which forms to fill. Never empty.
    pub requirements: Vec<Requirement>,
    /// Sistem, mekanisme dan prosedur: the steps, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub procedure: Vec<Text>,
    /// Jangka waktu pelayanan; absent when the site has not set one yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_time: Option<Text>,
    pub fee: Fee,
    /// Produk pelayanan: what the citizen receives.
    pub product: Text,
    /// Overrides the site's complaint channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaints: Option<Text>,
    /// Dasar hukum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<Text>,
    /// Loket: where the citizen is served.
    pub counter: Text,
    /// Letters in front of the queue number, e.g. `KTB` in `KTB-007`; unique per catalogue.
    pub ticket_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u32>,
    /// Overrides the site's opening hours for this service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<WeeklyHours>,
    /// Other words people type for this service: `e-ktp`, `paspor`, `passport`…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// False until an administrator has confirmed the entry against the site's
    /// SK Standar Pelayanan; the kiosk then says the data is not yet verified.
    pub verified: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Text>,
    /// For staff and the catalogue's maintainers only, never shown to citizens: what is
    /// still to be checked and against what ("amounts not found; check the SK Standar
    /// Pelayanan"). `catalogue show` prints it; screens and slips do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_notes: Option<Text>,
    /// Where the information comes from (regulations, agency pages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// What a requirement asks of the citizen: the kiosk and the slip group them, because
/// "bring" (a document), "be" (a condition) and "fill in" (a form) are done differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequirementKind {
    /// A document to bring (original or photocopy, how many): the default.
    #[default]
    Document,
    /// Something that must be true of the citizen (age, status, coming in person).
    Condition,
    /// A form to fill in, available at the counter.
    Form,
}

impl RequirementKind {
    pub const ALL: [RequirementKind; 3] =
        [RequirementKind::Document, RequirementKind::Condition, RequirementKind::Form];

    /// The feed's name (`document`, `condition`, `form`).
    pub fn name(self) -> &'static str {
        match self {
            RequirementKind::Document => "document",
            RequirementKind::Condition => "condition",
            RequirementKind::Form => "form",
        }
    }

    /// The heading its group has on the screen and the slip.
    pub fn heading(self, lang: crate::text::Lang) -> &'static str {
        use crate::text::Lang::*;
        match (self, lang) {
            (RequirementKind::Document, Id) => "Bawa dokumen berikut",
            (RequirementKind::Document, En) => "Bring these documents",
            (RequirementKind::Condition, Id) => "Ketentuan",
            (RequirementKind::Condition, En) => "Conditions",
            (RequirementKind::Form, Id) => "Formulir (tersedia di loket)",
            (RequirementKind::Form, En) => "Forms (available at the counter)",
        }
    }

    /// Reads a feed name or its Indonesian word (`dokumen`, `syarat`, `formulir`), as an
    /// administrator may type either in the source spreadsheet.
    pub fn parse(s: &str) -> Option<RequirementKind> {
        match s.trim().to_lowercase().as_str() {
            "" | "document" | "dokumen" => Some(RequirementKind::Document),
            "condition" | "syarat" | "ketentuan" => Some(RequirementKind::Condition),
            "form" | "formulir" => Some(RequirementKind::Form),
            _ => None,
        }
    }
}

/// One requirement: its text (Indonesian, optional English) and its kind. In the feed it
/// is the text object with an optional `kind`, so older feeds read as documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RequirementWire", into = "RequirementWire")]
pub struct Requirement {
    pub text: Text,
    pub kind: RequirementKind,
}

impl Requirement {
    pub fn document(text: Text) -> Self {
        Requirement { text, kind: RequirementKind::Document }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementWire {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    en: Option<String>,
    #[serde(default, skip_serializing_if = "is_document")]
    kind: RequirementKind,
}

fn is_document(k: &RequirementKind) -> bool {
    *k == RequirementKind::Document
}

impl From<RequirementWire> for Requirement {
    fn from(w: RequirementWire) -> Self {
        Requirement { text: Text { id: w.id, en: w.en }, kind: w.kind }
    }
}

impl From<Requirement> for RequirementWire {
    fn from(r: Requirement) -> Self {
        RequirementWire { id: r.text.id, en: r.text.en, kind: r.kind }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub text: Text,
    /// The amount in rupiah when it is one fixed figure; 0 means free (Gratis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_idr: Option<u64>,
}

impl Fee {
    pub fn is_free(&self) -> bool {
        self.amount_idr == Some(0)
    }
}

/// Icon names the UI can draw for an agency.
pub const ICONS: &[&str] = &[
    "id-card",
    "car",
    "passport",
    "health",
    "land",
    "mosque",
    "bolt",
    "water",
    "bank",
    "briefcase",
    "scales",
    "envelope",
    "shield",
    "building",
    "users",
    "receipt",
    "hard-hat",
    "gavel",
    "piggy-bank",
];

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Service {
    /// The requirements by kind, in the order a citizen acts on them: documents to bring,
    /// conditions to meet, forms to fill in; empty groups left out, feed order kept within.
    pub fn requirement_groups(&self) -> Vec<(RequirementKind, Vec<&Requirement>)> {
        RequirementKind::ALL
            .iter()
            .map(|&k| (k, self.requirements.iter().filter(|r| r.kind == k).collect::<Vec<_>>()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }
}

impl Feed {
    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code.eq_ignore_ascii_case(code))
    }

    /// Agencies in display order (catalogue `order`, then feed order).
    pub fn agencies_in_order(&self) -> Vec<&Agency> {
        let mut v: Vec<&Agency> = self.agencies.iter().collect();
        v.sort_by_key(|a| a.order); // stable: ties keep feed order
        v
    }

    pub fn services_of<'a>(&'a self, agency: &'a str) -> impl Iterator<Item = &'a Service> + 'a {
        self.services.iter().filter(move |s| s.agency == agency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requirement_without_a_kind_is_a_document_and_writes_back_the_same() {
        let r: Requirement = serde_json::from_str(r#"{"id":"Fotokopi KK","en":"Copy of the KK"}"#).unwrap();
        assert_eq!(r.kind, RequirementKind::Document);
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"id":"Fotokopi KK","en":"Copy of the KK"}"#);
        let c: Requirement = serde_json::from_str(r#"{"id":"Berusia 17 tahun","kind":"condition"}"#).unwrap();
        assert_eq!(c.kind, RequirementKind::Condition);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"id":"Berusia 17 tahun","kind":"condition"}"#);
        let bad = serde_json::from_str::<Requirement>(r#"{"id":"x","kind":"paper"}"#).unwrap_err().to_string();
        assert!(bad.contains("unknown variant `paper`") && bad.contains("document"), "{bad}");
    }

    #[test]
    fn kinds_read_their_indonesian_words() {
        assert_eq!(RequirementKind::parse("Formulir"), Some(RequirementKind::Form));
        assert_eq!(RequirementKind::parse(" syarat "), Some(RequirementKind::Condition));
        assert_eq!(RequirementKind::parse("dokumen"), Some(RequirementKind::Document));
        assert_eq!(RequirementKind::parse("kertas"), None);
    }
}
