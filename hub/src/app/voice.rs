//! The voice of the lobby: the call of a number to a counter as one WAV, made of the clips
//! `mpp_domain::voice::call_phrase` lists. The default clips (made by
//! `hub/voice/make-clips.sh` with espeak-ng's Indonesian voice) are in the binary; a site
//! replaces any of them with its own recording: `<clip>.wav` in `[voice] clips_dir`
//! (docs/voice.md). Every clip must be WAV, 16-bit mono at 22,050 Hz, as the defaults are.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mpp_domain::voice::{CLIPS, PhraseError, call_phrase};

/// The clips' format.
pub const SPEC: hound::WavSpec =
    hound::WavSpec { channels: 1, sample_rate: 22_050, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };

static EMBEDDED: &[(&str, &[u8])] = &[
    ("chime", include_bytes!("../../assets/voice/chime.wav")),
    ("jeda", include_bytes!("../../assets/voice/jeda.wav")),
    ("jeda-pendek", include_bytes!("../../assets/voice/jeda-pendek.wav")),
    ("nomor-antrean", include_bytes!("../../assets/voice/nomor-antrean.wav")),
    ("silakan-menuju", include_bytes!("../../assets/voice/silakan-menuju.wav")),
    ("loket", include_bytes!("../../assets/voice/loket.wav")),
    ("huruf-a", include_bytes!("../../assets/voice/huruf-a.wav")),
    ("huruf-b", include_bytes!("../../assets/voice/huruf-b.wav")),
    ("huruf-c", include_bytes!("../../assets/voice/huruf-c.wav")),
    ("huruf-d", include_bytes!("../../assets/voice/huruf-d.wav")),
    ("huruf-e", include_bytes!("../../assets/voice/huruf-e.wav")),
    ("huruf-f", include_bytes!("../../assets/voice/huruf-f.wav")),
    ("huruf-g", include_bytes!("../../assets/voice/huruf-g.wav")),
    ("huruf-h", include_bytes!("../../assets/voice/huruf-h.wav")),
    ("huruf-i", include_bytes!("../../assets/voice/huruf-i.wav")),
    ("huruf-j", include_bytes!("../../assets/voice/huruf-j.wav")),
    ("huruf-k", include_bytes!("../../assets/voice/huruf-k.wav")),
    ("huruf-l", include_bytes!("../../assets/voice/huruf-l.wav")),
    ("huruf-m", include_bytes!("../../assets/voice/huruf-m.wav")),
    ("huruf-n", include_bytes!("../../assets/voice/huruf-n.wav")),
    ("huruf-o", include_bytes!("../../assets/voice/huruf-o.wav")),
    ("huruf-p", include_bytes!("../../assets/voice/huruf-p.wav")),
    ("huruf-q", include_bytes!("../../assets/voice/huruf-q.wav")),
    ("huruf-r", include_bytes!("../../assets/voice/huruf-r.wav")),
    ("huruf-s", include_bytes!("../../assets/voice/huruf-s.wav")),
    ("huruf-t", include_bytes!("../../assets/voice/huruf-t.wav")),
    ("huruf-u", include_bytes!("../../assets/voice/huruf-u.wav")),
    ("huruf-v", include_bytes!("../../assets/voice/huruf-v.wav")),
    ("huruf-w", include_bytes!("../../assets/voice/huruf-w.wav")),
    ("huruf-x", include_bytes!("../../assets/voice/huruf-x.wav")),
    ("huruf-y", include_bytes!("../../assets/voice/huruf-y.wav")),
    ("huruf-z", include_bytes!("../../assets/voice/huruf-z.wav")),
    ("angka-0", include_bytes!("../../assets/voice/angka-0.wav")),
    ("angka-1", include_bytes!("../../assets/voice/angka-1.wav")),
    ("angka-2", include_bytes!("../../assets/voice/angka-2.wav")),
    ("angka-3", include_bytes!("../../assets/voice/angka-3.wav")),
    ("angka-4", include_bytes!("../../assets/voice/angka-4.wav")),
    ("angka-5", include_bytes!("../../assets/voice/angka-5.wav")),
    ("angka-6", include_bytes!("../../assets/voice/angka-6.wav")),
    ("angka-7", include_bytes!("../../assets/voice/angka-7.wav")),
    ("angka-8", include_bytes!("../../assets/voice/angka-8.wav")),
    ("angka-9", include_bytes!("../../assets/voice/angka-9.wav")),
    ("sepuluh", include_bytes!("../../assets/voice/sepuluh.wav")),
    ("sebelas", include_bytes!("../../assets/voice/sebelas.wav")),
    ("belas", include_bytes!("../../assets/voice/belas.wav")),
    ("puluh", include_bytes!("../../assets/voice/puluh.wav")),
    ("seratus", include_bytes!("../../assets/voice/seratus.wav")),
    ("ratus", include_bytes!("../../assets/voice/ratus.wav")),
];

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("{0:?} is not a queue number like KTB-A007 or KTB-PA007")]
    Number(String),
    #[error(transparent)]
    Phrase(#[from] PhraseError),
    #[error("{file}: {reason}")]
    Clip { file: String, reason: String },
    #[error("[voice] clips_dir {dir}: {reason}")]
    Dir { dir: PathBuf, reason: String },
}

/// The clips, read once at start, as the little-endian PCM a WAV's data chunk holds.
#[derive(Debug, Clone)]
pub struct Voice {
    clips: HashMap<&'static str, bytes::Bytes>,
    /// Which clips came from the site's folder.
    pub own: Vec<&'static str>,
}

