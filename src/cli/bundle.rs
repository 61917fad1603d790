//! `mpp-kiosk support-bundle`: one file a technician sends when asking for help — the
//! doctor's report, the sync state, recent logs, versions and the config with its secrets
//! removed.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{CliError, Context};

/// The config as text, with what must not leave the kiosk replaced.
pub fn redacted_config(path: Option<&Path>) -> String {
    let Some(path) = path else { return "# no config file: built-in defaults\n".into() };
    let Ok(text) = std::fs::read_to_string(path) else { return format!("# {} could not be read\n", path.display()) };
    let Ok(mut v) = toml::from_str::<toml::Table>(&text) else { return format!("# {} is not valid TOML (doctor says why)\n", path.display()) };
    if let Some(staff) = v.get_mut("staff").and_then(|s| s.as_table_mut()) {
        if staff.contains_key("pin_hash") {
            staff.insert("pin_hash".into(), "<removed>".into());
        }
    }
    if let Some(sync) = v.get_mut("sync").and_then(|s| s.as_table_mut()) {
        for key in ["url", "upload_url"] {
            if let Some(u) = sync.get(key).and_then(|u| u.as_str()) {
                // Tokens hide in user info and query strings.
                let cleaned = strip_secrets(u);
                sync.insert(key.into(), cleaned.into());
            }
        }
    }
    format!("# {} (secrets removed)\n{}", path.display(), toml::to_string_pretty(&v).unwrap_or_default())
}

fn strip_secrets(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    match no_query.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://<removed>@{host}"),
            None => no_query.to_owned(),
        },
        None => no_query.to_owned(),
    }
}

fn run_capture(cmd: &mut Command) -> String {
    match cmd.output() {
        Ok(o) => format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
        Err(e) => format!("(could not run: {e})\n"),
    }
}

pub fn run(ctx: &Context, out: Option<PathBuf>) -> Result<(), CliError> {
    let now = jiff::Timestamp::now();
    let stamp = now.strftime("%Y%m%d-%H%M%S").to_string();
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "kiosk".into());
    let name = format!("mpp-kiosk-support-{host}-{stamp}");
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{name}.tar.gz")));
    let work = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let dir = work.join(&name);
    std::fs::create_dir_all(&dir).map_err(|e| CliError::Failed(format!("{}: {e}", dir.display())))?;
    let exe = std::env::current_exe().map_err(|e| CliError::Failed(e.to_string()))?;
    let me = |args: &[&str]| {
        let mut c = Command::new(&exe);
        if let Some(p) = &ctx.config.path {
            c.arg("--config").arg(p);
        }
        c.arg("--db").arg(&ctx.db_path).args(args);
        run_capture(&mut c)
    };
    let files: Vec<(&str, String)> = vec![
        ("doctor.txt", me(&["doctor"])),
        ("doctor.json", me(&["doctor", "--json"])),
        ("sync-status.json", me(&["sync", "status", "--json"])),
        ("tickets-today.txt", me(&["ticket", "list"])),
        ("config.toml", redacted_config(ctx.config.path.as_deref())),
        (
            "versions.txt",
            format!(
                "mpp-kiosk {}\n{}{}",
                env!("CARGO_PKG_VERSION"),
                run_capture(Command::new("uname").arg("-a")),
                std::fs::read_to_string("/etc/os-release").unwrap_or_default()
            ),
        ),
        ("journal.txt", run_capture(Command::new("journalctl").args(["-u", "mpp-kiosk.service", "--no-pager", "-n", "5000", "-o", "short-iso"]))),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), text).map_err(|e| CliError::Failed(format!("{file}: {e}")))?;
    }
    let status = Command::new("tar").arg("czf").arg(std::path::absolute(&out).unwrap_or(out.clone())).arg("-C").arg(&work).arg(&name).status();
    let _ = std::fs::remove_dir_all(&work);
    match status {
        Ok(s) if s.success() => {
            println!("{}", out.display());
            Ok(())
        }
        Ok(s) => Err(CliError::Failed(format!("tar failed ({s})"))),
        Err(e) => Err(CliError::Failed(format!("cannot run tar: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[staff]\npin_hash = \"pbkdf2-sha256$1$00$11\"\n[sync]\nupload_url = \"https://user:pw@mpp.example/upload?token=abc\"\npublic_key = \"RWQpublic\"\n").unwrap();
        let r = redacted_config(Some(&p));
        assert!(!r.contains("pbkdf2") && !r.contains("pw@") && !r.contains("token=abc"), "{r}");
        assert!(r.contains("https://<removed>@mpp.example/upload") && r.contains("RWQpublic"), "{r}");
    }
}
