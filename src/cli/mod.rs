//! The command line: argument definitions, dispatch, and the exit-code contract
//! (0 ok, 2 bad input, 1 any other failure).

mod bundle;
mod catalogue_cmd;
mod doctor;
mod identity;
mod render;
mod survey_cmd;
mod sync_cmd;
mod ticket_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::catalogue::{Catalogue, FeedErrors, DEFAULT_SOURCE};
use crate::config::{self, ConfigError};
use crate::store::{ImportError, Store, StoreError};
use crate::text::Lang;

#[derive(Debug, Parser)]
#[command(name = "mpp-kiosk", version, about = "Self-service kiosk of a Mal Pelayanan Publik: service requirements and queue slips")]
#[command(propagate_version = true)]
pub struct Cli {
    /// Config file (TOML). Default: /etc/mpp-kiosk/config.toml if it exists, else built-in defaults.
    #[arg(long, global = true, env = "MPP_KIOSK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite database file; overrides [database] path of the config.
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Log more (info); twice for debug. RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the kiosk (the default when no command is given).
    Run,
    /// Read, search, import and export the service catalogue.
    #[command(subcommand)]
    Catalogue(CatalogueCommand),
    /// Issue, list and void queue tickets.
    #[command(subcommand)]
    Ticket(TicketCommand),
    /// The receipt printer: status and a test slip.
    #[command(subcommand)]
    Printer(PrinterCommand),
    /// Catalogue sync and ticket upload: one round now, or the status.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Staff screen: make the PIN hash for `[staff] pin_hash` (the PIN is read from stdin).
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Publisher tools: check a signed feed the way a kiosk would.
    #[command(subcommand)]
    Feed(FeedCommand),
    /// The citizen satisfaction survey (SKM): key in paper forms, report the IKM.
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// Draw the kiosk's screens to PNG without a display (software renderer).
    Screenshot(ScreenshotArgs),
    /// Write a support bundle (.tar.gz): doctor, sync state, logs, versions, config without secrets.
    SupportBundle {
        /// The file to write (default: mpp-kiosk-support-HOST-TIME.tar.gz here).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check config, database and catalogue; exits 1 when a check fails.
    Doctor {
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The manual page, in roff, from these very definitions (the package ships it).
    #[command(hide = true)]
    Manpage,
}

#[derive(Debug, clap::Args)]
pub struct ScreenshotArgs {
    /// The screen: welcome, agencies, services, detail, priority, printing, done,
    /// print-failed, search, refusal, idle.
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    pub screen: Option<String>,
    /// Every screen, into the folder given by --out as NAME-LANG.png.
    #[arg(long)]
    pub all: bool,
    /// The language of the screens: id or en.
    #[arg(long, default_value = "id")]
    pub lang: crate::text::Lang,
    /// Width x height in pixels: 1080x1920 (portrait, the kiosk), 1920x1080, 768x1366.
    #[arg(long, default_value = "1080x1920", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Large-text mode.
    #[arg(long)]
    pub large_text: bool,
    /// The kiosk's "now" in the pictures (RFC 3339); default: MPP_KIOSK_NOW or the clock.
    #[arg(long)]
    pub at: Option<jiff::Timestamp>,
    /// A PNG file (one screen) or a folder (--all).
    #[arg(long)]
    pub out: PathBuf,
}

/// `--priority`: the domain's codes, listed in the help like a value enum.
fn priority_parser() -> impl clap::builder::TypedValueParser<Value = crate::tickets::Priority> {
    use crate::tickets::Priority;
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Priority::ALL.map(Priority::code))
        .map(|code| Priority::from_code(&code).expect("a listed code"))
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("{s:?}: expected WIDTHxHEIGHT, e.g. 1080x1920"))?;
    let n = |v: &str| v.parse::<u32>().ok().filter(|n| (320..=4096).contains(n)).ok_or_else(|| format!("{s:?}: {v:?} is not a size from 320 to 4096"));
    Ok((n(w)?, n(h)?))
}

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// List the services, grouped by agency.
    List {
        #[command(flatten)]
        out: OutputArgs,
        /// Only this agency's services.
        #[arg(long, value_name = "CODE")]
        agency: Option<String>,
    },
    /// Show one service's Standar Pelayanan: requirements, procedure, time, fee, product, complaints.
    Show {
        /// Service code, e.g. KTP-BARU (case does not matter).
        code: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Search services as a citizen would type (ktp, e-ktp, paspor, skck…), best match first.
    Search {
        /// What to look for.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Import a catalogue feed (JSON, see docs/feed-format.md), replacing the stored one at once.
    Import {
        /// The feed file, or - for standard input.
        file: PathBuf,
        /// Import even when the feed's version is not newer than the stored one (rollback).
        #[arg(long)]
        force: bool,
    },
    /// Write the stored catalogue as a feed (JSON).
    Export {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// One pull and one upload round in the foreground; exits 1 with the reason when the
    /// pull was refused or failed, or the upload failed.
    Now {
        #[arg(long)]
        json: bool,
    },
    /// Last attempt, last success, catalogue version, last error, outbox backlog.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Reads a 4–8 digit PIN from stdin and prints the `pin_hash = "…"` line for the config.
    PinHash,
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Builds a feed from a source folder (site.toml, agencies.csv, services.csv), with the
    /// same checks as an import; then sign it with `minisign -S -m FEED`.
    Build {
        /// The source folder.
        #[arg(long)]
        from: PathBuf,
        /// The feed file to write.
        #[arg(long)]
        out: PathBuf,
        /// The feed version (default: the time now as YYYYMMDDhhmm, always increasing).
        #[arg(long)]
        feed_version: Option<u64>,
        /// Days until kiosks refuse this feed as expired (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// Writes a source folder from the kiosk's catalogue (or --feed FILE) to start editing.
    Source {
        #[arg(long)]
        out: PathBuf,
        /// A feed file instead of the kiosk's catalogue.
        #[arg(long)]
        feed: Option<PathBuf>,
    },
    /// Checks a feed and its signature (FEED.minisig) exactly as a kiosk would.
    Verify {
        /// The feed file (JSON).
        feed: PathBuf,
        /// The publisher's minisign public key (the base64 line of the .pub file), or a .pub file.
        #[arg(long)]
        key: String,
        /// The signature file (default: FEED.minisig).
        #[arg(long)]
        sig: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Key in one paper SKM form (same checks and storage as the kiosk; marked as paper).
    Record {
        /// The service the respondent used, e.g. KTP-BARU.
        #[arg(long)]
        service: String,
        /// The nine answers U1–U9, 1 to 4, in order; an empty place is unanswered: 4,3,,4,3,4,4,3,4
        #[arg(long, allow_hyphen_values = true)]
        answers: String,
        /// The day of the form (default: today, in the site's time zone).
        #[arg(long)]
        date: Option<jiff::civil::Date>,
        /// Age band: lt20, 20-29, 30-39, 40-49, 50-59, 60+.
        #[arg(long)]
        age: Option<String>,
        /// L or P.
        #[arg(long)]
        sex: Option<String>,
        /// SD, SMP, SMA, D1-D4, S1, S2+.
        #[arg(long)]
        education: Option<String>,
        /// PNS, TNI-POLRI, SWASTA, WIRAUSAHA, PETANI-NELAYAN, PELAJAR, LAINNYA.
        #[arg(long)]
        occupation: Option<String>,
        /// The respondent's comment.
        #[arg(long)]
        comment: Option<String>,
    },
    /// The IKM per PermenPANRB 14/2017: per element NRR and weighted NRR, the IKM, its
    /// conversion, the grade and performance words, and the number of respondents.
    Report {
        /// First day (inclusive), YYYY-MM-DD.
        #[arg(long)]
        from: Option<jiff::civil::Date>,
        /// Last day (inclusive), YYYY-MM-DD.
        #[arg(long)]
        to: Option<jiff::civil::Date>,
        /// Only this service.
        #[arg(long, conflicts_with = "agency")]
        service: Option<String>,
        /// Only this agency's services.
        #[arg(long)]
        agency: Option<String>,
        /// text, csv or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Language of the element names and words (text and csv).
        #[arg(long, default_value = "id")]
        lang: crate::text::Lang,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// Issue the next queue number for a service and print it (refused, exit 2, when the
    /// service is closed, on a break, past the cut-off, on a holiday or out of quota).
    Issue {
        /// Service code, e.g. KTP-BARU.
        #[arg(long)]
        service: String,
        /// A priority ticket (UU 25/2009 Pasal 29).
        #[arg(long, value_name = "KIND", value_parser = priority_parser())]
        priority: Option<crate::tickets::Priority>,
        /// Print the ticket as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List one day's tickets (default: today, in the site's time zone).
    List {
        /// The local day, YYYY-MM-DD.
        #[arg(long)]
        date: Option<jiff::civil::Date>,
        #[arg(long)]
        json: bool,
    },
    /// Print a ticket's slip again (marked as a reprint).
    Reprint {
        /// The queue number, e.g. KTB-A007.
        number: String,
        /// The local day of the number (default: today).
        #[arg(long)]
        date: Option<jiff::civil::Date>,
    },
    /// Void a ticket (staff): it no longer counts for the quota or people ahead.
    Void {
        /// The queue number, e.g. KTB-A007.
        number: String,
        /// The local day of the number (default: today).
        #[arg(long)]
        date: Option<jiff::civil::Date>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrinterCommand {
    /// Ask the printer for its real-time status (offline, cover, paper); exit 1 if it cannot print.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Print a test slip: paper width, code page, QR mode, and a QR code to scan.
    Test,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct OutputArgs {
    /// Print JSON for scripts and monitoring.
    #[arg(long)]
    pub json: bool,
    /// Language of the texts: id (Bahasa Indonesia) or en (English; Indonesian where no English exists).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<Lang>,
}

/// A failure as the command line reports it.
#[derive(Debug)]
pub enum CliError {
    /// Bad input from the user: a config, a feed, an argument. Exit code 2.
    BadInput(String),
    /// Anything else: the database, the disk, the display. Exit code 1.
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::BadInput(_) => ExitCode::from(2),
            CliError::Failed(_) => ExitCode::from(1),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CliError::BadInput(m) | CliError::Failed(m) => m,
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::Invalid { .. } => CliError::BadInput(e.to_string()),
            // A missing or unreadable file the user named is their input too.
            ConfigError::Read { .. } => CliError::BadInput(e.to_string()),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Failed(e.to_string())
    }
}

impl From<FeedErrors> for CliError {
    fn from(e: FeedErrors) -> Self {
        CliError::BadInput(e.to_string())
    }
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::NotNewer { .. } | ImportError::OtherSite { .. } => {
                CliError::BadInput(format!("{e}; nothing was changed (use --force to replace it anyway)"))
            }
            ImportError::Store(e) => e.into(),
        }
    }
}

/// What every command starts from: the config and the way to the database.
pub struct Context {
    pub config: config::Loaded,
    pub db_path: PathBuf,
}

impl Context {
    pub fn lang(&self, out: &OutputArgs) -> Lang {
        out.lang.unwrap_or(self.config.config.kiosk.language)
    }

    pub fn open_store(&self) -> Result<Store, CliError> {
        Ok(Store::open(&self.db_path)?)
    }

    /// The printer settings; with no `uri`, slips land in `preview/` beside the database.
    pub fn print_settings(&self) -> Result<crate::printing::PrintSettings, CliError> {
        let p = &self.config.config.printer;
        let logo = crate::printing::load_logo(&p.logo, p.paper).map_err(|e| CliError::BadInput(format!("{}: [printer] {e}", self.config.describe())))?;
        let uri = p.uri.clone().unwrap_or_else(|| {
            let dir = self.db_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            crate::printing::PrinterUri::Preview(dir.join("preview"))
        });
        if let Some(t) = &p.qr_url {
            crate::printing::check_qr_template(t, p.qr, p.paper).map_err(|e| CliError::BadInput(format!("{}: [printer] {e}", self.config.describe())))?;
        }
        Ok(crate::printing::PrintSettings { uri, paper: p.paper, qr: p.qr, qr_url: p.qr_url.clone(), timeout: p.timeout_ms.duration(), logo, lock: Some(self.db_path.with_extension("printer-lock")) })
    }
}

/// The stored catalogue; on a database that has none (first start), the embedded one is
/// imported first, so a kiosk with no network still shows its services.
pub fn ensure_catalogue(store: &mut Store) -> Result<Catalogue, CliError> {
    if let Some(c) = store.load_catalogue()? {
        return Ok(c);
    }
    let feed = crate::catalogue::default_feed();
    let outcome = store.import_catalogue(&feed, DEFAULT_SOURCE, false, crate::clock::now()?)?;
    log::info!(
        "no catalogue in {}: loaded the embedded one (version {}, {} services)",
        store.path().display(),
        outcome.version,
        outcome.services
    );
    store.load_catalogue()?.ok_or_else(|| CliError::Failed("the embedded catalogue did not read back after import".into()))
}

/// Prints a value as pretty JSON on stdout, for `--json`.
fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Failed(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(Command::Run);
    // The manual page needs no config: it is the command line itself.
    if let Command::Manpage = command {
        let mut out = Vec::new();
        clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out).map_err(|e| CliError::Failed(e.to_string()))?;
        std::io::Write::write_all(&mut std::io::stdout(), &out).map_err(|e| CliError::Failed(e.to_string()))?;
        return Ok(());
    }
    // The doctor must report a broken config, not stop at it.
    if let Command::Doctor { json } = command {
        return doctor::run(cli.config.as_deref(), cli.db.as_deref(), json);
    }
    let config = config::load(cli.config.as_deref())?;
    // The site's CA is read at start, so a broken file is named now, not at the first sync.
    if let Some(path) = &config.config.sync.ca_file {
        crate::sync::fetch::read_ca_file(path).map_err(|e| CliError::BadInput(format!("{}: [sync] ca_file {e}", config.describe())))?;
    }
    if let Some(path) = &config.config.sync.upload_token_file {
        crate::sync::fetch::read_token_file(path).map_err(|e| CliError::BadInput(format!("{}: [sync] upload_token_file {e}", config.describe())))?;
    }
    let db_path = config.database_path(cli.db.as_deref());
    identity::act_as_owner_of_database(&db_path).map_err(CliError::Failed)?;
    let ctx = Context { config, db_path };
    match command {
        Command::Run => run_kiosk(&ctx),
        Command::Catalogue(cmd) => catalogue_cmd::run(&ctx, cmd),
        Command::Ticket(cmd) => ticket_cmd::run(&ctx, cmd),
        Command::Printer(cmd) => ticket_cmd::printer(&ctx, cmd),
        Command::Screenshot(args) => screenshot(&ctx, args),
        Command::SupportBundle { out } => bundle::run(&ctx, out),
        Command::Survey(cmd) => survey_cmd::run(&ctx, cmd),
        Command::Sync(cmd) => sync_cmd::run(&ctx, cmd),
        Command::Feed(cmd) => sync_cmd::feed(&ctx, cmd),
        Command::Staff(StaffCommand::PinHash) => {
            let mut pin = String::new();
            std::io::stdin().read_line(&mut pin).map_err(|e| CliError::Failed(e.to_string()))?;
            let pin = pin.trim();
            if !crate::staff::valid_pin(pin) {
                return Err(CliError::BadInput("a staff PIN is 6 to 8 digits (read from stdin: echo 246810 | mpp-kiosk staff pin-hash)".into()));
            }
            println!("[staff]\npin_hash = \"{}\"", crate::staff::hash_pin(pin));
            Ok(())
        }
        Command::Doctor { .. } | Command::Manpage => unreachable!("handled above"),
    }
}

fn run_kiosk(ctx: &Context) -> Result<(), CliError> {
    let rotation = ctx.config.config.display.rotation.degrees();
    if rotation != 0 && std::env::var_os("SLINT_KMS_ROTATION").is_none() {
        // SAFETY: no other thread runs yet (the print worker and sync start below).
        unsafe { std::env::set_var("SLINT_KMS_ROTATION", rotation.to_string()) };
    }
    let mut store = ctx.open_store()?;
    let catalogue = ensure_catalogue(&mut store)?;
    drop(store);
    log::info!(
        "catalogue version {} from {}: {} agencies, {} services",
        catalogue.feed.version,
        catalogue.source,
        catalogue.feed.agencies.len(),
        catalogue.feed.services.len()
    );
    #[cfg(feature = "gui")]
    {
        let kiosk = &ctx.config.config.kiosk;
        let print = ctx.print_settings()?;
        log::info!("slips go to {}", String::from(print.uri.clone()));
        crate::sync::runner::spawn(
            ctx.db_path.clone(),
            ctx.config.config.sync.clone(),
            catalogue.feed.site.code.clone(),
            kiosk.id.get(),
            crate::clock::system(),
            crate::ui::deliver_catalogue,
        );
        let fullscreen = std::env::var("SLINT_FULLSCREEN").is_ok_and(|v| v == "1" || v == "true");
        let kms = std::env::var("SLINT_BACKEND").is_ok_and(|b| b.starts_with("linuxkms"));
        crate::ui::run(crate::ui::UiSettings {
            app: crate::app::AppSettings {
                catalogue,
                db_path: ctx.db_path.clone(),
                print,
                kiosk_id: kiosk.id.get(),
                lang: kiosk.language,
                idle: std::time::Duration::from_secs(kiosk.idle_timeout_secs.secs().into()),
                clock: crate::clock::system(),
                mono: crate::ui::real_time(),
                sync: ctx.config.config.sync.clone(),
                pin_hash: ctx.config.config.staff.pin_hash.clone(),
            },
            hide_cursor: fullscreen || kms,
        })
        .map_err(|e| CliError::Failed(e.to_string()))
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = catalogue;
        Err(CliError::Failed("this build has no screen (built without the `gui` feature); the catalogue commands still work".into()))
    }
}

fn screenshot(ctx: &Context, args: ScreenshotArgs) -> Result<(), CliError> {
    #[cfg(feature = "gui")]
    {
        let catalogue = ensure_catalogue(&mut ctx.open_store()?)?;
        let at = match args.at {
            Some(t) => t,
            None => crate::clock::now()?,
        };
        let screens = match args.screen {
            Some(s) => vec![s],
            None => crate::ui::screenshot::SCREENS.iter().map(|s| s.to_string()).collect(),
        };
        let written = crate::ui::screenshot::run(crate::ui::screenshot::Options {
            screens,
            lang: args.lang,
            width: args.size.0,
            height: args.size.1,
            large_text: args.large_text,
            at,
            catalogue,
            print: ctx.print_settings()?,
            out: args.out,
        })
        .map_err(|e| if e.starts_with("unknown screen") { CliError::BadInput(e) } else { CliError::Failed(e) })?;
        for p in written {
            println!("{}", p.display());
        }
        Ok(())
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = (ctx, args);
        Err(CliError::Failed("this build has no screen (built without the `gui` feature)".into()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
