//! `mpp-kiosk system …`: the slots' status, and checking or installing an update bundle
//! (docs/system-updates.md). Runs as the caller (root, to write a slot), never as the
//! database's owner: the slots and the ESP are the system's.

use std::path::Path;

use super::{CliError, SystemCommand};
use crate::config::Loaded;
use crate::system::{SystemError, bundle, install, status};

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
            let now = crate::clock::now()?;
            let t = std::time::Instant::now();
            let done = install::install(&layout, &file, &manifest, header_len, running, sys.tries, now, &mut |_, _| {})
                .map_err(failed)?;
            println!(
                "installed {} into slot {} ({}, {} tries) in {:.1} s: it starts at the next reboot",
                done.version,
                done.slot.as_str().to_uppercase(),
                done.entry,
                sys.tries,
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
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
