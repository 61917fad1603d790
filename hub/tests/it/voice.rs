//! The lobby's voice, listened to with sox: `mpp-hub voice say` writes the call the display
//! plays (the server serves the same bytes), made of the clips in order, loud enough, and a
//! site's own recording replaces a built-in clip.

use std::path::Path;
use std::process::Command;

use crate::support::Hub;

fn hub(args: &[&str], config: Option<&Path>) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mpp-hub"));
    if let Some(config) = config {
        c.arg("--config").arg(config);
    }
    c.args(args).output().unwrap()
}

/// `sox FILE -n stat`'s figure `name` (sox is required: `.ci/setup` installs it).
fn sox_stat(file: &Path, name: &str) -> f64 {
    let out = Command::new("sox")
        .arg(file)
        .args(["-n", "stat"])
        .output()
        .unwrap_or_else(|e| panic!("sox: {e} (bash .ci/setup installs sox)"));
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

fn samples(file: &Path) -> u64 {
    let out = Command::new("soxi").arg("-s").arg(file).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn the_call_is_the_clips_in_order_loud_and_the_same_as_served() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("call.wav");
    let out = hub(&["voice", "say", "KTB-A007", "--counter", "3", "--out", wav.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // "Nomor antrean, K T B, A, nol nol tujuh, silakan menuju loket tiga" after a chime,
    // written out by hand: the call is exactly these clips' samples, in this order.
    let phrase = [
        "chime",
        "jeda",
        "nomor-antrean",
        "jeda-pendek",
        "huruf-k",
        "huruf-t",
        "huruf-b",
        "jeda-pendek",
        "huruf-a",
        "jeda-pendek",
        "angka-0",
        "angka-0",
        "angka-7",
        "jeda",
        "silakan-menuju",
        "loket",
        "angka-3",
    ];
    let clips = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/voice");
    let read = |file: &Path| -> Vec<i16> {
        hound::WavReader::open(file).unwrap().into_samples::<i16>().map(Result::unwrap).collect()
    };
    let expected: Vec<i16> = phrase.iter().flat_map(|c| read(&clips.join(format!("{c}.wav")))).collect();
    let said = read(&wav);
    assert_eq!(said.len(), expected.len(), "every clip of the phrase, nothing else");
    assert!(said == expected, "the clips in the phrase's order");
    assert_eq!(samples(&wav), expected.len() as u64);
    let (secs, rms, max) =
        (sox_stat(&wav, "Length (seconds)"), sox_stat(&wav, "RMS     amplitude"), sox_stat(&wav, "Maximum amplitude"));
    eprintln!("KTB-A007 to counter 3: {secs:.2} s, RMS {rms:.3}, peak {max:.3}");
    assert!((5.0..12.0).contains(&secs), "a call takes 5 to 12 s: {secs}");
    assert!(rms > 0.08 && max > 0.5 && max <= 1.0, "loud enough for a hall, not clipped: RMS {rms}, peak {max}");

    // The display fetches the same bytes from the server.
    let hub = Hub::start();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent.get(&hub.url("/api/v1/voice/call.wav?number=KTB-A007&counter=3")).call().unwrap();
    assert_eq!(r.headers().get("content-type").unwrap(), "audio/wav");
    assert!(
        r.body_mut().read_to_vec().unwrap() == std::fs::read(&wav).unwrap(),
        "the served call is the one `voice say` writes"
    );
    let (status, body) = hub.get("/api/v1/voice/call.wav?number=%3Cscript%3E&counter=3");
    assert_eq!(status, 400, "{body}");
}

#[test]
fn a_sites_own_recording_replaces_the_built_in_clip() {
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("voice");
    std::fs::create_dir(&own).unwrap();
    // "loket" re-recorded: here one second of a tone, 22,050 Hz mono 16-bit.
    let st = Command::new("sox")
        .args(["-D", "-n", "-r", "22050", "-c", "1", "-b", "16"])
        .arg(own.join("loket.wav"))
        .args(["synth", "1", "sine", "440"])
        .status()
        .unwrap();
    assert!(st.success());
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, format!("[voice]\nclips_dir = {:?}\n", own.display().to_string())).unwrap();
    let (a, b) = (dir.path().join("default.wav"), dir.path().join("own.wav"));
    assert!(hub(&["voice", "say", "KTB-A007", "--counter", "3", "--out", a.to_str().unwrap()], None).status.success());
    assert!(
        hub(&["voice", "say", "KTB-A007", "--counter", "3", "--out", b.to_str().unwrap()], Some(&config))
            .status
            .success()
    );
    let default_loket = samples(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/voice/loket.wav"));
    assert_eq!(
        samples(&b),
        samples(&a) - default_loket + 22_050,
        "the site's one-second 'loket' instead of the built-in one"
    );
    let list = String::from_utf8(hub(&["voice", "clips"], Some(&config)).stdout).unwrap();
    assert!(list.contains("loket.wav\tloket  (the site's own)") && list.contains("angka-7.wav\ttujuh\n"), "{list}");

    // A recording in another format is refused, naming the file and what to do.
    Command::new("sox")
        .args(["-D", "-n", "-r", "44100", "-c", "2", "-b", "16"])
        .arg(own.join("chime.wav"))
        .args(["synth", "0.5", "sine", "880"])
        .status()
        .unwrap();
    let out = hub(&["voice", "say", "KTB-A007", "--counter", "3", "--out", b.to_str().unwrap()], Some(&config));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("chime.wav")
            && err.contains("2 channel(s), 44100 Hz")
            && err.contains("sox in.wav -r 22050 -c 1 -b 16"),
        "{err}"
    );
}
