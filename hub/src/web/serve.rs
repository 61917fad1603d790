//! Serving: the listener and its shutdown on Ctrl+C or SIGTERM (from systemd).

use super::state::WebState;

/// Serves `state`'s routes on `listener` until Ctrl+C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: WebState) -> std::io::Result<()> {
    log::info!("mpp-hub listening on {}", listener.local_addr().map(|a| a.to_string()).unwrap_or_default());
    axum::serve(listener, super::router(state))
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        })
        .await
}
