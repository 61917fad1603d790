//! The command line: dispatch and what every command starts from. The arguments are in
//! `args.rs`, the exit-code contract (0 ok, 2 bad input, 1 any other failure) in `error.rs`.

mod args;
mod bundle;
mod catalogue_cmd;
mod doctor;
mod error;
mod identity;
mod render;
mod speech_cmd;
mod survey_cmd;
mod sync_cmd;
mod system_cmd;
mod ticket_cmd;

use std::path::PathBuf;

pub use args::*;
pub use error::CliError;

use crate::catalogue::{Catalogue, DEFAULT_SOURCE};
use crate::config;
use crate::store::Store;
use crate::text::Lang;

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
        let logo = crate::printing::load_logo(&p.logo, p.paper)
            .map_err(|e| CliError::BadInput(format!("{}: [printer] {e}", self.config.describe())))?;
        let uri = p.uri.clone().unwrap_or_else(|| {
            let dir = self.db_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            crate::printing::PrinterUri::Preview(dir.join("preview"))
        });
        if let Some(t) = &p.qr_url {
            crate::printing::check_qr_template(t, p.qr, p.paper)
                .map_err(|e| CliError::BadInput(format!("{}: [printer] {e}", self.config.describe())))?;
        }
        Ok(crate::printing::PrintSettings {
            uri,
            paper: p.paper,
            qr: p.qr,
            qr_url: p.qr_url.clone(),
            timeout: p.timeout_ms.duration(),
            logo,
            lock: Some(self.db_path.with_extension("printer-lock")),
        })
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
    store
        .load_catalogue()?
        .ok_or_else(|| CliError::Failed("the embedded catalogue did not read back after import".into()))
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
        clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
            .render(&mut out)
            .map_err(|e| CliError::Failed(e.to_string()))?;
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
        crate::sync::fetch::read_ca_file(path)
            .map_err(|e| CliError::BadInput(format!("{}: [sync] ca_file {e}", config.describe())))?;
    }
    if let Some(path) = &config.config.sync.upload_token_file {
        crate::sync::fetch::read_token_file(path)
            .map_err(|e| CliError::BadInput(format!("{}: [sync] upload_token_file {e}", config.describe())))?;
    }
    let db_path = config.database_path(cli.db.as_deref());
    if let Command::System(cmd) = command {
        return system_cmd::run(&config, &db_path, cmd);
    }
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
        Command::Speech(cmd) => speech_cmd::run(&ctx, cmd),
        Command::System(_) => unreachable!("handled before the identity switch"),
        Command::Sync(cmd) => sync_cmd::run(&ctx, cmd),
        Command::Feed(cmd) => sync_cmd::feed(&ctx, cmd),
        Command::Staff(StaffCommand::PinHash) => {
            let mut pin = String::new();
            std::io::stdin().read_line(&mut pin).map_err(|e| CliError::Failed(e.to_string()))?;
            let pin = pin.trim();
            if !crate::staff_pin::valid_pin(pin) {
                return Err(CliError::BadInput(
                    "a staff PIN is 6 to 8 digits (read from stdin: echo 246810 | mpp-kiosk staff pin-hash)".into(),
                ));
            }
            println!("[staff]\npin_hash = \"{}\"", crate::staff_pin::hash_pin(pin));
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
        let sync_handle = crate::sync::runner::spawn(
            ctx.db_path.clone(),
            ctx.config.config.sync.clone(),
            catalogue.feed.site.code.clone(),
            crate::hours::zone(&catalogue.feed.site.time_zone).unwrap_or(jiff::tz::TimeZone::UTC),
            kiosk.id.get(),
            crate::clock::system(),
            crate::sync::runner::Deliver {
                catalogue: Box::new(crate::ui::deliver_catalogue),
                queue: Box::new(crate::ui::deliver_queue),
            },
        );
        if let Some(uri) = ctx.config.config.scanner.uri.clone() {
            crate::scanner::spawn(uri, crate::ui::deliver_scan);
        }
        let speech = ctx.config.config.speech.clone();
        let speech = speech.keypad.clone().map(|keypad| {
            log::info!("speech mode: keypad {}, sound on {}", keypad.display(), speech.device);
            crate::keypad::spawn(keypad, crate::ui::deliver_key);
            crate::app::SpeechSetup { sink: crate::speech::Sink::parse(&speech.device), config: speech }
        });
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
                sync_handle,
                speech,
                restart: Some(crate::system::gate::Quiet {
                    state_dir: ctx
                        .db_path
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .map_or_else(|| ".".into(), std::path::Path::to_owned),
                    boot_id: crate::system::gate::boot_id(std::path::Path::new("/proc/sys/kernel/random/boot_id")),
                    after: std::time::Duration::from_secs(ctx.config.config.system.quiet_secs),
                    when: ctx.config.config.system.restart_when,
                }),
            },
            hide_cursor: fullscreen || kms,
        })
        .map_err(|e| CliError::Failed(e.to_string()))
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = catalogue;
        Err(CliError::Failed(
            "this build has no screen (built without the `gui` feature); the catalogue commands still work".into(),
        ))
    }
}

fn screenshot(ctx: &Context, args: ScreenshotArgs) -> Result<(), CliError> {
    #[cfg(feature = "gui")]
    {
        if args.list {
            crate::ui::screenshot::SCREENS.iter().for_each(|s| println!("{s}"));
            return Ok(());
        }
        let Some(out) = args.out else { return Err(CliError::BadInput("screenshot: --out is needed".into())) };
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
            out,
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
