//! [`ChildSpawnBuilder`]: spawning a supervised child from inside a supervisor.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::ActorContext;
use crate::actor::handle::{ActorHandle, HandleInner};
use crate::actor::runtime::core::{lock, ActorControl};
use crate::actor::runtime::exit::KILLED_DURING_STARTUP;
use crate::actor::runtime::launch::{launch, Startup};
use crate::actor::runtime::ActorConfig;
use crate::actor::supervision::{ChildSpec, FactoryStarter, Slot};
use crate::actor::Actor;
use crate::error::{ActorError, SpawnError, SupervisionError};
use crate::types::{ActorId, RestartType, Shutdown, StopReason};

/// Returned by [`ActorContext::spawn_child`]; configure, then `.await` for the child's handle
/// (after its `on_started`).
///
/// The factory builds a fresh actor value for every incarnation; the child keeps its id, name,
/// config, restart type and shutdown policy across restarts.
///
/// The returned handle is the child's for its whole life: it stays valid across restarts, and
/// so does the name registration. The mailbox and priority lane belong to the child, not to an
/// incarnation: messages queued when an incarnation ends are handled by the next one, in order,
/// and messages sent while a restart is pending wait for it (within the mailbox bound). Each
/// incarnation starts with a fresh value from the factory and no timers, streams or piped
/// tasks; the message whose handling failed is not delivered again. The handle's
/// `is_alive()` turns `false`, `wait_stopped()` resolves and the name is released only when the
/// child terminates for good: no restart decided for its end (its [`RestartType`]),
/// [`stop_child`](ActorContext::stop_child), the restart budget exhausted, or this supervisor
/// stopped. See [`ActorHandle`] for an example.
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, RestartType, Shutdown};
///
/// struct Worker;
/// impl Actor for Worker {
///     type Message = u32;
///     type Response = u32;
///     async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(n + 1) }
/// }
///
/// struct Boss;
/// impl Actor for Boss {
///     type Message = ();
///     type Response = usize;
///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
///         ctx.spawn_child(|| Worker)
///             .restart_type(RestartType::Transient)
///             .shutdown(Shutdown::Kill)
///             .await?;
///         Ok(())
///     }
///     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<usize> {
///         Ok(ctx.children().len())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let boss = Boss.spawn().supervised().await?;
/// assert_eq!(boss.send(()).await?, 1);
/// # Ok(()) }
/// ```
#[must_use = "the child is spawned only when the builder is awaited"]
pub struct ChildSpawnBuilder<'ctx, A: Actor, F, C: Actor> {
    ctx: &'ctx mut ActorContext<A>,
    factory: F,
    name: Option<String>,
    restart_type: RestartType,
    shutdown: Shutdown,
    config: ActorConfig,
    child: PhantomData<fn() -> C>,
}

impl<'ctx, A: Actor, F, C: Actor> ChildSpawnBuilder<'ctx, A, F, C>
where
    F: Fn() -> C + Send + Sync + 'static,
{
    pub(crate) fn new(ctx: &'ctx mut ActorContext<A>, factory: F) -> Self {
        ChildSpawnBuilder {
            ctx,
            factory,
            name: None,
            restart_type: RestartType::default(),
            shutdown: Shutdown::default(),
            config: ActorConfig::default(),
            child: PhantomData,
        }
    }

    /// Names the child: its id, registered in the supervisor's home system.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// When the child is restarted (default `Permanent`).
    pub fn restart_type(mut self, restart_type: RestartType) -> Self {
        self.restart_type = restart_type;
        self
    }

    /// How the supervisor stops the child (default `Timeout(5 s)`).
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The child's config (mailbox; `supervised()` makes it a supervisor too).
    pub fn with_config(mut self, config: ActorConfig) -> Self {
        self.config = config;
        self
    }
}

impl<'ctx, A: Actor, F, C: Actor> IntoFuture for ChildSpawnBuilder<'ctx, A, F, C>
where
    F: Fn() -> C + Send + Sync + 'static,
{
    type Output = Result<ActorHandle<C>, ActorError>;
    type IntoFuture = ChildSpawn<'ctx, A, F, C>;

    fn into_future(self) -> Self::IntoFuture {
        ChildSpawn {
            state: SpawnState::Configured(self),
        }
    }
}

