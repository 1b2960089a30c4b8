//! What travels through an actor's mailbox.

use tokio::sync::{mpsc, oneshot};

use crate::actor::Actor;
use crate::error::{ActorError, SendError, TrySendError};

/// Where the result of a `send` goes. The error is boxed: errors are rare, and a small payload
/// keeps the oneshot's copies cheap on every request.
pub(crate) type Reply<R> = oneshot::Sender<Result<R, Box<ActorError>>>;

/// One mailbox entry: the payload, plus when it was enqueued (`metrics` feature) and the
/// sender's span (`tracing` feature). Without the features it is exactly the payload.
pub(crate) struct Envelope<A: Actor> {
    pub(crate) payload: Payload<A>,
    #[cfg(feature = "metrics")]
    pub(crate) enqueued: tokio::time::Instant,
    #[cfg(feature = "tracing")]
    pub(crate) sender_span: tracing::Span,
}

impl<A: Actor> Envelope<A> {
    fn new(payload: Payload<A>) -> Self {
        Envelope {
            payload,
            #[cfg(feature = "metrics")]
            enqueued: tokio::time::Instant::now(),
            #[cfg(feature = "tracing")]
            sender_span: tracing::Span::current(),
        }
    }

    pub(crate) fn tell(msg: A::Message) -> Self {
        Self::new(Payload::Tell(msg))
    }

    pub(crate) fn ask(msg: A::Message, reply: Reply<A::Response>) -> Self {
        Self::new(Payload::Ask(msg, reply))
    }

    pub(crate) fn timer(msg: A::Message, timer: u64) -> Self {
        Self::new(Payload::Timer(msg, timer))
    }

    pub(crate) fn stream(msg: A::Message, stream: u64, last: bool) -> Self {
        Self::new(Payload::Stream { msg, stream, last })
    }

    pub(crate) fn stream_failure(stream: u64, error: ActorError, last: bool) -> Self {
        Self::new(Payload::StreamFailure(Box::new((stream, error, last))))
    }

    pub(crate) fn piped(msg: A::Message, task: u64) -> Self {
        Self::new(Payload::Piped(msg, task))
    }

    /// Piped work (or its `to_msg`) panicked: travels like a stream failure that ends the feed.
    pub(crate) fn pipe_failure(task: u64, error: ActorError) -> Self {
        Self::stream_failure(task, error, true)
    }
}

/// What a mailbox entry carries. The variant records the message's source, which decides where
/// a handler error goes and whether a cancelled timer or stream must skip it.
pub(crate) enum Payload<A: Actor> {
    /// From `notify`/`try_notify`: errors go to `handle_failure`.
    Tell(A::Message),
    /// From `send`: the result goes back to the caller; an error stops the actor.
    Ask(A::Message, Reply<A::Response>),
    /// From a timer: skipped if the timer was cancelled meanwhile.
    Timer(A::Message, u64),
    /// From a stream; `last` marks its `Finished` event.
    Stream {
        msg: A::Message,
        stream: u64,
        last: bool,
    },
    /// From piped work (`ActorContext::pipe`): skipped if the task was cancelled meanwhile.
    Piped(A::Message, u64),
    /// A stream (or its item conversion) panicked: `(stream, error, last)`; the error goes to
    /// `handle_failure`, and `last` ends the stream when its `Finished` could not be built.
    /// Piped work that panicked comes this way too, with `last` set.
    /// Boxed: rare, and it must not grow every envelope.
    StreamFailure(Box<(u64, ActorError, bool)>),
}

/// Puts an envelope into a mailbox, waiting for space only when it is full. The non-waiting
/// attempt first skips building a wait (a semaphore `Acquire` future) on the common path; a
/// freed slot still goes to a sender already waiting before anyone else, so backpressure and
/// per-sender order are those of a plain `send`. Used by handles, timers and streams alike.
pub(crate) async fn enqueue<A: Actor>(
    mailbox: &mpsc::Sender<Envelope<A>>,
    envelope: Envelope<A>,
) -> Result<(), SendError> {
    match mailbox.try_send(envelope) {
        Ok(()) => Ok(()),
        Err(mpsc::error::TrySendError::Full(envelope)) => {
            mailbox.send(envelope).await.map_err(|_| SendError::Closed)
        }
        Err(mpsc::error::TrySendError::Closed(_)) => Err(SendError::Closed),
    }
}

/// Puts an envelope into a mailbox (or lane) without waiting: `Full` when it has no free slot,
/// `Closed` once the actor stopped taking messages. Used by handles and recipients alike.
pub(crate) fn try_enqueue<A: Actor>(
    lane: &mpsc::Sender<Envelope<A>>,
    envelope: Envelope<A>,
) -> Result<(), TrySendError> {
    lane.try_send(envelope).map_err(|e| match e {
        mpsc::error::TrySendError::Full(_) => TrySendError::Full,
        mpsc::error::TrySendError::Closed(_) => TrySendError::Closed,
    })
}
