//! Restart jobs: the background half of a restart decision. A job stops the still-running
//! members of a restart set (reverse start order), then starts each member anew (start
//! order), each start finished before the next begins, as OTP does. A new incarnation takes
//! over the child's handle and mailbox.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::stopping::{stop_target, StopTarget};
use super::supervisor::{ChildNotice, InFlight};
use crate::actor::handle::{ActorHandle, HandleInner};
use crate::actor::runtime::core::{lock, ActorControl, SystemMsg};
use crate::actor::runtime::guard::{caught_sync, contain_drop};
use crate::actor::runtime::launch::{relaunch, started, LaunchSpec, Startup};
use crate::actor::Actor;
use crate::error::{ActorError, SupervisionError};
use crate::types::StopReason;

/// Builds fresh incarnations of one child slot; hides the child's type.
pub(crate) trait ChildStarter: Send + Sync + 'static {
    /// Calls the factory (user code, so never under a lock); `Err` is the reason of the
    /// immediate incident.
    fn prepare(&self) -> Result<Box<dyn PreparedChild>, StopReason>;

    /// The child's Rust type name (the `actor` label of the restart metric).
    fn actor_type(&self) -> &'static str;
}

/// A freshly built actor value, ready to launch.
pub(crate) trait PreparedChild: Send {
    /// Spawns it as the next incarnation of `child`; `Err` is the reason of the immediate
    /// incident.
    fn launch(
        self: Box<Self>,
        spec: LaunchSpec,
        child: &Arc<dyn ActorControl>,
    ) -> Result<Startup, StopReason>;
}

impl<C: Actor> PreparedChild for C {
    fn launch(
        self: Box<Self>,
        spec: LaunchSpec,
        child: &Arc<dyn ActorControl>,
    ) -> Result<Startup, StopReason> {
        let inner = child
            .clone()
            .as_any()
            .downcast::<HandleInner<C>>()
            .map_err(|_| {
                StopReason::Failure(ActorError::user("child factory built another actor type"))
            })?;
        relaunch(*self, &ActorHandle::from_inner(inner), spec)
            .map_err(|e| StopReason::Failure(ActorError::Spawn(e)))
    }
}

/// A [`ChildStarter`] around a user factory.
pub(crate) struct FactoryStarter<F, C> {
    factory: F,
    child: PhantomData<fn() -> C>,
}

impl<F, C> FactoryStarter<F, C>
where
    F: Fn() -> C + Send + Sync + 'static,
    C: Actor,
{
    pub(crate) fn new(factory: F) -> Self {
        FactoryStarter {
            factory,
            child: PhantomData,
        }
    }

    /// Calls the factory with panics caught (`FactoryFailed`).
    pub(crate) fn build(&self) -> Result<C, ActorError> {
        caught_sync(&self.factory).map_err(|panic| {
            let message = match panic {
                ActorError::Panic(message) => message,
                other => other.to_string(),
            };
            ActorError::Supervision(SupervisionError::FactoryFailed(message))
        })
    }
}

impl<F, C> ChildStarter for FactoryStarter<F, C>
where
    F: Fn() -> C + Send + Sync + 'static,
    C: Actor,
{
    fn actor_type(&self) -> &'static str {
        std::any::type_name::<C>()
    }

    fn prepare(&self) -> Result<Box<dyn PreparedChild>, StopReason> {
        let actor = self.build().map_err(StopReason::Failure)?;
        Ok(Box::new(actor))
    }
}

/// One member of a restart set to start again.
pub(crate) struct RestartOrder {
    pub(crate) starter: Arc<dyn ChildStarter>,
    pub(crate) spec: LaunchSpec,
    /// The tag of the incarnation to start.
    pub(crate) incarnation: u64,
    /// The child (its handle outlives incarnations).
    pub(crate) control: Arc<dyn ActorControl>,
}

/// Whether a pending start was cancelled by `stop_child` or by the supervisor's stop (then
/// forgotten: it never happens).
fn cancelled(in_flight: &mut InFlight, incarnation: u64) -> bool {
    in_flight.closed || in_flight.cancelled.remove(&incarnation)
}

/// The body of a restart job. `stops`: incarnations to stop first, each with whether the child
/// leaves for good afterwards (a Temporary sibling).
pub(crate) async fn run_restart_job(
    stops: Vec<(StopTarget, bool)>,
    delay: Duration,
    orders: Vec<RestartOrder>,
    in_flight: Arc<Mutex<InFlight>>,
    supervisor: Arc<dyn ActorControl>,
) {
    for (target, for_good) in stops {
        let reason = stop_target(&target).await;
        if for_good {
            target.control.terminate(reason);
        }
        lock(&in_flight)
            .retiring
            .retain(|t| !Arc::ptr_eq(&t.control, &target.control));
    }
    if !delay.is_zero() {
        tokio::time::sleep_until(crate::clock::deadline_in(delay)).await;
    }
    for RestartOrder {
        starter,
        spec,
        incarnation,
        control,
    } in orders
    {
        // A cancelled start never calls the factory.
        if cancelled(&mut lock(&in_flight), incarnation) {
            continue;
        }
        let slot = spec.id.clone();
        let launched = match starter.prepare() {
            Err(reason) => Err(reason),
            Ok(child) => {
                // Launch under the lock, so `stop_child` and the supervisor's own stop see
                // either a cancellation/closure before it or the created incarnation after it.
                let mut in_flight = lock(&in_flight);
                if cancelled(&mut in_flight, incarnation) {
                    // The actor value's `Drop` is user code: run it outside the lock.
                    drop(in_flight);
                    contain_drop(child);
                    continue;
                }
                child.launch(spec, &control).map(|startup| {
                    in_flight.created.push((incarnation, control.clone()));
                    startup
                })
            }
        };
        match launched {
            // A start-up failure is reported by the child itself (its exit notice).
            Ok(startup) => {
                let _ = started(startup).await;
            }
            Err(reason) => {
                if let Some(slot) = slot {
                    let notice = ChildNotice::RestartFailed {
                        slot,
                        incarnation,
                        reason,
                    };
                    let _ = supervisor.core().send_system(SystemMsg::child(notice));
                }
            }
        }
    }
}
