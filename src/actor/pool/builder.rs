//! [`PoolBuilder`]: configure a pool, then `.await` it to start the supervisor and its workers.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::routing::{Router, Routing};
use super::supervisor::PoolSupervisor;
use super::{Pool, PoolShared};
use crate::actor::runtime::ActorConfig;
use crate::actor::supervision::SupervisionConfig;
use crate::actor::{Actor, ActorExt};
use crate::error::{ActorError, SpawnError};
use crate::system::ActorSystem;

/// Configures a [`Pool`]; nothing starts until it is awaited. Made by [`Pool::builder`].
///
/// | setting | default |
/// |---|---|
/// | [`routing`](Self::routing) | [`Routing::RoundRobin`] |
/// | [`with_config`](Self::with_config) (each worker's config) | [`ActorConfig::default()`] |
/// | [`supervision`](Self::supervision) (the pool supervisor's) | [`SupervisionConfig::default()`]: one-for-one, 3 restarts in 5 s |
/// | [`named`](Self::named) (the pool supervisor's name) | anonymous |
/// | [`on_system`](Self::on_system) (the system whose shutdown stops the pool) | [`ActorSystem::default()`] |
///
/// Awaiting it fails with `SpawnError::InvalidConfig` for a size of 0 or an invalid worker
/// config, with the supervisor's spawn errors (a taken name), or with `SpawnError::Init` when a
/// worker fails to start.
///
/// ```
/// use tokio_actors::{Actor, ActorConfig, ActorContext, ActorResult, Pool, Routing};
///
/// struct Worker;
/// impl Actor for Worker {
///     type Message = u64;
///     type Response = u64;
///     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
///         Ok(n + 1)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = Pool::builder(3, || Worker)
///     .routing(Routing::LeastLoaded)
///     .with_config(ActorConfig::default().with_mailbox_capacity(16))
///     .await?;
/// assert_eq!(pool.workers().len(), 3);
/// assert_eq!(pool.workers()[0].mailbox_capacity(), 16);
/// assert_eq!(pool.send(1).await?, 2);
/// # Ok(()) }
/// ```
#[must_use = "nothing happens until the builder is awaited"]
pub struct PoolBuilder<A: Actor, F> {
    size: usize,
    factory: F,
    routing: Routing<A::Message>,
    worker_config: ActorConfig,
    supervision: SupervisionConfig,
    name: Option<String>,
    system: Option<Arc<ActorSystem>>,
}

impl<A: Actor, F: Fn() -> A + Send + Sync + 'static> PoolBuilder<A, F> {
    pub(crate) fn new(size: usize, factory: F) -> Self {
        PoolBuilder {
            size,
            factory,
            routing: Routing::default(),
            worker_config: ActorConfig::default(),
            supervision: SupervisionConfig::default(),
            name: None,
            system: None,
        }
    }

    /// How messages are spread over the workers (see [`Routing`]).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(n) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tokio_actors::Routing;
    /// // Even numbers to one worker, odd ones to the other (or both to one: a fixed mix decides).
    /// let pool = Pool::builder(2, || Worker).routing(Routing::KeyHash(|n| n % 2)).await?;
    /// assert_eq!(pool.send(4).await?, 4);
    /// # Ok(()) }
    /// ```
    pub fn routing(mut self, routing: Routing<A::Message>) -> Self {
        self.routing = routing;
        self
    }

    /// The configuration of every worker (mailbox capacity, priority lane).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(n) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tokio_actors::ActorConfig;
    /// let pool = Pool::builder(2, || Worker)
    ///     .with_config(ActorConfig::default().with_mailbox_capacity(4))
    ///     .await?;
    /// assert!(pool.workers().iter().all(|w| w.mailbox_capacity() == 4));
    /// # Ok(()) }
    /// ```
    pub fn with_config(mut self, config: ActorConfig) -> Self {
        self.worker_config = config;
        self
    }

    /// The pool supervisor's policy: strategy, restart budget, backoff. When the budget is
    /// exhausted the supervisor stops, and the pool with it.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(n) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use tokio_actors::{Backoff, SupervisionConfig};
    /// let policy = SupervisionConfig::one_for_one()
    ///     .max_restarts(10, Duration::from_secs(60))
    ///     .with_backoff(Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1)));
    /// let pool = Pool::builder(2, || Worker).supervision(policy).await?;
    /// assert_eq!(pool.workers().len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn supervision(mut self, supervision: SupervisionConfig) -> Self {
        self.supervision = supervision;
        self
    }

    /// Registers the pool supervisor under `name` (workers stay anonymous), in the default
    /// system unless [`on_system`](Self::on_system) says otherwise.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(n) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tokio_actors::ActorSystem;
    /// let system = ActorSystem::create("docs-pool-named")?;
    /// let _pool = Pool::builder(2, || Worker).named("resizers").on_system(&system).await?;
    /// assert_eq!(system.registered(), ["resizers"]);
    /// # Ok(()) }
    /// ```
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Tracks the pool supervisor in `system` (its shutdown stops the pool).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(n) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tokio_actors::ActorSystem;
    /// let system = ActorSystem::create("docs-pool-on-system")?;
    /// let pool = Pool::builder(2, || Worker).on_system(&system).await?;
    /// let report = system.shutdown().await;
    /// assert_eq!(report.graceful.len(), 1); // the pool supervisor, with its workers
    /// pool.wait_stopped().await;
    /// # Ok(()) }
    /// ```
    pub fn on_system(mut self, system: &Arc<ActorSystem>) -> Self {
        self.system = Some(system.clone());
        self
    }
}

impl<A: Actor, F: Fn() -> A + Send + Sync + 'static> IntoFuture for PoolBuilder<A, F> {
    type Output = Result<Pool<A>, SpawnError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let PoolBuilder {
                size,
                factory,
                routing,
                worker_config,
                supervision,
                name,
                system,
            } = self;
            if size == 0 {
                return Err(SpawnError::InvalidConfig(
                    "a pool needs at least one worker".into(),
                ));
            }
            worker_config.validate()?;
            let (ready, workers) = oneshot::channel();
            let mut spawn = PoolSupervisor {
                factory: Arc::new(factory),
                size,
                worker_config,
                ready: Some(ready),
            }
            .spawn()
            .with_supervision(supervision);
            if let Some(name) = name {
                spawn = spawn.named(name);
            }
            if let Some(system) = &system {
                spawn = spawn.on_system(system);
            }
            let supervisor = spawn.await?;
            let workers = workers.await.map_err(|_| {
                SpawnError::Init(Box::new(ActorError::user(
                    "the pool supervisor stopped before its workers started",
                )))
            })?;
            Ok(Pool {
                shared: Arc::new(PoolShared {
                    supervisor,
                    workers,
                    router: Router::new(routing),
                }),
            })
        })
    }
}
