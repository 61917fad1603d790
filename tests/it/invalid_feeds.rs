//! Bad feeds are refused whole: exit code 2, every error names the JSON path and the reason,
//! and the database's content is exactly what it was.

use serde_json::{Value, json};

use crate::support::{Kiosk, assert_same, default_feed_value, dump};

/// A change to the default feed and what the error must say (path first, then reason).
struct Case {
    name: &'static str,
    mutate: fn(&mut Value),
    expect: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "unknown agency",
            mutate: |f| f["services"][12]["agency"] = json!("SAMSAT2"),
            expect: &["services[12].agency: unknown agency code \"SAMSAT2\""],
        },
        Case {
            name: "duplicate service code",
            mutate: |f| f["services"][5]["code"] = f["services"][0]["code"].clone(),
            expect: &["services[5].code: duplicate service code \"KTP-BARU\" (also services[0])"],
        },
        Case {
            name: "duplicate agency code",
            mutate: |f| f["agencies"][3]["code"] = json!("POLRES"),
            expect: &["agencies[3].code: duplicate agency code \"POLRES\""],
        },
        Case {
            name: "empty requirements",
            mutate: |f| f["services"][3]["requirements"] = json!([]),
            expect: &["services[3].requirements: empty"],
        },
        Case {
            name: "bad time",
            mutate: |f| f["site"]["hours"]["mon"]["open"] = json!("8am"),
            expect: &["site.hours.mon.open: invalid time \"8am\", expected HH:MM"],
        },
        Case {
            name: "closing before opening",
            mutate: |f| f["site"]["hours"]["tue"]["close"] = json!("07:00"),
            expect: &["site.hours.tue.close: closing time 07:00 is not after opening time 08:00"],
        },
        Case {
            name: "break outside hours",
            mutate: |f| f["site"]["hours"]["fri"]["breaks"][0]["end"] = json!("17:00"),
            expect: &["site.hours.fri.breaks[0]: break 11:30–17:00 is not inside opening hours"],
        },
        Case {
            name: "unknown time zone",
            mutate: |f| f["site"]["time_zone"] = json!("Asia/Jeneponto"),
            expect: &["site.time_zone: unknown time zone \"Asia/Jeneponto\""],
        },
        Case {
            name: "wrong type",
            mutate: |f| f["services"][5]["verified"] = json!("yes"),
            expect: &["services[5].verified: invalid type: string \"yes\", expected a boolean"],
        },
        Case {
            name: "missing field",
            mutate: |f| {
                f["services"][2].as_object_mut().unwrap().remove("fee");
            },
            expect: &["services[2]: missing field `fee`"],
        },
        Case {
            name: "unknown field",
            mutate: |f| f["services"][0]["colour"] = json!("red"),
            expect: &["services[0].colour: unknown field `colour`"],
        },
        Case {
            name: "future schema",
            mutate: |f| f["schema"] = json!(2),
            expect: &["schema: unsupported schema 2, this kiosk reads schema 1"],
        },
        Case {
            name: "terminal escape in a name",
            mutate: |f| f["services"][4]["name"]["id"] = json!("KTP\u{1b}]0;pwned\u{7}"),
            expect: &["services[4].name.id: contains the control character U+001B; texts are plain text"],
        },
        Case {
            name: "a counter name as long as a page",
            mutate: |f| f["services"][1]["counter"]["id"] = json!("Loket ".repeat(500)),
            expect: &["services[1].counter.id: is 3000 characters long, more than 120"],
        },
        Case {
            name: "a requirement as long as a book",
            mutate: |f| f["services"][0]["requirements"][0]["id"] = json!("x".repeat(5000)),
            expect: &["services[0].requirements[0].id: is 5000 characters long, more than 1000"],
        },
        Case { name: "version zero", mutate: |f| f["version"] = json!(0), expect: &["version: 0 is out of range"] },
        Case { name: "bad timestamp", mutate: |f| f["generated_at"] = json!("yesterday"), expect: &["generated_at: "] },
        Case {
            name: "shared ticket prefix",
            mutate: |f| f["services"][7]["ticket_prefix"] = json!("KTB"),
            expect: &["services[7].ticket_prefix: ticket prefix \"KTB\" is already used by services[0]"],
        },
        Case {
            name: "bad ticket prefix",
            mutate: |f| f["services"][1]["ticket_prefix"] = json!("kt-1"),
            expect: &["services[1].ticket_prefix: invalid ticket prefix \"kt-1\""],
        },
        Case {
            name: "unknown icon",
            mutate: |f| f["agencies"][0]["icon"] = json!("unicorn"),
            expect: &["agencies[0].icon: unknown icon \"unicorn\""],
        },
        Case {
            name: "empty Indonesian text",
            mutate: |f| f["services"][9]["name"]["id"] = json!("  "),
            expect: &["services[9].name.id: empty Indonesian text"],
        },
        Case {
            name: "zero quota",
            mutate: |f| f["services"][18]["daily_quota"] = json!(0),
            expect: &["services[18].daily_quota: 0 would refuse every ticket"],
        },
        Case {
            name: "several problems at once",
            mutate: |f| {
                f["services"][1]["agency"] = json!("NOPE");
                f["services"][4]["requirements"] = json!([]);
                f["site"]["time_zone"] = json!("WITA");
            },
            expect: &[
                "(3 problems)",
                "services[1].agency: unknown agency code \"NOPE\"",
                "services[4].requirements: empty",
                "site.time_zone: unknown time zone \"WITA\"",
            ],
        },
    ]
}

