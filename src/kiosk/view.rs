//! What each screen shows, as plain strings in the citizen's language: built from the
//! flow's state and the catalogue, so tests can read a screen without drawing it. The
//! Slint glue copies these into the UI's models; nothing here knows Slint.

pub mod staff_screen;

use super::flow::{Flow, Notice};
use crate::catalogue::{Fee, RequirementKind, Service};
use crate::hours::local_date;
use crate::hours::local_time_text;
use crate::text::Lang;
use crate::tickets::Refusal;

/// Today's state of a service, for the badge on its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateKind {
    Open,
    Closed,
    Full,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgencyTile {
    pub code: String,
    pub name: String,
    pub icon: String,
    pub count: String,
    /// Why no service of this agency can give a number now; the tile is greyed.
    pub closed: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub code: String,
    pub name: String,
    pub fee: String,
    pub free: bool,
    pub time: String,
    pub state: String,
    pub kind: StateKind,
    pub unverified: bool,
    /// Where it is served ("Loket 1 · Disdukcapil"), on rows outside their agency.
    pub place: String,
}

/// A line of the requirements: a group's heading, or an item numbered within the list.
#[derive(Debug, Clone, PartialEq)]
pub struct ReqLine {
    pub text: String,
    pub heading: bool,
    pub number: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub name: String,
    pub agency: String,
    pub summary: String,
    pub requirements: Vec<ReqLine>,
    pub steps: Vec<String>,
    /// The fee as the catalogue words it; for a free service, what follows "Gratis".
    pub fee: String,
    pub free: bool,
    pub legal_basis: String,
    pub time: String,
    pub product: String,
    pub counter: String,
    pub complaints: String,
    pub state: String,
    pub kind: StateKind,
    pub unverified: Option<String>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DoneView {
    pub number: String,
    pub service: String,
    pub counter: String,
    pub ahead: String,
    /// The documents to bring, as a short reminder ("Siapkan:").
    pub bring: Vec<String>,
    /// The priority class's label, for a priority ticket.
    pub priority: Option<String>,
    /// What to do when the slip did not print.
    pub failed: Option<String>,
}

/// "Rp30.000": the way Indonesians write money.
pub fn rupiah(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("Rp{out}")
}

/// The fee in a few words for a list row: "Gratis", "Rp30.000", or the text's first part.
pub fn fee_short(fee: &Fee, lang: Lang) -> String {
    if fee.is_free() {
        return match lang {
            Lang::Id => "Gratis".into(),
            Lang::En => "Free".into(),
        };
    }
    if let Some(a) = fee.amount_idr {
        return rupiah(a);
    }
    let text = fee.text.in_lang(lang);
    let cut = text.find(" (").or_else(|| text.find("; ")).unwrap_or(text.len());
    let short: String = text[..cut].chars().take(48).collect();
    if short.len() < cut { format!("{short}…") } else { short }
}

/// Today's state of a service in a few words, and its kind.
pub fn state(flow: &Flow, service: &Service) -> (String, StateKind) {
    let (text, next, kind) = state_parts(flow, service);
    match (next, flow.lang) {
        (Some(n), Lang::Id) => (format!("{text} · buka lagi {n}"), kind),
        (Some(n), Lang::En) => (format!("{text} · opens again {n}"), kind),
        (None, _) => (text, kind),
    }
}

/// A service's state for an agency tile: a day that is over reads "Tutup · buka lagi besok
/// 08.00" (the row's longer reason does not fit a tile's three lines).
fn tile_state(flow: &Flow, service: &Service) -> (String, StateKind) {
    match state_parts(flow, service) {
        (_, Some(n), kind) if flow.lang == Lang::Id => (format!("Tutup · buka lagi {n}"), kind),
        (_, Some(n), kind) => (format!("Closed · opens again {n}"), kind),
        (text, None, kind) => (text, kind),
    }
}

/// How many wait for `service` now, by the site server's word for today (`None`: no word).
pub fn waiting(flow: &Flow, service: &Service) -> Option<usize> {
    todays_queue(flow).map(|q| q.waiting_for(&service.code))
}

/// The site server's queue, if it is of the kiosk's today (yesterday's is not shown).
fn todays_queue(flow: &Flow) -> Option<&crate::queue::QueueState> {
    let queue = flow.queue.as_deref()?;
    (queue.date == flow.today.local?.date()).then_some(queue)
}

/// The site server's estimate for a number taken now at `service`, today's only.
pub fn wait_now(flow: &Flow, service: &Service) -> Option<crate::estimate::Minutes> {
    todays_queue(flow)?.services.iter().find(|l| l.service == service.code)?.wait_minutes.map(crate::estimate::Minutes)
}

/// Today's state in words, when a day that is over opens again (in a few words), and its kind.
fn state_parts(flow: &Flow, service: &Service) -> (String, Option<String>, StateKind) {
    let lang = flow.lang;
    if flow.printer_fault.is_some() && flow.availability(service).is_ok() {
        let text = match lang {
            Lang::Id => "Printer bermasalah · nomor belum dapat dicetak",
            Lang::En => "Printer problem · numbers cannot be printed now",
        };
        return (text.to_owned(), None, StateKind::Closed);
    }
    match flow.availability(service) {
        Ok(()) => {
            let left = service.daily_quota.map(|q| q.saturating_sub(flow.today.counted(&service.code)));
            let mut text = match (left, lang) {
                (Some(n), Lang::Id) => format!("Buka · sisa kuota {n}"),
                (Some(n), Lang::En) => format!("Open · {n} numbers left"),
                (None, Lang::Id) => "Buka".into(),
                (None, Lang::En) => "Open".into(),
            };
            if let Some(n) = waiting(flow, service) {
                text += &match (n, lang) {
                    (0, Lang::Id) => " · tanpa antrean".to_owned(),
                    (0, Lang::En) => " · no queue".to_owned(),
                    (n, Lang::Id) => format!(" · {n} orang menunggu"),
                    (n, Lang::En) => format!(" · {n} waiting"),
                };
            }
            if let Some(m) = wait_now(flow, service).filter(|_| waiting(flow, service).is_some_and(|n| n > 0)) {
                text += &format!(" · {}", m.short(lang));
            }
            (text, None, StateKind::Open)
        }
        Err(r) => {
            let text = match (&r, lang) {
                (Refusal::NotYetOpen { opens, zone }, Lang::Id) => {
                    format!("Tutup · buka pukul {}", local_time_text(*opens, zone, lang))
                }
                (Refusal::NotYetOpen { opens, zone }, Lang::En) => {
                    format!("Closed · opens at {}", local_time_text(*opens, zone, lang))
                }
                (Refusal::OnBreak { until, zone }, Lang::Id) => {
                    format!("Istirahat · buka lagi pukul {}", local_time_text(*until, zone, lang))
                }
                (Refusal::OnBreak { until, zone }, Lang::En) => {
                    format!("On a break · open again at {}", local_time_text(*until, zone, lang))
                }
                (Refusal::ClosedForToday { .. }, Lang::Id) => "Sudah tutup hari ini".into(),
                (Refusal::ClosedForToday { .. }, Lang::En) => "Closed for today".into(),
                (Refusal::QuotaFull { .. }, Lang::Id) => "Kuota hari ini habis".into(),
                (Refusal::QuotaFull { .. }, Lang::En) => "Today's quota is full".into(),
                (Refusal::NumbersExhausted, Lang::Id) => "Nomor habis".into(),
                (Refusal::NumbersExhausted, Lang::En) => "No numbers left".into(),
                (Refusal::Holiday { .. } | Refusal::ClosedToday, Lang::Id) => "Tutup hari ini".into(),
                (Refusal::Holiday { .. } | Refusal::ClosedToday, Lang::En) => "Closed today".into(),
                (Refusal::Unavailable, Lang::Id) => "Tidak tersedia".into(),
                (Refusal::Unavailable, Lang::En) => "Not available".into(),
            };
            let kind = if matches!(r, Refusal::QuotaFull { .. } | Refusal::NumbersExhausted) {
                StateKind::Full
            } else {
                StateKind::Closed
            };
            // A day that is over says when it opens again, before the citizen taps.
            let over = matches!(
                r,
                Refusal::ClosedForToday { .. }
                    | Refusal::QuotaFull { .. }
                    | Refusal::NumbersExhausted
                    | Refusal::Holiday { .. }
                    | Refusal::ClosedToday
            );
            let next = over.then(|| flow.next_opening(service, &r).zip(flow.today.local)).flatten();
            (text, next.map(|(n, local)| crate::tickets::rules::next_opening_short(&n, local.date(), lang)), kind)
        }
    }
}

/// The welcome screen's date line ("Senin, 30 November 2026") and clock ("09.05 WITA").
pub fn date_and_clock(flow: &Flow) -> (String, String) {
    match &flow.today.local {
        Some(dt) => (
            local_date(dt, flow.lang),
            local_time_text(crate::hours::TimeOfDay::of(dt), &flow.catalogue.feed.site.time_zone, flow.lang),
        ),
        None => (String::new(), String::new()),
    }
}

/// What the welcome screen says about today's hours, before any tap: when no service gives
/// numbers now, why and when they are available again ("Tutup hari ini (Sabtu). Nomor
/// antrean tersedia lagi Senin, 30 November, pukul 08.00 WITA."); in the last half hour
/// before the last cut-off, until when numbers are still given out.
pub fn hours_notice(flow: &Flow) -> Option<HoursNotice> {
    let feed = &flow.catalogue.feed;
    let local = flow.today.local?;
    let lang = flow.lang;
    let zone = &feed.site.time_zone;
    let services: Vec<&Service> =
        feed.services.iter().filter(|s| s.active && feed.agency(&s.agency).is_some_and(|a| a.active)).collect();
    let open: Vec<&&Service> = services.iter().filter(|s| flow.availability(s).is_ok()).collect();
    let now = local.hour() as u16 * 60 + local.minute() as u16;
    if open.is_empty() {
        let next =
            services.iter().filter_map(|s| flow.availability(s).err().and_then(|r| flow.next_opening(s, &r))).min()?;
        let weekday = crate::hours::weekday_name(local.date(), lang);
        let reason = match (
            feed.site.holidays.iter().find(|h| h.date == local.date()),
            feed.site.hours.on(local.weekday()),
            lang,
        ) {
            (Some(h), _, Lang::Id) => format!("MPP tutup hari ini ({})", h.name.in_lang(lang)),
            (Some(h), _, Lang::En) => format!("The MPP is closed today ({})", h.name.in_lang(lang)),
            (None, None, Lang::Id) => format!("Tutup hari ini ({weekday})"),
            (None, None, Lang::En) => format!("Closed today ({weekday})"),
            (None, Some(d), Lang::Id) if now < d.open.minutes() => "Belum buka".to_owned(),
            (None, Some(d), Lang::En) if now < d.open.minutes() => "Not open yet".to_owned(),
            (None, Some(_), Lang::Id) => "Pengambilan nomor antrean hari ini sudah ditutup".to_owned(),
            (None, Some(_), Lang::En) => "Queue numbers for today are closed".to_owned(),
        };
        let when = crate::tickets::rules::next_opening_text(&next, local.date(), zone, lang);
        let text = match lang {
            Lang::Id => {
                format!("Nomor antrean tersedia lagi {when}. Persyaratan layanan tetap dapat dibaca di kiosk ini.")
            }
            Lang::En => format!(
                "Queue numbers are available again {when}. You can still read every service's requirements here."
            ),
        };
        return Some(HoursNotice::Closed { reason, text });
    }
    // The last moment any open service still gives numbers today.
    let cutoff = feed.site.cutoff_minutes as u16;
    let last = open
        .iter()
        .filter_map(|s| s.hours.as_ref().unwrap_or(&feed.site.hours).on(local.weekday()))
        .map(|d| d.close.minutes().saturating_sub(cutoff))
        .max()?;
    if now + 30 < last {
        return None;
    }
    let until = crate::hours::TimeOfDay::new((last / 60) as u8, (last % 60) as u8)?;
    let until = crate::hours::local_time_text(until, zone, lang);
    Some(HoursNotice::ClosingSoon(match lang {
        Lang::Id => format!("Nomor antrean hari ini masih dapat diambil sampai pukul {until}."),
        Lang::En => format!("Queue numbers are given out today until {until}."),
    }))
}

/// What the opening hours say on the welcome screen.
#[derive(Debug, Clone, PartialEq)]
pub enum HoursNotice {
    /// No service gives numbers now: why ("Tutup hari ini (Sabtu)") and when they do again.
    Closed { reason: String, text: String },
    /// Numbers are still given out, until a time within the next half hour.
    ClosingSoon(String),
}

/// The welcome's banner is the printer's, not the hours': the words then speak of a
/// printer being fixed, not of the next visit.
pub fn printer_down(flow: &Flow) -> bool {
    !flow.restarting && flow.printer_fault.is_some() && !matches!(hours_notice(flow), Some(HoursNotice::Closed { .. }))
}

/// The welcome screen's banner when no number can be taken now (the MPP is closed: why,
/// and when numbers are available again; or the printer cannot print: what to do): the
/// screen then offers the requirements instead, before anyone chooses a service.
pub fn closed_banner(flow: &Flow) -> Option<(String, String)> {
    if flow.restarting {
        return Some(match flow.lang {
            Lang::Id => (
                "Kiosk sedang diperbarui".to_owned(),
                "Kiosk akan siap kembali dalam beberapa menit. Silakan gunakan kiosk lain atau tanyakan petugas."
                    .to_owned(),
            ),
            Lang::En => (
                "This kiosk is being updated".to_owned(),
                "It will be ready again in a few minutes. Please use another kiosk or ask the staff.".to_owned(),
            ),
        });
    }
    if let Some(HoursNotice::Closed { reason, text }) = hours_notice(flow) {
        return Some((reason, text));
    }
    let fault = flow.printer_fault?;
    Some(match flow.lang {
        Lang::Id => (
            "Nomor antrean belum dapat dicetak".to_owned(),
            format!("{} Sementara itu Anda tetap dapat membaca persyaratan setiap layanan.", fault.message(flow.lang)),
        ),
        Lang::En => (
            "Queue numbers cannot be printed right now".to_owned(),
            format!("{} Meanwhile you can still read every service's requirements.", fault.message(flow.lang)),
        ),
    })
}

/// The site's notices that apply today; first, when the catalogue has expired, that its
/// requirements may be out of date (the kiosk keeps showing it: an old catalogue is better
/// than none, but citizens are told to confirm at the counter).
pub fn notices(flow: &Flow) -> Vec<String> {
    let today = flow.today.local.map(|d| d.date());
    let feed = &flow.catalogue.feed;
    let expired = match (feed.expires, flow.today.local, crate::hours::zone(&feed.site.time_zone)) {
        (Some(e), Some(local), Ok(tz)) => tz.to_datetime(e) <= local,
        _ => false,
    };
    let stale = expired.then(|| match flow.lang {
        Lang::Id => "Informasi layanan di kiosk ini belum diperbarui. Mohon pastikan persyaratan dan biaya di loket.".to_owned(),
        Lang::En => "The service information on this kiosk has not been updated. Please confirm requirements and fees at the counter.".to_owned(),
    });
    let closing_soon = match hours_notice(flow) {
        Some(HoursNotice::ClosingSoon(text)) => Some(text),
        _ => None,
    };
    closing_soon
        .into_iter()
        .chain(stale)
        .chain(
            flow.catalogue
                .feed
                .site
                .notices
                .iter()
                .filter(|n| today.is_none_or(|d| n.from.is_none_or(|f| f <= d) && n.until.is_none_or(|u| d <= u)))
                .map(|n| n.text.in_lang(flow.lang).to_owned()),
        )
        .collect()
}

pub fn agencies(flow: &Flow) -> Vec<AgencyTile> {
    let feed = &flow.catalogue.feed;
    let lang = flow.lang;
    feed.agencies_in_order()
        .into_iter()
        .filter(|a| a.active)
        .map(|a| {
            let services: Vec<&Service> = feed.services_of(&a.code).filter(|s| s.active).collect();
            let count = match lang {
                Lang::Id => format!("{} layanan", services.len()),
                Lang::En if services.len() == 1 => "1 service".into(),
                Lang::En => format!("{} services", services.len()),
            };
            let states: Vec<(String, StateKind)> = services.iter().map(|s| tile_state(flow, s)).collect();
            let closed = if !states.is_empty() && states.iter().all(|(_, k)| *k != StateKind::Open) {
                Some(states[0].0.clone())
            } else {
                None
            };
            AgencyTile {
                code: a.code.clone(),
                name: a.short_name.in_lang(lang).to_owned(),
                icon: a.icon.clone(),
                count,
                closed,
            }
        })
        .collect()
}

pub fn service_row(flow: &Flow, s: &Service) -> ServiceRow {
    let lang = flow.lang;
    let (state, kind) = state(flow, s);
    ServiceRow {
        code: s.code.clone(),
        name: s.name.in_lang(lang).to_owned(),
        fee: fee_short(&s.fee, lang),
        free: s.fee.is_free(),
        time: s.processing_time.as_ref().map(|t| t.in_lang(lang).to_owned()).unwrap_or_default(),
        state,
        kind,
        unverified: !s.verified,
        place: String::new(),
    }
}

/// The selected agency's short and full names, and its services.
pub fn services(flow: &Flow) -> (String, String, Vec<ServiceRow>) {
    let feed = &flow.catalogue.feed;
    let Some(code) = &flow.agency else { return (String::new(), String::new(), Vec::new()) };
    let agency = feed.agency(code);
    let short = agency.map(|a| a.short_name.in_lang(flow.lang).to_owned()).unwrap_or_default();
    let name = agency.map(|a| a.name.in_lang(flow.lang).to_owned()).unwrap_or_default();
    (short, name, feed.services_of(code).filter(|s| s.active).map(|s| service_row(flow, s)).collect())
}

/// The services offered on the welcome screen.
pub fn popular(flow: &Flow) -> Vec<ServiceRow> {
    // Large text leaves room for two.
    let n = if flow.large_text { 2 } else { 4 };
    flow.popular
        .iter()
        .take(n)
        .filter_map(|c| flow.catalogue.feed.service(c))
        .filter(|s| s.active)
        .map(|s| service_row(flow, s))
        .collect()
}

/// The most chosen services lately, topped up with each agency's first service (in the
/// catalogue's order) so a new kiosk offers something sensible too.
pub fn choose_popular(catalogue: &crate::catalogue::Catalogue, busiest: &[(String, u32)], n: usize) -> Vec<String> {
    let feed = &catalogue.feed;
    let mut out: Vec<String> =
        busiest.iter().map(|(c, _)| c.clone()).filter(|c| feed.service(c).is_some_and(|s| s.active)).take(n).collect();
    for a in feed.agencies_in_order().into_iter().filter(|a| a.active) {
        if out.len() >= n {
            break;
        }
        if let Some(s) = feed.services_of(&a.code).find(|s| s.active && !out.contains(&s.code)) {
            out.push(s.code.clone());
        }
    }
    out
}

pub fn search_results(flow: &Flow) -> Vec<ServiceRow> {
    let feed = &flow.catalogue.feed;
    let lang = flow.lang;
    flow.results
        .iter()
        .filter_map(|c| feed.service(c))
        .filter(|s| s.active)
        .map(|s| {
            // Results mix agencies: each row says whose it is and where to go.
            // The counter's name often carries the agency already ("Loket 1 · Disdukcapil").
            let agency = feed.agency(&s.agency).map(|a| a.short_name.in_lang(lang)).unwrap_or_default();
            let counter = s.counter.in_lang(lang);
            let place =
                if counter.contains(agency) { counter.to_owned() } else { format!("{agency} \u{b7} {counter}") };
            ServiceRow { place, ..service_row(flow, s) }
        })
        .collect()
}

pub fn detail(flow: &Flow) -> Option<Detail> {
    let s = flow.selected_service()?;
    let feed = &flow.catalogue.feed;
    let lang = flow.lang;
    let (state, kind) = state(flow, s);
    Some(Detail {
        name: s.name.in_lang(lang).to_owned(),
        agency: feed.agency(&s.agency).map(|a| a.short_name.in_lang(lang).to_owned()).unwrap_or_default(),
        summary: s.summary.in_lang(lang).to_owned(),
        requirements: requirement_lines(s, lang),
        steps: s.procedure.iter().map(|r| r.in_lang(lang).to_owned()).collect(),
        fee: if s.fee.is_free() { after_free(s.fee.text.in_lang(lang)) } else { s.fee.text.in_lang(lang).to_owned() },
        free: s.fee.is_free(),
        legal_basis: s.legal_basis.as_ref().map(|t| t.in_lang(lang).to_owned()).unwrap_or_default(),
        // No time in the catalogue: the line is left out ("ask at the counter" tells nothing).
        time: s.processing_time.as_ref().map(|t| t.in_lang(lang).to_owned()).unwrap_or_default(),
        product: s.product.in_lang(lang).to_owned(),
        counter: s.counter.in_lang(lang).to_owned(),
        complaints: s.complaints.as_ref().unwrap_or(&feed.site.complaints).in_lang(lang).to_owned(),
        state,
        kind,
        unverified: (!s.verified).then(|| match lang {
            Lang::Id => "Data layanan ini belum terverifikasi. Pastikan persyaratan dan biaya kepada petugas di loket.".into(),
            Lang::En => "This service's information is not yet verified. Confirm the requirements and fee with staff at the counter.".into(),
        }),
        notes: s.notes.as_ref().map(|t| t.in_lang(lang).to_owned()).unwrap_or_default(),
    })
}

/// The requirements grouped by kind under their headings, numbered straight through so a
/// citizen can say "number 3" at the counter.
pub fn requirement_lines(s: &Service, lang: Lang) -> Vec<ReqLine> {
    let mut out = Vec::new();
    let mut n = 0;
    for (kind, items) in s.requirement_groups() {
        out.push(ReqLine { text: kind.heading(lang).to_owned(), heading: true, number: 0 });
        for r in items {
            n += 1;
            out.push(ReqLine { text: r.text.in_lang(lang).to_owned(), heading: false, number: n });
        }
    }
    out
}

/// A free service's fee text after its "Gratis" / "Free": the badge already says it once,
/// so only the explanation stays ("UU 24/2013 Pasal 79A: …"), without its parentheses.
pub fn after_free(text: &str) -> String {
    let t = text.trim();
    let rest = ["Gratis", "GRATIS", "Free", "FREE"].iter().find_map(|w| t.strip_prefix(w)).unwrap_or(t);
    let rest = rest.trim_start_matches([' ', ',', ';', ':', '\u{2014}', '-']).trim();
    match rest.strip_prefix('(') {
        Some(inner) if inner.ends_with(')') => inner[..inner.len() - 1].trim().to_owned(),
        _ => rest.to_owned(),
    }
}

pub fn done(flow: &Flow) -> Option<DoneView> {
    let t = flow.shown.as_ref()?;
    let lang = flow.lang;
    let service = flow.catalogue.feed.service(&t.service);
    Some(DoneView {
        number: t.number.clone(),
        service: service.map(|s| s.name.in_lang(lang).to_owned()).unwrap_or_default(),
        counter: service.map(|s| s.counter.in_lang(lang).to_owned()).unwrap_or_default(),
        // A booking says when it is called (its slot) or, late, that this is a walk-in
        // number; then the people ahead, and the site server's estimate when it gave one.
        ahead: {
            let booking = match (&t.booked, t.late, lang) {
                (Some(slot), _, Lang::Id) => format!("Booking {slot}: nomor Anda dipanggil mulai jam booking.\n"),
                (Some(slot), _, Lang::En) => format!("Booking {slot}: your number is called from the booked time.\n"),
                (None, true, _) => format!("{}\n", mpp_domain::booking::CheckIn::late_words(lang)),
                (None, false, _) => String::new(),
            };
            match t.ahead.wait_minutes {
                Some(m) => format!("{booking}{}\n{}", ahead_text(t.ahead, lang), crate::estimate::Minutes(m).text(lang)),
                None => format!("{booking}{}", ahead_text(t.ahead, lang)),
            }
        },
        bring: service
            .map(|s| s.requirements.iter().filter(|r| r.kind == RequirementKind::Document).map(|r| r.text.in_lang(lang).to_owned()).collect())
            .unwrap_or_default(),
        priority: t.priority.map(|p| p.label(lang).to_owned()),
        // First what to do here (print again); the desk only as the fallback.
        failed: t.print_failed.then(|| match lang {
            Lang::Id => format!("Struk tidak tercetak. Sentuh \"Coba cetak lagi\". Bila tetap gagal, catat nomor ini, lalu sebutkan nomor {} di meja informasi.", t.number),
            Lang::En => format!("The slip did not print. Touch \"Print again\". If it still fails, note this number and give number {} at the information desk.", t.number),
        }),
    })
}

/// The people ahead, as the slip says them too (`Ahead::words`).
pub fn ahead_text(ahead: crate::tickets::Ahead, lang: Lang) -> String {
    ahead.words(lang)
}

/// A survey screen: the service rated, where the citizen is, the question and its choices.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveyView {
    pub service: String,
    pub progress: String,
    pub title: String,
    pub question: String,
    pub choices: Vec<String>,
    pub comment: String,
}

