//! The speech mode's clips: the prompts (`assets/speech/`, made by
//! `deploy/speech/make-clips.sh`) and the lobby voice's letters, digits and pauses
//! (`hub/assets/voice/`), all in the binary; a site replaces any of them with its own
//! recording, `<name>.wav` in `[speech] clips_dir`. Every clip is WAV, 16-bit mono at
//! 22,050 Hz; one that is not is refused by name and the built-in one is used.

use std::collections::HashMap;
use std::path::Path;

/// The clips' sample rate (and the synthesizer's: espeak-ng speaks at 22,050 Hz).
pub const RATE: u32 = 22_050;

/// The clips' format, and that of every WAV the voice writes.
pub const SPEC: hound::WavSpec =
    hound::WavSpec { channels: 1, sample_rate: RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };

/// The built-in clips.
pub static EMBEDDED: &[(&str, &[u8])] = &[
    ("sp-mulai", include_bytes!("../../assets/speech/sp-mulai.wav")),
    ("sp-gratis", include_bytes!("../../assets/speech/sp-gratis.wav")),
    ("sp-menu", include_bytes!("../../assets/speech/sp-menu.wav")),
    ("sp-menu-pilihan", include_bytes!("../../assets/speech/sp-menu-pilihan.wav")),
    ("sp-sering", include_bytes!("../../assets/speech/sp-sering.wav")),
    ("sp-instansi", include_bytes!("../../assets/speech/sp-instansi.wav")),
    ("sp-layanan-di", include_bytes!("../../assets/speech/sp-layanan-di.wav")),
    ("sp-berikutnya", include_bytes!("../../assets/speech/sp-berikutnya.wav")),
    ("sp-sebelumnya", include_bytes!("../../assets/speech/sp-sebelumnya.wav")),
    ("sp-cocok", include_bytes!("../../assets/speech/sp-cocok.wav")),
    ("sp-tidak-cocok", include_bytes!("../../assets/speech/sp-tidak-cocok.wav")),
    ("sp-hasil", include_bytes!("../../assets/speech/sp-hasil.wav")),
    ("sp-dihapus", include_bytes!("../../assets/speech/sp-dihapus.wav")),
    ("sp-layanan", include_bytes!("../../assets/speech/sp-layanan.wav")),
    ("sp-belum-verifikasi", include_bytes!("../../assets/speech/sp-belum-verifikasi.wav")),
    ("sp-persyaratan", include_bytes!("../../assets/speech/sp-persyaratan.wav")),
    ("sp-tanpa-persyaratan", include_bytes!("../../assets/speech/sp-tanpa-persyaratan.wav")),
    ("sp-biaya", include_bytes!("../../assets/speech/sp-biaya.wav")),
    ("sp-waktu", include_bytes!("../../assets/speech/sp-waktu.wav")),
    ("sp-tidak-bisa", include_bytes!("../../assets/speech/sp-tidak-bisa.wav")),
    ("sp-kembali-titik", include_bytes!("../../assets/speech/sp-kembali-titik.wav")),
    ("sp-mencetak", include_bytes!("../../assets/speech/sp-mencetak.wav")),
    ("sp-nomor-anda", include_bytes!("../../assets/speech/sp-nomor-anda.wav")),
    ("sp-sekali-lagi", include_bytes!("../../assets/speech/sp-sekali-lagi.wav")),
    ("sp-ambil-kertas", include_bytes!("../../assets/speech/sp-ambil-kertas.wav")),
    ("sp-menuju", include_bytes!("../../assets/speech/sp-menuju.wav")),
    ("sp-di-depan", include_bytes!("../../assets/speech/sp-di-depan.wav")),
    ("sp-tidak-tercetak", include_bytes!("../../assets/speech/sp-tidak-tercetak.wav")),
    ("sp-petugas", include_bytes!("../../assets/speech/sp-petugas.wav")),
    ("sp-selesai-pilihan", include_bytes!("../../assets/speech/sp-selesai-pilihan.wav")),
    ("sp-terima-kasih", include_bytes!("../../assets/speech/sp-terima-kasih.wav")),
    ("sp-tidak-ada-pilihan", include_bytes!("../../assets/speech/sp-tidak-ada-pilihan.wav")),
    ("sp-tunggu", include_bytes!("../../assets/speech/sp-tunggu.wav")),
    ("sp-volume", include_bytes!("../../assets/speech/sp-volume.wav")),
    ("sp-anda-di", include_bytes!("../../assets/speech/sp-anda-di.wav")),
    ("sp-layar-lain", include_bytes!("../../assets/speech/sp-layar-lain.wav")),
    ("sp-selesai-mode", include_bytes!("../../assets/speech/sp-selesai-mode.wav")),
    ("sp-eja", include_bytes!("../../assets/speech/sp-eja.wav")),
    ("sp-pilih-antrean", include_bytes!("../../assets/speech/sp-pilih-antrean.wav")),
    ("sp-pilih-prioritas", include_bytes!("../../assets/speech/sp-pilih-prioritas.wav")),
    ("angka-0", include_bytes!("../../hub/assets/voice/angka-0.wav")),
    ("angka-1", include_bytes!("../../hub/assets/voice/angka-1.wav")),
    ("angka-2", include_bytes!("../../hub/assets/voice/angka-2.wav")),
    ("angka-3", include_bytes!("../../hub/assets/voice/angka-3.wav")),
    ("angka-4", include_bytes!("../../hub/assets/voice/angka-4.wav")),
    ("angka-5", include_bytes!("../../hub/assets/voice/angka-5.wav")),
    ("angka-6", include_bytes!("../../hub/assets/voice/angka-6.wav")),
    ("angka-7", include_bytes!("../../hub/assets/voice/angka-7.wav")),
    ("angka-8", include_bytes!("../../hub/assets/voice/angka-8.wav")),
    ("angka-9", include_bytes!("../../hub/assets/voice/angka-9.wav")),
    ("belas", include_bytes!("../../hub/assets/voice/belas.wav")),
    ("huruf-a", include_bytes!("../../hub/assets/voice/huruf-a.wav")),
    ("huruf-b", include_bytes!("../../hub/assets/voice/huruf-b.wav")),
    ("huruf-c", include_bytes!("../../hub/assets/voice/huruf-c.wav")),
    ("huruf-d", include_bytes!("../../hub/assets/voice/huruf-d.wav")),
    ("huruf-e", include_bytes!("../../hub/assets/voice/huruf-e.wav")),
    ("huruf-f", include_bytes!("../../hub/assets/voice/huruf-f.wav")),
    ("huruf-g", include_bytes!("../../hub/assets/voice/huruf-g.wav")),
    ("huruf-h", include_bytes!("../../hub/assets/voice/huruf-h.wav")),
    ("huruf-i", include_bytes!("../../hub/assets/voice/huruf-i.wav")),
    ("huruf-j", include_bytes!("../../hub/assets/voice/huruf-j.wav")),
    ("huruf-k", include_bytes!("../../hub/assets/voice/huruf-k.wav")),
    ("huruf-l", include_bytes!("../../hub/assets/voice/huruf-l.wav")),
    ("huruf-m", include_bytes!("../../hub/assets/voice/huruf-m.wav")),
    ("huruf-n", include_bytes!("../../hub/assets/voice/huruf-n.wav")),
    ("huruf-o", include_bytes!("../../hub/assets/voice/huruf-o.wav")),
    ("huruf-p", include_bytes!("../../hub/assets/voice/huruf-p.wav")),
    ("huruf-q", include_bytes!("../../hub/assets/voice/huruf-q.wav")),
    ("huruf-r", include_bytes!("../../hub/assets/voice/huruf-r.wav")),
    ("huruf-s", include_bytes!("../../hub/assets/voice/huruf-s.wav")),
    ("huruf-t", include_bytes!("../../hub/assets/voice/huruf-t.wav")),
    ("huruf-u", include_bytes!("../../hub/assets/voice/huruf-u.wav")),
    ("huruf-v", include_bytes!("../../hub/assets/voice/huruf-v.wav")),
    ("huruf-w", include_bytes!("../../hub/assets/voice/huruf-w.wav")),
    ("huruf-x", include_bytes!("../../hub/assets/voice/huruf-x.wav")),
    ("huruf-y", include_bytes!("../../hub/assets/voice/huruf-y.wav")),
    ("huruf-z", include_bytes!("../../hub/assets/voice/huruf-z.wav")),
    ("jeda", include_bytes!("../../hub/assets/voice/jeda.wav")),
    ("jeda-pendek", include_bytes!("../../hub/assets/voice/jeda-pendek.wav")),
    ("loket", include_bytes!("../../hub/assets/voice/loket.wav")),
    ("nomor-antrean", include_bytes!("../../hub/assets/voice/nomor-antrean.wav")),
    ("puluh", include_bytes!("../../hub/assets/voice/puluh.wav")),
    ("ratus", include_bytes!("../../hub/assets/voice/ratus.wav")),
    ("sebelas", include_bytes!("../../hub/assets/voice/sebelas.wav")),
    ("sepuluh", include_bytes!("../../hub/assets/voice/sepuluh.wav")),
    ("seratus", include_bytes!("../../hub/assets/voice/seratus.wav")),
    ("silakan-menuju", include_bytes!("../../hub/assets/voice/silakan-menuju.wav")),
];

