//! The publisher's editable source of a feed: a folder with `site.toml` (the site: name,
//! hours, holidays, notices), `agencies.csv` and `services.csv` (one row each, opened in
//! any spreadsheet). Lists (requirements, procedure steps, keywords, sources) are one item
//! per line inside a cell. `feed build` turns the folder into a feed with the same
//! validation as an import, naming the file, row and column of each problem; `feed
//! source` writes the folder from a feed, so an administrator starts from what the kiosk has.

use serde_json::{Map, Value, json};

use super::Feed;
use super::validate::{FeedErrors, FeedIssue};

pub const AGENCY_COLUMNS: [&str; 8] =
    ["code", "order", "active", "icon", "name_id", "name_en", "short_name_id", "short_name_en"];

/// Text fields of a service, each as `<field>_id` and `<field>_en` columns.
const SERVICE_TEXTS: [&str; 10] = [
    "name",
    "summary",
    "processing_time",
    "fee",
    "legal_basis",
    "product",
    "counter",
    "complaints",
    "notes",
    "staff_notes",
];
const SERVICE_LISTS: [&str; 2] = ["requirements", "procedure"];

/// One line per requirement: `document` (the default, also `dokumen`), `condition`
/// (`syarat`) or `form` (`formulir`). Optional, so folders written before it still build.
const KINDS_COLUMN: &str = "requirement_kinds";

pub fn service_columns() -> Vec<String> {
    let mut cols: Vec<String> =
        ["code", "agency", "active", "verified", "ticket_prefix", "daily_quota", "fee_amount_idr"]
            .map(String::from)
            .to_vec();
    for t in SERVICE_TEXTS.iter().chain(&SERVICE_LISTS) {
        cols.push(format!("{t}_id"));
        cols.push(format!("{t}_en"));
    }
    cols.push(KINDS_COLUMN.into());
    cols.extend(["keywords", "sources", "hours_json"].map(String::from));
    cols
}

/// The three files of a source folder.
pub struct Source {
    pub site_toml: String,
    pub agencies_csv: String,
    pub services_csv: String,
}

fn text_cells(v: &Value) -> (String, String) {
    (v["id"].as_str().unwrap_or("").to_owned(), v["en"].as_str().unwrap_or("").to_owned())
}

