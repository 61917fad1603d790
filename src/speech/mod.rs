//! The speech mode's sound: the clips (`clips`), the synthesizer (`synth`, espeak-ng run
//! as its own program) and the voice that plays utterances (`voice`, through ALSA).
//! What is said is decided in `kiosk::speech`; the keypad is read by `keypad`.

pub mod clips;
pub mod synth;
pub mod voice;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use clips::Clips;
pub use synth::Synth;
pub use voice::{Sink, Voice};

/// `[speech]`: the speech mode for citizens who cannot see the screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpeechConfig {
    /// The keypad's input event device (`/dev/mpp-keypad`, the image's udev rule names
    /// it); none: no speech mode.
    pub keypad: Option<PathBuf>,
    /// The ALSA device the voice plays on.
    pub device: String,
    /// The site's own recordings of the prompts (`<name>.wav`), in place of the built-in.
    pub clips_dir: Option<PathBuf>,
    /// The synthesizer's program (espeak-ng).
    pub synthesizer: PathBuf,
    /// Its voice.
    pub voice: String,
    /// Words per minute.
    pub rate: u32,
    /// Where each citizen starts, percent (10–100; the keypad's + and - change it).
    pub volume: u8,
    /// Seconds without a key, once the voice is silent, before the mode ends by itself.
    pub idle_seconds: u32,
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig {
            keypad: None,
            device: "default".into(),
            clips_dir: None,
            synthesizer: "espeak-ng".into(),
            voice: "id".into(),
            rate: 175,
            volume: 80,
            idle_seconds: 60,
        }
    }
}

impl SpeechConfig {
    /// What is wrong with it, naming the key.
    pub fn check(&self) -> Result<(), String> {
        if !(10..=100).contains(&self.volume) {
            return Err(format!("speech.volume = {}: use 10 to 100", self.volume));
        }
        if !(80..=450).contains(&self.rate) {
            return Err(format!("speech.rate = {}: use 80 to 450 words per minute", self.rate));
        }
        if !(10..=600).contains(&self.idle_seconds) {
            return Err(format!("speech.idle_seconds = {}: use 10 to 600", self.idle_seconds));
        }
        if let Some(k) = &self.keypad
            && !k.is_absolute()
        {
            return Err(format!("speech.keypad = {:?}: the device path must be absolute", k.display()));
        }
        Ok(())
    }

    pub fn synth(&self, pronunciations: Vec<mpp_domain::speech::Pronunciation>) -> Synth {
        Synth { program: self.synthesizer.clone(), voice: self.voice.clone(), rate: self.rate, pronunciations }
    }
}

/// An utterance's samples, made at once (the command line and the benchmark; the kiosk
/// streams them instead, `voice`). Also how long the synthesizer took, in all.
pub fn render(
    u: &crate::kiosk::speech::Utterance,
    clips: &Clips,
    synth: &Synth,
) -> Result<(Vec<i16>, std::time::Duration), synth::SynthError> {
    use crate::kiosk::speech::Part;
    let mut out = Vec::new();
    let mut took = std::time::Duration::ZERO;
    for part in &u.parts {
        match part {
            Part::Clip(name) => out.extend(clips.get(name).map(|c| c.to_vec()).unwrap_or_default()),
            Part::Text(text) => {
                let t = std::time::Instant::now();
                out.extend(synth.speak(text)?);
                took += t.elapsed();
            }
        }
    }
    Ok((out, took))
}

/// Writes samples as a WAV file in the clips' format.
pub fn write_wav(path: &std::path::Path, samples: &[i16]) -> std::io::Result<()> {
    let spec = clips::SPEC;
    let mut w = hound::WavWriter::create(path, spec).map_err(std::io::Error::other)?;
    for s in samples {
        w.write_sample(*s).map_err(std::io::Error::other)?;
    }
    w.finalize().map_err(std::io::Error::other)
}
