//! Getting bytes from a feed URL: HTTP(S) with conditional requests, timeouts and a size
//! cap, or a file (a USB stick, a shared folder). Blocking: the sync task runs it on
//! tokio's blocking pool, never on the UI thread.

use std::io::Read;
use std::time::Duration;

use super::SyncError;

/// Limits for one request, and whom it trusts.
#[derive(Debug, Clone)]
pub struct Limits {
    pub connect: Duration,
    pub total: Duration,
    pub max_bytes: u64,
    /// The site's own CA (PEM): when set, HTTPS servers are trusted only if it signed them.
    pub ca_file: Option<std::path::PathBuf>,
}

/// The certificates of a PEM file, for trusting a site's own CA; an error names the file.
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<ureq::tls::Certificate<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let ureq::tls::PemItem::Certificate(c) = item.map_err(|e| format!("{}: {e}", path.display()))? {
            certs.push(c);
        }
    }
    if certs.is_empty() {
        return Err(format!("{}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)", path.display()));
    }
    Ok(certs)
}

/// What a conditional request remembers from the last good response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug)]
pub enum Fetched {
    Body { bytes: Vec<u8>, validators: Validators },
    NotModified,
}

/// `redirects`: how many a GET may follow. An upload follows none: a redirected POST
/// turns into a GET (301/302/303), and a captive portal's or a moved endpoint's 200 page
/// would then count as delivery.
fn agent(url: &str, limits: &Limits, redirects: u32) -> Result<ureq::Agent, SyncError> {
    let mut config = ureq::Agent::config_builder()
        .timeout_connect(Some(limits.connect))
        .timeout_global(Some(limits.total))
        .http_status_as_error(false)
        .max_redirects(redirects)
        .max_redirects_will_error(false);
    if let Some(path) = &limits.ca_file {
        let certs = read_ca_file(path).map_err(|e| network(url, format!("[sync] ca_file {e}")))?;
        config = config.tls_config(
            ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certs)).build(),
        );
    }
    Ok(config.build().into())
}

fn network(url: &str, e: impl std::fmt::Display) -> SyncError {
    SyncError::Network { url: url.to_owned(), reason: e.to_string() }
}

/// GETs `url` from the site server with the kiosk's credential (no redirect): the answer,
/// whatever its status.
fn get_authorized(url: &str, token: &str, limits: &Limits) -> Result<ureq::http::Response<ureq::Body>, SyncError> {
    agent(url, limits, 0)?
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .map_err(|e| network(url, e))
}

/// GETs a JSON answer from the site server with the kiosk's credential (no redirect).
pub fn get_with_token<T: serde::de::DeserializeOwned>(url: &str, token: &str, limits: Limits) -> Result<T, SyncError> {
    let mut resp = get_authorized(url, token, &limits)?;
    let status = resp.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(SyncError::Http { url: url.to_owned(), status });
    }
    let bytes = resp.body_mut().with_config().limit(limits.max_bytes).read_to_vec().map_err(|e| network(url, e))?;
    serde_json::from_slice(&bytes).map_err(|e| SyncError::Answer { url: url.to_owned(), reason: e.to_string() })
}

/// GETs a JSON answer like [`get_with_token`], with 204 (No Content) as `None`.
pub fn get_optional_with_token<T: serde::de::DeserializeOwned>(
    url: &str,
    token: &str,
    limits: Limits,
) -> Result<Option<T>, SyncError> {
    let mut resp = get_authorized(url, token, &limits)?;
    match resp.status().as_u16() {
        204 => Ok(None),
        200..=299 => {
            let bytes =
                resp.body_mut().with_config().limit(limits.max_bytes).read_to_vec().map_err(|e| network(url, e))?;
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| SyncError::Answer { url: url.to_owned(), reason: e.to_string() })
        }
        status => Err(SyncError::Http { url: url.to_owned(), status }),
    }
}

/// GETs `url` with the kiosk's credential into `out`, which must come to exactly
/// `expected` bytes (a longer answer is cut off and refused, a shorter one is an error).
/// `limits.total` bounds the whole download. `progress` hears the bytes so far.
pub fn download_with_token(
    url: &str,
    token: &str,
    limits: Limits,
    expected: u64,
    out: &mut impl std::io::Write,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, SyncError> {
    let mut resp = get_authorized(url, token, &limits)?;
    let status = resp.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(SyncError::Http { url: url.to_owned(), status });
    }
    if let Some(len) = resp.body().content_length()
        && len != expected
    {
        return Err(SyncError::Answer {
            url: url.to_owned(),
            reason: format!("{len} bytes offered, {expected} expected"),
        });
    }
    let mut body = resp.body_mut().with_config().limit(expected + 1).reader();
    let mut buf = vec![0u8; 256 * 1024];
    let mut done = 0u64;
    loop {
        let n = body.read(&mut buf).map_err(|e| network(url, format!("reading the body after {done} bytes: {e}")))?;
        if n == 0 {
            break;
        }
        done += n as u64;
        if done > expected {
            return Err(SyncError::Answer {
                url: url.to_owned(),
                reason: format!("more than the {expected} bytes offered"),
            });
        }
        out.write_all(&buf[..n]).map_err(|e| network(url, format!("writing what came: {e}")))?;
        progress(done);
    }
    if done != expected {
        return Err(SyncError::Answer {
            url: url.to_owned(),
            reason: format!("it ended after {done} of {expected} bytes"),
        });
    }
    Ok(done)
}

