//! The web layer's one error: a status and a message, rendered as the API's JSON
//! (`{"error": "…"}`) or as a page, as the request's kind asks. Database failures are
//! logged in full and answered with a 503 that says to try again.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::app::DbError;

use super::html;

/// How an error is shown: to a program or to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Json,
    /// A page with a heading and the message.
    Page,
    /// Plain text (a form post's refusal).
    Text,
}

impl Form {
    /// The API answers JSON; everything else is a page a person reads.
    pub fn of_path(path: &str) -> Form {
        if path.starts_with("/api/") { Form::Json } else { Form::Page }
    }
}

#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    pub form: Form,
    /// A page's own body (trusted HTML), instead of the message in a heading.
    pub html: Option<String>,
}

impl WebError {
    pub fn new(form: Form, status: StatusCode, message: impl Into<String>) -> WebError {
        WebError { status, message: message.into(), form, html: None }
    }

    pub fn json(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError::new(Form::Json, status, message)
    }

    pub fn page(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError::new(Form::Page, status, message)
    }

    pub fn text(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError::new(Form::Text, status, message)
    }

    /// A page whose body is `html` (built with `html::esc` for every text in it).
    pub fn page_html(status: StatusCode, title: impl Into<String>, html: String) -> WebError {
        WebError { status, message: title.into(), form: Form::Page, html: Some(html) }
    }

    /// The database failed: logged in full with `context`; answered 503, saying only that
    /// (in Indonesian, then English): PostgreSQL's own words stay in the log.
    pub fn db(form: Form, context: &str, e: &DbError) -> WebError {
        log::error!("{context}: {e}");
        WebError::new(form, StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
    }
}

/// What a person or a kiosk is told when the database cannot answer.
pub const UNAVAILABLE: &str =
    "Basis data tidak tersedia; coba lagi sebentar lagi. · The database is not available; try again shortly.";

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self.form {
            Form::Json => (self.status, Json(serde_json::json!({ "error": self.message }))).into_response(),
            Form::Text => (self.status, self.message).into_response(),
            Form::Page => {
                let body = self
                    .html
                    .unwrap_or_else(|| format!(r#"<main class="status"><h1>{}</h1></main>"#, html::esc(&self.message)));
                (self.status, html::page(&self.message, "", &body, None)).into_response()
            }
        }
    }
}