fn lines(v: &Value, lang: &str) -> String {
    v.as_array()
        .map(|a| a.iter().map(|t| t[lang].as_str().unwrap_or("")).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default()
}

fn csv_of(header: &[String], rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(&r).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

/// Writes a feed as a source folder's files.
pub fn to_source(feed: &Feed) -> Source {
    let v = serde_json::to_value(feed).expect("a feed serialises");
    let site = json!({ "schema": v["schema"], "site": v["site"] });
    let site_toml = format!(
        "# The site of the kiosk catalogue: edit, then `mpp-kiosk feed build`.\n# Texts have an Indonesian `id` and an optional English `en`.\n{}",
        toml::to_string_pretty(&site).expect("a site serialises as TOML")
    );
    let agencies = v["agencies"].as_array().cloned().unwrap_or_default();
    let agency_rows = agencies
        .iter()
        .map(|a| {
            let (n_id, n_en) = text_cells(&a["name"]);
            let (s_id, s_en) = text_cells(&a["short_name"]);
            vec![
                a["code"].as_str().unwrap_or("").into(),
                a["order"].to_string(),
                a.get("active").and_then(Value::as_bool).unwrap_or(true).to_string(),
                a["icon"].as_str().unwrap_or("").into(),
                n_id,
                n_en,
                s_id,
                s_en,
            ]
        })
        .collect();
    let services = v["services"].as_array().cloned().unwrap_or_default();
    let service_rows = services
        .iter()
        .map(|s| {
            let num = |k: &str| s.get(k).filter(|x| !x.is_null()).map(|x| x.to_string()).unwrap_or_default();
            let mut row = vec![
                s["code"].as_str().unwrap_or("").to_owned(),
                s["agency"].as_str().unwrap_or("").to_owned(),
                s.get("active").and_then(Value::as_bool).unwrap_or(true).to_string(),
                s.get("verified").and_then(Value::as_bool).unwrap_or(true).to_string(),
                s["ticket_prefix"].as_str().unwrap_or("").to_owned(),
                num("daily_quota"),
                s["fee"].get("amount_idr").filter(|x| !x.is_null()).map(|x| x.to_string()).unwrap_or_default(),
            ];
            for t in SERVICE_TEXTS {
                let v = if t == "fee" { &s["fee"]["text"] } else { &s[t] };
                let (id, en) = text_cells(v);
                row.push(id);
                row.push(en);
            }
            for l in SERVICE_LISTS {
                row.push(lines(&s[l], "id"));
                row.push(lines(&s[l], "en"));
            }
            row.push(
                s["requirements"]
                    .as_array()
                    .map(|a| a.iter().map(|r| r["kind"].as_str().unwrap_or("document")).collect::<Vec<_>>().join("\n"))
                    .unwrap_or_default(),
            );
            let plain = |k: &str| {
                s[k].as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"))
                    .unwrap_or_default()
            };
            row.push(plain("keywords"));
            row.push(plain("sources"));
            row.push(s.get("hours").filter(|h| !h.is_null()).map(|h| h.to_string()).unwrap_or_default());
            row
        })
        .collect();
    Source {
        site_toml,
        agencies_csv: csv_of(&AGENCY_COLUMNS.map(String::from), agency_rows),
        services_csv: csv_of(&service_columns(), service_rows),
    }
}

fn issue(path: String, reason: impl Into<String>) -> FeedIssue {
    FeedIssue { path, reason: reason.into() }
}

/// Reads a CSV with the expected header into rows of `column → cell`.
fn read_csv(name: &str, text: &str, expected: &[String], issues: &mut Vec<FeedIssue>) -> Vec<Map<String, Value>> {
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let header: Vec<String> = match r.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(e) => {
            issues.push(issue(name.into(), format!("cannot read the header: {e}")));
            return Vec::new();
        }
    };
    for col in expected {
        if !header.contains(col) && col != KINDS_COLUMN {
            issues.push(issue(format!("{name} header"), format!("column {col:?} is missing")));
        }
    }
    for col in &header {
        if !expected.contains(col) {
            issues.push(issue(
                format!("{name} header"),
                format!("unknown column {col:?}; the columns are: {}", expected.join(", ")),
            ));
        }
    }
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        match rec {
            Ok(rec) => rows.push(
                header.iter().zip(rec.iter()).map(|(h, c)| (h.clone(), Value::String(c.trim().to_owned()))).collect(),
            ),
            Err(e) => issues.push(issue(format!("{name} row {}", i + 2), e.to_string())),
        }
    }
    rows
}

fn cell<'a>(row: &'a Map<String, Value>, col: &str) -> &'a str {
    row.get(col).and_then(Value::as_str).unwrap_or("")
}

fn text(row: &Map<String, Value>, field: &str) -> Option<Value> {
    let (id, en) = (cell(row, &format!("{field}_id")), cell(row, &format!("{field}_en")));
    if id.is_empty() && en.is_empty() {
        return None;
    }
    let mut t = json!({ "id": id });
    if !en.is_empty() {
        t["en"] = en.into();
    }
    Some(t)
}

fn text_list(row: &Map<String, Value>, field: &str, at: &str, issues: &mut Vec<FeedIssue>) -> Value {
    let split = |c: &str| c.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    let id = split(cell(row, &format!("{field}_id")));
    let en = split(cell(row, &format!("{field}_en")));
    if !en.is_empty() && en.len() != id.len() {
        issues.push(issue(
            format!("{at}, columns {field}_id/{field}_en"),
            format!("{} lines in Indonesian but {} in English: one line per item in both", id.len(), en.len()),
        ));
    }
    Value::Array(
        id.iter()
            .enumerate()
            .map(|(i, t)| if let Some(e) = en.get(i) { json!({"id": t, "en": e}) } else { json!({"id": t}) })
            .collect(),
    )
}