/// GETs `url`; with `validators`, a 304 answer is `NotModified`.
pub fn get(url: &str, validators: Option<&Validators>, limits: Limits) -> Result<Fetched, SyncError> {
    if let Some(path) = url.strip_prefix("file://") {
        return read_file(url, path, validators, &limits);
    }
    let mut req = agent(url, &limits, 3)?.get(url);
    if let Some(v) = validators {
        if let Some(e) = &v.etag {
            req = req.header("If-None-Match", e);
        }
        if let Some(m) = &v.last_modified {
            req = req.header("If-Modified-Since", m);
        }
    }
    let mut resp = req.call().map_err(|e| network(url, e))?;
    let status = resp.status().as_u16();
    if status == 304 && validators.is_some() {
        return Ok(Fetched::NotModified);
    }
    if !(200..300).contains(&status) {
        return Err(SyncError::Http { url: url.to_owned(), status });
    }
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let validators = Validators { etag: header("etag"), last_modified: header("last-modified") };
    if let Some(len) = resp.body().content_length()
        && len > limits.max_bytes
    {
        return Err(SyncError::TooLarge { url: url.to_owned(), max: limits.max_bytes });
    }
    let bytes = resp.body_mut().with_config().limit(limits.max_bytes).read_to_vec().map_err(|e| match e {
        ureq::Error::BodyExceedsLimit(_) => SyncError::TooLarge { url: url.to_owned(), max: limits.max_bytes },
        e => network(url, format!("reading the body: {e}")),
    })?;
    Ok(Fetched::Body { bytes, validators })
}

/// A feed on a USB stick or a shared folder. Only a regular file is read (a FIFO or a
/// device would block the read forever), within the same total timeout as HTTP (a dying
/// stick), and its size and modification time stand in for an ETag, so an unchanged file
/// is "not modified", not a failure on every round.
fn read_file(url: &str, path: &str, validators: Option<&Validators>, limits: &Limits) -> Result<Fetched, SyncError> {
    let meta = std::fs::metadata(path).map_err(|e| network(url, e))?;
    if !meta.is_file() {
        return Err(network(
            url,
            "not a regular file (a pipe or a device would hang the sync); point [sync] url at the feed file itself",
        ));
    }
    let modified =
        meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    let etag = format!("\"file-{}-{modified}\"", meta.len());
    if validators.is_some_and(|v| v.etag.as_deref() == Some(etag.as_str())) {
        return Ok(Fetched::NotModified);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let (owned, max) = (path.to_owned(), limits.max_bytes);
    std::thread::spawn(move || {
        let read = std::fs::File::open(&owned).and_then(|f| {
            let mut bytes = Vec::new();
            f.take(max + 1).read_to_end(&mut bytes).map(|_| bytes)
        });
        let _ = tx.send(read);
    });
    let bytes = match rx.recv_timeout(limits.total) {
        Ok(read) => read.map_err(|e| network(url, e))?,
        Err(_) => {
            return Err(network(
                url,
                format!("reading the file took longer than {} s ([sync] timeout_secs)", limits.total.as_secs()),
            ));
        }
    };
    if bytes.len() as u64 > max {
        return Err(SyncError::TooLarge { url: url.to_owned(), max });
    }
    Ok(Fetched::Body { bytes, validators: Validators { etag: Some(etag), last_modified: None } })
}

/// Reads the kiosk's upload credential: the file's first line. The file must not be
/// readable by everyone (the credential lets its holder post as this kiosk).
pub fn read_token_file(path: &std::path::Path) -> Result<String, String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.permissions().mode() & 0o004 != 0 {
        return Err(format!(
            "{} is readable by everyone: chmod 640 it (owner root or mpp-kiosk, group mpp-kiosk)",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let token = text.lines().next().unwrap_or("").trim().to_owned();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "{}: no credential in it (one line, as `mpp-hub kiosk enroll` printed it)",
            path.display()
        ));
    }
    Ok(token)
}

/// POSTs a JSON body; returns the status and (a bounded piece of) the answer. Redirects
/// are not followed: a 3xx comes back as its status, with where it pointed. `token` is
/// the kiosk's credential, sent as `Authorization: Bearer`.
pub fn post_json(
    url: &str,
    body: &[u8],
    idempotency_key: &str,
    token: Option<&str>,
    limits: Limits,
) -> Result<(u16, String), SyncError> {
    let mut req = agent(url, &limits, 0)?
        .post(url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotency_key);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut resp = req.send(body).map_err(|e| network(url, e))?;
    let status = resp.status().as_u16();
    if (300..400).contains(&status) {
        let to = resp.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("nowhere").to_owned();
        return Ok((
            status,
            format!(
                "redirected to {to}: not followed, nothing counts as delivered (set [sync] upload_url to the final address)"
            ),
        ));
    }
    let text = resp.body_mut().with_config().limit(64 * 1024).lossy_utf8(true).read_to_string().unwrap_or_default();
    Ok((status, text))
}
