//! Bookings on the real PostgreSQL, through the real paths: the caps hold under a burst of
//! concurrent requests (one statement per count, not a read-then-write), a NIK keeps to its
//! limit, the booking page works on a phone in chromium (its QR code read back with
//! zbarimg), and a kiosk checks a booking in through its print worker: the slip says
//! BOOKING, the ticket waits at its slot's place among walk-ins, a code works once, a late
//! arrival gets a walk-in number, and with the hub stopped the kiosk checks in from its copy
//! and the check-in reaches the hub once.

use std::sync::Arc;
use std::time::Duration;

use mpp_hub::app::App;
use mpp_hub::app::bookings::{BookError, BookingRequest};
use mpp_kiosk::printing::{Done, Job, JobError, Paper, PrintFlowError, PrintSettings, PrintWorker, PrinterUri, QrMode};
use mpp_kiosk::text::Lang;
use mpp_kiosk::tickets::Status;

use crate::support::{Hub, KioskLedger, SITE, hub_command};

const DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 30);

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

pub(crate) fn policy(hub: &Hub, service: &str, args: &[&str]) {
    let mut all = vec!["booking", "policy", "--site", SITE, "--service", service];
    all.extend_from_slice(args);
    let out = hub_command(&hub.database, &all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub(crate) fn app(hub: &Hub, pool: usize) -> Arc<App> {
    let mut config = mpp_hub::config::Config::default();
    config.database.pool_size = pool;
    Arc::new(App::open(&hub.database, &config).unwrap())
}

/// A plausible NIK, different for each `n` (Jeneponto, born 1 January 1990).
fn nik(n: u32) -> String {
    format!("730401010190{:04}", n + 1)
}

fn request(service: &str, slot: &str, nik: String) -> BookingRequest {
    BookingRequest { site: SITE.into(), service: service.into(), date: DAY, slot: slot.into(), nik, phone: None }
}

#[test]
fn fifty_at_once_for_the_last_five_places_book_exactly_five_and_a_nik_keeps_its_limit() {
    let hub = Hub::start_at("2026-11-30T00:00:00Z");
    policy(&hub, "KTP-BARU", &["--per-slot", "5", "--per-person", "2", "--strikes", "0"]);
    let app = app(&hub, 24);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let now = ts("2026-11-30T00:05:00Z"); // 08.05 WITA: the 10.00 slot is open for booking
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let results: Vec<Result<(), String>> = rt.block_on(async {
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let (app, barrier) = (app.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    app.book(&request("KTP-BARU", "10:00", nik(i)), now).await.map(|_| ()).map_err(|e| format!("{e:?}"))
                })
            })
            .collect();
        futures_util::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect()
    });
    let booked = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(booked, 5, "{results:?}");
    assert!(
        results.iter().filter_map(|r| r.as_ref().err()).all(|e| e.contains("Full(Count(\"slot\"))")),
        "the rest were told the slot is full: {results:?}"
    );
    assert_eq!(hub.sql("SELECT count(*) FROM booking WHERE service = 'KTP-BARU' AND slot_start = '10:00'"), "5");
    assert_eq!(hub.sql("SELECT taken FROM booking_count WHERE scope = 'slot' AND key = 'KTP-BARU@10:00'"), "5");

    // One NIK: two bookings that day, not a third (at another time, another service).
    policy(&hub, "KK-BARU", &["--per-slot", "5", "--per-person", "2", "--strikes", "0"]);
    let same = || nik(1000);
    rt.block_on(app.book(&request("KTP-BARU", "11:00", same()), now)).unwrap();
    rt.block_on(app.book(&request("KTP-BARU", "11:30", same()), now)).unwrap();
    let third = rt.block_on(app.book(&request("KK-BARU", "12:00", same()), now));
    let Err(e) = third else { panic!("a third booking for one NIK: {third:?}") };
    assert!(e.says(Lang::Id).contains("batas booking per orang"), "{}", e.says(Lang::Id));
    // Cancelling gives the places back: the slot's and the person's.
    let (code, _) = rt.block_on(app.book(&request("KTP-BARU", "13:00", nik(2000)), now)).unwrap();
    assert!(rt.block_on(app.cancel_booking(SITE, &code, now)).unwrap());
    assert!(!rt.block_on(app.cancel_booking(SITE, &code, now)).unwrap(), "once");
    assert_eq!(hub.sql("SELECT taken FROM booking_count WHERE scope = 'slot' AND key = 'KTP-BARU@13:00'"), "0");
    // What cannot be booked says so.
    let bad = rt.block_on(app.book(&request("KTP-BARU", "10:00", "1234".into()), now));
    assert!(matches!(bad, Err(BookError::Nik(_))), "{bad:?}");
    let past = rt.block_on(app.book(&request("KTP-BARU", "08:00", nik(3000)), now));
    assert!(matches!(past, Err(BookError::NoSlot { .. })), "a slot already begun: {past:?}");
    let unbookable = rt.block_on(app.book(&request("PASPOR-BARU", "10:00", nik(3001)), now));
    assert!(matches!(unbookable, Err(BookError::NotBookable(_))), "{unbookable:?}");
    // The NIK is nowhere in the database; its last four digits only.
    assert_eq!(
        hub.sql("SELECT count(*) FROM booking WHERE nik_hash LIKE '%7304%' OR nik_last4 <> right(nik_last4, 4)"),
        "0"
    );
}

