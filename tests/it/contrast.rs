//! The kiosk's colours, measured: every pair the screens draw, computed from `ui/theme.slint`
//! itself with the WCAG 2.x formula, so a colour change that makes text or a control's
//! outline hard to see fails here. Text needs 7:1 (the design brief; WCAG AAA), a control's
//! boundary 3:1 (WCAG 1.4.11). The screens may use no colour that is not in the theme.

use std::collections::BTreeMap;

const THEME: &str = include_str!("../../ui/theme.slint");

fn theme() -> BTreeMap<String, [u8; 3]> {
    let mut colours = BTreeMap::new();
    for line in THEME.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("out property <color> ") else { continue };
        let (name, value) = rest.split_once(':').unwrap();
        let hex = value.trim().trim_end_matches(';').trim_start_matches('#');
        if hex.len() != 6 {
            continue; // with alpha: a scrim, not a surface text sits on
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
        colours.insert(name.trim().to_owned(), [byte(0), byte(2), byte(4)]);
    }
    colours
}

fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Text (foreground, background) as the screens draw it.
const TEXT: &[(&str, &str)] = &[
    ("ink", "page"),
    ("ink", "card"),
    ("ink", "bar"),
    ("ink", "pressed"),
    ("ink", "key-pressed"),
    ("ink", "closed-tile"),
    ("ink-soft", "page"),
    ("ink-soft", "card"),
    ("ink-soft", "bar"),
    ("ink-soft", "disabled"),
    ("primary", "page"),
    ("primary", "card"),
    ("on-dark", "primary"),
    ("on-dark", "primary-dark"),
    ("on-dark", "free"),
    ("action-ink", "action"),
    ("free", "open-bg"),
    ("closed", "closed-bg"),
    ("closed", "page"),
    ("closed", "card"),
    ("warn-ink", "warn-bg"),
];

/// Control boundaries: an outline against what surrounds it, a filled button against the page.
const BOUNDARY: &[(&str, &str)] = &[
    ("line", "page"),
    ("line", "card"),
    ("line", "bar"),
    ("primary", "page"),
    ("primary", "bar"),
    ("free", "page"),
    ("closed", "closed-bg"),
];

#[test]
fn every_text_and_outline_the_theme_draws_is_readable() {
    let colours = theme();
    let mut failures = Vec::new();
    for (pairs, least, what) in [(TEXT, 7.0, "text"), (BOUNDARY, 3.0, "boundary")] {
        for (fg, bg) in pairs {
            let (Some(f), Some(b)) = (colours.get(*fg), colours.get(*bg)) else {
                panic!("{fg} or {bg} is not a theme colour")
            };
            let r = ratio(*f, *b);
            if r < least {
                failures.push(format!("{what} {fg} on {bg}: {r:.2}:1, needs {least}:1"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The formula itself, on known pairs.
    assert!((ratio([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
    assert!(
        (ratio([0x59, 0x59, 0x59], [0xF7, 0xF8, 0xFA]) - 6.59).abs() < 0.01,
        "the old grey the review measured at 6.6:1"
    );
}

#[test]
fn the_screens_use_only_the_themes_colours() {
    let ui = concat!(env!("CARGO_MANIFEST_DIR"), "/ui");
    let mut files: Vec<std::path::PathBuf> =
        std::fs::read_dir(format!("{ui}/screens")).unwrap().map(|e| e.unwrap().path()).collect();
    files.extend(["widgets.slint", "app.slint"].map(|f| std::path::Path::new(ui).join(f)));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap();
            if let Some(i) = code.find('#') {
                let hex: String = code[i + 1..].chars().take_while(char::is_ascii_hexdigit).collect();
                assert!(
                    hex.len() < 6,
                    "{}:{}: colour #{hex} is not from the theme (add it to ui/theme.slint and to the pairs in tests/it/contrast.rs)",
                    f.display(),
                    n + 1
                );
            }
        }
    }
}
