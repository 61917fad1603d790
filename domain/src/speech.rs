//! How the kiosk's speech mode says the catalogue's texts: before the synthesizer
//! (espeak-ng's Indonesian voice) reads a service's name or requirements, the words it
//! says wrong are replaced by how they are spoken — the site's list (kept with the
//! catalogue, `site.pronunciations`) first, then the built-in one — and amounts of rupiah
//! and numbers with thousands dots ("Rp30.000") become words. Pure text in, text out.

use serde::{Deserialize, Serialize};

/// One entry of a pronunciation list: a word or acronym as written, and as it is said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pronunciation {
    /// Matched as a whole word (not inside a longer one), case as written.
    pub written: String,
    /// What the synthesizer is given instead: spelled as it sounds in Indonesian.
    pub spoken: String,
}

impl Pronunciation {
    /// Why this entry cannot be used, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        let w = self.written.trim();
        if w.is_empty() || w.chars().count() > 60 || w != self.written {
            return Err(format!("written {:?}: 1 to 60 characters, no spaces around", self.written));
        }
        if self.spoken.trim().is_empty() || self.spoken.chars().count() > 200 {
            return Err(format!("spoken {:?}: 1 to 200 characters", self.spoken));
        }
        if self.spoken.chars().any(|c| c.is_control() || c == '[' || c == '<') {
            // '[[' and '<' switch espeak-ng into phoneme or SSML input.
            return Err(format!("spoken {:?}: no control characters, '[' or '<'", self.spoken));
        }
        Ok(())
    }
}

/// What espeak-ng's Indonesian voice says wrong in the catalogues we ship: acronyms it reads
/// as words, and agency names it stresses oddly. A site's own list comes first.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("KTP-el", "ka te pe elektronik"),
    ("e-KTP", "e ka te pe"),
    ("KTP", "ka te pe"),
    ("KK", "ka ka"),
    ("KIA", "ka i a"),
    ("NIK", "en i ka"),
    ("SKCK", "es ka ce ka"),
    ("BPJS", "be pe je es"),
    ("BPN", "be pe en"),
    ("NPWP", "en pe we pe"),
    ("SIM", "sim"),
    ("STNK", "es te en ka"),
    ("BPKB", "be pe ka be"),
    ("PBB", "pe be be"),
    ("PBG", "pe be ge"),
    ("NIB", "en i be"),
    ("OSS", "o es es"),
    ("SKTM", "es ka te em"),
    ("PLN", "pe el en"),
    ("PDAM", "pe de a em"),
    ("DPMPTSP", "de pe em pe te es pe"),
    ("MPP", "em pe pe"),
    ("Disdukcapil", "dis duk capil"),
    ("Dukcapil", "duk capil"),
    ("Samsat", "sam sat"),
    ("Polres", "pol res"),
    ("Kemenag", "ke menag"),
    ("WNI", "we en i"),
    ("WNA", "we en a"),
    ("RT", "er te"),
    ("RW", "er we"),
    ("No.", "nomor"),
    ("dll.", "dan lain lain"),
    ("dsb.", "dan sebagainya"),
    ("yg", "yang"),
    ("Rp", "rupiah"),
];