fn newer(f: &mut Value) {
    f["version"] = json!(f["version"].as_u64().unwrap() + 1);
}

#[test]
fn invalid_feeds_are_refused_naming_path_and_reason_and_change_nothing() {
    let k = Kiosk::new();
    k.run(&["catalogue", "list"]).ok(); // the embedded catalogue is stored now
    let before = dump(&k.db());
    assert!(before.len() > 50, "the dump sees the catalogue rows");

    let cases = cases();
    assert!(cases.len() >= 10);
    for case in cases {
        let mut feed = default_feed_value();
        newer(&mut feed); // so that only the defect can be the reason for refusal
        (case.mutate)(&mut feed);
        let file = k.write("bad.json", &serde_json::to_string_pretty(&feed).unwrap());
        for force in [false, true] {
            let mut args = vec!["catalogue", "import", file.to_str().unwrap()];
            if force {
                args.push("--force");
            }
            let r = k.run(&args);
            assert_eq!(r.code(), 2, "{}: exit code; stderr: {}", case.name, r.stderr());
            let err = r.stderr();
            assert!(err.contains("bad.json"), "{}: names the file: {err}", case.name);
            for e in case.expect {
                assert!(err.contains(e), "{}: expected {e:?} in:\n{err}", case.name);
            }
            assert_same(&before, &dump(&k.db()), case.name);
        }
    }
}

#[test]
fn broken_documents_are_refused_too() {
    let k = Kiosk::new();
    k.run(&["catalogue", "list"]).ok();
    let before = dump(&k.db());
    let full = serde_json::to_string_pretty(&default_feed_value()).unwrap();
    let truncated = &full[..full.len() / 2];
    for (name, body, expect) in [
        ("truncated", truncated, "invalid JSON: EOF while parsing"),
        ("empty", "", "(document): the file is empty"),
        ("not an object", "[1, 2, 3]", "(document): a feed is a JSON object ({...}), this is an array"),
        ("garbage", "<html>502 Bad Gateway</html>", "(document): invalid JSON: expected value at line 1 column 1"),
    ] {
        let file = k.write("broken.json", body);
        let r = k.run(&["catalogue", "import", file.to_str().unwrap()]);
        assert_eq!(r.code(), 2, "{name}");
        assert!(r.stderr().contains(expect), "{name}: expected {expect:?} in {}", r.stderr());
        assert_same(&before, &dump(&k.db()), name);
    }
    let r = k.run(&["catalogue", "import", k.path("missing.json").to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("missing.json"), "{}", r.stderr());
}

#[test]
fn an_older_or_equal_version_is_refused_unless_forced() {
    let k = Kiosk::new();
    let mut feed = default_feed_value();
    newer(&mut feed);
    newer(&mut feed);
    let v = feed["version"].as_u64().unwrap();
    let file = k.write("new.json", &feed.to_string());
    assert!(k.run(&["catalogue", "import", file.to_str().unwrap()]).ok().contains(&format!("version {v}")));
    let before = dump(&k.db());

    for older in [v, v - 1] {
        feed["version"] = json!(older);
        feed["services"][0]["name"]["id"] = json!("Nama lama");
        let file = k.write("old.json", &feed.to_string());
        let r = k.run(&["catalogue", "import", file.to_str().unwrap()]);
        assert_eq!(r.code(), 2);
        assert!(
            r.stderr().contains(&format!("catalogue version {older} is not newer than the stored version {v}")),
            "{}",
            r.stderr()
        );
        assert_same(&before, &dump(&k.db()), "older version");
    }
    // A technician's deliberate rollback.
    let file = k.write("old.json", &feed.to_string());
    k.run(&["catalogue", "import", file.to_str().unwrap(), "--force"]).ok();
    let shown = k.run(&["catalogue", "show", "KTP-BARU"]).ok();
    assert!(shown.contains("Nama lama"), "{shown}");
}

/// A feed for another MPP (signed with a key both sites share) does not replace this
/// kiosk's site: the first real feed sets the site, and a change needs --force.
#[test]
fn a_feed_for_another_site_is_refused_unless_forced() {
    let k = Kiosk::new();
    let mut own = default_feed_value();
    own["version"] = json!(2026120101u64);
    let own = k.write("own.json", &own.to_string());
    k.run(&["catalogue", "import", own.to_str().unwrap()]).ok();
    let before = dump(&k.db());
    let mut other = default_feed_value();
    other["version"] = json!(2026120201u64);
    other["site"]["code"] = json!("MPP-MAKASSAR");
    let other = k.write("other.json", &other.to_string());
    let r = k.run(&["catalogue", "import", other.to_str().unwrap()]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(
        r.stderr().contains("the feed is for site MPP-MAKASSAR, this kiosk serves MPP-JENEPONTO"),
        "{}",
        r.stderr()
    );
    assert_same(&before, &dump(&k.db()), "a refused site changes nothing");
    k.run(&["catalogue", "import", other.to_str().unwrap(), "--force"]).ok();
    assert!(k.run(&["catalogue", "export"]).ok().contains("MPP-MAKASSAR"));
}
