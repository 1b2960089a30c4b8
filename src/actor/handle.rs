//! [`ActorHandle`]: the typed, cloneable address of one actor; [`ReplyTo`] ports and `ask`
//! live in the submodules `reply` and `ask`.

mod ask;
pub(crate) mod reply;

pub use reply::ReplyTo;

use std::any::Any;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::actor::runtime::core::{ActorControl, Core, SystemMsg};
use crate::actor::runtime::handover::Handover;
use crate::actor::runtime::lanes::Lanes;
use crate::actor::runtime::mailbox::{enqueue, try_enqueue, Envelope};
use crate::actor::Actor;
use crate::error::{ActorError, AskError, SendError, TrySendError};
use crate::types::{ActorId, ActorStatus, ActorStatusInfo, StopReason};

/// What a handle points at: the mailbox sender(s) and the shared core, in one allocation.
pub(crate) struct HandleInner<A: Actor> {
    pub(crate) mailbox: mpsc::Sender<Envelope<A>>,
    /// The priority lane (read before the mailbox), if configured; one word either way.
    pub(crate) priority: Option<mpsc::Sender<Envelope<A>>>,
    pub(crate) core: Core,
    /// A supervised child's receiving ends between two incarnations.
    parked: Handover<Box<Lanes<A>>>,
}

impl<A: Actor> HandleInner<A> {
    pub(crate) fn new(
        mailbox: mpsc::Sender<Envelope<A>>,
        priority: Option<mpsc::Sender<Envelope<A>>>,
        core: Core,
    ) -> Self {
        HandleInner {
            mailbox,
            priority,
            core,
            parked: Handover::default(),
        }
    }

    /// Keeps the receiving ends for the next incarnation. If the child already terminated
    /// for good, they are closed and drained instead.
    pub(crate) fn park(&self, lanes: Lanes<A>) {
        if let Some(mut lanes) = self.parked.park(Box::new(lanes), || self.core.is_alive()) {
            lanes.close_and_drain();
        }
    }

    /// The receiving ends for a new incarnation.
    pub(crate) fn unpark(&self) -> Option<Lanes<A>> {
        self.parked.take().map(|lanes| *lanes)
    }
}

impl<A: Actor> ActorControl for HandleInner<A> {
    fn core(&self) -> &Core {
        &self.core
    }

