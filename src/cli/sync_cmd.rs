//! `mpp-kiosk sync …` and `mpp-kiosk feed verify`.

use super::{CliError, Context, FeedCommand, SyncCommand, ensure_catalogue, print_json};
use crate::sync::{self, SyncError};

impl From<SyncError> for CliError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Store(e) => e.into(),
            e => CliError::Failed(e.to_string()),
        }
    }
}

pub fn run(ctx: &Context, cmd: SyncCommand) -> Result<(), CliError> {
    let mut store = ctx.open_store()?;
    // A first start with no network still has the embedded catalogue.
    let catalogue = ensure_catalogue(&mut store)?;
    let cfg = &ctx.config.config.sync;
    match cmd {
        SyncCommand::Now { json } => {
            if cfg.url.is_none() && cfg.upload_url.is_none() {
                return Err(CliError::BadInput(format!(
                    "{}: [sync] has neither url nor upload_url: nothing to do",
                    ctx.config.describe()
                )));
            }
            let now = crate::clock::now()?;
            let sync::Round { pulled, uploaded, .. } =
                sync::round(&mut store, cfg, &catalogue.feed.site.code, ctx.config.config.kiosk.id.get(), now);
            if json {
                print_json(&serde_json::json!({
                    "pull": match &pulled { Ok(p) => serde_json::to_value(p).unwrap_or_default(), Err(e) => serde_json::json!({"error": e.to_string()}) },
                    "upload": match &uploaded { Ok(u) => serde_json::to_value(u).unwrap_or_default(), Err(e) => serde_json::json!({"error": e.to_string()}) },
                }))?;
            } else {
                match &pulled {
                    Ok(Some(sync::Pulled::Imported { version, services })) => {
                        println!("catalogue: imported version {version} ({services} services)")
                    }
                    Ok(Some(sync::Pulled::NotModified)) => println!("catalogue: unchanged"),
                    Ok(None) => println!("catalogue: no [sync] url"),
                    Err(_) => {}
                }
                match &uploaded {
                    Ok(Some(u)) => println!("upload: {} records in {} batches", u.records, u.batches),
                    Ok(None) => {
                        println!("upload: no [sync] upload_url ({} records waiting)", store.outbox_stats()?.pending)
                    }
                    Err(_) => {}
                }
            }
            pulled?;
            uploaded?;
        }
        SyncCommand::Status { json } => {
            let st = sync::status(&mut store, cfg, crate::clock::now()?)?;
            if json {
                print_json(&st)?;
            } else {
                let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                println!("feed url:          {}", or(&st.url));
                println!(
                    "catalogue:         version {} from {}",
                    st.catalogue_version.map_or("-".into(), |v| v.to_string()),
                    or(&st.catalogue_source)
                );
                match (&st.catalogue_expires, st.catalogue_expired) {
                    (Some(e), true) => println!(
                        "catalogue EXPIRED: at {e}; still shown, with a notice to citizens, until a fresh feed arrives"
                    ),
                    (Some(e), false) => println!("catalogue valid:   until {e}"),
                    (None, _) => {}
                }
                println!("last pull attempt: {}", or(&st.last_attempt_utc));
                println!("last pull success: {}", or(&st.last_success_utc));
                println!("last pull error:   {}", or(&st.last_error));
                println!("upload url:        {}", or(&st.upload_url));
                println!(
                    "last upload:       {} (error: {})",
                    or(&st.last_upload_success_utc),
                    or(&st.last_upload_error)
                );
                println!(
                    "outbox:            {} waiting (oldest {}), {} sent",
                    st.outbox.pending,
                    or(&st.outbox.oldest_pending_utc),
                    st.outbox.acknowledged
                );
            }
        }
    }
    Ok(())
}

