//! `mpp-kiosk doctor`: what a technician checks first. Reports every check, even after one
//! fails, and never changes the database.

use std::path::Path;

use serde::Serialize;

use super::CliError;
use crate::config;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
}

#[derive(Debug, Serialize)]
struct Report {
    ok: bool,
    checks: Vec<Check>,
}

pub fn run(config_arg: Option<&Path>, db_arg: Option<&Path>, json: bool) -> Result<(), CliError> {
    let mut checks = Vec::new();
    let mut add = |name, status, detail: String| checks.push(Check { name, status, detail });

    let loaded = match config::load(config_arg) {
        Ok(l) => {
            let detail = match &l.path {
                Some(p) => format!("{} (kiosk id {})", p.display(), l.config.kiosk.id.get()),
                None => format!("no file; built-in defaults (kiosk id {})", l.config.kiosk.id.get()),
            };
            add("config", Status::Ok, detail);
            l
        }
        Err(e) => {
            add("config", Status::Fail, e.to_string());
            // Go on with the defaults to check what else can be checked.
            config::Loaded { config: config::Config::default(), path: None }
        }
    };

    let db_path = loaded.database_path(db_arg);
    if let Err(e) = super::identity::act_as_owner_of_database(&db_path) {
        add("database", Status::Fail, e);
    }
    if !db_path.exists() {
        add(
            "database",
            Status::Warn,
            format!("{} does not exist yet; the kiosk creates it at first start", db_path.display()),
        );
    } else {
        match Store::open(&db_path) {
            Err(e) => add("database", Status::Fail, e.to_string()),
            Ok(mut store) => {
                let schema = store.schema_version().map(|v| v.to_string()).unwrap_or_else(|e| e.to_string());
                let journal = store.journal_mode().unwrap_or_else(|e| e.to_string());
                let sync = store.synchronous().map(str::to_owned).unwrap_or_else(|e| e.to_string());
                add(
                    "database",
                    Status::Ok,
                    format!("{} (schema {schema}, journal {journal}, synchronous {sync})", db_path.display()),
                );
                match store.check_integrity() {
                    Ok(()) => add("integrity", Status::Ok, "database and search index pass their checks".into()),
                    Err(e) => add("integrity", Status::Fail, e.to_string()),
                }
                match store.catalogue_stats() {
                    Ok(Some(s)) => {
                        add(
                            "catalogue",
                            Status::Ok,
                            format!(
                                "version {} generated {} from {}, imported {}: {} agencies, {} services ({} active)",
                                s.version,
                                s.generated_at,
                                s.source,
                                s.imported_at,
                                s.agencies,
                                s.services,
                                s.active_services
                            ),
                        );
                        // A catalogue nobody has refreshed in half a year may tell citizens old fees.
                        let age_days = s
                            .generated_at
                            .parse::<jiff::Timestamp>()
                            .ok()
                            .map(|g| (crate::clock::system_time().as_second() - g.as_second()) / 86_400);
                        match age_days {
                            Some(d) if d > 180 => add(
                                "age",
                                Status::Warn,
                                format!("the catalogue was published {d} days ago: ask the publisher for a fresh feed"),
                            ),
                            Some(d) => add("age", Status::Ok, format!("published {d} days ago")),
                            None => add(
                                "age",
                                Status::Warn,
                                format!("cannot read the publication time {:?}", s.generated_at),
                            ),
                        }
                        match (s.expires.as_deref().map(|e| e.parse::<jiff::Timestamp>()), crate::clock::now()) {
                            (Some(Ok(e)), Ok(now)) if e <= now => add(
                                "expiry",
                                Status::Warn,
                                format!(
                                    "the catalogue EXPIRED at {e}: citizens still see it, with a notice that it may be out of date; publish a fresh feed"
                                ),
                            ),
                            (Some(Ok(e)), _) => add("expiry", Status::Ok, format!("valid until {e}")),
                            (Some(Err(e)), _) => {
                                add("expiry", Status::Warn, format!("cannot read the expiry time: {e}"))
                            }
                            (None, _) => {}
                        }
                        let status = if s.unverified_services > 0 { Status::Warn } else { Status::Ok };
                        add(
                            "verified",
                            status,
                            format!(
                                "{} of {} services not yet verified by the site",
                                s.unverified_services, s.services
                            ),
                        );
                    }
                    Ok(None) => add(
                        "catalogue",
                        Status::Warn,
                        "none stored yet; the kiosk loads the embedded one at first start".into(),
                    ),
                    Err(e) => add("catalogue", Status::Fail, e.to_string()),
                }
                match crate::sync::status(
                    &mut store,
                    &loaded.config.sync,
                    crate::clock::now().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                ) {
                    Ok(st) => {
                        let sync_detail = match (&st.url, &st.last_error) {
                            (None, _) => (Status::Warn, "no [sync] url: the catalogue is never updated".to_owned()),
                            (Some(u), Some(e)) => (
                                Status::Warn,
                                format!(
                                    "{u}: last pull failed: {e} (last success {})",
                                    st.last_success_utc.as_deref().unwrap_or("never")
                                ),
                            ),
                            (Some(u), None) => (
                                Status::Ok,
                                format!("{u}: last success {}", st.last_success_utc.as_deref().unwrap_or("never yet")),
                            ),
                        };
                        add("sync", sync_detail.0, sync_detail.1);
                        // A day of tickets not uploaded is worth a look; the kiosk keeps them safely.
                        let backlog = st.outbox.pending;
                        let status = if backlog > 0 && st.upload_url.is_some() && st.last_upload_error.is_some() {
                            Status::Warn
                        } else {
                            Status::Ok
                        };
                        add(
                            "outbox",
                            status,
                            format!(
                                "{backlog} records waiting{}, {} sent{}",
                                st.outbox.oldest_pending_utc.map(|o| format!(" (oldest {o})")).unwrap_or_default(),
                                st.outbox.acknowledged,
                                st.last_upload_error.map(|e| format!("; last upload error: {e}")).unwrap_or_default()
                            ),
                        );
                    }
                    Err(e) => add("sync", Status::Fail, e.to_string()),
                }
            }
        }
    }

    // The machine: display, touch, printer, clock, disk, watchdog; sync reachability.
    let (status, detail) = display();
    add("display", status, detail);
    let (status, detail) = touch();
    add("touch", status, detail);
    let (status, detail) = printer(&loaded, &db_path);
    add("printer", status, detail);
    if let Some((status, detail)) = speech(&loaded.config.speech) {
        add("speech", status, detail);
    }
    let (status, detail) = clock();
    add("clock", status, detail);
    let (status, detail) = disk(db_path.parent().unwrap_or(Path::new("/")));
    add("disk", status, detail);
    let (status, detail) = watchdog();
    add("watchdog", status, detail);
    if let Some(url) = &loaded.config.sync.url {
        // Reachability only: the signature file is small and reading it changes nothing.
        let sig = crate::sync::signature_url(url);
        let r = crate::sync::fetch::get(
            &sig,
            None,
            crate::sync::fetch::Limits { max_bytes: 64 * 1024, ..crate::sync::limits(&loaded.config.sync) },
        );
        match r {
            Ok(_) => add("reachable", Status::Ok, format!("{sig} answers")),
            Err(e) => add("reachable", Status::Warn, format!("{e} (the kiosk keeps its catalogue)")),
        }
    }

    let ok = checks.iter().all(|c| c.status != Status::Fail);
    let report = Report { ok, checks };
    if json {
        println!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
    } else {
        for c in &report.checks {
            let mark = match c.status {
                Status::Ok => "ok  ",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            println!("{mark}  {:<10} {}", c.name, c.detail);
        }
    }
    if ok { Ok(()) } else { Err(CliError::Failed("doctor: a check failed (see above)".into())) }
}

/// A screen to draw on: DRM/KMS devices on the kiosk, or a desktop session.
fn display() -> (Status, String) {
    let cards: Vec<String> = std::fs::read_dir("/dev/dri")
        .map(|rd| rd.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.starts_with("card")).collect())
        .unwrap_or_default();
    let desktop = std::env::var_os("DISPLAY").or_else(|| std::env::var_os("WAYLAND_DISPLAY"));
    match (cards.is_empty(), desktop) {
        (false, _) => {
            let writable: Vec<&String> = cards.iter().filter(|c| access_rw(&format!("/dev/dri/{c}"))).collect();
            if writable.is_empty() {
                (
                    Status::Fail,
                    format!(
                        "/dev/dri/{} exists but this user cannot open it: add the user to group video",
                        cards.join(", /dev/dri/")
                    ),
                )
            } else {
                (
                    Status::Ok,
                    format!(
                        "KMS device /dev/dri/{} ({})",
                        writable[0],
                        std::env::var("SLINT_KMS_ROTATION")
                            .map(|r| format!("rotation {r}"))
                            .unwrap_or_else(|_| "no rotation".into())
                    ),
                )
            }
        }
        (true, Some(d)) => (Status::Ok, format!("desktop session {}", d.to_string_lossy())),
        (true, None) => (
            Status::Fail,
            "no /dev/dri/card* and no desktop session: no screen to draw on (check the graphics driver and cable)"
                .into(),
        ),
    }
}

