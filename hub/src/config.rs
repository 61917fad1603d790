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
    pub display: DisplayConfig,
    pub counter: CounterPageConfig,
    pub desk: DeskConfig,
    pub reminders: RemindersConfig,
    pub bookings: BookingsConfig,
    pub updates: UpdatesConfig,
}

/// System updates for the kiosks (`mpp-hub update …`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpdatesConfig {
    /// Where the bundles are kept (`VERSION.update`), as `mpp-hub update add` copies them.
    pub dir: std::path::PathBuf,
}

impl Default for UpdatesConfig {
    fn default() -> Self {
        UpdatesConfig { dir: "/var/lib/mpp-hub/updates".into() }
    }
}

/// Bookings' secrets.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BookingsConfig {
    /// The key of the NIK's hash in a file of its own (at least 32 bytes, readable by the
    /// server only), so a copy of the database gives no NIK; without it the key is made
    /// once and kept in the database (`hub_secret`), where a database copy carries it too.
    pub nik_key_file: Option<std::path::PathBuf>,
}

/// Reminders to booked citizens who gave a mobile number, through the site's SMS or
/// WhatsApp gateway (optional: without `url`, none are sent). Each is a JSON POST
/// `{"to": "62812…", "message": "…"}` with `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RemindersConfig {
    pub url: Option<String>,
    pub token: Option<String>,
    /// At booking. Placeholders: {site} {service} {date} {slot} {code} {number} {ahead}.
    pub booked: String,
    /// The day before, from `day_before_hour` (local time).
    pub day_before: String,
    pub day_before_hour: u8,
    /// A checked-in booking with `ahead_at` people or fewer before it.
    pub ahead: String,
    pub ahead_at: u32,
}

impl Default for RemindersConfig {
    fn default() -> Self {
        RemindersConfig {
            url: None,
            token: None,
            booked: "Booking {site}: {service}, {date} jam {slot}. Kode booking {code}: pindai atau ketik di kiosk MPP saat datang.".into(),
            day_before: "Pengingat: besok {date} jam {slot}, {service} di {site}. Bawa kode booking dan persyaratannya.".into(),
            day_before_hour: 16,
            ahead: "Nomor {number} ({service}): {ahead} orang lagi sebelum Anda. Mohon menuju ruang tunggu.".into(),
            ahead_at: 3,
        }
    }
}

/// The reception desk's printer (`/desk`): an ESC/POS network printer that takes raw bytes
/// on a TCP port (9100 on most), printing the kiosk's own slip.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeskConfig {
    /// "tcp://192.168.1.50:9100"; none: the desk shows numbers and prints nothing.
    pub printer: Option<DeskPrinter>,
    pub paper: mpp_domain::slip::Paper,
    /// `native` (GS ( k) or `raster` for printers without their own QR codes.
    pub qr: mpp_domain::slip::QrMode,
    /// The longest a slip may take to reach the printer, milliseconds.
    pub timeout_ms: u64,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig { printer: None, paper: mpp_domain::slip::Paper::Mm80, qr: Default::default(), timeout_ms: 3000 }
    }
}

/// A network printer's address, checked when the config is read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct DeskPrinter {
    pub host: String,
    pub port: u16,
}

impl TryFrom<String> for DeskPrinter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad =
            || format!("[desk] printer {s:?}: a network printer is tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100");
        let rest = s.strip_prefix("tcp://").ok_or_else(bad)?;
        let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        Ok(DeskPrinter { host: host.to_owned(), port })
    }
}

/// The lobby display: how far people read it from, the screen it is on, how long each
/// page of counters stays (docs/hub-api.md, "the display"). A display's address can set
/// its own: `/display/SITE?inches=55&distance=7&counters=1-20`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisplayConfig {
    /// Metres from the screen to where people wait; text is at least 3 mm tall per metre.
    pub reading_distance_m: f64,
    /// The screen's diagonal, inches (16:9).
    pub screen_inches: f64,
    /// Seconds each page of counters stays when they do not fit on one.
    pub page_secs: u64,
}

