//! [`ActorSystem`]: a process-wide name registry with typed lookup and coordinated shutdown.
//!
//! A system is a registry, not a runtime: actors run on whichever Tokio runtime awaited their
//! spawn. Every actor belongs to one system (the one given to `on_system`, else the default
//! system; a child to its supervisor's): the system knows the named ones by name, and
//! [`shutdown`](ActorSystem::shutdown) stops them all, anonymous ones included, escalating to
//! `Kill`.

mod group;
mod registry;
mod shutdown;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::actor::handle::ActorHandle;
use crate::actor::runtime::core::{lock, ActorControl};
use crate::actor::Actor;
use crate::error::{SendError, SpawnError};
use crate::types::{ActorId, StopReason};

pub use group::{BroadcastReport, Group};
pub(crate) use registry::Registration;
use registry::Registry;

/// The name reserved for [`ActorSystem::default()`].
const DEFAULT_SYSTEM: &str = "default";

/// How a system shuts down.
#[derive(Debug, Clone, Default)]
pub struct SystemConfig {
    /// The policy [`ActorSystem::shutdown`] uses.
    pub shutdown_policy: ShutdownPolicy,
}

/// Timeouts of a shutdown: each root actor gets `per_actor_timeout` to stop gracefully before
/// it is killed, and the whole call `timeout` (plus a kill grace of at most 100 ms). Timeouts
/// over about 30 years (up to `Duration::MAX`) are shortened to 30 years: in practice no limit.
#[derive(Debug, Clone)]
pub struct ShutdownPolicy {
    /// Upper bound for the whole shutdown.
    pub timeout: Duration,
    /// How long one root may take to stop gracefully before it is killed.
    pub per_actor_timeout: Duration,
}

impl Default for ShutdownPolicy {
    fn default() -> Self {
        ShutdownPolicy {
            timeout: Duration::from_secs(30),
            per_actor_timeout: Duration::from_secs(5),
        }
    }
}

/// What a shutdown did to each root actor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Terminated without being killed by this shutdown.
    pub graceful: Vec<ActorId>,
    /// Terminated after this shutdown killed it.
    pub killed: Vec<ActorId>,
    /// Still not terminated when the shutdown returned (code that never yields).
    pub unresponsive: Vec<ActorId>,
}

/// A named registry of actors. See the [module docs](self).
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
///
/// struct Cache;
/// impl Actor for Cache {
///     type Message = ();
///     type Response = ();
///     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::create("docs-system")?;
/// Cache.spawn().named("cache").on_system(&system).await?;
/// let cache = system.get::<Cache>("cache").expect("registered");
/// assert_eq!(system.registered(), vec!["cache".to_string()]);
/// let report = system.shutdown().await;
/// assert_eq!(report.graceful, vec![cache.id().clone()]);
/// assert!(system.registered().is_empty());
/// # Ok(()) }
/// ```
pub struct ActorSystem {
    name: String,
    config: SystemConfig,
    registry: Mutex<Registry>,
    groups: group::Groups,
}

fn systems() -> &'static Mutex<HashMap<String, Arc<ActorSystem>>> {
    static SYSTEMS: OnceLock<Mutex<HashMap<String, Arc<ActorSystem>>>> = OnceLock::new();
    SYSTEMS.get_or_init(Default::default)
}

impl ActorSystem {
    fn new(name: String, config: SystemConfig) -> Arc<Self> {
        Arc::new(ActorSystem {
            name,
            config,
            registry: Mutex::new(Registry::default()),
            groups: group::Groups::default(),
        })
    }

