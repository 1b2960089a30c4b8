//! [`Recipient`]: "something that accepts `M`", whatever actor type is behind it.
//!
//! A handle is typed by the receiving actor, so handles of two actor types cannot share a
//! collection. A recipient erases the actor type: it points at the same shared allocation as the
//! handle (no second allocation, no forwarding task) through a trait object whose methods convert
//! `M` into the actor's message with `From` and enqueue it exactly as the handle would.
//!
//! Cost model: `notify` is one virtual call, one conversion and one non-waiting enqueue on the
//! common path; only a full mailbox builds (and boxes) a waiting future. `try_notify` never
//! allocates. Identity (equality, hashing) is the address of the shared allocation, so clones
//! of one actor's recipient are equal and two actors never are.

use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::actor::handle::{ActorHandle, HandleInner};
use crate::actor::runtime::core::ActorControl;
use crate::actor::runtime::mailbox::{try_enqueue, Envelope};
use crate::actor::Actor;
use crate::error::{SendError, TrySendError};
use crate::types::{ActorId, StopReason};

/// A boxed future borrowed from the recipient (only built on slow paths).
type Waiting<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The outcome of a delivery attempt that may still have to wait for space.
enum Attempt<'a> {
    /// Delivered or refused without waiting.
    Done(Result<(), SendError>),
    /// The mailbox was full: this future waits for space.
    Wait(Waiting<'a, Result<(), SendError>>),
}

/// What a recipient can do with the actor behind it, whatever its type.
trait Deliver<M>: Send + Sync {
    fn id(&self) -> &ActorId;
    fn is_alive(&self) -> bool;
    fn notify(&self, msg: M) -> Attempt<'_>;
    fn try_notify(&self, msg: M) -> Result<(), TrySendError>;
    fn wait_stopped(&self) -> Waiting<'_, StopReason>;
}

impl<A, M> Deliver<M> for HandleInner<A>
where
    A: Actor,
    A::Message: From<M>,
    M: Send + 'static,
{
    fn id(&self) -> &ActorId {
        &self.core().id
    }

    fn is_alive(&self) -> bool {
        self.core().is_alive()
    }

    fn notify(&self, msg: M) -> Attempt<'_> {
        // The handle's enqueue rule: a non-waiting attempt first, a waiting send only when full.
        match self.mailbox.try_send(Envelope::tell(A::Message::from(msg))) {
            Ok(()) => Attempt::Done(Ok(())),
            Err(mpsc::error::TrySendError::Closed(_)) => Attempt::Done(Err(SendError::Closed)),
            Err(mpsc::error::TrySendError::Full(envelope)) => Attempt::Wait(Box::pin(async move {
                self.mailbox
                    .send(envelope)
                    .await
                    .map_err(|_| SendError::Closed)
            })),
        }
    }

    fn try_notify(&self, msg: M) -> Result<(), TrySendError> {
        try_enqueue(&self.mailbox, Envelope::tell(A::Message::from(msg)))
    }

    fn wait_stopped(&self) -> Waiting<'_, StopReason> {
        Box::pin(self.core().wait_exit())
    }
}

/// A cloneable address of "an actor that accepts `M`", whatever the actor's type.
///
/// Get one from [`ActorHandle::recipient`]; any actor whose message type implements
/// `From<M>` qualifies, so actors of different types can sit in one collection. Sending
/// converts with `From` and behaves exactly like the handle's
/// [`notify`](ActorHandle::notify)/[`try_notify`](ActorHandle::try_notify): the same mailbox,
/// so the same ordering, backpressure and errors. There is no `send`: a recipient does not know
/// the actor's response type.
///
/// Recipients compare and hash by actor identity: every recipient (of any `M`) and every handle
/// of one actor refer to the same actor; recipients of two different actors are never equal,
/// even when their names are.
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, Recipient};
///
/// #[derive(Clone)]
/// struct Tick;
///
/// struct Clock(u32);
/// impl Actor for Clock {
///     type Message = Tick;
///     type Response = u32;
///     async fn handle(&mut self, _: Tick, _: &mut ActorContext<Self>) -> ActorResult<u32> {
///         self.0 += 1;
///         Ok(self.0)
///     }
/// }
///
/// enum AuditMsg { Tick(Tick), Count }
/// impl From<Tick> for AuditMsg {
///     fn from(t: Tick) -> Self { AuditMsg::Tick(t) }
/// }
///
/// struct Audit(u32);
/// impl Actor for Audit {
///     type Message = AuditMsg;
///     type Response = u32;
///     async fn handle(&mut self, m: AuditMsg, _: &mut ActorContext<Self>) -> ActorResult<u32> {
///         if let AuditMsg::Tick(_) = m { self.0 += 1 }
///         Ok(self.0)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let clock = Clock(0).spawn().await?;
/// let audit = Audit(0).spawn().await?;
/// // Two actor types, one collection.
/// let listeners: Vec<Recipient<Tick>> = vec![clock.recipient(), audit.recipient()];
/// for listener in &listeners {
///     listener.notify(Tick).await?;
/// }
/// assert_eq!(clock.send(Tick).await?, 2);
/// assert_eq!(audit.send(AuditMsg::Count).await?, 1);
/// assert_eq!(listeners[0], clock.recipient()); // identity
/// # Ok(()) }
/// ```
pub struct Recipient<M> {
    inner: Arc<dyn Deliver<M>>,
}

