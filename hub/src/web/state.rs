//! What every handler is given: the application and the web layer's own settings, the
//! count of live event streams, and the server's shutdown signal.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use crate::app::App;
use crate::config::{Config, CounterPageConfig, DisplayConfig, ServerConfig};

#[derive(Clone)]
pub struct WebState {
    pub app: Arc<App>,
    /// `[server]`: body limits, timeouts, stream caps, proxies, the public address.
    pub server: Arc<ServerConfig>,
    /// `[display]` and `[counter]`: the pages' own settings.
    pub display: Arc<DisplayConfig>,
    pub counter: Arc<CounterPageConfig>,
    /// Bounds the batches parsed and stored at once: each holds its records in memory,
    /// and the pool's connections are the real limit anyway.
    pub ingesting: Arc<tokio::sync::Semaphore>,
    /// The live event streams, per site.
    pub streams: Arc<Streams>,
    /// Bookings taken from one address: at most 20 an hour (a family books for several,
    /// a script does not book a day's places).
    pub bookings: Arc<Limiter>,
    /// Booking pages asked for that do not exist (a wrong code or key), per address: at most
    /// 30 an hour, so codes cannot be guessed at the server's expense.
    pub booking_misses: Arc<Limiter>,
    /// System update bundles being sent: one per kiosk, a few in all.
    pub downloads: Arc<Downloads>,
    /// Becomes `true` when the server stops: event streams end at once (displays
    /// reconnect by themselves to the next server).
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl WebState {
    /// The state for `app` with `config`'s settings; `stopping` turns true at shutdown.
    pub fn new(app: Arc<App>, config: &Config, stopping: tokio::sync::watch::Receiver<bool>) -> WebState {
        WebState {
            app,
            server: Arc::new(config.server.clone()),
            display: Arc::new(config.display.clone()),
            counter: Arc::new(config.counter.clone()),
            ingesting: Arc::new(tokio::sync::Semaphore::new(8)),
            streams: Arc::default(),
            bookings: Arc::new(Limiter::new(20, std::time::Duration::from_secs(3600))),
            booking_misses: Arc::new(Limiter::new(30, std::time::Duration::from_secs(3600))),
            downloads: Arc::new(Downloads::new(4)),
            stopping,
        }
    }

    /// Whether the session cookie must be `Secure` (the public address is https).
    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The client's address: the connection's peer, or, when the peer is one of
    /// `[server] trusted_proxies`, the last address its `X-Forwarded-For` adds.
    pub fn client_address(&self, peer: Option<SocketAddr>, forwarded: Option<&str>) -> Option<IpAddr> {
        let peer = peer?.ip();
        if !self.server.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        forwarded.and_then(|f| f.rsplit(',').next()).and_then(|a| a.trim().parse().ok()).or(Some(peer))
    }
}

/// The live event streams: at most so many in all and per site; each is counted while
/// its [`StreamSlot`] lives.
#[derive(Default)]
pub struct Streams {
    open: Mutex<(usize, HashMap<String, usize>)>,
}

/// One event stream's place; given back when the stream ends.
pub struct StreamSlot {
    streams: Arc<Streams>,
    site: String,
}

impl Streams {
    /// A place for a stream of `site`, or `None` when either cap is reached.
    pub fn take(self: &Arc<Self>, site: &str, total: usize, per_site: usize) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let of_site = open.1.get(site).copied().unwrap_or(0);
        if open.0 >= total || of_site >= per_site {
            return None;
        }
        open.0 += 1;
        *open.1.entry(site.to_owned()).or_default() += 1;
        Some(StreamSlot { streams: self.clone(), site: site.to_owned() })
    }

    /// Streams open now, in all.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).0
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|e| e.into_inner());
        open.0 -= 1;
        if let Some(n) = open.1.get_mut(&self.site) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.site);
            }
        }
    }
}

/// Whom a limit counts: an IPv4 address, or an IPv6 address's /64 (one subscriber's
/// network: its 2⁶⁴ addresses are one client).
fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

/// The update bundles being sent. Each is some 300 MB through the site's network: a kiosk
/// gets one at a time (a second request with its credential is refused, not queued), and the
/// hub sends at most `max` at once; a kiosk refused asks again at its next round.
pub struct Downloads {
    max: usize,
    active: Mutex<std::collections::HashSet<(String, u8)>>,
}

