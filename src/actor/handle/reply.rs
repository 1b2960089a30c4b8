//! [`ReplyTo`]: a typed reply port carried inside a message, answered once, from anywhere.
//!
//! A port is the sending half of a Tokio oneshot whose value is `Option<T>`: `Some` is the
//! answer, `None` is sent by the port's `Drop` when it goes away unanswered, so the asker can
//! tell `NoReply` (the message was delivered and the port dropped) from `ResponseDropped` (the
//! channel closed without a word: the message was discarded from the mailbox at a stop, which
//! the runtime marks with `current::discarding`).

use std::fmt;

use tokio::sync::oneshot;

use crate::actor::runtime::current;
use crate::error::AskError;

/// The asker's end of a port: resolves with the answer or says why there is none.
pub(crate) type Answer<T> = oneshot::Receiver<Option<T>>;

/// A typed reply port, created by [`ActorHandle::ask`](crate::ActorHandle::ask) and carried
/// inside the message: one actor can answer several request types, each with its own reply
/// type, without a shared `Response` enum.
///
/// The port is `Send + 'static` and not `Clone`; it is answered at most once. It may be
/// answered in the handler, or moved into a spawned task or a message to another actor and
/// answered later (the handler returns at once and keeps serving its mailbox meanwhile).
///
/// | the port… | the asker gets |
/// |---|---|
/// | is answered with [`send`](Self::send) | `Ok(value)` |
/// | is dropped unanswered after the message reached the actor (by the handler, by a task or actor it was moved to, or with the actor value when it stops) | `Err(AskError::NoReply)` |
/// | is dropped with its message still queued when the actor stops | `Err(AskError::ResponseDropped)` |
///
/// When the asker gives up (its future is dropped, or `ask_timeout` expires),
/// [`is_closed`](Self::is_closed) turns `true` and [`closed`](Self::closed) resolves: the
/// signal to stop work nobody waits for any more (e.g. stop generating an LLM answer).
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ReplyTo};
///
/// enum Msg {
///     Get(ReplyTo<u64>),
///     Name(ReplyTo<String>),
///     Add(u64),
/// }
///
/// struct Counter(u64);
/// impl Actor for Counter {
///     type Message = Msg;
///     type Response = ();
///     async fn handle(&mut self, msg: Msg, _: &mut ActorContext<Self>) -> ActorResult<()> {
///         match msg {
///             Msg::Get(reply) => { let _ = reply.send(self.0); }
///             Msg::Name(reply) => { let _ = reply.send("counter".to_string()); }
///             Msg::Add(n) => self.0 += n,
///         }
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let counter = Counter(0).spawn().await?;
/// counter.notify(Msg::Add(5)).await?;
/// let value: u64 = counter.ask(Msg::Get).await?;      // each request has its own reply type
/// let name: String = counter.ask(Msg::Name).await?;
/// assert_eq!((value, name.as_str()), (5, "counter"));
/// # Ok(()) }
/// ```
pub struct ReplyTo<T> {
    /// `None` once answered (only inside `send`, which consumes the port).
    port: Option<oneshot::Sender<Option<T>>>,
}

/// A new port and the asker's end of it.
pub(crate) fn port<T>() -> (ReplyTo<T>, Answer<T>) {
    let (port, answer) = oneshot::channel();
    (ReplyTo { port: Some(port) }, answer)
}

/// What an asker gets from its end of the port.
pub(crate) fn settle<T>(
    answer: Result<Option<T>, oneshot::error::RecvError>,
) -> Result<T, AskError> {
    match answer {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(AskError::NoReply),
        Err(_) => Err(AskError::ResponseDropped),
    }
}

