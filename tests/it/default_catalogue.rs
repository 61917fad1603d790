//! The embedded catalogue: valid, complete, and faithful to the researched seed.

use std::collections::{BTreeMap, BTreeSet};

use mpp_kiosk::catalogue::{Feed, default_feed};
use mpp_kiosk::text::Lang;

#[test]
fn the_embedded_catalogue_is_valid_and_complete() {
    let feed: Feed = default_feed();
    assert_eq!(feed.site.time_zone, "Asia/Makassar");
    assert_eq!(feed.agencies.len(), 18);
    assert_eq!(feed.services.len(), 46);
    assert_eq!(feed.site.cutoff_minutes, 30);
    let fri = feed.site.hours.fri.as_ref().unwrap();
    assert_eq!((fri.open.to_string(), fri.close.to_string()), ("08:00".into(), "16:30".into()));
    assert_eq!(fri.breaks.len(), 1, "the Friday prayer break");
    for day in [&feed.site.hours.mon, &feed.site.hours.thu] {
        assert_eq!(day.as_ref().unwrap().close.to_string(), "16:00");
    }
    assert!(feed.site.hours.sat.is_none() && feed.site.hours.sun.is_none());
    for s in &feed.services {
        // Names, summaries and requirements have English; fallbacks are for the rest.
        assert!(!s.name.get(Lang::En).fallback, "{} has no English name", s.code);
        assert!(!s.summary.get(Lang::En).fallback, "{}", s.code);
        assert!(s.requirements.iter().all(|r| !r.text.get(Lang::En).fallback), "{}", s.code);
        assert!(!s.sources.is_empty(), "{} keeps its sources", s.code);
    }
}

/// The seed researched for this product; CI has it beside the repository.
fn seed() -> Option<serde_json::Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed/services.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).unwrap()),
        Err(e) => {
            crate::support::skip(&format!("the researched seed ({}: {e})", path.display()))?;
            unreachable!()
        }
    }
}

#[test]
fn uncertain_seed_entries_stay_unverified() {
    let Some(seed) = seed() else { return };
    let feed = default_feed();
    let seed = seed.as_array().unwrap();
    assert_eq!(seed.len(), feed.services.len());
    let by_name: BTreeMap<&str, &mpp_kiosk::catalogue::Service> =
        feed.services.iter().map(|s| (s.name.id.as_str(), s)).collect();
    let mut agencies = BTreeSet::new();
    for entry in seed {
        let name = entry["service"].as_str().unwrap();
        let s = by_name
            .get(name.replace(" - ", " \u{2014} ").as_str())
            .unwrap_or_else(|| panic!("seed service {name:?} is in the catalogue"));
        assert_eq!(s.verified, !entry["uncertain"].as_bool().unwrap(), "{name}");
        assert_eq!(s.agency, entry["agency_code"].as_str().unwrap(), "{name}");
        // The same words; only a parenthetical " - " is set as an em dash.
        let dashes = |t: &str| t.trim().replace(" - ", " \u{2014} ");
        let reqs: Vec<&str> = s.requirements.iter().map(|r| r.text.id.as_str()).collect();
        let seed_reqs: Vec<String> =
            entry["requirements"].as_array().unwrap().iter().map(|r| dashes(r.as_str().unwrap())).collect();
        assert_eq!(reqs, seed_reqs, "{name}: requirements are the researched ones");
        // The researched fee, less the research's own notes ("(nominal tidak diverifikasi di
        // korpus)"), which are kept for staff: the citizen's words are the seed's, in order.
        let seed_fee = dashes(entry["fee"].as_str().unwrap());
        if s.fee.text.id != seed_fee {
            assert!(s.staff_notes.is_some(), "{name}: what was taken from the fee is kept for staff");
            let mut seed_words = seed_fee.split_whitespace();
            for w in s.fee.text.id.split_whitespace() {
                let w = w.trim_end_matches([';', ',']);
                assert!(
                    seed_words.any(|x| x.trim_end_matches([';', ',']) == w),
                    "{name}: {w:?} is the seed's: {seed_fee}"
                );
            }
        }
        agencies.insert(entry["agency_code"].as_str().unwrap());
    }
    assert_eq!(agencies.len(), feed.agencies.len());
}

