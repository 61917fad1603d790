//! The command line's arguments: every command and option, as clap reads them (and as
//! `mpp-kiosk manpage` documents them).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::text::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "mpp-kiosk",
    version,
    about = "Self-service kiosk of a Mal Pelayanan Publik: service requirements and queue slips"
)]
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
    /// The speech mode: hear a text or a service as the kiosk says it, list the prompts.
    #[command(subcommand)]
    Speech(SpeechCommand),
    /// The kiosk's system: its two root slots, and signed updates into the other one.
    #[command(subcommand)]
    System(SystemCommand),
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
    /// The screen (see --list), e.g. welcome, services, services-full, detail, done.
    #[arg(long, required_unless_present_any = ["all", "list"], conflicts_with = "all")]
    pub screen: Option<String>,
    /// List the screens' names, one per line, and draw nothing.
    #[arg(long)]
    pub list: bool,
    /// Every screen, into the folder given by --out as NAME-LANG.png.
    #[arg(long)]
    pub all: bool,
    /// The language of the screens: id or en.
    #[arg(long, default_value = "id")]
    pub lang: crate::text::Lang,
    /// Width x height in pixels: 1080x1920 (portrait, the kiosk), 1920x1080, 1280x800, 768x1366.
    #[arg(long, default_value = "1080x1920", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Large-text mode.
    #[arg(long)]
    pub large_text: bool,
    /// The kiosk's "now" in the pictures (RFC 3339); default: MPP_KIOSK_NOW or the clock.
    #[arg(long)]
    pub at: Option<jiff::Timestamp>,
    /// A PNG file (one screen) or a folder (--all).
    #[arg(long, required_unless_present = "list")]
    pub out: Option<PathBuf>,
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
    let n = |v: &str| {
        v.parse::<u32>()
            .ok()
            .filter(|n| (320..=4096).contains(n))
            .ok_or_else(|| format!("{s:?}: {v:?} is not a size from 320 to 4096"))
    };
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
pub enum SystemCommand {
    /// Which slot runs, what the other slot holds, how the last update went.
    Status {
        /// As JSON (what the kiosk reports to the site server).
        #[arg(long)]
        json: bool,
    },
    /// Check an update bundle (signature by a [sync] key, sizes, SHA-256 of every part);
    /// with --install, then write it into the slot not running (a reboot starts it).
    Update {
        /// The bundle (`mpp-kiosk-VERSION.update`).
        file: PathBuf,
        /// Its signature (default: FILE.minisig).
        #[arg(long)]
        signature: Option<PathBuf>,
        /// Only check; exit 2 when the signature, the length or a hash is wrong.
        #[arg(long, conflicts_with = "install")]
        check: bool,
        /// Check, then write it into the other slot and make that slot boot next, with
        /// [system] tries boots to come up.
        #[arg(long)]
        install: bool,
    },
    /// The updater (a systemd service on A/B images): every [system] check_secs, fetch
    /// what the site server offers this kiosk, check it, write it into the other slot, and
    /// restart at a quiet moment (the welcome screen untouched, nothing printing).
    Updater {
        /// One round, then exit: say what was found and installed, never restart.
        #[arg(long)]
        once: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SpeechCommand {
    /// Say a text as the kiosk would (the catalogue's pronunciation list applied), on the
    /// sound card ([speech] device) or into a WAV file.
    Say {
        text: String,
        /// Write it here instead of playing it.
        #[arg(long)]
        wav: Option<PathBuf>,
    },
    /// A service's screen as the speech mode reads it (every requirement), on the sound
    /// card or into a WAV file; prints the words and how long the synthesizer took.
    Service {
        /// The service's code, e.g. KTP-BARU.
        code: String,
        #[arg(long)]
        wav: Option<PathBuf>,
    },
    /// Every fixed prompt: its clip's name and its words.
    Prompts,
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
    /// Check a booked citizen in by their booking code (typed or scanned): a number that
    /// waits for the booked slot, printed; a walk-in number when later than the window;
    /// refused (exit 2, saying what to do) when unknown, cancelled, used or too early.
    CheckIn {
        /// The booking code, e.g. KQ4M-7TCX (or the booking page's address from its QR).
        code: String,
        /// Print the ticket as JSON.
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
