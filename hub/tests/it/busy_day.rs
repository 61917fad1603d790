//! A busy Monday in a real browser: sixty counters (and a thirty-counter screen of them),
//! a few hundred tickets from a kiosk, calls, recalls, pauses and a server restart. The
//! lobby display, in landscape and portrait, must show every number at a counter inside
//! the screen, uncovered, at least 3 % of the short side tall, with its counter's name
//! whole, and no text smaller than the reading distance allows; a clerk serves a queue
//! with the keyboard alone and reads no English unless chosen; a lost server is said
//! within seconds on both pages. `MPP_HUB_SCREENSHOTS=DIR` keeps the pictures
//! (docs/screens/hub/ is made so).

use std::sync::Arc;
use std::time::{Duration, Instant};

use mpp_domain::calling::{Action, Rules};
use mpp_hub::app::App;
use mpp_hub::app::accounts::Role;
use mpp_hub::app::calling::Actor;
use mpp_kiosk::tickets::{Priority, Status};
use serde_json::json;

use crate::browser::{Browser, Driver, add_staff, sign_in_as};
use crate::support::{Hub, KioskLedger, SITE, hub_command};

const DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 30);

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn at_minute(m: i64) -> jiff::Timestamp {
    ts("2026-11-30T00:00:00Z").checked_add(jiff::SignedDuration::from_secs(m * 60)).unwrap()
}

fn screenshot(b: &Browser, name: &str) {
    if let Ok(dir) = std::env::var("MPP_HUB_SCREENSHOTS") {
        b.screenshot(&std::path::Path::new(&dir).join(name));
    }
}

/// Sixty counters as a large MPP names them, several per agency, each serving its
/// agency's services; some names long, as sites write them.
fn sixty_counters(hub: &Hub) -> Vec<(i16, String)> {
    let feed = mpp_domain::catalogue::default_feed();
    let agencies: Vec<_> = feed.agencies_in_order().into_iter().filter(|a| a.active).collect();
    let mut out = Vec::new();
    for n in 1..=60i16 {
        let agency = agencies[(n as usize - 1) * agencies.len() / 60];
        let services: Vec<&str> =
            feed.services_of(&agency.code).filter(|s| s.active).map(|s| s.code.as_str()).collect();
        let name = match n {
            18 => "Loket 18 · Bank Sulselbar Syariah (Setoran Haji)".to_owned(),
            42 => "Loket 42 · Pelayanan Khusus Lansia & Disabilitas".to_owned(),
            _ => format!("Loket {n} · {}", agency.short_name.id),
        };
        let out_cmd = hub_command(
            &hub.database,
            &[
                "counter",
                "add",
                "--site",
                SITE,
                "--number",
                &n.to_string(),
                "--name",
                &name,
                "--services",
                &services.join(","),
            ],
        );
        assert!(out_cmd.status.success(), "{}", String::from_utf8_lossy(&out_cmd.stderr));
        out.push((n, name));
    }
    out
}

/// A morning's tickets from kiosk 1: six for each service (those with a smaller quota
/// up to it), every seventh a priority one, then uploaded as the kiosk does.
fn morning(hub: &Hub, k: &mut KioskLedger) -> usize {
    let feed = mpp_domain::catalogue::default_feed();
    let mut n = 0;
    for round in 0..6 {
        for s in feed.services.iter().filter(|s| s.active) {
            let at = at_minute(n as i64 / 6);
            let priority = (n % 7 == 6).then_some(Priority::Elderly);
            if let Ok(t) = k.store.issue_ticket(&k.catalogue, &s.code, priority, 1, at) {
                k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
                n += 1;
            }
            let _ = round;
        }
    }
    let cfg = k.sync_config(hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, at_minute(60)).unwrap().unwrap();
    n
}

fn app(hub: &Hub, rules: Rules) -> Arc<App> {
    let mut config = mpp_hub::config::Config::default();
    (config.database.pool_size, config.calling) = (8, rules);
    Arc::new(App::open(&hub.database, &config).unwrap())
}

