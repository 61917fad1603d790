//! Calling at the counters: the states a ticket goes through once a kiosk has issued it,
//! the actions that move it, and the rules they obey (recall limit and gap, no-show only
//! after the last recall). Plain data in, a new state or a refusal out; the site server
//! stores the result and records who did what, where and why.
//!
//! ```text
//!  waiting ──call──► called ──start──► serving ──finish──► done
//!     ▲   ◄─transfer─┘ │ ▲ recall (≤ max, ≥ gap)  │
//!     │                │ └─────┘                  └─transfer─► waiting (other service)
//!     │                └─no-show (after the last recall)─► no_show
//!     └──────────────── requeue (the citizen came late) ◄─────┘
//! ```

use serde::{Deserialize, Serialize};

mod words;
pub use words::done;

/// Where a ticket is at the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    Waiting,
    Called,
    Serving,
    Done,
    NoShow,
}

impl CallState {
    pub const ALL: [CallState; 5] =
        [CallState::Waiting, CallState::Called, CallState::Serving, CallState::Done, CallState::NoShow];

    pub fn code(self) -> &'static str {
        match self {
            CallState::Waiting => "waiting",
            CallState::Called => "called",
            CallState::Serving => "serving",
            CallState::Done => "done",
            CallState::NoShow => "no_show",
        }
    }

    pub fn from_code(code: &str) -> Option<CallState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// At a counter: called or being served.
    pub fn at_counter(self) -> bool {
        matches!(self, CallState::Called | CallState::Serving)
    }
}

/// What a counter does to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// Call it to this counter (the next in line, or a number out of order).
    Call,
    /// Call it again: the citizen has not come yet.
    Recall,
    /// The citizen is at the counter.
    Start,
    /// Served.
    Finish,
    /// Not there after the last recall.
    NoShow,
    /// A no-show who turned up late goes back in line.
    Requeue,
    /// To another service (keeping the number), at the front of its line or the back;
    /// with `counter`, to that counter only (the same service or another).
    Transfer {
        service: String,
        front: bool,
        #[serde(default)]
        counter: Option<i16>,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Call => "call",
            Action::Recall => "recall",
            Action::Start => "start",
            Action::Finish => "finish",
            Action::NoShow => "no_show",
            Action::Requeue => "requeue",
            Action::Transfer { .. } => "transfer",
        }
    }
}

/// The site's calling rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// Recalls allowed after the first call; after the last one the ticket may be marked a no-show.
    pub max_recalls: u8,
    /// The least time between two calls of one ticket, seconds (the citizen needs time to walk).
    pub recall_gap_secs: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { max_recalls: 2, recall_gap_secs: 20 }
    }
}

/// A ticket at the counters, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub state: CallState,
    /// The counter it is called to (while called or served, and after).
    pub counter: Option<i16>,
    /// Recalls since the last call.
    pub recalls: u8,
    /// When it was last called or recalled.
    pub last_call_at: Option<jiff::Timestamp>,
    pub service: String,
    /// Waiting for this counter only (transferred to it).
    #[serde(default)]
    pub for_counter: Option<i16>,
}

impl Visit {
    pub fn waiting(service: &str) -> Visit {
        Visit {
            state: CallState::Waiting,
            counter: None,
            recalls: 0,
            last_call_at: None,
            service: service.to_owned(),
            for_counter: None,
        }
    }
}

/// Why an action is refused; said to the counter's staff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a ticket that is {} cannot be given '{}'", .from.code(), .action)]
    NotNow { from: CallState, action: &'static str },
    #[error("the ticket is at counter {0}, not this one")]
    OtherCounter(i16),
    #[error("called {done} times again already (the limit is {max}): mark it a no-show, or serve it")]
    RecallLimit { done: u8, max: u8 },
    #[error("called {ago} s ago: wait {wait} s more before calling it again")]
    TooSoon { ago: i64, wait: i64 },
    #[error("recall it first: a no-show only after {max} recalls ({done} so far)")]
    NoShowTooEarly { done: u8, max: u8 },
    #[error("it is already in that service")]
    SameService,
    #[error("it waits for counter {0}")]
    ForOtherCounter(i16),
    // What the site's state refuses, whatever the ticket's.
    #[error("counter {0} does not exist at this site")]
    NoCounter(i16),
    #[error("counter {counter} is paused ({reason}): resume it first")]
    Paused { counter: i16, reason: String },
    #[error("{number} is still at counter {counter}: finish it, transfer it or mark it a no-show first")]
    Busy { counter: i16, number: String },
    #[error("no ticket {number} on {date}")]
    NoTicket { number: String, date: jiff::civil::Date },
    #[error("{number} was given twice today (a kiosk lost its ledger): act on it at its counter, or ask a supervisor")]
    Ambiguous { number: String },
    #[error("no service {0} at this site")]
    NoService(String),
    // What the staff member's role or the request lacks.
    #[error("only a supervisor or an admin may {}", .0.code())]
    NotAllowed(Deed),
    #[error("give a reason to {}", .0.code())]
    NeedsReason(Deed),
}

