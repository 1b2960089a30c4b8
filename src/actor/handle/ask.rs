//! `ask` and `ask_timeout`: requests whose reply travels through a typed [`ReplyTo`] port inside
//! the message, and the self-request check shared by every request method of the handle.

use std::time::Duration;

use super::reply::{port, settle, ReplyTo};
use super::ActorHandle;
use crate::actor::runtime::current;
use crate::actor::runtime::mailbox::{enqueue, Envelope};
use crate::actor::Actor;
use crate::clock::deadline_in;
use crate::error::AskError;

impl<A: Actor> ActorHandle<A> {
    /// Sends the message built by `make` around a fresh reply port, and waits for the answer.
    ///
    /// The message is enqueued exactly like [`notify`](Self::notify) (it waits while the
    /// mailbox is full; `Err(AskError::Send(Closed))` if the actor is stopping or terminated)
    /// and handled like one: a handler `Err` goes to [`Actor::handle_failure`] and does not
    /// stop the actor. Then:
    ///
    /// | what happens to the port | result |
    /// |---|---|
    /// | answered with [`ReplyTo::send`] (in the handler, a task, another actor) | `Ok(value)` |
    /// | dropped unanswered after the message reached the actor | `Err(AskError::NoReply)` |
    /// | the actor stopped with the message still queued | `Err(AskError::ResponseDropped)` |
    /// | called on the actor's own handle from inside its own hooks | `Err(AskError::SelfAsk)`, at once |
    ///
    /// To report a failure to the asker, make the reply type a `Result`. Dropping the `ask`
    /// future is how an asker gives up: the port then reports [`ReplyTo::is_closed`].
    ///
    /// Only requests to oneself are detected: two actors that `ask` each other from their
    /// handlers still wait for each other forever. Break such cycles with
    /// [`ActorContext::pipe`](crate::ActorContext::pipe) (the answer comes back as a message)
    /// or with [`ask_timeout`](Self::ask_timeout).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, AskError, ReplyTo};
    ///
    /// enum Kv {
    ///     Put(String, String),
    ///     Get(String, ReplyTo<Option<String>>),
    ///     Len(ReplyTo<usize>),
    /// }
    ///
    /// #[derive(Default)]
    /// struct Store(std::collections::HashMap<String, String>);
    /// impl Actor for Store {
    ///     type Message = Kv;
    ///     type Response = ();
    ///     async fn handle(&mut self, msg: Kv, _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         match msg {
    ///             Kv::Put(k, v) => { self.0.insert(k, v); }
    ///             Kv::Get(k, reply) => { let _ = reply.send(self.0.get(&k).cloned()); }
    ///             Kv::Len(reply) => drop(reply), // forgot to answer
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = Store::default().spawn().await?;
    /// store.notify(Kv::Put("model".into(), "small".into())).await?;
    /// let model = store.ask(|reply| Kv::Get("model".into(), reply)).await?;
    /// assert_eq!(model.as_deref(), Some("small"));
    /// assert!(matches!(store.ask(Kv::Len).await, Err(AskError::NoReply)));
    /// # Ok(()) }
    /// ```
    pub async fn ask<T, F>(&self, make: F) -> Result<T, AskError>
    where
        F: FnOnce(ReplyTo<T>) -> A::Message,
    {
        self.refuse_self_request()?;
        let (reply, answer) = port();
        enqueue(&self.inner.mailbox, Envelope::tell(make(reply))).await?;
        settle(answer.await)
    }

    /// Like [`ask`](Self::ask), with one deadline for the wait for mailbox space and the wait
    /// for the answer. On expiry: `AskError::Timeout { enqueued }`; `enqueued == false` means
    /// the message never entered the mailbox (safe to retry), `true` that it will still be
    /// handled, and its port then reports [`ReplyTo::is_closed`] (the answer is discarded).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, AskError, ReplyTo};
    ///
    /// /// Answers after the delay it is given, from a task.
    /// struct Slow;
    /// impl Actor for Slow {
    ///     type Message = (Duration, ReplyTo<&'static str>);
    ///     type Response = ();
    ///     async fn handle(&mut self, (delay, reply): Self::Message, _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         tokio::spawn(async move {
    ///             tokio::time::sleep(delay).await;
    ///             let _ = reply.send("done");
    ///         });
    ///         Ok(())
    ///     }
    /// }
    ///
    /// // A paused clock: the sleeps take no real time.
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let slow = Slow.spawn().await?;
    /// let late = slow.ask_timeout(|r| (Duration::from_secs(60), r), Duration::from_secs(1)).await;
    /// assert!(matches!(late, Err(AskError::Timeout { enqueued: true })));
    /// let quick = slow.ask_timeout(|r| (Duration::from_millis(10), r), Duration::from_secs(1)).await?;
    /// assert_eq!(quick, "done");
    /// # Ok(()) }
    /// ```
    pub async fn ask_timeout<T, F>(&self, make: F, timeout: Duration) -> Result<T, AskError>
    where
        F: FnOnce(ReplyTo<T>) -> A::Message,
    {
        self.refuse_self_request()?;
        let deadline = deadline_in(timeout);
        let (reply, answer) = port();
        let envelope = Envelope::tell(make(reply));
        match tokio::time::timeout_at(deadline, enqueue(&self.inner.mailbox, envelope)).await {
            Err(_) => return Err(AskError::Timeout { enqueued: false }),
            Ok(result) => result?,
        }
        match tokio::time::timeout_at(deadline, answer).await {
            Ok(answer) => settle(answer),
            // Dropping `answer` here closes the port: the actor sees `is_closed()`.
            Err(_) => Err(AskError::Timeout { enqueued: true }),
        }
    }

    /// `Err(SelfAsk)` when called from inside this actor's own task (its hooks and handler),
    /// where waiting for a reply from itself could never end. One thread-local load.
    #[inline]
    pub(crate) fn refuse_self_request(&self) -> Result<(), AskError> {
        if current::is_polling(self.address()) {
            Err(AskError::SelfAsk)
        } else {
            Ok(())
        }
    }
}
