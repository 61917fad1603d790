//! The kiosk's voice: plays utterances on a thread of its own. Each utterance's parts are
//! made ready in order (a clip at once, a text by the synthesizer while what comes before
//! it plays) and written to the sound card through ALSA's `aplay`, or, for tests and the
//! technician's checks, into a WAV file per utterance. A new utterance cuts the one playing
//! (the keypad's keys interrupt, as a citizen expects), and so does `stop`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::clips::{Clips, RATE};
use super::synth::Synth;
use crate::kiosk::speech::{Part, Utterance};

/// Where the sound goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Sink {
    /// An ALSA device ("default", "plughw:0,0"), played with `aplay`.
    Alsa(String),
    /// A folder: each utterance becomes `0001.wav`, `0002.wav` … (tests, checks), written
    /// as fast as it is made, or `paced` as a sound card would take it.
    Folder { dir: PathBuf, paced: bool },
}

impl Sink {
    /// `[speech] device`: an ALSA device, or `folder:/path` for a WAV per utterance.
    pub fn parse(device: &str) -> Sink {
        match device.strip_prefix("folder:") {
            Some(dir) => Sink::Folder { dir: dir.into(), paced: false },
            None => Sink::Alsa(device.to_owned()),
        }
    }
}

/// What the voice measured, for the log, the benchmark and the tests.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// From the key (the utterance's `at`) to its first sound written, per utterance.
    pub first_sound: Vec<Duration>,
    /// The synthesizer's time per text part.
    pub synth: Vec<(usize, Duration)>,
    /// Utterances cut by the next one.
    pub interrupted: usize,
}

enum Msg {
    Say(Utterance, u8, Instant),
    Stop,
}

/// The site's pronunciation list, replaced by a new catalogue without cutting the voice.
type Shared = Arc<Mutex<Vec<mpp_domain::speech::Pronunciation>>>;

/// The running voice.
pub struct Voice {
    tx: mpsc::Sender<Msg>,
    speaking: Arc<AtomicBool>,
    figures: Arc<Mutex<Figures>>,
    pronunciations: Shared,
}

impl Voice {
    pub fn spawn(clips: Clips, synth: Synth, sink: Sink) -> Voice {
        let (tx, rx) = mpsc::channel();
        let speaking = Arc::new(AtomicBool::new(false));
        let figures = Arc::new(Mutex::new(Figures::default()));
        let pronunciations: Shared = Arc::new(Mutex::new(synth.pronunciations.clone()));
        let (s, f, p) = (speaking.clone(), figures.clone(), pronunciations.clone());
        std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || Player { clips, synth, sink, speaking: s, figures: f, pronunciations: p, count: 0 }.run(rx))
            .expect("a thread for the voice");
        Voice { tx, speaking, figures, pronunciations }
    }

    /// Says `u` at `volume` percent, cutting what is being said. `at`: when the key was
    /// pressed, for the figures.
    pub fn say(&self, u: Utterance, volume: u8, at: Instant) {
        self.speaking.store(true, Ordering::SeqCst);
        let _ = self.tx.send(Msg::Say(u, volume, at));
    }

    pub fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
    }

    /// A new catalogue's pronunciation list.
    pub fn pronunciations(&self, list: Vec<mpp_domain::speech::Pronunciation>) {
        if let Ok(mut p) = self.pronunciations.lock() {
            *p = list;
        }
    }

    /// Whether anything is being said (or is about to be).
    pub fn speaking(&self) -> bool {
        self.speaking.load(Ordering::SeqCst)
    }

    pub fn figures(&self) -> Figures {
        self.figures.lock().map(|f| f.clone()).unwrap_or_default()
    }
}

