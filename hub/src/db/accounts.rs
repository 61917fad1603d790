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
    /// A province's operator: sees every site's fleet.
    Operator,
    /// The reception desk: issues numbers, checks bookings in, reprints slips.
    Desk,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Counter => "counter",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Desk => "desk",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        [Role::Counter, Role::Supervisor, Role::Admin, Role::Operator, Role::Desk]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// Sees the report and the fleet, calls out of order.
    pub fn supervises(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin | Role::Operator)
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

/// Adds a staff account, or resets its name, role and password (and enables it). A
/// changed password ends every session the account had.
pub async fn put_staff(
    db: &Db,
    site: &str,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    now: jiff::Timestamp,
) -> Result<(), DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO staff (site, username, display_name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (site, username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
             password_hash = excluded.password_hash, disabled_at = NULL",
        &[&site, &username, &display_name, &role.code(), &password_hash, &Ts(now)],
    )
    .await?;
    tx.execute("DELETE FROM staff_session WHERE site = $1 AND username = $2", &[&site, &username]).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account (`Some(when)`) or enables it again (`None`); a disabled one signs
/// in nowhere and its sessions end. Whether the account exists.
pub async fn set_disabled(db: &Db, site: &str, username: &str, at: Option<jiff::Timestamp>) -> Result<bool, DbError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let n = tx
        .execute(
            "UPDATE staff SET disabled_at = $3 WHERE site = $1 AND username = $2",
            &[&site, &username, &at.map(Ts)],
        )
        .await?;
    tx.execute("DELETE FROM staff_session WHERE site = $1 AND username = $2", &[&site, &username]).await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Ends every session of an account (signed out on every device); how many there were.
pub async fn end_sessions(db: &Db, site: &str, username: &str) -> Result<u64, DbError> {
    Ok(db
        .client()
        .await?
        .execute("DELETE FROM staff_session WHERE site = $1 AND username = $2", &[&site, &username])
        .await?)
}

/// A staff account as the supervisors' page lists it.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub sessions: i64,
    /// Until when the account (anywhere, or at some address) is locked, if it is.
    pub locked_until: Option<jiff::Timestamp>,
}

pub async fn accounts(db: &Db, site: &str, now: jiff::Timestamp) -> Result<Vec<Account>, DbError> {
    let rows = db
        .client()
        .await?
        .query(
            "SELECT t.username, t.display_name, t.role, t.disabled_at IS NOT NULL AS disabled,
                    (SELECT count(*) FROM staff_session s WHERE s.site = t.site AND s.username = t.username
                       AND s.expires_at > $2) AS sessions,
                    (SELECT max(g.locked_until) FROM sign_in_guard g WHERE g.site = t.site AND g.username = t.username
                       AND g.scope IN ('pair', 'account') AND g.locked_until > $2) AS locked_until
             FROM staff t WHERE t.site = $1 ORDER BY t.username",
            &[&site, &Ts(now)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let username: String = r.try_get("username")?;
            Ok(Account {
                display_name: r.try_get("display_name")?,
                role: role(r, &username)?,
                disabled: r.try_get("disabled")?,
                sessions: r.try_get("sessions")?,
                locked_until: r.try_get::<_, Option<Ts>>("locked_until")?.map(|t| t.0),
                username,
            })
        })
        .collect()
}

/// An enabled staff account as sign-in needs it.
pub struct Login {
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
}

pub async fn login(db: &Db, site: &str, username: &str) -> Result<Option<Login>, DbError> {
    let row = db
        .client()
        .await?
        .query_opt(
            "SELECT password_hash, display_name, role FROM staff WHERE site = $1 AND username = $2 AND disabled_at IS NULL",
            &[&site, &username],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Login {
        password_hash: r.try_get("password_hash")?,
        display_name: r.try_get("display_name")?,
        role: role(&r, username)?,
    }))
}