fn actor() -> Actor {
    Actor { site: SITE.into(), username: "petugas-lantai".into(), role: Role::Supervisor }
}

/// What a display shows on the page it is on: every tile's counter and number, and what
/// is wrong with any of them (off the screen, covered, too small, its name cut), and any
/// text smaller than the reading distance allows.
const CHECK: &str = r#"
const short = Math.min(innerWidth, innerHeight);
const min = short * Number(document.body.dataset.minText);
const problems = [];
const inside = (r) => r.left >= -0.5 && r.top >= -0.5 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
const box = document.getElementById('tiles').getBoundingClientRect();
const seen = [];
for (const t of document.querySelectorAll('#tiles .tile')) {
  const c = t.dataset.counter, name = t.querySelector('.name'), num = t.querySelector('.num');
  const r = num.getBoundingClientRect(), tr = t.getBoundingClientRect(), nr = name.getBoundingClientRect();
  if (!inside(r) || !inside(tr)) problems.push(c + ': off the screen');
  if (tr.bottom > box.bottom + 0.5 || tr.right > box.right + 0.5) problems.push(c + ': outside the tiles');
  if (parseFloat(getComputedStyle(num).fontSize) < 0.03 * short) problems.push(c + ': number ' + getComputedStyle(num).fontSize);
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  if (!hit || !t.contains(hit)) problems.push(c + ': covered by ' + (hit ? hit.tagName + '.' + hit.className : 'nothing'));
  if (name.scrollWidth > name.clientWidth + 1 || name.scrollHeight > name.clientHeight + 1 || nr.bottom > tr.bottom + 0.5 || nr.right > tr.right + 0.5)
    problems.push(c + ': name cut (' + name.textContent + ')');
  if (num.scrollWidth > num.clientWidth + 1) problems.push(c + ': number cut');
  if (t.classList.contains('busy')) seen.push([Number(c), num.textContent]);
}
// Every text a citizen reads: at least the reading distance's size, and on the screen.
for (const e of document.querySelectorAll('body *')) {
  if (e.closest('[hidden]') || e.closest('.sound') || !e.offsetParent && e.tagName !== 'BODY') continue;
  const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own) continue;
  const fs = parseFloat(getComputedStyle(e).fontSize);
  if (fs < min - 0.5) problems.push('small text ' + fs.toFixed(1) + 'px < ' + min.toFixed(1) + ': ' + e.textContent.slice(0, 40));
  if (!inside(e.getBoundingClientRect())) problems.push('off the screen: ' + e.textContent.slice(0, 40));
}
const now = document.getElementById('now-number');
if (now.textContent && !inside(now.getBoundingClientRect())) problems.push('the call is off the screen');
return { problems, seen, page: window.mppDisplay.page, pages: window.mppDisplay.pages, k: window.mppDisplay.k };
"#;

