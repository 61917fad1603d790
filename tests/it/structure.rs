//! The structure's rules, checked on the source: the kiosk's top-level modules import one
//! another without cycles, and the shared domain crate depends on nothing that does I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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

/// Top-level module → the top-level modules its files name as `crate::x` (the domain's
/// modules, re-exported by lib.rs, count under their own names: they import nothing back).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        if first == "lib" || first == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let deps = graph.entry(first.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            // `mpp_kiosk::crate::` does not occur; skip `$crate::` in macros.
            if text[..i].ends_with('$') {
                continue;
            }
            let name: String = text[i + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() && name != first {
                deps.insert(name);
            }
        }
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

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.contains_key("kiosk") && graph.contains_key("printing"), "the source was found: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle among the kiosk's modules: {}", cycle.join(" → "));
    }
    // Features do not reach for the config file; the config file assembles their sections.
    for feature in ["printing", "sync", "store", "kiosk", "staff"] {
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
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app"), &mut files);
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("slint"), "{} mentions slint: the app layer must run without a window", file.display());
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    g.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&g), None);
}

#[test]
fn the_domain_crate_depends_on_nothing_that_does_io() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("domain/Cargo.toml")).unwrap();
    let manifest: toml::Table = manifest.parse().unwrap();
    let allowed = ["serde", "serde_json", "serde_path_to_error", "thiserror", "jiff", "csv", "toml"];
    for section in ["dependencies", "build-dependencies"] {
        for name in manifest.get(section).and_then(|d| d.as_table()).into_iter().flat_map(|t| t.keys()) {
            assert!(
                allowed.contains(&name.as_str()),
                "mpp-domain depends on {name}: the domain does no I/O (allowed: {allowed:?})"
            );
        }
    }
}

#[test]
fn only_the_clock_module_reads_the_time() {
    let mut files = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("domain/src"), &mut files);
    for file in files {
        if file.ends_with("src/clock.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for call in ["Timestamp::now()", "Zoned::now()", "SystemTime::now()", "std::env::var(crate::clock::ENV"] {
            assert!(!text.contains(call), "{} reads the time itself ({call}); ask crate::clock", file.display());
        }
    }
}