/// The requirements' texts with their kinds from the `requirement_kinds` column.
fn requirements(row: &Map<String, Value>, at: &str, issues: &mut Vec<FeedIssue>) -> Value {
    let mut list = text_list(row, "requirements", at, issues);
    let kinds: Vec<&str> = cell(row, KINDS_COLUMN).lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let items = list.as_array_mut().expect("text_list makes an array");
    if !kinds.is_empty() && kinds.len() != items.len() {
        issues.push(issue(
            format!("{at}, column {KINDS_COLUMN}"),
            format!(
                "{} kinds for {} requirements: one line per requirement (document, condition or form)",
                kinds.len(),
                items.len()
            ),
        ));
    }
    for (i, (item, k)) in items.iter_mut().zip(&kinds).enumerate() {
        match super::RequirementKind::parse(k) {
            Some(super::RequirementKind::Document) => {}
            Some(kind) => item["kind"] = kind.name().into(),
            None => issues.push(issue(
                format!("{at}, column {KINDS_COLUMN} line {}", i + 1),
                format!("{k:?} is not a kind; use document (dokumen), condition (syarat) or form (formulir)"),
            )),
        }
    }
    list
}

fn boolean(row: &Map<String, Value>, col: &str, at: &str, default: bool, issues: &mut Vec<FeedIssue>) -> bool {
    match cell(row, col).to_ascii_lowercase().as_str() {
        "" => default,
        "true" | "ya" | "yes" | "1" => true,
        "false" | "tidak" | "no" | "0" => false,
        other => {
            issues.push(issue(format!("{at}, column {col}"), format!("{other:?} is not true/false (ya/tidak)")));
            default
        }
    }
}

fn number(row: &Map<String, Value>, col: &str, at: &str, issues: &mut Vec<FeedIssue>) -> Option<u64> {
    let c = cell(row, col).replace(['.', ' '], "");
    if c.is_empty() {
        return None;
    }
    match c.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            issues.push(issue(format!("{at}, column {col}"), format!("{:?} is not a whole number", cell(row, col))));
            None
        }
    }
}

/// Builds a feed from a source folder's files; every problem names its file, row and column.
pub fn from_source(src: &Source, version: u64, generated_at: jiff::Timestamp) -> Result<Feed, FeedErrors> {
    let mut issues = Vec::new();
    let site: Value = match toml::from_str::<Value>(&src.site_toml) {
        Ok(v) => v,
        Err(e) => return Err(FeedErrors(vec![issue("site.toml".into(), e.to_string().trim_end().to_owned())])),
    };
    let agency_rows = read_csv("agencies.csv", &src.agencies_csv, &AGENCY_COLUMNS.map(String::from), &mut issues);
    let service_rows = read_csv("services.csv", &src.services_csv, &service_columns(), &mut issues);
    let agencies: Vec<Value> = agency_rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let at = format!("agencies.csv row {}", i + 2);
            json!({
                "code": cell(r, "code"),
                "name": text(r, "name").unwrap_or(json!({"id": ""})),
                "short_name": text(r, "short_name").unwrap_or(json!({"id": ""})),
                "icon": cell(r, "icon"),
                "order": number(r, "order", &at, &mut issues).unwrap_or(0),
                "active": boolean(r, "active", &at, true, &mut issues),
            })
        })
        .collect();
    let services: Vec<Value> = service_rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let at = format!("services.csv row {}", i + 2);
            let mut s = json!({
                "code": cell(r, "code"),
                "agency": cell(r, "agency"),
                "name": text(r, "name").unwrap_or(json!({"id": ""})),
                "summary": text(r, "summary").unwrap_or(json!({"id": ""})),
                "requirements": requirements(r, &at, &mut issues),
                "procedure": text_list(r, "procedure", &at, &mut issues),
                "fee": { "text": text(r, "fee").unwrap_or(json!({"id": ""})) },
                "product": text(r, "product").unwrap_or(json!({"id": ""})),
                "counter": text(r, "counter").unwrap_or(json!({"id": ""})),
                "ticket_prefix": cell(r, "ticket_prefix"),
                "keywords": cell(r, "keywords").lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(),
                "sources": cell(r, "sources").lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(),
                "verified": boolean(r, "verified", &at, true, &mut issues),
                "active": boolean(r, "active", &at, true, &mut issues),
            });
            if let Some(a) = number(r, "fee_amount_idr", &at, &mut issues) {
                s["fee"]["amount_idr"] = a.into();
            }
            if let Some(q) = number(r, "daily_quota", &at, &mut issues) {
                s["daily_quota"] = q.into();
            }
            for t in ["processing_time", "legal_basis", "complaints", "notes", "staff_notes"] {
                if let Some(v) = text(r, t) {
                    s[t] = v;
                }
            }
            let hours = cell(r, "hours_json");
            if !hours.is_empty() {
                match serde_json::from_str::<Value>(hours) {
                    Ok(h) => s["hours"] = h,
                    Err(e) => issues.push(issue(format!("{at}, column hours_json"), format!("not JSON: {e}"))),
                }
            }
            s
        })
        .collect();
    if !issues.is_empty() {
        return Err(FeedErrors(issues));
    }
    let feed = json!({
        "schema": site.get("schema").cloned().unwrap_or(json!(1)),
        "version": version,
        "generated_at": generated_at.to_string(),
        "site": site.get("site").cloned().unwrap_or(Value::Null),
        "agencies": agencies,
        "services": services,
    });
    let bytes = serde_json::to_vec(&feed).expect("JSON serialises");
    super::parse_feed(&bytes)
        .map_err(|e| FeedErrors(e.0.into_iter().map(|i| issue(locate(&i.path, &service_rows), i.reason)).collect()))
}

