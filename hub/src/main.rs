//! The `mpp-hub` command: migrate, serve, doctor, and the administrator's commands for
//! sites and kiosks. Exit code 0 ok, 2 bad input, 1 any other failure.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use std::sync::Arc;

use mpp_hub::app::App;
use mpp_hub::app::accounts::Role;
use mpp_hub::{clock, config, db};

#[derive(Debug, Parser)]
#[command(
    name = "mpp-hub",
    version,
    about = "The site server of a Mal Pelayanan Publik: every kiosk's tickets in, exactly once"
)]
struct Cli {
    /// The config file (TOML); without it, defaults.
    #[arg(long, global = true, env = "MPP_HUB_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bring the database's schema up to date.
    Migrate,
    /// Serve the API (migrates first).
    Serve,
    /// Check the database, its schema, the sites and kiosks.
    Doctor,
    /// The whole site on one machine, for a first look: a PostgreSQL cluster of its own in
    /// DIR (made on the first run), the schema, the embedded Jeneponto site, kiosk 1
    /// enrolled (its credential in DIR/kiosk-1.token), then serve.
    Demo {
        /// Where the cluster and the kiosk's credential live (default: ./mpp-hub-demo, or
        /// /var/tmp/mpp-hub-demo when run as root from a folder closed to PostgreSQL's user).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Sites: one MPP each.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Kiosks: enroll (prints the credential once), revoke.
    #[command(subcommand)]
    Kiosk(KioskCommand),
    /// Kiosks' system updates: add a signed bundle, roll it out to a pilot kiosk then to
    /// all, pause, roll back (roll out the older version).
    #[command(subcommand)]
    Update(UpdateCommand),
    /// Counters (loket) and the services each serves.
    #[command(subcommand)]
    Counter(CounterCommand),
    /// Staff accounts for the counter pages.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Bookings: a service's policy (how much of a day may be booked, slots, windows,
    /// limits), and a day's bookings.
    #[command(subcommand)]
    Booking(BookingCommand),
    /// The lobby's voice: the call as the display plays it, and the clips it is made of.
    #[command(subcommand)]
    Voice(VoiceCommand),
    /// The performance report of a site: tickets, waits and service times per agency,
    /// service, counter and staff member, busiest hours, counters' pauses and idle time,
    /// and the IKM (PermenPANRB 14/2017). The same figures as the report page.
    Report {
        #[arg(long)]
        site: String,
        /// First local day (YYYY-MM-DD); default today in the site's time zone.
        #[arg(long)]
        from: Option<jiff::civil::Date>,
        /// Last local day; default the first.
        #[arg(long)]
        to: Option<jiff::civil::Date>,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Print the manual page (roff) on stdout; the .deb ships it.
    Manpage,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
enum VoiceCommand {
    /// Write the call of NUMBER to a counter as a WAV file: the exact audio the display plays.
    Say {
        /// The ticket number, e.g. KTB-A007.
        number: String,
        /// The counter's number.
        #[arg(long)]
        counter: i32,
        #[arg(long)]
        out: PathBuf,
    },
    /// List the clips (file name and what it says), marking the site's own recordings.
    Clips,
}

#[derive(Debug, Subcommand)]
enum BookingCommand {
    /// Set a service's booking policy (or, with --service '*', the site's default; values
    /// not given keep their defaults); --off stops its bookings.
    Policy {
        #[arg(long)]
        site: String,
        /// A service code, or '*' for every service without its own policy.
        #[arg(long, default_value = "*")]
        service: String,
        /// Take no bookings (those already taken stand).
        #[arg(long)]
        off: bool,
        /// The share of the daily quota that may be booked, percent.
        #[arg(long)]
        share: Option<u8>,
        #[arg(long)]
        slot_minutes: Option<u16>,
        #[arg(long)]
        per_slot: Option<u16>,
        #[arg(long)]
        days_ahead: Option<u16>,
        /// How early before the slot check-in opens, minutes.
        #[arg(long)]
        early: Option<u16>,
        /// How late after the slot's start a booking keeps its place, minutes.
        #[arg(long)]
        late: Option<u16>,
        #[arg(long)]
        per_person: Option<u8>,
        /// No-shows that stop a NIK from booking (0: none) …
        #[arg(long)]
        strikes: Option<u8>,
        /// … within and for this many days.
        #[arg(long)]
        strike_days: Option<u16>,
    },
    /// A site's bookings of a day, by slot.
    List {
        #[arg(long)]
        site: String,
        #[arg(long)]
        date: jiff::civil::Date,
    },
}

#[derive(Debug, Subcommand)]
enum CounterCommand {
    /// Add or replace a counter.
    Add {
        #[arg(long)]
        site: String,
        #[arg(long)]
        number: i16,
        /// As the display shows it, e.g. "Loket 3".
        #[arg(long)]
        name: String,
        /// The service codes it serves, comma-separated (from the site's catalogue).
        #[arg(long, value_delimiter = ',', required = true)]
        services: Vec<String>,
    },
    /// One counter per agency, serving its services (a first setup).
    PerAgency {
        #[arg(long)]
        site: String,
    },
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Add a staff account (or reset its password and role); the password is read from
    /// standard input (one line, at least 10 characters), never from the command line.
    Add {
        #[arg(long)]
        site: String,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Lift an account's lock-outs after wrong passwords (the counts start again).
    Unlock {
        #[arg(long)]
        site: String,
        #[arg(long)]
        username: String,
    },
    /// Disable an account: it signs in nowhere and its sessions end (a clerk who left).
    Disable {
        #[arg(long)]
        site: String,
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        site: String,
        #[arg(long)]
        username: String,
    },
    /// Sign an account out on every device (a password seen by others, a lost phone).
    SignOut {
        #[arg(long)]
        site: String,
        #[arg(long)]
        username: String,
    },
}

/// A staff member's role, as the command line names it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    /// Calls and serves tickets at a counter.
    Counter,
    /// Also calls out of order, sees reports.
    Supervisor,
    /// Also manages counters and staff.
    Admin,
    /// A province's operator: sees every site's fleet.
    Operator,
    /// The reception desk: issues numbers, checks bookings in, reprints slips (/desk).
    Desk,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Counter => Role::Counter,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::Admin => Role::Admin,
            RoleArg::Operator => Role::Operator,
            RoleArg::Desk => Role::Desk,
        }
    }
}

#[derive(Debug, Subcommand)]
enum SiteCommand {
    /// Add or update a site from its catalogue feed (the file the kiosks take), or the
    /// embedded Jeneponto catalogue with --embedded.
    Add {
        #[arg(required_unless_present = "embedded")]
        feed: Option<PathBuf>,
        #[arg(long)]
        embedded: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UpdateCommand {
    /// Keep a bundle (`mpp-kiosk-VERSION.update`, its `.minisig` beside it) in [updates] dir.
    Add { file: PathBuf },
    /// The bundles held, newest first.
    List,
    /// Offer VERSION to a site's kiosks: to --pilot K alone first, or --all. Rolling out an
    /// older version is the roll back.
    Rollout {
        #[arg(long)]
        site: String,
        #[arg(long)]
        version: String,
        /// The one kiosk to try it first.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        pilot: Option<u8>,
        /// Every kiosk of the site.
        #[arg(long)]
        all: bool,
    },
    /// Stop offering the site's rollout (kiosks writing it finish).
    Pause {
        #[arg(long)]
        site: String,
    },
    /// Offer it again.
    Resume {
        #[arg(long)]
        site: String,
    },
}

#[derive(Debug, Subcommand)]
enum KioskCommand {
    /// Enroll a kiosk and print its credential (once: it is stored only as a hash). Put it
    /// in the kiosk's [sync] upload_token_file. Enrolling again replaces the credential.
    Enroll {
        #[arg(long)]
        site: String,
        /// The kiosk's number (1 = A in its ticket numbers).
        #[arg(long)]
        number: u8,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Revoke a kiosk's credential: its uploads are refused (401) until it is enrolled again.
    Revoke {
        #[arg(long)]
        site: String,
        #[arg(long)]
        number: u8,
    },
}

/// The demo supervisor's password: printed by the demo, for one machine only.
const DEMO_PASSWORD: &str = "demo-supervisor";

enum Failure {
    BadInput(String),
    Failed(String),
}

use mpp_hub::app::accounts::AdminError;
use mpp_hub::app::report::ReportError;
use mpp_hub::app::sites::EnrollError;

impl From<db::DbError> for Failure {
    fn from(e: db::DbError) -> Self {
        Failure::Failed(e.to_string())
    }
}

fn main() -> ExitCode {
    // Large blocks (Argon2id's 19 MiB) are mapped and given back when freed. Without this,
    // glibc raises its mmap threshold after the first such free and keeps the blocks in
    // per-thread heaps: hundreds of MB of RSS after fifty kiosks first connect.
    // SAFETY: mallopt only sets allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    match clock::pinned() {
        Ok(Some(at)) => {
            log::warn!("{} is set: the server's clock starts at {at}, not the real time", clock::ENV)
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("mpp-hub: {e}");
            return ExitCode::from(2);
        }
    }
    if let Some(fault) = mpp_hub::fault::armed() {
        log::warn!("{}={fault} is set: this server will fail on purpose (tests only)", mpp_hub::fault::ENV);
    }
    if let Command::Manpage = cli.command {
        let mut out = Vec::new();
        if let Err(e) = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out) {
            eprintln!("mpp-hub: {e}");
            return ExitCode::from(1);
        }
        return match std::io::Write::write_all(&mut std::io::stdout(), &out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(1),
        };
    }
    if let Command::Voice(command) = &cli.command {
        return exit_code(voice(cli.config.as_deref(), command));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    exit_code(runtime.block_on(run(cli)))
}

/// 0 done, 2 bad input (the message says what and where), 1 any other failure.
fn exit_code(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(m)) => {
            eprintln!("mpp-hub: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(m)) => {
            eprintln!("mpp-hub: {m}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let mut config =
        config::load(cli.config.as_deref(), std::env::var(config::DATABASE_ENV).ok()).map_err(Failure::BadInput)?;
    // The demo's cluster lives as long as this process (the main thread started it).
    let _demo_cluster = match &cli.command {
        Command::Demo { data } => {
            let data = match data {
                Some(d) => std::path::absolute(d).map_err(|e| Failure::BadInput(format!("{}: {e}", d.display())))?,
                None => demo_folder().map_err(|e| Failure::Failed(e.to_string()))?,
            };
            let cluster =
                db::local_cluster::LocalCluster::start(&data, 5432).map_err(|e| Failure::Failed(e.to_string()))?;
            cluster.create_database("mpp_hub").map_err(|e| Failure::Failed(e.to_string()))?;
            config.database.url = cluster.url("mpp_hub");
            Some(cluster)
        }
        _ => None,
    };
    let database = db::Db::connect(&config.database).map_err(|e| Failure::BadInput(e.to_string()))?;
    let voice = mpp_hub::app::voice::Voice::load(config.voice.clips_dir.as_deref())
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    let serving = matches!(cli.command, Command::Serve | Command::Demo { .. });
    let changes = if serving { db::events::listen(config.database.clone()) } else { db::events::Changes::local() };
    let app = Arc::new(App::new(database, &config, changes, voice));
    let now = clock::now();
    match cli.command {
        Command::Migrate => {
            let applied = db::migrate(&app.db, now).await?;
            println!(
                "{} migration(s) applied{}",
                applied.len(),
                if applied.is_empty() { String::new() } else { format!(": {}", applied.join(", ")) }
            );
        }
        Command::Demo { .. } => {
            let data = demo_cluster_dir(_demo_cluster.as_ref());
            db::migrate(&app.db, now).await?;
            let feed = mpp_domain::catalogue::default_feed();
            app.add_site(&feed, now).await?;
            app.counters_per_agency(&feed.site.code).await.map_err(admin_failure)?;
            app.add_staff(&feed.site.code, "supervisor", "Supervisor (demo)", Role::Supervisor, DEMO_PASSWORD, now)
                .await
                .map_err(admin_failure)?;
            let token_file = data.join("kiosk-1.token");
            if !token_file.exists() {
                let token =
                    app.enroll(&feed.site.code, 1, "demo", now).await.map_err(|e| Failure::Failed(e.to_string()))?;
                write_secret(&token_file, &token)
                    .map_err(|e| Failure::Failed(format!("{}: {e}", token_file.display())))?;
            }
            let token_file = std::path::absolute(&token_file).unwrap_or(token_file);
            println!("mpp-hub demo: site {} on http://{}", feed.site.code, config.server.listen);
            println!("  a kiosk's config for it ([sync]):");
            println!("    upload_url = \"http://{}/api/v1/upload\"", config.server.listen);
            println!("    upload_token_file = \"{}\"", token_file.display());
            println!("    insecure_http_upload = true   # this machine only: use https between machines");
            println!("  the queue: http://{}/api/v1/sites/{}/queue", config.server.listen, feed.site.code);
            println!("  a counter per agency; a demo supervisor: supervisor / {DEMO_PASSWORD} (this machine only)");
            serve(&config, app).await?;
        }
        Command::Serve => {
            db::migrate(&app.db, now).await?;
            serve(&config, app).await?;
        }
        Command::Doctor => {
            let health = db::health(&app.db)
                .await
                .map_err(|e| Failure::Failed(format!("database {}: {e}", config.database.url)))?;
            println!("ok    database: PostgreSQL {}", health.server_version);
            let known = db::MIGRATIONS.len();
            let applied = health.migrations_applied;
            println!(
                "{}  schema: {applied} of {known} migrations applied",
                if applied == known { "ok  " } else { "FAIL" }
            );
            if applied != known {
                return Err(Failure::Failed("the schema is not up to date: run mpp-hub migrate".into()));
            }
            for (site, kiosks) in health.sites {
                println!("ok    site {site}: {kiosks} kiosk(s) enrolled");
            }
        }
        Command::Site(SiteCommand::Add { feed, embedded }) => {
            let feed = if embedded {
                mpp_domain::catalogue::default_feed()
            } else {
                let path = feed.expect("clap requires a feed unless --embedded");
                let bytes = std::fs::read(&path).map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?;
                mpp_domain::catalogue::parse_feed(&bytes)
                    .map_err(|e| Failure::BadInput(format!("{}: {e}", path.display())))?
            };
            db::migrate(&app.db, now).await?;
            app.add_site(&feed, now).await?;
            println!("site {} ({}) version {}", feed.site.code, feed.site.name.id, feed.version);
        }
        Command::Kiosk(KioskCommand::Enroll { site, number, name }) => {
            match app.enroll(&site, number, &name, now).await {
                Ok(token) => println!("{token}"),
                Err(e @ (EnrollError::NoSite(_) | EnrollError::Number(_))) => {
                    return Err(Failure::BadInput(e.to_string()));
                }
                Err(EnrollError::Db(e)) => return Err(e.into()),
            }
        }
        Command::Update(cmd) => update_command(&app, cmd, now).await?,
        Command::Counter(CounterCommand::Add { site, number, name, services }) => {
            let counter = mpp_hub::app::accounts::Counter { number, name: name.clone(), services: services.clone() };
            app.add_counter(&site, &counter).await.map_err(admin_failure)?;
            println!("counter {number} ({name}) at {site}: {}", services.join(", "));
        }
        Command::Booking(BookingCommand::Policy {
            site,
            service,
            off,
            share,
            slot_minutes,
            per_slot,
            days_ahead,
            early,
            late,
            per_person,
            strikes,
            strike_days,
        }) => {
            let d = mpp_domain::booking::BookingPolicy::default();
            let policy = mpp_domain::booking::BookingPolicy {
                enabled: !off,
                share_percent: share.unwrap_or(d.share_percent),
                slot_minutes: slot_minutes.unwrap_or(d.slot_minutes),
                per_slot: per_slot.unwrap_or(d.per_slot),
                days_ahead: days_ahead.unwrap_or(d.days_ahead),
                early_minutes: early.unwrap_or(d.early_minutes),
                late_minutes: late.unwrap_or(d.late_minutes),
                per_person_per_day: per_person.unwrap_or(d.per_person_per_day),
                strikes: strikes.unwrap_or(d.strikes),
                strike_days: strike_days.unwrap_or(d.strike_days),
            };
            policy.check().map_err(|e| Failure::BadInput(format!("the booking policy: {e}")))?;
            let feed = app.site_feed(&site).await?.ok_or_else(|| Failure::BadInput(format!("no site {site}")))?;
            if service != "*" && feed.service(&service).is_none() {
                return Err(Failure::BadInput(format!("{site} has no service {service}")));
            }
            app.set_booking_policy(&site, &service, Some(&policy), now).await?;
            println!(
                "{site} {service}: {}",
                if off {
                    "no bookings".to_owned()
                } else {
                    serde_json::to_string(&policy).expect("a policy serialises")
                }
            );
        }
        Command::Booking(BookingCommand::List { site, date }) => {
            for b in app.bookings_of_day(&site, date).await? {
                println!(
                    "{}\u{2013}{}  {:<12} {:<11} NIK …{}{}",
                    b.slot_start,
                    b.slot_end,
                    b.service,
                    b.state,
                    b.nik_last4,
                    b.conflict.map(|c| format!("  CONFLICT {c}")).unwrap_or_default()
                );
            }
        }
        Command::Counter(CounterCommand::PerAgency { site }) => {
            let n = app.counters_per_agency(&site).await.map_err(admin_failure)?;
            println!("{n} counters at {site}, one per agency");
        }
        Command::Staff(StaffCommand::Add { site, username, name, role }) => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| Failure::BadInput(format!("reading the password from standard input: {e}")))?;
            let password = password.trim_end_matches(['\n', '\r']);
            let name = if name.is_empty() { username.clone() } else { name };
            let role = Role::from(role);
            app.add_staff(&site, &username, &name, role, password, now).await.map_err(admin_failure)?;
            println!("{username} ({}) at {site}", role.code());
        }
        Command::Staff(StaffCommand::Unlock { site, username }) => {
            if !app.unlock_staff(&site, &username).await? {
                return Err(Failure::BadInput(format!("no staff account {username:?} at {site}")));
            }
            println!("{username} at {site} unlocked");
        }
        Command::Staff(StaffCommand::Disable { site, username }) => {
            if !app.set_staff_disabled(&site, &username, true, now).await? {
                return Err(Failure::BadInput(format!("no staff account {username:?} at {site}")));
            }
            println!("{username} at {site} disabled; its sessions ended");
        }
        Command::Staff(StaffCommand::Enable { site, username }) => {
            if !app.set_staff_disabled(&site, &username, false, now).await? {
                return Err(Failure::BadInput(format!("no staff account {username:?} at {site}")));
            }
            println!("{username} at {site} enabled");
        }
        Command::Staff(StaffCommand::SignOut { site, username }) => {
            let n = app.sign_out_everywhere(&site, &username).await?;
            println!("{username} at {site}: {n} session(s) ended");
        }
        Command::Kiosk(KioskCommand::Revoke { site, number }) => {
            if !app.revoke(&site, number, now).await? {
                return Err(Failure::BadInput(format!("no enrolled kiosk {number} at {site}")));
            }
            println!("kiosk {number} at {site} revoked");
        }
        Command::Report { site, from, to, format } => {
            let from = match from {
                Some(d) => d,
                None => app
                    .today(&site, now)
                    .await?
                    .ok_or_else(|| Failure::BadInput(format!("no site {site:?} on this server")))?,
            };
            let r = match app.report(&site, from, to.unwrap_or(from)).await {
                Ok(r) => r,
                Err(e @ (ReportError::NoSite(_) | ReportError::Period { .. })) => {
                    return Err(Failure::BadInput(e.to_string()));
                }
                Err(e) => return Err(Failure::Failed(e.to_string())),
            };
            match format {
                ReportFormat::Text => print!("{}", mpp_hub::app::report::text(&r)),
                ReportFormat::Csv => print!("{}", mpp_hub::app::report::csv(&r)),
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&r).expect("a report serialises")),
            }
        }
        Command::Manpage | Command::Voice(_) => unreachable!("handled before the runtime starts"),
    }
    Ok(())
}

/// `voice say` and `voice clips`: no database needed.
fn voice(config: Option<&std::path::Path>, command: &VoiceCommand) -> Result<(), Failure> {
    let config = config::load(config, None).map_err(Failure::BadInput)?;
    let voice = mpp_hub::app::voice::Voice::load(config.voice.clips_dir.as_deref())
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    match command {
        VoiceCommand::Say { number, counter, out } => {
            let wav = voice.say(number, *counter).map_err(|e| Failure::BadInput(e.to_string()))?;
            std::fs::write(out, &wav).map_err(|e| Failure::Failed(format!("{}: {e}", out.display())))?;
            let secs = (wav.len() - 44) as f64 / 2.0 / f64::from(mpp_hub::app::voice::SPEC.sample_rate);
            println!("{}: {number} to counter {counter}, {secs:.1} s", out.display());
        }
        VoiceCommand::Clips => {
            for (name, says) in mpp_domain::voice::CLIPS {
                let own = if voice.own.contains(name) { "  (the site's own)" } else { "" };
                println!("{name}.wav\t{says}{own}");
            }
        }
    }
    Ok(())
}

fn admin_failure(e: AdminError) -> Failure {
    match e {
        AdminError::Db(e) => e.into(),
        e => Failure::BadInput(e.to_string()),
    }
}

/// Serves the API until Ctrl+C (or SIGTERM from systemd), with the fleet's watch and the
/// database's beside it.
async fn serve(config: &config::Config, app: Arc<App>) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .map_err(|e| Failure::Failed(format!("cannot listen on {}: {e}", config.server.listen)))?;
    if !app.voice.own.is_empty() {
        log::info!("voice: the site's own recordings of {}", app.voice.own.join(", "));
    }
    app.db.watch();
    app.watch_changes();
    // The fleet's watch: alerts raised and cleared, the webhook told once each.
    tokio::spawn(app.clone().watch_fleet());
    let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
    // Bookings' reminders through the site's gateway, when one is configured; at the stop,
    // one being sent is recorded before the server exits.
    let reminders = tokio::spawn(app.clone().watch_reminders(stopping_rx.clone()));
    let state = mpp_hub::web::state::WebState::new(app.clone(), config, stopping_rx);
    let served = mpp_hub::web::serve::serve(listener, state, stopping, mpp_hub::web::serve::signalled())
        .await
        .map_err(|e| Failure::Failed(e.to_string()));
    if tokio::time::timeout(std::time::Duration::from_secs(10), reminders).await.is_err() {
        log::warn!("stopping: a reminder was still being sent after 10 s; it is sent again when its claim ends");
    }
    app.finish_deliveries(std::time::Duration::from_secs(5)).await;
    served
}

