//! Staff sign-in for the counter pages: a password checked against its Argon2id hash, a
//! lock-out after repeated wrong ones, and sessions that expire (`MAX_AGE` at most,
//! `IDLE` without use), each with its own CSRF token. The cookie holds a random token; the
//! database holds only its SHA-256, so a copy of the database signs no one in.

use deadpool_postgres::Pool;
use sha2::Digest;

use crate::credential;
use crate::db::DbError;
use crate::staff::Role;

/// A working day.
pub const MAX_AGE: jiff::SignedDuration = jiff::SignedDuration::from_hours(10);
pub const IDLE: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);
/// Wrong passwords in a row before the account is locked, and for how long.
pub const TRIES: i16 = 5;
pub const LOCK: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub site: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub csrf: String,
    /// The counter they work at, once chosen.
    pub counter: Option<i16>,
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

impl From<tokio_postgres::Error> for SignInError {
    fn from(e: tokio_postgres::Error) -> Self {
        SignInError::Db(e.into())
    }
}

fn digest(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn role_of(code: &str) -> Role {
    match code {
        "admin" => Role::Admin,
        "supervisor" => Role::Supervisor,
        _ => Role::Counter,
    }
}

/// Checks the password; on success a new session and its cookie token.
pub async fn sign_in(
    pool: &Pool,
    site: &str,
    username: &str,
    password: &str,
    now: jiff::Timestamp,
) -> Result<(String, Session), SignInError> {
    let client = pool.get().await.map_err(DbError::from)?;
    let row = client
        .query_opt(
            "SELECT password_hash, display_name, role, failed_logins, locked_until > $3::text::timestamptz, to_char(locked_until, 'HH24:MI') FROM staff
             WHERE site = $1 AND username = $2 AND disabled_at IS NULL",
            &[&site, &username, &now.to_string()],
        )
        .await?;
    let password = password.to_owned();
    let Some(row) = row else {
        // The same work as a real check, so the answer's timing tells nothing either.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let _ = tokio::task::spawn_blocking(move || {
            credential::verify_secret(&password, DUMMY.get_or_init(|| credential::hash_secret("no such user")))
        })
        .await;
        return Err(SignInError::Wrong);
    };
    if row.get::<_, Option<bool>>(4) == Some(true) {
        return Err(SignInError::Locked(row.get::<_, Option<String>>(5).unwrap_or_default()));
    }
    let hash: String = row.get(0);
    let ok = tokio::task::spawn_blocking(move || credential::verify_secret(&password, &hash)).await.unwrap_or(false);
    if !ok {
        let failed: i16 = row.get::<_, i16>(3) + 1;
        let lock = (failed >= TRIES).then(|| (now + LOCK).to_string());
        client
            .execute(
                "UPDATE staff SET failed_logins = CASE WHEN $4::text IS NULL THEN $3::smallint ELSE 0::smallint END, locked_until = coalesce($4::text::timestamptz, locked_until) WHERE site = $1 AND username = $2",
                &[&site, &username, &failed, &lock],
            )
            .await?;
        log::warn!(
            "staff sign-in: wrong password for {username} at {site} ({failed} in a row{})",
            if lock.is_some() { ", locked" } else { "" }
        );
        return Err(SignInError::Wrong);
    }
    client
        .execute(
            "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE site = $1 AND username = $2",
            &[&site, &username],
        )
        .await?;
    let token = credential::random_hex(32);
    let csrf = credential::random_hex(16);
    client
        .execute(
            "INSERT INTO staff_session (token_sha256, site, username, csrf, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $5::text::timestamptz, $5::text::timestamptz, $6::text::timestamptz)",
            &[&digest(&token), &site, &username, &csrf, &now.to_string(), &(now + MAX_AGE).to_string()],
        )
        .await?;
    // Expired sessions go as new ones come.
    client.execute("DELETE FROM staff_session WHERE expires_at < $1::text::timestamptz", &[&now.to_string()]).await?;
    Ok((
        token,
        Session {
            site: site.to_owned(),
            username: username.to_owned(),
            display_name: row.get(1),
            role: role_of(&row.get::<_, String>(2)),
            csrf,
            counter: None,
        },
    ))
}

/// The session of a cookie token, if it is valid now (and it is used: idle time restarts).
pub async fn find(pool: &Pool, token: &str, now: jiff::Timestamp) -> Result<Option<Session>, DbError> {
    let client = pool.get().await?;
    let digest = digest(token);
    let row = client
        .query_opt(
            "SELECT s.site, s.username, t.display_name, t.role, s.csrf, s.counter, s.last_seen < $2::text::timestamptz - interval '1 minute'
             FROM staff_session s JOIN staff t ON t.site = s.site AND t.username = s.username
             WHERE s.token_sha256 = $1 AND t.disabled_at IS NULL
               AND s.expires_at > $2::text::timestamptz AND s.last_seen > $2::text::timestamptz - $3::text::interval",
            &[&digest, &now.to_string(), &format!("{} seconds", IDLE.as_secs())],
        )
        .await?;
    // Use restarts the idle time; written at most once a minute, not on every request.
    if row.as_ref().is_some_and(|r| r.get::<_, bool>(6)) {
        client
            .execute(
                "UPDATE staff_session SET last_seen = $2::text::timestamptz WHERE token_sha256 = $1",
                &[&digest, &now.to_string()],
            )
            .await?;
    }
    Ok(row.map(|r| Session {
        site: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        role: role_of(&r.get::<_, String>(3)),
        csrf: r.get(4),
        counter: r.get(5),
    }))
}

/// The counter this session works at (a counter of its site).
pub async fn choose_counter(pool: &Pool, token: &str, site: &str, counter: i16) -> Result<bool, DbError> {
    let client = pool.get().await?;
    Ok(client
        .execute(
            "UPDATE staff_session SET counter = $3 WHERE token_sha256 = $1 AND site = $2 AND EXISTS (SELECT 1 FROM counter WHERE site = $2 AND number = $3)",
            &[&digest(token), &site, &counter],
        )
        .await?
        == 1)
}

pub async fn sign_out(pool: &Pool, token: &str) -> Result<(), DbError> {
    pool.get().await?.execute("DELETE FROM staff_session WHERE token_sha256 = $1", &[&digest(token)]).await?;
    Ok(())
}
