//! Speech mode figures: from a key to the start of its speech (the voice's own clock: the
//! key handed over → the first samples written to the sound output), and the synthesizer's
//! (espeak-ng's) time per requirement list, for every service of the embedded catalogue.
//!
//!     cargo bench --bench speech
//!
//! Targets: key to first sound ≤ 200 ms; a requirement list ready before the prompt in front
//! of it ends (the voice synthesizes the next text while the one before plays).

use std::sync::Arc;
use std::time::{Duration, Instant};

use mpp_kiosk::catalogue::Catalogue;
use mpp_kiosk::kiosk::speech::{Key, Part, guide};
use mpp_kiosk::kiosk::{Event, Flow, Timing};
use mpp_kiosk::speech::{Clips, Sink, SpeechConfig, Voice};
use mpp_kiosk::text::Lang;

fn flow() -> Flow {
    let catalogue = Arc::new(Catalogue {
        feed: mpp_kiosk::catalogue::default_feed(),
        imported_at: jiff::Timestamp::UNIX_EPOCH,
        source: "bench".into(),
    });
    let mut f = Flow::new(catalogue, Lang::Id, Timing::with_idle(Duration::from_secs(60)), Duration::ZERO);
    f.today.local = Some(jiff::civil::date(2026, 11, 30).at(9, 5, 0, 0));
    f.popular = vec!["KTP-BARU".into(), "SKCK-BARU".into(), "KK-BARU".into()];
    f
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: n={} median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        v.len(),
        ms(v[v.len() / 2]),
        ms(v[v.len() * 9 / 10]),
        ms(*v.last().unwrap())
    );
}

fn main() {
    let config = SpeechConfig::default();
    if std::process::Command::new(&config.synthesizer).arg("--version").output().is_err() {
        println!("espeak-ng is not installed (apt install espeak-ng): no figures");
        return;
    }
    let synth = config.synth(Vec::new());
    let catalogue = mpp_kiosk::catalogue::default_feed();

    // The synthesizer's time per requirement list (every requirement's text of a service).
    let mut per_list = Vec::new();
    let mut per_char = Vec::new();
    let mut speech_s = 0.0;
    for s in catalogue.services.iter().filter(|s| s.active) {
        let mut f = flow();
        f.handle(Event::Service(s.code.clone()), Duration::ZERO);
        let u = guide::detail(&f);
        let t = Instant::now();
        let mut chars = 0;
        for p in &u.parts {
            if let Part::Text(text) = p {
                chars += text.chars().count();
                speech_s += synth.speak(text).unwrap().len() as f64 / 22_050.0;
            }
        }
        let took = t.elapsed();
        per_list.push(took);
        per_char.push(took / chars.max(1) as u32);
    }
    stats("synthesizer, one service's reading (requirements, fee, name)", per_list.clone());
    let total: Duration = per_list.iter().sum();
    println!(
        "  {} services, {:.0} s of speech made in {:.1} s ({:.0}x faster than it plays)",
        per_list.len(),
        speech_s,
        total.as_secs_f64(),
        speech_s / total.as_secs_f64()
    );

    // Key to first sound, through the application's voice, for each step of a path.
    let (clips, _) = Clips::load(None);
    let dir = std::env::temp_dir().join(format!("mpp-speech-bench-{}", std::process::id()));
    let mut sinks = vec![("WAV folder", Sink::Folder { dir: dir.clone(), paced: false })];
    if std::process::Command::new("aplay")
        .args(["-q", "-D", "null", "-t", "raw", "-f", "S16_LE", "-r", "22050", "/dev/null"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        sinks.push(("aplay -D null (ALSA, no card)", Sink::Alsa("null".into())));
    }
    for (label, sink) in sinks {
        let voice = Voice::spawn(clips.clone(), synth.clone(), sink);
        let mut firsts = Vec::new();
        for _ in 0..5 {
            let mut f = flow();
            let mut g = guide::Guide::new(Duration::from_secs(60), 80);
            for key in [Key::Enter, Key::Digit(1), Key::Digit(1), Key::Repeat, Key::Help] {
                let at = Instant::now();
                if let Some(u) = g.key(key, &mut f, Duration::ZERO).say {
                    voice.say(u, g.volume(), at);
                }
                std::thread::sleep(Duration::from_millis(150));
            }
            voice.stop();
            while voice.speaking() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        firsts.extend(voice.figures().first_sound);
        stats(&format!("key to first sound, {label}"), firsts);
    }
    let _ = std::fs::remove_dir_all(dir);
}
