//! # Messaging and errors
//!
//! | call | waits for | returns |
//! |---|---|---|
//! | `notify(msg)` | mailbox space | `Ok(())` once queued; `SendError::Closed` if the actor is stopping or gone |
//! | `try_notify(msg)` | nothing | `TrySendError::Full` / `Closed` instead of waiting |
//! | `send(msg)` | space, then the handler's answer | the `Response`, or an [`AskError`](crate::AskError) |
//! | `send_timeout(msg, d)` | the same, at most `d` | `AskError::Timeout { enqueued }` on expiry |
//!
//! Messages from one sender are handled in the order they were sent. Every `send` ends: with
//! the answer, or with a typed error (the actor stopped before answering: `ResponseDropped`).
//!
//! ## What an `Err` from `handle` does
//!
//! It depends on where the message came from, because an error needs somewhere to go:
//!
//! - **From `send`** (someone is waiting for the answer): the caller gets
//!   `AskError::Actor(e)`, and the actor **stops** with `StopReason::Failure(e)`. A request
//!   that fails is treated as a broken actor; if it is supervised, its supervisor decides
//!   whether to restart it. If a failed request should *not* stop the actor, make the failure
//!   part of the answer instead: `type Response = Result<T, MyError>` and return
//!   `Ok(Err(my_error))`.
//! - **From `notify`, a timer or a stream** (nobody is waiting): the error goes to
//!   [`Actor::handle_failure`](crate::Actor::handle_failure), and the actor **keeps going**.
//!   The default `handle_failure` ignores the error; override it to log or count. It cannot
//!   stop the actor by returning something, but the actor can stop itself from its next
//!   message (`ctx.self_handle().stop(..)`).
//! - **A panic** anywhere in `handle` (whatever the source) is caught: a waiting `send` caller
//!   gets `AskError::Actor(ActorError::Panic(..))`, and the actor stops with
//!   `Failure(Panic(..))`. A panic inside `handle_failure` stops the actor the same way.
//!
//! The same rule covers `on_child_stopped`: its `Err` goes to `handle_failure`.
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use tokio_actors::{Actor, ActorContext, ActorError, ActorExt, ActorResult, AskError, StopReason};
//!
//! struct Parser { failures: Arc<AtomicUsize> }
//!
//! impl Actor for Parser {
//!     type Message = &'static str;
//!     type Response = i64;
//!
//!     async fn handle(&mut self, text: &'static str, _: &mut ActorContext<Self>) -> ActorResult<i64> {
//!         text.parse().map_err(|_| ActorError::user(format!("not a number: {text}")))
//!     }
//!
//!     fn handle_failure(&mut self, _error: ActorError) {
//!         self.failures.fetch_add(1, Ordering::SeqCst);
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let failures = Arc::new(AtomicUsize::new(0));
//! let parser = Parser { failures: failures.clone() }.spawn().await?;
//!
//! // notify: the error goes to handle_failure; the actor keeps going.
//! parser.notify("abc").await?;
//! assert_eq!(parser.send("42").await?, 42);
//! assert_eq!(failures.load(Ordering::SeqCst), 1);
//!
//! // send: the caller gets the error, and the actor stops with Failure.
//! let answer = parser.send("xyz").await;
//! assert!(matches!(answer, Err(AskError::Actor(ActorError::User(_)))));
//! let reason = parser.wait_stopped().await;
//! assert!(matches!(reason, StopReason::Failure(ActorError::User(_))));
//! assert!(!parser.is_alive());
//! # Ok(()) }
//! ```
//!
//! ## Backpressure
//!
//! A full mailbox makes `notify` wait; `try_notify` reports it instead, which suits producers
//! that would rather drop or retry than wait:
//!
//! ```
//! use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult, TrySendError};
//!
//! struct Sink;
//! impl Actor for Sink {
//!     type Message = u32;
//!     type Response = ();
//!     async fn handle(&mut self, _: u32, _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sink = Sink.spawn().with_config(ActorConfig::default().with_mailbox_capacity(2)).await?;
//! // On this single-threaded runtime the actor cannot run until we await.
//! sink.try_notify(1)?;
//! sink.try_notify(2)?;
//! assert!(matches!(sink.try_notify(3), Err(TrySendError::Full)));
//! sink.notify(3).await?; // waits until the actor has taken a message
//! # Ok(()) }
//! ```