/// Why a download cannot start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// This kiosk is already downloading.
    Kiosk,
    /// The hub sends `max` already.
    Hub,
}

impl Downloads {
    pub fn new(max: usize) -> Downloads {
        Downloads { max, active: Mutex::default() }
    }

    /// Starts `kiosk`'s download; it lasts as long as the guard (the body's stream holds it).
    pub fn start(self: &Arc<Self>, site: &str, kiosk: u8) -> Result<DownloadGuard, Busy> {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        let key = (site.to_owned(), kiosk);
        if active.contains(&key) {
            return Err(Busy::Kiosk);
        }
        if active.len() >= self.max {
            return Err(Busy::Hub);
        }
        active.insert(key.clone());
        Ok(DownloadGuard { downloads: Arc::clone(self), key })
    }
}

/// A download under way; dropped when its body ends or the kiosk goes.
pub struct DownloadGuard {
    downloads: Arc<Downloads>,
    key: (String, u8),
}

impl Drop for DownloadGuard {
    fn drop(&mut self) {
        self.downloads.active.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
    }
}

/// At most `max` requests per address (an IPv6 /64) in a window; memory bounded (the oldest addresses
/// are forgotten first when too many are kept).
pub struct Limiter {
    max: u32,
    window: std::time::Duration,
    seen: Mutex<HashMap<IpAddr, (std::time::Instant, u32)>>,
}

impl Limiter {
    const KEPT: usize = 50_000;

    pub fn new(max: u32, window: std::time::Duration) -> Limiter {
        Limiter { max, window, seen: Mutex::default() }
    }

    /// Whether `from` is still under its limit now, without counting anything.
    pub fn under(&self, from: Option<IpAddr>, now: std::time::Instant) -> bool {
        let Some(from) = from.map(network) else { return true };
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&from).is_none_or(|(start, n)| now.duration_since(*start) >= self.window || *n < self.max)
    }

    /// Whether one more request from `from` is allowed now (and counts it).
    pub fn allow(&self, from: Option<IpAddr>, now: std::time::Instant) -> bool {
        let Some(from) = from.map(network) else { return true };
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= Self::KEPT {
            let window = self.window;
            seen.retain(|_, (start, _)| now.duration_since(*start) < window);
            if seen.len() >= Self::KEPT {
                seen.clear();
            }
        }
        let entry = seen.entry(from).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_capped_in_all_and_per_site_and_given_back() {
        let streams = Arc::new(Streams::default());
        let a: Vec<_> = (0..2).map(|_| streams.take("A", 3, 2).unwrap()).collect();
        assert!(streams.take("A", 3, 2).is_none(), "the site's cap");
        let b = streams.take("B", 3, 2).unwrap();
        assert!(streams.take("C", 3, 2).is_none(), "the total cap");
        drop(b);
        assert_eq!(streams.open(), 2);
        assert!(streams.take("C", 3, 2).is_some(), "a place given back is taken again");
        drop(a);
        assert_eq!(streams.open(), 0);
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_forwards_it() {
        let (tx, rx) = tokio::sync::watch::channel(false);
        drop(tx);
        let config = crate::config::Config::default();
        let state = WebState::new(
            Arc::new(App::new(
                crate::db::Db::connect(&config.database).unwrap(),
                &config,
                crate::db::events::Changes::local(),
                crate::app::voice::Voice::load(None).unwrap(),
            )),
            &config,
            rx,
        );
        let from = |ip: &str| Some(SocketAddr::new(ip.parse().unwrap(), 5000));
        assert_eq!(state.client_address(from("10.0.0.7"), Some("1.2.3.4")), Some("10.0.0.7".parse().unwrap()));
        assert_eq!(
            state.client_address(from("127.0.0.1"), Some("9.9.9.9, 1.2.3.4")),
            Some("1.2.3.4".parse().unwrap()),
            "the address the trusted proxy added (the last), not one the client wrote"
        );
        assert_eq!(state.client_address(from("127.0.0.1"), None), Some("127.0.0.1".parse().unwrap()));
    }
}
