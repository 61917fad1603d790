//! The application's caches, each a field of `App` (none hidden in a static): [`Ttl`],
//! entries that expire after a while, for what changes rarely (a site's zone, its
//! catalogue and counters, earlier days' cycles); [`Credentials`], kiosk credentials
//! already checked; and [`SiteStates`], computed JSON per site and day that a change of
//! the site drops (the queue and the calls, read by every display and counter page).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::db::DbError;

/// Entries that live `max_age`; at most `max_len` of them (all dropped when full, so a
/// client inventing keys cannot grow it).
pub struct Ttl<K, V> {
    max_age: Duration,
    max_len: usize,
    map: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Ttl<K, V> {
    pub fn new(max_age: Duration, max_len: usize) -> Ttl<K, V> {
        Ttl { max_age, max_len, map: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, (Instant, V)>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.lock().get(key).filter(|(at, _)| at.elapsed() < self.max_age).map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: V) {
        let mut map = self.lock();
        if map.len() >= self.max_len {
            map.clear();
        }
        map.insert(key, (Instant::now(), value));
    }

    pub fn forget(&self, key: &K) {
        self.lock().remove(key);
    }

    pub fn forget_all(&self) {
        self.lock().clear();
    }
}

/// Computed states as JSON, per (site, day), for many readers (the lobby displays, the
/// kiosks, the event streams). A site's entries are dropped when it changes (NOTIFY from
/// any process); a state computed while a change came in is not kept (the site's
/// generation moved on); and no entry is older than [`SiteStates::MAX_AGE`], in case a
/// notification was lost while the LISTEN connection was being made again.
#[derive(Default)]
pub struct SiteStates {
    inner: Mutex<Inner>,
    /// One computation at a time: a hundred displays asking at once after a change wait
    /// for one query instead of running a hundred.
    computing: tokio::sync::Mutex<()>,
}

type Key = (String, jiff::civil::Date);

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, (Instant, bytes::Bytes)>,
    generation: HashMap<String, u64>,
}

impl SiteStates {
    pub const MAX_AGE: Duration = Duration::from_secs(2);
    /// How old an entry may be when handed out while it is being computed again.
    const STALE_LIMIT: Duration = Duration::from_secs(10);

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn forget(&self, site: &str) {
        let mut inner = self.lock();
        inner.entries.retain(|(s, _), _| s != site);
        *inner.generation.entry(site.to_owned()).or_default() += 1;
    }

    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation.values_mut().for_each(|g| *g += 1);
    }

    fn usable(&self, inner: &Inner, key: &Key, not_before: Option<Instant>, max_age: Duration) -> Option<bytes::Bytes> {
        inner
            .entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < max_age && not_before.is_none_or(|nb| *at >= nb))
            .map(|(_, json)| json.clone())
    }

    /// The state as JSON, from the cache or computed now by `compute`. `not_before`: an
    /// event stream woken by a change takes only a state whose query started after it
    /// heard of the change (the cache may not have heard yet), so it never sends the
    /// state before it.
    pub async fn get_or_compute<F, Fut>(
        &self,
        site: &str,
        date: jiff::civil::Date,
        not_before: Option<Instant>,
        compute: F,
    ) -> Result<bytes::Bytes, DbError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<bytes::Bytes, DbError>>,
    {
        let key = (site.to_owned(), date);
        let fresh = self.usable(&self.lock(), &key, not_before, Self::MAX_AGE);
        if let Some(json) = fresh {
            return Ok(json);
        }
        // An entry still in the cache has seen no change since (a change removes it); it
        // is only old. While one request computes it again, the others take it as it is
        // rather than queue behind the query.
        let _computing = match self.computing.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                let stale = self.usable(&self.lock(), &key, not_before, Self::STALE_LIMIT);
                match stale {
                    Some(json) => return Ok(json),
                    None => self.computing.lock().await,
                }
            }
        };
        let generation = {
            let inner = self.lock();
            if let Some(json) = self.usable(&inner, &key, not_before, Self::MAX_AGE) {
                return Ok(json);
            }
            inner.generation.get(site).copied().unwrap_or(0)
        };
        let at = Instant::now();
        let json = compute().await?;
        let mut inner = self.lock();
        if inner.generation.get(site).copied().unwrap_or(0) == generation {
            if inner.entries.len() > 1000 {
                inner.entries.clear();
            }
            inner.entries.insert(key, (at, json.clone()));
        }
        Ok(json)
    }
}

/// Kiosk credentials already checked: (token id, SHA-256 of the secret) → the stored hash
/// they matched. A kiosk presents the same credential with every batch, and Argon2id costs
/// 19 MiB and tens of milliseconds by design, so it is checked once. Revocation and
/// re-enrollment still hold at once: the row is read on every request and must be
/// unrevoked with the same hash.
pub struct Credentials {
    known: Ttl<(String, [u8; 32]), String>,
    /// At most two Argon2id checks at a time: fifty kiosks presenting new credentials at
    /// once must not take fifty times 19 MiB.
    pub checks: tokio::sync::Semaphore,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials { known: Ttl::new(Duration::from_secs(24 * 3600), 10_000), checks: tokio::sync::Semaphore::new(2) }
    }
}

impl Credentials {
    pub fn get(&self, key: &(String, [u8; 32])) -> Option<String> {
        self.known.get(key)
    }

    pub fn put(&self, key: (String, [u8; 32]), hash: String) {
        self.known.put(key, hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_the_map_stays_bounded() {
        let c: Ttl<u32, &str> = Ttl::new(Duration::from_secs(60), 3);
        c.put(1, "a");
        assert_eq!(c.get(&1), Some("a"));
        c.forget(&1);
        assert_eq!(c.get(&1), None);
        for k in 0..10 {
            c.put(k, "x");
        }
        assert!(c.lock().len() <= 3);
        let expired: Ttl<u32, &str> = Ttl::new(Duration::ZERO, 3);
        expired.put(1, "a");
        assert_eq!(expired.get(&1), None, "older than max_age");
    }

    #[test]
    fn a_state_computed_while_its_site_changed_is_not_kept() {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let states = SiteStates::default();
        let day = jiff::civil::date(2026, 11, 30);
        let first = rt
            .block_on(states.get_or_compute("S", day, None, || async {
                states.forget("S"); // a change arrives while the query runs
                Ok(bytes::Bytes::from_static(b"old"))
            }))
            .unwrap();
        assert_eq!(&first[..], b"old");
        let second = rt
            .block_on(states.get_or_compute("S", day, None, || async { Ok(bytes::Bytes::from_static(b"new")) }))
            .unwrap();
        assert_eq!(&second[..], b"new", "the first answer was not cached");
        let third = rt
            .block_on(states.get_or_compute("S", day, None, || async { Ok(bytes::Bytes::from_static(b"newer")) }))
            .unwrap();
        assert_eq!(&third[..], b"new", "the second was");
    }
}
