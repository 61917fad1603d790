//! The staff PIN: stored in the config only as a salted PBKDF2-SHA256 hash, checked with a
//! lock-out after repeated wrong tries (a PIN has few digits; the lock-out is what keeps a
//! curious visitor from guessing it at the kiosk).

use std::num::NonZeroU32;
use std::time::Duration;

use ring::{pbkdf2, rand::SecureRandom};

const ITERATIONS: u32 = 100_000;
const PREFIX: &str = "pbkdf2-sha256";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// A PIN is 6 to 8 digits: four fall to patient guessing even behind a lock-out.
pub fn valid_pin(pin: &str) -> bool {
    (6..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// `pbkdf2-sha256$100000$<salt hex>$<hash hex>` for the config's `[staff] pin_hash`.
pub fn hash_pin(pin: &str) -> String {
    let mut salt = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut salt).expect("the system's random source");
    let mut out = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(ITERATIONS).expect("non-zero"),
        &salt,
        pin.as_bytes(),
        &mut out,
    );
    format!("{PREFIX}${ITERATIONS}${}${}", hex(&salt), hex(&out))
}

/// Checks a stored hash's form (for the config loader).
pub fn check_hash(stored: &str) -> Result<(), String> {
    parse(stored)
        .map(|_| ())
        .ok_or_else(|| format!("pin_hash {stored:?} is not a PIN hash; make one with `mpp-kiosk staff pin-hash`"))
}

fn parse(stored: &str) -> Option<(NonZeroU32, Vec<u8>, Vec<u8>)> {
    let mut parts = stored.split('$');
    if parts.next()? != PREFIX {
        return None;
    }
    let iterations = NonZeroU32::new(parts.next()?.parse().ok()?)?;
    let salt = unhex(parts.next()?)?;
    let hash = unhex(parts.next()?)?;
    (parts.next().is_none() && hash.len() == 32).then_some((iterations, salt, hash))
}

pub fn verify_pin(stored: &str, pin: &str) -> bool {
    match parse(stored) {
        Some((iterations, salt, hash)) => {
            pbkdf2::verify(pbkdf2::PBKDF2_HMAC_SHA256, iterations, &salt, pin.as_bytes(), &hash).is_ok()
        }
        None => false,
    }
}

/// Wrong tries and the lock-out, on the flow's monotonic clock. Each lock-out is twice
/// as long as the one before (1, 2, 4 … minutes, at most an hour) until a right PIN; the
/// state outlives a restart through [`PinGuardState`], so pulling the plug does not reset it.
#[derive(Debug, Clone, Default)]
pub struct PinGuard {
    wrong: u32,
    locks: u32,
    locked_until: Option<Duration>,
}

/// The guard as stored between runs: the lock-out's remaining time, not a clock reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinGuardState {
    pub wrong: u32,
    pub locks: u32,
    pub locked_for: Option<Duration>,
}

/// Three wrong PINs lock the pad; the first lock-out lasts a minute.
pub const MAX_WRONG: u32 = 3;
pub const LOCKOUT: Duration = Duration::from_secs(60);
pub const MAX_LOCKOUT: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinResult {
    Accepted,
    Wrong {
        tries_left: u32,
    },
    /// Locked: this many whole seconds to wait.
    Locked(u64),
    /// No PIN is configured: the staff screen cannot be opened.
    NotSet,
}

impl PinGuard {
    pub fn try_pin(&mut self, stored: Option<&str>, pin: &str, now: Duration) -> PinResult {
        if let Some(until) = self.locked_until {
            if now < until {
                return PinResult::Locked((until - now).as_secs().max(1));
            }
            self.locked_until = None;
            self.wrong = 0;
        }
        let Some(stored) = stored else { return PinResult::NotSet };
        if verify_pin(stored, pin) {
            *self = PinGuard::default();
            return PinResult::Accepted;
        }
        self.wrong += 1;
        if self.wrong >= MAX_WRONG {
            let lockout = LOCKOUT.saturating_mul(1 << self.locks.min(10)).min(MAX_LOCKOUT);
            self.locks += 1;
            self.locked_until = Some(now + lockout);
            return PinResult::Locked(lockout.as_secs());
        }
        PinResult::Wrong { tries_left: MAX_WRONG - self.wrong }
    }

