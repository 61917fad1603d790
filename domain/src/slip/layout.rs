//! The queue slip as a description: lines of ASCII text with their style, rules, a QR code,
//! the cut. Pure: the encoder (`escpos_encode`) turns it into printer bytes, and tests read
//! it directly.

use std::sync::Arc;

use super::bitmap::Bitmap;
use crate::catalogue::{Agency, RequirementKind, Service, Site};
use crate::text::Lang;
use crate::tickets::{Ahead, Ticket};

/// Paper width: characters per line in the normal font, and printable dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Paper {
    #[serde(rename = "58mm")]
    Mm58,
    #[serde(rename = "80mm")]
    Mm80,
}

impl Paper {
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// One printed line (already wrapped to fit), ASCII only.
    Text { text: String, align: Align, bold: bool, scale: u8, inverted: bool },
    /// A dashed rule across the paper.
    Rule,
    /// A QR code of this text.
    Qr(String),
    /// A picture (the logo), centred.
    Image(Arc<Bitmap>),
    /// Blank lines.
    Feed(u8),
}

/// What goes on the slip, line by line, then a cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub paper: Paper,
    pub lines: Vec<Line>,
}

impl Slip {
    /// The text of the slip, one line per text line, as it will read on paper.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            match l {
                Line::Text { text, .. } => out.push_str(text),
                Line::Rule => out.push_str(&"-".repeat(self.paper.columns())),
                Line::Qr(data) => out.push_str(&format!("[QR {data}]")),
                Line::Image(b) => out.push_str(&format!("[picture {}x{}]", b.width, b.height)),
                Line::Feed(_) => {}
            }
            out.push('\n');
        }
        out
    }
}

/// Everything the slip shows.
pub struct SlipInput<'a> {
    pub ticket: &'a Ticket,
    /// The people ahead: the site server's count, or the kiosk's estimate (said so).
    pub ahead: Ahead,
    pub service: &'a Service,
    pub agency: &'a Agency,
    pub site: &'a Site,
    pub lang: Lang,
    pub paper: Paper,
    /// The QR code's content, if the site configured one.
    pub qr: Option<String>,
    /// The QR opens this ticket's place and estimate on a phone (not the service's page).
    pub qr_follows_ticket: bool,
    /// A reprint says so, so staff can tell it from the original.
    pub reprint: bool,
    /// The logo at the top, already scaled for the paper.
    pub logo: Option<Arc<Bitmap>>,
    /// A booking checked in: its slot ("09.00–09.30 WITA"), printed under the number.
    pub booked: Option<String>,
}

impl Paper {
    /// How wide the logo prints: a third of the paper, so it marks the slip without
    /// costing much paper (128 dots = 16 mm on 58 mm paper, 192 dots = 24 mm on 80 mm).
    pub fn logo_dots(self) -> u32 {
        self.dots() / 3
    }
}

/// Text a cheap printer prints the same everywhere: ASCII only (accents folded, dashes
/// and quotes made plain), control characters removed.
pub fn ascii(text: &str) -> String {
    // "Loket 1 · Disdukcapil": a middle dot would fold to "*"; a dash reads the same.
    deunicode::deunicode(&text.replace('\u{b7}', "-")).chars().filter(|c| !c.is_control()).collect()
}

/// Wraps text to `width` columns at spaces; a word longer than a line breaks after a `/`
/// or `-` where it has one ("PT/CV/yayasan/" + "koperasi/firma)"), else it is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        while word.len() > width {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            let at = word[..width].rfind(['/', '-']).map(|i| i + 1).filter(|&i| i > width / 3).unwrap_or(width);
            let rest = word.split_off(at);
            lines.push(word);
            word = rest;
        }
        if cur.is_empty() {
            cur = word;
        } else if cur.len() + 1 + word.len() <= width {
            cur.push(' ');
            cur.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut cur, word));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

use crate::hours::local_date;

/// "Pukul 09.05 WITA" / "Time 09:05 WIB": the site's zone, by its label.
pub fn local_clock(dt: &jiff::civil::DateTime, time_zone: &str, lang: Lang) -> String {
    let t = crate::hours::TimeOfDay::of(dt);
    let word = if lang == Lang::Id { "Pukul" } else { "Time" };
    format!("{word} {}", crate::hours::local_time_text(t, time_zone, lang))
}

