//! A real, throwaway PostgreSQL cluster for the tests: `initdb` in a temporary folder and
//! `postgres` on a Unix socket in it (no TCP port, no root, no Docker). One cluster per test
//! process; each test gets a database of its own. The server ends with the test process
//! however it ends (PR_SET_PDEATHSIG), and its folder is removed.
//!
//! PostgreSQL is required (`bash .ci/setup` installs Debian's postgresql): without it the
//! tests fail, they never skip.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub port: u16,
    _server: Child,
}

/// Debian's PostgreSQL binaries, the newest version installed.
fn bindir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_else(|| panic!("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): bash .ci/setup installs it"))
}

/// initdb refuses root: as root, the cluster belongs to the `postgres` user.
fn server_user() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions; getpwnam returns a static record or null.
    unsafe {
        if libc::geteuid() != 0 {
            return None;
        }
        let pw = libc::getpwnam(c"postgres".as_ptr());
        assert!(!pw.is_null(), "running as root, and there is no postgres user to run PostgreSQL as (bash .ci/setup installs postgresql)");
        Some(((*pw).pw_uid, (*pw).pw_gid))
    }
}

fn as_server_user(command: &mut Command, user: Option<(u32, u32)>) {
    if let Some((uid, gid)) = user {
        command.uid(uid).gid(gid);
    }
}

impl Cluster {
    fn start() -> Cluster {
        let bin = bindir();
        let user = server_user();
        let dir = tempfile::Builder::new().prefix("mpp-hub-pg-").tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
            std::os::unix::fs::chown(&data, Some(uid), Some(gid)).unwrap();
        }
        let mut initdb = Command::new(bin.join("initdb"));
        initdb.args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"]).arg(&data).stdout(Stdio::null());
        as_server_user(&mut initdb, user);
        let out = initdb.output().expect("initdb runs");
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let port = 20000 + (std::process::id() % 20000) as u16;
        let mut server = Command::new(bin.join("postgres"));
        server
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(dir.path())
            .args(["-p", &port.to_string(), "-c", "listen_addresses=", "-c", "fsync=off", "-c", "max_connections=200"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap());
        as_server_user(&mut server, user);
        let server = spawn_for_this_process(server);
        // At the process's normal end: stop the server and remove its folder (a static is
        // never dropped; a killed test process leaves the server to PR_SET_PDEATHSIG).
        CLEANUP.set((server.id(), dir.path().to_owned())).expect("one cluster per process");
        // SAFETY: registers a plain function, run once at process exit.
        unsafe { libc::atexit(cleanup) };
        let cluster = Cluster { dir, port, _server: server };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !cluster.socket().exists() {
            assert!(Instant::now() < deadline, "PostgreSQL did not start: {}", cluster.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        cluster
    }

    /// The cluster of this test process.
    pub fn get() -> &'static Cluster {
        static CLUSTER: OnceLock<Cluster> = OnceLock::new();
        CLUSTER.get_or_init(Cluster::start)
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join(format!(".s.PGSQL.{}", self.port))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    pub fn url(&self, database: &str) -> String {
        format!("host={} port={} user=postgres dbname={database}", self.dir.path().display(), self.port)
    }

    /// A new, empty database for one test; its connection string.
    pub fn database(&self) -> String {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!("t{}_{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let out = Command::new(bindir().join("psql"))
            .args(["-h", &self.dir.path().display().to_string(), "-p", &self.port.to_string(), "-U", "postgres", "-d", "postgres", "-qc"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .unwrap();
        assert!(out.status.success(), "CREATE DATABASE: {}", String::from_utf8_lossy(&out.stderr));
        self.url(&name)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

static CLEANUP: OnceLock<(u32, PathBuf)> = OnceLock::new();

extern "C" fn cleanup() {
    if let Some((pid, dir)) = CLEANUP.get() {
        // SAFETY: signalling and reaping our own child.
        unsafe {
            libc::kill(*pid as i32, libc::SIGQUIT);
            libc::waitpid(*pid as i32, std::ptr::null_mut(), 0);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Starts `command` so that it ends with this test process: the kernel sends SIGQUIT (an
/// immediate shutdown) when the thread that started it dies, and that thread is parked for
/// the life of the process.
pub fn spawn_for_this_process(mut command: Command) -> Child {
    // SAFETY: prctl is async-signal-safe; it runs after the uid change, before exec.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tx.send(command.spawn()).unwrap();
        loop {
            std::thread::park();
        }
    });
    rx.recv().unwrap().expect("postgres starts")
}