pub fn survey(flow: &Flow) -> Option<SurveyView> {
    use super::flow::Screen;
    let d = flow.survey.as_ref()?;
    let lang = flow.lang;
    let service = d
        .service
        .as_deref()
        .and_then(|c| flow.catalogue.feed.service(c))
        .map(|s| s.name.in_lang(lang).to_owned())
        .unwrap_or_default();
    let mut v = SurveyView { service, comment: d.comment.clone(), ..Default::default() };
    match flow.screen {
        Screen::SurveyQuestion => {
            let e = &crate::survey::ELEMENTS[d.step.min(8)];
            v.progress = match lang {
                Lang::Id => format!("Pertanyaan {} dari 9", d.step + 1),
                Lang::En => format!("Question {} of 9", d.step + 1),
            };
            v.title = e.name(lang).to_owned();
            v.question = e.question(lang).to_owned();
            v.choices = (1..=4).map(|a| e.answer(a, lang).to_owned()).collect();
        }
        Screen::SurveyProfile => {
            let q = &crate::survey::PROFILE[d.step.min(3)];
            v.progress = match lang {
                Lang::Id => format!("Tentang Anda ({} dari 4, boleh dilewati)", d.step + 1),
                Lang::En => format!("About you ({} of 4, optional)", d.step + 1),
            };
            v.question = q.question[lang as usize].to_owned();
            v.choices = q.choices.iter().map(|(_, w)| w[lang as usize].to_owned()).collect();
        }
        _ => {}
    }
    Some(v)
}