/// A kiosk's print worker printing to a preview folder, asking `cfg`'s server.
fn worker(
    k: &KioskLedger,
    cfg: &mpp_kiosk::sync::SyncConfig,
    at: &str,
    kiosk: u8,
) -> (PrintWorker, std::path::PathBuf) {
    let slips = k.dir.path().join("slips");
    std::fs::create_dir_all(&slips).unwrap();
    let settings = PrintSettings {
        uri: PrinterUri::Preview(slips.clone()),
        paper: Paper::Mm80,
        qr: QrMode::Native,
        qr_url: None,
        timeout: Duration::from_secs(2),
        logo: None,
        lock: None,
    };
    let lookup = mpp_kiosk::app::ahead_lookup(cfg.clone(), SITE.into(), kiosk);
    let w = PrintWorker::spawn_with(
        k.dir.path().join("kiosk.sqlite3"),
        settings,
        kiosk,
        mpp_kiosk::clock::fixed(ts(at)),
        lookup,
    )
    .unwrap();
    (w, slips)
}

fn check_in(w: &PrintWorker, k: &KioskLedger, code: &str) -> Result<(String, bool), String> {
    let code = mpp_domain::booking::BookingCode::parse(code).unwrap();
    let hash = mpp_kiosk::sync::bookings::code_hash(&code, SITE);
    match w.run_blocking(Job::CheckIn { code_hash: hash }, Arc::new(k.catalogue.clone()), Lang::Id) {
        Ok(Done::CheckedIn { issued, late, .. }) => Ok((issued.ticket.number, late)),
        Ok(other) => panic!("{other:?}"),
        Err(JobError::Flow(PrintFlowError::CheckIn(r))) => Err(r.says(Lang::Id)),
        Err(e) => panic!("{e}"),
    }
}