/// The note on a slip whose service data the site has not yet confirmed.
fn unverified_note(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "Data layanan ini belum terverifikasi. Pastikan persyaratan dan biaya di loket.",
        Lang::En => "This service's information is not yet verified. Confirm requirements and fees at the counter.",
    }
}

/// The slip's fixed words in one language.
struct Words {
    number: &'static str,
    valid_today: &'static str,
    go_to: &'static str,
    watch: &'static str,
    scan: &'static str,
    scan_place: &'static str,
    keep: &'static str,
    complaints: &'static str,
    reprint: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Id => Words {
            number: "NOMOR ANTREAN",
            valid_today: "Berlaku hari ini saja",
            go_to: "Tunggu nomor Anda dipanggil, lalu menuju",
            watch: "Perhatikan layar panggilan. Nomor Anda dipanggil dan ditampilkan di layar.",
            scan: "Pindai untuk info layanan",
            scan_place: "Pindai untuk melihat antrean Anda di ponsel",
            keep: "Simpan struk ini sampai nomor Anda dipanggil.",
            complaints: "Pengaduan",
            reprint: "CETAK ULANG",
        },
        Lang::En => Words {
            number: "QUEUE NUMBER",
            valid_today: "Valid today only",
            go_to: "Wait until your number is called, then go to",
            watch: "Watch the calling display: your number is called and shown there.",
            scan: "Scan for service information",
            scan_place: "Scan to follow your place on your phone",
            keep: "Keep this slip until your number is called.",
            complaints: "Complaints",
            reprint: "REPRINT",
        },
    }
}

/// Lays out the slip for one ticket: who it is from, the number, then what happens next
/// (where to go, how many are ahead, to watch the display, valid today only), then every
/// requirement in full, grouped as on the screen: the citizen checks them off while waiting.
pub fn layout(input: &SlipInput<'_>) -> Slip {
    let lang = input.lang;
    let cols = input.paper.columns();
    let w = words(lang);
    let mut lines = Vec::new();
    let text = |lines: &mut Vec<Line>, s: &str, align, bold, scale: u8| {
        for l in wrap(&ascii(s), cols / scale as usize) {
            lines.push(Line::Text { text: l, align, bold, scale, inverted: false });
        }
    };

    if let Some(logo) = &input.logo {
        lines.push(Line::Image(logo.clone()));
    }
    text(&mut lines, &input.site.name.in_lang(lang).to_uppercase(), Align::Center, true, 1);
    text(&mut lines, input.agency.short_name.in_lang(lang), Align::Center, false, 1);
    lines.push(Line::Rule);
    text(&mut lines, input.service.name.in_lang(lang), Align::Center, true, 1);
    lines.push(Line::Feed(1));
    text(&mut lines, w.number, Align::Center, false, 1);
    // The number as large as the paper allows: up to 4× on 80 mm, 3× or 4× on 58 mm.
    let number = &input.ticket.number;
    let scale = (1..=4u8).rev().find(|s| number.len() * *s as usize <= cols).unwrap_or(1);
    lines.push(Line::Text { text: number.clone(), align: Align::Center, bold: true, scale, inverted: false });
    if let Some(p) = input.ticket.priority {
        for l in wrap(&ascii(p.label(lang)), cols) {
            lines.push(Line::Text { text: l, align: Align::Center, bold: true, scale: 1, inverted: true });
        }
    }
    if input.reprint {
        text(&mut lines, w.reprint, Align::Center, true, 1);
    }
    let local: Option<jiff::civil::DateTime> =
        input.ticket.issued_at_local.parse::<jiff::ZonedDateTime>().ok().map(|z| z.datetime());
    if let Some(dt) = local {
        text(&mut lines, &local_date(&dt, lang), Align::Center, false, 1);
        text(&mut lines, &local_clock(&dt, &input.site.time_zone, lang), Align::Center, false, 1);
    }
    text(&mut lines, w.valid_today, Align::Center, true, 1);
    if let Some(slot) = &input.booked {
        let words = match lang {
            Lang::Id => format!("BOOKING {slot}: dipanggil mulai jam booking"),
            Lang::En => format!("BOOKING {slot}: called from the booked time"),
        };
        text(&mut lines, &words, Align::Center, true, 1);
    }

    // What happens next: where to go in large type, then how long and what to watch.
    lines.push(Line::Rule);
    text(&mut lines, w.go_to, Align::Center, false, 1);
    text(&mut lines, &input.service.counter.in_lang(lang).to_uppercase(), Align::Center, true, 2);
    // The same words as the done screen: "Tidak ada antrean di depan Anda", "Perkiraan:
    // sekitar 3 orang di depan Anda".
    text(&mut lines, &input.ahead.words(lang), Align::Center, false, 1);
    if let Some(m) = input.ahead.wait_minutes {
        text(&mut lines, &crate::estimate::Minutes(m).text(lang), Align::Center, true, 1);
    }
    text(&mut lines, w.watch, Align::Center, false, 1);

    // Every requirement in full, wrapped: a cut item can drop the words that matter most
    // ("tidak dapat diwakilkan").
    lines.push(Line::Rule);
    for (kind, items) in input.service.requirement_groups() {
        text(&mut lines, &format!("{}:", kind.heading(lang)), Align::Left, true, 1);
        let lead = if kind == RequirementKind::Condition { "- " } else { "[ ] " };
        for r in items {
            for (i, l) in wrap(&ascii(r.text.in_lang(lang)), cols - lead.len()).into_iter().enumerate() {
                let l = if i == 0 { format!("{lead}{l}") } else { format!("{}{l}", " ".repeat(lead.len())) };
                lines.push(Line::Text { text: l, align: Align::Left, bold: false, scale: 1, inverted: false });
            }
        }
    }
    if !input.service.verified {
        text(&mut lines, unverified_note(lang), Align::Left, true, 1);
    }
    if let Some(qr) = &input.qr {
        lines.push(Line::Rule);
        lines.push(Line::Qr(qr.clone()));
        text(&mut lines, if input.qr_follows_ticket { w.scan_place } else { w.scan }, Align::Center, false, 1);
    }
    lines.push(Line::Rule);
    text(&mut lines, w.keep, Align::Center, false, 1);
    let complaints = input.service.complaints.as_ref().unwrap_or(&input.site.complaints);
    text(&mut lines, &format!("{}: {}", w.complaints, complaints.in_lang(lang)), Align::Center, false, 1);
    Slip { paper: input.paper, lines }
}

