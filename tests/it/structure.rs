//! The structure's rules, checked on the source of the whole workspace:
//! - the kiosk's top-level modules import one another without cycles, and only `ui`
//!   knows Slint, `app` no screen;
//! - the site server's modules (file by file) import one another without cycles, in
//!   three layers (`web` → `app` → `db`): no SQL, `tokio_postgres` or pool outside `db/`,
//!   no axum outside `web/`, no `now()` in SQL;
//! - nothing but a `clock` module reads the time, in any of the forms that slip past a
//!   plain text search; nothing but `hours::zone` looks up a time zone;
//! - the shared domain crate depends on nothing that does I/O;
//! - a file's name says what it does: at most one `staff.rs`.
//!
//! Each rule is a function over (module → source text), so the tests at the end can plant
//! a violation in a made-up crate and see the rule catch it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments (line comments and doc comments; block comments are not
/// used in this workspace), string literals kept.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            }
            if !in_str && c == '/' && prev == '/' {
                cut = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// A crate's modules: module path (`web::pages::counter`, `db` for `db/mod.rs`) → its
/// source without comments and unit tests. `lib.rs` and `main.rs` (which only declare and
/// dispatch) are left out.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files
        .into_iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let path = parts.join("::");
            let text = std::fs::read_to_string(&f).unwrap();
            // Unit tests (`#[cfg(test)] mod tests`, at a file's end) are not the module's
            // dependencies; their `super::*` would read as one on the parent.
            let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
            (path != "lib" && path != "main").then(|| (path, code(shipped)))
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands a `use` tree (`crate::a::{b, c::{d, e}}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let (Some(open), Some(close)) = (tree.find('{'), tree.rfind('}')) else { return vec![tree] };
    if close < open {
        return vec![tree];
    }
    let prefix = &tree[..open];
    let inner = &tree[open + 1..close];
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items.into_iter().filter(|i| !i.is_empty()).flat_map(|i| expand(&format!("{prefix}{i}"))).collect()
}

/// Every path a module's source names: `use` trees expanded, and inline paths.
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    // `use …;` statements, each from a line that begins one to its `;`, braces expanded.
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let l = line.trim().trim_start_matches("pub(crate) ").trim_start_matches("pub ");
        let Some(start) = l.strip_prefix("use ") else { continue };
        let mut statement = start.to_owned();
        let mut k = n + 1;
        while !statement.contains(';') && k < lines.len() {
            statement.push_str(lines[k]);
            k += 1;
        }
        let statement = statement.split(';').next().unwrap_or_default();
        for p in expand(statement) {
            let p = p.split(" as ").next().unwrap_or(&p).trim_start_matches("::").to_owned();
            out.push(p.split("::").map(str::to_owned).collect());
        }
    }
    // Inline paths: an identifier followed by `::` and more.
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_ident(chars[i]) && (i == 0 || (!is_ident(chars[i - 1]) && chars[i - 1] != ':')) {
            let mut j = i;
            while j < chars.len() && (is_ident(chars[j]) || (chars[j] == ':' && chars.get(j + 1) == Some(&':'))) {
                j += if chars[j] == ':' { 2 } else { 1 };
            }
            let p: String = chars[i..j].iter().collect();
            if p.contains("::") {
                out.push(p.trim_end_matches("::").split("::").map(str::to_owned).collect());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The modules a module declares (`mod x;`, `pub mod x;`).
fn children(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim().trim_start_matches("pub(crate) ").trim_start_matches("pub ");
            l.strip_prefix("mod ").and_then(|m| m.strip_suffix(';')).map(str::to_owned)
        })
        .collect()
}

/// Module → the modules of the same crate its source names (through `crate::`, `super::`,
/// `self::` or a child's name), each path resolved to the longest module it reaches. A
/// module declaring a child is not an edge; naming an item of it is.
fn module_graph(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for (m, text) in mods {
        let here: Vec<&str> = if m.is_empty() { vec![] } else { m.split("::").collect() };
        let kids = children(text);
        let mut deps = BTreeSet::new();
        for p in paths(text) {
            let mut base: Vec<String> = match p[0].as_str() {
                "crate" => vec![],
                "self" => here.iter().map(|s| s.to_string()).collect(),
                "super" => here.iter().map(|s| s.to_string()).collect(),
                first if kids.contains(first) => here.iter().map(|s| s.to_string()).collect(),
                _ => continue,
            };
            let mut segs = &p[..];
            if segs[0] == "crate" || segs[0] == "self" {
                segs = &segs[1..];
            }
            while segs.first().is_some_and(|s| s == "super") {
                base.pop();
                segs = &segs[1..];
            }
            let mut target = None;
            let mut full = base.clone();
            for s in segs {
                full.push(s.clone());
                if mods.contains_key(&full.join("::")) {
                    target = Some(full.join("::"));
                }
            }
            let target =
                target.or_else(|| (!base.is_empty()).then(|| base.join("::")).filter(|b| mods.contains_key(b)));
            if let Some(t) = target.filter(|t| t != m) {
                deps.insert(t);
            }
        }
        graph.insert(m.clone(), deps);
    }
    graph
}

/// Top-level module → the top-level modules its files name as `crate::x`.
fn top_level_graph(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, deps) in module_graph(mods) {
        let top = |s: &str| s.split("::").next().unwrap().to_owned();
        let entry = graph.entry(top(&m)).or_default();
        entry.extend(deps.iter().map(|d| top(d)).filter(|d| *d != top(&m)));
    }
    graph
}

/// A cycle in the graph, as the path that closes it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut cycle = path[at..].to_vec();
            cycle.push(n.to_owned());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_owned());
        for d in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The string literals of a source (plain and raw), as written.
fn literals(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < chars.len() {
        // r"…", r#"…"#: up to the quote and as many hashes.
        if chars[i] == 'r' && (i == 0 || !is_ident(chars[i - 1])) {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let body: String = chars[i + 2 + hashes..].iter().collect();
                let end = body.find(&close).unwrap_or(body.len());
                out.push(body[..end].to_owned());
                i += 2 + hashes + body[..end].chars().count() + close.len();
                continue;
            }
        }
        if chars[i] == '"' && (i == 0 || chars[i - 1] != '\'') {
            let mut j = i + 1;
            while j < chars.len() && !(chars[j] == '"' && chars[j - 1] != '\\') {
                j += 1;
            }
            out.push(chars[i + 1..j.min(chars.len())].iter().collect());
            i = j + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// SQL and the database's crates outside the `db` layer: (module, what was found).
fn sql_outside_db(mods: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    const IN_STRINGS: [&str; 5] = ["SELECT ", "INSERT INTO", "DELETE FROM", "UPDATE ", "pg_notify"];
    const IN_CODE: [&str; 7] =
        ["tokio_postgres", "deadpool_postgres", ".query(", ".query_one(", ".query_opt(", ".execute(", "batch_execute"];
    let mut found = Vec::new();
    for (m, text) in mods {
        if m == "db" || m.starts_with("db::") {
            continue;
        }
        let strings = literals(text).join("\n");
        found.extend(IN_STRINGS.iter().filter(|s| strings.contains(**s)).map(|s| (m.clone(), *s)));
        found.extend(IN_CODE.iter().filter(|s| text.contains(**s)).map(|s| (m.clone(), *s)));
    }
    found
}

/// PostgreSQL's own clock in SQL (every time comes in as a parameter from `clock`).
fn clock_in_sql(mods: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    const SIGNS: [&str; 7] = [
        "now()",
        "current_timestamp",
        "current_date",
        "localtimestamp",
        "clock_timestamp",
        "statement_timestamp",
        "transaction_timestamp",
    ];
    let mut found = Vec::new();
    for (m, text) in mods {
        let sql: String = literals(text).join("\n").chars().filter(|c| !c.is_whitespace()).collect();
        let sql = sql.to_ascii_lowercase();
        found.extend(SIGNS.iter().filter(|s| sql.contains(**s)).map(|s| (m.clone(), *s)));
    }
    found
}

/// Reading the time outside a `clock` module, in the forms that slip past a plain search:
/// spaces inside the path, a function pointer (`Timestamp::now` without a call), a
/// qualified path (`<Timestamp>::now`), an alias (`Timestamp as T`), the system clock
/// through std or libc.
fn clock_reads(mods: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    const SIGNS: [&str; 11] = [
        "Timestamp::now",
        "Zoned::now",
        "SystemTime::now",
        ">::now",
        "UNIX_EPOCH.elapsed",
        "Timestampas",
        "Zonedas",
        "SystemTimeas",
        "libc::time(",
        "clock_gettime",
        "std::env::var(crate::clock::ENV",
    ];
    let mut found = Vec::new();
    for (m, text) in mods {
        if m == "clock" || m.ends_with("::clock") {
            continue;
        }
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for sign in SIGNS {
            if squeezed.contains(sign) {
                found.push((m.clone(), sign));
            }
        }
    }
    found
}

/// Looking up a time zone anywhere but `hours::zone` (the bundled database only).
fn zone_lookups(mods: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    const SIGNS: [&str; 4] = ["TimeZone::get(", "tz::db()", "TimeZone::system", "TimeZone::try_system"];
    let mut found = Vec::new();
    for (m, text) in mods {
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for sign in SIGNS {
            if squeezed.contains(sign) {
                found.push((m.clone(), sign));
            }
        }
    }
    found
}

/// Layer rules: (module prefix, crates or modules it may not name).
fn layer_breaks(mods: &BTreeMap<String, String>, rules: &[(&str, &[&str])]) -> Vec<(String, String)> {
    let graph = module_graph(mods);
    let mut found = Vec::new();
    for (m, text) in mods {
        let top = m.split("::").next().unwrap();
        for (layer, forbidden) in rules {
            if top != *layer {
                continue;
            }
            for f in *forbidden {
                let named_module = graph[m].iter().any(|d| d == f || d.starts_with(&format!("{f}::")));
                let named_crate = text.contains(&format!("{f}::"));
                if named_module || (named_crate && !mods.contains_key(*f)) {
                    found.push((m.clone(), f.to_string()));
                }
            }
        }
    }
    found
}

fn kiosk() -> BTreeMap<String, String> {
    modules(&root().join("src"))
}

fn hub() -> BTreeMap<String, String> {
    modules(&root().join("hub/src"))
}

fn domain() -> BTreeMap<String, String> {
    modules(&root().join("domain/src"))
}

#[test]
fn no_kiosk_module_imports_one_that_imports_it_back() {
    let graph = top_level_graph(&kiosk());
    assert!(graph.contains_key("kiosk") && graph.contains_key("printing"), "the source was found: {graph:?}");
    assert!(graph["app"].contains("printing") && graph["ui"].contains("app"), "edges were found: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle among the kiosk's modules: {}", cycle.join(" → "));
    }
    // Features do not reach for the config file; the config file assembles their sections.
    for feature in ["printing", "sync", "store", "kiosk", "staff_pin"] {
        assert!(!graph[feature].contains("config"), "{feature} imports config: {:?}", graph[feature]);
    }
    // The citizen's flow is plain behaviour: no printer, database, sync or screen.
    for io in ["printing", "store", "sync", "ui", "cli", "app", "clock"] {
        assert!(!graph["kiosk"].contains(io), "kiosk imports {io}");
    }
    // The application layer runs without a window: it never reaches for the screen.
    assert!(!graph["app"].contains("ui") && !graph["app"].contains("cli"), "app imports {:?}", graph["app"]);
}

#[test]
fn the_application_layer_knows_no_slint() {
    let mods = kiosk();
    let app: Vec<_> = mods.iter().filter(|(m, _)| *m == "app" || m.starts_with("app::")).collect();
    assert!(!app.is_empty());
    for (m, text) in app {
        assert!(!text.contains("slint"), "{m} mentions slint: the app layer must run without a window");
    }
}

#[test]
fn the_site_servers_modules_form_layers_without_cycles() {
    let mods = hub();
    let graph = module_graph(&mods);
    assert!(graph.contains_key("web::api::upload") && graph.contains_key("db::calling"), "the source: {graph:?}");
    assert!(
        graph["web::api::upload"].contains("app::ingest") && graph["app::calling"].contains("db::calling"),
        "edges were found: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle among the site server's modules: {}", cycle.join(" → "));
    }
    let breaks = layer_breaks(
        &mods,
        &[
            ("db", &["app", "web", "webhook", "axum", "ureq"]),
            ("app", &["web", "axum"]),
            ("web", &["db", "tokio_postgres", "deadpool_postgres"]),
            ("clock", &["app", "web", "db"]),
            ("config", &["app", "web", "db"]),
            ("credential", &["app", "web", "db"]),
        ],
    );
    assert!(breaks.is_empty(), "a layer names what it may not (web → app → db): {breaks:?}");
    let sql = sql_outside_db(&mods);
    assert!(sql.is_empty(), "SQL or the database's crates outside db/: {sql:?}");
    let clock = clock_in_sql(&mods);
    assert!(clock.is_empty(), "PostgreSQL's clock in SQL (pass the server's now in): {clock:?}");
    let axum: Vec<&String> =
        mods.iter().filter(|(m, t)| !m.starts_with("web") && t.contains("axum::")).map(|(m, _)| m).collect();
    assert!(axum.is_empty(), "HTTP serving outside web/: {axum:?}");
}

#[test]
fn only_a_clock_module_reads_the_time_and_only_hours_zone_looks_up_zones() {
    for (name, mods) in [("the kiosk", kiosk()), ("the site server", hub()), ("the domain", domain())] {
        assert!(mods.len() > 5, "{name}'s source was found");
        let reads = clock_reads(&mods);
        assert!(reads.is_empty(), "{name} reads the time outside its clock module (ask `clock`): {reads:?}");
        let zones: Vec<_> = zone_lookups(&mods).into_iter().filter(|(m, _)| m != "hours").collect();
        assert!(zones.is_empty(), "{name} looks up a zone itself (use mpp_domain::hours::zone): {zones:?}");
    }
}

#[test]
fn the_domain_crate_depends_on_nothing_that_does_io() {
    let manifest = std::fs::read_to_string(root().join("domain/Cargo.toml")).unwrap();
    let manifest: toml::Table = manifest.parse().unwrap();
    // The slip's encoders: text folded to ASCII, QR codes and PNG pictures to dots, ESC/POS
    // bytes (escpos without its drivers, checked below).
    let allowed = [
        "serde",
        "serde_json",
        "serde_path_to_error",
        "thiserror",
        "jiff",
        "csv",
        "toml",
        "deunicode",
        "qrcode",
        "png",
        "escpos",
    ];
    for section in ["dependencies", "build-dependencies"] {
        for (name, spec) in manifest.get(section).and_then(|d| d.as_table()).into_iter().flat_map(|t| t.iter()) {
            assert!(
                allowed.contains(&name.as_str()),
                "mpp-domain depends on {name}: the domain does no I/O (allowed: {allowed:?})"
            );
            // escpos as an encoder only: none of its printer connections.
            if name == "escpos" {
                assert_eq!(spec.get("default-features").and_then(|d| d.as_bool()), Some(false), "escpos: {spec}");
                let features: Vec<&str> =
                    spec["features"].as_array().unwrap().iter().filter_map(|f| f.as_str()).collect();
                assert!(features.iter().all(|f| ["std", "codes_2d"].contains(f)), "escpos's {features:?}");
            }
            // jiff without its host features: no zoneinfo files, no system zone.
            if name == "jiff" {
                assert_eq!(spec.get("default-features").and_then(|d| d.as_bool()), Some(false), "jiff: {spec}");
                let features: Vec<&str> =
                    spec["features"].as_array().unwrap().iter().filter_map(|f| f.as_str()).collect();
                for host in ["tz-system", "tzdb-zoneinfo", "tzdb-concatenated"] {
                    assert!(!features.contains(&host), "jiff's {host} reads the host");
                }
            }
        }
    }
}

#[test]
fn file_names_say_what_they_do() {
    let mut files = Vec::new();
    for dir in ["src", "hub/src", "domain/src"] {
        rust_files(&root().join(dir), &mut files);
    }
    let staff: Vec<_> = files.iter().filter(|f| f.ends_with("staff.rs")).collect();
    assert!(staff.len() <= 1, "more than one staff.rs: {staff:?}");
}

// The rules catch what is planted in a made-up crate.

fn planted(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files.iter().map(|(m, t)| (m.to_string(), code(t))).collect()
}

#[test]
fn the_cycle_finder_finds_a_planted_cycle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    g.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&g), None);
    // The state beside the router, a handler importing it back: the shape the hub had.
    let mods = planted(&[
        ("web", "pub mod pages;\npub struct AppState;\nfn router() { pages::counter::page(); }"),
        ("web::pages", "pub mod counter;"),
        ("web::pages::counter", "use crate::web::AppState;\npub fn page() {}"),
    ]);
    let cycle = find_cycle(&module_graph(&mods)).expect("the planted cycle");
    assert!(cycle.contains(&"web".to_owned()) && cycle.contains(&"web::pages::counter".to_owned()), "{cycle:?}");
    // Items of a child named in a use group count; a declaration alone does not.
    let mods = planted(&[
        ("app", "pub mod queue;\npub mod sites;"),
        ("app::queue", "use super::{sites::{one, two}, App};"),
        ("app::sites", "pub fn one() {}"),
    ]);
    let g = module_graph(&mods);
    assert_eq!(g["app::queue"], BTreeSet::from(["app".to_owned(), "app::sites".to_owned()]));
    assert!(g["app"].is_empty(), "declaring a module is not depending on it");
}

#[test]
fn a_planted_query_in_a_handler_is_caught() {
    let mods = planted(&[
        ("db::queue", r#"fn q() { client.query("SELECT 1", &[]); }"#),
        ("web::api::counter", r#"async fn h() { client.query_opt("SELECT services FROM counter", &[]).await; }"#),
        ("app::report", r#"// SELECT in a comment is no query"#),
    ]);
    let found = sql_outside_db(&mods);
    assert!(found.iter().any(|(m, s)| m == "web::api::counter" && *s == "SELECT "), "{found:?}");
    assert!(found.iter().all(|(m, _)| m == "web::api::counter"), "db/ may, comments do not count: {found:?}");
    let breaks = layer_breaks(
        &planted(&[("web::pages::x", "use crate::db::Db;"), ("db", "pub struct Db;"), ("app", "use crate::db::Db;")]),
        &[("web", &["db"])],
    );
    assert_eq!(breaks, [("web::pages::x".to_owned(), "db".to_owned())]);
}

#[test]
fn a_planted_clock_is_caught_in_every_form() {
    let sql = planted(&[("db::fleet", r#"fn f() { x.execute("UPDATE kiosk SET last_seen_at = NOW ( )", &[]); }"#)]);
    assert_eq!(clock_in_sql(&sql), [("db::fleet".to_owned(), "now()")]);
    for form in [
        "let t = jiff::Timestamp::now();",
        "let t = Timestamp :: now ();",
        "let t = x.unwrap_or_else(jiff::Timestamp::now);",
        "use jiff::Timestamp as T; let t = T::now();",
        "let t = <jiff::Timestamp>::now();",
        "let t = std::time::SystemTime::now();",
        "let t = std::time::UNIX_EPOCH.elapsed();",
        "let t = jiff::Zoned::now();",
    ] {
        let mods = planted(&[("app::fleet", form), ("clock", "pub fn now() { jiff::Timestamp::now() }")]);
        let found = clock_reads(&mods);
        assert!(!found.is_empty() && found.iter().all(|(m, _)| m == "app::fleet"), "{form:?} slips past: {found:?}");
    }
    let zones = planted(&[("web::pages::fleet", "let tz = jiff::tz::TimeZone::get(zone);")]);
    assert_eq!(zone_lookups(&zones).len(), 1);
}
