//! Printing figures: slip layout + encoding alone, and tap-to-last-byte (printer status,
//! issue, layout, encode, send, status) against a printer on loopback that answers status
//! and swallows the bytes, as the emulator or a network printer would.
//!
//!     cargo bench --no-default-features --bench printing
//!
//! Target: tap-to-last-byte median ≤ 35 ms (the printer's own mechanics take ~600 ms).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use mpp_kiosk::hours::{DayHours, WeeklyHours};
use mpp_kiosk::printing::LogoSetting;
use mpp_kiosk::printing::{self, Paper, PrintSettings, PrinterUri, QrMode, SlipInput, encode, layout};
use mpp_kiosk::store::Store;
use mpp_kiosk::text::Lang;

fn sink() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let asks = buf[..n].windows(2).filter(|w| w == &[0x10, 0x04]).count();
                    for _ in 0..asks {
                        let _ = s.write_all(&[0x12]);
                    }
                }
            });
        }
    });
    port
}

fn median(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(v[v.len() / 2]), ms(v[v.len() * 95 / 100]))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut feed = mpp_kiosk::catalogue::default_feed();
    let day = || Some(DayHours { open: "00:00".parse().unwrap(), close: "23:59".parse().unwrap(), breaks: vec![] });
    feed.site.hours =
        WeeklyHours { mon: day(), tue: day(), wed: day(), thu: day(), fri: day(), sat: day(), sun: day() };
    feed.site.holidays.clear();
    feed.site.cutoff_minutes = 0;
    let mut store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    store.import_catalogue(&feed, "bench", true, jiff::Timestamp::UNIX_EPOCH).unwrap();
    let cat = store.load_catalogue().unwrap().unwrap();
    let now = "2026-11-30T01:05:00Z".parse().unwrap();

    let ticket = store.issue_ticket(&cat, "KTP-BARU", None, 1, now).unwrap();
    let service = cat.feed.service("KTP-BARU").unwrap();
    let agency = cat.feed.agency("DUKCAPIL").unwrap();
    for (paper, qr) in [(Paper::Mm80, QrMode::Native), (Paper::Mm58, QrMode::Raster)] {
        // The kiosk loads and scales its logo once, at start; so does the benchmark.
        let logo = printing::load_logo(&LogoSetting::Default, paper).unwrap();
        let slip_of = || {
            layout(&SlipInput {
                booked: None,
                ticket: &ticket,
                ahead: mpp_kiosk::tickets::Ahead::of(&ticket, None),
                service,
                agency,
                site: &cat.feed.site,
                lang: Lang::Id,
                paper,
                qr: Some("https://mpp.jenepontokab.go.id/antrean/KTB-A001".into()),
                qr_follows_ticket: false,
                reprint: false,
                logo: logo.clone(),
            })
        };
        let mut samples = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            std::hint::black_box(encode(&slip_of(), qr).unwrap());
            samples.push(t.elapsed());
        }
        let (med, p95) = median(samples);
        println!("layout + encode {paper:?} {qr:?}:     median {med:6.3} ms   p95 {p95:6.3} ms");
        let slip = slip_of();
        let mut samples = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            std::hint::black_box(printing::preview::render(&slip).to_png());
            samples.push(t.elapsed());
        }
        let (med, p95) = median(samples);
        println!("preview PNG {paper:?}:                 median {med:6.3} ms   p95 {p95:6.3} ms");
    }

    let settings = PrintSettings {
        uri: PrinterUri::Tcp { host: "127.0.0.1".into(), port: sink() },
        paper: Paper::Mm80,
        qr: QrMode::Native,
        qr_url: Some("https://mpp.jenepontokab.go.id/antrean/{number}".into()),
        timeout: Duration::from_secs(2),
        logo: printing::load_logo(&LogoSetting::Default, Paper::Mm80).unwrap(),
        lock: Some(dir.path().join("printer-lock")),
    };
    let mut samples = Vec::new();
    for i in 0..200 {
        let service = ["KTP-BARU", "SKCK-BARU", "KK-BARU", "AKTA-LAHIR"][i % 4];
        let t = Instant::now();
        let issued =
            printing::issue_and_print(&mut store, &cat, &settings, service, None, 1, now, Lang::Id, None).unwrap();
        samples.push(t.elapsed());
        assert_eq!(issued.outcome, printing::Outcome::Printed);
    }
    let (med, p95) = median(samples);
    println!(
        "tap-to-last-byte (status, issue, layout, encode, send, status, record): median {med:6.2} ms   p95 {p95:6.2} ms   (target median ≤ 35 ms)"
    );
}