/// The complete example in docs/feed-format.md is a valid feed, and imports.
#[test]
fn the_documented_example_feed_is_valid() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/feed-format.md")).unwrap();
    let start = doc.find("## A complete example").expect("the example section");
    let block = &doc[start..];
    let json = block.split("```json").nth(1).and_then(|b| b.split("```").next()).expect("a json block");
    let feed = mpp_kiosk::catalogue::parse_feed(json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(feed.services.len(), 1);
    let k = crate::support::Kiosk::new();
    let file = k.write("example.json", json);
    k.run(&["catalogue", "import", file.to_str().unwrap()]).ok();
    let shown = k.run(&["catalogue", "show", "KTP-BARU", "--lang", "en"]).ok();
    assert!(shown.contains("Processing time: Same day"), "{shown}");
}

/// Each agency is told apart by its icon: no two share one, and none uses the MPP's own
/// mark (the landmark the header shows).
#[test]
fn every_agency_has_its_own_icon() {
    let feed = default_feed();
    let icons: BTreeSet<&str> = feed.agencies.iter().map(|a| a.icon.as_str()).collect();
    assert_eq!(
        icons.len(),
        feed.agencies.len(),
        "shared icons: {:?}",
        feed.agencies.iter().map(|a| (&a.code, &a.icon)).collect::<Vec<_>>()
    );
    assert!(!icons.contains("bank"), "the bank's landmark is the MPP's mark");
}

/// The research behind the catalogue ("(Tribun 2017) — verifikasi", "tidak diverifikasi di
/// korpus", "sumber lemah") is for staff, never for citizens: no text a screen or slip
/// shows carries it, in either language; it is kept in `staff_notes`, which `catalogue
/// show` prints for staff.
#[test]
fn research_notes_are_kept_from_citizens() {
    let feed = default_feed();
    let research =
        ["korpus", "corpus", "tribun", "verifikasi", "verified", "sumber lemah", "weak source", "bisnis.com"];
    let said = |what: &str, t: &mpp_kiosk::text::Text| {
        for lang in [Lang::Id, Lang::En] {
            let text = t.get(lang).text.to_lowercase();
            if let Some(w) = research.iter().find(|w| text.contains(*w)) {
                panic!("{what} ({lang:?}) shows the research's {w:?} to citizens: {text}");
            }
        }
    };
    for a in &feed.agencies {
        said(&format!("agency {}", a.code), &a.name);
        said(&format!("agency {}", a.code), &a.short_name);
    }
    for s in &feed.services {
        let c = &s.code;
        for (field, t) in [
            ("name", Some(&s.name)),
            ("summary", Some(&s.summary)),
            ("fee", Some(&s.fee.text)),
            ("processing_time", s.processing_time.as_ref()),
            ("product", Some(&s.product)),
            ("legal_basis", s.legal_basis.as_ref()),
            ("counter", Some(&s.counter)),
            ("notes", s.notes.as_ref()),
            ("complaints", s.complaints.as_ref()),
        ] {
            if let Some(t) = t {
                said(&format!("{c}.{field}"), t);
            }
        }
        for (i, r) in s.requirements.iter().enumerate() {
            said(&format!("{c}.requirements[{i}]"), &r.text);
        }
        for (i, p) in s.procedure.iter().enumerate() {
            said(&format!("{c}.procedure[{i}]"), p);
        }
    }
    let kept: Vec<&str> = feed.services.iter().filter(|s| s.staff_notes.is_some()).map(|s| s.code.as_str()).collect();
    assert!(kept.contains(&"PASPOR-BARU") && kept.contains(&"SKPWNI"), "the notes are kept for staff: {kept:?}");
    // Staff read them where they work: the command line.
    let k = crate::support::Kiosk::new();
    let shown = k.run(&["catalogue", "show", "PASPOR-BARU"]).ok();
    assert!(shown.contains("Catatan untuk petugas (tidak tampil ke warga): Tribun 2017"), "{shown}");
}
