//! The service catalogue: the feed model, its validation, the embedded default and search terms.

pub mod model;
pub mod search;
pub mod source;
pub mod validate;

pub use model::{Agency, Fee, Feed, Holiday, Notice, Requirement, RequirementKind, SCHEMA, Service, Site};
pub use validate::{FeedErrors, FeedIssue, parse_feed};

/// The catalogue built into the binary: the researched services of MPP Kabupaten Jeneponto.
/// A kiosk whose database has no catalogue yet (first start, no network) loads this one.
pub const DEFAULT_FEED_JSON: &str = include_str!("../../../assets/catalogue/jeneponto.json");

/// Where the embedded catalogue is recorded as coming from.
pub const DEFAULT_SOURCE: &str = "embedded:assets/catalogue/jeneponto.json";

/// The embedded catalogue, parsed. It is checked by a test, so failure here is a build defect.
pub fn default_feed() -> Feed {
    parse_feed(DEFAULT_FEED_JSON.as_bytes()).expect("the embedded catalogue is valid (checked by tests)")
}

/// A catalogue as stored: the feed and what the store knows about its import.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    pub feed: Feed,
    pub imported_at: jiff::Timestamp,
    /// Where it came from: a file path, a URL, or [`DEFAULT_SOURCE`].
    pub source: String,
}
