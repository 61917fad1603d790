//! Serving connections with discipline: at most `[server] max_connections` at once, and
//! `max_connections_per_address` from one address but the site's proxy (more are answered
//! 503 and closed), a client that does not send its headers in time (or
//! leaves a kept-alive connection idle) is cut off, each connection knows its peer's
//! address, and on SIGTERM or Ctrl+C the server stops taking connections, ends every
//! event stream at once, lets requests in flight finish, and exits within seconds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use super::state::WebState;

/// How long requests in flight may take to finish once the server is told to stop.
const DRAIN: Duration = Duration::from_secs(4);

/// Serves `state`'s routes on `listener` until `stop` resolves; the returned future ends
/// when every connection has closed (or after [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    state: WebState,
    stopping: tokio::sync::watch::Sender<bool>,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    log::info!("mpp-hub listening on {}", listener.local_addr().map(|a| a.to_string()).unwrap_or_default());
    let server = state.server.clone();
    let router = super::router(state);
    let slots = Arc::new(tokio::sync::Semaphore::new(server.max_connections));
    let header_timeout = Duration::from_secs(server.header_timeout_secs);
    let mut connections = tokio::task::JoinSet::new();
    let addresses = Arc::new(Addresses::default());
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors, say: wait a little rather than spin.
                        log::warn!("accepting a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Some(per_address) = addresses.take(peer.ip(), &server) else {
                    connections.spawn(refuse(stream));
                    continue;
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    connections.spawn(refuse(stream));
                    continue;
                };
                let router = router.clone();
                let mut stopping = stopping.subscribe();
                connections.spawn(async move {
                    // Handlers read the peer's address as `axum::extract::ConnectInfo<SocketAddr>`.
                    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                        request.extensions_mut().insert(axum::extract::ConnectInfo::<SocketAddr>(peer));
                        router.clone().oneshot(request)
                    });
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).max_buf_size(64 * 1024);
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = async { stopping.wait_for(|s| *s).await.is_ok() } => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                    drop((slot, per_address));
                });
            }
        }
    }
    log::info!("stopping: no new connections; ending event streams; {} connection(s) open", connections.len());
    drop(listener);
    let _ = stopping.send(true);
    let drained = tokio::time::timeout(DRAIN, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        log::warn!("stopping: {} connection(s) did not finish in {DRAIN:?}; closing them", connections.len());
        connections.abort_all();
    }
    Ok(())
}

/// Connections open per address (the trusted proxies' not counted).
#[derive(Default)]
struct Addresses(std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>);

/// One connection's place among its address's; given back when dropped.
struct AddressSlot(Option<(Arc<Addresses>, std::net::IpAddr)>);

impl Addresses {
    fn take(self: &Arc<Self>, ip: std::net::IpAddr, server: &crate::config::ServerConfig) -> Option<AddressSlot> {
        if server.trusted_proxies.contains(&ip) {
            return Some(AddressSlot(None));
        }
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= server.max_connections_per_address {
            return None;
        }
        *n += 1;
        Some(AddressSlot(Some((self.clone(), ip))))
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        if let Some((addresses, ip)) = self.0.take() {
            let mut open = addresses.0.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = open.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    open.remove(&ip);
                }
            }
        }
    }
}

/// A connection over the cap: told so, plainly, and closed.
async fn refuse(mut stream: TcpStream) {
    const BODY: &str = r#"{"error":"server sibuk: terlalu banyak sambungan; coba lagi sebentar lagi · the server is busy: too many connections; try again shortly"}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.write_all(answer.as_bytes())).await;
    let _ = stream.shutdown().await;
}

/// SIGTERM (from systemd) or Ctrl+C.
pub async fn signalled() {
    let mut term =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