/// Writes a credential readable by its owner only.
fn write_secret(path: &std::path::Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    writeln!(f, "{secret}")
}

/// The demo's folder when none is given: ./mpp-hub-demo, unless this runs as root from a
/// folder PostgreSQL's user cannot reach (root's home is closed): /var/tmp/mpp-hub-demo.
fn demo_folder() -> Result<PathBuf, db::local_cluster::ClusterError> {
    let here = std::path::absolute("mpp-hub-demo").unwrap_or_else(|_| PathBuf::from("mpp-hub-demo"));
    if db::local_cluster::closed_to_server(&here)?.is_none() {
        return Ok(here);
    }
    let there = PathBuf::from("/var/tmp/mpp-hub-demo");
    eprintln!("mpp-hub demo: {} is closed to the postgres user: the demo lives in {}", here.display(), there.display());
    Ok(there)
}

/// Where the demo's cluster is (its credential file goes beside it).
fn demo_cluster_dir(cluster: Option<&db::local_cluster::LocalCluster>) -> PathBuf {
    cluster.map(|c| c.dir.clone()).unwrap_or_else(|| PathBuf::from("mpp-hub-demo"))
}

async fn update_command(app: &mpp_hub::app::App, cmd: UpdateCommand, now: jiff::Timestamp) -> Result<(), Failure> {
    use mpp_hub::app::updates::UpdateError;
    let failure = |e: UpdateError| match e {
        UpdateError::Db(e) => Failure::from(e),
        e => Failure::BadInput(e.to_string()),
    };
    match cmd {
        UpdateCommand::Add { file } => {
            let b = app.add_bundle(&file, now).await.map_err(failure)?;
            println!("bundle {} ({} bytes, built {}) kept", b.version, b.size, b.built_at);
        }
        UpdateCommand::List => {
            for b in app.bundles().await.map_err(failure)? {
                println!("{}\t{} bytes\tbuilt {}", b.version, b.size, b.built_at);
            }
        }
        UpdateCommand::Rollout { site, version, pilot, all: _ } => {
            let r = app.roll_out(&site, &version, pilot, now).await.map_err(failure)?;
            println!("{site}: {} offered to {:?}", r.version, r.stage);
        }
        UpdateCommand::Pause { site } => {
            let r = app.pause_rollout(&site, true, now).await.map_err(failure)?;
            println!("{site}: {} paused", r.version);
        }
        UpdateCommand::Resume { site } => {
            let r = app.pause_rollout(&site, false, now).await.map_err(failure)?;
            println!("{site}: {} offered again to {:?}", r.version, r.stage);
        }
    }
    Ok(())
}
