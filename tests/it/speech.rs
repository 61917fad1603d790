//! The speech mode end to end without a window: keypad keys into the application, the
//! real clips and the real synthesizer (espeak-ng) into WAV files (one per utterance),
//! the slip on the printer emulator over TCP, the ledger in a real SQLite file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mpp_kiosk::app::{App, SpeechSetup};
use mpp_kiosk::kiosk::Screen;
use mpp_kiosk::kiosk::speech::Key;
use mpp_kiosk::printing::PrinterUri;
use mpp_kiosk::speech::{Sink, SpeechConfig};
use mpp_kiosk::store::Store;

use crate::emulator::Emulator;
use crate::support::Kiosk;

fn espeak() -> Option<()> {
    if std::process::Command::new("espeak-ng").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Some(());
    }
    crate::support::skip("espeak-ng (apt install espeak-ng)")?;
    None
}

fn app(k: &Kiosk, printer: PrinterUri, voice: &Path, paced: bool) -> App {
    let mut settings = crate::app::settings(k, printer);
    settings.speech =
        Some(SpeechSetup { config: SpeechConfig::default(), sink: Sink::Folder { dir: voice.to_owned(), paced } });
    App::new(settings).unwrap()
}

/// Waits until the voice has said everything (a citizen listening to the end).
fn listen(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(60);
    std::thread::sleep(Duration::from_millis(30));
    while app.voice().unwrap().speaking() {
        assert!(Instant::now() < deadline, "the voice never finished");
        app.tick();
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wavs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.extension().is_some_and(|e| e == "wav")).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn samples(file: &Path) -> Vec<i16> {
    hound::WavReader::open(file).unwrap().into_samples::<i16>().map(Result::unwrap).collect()
}

/// Root mean square, 0–1.
fn rms(s: &[i16]) -> f64 {
    (s.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / s.len().max(1) as f64).sqrt() / 32768.0
}

/// Where `needle` occurs in `hay`, sample for sample.
fn occurrences(hay: &[i16], needle: &[i16]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn a_citizen_who_cannot_see_takes_an_often_chosen_service_by_keypad_hearing_every_requirement() {
    espeak();
    let Some((emu, _lock)) = Emulator::get() else { return };
    let k = Kiosk::new();
    let voice = k.path("voice");
    let mut app = app(&k, PrinterUri::Tcp { host: "127.0.0.1".into(), port: emu.printer_port }, &voice, false);
    app.tick();
    let mut said = 0;
    let mut press = |app: &mut App, key: Key| {
        app.keypad(key, Instant::now());
        listen(app);
        said += 1;
        let files = wavs(&voice);
        assert_eq!(files.len(), said, "each key is answered by the voice ({key:?})");
        let s = samples(files.last().unwrap());
        assert!(rms(&s) > 0.01, "{key:?}: the voice is silent ({} samples)", s.len());
        assert_eq!(app.speech_shown().map(str::is_empty), Some(false), "the screen shows what is said");
        s
    };
    press(&mut app, Key::Enter); // the key that starts speech mode: the keys and the menu
    press(&mut app, Key::Digit(1)); // the often chosen services
    let detail = press(&mut app, Key::Digit(1)); // the first: Penerbitan KTP-el Baru, read in full
    assert_eq!(app.screen(), Screen::Detail);
    let (text, _, _) = emu.receipt_of(|| {
        press(&mut app, Key::Digit(1)); // a regular number: "being printed"
        assert!(app.wait(Duration::from_secs(10)), "the print worker answered");
    });
    listen(&mut app);
    let files = wavs(&voice);
    assert_eq!(files.len(), said + 1, "the number is said once the slip is out");
    assert_eq!(app.screen(), Screen::Done);
    let number = app.flow().shown.clone().unwrap().number;
    assert!(text.contains(&number), "the slip:\n{text}");

    // The number said is the slip's, twice: its clips, sample for sample, at the volume.
    let done = samples(files.last().unwrap());
    let (clips, _) = mpp_kiosk::speech::Clips::load(None);
    let gain = mpp_kiosk::speech::voice::gain(SpeechConfig::default().volume);
    let spoken: Vec<i16> = mpp_domain::voice::number_clips(&number)
        .unwrap()
        .iter()
        .flat_map(|c| clips.get(c).unwrap().iter().map(|s| (f32::from(*s) * gain) as i16).collect::<Vec<_>>())
        .collect();
    assert_eq!(occurrences(&done, &spoken), 2, "{number} is said twice");

    // Every requirement was heard: the detail's reading is longer than its words need at
    // the synthesizer's rate, and the whole path fits in two minutes of listening.
    let seconds = |s: &[i16]| s.len() as f64 / 22_050.0;
    let total: f64 = files.iter().map(|f| seconds(&samples(f))).sum();
    let figures = app.voice().unwrap().figures();
    eprintln!(
        "speech path: {} utterances, {total:.1} s of listening (detail {:.1} s); key to first sound {:?}; synthesizer {:?}",
        files.len(),
        seconds(&detail),
        figures.first_sound,
        figures.synth.iter().map(|(chars, d)| format!("{chars} chars {} ms", d.as_millis())).collect::<Vec<_>>()
    );
    assert!(seconds(&detail) > 20.0, "the requirements take time to read: {:.1} s", seconds(&detail));
    assert!(total + 5.0 < 120.0, "key to slip in under two minutes, listening to everything: {total:.1} s");
    let today = jiff::civil::date(2026, 11, 30);
    let ticket = Store::open(&k.db()).unwrap().find_ticket(&number, today).unwrap().unwrap();
    assert_eq!(ticket.status, mpp_kiosk::tickets::Status::Printed);
}

#[test]
fn a_key_cuts_the_voice_and_the_mode_ends_when_the_citizen_leaves() {
    espeak();
    let k = Kiosk::new();
    let voice = k.path("voice");
    let mut app = app(&k, PrinterUri::Preview(k.path("slips")), &voice, true);
    app.keypad(Key::Enter, Instant::now());
    std::thread::sleep(Duration::from_millis(300));
    app.keypad(Key::Digit(2), Instant::now()); // the agencies, before the intro ended
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(app.screen(), Screen::Agencies);
    app.keypad(Key::Cancel, Instant::now()); // and gone, before the list ended
    listen(&mut app);
    let files = wavs(&voice);
    assert_eq!(files.len(), 3);
    let secs = |f: &Path| samples(f).len() as f64 / 22_050.0;
    assert!(secs(&files[0]) < 1.0, "the intro was cut by the next key ({:.1} s written)", secs(&files[0]));
    assert!(secs(&files[1]) < 1.0, "the list was cut by Cancel ({:.1} s written)", secs(&files[1]));
    assert!(secs(&files[2]) > 0.5, "'speech mode ended' is said in full");
    assert_eq!(app.voice().unwrap().figures().interrupted, 2);
    assert_eq!(app.speech_shown(), None, "the mode ended, the large text with it");
    assert_eq!(app.screen(), Screen::Welcome);
}

#[test]
fn the_sites_pronunciations_and_recordings_are_used() {
    espeak();
    let k = Kiosk::new();
    let synth = SpeechConfig::default().synth(vec![]);
    // The built-in list: "SKCK" is spelled, not read as a word.
    let as_written = synth.raw("SKCK").unwrap();
    let as_spoken = synth.speak("SKCK").unwrap();
    assert_eq!(as_spoken, synth.raw("es ka ce ka").unwrap());
    assert_ne!(as_written, as_spoken);
    // A site's own recording replaces the built-in clip; a bad one is named and not used.
    let dir = k.path("clips");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = mpp_kiosk::speech::clips::SPEC;
    let mut w = hound::WavWriter::create(dir.join("sp-menu.wav"), spec).unwrap();
    for i in 0..2205 {
        w.write_sample(((i as f32 * 0.1).sin() * 8000.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    let bad = hound::WavSpec { sample_rate: 44_100, ..spec };
    hound::WavWriter::create(dir.join("sp-instansi.wav"), bad).unwrap().finalize().unwrap();
    let (clips, problems) = mpp_kiosk::speech::Clips::load(Some(&dir));
    assert_eq!(clips.get("sp-menu").unwrap().len(), 2205);
    assert_eq!(problems.len(), 1);
    let p = problems[0].to_string();
    assert!(p.contains("sp-instansi.wav") && p.contains("44100 Hz"), "{p}");
    let (builtin, _) = mpp_kiosk::speech::Clips::load(None);
    assert_eq!(clips.get("sp-instansi"), builtin.get("sp-instansi"));
}

#[test]
fn the_technicians_commands_say_a_service_and_doctor_names_a_missing_keypad() {
    espeak();
    let k = Kiosk::new();
    let wav = k.path("ktp.wav");
    // Monday 09.05 WITA: numbers can be taken, so the reading ends with "Tekan satu" (at
    // the real hour it would depend on when the test runs).
    let r = crate::support::Run(
        k.command()
            .env("MPP_KIOSK_NOW", "2026-11-30T01:05:00Z")
            .args(["speech", "service", "KTP-BARU", "--wav", wav.to_str().unwrap()])
            .output()
            .unwrap(),
    );
    let text = r.ok();
    assert!(text.contains("Fotokopi Kartu Keluarga (KK)") && text.contains("Tekan satu"), "{text}");
    assert!(r.stderr().contains("s of speech"), "{}", r.stderr());
    assert!(samples(&wav).len() > 22_050 * 10, "a service's reading is long");
    let prompts = k.run(&["speech", "prompts"]).ok();
    assert!(prompts.lines().any(|l| l.starts_with("sp-mulai\tMode suara.")), "{prompts}");
    let bad = k.run(&["speech", "service", "NO-SUCH"]);
    assert_eq!(bad.code(), 2);
    assert!(bad.stderr().contains("unknown service \"NO-SUCH\""), "{}", bad.stderr());

    // A kiosk told to have a keypad that is not there: doctor fails and says where to look.
    let cfg = k.path("config.toml");
    std::fs::write(&cfg, "[speech]\nkeypad = \"/dev/no-such-keypad\"\ndevice = \"folder:/tmp\"\n").unwrap();
    let r = k.run_with_config(&cfg, &["doctor"]);
    let out = r.stdout();
    let line = out.lines().find(|l| l.contains("speech")).unwrap_or_else(|| panic!("no speech check: {out}"));
    assert!(line.starts_with("FAIL") && line.contains("no keypad at /dev/no-such-keypad"), "{line}");
    assert_eq!(r.code(), 1);
    // A bad value is refused by name.
    std::fs::write(&cfg, "[speech]\nvolume = 0\n").unwrap();
    let r = k.run_with_config(&cfg, &["doctor"]);
    assert!(r.stdout().contains("speech.volume = 0: use 10 to 100"), "{}", r.stdout());
}
