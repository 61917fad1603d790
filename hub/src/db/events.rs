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
pub(crate) async fn announce(tx: &tokio_postgres::Transaction<'_>, site: &str) -> Result<(), tokio_postgres::Error> {
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &site]).await.map(|_| ())
}

/// This process's announcements: a site's code each time its queue changed.
#[derive(Clone)]
pub struct Changes(broadcast::Sender<Change>);

/// A site changed; `heard` is when this process heard of it (a state computed from a query
/// started after that includes the change).
#[derive(Debug, Clone)]
pub struct Change {
    pub site: String,
    pub heard: std::time::Instant,
}

impl Change {
    /// Stands for every site: sent when LISTEN starts again after a lost connection, as
    /// notifications made meanwhile were lost with it.
    pub const EVERY_SITE: &str = "*";

    pub fn concerns(&self, site: &str) -> bool {
        self.site == site || self.site == Self::EVERY_SITE
    }
}

impl Changes {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.0.subscribe()
    }

    /// Changes of no one: for a process that serves no live client (a command).
    pub fn local() -> Changes {
        Changes(broadcast::channel(16).0)
    }
}

/// Starts listening (in the background, for the life of the runtime).
pub fn listen(config: crate::config::DatabaseConfig) -> Changes {
    let (sender, _) = broadcast::channel(1024);
    let changes = Changes(sender.clone());
    tokio::spawn(async move {
        const FIRST_WAIT: Duration = Duration::from_millis(200);
        let mut wait = FIRST_WAIT;
        let mut first = true;
        loop {
            match listen_once(&config, &sender, !first).await {
                Ok(()) => {
                    log::warn!("events: the LISTEN connection ended; connecting again");
                    wait = FIRST_WAIT;
                }
                Err(e) => {
                    log::warn!("events: {e}; connecting again in {} ms", wait.as_millis());
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }
            first = false;
            tokio::time::sleep(wait).await;
        }
    });
    changes
}

/// Listens until the connection ends. `again`: a connection was lost before this one, so
/// every site is announced as changed once listening (caches dropped, displays redrawn).
async fn listen_once(
    config: &crate::config::DatabaseConfig,
    sender: &broadcast::Sender<Change>,
    again: bool,
) -> Result<(), super::DbError> {
    let pg = super::pg_config(&config.url, config.connect_timeout_secs)?;
    let (client, mut connection) = pg.connect(tokio_postgres::NoTls).await?;
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
    if again {
        let _ = sender.send(Change { site: Change::EVERY_SITE.to_owned(), heard: std::time::Instant::now() });
    }
    while let Some(message) = messages.recv().await {
        if let AsyncMessage::Notification(n) = message {
            // No receivers (no client connected) is fine.
            let _ = sender.send(Change { site: n.payload().to_owned(), heard: std::time::Instant::now() });
        }
    }
    driver.abort();
    Ok(())
}
