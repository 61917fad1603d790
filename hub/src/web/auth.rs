//! Who a request comes from, as extractors: a handler that takes [`Staff`], [`Supervisor`],
//! [`AtCounter`] or [`Kiosk`] runs only for that caller; the refusal (401, 403, 409) is the
//! extractor's, in the request's form (JSON for the API, a page for a person).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};

use super::error::{Form, WebError};
use super::state::WebState;
use crate::app::KioskId;
use crate::app::accounts::Session;

pub const COOKIE: &str = "mpp_hub_session";

/// The session cookie's token, if the request carries a well-formed one.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == COOKIE && v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())).then(|| v.to_owned())
    })
}

/// A signed-in staff member, with the cookie's token.
pub struct Staff {
    pub token: String,
    pub session: Session,
}

impl OptionalFromRequestParts<WebState> for Staff {
    type Rejection = WebError;

    /// `None`: no session (none sent, or expired); an error only when the database fails,
    /// so signed-in staff see "database unavailable", not the sign-in form.
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Option<Staff>, WebError> {
        let Some(token) = cookie_token(&parts.headers) else { return Ok(None) };
        match state.app.session(&token, crate::clock::now()).await {
            Ok(session) => Ok(session.map(|session| Staff { token, session })),
            Err(e) => Err(WebError::db(Form::of_path(parts.uri.path()), "reading a staff session", &e)),
        }
    }
}

impl FromRequestParts<WebState> for Staff {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Staff, WebError> {
        let form = Form::of_path(parts.uri.path());
        match <Staff as OptionalFromRequestParts<WebState>>::from_request_parts(parts, state).await? {
            Some(s) => Ok(s),
            None if form == Form::Json => Err(WebError::json(StatusCode::UNAUTHORIZED, "Sesi berakhir: masuk lagi. · Signed out: sign in again.")),
            None => Err(WebError::page_html(
                StatusCode::UNAUTHORIZED,
                "Masuk dulu",
                r#"<main class="status"><h1>Masuk dulu</h1><p><a href="/counter">Masuk</a> sebagai supervisor atau admin.</p></main>"#.into(),
            )),
        }
    }
}

/// A signed-in supervisor or admin (the report and the fleet); a clerk gets 403.
pub struct Supervisor(pub Session);

impl FromRequestParts<WebState> for Supervisor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Supervisor, WebError> {
        let staff = <Staff as FromRequestParts<WebState>>::from_request_parts(parts, state).await?;
        if !staff.session.role.supervises() {
            return Err(WebError::new(
                Form::of_path(parts.uri.path()),
                StatusCode::FORBIDDEN,
                "Hanya untuk supervisor dan admin",
            ));
        }
        Ok(Supervisor(staff.session))
    }
}

/// A signed-in member of the reception desk, or a supervisor or admin standing in for it.
pub struct AtDesk(pub Session);

impl FromRequestParts<WebState> for AtDesk {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<AtDesk, WebError> {
        let staff = <Staff as FromRequestParts<WebState>>::from_request_parts(parts, state).await?;
        if staff.session.role != crate::app::accounts::Role::Desk && !staff.session.role.supervises() {
            return Err(WebError::new(
                Form::of_path(parts.uri.path()),
                StatusCode::FORBIDDEN,
                "Hanya untuk meja informasi",
            ));
        }
        Ok(AtDesk(staff.session))
    }
}

/// A signed-in staff member at a counter they chose.
pub struct AtCounter {
    pub session: Session,
    pub counter: i16,
}

impl FromRequestParts<WebState> for AtCounter {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<AtCounter, WebError> {
        let staff = <Staff as FromRequestParts<WebState>>::from_request_parts(parts, state).await?;
        let Some(counter) = staff.session.counter else {
            return Err(WebError::new(
                Form::of_path(parts.uri.path()),
                StatusCode::CONFLICT,
                "Pilih loket dulu. · Choose a counter first.",
            ));
        };
        Ok(AtCounter { session: staff.session, counter })
    }
}

/// A kiosk, by its credential (`Authorization: Bearer mpk1.…`). The credential is never
/// echoed, not even in the log.
pub struct Kiosk(pub KioskId);

impl FromRequestParts<WebState> for Kiosk {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Kiosk, WebError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| WebError::json(StatusCode::UNAUTHORIZED, "no kiosk credential (Authorization: Bearer …)"))?;
        match state.app.authenticate(token).await {
            Ok(Some(kiosk)) => Ok(Kiosk(kiosk)),
            Ok(None) => Err(WebError::json(StatusCode::UNAUTHORIZED, "the kiosk credential is unknown or revoked")),
            Err(e) => Err(WebError::db(Form::Json, "authenticating a kiosk", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_session_cookie_is_read() {
        let mut h = HeaderMap::new();
        let token = "a".repeat(64);
        h.insert(header::COOKIE, format!("other=1; {COOKIE}={token}").parse().unwrap());
        assert_eq!(cookie_token(&h), Some(token));
        h.insert(header::COOKIE, format!("{COOKIE}=' OR 1=1 --").parse().unwrap());
        assert_eq!(cookie_token(&h), None);
    }
}
