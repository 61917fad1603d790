//! The real compiled kiosk UI, driven headless by Slint's testing backend through the
//! same accessible labels a screen reader uses, with mock time. One test function: Slint's
//! platform is set once per process.
//!
//! The path a citizen takes — welcome → agency → service → priority → slip printed (to a
//! `preview:` printer) — and the refusals, the idle return, the language switch, search.

use std::cell::Cell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementRoot};
use mpp_kiosk::catalogue::Catalogue;
use mpp_kiosk::kiosk::Screen;
use mpp_kiosk::printing::{Paper, PrintSettings, PrinterUri, QrMode};
use mpp_kiosk::store::Store;
use mpp_kiosk::text::Lang;
use mpp_kiosk::ui::{Ui, UiSettings};

const MONDAY_0905: &str = "2026-11-30T01:05:00Z";
const MONDAY_1545: &str = "2026-11-30T07:45:00Z";
const SATURDAY_1500: &str = "2026-11-28T07:00:00Z";

struct Kiosk {
    ui: Rc<Ui>,
    mono: Rc<Cell<Duration>>,
    db: std::path::PathBuf,
}

fn catalogue(db: &Path) -> Catalogue {
    let mut store = Store::open(db).unwrap();
    store
        .import_catalogue(&mpp_kiosk::catalogue::default_feed(), "embedded", true, jiff::Timestamp::UNIX_EPOCH)
        .unwrap();
    store.load_catalogue().unwrap().unwrap()
}

fn kiosk(dir: &Path, at: &str, printer: PrinterUri) -> Kiosk {
    let db = dir.join("kiosk.sqlite3");
    let mono = Rc::new(Cell::new(Duration::ZERO));
    let m = mono.clone();
    let ui = Ui::new(UiSettings {
        app: mpp_kiosk::app::AppSettings {
            catalogue: catalogue(&db),
            db_path: db.clone(),
            print: PrintSettings {
                uri: printer,
                paper: Paper::Mm80,
                qr: QrMode::Native,
                qr_url: None,
                timeout: Duration::from_millis(500),
                logo: None,
                lock: None,
            },
            kiosk_id: 1,
            lang: Lang::Id,
            idle: Duration::from_secs(60),
            clock: mpp_kiosk::clock::fixed(at.parse().unwrap()),
            mono: Box::new(move || m.get()),
            sync: Default::default(),
            pin_hash: Some(mpp_kiosk::staff_pin::hash_pin("246813")),
            sync_handle: None,
            speech: None,
            restart: None,
        },
        hide_cursor: false,
    })
    .unwrap();
    slint::ComponentHandle::show(&ui.window).unwrap();
    Kiosk { ui, mono, db }
}

impl Kiosk {
    /// Moves both the flow's clock and Slint's mock clock (timers fire).
    fn wait(&self, d: Duration) {
        let step = Duration::from_millis(100);
        let mut left = d;
        while !left.is_zero() {
            let s = step.min(left);
            self.mono.set(self.mono.get() + s);
            i_slint_backend_testing::mock_elapsed_time(s);
            left -= s;
        }
    }

    fn buttons(&self, label: &str) -> Vec<ElementHandle> {
        ElementHandle::find_by_accessible_label(&self.ui.window, label)
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .collect()
    }

    fn tap(&self, label: &str) {
        let found = self.buttons(label);
        if found.is_empty() {
            let all: Vec<String> = self
                .ui
                .window
                .root_element()
                .query_descendants()
                .find_all()
                .iter()
                .filter_map(|e| e.accessible_label().map(|l| format!("{l}:{:?}", e.accessible_role())))
                .collect();
            panic!("no button {label:?} on the {:?} screen; labels: {all:?}", self.ui.screen());
        }
        found[0].invoke_accessible_default_action();
    }

    fn shows(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(&self.ui.window, label).next().is_some()
    }

    fn texts_containing(&self, needle: &str) -> bool {
        self.ui.window.global::<mpp_kiosk::ui::K>().get_notice().text.contains(needle)
    }