/// The future of a [`ChildSpawnBuilder`]: what `.await` on the builder runs. Resolves with the
/// child's handle once its `on_started` finished.
///
/// Nothing happens before the first poll. Dropped after that but before it resolved, it kills
/// the child being started (its name is free again once the kill took effect). A plain
/// struct rather than a boxed future: a supervisor spawning many children allocates nothing
/// for the spawn itself.
#[must_use = "the child is spawned only when this future is awaited"]
pub struct ChildSpawn<'ctx, A: Actor, F, C: Actor> {
    state: SpawnState<'ctx, A, F, C>,
}

enum SpawnState<'ctx, A: Actor, F, C: Actor> {
    /// Not polled yet.
    Configured(ChildSpawnBuilder<'ctx, A, F, C>),
    /// The child was launched; its start-up runs.
    Starting(Starting<'ctx, A, C>),
    Done,
}

/// A launched child waiting for its start-up.
struct Starting<'ctx, A: Actor, C: Actor> {
    ctx: &'ctx mut ActorContext<A>,
    spec: ChildSpec,
    incarnation: u64,
    handle: ActorHandle<C>,
    startup: Startup,
    abandoned: AbandonGuard,
}

// No field is ever pinned (the start-up receiver is `Unpin` and polled through `Pin::new`), so
// moving the future is harmless whatever the factory type is.
impl<A: Actor, F, C: Actor> Unpin for ChildSpawn<'_, A, F, C> {}

impl<'ctx, A: Actor, F, C: Actor> Future for ChildSpawn<'ctx, A, F, C>
where
    F: Fn() -> C + Send + Sync + 'static,
{
    type Output = Result<ActorHandle<C>, ActorError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, SpawnState::Done) {
                SpawnState::Configured(builder) => match builder.launch() {
                    Ok(starting) => this.state = SpawnState::Starting(starting),
                    Err(e) => return Poll::Ready(Err(e)),
                },
                SpawnState::Starting(mut starting) => {
                    return match Pin::new(&mut starting.startup).poll(cx) {
                        Poll::Pending => {
                            this.state = SpawnState::Starting(starting);
                            Poll::Pending
                        }
                        Poll::Ready(outcome) => {
                            let outcome = outcome
                                .unwrap_or_else(|_| Err(ActorError::user(KILLED_DURING_STARTUP)));
                            Poll::Ready(starting.finish(outcome))
                        }
                    };
                }
                SpawnState::Done => {
                    return Poll::Ready(Err(SpawnError::InvalidConfig(
                        "a spawn_child future was polled after it completed".into(),
                    )
                    .into()))
                }
            }
        }
    }
}

impl<'ctx, A: Actor, F, C: Actor> ChildSpawnBuilder<'ctx, A, F, C>
where
    F: Fn() -> C + Send + Sync + 'static,
{
    /// Checks, builds the first actor value and launches it (its start-up then runs).
    fn launch(self) -> Result<Starting<'ctx, A, C>, ActorError> {
        let ChildSpawnBuilder {
            ctx,
            factory,
            name,
            restart_type,
            shutdown,
            config,
            ..
        } = self;
        let me = ctx.control();
        let system = ctx.system().clone();
        let supervisor = ctx
            .supervisor
            .as_mut()
            .ok_or(SupervisionError::NotASupervisor)?;
        let id = match &name {
            Some(name) => {
                let id = ActorId::from(name.as_str());
                if supervisor.has_slot(&id) {
                    return Err(SpawnError::DuplicateChild(id).into());
                }
                id
            }
            // 122 random bits: never a duplicate, no lookup needed.
            None => ActorId::random(),
        };
        config.validate()?;
        let starter = Arc::new(FactoryStarter::new(factory));
        let actor = starter.build()?;
        let spec = ChildSpec {
            id,
            name,
            restart_type,
            shutdown,
            config,
            starter,
        };
        let incarnation = supervisor.next_incarnation();
        let mut launch_spec = spec.launch_spec(incarnation, supervisor.is_tracked(), &me, &system);
        if let Some(link) = launch_spec.parent.as_mut() {
            // This future waits for the start itself; no `Started` notice needed.
            link.announce_start = false;
        }
        let (handle, startup) = launch(actor, launch_spec)?;
        // While the child starts, the supervisor's stop or kill must still find it.
        lock(supervisor.in_flight())
            .created
            .push((incarnation, handle.control()));
        let abandoned = AbandonGuard(Some((handle.control(), incarnation)));
        Ok(Starting {
            ctx,
            spec,
            incarnation,
            handle,
            startup,
            abandoned,
        })
    }
}