/// The `printer test` slip: what the printer is set up as, sample text, a big number and a QR.
pub fn test_slip(paper: Paper, printer: &str, qr_mode: &str, qr: &str) -> Slip {
    let text = |t: String, bold| Line::Text { text: ascii(&t), align: Align::Center, bold, scale: 1, inverted: false };
    Slip {
        paper,
        lines: vec![
            text("TES PRINTER / PRINTER TEST".into(), true),
            Line::Rule,
            text(format!("Printer: {printer}"), false),
            text(format!("Kertas / paper: {} kolom, {} dots", paper.columns(), paper.dots()), false),
            text("Code page: PC437 (ASCII)".into(), false),
            text(format!("QR: {qr_mode}"), false),
            text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 -/.:()".into(), false),
            Line::Text {
                text: "KTB-A001".into(),
                align: Align::Center,
                bold: true,
                scale: (paper.columns() / 8).min(4) as u8,
                inverted: false,
            },
            Line::Qr(qr.to_owned()),
            text(format!("QR: {qr}"), false),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every service's slip, on both papers and in both languages, carries every requirement
    /// word for word (folded to ASCII), whole: no item cut, no line wider than the paper.
    #[test]
    fn every_slip_carries_every_requirement_in_full() {
        let feed = crate::catalogue::default_feed();
        for service in &feed.services {
            let agency = feed.agency(&service.agency).unwrap();
            let ticket = Ticket {
                id: "0".into(),
                number: format!("{}-A001", service.ticket_prefix),
                service: service.code.clone(),
                agency: agency.code.clone(),
                priority: None,
                kiosk_id: 1,
                local_date: jiff::civil::date(2026, 11, 30),
                issued_at_utc: "2026-11-30T01:05:00Z".parse().unwrap(),
                issued_at_local: "2026-11-30T09:05:00+08:00[Asia/Makassar]".into(),
                people_ahead: 0,
                status: crate::tickets::Status::Issued,
                booking: None,
            };
            for paper in [Paper::Mm58, Paper::Mm80] {
                for lang in [Lang::Id, Lang::En] {
                    let slip = layout(&SlipInput {
                        ticket: &ticket,
                        ahead: Ahead { count: 3, confirmed: true, wait_minutes: Some(23) },
                        service,
                        agency,
                        site: &feed.site,
                        lang,
                        paper,
                        qr: None,
                        qr_follows_ticket: false,
                        reprint: false,
                        logo: None,
                        booked: None,
                    });
                    let mut printed: Vec<String> = Vec::new();
                    for l in &slip.lines {
                        if let Line::Text { text, scale, .. } = l {
                            assert!(
                                text.len() * *scale as usize <= paper.columns(),
                                "{}: {text:?} is wider than {paper:?}",
                                service.code
                            );
                            assert!(!text.ends_with(".."), "{}: {text:?} is cut", service.code);
                            printed.extend(
                                text.split_whitespace()
                                    .filter(|w| *w != "[" && *w != "]" && *w != "-")
                                    .map(str::to_owned),
                            );
                        }
                    }
                    // Lines may break inside a long word (after a "/"), so compare the
                    // characters in order, spaces aside.
                    let printed: String = printed.concat();
                    let compact = |t: &str| ascii(t).split_whitespace().collect::<String>();
                    for (kind, items) in service.requirement_groups() {
                        assert!(
                            printed.contains(&compact(&format!("{}:", kind.heading(lang)))),
                            "{} {lang:?}: heading of {kind:?}",
                            service.code
                        );
                        for r in items {
                            let words = compact(r.text.in_lang(lang));
                            assert!(
                                printed.contains(&words),
                                "{} {paper:?} {lang:?}: {words:?} is not on the slip whole",
                                service.code
                            );
                        }
                    }
                    // "LOKET 1 · DISDUKCAPIL" prints with a dash, which the words above leave out.
                    let counter: String = ascii(&service.counter.in_lang(lang).to_uppercase())
                        .split_whitespace()
                        .filter(|w| *w != "-")
                        .collect();
                    assert!(printed.contains(&counter), "{}: the counter {counter:?}", service.code);
                    assert!(
                        printed.contains(if lang == Lang::Id { "Berlakuhariinisaja" } else { "Validtodayonly" }),
                        "{}: valid today only",
                        service.code
                    );
                    assert!(
                        printed.contains(if lang == Lang::Id {
                            "Perkiraantunggu+-25menit"
                        } else {
                            "Estimatedwait+-25minutes"
                        }),
                        "{}: the estimate",
                        service.code
                    );
                }
            }
        }
    }

    #[test]
    fn wrapping_and_ascii() {
        assert_eq!(wrap("Fotokopi Kartu Keluarga (KK)", 12), ["Fotokopi", "Kartu", "Keluarga", "(KK)"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("(bagi PT/CV/yayasan/koperasi)", 14), ["(bagi", "PT/CV/yayasan/", "koperasi)"]);
        assert_eq!(wrap("PT/CV/yayasan/koperasi", 10), ["PT/CV/", "yayasan/", "koperasi"]);
        assert_eq!(ascii("11.30–13.00 “Jumat” café\t"), "11.30-13.00 \"Jumat\" cafe");
    }

    #[test]
    fn dates_read_as_indonesians_write_them() {
        let dt = jiff::civil::date(2026, 11, 30).at(9, 5, 0, 0);
        assert_eq!(local_date(&dt, Lang::Id), "Senin, 30 November 2026");
        assert_eq!(local_clock(&dt, "Asia/Makassar", Lang::Id), "Pukul 09.05 WITA");
        assert_eq!(local_clock(&dt, "Asia/Jakarta", Lang::Id), "Pukul 09.05 WIB");
        assert_eq!(local_clock(&dt, "Asia/Jayapura", Lang::En), "Time 09:05 WIT");
        assert_eq!(local_date(&dt, Lang::En), "Monday, 30 November 2026");
        assert_eq!(local_clock(&dt, "Asia/Makassar", Lang::En), "Time 09:05 WITA");
    }
}
