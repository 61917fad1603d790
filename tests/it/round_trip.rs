//! Export, then import --force, gives back the identical catalogue.

use mpp_kiosk::catalogue::{default_feed, parse_feed};

use crate::support::{Kiosk, assert_same, dump};

#[test]
fn export_then_forced_import_round_trips() {
    let k = Kiosk::new();
    let first = k.run(&["catalogue", "export"]).ok();
    // Nothing of the embedded catalogue is lost on the way through the database.
    assert_eq!(parse_feed(first.as_bytes()).unwrap(), default_feed());

    let file = k.path("export.json");
    k.run(&["catalogue", "export", "--out", file.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first, "--out writes what stdout shows");

    let before = dump(&k.db());
    k.run(&["catalogue", "import", file.to_str().unwrap(), "--force"]).ok();
    let second = k.run(&["catalogue", "export"]).ok();
    assert_eq!(first, second);
    // Only the import's own bookkeeping (time, source) and the search index's internal
    // pages may differ; the rows and the indexed text are the same.
    let strip = |d: Vec<String>| {
        d.into_iter()
            .filter(|r| !r.starts_with("catalogue_meta:") && !r.starts_with("service_fts_"))
            .collect::<Vec<_>>()
    };
    assert_same(&strip(before), &strip(dump(&k.db())), "round trip");

    // A second database fed the export holds the same catalogue.
    let other = Kiosk::new();
    other.run(&["catalogue", "import", file.to_str().unwrap()]).ok();
    assert_eq!(other.run(&["catalogue", "export"]).ok(), first);
}
