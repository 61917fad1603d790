//! Plain-text rendering of the catalogue for the terminal, in Indonesian or English.
//!
//! Texts that have no English version are shown in Indonesian and marked `[ID]`, with a
//! legend, so a technician sees at a glance which translations are missing.

use std::fmt::Write;

use crate::catalogue::{Agency, Feed, RequirementKind, Service};
use crate::text::{Lang, Text};

pub const FALLBACK_MARK: &str = "[ID]";

/// Labels of the terminal output in both languages.
fn label(lang: Lang, key: &str) -> &'static str {
    let (id, en) = match key {
        "agency" => ("Instansi", "Agency"),
        "counter" => ("Loket", "Counter"),
        "prefix" => ("Awalan nomor antrean", "Queue number prefix"),
        "summary" => ("Tentang layanan", "About"),
        "requirements" => ("Persyaratan", "Requirements"),
        "procedure" => ("Prosedur", "Procedure"),
        "time" => ("Lama proses", "Processing time"),
        "time_unknown" => ("belum ditetapkan; tanyakan di loket", "not yet set; ask at the counter"),
        "fee" => ("Biaya", "Fee"),
        "legal" => ("Dasar hukum", "Legal basis"),
        "product" => ("Produk", "Product"),
        "complaints" => ("Pengaduan", "Complaints"),
        "quota" => ("Kuota harian", "Daily quota"),
        "notes" => ("Catatan", "Notes"),
        "staff_notes" => ("Catatan untuk petugas (tidak tampil ke warga)", "Notes for staff (not shown to citizens)"),
        "sources" => ("Sumber", "Sources"),
        "inactive" => ("TIDAK AKTIF", "INACTIVE"),
        "unverified_tag" => ("belum terverifikasi", "not yet verified"),
        "unverified" => (
            "PERHATIAN: data layanan ini BELUM TERVERIFIKASI oleh pengelola MPP. Pastikan persyaratan dan biaya di loket.",
            "NOTE: this service's information is NOT YET VERIFIED by the MPP. Confirm requirements and fees at the counter.",
        ),
        "services" => ("layanan", "services"),
        "version" => ("katalog versi", "catalogue version"),
        "legend" => (
            "[ID] = belum ada teks bahasa Inggris; teks bahasa Indonesia ditampilkan",
            "[ID] = no English text yet; the Indonesian text is shown",
        ),
        "no_results" => ("Tidak ada layanan yang cocok.", "No matching service."),
        _ => unreachable!("unknown label {key}"),
    };
    if lang == Lang::En { en } else { id }
}

/// Renders texts in one language and remembers whether any fell back to Indonesian.
pub struct Renderer {
    pub lang: Lang,
    pub fell_back: bool,
}

impl Renderer {
    pub fn new(lang: Lang) -> Self {
        Renderer { lang, fell_back: false }
    }

    pub fn t(&mut self, text: &Text) -> String {
        let r = text.get(self.lang);
        if r.fallback {
            self.fell_back = true;
            format!("{} {FALLBACK_MARK}", r.text)
        } else {
            r.text.to_owned()
        }
    }

    /// A requirement's kind after its text; documents, the usual kind, are left bare.
    fn kind(&self, k: RequirementKind) -> String {
        match k {
            RequirementKind::Document => String::new(),
            _ => format!("  [{}]", k.heading(self.lang)),
        }
    }

    pub fn label(&self, key: &str) -> &'static str {
        label(self.lang, key)
    }

    /// The legend line, if any text fell back.
    pub fn legend(&self) -> Option<&'static str> {
        self.fell_back.then(|| label(self.lang, "legend"))
    }

    fn tags(&self, s: &Service) -> String {
        let mut tags = String::new();
        if !s.verified {
            write!(tags, "  [{}]", self.label("unverified_tag")).unwrap();
        }
        if !s.active {
            write!(tags, "  [{}]", self.label("inactive")).unwrap();
        }
        tags
    }

    /// One line per service: code, ticket prefix, name and tags.
    pub fn service_line(&mut self, s: &Service) -> String {
        let name = self.t(&s.name);
        format!("  {:<16} {:<4} {}{}", s.code, s.ticket_prefix, name, self.tags(s))
    }

    pub fn agency_heading(&mut self, a: &Agency, count: usize) -> String {
        let name = self.t(&a.name);
        let inactive = if a.active { String::new() } else { format!("  [{}]", self.label("inactive")) };
        format!("{} · {} ({count} {}){inactive}", a.code, name, self.label("services"))
    }

    pub fn catalogue_heading(&mut self, feed: &Feed) -> String {
        let name = self.t(&feed.site.name);
        format!(
            "{name} — {} {} ({} {})",
            self.label("version"),
            feed.version,
            feed.services.len(),
            self.label("services")
        )
    }

    /// The whole Standar Pelayanan of a service, as a citizen-facing page would show it.
    pub fn service_page(&mut self, feed: &Feed, s: &Service) -> String {
        let mut out = String::new();
        let w = &mut out;
        let name = self.t(&s.name);
        writeln!(w, "{} · {}{}", s.code, name, self.tags(s)).unwrap();
        if let Some(a) = feed.agency(&s.agency) {
            writeln!(w, "{}: {}", self.label("agency"), self.t(&a.name)).unwrap();
        }
        writeln!(
            w,
            "{}: {}   {}: {}",
            self.label("counter"),
            self.t(&s.counter),
            self.label("prefix"),
            s.ticket_prefix
        )
        .unwrap();
        if !s.verified {
            writeln!(w, "\n!! {}", self.label("unverified")).unwrap();
        }
        writeln!(w, "\n{}:\n  {}", self.label("summary"), self.t(&s.summary)).unwrap();
        writeln!(w, "\n{}:", self.label("requirements")).unwrap();
        for (i, r) in s.requirements.iter().enumerate() {
            writeln!(w, "  {:>2}. {}{}", i + 1, self.t(&r.text), self.kind(r.kind)).unwrap();
        }
        if !s.procedure.is_empty() {
            writeln!(w, "\n{}:", self.label("procedure")).unwrap();
            for (i, p) in s.procedure.iter().enumerate() {
                writeln!(w, "  {:>2}. {}", i + 1, self.t(p)).unwrap();
            }
        }
        let time = match &s.processing_time {
            Some(t) => self.t(t),
            None => self.label("time_unknown").to_owned(),
        };
        writeln!(w, "\n{}: {}", self.label("time"), time).unwrap();
        writeln!(w, "{}: {}", self.label("fee"), self.t(&s.fee.text)).unwrap();
        if let Some(l) = &s.legal_basis {
            writeln!(w, "{}: {}", self.label("legal"), self.t(l)).unwrap();
        }
        writeln!(w, "{}: {}", self.label("product"), self.t(&s.product)).unwrap();
        let complaints = self.t(s.complaints.as_ref().unwrap_or(&feed.site.complaints));
        writeln!(w, "{}: {}", self.label("complaints"), complaints).unwrap();
        if let Some(q) = s.daily_quota {
            writeln!(w, "{}: {q}", self.label("quota")).unwrap();
        }
        if let Some(n) = &s.notes {
            writeln!(w, "{}: {}", self.label("notes"), self.t(n)).unwrap();
        }
        if let Some(n) = &s.staff_notes {
            writeln!(w, "{}: {}", self.label("staff_notes"), self.t(n)).unwrap();
        }
        if !s.sources.is_empty() {
            writeln!(w, "{}:", self.label("sources")).unwrap();
            for src in &s.sources {
                writeln!(w, "  - {src}").unwrap();
            }
        }
        out
    }
}
