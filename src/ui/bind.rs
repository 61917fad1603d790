//! From the view's plain Rust values to the window's typed contract (`ui/state.slint`).
//! Lists live in models made once and updated row by row, so a redraw that changes one
//! row (a clock tick, a state turning "closed") does not rebuild the list under Slint.

use std::rc::Rc;

use slint::{Model, ModelRc, SharedString, VecModel};

use super::{
    AgencyTile, Banner, DetailView, HealthLine, ReqLine, ServiceRow, ServiceState, StaffTicket, SurveyView, TicketView,
};
use crate::kiosk::view::{self, StateKind};

/// A list model that is updated in place.
pub struct List<T>(Rc<VecModel<T>>);

impl<T: Clone + PartialEq + 'static> List<T> {
    pub fn new() -> Self {
        List(Rc::new(VecModel::default()))
    }

    /// The model to hand to Slint (always the same one).
    pub fn model(&self) -> ModelRc<T> {
        ModelRc::from(self.0.clone())
    }

    /// Makes the list equal to `rows`, touching only the rows that differ.
    pub fn set(&self, rows: impl IntoIterator<Item = T>) {
        let mut n = 0;
        for row in rows {
            if n < self.0.row_count() {
                if self.0.row_data(n).as_ref() != Some(&row) {
                    self.0.set_row_data(n, row);
                }
            } else {
                self.0.push(row);
            }
            n += 1;
        }
        while self.0.row_count() > n {
            self.0.remove(self.0.row_count() - 1);
        }
    }
}

/// Every list the window shows.
pub struct Lists {
    pub notices: List<SharedString>,
    pub popular: List<ServiceRow>,
    pub agencies: List<AgencyTile>,
    pub services: List<ServiceRow>,
    pub results: List<ServiceRow>,
    pub requirements: List<ReqLine>,
    pub bring: List<SharedString>,
    pub steps: List<SharedString>,
    pub choices: List<SharedString>,
    pub health: List<HealthLine>,
    pub tickets: List<StaffTicket>,
}

impl Lists {
    pub fn new() -> Lists {
        Lists {
            notices: List::new(),
            popular: List::new(),
            agencies: List::new(),
            services: List::new(),
            results: List::new(),
            requirements: List::new(),
            bring: List::new(),
            steps: List::new(),
            choices: List::new(),
            health: List::new(),
            tickets: List::new(),
        }
    }
}

pub fn strings(v: Vec<String>) -> impl Iterator<Item = SharedString> {
    v.into_iter().map(SharedString::from)
}

pub fn state(k: StateKind) -> ServiceState {
    match k {
        StateKind::Open => ServiceState::Open,
        StateKind::Closed => ServiceState::Closed,
        StateKind::Full => ServiceState::Full,
    }
}

pub fn row(r: view::ServiceRow) -> ServiceRow {
    ServiceRow {
        code: r.code.into(),
        name: r.name.into(),
        fee: r.fee.into(),
        free: r.free,
        time: r.time.into(),
        state: r.state.into(),
        state_kind: state(r.kind),
        unverified: r.unverified,
        place: r.place.into(),
    }
}

pub fn tile(t: view::AgencyTile) -> AgencyTile {
    AgencyTile {
        code: t.code.into(),
        name: t.name.into(),
        icon: t.icon.into(),
        count: t.count.into(),
        closed: t.closed.is_some(),
        closed_text: t.closed.unwrap_or_default().into(),
    }
}

/// The detail; its lists go into `lists` and the struct holds those same models.
pub fn detail(d: view::Detail, lists: &Lists) -> DetailView {
    lists.requirements.set(d.requirements.into_iter().map(|r| ReqLine {
        text: r.text.into(),
        heading: r.heading,
        number: r.number as i32,
    }));
    lists.steps.set(strings(d.steps));
    DetailView {
        name: d.name.into(),
        agency: d.agency.into(),
        summary: d.summary.into(),
        requirements: lists.requirements.model(),
        steps: lists.steps.model(),
        fee: d.fee.into(),
        free: d.free,
        has_legal: !d.legal_basis.is_empty(),
        legal: d.legal_basis.into(),
        time: d.time.into(),
        product: d.product.into(),
        counter: d.counter.into(),
        complaints: d.complaints.into(),
        state: d.state.into(),
        state_kind: state(d.kind),
        unverified: d.unverified.is_some(),
        unverified_text: d.unverified.unwrap_or_default().into(),
        has_notes: !d.notes.is_empty(),
        notes: d.notes.into(),
    }
}

pub fn ticket(d: Option<view::DoneView>, lists: &Lists) -> TicketView {
    let Some(d) = d else { return TicketView::default() };
    lists.bring.set(strings(d.bring));
    TicketView {
        bring: lists.bring.model(),
        number: d.number.into(),
        service: d.service.into(),
        counter: d.counter.into(),
        ahead: d.ahead.into(),
        is_priority: d.priority.is_some(),
        priority: d.priority.unwrap_or_default().into(),
        print_failed: d.failed.is_some(),
        failed_text: d.failed.unwrap_or_default().into(),
    }
}

pub fn survey(v: view::SurveyView, lists: &Lists) -> SurveyView {
    lists.choices.set(strings(v.choices));
    SurveyView {
        service: v.service.into(),
        progress: v.progress.into(),
        title: v.title.into(),
        question: v.question.into(),
        choices: lists.choices.model(),
        comment: v.comment.to_uppercase().into(),
    }
}

pub fn banner(n: Option<(String, String)>) -> Banner {
    match n {
        Some((title, text)) => Banner { shown: true, title: title.into(), text: text.into() },
        None => Banner::default(),
    }
}
