//! Kiosk credentials: `mpk1.<id>.<secret>`, printed once at enrollment. The id finds the
//! kiosk; the secret is stored only as an Argon2id hash, so a copy of the database does
//! not let anyone post as a kiosk.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

const PREFIX: &str = "mpk1";

/// A freshly made credential: what the kiosk gets (`token`) and what the server keeps.
pub struct Issued {
    pub token: String,
    pub token_id: String,
    pub hash: String,
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Argon2id (the crate's defaults: 19 MiB, 2 passes) of `secret` with a random salt.
pub fn hash_secret(secret: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    Argon2::default().hash_password(secret.as_bytes(), &salt).expect("Argon2id with default parameters").to_string()
}

/// Whether `secret` matches a stored hash (false for a hash that does not parse).
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}

pub fn issue() -> Issued {
    let token_id = random_hex(6);
    let secret = random_hex(32);
    Issued { token: format!("{PREFIX}.{token_id}.{secret}"), hash: hash_secret(&secret), token_id }
}

/// Splits a presented credential into its id and secret; `None` if it is not one.
pub fn parse(token: &str) -> Option<(&str, &str)> {
    let mut parts = token.trim().splitn(3, '.');
    let (prefix, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (prefix == PREFIX && hex(id, 12) && hex(secret, 64)).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_verifies_and_nothing_else_does() {
        let c = issue();
        let (id, secret) = parse(&c.token).unwrap();
        assert_eq!(id, c.token_id);
        assert!(verify_secret(secret, &c.hash));
        assert!(!c.hash.contains(secret), "only the hash is kept");
        let other = issue();
        let (_, wrong) = parse(&other.token).unwrap();
        assert!(!verify_secret(wrong, &c.hash));
        for bad in
            ["", "mpk1", "mpk1.abc.def", "Bearer x", &c.token.replace("mpk1", "mpk2"), &c.token[..c.token.len() - 1]]
        {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
        assert!(!verify_secret(secret, "not a hash"));
    }
}
