//! The kiosk's configuration file (TOML).
//!
//! Every key has a default, so a kiosk runs with no file at all. Unknown keys and bad values
//! are errors that name the key and the line: a typo must not silently fall back to a default.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::printing::PrinterConfig;
use crate::sync::SyncConfig;
use crate::text::Lang;

/// Read when neither `--config` nor `MPP_KIOSK_CONFIG` names a file, if it exists.
pub const SYSTEM_CONFIG: &str = "/etc/mpp-kiosk/config.toml";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub kiosk: KioskConfig,
    pub database: DatabaseConfig,
    pub printer: PrinterConfig,
    pub sync: SyncConfig,
    pub staff: StaffConfig,
    pub display: DisplayConfig,
    pub scanner: crate::scanner::ScannerConfig,
    pub speech: crate::speech::SpeechConfig,
    pub system: crate::system::SystemConfig,
}

/// The kiosk's screen (the KMS backend on kiosk hardware).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisplayConfig {
    /// Rotate the drawing for a panel mounted differently from its native orientation:
    /// 0, 90, 180 or 270 (clockwise). Rotate touch to match with the udev rule in
    /// deploy/udev/61-mpp-kiosk-touch.rules.
    pub rotation: Rotation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Rotation(u16);

impl Rotation {
    pub fn degrees(self) -> u16 {
        self.0
    }
}

impl TryFrom<i64> for Rotation {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        match v {
            0 | 90 | 180 | 270 => Ok(Rotation(v as u16)),
            _ => Err(format!("rotation {v} is not 0, 90, 180 or 270")),
        }
    }
}

impl From<Rotation> for i64 {
    fn from(r: Rotation) -> i64 {
        i64::from(r.0)
    }
}

/// The hidden staff screen (five quick taps on the logo of the welcome screen, then the PIN).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffConfig {
    /// The PIN's hash, from `mpp-kiosk staff pin-hash`; without it the screen stays closed.
    pub pin_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Which kiosk of the site this is (1–9); kiosks of one site must differ.
    pub id: KioskId,
    /// The language the welcome screen starts in.
    pub language: Lang,
    /// Seconds without a touch before the kiosk returns to the welcome screen.
    pub idle_timeout_secs: IdleTimeout,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// The SQLite file; relative paths are taken from the config file's folder.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct KioskId(u8);

impl KioskId {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for KioskId {
    fn default() -> Self {
        KioskId(1)
    }
}

impl TryFrom<i64> for KioskId {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        match v {
            1..=9 => Ok(KioskId(v as u8)),
            _ => Err(format!("kiosk id {v} is out of range: use 1 to 9, a different one for each kiosk of the site")),
        }
    }
}

impl From<KioskId> for i64 {
    fn from(id: KioskId) -> i64 {
        i64::from(id.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct IdleTimeout(u32);

impl IdleTimeout {
    pub const MIN: u32 = 15;
    pub const MAX: u32 = 600;

    pub fn secs(self) -> u32 {
        self.0
    }
}

impl Default for IdleTimeout {
    fn default() -> Self {
        IdleTimeout(60)
    }
}

impl TryFrom<i64> for IdleTimeout {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&v) {
            Ok(IdleTimeout(v as u32))
        } else {
            Err(format!("idle timeout {v} s is out of range: use {} to {} seconds", Self::MIN, Self::MAX))
        }
    }
}

impl From<IdleTimeout> for i64 {
    fn from(t: IdleTimeout) -> i64 {
        i64::from(t.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// `message` is the TOML parser's report: line, column, the offending key, the reason.
    #[error("config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A configuration and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: Config,
    /// The file read, or `None` when running on defaults.
    pub path: Option<PathBuf>,
}

impl Loaded {
    /// Where the settings came from, for messages: the file, or "the default settings".
    pub fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("config file {}", p.display()),
            None => "the default settings".into(),
        }
    }