/// A scope of sign-in throttling: `pair` (an account at one address), `source` (an
/// address) or `account` (anywhere), and how many failures within the window lock it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub scope: &'static str,
    pub max_failed: i32,
}

/// One sign-in attempt counted in every scope at once, before its password is checked:
/// one statement, so concurrent attempts each see the others. A count starts again
/// `window` after it began (unless locked); a scope whose count passes its limit is
/// locked until `now + lock`. Returns the latest lock among the scopes locked now.
#[allow(clippy::too_many_arguments)]
pub async fn count_attempt(
    db: &Db,
    site: &str,
    username: &str,
    source: &str,
    guards: &[Guard; 3],
    now: jiff::Timestamp,
    window: jiff::SignedDuration,
    lock: jiff::SignedDuration,
) -> Result<Option<jiff::Timestamp>, DbError> {
    let key = |g: &Guard| match g.scope {
        "pair" => (site, username, source),
        "source" => ("", "", source),
        _ => (site, username, ""),
    };
    let (a, b, c) = (key(&guards[0]), key(&guards[1]), key(&guards[2]));
    let (now_ts, since, until) = (Ts(now), Ts(now - window), Ts(now + lock));
    let rows = db
        .client()
        .await?
        .query(
            "INSERT INTO sign_in_guard AS g (scope, site, username, source, failed, max_failed, window_from, locked_until)
             VALUES ($1, $2, $3, $4, 1, $5, $16, NULL), ($6, $7, $8, $9, 1, $10, $16, NULL),
                    ($11, $12, $13, $14, 1, $15, $16, NULL)
             ON CONFLICT (scope, site, username, source) DO UPDATE SET
                 failed = CASE WHEN g.window_from < $17 AND coalesce(g.locked_until < $16, true) THEN 1
                               ELSE g.failed + 1 END,
                 window_from = CASE WHEN g.window_from < $17 AND coalesce(g.locked_until < $16, true) THEN $16
                                    ELSE g.window_from END,
                 max_failed = excluded.max_failed,
                 locked_until = CASE
                     WHEN g.locked_until >= $16 THEN g.locked_until
                     WHEN g.window_from >= $17 AND g.failed + 1 > excluded.max_failed THEN $18
                     ELSE NULL END
             RETURNING failed, max_failed, locked_until",
            &[
                &guards[0].scope,
                &a.0,
                &a.1,
                &a.2,
                &guards[0].max_failed,
                &guards[1].scope,
                &b.0,
                &b.1,
                &b.2,
                &guards[1].max_failed,
                &guards[2].scope,
                &c.0,
                &c.1,
                &c.2,
                &guards[2].max_failed,
                &now_ts,
                &since,
                &until,
            ],
        )
        .await?;
    let mut locked = None;
    for r in rows {
        if let Some(Ts(until)) = r.try_get::<_, Option<Ts>>("locked_until")?
            && until > now
        {
            locked = locked.max(Some(until));
        }
    }
    Ok(locked)
}

/// A right password: the account's counts (anywhere, and at this address) start again.
pub async fn clear_attempts(db: &Db, site: &str, username: &str, source: &str) -> Result<(), DbError> {
    db.client()
        .await?
        .execute(
            "DELETE FROM sign_in_guard WHERE site = $1 AND username = $2
                 AND (scope = 'account' OR (scope = 'pair' AND source = $3))",
            &[&site, &username, &source],
        )
        .await?;
    Ok(())
}

/// A lock lifted by a supervisor: the account's counts everywhere; whether the account exists.
pub async fn lift_lock(db: &Db, site: &str, username: &str) -> Result<bool, DbError> {
    let client = db.client().await?;
    client
        .execute(
            "DELETE FROM sign_in_guard WHERE site = $1 AND username = $2 AND scope IN ('pair', 'account')",
            &[&site, &username],
        )
        .await?;
    let exists = client.query_opt("SELECT 1 FROM staff WHERE site = $1 AND username = $2", &[&site, &username]).await?;
    Ok(exists.is_some())
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
