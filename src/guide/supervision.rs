//! # Supervision
//!
//! A supervisor is an actor spawned with `.supervised()` (OneForOne, default budget) or
//! `.with_supervision(config)`. It starts children with
//! [`ctx.spawn_child(factory)`](crate::ActorContext::spawn_child): the factory builds a fresh
//! actor value for every incarnation. When a child ends, the supervisor decides what to do,
//! between two of its own messages, and tells its
//! [`on_child_stopped`](crate::Actor::on_child_stopped) hook what it did
//! ([`SupervisionAction`](crate::SupervisionAction)).
//!
//! ## Which children restart: the strategy
//!
//! | [`RestartStrategy`](crate::RestartStrategy) | when one child fails, restart |
//! |---|---|
//! | `OneForOne` | that child |
//! | `OneForAll` | every child (the others are stopped in reverse start order, then all start again in start order) |
//! | `RestForOne` | that child and every child started after it |
//! | `SimpleOneForOne` | that child; for many dynamic children of one kind (stopped concurrently) |
//!
//! Choose OneForAll when the children only make sense together (a connection and the session
//! using it), RestForOne when later children depend on earlier ones (a cache started after
//! the database pool it reads from). The `strategies` example shows both.
//!
//! ## Whether a child restarts: the restart type
//!
//! | [`RestartType`](crate::RestartType) | after `Graceful` / `ParentRequest` | after `Cancelled` / `Failure` / `Kill` |
//! |---|---|---|
//! | `Permanent` (default) | restarted | restarted |
//! | `Transient` | removed | restarted |
//! | `Temporary` | removed | removed |
//!
//! A removed child is gone from `ctx.children()` and its `ChildEvent` says `Removed`.
//! [`ctx.stop_child(id)`](crate::ActorContext::stop_child) stops a child for good, whatever its
//! type. How a supervisor stops a child (when it stops itself, or restarts siblings) is the
//! child's [`Shutdown`](crate::Shutdown) policy: `Timeout(5 s)` by default (ask politely,
//! `Kill` after the timeout), or `Kill`, or `Infinity`.
//!
//! ## How often: the restart budget
//!
//! [`SupervisionConfig::max_restarts(n, window)`](crate::SupervisionConfig::max_restarts)
//! allows `n` restarts within any sliding `window` (default: 3 in 5 s). The restart that
//! would exceed it is refused: the supervisor stops its children and then itself with
//! `Failure(Supervision(BudgetExhausted))`. If that supervisor is itself supervised, its own
//! supervisor sees an ordinary failure and applies *its* strategy: failures escalate up the
//! tree until some level can absorb them.
//!
//! ## How fast: backoff
//!
//! Without a [`Backoff`](crate::Backoff) a child restarts at once. With
//! `Backoff::exponential(min, max)` the n-th consecutive restart of a child waits
//! `min(max, min · 2^(n-1))` (plus up to `jitter` × that, if set), so a child that fails because
//! a dependency is down does not spin. The count goes back to zero once an incarnation has run
//! for `reset_after` (60 s by default) without an incident. The `backoff` example prints the
//! delays.
//!
//! ## What survives a restart
//!
//! A supervised child is one actor from the outside, whatever happens to its incarnations:
//!
//! | survives | does not survive |
//! |---|---|
//! | its handle (every clone stays valid and keeps working) | the actor value: the factory builds a fresh one, so state is reset |
//! | its id, its name and its registration in the system | its timers (schedule them again in `on_started`) |
//! | its mailbox, and the messages queued in it (the next incarnation handles them, in order) | its streams and piped tasks (they belong to one incarnation) |
//! | its priority lane, with its queued messages | the message whose handling failed (not redelivered; a `send` caller got the error) |
//! | its system channel: a stop sent while a restart is pending applies to the next incarnation | |
//!
//! Messages sent while a restart is pending (including a backoff delay) are accepted as usual,
//! within the mailbox bound; a `send` waits for the next incarnation's answer (`send_timeout`
//! bounds the wait), and `get_status()` answers at once with
//! [`ActorStatus::Restarting`](crate::ActorStatus::Restarting). Each incarnation runs
//! `pre_start`, `on_started` and `on_stopped` on its own value.
//!
//! `stop(reason)` on a child's handle ends the current incarnation; whether the child comes
//! back is its supervisor's decision, by the restart type above (a `Permanent` child is
//! restarted). The child *terminates for good* only when its supervisor removes it (no restart,
//! `stop_child`, budget exhausted, or the supervisor stopped): then its mailbox is closed
//! (waiting senders get `Closed`, queued `send`s `ResponseDropped`), its name is released,
//! `is_alive()` becomes `false` and `wait_stopped()` resolves with the last incarnation's reason.
//! Keep state that must outlive a crash outside the actor value (in the factory's captures, or
//! in another actor).
//!
//! ```
//! use std::time::Duration;
//! use tokio_actors::{
//!     Actor, ActorContext, ActorError, ActorExt, ActorResult, ActorSystem, ChildEvent,
//!     SupervisionAction, SupervisionConfig,
//! };
//! use tokio::sync::mpsc;
//!
//! /// Counts requests; `None` makes it fail.
//! struct Worker { count: u32 }
//!
//! impl Actor for Worker {
//!     type Message = Option<()>;
//!     type Response = u32;
//!     async fn handle(&mut self, msg: Option<()>, _: &mut ActorContext<Self>) -> ActorResult<u32> {
//!         msg.ok_or_else(|| ActorError::user("asked to fail"))?;
//!         self.count += 1;
//!         Ok(self.count)
//!     }
//! }
//!
//! /// Starts one named worker and reports what it did about the worker's incidents.
//! struct Boss { events: mpsc::UnboundedSender<SupervisionAction> }
//!
//! impl Actor for Boss {
//!     type Message = ();
//!     type Response = ();
//!     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
//!         ctx.spawn_child(|| Worker { count: 0 }).named("worker").await?;
//!         Ok(())
//!     }
//!     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
//!     async fn on_child_stopped(&mut self, event: &ChildEvent, _: &mut ActorContext<Self>) -> ActorResult<()> {
//!         let _ = self.events.send(event.action);
//!         Ok(())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::create("guide-supervision")?;
//! let (events, mut seen) = mpsc::unbounded_channel();
//! let config = SupervisionConfig::one_for_one().max_restarts(3, Duration::from_secs(5));
//! let boss = Boss { events }.spawn().with_supervision(config).on_system(&system).await?;
//!
//! let worker = system.get::<Worker>("worker").expect("registered");
//! assert_eq!(worker.send(Some(())).await?, 1);
//! assert_eq!(worker.send(Some(())).await?, 2);
//! assert!(worker.send(None).await.is_err()); // the caller gets the error
//! assert_eq!(seen.recv().await, Some(SupervisionAction::Restarted));
//! // The same handle reaches the new incarnation, which starts from a fresh value.
//! assert_eq!(worker.send(Some(())).await?, 1);
//! assert!(worker.is_alive());
//! assert!(system.get::<Worker>("worker").is_some_and(|h| h == worker));
//! system.shutdown().await;
//! assert!(!worker.is_alive()); // terminated for good with its supervisor
//! # drop(boss);
//! # Ok(()) }
//! ```
