//! `[printer]` of the kiosk's config: the printer's settings, kept with the feature that
//! uses them (the config file only assembles the sections).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The receipt printer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrinterConfig {
    /// `tcp://HOST:PORT`, `file:///dev/usb/lp0` or `preview:DIR`; absent = a `preview`
    /// folder beside the database (no hardware needed).
    pub uri: Option<super::PrinterUri>,
    /// "58mm" or "80mm".
    pub paper: super::Paper,
    /// "native" (QR Model 2 by the printer) or "raster" (an image, for cheap printers).
    pub qr: super::QrMode,
    /// What the slip's QR code holds; `{service}`, `{number}`, `{ticket}`, `{date}` are filled in.
    pub qr_url: Option<String>,
    /// Connect, read and write timeout in milliseconds; no status reply in time = offline.
    pub timeout_ms: Timeout,
    /// The picture at the top of the slip: "default" (the embedded mark), "none", or the
    /// path of a PNG (any size and colours; it is scaled and reduced to black and white).
    pub logo: LogoSetting,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LogoSetting {
    #[default]
    Default,
    None,
    File(PathBuf),
}

impl TryFrom<String> for LogoSetting {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "default" => Ok(LogoSetting::Default),
            "none" => Ok(LogoSetting::None),
            p if p.starts_with('/') && p.ends_with(".png") => Ok(LogoSetting::File(PathBuf::from(p))),
            p => Err(format!("logo {p:?}: use \"default\", \"none\" or the absolute path of a .png file")),
        }
    }
}

impl From<LogoSetting> for String {
    fn from(l: LogoSetting) -> String {
        match l {
            LogoSetting::Default => "default".into(),
            LogoSetting::None => "none".into(),
            LogoSetting::File(p) => p.display().to_string(),
        }
    }
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig {
            uri: None,
            paper: super::Paper::Mm80,
            qr: Default::default(),
            qr_url: None,
            timeout_ms: Timeout(2000),
            logo: LogoSetting::Default,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Timeout(u32);

impl Timeout {
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::from(self.0))
    }
}

impl TryFrom<i64> for Timeout {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        if (100..=30_000).contains(&v) {
            Ok(Timeout(v as u32))
        } else {
            Err(format!("timeout {v} ms is out of range: use 100 to 30000"))
        }
    }
}

impl From<Timeout> for i64 {
    fn from(t: Timeout) -> i64 {
        i64::from(t.0)
    }
}