fn read(bytes: &[u8], file: &str) -> Result<bytes::Bytes, VoiceError> {
    let bad = |reason: String| VoiceError::Clip { file: file.to_owned(), reason };
    let reader = hound::WavReader::new(bytes).map_err(|e| bad(format!("not a WAV file: {e}")))?;
    let spec = reader.spec();
    if (spec.channels, spec.sample_rate, spec.bits_per_sample, spec.sample_format)
        != (SPEC.channels, SPEC.sample_rate, SPEC.bits_per_sample, SPEC.sample_format)
    {
        return Err(bad(format!(
            "{} channel(s), {} Hz, {}-bit: clips must be mono, 22050 Hz, 16-bit (sox in.wav -r 22050 -c 1 -b 16 out.wav)",
            spec.channels, spec.sample_rate, spec.bits_per_sample
        )));
    }
    let samples: Vec<i16> =
        reader.into_samples::<i16>().collect::<Result<_, _>>().map_err(|e| bad(format!("unreadable samples: {e}")))?;
    Ok(samples.iter().flat_map(|s| s.to_le_bytes()).collect::<Vec<u8>>().into())
}

/// The canonical 44-byte header of a 16-bit mono PCM WAV of `data` bytes at [`SPEC`]'s rate.
fn header(data: u32) -> bytes::Bytes {
    let rate = SPEC.sample_rate;
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes()); // the fmt chunk's size
    h.extend_from_slice(&1u16.to_le_bytes()); // PCM
    h.extend_from_slice(&1u16.to_le_bytes()); // mono
    h.extend_from_slice(&rate.to_le_bytes());
    h.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes a second
    h.extend_from_slice(&2u16.to_le_bytes()); // bytes a frame
    h.extend_from_slice(&16u16.to_le_bytes()); // bits a sample
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data.to_le_bytes());
    h.into()
}

impl Voice {
    /// The default clips, each replaced by `<clip>.wav` in `dir` where the site has one.
    pub fn load(dir: Option<&Path>) -> Result<Voice, VoiceError> {
        let mut clips = HashMap::new();
        let mut own = Vec::new();
        for (name, bytes) in EMBEDDED {
            clips.insert(*name, read(bytes, &format!("(built in) {name}.wav"))?);
        }
        if let Some(dir) = dir {
            let entries =
                std::fs::read_dir(dir).map_err(|e| VoiceError::Dir { dir: dir.to_owned(), reason: e.to_string() })?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
                if path.extension().and_then(|e| e.to_str()) != Some("wav") {
                    continue;
                }
                let Some((name, _)) = CLIPS.iter().find(|(n, _)| *n == stem) else {
                    return Err(VoiceError::Clip {
                        file: path.display().to_string(),
                        reason: "no clip has this name (mpp-hub voice clips lists them)".into(),
                    });
                };
                let bytes = std::fs::read(&path)
                    .map_err(|e| VoiceError::Clip { file: path.display().to_string(), reason: e.to_string() })?;
                clips.insert(*name, read(&bytes, &path.display().to_string())?);
                own.push(*name);
            }
        }
        own.sort_unstable();
        Ok(Voice { clips, own })
    }

    /// The call of `number` to `counter` as the parts of one WAV: its header, then each
    /// clip's samples. The parts share the loaded clips (no copy), so a call costs a few
    /// hundred bytes of memory whatever is asked, and only numbers the ticket grammar
    /// allows (`KTB-A007`, `KTB-PA007`: at most ten characters) and counters 1 to 999 are
    /// spoken.
    pub fn call(&self, number: &str, counter: i32) -> Result<Vec<bytes::Bytes>, VoiceError> {
        if number.len() > 16 || number.parse::<mpp_domain::tickets::TicketNumber>().is_err() {
            return Err(VoiceError::Number(number.chars().take(16).collect()));
        }
        let phrase = call_phrase(number, counter)?;
        let data: usize = phrase.iter().map(|c| self.clips[c].len()).sum();
        let mut parts = Vec::with_capacity(phrase.len() + 1);
        parts.push(header(u32::try_from(data).expect("a call is seconds long")));
        parts.extend(phrase.iter().map(|c| self.clips[c].clone()));
        Ok(parts)
    }

    /// The call of `number` to `counter` as WAV bytes: what the display plays.
    pub fn say(&self, number: &str, counter: i32) -> Result<Vec<u8>, VoiceError> {
        Ok(self.call(number, counter)?.concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_clip_is_built_in_and_readable() {
        let names: Vec<&str> = EMBEDDED.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, CLIPS.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        let voice = Voice::load(None).unwrap();
        assert!(voice.clips.values().all(|c| !c.is_empty()));
    }

    #[test]
    fn only_a_queue_number_is_spoken_and_the_audio_is_shared_not_copied() {
        let voice = Voice::load(None).unwrap();
        for absurd in ["KTB-A0070", &"9".repeat(50_000), "<script>", "KTB-J007", "KTB-A007-A007", ""] {
            assert!(matches!(voice.call(absurd, 3), Err(VoiceError::Number(_))), "{:.20}", absurd);
        }
        assert!(matches!(voice.call("KTB-A007", 1000), Err(VoiceError::Phrase(PhraseError::Counter(1000)))));
        assert!(voice.call("KTB-Z007", 3).is_ok(), "the desk's numbers are called too");
        let parts = voice.call("KTB-PA007", 12).unwrap();
        assert_eq!(parts[0].len(), 44, "the header");
        // Every other part is a loaded clip itself: the same memory, not a copy.
        assert!(parts[1..].iter().all(|p| voice.clips.values().any(|c| c.as_ptr() == p.as_ptr())));
        let wav = voice.say("KTB-PA007", 12).unwrap();
        let reader = hound::WavReader::new(&wav[..]).unwrap();
        assert_eq!(reader.spec(), SPEC, "a WAV hound reads");
        assert_eq!(reader.len() as usize * 2, wav.len() - 44);
    }
}