    fn terminate(&self, reason: StopReason) {
        if !self.core.mark_dead() {
            return;
        }
        // Dead first, then take: a `park` racing this closes what it parks itself.
        if let Some(mut lanes) = self.parked.take() {
            lanes.close_and_drain();
        }
        self.core.finish(reason);
    }

    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// The typed address of one actor. Cheap to clone (one reference count).
///
/// Handles compare and hash by actor identity: clones are equal, and two different actors never
/// are, even with equal names in two systems. Dropping every handle does not stop the actor.
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, StopReason};
///
/// struct Doubler;
/// impl Actor for Doubler {
///     type Message = i64;
///     type Response = i64;
///     async fn handle(&mut self, n: i64, _: &mut ActorContext<Self>) -> ActorResult<i64> {
///         Ok(n * 2)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let handle = Doubler.spawn().await?;
/// assert_eq!(handle.send(21).await?, 42);
/// assert_eq!(handle.clone(), handle);
/// handle.stop(StopReason::Graceful).await?;
/// # Ok(()) }
/// ```
///
/// # A supervised child's handle follows its restarts
///
/// A supervised child is one actor from the outside, whatever happens to its incarnations
/// inside. When its supervisor restarts it, the factory builds a fresh actor value, but the
/// child keeps its handle (every clone, wherever it is held), its id, its name registration,
/// its mailbox with the messages queued in it (the next incarnation handles them, in order),
/// its priority lane and its system channel. What does not carry over: the actor value's state,
/// its timers, streams and piped tasks (they belong to one incarnation), and the message whose
/// handling failed (it is not delivered again; a `send` caller got the error).
///
/// While a restart is pending (including a backoff delay) the handle accepts messages as usual,
/// within the mailbox bound, and a `send` waits for the next incarnation's answer;
/// [`get_status`](Self::get_status) answers `Restarting`; a [`stop`](Self::stop) applies to
/// the next incarnation. [`is_alive`](Self::is_alive), [`wait_stopped`](Self::wait_stopped) and
/// the release of the name mean "terminated for good": that happens only when the supervisor
/// removes the child (no restart decided, `stop_child`, restart budget exhausted, or the
/// supervisor itself stopped). An unsupervised actor's first stop is final.
///
/// ```
/// use tokio_actors::{
///     Actor, ActorContext, ActorError, ActorExt, ActorHandle, ActorResult, AskError, StopReason,
/// };
///
/// /// Counts requests; `false` makes it fail.
/// struct Worker { count: u32 }
/// impl Actor for Worker {
///     type Message = bool;
///     type Response = u32;
///     async fn handle(&mut self, ok: bool, _: &mut ActorContext<Self>) -> ActorResult<u32> {
///         if !ok {
///             return Err(ActorError::user("failed"));
///         }
///         self.count += 1;
///         Ok(self.count)
///     }
/// }
///
/// /// Starts the worker and hands out its handle.
/// struct Boss { worker: Option<ActorHandle<Worker>> }
/// impl Actor for Boss {
///     type Message = ();
///     type Response = Option<ActorHandle<Worker>>;
///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
///         self.worker = Some(ctx.spawn_child(|| Worker { count: 0 }).await?);
///         Ok(())
///     }
///     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
///         Ok(self.worker.clone())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let boss = Boss { worker: None }.spawn().supervised().await?;
/// let worker = boss.send(()).await?.expect("started in on_started");
/// assert_eq!(worker.send(true).await?, 1);
/// assert!(matches!(worker.send(false).await, Err(AskError::Actor(_)))); // this incarnation ends
/// // The same handle reaches the next incarnation: a fresh value, so the count starts again.
/// assert_eq!(worker.send(true).await?, 1);
/// assert_eq!(worker.get_status().await?.restarts, 1);
/// assert!(worker.is_alive());
/// // Only the supervisor's stop makes the worker terminate for good.
/// boss.stop(StopReason::Graceful).await?;
/// assert!(matches!(worker.wait_stopped().await, StopReason::ParentRequest));
/// assert!(!worker.is_alive());
/// # Ok(()) }
/// ```
pub struct ActorHandle<A: Actor> {
    pub(crate) inner: Arc<HandleInner<A>>,
}

impl<A: Actor> ActorHandle<A> {
    pub(crate) fn from_inner(inner: Arc<HandleInner<A>>) -> Self {
        ActorHandle { inner }
    }

    pub(crate) fn core(&self) -> &Core {
        &self.inner.core
    }

    pub(crate) fn control(&self) -> Arc<dyn ActorControl> {
        self.inner.clone()
    }

    /// Identifies the actor for the self-request check: the address of the shared inner that
    /// every handle of it (its own `self_handle` included) points at.
    pub(crate) fn address(&self) -> usize {
        Arc::as_ptr(&self.inner).cast::<()>() as usize
    }

    /// The actor's id: its name, or a UUID v4 for anonymous actors.
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
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let named = Echo.spawn().named("docs-handle-id").await?;
    /// assert_eq!(named.id().as_str(), "docs-handle-id");
    /// let anonymous = Echo.spawn().await?;
    /// assert_eq!(anonymous.id().as_str().len(), 36); // a UUID v4
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &ActorId {
        &self.inner.core.id
    }