    /// What to store, at monotonic time `now`.
    pub fn state(&self, now: Duration) -> PinGuardState {
        PinGuardState {
            wrong: self.wrong,
            locks: self.locks,
            locked_for: self.locked_until.and_then(|u| u.checked_sub(now)).filter(|d| !d.is_zero()),
        }
    }

    /// The guard from a stored state, at monotonic time `now`.
    pub fn restore(state: PinGuardState, now: Duration) -> PinGuard {
        PinGuard { wrong: state.wrong, locks: state.locks, locked_until: state.locked_for.map(|d| now + d) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let h = hash_pin("2468");
        assert!(h.starts_with("pbkdf2-sha256$100000$"));
        assert!(verify_pin(&h, "2468"));
        assert!(!verify_pin(&h, "2469"));
        assert_ne!(h, hash_pin("2468"), "salted");
        assert!(check_hash(&h).is_ok());
        assert!(check_hash("2468").unwrap_err().contains("staff pin-hash"));
        assert!(valid_pin("246813") && !valid_pin("2468") && !valid_pin("12a456") && !valid_pin("123456789"));
    }

    #[test]
    fn three_wrong_tries_lock_the_pad_for_a_minute() {
        let h = hash_pin("2468");
        let mut g = PinGuard::default();
        let s = Duration::from_secs;
        assert_eq!(g.try_pin(Some(&h), "1111", s(0)), PinResult::Wrong { tries_left: 2 });
        assert_eq!(g.try_pin(Some(&h), "1111", s(1)), PinResult::Wrong { tries_left: 1 });
        assert_eq!(g.try_pin(Some(&h), "1111", s(2)), PinResult::Locked(60));
        assert_eq!(g.try_pin(Some(&h), "2468", s(30)), PinResult::Locked(32), "even the right PIN waits");
        assert_eq!(g.try_pin(Some(&h), "2468", s(63)), PinResult::Accepted);
        assert_eq!(g.try_pin(None, "2468", s(64)), PinResult::NotSet);
    }

    #[test]
    fn each_lock_out_is_longer_and_survives_a_restart() {
        let h = hash_pin("246813");
        let mut g = PinGuard::default();
        let s = Duration::from_secs;
        for _ in 0..2 {
            g.try_pin(Some(&h), "000000", s(0));
        }
        assert_eq!(g.try_pin(Some(&h), "000000", s(0)), PinResult::Locked(60));
        for _ in 0..2 {
            g.try_pin(Some(&h), "000000", s(61));
        }
        assert_eq!(
            g.try_pin(Some(&h), "000000", s(61)),
            PinResult::Locked(120),
            "the second lock-out is twice as long"
        );
        // The kiosk restarts 20 s later: the lock-out goes on where it was.
        let stored = g.state(s(81));
        assert_eq!(stored, PinGuardState { wrong: 3, locks: 2, locked_for: Some(s(100)) });
        let mut after = PinGuard::restore(stored, s(5));
        assert_eq!(after.try_pin(Some(&h), "246813", s(50)), PinResult::Locked(55));
        assert_eq!(after.try_pin(Some(&h), "246813", s(106)), PinResult::Accepted);
        assert_eq!(after.state(s(106)), PinGuardState::default(), "a right PIN resets everything");
        let mut long = PinGuard::restore(PinGuardState { wrong: 2, locks: 30, locked_for: None }, s(0));
        assert_eq!(long.try_pin(Some(&h), "000000", s(0)), PinResult::Locked(3600), "at most an hour");
    }
}
