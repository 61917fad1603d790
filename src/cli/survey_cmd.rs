//! `mpp-kiosk survey …`: key in paper SKM forms, and the IKM report (text, CSV, JSON).

use serde::Serialize;

use super::{CliError, Context, ReportFormat, SurveyCommand, ensure_catalogue, print_json};
use crate::store::SurveyFilter;
use crate::survey::ikm::{self, Ikm};
use crate::survey::{ELEMENT_CODES, ELEMENTS, Profile, Response, ResponseError, Source, check_profile, parse_answers};
use crate::text::Lang;

impl From<ResponseError> for CliError {
    fn from(e: ResponseError) -> Self {
        CliError::BadInput(e.to_string())
    }
}

pub fn run(ctx: &Context, cmd: SurveyCommand) -> Result<(), CliError> {
    let mut store = ctx.open_store()?;
    let catalogue = ensure_catalogue(&mut store)?;
    match cmd {
        SurveyCommand::Record { service, answers, date, age, sex, education, occupation, comment } => {
            let code = service.to_uppercase();
            let svc = catalogue.feed.service(&code).ok_or_else(|| {
                CliError::BadInput(format!("unknown service {service:?} (`catalogue list` shows the codes)"))
            })?;
            let answers = parse_answers(&answers)?;
            let profile = Profile {
                age,
                sex: sex.map(|s| s.to_uppercase()),
                education: education.map(|s| s.to_uppercase()),
                occupation: occupation.map(|s| s.to_uppercase()),
            };
            check_profile(&profile)?;
            let now = crate::clock::now()?;
            let today = crate::store::local_time(&catalogue, now).map_err(|e| CliError::Failed(e.to_string()))?.date();
            let date = date.unwrap_or(today);
            if date > today {
                return Err(CliError::BadInput(format!("--date {date} is in the future (today is {today})")));
            }
            let response = Response {
                service: code,
                answers,
                profile,
                comment: comment.filter(|c| !c.trim().is_empty()),
                source: Source::Paper,
            };
            let id = store.record_survey(&response, &svc.agency, date)?;
            println!("recorded {id} ({}, {date}, {} answers)", response.service, response.answers.len());
        }
        SurveyCommand::Report { from, to, service, agency, format, lang } => {
            if let (Some(f), Some(t)) = (from, to)
                && f > t
            {
                return Err(CliError::BadInput(format!("--from {f} is after --to {t}")));
            }
            let service = service.map(|s| s.to_uppercase());
            let agency = agency.map(|s| s.to_uppercase());
            if let Some(s) = &service
                && catalogue.feed.service(s).is_none()
            {
                return Err(CliError::BadInput(format!("unknown service {s:?} (`catalogue list` shows the codes)")));
            }
            if let Some(a) = &agency
                && catalogue.feed.agency(a).is_none()
            {
                return Err(CliError::BadInput(format!("unknown agency {a:?} (`catalogue list` shows the codes)")));
            }
            let filter = SurveyFilter { from, to, service: service.clone(), agency: agency.clone() };
            let responses = store.survey_responses(&filter)?;
            let elements: Vec<String> = ELEMENT_CODES.iter().map(|s| s.to_string()).collect();
            let result = ikm::compute(&elements, responses.iter().map(|r| r.answers.as_slice()));
            let paper = responses.iter().filter(|r| r.source == Source::Paper).count();
            let scope = match (&service, &agency) {
                (Some(s), _) => {
                    format!("{s} {}", catalogue.feed.service(s).map(|x| x.name.in_lang(lang)).unwrap_or_default())
                }
                (_, Some(a)) => {
                    format!("{a} {}", catalogue.feed.agency(a).map(|x| x.name.in_lang(lang)).unwrap_or_default())
                }
                _ => all_words(lang).into(),
            };
            let period = format!(
                "{} – {}",
                from.map_or("…".into(), |d| d.to_string()),
                to.map_or("…".into(), |d| d.to_string())
            );
            match format {
                ReportFormat::Json => {
                    #[derive(Serialize)]
                    struct Report<'a> {
                        from: Option<jiff::civil::Date>,
                        to: Option<jiff::civil::Date>,
                        service: Option<&'a str>,
                        agency: Option<&'a str>,
                        responses: usize,
                        paper: usize,
                        #[serde(flatten)]
                        ikm: Option<&'a Ikm>,
                        performance: Option<&'static str>,
                    }
                    print_json(&Report {
                        from,
                        to,
                        service: service.as_deref(),
                        agency: agency.as_deref(),
                        responses: responses.len(),
                        paper,
                        ikm: result.as_ref(),
                        performance: result.as_ref().map(|r| r.grade.words(Lang::Id)),
                    })?;
                }
                ReportFormat::Csv => print!("{}", csv(result.as_ref(), lang)),
                ReportFormat::Text => print!(
                    "{}",
                    text(
                        result.as_ref(),
                        lang,
                        catalogue.feed.site.name.in_lang(lang),
                        &scope,
                        &period,
                        responses.len(),
                        paper
                    )
                ),
            }
        }
    }
    Ok(())
}

