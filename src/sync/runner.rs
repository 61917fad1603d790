//! The background sync: a tokio runtime on its own thread runs a pull and an upload round
//! every `[sync] interval_secs` (plus 0–10 % jitter), backing off exponentially (with
//! jitter) after failures. The database work runs on tokio's blocking pool. A newly
//! imported catalogue is handed to the screen through `on_catalogue`. A ticket just issued
//! is pushed at once: [`SyncHandle::upload_now`] wakes the runner for an upload-only round,
//! so the site server sees the ticket within seconds, not at the next interval.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::settings::SyncConfig;
use crate::catalogue::Catalogue;
use crate::clock::Clock;
use crate::queue::QueueState;
use crate::store::Store;

/// A random fraction 0..1 (uuid v4 carries 122 random bits; no extra crate needed).
fn random() -> f64 {
    (uuid::Uuid::new_v4().as_u128() & 0xFFFF_FFFF) as f64 / f64::from(u32::MAX)
}

/// The wait after `failures` failed rounds in a row (0 = the last round succeeded).
pub fn next_wait(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval.mul_f64(1.0 + 0.1 * random());
    }
    let base = Duration::from_secs(15).saturating_mul(1 << failures.min(10)).min(interval);
    base.mul_f64(0.5 + 0.5 * random())
}

/// Wakes the running sync for an upload now.
#[derive(Clone)]
pub struct SyncHandle {
    wake: Arc<tokio::sync::Notify>,
}

impl SyncHandle {
    /// Push the outbox now (after a ticket is issued); several calls before the round
    /// starts make one round.
    pub fn upload_now(&self) {
        self.wake.notify_one();
    }
}

/// Where the runner hands what it learns: a newly imported catalogue, and the site's queue
/// (every `[sync] queue_interval_secs` while the site server answers).
pub struct Deliver {
    pub catalogue: Box<dyn Fn(Catalogue) + Send + Sync>,
    pub queue: Box<dyn Fn(QueueState) + Send + Sync>,
}

impl Deliver {
    /// Hands nothing anywhere (the command line, tests).
    pub fn nowhere() -> Deliver {
        Deliver { catalogue: Box::new(|_| {}), queue: Box::new(|_| {}) }
    }
}

/// Starts the background sync; returns at once. Does nothing (and returns no handle)
/// without a feed or upload URL. `zone` is the site's time zone: the queue read is the one
/// of the kiosk's local day, by its own clock.
pub fn spawn(
    db_path: PathBuf,
    cfg: SyncConfig,
    site: String,
    zone: jiff::tz::TimeZone,
    kiosk_id: u8,
    clock: Clock,
    deliver: Deliver,
) -> Option<SyncHandle> {
    if cfg.url.is_none() && cfg.upload_url.is_none() {
        return None;
    }
    let Deliver { catalogue: on_catalogue, queue: on_queue } = deliver;
    let on_catalogue: Arc<dyn Fn(Catalogue) + Send + Sync> = Arc::from(on_catalogue);
    let wake = Arc::new(tokio::sync::Notify::new());
    let handle = SyncHandle { wake: wake.clone() };
    std::thread::Builder::new()
        .name("sync".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_time().build() {
                Ok(rt) => rt,
                Err(e) => return log::error!("sync: cannot start: {e}"),
            };
            rt.block_on(async move {
                if cfg.upload_url.is_some() {
                    tokio::spawn(poll_queue(cfg.clone(), site.clone(), zone, clock.clone(), on_queue));
                }
                let store = match Store::open(&db_path) {
                    Ok(s) => Arc::new(Mutex::new(s)),
                    Err(e) => return log::error!("sync: {e}"),
                };
                let interval = Duration::from_secs(cfg.interval_secs);
                let mut failures = 0u32;
                // The first round is a whole one; after it, a wake-up pushes the outbox only.
                let mut upload_only = false;
                loop {
                    let (store2, cfg2, site2, clock2, cb) =
                        (store.clone(), cfg.clone(), site.clone(), clock.clone(), on_catalogue.clone());
                    let ok = tokio::task::spawn_blocking(move || {
                        let mut store = store2.lock().unwrap_or_else(|e| e.into_inner());
                        let Ok(now) = clock2() else { return false };
                        if upload_only {
                            return super::upload::upload(&mut store, &cfg2, &site2, kiosk_id, now).is_ok();
                        }
                        let round = super::round(&mut store, &cfg2, &site2, kiosk_id, now);
                        if let Some(c) = round.catalogue.clone() {
                            cb(c);
                        }
                        round.ok()
                    })
                    .await
                    .unwrap_or(false);
                    failures = if ok { 0 } else { failures.saturating_add(1) };
                    // Woken (a ticket issued): push at once, unless the server is failing,
                    // when the back-off still holds.
                    upload_only = tokio::time::timeout(next_wait(interval, failures), wake.notified()).await.is_ok();
                    if upload_only && failures > 0 {
                        tokio::time::sleep(next_wait(interval, failures)).await;
                    }
                }
            });
        })
        .expect("spawning the sync thread");
    Some(handle)
}

/// Reads the site's queue every `queue_interval_secs`; a failure is logged once until the
/// server answers again (the screen drops counts that grow old by itself).
async fn poll_queue(
    cfg: SyncConfig,
    site: String,
    zone: jiff::tz::TimeZone,
    clock: Clock,
    on_queue: Box<dyn Fn(QueueState) + Send + Sync>,
) {
    let on_queue: Arc<dyn Fn(QueueState) + Send + Sync> = Arc::from(on_queue);
    let mut failing = false;
    loop {
        let (cfg2, site2, cb) = (cfg.clone(), site.clone(), on_queue.clone());
        let today = clock().ok().map(|now| now.to_zoned_datetime(zone.clone()).date());
        let result = tokio::task::spawn_blocking(move || {
            super::queue::fetch_state(&cfg2, &site2, today).map(|s| s.map(|s| cb(s)))
        })
        .await;
        match result {
            Ok(Ok(_)) => failing = false,
            Ok(Err(e)) if !failing => {
                log::warn!("reading the site's queue: {e}");
                failing = true;
            }
            Ok(Err(_)) => {}
            Err(e) => log::error!("reading the site's queue: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(cfg.queue_interval_secs)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_jitter_and_back_off() {
        let i = Duration::from_secs(300);
        for _ in 0..50 {
            let w = next_wait(i, 0);
            assert!(w >= i && w <= i.mul_f64(1.1));
            let w = next_wait(i, 1);
            assert!(w >= Duration::from_secs(15) && w <= Duration::from_secs(30), "{w:?}");
            assert!(next_wait(i, 20) <= i, "never longer than the interval");
        }
    }
}