pub fn feed(ctx: &Context, cmd: FeedCommand) -> Result<(), CliError> {
    use crate::catalogue::source;
    match cmd {
        FeedCommand::Build { from, out, feed_version: version, expires_days } => {
            let read = |name: &str| {
                std::fs::read_to_string(from.join(name))
                    .map_err(|e| CliError::BadInput(format!("{}: {e}", from.join(name).display())))
            };
            let src = source::Source {
                site_toml: read("site.toml")?,
                agencies_csv: read("agencies.csv")?,
                services_csv: read("services.csv")?,
            };
            let now = crate::clock::now()?;
            let version = match version {
                Some(v) => v,
                None => {
                    let z = now.to_zoned_datetime(jiff::tz::TimeZone::UTC);
                    format!("{:04}{:02}{:02}{:02}{:02}", z.year(), z.month(), z.day(), z.hour(), z.minute())
                        .parse()
                        .expect("digits")
                }
            };
            let mut feed = source::from_source(&src, version, now)
                .map_err(|e| CliError::BadInput(format!("{}: {e}", from.display())))?;
            if let Some(days) = expires_days {
                feed.expires = Some(
                    now.checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
                        .map_err(|e| CliError::BadInput(e.to_string()))?,
                );
            }
            let json = serde_json::to_vec_pretty(&feed).map_err(|e| CliError::Failed(e.to_string()))?;
            std::fs::write(&out, json).map_err(|e| CliError::Failed(format!("{}: {e}", out.display())))?;
            println!(
                "{}: version {}, {} agencies, {} services; sign it with: minisign -S -m {}",
                out.display(),
                feed.version,
                feed.agencies.len(),
                feed.services.len(),
                out.display()
            );
        }
        FeedCommand::Source { out, feed } => {
            let feed = match feed {
                Some(p) => {
                    let bytes = std::fs::read(&p).map_err(|e| CliError::BadInput(format!("{}: {e}", p.display())))?;
                    crate::catalogue::parse_feed(&bytes)
                        .map_err(|e| CliError::BadInput(format!("{}: {e}", p.display())))?
                }
                None => ensure_catalogue(&mut ctx.open_store()?)?.feed,
            };
            let src = source::to_source(&feed);
            std::fs::create_dir_all(&out).map_err(|e| CliError::Failed(format!("{}: {e}", out.display())))?;
            for (name, text) in [
                ("site.toml", &src.site_toml),
                ("agencies.csv", &src.agencies_csv),
                ("services.csv", &src.services_csv),
            ] {
                std::fs::write(out.join(name), text)
                    .map_err(|e| CliError::Failed(format!("{}: {e}", out.join(name).display())))?;
            }
            println!(
                "{}: site.toml, agencies.csv ({} rows), services.csv ({} rows)",
                out.display(),
                feed.agencies.len(),
                feed.services.len()
            );
        }
        FeedCommand::Verify { feed, key, sig } => {
            let read =
                |p: &std::path::Path| std::fs::read(p).map_err(|e| CliError::BadInput(format!("{}: {e}", p.display())));
            let bytes = read(&feed)?;
            let sig_path = sig.unwrap_or_else(|| std::path::PathBuf::from(format!("{}.minisig", feed.display())));
            let signature = read(&sig_path)?;
            // A .pub file has a comment line, then the key line.
            let key = match std::fs::read_to_string(&key) {
                Ok(text) => text.lines().map(str::trim).find(|l| l.starts_with("RW")).unwrap_or_default().to_owned(),
                Err(_) => key,
            };
            sync::verify::verify(&bytes, &signature, &[key.as_str()])
                .map_err(|e| CliError::BadInput(format!("{}: {e}", feed.display())))?;
            let now = crate::clock::now()?;
            let f = sync::check_feed(&bytes, None, now)
                .map_err(|e| CliError::BadInput(format!("{}: {e}", feed.display())))?;
            println!(
                "{}: signature good; version {}, {} agencies, {} services{}",
                feed.display(),
                f.version,
                f.agencies.len(),
                f.services.len(),
                f.expires.map(|e| format!(", expires {e}")).unwrap_or_default()
            );
        }
    }
    Ok(())
}
