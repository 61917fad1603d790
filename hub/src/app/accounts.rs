//! Counters and staff accounts (what the administrator sets up before counters can call),
//! and staff sign-in: a password checked against its Argon2id hash, a lock-out after
//! repeated wrong ones, and sessions that expire (`MAX_AGE` at most, `IDLE` without use),
//! each with its own CSRF token. The cookie holds a random token; the database holds only
//! its SHA-256, so a copy of the database signs no one in.

use sha2::Digest;

use crate::credential;
pub use crate::db::accounts::{Account, Counter, Guard, Role, Session};
use crate::db::{self, DbError};

use super::App;

/// A working day.
pub const MAX_AGE: jiff::SignedDuration = jiff::SignedDuration::from_hours(10);
pub const IDLE: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);
/// Sign-in attempts allowed within [`WINDOW`]: five for an account at one address (the
/// sixth is refused, even with the right password), twenty from one address whatever
/// the account, fifty for an account from everywhere (many addresses guessing one
/// password). A scope past its limit is locked for [`LOCK`]; a supervisor lifts an
/// account's locks. A stranger guessing from the internet locks that account at their
/// own address, not at the counter's PC.
pub const GUARDS: [Guard; 3] = [
    Guard { scope: "pair", max_failed: 5 },
    Guard { scope: "source", max_failed: 20 },
    Guard { scope: "account", max_failed: 50 },
];
pub const WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
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

    /// One counter per agency, serving the agency's active services, named by its number
    /// and the agency's short name as written ("Loket 2 · Polres (SKCK, SIM)"); for a
    /// first setup and the demo.
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
            let name = format!("Loket {n} · {}", agency.short_name.id);
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

    /// Checks the password of `username` at `site`, asked from address `source`; on
    /// success a new session and its cookie token. Every attempt is counted before its
    /// password is checked ([`GUARDS`]): guesses sent at once are counted as surely as
    /// guesses in a row, and an unknown name is counted and answered like a known one.
    pub async fn sign_in(
        &self,
        site: &str,
        username: &str,
        password: &str,
        source: &str,
        now: jiff::Timestamp,
    ) -> Result<(String, Session), SignInError> {
        // Bounded before any work: the username's own rule, a password's sane length.
        if username.len() > 40 || password.len() > 1024 || site.len() > 40 {
            return Err(SignInError::Wrong);
        }
        if let Some(until) =
            db::accounts::count_attempt(&self.db, site, username, source, &GUARDS, now, WINDOW, LOCK).await?
        {
            log::warn!("staff sign-in: {username} at {site} from {source} refused: locked until {until}");
            let zone = self.zone(site).await?.unwrap_or_else(|| "UTC".into());
            return Err(SignInError::Locked(mpp_domain::hours::instant_time_text(
                until,
                &zone,
                mpp_domain::text::Lang::Id,
            )));
        }
        let login = db::accounts::login(&self.db, site, username).await?;
        // Argon2id for a known name and for an unknown one alike (the timing tells
        // nothing), at most two at a time, off the async threads.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = match &login {
            Some(l) => l.password_hash.clone(),
            None => DUMMY.get_or_init(|| credential::hash_secret("no such user")).clone(),
        };
        let ok = {
            let _permit = self.credentials.checks.acquire().await.expect("the semaphore is never closed");
            let password = password.to_owned();
            tokio::task::spawn_blocking(move || credential::verify_secret(&password, &hash)).await.unwrap_or(false)
        };
        let Some(login) = login.filter(|_| ok) else {
            log::warn!("staff sign-in: wrong username or password for {username:?} at {site} from {source}");
            return Err(SignInError::Wrong);
        };
        db::accounts::clear_attempts(&self.db, site, username, source).await?;
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

    /// Lifts an account's lock-outs (everywhere); whether the account exists.
    pub async fn unlock_staff(&self, site: &str, username: &str) -> Result<bool, DbError> {
        db::accounts::lift_lock(&self.db, site, username).await
    }

    /// Disables an account (or enables it again); its sessions end. Whether it exists.
    pub async fn set_staff_disabled(
        &self,
        site: &str,
        username: &str,
        disabled: bool,
        now: jiff::Timestamp,
    ) -> Result<bool, DbError> {
        db::accounts::set_disabled(&self.db, site, username, disabled.then_some(now)).await
    }

    /// Signs an account out on every device; how many sessions ended.
    pub async fn sign_out_everywhere(&self, site: &str, username: &str) -> Result<u64, DbError> {
        db::accounts::end_sessions(&self.db, site, username).await
    }

    /// The site's staff accounts, with their sessions and locks.
    pub async fn accounts(&self, site: &str, now: jiff::Timestamp) -> Result<Vec<Account>, DbError> {
        db::accounts::accounts(&self.db, site, now).await
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), DbError> {
        db::accounts::end_session(&self.db, &digest(token)).await
    }
}
