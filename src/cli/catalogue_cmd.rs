//! `mpp-kiosk catalogue …`: list, show, search, import, export.

use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;

use super::render::Renderer;
use super::{CatalogueCommand, CliError, Context, OutputArgs, ensure_catalogue, print_json};
use crate::catalogue::{Agency, Feed, Service, parse_feed};
use crate::text::Lang;

pub fn run(ctx: &Context, cmd: CatalogueCommand) -> Result<(), CliError> {
    match cmd {
        CatalogueCommand::List { out, agency } => list(ctx, out, agency.as_deref()),
        CatalogueCommand::Show { code, out } => show(ctx, out, &code),
        CatalogueCommand::Search { query, limit, out } => search(ctx, out, &query.join(" "), limit),
        CatalogueCommand::Import { file, force } => import(ctx, &file, force),
        CatalogueCommand::Export { out } => export(ctx, out.as_deref()),
    }
}

/// A service as `list --json` and `search --json` print it.
#[derive(Serialize)]
struct ServiceRow<'a> {
    code: &'a str,
    agency: &'a str,
    agency_name: String,
    name: String,
    /// True when `name` is the Indonesian text standing in for a missing English one.
    name_fallback: bool,
    verified: bool,
    active: bool,
    ticket_prefix: &'a str,
    counter: &'a str,
    fee: &'a str,
    free: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    daily_quota: Option<u32>,
}

fn row<'a>(feed: &'a Feed, s: &'a Service, lang: Lang) -> ServiceRow<'a> {
    let name = s.name.get(lang);
    ServiceRow {
        code: &s.code,
        agency: &s.agency,
        agency_name: feed.agency(&s.agency).map(|a| a.name.in_lang(lang).to_owned()).unwrap_or_default(),
        name: name.text.to_owned(),
        name_fallback: name.fallback,
        verified: s.verified,
        active: s.active,
        ticket_prefix: &s.ticket_prefix,
        counter: s.counter.in_lang(lang),
        fee: s.fee.text.in_lang(lang),
        free: s.fee.is_free(),
        daily_quota: s.daily_quota,
    }
}

fn list(ctx: &Context, out: OutputArgs, agency: Option<&str>) -> Result<(), CliError> {
    let lang = ctx.lang(&out);
    let catalogue = ensure_catalogue(&mut ctx.open_store()?)?;
    let feed = &catalogue.feed;
    let agencies: Vec<&Agency> = match agency {
        Some(code) => {
            let a = feed.agencies.iter().find(|a| a.code.eq_ignore_ascii_case(code)).ok_or_else(|| {
                CliError::BadInput(format!("unknown agency code {code:?}; known: {}", agency_codes(feed)))
            })?;
            vec![a]
        }
        None => feed.agencies_in_order(),
    };
    if out.json {
        let rows: Vec<ServiceRow> =
            agencies.iter().flat_map(|a| feed.services_of(&a.code)).map(|s| row(feed, s, lang)).collect();
        return print_json(&rows);
    }
    let mut r = Renderer::new(lang);
    let mut text = r.catalogue_heading(feed);
    for a in agencies {
        let services: Vec<&Service> = feed.services_of(&a.code).collect();
        text.push_str("\n\n");
        text.push_str(&r.agency_heading(a, services.len()));
        for s in services {
            text.push('\n');
            text.push_str(&r.service_line(s));
        }
    }
    if let Some(legend) = r.legend() {
        text.push_str("\n\n");
        text.push_str(legend);
    }
    println!("{text}");
    Ok(())
}

fn agency_codes(feed: &Feed) -> String {
    feed.agencies.iter().map(|a| a.code.as_str()).collect::<Vec<_>>().join(", ")
}

