//! Counters and staff accounts (what the administrator sets up before counters can call),
//! and staff sign-in: a password checked against its Argon2id hash, a lock-out after
//! repeated wrong ones, and sessions that expire (`MAX_AGE` at most, `IDLE` without use),
//! each with its own CSRF token. The cookie holds a random token; the database holds only
//! its SHA-256, so a copy of the database signs no one in.

use sha2::Digest;

use crate::credential;
pub use crate::db::accounts::{Counter, Role, Session};
use crate::db::{self, DbError};

use super::App;

/// A working day.
pub const MAX_AGE: jiff::SignedDuration = jiff::SignedDuration::from_hours(10);
pub const IDLE: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);
/// Wrong passwords in a row before the account is locked, and for how long.
pub const TRIES: i16 = 5;
pub const LOCK: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
/// The least length of a staff password (NIST SP 800-63B's 8, raised for shared PCs).
pub const MIN_PASSWORD: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no site {0:?} on this server: add it first (mpp-hub site add FEED)")]
    NoSite(String),
    #[error("{site} has no service {service:?} (the services are in its catalogue feed)")]
    NoService { site: String, service: String },
    #[error("a counter serves at least one service")]
    NoServices,
    #[error("the password is {0} characters; use at least {MIN_PASSWORD}")]
    ShortPassword(usize),
    #[error("the username {0:?}: use 2 to 40 of a-z, 0-9, '.', '_' and '-'")]
    Username(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The same for an unknown user and a wrong password: no one learns which names exist.
    #[error("wrong username or password")]
    Wrong,
    #[error("too many wrong passwords: the account is locked until {0} (or ask an admin)")]
    Locked(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The SHA-256 of a session token, as stored.
pub fn digest(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    async fn feed_of(&self, site: &str) -> Result<mpp_domain::catalogue::Feed, AdminError> {
        db::sites::feed(&self.db, site).await?.ok_or_else(|| AdminError::NoSite(site.to_owned()))
    }

    /// Adds or replaces a counter; every service must be the site's.
    pub async fn add_counter(&self, site: &str, counter: &Counter) -> Result<(), AdminError> {
        if counter.services.is_empty() {
            return Err(AdminError::NoServices);
        }
        let feed = self.feed_of(site).await?;
        if let Some(s) = counter.services.iter().find(|s| feed.service(s).is_none()) {
            return Err(AdminError::NoService { site: site.to_owned(), service: s.clone() });
        }
        db::accounts::put_counter(&self.db, site, counter).await?;
        self.sites.forget(&site.to_owned());
        Ok(())
    }

    /// One counter per agency, serving the agency's active services, named after its
    /// catalogue counter ("Loket 1 (Disdukcapil)"); for a first setup and the demo.
    pub async fn counters_per_agency(&self, site: &str) -> Result<usize, AdminError> {
        let feed = self.feed_of(site).await?;
        let mut n = 0;
        for agency in feed.agencies_in_order().into_iter().filter(|a| a.active) {
            let services: Vec<String> =
                feed.services_of(&agency.code).filter(|s| s.active).map(|s| s.code.clone()).collect();
            if services.is_empty() {
                continue;
            }
            n += 1;
            let name = format!("Loket {n} ({})", agency.short_name.id);
            self.add_counter(site, &Counter { number: n as i16, name, services }).await?;
        }
        Ok(n)
    }

    /// Adds a staff account (or resets its password and role).
    pub async fn add_staff(
        &self,
        site: &str,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
        now: jiff::Timestamp,
    ) -> Result<(), AdminError> {
        let valid = (2..=40).contains(&username.len())
            && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !valid {
            return Err(AdminError::Username(username.to_owned()));
        }
        let length = password.chars().count();
        if length < MIN_PASSWORD {
            return Err(AdminError::ShortPassword(length));
        }
        self.feed_of(site).await?;
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || credential::hash_secret(&password))
            .await
            .expect("hashing does not panic");
        db::accounts::put_staff(&self.db, site, username, display_name, role, &hash, now).await?;
        Ok(())
    }

    /// Checks the password; on success a new session and its cookie token.
    pub async fn sign_in(
        &self,
        site: &str,
        username: &str,
        password: &str,
        now: jiff::Timestamp,
    ) -> Result<(String, Session), SignInError> {
        let password = password.to_owned();
        let Some(login) = db::accounts::login(&self.db, site, username).await? else {
            // The same work as a real check, so the answer's timing tells nothing either.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let _ = tokio::task::spawn_blocking(move || {
                credential::verify_secret(&password, DUMMY.get_or_init(|| credential::hash_secret("no such user")))
            })
            .await;
            return Err(SignInError::Wrong);
        };
        if let Some(until) = login.locked_until.filter(|u| *u > now) {
            let zone = self.zone(site).await?.unwrap_or_else(|| "UTC".into());
            return Err(SignInError::Locked(mpp_domain::hours::instant_time_text(
                until,
                &zone,
                mpp_domain::text::Lang::Id,
            )));
        }
        let hash = login.password_hash.clone();
        let ok =
            tokio::task::spawn_blocking(move || credential::verify_secret(&password, &hash)).await.unwrap_or(false);
        if !ok {
            let failed = login.failed_logins + 1;
            let lock = (failed >= TRIES).then(|| now + LOCK);
            db::accounts::record_failure(&self.db, site, username, failed, lock).await?;
            log::warn!(
                "staff sign-in: wrong password for {username} at {site} ({failed} in a row{})",
                if lock.is_some() { ", locked" } else { "" }
            );
            return Err(SignInError::Wrong);
        }
        db::accounts::clear_failures(&self.db, site, username).await?;
        let token = credential::random_hex(32);
        let csrf = credential::random_hex(16);
        db::accounts::start_session(&self.db, &digest(&token), site, username, &csrf, now, now + MAX_AGE).await?;
        let session = Session {
            site: site.to_owned(),
            username: username.to_owned(),
            display_name: login.display_name,
            role: login.role,
            csrf,
            counter: None,
        };
        Ok((token, session))
    }

    /// The session of a cookie token, if it is valid now (and it is used: idle time restarts).
    pub async fn session(&self, token: &str, now: jiff::Timestamp) -> Result<Option<Session>, DbError> {
        db::accounts::session(&self.db, &digest(token), now, IDLE).await
    }

    /// The counter this session works at (a counter of its site); whether it was one.
    pub async fn choose_counter(&self, token: &str, site: &str, counter: i16) -> Result<bool, DbError> {
        db::accounts::choose_counter(&self.db, &digest(token), site, counter).await
    }

    /// Lifts a lock-out; whether the account exists.
    pub async fn unlock_staff(&self, site: &str, username: &str) -> Result<bool, DbError> {
        db::accounts::clear_failures(&self.db, site, username).await
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), DbError> {
        db::accounts::end_session(&self.db, &digest(token)).await
    }
}
