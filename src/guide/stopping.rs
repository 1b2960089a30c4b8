//! # Stopping
//!
//! `handle.stop(reason)` asks an actor to stop; `handle.wait_stopped()` waits until it has
//! (the actor value has been dropped) and returns the final reason. The reason decides which
//! of three tiers applies:
//!
//! | tier | reasons | `pre_stop` | `on_stopped` | use it for |
//! |---|---|---|---|---|
//! | 1 | `Graceful`, `ParentRequest` | asked; `false` vetoes | runs | a normal, polite stop |
//! | 2 | `Cancelled`, `Failure(e)` | not asked | runs | a stop the actor may not refuse |
//! | 3 | `Kill` | not asked | **does not run** | an actor that does not respond |
//!
//! Tiers 1 and 2 travel on the system channel: they overtake queued messages, and the actor
//! sees them between two messages (a handler in progress finishes first). Once the stop is
//! committed, the mailbox is closed (waiting senders get `Closed`), queued messages are
//! dropped (their `send` callers get `ResponseDropped`), timers and streams are cancelled,
//! `on_stopped` runs, and a supervisor's children are stopped before it.
//!
//! For a supervised child, a stop ends one incarnation: its supervisor then decides whether
//! the child comes back (see the [supervision](super::supervision) chapter). If it does, the
//! mailbox is not closed: the messages queued in it wait for the next incarnation, and
//! `wait_stopped` resolves only once the child terminates for good.
//!
//! `Kill` does not wait for anything: it aborts the actor's task at its next `.await`, even in
//! the middle of a handler. No hook runs; children are killed too. Use it as the last resort
//! after a polite stop timed out (that is what [`ActorSystem::shutdown`](crate::ActorSystem::shutdown)
//! and the [`Shutdown`](crate::Shutdown) policies of supervisors do).
//!
//! A veto answers only the stop that was asked; the actor keeps handling messages:
//!
//! ```
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, StopReason};
//!
//! /// Refuses a polite stop while it still has unsaved work.
//! struct Editor { unsaved: bool }
//!
//! impl Actor for Editor {
//!     type Message = ();
//!     type Response = ();
//!
//!     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
//!         self.unsaved = false; // "save"
//!         Ok(())
//!     }
//!
//!     async fn pre_stop(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> bool {
//!         !self.unsaved
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let editor = Editor { unsaved: true }.spawn().await?;
//! editor.stop(StopReason::Graceful).await?;
//! editor.send(()).await?; // still running: the stop was vetoed; this saves
//! editor.stop(StopReason::Graceful).await?;
//! assert!(matches!(editor.wait_stopped().await, StopReason::Graceful));
//!
//! // Tier 2 cannot be vetoed; tier 3 does not even run on_stopped.
//! let stubborn = Editor { unsaved: true }.spawn().await?;
//! stubborn.stop(StopReason::Cancelled).await?;
//! assert!(matches!(stubborn.wait_stopped().await, StopReason::Cancelled));
//! let killed = Editor { unsaved: true }.spawn().await?;
//! killed.stop(StopReason::Kill).await?;
//! assert!(matches!(killed.wait_stopped().await, StopReason::Kill));
//! # Ok(()) }
//! ```
//!
//! A `Failure` reason also comes from the runtime: a `send` whose handler returned `Err`, a
//! panic, or a supervisor whose restart budget ran out. An `Err` from `on_stopped` replaces
//! the final reason with `Failure(e)`, which is what a supervisor sees.
//!
//! ## When stops meet
//!
//! A `Kill` wins over every stop asked before it: once accepted, no hook runs any more, even if
//! a `Graceful` or `Cancelled` was already queued behind a handler that is still busy. Code
//! that blocks its thread cannot be interrupted: a handler that does is cut off when it
//! returns; a `pre_stop` or `on_stopped` that does runs to its end. Either way the final reason
//! is `Kill`, so it agrees with whoever killed the actor (a shutdown that reported it killed or
//! unresponsive).
//!
//! ## Abandoned spawns
//!
//! Awaiting a spawn waits for `pre_start` and `on_started`. Dropping that future first (a
//! timeout, a `select!`) cancels the spawn: the actor is killed, so the rest of its start-up and
//! `on_stopped` never run, its value is dropped and its name is free again. Otherwise an
//! anonymous actor would run on with nobody able to reach it.
//!
//! ```
//! use std::time::Duration;
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
//!
//! /// Takes an hour to start.
//! struct Slow;
//! impl Actor for Slow {
//!     type Message = ();
//!     type Response = ();
//!     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
//!     async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
//!         tokio::time::sleep(Duration::from_secs(3600)).await;
//!         Ok(())
//!     }
//! }
//!
//! // A paused clock: the timeouts below take no real time.
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::create("guide-abandoned-spawn")?;
//! let spawn = Slow.spawn().named("slow").on_system(&system);
//! assert!(tokio::time::timeout(Duration::from_secs(1), spawn).await.is_err());
//! tokio::time::sleep(Duration::from_millis(1)).await; // the kill takes effect
//! assert!(system.registered().is_empty()); // the name is free again
//! # Ok(()) }
//! ```
