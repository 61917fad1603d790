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
    /// Each active service's agency (code → agency code): a transfer's short list.
    pub agency_of: std::collections::HashMap<String, String>,
    /// The catalogue's site: its hours and holidays (when the display says it is closed).
    pub site: mpp_domain::catalogue::Site,
}

impl SiteInfo {
    /// A service's name (its code when the catalogue has no such service).
    pub fn service_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.services.iter().find(|(c, _)| c == code).map_or(code, |(_, n)| n.as_str())
    }

    /// Whether the site is open at `at`, when it closes and next opens (in its zone).
    pub fn doors(&self, at: jiff::Timestamp) -> mpp_domain::tickets::rules::Doors {
        let local = at
            .to_zoned_datetime(mpp_domain::hours::zone(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC))
            .datetime();
        mpp_domain::tickets::rules::doors(&self.site, &local)
    }

    /// A counter's name ("Loket 3" when the site has no such counter).
    pub fn counter_name(&self, number: i16) -> String {
        self.counters.iter().find(|c| c.number == number).map_or_else(|| format!("Loket {number}"), |c| c.name.clone())
    }
}
