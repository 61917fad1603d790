//! The synthesizer: espeak-ng (Debian's `espeak-ng`), run as its own program for each
//! text, never linked. The text goes in on stdin (so nothing in it is read as an option),
//! the site's pronunciation list applied first; 16-bit mono samples at 22,050 Hz come back.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use mpp_domain::speech::Pronunciation;

/// Longer than espeak-ng takes for any text of a catalogue (the longest reading takes
/// 0.14 s here, a few seconds on a slow kiosk under load).
const SYNTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// How the synthesizer is run (`[speech]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Synth {
    pub program: PathBuf,
    /// espeak-ng's voice: "id" (Indonesian).
    pub voice: String,
    /// Words per minute.
    pub rate: u32,
    /// The site's list (`site.pronunciations` of the catalogue).
    pub pronunciations: Vec<Pronunciation>,
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("the synthesizer {program} cannot run: {source} (apt install espeak-ng, or set [speech] synthesizer)")]
    Start { program: String, source: std::io::Error },
    #[error("the synthesizer {program} failed: {why}")]
    Failed { program: String, why: String },
}

impl Synth {
    /// The samples of `text` as the kiosk says it.
    pub fn speak(&self, text: &str) -> Result<Vec<i16>, SynthError> {
        let spoken = mpp_domain::speech::spoken(text, &self.pronunciations);
        self.raw(&spoken)
    }

    /// The samples of `text` exactly as given (no pronunciation list).
    pub fn raw(&self, text: &str) -> Result<Vec<i16>, SynthError> {
        let program = self.program.display().to_string();
        let mut child = Command::new(&self.program)
            .args(["-v", &self.voice, "-s", &self.rate.to_string(), "--stdout", "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| SynthError::Start { program: program.clone(), source })?;
        // One line: espeak-ng reads to the end of its input. No '[' or ']': "[[…]]" is
        // phoneme input to espeak-ng, and the voice must say what the screen shows.
        let line: String = text.chars().map(|c| if c.is_control() || c == '[' || c == ']' { ' ' } else { c }).collect();
        let mut stdin = child.stdin.take().expect("piped");
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(line.as_bytes());
        });
        // A synthesizer that hangs is killed: the voice must go on (and say nothing for it).
        let pid = child.id();
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if finished.recv_timeout(SYNTH_TIMEOUT) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                // SAFETY: kill(2) on the pid of our own child, not yet waited for.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        });
        let mut out = Vec::new();
        let read = child.stdout.take().expect("piped").read_to_end(&mut out);
        let _ = done.send(());
        let _ = watchdog.join();
        read.map_err(|e| SynthError::Failed { program: program.clone(), why: e.to_string() })?;
        let _ = writer.join();
        let status = child.wait().map_err(|e| SynthError::Failed { program: program.clone(), why: e.to_string() })?;
        if !status.success() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(SynthError::Failed { program, why: format!("{status}: {}", err.trim()) });
        }
        wav_samples(&out).map_err(|why| SynthError::Failed { program, why })
    }
}

/// The samples of espeak-ng's WAV output (its sizes are not filled in when it writes to a
/// pipe, so the data chunk is read to the end).
pub fn wav_samples(wav: &[u8]) -> Result<Vec<i16>, String> {
    if wav.len() < 12 || &wav[..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return Err("its output is not WAV".into());
    }
    let mut at = 12;
    let mut rate = None;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let size = u32::from_le_bytes([wav[at + 4], wav[at + 5], wav[at + 6], wav[at + 7]]) as usize;
        let body = at + 8;
        if id == b"fmt " && body + 16 <= wav.len() {
            let channels = u16::from_le_bytes([wav[body + 2], wav[body + 3]]);
            let bits = u16::from_le_bytes([wav[body + 14], wav[body + 15]]);
            rate = Some(u32::from_le_bytes([wav[body + 4], wav[body + 5], wav[body + 6], wav[body + 7]]));
            if channels != 1 || bits != 16 {
                return Err(format!("its output is {channels} channel(s), {bits}-bit: expected mono 16-bit"));
            }
        }
        if id == b"data" {
            if rate != Some(super::clips::RATE) {
                return Err(format!("its output is {rate:?} Hz: expected {}", super::clips::RATE));
            }
            let end = if size == 0 || body.saturating_add(size) > wav.len() { wav.len() } else { body + size };
            return Ok(wav[body..end].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect());
        }
        at = body.saturating_add(size + (size & 1));
    }
    Err("its output has no sound data".into())
}
