//! The site's counters and staff accounts, staff sign-in (the failed-login count and the
//! lock-out) and staff sessions (kept as the SHA-256 of the cookie's token).

use super::{Db, DbError, Ts};

/// Who a staff member is at the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Calls and serves tickets at a counter.
    Counter,
    /// Also calls out of order, sees reports.
    Supervisor,
    /// Also manages counters and staff.
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Counter => "counter",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        [Role::Counter, Role::Supervisor, Role::Admin].into_iter().find(|r| r.code() == code)
    }
}

fn role(r: &tokio_postgres::Row, who: &str) -> Result<Role, DbError> {
    let code: String = r.try_get("role")?;
    Role::from_code(&code).ok_or_else(|| DbError::row("staff", who, format!("role {code:?}")))
}

/// A counter of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub number: i16,
    pub name: String,
    pub services: Vec<String>,
}

/// Adds or replaces counter `number` of `site`.
pub async fn put_counter(db: &Db, site: &str, counter: &Counter) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "INSERT INTO counter (site, number, name, services) VALUES ($1, $2, $3, $4)
             ON CONFLICT (site, number) DO UPDATE SET name = excluded.name, services = excluded.services",
            &[&site, &counter.number, &counter.name, &counter.services],
        )
        .await?;
    Ok(())
}

/// The site's counters, by number.
pub async fn counters(db: &Db, site: &str) -> Result<Vec<Counter>, DbError> {
    let rows = db
        .client()
        .await?
        .query("SELECT number, name, services FROM counter WHERE site = $1 ORDER BY number", &[&site])
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Counter { number: r.try_get("number")?, name: r.try_get("name")?, services: r.try_get("services")? })
        })
        .collect()
}

/// Adds a staff account, or resets its name, role and password (and enables it).
pub async fn put_staff(
    db: &Db,
    site: &str,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    now: jiff::Timestamp,
) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "INSERT INTO staff (site, username, display_name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (site, username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
                 password_hash = excluded.password_hash, disabled_at = NULL",
            &[&site, &username, &display_name, &role.code(), &password_hash, &Ts(now)],
        )
        .await?;
    Ok(())
}

/// An enabled staff account as sign-in needs it.
pub struct Login {
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub failed_logins: i16,
    pub locked_until: Option<jiff::Timestamp>,
}

pub async fn login(db: &Db, site: &str, username: &str) -> Result<Option<Login>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            "SELECT password_hash, display_name, role, failed_logins, locked_until FROM staff
             WHERE site = $1 AND username = $2 AND disabled_at IS NULL",
            &[&site, &username],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Login {
        password_hash: r.try_get("password_hash")?,
        display_name: r.try_get("display_name")?,
        role: role(&r, username)?,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get::<_, Option<Ts>>("locked_until")?.map(|t| t.0),
    }))
}

/// Records a wrong password: `failed` in a row now, and the lock-out's end if it locks.
pub async fn record_failure(
    db: &Db,
    site: &str,
    username: &str,
    failed: i16,
    lock_until: Option<jiff::Timestamp>,
) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "UPDATE staff SET failed_logins = CASE WHEN $4::timestamptz IS NULL THEN $3 ELSE 0::smallint END,
                              locked_until = coalesce($4, locked_until)
             WHERE site = $1 AND username = $2",
            &[&site, &username, &failed, &lock_until.map(Ts)],
        )
        .await?;
    Ok(())
}

/// A right password, or a lock lifted: the count and any lock-out cleared; whether the
/// account exists.
pub async fn clear_failures(db: &Db, site: &str, username: &str) -> Result<bool, DbError> {
    let n = db
        .client()
        .await?
        .execute(
            "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE site = $1 AND username = $2",
            &[&site, &username],
        )
        .await?;
    Ok(n == 1)
}

/// A signed-in staff member, as a session row reads.
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

/// Starts a session (`token_sha256` the cookie token's digest) and drops expired ones.
#[allow(clippy::too_many_arguments)]
pub async fn start_session(
    db: &Db,
    token_sha256: &str,
    site: &str,
    username: &str,
    csrf: &str,
    now: jiff::Timestamp,
    expires: jiff::Timestamp,
) -> Result<(), DbError> {
    let client = db.client().await?;
    client
        .execute(
            "INSERT INTO staff_session (token_sha256, site, username, csrf, created_at, last_seen, expires_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
            &[&token_sha256, &site, &username, &csrf, &Ts(now), &Ts(expires)],
        )
        .await?;
    client.execute("DELETE FROM staff_session WHERE expires_at < $1", &[&Ts(now)]).await?;
    Ok(())
}

/// The session of a token's digest, if it is valid at `now` (not expired, not idle longer
/// than `idle`); its use is recorded at most once a minute.
pub async fn session(
    db: &Db,
    token_sha256: &str,
    now: jiff::Timestamp,
    idle: jiff::SignedDuration,
) -> Result<Option<Session>, DbError> {
    let client = db.client().await?;
    let row = client
        .query_opt(
            "SELECT s.site, s.username, t.display_name, t.role, s.csrf, s.counter, s.last_seen
             FROM staff_session s JOIN staff t ON t.site = s.site AND t.username = s.username
             WHERE s.token_sha256 = $1 AND t.disabled_at IS NULL AND s.expires_at > $2 AND s.last_seen > $3",
            &[&token_sha256, &Ts(now), &Ts(now - idle)],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let username: String = r.try_get("username")?;
    // Use restarts the idle time; written at most once a minute, not on every request.
    let last_seen: Ts = r.try_get("last_seen")?;
    if last_seen.0 < now - jiff::SignedDuration::from_mins(1) {
        client
            .execute("UPDATE staff_session SET last_seen = $2 WHERE token_sha256 = $1", &[&token_sha256, &Ts(now)])
            .await?;
    }
    Ok(Some(Session {
        site: r.try_get("site")?,
        display_name: r.try_get("display_name")?,
        role: role(&r, &username)?,
        csrf: r.try_get("csrf")?,
        counter: r.try_get("counter")?,
        username,
    }))
}

/// The counter this session works at (a counter of its site); whether it was.
pub async fn choose_counter(db: &Db, token_sha256: &str, site: &str, counter: i16) -> Result<bool, DbError> {
    let n = db
        .client()
        .await?
        .execute(
            "UPDATE staff_session SET counter = $3 WHERE token_sha256 = $1 AND site = $2
                 AND EXISTS (SELECT 1 FROM counter WHERE site = $2 AND number = $3)",
            &[&token_sha256, &site, &counter],
        )
        .await?;
    Ok(n == 1)
}

pub async fn end_session(db: &Db, token_sha256: &str) -> Result<(), DbError> {
    db.client().await?.execute("DELETE FROM staff_session WHERE token_sha256 = $1", &[&token_sha256]).await?;
    Ok(())
}
