//! Turning what a citizen types into an FTS5 query.
//!
//! People type `ktp`, `e-ktp`, `KTP-el`, `EKTP`, `paspor` or `passport`: words are split on
//! anything that is not a letter or digit, the lone `e` of `e-ktp` is dropped,
//! known variants are folded together, and every word is matched as a prefix so results
//! appear while typing. The catalogue's own `keywords` carry service-specific synonyms.

/// Word variants that mean the same thing to the people at the kiosk. Each group is searched
/// as alternatives of one another; the first entry is the canonical form.
const SYNONYMS: &[&[&str]] = &[
    &["ktp", "ektp", "ktpel"],
    &["paspor", "passport"],
    &["akta", "akte"],
    &["sertipikat", "sertifikat", "certificate"],
    &["nikah", "kawin", "marriage", "wedding"],
    &["listrik", "electricity"],
    &["pajak", "tax"],
    &["haji", "hajj"],
    &["cerai", "divorce"],
    &["lahir", "kelahiran", "birth"],
    &["kematian", "meninggal", "death"],
    &["pindah", "moving"],
    &["gratis", "free"],
];

/// The longest query read: what a citizen types is a few words; more only costs time.
pub const MAX_QUERY_CHARS: usize = 100;

/// The words of a query, normalised: lower case, ASCII letters and digits only. Only the
/// first [`MAX_QUERY_CHARS`] characters count.
pub fn terms(query: &str) -> Vec<String> {
    let cut = query.char_indices().nth(MAX_QUERY_CHARS).map_or(query.len(), |(i, _)| i);
    let words: Vec<String> = query[..cut]
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    // "e-ktp" and "e-paspor" are about "ktp" and "paspor": drop the lone "e" of the
    // electronic prefix when other words remain. Other single letters stay ("sim c").
    let rest: Vec<String> = words.iter().filter(|w| *w != "e").cloned().collect();
    if rest.is_empty() { words } else { rest }
}

/// The alternatives one word stands for (itself first).
fn alternatives(word: &str) -> Vec<&str> {
    SYNONYMS
        .iter()
        .find(|group| group.contains(&word))
        .map(|group| {
            let mut v = vec![word];
            v.extend(group.iter().copied().filter(|w| *w != word));
            v
        })
        .unwrap_or_else(|| vec![word])
}

/// An FTS5 expression in which every word (or one of its variants) must match as a prefix,
/// or `None` when nothing searchable was typed. `any` joins the words with OR instead,
/// the fallback when no service has them all.
pub fn fts_query(query: &str, any: bool) -> Option<String> {
    let groups: Vec<String> = terms(query)
        .iter()
        .map(|w| {
            let alts: Vec<String> = alternatives(w).iter().map(|a| format!("\"{a}\"*")).collect();
            if alts.len() == 1 { alts[0].clone() } else { format!("({})", alts.join(" OR ")) }
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    Some(groups.join(if any { " OR " } else { " AND " }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_people_write_ktp_become_one_term() {
        for q in ["ktp", "KTP", "e-ktp", "E-KTP", "ektp"] {
            let fts = fts_query(q, false).unwrap();
            assert!(fts.contains("\"ktp\"*"), "{q} -> {fts}");
            assert!(!fts.contains("\"e\""), "{q} -> {fts}");
        }
        assert_eq!(fts_query("KTP-el", false).unwrap(), "(\"ktp\"* OR \"ektp\"* OR \"ktpel\"*) AND \"el\"*");
    }

    #[test]
    fn synonyms_and_fallback() {
        assert_eq!(fts_query("passport", false).unwrap(), "(\"passport\"* OR \"paspor\"*)");
        assert_eq!(fts_query("sim c", false).unwrap(), "\"sim\"* AND \"c\"*");
        assert_eq!(fts_query("skck baru", true).unwrap(), "\"skck\"* OR \"baru\"*");
    }

    #[test]
    fn nothing_searchable_gives_none() {
        assert_eq!(fts_query("", false), None);
        assert_eq!(fts_query("  -- ** \"", false), None);
        // Quotes and FTS operators typed by a citizen cannot break the expression.
        assert_eq!(
            fts_query("\"ktp\" OR NEAR(", false).unwrap(),
            "(\"ktp\"* OR \"ektp\"* OR \"ktpel\"*) AND \"or\"* AND \"near\"*"
        );
    }
}