/// Watches the display turn through its pages (each `page_secs`) until every counter in
/// `expected` (counter → number) has been seen whole; fails on any problem seen.
fn every_counter_seen(display: &Browser, expected: &[(i16, String)], what: &str) -> (u64, f64) {
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut seen = std::collections::BTreeMap::new();
    let mut pages = 1;
    while Instant::now() < deadline {
        let v = display.js(CHECK);
        let problems = v["problems"].as_array().unwrap();
        if !problems.is_empty() {
            eprintln!("{}", display.js("return JSON.stringify(window.mppDisplay)"));
            screenshot(display, &format!("failed-{}.png", what.replace([' ', ','], "-")));
        }
        assert!(problems.is_empty(), "{what}, page {}: {problems:?}", v["page"]);
        for s in v["seen"].as_array().unwrap() {
            seen.insert(s[0].as_i64().unwrap() as i16, s[1].as_str().unwrap().to_owned());
        }
        pages = v["pages"].as_u64().unwrap();
        if expected.iter().all(|(c, n)| seen.get(c) == Some(n)) {
            return (pages, v["k"].as_f64().unwrap());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let missing: Vec<_> = expected.iter().filter(|(c, n)| seen.get(c) != Some(n)).collect();
    panic!("{what}: never shown in {pages} pages: {missing:?}");
}

/// The display's address with the test's pages turning every 2 s.
fn display_url(hub: &Hub, extra: &str) -> String {
    hub.url(&format!("/display/{SITE}?page=2{extra}"))
}

#[test]
fn a_busy_monday_on_the_lobby_display_hides_nothing_in_either_orientation() {
    let mut hub = Hub::start_at_with("2026-11-30T01:05:00Z", "[calling]\nmax_recalls = 2\nrecall_gap_secs = 0");
    let counters = sixty_counters(&hub);
    let mut k = KioskLedger::new();
    let issued = morning(&hub, &mut k);
    assert!(issued >= 250, "a few hundred tickets: {issued}");
    let app = app(&hub, Rules { max_recalls: 2, recall_gap_secs: 0 });
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // Counters 59 and 60 are on a break; every other counter calls, three of them call
    // again (a recall), counter 7 serves.
    let mut at_counter: Vec<(i16, String)> = Vec::new();
    rt.block_on(async {
        for n in [59i16, 60] {
            app.set_paused(&actor(), n, Some("Istirahat"), at_minute(64)).await.unwrap();
        }
        for (n, _) in counters.iter().filter(|(n, _)| *n <= 58) {
            if let Some(c) = app.call_next(&actor(), *n, DAY, at_minute(65)).await.unwrap() {
                at_counter.push((*n, c.number));
            }
        }
        let number = |n: i16| at_counter.iter().find(|(c, _)| *c == n).unwrap().1.clone();
        app.act(&actor(), 7, DAY, &number(7), &Action::Start, None, at_minute(66)).await.unwrap();
        for n in [3i16, 18, 42] {
            app.act(&actor(), n, DAY, &number(n), &Action::Recall, None, at_minute(66)).await.unwrap();
        }
    });
    assert!(at_counter.len() >= 50, "a busy morning: {} counters with a number", at_counter.len());

    let driver = Driver::start();
    for (w, h, label) in [(1920, 1080, "landscape"), (1080, 1920, "portrait")] {
        let display = driver.browser(w, h);
        // Thirty counters on one screen (a zone's TV) …
        display.goto(&display_url(&hub, "&counters=1-30"));
        display.until(Duration::from_secs(10), "the tiles", |b| {
            b.js("return document.querySelectorAll('#tiles .tile').length").as_u64() > Some(0)
        });
        let thirty: Vec<_> = at_counter.iter().filter(|(n, _)| *n <= 30).cloned().collect();
        let (pages, k) = every_counter_seen(&display, &thirty, &format!("30 counters, {label}"));
        eprintln!("30 counters, {label}: {pages} page(s) at {k}× the smallest text");
        screenshot(&display, &format!("display-30-{label}.png"));
        // … and all sixty on one.
        display.goto(&display_url(&hub, ""));
        display.until(Duration::from_secs(10), "the tiles", |b| {
            b.js("return document.querySelectorAll('#tiles .tile').length").as_u64() > Some(0)
        });
        let (pages, k) = every_counter_seen(&display, &at_counter, &format!("60 counters, {label}"));
        eprintln!("60 counters, {label}: {pages} page(s) at {k}× the smallest text");
        screenshot(&display, &format!("display-60-{label}.png"));
        // The newest call is a recall and says so; the recent calls mark it, once per number.
        assert_eq!(display.text("#now-label"), "Panggilan ulang");
        let recent = display.js("return [...document.querySelectorAll('#recent li')].map(li => li.textContent)");
        let recent: Vec<String> = recent.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        let unique: std::collections::HashSet<_> = recent.iter().collect();
        assert_eq!(unique.len(), recent.len(), "one line per call: {recent:?}");
        assert!(!display.text("#recent").contains("(("), "{}", display.text("#recent"));
    }

    // Live: counter 3 finishes and calls the next (a call), then counter 18 recalls.
    let display = driver.browser(1920, 1080);
    display.goto(&display_url(&hub, ""));
    display.until(Duration::from_secs(10), "the display", |b| !b.text("#now-number").is_empty());
    let three = at_counter.iter().find(|(n, _)| *n == 3).unwrap().1.clone();
    let next = rt.block_on(app.finish_and_call_next(
        &actor(),
        3,
        DAY,
        &mpp_hub::app::calling::Target::Number(three.clone()),
        at_minute(67),
    ));
    let next = next.unwrap().1.expect("another ticket for counter 3").number;
    display.until(Duration::from_secs(3), "the call on the display", |b| b.text("#now-number") == next);
    assert_eq!(display.text("#now-label"), "Nomor antrean");
    at_counter.iter_mut().find(|(n, _)| *n == 3).unwrap().1 = next;
    let eighteen = at_counter.iter().find(|(n, _)| *n == 18).unwrap().1.clone();
    rt.block_on(app.act(&actor(), 18, DAY, &eighteen, &Action::Recall, None, at_minute(68))).unwrap();
    display.until(Duration::from_secs(3), "the recall on the display", |b| b.text("#now-label") == "Panggilan ulang");
    assert_eq!(display.text("#now-number"), eighteen);
    assert!(display.text("#recent").contains("panggilan ulang"), "{}", display.text("#recent"));

    // The server restarts: the red band within 5 s, gone when it is back, and the
    // display is whole again.
    let lost_at = Instant::now();
    hub.kill_and_restart_after(Duration::from_secs(4), || {
        display.until(Duration::from_secs(5), "the display saying the server is lost", |b| {
            b.js("return !document.getElementById('lost').hidden") == json!(true)
        });
        eprintln!("server lost shown after {} ms", lost_at.elapsed().as_millis());
        screenshot(&display, "display-lost.png");
    });
    display.until(Duration::from_secs(15), "the display back", |b| {
        b.js("return document.getElementById('lost').hidden") == json!(true)
    });
    every_counter_seen(&display, &at_counter, "60 counters after the restart");
}

#[test]
fn a_closed_mpp_says_when_it_opens_again() {
    // Saturday 5 December, 15.00 WITA: nothing called today.
    let hub = Hub::start_at("2026-12-05T07:00:00Z");
    let driver = Driver::start();
    let display = driver.browser(1920, 1080);
    display.goto(&hub.url(&format!("/display/{SITE}")));
    display.until(Duration::from_secs(10), "the closed display", |b| {
        b.js("return document.getElementById('closed').hidden") == json!(false)
    });
    let closed = display.text("#closed");
    assert!(
        closed.contains("sudah tutup") && closed.contains("Buka lagi Senin, 7 Desember, pukul 08.00 WITA"),
        "{closed}"
    );
    assert_eq!(display.js("return document.getElementById('board').hidden"), json!(true));
    assert_eq!(display.js(CHECK)["problems"], json!([]));
    screenshot(&display, "display-closed.png");
}

/// Sends keys as a person types them (WebDriver's key actions) to whatever has the focus.
fn keys(b: &Browser, keys: &str) {
    let mut actions = Vec::new();
    for c in keys.chars() {
        actions.push(json!({ "type": "keyDown", "value": c.to_string() }));
        actions.push(json!({ "type": "keyUp", "value": c.to_string() }));
    }
    b.actions(&json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }));
}
const ENTER: &str = "\u{E007}";

