//! The upload protocol (docs/upload-protocol.md): the records a kiosk sends to its site
//! server, typed once for both ends. The kiosk builds them from its outbox; the server
//! reads them with the same types, so a field cannot be renamed on one side only.

use serde::{Deserialize, Serialize};

use crate::survey::{Profile, Source};
use crate::tickets::{Status, Ticket};

/// The protocol's version, in every batch.
pub const SCHEMA: u32 = 1;

/// The most records one batch may carry (the kiosk's `[sync] upload_batch` upper bound).
pub const MAX_RECORDS: usize = 10_000;

/// The longest `event_id` a receiver accepts (UUIDs, or 32 hex digits for backfilled rows).
pub const MAX_EVENT_ID: usize = 64;

/// One POST: records of one kiosk of one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub schema: u32,
    pub site: String,
    pub kiosk: u8,
    pub records: Vec<Record>,
    /// The kiosk's clock when it sent the batch: the receiver measures the kiosk's clock
    /// against its own and orders the kiosk's records by corrected times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at_utc: Option<jiff::Timestamp>,
}

/// One record: what happened, with the id the receiver deduplicates on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The kiosk's outbox sequence (queue records only: a survey must not be placed among
    /// the tickets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// Unique forever; a record sent twice has the same one.
    pub event_id: String,
    /// An instant for queue records; only the local day for survey responses.
    pub created_utc: String,
    #[serde(flatten)]
    pub body: Body,
}

/// The record's kind and its data (`"kind": …, "data": {…}` on the wire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Body {
    /// A ticket as issued.
    Ticket(TicketRecord),
    /// A change of a ticket's status.
    TicketStatus(StatusRecord),
    /// An anonymous satisfaction-survey response.
    Survey(SurveyRecord),
}

impl Body {
    /// The wire name of the kind (`ticket`, `ticket_status`, `survey`).
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Ticket(_) => "ticket",
            Body::TicketStatus(_) => "ticket_status",
            Body::Survey(_) => "survey",
        }
    }

    /// Rebuilds a body from its kind and its data, as an outbox keeps them.
    pub fn from_parts(kind: &str, data: serde_json::Value) -> Result<Body, serde_json::Error> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "data": data }))
    }

    /// The data alone, as an outbox keeps it beside the kind.
    pub fn data(&self) -> serde_json::Value {
        let value = match self {
            Body::Ticket(r) => serde_json::to_value(r),
            Body::TicketStatus(r) => serde_json::to_value(r),
            Body::Survey(r) => serde_json::to_value(r),
        };
        value.expect("protocol records serialise (plain fields, string keys)")
    }
}

/// `kind: "ticket"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRecord {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Queued when the outbox was added to a kiosk that already had tickets: the ticket's
    /// state at that time, not as issued.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub backfilled: bool,
}

/// `kind: "ticket_status"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusRecord {
    pub ticket_id: String,
    pub number: String,
    pub local_date: jiff::civil::Date,
    pub status: Status,
    pub at_utc: jiff::Timestamp,
    #[serde(default)]
    pub detail: Option<String>,
}

/// `kind: "survey"`. Nothing in it links to a ticket or a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyRecord {
    pub id: String,
    pub service: String,
    pub agency: String,
    pub local_date: jiff::civil::Date,
    pub source: Source,
    pub answers: Vec<Answer>,
    pub profile: Profile,
    #[serde(default)]
    pub comment: Option<String>,
}

/// One element's answer, 1 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub element: ElementCode,
    pub value: u8,
}

/// A survey element's code (`U1`…`U9`), kept inline so an answer is `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ElementCode([u8; 2]);

impl ElementCode {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("two ASCII bytes")
    }
}

impl TryFrom<String> for ElementCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        crate::survey::ELEMENT_CODES
            .iter()
            .find(|c| **c == s)
            .map(|c| ElementCode(c.as_bytes().try_into().expect("element codes are two bytes")))
            .ok_or_else(|| format!("unknown survey element {s:?}"))
    }
}

impl From<ElementCode> for String {
    fn from(c: ElementCode) -> String {
        c.as_str().to_owned()
    }
}