/// Turns a feed path (`services[3].requirements[0]`) into where the administrator edits
/// it (`services.csv row 5 (KTP-BARU): requirements[0]`).
fn locate(path: &str, services: &[Map<String, Value>]) -> String {
    let index = |rest: &str| -> Option<(usize, String)> {
        let (n, tail) = rest.split_once(']')?;
        Some((n.parse().ok()?, tail.trim_start_matches('.').to_owned()))
    };
    if let Some(rest) = path.strip_prefix("services[")
        && let Some((i, tail)) = index(rest)
    {
        let code = services.get(i).map(|r| cell(r, "code")).unwrap_or("");
        return format!("services.csv row {} ({code}): {tail}", i + 2);
    }
    if let Some(rest) = path.strip_prefix("agencies[")
        && let Some((i, tail)) = index(rest)
    {
        return format!("agencies.csv row {}: {tail}", i + 2);
    }
    if let Some(rest) = path.strip_prefix("site") {
        return format!("site.toml: site{rest}");
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_round_trips_through_its_source() {
        let feed = crate::catalogue::default_feed();
        let src = to_source(&feed);
        assert!(src.services_csv.lines().next().unwrap().starts_with("code,agency,active,verified"));
        let again = from_source(&src, feed.version, feed.generated_at).unwrap();
        assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&feed).unwrap());
    }

    #[test]
    fn problems_name_the_file_row_and_column() {
        let feed = crate::catalogue::default_feed();
        let mut src = to_source(&feed);
        // Row 2 is the first service: point it at an agency that does not exist.
        src.services_csv = src.services_csv.replacen(",DUKCAPIL,", ",NOWHERE,", 1);
        let e = from_source(&src, 1, feed.generated_at).unwrap_err().to_string();
        assert!(e.contains("services.csv row 2 (KTP-BARU): agency"), "{e}");
        let mut src = to_source(&feed);
        src.agencies_csv = src.agencies_csv.replacen(",10,", ",ten,", 1);
        let e = from_source(&src, 1, feed.generated_at).unwrap_err().to_string();
        assert!(e.contains("agencies.csv row 2, column order") && e.contains("not a whole number"), "{e}");
        let mut src = to_source(&feed);
        src.services_csv = src.services_csv.replacen("code,agency", "kode,agency", 1);
        let e = from_source(&src, 1, feed.generated_at).unwrap_err().to_string();
        assert!(e.contains("column \"code\" is missing") && e.contains("unknown column \"kode\""), "{e}");
    }
}