/// What only some staff may do, or only with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deed {
    CallOutOfOrder,
}

impl Deed {
    pub fn code(self) -> &'static str {
        match self {
            Deed::CallOutOfOrder => "call a number out of order",
        }
    }
}

/// The visit after `action` at `counter` at `now`, or why not.
pub fn apply(
    visit: &Visit,
    action: &Action,
    counter: i16,
    rules: &Rules,
    now: jiff::Timestamp,
) -> Result<Visit, Refused> {
    use CallState::*;
    let not_now = || Refused::NotNow { from: visit.state, action: action.code() };
    let mine = || match visit.counter {
        Some(c) if c != counter => Err(Refused::OtherCounter(c)),
        _ => Ok(()),
    };
    let mut next = visit.clone();
    match (action, visit.state) {
        (Action::Call, Waiting) => {
            if let Some(c) = visit.for_counter.filter(|c| *c != counter) {
                return Err(Refused::ForOtherCounter(c));
            }
            next.for_counter = None;
            next.state = Called;
            next.counter = Some(counter);
            next.recalls = 0;
            next.last_call_at = Some(now);
        }
        (Action::Recall, Called) => {
            mine()?;
            if visit.recalls >= rules.max_recalls {
                return Err(Refused::RecallLimit { done: visit.recalls, max: rules.max_recalls });
            }
            if let Some(last) = visit.last_call_at {
                let ago = now.duration_since(last).as_secs();
                if ago < i64::from(rules.recall_gap_secs) {
                    return Err(Refused::TooSoon { ago, wait: i64::from(rules.recall_gap_secs) - ago });
                }
            }
            next.recalls += 1;
            next.last_call_at = Some(now);
        }
        (Action::Start, Called) => {
            mine()?;
            next.state = Serving;
        }
        (Action::Finish, Called | Serving) => {
            mine()?;
            next.state = Done;
        }
        (Action::NoShow, Called) => {
            mine()?;
            if visit.recalls < rules.max_recalls {
                return Err(Refused::NoShowTooEarly { done: visit.recalls, max: rules.max_recalls });
            }
            next.state = NoShow;
        }
        (Action::Requeue, NoShow) => {
            next.for_counter = None;
            next.state = Waiting;
            next.counter = None;
            next.recalls = 0;
        }
        (Action::Transfer { service, counter: to, .. }, Waiting | Called | Serving) => {
            if visit.state.at_counter() {
                mine()?;
            }
            if *service == visit.service && to.is_none() {
                return Err(Refused::SameService);
            }
            next.state = Waiting;
            next.counter = None;
            next.recalls = 0;
            next.service = service.clone();
            next.for_counter = *to;
        }
        _ => return Err(not_now()),
    }
    Ok(next)
}