/// A kiosk's health, sent after each sync round (`POST …/health` beside the upload URL),
/// kept per kiosk for the fleet view: which printer is out of paper before citizens find out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskHealth {
    pub schema: u32,
    pub site: String,
    pub kiosk: u8,
    /// The kiosk's software version.
    pub app_version: String,
    pub at_utc: jiff::Timestamp,
    pub catalogue_version: Option<u64>,
    pub printer: PrinterState,
    /// When the printer's state was last read (it is read with every slip).
    pub printer_at_utc: Option<jiff::Timestamp>,
    pub outbox_pending: u64,
    pub oldest_pending_utc: Option<String>,
    /// The kiosk's slots and its last system update (kiosks without A/B slots send none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<crate::update::SystemReport>,
}

/// The last number of each kind a kiosk gave on a day, as the site server holds them
/// (`GET /api/v1/kiosk/sequences?date=`): a kiosk that lost its ledger mid-day continues
/// after them instead of giving the day's numbers again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySequences {
    pub date: jiff::civil::Date,
    pub last: Vec<LastSequence>,
}

/// The last sequence of a service's prefix, in the regular or the priority line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSequence {
    pub prefix: String,
    pub priority: bool,
    pub seq: u32,
}

impl DaySequences {
    /// The last sequence of each (prefix, priority) among `numbers` (those that do not
    /// read as a queue number are left out).
    pub fn of(date: jiff::civil::Date, numbers: &[String]) -> DaySequences {
        let mut last: std::collections::BTreeMap<(String, bool), u32> = std::collections::BTreeMap::new();
        for n in numbers.iter().filter_map(|n| n.parse::<crate::tickets::TicketNumber>().ok()) {
            let e = last.entry((n.prefix, n.priority)).or_default();
            *e = (*e).max(n.seq);
        }
        DaySequences {
            date,
            last: last.into_iter().map(|((prefix, priority), seq)| LastSequence { prefix, priority, seq }).collect(),
        }
    }
}

/// A site's bookings of a day as a kiosk keeps them (`GET /api/v1/kiosk/bookings?date=`):
/// enough to check a citizen in with the network cut, and nothing that names anyone (the
/// codes only as hashes, no NIK).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayBookings {
    pub date: jiff::civil::Date,
    pub bookings: Vec<BookingEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingEntry {
    /// SHA-256 (hex) of `BookingCode::hash_input(site)`.
    pub code_hash: String,
    pub service: String,
    /// The slot, local "HH:MM".
    pub slot_start: String,
    pub slot_end: String,
    /// `booked`, `checked_in`, `cancelled`, `no_show`.
    pub state: String,
    /// The service's check-in window around the slot's start, minutes (its policy's).
    pub early_minutes: u16,
    pub late_minutes: u16,
}

/// Where a kiosk reads a day's bookings (`GET` with its credential, [`DayBookings`]).
pub fn bookings_url(upload_url: &str, date: jiff::civil::Date) -> String {
    let url = beside_upload(upload_url, "kiosk/bookings");
    let (base, query) = url.split_once('?').map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
    match query {
        Some(q) => format!("{base}?{q}&date={date}"),
        None => format!("{base}?date={date}"),
    }
}

/// The printer's state as last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    Ready,
    /// Prints, but the roll is near its end: change it soon.
    PaperNearEnd,
    Fault(crate::device::Fault),
    /// Not read yet (no slip since the kiosk started), or a printer that reports nothing.
    Unknown,
}

impl PrinterState {
    pub fn code(self) -> &'static str {
        match self {
            PrinterState::Ready => "ready",
            PrinterState::PaperNearEnd => "paper_near_end",
            PrinterState::Fault(f) => f.code(),
            PrinterState::Unknown => "unknown",
        }
    }

    pub fn from_code(code: &str) -> PrinterState {
        use crate::device::Fault;
        match code {
            "ready" => PrinterState::Ready,
            "paper_near_end" => PrinterState::PaperNearEnd,
            other => [Fault::Offline, Fault::CoverOpen, Fault::PaperOut, Fault::Error]
                .into_iter()
                .find(|f| f.code() == other)
                .map_or(PrinterState::Unknown, PrinterState::Fault),
        }
    }
}

/// Where a kiosk sends its health: beside its upload URL (`…/upload` → `…/health`).
pub fn health_url(upload_url: &str) -> String {
    beside_upload(upload_url, "health")
}

/// The site server's other endpoints sit beside the upload URL: `…/upload` becomes
/// `…/{path}`, keeping any query string (a token a proxy wants).
pub fn beside_upload(upload_url: &str, path: &str) -> String {
    let cut = upload_url.find(['?', '#']).unwrap_or(upload_url.len());
    let (base, rest) = upload_url.split_at(cut);
    match base.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{path}{rest}"),
        None => format!("{base}/{path}{rest}"),
    }
}