fn slip(slips: &std::path::Path, number: &str) -> String {
    let file = std::fs::read_dir(slips)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(&format!("{number}.txt")))
        .expect("the slip was printed");
    std::fs::read_to_string(file).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_booking_checked_in_at_the_kiosk_waits_at_its_slot_works_once_and_survives_a_cut_network() {
    // The hub's clock is moved with the kiosk's (each pinned): a kiosk's times are taken as
    // they are only when its clock agrees with the hub's (else corrected by the measured
    // error, `ingest::correction`), and the order below is the citizens' own.
    let mut hub = Hub::start_at("2026-11-30T01:05:00Z");
    policy(&hub, "*", &["--slot-minutes", "15", "--per-slot", "4", "--early", "30", "--late", "15"]);
    let app = app(&hub, 4);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let now = ts("2026-11-30T00:05:00Z");
    let book = |service: &str, slot: &str, n: u32| {
        rt.block_on(app.book(&request(service, slot, nik(n)), now)).map(|(code, _)| code.as_str().to_owned()).unwrap()
    };
    let on_time = book("KTP-BARU", "09:15", 1);
    let late = book("KTP-BARU", "09:00", 2);
    let offline = book("KK-BARU", "10:00", 3);
    let early = book("KTP-BARU", "11:00", 4);

    // Walk-ins at 09.00 and 09.20; the booked citizen checks in at 09.05 for 09.15.
    let mut k = KioskLedger::new();
    let walk_in = |k: &mut KioskLedger, at: &str| {
        let at = ts(at);
        let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", None, 1, at).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
        t.number
    };
    let first = walk_in(&mut k, "2026-11-30T01:00:00Z");
    let cfg = k.sync_config(&hub, &hub.token);
    // The kiosk's copy of the day's bookings, as a sync round reads it.
    assert!(mpp_kiosk::sync::bookings::fetch_day(&mut k.store, &cfg, DAY, mpp_kiosk::sync::limits(&cfg)).unwrap());
    let (w, slips) = worker(&k, &cfg, "2026-11-30T01:05:00Z", 1);
    let (booked_number, was_late) = check_in(&w, &k, &on_time).unwrap();
    assert!(!was_late);
    let text = slip(&slips, &booked_number);
    assert!(text.contains("BOOKING 09.15-09.30 WITA"), "{text}");
    // The same code again: refused with its number, no second ticket.
    let again = check_in(&w, &k, &on_time).unwrap_err();
    assert!(again.contains(&booked_number) && again.contains("hanya berlaku sekali"), "{again}");
    // Too early: when to come back; too late: a walk-in number, said so.
    let too_early = check_in(&w, &k, &early).unwrap_err();
    assert!(too_early.contains("dibuka pukul 10.30 WITA"), "{too_early}");
    drop(w);
    hub.restart_at("2026-11-30T01:16:00Z");
    let (w, _) = worker(&k, &cfg, "2026-11-30T01:16:00Z", 1);
    let (late_number, was_late) = check_in(&w, &k, &late).unwrap();
    assert!(was_late, "09.16 for a 09.00 slot with 15 minutes' grace");
    drop(w);
    let second = walk_in(&mut k, "2026-11-30T01:20:00Z");
    hub.restart_at("2026-11-30T01:21:00Z");
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts("2026-11-30T01:21:00Z")).unwrap().unwrap();
    // In line: the 09.00 walk-in, the booking (09.15), the late one and the 09.20 walk-in
    // in the order they came.
    let order = hub.sql(
        "SELECT string_agg(number, ' ' ORDER BY queue_at, number) FROM ticket WHERE service = 'KTP-BARU' AND call_state = 'waiting'",
    );
    assert_eq!(
        order,
        format!("{first} {booked_number} {late_number} {second}"),
        "{}",
        hub.sql("SELECT string_agg(number || ' ' || queue_at || ' ' || issued_at || ' ' || coalesce(booking, '-'), '; ' ORDER BY number) FROM ticket")
    );
    assert_eq!(hub.sql("SELECT state FROM booking WHERE slot_start = '09:15'"), "checked_in");
    // The late one's code is spent; its ticket waits where it came, as a walk-in.
    assert_eq!(hub.sql("SELECT state FROM booking WHERE slot_start = '09:00'"), "checked_in");
    let (w, _) = worker(&k, &cfg, "2026-11-30T01:17:00Z", 1);
    assert!(check_in(&w, &k, &late).unwrap_err().contains(&late_number), "a late code works once too");
    drop(w);
    // The report, from what the kiosk uploaded: KTP-BARU's three bookings (one in time,
    // one late, one still to come) against its walk-ins (the late one's number is one).
    let out = hub_command(&hub.database, &["report", "--site", SITE, "--from", "2026-11-30", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let ktp = &r["bookings"]["KTP-BARU"];
    assert_eq!(
        (&ktp["booked"], &ktp["in_time"], &ktp["late"], &ktp["waiting"], &ktp["walk_ins"]),
        (
            &serde_json::json!(3),
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(3)
        ),
        "{ktp}"
    );
    assert_eq!(
        ktp["arrival_median_min"],
        serde_json::json!(-10.0),
        "{ktp}: 09.05 for 09.15, 09.16 for 09.00: the median of -10 and 16 by nearest rank"
    );

    // The network cut: kiosk 1 and kiosk 2 (each with its copy from an earlier round)
    // check the same booking in; kiosk 1's check-in reaches the hub once when it is back,
    // kiosk 2's is shown to the supervisor as a conflict, not counted twice.
    let out = hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"]);
    let mut k2 = KioskLedger::new();
    let cfg2 = k2.sync_config(&hub, String::from_utf8(out.stdout).unwrap().trim());
    assert!(mpp_kiosk::sync::bookings::fetch_day(&mut k2.store, &cfg2, DAY, mpp_kiosk::sync::limits(&cfg2)).unwrap());
    let mut offline_numbers = Vec::new();
    hub.kill_and_restart_after(Duration::ZERO, || {
        for (number, kiosk, c) in [(1u8, &mut k, &cfg), (2, &mut k2, &cfg2)] {
            let (w, _) = worker(kiosk, c, "2026-11-30T01:50:00Z", number);
            offline_numbers.push(check_in(&w, kiosk, &offline).expect("checked in from the kiosk's copy").0);
            drop(w);
            let sent = mpp_kiosk::sync::upload::upload(&mut kiosk.store, c, SITE, number, ts("2026-11-30T01:51:00Z"));
            assert!(sent.is_err(), "the hub is away: {sent:?}");
        }
    });
    hub.restart_at("2026-11-30T01:52:00Z");
    for _ in 0..2 {
        mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, ts("2026-11-30T01:52:00Z")).unwrap().unwrap();
    }
    mpp_kiosk::sync::upload::upload(&mut k2.store, &cfg2, SITE, 2, ts("2026-11-30T01:52:00Z")).unwrap().unwrap();
    let row = hub.sql(
        "SELECT state || ' ' || checked_in_by || ' ' || coalesce(conflict, '-') FROM booking WHERE service = 'KK-BARU'",
    );
    assert!(row.starts_with("checked_in kiosk 1 kiosk 2: "), "{row}");
    assert!(row.contains(&offline_numbers[1]), "{row}");
    assert_eq!(
        hub.sql(&format!(
            "SELECT booking IS NOT NULL FROM ticket WHERE number = '{}' AND kiosk = 1",
            offline_numbers[0]
        )),
        "t",
        "kiosk 1's ticket is the booking's"
    );
    assert_eq!(
        hub.sql(&format!("SELECT booking IS NULL FROM ticket WHERE number = '{}' AND kiosk = 2", offline_numbers[1])),
        "t",
        "kiosk 2's waits as a walk-in"
    );
}

