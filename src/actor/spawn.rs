//! [`SpawnBuilder`]: configure, then `.await` to start an actor.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use crate::actor::handle::ActorHandle;
use crate::actor::runtime::launch::{spawn_and_wait, LaunchSpec};
use crate::actor::runtime::ActorConfig;
use crate::actor::supervision::SupervisionConfig;
use crate::actor::Actor;
use crate::error::SpawnError;
use crate::system::ActorSystem;

/// Configures a spawn; awaiting it starts the actor and returns its handle once `pre_start`
/// and `on_started` have finished.
///
/// Calls are order-independent and the last call of each kind wins. The actor belongs to the
/// system given to [`on_system`](Self::on_system), else to [`ActorSystem::default()`], named or
/// not: that system's `shutdown` stops it.
///
/// **Giving up cancels the spawn.** Dropping the future before it resolved (a `timeout` that
/// elapsed, a `select!` that took another branch) kills the actor: `pre_start`/`on_started` is
/// cut off at its next `.await`, no `pre_stop`/`on_stopped` runs, the actor value is dropped and
/// the name is free again as soon as the kill took effect. Without this, nobody could ever
/// reach an anonymous actor whose spawn was abandoned. A future dropped before it was first
/// polled starts nothing at all.
///
/// Errors:
///
/// | error | when |
/// |---|---|
/// | `NameTaken { name, system }` | the name is registered in the target system |
/// | `InvalidConfig(_)` | an empty name, mailbox capacity 0 or too large, invalid backoff |
/// | `MissingRuntime` | awaited outside a Tokio runtime |
/// | `Init(e)` | `pre_start` or `on_started` failed or panicked |
///
/// ```
/// use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult, ActorSystem};
///
/// struct Store(Vec<String>);
/// impl Actor for Store {
///     type Message = String;
///     type Response = usize;
///     async fn handle(&mut self, item: String, _: &mut ActorContext<Self>) -> ActorResult<usize> {
///         self.0.push(item);
///         Ok(self.0.len())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::create("docs-spawn-builder")?;
/// let store = Store(Vec::new())
///     .spawn()
///     .named("store")
///     .on_system(&system)
///     .with_config(ActorConfig::default().with_mailbox_capacity(16))
///     .await?;
/// assert_eq!(store.mailbox_capacity(), 16);
/// assert!(system.get::<Store>("store").is_some());
/// # system.shutdown().await;
/// # Ok(()) }
/// ```
#[must_use = "nothing happens until the builder is awaited"]
pub struct SpawnBuilder<A: Actor> {
    actor: A,
    name: Option<String>,
    system: Option<Arc<ActorSystem>>,
    config: ActorConfig,
    supervision: Option<SupervisionConfig>,
}

impl<A: Actor> SpawnBuilder<A> {
    pub(crate) fn new(actor: A) -> Self {
        SpawnBuilder {
            actor,
            name: None,
            system: None,
            config: ActorConfig::default(),
            supervision: None,
        }
    }

    /// Names the actor: its id becomes the name, registered in the target system. The name must
    /// not be empty (`SpawnError::InvalidConfig`); leave `named` out for an anonymous actor.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, SpawnError};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let empty = Echo.spawn().named("").await;
    /// assert!(matches!(empty, Err(SpawnError::InvalidConfig(_))));
    /// # }
    /// ```
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Spawns into `system` instead of [`ActorSystem::default()`]: the actor belongs to it (its
    /// name, if any, is registered there) and its `shutdown` stops the actor, anonymous or not.
    pub fn on_system(mut self, system: &Arc<ActorSystem>) -> Self {
        self.system = Some(system.clone());
        self
    }

    /// Sets the mailbox (and supervision, unless `supervised`/`with_supervision` is also called).
    pub fn with_config(mut self, config: ActorConfig) -> Self {
        self.config = config;
        self
    }

    /// Makes the actor a supervisor with the default policy (OneForOne, 3 restarts in 5 s).
    pub fn supervised(self) -> Self {
        self.with_supervision(SupervisionConfig::default())
    }

    /// Makes the actor a supervisor with the given policy.
    pub fn with_supervision(mut self, supervision: SupervisionConfig) -> Self {
        self.supervision = Some(supervision);
        self
    }
}

impl<A: Actor> IntoFuture for SpawnBuilder<A> {
    type Output = Result<ActorHandle<A>, SpawnError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let SpawnBuilder {
                actor,
                name,
                system,
                mut config,
                supervision,
            } = self;
            if supervision.is_some() {
                config.supervision = supervision;
            }
            let spec = LaunchSpec {
                id: None,
                name,
                config,
                system: system.unwrap_or_else(ActorSystem::default),
                // Every actor belongs to its home system: its shutdown stops it.
                tracked: true,
                has_tracked_parent: false,
                incarnation: None,
                parent: None,
            };
            spawn_and_wait(actor, spec).await
        })
    }
}

/// Rejects an empty actor name (anonymous actors have no name at all, not an empty one).
pub(crate) fn validate_name(name: Option<&str>) -> Result<(), SpawnError> {
    match name {
        Some("") => Err(SpawnError::InvalidConfig(
            "an actor name must not be empty (leave the actor unnamed to make it anonymous)"
                .to_string(),
        )),
        _ => Ok(()),
    }
}
