//! The fleet's alerts out: a JSON POST to the site's webhook (a chat bot, a paging
//! service), off the async threads, with a timeout; a redirect is not followed (an
//! answer that sends the alert elsewhere is a failure, tried again later).

/// POSTs `body` to `url`; whether it was accepted (a 2xx).
pub async fn post(url: &str, body: serde_json::Value) -> bool {
    let url = url.to_owned();
    let result = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(10)))
            .max_redirects(0)
            .build()
            .into();
        agent.post(&url).header("Content-Type", "application/json").send(body.to_string().as_bytes())
    })
    .await;
    match result {
        Ok(Ok(response)) if response.status().is_success() => true,
        Ok(Ok(response)) => {
            log::warn!("the alert webhook answered {}; trying again later", response.status());
            false
        }
        Ok(Err(e)) => {
            log::warn!("the alert webhook: {e}; trying again later");
            false
        }
        Err(e) => {
            log::warn!("the alert webhook: {e}");
            false
        }
    }
}
