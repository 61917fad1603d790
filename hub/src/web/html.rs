//! HTML written on the server: every text escaped ([`esc`]); the page frame with the
//! style sheet and at most one script (files embedded in the binary, `hub/assets/web/`).

use axum::response::Html;

/// Text for HTML: `<`, `>`, `&`, `"` and `'` as entities, so a service named `<script>`
/// shows as text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn page(title: &str, body_attrs: &str, body: &str, script: Option<&str>) -> Html<String> {
    page_with_head(title, "", body_attrs, body, script)
}

/// A page with more in its `<head>` (trusted markup, not text).
pub fn page_with_head(title: &str, head: &str, body_attrs: &str, body: &str, script: Option<&str>) -> Html<String> {
    let script = script.map(|s| format!(r#"<script src="/assets/{s}" defer></script>"#)).unwrap_or_default();
    Html(format!(
        r#"<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{head}
<title>{}</title><link rel="stylesheet" href="/assets/style.css">{script}</head><body {body_attrs}>{body}</body></html>"#,
        esc(title)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            esc(r#"<script>alert('x') & "y"</script>"#),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(esc("Loket 3 (Disdukcapil)"), "Loket 3 (Disdukcapil)");
    }
}