fn access_rw(path: &str) -> bool {
    let c = std::ffi::CString::new(path).expect("no NUL in a path");
    // SAFETY: a valid C string; access(2) only reads it.
    unsafe { libc::access(c.as_ptr(), libc::R_OK | libc::W_OK) == 0 }
}

/// Touch screens the kernel knows: direct-input devices with absolute axes, and absolute
/// pointers (touch panels in "mouse mode", which many kiosk panels are; libinput takes both).
fn touch() -> (Status, String) {
    let Ok(text) = std::fs::read_to_string("/proc/bus/input/devices") else {
        return (Status::Warn, "cannot read /proc/bus/input/devices".into());
    };
    let mut found = Vec::new();
    for block in text.split("\n\n") {
        let name = block.lines().find_map(|l| l.strip_prefix("N: Name=")).unwrap_or("").trim_matches('"');
        let bits = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.split_whitespace().last().and_then(|w| u64::from_str_radix(w, 16).ok()).unwrap_or(0))
        };
        // PROP bit 0 = INPUT_PROP_POINTER (a touch pad), bit 1 = INPUT_PROP_DIRECT (a touch screen).
        let prop = bits("B: PROP=").unwrap_or(0);
        // ABS bits 0 and 1: ABS_X and ABS_Y; no relative X/Y (a mouse; a wheel is fine).
        let abs_xy = bits("B: ABS=").is_some_and(|a| a & 3 == 3);
        let relative = bits("B: REL=").is_some_and(|r| r & 3 != 0);
        let handler = block
            .lines()
            .find_map(|l| l.strip_prefix("H: Handlers="))
            .and_then(|h| h.split_whitespace().find(|w| w.starts_with("event")))
            .unwrap_or("");
        let kind = if prop & 2 != 0 && abs_xy {
            "touch screen"
        } else if prop & 1 == 0 && abs_xy && !relative {
            "absolute pointer"
        } else {
            continue;
        };
        let dev = format!("/dev/input/{handler}");
        found.push(format!(
            "{name}: {kind} ({dev}{})",
            if access_rw(&dev) { "" } else { ", NOT readable and writable: add the user to group input" }
        ));
    }
    if found.is_empty() {
        (
            Status::Warn,
            "no touch screen found (check the USB cable of the touch panel); a mouse works for testing".into(),
        )
    } else if found.iter().any(|f| f.contains("NOT readable and writable")) {
        (Status::Fail, found.join("; "))
    } else {
        (Status::Ok, found.join("; "))
    }
}

