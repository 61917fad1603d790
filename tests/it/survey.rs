//! The SKM survey from the command line: paper forms keyed in, the IKM report in text, CSV
//! and JSON, checked against a computation by hand.

use crate::support::{Kiosk, Run, dump};

const NOW: &str = "2026-11-30T01:05:00Z"; // Monday 30 November 2026, 09:05 WITA

fn run(k: &Kiosk, args: &[&str]) -> Run {
    let mut c = k.command();
    c.env("MPP_KIOSK_NOW", NOW).args(args);
    Run(c.output().unwrap())
}

fn record(k: &Kiosk, service: &str, answers: &str, date: &str) {
    run(k, &["survey", "record", "--service", service, "--answers", answers, "--date", date]).ok();
}

#[test]
fn paper_forms_and_the_report_match_a_hand_computation() {
    let k = Kiosk::new();
    // Four forms for KTP-BARU (the hand-worked example in src/survey/ikm.rs): IKM 29.5/9
    // = 3.2778, converted 81.94, grade B "Baik"; one older form and one for another
    // agency, which the filters leave out.
    for a in ["4,4,3,4,3,3,4,3,3", "3,3,3,4,3,4,4,2,3", "4,3,2,4,4,3,4,3,2", "3,3,3,4,3,3,4,3,3"] {
        record(&k, "KTP-BARU", a, "2026-11-30");
    }
    record(&k, "KTP-BARU", "1,1,1,1,1,1,1,1,1", "2026-10-15");
    record(&k, "SKCK-BARU", "1,1,1,1,1,1,1,1,1", "2026-11-30");

    let j = run(
        &k,
        &["survey", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--agency", "DUKCAPIL", "--format", "json"],
    )
    .json();
    assert_eq!((j["responses"].as_u64(), j["paper"].as_u64()), (Some(4), Some(4)));
    let nrr: Vec<f64> = j["elements"].as_array().unwrap().iter().map(|e| e["nrr"].as_f64().unwrap()).collect();
    assert_eq!(nrr, [3.5, 3.25, 2.75, 4.0, 3.25, 3.25, 4.0, 2.75, 2.75]);
    assert_eq!(format!("{:.2}", j["converted"].as_f64().unwrap()), "81.94");
    assert_eq!((j["grade"].as_str(), j["performance"].as_str()), (Some("B"), Some("Baik")));

    let csv = run(&k, &["survey", "report", "--from", "2026-11-01", "--service", "KTP-BARU", "--format", "csv"]).ok();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Unsur,Uraian,Jumlah Responden,Jumlah Nilai,NRR,NRR Tertimbang,Mutu");
    assert_eq!(lines[1], "U1,\"Persyaratan\",4,14,3.500,0.389,B");
    assert!(csv.contains("IKM Konversi,,,,,81.94,") && csv.contains("Kinerja Unit Pelayanan,,,,,,\"Baik\""), "{csv}");

    // Everything: six forms, the ones at 1 pull the index down.
    let text = run(&k, &["survey", "report", "--lang", "en"]).ok();
    assert!(text.contains("Respondents: 6 (kiosk 0, paper 6)"), "{text}");
    // U1: (14 + 1 + 1) / 6 = 2.667 …
    assert!(text.contains("U1   Requirements") && text.contains("2.667"), "{text}");

    // An empty period says so instead of inventing figures.
    let empty = run(&k, &["survey", "report", "--from", "2025-01-01", "--to", "2025-01-31"]).ok();
    assert!(empty.contains("Belum ada responden"), "{empty}");
}

#[test]
fn bad_forms_are_refused_with_the_reason_and_change_nothing() {
    let k = Kiosk::new();
    record(&k, "KTP-BARU", "4,4,4,4,4,4,4,4,4", "2026-11-30");
    let before = dump(&k.db());
    for (args, words) in [
        (vec!["--service", "KTP-BARU", "--answers", "4,4,5,4,4,4,4,4,4"], "answer 3 (U3) is 5"),
        (vec!["--service", "KTP-BARU", "--answers", "4,4,4"], "3 answers given"),
        (vec!["--service", "KTP-BARU", "--answers", ",,,,,,,,"], "no answer at all"),
        (vec!["--service", "NOPE", "--answers", "4,4,4,4,4,4,4,4,4"], "unknown service \"NOPE\""),
        (
            vec!["--service", "KTP-BARU", "--answers", "4,4,4,4,4,4,4,4,4", "--education", "PHD"],
            "education \"PHD\" is not a choice",
        ),
        (vec!["--service", "KTP-BARU", "--answers", "4,4,4,4,4,4,4,4,4", "--date", "2026-12-25"], "in the future"),
    ] {
        let mut all = vec!["survey", "record"];
        all.extend(args);
        let r = run(&k, &all);
        assert_eq!(r.code(), 2, "{all:?}: {}", r.stderr());
        assert!(r.stderr().contains(words), "{all:?}: {}", r.stderr());
    }
    assert_eq!(dump(&k.db()), before, "a refused form stores nothing");
    let r = run(&k, &["survey", "report", "--from", "2026-12-01", "--to", "2026-11-01"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("is after"), "{}", r.stderr());
}

/// Whether `s` holds a time of day (`HH:MM`): a precise time could link a response to
/// the ticket printed just before it.
fn has_time_of_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(5).any(|w| {
        w[0].is_ascii_digit() && w[1].is_ascii_digit() && w[2] == b':' && w[3].is_ascii_digit() && w[4].is_ascii_digit()
    })
}

/// The survey is anonymous (PermenPANRB 14/2017 asks for honest answers): nothing in the
/// stored response or in what is uploaded links it to a ticket — no ticket id or number,
/// no time more precise than the day, no position among the queue's records.
#[test]
fn a_survey_response_cannot_be_linked_to_a_ticket() {
    let k = Kiosk::new();
    let server = crate::http::Server::start();
    let cfg = k.write(
        "up.toml",
        &format!("[sync]\ninsecure_http_upload = true\nupload_url = \"{}\"\nupload_batch = 50\n[printer]\nuri = \"preview:{}\"\n", server.url("/upload"), k.path("slips").display()),
    );
    let issue = || {
        let mut c = k.command_with_config(&cfg);
        c.env("MPP_KIOSK_NOW", NOW).args(["ticket", "issue", "--service", "KTP-BARU", "--json"]);
        Run(c.output().unwrap()).json()
    };
    // A ticket, then the same citizen's answers on the kiosk, then the next citizen's ticket.
    let first = issue();
    {
        let mut store = mpp_kiosk::store::Store::open(&k.db()).unwrap();
        let response = mpp_kiosk::survey::Response {
            service: "KTP-BARU".into(),
            answers: vec![("U1".into(), 4), ("U5".into(), 3)],
            profile: Default::default(),
            comment: Some("cepat".into()),
            source: mpp_kiosk::survey::Source::Kiosk,
        };
        store.record_survey(&response, "DUKCAPIL", "2026-11-30".parse().unwrap()).unwrap();
    }
    let second = issue();
    let linkable: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|t| [t["id"].as_str().unwrap().to_owned(), t["number"].as_str().unwrap().to_owned()])
        .collect();

    // 1. The stored response.
    let conn = rusqlite::Connection::open(k.db()).unwrap();
    for table in ["survey_response", "survey_answer"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        for c in &columns {
            assert!(
                !["ticket", "number", "kiosk", "utc", "time", "seq"].iter().any(|w| c.contains(w)),
                "{table}.{c} could link a response to a ticket"
            );
        }
        let values: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..columns.len())
                    .map(|i| r.get_ref(i).map(|v| format!("{v:?}")).unwrap_or_default())
                    .collect::<Vec<_>>())
            })
            .unwrap()
            .flat_map(|r| r.unwrap())
            .collect();
        assert!(!values.is_empty(), "{table} holds the response");
        for v in values {
            assert!(!has_time_of_day(&v), "{table} stores a time of day: {v}");
            assert!(!linkable.iter().any(|l| v.contains(l)), "{table} stores a ticket's id or number: {v}");
        }
    }

    // 2. What is uploaded: the survey travels in a batch of surveys only, with the day and
    // no sequence number, and nothing of the tickets.
    let r = Run(k.command_with_config(&cfg).env("MPP_KIOSK_NOW", NOW).args(["sync", "now"]).output().unwrap());
    r.ok();
    let rx = server.receiver.lock().unwrap();
    let surveys: Vec<&Vec<serde_json::Value>> =
        rx.batches.iter().filter(|b| b.iter().any(|r| r["kind"] == "survey")).collect();
    assert_eq!(surveys.len(), 1, "one batch carries the survey: {:?}", rx.batches);
    for record in surveys[0] {
        assert_eq!(record["kind"], "survey", "a survey shares its batch with queue records: {record}");
        assert!(record.get("seq").is_none(), "a survey carries the outbox's shared sequence: {record}");
        let text = record.to_string();
        assert!(!has_time_of_day(&text), "a survey record carries a time of day: {text}");
        assert!(!linkable.iter().any(|l| text.contains(l)), "a survey record carries a ticket's id or number: {text}");
        assert_eq!(record["data"]["local_date"], "2026-11-30");
    }
    assert!(rx.batches.iter().flatten().filter(|r| r["kind"] != "survey").count() >= 2, "the tickets are uploaded too");
}