/// `text` as the synthesizer should be given it: the site's list, then the built-in one,
/// whole words only, the longest written form first; amounts and numbers in words.
pub fn spoken(text: &str, site: &[Pronunciation]) -> String {
    let mut list: Vec<(&str, &str)> = site.iter().map(|p| (p.written.as_str(), p.spoken.as_str())).collect();
    list.extend(BUILT_IN.iter().copied().filter(|(w, _)| !site.iter().any(|p| p.written == *w)));
    list.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
    let text = amounts_in_words(text);
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    'at: while i < chars.len() {
        let word_start = i == 0 || !is_word(chars[i - 1]);
        if word_start {
            for (w, s) in &list {
                let wc: Vec<char> = w.chars().collect();
                let end = i + wc.len();
                if end <= chars.len()
                    && chars[i..end] == wc[..]
                    && (end == chars.len() || !is_word(chars[end]) || !is_word(wc[wc.len() - 1]))
                {
                    out.push_str(s);
                    i = end;
                    continue 'at;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// "Rp30.000" → "tiga puluh ribu rupiah"; "Rp 1.500.000,00" → "satu juta lima ratus ribu
/// rupiah"; "50.000" → "lima puluh ribu". Numbers without thousands dots are left to the
/// synthesizer, which reads them well ("2 lembar").
fn amounts_in_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let (rupiah, after_rp) = match rest.strip_prefix("Rp") {
            Some(r) if out.chars().last().is_none_or(|c| !c.is_alphanumeric()) => {
                (true, r.trim_start_matches([' ', '.']))
            }
            _ => (false, rest),
        };
        let starts_number = after_rp.starts_with(|c: char| c.is_ascii_digit())
            && out.chars().last().is_none_or(|c| !c.is_alphanumeric() && c != '.' && c != ',');
        if starts_number
            && let Some((value, used, grouped)) = read_amount(after_rp)
            && (rupiah || grouped)
        {
            out.push_str(&words(value));
            if rupiah {
                out.push_str(" rupiah");
            }
            rest = &after_rp[used..];
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A number with optional thousands dots and an optional ",00" / ",-": its value, the
/// bytes used, and whether it had thousands dots.
fn read_amount(s: &str) -> Option<(u64, usize, bool)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = String::new();
    let mut grouped = false;
    while i < b.len() && b[i].is_ascii_digit() {
        digits.push(b[i] as char);
        i += 1;
    }
    if digits.len() > 3 && b.get(i) == Some(&b'.') {
        return None; // "1234.5": not a rupiah amount
    }
    while b.get(i) == Some(&b'.') && b.len() >= i + 4 && b[i + 1..i + 4].iter().all(u8::is_ascii_digit) {
        if b.get(i + 4).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        digits.push_str(&s[i + 1..i + 4]);
        grouped = true;
        i += 4;
    }
    if s[i..].starts_with(",00") {
        i += 3;
    } else if s[i..].starts_with(",-") {
        i += 2;
    }
    let value = digits.parse::<u64>().ok().filter(|v| *v < 1_000_000_000_000_000)?;
    Some((value, i, grouped))
}

/// A whole number in Indonesian words: 30000 → "tiga puluh ribu", 1000 → "seribu",
/// 1500000 → "satu juta lima ratus ribu".
pub fn words(n: u64) -> String {
    const ONES: [&str; 10] = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];
    fn below_thousand(n: u64, out: &mut Vec<String>) {
        let (h, t) = (n / 100, n % 100);
        match h {
            0 => {}
            1 => out.push("seratus".into()),
            _ => out.push(format!("{} ratus", ONES[h as usize])),
        }
        match t {
            0 => {}
            1..=9 => out.push(ONES[t as usize].into()),
            10 => out.push("sepuluh".into()),
            11 => out.push("sebelas".into()),
            12..=19 => out.push(format!("{} belas", ONES[(t - 10) as usize])),
            _ => {
                out.push(format!("{} puluh", ONES[(t / 10) as usize]));
                if t % 10 != 0 {
                    out.push(ONES[(t % 10) as usize].into());
                }
            }
        }
    }
    if n == 0 {
        return "nol".into();
    }
    let mut out = Vec::new();
    let scales = [(1_000_000_000_000, "triliun"), (1_000_000_000, "miliar"), (1_000_000, "juta"), (1_000, "ribu")];
    let mut rest = n;
    for (size, name) in scales {
        let k = rest / size;
        rest %= size;
        if k == 0 {
            continue;
        }
        if k == 1 && size == 1_000 {
            out.push("seribu".into());
        } else {
            below_thousand(k, &mut out);
            out.push(name.into());
        }
    }
    below_thousand(rest, &mut out);
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(w: &str, s: &str) -> Pronunciation {
        Pronunciation { written: w.into(), spoken: s.into() }
    }

    #[test]
    fn the_words_the_synthesizer_says_wrong_are_replaced_whole() {
        assert_eq!(spoken("Fotokopi KTP-el dan KK", &[]), "Fotokopi ka te pe elektronik dan ka ka");
        assert_eq!(spoken("SKCK baru", &[]), "es ka ce ka baru");
        assert_eq!(spoken("Kartu BPJS Kesehatan", &[]), "Kartu be pe je es Kesehatan");
        assert_eq!(spoken("Loket Disdukcapil", &[]), "Loket dis duk capil");
        // Not inside a longer word, and case as written.
        assert_eq!(spoken("KKN", &[]), "KKN");
        assert_eq!(spoken("kk", &[]), "kk");
        assert_eq!(spoken("(KK)", &[]), "(ka ka)");
        // The longest form first: KTP-el is not "ka te pe" + "-el".
        assert_eq!(spoken("KTP-el/KTP", &[]), "ka te pe elektronik/ka te pe");
    }

    #[test]
    fn amounts_of_rupiah_and_grouped_numbers_are_read_as_words() {
        assert_eq!(spoken("Biaya Rp30.000", &[]), "Biaya tiga puluh ribu rupiah");
        assert_eq!(spoken("Rp 1.500.000,00 per tahun", &[]), "satu juta lima ratus ribu rupiah per tahun");
        assert_eq!(spoken("Rp1.000,-", &[]), "seribu rupiah");
        assert_eq!(spoken("PNBP Rp. 60.000", &[]), "PNBP enam puluh ribu rupiah");
        assert_eq!(spoken("denda 50.000", &[]), "denda lima puluh ribu");
        // Plain numbers and versions stay for the synthesizer.
        assert_eq!(spoken("2 lembar pas foto 3x4", &[]), "2 lembar pas foto 3x4");
        assert_eq!(spoken("versi 1.2.3", &[]), "versi 1.2.3");
        assert_eq!(spoken("Rp", &[]), "rupiah");
    }

    #[test]
    fn numbers_in_indonesian_words() {
        assert_eq!(words(0), "nol");
        assert_eq!(words(11), "sebelas");
        assert_eq!(words(19), "sembilan belas");
        assert_eq!(words(105), "seratus lima");
        assert_eq!(words(1_000), "seribu");
        assert_eq!(words(1_100), "seribu seratus");
        assert_eq!(words(21_000), "dua puluh satu ribu");
        assert_eq!(words(100_000), "seratus ribu");
        assert_eq!(words(2_000_000), "dua juta");
        assert_eq!(words(1_000_000), "satu juta");
        assert_eq!(words(3_250_000_000), "tiga miliar dua ratus lima puluh juta");
    }

    #[test]
    fn the_sites_list_comes_first_and_bad_entries_are_named() {
        let site = [p("SKCK", "surat keterangan catatan kepolisian"), p("Binamu", "bi na mu")];
        assert_eq!(spoken("SKCK di Binamu", &site), "surat keterangan catatan kepolisian di bi na mu");
        assert!(p("", "x").check().is_err());
        assert!(p(" KK", "x").check().is_err());
        assert!(p("KK", " ").check().is_err());
        assert!(p("KK", "[[k'a]]").check().unwrap_err().contains("'['"));
        assert!(p("KK", "ka ka").check().is_ok());
        for (w, s) in BUILT_IN {
            p(w, s).check().unwrap();
        }
    }
}
