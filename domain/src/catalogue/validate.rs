//! Reading a feed from JSON and checking it, naming the JSON path and the reason of every problem.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::model::{Feed, ICONS, SCHEMA};
use crate::hours::WeeklyHours;
use crate::text::Text;

/// One problem in a feed: where (a JSON path such as `services[12].agency`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedIssue {
    pub path: String,
    pub reason: String,
}

impl fmt::Display for FeedIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Every problem found in a feed; a feed with any of them is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FeedErrors(pub Vec<FeedIssue>);

impl fmt::Display for FeedErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "the feed is invalid ({n} problem{}):", if n == 1 { "" } else { "s" })?;
        for issue in &self.0 {
            write!(f, "\n  {issue}")?;
        }
        Ok(())
    }
}

/// Largest feed accepted, as bytes: a generous bound for thousands of services.
pub const MAX_FEED_BYTES: usize = 64 * 1024 * 1024;

/// Parses and validates a feed. Structural errors (wrong types, unknown or missing fields)
/// stop at the first one, since what follows cannot be read; rule errors are all collected.
pub fn parse_feed(bytes: &[u8]) -> Result<Feed, FeedErrors> {
    let one = |path: &str, reason: String| FeedErrors(vec![FeedIssue { path: path.into(), reason }]);
    if bytes.len() > MAX_FEED_BYTES {
        return Err(one(
            "(document)",
            format!("feed is {} bytes, more than the limit of {MAX_FEED_BYTES}", bytes.len()),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(one("(document)", "the file is empty".into()));
    }
    // serde would read a JSON array positionally into the Feed struct; a feed is an object.
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(b'[') => return Err(one("(document)", "a feed is a JSON object ({...}), this is an array".into())),
        _ => {}
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let feed: Feed = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." || path.is_empty() { "(document)".to_string() } else { path };
        // serde_json appends " at line L column C"; keep it, it helps find the spot.
        let reason =
            if inner.is_syntax() || inner.is_eof() { format!("invalid JSON: {inner}") } else { inner.to_string() };
        one(&path, reason)
    })?;
    validate(&feed).map(|()| feed)
}

