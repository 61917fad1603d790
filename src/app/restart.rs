//! The kiosk's side of the restart gate (`system::gate`): while the updater asks, the
//! kiosk answers "quiet" once its welcome screen has been untouched for `[system]
//! quiet_secs` with nothing printing and no speech mode on (and, with `restart_when =
//! "closed"`, the site closed), and from then starts nothing new. When the request goes
//! (the updater gave up, or died), the kiosk takes citizens again.

use std::time::Duration;

use crate::kiosk::Flow;
use crate::kiosk::view::{HoursNotice, hours_notice};
use crate::system::gate::{self, Quiet, RestartWhen};

/// How often the request is looked for (a file's age: cheap).
const LOOK_EVERY: Duration = Duration::from_secs(2);

pub(super) struct Gate {
    quiet: Quiet,
    looked_at: Option<Duration>,
}

impl Gate {
    pub(super) fn new(quiet: Quiet) -> Gate {
        Gate { quiet, looked_at: None }
    }

    /// Looks at the request now and then; `busy`: a slip printing or the speech mode on.
    /// Returns whether the screen changed.
    pub(super) fn poll(&mut self, flow: &mut Flow, busy: bool, mono: Duration) -> bool {
        if self.looked_at.is_some_and(|at| mono.saturating_sub(at) < LOOK_EVERY) {
            return false;
        }
        self.looked_at = Some(mono);
        let wanted = gate::wanted(&self.quiet.state_dir, &self.quiet.boot_id, crate::clock::file_clock());
        match wanted {
            None if flow.restarting => {
                log::warn!("the restart for an update was called off: taking citizens again");
                flow.restarting = false;
                true
            }
            None => false,
            Some(w) => {
                let was = flow.restarting;
                if !flow.restarting && !busy && self.may_restart(flow, mono) {
                    log::info!("quiet: the updater may restart the kiosk into {}", w.version);
                    flow.restarting = true;
                }
                if flow.restarting
                    && let Err(e) = gate::ready(&self.quiet.state_dir)
                {
                    log::error!("{}: cannot tell the updater the kiosk is quiet: {e}", self.quiet.state_dir.display());
                }
                was != flow.restarting
            }
        }
    }

    fn may_restart(&self, flow: &Flow, mono: Duration) -> bool {
        flow.quiet(mono, self.quiet.after)
            && match self.quiet.when {
                RestartWhen::Idle => true,
                RestartWhen::Closed => matches!(hours_notice(flow), Some(HoursNotice::Closed { .. })),
            }
    }
}
