//! No label a citizen reads is cut, on any panel: a text that does not fit its line wraps
//! at a word (Slint's default is to clip it, and `elide` ends it in "…", which cut fees to
//! "Rp350.0…" and the unverified mark to "Belu…"). Read from the .slint files themselves,
//! each rule also run on a planted violation. The pictures of every screen at every panel
//! size (`.ci/run`, `docs/screens/regenerate.sh`) are where a person checks the rest.

use std::path::Path;

/// Texts that stay on one line because their size is computed to fit or they cannot grow:
/// the ticket number (its font is sized to the space), the clock, a requirement's number,
/// the PIN's dots.
const ONE_LINE: [&str; 4] =
    ["K.ticket.number", "K.clock", "req.number", r#"K.staff.pin-dots == "" ? " " : K.staff.pin-dots"#];

/// Each `Text { … }` block of a .slint source, with its line number.
fn text_blocks(source: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = source[from..].find("Text {").map(|i| from + i) {
        let word_start = at == 0 || !source.as_bytes()[at - 1].is_ascii_alphanumeric();
        let mut depth = 0;
        let mut end = at;
        for (i, c) in source[at..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = at + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        if word_start {
            out.push((source[..at].matches('\n').count() + 1, &source[at..end]));
        }
        from = end.max(at + 1);
    }
    out
}

/// What is wrong with the labels of one source: elided texts, and texts that neither wrap
/// nor are known to fit.
fn cut_labels(name: &str, source: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (line, block) in text_blocks(source) {
        if block.contains("overflow: elide") {
            problems.push(format!("{name}:{line}: a label ends in \"…\" (overflow: elide): let it wrap"));
        }
        let text = block.split_once("text:").map(|(_, t)| t.split(';').next().unwrap_or("").trim()).unwrap_or("");
        if !block.contains("wrap: word-wrap") && !ONE_LINE.contains(&text) {
            problems.push(format!("{name}:{line}: {text:?} neither wraps nor is known to fit: add `wrap: word-wrap;`"));
        }
    }
    problems
}

fn ui_sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "slint") {
                let name = path.strip_prefix(&root).unwrap().display().to_string();
                files.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn no_label_is_cut_on_any_panel() {
    let sources = ui_sources();
    assert!(sources.len() >= 10, "the screens were found: {}", sources.len());
    let blocks: usize = sources.iter().map(|(_, s)| text_blocks(s).len()).sum();
    assert!(blocks > 60, "every Text was read: {blocks}");
    let problems: Vec<String> = sources.iter().flat_map(|(name, s)| cut_labels(name, s)).collect();
    assert!(problems.is_empty(), "labels that can be cut:\n{}", problems.join("\n"));
}

#[test]
fn a_planted_cut_label_is_found() {
    let planted = r#"component Fee inherits Rectangle {
    Text {
        text: root.fee;
        overflow: elide;
    }
    Text {
        text: @tr("Belum terverifikasi");
        font-size: 20px;
    }
    Text {
        text: K.clock;
    }
}"#;
    let problems = cut_labels("planted.slint", planted);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("planted.slint:2") && problems[0].contains("elide"), "{problems:?}");
    assert!(problems[2].contains("planted.slint:6") && problems[2].contains("Belum terverifikasi"), "{problems:?}");
}