    /// The database file: the command line wins, then the config, then the platform default.
    pub fn database_path(&self, cli: Option<&Path>) -> PathBuf {
        if let Some(p) = cli {
            return p.to_owned();
        }
        if let Some(p) = &self.config.database.path {
            let base = self.path.as_deref().and_then(Path::parent).unwrap_or(Path::new(""));
            return base.join(p);
        }
        default_database_path()
    }
}

/// Parses a config document; `path` is only used in messages.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text)
        .map_err(|e| ConfigError::Invalid { path: path.to_owned(), message: e.to_string().trim_end().to_owned() })?;
    config.sync.check().map_err(|message| ConfigError::Invalid { path: path.to_owned(), message })?;
    config.speech.check().map_err(|message| ConfigError::Invalid { path: path.to_owned(), message })?;
    config.system.check().map_err(|message| ConfigError::Invalid { path: path.to_owned(), message })?;
    if let Some(h) = &config.staff.pin_hash {
        crate::staff_pin::check_hash(h)
            .map_err(|m| ConfigError::Invalid { path: path.to_owned(), message: format!("[staff] {m}") })?;
    }
    Ok(config)
}

/// Loads the config named on the command line or in `MPP_KIOSK_CONFIG` (which must exist),
/// else [`SYSTEM_CONFIG`] if present, else the defaults.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_owned(),
        None if Path::new(SYSTEM_CONFIG).exists() => PathBuf::from(SYSTEM_CONFIG),
        None => return Ok(Loaded { config: Config::default(), path: None }),
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
    Ok(Loaded { config: parse(&text, &path)?, path: Some(path) })
}

/// `$STATE_DIRECTORY` under systemd (the packaged kiosk), else the XDG data folder.
/// Where the packaged service keeps its database (systemd's StateDirectory=mpp-kiosk).
pub const INSTALLED_DATABASE: &str = "/var/lib/mpp-kiosk/kiosk.sqlite3";

pub fn default_database_path() -> PathBuf {
    const FILE: &str = "kiosk.sqlite3";
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = env("STATE_DIRECTORY") {
        return dir.join(FILE);
    }
    // The installed kiosk's database: a technician's command in a shell must work on the
    // ledger the service uses, not on an empty one of its own (a second KTB-A001).
    let installed = Path::new(INSTALLED_DATABASE);
    if installed.exists() {
        return installed.to_owned();
    }
    if let Some(dir) = env("XDG_DATA_HOME") {
        return dir.join("mpp-kiosk").join(FILE);
    }
    if let Some(home) = env("HOME") {
        return home.join(".local/share/mpp-kiosk").join(FILE);
    }
    PathBuf::from(FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Config, String> {
        parse(text, Path::new("test.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_file_means_defaults() {
        let c = p("").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.kiosk.id.get(), 1);
        assert_eq!(c.kiosk.idle_timeout_secs.secs(), 60);
        assert_eq!(c.kiosk.language, Lang::Id);
    }

    #[test]
    fn full_file_reads() {
        let c = p("[kiosk]\nid = 2\nlanguage = \"en\"\nidle_timeout_secs = 90\n[database]\npath = \"/var/lib/mpp-kiosk/k.db\"\n").unwrap();
        assert_eq!(c.kiosk.id.get(), 2);
        assert_eq!(c.kiosk.language, Lang::En);
        assert_eq!(c.kiosk.idle_timeout_secs.secs(), 90);
        assert_eq!(c.database.path.as_deref(), Some(Path::new("/var/lib/mpp-kiosk/k.db")));
    }

    #[test]
    fn errors_name_the_key_and_the_line() {
        let e = p("[kiosk]\nid = 1\nidle_timeout = 30\n").unwrap_err();
        assert!(e.contains("line 3") && e.contains("idle_timeout"), "{e}");
        let e = p("[kiosk]\n\nid = 12\n").unwrap_err();
        assert!(e.contains("line 3") && e.contains("kiosk id 12"), "{e}");
        let e = p("[kiosk]\nlanguage = \"fr\"\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("fr"), "{e}");
        let e = p("[kiosk]\nidle_timeout_secs = 5\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("15 to 600"), "{e}");
        let e = p("[printer]\nuri = \"lpt1\"\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("unknown printer URI"), "{e}");
        let e = p("[printer]\npaper = \"57mm\"\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("57mm"), "{e}");
        let e = p("[kiosk\nid = 1\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        assert!(e.starts_with("config file test.toml: "), "{e}");
    }

    #[test]
    fn relative_database_path_is_beside_the_config() {
        let loaded = Loaded {
            config: p("[database]\npath = \"data/k.db\"\n").unwrap(),
            path: Some(PathBuf::from("/etc/mpp-kiosk/config.toml")),
        };
        assert_eq!(loaded.database_path(None), PathBuf::from("/etc/mpp-kiosk/data/k.db"));
        assert_eq!(loaded.database_path(Some(Path::new("x.db"))), PathBuf::from("x.db"));
    }
}
