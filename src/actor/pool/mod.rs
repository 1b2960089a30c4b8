//! [`Pool`]: N identical workers behind one address, under one supervisor.
//!
//! A pool is a private supervisor actor whose children are the workers, plus a router that
//! picks a worker for each message on the caller's side (no dispatcher actor in the path, so a
//! pool dispatch costs one routing decision on top of a direct `notify`/`send` to the worker).
//!
//! - [`builder`]: configuration and start-up.
//! - [`routing`]: the routing rules, as pure functions.
//! - `supervisor`: the supervisor actor that starts the workers.
//!
//! A pool bounds concurrency: each worker handles one message at a time, so a pool of 4 has at
//! most 4 messages in progress (for example, at most 4 calls to an external service in flight),
//! and a full worker mailbox makes callers wait.

pub mod builder;
pub mod routing;
mod supervisor;

use std::fmt;
use std::sync::Arc;

pub use builder::PoolBuilder;
pub use routing::Routing;

use crate::actor::handle::ActorHandle;
use crate::actor::Actor;
use crate::error::{AskError, SendError};
use crate::types::StopReason;
use routing::Router;
use supervisor::PoolSupervisor;

/// What every clone of a pool shares.
struct PoolShared<A: Actor> {
    supervisor: ActorHandle<PoolSupervisor<A>>,
    workers: Vec<ActorHandle<A>>,
    router: Router<A::Message>,
}

/// A fixed number of identical workers of actor type `A`, addressed as one.
///
/// Each message goes to one worker chosen by the pool's [`Routing`]; `notify` and `send` then
/// behave exactly as the chosen worker's handle (a full worker makes `notify` wait, a handler
/// error answers the `send` caller). The workers are children of one supervisor (one-for-one
/// by default): a worker that fails is restarted by it, and its handle stays the same, so
/// callers never see the restart. Cheap to clone.
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorResult, Pool, StopReason};
///
/// /// Stands for a client of a slow service: one call at a time per worker.
/// struct Fetcher;
/// impl Actor for Fetcher {
///     type Message = String;
///     type Response = usize;
///     async fn handle(&mut self, url: String, _: &mut ActorContext<Self>) -> ActorResult<usize> {
///         Ok(url.len())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = Pool::builder(4, || Fetcher).await?; // at most 4 calls in flight
/// assert_eq!(pool.send("https://example.com".to_string()).await?, 19);
/// pool.stop(StopReason::Graceful).await?;
/// pool.wait_stopped().await;
/// assert!(pool.workers().iter().all(|w| !w.is_alive()));
/// # Ok(()) }
/// ```
pub struct Pool<A: Actor> {
    shared: Arc<PoolShared<A>>,
}

impl<A: Actor> Pool<A> {
    /// Starts configuring a pool of `size` workers, each built by `factory` (also on every
    /// restart). See [`PoolBuilder`] for the settings; await it to start the pool.
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
    /// let pool = Pool::builder(2, || Worker).await?;
    /// assert_eq!(pool.workers().len(), 2);
    /// assert!(Pool::builder(0, || Worker).await.is_err()); // at least one worker
    /// # Ok(()) }
    /// ```
    pub fn builder<F: Fn() -> A + Send + Sync + 'static>(
        size: usize,
        factory: F,
    ) -> PoolBuilder<A, F> {
        PoolBuilder::new(size, factory)
    }

    /// Routes `msg` to a worker and enqueues it there as a fire-and-forget message, waiting
    /// while that worker's mailbox is full (it does not try another worker). `Err(Closed)` if
    /// the chosen worker is stopping or terminated (the pool stopped).
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
    /// let pool = Pool::builder(2, || Worker).await?; // round-robin
    /// pool.notify(1).await?;
    /// pool.notify(2).await?;
    /// // Single-threaded runtime: nothing was handled yet, one message per worker.
    /// assert!(pool.workers().iter().all(|w| w.mailbox_len() == 1));
    /// # Ok(()) }
    /// ```
    pub async fn notify(&self, msg: A::Message) -> Result<(), SendError> {
        self.route(&msg).notify(msg).await
    }

    /// Routes `msg` to a worker and waits for its handler's result, with the outcomes of
    /// [`ActorHandle::send`]. A handler error or panic answers this caller with
    /// `AskError::Actor`; the worker is then restarted by the pool's supervisor.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool, Routing};
    /// struct Shard(u64);
    /// impl Actor for Shard {
    ///     type Message = u64;
    ///     type Response = u64;
    ///     async fn handle(&mut self, _: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
    ///         self.0 += 1;
    ///         Ok(self.0)
    ///     }
    /// }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // Equal keys reach the same worker, so its count keeps growing.
    /// let pool = Pool::builder(4, || Shard(0)).routing(Routing::KeyHash(|k| *k)).await?;
    /// assert_eq!(pool.send(7).await?, 1);
    /// assert_eq!(pool.send(7).await?, 2);
    /// assert_eq!(pool.send(7).await?, 3);
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, msg: A::Message) -> Result<A::Response, AskError> {
        self.route(&msg).send(msg).await
    }

    /// The workers' handles, in pool order (the order routing indexes them).
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
    /// let pool = Pool::builder(3, || Worker).await?;
    /// let workers = pool.workers();
    /// assert_eq!(workers.len(), 3);
    /// assert_eq!(workers[1].send(5).await?, 5); // a worker can be addressed directly
    /// # Ok(()) }
    /// ```
    pub fn workers(&self) -> Vec<ActorHandle<A>> {
        self.shared.workers.clone()
    }

    /// Stops the pool: `reason` goes to the supervisor, which stops every worker first. Resolves
    /// once the signal is accepted; `Err(Closed)` if the pool has already stopped. A vetoable
    /// reason may be vetoed by a worker's `pre_stop` only as far as that worker is concerned.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool, SendError, StopReason};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(n) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = Pool::builder(2, || Worker).await?;
    /// pool.stop(StopReason::Graceful).await?;
    /// pool.wait_stopped().await;
    /// assert_eq!(pool.stop(StopReason::Graceful).await, Err(SendError::Closed));
    /// assert_eq!(pool.notify(1).await, Err(SendError::Closed));
    /// # Ok(()) }
    /// ```
    pub async fn stop(&self, reason: StopReason) -> Result<(), SendError> {
        self.shared.supervisor.stop(reason).await
    }

    /// Resolves once the pool's supervisor (and so every worker) has terminated, with the
    /// supervisor's final reason, e.g. a `Failure` when the restart budget ran out.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorResult, Pool, StopReason};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = u64;
    /// #     type Response = u64;
    /// #     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> { Ok(n) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = Pool::builder(2, || Worker).await?;
    /// pool.stop(StopReason::Kill).await?;
    /// assert!(matches!(pool.wait_stopped().await, StopReason::Kill));
    /// # Ok(()) }
    /// ```
    pub async fn wait_stopped(&self) -> StopReason {
        self.shared.supervisor.wait_stopped().await
    }

    /// The worker the router picks for `msg`.
    fn route(&self, msg: &A::Message) -> &ActorHandle<A> {
        let workers = &self.shared.workers;
        let i = self
            .shared
            .router
            .pick(msg, workers.len(), |i| workers[i].mailbox_len());
        &workers[i]
    }
}

impl<A: Actor> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Pool {
            shared: self.shared.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for Pool<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("supervisor", self.shared.supervisor.id())
            .field("workers", &self.shared.workers.len())
            .finish()
    }
}
