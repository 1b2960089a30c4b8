//! Restart jobs: the background half of a restart decision (§5.2 step 6). A job stops the
//! still-running members of a restart set (reverse start order), then starts each member anew
//! (start order), each start finished before the next begins, as OTP does.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::stopping::stop_with_policy;
use super::supervisor::{ChildNotice, InFlight};
use crate::actor::runtime::core::{lock, ActorControl, SystemMsg};
use crate::actor::runtime::guard::caught_sync;
use crate::actor::runtime::launch::{launch, started, LaunchSpec, Startup};
use crate::actor::Actor;
use crate::error::{ActorError, SupervisionError};
use crate::types::{Shutdown, StopReason};

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
    /// Registers and spawns it; `Err` is the reason of the immediate incident.
    fn launch(
        self: Box<Self>,
        spec: LaunchSpec,
    ) -> Result<(Arc<dyn ActorControl>, Startup), StopReason>;
}

impl<C: Actor> PreparedChild for C {
    fn launch(
        self: Box<Self>,
        spec: LaunchSpec,
    ) -> Result<(Arc<dyn ActorControl>, Startup), StopReason> {
        let (handle, startup) =
            launch(*self, spec).map_err(|e| StopReason::Failure(ActorError::Spawn(e)))?;
        Ok((handle.control(), startup))
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
    pub(crate) incarnation: u64,
}

/// The body of a restart job.
pub(crate) async fn run_restart_job(
    stops: Vec<(Arc<dyn ActorControl>, Shutdown)>,
    delay: Duration,
    orders: Vec<RestartOrder>,
    in_flight: Arc<Mutex<InFlight>>,
    supervisor: Arc<dyn ActorControl>,
) {
    for (control, shutdown) in stops {
        stop_with_policy(control.as_ref(), shutdown).await;
        lock(&in_flight)
            .retiring
            .retain(|(c, _)| !Arc::ptr_eq(c, &control));
    }
    if !delay.is_zero() {
        tokio::time::sleep_until(crate::clock::deadline_in(delay)).await;
    }
    for RestartOrder {
        starter,
        spec,
        incarnation,
    } in orders
    {
        let slot = spec.id.clone();
        let launched = match starter.prepare() {
            Err(reason) => Err(reason),
            Ok(child) => {
                // Launch under the lock, so `stop_child` and the supervisor's own stop see
                // either a cancellation/closure before it or the created incarnation after it.
                let mut in_flight = lock(&in_flight);
                if in_flight.closed || in_flight.cancelled.remove(&incarnation) {
                    // The actor value's `Drop` is user code: run it outside the lock.
                    drop(in_flight);
                    drop(child);
                    continue;
                }
                child.launch(spec).map(|(control, startup)| {
                    in_flight.created.push((incarnation, control));
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
