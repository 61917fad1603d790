//! The fleet's alerts and the bookings' reminders out: a JSON POST to the site's webhook or
//! gateway (a chat bot, a paging service, an SMS or WhatsApp gateway), off the async
//! threads, with a timeout; a redirect is not followed (an answer that sends the message
//! elsewhere is a failure, tried again later).

/// POSTs `body` to `url`; whether it was accepted (a 2xx).
pub async fn post(url: &str, body: serde_json::Value) -> bool {
    post_with(url, None, body).await
}

/// POSTs `body` to `url` with a bearer `token` (a gateway's); whether it was accepted.
pub async fn post_with(url: &str, token: Option<&str>, body: serde_json::Value) -> bool {
    let url = url.to_owned();
    let auth = token.map(|t| format!("Bearer {t}"));
    let result = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(10)))
            .max_redirects(0)
            .build()
            .into();
        let mut request = agent.post(&url).header("Content-Type", "application/json");
        if let Some(auth) = &auth {
            request = request.header("Authorization", auth);
        }
        request.send(body.to_string().as_bytes())
    })
    .await;
    match result {
        Ok(Ok(response)) if response.status().is_success() => true,
        Ok(Ok(response)) => {
            log::warn!("a webhook answered {}; trying again later", response.status());
            false
        }
        Ok(Err(e)) => {
            log::warn!("a webhook: {e}; trying again later");
            false
        }
        Err(e) => {
            log::warn!("a webhook: {e}");
            false
        }
    }
}
