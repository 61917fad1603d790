//! Counters and staff accounts: what the administrator sets up before counters can call.

use deadpool_postgres::Pool;
use mpp_domain::catalogue::Feed;

use crate::db::DbError;

/// Who a staff member is at the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
}

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

impl From<tokio_postgres::Error> for AdminError {
    fn from(e: tokio_postgres::Error) -> Self {
        AdminError::Db(e.into())
    }
}

async fn site_feed(pool: &Pool, site: &str) -> Result<Feed, AdminError> {
    let client = pool.get().await.map_err(DbError::from)?;
    let row = client
        .query_opt("SELECT feed FROM site WHERE code = $1", &[&site])
        .await?
        .ok_or_else(|| AdminError::NoSite(site.to_owned()))?;
    let feed: serde_json::Value = row.get(0);
    Ok(serde_json::from_value(feed)
        .map_err(|e| DbError::Url(format!("the stored feed of {site} does not read: {e}")))?)
}

/// Adds or replaces counter `number`; every service must be the site's.
pub async fn add_counter(
    pool: &Pool,
    site: &str,
    number: i16,
    name: &str,
    services: &[String],
) -> Result<(), AdminError> {
    if services.is_empty() {
        return Err(AdminError::NoServices);
    }
    let feed = site_feed(pool, site).await?;
    if let Some(s) = services.iter().find(|s| feed.service(s).is_none()) {
        return Err(AdminError::NoService { site: site.to_owned(), service: s.clone() });
    }
    let client = pool.get().await.map_err(DbError::from)?;
    client
        .execute(
            "INSERT INTO counter (site, number, name, services) VALUES ($1, $2, $3, $4)
             ON CONFLICT (site, number) DO UPDATE SET name = excluded.name, services = excluded.services",
            &[&site, &number, &name, &services],
        )
        .await?;
    Ok(())
}

/// One counter per agency, serving the agency's active services, named after its
/// catalogue counter ("Loket 1 (Disdukcapil)"); for a first setup and the demo.
pub async fn counters_per_agency(pool: &Pool, site: &str) -> Result<usize, AdminError> {
    let feed = site_feed(pool, site).await?;
    let mut n = 0;
    for agency in feed.agencies_in_order().into_iter().filter(|a| a.active) {
        let services: Vec<String> =
            feed.services_of(&agency.code).filter(|s| s.active).map(|s| s.code.clone()).collect();
        if services.is_empty() {
            continue;
        }
        n += 1;
        let name = format!("Loket {n} ({})", agency.short_name.id);
        add_counter(pool, site, n as i16, &name, &services).await?;
    }
    Ok(n)
}

/// Adds a staff account (or resets its password and role).
pub async fn add_staff(
    pool: &Pool,
    site: &str,
    username: &str,
    display_name: &str,
    role: Role,
    password: &str,
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
    site_feed(pool, site).await?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || crate::credential::hash_secret(&password))
        .await
        .expect("hashing does not panic");
    let client = pool.get().await.map_err(DbError::from)?;
    client
        .execute(
            "INSERT INTO staff (site, username, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (site, username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
                 password_hash = excluded.password_hash, disabled_at = NULL",
            &[&site, &username, &display_name, &role.code(), &hash],
        )
        .await?;
    Ok(())
}
