//! The tests' PostgreSQL: one throwaway cluster per test process (`mpp_hub::db::local_cluster`
//! in a temporary folder), each test a database of its own. The server ends with the test
//! process however it ends (PR_SET_PDEATHSIG on a thread parked for the process's life),
//! and at a normal end it is stopped and its folder removed.
//!
//! PostgreSQL is required (`bash .ci/setup` installs Debian's postgresql): without it the
//! tests fail, they never skip.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mpp_hub::db::local_cluster::LocalCluster;

pub struct Cluster {
    dir: PathBuf,
    port: u16,
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

/// Clusters' folders left by test processes that were killed (their pid no longer runs;
/// their servers died with them).
fn remove_stale_clusters() {
    for entry in std::fs::read_dir(std::env::temp_dir()).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("mpp-hub-pg-").and_then(|r| r.split('-').next()) else { continue };
        if pid.bytes().all(|b| b.is_ascii_digit()) && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Cluster {
    /// The cluster of this test process.
    pub fn get() -> &'static Cluster {
        static CLUSTER: OnceLock<Cluster> = OnceLock::new();
        CLUSTER.get_or_init(|| {
            remove_stale_clusters();
            let dir = tempfile::Builder::new()
                .prefix(&format!("mpp-hub-pg-{}-", std::process::id()))
                .tempdir()
                .unwrap()
                .keep();
            let port = 20000 + (std::process::id() % 20000) as u16;
            let (tx, rx) = std::sync::mpsc::channel();
            let d = dir.clone();
            std::thread::spawn(move || {
                tx.send(LocalCluster::start(&d, port).map(|c| c.server.id())).unwrap();
                loop {
                    std::thread::park();
                }
            });
            let pid = rx.recv().unwrap().unwrap_or_else(|e| panic!("{e} (bash .ci/setup installs PostgreSQL)"));
            CLEANUP.set((pid, dir.clone())).expect("one cluster per process");
            // SAFETY: registers a plain function, run once at process exit.
            unsafe { libc::atexit(cleanup) };
            Cluster { dir, port }
        })
    }

    /// A new, empty database for one test; its connection string.
    pub fn database(&self) -> String {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!("t{}_{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        mpp_hub::db::local_cluster::create_database(&self.dir, self.port, &name).unwrap();
        mpp_hub::db::local_cluster::url(&self.dir, self.port, &name)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
