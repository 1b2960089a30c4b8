//! How a supervisor stops children: one incarnation with the child's `Shutdown` policy, a
//! child for good (`retire`), and the Kill cascade that runs when a supervisor is itself
//! killed.

use std::sync::Arc;

use tokio::time::{timeout_at, Instant};

use crate::actor::runtime::core::ActorControl;
use crate::actor::runtime::exit::Finalizer;
use crate::clock::deadline_after;
use crate::types::{Shutdown, StopReason};

/// One incarnation to stop: `tag` addresses it (a stop signal meant for it is ignored by any
/// later incarnation); `None` means "whatever runs now" and is only used with `Kill`.
#[derive(Clone)]
pub(crate) struct StopTarget {
    pub(crate) control: Arc<dyn ActorControl>,
    pub(crate) tag: Option<u64>,
    pub(crate) shutdown: Shutdown,
}

impl StopTarget {
    /// The borrowed form the stop functions take.
    pub(crate) fn order(&self) -> StopOrder<'_> {
        StopOrder {
            control: &self.control,
            tag: self.tag,
            shutdown: self.shutdown,
        }
    }
}

/// A [`StopTarget`] borrowed from wherever the child is kept (a slot, a list of extras), so a
/// supervisor stopping 100,000 children clones no handle.
#[derive(Clone, Copy)]
pub(crate) struct StopOrder<'a> {
    pub(crate) control: &'a Arc<dyn ActorControl>,
    pub(crate) tag: Option<u64>,
    pub(crate) shutdown: Shutdown,
}

impl StopOrder<'_> {
    /// Issues the stop: `Kill` at once, or `ParentRequest` addressed to the incarnation.
    pub(crate) fn issue(self) {
        let core = self.control.core();
        match (self.tag, self.shutdown) {
            (None, _) => core.kill(),
            (Some(tag), Shutdown::Kill) => core.kill_incarnation(tag),
            (Some(tag), Shutdown::Timeout(_) | Shutdown::Infinity) => {
                core.request_parent_stop(tag);
            }
        }
    }

    /// Issues the stop of a supervisor's stop of every child: the child is doomed first, so
    /// the incarnation that ends next terminates for good by itself.
    pub(crate) fn issue_final(self) {
        self.control.core().doom();
        self.issue();
    }

    /// When a `Timeout` policy escalates to `Kill`, for a stop issued at `issued`.
    pub(crate) fn deadline(self, issued: Instant) -> Option<Instant> {
        match (self.tag, self.shutdown) {
            (Some(_), Shutdown::Timeout(patience)) => Some(deadline_after(issued, patience)),
            _ => None,
        }
    }

    /// Issues the stop and waits for the incarnation to end; returns its reason (an
    /// incarnation that already ended returns at once).
    pub(crate) async fn stop(self) -> StopReason {
        self.issue();
        let deadline = self.deadline(Instant::now());
        self.wait(deadline).await
    }

    /// Waits for an incarnation whose stop was issued, escalating to `Kill` at `deadline`;
    /// returns the reason of the incarnation that ended.
    pub(crate) async fn wait(self, deadline: Option<Instant>) -> StopReason {
        let core = self.control.core();
        let Some(tag) = self.tag else {
            core.wait_idle().await;
            return core.last_reason().unwrap_or(StopReason::Kill);
        };
        if let Some(reason) = core.incarnation_end(tag) {
            return reason;
        }
        if let Some(deadline) = deadline {
            if let Ok(reason) = timeout_at(deadline, core.wait_incarnation_end(tag)).await {
                return reason;
            }
            core.kill_incarnation(tag);
        }
        core.wait_incarnation_end(tag).await
    }
}

/// Stops a target and waits for it; returns the reason of the incarnation that ended (an
/// incarnation that already ended returns at once).
pub(crate) async fn stop_target(target: &StopTarget) -> StopReason {
    target.order().stop().await
}

/// One child's part of a supervisor's stop of every child: with `issued`, its stop was issued
/// then (with the others') and this waits for it, escalating at its deadline; without, this
/// issues it and waits. Cheap for a child that already terminated (most have, by the time the
/// supervisor gets here: a child ending while its supervisor stops them all terminates itself).
pub(crate) async fn settle(order: StopOrder<'_>, issued: Option<Instant>) {
    match issued {
        Some(_) if !order.control.core().is_alive() => {}
        Some(at) => {
            order.wait(order.deadline(at)).await;
        }
        None => {
            order.issue_final();
            let deadline = order.deadline(Instant::now());
            order.wait(deadline).await;
        }
    }
}

/// Waits until no incarnation of `child` runs, then terminates it for good with the reason of
/// its last incarnation. Nothing to do for a child that has already terminated (a child can
/// be listed twice: as a stop target and as a slot).
pub(crate) async fn terminate_when_idle(child: &Arc<dyn ActorControl>) {
    let core = child.core();
    if !core.is_alive() {
        return;
    }
    if core.is_running() {
        core.wait_idle().await;
    }
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
