//! A site as its pages show it: the catalogue's names (Indonesian) and the counters.

use std::sync::Arc;

use crate::db::{self, DbError};

use super::App;

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

impl App {
    /// The site as stored now; `None` for an unknown site.
    pub async fn site_info(&self, site: &str) -> Result<Option<SiteInfo>, DbError> {
        let Some(feed) = db::sites::feed(&self.db, site).await? else { return Ok(None) };
        let counters = db::accounts::counters(&self.db, site).await?;
        let lang = mpp_domain::text::Lang::Id;
        Ok(Some(SiteInfo {
            code: feed.site.code.clone(),
            name: feed.site.name.in_lang(lang).to_owned(),
            time_zone: feed.site.time_zone.clone(),
            services: feed
                .services
                .iter()
                .filter(|s| s.active)
                .map(|s| (s.code.clone(), s.name.in_lang(lang).to_owned()))
                .collect(),
            counters,
            notices: feed.site.notices.iter().map(|n| n.text.in_lang(lang).to_owned()).collect(),
        }))
    }

    /// [`App::site_info`], read at most every 30 s per site: every counter page reads it
    /// on every change of the queue, and the catalogue and counters change rarely.
    pub async fn site_info_cached(&self, site: &str) -> Result<Option<Arc<SiteInfo>>, DbError> {
        if let Some(info) = self.sites.get(&site.to_owned()) {
            return Ok(Some(info));
        }
        let Some(info) = self.site_info(site).await?.map(Arc::new) else { return Ok(None) };
        self.sites.put(site.to_owned(), info.clone());
        Ok(Some(info))
    }
}
