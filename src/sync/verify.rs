//! The feed's detached minisign signature, checked against the trusted keys.

use minisign_verify::{Error, PublicKey, Signature};

use super::SyncError;

/// Accepts `bytes` when `signature` (the text of a `.minisig` file) is a valid signature
/// by one of `keys` (base64 public keys). Legacy (non-prehashed) signatures are accepted
/// too: `minisign -S` makes prehashed ones, older publishers may not.
pub fn verify(bytes: &[u8], signature: &[u8], keys: &[&str]) -> Result<(), SyncError> {
    let text =
        std::str::from_utf8(signature).map_err(|_| SyncError::BadSignature("the .minisig file is not text".into()))?;
    let sig = Signature::decode(text)
        .map_err(|e| SyncError::BadSignature(format!("the .minisig file cannot be read: {e}")))?;
    let mut other_key = false;
    for k in keys {
        let key = PublicKey::from_base64(k.trim())
            .map_err(|e| SyncError::BadSignature(format!("trusted key {k:?} is not a minisign public key: {e}")))?;
        match key.verify(bytes, &sig, true) {
            Ok(()) => return Ok(()),
            Err(Error::UnexpectedKeyId) => other_key = true,
            Err(Error::InvalidSignature) => {
                return Err(SyncError::BadSignature(
                    "the signature does not match the feed (changed or damaged after signing)".into(),
                ));
            }
            Err(e) => return Err(SyncError::BadSignature(e.to_string())),
        }
    }
    if other_key {
        return Err(SyncError::BadSignature("signed by a key this kiosk does not trust ([sync] public_key)".into()));
    }
    Err(SyncError::BadSignature("no trusted key configured".into()))
}
