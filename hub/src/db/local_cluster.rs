//! A PostgreSQL cluster of its own in a folder: for `mpp-hub demo` (one machine, nothing
//! to set up) and for the tests. `initdb` once, then `postgres` on a Unix socket in the
//! folder (no TCP port). initdb refuses root, so as root the cluster belongs to the
//! `postgres` user (Debian's package creates it). The server is ended with the thread
//! that started it (PR_SET_PDEATHSIG: SIGQUIT, an immediate shutdown).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt install postgresql")]
    NotInstalled,
    #[error("running as root, and there is no postgres user to run PostgreSQL as: apt install postgresql")]
    NoUser,
    #[error("{0}")]
    Failed(String),
}

/// A running cluster: its folder, the socket's port number, the server process.
pub struct LocalCluster {
    pub dir: PathBuf,
    pub port: u16,
    pub server: Child,
}

/// Debian's PostgreSQL binaries, the newest version installed.
pub fn bindir() -> Result<PathBuf, ClusterError> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.pop().ok_or(ClusterError::NotInstalled)
}

/// The first folder on the way to `dir` that the user the cluster runs as (when this
/// process is root: `postgres`) cannot pass through, with its mode: initdb would fail
/// there with a bare "Permission denied". `None` when every existing folder is open to it.
pub fn closed_to_server(dir: &Path) -> Result<Option<(PathBuf, u32)>, ClusterError> {
    use std::os::unix::fs::MetadataExt;
    let Some((uid, gid)) = server_user()? else { return Ok(None) };
    let mut at = PathBuf::new();
    for part in std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned()).components() {
        at.push(part);
        let Ok(meta) = std::fs::metadata(&at) else { break };
        let mode = meta.mode() & 0o7777;
        let passes = if meta.uid() == uid {
            mode & 0o100 != 0
        } else if meta.gid() == gid {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        // The folder itself is given to the user below; the ones above must let it through.
        if !passes && at != dir {
            return Ok(Some((at, mode)));
        }
    }
    Ok(None)
}

/// The user the cluster runs as, when this process is root.
fn server_user() -> Result<Option<(u32, u32)>, ClusterError> {
    // SAFETY: geteuid has no preconditions; getpwnam returns a static record or null.
    unsafe {
        if libc::geteuid() != 0 {
            return Ok(None);
        }
        let pw = libc::getpwnam(c"postgres".as_ptr());
        if pw.is_null() {
            return Err(ClusterError::NoUser);
        }
        Ok(Some(((*pw).pw_uid, (*pw).pw_gid)))
    }
}

impl LocalCluster {
    /// Starts the cluster in `dir` (made and initialised if it has none), on socket port `port`.
    pub fn start(dir: &Path, port: u16) -> Result<LocalCluster, ClusterError> {
        LocalCluster::open(dir, port, true)
    }

    /// Starts the cluster already made in `dir`; an error, never a new cluster, when the
    /// folder or its data are gone.
    pub fn start_existing(dir: &Path, port: u16) -> Result<LocalCluster, ClusterError> {
        LocalCluster::open(dir, port, false)
    }

    fn open(dir: &Path, port: u16, make: bool) -> Result<LocalCluster, ClusterError> {
        let bin = bindir()?;
        let user = server_user()?;
        let fail = |what: &str, e: &dyn std::fmt::Display| ClusterError::Failed(format!("{what}: {e}"));
        let data = dir.join("data");
        if !make && !data.join("PG_VERSION").exists() {
            return Err(ClusterError::Failed(format!("{}: no cluster there", dir.display())));
        }
        if make {
            if let Some((closed, mode)) = closed_to_server(dir)? {
                return Err(ClusterError::Failed(format!(
                    "{} (mode {mode:o}) is closed to the postgres user, which runs PostgreSQL when this is run as root: choose a folder it can reach (e.g. --data /var/tmp/mpp-hub-demo), or run as a normal user",
                    closed.display()
                )));
            }
            std::fs::create_dir_all(&data).map_err(|e| fail(&data.display().to_string(), &e))?;
        }
        if let Some((uid, gid)) = user {
            for d in [dir, &data] {
                std::os::unix::fs::chown(d, Some(uid), Some(gid)).map_err(|e| fail(&d.display().to_string(), &e))?;
            }
        }
        let as_user = |c: &mut Command| {
            if let Some((uid, gid)) = user {
                c.uid(uid).gid(gid);
            }
        };
        if make && !data.join("PG_VERSION").exists() {
            let mut initdb = Command::new(bin.join("initdb"));
            initdb
                .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
                .arg(&data)
                .stdout(Stdio::null());
            as_user(&mut initdb);
            let out = initdb.output().map_err(|e| fail("initdb", &e))?;
            if !out.status.success() {
                return Err(ClusterError::Failed(format!("initdb: {}", String::from_utf8_lossy(&out.stderr).trim())));
            }
        }
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| fail("server.log", &e))?;
        let mut server = Command::new(bin.join("postgres"));
        server
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(dir)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=", "-c", "max_connections=200"])
            .stdout(Stdio::null())
            .stderr(log);
        as_user(&mut server);
        // SAFETY: prctl is async-signal-safe; it runs after the uid change, before exec.
        unsafe {
            server.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let server = server.spawn().map_err(|e| fail("postgres", &e))?;
        let cluster = LocalCluster { dir: dir.to_owned(), port, server };
        let deadline = Instant::now() + Duration::from_secs(30);
        // The socket appears before the server accepts connections: ask it.
        let ready = || {
            Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", &cluster.dir.display().to_string(), "-p", &port.to_string()])
                .status()
                .is_ok_and(|s| s.success())
        };
        while !ready() {
            if Instant::now() > deadline {
                return Err(ClusterError::Failed(format!(
                    "PostgreSQL did not start; see {}",
                    cluster.dir.join("server.log").display()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(cluster)
    }

    /// The connection string for `database`.
    pub fn url(&self, database: &str) -> String {
        url(&self.dir, self.port, database)
    }

    /// Creates `database` unless it exists.
    pub fn create_database(&self, database: &str) -> Result<(), ClusterError> {
        create_database(&self.dir, self.port, database)
    }
}

/// The connection string for `database` of the cluster in `dir` on socket port `port`.
pub fn url(dir: &Path, port: u16, database: &str) -> String {
    format!("host={} port={port} user=postgres dbname={database}", dir.display())
}

/// Creates `database` in the cluster in `dir` on socket port `port`, unless it exists.
pub fn create_database(dir: &Path, port: u16, database: &str) -> Result<(), ClusterError> {
    let psql = bindir()?.join("psql");
    let run = |sql: &str| {
        Command::new(&psql)
            .args(["-tAX", "-h", &dir.display().to_string(), "-p", &port.to_string(), "-U", "postgres"])
            .args(["-d", "postgres", "-c", sql])
            .output()
            .map_err(|e| ClusterError::Failed(format!("psql: {e}")))
    };
    let exists = run(&format!("SELECT 1 FROM pg_database WHERE datname = '{database}'"))?;
    if String::from_utf8_lossy(&exists.stdout).trim() == "1" {
        return Ok(());
    }
    let out = run(&format!("CREATE DATABASE \"{database}\""))?;
    if !out.status.success() {
        return Err(ClusterError::Failed(format!(
            "CREATE DATABASE {database}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}