    /// The configured mailbox capacity; never changes.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// assert_eq!(Echo.spawn().await?.mailbox_capacity(), 64); // the default
    /// let small = Echo
    ///     .spawn()
    ///     .with_config(ActorConfig::default().with_mailbox_capacity(8))
    ///     .await?;
    /// assert_eq!(small.mailbox_capacity(), 8);
    /// # Ok(()) }
    /// ```
    pub fn mailbox_capacity(&self) -> usize {
        self.inner.mailbox.max_capacity()
    }

    /// Messages accepted into the mailbox and not yet taken by the actor (the one being
    /// handled is not counted); 0 after termination.
    ///
    /// `mailbox_len() + mailbox_available() == mailbox_capacity()` always holds.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo
    ///     .spawn()
    ///     .with_config(ActorConfig::default().with_mailbox_capacity(4))
    ///     .await?;
    /// // On this single-threaded runtime the actor cannot run before we await: both stay queued.
    /// echo.try_notify(1)?;
    /// echo.try_notify(2)?;
    /// assert_eq!((echo.mailbox_len(), echo.mailbox_available()), (2, 2));
    /// assert_eq!(echo.mailbox_len() + echo.mailbox_available(), echo.mailbox_capacity());
    /// echo.send(3).await?; // handled after the two queued messages
    /// assert_eq!((echo.mailbox_len(), echo.mailbox_available()), (0, 4));
    /// # Ok(()) }
    /// ```
    pub fn mailbox_len(&self) -> usize {
        self.mailbox_capacity() - self.mailbox_available()
    }

    /// Free mailbox slots: `mailbox_capacity() - mailbox_len()` (example at
    /// [`mailbox_len`](Self::mailbox_len)).
    pub fn mailbox_available(&self) -> usize {
        if self.is_alive() {
            self.inner.mailbox.capacity().min(self.mailbox_capacity())
        } else {
            self.mailbox_capacity()
        }
    }