/// A citizen books on a phone in chromium, plain forms: the service's requirements, a slot,
/// the NIK (a wrong one is said so), the booking's page with its code and a QR code that
/// reads back (zbarimg) as the page's own address; then cancels it.
#[test]
fn a_citizen_books_on_a_phone_and_cancels() {
    // The address phones open (the booking's QR code carries it).
    let hub = Hub::start_at_with("2026-11-30T00:05:00Z", "public_url = \"http://antrean.example\"");
    policy(&hub, "KTP-BARU", &["--per-slot", "4"]);
    let driver = crate::browser::Driver::start();
    let phone = driver.browser(390, 844);
    phone.goto(&hub.url(&format!("/book/{SITE}")));
    phone.until(Duration::from_secs(10), "the services", |b| b.text("main").contains("Penerbitan KTP-el Baru"));
    assert!(!phone.text("main").contains("Paspor"), "only services that take bookings");
    shot(&phone, "booking-services.png");
    phone.click("a[href*='KTP-BARU']");
    phone.until(Duration::from_secs(10), "the booking form", |b| {
        b.js("return !!document.getElementById('nik')") == serde_json::json!(true)
    });
    assert!(phone.text("main").contains("Fotokopi Kartu Keluarga (KK)"), "the requirements, as on the kiosk");
    phone.click("input[name=slot][value='2026-11-30 10:00']");
    phone.type_into("#nik", "7304 0101 0190 00");
    phone.click("#book");
    phone.until(Duration::from_secs(10), "the NIK refused", |b| b.text(".message").contains("16 angka"));
    shot(&phone, "booking-form.png");
    phone.js("document.getElementById('nik').value = ''");
    phone.click("input[name=slot][value='2026-11-30 10:00']");
    phone.type_into("#nik", "7304 0101 0190 0001");
    phone.click("#book");
    phone.until(Duration::from_secs(10), "the booking", |b| {
        b.js("return !!document.getElementById('code')") == serde_json::json!(true)
    });
    let code = phone.text("#code");
    assert_eq!(code.len(), 9, "KQ4M-7TCX: {code}");
    assert!(
        phone.text("main").contains("10.00\u{2013}10.30 WITA") && phone.text("main").contains("0001"),
        "{}",
        phone.text("main")
    );
    assert!(!phone.text("main").contains("7304"), "the NIK is shown by its last digits only");
    let png = hub.dir.path().join("booking.png");
    phone.screenshot(&png);
    shot(&phone, "booking.png");
    let read = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .expect("zbarimg (bash .ci/setup installs zbar-tools)");
    let read = String::from_utf8_lossy(&read.stdout).trim().to_owned();
    let page = format!("http://antrean.example/b/{SITE}/{}/", code.replace('-', ""));
    assert!(read.starts_with(&page) && read.len() == page.len() + 32, "the QR code: {read}");
    assert_eq!(
        mpp_domain::booking::BookingCode::parse(&read).map(|c| c.to_string()),
        Some(code.clone()),
        "a kiosk reads it"
    );
    assert_eq!(hub.sql("SELECT state FROM booking"), "booked");
    phone.click("#cancel");
    phone.until(Duration::from_secs(10), "cancelled", |b| b.text("#state") == "Dibatalkan");
    assert_eq!(hub.sql("SELECT state FROM booking"), "cancelled");
}