fn show(ctx: &Context, out: OutputArgs, code: &str) -> Result<(), CliError> {
    let lang = ctx.lang(&out);
    let mut store = ctx.open_store()?;
    let catalogue = ensure_catalogue(&mut store)?;
    let feed = &catalogue.feed;
    let Some(service) = feed.service(code) else {
        // Help the technician who typed a name instead of a code.
        let hint = store.search_services(code, 3)?.into_iter().map(|h| h.code).collect::<Vec<_>>();
        let hint = if hint.is_empty() { String::new() } else { format!("; did you mean {}?", hint.join(", ")) };
        return Err(CliError::BadInput(format!(
            "unknown service code {code:?}{hint} (`catalogue list` shows them all)"
        )));
    };
    if out.json {
        #[derive(Serialize)]
        struct Shown<'a> {
            service: &'a Service,
            agency: Option<&'a Agency>,
        }
        return print_json(&Shown { service, agency: feed.agency(&service.agency) });
    }
    let mut r = Renderer::new(lang);
    let mut page = r.service_page(feed, service);
    if let Some(legend) = r.legend() {
        page.push('\n');
        page.push_str(legend);
        page.push('\n');
    }
    print!("{page}");
    Ok(())
}

fn search(ctx: &Context, out: OutputArgs, query: &str, limit: usize) -> Result<(), CliError> {
    let n = query.chars().count();
    if n > crate::catalogue::search::MAX_QUERY_CHARS {
        return Err(CliError::BadInput(format!(
            "search: the query is {n} characters long, more than {}",
            crate::catalogue::search::MAX_QUERY_CHARS
        )));
    }
    let lang = ctx.lang(&out);
    let mut store = ctx.open_store()?;
    let catalogue = ensure_catalogue(&mut store)?;
    let feed = &catalogue.feed;
    let hits = store.search_services(query, limit)?;
    let services: Vec<&Service> = hits.iter().filter_map(|h| feed.service(&h.code)).collect();
    if out.json {
        return print_json(&services.iter().map(|s| row(feed, s, lang)).collect::<Vec<_>>());
    }
    let mut r = Renderer::new(lang);
    if services.is_empty() {
        println!("{}", r.label("no_results"));
        return Ok(());
    }
    for s in services {
        println!("{}", r.service_line(s));
    }
    if let Some(legend) = r.legend() {
        println!("\n{legend}");
    }
    Ok(())
}

fn import(ctx: &Context, file: &Path, force: bool) -> Result<(), CliError> {
    let (bytes, source) = if file == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| CliError::Failed(format!("cannot read the feed from standard input: {e}")))?;
        (buf, "stdin".to_owned())
    } else {
        let bytes = std::fs::read(file)
            .map_err(|e| CliError::BadInput(format!("cannot read the feed {}: {e}", file.display())))?;
        let source = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_owned());
        (bytes, source.display().to_string())
    };
    // Validate before touching the database: a bad feed changes nothing.
    let feed = parse_feed(&bytes).map_err(|e| CliError::BadInput(format!("{source}: {e}")))?;
    let mut store = ctx.open_store()?;
    let outcome = store.import_catalogue(&feed, &source, force, crate::clock::now()?)?;
    let previous = outcome.previous.map_or("none".to_owned(), |v| v.to_string());
    println!(
        "imported catalogue version {} ({} agencies, {} services) into {}; previous version: {previous}",
        outcome.version,
        outcome.agencies,
        outcome.services,
        ctx.db_path.display()
    );
    Ok(())
}

fn export(ctx: &Context, out: Option<&Path>) -> Result<(), CliError> {
    let catalogue = ensure_catalogue(&mut ctx.open_store()?)?;
    let mut json = serde_json::to_string_pretty(&catalogue.feed)
        .map_err(|e| CliError::Failed(format!("cannot write JSON: {e}")))?;
    json.push('\n');
    match out {
        Some(path) => write_atomically(path, json.as_bytes())
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?,
        None => std::io::stdout()
            .write_all(json.as_bytes())
            .map_err(|e| CliError::Failed(format!("cannot write to standard output: {e}")))?,
    }
    Ok(())
}

/// Writes via a temporary file and a rename, so a reader never sees half a feed.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