/// ALSA's player for the voice's samples on `device`, reading them from stdin.
pub fn aplay(device: &str) -> Command {
    let mut c = Command::new("aplay");
    c.args(["-q", "-D", device, "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", &RATE.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    c
}

/// How long the player may take no sound before it is given up.
const PLAYER_STALL: Duration = Duration::from_secs(5);

/// The gain of a volume in percent: 100 is the clips as recorded, each 10 less is 4 dB
/// softer (10 %: -36 dB, still audible close by).
pub fn gain(volume: u8) -> f32 {
    10f32.powf((f32::from(volume.clamp(10, 100)) - 100.0) / 50.0)
}

struct Player {
    clips: Clips,
    synth: Synth,
    sink: Sink,
    speaking: Arc<AtomicBool>,
    figures: Arc<Mutex<Figures>>,
    pronunciations: Shared,
    count: u32,
}

/// An open output for one utterance.
enum Out {
    Aplay(Child),
    Wav(hound::WavWriter<std::io::BufWriter<std::fs::File>>, Option<(Instant, u64)>),
}

impl Out {
    fn write(&mut self, samples: &[i16]) -> std::io::Result<()> {
        match self {
            Out::Aplay(child) => {
                // The pipe is non-blocking: a player that stops taking sound (a card held by
                // another program, a stuck driver) is given up after a while instead of
                // holding the voice, and the keys, forever.
                let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
                let stdin = child.stdin.as_mut().expect("piped");
                let mut at = 0;
                let mut progress = Instant::now();
                while at < bytes.len() {
                    match stdin.write(&bytes[at..]) {
                        Ok(n) => {
                            at += n;
                            progress = Instant::now();
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            if progress.elapsed() > PLAYER_STALL {
                                return Err(std::io::Error::new(
                                    std::io::ErrorKind::TimedOut,
                                    "aplay took no sound for 5 s",
                                ));
                            }
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            Out::Wav(w, pace) => {
                for s in samples {
                    w.write_sample(*s).map_err(std::io::Error::other)?;
                }
                if let Some((start, written)) = pace {
                    // As a sound card: no faster than the samples play.
                    *written += samples.len() as u64;
                    let due = Duration::from_secs_f64(*written as f64 / f64::from(RATE));
                    if let Some(wait) = due.checked_sub(start.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
                Ok(())
            }
        }
    }

    /// Cut: the sound stops now.
    fn cut(self) {
        match self {
            Out::Aplay(mut child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Out::Wav(w, _) => {
                let _ = w.finalize();
            }
        }
    }

    /// Let what was written play to its end; a message arriving meanwhile cuts it.
    fn finish(self, rx: &mpsc::Receiver<Msg>) -> Option<Msg> {
        match self {
            Out::Aplay(mut child) => {
                drop(child.stdin.take());
                // What is left in the pipe and the card plays in a few seconds.
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    if Instant::now() > deadline {
                        log::error!("speech: aplay did not finish; stopped");
                        let _ = child.kill();
                        let _ = child.wait();
                        return None;
                    }
                    match rx.recv_timeout(Duration::from_millis(20)) {
                        Ok(msg) => {
                            let _ = child.kill();
                            let _ = child.wait();
                            return Some(msg);
                        }
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            if !matches!(child.try_wait(), Ok(None)) {
                                return None;
                            }
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => {
                            let _ = child.wait();
                            return None;
                        }
                    }
                }
            }
            Out::Wav(w, _) => {
                let _ = w.finalize();
                None
            }
        }
    }
}

impl Player {
    fn run(mut self, rx: mpsc::Receiver<Msg>) {
        let mut next = None;
        loop {
            let msg = match next.take() {
                Some(m) => m,
                None => match rx.recv() {
                    Ok(m) => m,
                    Err(_) => return,
                },
            };
            match msg {
                Msg::Say(u, volume, at) => {
                    self.speaking.store(true, Ordering::SeqCst);
                    next = self.play(u, volume, at, &rx);
                }
                Msg::Stop => {}
            }
            if next.is_none() {
                self.speaking.store(false, Ordering::SeqCst);
            }
        }
    }

    fn open(&mut self) -> std::io::Result<Out> {
        self.count += 1;
        match &self.sink {
            Sink::Alsa(device) => {
                let child = aplay(device).spawn()?;
                if let Some(stdin) = &child.stdin {
                    use std::os::fd::AsRawFd;
                    let fd = stdin.as_raw_fd();
                    // SAFETY: fcntl on a pipe we own and keep open.
                    unsafe { libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK) };
                }
                Ok(Out::Aplay(child))
            }
            Sink::Folder { dir, paced } => {
                let pace = paced.then(|| (Instant::now(), 0));
                let spec = super::clips::SPEC;
                std::fs::create_dir_all(dir)?;
                hound::WavWriter::create(dir.join(format!("{:04}.wav", self.count)), spec)
                    .map(|w| Out::Wav(w, pace))
                    .map_err(std::io::Error::other)
            }
        }
    }

    /// Plays one utterance; returns the message that cut it, if one did.
    fn play(&mut self, u: Utterance, volume: u8, at: Instant, rx: &mpsc::Receiver<Msg>) -> Option<Msg> {
        let mut out = match self.open() {
            Ok(o) => o,
            Err(e) => {
                log::error!("speech: cannot open the sound output {:?}: {e}", self.sink);
                return None;
            }
        };
        // The parts made ready in order on a helper thread: the synthesizer works on the
        // next text while the parts before it play.
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Arc<Vec<i16>>>(2);
        if let Ok(p) = self.pronunciations.lock() {
            self.synth.pronunciations = p.clone();
        }
        let (clips, synth, figures) = (self.clips.clone(), self.synth.clone(), self.figures.clone());
        let parts = u.parts.clone();
        std::thread::spawn(move || {
            for part in parts {
                let samples = match part {
                    Part::Clip(name) => clips.get(name).unwrap_or_else(|| {
                        log::error!("speech: no clip {name}");
                        Arc::new(Vec::new())
                    }),
                    Part::Text(text) => {
                        let t = Instant::now();
                        match synth.speak(&text) {
                            Ok(s) => {
                                if let Ok(mut f) = figures.lock() {
                                    f.synth.push((text.chars().count(), t.elapsed()));
                                }
                                Arc::new(s)
                            }
                            Err(e) => {
                                log::error!("speech: {e}");
                                Arc::new(Vec::new())
                            }
                        }
                    }
                };
                if ready_tx.send(samples).is_err() {
                    return; // cut
                }
            }
        });
        let g = gain(volume);
        let mut first = true;
        // 40 ms at a time, so a key cuts in quickly.
        const CHUNK: usize = RATE as usize / 25;
        loop {
            // Waiting for the synthesizer, a key still cuts in.
            let samples = match ready_rx.recv_timeout(Duration::from_millis(20)) {
                Ok(s) => s,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(msg) = rx.try_recv() {
                        out.cut();
                        return Some(msg);
                    }
                    continue;
                }
            };
            for chunk in samples.chunks(CHUNK) {
                if let Ok(msg) = rx.try_recv() {
                    out.cut();
                    if let Ok(mut f) = self.figures.lock() {
                        f.interrupted += 1;
                    }
                    return Some(msg);
                }
                let scaled: Vec<i16> = chunk.iter().map(|s| (f32::from(*s) * g) as i16).collect();
                if let Err(e) = out.write(&scaled) {
                    log::error!("speech: the sound output failed: {e}");
                    out.cut();
                    return None;
                }
                if first {
                    first = false;
                    let took = at.elapsed();
                    log::info!("speech: first sound {} ms after the key", took.as_millis());
                    if let Ok(mut f) = self.figures.lock() {
                        f.first_sound.push(took);
                    }
                }
            }
        }
        out.finish(rx)
    }
}