fn shot(b: &crate::browser::Browser, name: &str) {
    if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
        b.screenshot(&std::path::Path::new(&dir).join(name));
    }
}

/// A booking's page needs its key as well as its code; wrong addresses are limited per
/// address; another site's page cannot book or cancel with its visitors' browsers; the API
/// takes JSON only.
#[test]
fn a_booking_page_needs_its_key_and_strangers_are_refused() {
    let hub = Hub::start_at("2026-11-30T00:05:00Z");
    policy(&hub, "KTP-BARU", &["--per-slot", "4"]);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let api = hub.url(&format!("/api/v1/sites/{SITE}/bookings"));
    let body = r#"{"service": "KTP-BARU", "date": "2026-11-30", "slot": "10:00", "nik": "7304010101900001"}"#;
    let plain = agent.post(&api).header("Content-Type", "text/plain").send(body.as_bytes()).unwrap();
    assert_eq!(plain.status().as_u16(), 415, "a form elsewhere cannot post JSON as text");
    let mut r = agent.post(&api).header("Content-Type", "application/json").send(body.as_bytes()).unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let answer: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let page = answer["page"].as_str().unwrap().to_owned();
    let code = answer["code"].as_str().unwrap().to_owned();
    let get = |path: &str, from: &str| {
        agent.get(&hub.url(path)).header("X-Forwarded-For", from).call().unwrap().status().as_u16()
    };
    assert_eq!(get(&page, "198.51.100.7"), 200);
    assert_eq!(
        get(&format!("/b/{SITE}/{code}/{}", "0".repeat(32)), "198.51.100.7"),
        404,
        "the code alone is not enough"
    );
    assert_eq!(get(&format!("/b/{SITE}/{code}"), "198.51.100.7"), 404);
    // Guessing: thirty wrong addresses an hour, then even a right one waits.
    for i in 0..29 {
        assert_eq!(get(&format!("/b/{SITE}/ACDEFGHA/{i:032}"), "198.51.100.7"), 404);
    }
    assert_eq!(get(&page, "198.51.100.7"), 429);
    assert_eq!(get(&page, "2001:db8:1:2::7"), 200, "another address is not held up");
    for i in 0..30 {
        get(&format!("/b/{SITE}/ACDEFGHA/{i:032}"), &format!("2001:db8:9:9::{i:x}"));
    }
    assert_eq!(get(&page, "2001:db8:9:9::ffff"), 429, "an IPv6 /64 is one client");

    // Another site's page posting the forms: refused; the booking's own page: cancelled.
    let form = "slot=2026-11-30+10%3A30&nik=7304010101900002&phone=";
    let cross = agent
        .post(&hub.url(&format!("/book/{SITE}/KTP-BARU")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Sec-Fetch-Site", "cross-site")
        .send(form.as_bytes())
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    let evil = agent
        .post(&hub.url(&format!("{page}/cancel")))
        .header("Origin", "https://evil.example")
        .header("X-Forwarded-For", "203.0.113.5")
        .send_empty()
        .unwrap();
    assert_eq!(evil.status().as_u16(), 403);
    assert_eq!(hub.sql("SELECT state FROM booking"), "booked");
    let own = agent
        .post(&hub.url(&format!("{page}/cancel")))
        .header("Sec-Fetch-Site", "same-origin")
        .header("X-Forwarded-For", "203.0.113.5")
        .send_empty()
        .unwrap();
    assert_eq!(own.status().as_u16(), 303);
    assert_eq!(hub.sql("SELECT state FROM booking"), "cancelled");
}