impl<A: Actor, C: Actor> Starting<'_, A, C> {
    /// The start-up finished: a slot for a started child, else the child terminates for good
    /// (its name is free again) and the error is returned.
    fn finish(mut self, outcome: Result<(), ActorError>) -> Result<ActorHandle<C>, ActorError> {
        self.abandoned.0 = None;
        let Some(supervisor) = self.ctx.supervisor.as_mut() else {
            return Err(SupervisionError::NotASupervisor.into());
        };
        lock(supervisor.in_flight()).acknowledge(self.incarnation);
        if let Err(e) = outcome {
            // Never a slot: the child terminates for good.
            self.handle
                .control()
                .terminate(StopReason::Failure(e.clone()));
            return Err(SpawnError::Init(Box::new(e)).into());
        }
        supervisor.add_slot(Slot::new_alive(
            self.spec,
            self.incarnation,
            self.handle.control(),
        ));
        Ok(self.handle)
    }
}

/// Kills the child being started if its `spawn_child` is abandoned (the future dropped) before
/// the start finished: its exit notice then finds no slot and it terminates for good.
struct AbandonGuard(Option<(Arc<dyn ActorControl>, u64)>);

impl Drop for AbandonGuard {
    fn drop(&mut self) {
        if let Some((child, incarnation)) = self.0.take() {
            child.core().kill_incarnation(incarnation);
        }
    }
}

impl<A: Actor> ActorContext<A> {
    /// The handle of child `id` of this supervisor (named or anonymous), `None` if there is no
    /// such child or it is of another type. The handle stays valid across the child's restarts
    /// (messages sent while a restart is pending wait for the next incarnation).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorHandle, ActorId, ActorResult};
    ///
    /// struct Worker;
    /// impl Actor for Worker {
    ///     type Message = u32;
    ///     type Response = u32;
    ///     async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(n * 2) }
    /// }
    ///
    /// struct Boss { worker: Option<ActorId> }
    /// impl Actor for Boss {
    ///     type Message = u32;
    ///     type Response = Option<ActorHandle<Worker>>;
    ///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         let worker = ctx.spawn_child(|| Worker).await?; // anonymous
    ///         self.worker = Some(worker.id().clone());
    ///         Ok(())
    ///     }
    ///     async fn handle(&mut self, _: u32, ctx: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
    ///         Ok(self.worker.as_ref().and_then(|id| ctx.child::<Worker>(id)))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let boss = Boss { worker: None }.spawn().supervised().await?;
    /// let worker = boss.send(0).await?.expect("a child");
    /// assert_eq!(worker.send(21).await?, 42);
    /// # Ok(()) }
    /// ```
    pub fn child<C: Actor>(&self, id: &ActorId) -> Option<ActorHandle<C>> {
        let control = self.supervisor.as_ref()?.child(id)?;
        let inner = control.as_any().downcast::<HandleInner<C>>().ok()?;
        Some(ActorHandle::from_inner(inner))
    }

    /// Spawns a supervised child built by `factory` (called again for every restart). See
    /// [`ChildSpawnBuilder`]. Errors: `Supervision(NotASupervisor)`, `Spawn(DuplicateChild)`,
    /// `Spawn(NameTaken)`, `Spawn(InvalidConfig)`, `Spawn(Init(e))`, `Supervision(FactoryFailed)`.
    pub fn spawn_child<F, C>(&mut self, factory: F) -> ChildSpawnBuilder<'_, A, F, C>
    where
        F: Fn() -> C + Send + Sync + 'static,
        C: Actor,
    {
        ChildSpawnBuilder::new(self, factory)
    }
}
