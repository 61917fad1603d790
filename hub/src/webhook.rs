//! The fleet's alerts out: a JSON POST to the site's webhook (a chat bot, a paging
//! service), off the async threads, with a timeout.

/// POSTs `body` to `url`; whether it was accepted (a 2xx).
pub async fn post(url: &str, body: serde_json::Value) -> bool {
    let url = url.to_owned();
    let result = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(std::time::Duration::from_secs(10))).build().into();
        agent.post(&url).header("Content-Type", "application/json").send(body.to_string().as_bytes())
    })
    .await;
    match result {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            log::warn!("the alert webhook: {e}; trying again at the next check");
            false
        }
        Err(e) => {
            log::warn!("the alert webhook: {e}");
            false
        }
    }
}
