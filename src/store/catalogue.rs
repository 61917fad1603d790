//! The catalogue tables: atomic import, consistent loads, full-text search.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::de::DeserializeOwned;

use super::{Store, StoreError};
use crate::catalogue::search::fts_query;
use crate::catalogue::{Agency, Catalogue, Feed, Service, Site};
use crate::text::Text;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub version: u64,
    /// The version it replaced, if there was a catalogue before.
    pub previous: Option<u64>,
    pub agencies: usize,
    pub services: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("catalogue version {offered} is not newer than the stored version {stored}")]
    NotNewer { stored: u64, offered: u64 },
    #[error(
        "the feed is for site {offered}, this kiosk serves {stored}: refused (a feed signed with a shared key for another MPP; a technician moving the kiosk imports with --force)"
    )]
    OtherSite { stored: String, offered: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Store(e.into())
    }
}

/// One search result, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub code: String,
    /// FTS5 bm25 score: lower is better.
    pub score: f64,
}

/// Summary of what is stored, for `doctor`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CatalogueStats {
    pub version: u64,
    pub generated_at: String,
    pub imported_at: String,
    pub source: String,
    /// When the publisher said the catalogue stops being valid, if ever.
    pub expires: Option<String>,
    pub agencies: usize,
    pub services: usize,
    pub active_services: usize,
    pub unverified_services: usize,
}

/// The search tiers: first the columns that say what a service *is*; the body (what it
/// *needs*) only when those give too few results. Ranking every service that merely asks
/// for a KTP-el is both slow on a large catalogue and not what the citizen looks for.
const TIERS: [&str; 2] = ["{name keywords agency} : ", ""];

