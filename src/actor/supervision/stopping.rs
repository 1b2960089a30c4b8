//! How a supervisor stops children: one incarnation with the child's `Shutdown` policy, a
//! child for good (`retire`), and the Kill cascade that runs when a supervisor is itself
//! killed.

use std::sync::Arc;

use tokio::time::{timeout_at, Instant};

use crate::actor::runtime::core::ActorControl;
use crate::actor::runtime::exit::Finalizer;
use crate::clock::deadline_in;
use crate::types::{Shutdown, StopReason};

/// One incarnation to stop: `tag` addresses it (a stop signal meant for it is ignored by any
/// later incarnation); `None` means "whatever runs now" and is only used with `Kill`.
#[derive(Clone)]
pub(crate) struct StopTarget {
    pub(crate) control: Arc<dyn ActorControl>,
    pub(crate) tag: Option<u64>,
    pub(crate) shutdown: Shutdown,
}

/// Stops a target and waits for it; returns the reason of the incarnation that ended (an
/// incarnation that already ended returns at once).
pub(crate) async fn stop_target(target: &StopTarget) -> StopReason {
    let deadline = begin_stop(target);
    await_stop(target, deadline).await
}

/// Stops every target at once and waits until all have ended: every stop is issued first,
/// then each end is awaited in turn. A `Timeout` policy's patience counts from when its stop
/// was issued, so waiting in turn gives no child more time than stopping each in its own task
/// would, without a task and a timer per child. A child with nothing running any more
/// terminates for good right after its wait, while its memory is still in cache (the caller's
/// final pass terminates the others).
pub(crate) async fn stop_concurrently(targets: &[StopTarget]) {
    let deadlines: Vec<Option<Instant>> = targets.iter().map(begin_stop).collect();
    for (target, deadline) in targets.iter().zip(deadlines) {
        await_stop(target, deadline).await;
        terminate_if_idle(&target.control, StopReason::ParentRequest);
    }
}

/// Issues the stop of one target (`Kill` at once, or `ParentRequest` addressed to its
/// incarnation); returns the deadline of a `Timeout` policy.
fn begin_stop(target: &StopTarget) -> Option<Instant> {
    let core = target.control.core();
    let Some(tag) = target.tag else {
        core.kill();
        return None;
    };
    match target.shutdown {
        Shutdown::Kill => {
            core.kill_incarnation(tag);
            None
        }
        Shutdown::Timeout(patience) => {
            core.request_parent_stop(tag);
            Some(deadline_in(patience))
        }
        Shutdown::Infinity => {
            core.request_parent_stop(tag);
            None
        }
    }
}

/// Waits for a target whose stop was issued, escalating to `Kill` at a `Timeout` policy's
/// deadline; returns the reason of the incarnation that ended.
async fn await_stop(target: &StopTarget, deadline: Option<Instant>) -> StopReason {
    let core = target.control.core();
    let Some(tag) = target.tag else {
        core.wait_idle().await;
        return core.last_reason().unwrap_or(StopReason::Kill);
    };
    if let Some(deadline) = deadline {
        if let Ok(reason) = timeout_at(deadline, core.wait_incarnation_end(tag)).await {
            return reason;
        }
        core.kill_incarnation(tag);
    }
    core.wait_incarnation_end(tag).await
}

/// Waits until no incarnation of `child` runs, then terminates it for good with the reason of
/// its last incarnation. Nothing to do for a child that has already terminated (a child can
/// be listed twice: as a stop target and as a slot).
pub(crate) async fn terminate_when_idle(child: &Arc<dyn ActorControl>) {
    let core = child.core();
    if !core.is_alive() {
        return;
    }
    core.wait_idle().await;
    terminate_if_idle(child, StopReason::ParentRequest);
}

/// [`terminate_when_idle`] without the wait: does nothing while an incarnation still runs.
/// The reason is the last incarnation's, or `default` if none ever ended.
pub(crate) fn terminate_if_idle(child: &Arc<dyn ActorControl>, default: StopReason) {
    let core = child.core();
    if core.is_alive() && !core.is_running() {
        child.terminate(core.last_reason().unwrap_or(default));
    }
}

/// Stops a target, then terminates the child for good with that reason.
pub(crate) async fn retire(target: StopTarget) -> StopReason {
    let reason = stop_target(&target).await;
    target.control.core().wait_idle().await;
    target.control.terminate(reason.clone());
    reason
}

/// The Kill path of a supervisor: every child gets `Kill` (in the given, reverse start, order)
/// and terminates for good; the supervisor's exit steps run once all of them have.
pub(crate) fn kill_children(children: Vec<Arc<dyn ActorControl>>, finalizer: Finalizer) {
    if children.is_empty() {
        drop(finalizer);
        return;
    }
    for child in &children {
        child.core().kill();
    }
    let cascade = KillCascade {
        children,
        finalizer: Some(finalizer),
    };
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(async move {
                for child in &cascade.children {
                    child.core().wait_idle().await;
                }
                drop(cascade);
            });
        }
        Err(_) => drop(cascade),
    }
}

/// Terminates the killed children for good, then runs the supervisor's exit steps, when
/// dropped: after every child ended, or at once when the runtime drops the waiting task (it is
/// shutting down). Then a child that has not ended yet terminates by itself when it finds its
/// supervisor gone.
struct KillCascade {
    children: Vec<Arc<dyn ActorControl>>,
    finalizer: Option<Finalizer>,
}

impl Drop for KillCascade {
    fn drop(&mut self) {
        let Some(finalizer) = self.finalizer.take() else {
            return;
        };
        // A child still running (the runtime is shutting down) tells this supervisor when it
        // ends; an exit notice that is never processed terminates that child when the
        // supervisor's system channel closes (or the supervisor's next incarnation does).
        for child in &self.children {
            terminate_if_idle(child, StopReason::Kill);
        }
        drop(finalizer);
    }
}