/// English the clerk must not read unless chosen.
fn english_in(s: &str) -> Option<&'static str> {
    let lower = s.to_lowercase();
    [" the ", "counter", "recall", "waiting", "first", "called", "serving", "no-show", "nobody", " is ", "cannot"]
        .into_iter()
        .find(|w| lower.contains(w))
}

fn said(b: &Browser) -> String {
    format!("{} | {}", b.text("#message"), b.text("#why"))
}

#[test]
fn a_clerk_serves_a_queue_with_the_keyboard_alone_and_reads_no_english() {
    let mut hub = Hub::start_at_with("2026-11-30T01:05:00Z", "[calling]\nmax_recalls = 1\nrecall_gap_secs = 20");
    let _ = hub_command(&hub.database, &["counter", "per-agency", "--site", SITE]);
    add_staff(&hub, "petugas1", "counter");
    let mut k = KioskLedger::new();
    for (i, (service, priority)) in
        [("KTP-BARU", None), ("KTP-BARU", Some(Priority::Pregnant)), ("KK-BARU", None), ("KTP-BARU", None)]
            .into_iter()
            .enumerate()
    {
        let at = at_minute(i as i64);
        let t = k.store.issue_ticket(&k.catalogue, service, priority, 1, at).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, at, None).unwrap();
    }
    let cfg = k.sync_config(&hub, &hub.token);
    mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, 1, at_minute(5)).unwrap().unwrap();

    let driver = Driver::start();
    let clerk = driver.browser(1400, 900);
    sign_in_as(&clerk, &hub, "petugas1");
    clerk.js("document.querySelector('#counter').value = '1'");
    clerk.click("#choose");
    clerk.until(Duration::from_secs(10), "the counter page", |b| !b.text("#waiting-total").is_empty());
    let check = |b: &Browser| {
        let s = said(b);
        assert!(english_in(&s).is_none(), "English ({:?}) on the counter page: {s}", english_in(&s));
    };

    // Enter with nobody at the counter: call next. The priority ticket first, with why.
    keys(&clerk, ENTER);
    clerk.until(Duration::from_secs(5), "the first call", |b| b.text("#current-number") == "KTB-PA001");
    assert_eq!(clerk.text("#message"), "KTB-PA001 dipanggil ke Loket 1.");
    assert!(clerk.text("#current-priority").contains("Ibu hamil"), "{}", clerk.text("#current-priority"));
    // The no-show and the recall wait for their rules, and say so; the page counts down.
    assert_eq!(clerk.js("return document.getElementById('no-show').disabled"), json!(true));
    assert!(clerk.text("#why").contains("Panggil ulang bisa dalam"), "{}", clerk.text("#why"));
    assert!(
        clerk.text("#why").contains("tidak hadir baru boleh setelah 1 kali panggilan ulang"),
        "{}",
        clerk.text("#why")
    );
    check(&clerk);
    // R while the gap runs: nothing is sent (the button is off), nothing said wrong.
    keys(&clerk, "r");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(clerk.text("#message"), "KTB-PA001 dipanggil ke Loket 1.");
    // S: serving. Enter: done, and the next called in one key.
    keys(&clerk, "s");
    clerk.until(Duration::from_secs(5), "serving", |b| b.text("#current-state").starts_with("Sedang dilayani"));
    keys(&clerk, ENTER);
    clerk.until(Duration::from_secs(5), "done and the next", |b| b.text("#current-number") == "KTB-A001");
    assert_eq!(clerk.text("#message"), "KTB-PA001 selesai dilayani. KTB-A001 dipanggil ke Loket 1.");
    check(&clerk);
    // P, then 1: paused for the site's first reason; call next now says why not; P resumes.
    keys(&clerk, "p");
    clerk.until(Duration::from_secs(3), "the pause reasons", |b| {
        b.js("return document.getElementById('pause-dialog').open") == json!(true)
    });
    keys(&clerk, "1");
    clerk.until(Duration::from_secs(5), "paused", |b| b.text("#paused").contains("Istirahat"));
    check(&clerk);
    keys(&clerk, "p");
    clerk.until(Duration::from_secs(5), "open again", |b| b.text("#message") == "Loket dibuka lagi.");
    // T: the short list (this counter's other services first), a search, a number key,
    // Enter: transferred to KK-BARU.
    keys(&clerk, "t");
    clerk.until(Duration::from_secs(3), "the transfer dialog", |b| {
        b.js("return document.getElementById('transfer-dialog').open") == json!(true)
    });
    let first = clerk.text("#transfer-choices li:first-child");
    assert!(first.contains("layanan loket ini"), "this counter's services first: {first}");
    keys(&clerk, "kartu keluarga (kk) baru");
    clerk.until(Duration::from_secs(3), "the search", |b| {
        b.text("#transfer-choices li:first-child").contains("Kartu Keluarga (KK) Baru")
    });
    keys(&clerk, ENTER);
    clerk.until(Duration::from_secs(5), "transferred", |b| b.text("#message").starts_with("KTB-A001 dialihkan"));
    assert_eq!(clerk.text("#current-number"), "—");
    check(&clerk);
    // N: the next (KTB-A001 now waits in KK-BARU at the front of its line).
    keys(&clerk, "n");
    clerk.until(Duration::from_secs(5), "the next call", |b| b.text("#current-number") == "KTB-A001");
    // The gap passes (the server's clock, pinned, moves on with the page's): recall, then
    // no-show after the one recall allowed; then B, 1: back in line.
    hub.restart_at("2026-11-30T01:06:00Z");
    clerk.until(Duration::from_secs(10), "the recall allowed", |b| {
        b.js("return document.getElementById('recall').disabled") == json!(false)
    });
    keys(&clerk, "r");
    clerk.until(Duration::from_secs(5), "recalled", |b| b.text("#message") == "KTB-A001 dipanggil ulang (1×).");
    clerk.until(Duration::from_secs(10), "the no-show allowed", |b| {
        b.js("return document.getElementById('no-show').disabled") == json!(false)
    });
    keys(&clerk, "x");
    clerk.until(Duration::from_secs(5), "no-show", |b| b.text("#message") == "KTB-A001 ditandai tidak hadir.");
    keys(&clerk, "b");
    clerk.until(Duration::from_secs(3), "today's no-shows", |b| b.text("#requeue-choices").contains("KTB-A001"));
    keys(&clerk, "1");
    clerk.until(Duration::from_secs(5), "back in line", |b| b.text("#message") == "KTB-A001 kembali ke antrean.");
    check(&clerk);
    screenshot(&clerk, "counter.png");

    // The server lost: the banner within 5 s; an action meanwhile is not lost silently,
    // and "Coba lagi" sends it once the server is back.
    hub.kill_and_restart_after(Duration::from_secs(6), || {
        clerk.until(Duration::from_secs(6), "the banner", |b| {
            b.js("return document.getElementById('offline').hidden") == json!(false)
        });
        keys(&clerk, "n");
        clerk
            .until(Duration::from_secs(5), "the unsent action said", |b| b.text("#message").contains("belum terkirim"));
        screenshot(&clerk, "counter-offline.png");
    });
    clerk.click("#retry");
    clerk.until(Duration::from_secs(10), "the action sent again", |b| b.text("#current-number") != "—");
    clerk.until(Duration::from_secs(5), "the banner gone", |b| {
        b.js("return document.getElementById('offline').hidden") == json!(true)
    });
    check(&clerk);

    // English when the clerk chooses it, and kept for the next page.
    clerk.click("#lang");
    clerk.until(Duration::from_secs(5), "English", |b| b.text("#call-next") == "Call next");
    clerk.until(Duration::from_secs(5), "why not, in English", |b| b.text("#why").contains("is still at counter 1"));
    clerk.goto(&hub.url("/counter"));
    clerk.until(Duration::from_secs(5), "English kept", |b| b.text("#finish").contains("Done"));
}