    /// `true` from spawn until the actor has terminated for good (also while starting and
    /// stopping); never flips back.
    ///
    /// For a supervised child, "for good" means its supervisor removed it (no restart decided,
    /// `stop_child`, restart budget exhausted, or the supervisor stopped): while a restart is
    /// pending, including a backoff delay, `is_alive()` stays `true` and the handle keeps
    /// accepting messages for the next incarnation (see the [type docs](ActorHandle)).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo.spawn().await?;
    /// assert!(echo.is_alive());
    /// echo.stop(StopReason::Graceful).await?; // accepted; the actor may still be stopping
    /// echo.wait_stopped().await;
    /// assert!(!echo.is_alive());
    /// # Ok(()) }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.inner.core.is_alive()
    }

    /// Enqueues a fire-and-forget message, waiting while the mailbox is full.
    ///
    /// A handler error for it goes to [`Actor::handle_failure`]. `Err(Closed)` if the actor is
    /// stopping or terminated, including while this call was waiting for space.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, SendError, StopReason};
    ///
    /// struct Counter(u64);
    /// impl Actor for Counter {
    ///     type Message = u64;
    ///     type Response = u64;
    ///     async fn handle(&mut self, add: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
    ///         self.0 += add;
    ///         Ok(self.0)
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let counter = Counter(0).spawn().await?;
    /// counter.notify(2).await?; // returns once queued, not once handled
    /// counter.notify(3).await?;
    /// assert_eq!(counter.send(0).await?, 5); // handled in order, after both notifications
    /// counter.stop(StopReason::Kill).await?;
    /// counter.wait_stopped().await;
    /// assert_eq!(counter.notify(1).await, Err(SendError::Closed));
    /// # Ok(()) }
    /// ```
    pub async fn notify(&self, msg: A::Message) -> Result<(), SendError> {
        self.enqueue(Envelope::tell(msg)).await
    }

    async fn enqueue(&self, envelope: Envelope<A>) -> Result<(), SendError> {
        enqueue(&self.inner.mailbox, envelope).await
    }

    /// The priority lane, or the mailbox for an actor without one.
    fn priority_or_mailbox(&self) -> &mpsc::Sender<Envelope<A>> {
        self.inner.priority.as_ref().unwrap_or(&self.inner.mailbox)
    }

    /// Enqueues a fire-and-forget message without waiting.
    ///
    /// `Err(Full)` when there is no free slot, `Err(Closed)` when the actor is stopping or
    /// terminated (`Closed` wins when both apply).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult};
    /// use tokio_actors::{StopReason, TrySendError};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo
    ///     .spawn()
    ///     .with_config(ActorConfig::default().with_mailbox_capacity(1))
    ///     .await?;
    /// // Single-threaded runtime: the actor cannot take the first message before we await.
    /// echo.try_notify(1)?;
    /// assert_eq!(echo.try_notify(2), Err(TrySendError::Full));
    /// echo.stop(StopReason::Kill).await?;
    /// echo.wait_stopped().await;
    /// assert_eq!(echo.try_notify(3), Err(TrySendError::Closed));
    /// # Ok(()) }
    /// ```
    pub fn try_notify(&self, msg: A::Message) -> Result<(), TrySendError> {
        try_enqueue(&self.inner.mailbox, Envelope::tell(msg))
    }

    /// Sends a request and waits for the handler's result.
    ///
    /// | outcome | result |
    /// |---|---|
    /// | handler returned `Ok(r)` | `Ok(r)` |
    /// | handler returned `Err(e)` or panicked (the actor then stops) | `Err(AskError::Actor(e))` |
    /// | could not enqueue | `Err(AskError::Send(SendError::Closed))` |
    /// | enqueued, never answered (stop, `Kill`, runtime shut down) | `Err(AskError::ResponseDropped)` |
    /// | called on the actor's own handle from inside its own hooks | `Err(AskError::SelfAsk)`, at once |
    ///
    /// A supervised child's restart does not drop a queued request: the next incarnation
    /// answers it (only the request whose handling failed gets that error).
    ///
    /// Never hangs once the actor has terminated. Only requests to oneself are detected; two
    /// actors that `send` to each other from their handlers wait for each other forever (see
    /// [`ask`](Self::ask) for ways out).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorError, ActorExt, ActorResult};
    /// use tokio_actors::{AskError, SendError, StopReason};
    ///
    /// struct Parser;
    /// impl Actor for Parser {
    ///     type Message = &'static str;
    ///     type Response = i32;
    ///     async fn handle(&mut self, text: &'static str, _: &mut ActorContext<Self>) -> ActorResult<i32> {
    ///         text.parse().map_err(|_| ActorError::user(format!("not a number: {text}")))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let parser = Parser.spawn().await?;
    /// assert_eq!(parser.send("42").await?, 42);
    /// let err = parser.send("forty-two").await.unwrap_err();
    /// assert!(matches!(err, AskError::Actor(ActorError::User(msg)) if msg.contains("forty-two")));
    /// // A failed request stops the actor with that error.
    /// assert!(matches!(parser.wait_stopped().await, StopReason::Failure(ActorError::User(_))));
    /// assert!(matches!(parser.send("7").await, Err(AskError::Send(SendError::Closed))));
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, msg: A::Message) -> Result<A::Response, AskError> {
        self.refuse_self_request()?;
        let (reply, response) = oneshot::channel();
        self.enqueue(Envelope::ask(msg, reply)).await?;
        Self::answer(response.await)
    }

    /// Enqueues a fire-and-forget message on the priority lane, waiting while the lane is full.
    ///
    /// Between two messages the actor takes every pending system item, then the oldest
    /// priority message, then the oldest mailbox message: this message overtakes every
    /// ordinary message not yet started (even ones this caller sent earlier), never the one in
    /// progress. FIFO within the lane. Errors, `handle_failure` routing and stop behaviour are
    /// those of [`notify`](Self::notify): `Err(Closed)` if the actor is stopping or terminated;
    /// queued priority messages are discarded at a stop.
    ///
    /// Without a lane ([`ActorConfig::with_priority_lane`](crate::ActorConfig::with_priority_lane)
    /// not set) this is exactly [`notify`](Self::notify).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult};
    ///
    /// struct Log(Vec<u32>);
    /// impl Actor for Log {
    ///     type Message = u32;
    ///     type Response = Vec<u32>;
    ///     async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<Vec<u32>> {
    ///         if n > 0 {
    ///             self.0.push(n);
    ///         }
    ///         Ok(self.0.clone())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = Log(Vec::new())
    ///     .spawn()
    ///     .with_config(ActorConfig::default().with_priority_lane(4))
    ///     .await?;
    /// // On this single-threaded runtime the actor does not run until we await a reply, so
    /// // all three messages are queued when it starts: the priority one goes first.
    /// log.notify(1).await?;
    /// log.notify(2).await?;
    /// log.notify_priority(3).await?;
    /// assert_eq!(log.send(0).await?, vec![3, 1, 2]);
    /// # Ok(()) }
    /// ```
    pub async fn notify_priority(&self, msg: A::Message) -> Result<(), SendError> {
        enqueue(self.priority_or_mailbox(), Envelope::tell(msg)).await
    }

    /// [`try_notify`](Self::try_notify) on the priority lane: never waits; `Err(Full)` when the
    /// lane has no free slot, `Err(Closed)` when the actor is stopping or terminated (`Closed`
    /// wins). Without a lane this is exactly [`try_notify`](Self::try_notify).
    pub fn try_notify_priority(&self, msg: A::Message) -> Result<(), TrySendError> {
        try_enqueue(self.priority_or_mailbox(), Envelope::tell(msg))
    }

    /// [`send`](Self::send) on the priority lane: waits for space in the lane, then for the
    /// handler's result, with the outcomes of `send` (a handler error stops the actor; a
    /// message discarded at a stop gives `ResponseDropped`). Ordering as
    /// [`notify_priority`](Self::notify_priority). Without a lane this is exactly
    /// [`send`](Self::send).
    pub async fn send_priority(&self, msg: A::Message) -> Result<A::Response, AskError> {
        self.refuse_self_request()?;
        let (reply, response) = oneshot::channel();
        enqueue(self.priority_or_mailbox(), Envelope::ask(msg, reply)).await?;
        Self::answer(response.await)
    }

    /// Priority messages accepted and not yet taken by the actor; 0 without a lane and after
    /// termination.
    pub fn priority_len(&self) -> usize {
        match &self.inner.priority {
            Some(lane) if self.is_alive() => {
                let capacity = lane.max_capacity();
                capacity - lane.capacity().min(capacity)
            }
            _ => 0,
        }
    }

    /// The configured priority lane capacity; 0 without a lane. Never changes.
    pub fn priority_capacity(&self) -> usize {
        self.inner
            .priority
            .as_ref()
            .map_or(0, |lane| lane.max_capacity())
    }

    /// Like [`send`](Self::send), with one deadline for the wait for space and the wait for the
    /// reply. On expiry: `AskError::Timeout { enqueued }`; `enqueued == false` means the
    /// message never entered the mailbox (safe to retry), `true` that it will still be handled.
    /// A timeout over about 30 years (up to `Duration::MAX`) is shortened to 30 years, which in
    /// practice means no limit; it never panics.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, AskError};
    ///
    /// /// Sleeps as long as it is told to, then answers.
    /// struct Sleeper;
    /// impl Actor for Sleeper {
    ///     type Message = Duration;
    ///     type Response = ();
    ///     async fn handle(&mut self, d: Duration, _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         tokio::time::sleep(d).await;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// // A paused clock: the sleeps below take no real time.
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sleeper = Sleeper.spawn().await?;
    /// let slow = sleeper.send_timeout(Duration::from_secs(60), Duration::from_secs(1)).await;
    /// assert!(matches!(slow, Err(AskError::Timeout { enqueued: true }))); // still handled
    /// // Queued behind the 60 s sleep: answered within a 2 min deadline.
    /// sleeper.send_timeout(Duration::ZERO, Duration::from_secs(120)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_timeout(
        &self,
        msg: A::Message,
        timeout: Duration,
    ) -> Result<A::Response, AskError> {
        self.refuse_self_request()?;
        let deadline = crate::clock::deadline_in(timeout);
        let (reply, response) = oneshot::channel();
        match tokio::time::timeout_at(deadline, self.enqueue(Envelope::ask(msg, reply))).await {
            Err(_) => return Err(AskError::Timeout { enqueued: false }),
            Ok(Err(_)) => return Err(AskError::Send(SendError::Closed)),
            Ok(Ok(())) => {}
        }
        match tokio::time::timeout_at(deadline, response).await {
            Ok(reply) => Self::answer(reply),
            Err(_) => Err(AskError::Timeout { enqueued: true }),
        }
    }

    /// What a `send` caller gets from the reply channel.
    fn answer(
        reply: Result<Result<A::Response, Box<ActorError>>, oneshot::error::RecvError>,
    ) -> Result<A::Response, AskError> {
        match reply {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(AskError::Actor(*e)),
            Err(_) => Err(AskError::ResponseDropped),
        }
    }

    /// Asks the actor to stop; resolves once the signal is accepted, not at termination (use
    /// [`wait_stopped`](Self::wait_stopped) for that), so an actor may stop itself.
    ///
    /// The signal travels on the system channel, ahead of queued messages, and works with a
    /// full mailbox. `StopReason::Kill` takes effect at the actor's next `.await`, even inside a
    /// handler. `Err(Closed)` after termination.
    ///
    /// For a supervised child, `stop` ends the current incarnation; whether the child comes
    /// back is its supervisor's decision (a `Permanent` child is restarted, as in Erlang/OTP).
    /// A stop sent while a restart is pending applies to the next incarnation. To remove a child
    /// for good, its supervisor calls
    /// [`ctx.stop_child`](crate::ActorContext::stop_child).
    ///
    /// `Graceful` (and `ParentRequest`) may be vetoed by [`Actor::pre_stop`]; `Kill` cannot:
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, SendError, StopReason};
    ///
    /// struct Stubborn;
    /// impl Actor for Stubborn {
    ///     type Message = ();
    ///     type Response = ();
    ///     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    ///     async fn pre_stop(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> bool {
    ///         false // veto every vetoable stop
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let actor = Stubborn.spawn().await?;
    /// actor.stop(StopReason::Graceful).await?; // accepted, then vetoed
    /// actor.send(()).await?; // stop signals go first, so the veto has happened by now
    /// assert!(actor.is_alive());
    /// actor.stop(StopReason::Kill).await?;
    /// assert!(matches!(actor.wait_stopped().await, StopReason::Kill));
    /// assert_eq!(actor.stop(StopReason::Kill).await, Err(SendError::Closed));
    /// # Ok(()) }
    /// ```
    pub async fn stop(&self, reason: StopReason) -> Result<(), SendError> {
        self.inner.core.request_stop(reason)
    }

    /// A status snapshot, answered between two messages ahead of queued mailbox messages.
    ///
    /// `Err(AskError::Send(Closed))` after termination; `Err(ResponseDropped)` if the actor
    /// terminates before serving it; `Err(SelfAsk)` from inside the actor's own hooks (it is
    /// served between messages, so the actor would wait for itself).
    ///
    /// Between two incarnations of a supervised child (its previous incarnation ended and the
    /// next one has not reached `Running` yet, including a backoff delay) the handle answers at
    /// once with [`ActorStatus::Restarting`]: `incarnation` is the latest one launched
    /// (counting from 1, so during a backoff it is still the one that ended), `restarts` is
    /// `incarnation - 1`, the mailbox fields show the messages waiting for the next
    /// incarnation, and the child, timer and stream counts are 0. An example is in the
    /// [type docs](ActorHandle).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult};
    /// use tokio_actors::{ActorStatus, AskError, SendError, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo
    ///     .spawn()
    ///     .named("docs-get-status")
    ///     .with_config(ActorConfig::default().with_mailbox_capacity(1))
    ///     .await?;
    /// echo.try_notify(1)?; // the mailbox is now full
    /// let info = echo.get_status().await?; // still answered, ahead of the queued message
    /// assert_eq!(info.status, ActorStatus::Running);
    /// assert_eq!(info.name.as_deref(), Some("docs-get-status"));
    /// assert_eq!((info.mailbox_len, info.mailbox_capacity), (1, 1));
    /// echo.stop(StopReason::Kill).await?;
    /// echo.wait_stopped().await;
    /// assert!(matches!(echo.get_status().await, Err(AskError::Send(SendError::Closed))));
    /// # Ok(()) }
    /// ```
    pub async fn get_status(&self) -> Result<ActorStatusInfo, AskError> {
        self.refuse_self_request()?;
        if self.inner.core.is_restarting() && self.is_alive() {
            return Ok(self.restarting_status());
        }
        let (reply, response) = oneshot::channel();
        self.inner.core.send_system(SystemMsg::Status(reply))?;
        response.await.map_err(|_| AskError::ResponseDropped)
    }

    /// Resolves once the actor has terminated for good and its actor value has been dropped,
    /// with the final reason (as its parent sees it). Resolves at once if already terminated.
    ///
    /// For a supervised child, an incarnation that its supervisor restarts does not resolve it:
    /// it resolves when the supervisor removes the child (no restart decided, `stop_child`,
    /// restart budget exhausted, or the supervisor stopped), with the reason of the last
    /// incarnation; by then the mailbox is closed and the name released.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult};
    /// use tokio_actors::{ActorError, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo.spawn().await?;
    /// echo.stop(StopReason::Failure(ActorError::user("shutting down"))).await?;
    /// let reason = echo.wait_stopped().await;
    /// assert!(matches!(reason, StopReason::Failure(ActorError::User(m)) if m == "shutting down"));
    /// assert!(!echo.is_alive());
    /// assert!(matches!(echo.wait_stopped().await, StopReason::Failure(_))); // again: at once
    /// # Ok(()) }
    /// ```
    pub async fn wait_stopped(&self) -> StopReason {
        self.inner.core.wait_exit().await
    }
}

