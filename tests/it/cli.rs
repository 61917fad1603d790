//! The command line as a technician uses it.

use crate::support::Kiosk;

#[test]
fn a_new_database_lists_the_jeneponto_catalogue() {
    let k = Kiosk::new();
    let rows = k.run(&["catalogue", "list", "--json"]).json();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 40, "{} services", rows.len());
    let agencies: std::collections::BTreeSet<&str> = rows.iter().map(|r| r["agency"].as_str().unwrap()).collect();
    assert!(agencies.len() >= 15, "{agencies:?}");
    for r in rows {
        for key in ["code", "agency", "name"] {
            assert!(r[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {r}");
        }
        assert!(r["verified"].is_boolean(), "{r}");
    }
    let text = k.run(&["catalogue", "list"]).ok();
    assert!(text.starts_with("Mal Pelayanan Publik Kabupaten Jeneponto"), "{text}");
    assert!(text.contains("KTP-BARU"), "{text}");
}

#[test]
fn searching_ktp_puts_the_ktp_el_services_first() {
    let k = Kiosk::new();
    for query in ["ktp", "e-ktp", "KTP-el", "EKTP"] {
        let hits = k.run(&["catalogue", "search", query, "--json"]).json();
        let codes: Vec<&str> = hits.as_array().unwrap().iter().map(|h| h["code"].as_str().unwrap()).collect();
        let mut first3 = codes[..3].to_vec();
        first3.sort();
        assert_eq!(first3, ["KTP-BARU", "KTP-HILANG", "KTP-UBAH"], "{query}: {codes:?}");
    }
}

#[test]
fn search_understands_how_people_type() {
    let k = Kiosk::new();
    let first = |q: &str| -> String {
        let hits = k.run(&["catalogue", "search", q, "--json"]).json();
        hits[0]["code"].as_str().unwrap_or("(none)").to_owned()
    };
    assert!(first("paspor").starts_with("PASPOR-"));
    assert!(first("passport").starts_with("PASPOR-"));
    assert!(first("skck").starts_with("SKCK-"));
    assert!(first("sim").starts_with("SIM-"));
    assert_eq!(first("akte kelahiran"), "AKTA-LAHIR");
    assert!(first("listrik").starts_with("PLN-"));
    // One letter lists matches in catalogue order (the first key of search-as-you-type).
    let k = k.run(&["catalogue", "search", "k", "--json"]).json();
    let codes: Vec<&str> = k.as_array().unwrap().iter().map(|h| h["code"].as_str().unwrap()).collect();
    assert_eq!(&codes[..2], ["KTP-BARU", "KTP-HILANG"], "{codes:?}");
    let k = Kiosk::new();
    // Nothing found is an empty list, not an error.
    let none = k.run(&["catalogue", "search", "xyzzy", "--json"]).json();
    assert_eq!(none.as_array().unwrap().len(), 0);
}

#[test]
fn an_unverified_service_says_so_in_both_languages() {
    let k = Kiosk::new();
    let id = k.run(&["catalogue", "show", "ktp-hilang"]).ok();
    assert!(id.contains("BELUM TERVERIFIKASI"), "{id}");
    let en = k.run(&["catalogue", "show", "KTP-HILANG", "--lang", "en"]).ok();
    assert!(en.contains("NOT YET VERIFIED"), "{en}");
    let verified = k.run(&["catalogue", "show", "KTP-BARU"]).ok();
    assert!(!verified.contains("TERVERIFIKASI"), "{verified}");
    // The page carries the citizen-facing Standar Pelayanan.
    for label in ["Persyaratan", "Prosedur", "Lama proses", "Biaya", "Produk", "Pengaduan"] {
        assert!(verified.contains(label), "{label} missing:\n{verified}");
    }
}

#[test]
fn english_fallback_is_visible() {
    let k = Kiosk::new();
    let mut feed = crate::support::default_feed_value();
    feed["version"] = (feed["version"].as_u64().unwrap() + 1).into();
    feed["services"][0]["name"] = serde_json::json!({ "id": "Layanan tanpa terjemahan" });
    let f = k.write("feed.json", &feed.to_string());
    k.run(&["catalogue", "import", f.to_str().unwrap()]).ok();
    let code = feed["services"][0]["code"].as_str().unwrap();
    let en = k.run(&["catalogue", "show", code, "--lang", "en"]).ok();
    assert!(en.contains("Layanan tanpa terjemahan [ID]"), "{en}");
    assert!(en.contains("no English text yet"), "{en}");
    let json = k.run(&["catalogue", "list", "--json", "--lang", "en"]).json();
    assert_eq!(json[0]["name_fallback"], true);
    assert_eq!(json[1]["name_fallback"], false);
}

#[test]
fn unknown_codes_are_bad_input_with_a_hint() {
    let k = Kiosk::new();
    let r = k.run(&["catalogue", "show", "paspor"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("unknown service code \"paspor\"") && r.stderr().contains("PASPOR-BARU"),
        "{}",
        r.stderr()
    );
    let r = k.run(&["catalogue", "list", "--agency", "NOPE"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("unknown agency code \"NOPE\""), "{}", r.stderr());
    let r = k.run(&["catalogue", "frobnicate"]);
    assert_eq!(r.code(), 2, "clap usage errors are bad input too");
}

#[test]
fn every_command_has_help() {
    let k = Kiosk::new();
    for args in [
        vec![],
        vec!["run"],
        vec!["doctor"],
        vec!["catalogue"],
        vec!["catalogue", "list"],
        vec!["catalogue", "show"],
        vec!["catalogue", "search"],
        vec!["catalogue", "import"],
        vec!["catalogue", "export"],
    ] {
        let mut a = args.clone();
        a.push("--help");
        let out = k.run(&a).ok();
        assert!(out.contains("Usage: mpp-kiosk"), "{args:?}: {out}");
    }
}

#[test]
fn config_errors_name_the_file_key_and_line_and_exit_2() {
    let k = Kiosk::new();
    let cfg = k.write("bad.toml", "[kiosk]\nid = 3\nidle_timout_secs = 30\n");
    let r = k.run_with_config(&cfg, &["catalogue", "list"]);
    assert_eq!(r.code(), 2);
    let err = r.stderr();
    assert!(err.contains("bad.toml") && err.contains("line 3") && err.contains("idle_timout_secs"), "{err}");

    // The environment variable names a config too, and a missing file is an error, not defaults.
    let r = crate::support::Run(
        k.command().env("MPP_KIOSK_CONFIG", k.path("absent.toml")).args(["catalogue", "list"]).output().unwrap(),
    );
    // --config on the command line wins over the environment: the empty config is used.
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mpp-kiosk"));
    c.env("MPP_KIOSK_CONFIG", k.path("absent.toml")).env("HOME", k.dir.path()).args(["catalogue", "list"]);
    let r = crate::support::Run(c.output().unwrap());
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("absent.toml"), "{}", r.stderr());
}

#[test]
fn the_config_chooses_the_database_and_language() {
    let k = Kiosk::new();
    let cfg = k.write("site.toml", "[kiosk]\nlanguage = \"en\"\n[database]\npath = \"data/site.sqlite3\"\n");
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mpp-kiosk"));
    c.env_remove("MPP_KIOSK_CONFIG").arg("--config").arg(&cfg).args(["catalogue", "show", "KTP-BARU"]);
    let out = crate::support::Run(c.output().unwrap()).ok();
    assert!(out.contains("Requirements:") && out.contains("[Conditions]"), "{out}");
    assert!(k.path("data/site.sqlite3").exists(), "relative path is taken from the config's folder");
}

#[test]
fn doctor_reports_and_fails_on_a_broken_config() {
    let k = Kiosk::new();
    // Doctor exits 1 when any check fails; on a test machine with no screen the display
    // check fails honestly, so read the report whatever the exit code.
    let doctor_json = |k: &Kiosk| -> serde_json::Value {
        let r = k.run(&["doctor", "--json"]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
        let failed: Vec<&str> = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "fail")
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(r.code() == 0, failed.is_empty(), "exit code follows the checks: {failed:?}");
        assert!(failed.iter().all(|n| *n == "display"), "only the machine's missing screen may fail here: {v}");
        v
    };
    let fresh = doctor_json(&k);
    let names: Vec<&str> = fresh["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"database"), "{names:?}");
    assert!(!k.db().exists(), "doctor does not create or change the database");

    k.run(&["catalogue", "list"]).ok();
    let report = doctor_json(&k);
    let checks = report["checks"].as_array().unwrap();
    let catalogue = checks.iter().find(|c| c["name"] == "catalogue").unwrap();
    assert!(catalogue["detail"].as_str().unwrap().contains("46 services"), "{catalogue}");
    let text = k.run(&["doctor"]).stdout();
    assert!(text.contains("(schema ") && text.contains("journal wal"), "{text}");
    for name in ["display", "touch", "printer", "clock", "disk", "watchdog", "outbox"] {
        assert!(text.lines().any(|l| l[6..].starts_with(name)), "doctor checks {name}: {text}");
    }

    let cfg = k.write("bad.toml", "[kiosk]\nlanguage = \"jv\"\n");
    let r = k.run_with_config(&cfg, &["doctor"]);
    assert_eq!(r.code(), 1);
    assert!(r.stdout().contains("FAIL") && r.stdout().contains("line 2"), "{}", r.stdout());
    assert!(r.stdout().contains("catalogue"), "the other checks still run: {}", r.stdout());
}

/// A query of 20,000 words is refused at once, not searched for minutes.
#[test]
fn an_absurdly_long_search_is_refused() {
    let k = Kiosk::new();
    let words = vec!["ktp"; 20_000].join(" ");
    let r = k.run(&["catalogue", "search", &words]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("search: the query is 79999 characters long, more than 100"), "{}", r.stderr());
}

/// The manual page the package ships is generated from the command-line definitions: the
/// committed copy must be what the binary generates now, so the two cannot drift.
#[test]
fn the_shipped_manual_page_matches_the_command_line() {
    let k = Kiosk::new();
    let generated = k.run(&["manpage"]).ok();
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/debian/mpp-kiosk.1")).unwrap();
    assert!(generated.contains(".SH NAME") && generated.contains("support\\-bundle"), "{generated}");
    assert!(
        generated == shipped,
        "deploy/debian/mpp-kiosk.1 is out of date: run `cargo run -- manpage > deploy/debian/mpp-kiosk.1`"
    );
}
