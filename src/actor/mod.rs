//! The [`Actor`] trait, and [`ActorExt::spawn`] to start one.

use std::future::Future;

pub mod context;
pub mod handle;
pub mod pool;
mod recipient;
pub mod runtime;
pub(crate) mod spawn;
pub mod supervision;

pub use recipient::Recipient;
pub use spawn::SpawnBuilder;

use crate::error::{ActorError, ActorResult};
use crate::types::{ChildEvent, StopReason, Terminated};
use context::ActorContext;

/// An actor: a struct that owns its state and handles one message type, one message at a time.
///
/// Only [`handle`](Actor::handle) is required. Every hook may be written as `async fn`; the
/// futures must be `Send`. Hooks run in this order:
///
/// | hook | status | when |
/// |---|---|---|
/// | `pre_start` | `Initializing` | first; `Err` aborts start-up (no other hook runs) |
/// | `on_started` | `Initializing` | after `pre_start`; `Err` aborts start-up |
/// | `handle` | `Running` | once per message, strictly sequentially |
/// | `pre_stop` | `Running` | on `Graceful`/`ParentRequest`; `false` vetoes the stop |
/// | `on_stopped` | `Stopping` | on every committed stop except `Kill` and start-up failures |
/// | `on_child_stopped` | `Running` | supervisors: a child ended |
/// | `handle_failure` | — | an `Err` from a message that was not a `send`; a panic in piped work or a stream |
///
/// A panic in any of them is caught and becomes [`ActorError::Panic`].
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorResult};
///
/// struct Greeter;
///
/// impl Actor for Greeter {
///     type Message = String;
///     type Response = String;
///
///     async fn handle(&mut self, name: String, _ctx: &mut ActorContext<Self>) -> ActorResult<String> {
///         Ok(format!("hello, {name}"))
///     }
/// }
/// ```
pub trait Actor: Sized + Send + 'static {
    /// The one message type this actor receives.
    type Message: Send + 'static;
    /// What [`handle`](Actor::handle) answers to a `send`.
    type Response: Send + 'static;

    /// First code to run, inside the actor's task. `Err` aborts start-up.
    fn pre_start(
        &mut self,
        ctx: &mut ActorContext<Self>,
    ) -> impl Future<Output = ActorResult<()>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Runs after a successful `pre_start`; the place to schedule timers, attach streams and
    /// spawn children. `Err` aborts start-up and tears down what it set up.
    fn on_started(
        &mut self,
        ctx: &mut ActorContext<Self>,
    ) -> impl Future<Output = ActorResult<()>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Handles one message. An `Err` answers a `send` caller and stops the actor; for every other
    /// source (`notify`, `ask`, timers, streams, piped results) it goes to
    /// [`handle_failure`](Actor::handle_failure).
    fn handle(
        &mut self,
        msg: Self::Message,
        ctx: &mut ActorContext<Self>,
    ) -> impl Future<Output = ActorResult<Self::Response>> + Send;

    /// Consulted for `Graceful` and `ParentRequest` stops; return `false` to veto.
    fn pre_stop(
        &mut self,
        reason: &StopReason,
        ctx: &mut ActorContext<Self>,
    ) -> impl Future<Output = bool> + Send {
        let _ = (reason, ctx);
        async { true }
    }

    /// Cleanup after a committed stop (not for `Kill` or start-up failures). An `Err` turns
    /// the reason reported to the parent into `Failure(e)`.
    fn on_stopped(
        &mut self,
        reason: &StopReason,
        ctx: &mut ActorContext<Self>,
    ) -> impl Future<Output = ActorResult<()>> + Send {
        let _ = (reason, ctx);
        async { Ok(()) }
    }

    /// Supervisors only: a child ended; `event.action` says what was done about it. An `Err` goes
    /// to [`handle_failure`](Actor::handle_failure).
    fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        ctx: &mut ActorContext<Self>,
    ) -> impl Future<Output = ActorResult<()>> + Send {
        let _ = (event, ctx);
        async { Ok(()) }
    }

    /// An actor this one [watches](ActorContext::watch) terminated for good. Runs once per
    /// watch, between two messages, ahead of queued mailbox messages (the notice travels on the
    /// system channel, so a full mailbox never delays or loses it). An `Err` goes to
    /// [`handle_failure`](Actor::handle_failure); a panic stops this actor with `Failure`.
    fn on_watched_stopped(
        &mut self,
        event: Terminated,
        ctx: &mut ActorContext<Self>,
    ) -> impl Future<Output = ActorResult<()>> + Send {
        let _ = (event, ctx);
        async { Ok(()) }
    }

    /// Receives errors that have no caller to go to: an `Err` from `handle` for a message from
    /// `notify`, a timer or a stream, a panic in a stream or in piped work (as
    /// [`ActorError::Panic`]), and an `Err` from `on_child_stopped`. The default ignores the
    /// error and the actor keeps handling messages; returning from here never stops it (a panic
    /// here does: `Failure(Panic)`). See the [guide](crate::guide::messaging) for the whole rule.
    fn handle_failure(&mut self, error: ActorError) {
        let _ = error;
    }
}

/// Adds [`spawn`](ActorExt::spawn) to every [`Actor`].
pub trait ActorExt: Actor + Sized {
    /// Starts building a spawn; nothing happens until the builder is awaited.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), tokio_actors::SpawnError> {
    /// let echo = Echo.spawn().await?;
    /// assert_eq!(echo.id().as_str().len(), 36); // anonymous: a UUID v4
    /// # Ok(()) }
    /// ```
    fn spawn(self) -> SpawnBuilder<Self> {
        SpawnBuilder::new(self)
    }
}

impl<T: Actor> ActorExt for T {}
