//! Calling at the counters: who may do what (`mpp_domain::calling`'s rules, the staff
//! member's role, a reason where one is owed), carried out by `db::calling` in one
//! transaction each.

use mpp_domain::calling::{Action, Deed, Refused, apply};

use crate::db::accounts::Role;
pub use crate::db::calling::{Called, Target};
use crate::db::{self, DbError};

use super::App;

/// Who acts: a signed-in staff member of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub site: String,
    pub username: String,
    pub role: Role,
}

impl Actor {
    fn row(&self) -> db::calling::Actor {
        db::calling::Actor { site: self.site.clone(), username: self.username.clone() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn flat<T>(r: Result<Result<T, Refused>, DbError>) -> Result<T, CallError> {
    Ok(r??)
}

/// A reason as recorded: trimmed, at most 200 characters, none when empty.
fn reason_of(reason: Option<&str>) -> Option<String> {
    reason.map(str::trim).filter(|r| !r.is_empty()).map(|r| r.chars().take(200).collect())
}

impl App {
    /// Calls the next ticket to `counter`: the counter's services, priority class first,
    /// then the earliest in line across every kiosk. `Ok(None)`: nobody waits.
    pub async fn call_next(
        &self,
        actor: &Actor,
        counter: i16,
        date: jiff::civil::Date,
        now: jiff::Timestamp,
    ) -> Result<Option<Called>, CallError> {
        let rules = self.rules;
        flat(
            db::calling::call_next(
                &self.db,
                &actor.row(),
                counter,
                date,
                move |v| apply(v, &Action::Call, counter, &rules, now),
                now,
            )
            .await,
        )
    }

    /// An action on one ticket at `counter`, named by its number as the counter sees it:
    /// the ticket at the counter with that number for what is done at a counter, that
    /// number today for calling out of order and back in line. Calling a number out of
    /// order needs a supervisor or an admin and a reason.
    #[allow(clippy::too_many_arguments)]
    pub async fn act(
        &self,
        actor: &Actor,
        counter: i16,
        date: jiff::civil::Date,
        number: &str,
        action: &Action,
        reason: Option<&str>,
        now: jiff::Timestamp,
    ) -> Result<Called, CallError> {
        let target = match action {
            Action::Call | Action::Requeue => Target::Number(number.to_owned()),
            _ => Target::AtCounter { number: Some(number.to_owned()) },
        };
        self.act_on(actor, counter, date, &target, action, reason, now).await
    }

    /// An action on the ticket `target` names, at `counter`.
    #[allow(clippy::too_many_arguments)]
    pub async fn act_on(
        &self,
        actor: &Actor,
        counter: i16,
        date: jiff::civil::Date,
        target: &Target,
        action: &Action,
        reason: Option<&str>,
        now: jiff::Timestamp,
    ) -> Result<Called, CallError> {
        let reason = reason_of(reason);
        if matches!(action, Action::Call) {
            if !actor.role.supervises() {
                return Err(Refused::NotAllowed(Deed::CallOutOfOrder).into());
            }
            if reason.is_none() {
                return Err(Refused::NeedsReason(Deed::CallOutOfOrder).into());
            }
        }
        let rules = self.rules;
        let decide = {
            let action = action.clone();
            move |v: &_| apply(v, &action, counter, &rules, now)
        };
        flat(
            db::calling::act(&self.db, &actor.row(), counter, date, target, action, reason.as_deref(), decide, now)
                .await,
        )
    }

    /// Pauses `counter` with a reason, or resumes it (`None`); recorded like every action.
    pub async fn set_paused(
        &self,
        actor: &Actor,
        counter: i16,
        reason: Option<&str>,
        now: jiff::Timestamp,
    ) -> Result<(), CallError> {
        flat(db::calling::set_paused(&self.db, &actor.row(), counter, reason_of(reason).as_deref(), now).await)
    }
}

/// The actions the counter page offers on the ticket at a counter, in its order.
pub const DESK_ACTIONS: [&str; 5] = ["recall", "start", "finish", "no_show", "transfer"];

/// The ticket at a counter as the rules see it, and whether each of [`DESK_ACTIONS`] may
/// be done now (`None`) or why not; `recall_at`: when a recall waiting for its gap may be
/// done (the page enables it then without being asked). The same rules as the action
/// itself, so a button the page enables is never refused.
pub fn desk_refusals(
    now: &crate::db::queue::CounterNow,
    counter: i16,
    rules: &mpp_domain::calling::Rules,
    at: jiff::Timestamp,
) -> (Vec<(&'static str, Option<Refused>)>, Option<jiff::Timestamp>) {
    let (Some(state), Some(service)) = (now.state, now.service.as_ref()) else { return (Vec::new(), None) };
    let visit = mpp_domain::calling::Visit {
        state,
        counter: Some(counter),
        recalls: now.recalls.unwrap_or(0).clamp(0, i16::from(u8::MAX)) as u8,
        last_call_at: now.last_call_at,
        service: service.clone(),
        for_counter: now.for_counter,
    };
    let refusals = DESK_ACTIONS
        .iter()
        .map(|code| {
            let action = match *code {
                "recall" => Action::Recall,
                "start" => Action::Start,
                "finish" => Action::Finish,
                "no_show" => Action::NoShow,
                // Any other service: the one the ticket has would be refused as the same.
                _ => Action::Transfer { service: String::new(), front: true, counter: None },
            };
            (*code, apply(&visit, &action, counter, rules, at).err())
        })
        .collect();
    let recall_at = match apply(&visit, &Action::Recall, counter, rules, at) {
        Err(Refused::TooSoon { wait, .. }) => Some(at + jiff::SignedDuration::from_secs(wait)),
        _ => None,
    };
    (refusals, recall_at)
}

impl App {
    /// Done with the ticket at `counter`, and the next one called: the clerk's most common
    /// pair in one press. The finish stands even when nobody waits (`Ok((done, None))`).
    pub async fn finish_and_call_next(
        &self,
        actor: &Actor,
        counter: i16,
        date: jiff::civil::Date,
        target: &Target,
        now: jiff::Timestamp,
    ) -> Result<(Called, Option<Called>), CallError> {
        let done = self.act_on(actor, counter, date, target, &Action::Finish, None, now).await?;
        let next = self.call_next(actor, counter, date, now).await?;
        Ok((done, next))
    }
}
