//! `mpp-kiosk system …`: the slots' status, and checking or installing an update bundle
//! (docs/system-updates.md). Runs as the caller (root, to write a slot), never as the
//! database's owner: the slots and the ESP are the system's.

use std::path::Path;

use super::{CliError, SystemCommand};
use crate::config::Loaded;
use crate::system::{SystemError, bundle, install, status};
use crate::updater::{Round, Updater};

pub fn run(config: &Loaded, db_path: &Path, cmd: SystemCommand) -> Result<(), CliError> {
    let sys = &config.config.system;
    let state_dir = db_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let layout = status::Layout::new(sys, state_dir);
    match cmd {
        SystemCommand::Status { json } => {
            let now = crate::clock::now()?;
            let r = status::report(&layout, now).map_err(failed)?;
            if let Err(e) = status::publish(state_dir, &r) {
                eprintln!("warning: the report is not kept for the health report: {e}");
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&r).expect("serializes"));
            } else {
                println!("running: slot {} version {}", r.slot.as_str().to_uppercase(), r.version);
                println!(
                    "other:   slot {} {}",
                    r.slot.other().as_str().to_uppercase(),
                    r.other_version.as_deref().map_or("holds nothing bootable".to_owned(), |v| format!("version {v}"))
                );
                match &r.last {
                    Some(l) => println!("last update: {} {:?} at {}", l.version, l.result, l.at_utc),
                    None => println!("last update: none"),
                }
            }
            Ok(())
        }
        SystemCommand::Update { file, signature, check: _, install: do_install } => {
            let sig_path = signature.unwrap_or_else(|| install::beside(&file, ".minisig"));
            let sig = std::fs::read_to_string(&sig_path)
                .map_err(|e| CliError::BadInput(format!("{}: the bundle's signature: {e}", sig_path.display())))?;
            let keys: Vec<String> = config.config.sync.keys().into_iter().map(str::to_owned).collect();
            let t = std::time::Instant::now();
            let manifest = bundle::verify(&file, &sig, &keys, sys.max_bundle_bytes, &mut |_, _| {}).map_err(refused)?;
            let (_, header_len) = bundle::manifest(&file).map_err(refused)?;
            println!(
                "{}: version {}, {} bytes, signature and every part's SHA-256 good ({:.1} s)",
                file.display(),
                manifest.version,
                manifest.payload_size() + header_len as u64,
                t.elapsed().as_secs_f64()
            );
            if !do_install {
                return Ok(());
            }
            let running = status::running(&layout).map_err(failed)?;
            if !status::running_blessed(&layout, running).map_err(failed)? {
                return Err(CliError::Failed(format!(
                    "slot {} runs on its first boots and is not yet counted good: the other slot is its way back; install once the kiosk is up (`mpp-kiosk system status`)",
                    running.as_str().to_uppercase()
                )));
            }
            let now = crate::clock::now()?;
            let t = std::time::Instant::now();
            let job = install::Job { bundle: &file, manifest: &manifest, header_len, running, tries: sys.tries };
            let done = install::install(&layout, &job, now, &mut |_, _| {}).map_err(failed)?;
            println!(
                "installed {} into slot {} ({}, {} tries) in {:.1} s: it starts at the next reboot (the updater restarts at a quiet moment)",
                done.version,
                done.slot.as_str().to_uppercase(),
                done.entry,
                sys.tries,
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        SystemCommand::Updater { once } => {
            let updater = Updater { layout, system: sys.clone(), sync: config.config.sync.clone() };
            if once {
                let now = crate::clock::now()?;
                let said = match updater.round(now).map_err(failed)? {
                    Round::Nothing => "nothing to install: no update is offered".to_owned(),
                    Round::NotBlessed => {
                        "not yet: the running slot is on its first boots and not counted good".to_owned()
                    }
                    Round::Pending(v) => format!("{v} is installed in the other slot: it starts at a quiet moment"),
                    Round::Refused { version, reason } => {
                        return Err(CliError::BadInput(format!("update {version} refused: {reason}")));
                    }
                };
                println!("{said}");
                return Ok(());
            }
            run_updater(&updater)
        }
    }
}

/// The service's loop: a round every [system] check_secs (a tenth more or less, so a
/// site's kiosks do not all ask at once); a pending update restarts the kiosk when quiet.
fn run_updater(updater: &Updater) -> Result<(), CliError> {
    log::info!(
        "updater: every {} s from {}",
        updater.system.check_secs,
        updater
            .sync
            .upload_url
            .as_deref()
            .unwrap_or("no site server ([sync] upload_url): bundles installed by hand only")
    );
    // A request left by the boot before is stale (the kiosk ignores it as well).
    crate::system::gate::clear(&updater.layout.state_dir);
    loop {
        let now = crate::clock::now()?;
        match updater.round(now) {
            Ok(Round::Pending(version)) => {
                let why = updater.wait_for_quiet(&version, &kiosk_running).map_err(failed)?;
                log::info!("restarting into {version}: {why}");
                let status = std::process::Command::new("systemctl")
                    .arg("reboot")
                    .status()
                    .map_err(|e| CliError::Failed(format!("systemctl reboot: {e}")))?;
                if !status.success() {
                    return Err(CliError::Failed(format!("systemctl reboot: {status}")));
                }
                // The system stops this service on the way down.
                std::thread::sleep(std::time::Duration::from_secs(600));
                continue;
            }
            Ok(Round::NotBlessed) => log::info!("updater: the running slot is not yet counted good; nothing installed"),
            Ok(Round::Refused { version, reason }) => log::error!("updater: {version} refused: {reason}"),
            Ok(Round::Nothing) => log::debug!("updater: nothing offered"),
            Err(e) => log::warn!("updater: {e} (tried again in {} s)", updater.system.check_secs),
        }
        let jitter = jitter_secs(updater.system.check_secs);
        std::thread::sleep(std::time::Duration::from_secs(
            updater.system.check_secs - updater.system.check_secs / 10 + jitter,
        ));
    }
}

/// 0 to a fifth of `secs`, different on each kiosk and round.
fn jitter_secs(secs: u64) -> u64 {
    let nanos = crate::clock::file_clock().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    u64::from(nanos ^ std::process::id()) % (secs / 5 + 1)
}

/// Whether the kiosk's screen runs (nobody can be at a kiosk whose screen is dark).
fn kiosk_running() -> bool {
    std::process::Command::new("systemctl")
        .args(["is-active", "--quiet", "mpp-kiosk.service"])
        .status()
        .is_ok_and(|s| s.success())
}

fn refused(e: SystemError) -> CliError {
    match e {
        SystemError::Io { .. } => CliError::Failed(e.to_string()),
        e => CliError::BadInput(format!("refused: {e}")),
    }
}

fn failed(e: SystemError) -> CliError {
    CliError::Failed(e.to_string())
}