impl Default for DisplayConfig {
    fn default() -> Self {
        DisplayConfig { reading_distance_m: 5.0, screen_inches: 43.0, page_secs: 8 }
    }
}

/// The counter page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CounterPageConfig {
    /// The reasons a clerk pauses a counter for, one key each (1 to 9); "Lainnya" (other,
    /// written) is always offered after them.
    pub pause_reasons: Vec<String>,
}

impl Default for CounterPageConfig {
    fn default() -> Self {
        CounterPageConfig {
            pause_reasons: ["Istirahat", "Salat", "Rapat / koordinasi", "Gangguan sistem", "Mengurus berkas"]
                .map(String::from)
                .to_vec(),
        }
    }
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
    /// The largest upload; a kiosk's batch of 500 records is about 250 kB. Every other
    /// request's body is at most [`SMALL_BODY`].
    pub max_body_bytes: usize,
    /// The address citizens' phones and staff use, as the slip's QR gives it
    /// ("https://antrean.mpp.example.go.id"): with https the session cookie is `Secure`.
    pub public_url: Option<String>,
    /// Connections open at once; more are answered 503 and closed. The unit's
    /// `LimitNOFILE` leaves room for these, the database pool and the log.
    pub max_connections: usize,
    /// Connections open at once from one address (a LAN device gone wrong, a script);
    /// `trusted_proxies` are exempt: the site's TLS proxy limits its own clients.
    pub max_connections_per_address: usize,
    /// Seconds a client may take to send a request's headers, and to start the next one
    /// on a kept-alive connection: an idle or trickling connection is closed after this.
    pub header_timeout_secs: u64,
    /// Seconds a request may take in all (body, work, answer); event streams excepted.
    pub request_timeout_secs: u64,
    /// Live event streams (lobby displays, counter pages) at once, in all and per site.
    pub max_event_streams: usize,
    pub max_event_streams_per_site: usize,
    /// Proxies whose `X-Forwarded-For` names the client (the site's TLS proxy); a client's
    /// own address otherwise. Sign-in throttling is per client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The largest body of any request but an upload (a sign-in form, a counter's action).
pub const SMALL_BODY: usize = 16 * 1024;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// A libpq-style URL or key=value string.
    pub url: String,
    pub pool_size: usize,
    /// Seconds to connect to PostgreSQL before giving up.
    pub connect_timeout_secs: u64,
    /// The longest a query may run, milliseconds (PostgreSQL's `statement_timeout`).
    pub statement_timeout_ms: u64,
    /// The longest a request waits for a free connection, milliseconds.
    pub pool_wait_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8470".into(),
            max_body_bytes: 4 * 1024 * 1024,
            public_url: None,
            max_connections: 1024,
            max_connections_per_address: 128,
            header_timeout_secs: 10,
            request_timeout_secs: 15,
            max_event_streams: 512,
            max_event_streams_per_site: 160,
            trusted_proxies: vec!["127.0.0.1".parse().expect("an address"), "::1".parse().expect("an address")],
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "host=/run/postgresql dbname=mpp_hub".into(),
            pool_size: 16,
            connect_timeout_secs: 3,
            statement_timeout_ms: 10_000,
            pool_wait_ms: 2000,
        }
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
    let s = &config.server;
    if !(16..=100_000).contains(&s.max_connections) {
        return Err(format!("[server] max_connections {} is out of range: use 16 to 100000", s.max_connections));
    }
    if !(1..=s.max_connections).contains(&s.max_connections_per_address) {
        return Err(format!(
            "[server] max_connections_per_address {} is out of range: use 1 to max_connections ({})",
            s.max_connections_per_address, s.max_connections
        ));
    }
    if !(1..=300).contains(&s.header_timeout_secs) || !(1..=600).contains(&s.request_timeout_secs) {
        return Err(format!(
            "[server] header_timeout_secs {} (1 to 300) or request_timeout_secs {} (1 to 600) is out of range",
            s.header_timeout_secs, s.request_timeout_secs
        ));
    }
    if s.max_event_streams == 0 || s.max_event_streams_per_site == 0 || s.max_event_streams >= s.max_connections {
        return Err(format!(
            "[server] max_event_streams {} and max_event_streams_per_site {} must be at least 1, and below max_connections {}",
            s.max_event_streams, s.max_event_streams_per_site, s.max_connections
        ));
    }
    if let Some(url) = &s.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(format!("[server] public_url {url:?}: use https://… (or http:// in a lab)"));
    }
    let d = &config.database;
    if !(1..=60).contains(&d.connect_timeout_secs)
        || !(100..=600_000).contains(&d.statement_timeout_ms)
        || !(10..=60_000).contains(&d.pool_wait_ms)
    {
        return Err(format!(
            "[database] connect_timeout_secs {} (1 to 60), statement_timeout_ms {} (100 to 600000) or pool_wait_ms {} (10 to 60000) is out of range",
            d.connect_timeout_secs, d.statement_timeout_ms, d.pool_wait_ms
        ));
    }
    if config.calling.max_recalls > 10 || config.calling.recall_gap_secs > 600 {
        return Err(format!(
            "[calling] max_recalls {} (0 to 10) or recall_gap_secs {} (0 to 600) is out of range",
            config.calling.max_recalls, config.calling.recall_gap_secs
        ));
    }
    if let Some(key) = &config.bookings.nik_key_file {
        match std::fs::metadata(key) {
            Ok(m) if m.len() >= 32 => {}
            Ok(_) => return Err(format!("[bookings] nik_key_file {}: shorter than 32 bytes", key.display())),
            Err(e) => return Err(format!("[bookings] nik_key_file {}: {e}", key.display())),
        }
    }
    if config.reminders.url.as_deref().is_some_and(|u| !u.starts_with("https://") && !u.starts_with("http://")) {
        return Err(format!("[reminders] url {:?}: use https://… (the gateway's address)", config.reminders.url));
    }
    let v = &config.display;
    if !(1.0..=30.0).contains(&v.reading_distance_m)
        || !(15.0..=150.0).contains(&v.screen_inches)
        || !(3..=120).contains(&v.page_secs)
    {
        return Err(format!(
            "[display] reading_distance_m {} (1 to 30), screen_inches {} (15 to 150) or page_secs {} (3 to 120) is out of range",
            v.reading_distance_m, v.screen_inches, v.page_secs
        ));
    }
    let reasons = &config.counter.pause_reasons;
    if reasons.len() > 9 || reasons.iter().any(|r| r.trim().is_empty() || r.chars().count() > 40) {
        return Err(format!(
            "[counter] pause_reasons: at most 9, each 1 to 40 characters (one key each); got {reasons:?}"
        ));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_config_loads_and_says_what_the_defaults_say() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, include_str!("../deploy/config.toml")).unwrap();
        let shipped = super::load(Some(&file), None).unwrap();
        let default = super::Config::default();
        assert_eq!(format!("{:?}", shipped.server), format!("{:?}", default.server));
        assert_eq!(format!("{:?}", shipped.database), format!("{:?}", default.database));
        assert_eq!(format!("{:?}", shipped.display), format!("{:?}", default.display));
        assert_eq!(format!("{:?}", shipped.counter), format!("{:?}", default.counter));
    }

    #[test]
    fn limits_out_of_range_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        for (toml, says) in [
            ("[server]\nmax_connections = 5\n", "max_connections"),
            ("[server]\nmax_connections_per_address = 5000\n", "max_connections_per_address"),
            ("[server]\nmax_event_streams = 2000\n", "max_event_streams"),
            ("[server]\npublic_url = \"antrean.example\"\n", "public_url"),
            ("[database]\nstatement_timeout_ms = 1\n", "statement_timeout_ms"),
            ("[display]\nscreen_inches = 2\n", "screen_inches"),
            ("[counter]\npause_reasons = [\"\"]\n", "pause_reasons"),
        ] {
            std::fs::write(&file, toml).unwrap();
            let e = super::load(Some(&file), None).unwrap_err();
            assert!(e.contains(says), "{toml}: {e}");
        }
    }
}