/// A counter's own state: open, or paused with a reason (a break, prayer time, a system
/// fault). A paused counter calls no one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CounterState {
    Open,
    Paused { reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u32) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_796_000_000 + i64::from(s)).unwrap()
    }

    #[test]
    fn a_visit_from_call_to_done() {
        let r = Rules::default();
        let v = Visit::waiting("KTP-BARU");
        let v = apply(&v, &Action::Call, 3, &r, at(0)).unwrap();
        assert_eq!((v.state, v.counter, v.last_call_at), (CallState::Called, Some(3), Some(at(0))));
        let v = apply(&v, &Action::Start, 3, &r, at(30)).unwrap();
        assert_eq!(v.state, CallState::Serving);
        assert_eq!(
            apply(&v, &Action::Recall, 3, &r, at(40)),
            Err(Refused::NotNow { from: CallState::Serving, action: "recall" })
        );
        let v = apply(&v, &Action::Finish, 3, &r, at(600)).unwrap();
        assert_eq!(v.state, CallState::Done);
        for a in [Action::Call, Action::Start, Action::Finish, Action::NoShow, Action::Requeue] {
            assert!(apply(&v, &a, 3, &r, at(700)).is_err(), "{a:?} after done");
        }
    }

    #[test]
    fn recalls_are_limited_and_spaced_and_a_no_show_comes_only_after_the_last() {
        let r = Rules { max_recalls: 2, recall_gap_secs: 20 };
        let v = apply(&Visit::waiting("S"), &Action::Call, 1, &r, at(0)).unwrap();
        assert_eq!(apply(&v, &Action::NoShow, 1, &r, at(5)), Err(Refused::NoShowTooEarly { done: 0, max: 2 }));
        assert_eq!(apply(&v, &Action::Recall, 1, &r, at(5)), Err(Refused::TooSoon { ago: 5, wait: 15 }));
        let v = apply(&v, &Action::Recall, 1, &r, at(20)).unwrap();
        assert_eq!(
            apply(&v, &Action::Recall, 1, &r, at(39)),
            Err(Refused::TooSoon { ago: 19, wait: 1 }),
            "the gap counts from the last call"
        );
        let v = apply(&v, &Action::Recall, 1, &r, at(40)).unwrap();
        assert_eq!(v.recalls, 2);
        assert_eq!(apply(&v, &Action::Recall, 1, &r, at(90)), Err(Refused::RecallLimit { done: 2, max: 2 }));
        let v = apply(&v, &Action::NoShow, 1, &r, at(90)).unwrap();
        assert_eq!(v.state, CallState::NoShow);
        // The citizen turns up late: back in line, to be called afresh.
        let v = apply(&v, &Action::Requeue, 2, &r, at(300)).unwrap();
        assert_eq!((v.state, v.counter, v.recalls), (CallState::Waiting, None, 0));
        let v = apply(&v, &Action::Call, 2, &r, at(301)).unwrap();
        assert_eq!((v.counter, v.recalls), (Some(2), 0));
    }

    #[test]
    fn only_the_calling_counter_acts_on_its_ticket() {
        let r = Rules::default();
        let v = apply(&Visit::waiting("S"), &Action::Call, 1, &r, at(0)).unwrap();
        for a in [
            Action::Recall,
            Action::Start,
            Action::Finish,
            Action::Transfer { service: "T".into(), front: true, counter: None },
        ] {
            assert_eq!(apply(&v, &a, 2, &r, at(100)), Err(Refused::OtherCounter(1)), "{a:?}");
        }
        assert_eq!(
            apply(&v, &Action::Call, 2, &r, at(100)),
            Err(Refused::NotNow { from: CallState::Called, action: "call" }),
            "nobody calls a called ticket"
        );
    }

    #[test]
    fn a_transfer_keeps_the_number_and_waits_in_the_new_service() {
        let r = Rules::default();
        let v = apply(&Visit::waiting("KTP-BARU"), &Action::Call, 1, &r, at(0)).unwrap();
        let v = apply(&v, &Action::Start, 1, &r, at(10)).unwrap();
        assert_eq!(
            apply(&v, &Action::Transfer { service: "KTP-BARU".into(), front: true, counter: None }, 1, &r, at(20)),
            Err(Refused::SameService)
        );
        let v = apply(&v, &Action::Transfer { service: "KK-BARU".into(), front: true, counter: None }, 1, &r, at(20))
            .unwrap();
        assert_eq!((v.state, v.counter, v.service.as_str()), (CallState::Waiting, None, "KK-BARU"));
        // A waiting ticket can be moved by anyone (a supervisor re-sorting the lines).
        let v =
            apply(&v, &Action::Transfer { service: "AKTA-LAHIR".into(), front: false, counter: None }, 5, &r, at(30))
                .unwrap();
        assert_eq!(v.service, "AKTA-LAHIR");
        // To a counter: the same service is fine; only that counter may call it.
        let v =
            apply(&v, &Action::Transfer { service: "AKTA-LAHIR".into(), front: true, counter: Some(7) }, 5, &r, at(40))
                .unwrap();
        assert_eq!(v.for_counter, Some(7));
        assert_eq!(apply(&v, &Action::Call, 5, &r, at(50)), Err(Refused::ForOtherCounter(7)));
        let v = apply(&v, &Action::Call, 7, &r, at(50)).unwrap();
        assert_eq!((v.counter, v.for_counter), (Some(7), None));
    }

    #[test]
    fn codes_round_trip() {
        for s in CallState::ALL {
            assert_eq!(CallState::from_code(s.code()), Some(s));
        }
        assert_eq!(CallState::from_code("gone"), None);
        let a: Action = serde_json::from_str(r#"{"action":"transfer","service":"KK-BARU","front":false}"#).unwrap();
        assert_eq!(a, Action::Transfer { service: "KK-BARU".into(), front: false, counter: None });
    }
}