/// A notice's title and message.
/// Why no number can be taken, and when it can again, in the citizen's language.
pub fn refusal_words(flow: &Flow, r: &crate::tickets::Refusal, next: Option<&jiff::civil::DateTime>) -> String {
    match flow.today.local {
        Some(local) => {
            crate::tickets::rules::refusal_text(r, next, local.date(), &flow.catalogue.feed.site.time_zone, flow.lang)
        }
        None => r.message(flow.lang),
    }
}

pub fn notice(flow: &Flow) -> Option<(String, String)> {
    let lang = flow.lang;
    Some(match flow.notice.as_ref()? {
        Notice::Refused(r, next) => (
            match lang {
                Lang::Id => "Nomor antrean belum dapat diambil".into(),
                Lang::En => "A queue number cannot be taken now".into(),
            },
            refusal_words(flow, r, next.as_ref()),
        ),
        Notice::Printer(f) => (
            match lang {
                Lang::Id => "Printer bermasalah".into(),
                Lang::En => "Printer problem".into(),
            },
            format!(
                "{} {}",
                f.message(lang),
                match lang {
                    Lang::Id => "Belum ada nomor yang terpakai.",
                    Lang::En => "No number has been used.",
                }
            ),
        ),
        Notice::CheckIn(r) => (
            match lang {
                Lang::Id => "Booking belum dapat check-in".into(),
                Lang::En => "The booking cannot check in".into(),
            },
            r.says(lang),
        ),
        Notice::Failed(_) => (
            match lang {
                Lang::Id => "Terjadi gangguan".into(),
                Lang::En => "Something went wrong".into(),
            },
            match lang {
                Lang::Id => "Silakan minta bantuan petugas di meja informasi.".into(),
                Lang::En => "Please ask staff at the information desk.".into(),
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::kiosk::flow::{Event, Timing};
    use std::sync::Arc;
    use std::time::Duration;

    fn flow(h: i8, m: i8) -> Flow {
        let catalogue = Arc::new(Catalogue {
            feed: crate::catalogue::default_feed(),
            imported_at: jiff::Timestamp::UNIX_EPOCH,
            source: "test".into(),
        });
        let mut f = Flow::new(catalogue, Lang::Id, Timing::with_idle(Duration::from_secs(60)), Duration::ZERO);
        f.today.local = Some(jiff::civil::date(2026, 11, 27).at(h, m, 0, 0)); // a Friday
        f
    }

    #[test]
    fn rows_show_how_many_wait_by_the_servers_word_for_today_only() {
        use crate::queue::{QueueState, ServiceLine};
        let mut f = flow(9, 0);
        let ktp = f.catalogue.feed.service("KTP-BARU").unwrap().clone();
        let kk = f.catalogue.feed.service("KK-BARU").unwrap().clone();
        assert_eq!(state(&f, &ktp).0, "Buka", "no server, no count");
        let line = ServiceLine {
            service: "KTP-BARU".into(),
            waiting: 7,
            priority_waiting: 1,
            serving: 1,
            counters_open: 1,
            wait_minutes: Some(37),
            ..Default::default()
        };
        f.queue = Some(Arc::new(QueueState {
            site: "MPP-JENEPONTO".into(),
            date: jiff::civil::date(2026, 11, 27),
            waiting: 7,
            services: vec![line],
        }));
        assert_eq!(state(&f, &ktp).0, "Buka · 7 orang menunggu · \u{b1}35 menit");
        assert_eq!(state(&f, &kk).0, "Buka · tanpa antrean");
        f.lang = Lang::En;
        assert_eq!(state(&f, &ktp).0, "Open · 7 waiting · \u{b1}35 min");
        f.today.local = Some(jiff::civil::date(2026, 11, 26).at(9, 0, 0, 0));
        f.lang = Lang::Id;
        assert_eq!(state(&f, &ktp).0, "Buka", "yesterday's queue is not today's");
        let t =
            |count, confirmed, lang| ahead_text(crate::tickets::Ahead { count, confirmed, wait_minutes: None }, lang);
        assert_eq!(t(3, true, Lang::Id), "3 orang di depan Anda");
        assert_eq!(t(3, false, Lang::Id), "Perkiraan: sekitar 3 orang di depan Anda");
        assert_eq!(t(1, true, Lang::En), "1 person ahead of you");
        assert_eq!(t(0, false, Lang::En), "Estimate: nobody ahead of you");
    }

    #[test]
    fn popular_services_come_from_the_ledger_then_the_catalogue() {
        let f = flow(9, 0);
        let fresh = choose_popular(&f.catalogue, &[], 3);
        assert_eq!(fresh[0], "KTP-BARU", "a new kiosk offers the first agency's first service");
        let agencies: std::collections::HashSet<_> =
            fresh.iter().map(|c| &f.catalogue.feed.service(c).unwrap().agency).collect();
        assert_eq!(agencies.len(), 3, "one per agency: {fresh:?}");
        let busy = vec![("AKTA-LAHIR".to_owned(), 9), ("GONE".to_owned(), 5)];
        let p = choose_popular(&f.catalogue, &busy, 4);
        assert_eq!(p[0], "AKTA-LAHIR");
        assert_eq!(p.len(), 4);
        assert!(!p.contains(&"GONE".to_owned()), "a service no longer in the catalogue is skipped");
        assert_eq!(p[1], "KTP-BARU", "then the first agency's first service");
    }

    #[test]
    fn money_and_fees_read_as_indonesians_write_them() {
        assert_eq!(rupiah(30_000), "Rp30.000");
        assert_eq!(rupiah(1_500_000), "Rp1.500.000");
        assert_eq!(rupiah(500), "Rp500");
        let f = flow(9, 0);
        let ktp = f.catalogue.feed.service("KTP-BARU").unwrap();
        assert_eq!(fee_short(&ktp.fee, Lang::Id), "Gratis");
        assert_eq!(fee_short(&ktp.fee, Lang::En), "Free");
    }

    #[test]
    fn states_follow_the_clock_in_both_languages() {
        let ktp = |f: &Flow| state(f, f.catalogue.feed.service("KTP-BARU").unwrap());
        assert_eq!(ktp(&flow(9, 0)), ("Buka".into(), StateKind::Open));
        assert_eq!(ktp(&flow(7, 30)), ("Tutup · buka pukul 08.00 WITA".into(), StateKind::Closed));
        assert_eq!(
            ktp(&flow(12, 0)),
            ("Istirahat · buka lagi pukul 13.00 WITA".into(), StateKind::Closed),
            "Friday prayer"
        );
        let mut f = flow(12, 0);
        f.handle(Event::ToggleLanguage, Duration::ZERO);
        assert_eq!(ktp(&f), ("On a break · open again at 13:00 WITA".into(), StateKind::Closed));
        // At the break every agency is greyed with the reason.
        let tiles = agencies(&flow(12, 0));
        assert!(
            tiles.iter().all(|t| t.closed.as_deref() == Some("Istirahat · buka lagi pukul 13.00 WITA")),
            "{tiles:?}"
        );
        assert!(agencies(&flow(9, 0)).iter().all(|t| t.closed.is_none()));
        // After the cut-off on Friday: closed, and open again on Monday morning.
        assert_eq!(ktp(&flow(16, 10)), ("Sudah tutup hari ini · buka lagi Senin 08.00".into(), StateKind::Closed));
        assert!(
            agencies(&flow(16, 10)).iter().all(|t| t.closed.as_deref() == Some("Tutup · buka lagi Senin 08.00")),
            "tiles say it short"
        );
        let mut f = flow(9, 0);
        let quota = f.catalogue.feed.services.iter().find(|s| s.daily_quota.is_some()).unwrap().clone();
        f.today.issued.insert(quota.code.clone(), quota.daily_quota.unwrap());
        assert_eq!(
            state(&f, &quota),
            ("Kuota hari ini habis · buka lagi Senin 08.00".into(), StateKind::Full),
            "{}",
            quota.code
        );
    }

    #[test]
    fn screens_switch_language_with_the_catalogue_texts() {
        let mut f = flow(9, 0);
        let tiles = agencies(&f);
        assert_eq!(tiles[0].name, "Disdukcapil");
        assert!(tiles[0].count.ends_with(" layanan"));
        let police = tiles.iter().find(|t| t.code == "POLRES").unwrap();
        assert_eq!(police.name, "Polres (SKCK, SIM)");
        f.handle(Event::ToggleLanguage, Duration::ZERO);
        let police = agencies(&f).into_iter().find(|t| t.code == "POLRES").unwrap();
        assert_eq!(police.name, "Police (SKCK, licence)");
        f.handle(Event::TakeNumber, Duration::ZERO);
        f.handle(Event::Agency("DUKCAPIL".into()), Duration::ZERO);
        f.handle(Event::Service("KTP-HILANG".into()), Duration::ZERO);
        let d = detail(&f).unwrap();
        assert!(d.unverified.as_deref().is_some_and(|u| u.contains("not yet verified")), "unverified data is marked");
        assert!(!d.requirements.is_empty() && d.free);
        assert_eq!(date_and_clock(&f), ("Friday, 27 November 2026".into(), "09:00 WITA".into()));
    }

    #[test]
    fn an_expired_catalogue_is_shown_with_a_notice_to_confirm_at_the_counter() {
        let mut f = flow(9, 0);
        assert!(!notices(&f).iter().any(|n| n.contains("belum diperbarui")), "not expired: {:?}", notices(&f));
        let mut feed = crate::catalogue::default_feed();
        // 09:00 WITA on the 27th is 01:00 UTC: expired a minute before, and a minute after.
        feed.expires = Some("2026-11-27T00:59:00Z".parse().unwrap());
        f.catalogue =
            Arc::new(Catalogue { feed: feed.clone(), imported_at: jiff::Timestamp::UNIX_EPOCH, source: "test".into() });
        assert!(notices(&f)[0].contains("belum diperbarui"), "{:?}", notices(&f));
        feed.expires = Some("2026-11-27T01:01:00Z".parse().unwrap());
        f.catalogue = Arc::new(Catalogue { feed, imported_at: jiff::Timestamp::UNIX_EPOCH, source: "test".into() });
        assert!(!notices(&f).iter().any(|n| n.contains("belum diperbarui")));
    }

    #[test]
    fn the_welcome_says_when_the_mpp_is_closed_and_when_numbers_run_out() {
        let at = |d: jiff::civil::Date, h: i8, m: i8| {
            let mut f = flow(9, 0);
            f.today.local = Some(d.at(h, m, 0, 0));
            f
        };
        let closed = |f: &Flow| closed_banner(f).map(|(reason, text)| format!("{reason}. {text}"));
        let sat = jiff::civil::date(2026, 11, 28);
        assert_eq!(
            closed(&at(sat, 15, 0)).as_deref(),
            Some(
                "Tutup hari ini (Sabtu). Nomor antrean tersedia lagi Senin, 30 November, pukul 08.00 WITA. Persyaratan layanan tetap dapat dibaca di kiosk ini."
            )
        );
        let mon = jiff::civil::date(2026, 11, 30);
        assert!(closed(&at(mon, 20, 0)).unwrap().starts_with("Pengambilan nomor antrean hari ini sudah ditutup. Nomor antrean tersedia lagi besok, Selasa, 1 Desember, pukul 08.00 WITA."));
        assert!(
            closed(&at(mon, 7, 0))
                .unwrap()
                .starts_with("Belum buka. Nomor antrean tersedia lagi hari ini pukul 08.00 WITA.")
        );
        assert_eq!(hours_notice(&at(mon, 10, 0)), None, "open, and not near closing: nothing to say");
        assert_eq!(
            hours_notice(&at(mon, 15, 5)),
            Some(HoursNotice::ClosingSoon(
                "Nomor antrean hari ini masih dapat diambil sampai pukul 15.30 WITA.".into()
            ))
        );
        // Closing soon is the first of the welcome's notices; closed is a banner of its own.
        assert!(notices(&at(mon, 15, 5))[0].starts_with("Nomor antrean hari ini masih dapat diambil"));
        assert!(!notices(&at(sat, 15, 0)).iter().any(|n| n.contains("Tutup hari ini")));
        // A holiday: its name from the catalogue, in the citizen's language.
        let mut f = at(mon, 10, 0);
        let mut feed = f.catalogue.feed.clone();
        feed.site.holidays.push(crate::catalogue::Holiday {
            date: mon,
            name: crate::text::Text::new("Cuti Bersama Natal", "Christmas leave"),
        });
        f.catalogue = Arc::new(Catalogue { feed, imported_at: jiff::Timestamp::UNIX_EPOCH, source: "test".into() });
        assert_eq!(
            closed_banner(&f).map(|(reason, _)| reason).as_deref(),
            Some("MPP tutup hari ini (Cuti Bersama Natal)")
        );
        f.lang = Lang::En;
        let (reason, text) = closed_banner(&f).unwrap();
        assert_eq!(reason, "The MPP is closed today (Christmas leave)");
        assert!(
            text.starts_with("Queue numbers are available again tomorrow, Tuesday, 1 December, at 08:00 WITA"),
            "{text}"
        );
    }
}