/// The speech mode, when configured: the keypad, the synthesizer, the player and a sound
/// card. A missing part silences it for the citizens who need it most: a failure.
fn speech(config: &crate::speech::SpeechConfig) -> Option<(Status, String)> {
    let keypad = config.keypad.as_ref()?;
    let mut problems = Vec::new();
    let mut parts = Vec::new();
    match std::fs::canonicalize(keypad) {
        Ok(dev) if access_rw(&dev.to_string_lossy()) || std::fs::File::open(&dev).is_ok() => {
            parts.push(format!("keypad {} ({})", keypad.display(), dev.display()))
        }
        Ok(dev) => problems.push(format!("keypad {} cannot be read: add the user to group input", dev.display())),
        Err(_) => problems.push(format!(
            "no keypad at {} (plugged in? the udev rule names it: docs/speech-mode.md)",
            keypad.display()
        )),
    }
    let runs = |program: &std::path::Path, arg: &str| {
        std::process::Command::new(program).arg(arg).output().is_ok_and(|o| o.status.success())
    };
    if runs(&config.synthesizer, "--version") {
        parts.push(format!("synthesizer {}", config.synthesizer.display()));
    } else {
        problems.push(format!("the synthesizer {} does not run (apt install espeak-ng)", config.synthesizer.display()));
    }
    if !runs(std::path::Path::new("aplay"), "--version") {
        problems.push("aplay is missing (apt install alsa-utils)".into());
    } else if config.device.starts_with("folder:") {
        parts.push(format!("sound into {}", config.device));
    } else {
        let cards = std::fs::read_to_string("/proc/asound/cards").unwrap_or_default();
        match cards.lines().find(|l| l.contains('[')) {
            Some(card) => parts.push(format!(
                "sound card {}, device {}",
                card.split_whitespace().collect::<Vec<_>>().join(" "),
                config.device
            )),
            None => problems.push("no sound card (/proc/asound/cards is empty)".into()),
        }
    }
    Some(if problems.is_empty() { (Status::Ok, parts.join("; ")) } else { (Status::Fail, problems.join("; ")) })
}