impl<A: Actor> ActorHandle<A> {
    /// The snapshot of a supervised child between two incarnations, answered by the handle.
    fn restarting_status(&self) -> ActorStatusInfo {
        let core = &self.inner.core;
        let (incarnation, restarts) = core.incarnation_counts();
        ActorStatusInfo {
            id: core.id.clone(),
            name: core.name().cloned(),
            status: ActorStatus::Restarting,
            mailbox_len: self.mailbox_len(),
            mailbox_capacity: self.mailbox_capacity(),
            priority_len: self.priority_len(),
            priority_capacity: self.priority_capacity(),
            child_count: 0,
            timer_count: 0,
            stream_count: 0,
            incarnation,
            restarts,
        }
    }
}

impl<A: Actor> Clone for ActorHandle<A> {
    fn clone(&self) -> Self {
        ActorHandle {
            inner: self.inner.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for ActorHandle<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorHandle")
            .field("id", self.id())
            .field("alive", &self.is_alive())
            .finish()
    }
}

/// Handles compare by actor identity: clones (and, for a supervised child, handles obtained
/// before and after a restart) are equal; two different actors never are, even with equal
/// names in two systems.
impl<A: Actor> PartialEq for ActorHandle<A> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<A: Actor> Eq for ActorHandle<A> {}

impl<A: Actor> Hash for ActorHandle<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.inner), state);
    }
}
