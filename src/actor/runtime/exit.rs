//! The last steps of every incarnation, run from a drop guard, so they also happen when the
//! task is aborted by `Kill` or dropped by a runtime shutdown.
//!
//! - An unsupervised actor terminates for good here: leave the registry, `is_alive()` false,
//!   close the system channel, wake `wait_stopped` callers.
//! - A supervised child records the end of this incarnation and tells its supervisor, which
//!   decides: restart (the next incarnation takes over the mailbox) or terminate for good. If
//!   the supervisor is gone, nobody can restart the child, so it terminates for good here.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::core::{ActorControl, SystemMsg};
use crate::actor::supervision::{should_restart, ChildNotice};
use crate::error::ActorError;
use crate::types::{RestartType, StopReason};

/// Where a supervised child reports its end (its slot is found by the child's id, the
/// incarnation by the plan's tag).
pub(crate) struct ParentLink {
    pub(crate) parent: Arc<dyn ActorControl>,
    /// The child's restart type: an end the supervisor will surely not restart (a Temporary
    /// child, a Transient one's normal exit) is not reported as `Restarting` meanwhile.
    pub(crate) restart_type: RestartType,
    /// Send a `Started` notice on reaching `Running` (a restart job needs it; `spawn_child`
    /// waits for the start itself).
    pub(crate) announce_start: bool,
}

/// Everything the end of an incarnation must settle, gathered at spawn.
pub(crate) struct ExitPlan {
    pub(crate) control: Arc<dyn ActorControl>,
    /// This incarnation's tag.
    pub(crate) tag: u64,
    /// Not boxed: three words, read at the end of every supervised child, when a box would be
    /// a cache miss.
    pub(crate) parent: Option<ParentLink>,
    /// Answers the spawn await; still here only if start-up did not complete.
    pub(crate) startup: Option<oneshot::Sender<Result<(), ActorError>>>,
}

/// Text of the start-up error when an actor is killed before `on_started` finished.
pub(crate) const KILLED_DURING_STARTUP: &str = "actor was killed during start-up";

/// Runs the last steps when dropped. Dropping is the only way to use it, so no path can skip
/// them. Built before any user `Drop` code of the incarnation runs.
pub(crate) struct Finalizer {
    pub(crate) plan: ExitPlan,
    pub(crate) reason: StopReason,
    /// This end is the actor's last: it has no parent, or its supervisor is stopping all its
    /// children (it restarts none of them) and has told it so, so the child terminates for good
    /// here, while its memory is still in cache, instead of parking its mailbox for the
    /// supervisor to close.
    for_good: bool,
}

impl Drop for Finalizer {
    fn drop(&mut self) {
        let control = &self.plan.control;
        let core = control.core();
        crate::actor::runtime::telemetry::stopped(&core.id, &self.reason);
        match self.plan.parent.take() {
            Some(_) if self.for_good => {
                core.end_last_incarnation(self.plan.tag);
                control.terminate(self.reason.clone());
            }
            Some(link) => {
                let may_restart = should_restart(link.restart_type, &self.reason);
                core.end_incarnation(self.plan.tag, &self.reason, may_restart);
                // Unbounded channel: never lost, never blocks. Refused only once the
                // supervisor terminated: then no restart can come.
                if link.parent.core().is_reaping() {
                    // The supervisor began stopping all its children after this incarnation
                    // decided to keep its mailbox: it terminates this child itself, once it
                    // ended. No notice to queue and drain.
                    return self.answer_startup();
                }
                let notice = ChildNotice::Exited {
                    slot: core.id.clone(),
                    incarnation: self.plan.tag,
                    reason: self.reason.clone(),
                    control: control.clone(),
                };
                if link
                    .parent
                    .core()
                    .send_system(SystemMsg::child(notice))
                    .is_err()
                {
                    control.terminate(self.reason.clone());
                }
            }
            // An unsupervised actor's only incarnation: terminating for good publishes the
            // reason (no incarnation record needed; `wait_idle` also ends on termination).
            None => control.terminate(self.reason.clone()),
        }
        self.answer_startup();
    }
}

impl Finalizer {
    /// Arms the exit steps of an incarnation that ended with `reason`.
    pub(crate) fn new(plan: ExitPlan, reason: StopReason) -> Self {
        // The child's own flag, not its supervisor's: this memory is in cache.
        let for_good = plan.parent.is_none() || plan.control.core().is_doomed();
        Finalizer {
            plan,
            reason,
            for_good,
        }
    }

    /// Whether the mailbox stays open for a next incarnation (parked in the handle).
    pub(crate) fn keeps_mailbox(&self) -> bool {
        !self.for_good
    }

    /// A start-up that did not complete answers the spawn with the reason.
    fn answer_startup(&mut self) {
        if let Some(startup) = self.plan.startup.take() {
            let error = match &self.reason {
                StopReason::Failure(e) => e.clone(),
                _ => ActorError::user(KILLED_DURING_STARTUP),
            };
            let _ = startup.send(Err(error));
        }
    }
}