/// Where a kiosk asks where its numbering of `date` continues (`GET` with its
/// credential, [`DaySequences`]).
pub fn sequences_url(upload_url: &str, date: jiff::civil::Date) -> String {
    let url = beside_upload(upload_url, "kiosk/sequences");
    let (base, query) = url.split_once('?').map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
    match query {
        Some(q) => format!("{base}?{q}&date={date}"),
        None => format!("{base}?date={date}"),
    }
}

/// Where a kiosk reads its site's queue (`GET`, [`crate::queue::QueueState`]).
pub fn queue_url(upload_url: &str, site: &str) -> String {
    beside_upload(upload_url, &format!("sites/{}/queue", escape_segment(site)))
}

/// Where a kiosk asks a ticket's place in the queue (`GET`, [`crate::queue::TicketPlace`]).
pub fn place_url(upload_url: &str, site: &str, date: jiff::civil::Date, number: &str) -> String {
    beside_upload(upload_url, &format!("sites/{}/tickets/{date}/{}", escape_segment(site), escape_segment(number)))
}

/// Site codes and ticket numbers are `A-Z0-9-`; anything else is percent-encoded so a
/// strange code can never change the path.
fn escape_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Why a receiver refuses a batch as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("schema {0} is not supported (this receiver speaks schema {SCHEMA})")]
    Schema(u32),
    #[error("the batch has {0} records; at most {MAX_RECORDS} are accepted")]
    TooLarge(usize),
    #[error("kiosk 0 does not exist (kiosks are numbered from 1)")]
    NoKiosk,
    #[error("records[{index}].event_id {reason}")]
    EventId { index: usize, reason: &'static str },
    #[error("records[{index}] is a survey response with a seq; responses must not carry one")]
    SurveyWithSeq { index: usize },
    #[error("records[{index}] is a queue record without a seq")]
    QueueWithoutSeq { index: usize },
    #[error("records[{index}].data.{field} is {found:?}, not this batch's {expected:?}")]
    Mismatch { index: usize, field: &'static str, found: String, expected: String },
    #[error("records[{index}]: survey answer {element} is {value}; answers are 1 to 4")]
    AnswerRange { index: usize, element: String, value: u8 },
    #[error("records[{index}].data.{field} is {found}: a queue's day is between the years 2000 and 2100")]
    Implausible { index: usize, field: &'static str, found: String },
    #[error("records[{index}].data.{field} is {len} characters long; at most {max}")]
    TooLong { index: usize, field: &'static str, len: usize, max: usize },
}

/// Whether an instant or a day could be a queue's (and a database can store it).
fn plausible_year(year: i16) -> bool {
    (2000..=2100).contains(&year)
}

/// The longest text a record's field may hold: a number, a code, a comment.
const MAX_FIELD: usize = 1000;

impl Batch {
    /// The checks every receiver makes before storing anything: the whole batch is taken
    /// or refused, so a kiosk never has half a batch acknowledged.
    pub fn check(&self) -> Result<(), BatchError> {
        if self.schema != SCHEMA {
            return Err(BatchError::Schema(self.schema));
        }
        if self.records.len() > MAX_RECORDS {
            return Err(BatchError::TooLarge(self.records.len()));
        }
        if self.kiosk == 0 {
            return Err(BatchError::NoKiosk);
        }
        for (index, r) in self.records.iter().enumerate() {
            if r.event_id.is_empty() {
                return Err(BatchError::EventId { index, reason: "is empty" });
            }
            if r.event_id.len() > MAX_EVENT_ID || !r.event_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(BatchError::EventId { index, reason: "is not a UUID or hex id" });
            }
            let day = |field: &'static str, d: jiff::civil::Date| {
                if plausible_year(d.year()) {
                    Ok(())
                } else {
                    Err(BatchError::Implausible { index, field, found: d.to_string() })
                }
            };
            let instant = |field: &'static str, t: jiff::Timestamp| {
                day(field, t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
            };
            let text = |field: &'static str, t: &str, max: usize| {
                if t.len() > max { Err(BatchError::TooLong { index, field, len: t.len(), max }) } else { Ok(()) }
            };
            match &r.body {
                Body::Survey(s) => {
                    day("local_date", s.local_date)?;
                    text("service", &s.service, 40)?;
                    text("agency", &s.agency, 40)?;
                    text("comment", s.comment.as_deref().unwrap_or(""), MAX_FIELD)?;
                    if r.seq.is_some() {
                        return Err(BatchError::SurveyWithSeq { index });
                    }
                    if let Some(a) = s.answers.iter().find(|a| !(1..=4).contains(&a.value)) {
                        return Err(BatchError::AnswerRange {
                            index,
                            element: a.element.as_str().to_owned(),
                            value: a.value,
                        });
                    }
                }
                Body::Ticket(t) => {
                    day("local_date", t.ticket.local_date)?;
                    instant("issued_at_utc", t.ticket.issued_at_utc)?;
                    text("id", &t.ticket.id, 64)?;
                    text("number", &t.ticket.number, 16)?;
                    text("service", &t.ticket.service, 40)?;
                    text("agency", &t.ticket.agency, 40)?;
                    if r.seq.is_none() {
                        return Err(BatchError::QueueWithoutSeq { index });
                    }
                    if t.ticket.kiosk_id != self.kiosk {
                        return Err(BatchError::Mismatch {
                            index,
                            field: "kiosk_id",
                            found: t.ticket.kiosk_id.to_string(),
                            expected: self.kiosk.to_string(),
                        });
                    }
                }
                Body::TicketStatus(st) => {
                    instant("at_utc", st.at_utc)?;
                    text("ticket_id", &st.ticket_id, 64)?;
                    text("detail", st.detail.as_deref().unwrap_or(""), MAX_FIELD)?;
                    if r.seq.is_none() {
                        return Err(BatchError::QueueWithoutSeq { index });
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::Priority;

    #[test]
    fn health_goes_beside_the_upload_url_and_printer_states_round_trip() {
        assert_eq!(health_url("https://hub.example/api/v1/upload"), "https://hub.example/api/v1/health");
        assert_eq!(health_url("https://hub.example/api/v1/upload?x=1"), "https://hub.example/api/v1/health?x=1");
        assert_eq!(
            queue_url("https://hub.example/api/v1/upload", "MPP-JENEPONTO"),
            "https://hub.example/api/v1/sites/MPP-JENEPONTO/queue"
        );
        assert_eq!(
            place_url(
                "https://hub.example/api/v1/upload",
                "MPP-JENEPONTO",
                jiff::civil::date(2026, 11, 30),
                "KTB-A007"
            ),
            "https://hub.example/api/v1/sites/MPP-JENEPONTO/tickets/2026-11-30/KTB-A007"
        );
        assert_eq!(
            queue_url("https://h/api/v1/upload", "A/../B"),
            "https://h/api/v1/sites/A%2F%2E%2E%2FB/queue",
            "a code cannot change the path"
        );
        for s in [
            PrinterState::Ready,
            PrinterState::PaperNearEnd,
            PrinterState::Fault(crate::device::Fault::PaperOut),
            PrinterState::Unknown,
        ] {
            assert_eq!(PrinterState::from_code(s.code()), s);
        }
        assert_eq!(
            serde_json::to_value(PrinterState::Fault(crate::device::Fault::CoverOpen)).unwrap(),
            serde_json::json!({"fault": "cover_open"})
        );
    }

    fn ticket() -> Ticket {
        Ticket {
            id: "6f0b2a4e-0000-4000-8000-000000000001".into(),
            number: "KTB-A007".into(),
            service: "KTP-BARU".into(),
            agency: "DUKCAPIL".into(),
            priority: Some(Priority::Elderly),
            kiosk_id: 1,
            local_date: jiff::civil::date(2026, 11, 30),
            issued_at_utc: "2026-11-30T01:05:00Z".parse().unwrap(),
            issued_at_local: "2026-11-30T09:05:00+08:00[Asia/Makassar]".into(),
            people_ahead: 6,
            status: Status::Issued,
            booking: None,
        }
    }

    #[test]
    fn the_documented_example_reads_and_round_trips() {
        let wire = r#"{"schema":1,"site":"MPP-JENEPONTO","kiosk":1,"records":[
            {"seq":1041,"event_id":"0d7c3e0e-4f5e-4a52-9d1a-6a3f1f2b9c11","kind":"ticket","created_utc":"2026-11-30T01:05:00Z",
             "data":{"id":"6f0b","number":"KTB-A007","service":"KTP-BARU","agency":"DUKCAPIL","priority":null,"kiosk_id":1,
                     "local_date":"2026-11-30","issued_at_utc":"2026-11-30T01:05:00Z",
                     "issued_at_local":"2026-11-30T09:05:00+08:00[Asia/Makassar]","people_ahead":6,"status":"issued"}},
            {"seq":1042,"event_id":"a1","kind":"ticket_status","created_utc":"2026-11-30T01:05:01Z",
             "data":{"ticket_id":"6f0b","number":"KTB-A007","local_date":"2026-11-30","status":"printed","at_utc":"2026-11-30T01:05:01Z","detail":null}},
            {"event_id":"b2","kind":"survey","created_utc":"2026-11-30",
             "data":{"id":"s1","service":"KK-BARU","agency":"DUKCAPIL","local_date":"2026-11-30","source":"kiosk",
                     "answers":[{"element":"U1","value":4}],"profile":{"age":"30-39","sex":"P","education":null,"occupation":null},"comment":"antrean cepat"}}
        ]}"#;
        let batch: Batch = serde_json::from_str(wire).unwrap();
        batch.check().unwrap();
        assert_eq!(
            batch.records.iter().map(|r| r.body.kind()).collect::<Vec<_>>(),
            ["ticket", "ticket_status", "survey"]
        );
        let Body::TicketStatus(s) = &batch.records[1].body else { panic!("a status record") };
        assert_eq!(s.status, Status::Printed);
        let again: Batch = serde_json::from_slice(&serde_json::to_vec(&batch).unwrap()).unwrap();
        assert_eq!(again, batch);
    }

    #[test]
    fn a_body_survives_the_outbox_split_into_kind_and_data() {
        let body = Body::Ticket(TicketRecord { ticket: ticket(), backfilled: false });
        let back = Body::from_parts(body.kind(), body.data()).unwrap();
        assert_eq!(back, body);
        assert!(body.data().get("backfilled").is_none(), "only backfilled rows say so");
        assert_eq!(body.data()["priority"], "elderly");
    }

    #[test]
    fn backfilled_rows_with_a_null_priority_read() {
        let mut data = serde_json::to_value(ticket()).unwrap();
        data["priority"] = serde_json::Value::Null;
        data["backfilled"] = true.into();
        let Body::Ticket(t) = Body::from_parts("ticket", data).unwrap() else { panic!() };
        assert!(t.backfilled);
        assert_eq!(t.ticket.priority, None);
    }

    #[test]
    fn a_receiver_refuses_what_the_protocol_forbids() {
        let queue = |seq: Option<i64>| Record {
            seq,
            event_id: "e1".into(),
            created_utc: "x".into(),
            body: Body::Ticket(TicketRecord { ticket: ticket(), backfilled: false }),
        };
        let batch =
            |records: Vec<Record>| Batch { schema: SCHEMA, site: "S".into(), kiosk: 1, records, sent_at_utc: None };
        assert_eq!(batch(vec![queue(None)]).check(), Err(BatchError::QueueWithoutSeq { index: 0 }));
        assert_eq!(Batch { schema: 2, ..batch(vec![]) }.check(), Err(BatchError::Schema(2)));
        assert_eq!(
            Batch { kiosk: 2, ..batch(vec![queue(Some(1))]) }.check().unwrap_err().to_string(),
            "records[0].data.kiosk_id is \"1\", not this batch's \"2\""
        );
        let mut bad_id = queue(Some(1));
        bad_id.event_id = "x'; DROP".into();
        assert!(matches!(batch(vec![bad_id]).check(), Err(BatchError::EventId { index: 0, .. })));
        let survey = |value: u8| Record {
            seq: None,
            event_id: "e2".into(),
            created_utc: "2026-11-30".into(),
            body: Body::Survey(SurveyRecord {
                id: "s".into(),
                service: "KK".into(),
                agency: "D".into(),
                local_date: jiff::civil::date(2026, 11, 30),
                source: Source::Kiosk,
                answers: vec![Answer { element: "U1".to_owned().try_into().unwrap(), value }],
                profile: Profile::default(),
                comment: None,
            }),
        };
        assert!(batch(vec![survey(4)]).check().is_ok());
        assert!(matches!(batch(vec![survey(5)]).check(), Err(BatchError::AnswerRange { .. })));
        assert!(
            serde_json::from_str::<Answer>(r#"{"element":"U0","value":1}"#).is_err(),
            "unknown elements are refused when read"
        );
    }
}