    /// Waits (in real time, for the print worker) until the screen is `screen`.
    fn until(&self, screen: Screen) {
        for _ in 0..200 {
            if self.ui.screen() == screen {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
            self.wait(Duration::from_millis(100));
        }
        panic!("still on {:?}, expected {screen:?}", self.ui.screen());
    }

    fn tickets(&self) -> Vec<mpp_kiosk::store::Ticket> {
        Store::open(&self.db).unwrap().tickets_on(jiff::civil::date(2026, 11, 30)).unwrap()
    }
}

use slint::ComponentHandle;

#[test]
fn the_kiosk_screens_by_touch() {
    i_slint_backend_testing::init_integration_test_with_mock_time();

    // 1. The whole path, by agency: five taps, the slip lands in the preview printer.
    let dir = tempfile::tempdir().unwrap();
    let slips = dir.path().join("slips");
    let k = kiosk(dir.path(), MONDAY_0905, PrinterUri::Preview(slips.clone()));
    assert_eq!(k.ui.screen(), Screen::Welcome);
    k.tap("Ambil Nomor Antrean");
    assert_eq!(k.ui.screen(), Screen::Agencies);
    k.tap("Disdukcapil");
    assert_eq!(k.ui.screen(), Screen::Services);
    k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
    assert_eq!(k.ui.screen(), Screen::Detail);
    assert!(k.shows("Fotokopi Kartu Keluarga (KK)"), "the requirements are listed");
    k.tap("Ambil Nomor Antrean");
    assert_eq!(k.ui.screen(), Screen::Priority);
    let elderly = &k.buttons("Lansia (60 tahun ke atas)")[0];
    let (pos, size) = (elderly.absolute_position(), elderly.size());
    let spot = slint::LogicalPosition::new(pos.x + size.width / 2.0, pos.y + size.height / 2.0);
    k.tap("Lansia (60 tahun ke atas)");
    // An impatient second tap on the same spot while printing: the button is gone and the
    // flow ignores it; one ticket, one slip (checked below).
    assert!(k.buttons("Lansia (60 tahun ke atas)").is_empty());
    assert_eq!(k.ui.screen(), Screen::Printing, "the tap lands on the printing screen");
    for event in [
        slint::platform::WindowEvent::PointerPressed {
            position: spot,
            button: slint::platform::PointerEventButton::Left,
        },
        slint::platform::WindowEvent::PointerReleased {
            position: spot,
            button: slint::platform::PointerEventButton::Left,
        },
    ] {
        k.ui.window.window().dispatch_event(event);
    }
    k.until(Screen::Done);
    assert!(k.shows("KTB-PA001"), "the number is on screen");
    let slip = std::fs::read_to_string(slips.join("2026-11-30-KTB-PA001.txt")).unwrap();
    assert!(slip.contains("KTB-PA001") && slip.contains("PRIORITAS - Lansia"), "{slip}");
    assert!(slips.join("2026-11-30-KTB-PA001.png").exists(), "the preview draws the slip");
    assert_eq!(k.tickets().len(), 1);
    assert_eq!(k.tickets()[0].status.code(), "printed");
    // Done says what happens next (wait for the call, then go to the counter), and that
    // it returns to welcome by itself, counting down; then it does.
    assert!(k.shows("Tunggu nomor Anda dipanggil, lalu menuju"), "not 'go now': wait for the call");
    k.wait(Duration::from_secs(5));
    let left = k.ui.window.global::<mpp_kiosk::ui::K>().get_leaving_seconds();
    assert!((14..=15).contains(&left), "{left} s left");
    assert!(k.shows(&format!("Layar kembali ke awal dalam {left} detik.")), "the countdown is on screen");
    k.wait(Duration::from_secs(16));
    assert_eq!(k.ui.screen(), Screen::Welcome);
    assert!(!k.shows("KTB-PA001"), "nothing of the last citizen stays on screen");

    // 2. A popular service: three taps from welcome to a printed slip.
    k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
    k.tap("Ambil Nomor Antrean");
    k.tap("Antrean Umum");
    k.until(Screen::Done);
    assert!(k.shows("KTB-A001"));
    k.tap("Selesai");
    assert_eq!(k.ui.screen(), Screen::Welcome);

    // 2b. The hidden staff screen: five taps on the logo, the PIN, a reprint and a test slip.
    for _ in 0..5 {
        k.tap("Petugas");
    }
    assert_eq!(k.ui.screen(), Screen::StaffPin);
    for d in ["1", "1", "1", "1", "1", "1"] {
        k.tap(d);
    }
    k.tap("Masuk");
    assert_eq!(k.ui.screen(), Screen::StaffPin, "a wrong PIN keeps it closed");
    assert!(k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().pin_message.contains("Sisa 2"));
    for d in ["2", "4", "6", "8", "1", "3"] {
        k.tap(d);
    }
    k.tap("Masuk");
    assert_eq!(k.ui.screen(), Screen::Staff);
    k.tap("Cetak ulang KTB-A001");
    let staff_says = |k: &Kiosk, words: &str| {
        for _ in 0..200 {
            if k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().message.contains(words) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
            k.wait(Duration::from_millis(100));
        }
        panic!(
            "the staff screen never said {words:?}: {}",
            k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().message
        );
    };
    staff_says(&k, "KTB-A001 dicetak ulang");
    assert!(slips.join("2026-11-30-KTB-A001-reprint.txt").exists());
    k.tap("Cetak Slip Tes");
    staff_says(&k, "Slip tes dikirim");
    assert!(slips.join("printer-test.txt").exists());
    let health: Vec<String> = slint::Model::iter(&k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().health)
        .map(|h| format!("{}: {}", h.label, h.value))
        .collect();
    let pending = Store::open(&k.db).unwrap().outbox_stats().unwrap().pending;
    assert!(
        health.iter().any(|h| h.starts_with(&format!("Unggahan: {pending} menunggu"))),
        "the outbox's real backlog ({pending}): {health:?}"
    );
    assert!(health.iter().any(|h| h.starts_with("IKM hari ini")), "{health:?}");
    k.tap("Kembali");
    assert_eq!(k.ui.screen(), Screen::Welcome);

    // 3. Language switch: the screens and the catalogue's own texts.
    k.tap("English");
    assert!(!k.buttons("Take a Queue Number").is_empty(), "the big button speaks English");
    k.tap("Take a Queue Number");
    assert!(!k.buttons("Police (SKCK, licence)").is_empty(), "agency names from the catalogue switch too");
    k.tap("Bahasa Indonesia");
    assert!(!k.buttons("Polres (SKCK, SIM)").is_empty());

    // 4. Idle: a countdown first, any touch cancels it, then back to welcome in Indonesian.
    k.tap("English");
    k.wait(Duration::from_secs(46));
    assert!(k.shows("Yes, continue"), "the 'still there?' countdown shows after 45 s");
    k.tap("Yes, continue");
    k.wait(Duration::from_secs(1));
    assert!(!k.shows("Yes, continue"), "a touch cancels it");
    assert_eq!(k.ui.screen(), Screen::Agencies);
    k.wait(Duration::from_secs(61));
    assert_eq!(k.ui.screen(), Screen::Welcome);
    assert!(!k.buttons("Ambil Nomor Antrean").is_empty(), "back in the kiosk's own language");

    // 5. Search with the on-screen keyboard, Indonesian synonyms included.
    k.tap("Cari Layanan");
    for key in ["P", "A", "S", "P", "O", "R"] {
        k.tap(key);
    }
    assert!(!k.buttons("Penerbitan Paspor Biasa Baru (WNI dewasa)").is_empty(), "typing finds the passport service");
    for _ in 0..6 {
        k.tap("Hapus");
    }
    for key in ["E", "K", "T", "P"] {
        k.tap(key);
    }
    assert!(!k.buttons("Penerbitan KTP-el Baru (perekaman pertama)").is_empty(), "e-KTP finds KTP-el");
    k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
    k.tap("Kembali");
    assert_eq!(k.ui.screen(), Screen::Search, "back returns to the results");
    k.tap("Kembali");
    assert_eq!(k.ui.screen(), Screen::Welcome);
    drop(k);

    // 6. A closed day (Saturday afternoon) and a closed evening (Monday past the cut-off):
    // the welcome says why and when numbers are given again, its main action leads to the
    // requirements, and no path leads to a refusal the screen could have foretold.
    for (at, reason, when) in [
        (SATURDAY_1500, "Tutup hari ini (Sabtu)", "Senin, 30 November, pukul 08.00 WITA"),
        (
            MONDAY_1545,
            "Pengambilan nomor antrean hari ini sudah ditutup",
            "besok, Selasa, 1 Desember, pukul 08.00 WITA",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let k = kiosk(dir.path(), at, PrinterUri::Preview(dir.path().join("slips")));
        let closed = k.ui.window.global::<mpp_kiosk::ui::K>().get_closed();
        assert!(closed.shown, "{at}: the welcome says the MPP is closed");
        assert_eq!(closed.title, reason);
        assert!(closed.text.contains(when), "{at}: when numbers are given again: {}", closed.text);
        assert!(k.buttons("Ambil Nomor Antrean").is_empty(), "{at}: no number is offered on the welcome");
        k.tap("Lihat Persyaratan Layanan");
        assert_eq!(k.ui.screen(), Screen::Agencies);
        k.tap("Disdukcapil");
        k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
        assert_eq!(k.ui.screen(), Screen::Detail);
        assert!(k.shows("Fotokopi Kartu Keluarga (KK)"), "the requirements are readable");
        assert!(
            k.ui.window.global::<mpp_kiosk::ui::K>().get_detail().state.contains("buka lagi"),
            "the service says when it opens"
        );
        assert!(k.buttons("Ambil Nomor Antrean").is_empty(), "{at}: the detail offers no ticket");
        assert!(!k.ui.window.global::<mpp_kiosk::ui::K>().get_notice().shown, "no refusal was reached");
        let store = Store::open(&k.db).unwrap();
        assert!([28, 30].iter().all(|d| store.tickets_on(jiff::civil::date(2026, 11, *d)).unwrap().is_empty()));
        drop(k);
    }

    // 7. A printer that cannot be reached: the welcome says so before anyone chooses a
    // service, and offers the requirements instead; no service offers a ticket.
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let k = kiosk(dir.path(), MONDAY_0905, PrinterUri::Tcp { host: "127.0.0.1".into(), port: closed });
    let banner = || k.ui.window.global::<mpp_kiosk::ui::K>().get_closed();
    for _ in 0..100 {
        if banner().shown {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        k.wait(Duration::from_millis(100));
    }
    assert!(banner().shown, "the welcome asked the printer and says it cannot print");
    assert_eq!(banner().title, "Nomor antrean belum dapat dicetak");
    assert!(banner().text.contains("petugas") && banner().text.contains("persyaratan"), "{}", banner().text);
    assert!(k.buttons("Ambil Nomor Antrean").is_empty(), "no number is offered on the welcome");
    k.tap("Lihat Persyaratan Layanan");
    k.tap("Disdukcapil");
    k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
    assert!(k.shows("Fotokopi Kartu Keluarga (KK)"), "the requirements are readable");
    assert!(k.buttons("Ambil Nomor Antrean").is_empty(), "the service offers no ticket");
    assert!(k.tickets().is_empty(), "no ghost number");
    drop(k);

    // 7a. The PIN pad's lock-out survives a restart: three wrong PINs, the kiosk restarts
    // (a new UI on the same database), and even the right PIN waits.
    let dir = tempfile::tempdir().unwrap();
    let pin_pad = |k: &Kiosk, pin: &str| {
        for _ in 0..5 {
            k.tap("Petugas");
        }
        for d in pin.chars() {
            k.tap(&d.to_string());
        }
        k.tap("Masuk");
    };
    let k = kiosk(dir.path(), MONDAY_0905, PrinterUri::Preview(dir.path().join("slips")));
    pin_pad(&k, "000000");
    k.tap("Kembali");
    pin_pad(&k, "000000");
    k.tap("Kembali");
    pin_pad(&k, "000000");
    assert!(
        k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().pin_message.contains("Coba lagi dalam 60 detik"),
        "{}",
        k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().pin_message
    );
    drop(k);
    let k = kiosk(dir.path(), MONDAY_0905, PrinterUri::Preview(dir.path().join("slips")));
    pin_pad(&k, "246813");
    assert_eq!(k.ui.screen(), Screen::StaffPin, "the restart did not lift the lock-out");
    assert!(
        k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().pin_message.contains("Coba lagi dalam"),
        "{}",
        k.ui.window.global::<mpp_kiosk::ui::K>().get_staff().pin_message
    );
    drop(k);

    // 7b. A printer that hangs (takes the connection, never answers): the screen never
    // waits on it. The tap returns at once to the printing screen, the UI keeps drawing
    // and running its timers, and the job ends by its timeout (500 ms here) as a refusal.
    let dir = tempfile::tempdir().unwrap();
    let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hanging.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = hanging.incoming().take(8).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let k = kiosk(dir.path(), MONDAY_0905, PrinterUri::Tcp { host: "127.0.0.1".into(), port });
    k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
    k.tap("Ambil Nomor Antrean");
    k.tap("Antrean Umum");
    // Had the UI thread run the job, the tap would have returned on the refusal.
    assert_eq!(k.ui.screen(), Screen::Printing, "the tap did not wait for the printer");
    // The UI's timers keep running meanwhile (the 100 ms tick polls the worker).
    k.wait(Duration::from_millis(300));
    assert_eq!(k.ui.screen(), Screen::Printing);
    k.until(Screen::Detail);
    assert!(k.texts_containing("petugas"), "the hung printer ends as a refusal that sends the citizen to staff");
    assert!(k.tickets().is_empty(), "no ghost number");
    drop(k);

    // 8. A slip that fails after the number was committed: the number stays on screen.
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(dir.path(), MONDAY_0905, PrinterUri::File(dir.path().join("missing/lp0")));
    k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
    k.tap("Ambil Nomor Antrean");
    k.tap("Antrean Umum");
    k.until(Screen::Done);
    assert!(k.shows("KTB-A001"), "the number is shown even though the slip failed");
    let ticket = || k.ui.window.global::<mpp_kiosk::ui::K>().get_ticket();
    assert!(ticket().failed_text.contains("sebutkan nomor KTB-A001 di meja informasi"), "{}", ticket().failed_text);
    assert_eq!(k.tickets()[0].status.code(), "print_failed");
    // 8b. "Coba cetak lagi": the same number, never a new one. Still failing: the number
    // stays; with the printer back, the slip prints (marked as a reprint) and the screen
    // becomes the usual done screen.
    k.tap("Coba cetak lagi");
    k.until(Screen::Printing);
    k.until(Screen::Done);
    assert!(ticket().print_failed, "still no printer: still the number on screen");
    std::fs::create_dir_all(dir.path().join("missing")).unwrap();
    k.tap("Coba cetak lagi");
    for _ in 0..100 {
        if !ticket().print_failed {
            break;
        }
        k.wait(Duration::from_millis(100));
    }
    assert!(!ticket().print_failed && ticket().number == "KTB-A001", "printed on the retry");
    let printed = String::from_utf8_lossy(&std::fs::read(dir.path().join("missing/lp0")).unwrap()).into_owned();
    assert!(printed.contains("KTB-A001") && printed.contains("CETAK ULANG"), "the retry's slip: {printed:?}");
    assert_eq!(k.tickets().len(), 1, "a retry is not a second ticket");
    // 8c. A failed slip left alone: its number goes after 90 s, counted down, so the next
    // citizen never finds a stranger's number; staff can still print it again.
    k.tap("Selesai");
    std::fs::remove_dir_all(dir.path().join("missing")).unwrap();
    k.tap("Penerbitan KTP-el Baru (perekaman pertama)");
    k.tap("Ambil Nomor Antrean");
    k.tap("Antrean Umum");
    k.until(Screen::Done);
    assert!(ticket().print_failed && ticket().number == "KTB-A002");
    k.wait(Duration::from_secs(60));
    assert_eq!(k.ui.screen(), Screen::Done, "a minute on: still there to note or print again");
    assert!(k.shows("Layar kembali ke awal dalam 30 detik."), "and it says when it goes");
    k.wait(Duration::from_secs(31));
    assert_eq!(k.ui.screen(), Screen::Welcome);
    assert!(!k.shows("KTB-A002"), "the next citizen does not find it");
    for _ in 0..5 {
        k.tap("Petugas");
    }
    for d in ["2", "4", "6", "8", "1", "3"] {
        k.tap(d);
    }
    k.tap("Masuk");
    assert!(!k.buttons("Cetak ulang KTB-A002").is_empty(), "staff can print it again");
    drop(k);

    // 9. The satisfaction survey, by touch alone, in English; then the IKM report finds it.
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(dir.path(), MONDAY_0905, PrinterUri::Preview(dir.path().join("slips")));
    k.tap("English");
    k.tap("Rate Our Service");
    k.tap("Samsat (vehicles)");
    let service = k.ui.window.global::<mpp_kiosk::ui::K>().get_services();
    let first = slint::Model::row_data(&service, 0).unwrap().name.to_string();
    k.tap(&first);
    assert_eq!(k.ui.screen(), Screen::SurveyQuestion);
    for answer in ["Very good", "Good", "Good", "Cheap", "Good", "Very good", "Very good", "Handled well"] {
        k.tap(answer);
    }
    k.tap("Skip this question"); // U9 unanswered
    assert_eq!(k.ui.screen(), Screen::SurveyProfile);
    k.tap("30–39");
    k.tap("Female");
    k.tap("Skip");
    k.tap("Farmer / fisher");
    assert_eq!(k.ui.screen(), Screen::SurveyComment);
    for key in ["G", "O", "O", "D"] {
        k.tap(key);
    }
    k.tap("Send");
    assert_eq!(k.ui.screen(), Screen::SurveyThanks);
    k.wait(Duration::from_secs(9));
    assert_eq!(k.ui.screen(), Screen::Welcome, "the thanks returns by itself");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mpp-kiosk"))
        .args(["--db"])
        .arg(&k.db)
        .args(["survey", "report", "--agency", "SAMSAT", "--format", "json"])
        .env("MPP_KIOSK_NOW", MONDAY_0905)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["responses"], 1);
    assert_eq!(report["paper"], 0);
    // Answers 4,3,3,3,3,4,4,4 (U9 skipped): sum 28 over 8 elements → 3.5 → 87.50, B.
    assert_eq!(report["elements"].as_array().unwrap().len(), 8);
    assert_eq!(report["converted"], 87.5);
    assert_eq!(report["grade"], "B");
    let stored = Store::open(&k.db).unwrap().survey_responses(&Default::default()).unwrap();
    assert_eq!(stored[0].profile.age.as_deref(), Some("30-39"));
    assert_eq!(stored[0].profile.education, None);
    assert_eq!(stored[0].comment.as_deref(), Some("good"));
}

/// Every text the screens mark for translation has its English in the bundled .po file.
#[test]
fn every_screen_text_has_english() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let po = std::fs::read_to_string(root.join("assets/translations/en/LC_MESSAGES/mpp-kiosk.po")).unwrap();
    let mut english = std::collections::HashMap::new();
    let mut id = None;
    for line in po.lines() {
        if let Some(m) = line.strip_prefix("msgid \"").and_then(|l| l.strip_suffix('"')) {
            id = Some(m.to_owned());
        } else if let (Some(m), Some(i)) = (line.strip_prefix("msgstr \"").and_then(|l| l.strip_suffix('"')), id.take())
        {
            english.insert(i, m.to_owned());
        }
    }
    let mut missing = Vec::new();
    let mut files = vec![root.join("ui")];
    let mut count = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if p.extension().is_some_and(|e| e == "slint") {
            let text = std::fs::read_to_string(&p).unwrap();
            for part in text.split("@tr(\"").skip(1) {
                let msg = &part[..part.find('"').unwrap()];
                count += 1;
                if english.get(msg).is_none_or(|e| e.is_empty()) {
                    missing.push(format!("{}: {msg:?}", p.display()));
                }
            }
        }
    }
    assert!(count > 30, "found the @tr texts ({count})");
    assert!(missing.is_empty(), "texts without English in the .po file:\n{}", missing.join("\n"));
}
