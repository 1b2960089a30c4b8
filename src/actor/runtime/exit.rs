//! The last steps of every stop (§4.3 steps 4–6): leave the registry, turn `is_alive()` false,
//! close the system channel, tell the parent, wake `wait_stopped` callers. They run from a drop
//! guard, so they also happen when the task is aborted by `Kill` or dropped by a runtime shutdown.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::core::{ActorControl, SystemMsg};
use crate::actor::supervision::ChildNotice;
use crate::error::ActorError;
use crate::system::Registration;
use crate::types::{ActorId, StopReason};

/// Where a supervised child reports its end.
pub(crate) struct ParentLink {
    pub(crate) parent: Arc<dyn ActorControl>,
    pub(crate) slot: ActorId,
    pub(crate) incarnation: u64,
}

/// Everything the end of an incarnation must settle, gathered at spawn.
pub(crate) struct ExitPlan {
    pub(crate) control: Arc<dyn ActorControl>,
    pub(crate) registration: Option<Registration>,
    pub(crate) parent: Option<ParentLink>,
    /// Answers the spawn await; still here only if start-up did not complete.
    pub(crate) startup: Option<oneshot::Sender<Result<(), ActorError>>>,
}

/// Text of the start-up error when an actor is killed before `on_started` finished.
pub(crate) const KILLED_DURING_STARTUP: &str = "actor was killed during start-up";

/// Runs steps 4–6 when dropped. Dropping is the only way to use it, so no path can skip them.
pub(crate) struct Finalizer {
    pub(crate) plan: ExitPlan,
    pub(crate) reason: StopReason,
}

impl Drop for Finalizer {
    fn drop(&mut self) {
        // Step 4: leave the registry, so the name is free once `is_alive()` is false.
        if let Some(registration) = self.plan.registration.take() {
            registration.release();
        }
        // Step 5: terminated; pending status requests resolve `ResponseDropped`.
        let core = self.plan.control.core();
        core.mark_terminated();
        core.system.close();
        crate::actor::runtime::telemetry::stopped(&core.id, &self.reason);
        // Step 6: tell the parent (unbounded channel: never lost, never blocks).
        if let Some(link) = self.plan.parent.take() {
            let notice = ChildNotice::Exited {
                slot: link.slot,
                incarnation: link.incarnation,
                reason: self.reason.clone(),
            };
            let _ = link.parent.core().send_system(SystemMsg::child(notice));
        }
        if let Some(startup) = self.plan.startup.take() {
            let error = match &self.reason {
                StopReason::Failure(e) => e.clone(),
                _ => ActorError::user(KILLED_DURING_STARTUP),
            };
            let _ = startup.send(Err(error));
        }
        core.publish_exit(self.reason.clone());
    }
}
