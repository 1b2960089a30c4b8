//! # Concepts
//!
//! **Actor.** A plain struct that owns its state and implements [`Actor`](crate::Actor): one
//! message type (`type Message`), one answer type (`type Response`), and an `async fn handle`.
//! The runtime calls `handle` for one message at a time, so the state needs no lock.
//!
//! **Handle.** [`ActorHandle<A>`](crate::ActorHandle) is the typed address you get from a
//! spawn. It is cheap to clone and can be moved anywhere; every way of talking to the actor
//! goes through it (`notify`, `send`, `stop`, `get_status`, `wait_stopped`). Dropping every
//! handle does not stop the actor.
//!
//! **Context.** [`ActorContext<A>`](crate::ActorContext) is passed to every hook. It is the
//! actor's view of itself: its id and name, its own handle, its system, its timers and
//! streams, and (for supervisors) its children.
//!
//! **Mailbox.** Each actor has one bounded queue of messages (64 by default, see
//! [`ActorConfig::with_mailbox_capacity`](crate::ActorConfig::with_mailbox_capacity)). When it
//! is full, `notify` and `send` wait for space and `try_notify` answers `Full`: senders feel
//! backpressure instead of memory growing without bound. Timers and streams feed the same
//! mailbox.
//!
//! **System channel.** Lifecycle requests (`stop`, `get_status`, and the notices children send
//! their supervisor) travel on a second, unbounded channel that the actor reads *before* its
//! mailbox. That is why a stop or a status request is answered even when the mailbox is full.
//! `Kill` does not even wait for that: it aborts the actor's task wherever it is.
//!
//! **Incarnation.** One run of an actor value, from `pre_start` to its stop. An unsupervised
//! actor has exactly one. A supervised child gets a new incarnation, built by its factory, every
//! time its supervisor restarts it; each incarnation runs its own hooks on a fresh value. The
//! handle, the mailbox (with the messages queued in it) and the name belong to the actor, not
//! to an incarnation, so they carry over; timers, streams and piped tasks do not (see
//! [what survives a restart](super::supervision#what-survives-a-restart)).
//!
//! **System.** An [`ActorSystem`](crate::ActorSystem) is a registry: named actors can be found
//! with `get::<A>(name)`, and `shutdown()` stops every actor of the system, named or anonymous.
//! Every actor belongs to one system: the one given with `on_system`, else
//! [`ActorSystem::default()`](crate::ActorSystem::default); a child belongs to its supervisor's.
//! An anonymous actor has no name to look up, so it is not in `registered()`, but the system
//! still stops it: an actor whose handles were all dropped is not leaked past a shutdown.
//!
//! ```
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorStatus, ActorSystem};
//!
//! /// Counts messages; answers with the running total.
//! struct Counter { seen: u64 }
//!
//! impl Actor for Counter {
//!     type Message = ();
//!     type Response = u64;
//!
//!     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<u64> {
//!         // The context knows who this actor is and where it lives.
//!         assert_eq!(ctx.actor_name().map(String::as_str), Some("counter"));
//!         assert_eq!(ctx.system().name(), "guide-concepts");
//!         self.seen += 1;
//!         Ok(self.seen)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::create("guide-concepts")?;
//! let handle = Counter { seen: 0 }.spawn().named("counter").on_system(&system).await?;
//! assert_eq!(handle.send(()).await?, 1);
//!
//! // Another part of the program finds the same actor by name and type.
//! let found = system.get::<Counter>("counter").expect("registered");
//! assert_eq!(found.send(()).await?, 2);
//! assert_eq!(found.get_status().await?.status, ActorStatus::Running);
//!
//! system.shutdown().await; // stops every actor of the system
//! assert!(!handle.is_alive());
//! # Ok(()) }
//! ```
