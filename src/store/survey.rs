//! Survey responses: recorded in one transaction each, read back for the IKM report.

use rusqlite::{TransactionBehavior, params};

use super::{Store, StoreError};
use crate::protocol::{Answer, Body, SurveyRecord};
use crate::survey::{Profile, Response, Source};

/// A stored response, as the report reads it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredResponse {
    pub id: String,
    pub service: String,
    pub agency: String,
    pub local_date: jiff::civil::Date,
    pub source: Source,
    pub answers: Vec<(String, u8)>,
    pub profile: Profile,
    pub comment: Option<String>,
}

/// Which responses a report covers (inclusive dates).
#[derive(Debug, Clone, Default)]
pub struct SurveyFilter {
    pub from: Option<jiff::civil::Date>,
    pub to: Option<jiff::civil::Date>,
    pub service: Option<String>,
    pub agency: Option<String>,
}

impl Store {
    /// Records one response; returns its id. `agency` is the service's agency at the time.
    /// Anonymous by construction: no time but the day, no ticket, no kiosk.
    pub fn record_survey(
        &mut self,
        r: &Response,
        agency: &str,
        local_date: jiff::civil::Date,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO survey_response (id, service_code, agency_code, local_date, source, age, sex, education, occupation, comment)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                r.service,
                agency,
                local_date.to_string(),
                r.source.code(),
                r.profile.age,
                r.profile.sex,
                r.profile.education,
                r.profile.occupation,
                r.comment
            ],
        )?;
        for (element, value) in &r.answers {
            tx.execute(
                "INSERT INTO survey_answer (response_id, element, value) VALUES (?1, ?2, ?3)",
                params![id, element, value],
            )?;
        }
        let answers = r.answers.iter().map(|(e, v)| {
            let element =
                e.clone().try_into().map_err(|why: String| rusqlite::Error::ToSqlConversionFailure(why.into()))?;
            Ok(Answer { element, value: *v })
        });
        let record = SurveyRecord {
            id: id.clone(),
            service: r.service.clone(),
            agency: agency.to_owned(),
            local_date,
            source: r.source,
            answers: answers.collect::<rusqlite::Result<_>>()?,
            profile: r.profile.clone(),
            comment: r.comment.clone(),
        };
        // Queued with its day, not `at`: nothing in it may date it to the second.
        super::outbox::enqueue_survey(&tx, &Body::Survey(record), &local_date.to_string())?;
        tx.commit()?;
        Ok(id)
    }

    /// The responses a report covers, oldest first.
    pub fn survey_responses(&self, f: &SurveyFilter) -> Result<Vec<StoredResponse>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, service_code, agency_code, local_date, source, age, sex, education, occupation, comment
             FROM survey_response
             WHERE (?1 IS NULL OR local_date >= ?1) AND (?2 IS NULL OR local_date <= ?2)
               AND (?3 IS NULL OR service_code = ?3) AND (?4 IS NULL OR agency_code = ?4)
             ORDER BY local_date, id",
        )?;
        let rows = stmt.query_map(
            params![f.from.map(|d| d.to_string()), f.to.map(|d| d.to_string()), f.service, f.agency],
            |r| {
                let date: String = r.get(3)?;
                let source: String = r.get(4)?;
                Ok(StoredResponse {
                    id: r.get(0)?,
                    service: r.get(1)?,
                    agency: r.get(2)?,
                    local_date: date.parse().map_err(|e: jiff::Error| {
                        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
                    })?,
                    source: if source == "paper" { Source::Paper } else { Source::Kiosk },
                    answers: Vec::new(),
                    profile: Profile { age: r.get(5)?, sex: r.get(6)?, education: r.get(7)?, occupation: r.get(8)? },
                    comment: r.get(9)?,
                })
            },
        )?;
        let mut out: Vec<StoredResponse> = rows.collect::<Result<_, _>>()?;
        let mut answers = self
            .conn
            .prepare_cached("SELECT element, value FROM survey_answer WHERE response_id = ?1 ORDER BY element")?;
        for r in &mut out {
            r.answers = answers.query_map([&r.id], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
        }
        Ok(out)
    }
}
