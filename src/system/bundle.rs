//! Reading a bundle: its header, then every byte once through the signature's hash and the
//! parts' SHA-256, before anything is written anywhere.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use minisign_verify::{Error as SigError, PublicKey, Signature};
use mpp_domain::update::{MAX_HEADER, Manifest, read_header};
use sha2::{Digest, Sha256};

use super::{SystemError, io};

const CHUNK: usize = 1 << 20;

/// Reads the manifest from the start of the bundle at `path`; with the header's length.
pub fn manifest(path: &Path) -> Result<(Manifest, usize), SystemError> {
    let mut f = File::open(path).map_err(io(path))?;
    let mut start = Vec::with_capacity(MAX_HEADER);
    (&mut f).take(MAX_HEADER as u64).read_to_end(&mut start).map_err(io(path))?;
    read_header(&start).map_err(|source| SystemError::Bundle { path: path.to_owned(), source })
}

/// Checks the bundle at `path` whole: the header, the length, the minisign signature in
/// `signature` (the `.minisig` text) by one of `keys`, and each part's SHA-256. `progress`
/// hears (bytes read, bytes in all). Nothing is written.
pub fn verify(
    path: &Path,
    signature: &str,
    keys: &[String],
    max_bytes: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Manifest, SystemError> {
    let sig_err = |reason: String| SystemError::Signature { path: path.to_owned(), reason };
    if keys.is_empty() {
        return Err(SystemError::NoKey);
    }
    let size = std::fs::metadata(path).map_err(io(path))?.len();
    if size > max_bytes {
        return Err(SystemError::TooLarge { path: path.to_owned(), size, max: max_bytes });
    }
    let (manifest, header_len) = manifest(path)?;
    let expected = header_len as u64 + manifest.payload_size();
    if size != expected {
        return Err(SystemError::Length { path: path.to_owned(), expected, actual: size });
    }
    let sig = Signature::decode(signature).map_err(|e| sig_err(format!("the .minisig file cannot be read: {e}")))?;
    let parsed: Vec<PublicKey> = keys
        .iter()
        .map(|k| PublicKey::from_base64(k.trim()).map_err(|e| sig_err(format!("trusted key {k:?}: {e}"))))
        .collect::<Result<_, _>>()?;
    let key = parsed.iter().find(|k| k.verify_stream(&sig).is_ok()).ok_or_else(|| {
        sig_err(if sig.trusted_comment().is_empty() || parsed.is_empty() {
            "no trusted key".into()
        } else {
            "signed by a key this kiosk does not trust ([sync] public_key), or not prehashed (sign with minisign -S)"
                .into()
        })
    })?;
    let mut verifier = key.verify_stream(&sig).map_err(|e| sig_err(e.to_string()))?;

    let mut r = BufReader::with_capacity(CHUNK, File::open(path).map_err(io(path))?);
    let mut buf = vec![0u8; CHUNK];
    let mut header = vec![0u8; header_len];
    r.read_exact(&mut header).map_err(io(path))?;
    verifier.update(&header);
    let mut done = header_len as u64;
    for part in &manifest.parts {
        let mut hash = Sha256::new();
        let mut left = part.size;
        while left > 0 {
            let n = r.read(&mut buf[..CHUNK.min(left as usize)]).map_err(io(path))?;
            if n == 0 {
                return Err(SystemError::Length { path: path.to_owned(), expected, actual: done });
            }
            verifier.update(&buf[..n]);
            hash.update(&buf[..n]);
            left -= n as u64;
            done += n as u64;
            progress(done, size);
        }
        let actual = hex(&hash.finalize());
        if actual != part.sha256 {
            return Err(SystemError::Hash {
                path: path.to_owned(),
                part: part.kind.as_str(),
                expected: part.sha256.clone(),
                actual,
            });
        }
    }
    verifier.finalize().map_err(|e| match e {
        SigError::InvalidSignature => {
            sig_err("the signature does not match the bundle (changed or damaged after signing)".into())
        }
        e => sig_err(e.to_string()),
    })?;
    Ok(manifest)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