#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    #[error("{file}: not a WAV file the kiosk can play ({why}); use WAV, 16-bit mono, 22,050 Hz")]
    Format { file: String, why: String },
}

/// Every clip, decoded.
#[derive(Debug, Clone, Default)]
pub struct Clips {
    samples: HashMap<&'static str, std::sync::Arc<Vec<i16>>>,
}

impl Clips {
    /// The built-in clips, with the site's own from `dir` in their place where present.
    /// A site's clip that cannot be used is reported and the built-in one kept.
    pub fn load(dir: Option<&Path>) -> (Clips, Vec<ClipError>) {
        let mut clips = Clips::default();
        let mut problems = Vec::new();
        for (name, bytes) in EMBEDDED {
            let own = dir.map(|d| d.join(format!("{name}.wav"))).filter(|p| p.is_file());
            let decoded = match &own {
                Some(path) => match std::fs::read(path).map_err(|e| e.to_string()).and_then(|b| decode(&b)) {
                    Ok(s) => Ok(s),
                    Err(why) => {
                        problems.push(ClipError::Format { file: path.display().to_string(), why });
                        decode(bytes)
                    }
                },
                None => decode(bytes),
            };
            let samples = decoded.unwrap_or_else(|why| panic!("the built-in clip {name} does not decode: {why}"));
            clips.samples.insert(name, std::sync::Arc::new(samples));
        }
        (clips, problems)
    }

    pub fn get(&self, name: &str) -> Option<std::sync::Arc<Vec<i16>>> {
        self.samples.get(name).cloned()
    }
}

/// A WAV file's samples, when it is 16-bit mono at [`RATE`].
pub fn decode(bytes: &[u8]) -> Result<Vec<i16>, String> {
    let reader = hound::WavReader::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    if spec.channels != 1
        || spec.sample_rate != RATE
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(format!(
            "it is {} channel(s), {} Hz, {}-bit",
            spec.channels, spec.sample_rate, spec.bits_per_sample
        ));
    }
    reader.into_samples::<i16>().collect::<Result<_, _>>().map_err(|e| e.to_string())
}
