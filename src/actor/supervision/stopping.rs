//! How a supervisor stops children: one child with its `Shutdown` policy (§5.5), and the Kill
//! cascade that runs when a supervisor is itself killed.

use std::sync::Arc;

use tokio::time::timeout_at;

use crate::actor::runtime::core::ActorControl;
use crate::actor::runtime::exit::Finalizer;
use crate::clock::deadline_in;
use crate::types::{Shutdown, StopReason};

/// Stops one incarnation with its policy and waits until it has terminated; returns its final
/// reason. An incarnation that already terminated returns at once.
pub(crate) async fn stop_with_policy(control: &dyn ActorControl, shutdown: Shutdown) -> StopReason {
    let core = control.core();
    match shutdown {
        Shutdown::Kill => core.kill(),
        Shutdown::Timeout(patience) => {
            let _ = core.request_stop(StopReason::ParentRequest);
            if let Ok(reason) = timeout_at(deadline_in(patience), core.wait_exit()).await {
                return reason;
            }
            core.kill();
        }
        Shutdown::Infinity => {
            let _ = core.request_stop(StopReason::ParentRequest);
        }
    }
    core.wait_exit().await
}

/// The Kill path of a supervisor: every child gets `Kill` (in the given, reverse start, order);
/// the supervisor's exit steps run once all of them have terminated. Without a usable runtime
/// (it is shutting down) the exit steps run at once.
pub(crate) fn kill_children(children: Vec<Arc<dyn ActorControl>>, finalizer: Finalizer) {
    if children.is_empty() {
        drop(finalizer);
        return;
    }
    for child in &children {
        child.core().kill();
    }
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(async move {
                for child in &children {
                    child.core().wait_exit().await;
                }
                drop(finalizer);
            });
        }
        Err(_) => drop(finalizer),
    }
}
