//! The shutdown algorithm of [`ActorSystem::shutdown_with`](super::ActorSystem::shutdown_with).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{timeout_at, Instant};

use super::{ShutdownPolicy, ShutdownReport};
use crate::actor::runtime::core::ActorControl;
use crate::clock::deadline_after;
use crate::types::StopReason;

/// How long a shutdown waits for killed actors beyond its timeout.
const KILL_GRACE: Duration = Duration::from_millis(100);

/// Stops each root in the given order: `Graceful` with a per-actor timeout, then `Kill`.
pub(crate) async fn stop_roots(
    roots: Vec<Arc<dyn ActorControl>>,
    policy: &ShutdownPolicy,
) -> ShutdownReport {
    let mut report = ShutdownReport::default();
    let start = Instant::now();
    let deadline = deadline_after(start, policy.timeout);
    let hard_deadline = deadline_after(deadline, KILL_GRACE);
    for root in roots {
        let core = root.core();
        let now = Instant::now();
        let mut killed = now >= deadline && core.exit_reason().is_none();
        if !killed && core.exit_reason().is_none() {
            let _ = core.request_stop(StopReason::Graceful);
            let patience = policy.per_actor_timeout.min(deadline - now);
            killed = timeout_at(deadline_after(now, patience), core.wait_exit())
                .await
                .is_err();
        }
        if !killed {
            report.graceful.push(core.id.clone());
            continue;
        }
        core.kill();
        match timeout_at(hard_deadline, core.wait_exit()).await {
            Ok(_) => report.killed.push(core.id.clone()),
            Err(_) => report.unresponsive.push(core.id.clone()),
        }
    }
    report
}