/// Checks the rules serde cannot: references, uniqueness, formats, times, the time zone.
pub fn validate(feed: &Feed) -> Result<(), FeedErrors> {
    let mut v = Checker::default();
    if feed.schema != SCHEMA {
        v.err("schema", format!("unsupported schema {}, this kiosk reads schema {SCHEMA}", feed.schema));
    }
    if feed.version == 0 || feed.version > i64::MAX as u64 {
        v.err("version", format!("{} is out of range: use 1 to {}", feed.version, i64::MAX));
    }
    if let Some(expires) = feed.expires
        && expires <= feed.generated_at
    {
        v.err("expires", format!("{expires} is not after generated_at {}", feed.generated_at));
    }

    let site = &feed.site;
    v.code("site.code", &site.code, 40);
    v.text("site.name", &site.name);
    v.text("site.short_name", &site.short_name);
    v.text("site.address", &site.address);
    v.text("site.complaints", &site.complaints);
    if crate::hours::zone(&site.time_zone).is_err() {
        v.err(
            "site.time_zone",
            format!("unknown time zone {:?} (expected an IANA name such as \"Asia/Makassar\")", site.time_zone),
        );
    }
    v.hours("site.hours", &site.hours);
    if site.hours.days().iter().all(|(_, d)| d.is_none()) {
        v.err("site.hours", "the site is never open: give at least one day".into());
    }
    if site.cutoff_minutes > 240 {
        v.err("site.cutoff_minutes", format!("{} minutes is more than the 240 allowed", site.cutoff_minutes));
    }
    let mut days = HashSet::new();
    for (i, h) in site.holidays.iter().enumerate() {
        if !days.insert(h.date) {
            v.err(&format!("site.holidays[{i}].date"), format!("duplicate holiday date {}", h.date));
        }
        v.text(&format!("site.holidays[{i}].name"), &h.name);
    }
    for (i, n) in site.notices.iter().enumerate() {
        v.text(&format!("site.notices[{i}].text"), &n.text);
        if let (Some(from), Some(until)) = (n.from, n.until)
            && from > until
        {
            v.err(&format!("site.notices[{i}].until"), format!("{until} is before from {from}"));
        }
    }
    let mut written = HashMap::new();
    if site.pronunciations.len() > 1000 {
        v.err("site.pronunciations", format!("{} entries: at most 1000", site.pronunciations.len()));
    }
    for (i, p) in site.pronunciations.iter().enumerate() {
        let at = format!("site.pronunciations[{i}]");
        if let Err(e) = p.check() {
            v.err(&at, e);
        }
        if let Some(first) = written.insert(p.written.as_str(), i) {
            v.err(&format!("{at}.written"), format!("{:?} is also site.pronunciations[{first}]", p.written));
        }
    }

    if feed.agencies.is_empty() {
        v.err("agencies", "no agencies: a catalogue needs at least one".into());
    }
    let mut agencies: HashMap<&str, usize> = HashMap::new();
    for (i, a) in feed.agencies.iter().enumerate() {
        let at = format!("agencies[{i}]");
        v.code(&format!("{at}.code"), &a.code, 20);
        if let Some(first) = agencies.insert(&a.code, i) {
            v.err(&format!("{at}.code"), format!("duplicate agency code {:?} (also agencies[{first}])", a.code));
        }
        v.text(&format!("{at}.name"), &a.name);
        v.text(&format!("{at}.short_name"), &a.short_name);
        if !ICONS.contains(&a.icon.as_str()) {
            v.err(&format!("{at}.icon"), format!("unknown icon {:?}, expected one of: {}", a.icon, ICONS.join(", ")));
        }
    }

    if feed.services.is_empty() {
        v.err("services", "no services: a catalogue needs at least one".into());
    }
    let mut codes: HashMap<String, usize> = HashMap::new();
    let mut prefixes: HashMap<&str, usize> = HashMap::new();
    for (i, s) in feed.services.iter().enumerate() {
        let at = format!("services[{i}]");
        v.code(&format!("{at}.code"), &s.code, 40);
        // Codes are typed by staff at the CLI: unique regardless of case.
        if let Some(first) = codes.insert(s.code.to_ascii_uppercase(), i) {
            v.err(&format!("{at}.code"), format!("duplicate service code {:?} (also services[{first}])", s.code));
        }
        if !agencies.contains_key(s.agency.as_str()) {
            v.err(&format!("{at}.agency"), format!("unknown agency code {:?}", s.agency));
        }
        v.text(&format!("{at}.name"), &s.name);
        v.text(&format!("{at}.summary"), &s.summary);
        if s.requirements.is_empty() {
            v.err(
                &format!("{at}.requirements"),
                "empty: list at least one requirement (what the citizen must bring)".into(),
            );
        }
        for (j, r) in s.requirements.iter().enumerate() {
            v.text(&format!("{at}.requirements[{j}]"), &r.text);
        }
        for (j, p) in s.procedure.iter().enumerate() {
            v.text(&format!("{at}.procedure[{j}]"), p);
        }
        if let Some(t) = &s.processing_time {
            v.text(&format!("{at}.processing_time"), t);
        }
        v.text(&format!("{at}.fee.text"), &s.fee.text);
        v.text(&format!("{at}.product"), &s.product);
        v.text(&format!("{at}.counter"), &s.counter);
        for (field, t) in [
            ("complaints", &s.complaints),
            ("legal_basis", &s.legal_basis),
            ("notes", &s.notes),
            ("staff_notes", &s.staff_notes),
        ] {
            if let Some(t) = t {
                v.text(&format!("{at}.{field}"), t);
            }
        }
        let p = &s.ticket_prefix;
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_uppercase()) {
            v.err(
                &format!("{at}.ticket_prefix"),
                format!("invalid ticket prefix {p:?}, expected 1 to 4 capital letters A-Z"),
            );
        } else if let Some(first) = prefixes.insert(p, i) {
            v.err(&format!("{at}.ticket_prefix"), format!("ticket prefix {p:?} is already used by services[{first}]"));
        }
        if s.daily_quota == Some(0) {
            v.err(&format!("{at}.daily_quota"), "0 would refuse every ticket; leave it out for no quota".into());
        }
        if let Some(h) = &s.hours {
            v.hours(&format!("{at}.hours"), h);
        }
        for (j, k) in s.keywords.iter().enumerate() {
            if k.trim().is_empty() {
                v.err(&format!("{at}.keywords[{j}]"), "empty keyword".into());
            }
        }
    }
    // Every string of the feed, wherever it is: no control characters (an ESC would
    // reach terminals as an escape sequence and printers as an ESC/POS command), and a
    // sane length (a 3,000-character counter name printed a 100-line slip).
    if let Ok(value) = serde_json::to_value(feed) {
        check_strings(&value, &mut String::new(), &mut v);
    }
    v.finish()
}

/// Longest name-like text (names, short names, counters): a few lines on a slip.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest of any other text: a requirement, a note, a fee's wording.
pub const MAX_TEXT_CHARS: usize = 1000;

fn check_strings(value: &serde_json::Value, path: &mut String, v: &mut Checker) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(c) = s.chars().find(|c| c.is_control()) {
                v.err(path, format!("contains the control character U+{:04X}; texts are plain text", c as u32));
            }
            let name_like =
                [".name.", ".short_name.", ".counter."].iter().any(|k| path.contains(k)) || path.ends_with(".name");
            let max = if name_like { MAX_NAME_CHARS } else { MAX_TEXT_CHARS };
            let n = s.chars().count();
            if n > max {
                v.err(path, format!("is {n} characters long, more than {max}"));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_strings(item, path, v);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                check_strings(item, path, v);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[derive(Default)]
struct Checker(Vec<FeedIssue>);

impl Checker {
    fn err(&mut self, path: &str, reason: String) {
        self.0.push(FeedIssue { path: path.into(), reason });
    }

    fn code(&mut self, path: &str, code: &str, max: usize) {
        let ok = !code.is_empty()
            && code.len() <= max
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            self.err(path, format!("invalid code {code:?}, expected 1 to {max} of A-Z, 0-9, '-' and '_'"));
        }
    }

    fn text(&mut self, path: &str, t: &Text) {
        if t.id.trim().is_empty() {
            self.err(&format!("{path}.id"), "empty Indonesian text".into());
        }
    }

    fn hours(&mut self, path: &str, week: &WeeklyHours) {
        for (day, hours) in week.days() {
            for (field, reason) in hours.map(|h| h.problems()).unwrap_or_default() {
                self.err(&format!("{path}.{day}.{field}"), reason);
            }
        }
    }

    fn finish(self) -> Result<(), FeedErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(FeedErrors(self.0)) }
    }
}