impl<A: Actor> ActorHandle<A> {
    /// A type-erased [`Recipient`] of this actor that accepts `M` and converts it with `From`.
    /// Cheap: one reference count, no task.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, Recipient};
    ///
    /// struct Total(u64);
    /// impl Actor for Total {
    ///     type Message = u64;
    ///     type Response = u64;
    ///     async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
    ///         self.0 += n;
    ///         Ok(self.0)
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let total = Total(0).spawn().await?;
    /// let small: Recipient<u8> = total.recipient(); // u64: From<u8>
    /// small.notify(7).await?;
    /// assert_eq!(total.send(0).await?, 7);
    /// assert_eq!(small.id(), total.id());
    /// # Ok(()) }
    /// ```
    pub fn recipient<M>(&self) -> Recipient<M>
    where
        A::Message: From<M>,
        M: Send + 'static,
    {
        Recipient {
            inner: self.inner.clone(),
        }
    }
}

impl<M: 'static> Recipient<M> {
    /// The actor's id (its name, or a UUID v4 for anonymous actors).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, Recipient};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo.spawn().named("docs-recipient-id").await?;
    /// let recipient: Recipient<u32> = echo.recipient();
    /// assert_eq!(recipient.id().as_str(), "docs-recipient-id");
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &ActorId {
        self.inner.id()
    }

    /// `true` until the actor has terminated; the same answer as the handle's
    /// [`is_alive`](ActorHandle::is_alive).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, Recipient, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo.spawn().await?;
    /// let recipient: Recipient<u32> = echo.recipient();
    /// assert!(recipient.is_alive());
    /// echo.stop(StopReason::Graceful).await?;
    /// recipient.wait_stopped().await;
    /// assert!(!recipient.is_alive());
    /// # Ok(()) }
    /// ```
    pub fn is_alive(&self) -> bool {
        self.inner.is_alive()
    }

    /// Converts `msg` with `From` and enqueues it as a fire-and-forget message, waiting while
    /// the mailbox is full. `Err(Closed)` if the actor is stopping or terminated, including
    /// while this call was waiting for space. A handler error for it goes to the actor's
    /// `handle_failure`.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, Recipient};
    /// use tokio_actors::{SendError, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo.spawn().await?;
    /// let recipient: Recipient<u32> = echo.recipient();
    /// recipient.notify(1).await?;
    /// echo.stop(StopReason::Kill).await?;
    /// echo.wait_stopped().await;
    /// assert_eq!(recipient.notify(2).await, Err(SendError::Closed));
    /// # Ok(()) }
    /// ```
    pub async fn notify(&self, msg: M) -> Result<(), SendError> {
        match self.inner.notify(msg) {
            Attempt::Done(result) => result,
            Attempt::Wait(waiting) => waiting.await,
        }
    }

    /// Converts and enqueues without waiting: `Err(Full)` when the mailbox has no free slot,
    /// `Err(Closed)` when the actor is stopping or terminated (`Closed` wins).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult};
    /// use tokio_actors::{Recipient, TrySendError};
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
    /// let recipient: Recipient<u32> = echo.recipient();
    /// // Single-threaded runtime: the actor cannot take the first message before we await.
    /// recipient.try_notify(1)?;
    /// assert_eq!(recipient.try_notify(2), Err(TrySendError::Full));
    /// # Ok(()) }
    /// ```
    pub fn try_notify(&self, msg: M) -> Result<(), TrySendError> {
        self.inner.try_notify(msg)
    }

    /// Resolves once the actor has terminated, with its final reason; at once if it already
    /// has. The same as the handle's [`wait_stopped`](ActorHandle::wait_stopped).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, Recipient, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo.spawn().await?;
    /// let recipient: Recipient<u32> = echo.recipient();
    /// echo.stop(StopReason::Graceful).await?;
    /// assert!(matches!(recipient.wait_stopped().await, StopReason::Graceful));
    /// # Ok(()) }
    /// ```
    pub async fn wait_stopped(&self) -> StopReason {
        self.inner.wait_stopped().await
    }

    /// The address of the shared allocation: the actor's identity.
    fn identity(&self) -> *const () {
        Arc::as_ptr(&self.inner) as *const ()
    }
}

impl<M: 'static> Clone for Recipient<M> {
    fn clone(&self) -> Self {
        Recipient {
            inner: self.inner.clone(),
        }
    }
}

impl<M: 'static> PartialEq for Recipient<M> {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl<M: 'static> Eq for Recipient<M> {}

impl<M: 'static> Hash for Recipient<M> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

impl<M: 'static> fmt::Debug for Recipient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipient")
            .field("id", self.id())
            .field("alive", &self.is_alive())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Echo;
    use crate::ActorExt;
    use std::collections::HashSet;

    #[tokio::test]
    async fn identity_is_the_actor_not_the_name_or_the_type() {
        let a = Echo.spawn().await.expect("spawn");
        let b = Echo.spawn().await.expect("spawn");
        let a64: Recipient<u64> = a.recipient();
        let a64_again: Recipient<u64> = a.clone().recipient();
        let b64: Recipient<u64> = b.recipient();
        assert_eq!(a64, a64_again);
        assert_ne!(a64, b64);
        let set: HashSet<_> = [a64.clone(), a64_again, b64].into_iter().collect();
        assert_eq!(set.len(), 2);
        let a8: Recipient<u8> = a.recipient();
        assert_eq!(a8.identity(), a64.identity());
        let text = format!("{a64:?}");
        assert!(text.contains("Recipient") && text.contains(a.id().as_str()));
    }
}