fn all_words(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "semua layanan",
        Lang::En => "all services",
    }
}

fn element_name(code: &str, lang: Lang) -> &'static str {
    ELEMENTS.iter().find(|e| e.code == code).map_or("", |e| e.name(lang))
}

/// The layout of the SKM report table: one row per element, then the index rows.
fn csv(r: Option<&Ikm>, lang: Lang) -> String {
    let head = match lang {
        Lang::Id => "Unsur,Uraian,Jumlah Responden,Jumlah Nilai,NRR,NRR Tertimbang,Mutu",
        Lang::En => "Element,Description,Respondents,Total,NRR,Weighted NRR,Grade",
    };
    let mut out = format!("{head}\n");
    let Some(r) = r else { return out };
    for e in &r.elements {
        out.push_str(&format!(
            "{},\"{}\",{},{},{:.3},{:.3},{:?}\n",
            e.element,
            element_name(&e.element, lang),
            e.answered,
            e.total,
            e.nrr,
            e.weighted,
            e.grade
        ));
    }
    let [ikm_w, conv_w, grade_w, perf_w, resp_w] = match lang {
        Lang::Id => ["IKM", "IKM Konversi", "Mutu Pelayanan", "Kinerja Unit Pelayanan", "Jumlah Responden"],
        Lang::En => ["IKM", "Converted IKM", "Service grade", "Performance", "Respondents"],
    };
    out.push_str(&format!(
        "{ikm_w},,,,,{:.3},\n{conv_w},,,,,{:.2},\n{grade_w},,,,,,{:?}\n{perf_w},,,,,,\"{}\"\n{resp_w},,{},,,,\n",
        r.ikm,
        r.converted,
        r.grade,
        r.grade.words(lang),
        r.respondents
    ));
    out
}

fn text(
    r: Option<&Ikm>,
    lang: Lang,
    site: &str,
    scope: &str,
    period: &str,
    respondents: usize,
    paper: usize,
) -> String {
    let mut out = String::new();
    let (title, no_data) = match lang {
        Lang::Id => {
            ("Survei Kepuasan Masyarakat (PermenPANRB 14/2017)", "Belum ada responden untuk periode dan layanan ini.")
        }
        Lang::En => {
            ("Citizen satisfaction survey (PermenPANRB 14/2017)", "No respondents for this period and service yet.")
        }
    };
    out.push_str(&format!("{title}\n{site}\n{scope} · {period}\n"));
    match lang {
        Lang::Id => {
            out.push_str(&format!("Responden: {respondents} (kiosk {}, kertas {paper})\n\n", respondents - paper))
        }
        Lang::En => {
            out.push_str(&format!("Respondents: {respondents} (kiosk {}, paper {paper})\n\n", respondents - paper))
        }
    }
    let Some(r) = r else {
        out.push_str(no_data);
        out.push('\n');
        return out;
    };
    out.push_str(&format!(
        "{:<4} {:<42} {:>6} {:>7} {:>7} {:>6}\n",
        "",
        "",
        "n",
        "NRR",
        "×1/n",
        match lang {
            Lang::Id => "Mutu",
            Lang::En => "Grade",
        }
    ));
    for e in &r.elements {
        out.push_str(&format!(
            "{:<4} {:<42} {:>6} {:>7.3} {:>7.3} {:>6?}\n",
            e.element,
            element_name(&e.element, lang),
            e.answered,
            e.nrr,
            e.weighted,
            e.grade
        ));
    }
    let (conv, grade) = match lang {
        Lang::Id => ("IKM konversi", "Mutu"),
        Lang::En => ("Converted IKM", "Grade"),
    };
    out.push_str(&format!(
        "\nIKM {:.3} · {conv} {:.2} · {grade} {:?} ({})\n",
        r.ikm,
        r.converted,
        r.grade,
        r.grade.words(lang)
    ));
    out
}
