//! What every handler is given: the application and the web layer's own settings.

use std::sync::Arc;

use crate::app::App;

#[derive(Clone)]
pub struct WebState {
    pub app: Arc<App>,
    /// `[server] max_body_bytes`: the largest request body.
    pub max_body: usize,
    /// Bounds the batches parsed and stored at once: each holds its records in memory,
    /// and the pool's connections are the real limit anyway.
    pub ingesting: Arc<tokio::sync::Semaphore>,
}

impl WebState {
    pub fn new(app: Arc<App>, max_body: usize) -> WebState {
        WebState { app, max_body, ingesting: Arc::new(tokio::sync::Semaphore::new(8)) }
    }
}
