//! A site as its pages show it: the catalogue's names (Indonesian) and the counters
//! (`App::site_info` reads it).

use crate::db;

pub struct SiteInfo {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    /// (code, name in Indonesian), in the catalogue's order, active ones only.
    pub services: Vec<(String, String)>,
    pub counters: Vec<db::accounts::Counter>,
    pub notices: Vec<String>,
}

impl SiteInfo {
    /// A service's name (its code when the catalogue has no such service).
    pub fn service_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.services.iter().find(|(c, _)| c == code).map_or(code, |(_, n)| n.as_str())
    }

    /// A counter's name ("Loket 3" when the site has no such counter).
    pub fn counter_name(&self, number: i16) -> String {
        self.counters.iter().find(|c| c.number == number).map_or_else(|| format!("Loket {number}"), |c| c.name.clone())
    }
}
