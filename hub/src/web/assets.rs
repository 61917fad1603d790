//! `/assets/{name}`: the pages' style sheet and scripts, embedded in the binary.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "style.css" => (include_str!("../../assets/web/style.css"), "text/css; charset=utf-8"),
        "counter.js" => (include_str!("../../assets/web/counter.js"), "text/javascript; charset=utf-8"),
        "display.js" => (include_str!("../../assets/web/display.js"), "text/javascript; charset=utf-8"),
        "report.js" => (include_str!("../../assets/web/report.js"), "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}
