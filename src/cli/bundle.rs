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
    let Ok(mut v) = toml::from_str::<toml::Table>(&text) else {
        return format!("# {} is not valid TOML (doctor says why)\n", path.display());
    };
    if let Some(staff) = v.get_mut("staff").and_then(|s| s.as_table_mut())
        && staff.contains_key("pin_hash")
    {
        staff.insert("pin_hash".into(), "<removed>".into());
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

/// Every URL in `text` without user info, query or fragment, and every known secret
/// replaced: what doctor, sync status and the journal print may carry a token.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The URL starts at its scheme, just before "://".
        let start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
            .map_or(0, |i| i + 1);
        let end = at
            + rest[at..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ','))
                .unwrap_or(rest.len() - at);
        out.push_str(&rest[..start]);
        out.push_str(&strip_secrets(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    secrets.iter().filter(|s| s.len() >= 6).fold(out, |t, s| t.replace(s.as_str(), "<removed>"))
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
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let now = crate::clock::now()?;
    let stamp = now.strftime("%Y%m%d-%H%M%S").to_string();
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "kiosk".into());
    let name = format!("mpp-kiosk-support-{host}-{stamp}");
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{name}.tar.gz")));
    // An unpredictable, private work folder: another user cannot plant or read files in it.
    let work = std::env::temp_dir().join(format!("mpp-kiosk-bundle-{}", uuid::Uuid::new_v4()));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&work)
        .map_err(|e| CliError::Failed(format!("{}: {e}", work.display())))?;
    let dir = work.join(&name);
    std::fs::create_dir_all(&dir).map_err(|e| CliError::Failed(format!("{}: {e}", dir.display())))?;
    // What must not leave the kiosk, wherever it shows up.
    let sync = &ctx.config.config.sync;
    let secrets: Vec<String> = ctx
        .config
        .config
        .staff
        .pin_hash
        .iter()
        .cloned()
        .chain(sync.upload_token_file.as_deref().and_then(|p| crate::sync::fetch::read_token_file(p).ok()))
        .collect();
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
        (
            "journal.txt",
            run_capture(Command::new("journalctl").args([
                "-u",
                "mpp-kiosk.service",
                "--no-pager",
                "-n",
                "5000",
                "-o",
                "short-iso",
            ])),
        ),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), scrub(&text, &secrets)).map_err(|e| CliError::Failed(format!("{file}: {e}")))?;
    }
    // The tarball is for the technician only: 0600 from its creation.
    let tarball = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&out)
        .map_err(|e| CliError::Failed(format!("{}: {e}", out.display())));
    let status = tarball.and_then(|f| {
        Command::new("tar")
            .arg("czf")
            .arg("-")
            .arg("-C")
            .arg(&work)
            .arg(&name)
            .stdout(f)
            .status()
            .map_err(|e| CliError::Failed(format!("cannot run tar: {e}")))
    });
    let _ = std::fs::remove_dir_all(&work);
    match status? {
        s if s.success() => {
            println!("{}", out.display());
            Ok(())
        }
        s => Err(CliError::Failed(format!("tar failed ({s})"))),
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

    #[test]
    fn every_url_and_secret_in_any_text_is_scrubbed() {
        let text = "sync: https://u:pw@mpp.example/feed.json?token=X failed\nurl \"http://h/up?k=v\", pin pbkdf2-sha256$9$aa$bb and credential kiosk-1.s3cr3t\nfile:///media/usb/feed.json";
        let r = scrub(text, &["pbkdf2-sha256$9$aa$bb".into(), "kiosk-1.s3cr3t".into()]);
        assert_eq!(
            r,
            "sync: https://<removed>@mpp.example/feed.json failed\nurl \"http://h/up\", pin <removed> and credential <removed>\nfile:///media/usb/feed.json"
        );
    }
}
