//! Creating an incarnation: validate, register, spawn the task, wait for start-up. A restart
//! (`relaunch`) reuses the child's handle, registration and parked mailbox.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::config::ActorConfig;
use super::core::{next_tag, Core};
use super::exit::{ExitPlan, ParentLink, KILLED_DURING_STARTUP};
use super::lanes::Lanes;
use super::task::ActorTask;
use super::telemetry;
use crate::actor::context::ActorContext;
use crate::actor::handle::{ActorHandle, HandleInner};
use crate::actor::Actor;
use crate::error::{ActorError, SpawnError};
use crate::system::ActorSystem;
use crate::types::ActorId;

/// Everything that decides how an incarnation is created.
pub(crate) struct LaunchSpec {
    /// `None`: the name if any, else a fresh UUID.
    pub(crate) id: Option<ActorId>,
    pub(crate) name: Option<String>,
    pub(crate) config: ActorConfig,
    pub(crate) system: Arc<ActorSystem>,
    /// Tracked by the home system (stopped by its `shutdown`).
    pub(crate) tracked: bool,
    /// The parent is tracked by the same system (so this actor is not a shutdown root).
    pub(crate) has_tracked_parent: bool,
    /// The tag of the incarnation to start (a supervisor picks its children's); `None`: a
    /// fresh one.
    pub(crate) incarnation: Option<u64>,
    pub(crate) parent: Option<ParentLink>,
}

/// Waits for `pre_start` and `on_started` of a launched incarnation.
pub(crate) type Startup = oneshot::Receiver<Result<(), ActorError>>;

/// Validates, registers and spawns; returns before start-up finished. On error nothing is
/// registered and the actor value is dropped without running any hook.
pub(crate) fn launch<A: Actor>(
    actor: A,
    mut spec: LaunchSpec,
) -> Result<(ActorHandle<A>, Startup), SpawnError> {
    spec.config.validate()?;
    crate::actor::spawn::validate_name(spec.name.as_deref())?;
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| SpawnError::MissingRuntime)?;
    let capacity = spec.config.mailbox.capacity;
    let id = match (spec.id.take(), &spec.name) {
        (Some(id), _) => id,
        (None, Some(name)) => ActorId::from(name.clone()),
        (None, None) => ActorId::random(),
    };
    let (mailbox_tx, mailbox_rx) = mpsc::channel(capacity);
    let (priority_tx, priority_rx) = spec.config.priority_lane.map(mpsc::channel).unzip();
    let inner = Arc::new(HandleInner::new(
        mailbox_tx,
        priority_tx,
        Core::new(id, spec.name.clone()),
    ));
    let handle = ActorHandle::from_inner(inner);
    // An anonymous child of a tracked supervisor needs no entry: its supervisor stops it.
    if spec.tracked && (spec.name.is_some() || !spec.has_tracked_parent) {
        let registration = spec
            .system
            .register(handle.control(), spec.has_tracked_parent)?;
        handle.core().hold_registration(registration);
    }
    let startup = start_incarnation(
        actor,
        &handle,
        Lanes::new(mailbox_rx, priority_rx),
        spec,
        &runtime,
    )?;
    Ok((handle, startup))
}

/// Starts the next incarnation of a supervised child on its existing handle: same id, name,
/// registration and mailbox (messages queued meanwhile are handled by it, in order).
pub(crate) fn relaunch<A: Actor>(
    actor: A,
    handle: &ActorHandle<A>,
    spec: LaunchSpec,
) -> Result<Startup, SpawnError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| SpawnError::MissingRuntime)?;
    if !handle.is_alive() {
        return Err(SpawnError::InvalidConfig(
            "the child terminated for good; it cannot be restarted".into(),
        ));
    }
    let lanes = handle.inner.unpark().ok_or_else(|| {
        SpawnError::InvalidConfig("the previous incarnation is still running".into())
    })?;
    start_incarnation(actor, handle, lanes, spec, &runtime)
}

/// Builds the context and the task of one incarnation and spawns it.
fn start_incarnation<A: Actor>(
    actor: A,
    handle: &ActorHandle<A>,
    lanes: Lanes<A>,
    spec: LaunchSpec,
    runtime: &tokio::runtime::Handle,
) -> Result<Startup, SpawnError> {
    let tag = spec.incarnation.unwrap_or_else(next_tag);
    let (startup_tx, startup_rx) = oneshot::channel();
    handle.core().begin_incarnation(tag, spec.parent.is_some());
    let plan = ExitPlan {
        control: handle.control(),
        tag,
        parent: spec.parent,
        startup: Some(startup_tx),
    };
    let ctx = ActorContext::new(
        handle.clone(),
        spec.system,
        spec.config.supervision,
        spec.tracked,
    );
    let task = ActorTask::new(actor, ctx, lanes, plan);
    let task = telemetry::in_actor_span::<A, _>(
        handle.id(),
        handle.core().name().map(String::as_str),
        task.run(),
    );
    let join = spawn_task(runtime, handle.id(), task)?;
    handle.core().arm_kill(join.abort_handle());
    Ok(startup_rx)
}

/// Resolves when start-up finished: `Ok` once the actor is `Running`, otherwise the start-up
/// error after the teardown finished and the name is free again.
pub(crate) async fn started(startup: Startup) -> Result<(), ActorError> {
    match startup.await {
        Ok(result) => result,
        Err(_) => Err(ActorError::user(KILLED_DURING_STARTUP)),
    }
}

/// `launch` + `started`, with start-up failures as `SpawnError::Init`. Dropped before it
/// resolves, it kills the actor: the caller gave up and never gets the handle.
pub(crate) async fn spawn_and_wait<A: Actor>(
    actor: A,
    spec: LaunchSpec,
) -> Result<ActorHandle<A>, SpawnError> {
    let (handle, startup) = launch(actor, spec)?;
    let abandoned = KillOnDrop(Some(handle.core()));
    let outcome = started(startup).await;
    abandoned.disarm();
    outcome.map_err(|e| SpawnError::Init(Box::new(e)))?;
    Ok(handle)
}

/// Kills the actor when dropped while armed (a spawn future dropped before it resolved).
struct KillOnDrop<'a>(Option<&'a Core>);

impl KillOnDrop<'_> {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for KillOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(core) = self.0 {
            core.kill();
        }
    }
}

/// Spawns the actor's task; with `--cfg tokio_unstable` and the `tracing` feature the task is
/// named after the actor's id, so tokio-console shows it.
#[cfg(all(tokio_unstable, feature = "tracing"))]
fn spawn_task<F>(
    runtime: &tokio::runtime::Handle,
    id: &ActorId,
    task: F,
) -> Result<tokio::task::JoinHandle<()>, SpawnError>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    // On failure the task (and its drop guard, which unregisters the actor) is dropped.
    tokio::task::Builder::new()
        .name(id.as_str())
        .spawn_on(task, runtime)
        .map_err(|_| SpawnError::MissingRuntime)
}

#[cfg(not(all(tokio_unstable, feature = "tracing")))]
fn spawn_task<F>(
    runtime: &tokio::runtime::Handle,
    _id: &ActorId,
    task: F,
) -> Result<tokio::task::JoinHandle<()>, SpawnError>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    Ok(runtime.spawn(task))
}
