//! The server's TOML config. Every key has a default; unknown keys are refused with the
//! file's name. `MPP_HUB_DATABASE_URL` overrides `[database] url`.

use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[derive(Default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub voice: VoiceConfig,
    /// The calling rules: `max_recalls`, `recall_gap_secs`.
    pub calling: mpp_domain::calling::Rules,
    pub alerts: AlertsConfig,
}

/// When the fleet needs a person, and whom to tell.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Each alert raised and cleared is POSTed here as JSON (a chat bot, a paging service).
    pub webhook_url: Option<String>,
    /// A kiosk silent longer than this, minutes, is an alert.
    pub silent_after_min: i64,
    /// More records than this waiting on a kiosk is an alert.
    pub backlog: u64,
    /// How often the fleet is checked, seconds.
    pub check_secs: u64,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        let rules = mpp_domain::fleet::Rules::default();
        AlertsConfig {
            webhook_url: None,
            silent_after_min: rules.silent_after_min,
            backlog: rules.backlog,
            check_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VoiceConfig {
    /// The site's own recordings: `<clip>.wav` here replaces that built-in clip
    /// (`mpp-hub voice clips` lists them; docs/voice.md).
    pub clips_dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Where the API listens, e.g. "0.0.0.0:8470" (behind a TLS proxy) or "127.0.0.1:8470".
    pub listen: String,
    /// The largest request body; a kiosk's batch of 500 records is about 250 kB.
    pub max_body_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// A libpq-style URL or key=value string.
    pub url: String,
    pub pool_size: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { listen: "127.0.0.1:8470".into(), max_body_bytes: 4 * 1024 * 1024 }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: "host=/run/postgresql dbname=mpp_hub".into(), pool_size: 16 }
    }
}

pub const DATABASE_ENV: &str = "MPP_HUB_DATABASE_URL";

/// Reads the config (`None`: defaults); then the environment's database URL, if set.
pub fn load(path: Option<&Path>, database_env: Option<String>) -> Result<Config, String> {
    let mut config = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            toml::from_str::<Config>(&text).map_err(|e| format!("{}: {e}", p.display()))?
        }
        None => Config::default(),
    };
    if let Some(url) = database_env.filter(|u| !u.is_empty()) {
        config.database.url = url;
    }
    if !(1..=512).contains(&config.database.pool_size) {
        return Err(format!("[database] pool_size {} is out of range: use 1 to 512", config.database.pool_size));
    }
    if !(1024..=256 * 1024 * 1024).contains(&config.server.max_body_bytes) {
        return Err(format!(
            "[server] max_body_bytes {} is out of range: use 1024 to 268435456",
            config.server.max_body_bytes
        ));
    }
    if config.calling.max_recalls > 10 || config.calling.recall_gap_secs > 600 {
        return Err(format!(
            "[calling] max_recalls {} (0 to 10) or recall_gap_secs {} (0 to 600) is out of range",
            config.calling.max_recalls, config.calling.recall_gap_secs
        ));
    }
    Ok(config)
}