impl Store {
    /// Replaces the whole catalogue in one transaction: readers see the old one or the new
    /// one, never a mix. A feed whose version is not newer than the stored one is refused
    /// unless `force` (a technician's deliberate rollback). The feed must be validated.
    pub fn import_catalogue(
        &mut self,
        feed: &Feed,
        source: &str,
        force: bool,
        now: jiff::Timestamp,
    ) -> Result<ImportOutcome, ImportError> {
        let version = to_sql_int(feed.version)?;
        // IMMEDIATE: take the write lock before reading the stored version, so two importers
        // cannot both decide they are newer.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let previous: Option<(i64, String, String)> = tx
            .query_row("SELECT version, source, site FROM catalogue_meta", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if let Some((stored, source, site)) = &previous {
            let stored = *stored as u64;
            if feed.version <= stored && !force {
                return Err(ImportError::NotNewer { stored, offered: feed.version });
            }
            // The first real feed sets the kiosk's site (the embedded catalogue is only a
            // start); after that, another site's feed needs --force.
            let stored_site = serde_json::from_str::<serde_json::Value>(site)
                .ok()
                .and_then(|s| s["code"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if source != crate::catalogue::DEFAULT_SOURCE && stored_site != feed.site.code && !force {
                return Err(ImportError::OtherSite { stored: stored_site, offered: feed.site.code.clone() });
            }
        }
        // Emptying an FTS5 table row by row costs almost as much as filling it; dropping and
        // re-creating it (from its own stored definition, so it always matches the schema)
        // is a page-level operation. Inside the transaction, like everything else.
        let fts_sql: String =
            tx.query_row("SELECT sql FROM sqlite_schema WHERE name = 'service_fts'", [], |r| r.get(0))?;
        tx.execute_batch(
            "DROP TABLE service_fts; DELETE FROM service; DELETE FROM agency; DELETE FROM catalogue_meta;",
        )?;
        tx.execute_batch(&fts_sql)?;
        tx.execute(
            "INSERT INTO catalogue_meta (id, schema, version, generated_at, expires, imported_at, source, site)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                feed.schema,
                version,
                feed.generated_at.to_string(),
                feed.expires.map(|t| t.to_string()),
                now.to_string(),
                source,
                to_json(&feed.site),
            ],
        )?;
        {
            let mut ins = tx
                .prepare("INSERT INTO agency (code, position, sort_order, active, data) VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for (i, a) in feed.agencies.iter().enumerate() {
                ins.execute(params![a.code, i as i64, a.order, a.active, to_json(a)])?;
            }
            let mut ins = tx.prepare(
                "INSERT INTO service (code, position, agency_code, ticket_prefix, active, verified, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut fts = tx.prepare(
                "INSERT INTO service_fts (rowid, code, live, name, keywords, agency, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let agencies: HashMap<&str, &Agency> = feed.agencies.iter().map(|a| (a.code.as_str(), a)).collect();
            for (i, s) in feed.services.iter().enumerate() {
                ins.execute(params![s.code, i as i64, s.agency, s.ticket_prefix, s.active, s.verified, to_json(s)])?;
                let agency = agencies.get(s.agency.as_str());
                let live = s.active && agency.is_some_and(|a| a.active);
                let agency = agency.map(|a| agency_words(a)).unwrap_or_default();
                fts.execute(params![
                    i as i64,
                    s.code,
                    live,
                    join(s.name.all()),
                    keyword_words(s),
                    agency,
                    body_words(s)
                ])?;
            }
        }
        tx.commit()?;
        Ok(ImportOutcome {
            version: feed.version,
            previous: previous.map(|p| p.0 as u64),
            agencies: feed.agencies.len(),
            services: feed.services.len(),
        })
    }

    /// The stored catalogue version, if any.
    pub fn catalogue_version(&self) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> = self.conn.query_row("SELECT version FROM catalogue_meta", [], |r| r.get(0)).optional()?;
        Ok(v.map(|v| v as u64))
    }

    /// Loads the whole catalogue from one snapshot, or `None` when none was ever imported.
    pub fn load_catalogue(&mut self) -> Result<Option<Catalogue>, StoreError> {
        // One read transaction: every row comes from the same committed state even while
        // another connection imports.
        let tx = self.conn.transaction()?;
        let meta = tx
            .query_row(
                "SELECT schema, version, generated_at, expires, imported_at, source, site FROM catalogue_meta",
                [],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((schema, version, generated_at, expires, imported_at, source, site)) = meta else {
            return Ok(None);
        };
        let agencies: Vec<Agency> = rows_of(&tx, "SELECT data FROM agency ORDER BY position")?;
        let services: Vec<Service> = rows_of(&tx, "SELECT data FROM service ORDER BY position")?;
        tx.finish()?;
        let feed = Feed {
            schema,
            version: version as u64,
            generated_at: parse_ts(&generated_at)?,
            expires: expires.as_deref().map(parse_ts).transpose()?,
            site: from_json::<Site>(&site)?,
            agencies,
            services,
        };
        Ok(Some(Catalogue { feed, imported_at: parse_ts(&imported_at)?, source }))
    }

    /// Active services of active agencies matching what a citizen typed, best first:
    /// services whose name, keywords or agency match come before those that only mention
    /// the words in their requirements. When no service has every word, services with any
    /// of them are returned.
    pub fn search_services(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        // One letter (the first key of search-as-you-type) says little about relevance and
        // matches nearly everything: list those matches in catalogue order, which FTS5 can
        // stop early on, instead of ranking them all.
        let order = if crate::catalogue::search::terms(query).iter().all(|t| t.chars().count() < 2) {
            "0.0 AS score FROM service_fts WHERE service_fts MATCH ?1 AND live ORDER BY rowid"
        } else {
            // Column weights: a match in the service name beats one in its keywords, which
            // beats the agency, which beats the body (summary, requirements, product).
            "bm25(service_fts, 0.0, 0.0, 10.0, 6.0, 3.0, 1.0) AS score FROM service_fts WHERE service_fts MATCH ?1 AND live ORDER BY score, rowid"
        };
        let sql = format!("SELECT code, {order} LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        for any in [false, true] {
            let Some(q) = fts_query(query, any) else { return Ok(Vec::new()) };
            let mut hits: Vec<SearchHit> = Vec::new();
            for tier in TIERS {
                if hits.len() >= limit {
                    break;
                }
                let rows = stmt.query_map(params![format!("{tier}({q})"), limit as i64], |r| {
                    Ok(SearchHit { code: r.get(0)?, score: r.get(1)? })
                })?;
                for hit in rows {
                    let hit = hit?;
                    if hits.len() < limit && !hits.iter().any(|h| h.code == hit.code) {
                        hits.push(hit);
                    }
                }
            }
            if !hits.is_empty() {
                return Ok(hits);
            }
        }
        Ok(Vec::new())
    }

    /// Counts and provenance of the stored catalogue, or `None` when there is none.
    pub fn catalogue_stats(&self) -> Result<Option<CatalogueStats>, StoreError> {
        let meta = self
            .conn
            .query_row("SELECT version, generated_at, imported_at, source, expires FROM catalogue_meta", [], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .optional()?;
        let Some((version, generated_at, imported_at, source, expires)) = meta else { return Ok(None) };
        let count = |sql: &str| self.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as usize);
        Ok(Some(CatalogueStats {
            version: version as u64,
            generated_at,
            imported_at,
            source,
            expires,
            agencies: count("SELECT count(*) FROM agency")?,
            services: count("SELECT count(*) FROM service")?,
            active_services: count("SELECT count(*) FROM service WHERE active")?,
            unverified_services: count("SELECT count(*) FROM service WHERE NOT verified")?,
        }))
    }
}

fn rows_of<T: DeserializeOwned>(tx: &rusqlite::Transaction<'_>, sql: &str) -> Result<Vec<T>, StoreError> {
    let mut stmt = tx.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|json| from_json(&json?)).collect()
}

fn to_sql_int(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version)
        .map_err(|_| StoreError::Corrupt(format!("catalogue version {version} does not fit in the database")))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("catalogue types always serialise")
}

fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("a stored row does not read back: {e}")))
}

fn parse_ts(s: &str) -> Result<jiff::Timestamp, StoreError> {
    s.parse().map_err(|e| StoreError::Corrupt(format!("stored time {s:?}: {e}")))
}

fn join<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().collect::<Vec<_>>().join(" \u{2022} ")
}

fn texts<'a>(ts: impl IntoIterator<Item = &'a Text>) -> impl Iterator<Item = &'a str> {
    ts.into_iter().flat_map(Text::all)
}

fn agency_words(a: &Agency) -> String {
    join(std::iter::once(a.code.as_str()).chain(texts([&a.name, &a.short_name])))
}

fn keyword_words(s: &Service) -> String {
    join(s.keywords.iter().map(String::as_str).chain([s.code.as_str(), s.ticket_prefix.as_str()]))
}

fn body_words(s: &Service) -> String {
    join(texts(std::iter::once(&s.summary).chain(s.requirements.iter().map(|r| &r.text)).chain([&s.product])))
}