impl<T> ReplyTo<T> {
    /// Answers the asker. `Err(value)` gives the value back if the asker is gone (it dropped
    /// its future or timed out).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ReplyTo};
    ///
    /// struct Squarer;
    /// impl Actor for Squarer {
    ///     type Message = (u32, ReplyTo<u32>);
    ///     type Response = ();
    ///     async fn handle(&mut self, (n, reply): Self::Message, _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         // Answered from a task: the actor is free for its next message at once.
    ///         tokio::spawn(async move {
    ///             if reply.send(n * n).is_err() {
    ///                 // the asker gave up; nothing to do
    ///             }
    ///         });
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let squarer = Squarer.spawn().await?;
    /// assert_eq!(squarer.ask(|reply| (7, reply)).await?, 49);
    /// # Ok(()) }
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let Some(port) = self.port.take() else {
            return Err(value);
        };
        match port.send(Some(value)) {
            Ok(()) => Ok(()),
            Err(Some(value)) => Err(value),
            Err(None) => unreachable!("a oneshot gives back the value it was given"),
        }
    }

    /// `true` once the asker is gone: it dropped its `ask` future, or its `ask_timeout`
    /// expired. An answer sent now would be discarded.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, AskError, ReplyTo};
    ///
    /// /// Keeps the port of the last request without answering it.
    /// struct Hoarder(Option<ReplyTo<()>>);
    /// impl Actor for Hoarder {
    ///     type Message = Option<ReplyTo<()>>;
    ///     type Response = bool;
    ///     async fn handle(&mut self, msg: Self::Message, _: &mut ActorContext<Self>) -> ActorResult<bool> {
    ///         match msg {
    ///             Some(port) => { self.0 = Some(port); Ok(false) }
    ///             None => Ok(self.0.as_ref().is_some_and(|port| port.is_closed())),
    ///         }
    ///     }
    /// }
    ///
    /// // A paused clock: the timeout below takes no real time.
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let hoarder = Hoarder(None).spawn().await?;
    /// let r = hoarder.ask_timeout(Some, Duration::from_secs(1)).await;
    /// assert!(matches!(r, Err(AskError::Timeout { enqueued: true })));
    /// assert!(hoarder.send(None).await?); // the port it kept now reports the asker gone
    /// # Ok(()) }
    /// ```
    pub fn is_closed(&self) -> bool {
        self.port.as_ref().map_or(true, |port| port.is_closed())
    }

    /// Resolves once the asker is gone (see [`is_closed`](Self::is_closed)): the cancellation
    /// signal for work done on the asker's behalf. Never resolves while the asker still waits.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ReplyTo};
    ///
    /// /// Streams "tokens" into a log until the asker stops listening.
    /// struct Generator(tokio::sync::mpsc::UnboundedSender<&'static str>);
    /// impl Actor for Generator {
    ///     type Message = ReplyTo<String>;
    ///     type Response = ();
    ///     async fn handle(&mut self, mut reply: ReplyTo<String>, _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         let log = self.0.clone();
    ///         tokio::spawn(async move {
    ///             let generate = async {
    ///                 loop {
    ///                     tokio::time::sleep(Duration::from_millis(100)).await;
    ///                     let _ = log.send("token");
    ///                 }
    ///             };
    ///             tokio::select! {
    ///                 _ = reply.closed() => { let _ = log.send("stopped: asker gone"); }
    ///                 () = generate => {}
    ///             }
    ///         });
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (log, mut events) = tokio::sync::mpsc::unbounded_channel();
    /// let generator = Generator(log).spawn().await?;
    /// // The user presses "stop" after 350 ms: the asker gives up.
    /// let _ = generator.ask_timeout(|reply| reply, Duration::from_millis(350)).await;
    /// let mut seen = Vec::new();
    /// while let Some(event) = events.recv().await {
    ///     seen.push(event);
    ///     if event.starts_with("stopped") { break; }
    /// }
    /// assert_eq!(seen, ["token", "token", "token", "stopped: asker gone"]);
    /// # Ok(()) }
    /// ```
    pub async fn closed(&mut self) {
        if let Some(port) = self.port.as_mut() {
            port.closed().await;
        }
    }
}

impl<T> Drop for ReplyTo<T> {
    fn drop(&mut self) {
        // Unanswered: tell the asker the message was delivered, unless the runtime is
        // discarding it unhandled (then the closed channel means `ResponseDropped`).
        if let Some(port) = self.port.take() {
            if !current::is_discarding() {
                let _ = port.send(None);
            }
        }
    }
}

impl<T> fmt::Debug for ReplyTo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyTo")
            .field("closed", &self.is_closed())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_static<T: Send + 'static>() {}

    #[test]
    fn a_port_is_send_and_static() {
        assert_send_static::<ReplyTo<String>>();
    }

    #[tokio::test]
    async fn outcomes() {
        let (reply, answer) = port::<u8>();
        assert_eq!(reply.send(3), Ok(()));
        assert!(matches!(settle(answer.await), Ok(3)));

        let (reply, answer) = port::<u8>();
        drop(reply);
        assert!(matches!(settle(answer.await), Err(AskError::NoReply)));

        let (reply, answer) = port::<u8>();
        current::discarding(|| drop(reply));
        assert!(matches!(
            settle(answer.await),
            Err(AskError::ResponseDropped)
        ));

        let (mut reply, answer) = port::<u8>();
        assert!(!reply.is_closed());
        drop(answer);
        assert!(reply.is_closed());
        reply.closed().await;
        assert_eq!(reply.send(9), Err(9));
    }
}