/// The printer's real-time status, as the kiosk reads it before each ticket.
fn printer(loaded: &config::Loaded, db_path: &Path) -> (Status, String) {
    // A lock file the service cannot open (left by an older version run as root) keeps
    // the kiosk from ever printing: name it and its owner.
    let lock = db_path.with_extension("printer-lock");
    if let (Ok(l), Some(Ok(d))) = (
        std::fs::metadata(&lock),
        db_path.parent().map(|d| std::fs::metadata(if d.as_os_str().is_empty() { Path::new(".") } else { d })),
    ) {
        use std::os::unix::fs::MetadataExt;
        if l.uid() != d.uid() {
            return (
                Status::Fail,
                format!(
                    "the printer lock {} belongs to uid {}, the database's folder to uid {}: the kiosk cannot print; sudo chown --reference={} {}",
                    lock.display(),
                    l.uid(),
                    d.uid(),
                    db_path.display(),
                    lock.display()
                ),
            );
        }
    }
    let p = &loaded.config.printer;
    let uri = p.uri.clone().unwrap_or_else(|| {
        crate::printing::PrinterUri::Preview(db_path.parent().unwrap_or(Path::new(".")).join("preview"))
    });
    let target = String::from(uri.clone());
    if let crate::printing::PrinterUri::Preview(_) = uri {
        return (Status::Warn, format!("{target}: no printer configured, slips go to a folder ([printer] uri)"));
    }
    // Through a print worker under the printer lock, as the kiosk reads it: never in the
    // middle of a slip the running kiosk prints.
    let settings = crate::printing::PrintSettings {
        uri,
        paper: p.paper,
        qr: p.qr,
        qr_url: None,
        timeout: p.timeout_ms.duration(),
        logo: None,
        lock: Some(lock),
    };
    let worker = match crate::printing::PrintWorker::for_status(db_path.to_owned(), settings, crate::clock::system()) {
        Ok(w) => w,
        Err(e) => return (Status::Fail, format!("{target}: the print worker cannot start: {e}")),
    };
    // A status job reads no catalogue; the worker's request carries one all the same.
    let catalogue = std::sync::Arc::new(crate::catalogue::Catalogue {
        feed: crate::catalogue::default_feed(),
        imported_at: jiff::Timestamp::UNIX_EPOCH,
        source: crate::catalogue::DEFAULT_SOURCE.into(),
    });
    let read = match worker.run_blocking(crate::printing::Job::Status, catalogue, crate::text::Lang::En) {
        Ok(crate::printing::Done::Status(status)) => Ok(status),
        Ok(other) => Err(format!("the print worker answered {other:?}")),
        Err(e) => Err(e.to_string()),
    };
    match read {
        Ok(status) => {
            use crate::printing::Readiness;
            let (readiness, words) = crate::printing::describe(status, crate::text::Lang::En);
            let status = match readiness {
                Readiness::Ready => Status::Ok,
                Readiness::Attention => Status::Warn,
                Readiness::Fault => Status::Fail,
            };
            (status, format!("{target}: {words}"))
        }
        Err(e) => (Status::Fail, format!("{target}: {e}")),
    }
}

