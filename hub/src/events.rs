//! Live changes, across every `mpp-hub` process on one database: a change is announced
//! with PostgreSQL's `NOTIFY` in the transaction that makes it (so only committed changes
//! are announced), and each process `LISTEN`s on a connection of its own and fans the
//! announcements out to its clients. A lost connection is made again, with back-off.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::broadcast;
use tokio_postgres::AsyncMessage;

/// The channel every process listens on; the payload is the site's code.
pub const CHANNEL: &str = "mpp_hub_site";

/// Announces that `site`'s queue changed, when `tx` commits.
pub async fn announce(tx: &tokio_postgres::Transaction<'_>, site: &str) -> Result<(), tokio_postgres::Error> {
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &site]).await.map(|_| ())
}

/// This process's announcements: a site's code each time its queue changed.
#[derive(Clone)]
pub struct Changes(broadcast::Sender<String>);

impl Changes {
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.0.subscribe()
    }
}

/// Starts listening (in the background, for the life of the runtime).
pub fn listen(url: String) -> Changes {
    let (sender, _) = broadcast::channel(1024);
    let changes = Changes(sender.clone());
    tokio::spawn(async move {
        let mut wait = Duration::from_millis(200);
        loop {
            match listen_once(&url, &sender).await {
                Ok(()) => log::warn!("events: the LISTEN connection ended; connecting again"),
                Err(e) => log::warn!("events: {e}; connecting again in {} ms", wait.as_millis()),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(10));
        }
    });
    changes
}

async fn listen_once(url: &str, sender: &broadcast::Sender<String>) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let (forward, mut messages) = tokio::sync::mpsc::unbounded_channel();
    // The connection must be polled for the client to work and for notifications to come.
    let driver = tokio::spawn(async move {
        let mut stream = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = stream.next().await {
            match message {
                Ok(m) => {
                    if forward.send(m).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    log::warn!("events: {e}");
                    return;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    log::info!("events: listening for changes");
    while let Some(message) = messages.recv().await {
        if let AsyncMessage::Notification(n) = message {
            // No receivers (no client connected) is fine.
            let _ = sender.send(n.payload().to_owned());
        }
    }
    driver.abort();
    Ok(())
}
