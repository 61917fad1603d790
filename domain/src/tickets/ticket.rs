//! A ticket as the ledger records it and the upload protocol carries it.

use serde::{Deserialize, Serialize};

use super::{Priority, Status};

/// A ticket as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// UUID, unique across kiosks: the key for upload and deduplication.
    pub id: String,
    pub number: String,
    pub service: String,
    pub agency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    pub kiosk_id: u8,
    /// The local day the number belongs to (site time zone).
    pub local_date: jiff::civil::Date,
    pub issued_at_utc: jiff::Timestamp,
    /// Local time with offset and zone, e.g. `2026-11-30T09:05:00+08:00[Asia/Makassar]`.
    pub issued_at_local: String,
    /// Tickets of the same service and class issued earlier that day and not voided.
    pub people_ahead: u32,
    pub status: Status,
    /// A booking checked in with this ticket: the hash of its code (the hub finds the
    /// booking by it and puts the ticket in line at the slot's start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<String>,
}

/// How many people are ahead of a ticket, and whether the site server said so. Without
/// the server the kiosk counts its own tickets of the service issued earlier that day: an
/// estimate (it knows neither other kiosks' tickets nor who has been served), shown as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ahead {
    pub count: u32,
    pub confirmed: bool,
    /// The site server's estimate of the wait, minutes (only it measures service times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_minutes: Option<u32>,
}

impl Ahead {
    /// The people ahead as a person says them, the same on the screen and the slip; the
    /// kiosk's own count (no word from the site server) is said to be an estimate: it
    /// knows neither other kiosks' tickets nor who has been served.
    pub fn words(self, lang: crate::text::Lang) -> String {
        use crate::text::Lang;
        match (self.count, self.confirmed, lang) {
            (0, true, Lang::Id) => "Tidak ada antrean di depan Anda".into(),
            (0, true, Lang::En) => "Nobody is ahead of you".into(),
            (n, true, Lang::Id) => format!("{n} orang di depan Anda"),
            (1, true, Lang::En) => "1 person ahead of you".into(),
            (n, true, Lang::En) => format!("{n} people ahead of you"),
            (0, false, Lang::Id) => "Perkiraan: tidak ada antrean di depan Anda".into(),
            (0, false, Lang::En) => "Estimate: nobody ahead of you".into(),
            (1, false, Lang::Id) => "Perkiraan: sekitar 1 orang di depan Anda".into(),
            (1, false, Lang::En) => "Estimate: about 1 person ahead of you".into(),
            (n, false, Lang::Id) => format!("Perkiraan: sekitar {n} orang di depan Anda"),
            (n, false, Lang::En) => format!("Estimate: about {n} people ahead of you"),
        }
    }

    /// The site server's count (and estimate) when it answered, else the ticket's own count.
    pub fn of(ticket: &Ticket, server: Option<(u32, Option<u32>)>) -> Ahead {
        match server {
            Some((count, wait_minutes)) => Ahead { count, confirmed: true, wait_minutes },
            None => Ahead { count: ticket.people_ahead, confirmed: false, wait_minutes: None },
        }
    }
}

/// One recorded status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub status: Status,
    pub at_utc: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
