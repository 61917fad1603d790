//! Running the kiosk binary in a scratch folder, and reading a database's whole content.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::types::ValueRef;

pub struct Kiosk {
    pub dir: tempfile::TempDir,
}

impl Kiosk {
    pub fn new() -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        // An explicit, empty config: tests must not read /etc/mpp-kiosk on the machine.
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        Kiosk { dir }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("kiosk.sqlite3")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self) -> Command {
        self.command_with_config(&self.dir.path().join("config.toml"))
    }

    pub fn command_with_config(&self, config: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mpp-kiosk"));
        c.env_remove("MPP_KIOSK_CONFIG")
            .env_remove("RUST_LOG")
            .env("HOME", self.dir.path())
            .arg("--config")
            .arg(config)
            .arg("--db")
            .arg(self.db());
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run(self.command().args(args).output().unwrap())
    }

    pub fn run_with_config(&self, config: &Path, args: &[&str]) -> Run {
        Run(self.command_with_config(config).args(args).output().unwrap())
    }

    /// Writes `json` to a file in the scratch folder and returns its path.
    pub fn write(&self, name: &str, json: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, json).unwrap();
        p
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().expect("exited, not killed")
    }
    pub fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).unwrap()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).unwrap()
    }
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(self.code(), 0, "stdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr());
        self.stdout()
    }
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok()).expect("stdout is JSON")
    }
}

/// Every row of every table, as text, in a stable order: two databases with the same
/// dump hold the same content whatever their pages look like.
pub fn dump(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = vec![format!(
        "user_version={}",
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap()
    )];
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let cols: Vec<String> = (0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        ValueRef::Null => "NULL".to_string(),
                        ValueRef::Integer(v) => v.to_string(),
                        ValueRef::Real(v) => v.to_string(),
                        ValueRef::Text(v) => format!("{:?}", String::from_utf8_lossy(v)),
                        ValueRef::Blob(v) => format!("blob{v:?}"),
                    })
                    .collect();
                Ok(format!("{t}: {}", cols.join(" | ")))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.extend(rows);
    }
    out
}

/// Asserts two dumps are equal, showing only the first rows that differ.
#[track_caller]
pub fn assert_same(a: &[String], b: &[String], what: &str) {
    if a != b {
        let only_a: Vec<_> = a.iter().filter(|r| !b.contains(r)).take(3).collect();
        let only_b: Vec<_> = b.iter().filter(|r| !a.contains(r)).take(3).collect();
        let cut = |v: Vec<&String>| v.into_iter().map(|r| r.chars().take(200).collect::<String>()).collect::<Vec<_>>();
        panic!("{what}: database content differs\nbefore only: {:#?}\nafter only: {:#?}", cut(only_a), cut(only_b));
    }
}

/// The embedded default feed as a JSON value, to derive test feeds from.
pub fn default_feed_value() -> serde_json::Value {
    serde_json::from_str(mpp_kiosk::catalogue::DEFAULT_FEED_JSON).unwrap()
}

/// Whether this run is CI: `CI` set to anything but empty, `0` or `false`.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

/// A required external tool is missing. Under CI the test fails. Elsewhere it is skipped,
/// and visibly: a line straight to the terminal (libtest hides a passing test's output)
/// and a summary of every skipped test when the run ends, so a green run never hides a
/// test that did not run. `MPP_KIOSK_NO_SKIP=1` turns every skip into a failure.
pub fn skip(what: &str) -> Option<std::convert::Infallible> {
    use std::io::Write;
    use std::sync::Mutex;
    static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    extern "C" fn summary() {
        let skipped = SKIPPED.lock().map(|s| s.clone()).unwrap_or_default();
        if !skipped.is_empty() {
            let mut err = std::io::stderr();
            let _ = writeln!(
                err,
                "\nSKIPPED: {} tests did not run (bash .ci/setup installs what they need):",
                skipped.len()
            );
            for s in skipped {
                let _ = writeln!(err, "  SKIPPED {s}");
            }
        }
    }
    let test = std::thread::current().name().unwrap_or("?").to_owned();
    if under_ci() || std::env::var_os("MPP_KIOSK_NO_SKIP").is_some_and(|v| v == "1") {
        panic!("{test}: {what} is required here (bash .ci/setup installs it)");
    }
    let mut list = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    if list.is_empty() {
        // SAFETY: registers a plain function, run once at process exit.
        unsafe { libc::atexit(summary) };
    }
    list.push(format!("{test}: {what} is not installed"));
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {what} is not installed");
    None
}

/// Whether this test runs as root (some tests check what a root shell does); a visible
/// skip otherwise.
pub fn as_root(why: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    skip(&format!("root ({why})"));
    false
}