    /// The process-wide system named `"default"`, created on first use; the same `Arc` every time.
    ///
    /// Actors spawned without [`on_system`](crate::SpawnBuilder::on_system) belong here: named
    /// ones register their name here, and its `shutdown` stops them all, anonymous ones too.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Cache;
    /// # impl Actor for Cache {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// assert!(Arc::ptr_eq(&ActorSystem::default(), &ActorSystem::default()));
    /// assert_eq!(ActorSystem::default().name(), "default");
    /// Cache.spawn().named("docs-default-cache").await?;
    /// assert!(ActorSystem::default().get::<Cache>("docs-default-cache").is_some());
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn default() -> Arc<ActorSystem> {
        static DEFAULT: OnceLock<Arc<ActorSystem>> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                let system = ActorSystem::new(DEFAULT_SYSTEM.to_string(), SystemConfig::default());
                lock(systems()).insert(DEFAULT_SYSTEM.to_string(), system.clone());
                system
            })
            .clone()
    }

    /// Creates a system with the default shutdown policy. Names are process-global:
    /// `SystemNameTaken` if it exists; `"default"` is reserved; an empty name is
    /// `InvalidConfig`.
    ///
    /// ```
    /// use tokio_actors::{ActorSystem, SpawnError};
    ///
    /// let system = ActorSystem::create("docs-create")?;
    /// assert_eq!(system.name(), "docs-create");
    /// let taken = ActorSystem::create("docs-create");
    /// assert!(matches!(taken, Err(SpawnError::SystemNameTaken(name)) if name == "docs-create"));
    /// assert!(matches!(ActorSystem::create("default"), Err(SpawnError::SystemNameTaken(_))));
    /// assert!(matches!(ActorSystem::create(""), Err(SpawnError::InvalidConfig(_))));
    /// # Ok::<(), SpawnError>(())
    /// ```
    pub fn create(name: impl Into<String>) -> Result<Arc<ActorSystem>, SpawnError> {
        Self::create_with(name, SystemConfig::default())
    }

    /// Creates a system with the given config (see [`create`](Self::create)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{ActorSystem, ShutdownPolicy, SystemConfig};
    ///
    /// let policy = ShutdownPolicy {
    ///     per_actor_timeout: Duration::from_secs(1),
    ///     ..ShutdownPolicy::default() // timeout: 30 s
    /// };
    /// let config = SystemConfig { shutdown_policy: policy };
    /// let system = ActorSystem::create_with("docs-create-with", config)?;
    /// assert_eq!(system.name(), "docs-create-with");
    /// # Ok::<(), tokio_actors::SpawnError>(())
    /// ```
    pub fn create_with(
        name: impl Into<String>,
        config: SystemConfig,
    ) -> Result<Arc<ActorSystem>, SpawnError> {
        let name = name.into();
        if name.is_empty() {
            return Err(SpawnError::InvalidConfig(
                "an actor system name must not be empty".to_string(),
            ));
        }
        let mut all = lock(systems());
        if name == DEFAULT_SYSTEM || all.contains_key(&name) {
            return Err(SpawnError::SystemNameTaken(name));
        }
        let system = ActorSystem::new(name.clone(), config);
        all.insert(name, system.clone());
        Ok(system)
    }

    /// The system's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The live handle registered under `name`; `None` if absent or of another actor type.
    ///
    /// A supervised child's name stays registered across its restarts (there is no moment in
    /// which it is missing), and this returns the same handle before and after a restart. The
    /// name is released when the actor terminates for good.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Cache;
    /// # impl Actor for Cache {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    /// # struct Other;
    /// # impl Actor for Other {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-get")?;
    /// let cache = Cache.spawn().named("docs-get-cache").on_system(&system).await?;
    /// assert_eq!(system.get::<Cache>("docs-get-cache"), Some(cache));
    /// assert!(system.get::<Other>("docs-get-cache").is_none()); // registered with another actor type
    /// assert!(system.get::<Cache>("nobody").is_none());
    /// # Ok(()) }
    /// ```
    pub fn get<A: Actor>(&self, name: &str) -> Option<ActorHandle<A>> {
        let control = lock(&self.registry).named(name)?;
        control
            .as_any()
            .downcast()
            .ok()
            .map(ActorHandle::from_inner)
    }

    /// Sends `Graceful` (vetoable) to the actor registered under `name`; resolves like
    /// [`ActorHandle::stop`]. `Err(Closed)` if the name is not registered.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// use tokio_actors::{SendError, StopReason};
    /// # struct Cache;
    /// # impl Actor for Cache {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-system-stop")?;
    /// let cache = Cache.spawn().named("docs-stop-cache").on_system(&system).await?;
    /// system.stop("docs-stop-cache").await?;
    /// assert!(matches!(cache.wait_stopped().await, StopReason::Graceful));
    /// assert_eq!(system.stop("docs-stop-cache").await, Err(SendError::Closed)); // no longer registered
    /// # Ok(()) }
    /// ```
    pub async fn stop(&self, name: &str) -> Result<(), SendError> {
        self.signal(name, StopReason::Graceful)
    }

    /// Sends `Kill` to the actor registered under `name`. `Err(Closed)` if not registered.
    ///
    /// `Kill` cannot be vetoed and takes effect at the actor's next `.await`, even in a handler:
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem, StopReason};
    ///
    /// struct Stuck;
    /// impl Actor for Stuck {
    ///     type Message = ();
    ///     type Response = ();
    ///     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         std::future::pending::<()>().await; // never finishes
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-system-kill")?;
    /// let stuck = Stuck.spawn().named("docs-kill-stuck").on_system(&system).await?;
    /// stuck.notify(()).await?;
    /// system.kill("docs-kill-stuck").await?;
    /// assert!(matches!(stuck.wait_stopped().await, StopReason::Kill));
    /// assert!(system.registered().is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn kill(&self, name: &str) -> Result<(), SendError> {
        self.signal(name, StopReason::Kill)
    }

    fn signal(&self, name: &str, reason: StopReason) -> Result<(), SendError> {
        let control = lock(&self.registry).named(name).ok_or(SendError::Closed)?;
        control.core().request_stop(reason)
    }

    /// Names currently registered (children included), in no particular order. Anonymous
    /// actors are not listed, though the system stops them too.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Cache;
    /// # impl Actor for Cache {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-registered")?;
    /// Cache.spawn().named("docs-registered-b").on_system(&system).await?;
    /// Cache.spawn().named("docs-registered-a").on_system(&system).await?;
    /// Cache.spawn().on_system(&system).await?; // belongs to the system, but has no name
    /// let mut names = system.registered();
    /// names.sort();
    /// assert_eq!(names, ["docs-registered-a", "docs-registered-b"]);
    /// # Ok(()) }
    /// ```
    pub fn registered(&self) -> Vec<String> {
        lock(&self.registry).names()
    }

    /// The process group `name` for messages of type `M` in this system, created empty on first
    /// use. A group is identified by its name and its message type: the same name with two
    /// message types is two groups. See [`Group`] for its rules.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, m: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-system-group")?;
    /// let echo = Echo.spawn().await?;
    /// system.group::<u64>("jobs").join(echo.recipient());
    /// assert_eq!(system.group::<u64>("jobs").members().len(), 1); // the same group
    /// assert!(system.group::<u32>("jobs").members().is_empty()); // another message type
    /// # Ok(()) }
    /// ```
    pub fn group<M: Clone + Send + 'static>(&self, name: &str) -> Group<M> {
        self.groups.get(name)
    }

    /// Stops every actor of the system with the system's policy; see
    /// [`shutdown_with`](Self::shutdown_with).
    pub async fn shutdown(&self) -> ShutdownReport {
        self.shutdown_with(self.config.shutdown_policy.clone())
            .await
    }

    /// Stops every root actor of the system (one without a supervisor), newest first: `Graceful`, then `Kill` after
    /// `per_actor_timeout` (or at once once `timeout` has passed). Supervisors stop their own
    /// children. Returns when all have terminated, or at the latest `timeout` + 100 ms.
    /// Calling it from inside an actor of the same system waits for itself (usage error).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// use tokio_actors::{ShutdownPolicy, StopReason};
    /// # struct Cache;
    /// # impl Actor for Cache {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    ///
    /// struct Stubborn;
    /// impl Actor for Stubborn {
    ///     type Message = ();
    ///     type Response = ();
    ///     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    ///     async fn pre_stop(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> bool {
    ///         false // vetoes `Graceful`
    ///     }
    /// }
    ///
    /// // A paused clock: the 1 s grace period takes no real time.
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-shutdown-with")?;
    /// let cache = Cache.spawn().named("docs-shutdown-cache").on_system(&system).await?;
    /// let stubborn = Stubborn.spawn().named("docs-shutdown-stubborn").on_system(&system).await?;
    /// let policy = ShutdownPolicy {
    ///     timeout: Duration::from_secs(10),
    ///     per_actor_timeout: Duration::from_secs(1),
    /// };
    /// let report = system.shutdown_with(policy).await;
    /// assert_eq!(report.graceful, [cache.id().clone()]);
    /// assert_eq!(report.killed, [stubborn.id().clone()]); // vetoed, killed after 1 s
    /// assert!(report.unresponsive.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn shutdown_with(&self, policy: ShutdownPolicy) -> ShutdownReport {
        let roots = lock(&self.registry).roots_newest_first();
        shutdown::stop_roots(roots, &policy).await
    }

    /// Registers a tracked incarnation (named ones under their name, atomically).
    pub(crate) fn register(
        self: &Arc<Self>,
        control: Arc<dyn ActorControl>,
        has_tracked_parent: bool,
    ) -> Result<Registration, SpawnError> {
        let key = lock(&self.registry)
            .insert(control, !has_tracked_parent)
            .map_err(|name| SpawnError::NameTaken {
                name,
                system: self.name.clone(),
            })?;
        Ok(Registration {
            system: self.clone(),
            key,
        })
    }

    pub(crate) fn release(&self, key: u64) {
        lock(&self.registry).remove(key);
    }
}

impl fmt::Debug for ActorSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorSystem")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