/// A clock that is plausible (tickets and days depend on it) and not pinned by accident.
fn clock() -> (Status, String) {
    let now = crate::clock::system_time();
    if let Some(v) = crate::clock::pinned_setting() {
        return (Status::Warn, format!("{} is set ({v}): the kiosk's clock is pinned, not real", crate::clock::ENV));
    }
    if now < "2025-01-01T00:00:00Z".parse::<jiff::Timestamp>().expect("a timestamp") {
        return (Status::Fail, format!("the system clock says {now}: set the time (NTP: timedatectl set-ntp true)"));
    }
    let synced = std::process::Command::new("timedatectl")
        .args(["show", "-p", "NTPSynchronized", "--value"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "yes");
    match synced {
        Some(false) => (Status::Warn, format!("{now} UTC, not synchronised by NTP")),
        _ => (Status::Ok, format!("{now} UTC")),
    }
}

/// Free space where the database lives.
fn disk(dir: &Path) -> (Status, String) {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let probe = std::iter::successors(Some(dir), |d| d.parent()).find(|d| d.exists()).unwrap_or(Path::new("/"));
    let c = std::ffi::CString::new(probe.as_os_str().as_encoded_bytes()).unwrap_or_default();
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a zeroed struct for statvfs(3) to fill.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return (Status::Warn, format!("cannot read free space of {}", probe.display()));
    }
    let free = st.f_bavail as u64 * st.f_frsize as u64;
    let mb = free / 1_000_000;
    let status = if mb < 50 {
        Status::Fail
    } else if mb < 500 {
        Status::Warn
    } else {
        Status::Ok
    };
    (status, format!("{mb} MB free at {}", probe.display()))
}

/// Whether systemd watches the kiosk (the packaged unit sets WatchdogSec).
fn watchdog() -> (Status, String) {
    if let Some(d) = sd_notify::watchdog_enabled() {
        return (Status::Ok, format!("running under the systemd watchdog ({d:?})"));
    }
    match std::process::Command::new("systemctl")
        .args(["show", "mpp-kiosk.service", "-p", "WatchdogUSec", "-p", "ActiveState", "--value"])
        .output()
    {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            let mut lines = out.lines();
            let (wd, state) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
            if state == "active" && wd != "0" && !wd.is_empty() {
                (Status::Ok, format!("mpp-kiosk.service is active with WatchdogSec {wd}"))
            } else {
                (Status::Warn, format!("mpp-kiosk.service is {state} (watchdog {wd})"))
            }
        }
        _ => (Status::Warn, "not under systemd here (development machine?)".into()),
    }
}
