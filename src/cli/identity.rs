//! Who the command runs as. A technician types `mpp-kiosk …` in a root shell, but the
//! kiosk's files belong to its service user: a root-owned printer lock, WAL file or slip
//! folder would lock the service out of its own printer or database. So a command run by
//! root on a database folder that another user owns becomes that user (its groups too,
//! for the printer devices) before it touches anything.

use std::ffi::{CStr, CString};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Becomes the owner of the database's folder when running as root and the folder (as
/// installed, `/var/lib/mpp-kiosk`) belongs to someone else. Returns the user's name when
/// it switched.
pub fn act_as_owner_of_database(db: &Path) -> Result<Option<String>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(meta) = std::fs::metadata(dir) else { return Ok(None) };
    if meta.uid() == 0 {
        return Ok(None);
    }
    let (uid, gid) = (meta.uid(), meta.gid());
    let name = user_name(uid).ok_or_else(|| {
        format!("{} belongs to uid {uid}, which has no user name; run the command as that user", dir.display())
    })?;
    let c_name = CString::new(name.clone()).map_err(|e| e.to_string())?;
    // SAFETY: plain libc calls with valid arguments; run before any other thread starts.
    let failed =
        unsafe { libc::initgroups(c_name.as_ptr(), gid) != 0 || libc::setgid(gid) != 0 || libc::setuid(uid) != 0 };
    if failed {
        return Err(format!(
            "cannot become {name}, the owner of {}: {}",
            dir.display(),
            std::io::Error::last_os_error()
        ));
    }
    log::info!(
        "running as {name}, the owner of {} (not root), so the files it creates stay the kiosk's",
        dir.display()
    );
    Ok(Some(name))
}

fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: the buffers outlive the call; getpwuid_r writes only into them.
    let r = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
    if r != 0 || out.is_null() {
        return None;
    }
    // SAFETY: pw_name points into `buf`, NUL-terminated by getpwuid_r.
    Some(unsafe { CStr::from_ptr(pwd.pw_name) }.to_string_lossy().into_owned())
}
