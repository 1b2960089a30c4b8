//! # Patterns
//!
//! ## Graceful shutdown on Ctrl-C
//!
//! Spawn actors into a system (every actor belongs to one: `on_system`, else the default
//! system), wait for the signal, then call [`ActorSystem::shutdown`](crate::ActorSystem::shutdown): it asks every
//! root actor to stop gracefully (supervisors stop their children first), kills the ones that
//! do not finish within the policy's per-actor timeout, and reports which was which.
//! `tokio::signal::ctrl_c` needs Tokio's `signal` feature (`features = ["full"]` has it):
//!
//! ```ignore
//! use tokio_actors::ActorSystem;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let system = ActorSystem::default();
//!     // ... spawn named actors, or actors `.on_system(&system)` ...
//!     tokio::signal::ctrl_c().await?;
//!     let report = system.shutdown().await;
//!     eprintln!("stopped: {} graceful, {} killed", report.graceful.len(), report.killed.len());
//!     Ok(())
//! }
//! ```
//!
//! The same shape with any shutdown trigger (here a channel, so the example runs as a test):
//!
//! ```
//! use std::future::Future;
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem, ShutdownReport};
//!
//! struct Service;
//! impl Actor for Service {
//!     type Message = ();
//!     type Response = ();
//!     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
//! }
//!
//! /// Runs the application until `signal` resolves (e.g. `tokio::signal::ctrl_c()`), then
//! /// stops every actor of `system`.
//! async fn run_until(system: &ActorSystem, signal: impl Future<Output = ()>) -> ShutdownReport {
//!     signal.await;
//!     system.shutdown().await
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::create("guide-ctrl-c")?;
//! let service = Service.spawn().named("service").on_system(&system).await?;
//! let (trigger, signal) = tokio::sync::oneshot::channel::<()>();
//! trigger.send(()).unwrap(); // "Ctrl-C"
//! let report = run_until(&system, async { let _ = signal.await; }).await;
//! assert_eq!(report.graceful, vec![service.id().clone()]);
//! assert!(report.killed.is_empty() && report.unresponsive.is_empty());
//! # Ok(()) }
//! ```
//!
//! ## Ask cycles deadlock
//!
//! An actor handles one message at a time, and a handler that awaits `send` is still handling
//! its message. So if A's handler awaits `b.send(..)` while B's handler awaits `a.send(..)`,
//! each waits for the other to finish first: neither ever does. The same happens with an
//! actor that `send`s to itself from `handle`, and with longer cycles (A → B → C → A).
//!
//! Ways out, from best to worst:
//!
//! - **Let requests flow one way.** Arrange actors as a tree (or a pipeline): requests with
//!   `send` go from callers to callees only; anything going back is a `notify`.
//! - **Reply with a message instead of waiting.** Put the caller's handle in the request, let
//!   the callee `notify` the answer back, and handle it as a separate message.
//! - **Bound the wait.** `send_timeout` turns a deadlock into `AskError::Timeout`, which at
//!   least fails loudly (the message may still be handled later).
//!
//! ```
//! use std::time::Duration;
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorHandle, ActorResult, AskError};
//!
//! /// Two of these form a cycle: `Ask` makes A wait for B, and B's `Relay` waits for A.
//! struct Peer { other: Option<ActorHandle<Peer>> }
//!
//! enum Msg { Meet(ActorHandle<Peer>), Ask, Relay, Number }
//!
//! impl Actor for Peer {
//!     type Message = Msg;
//!     type Response = Result<u32, AskError>;
//!     async fn handle(&mut self, msg: Msg, _: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
//!         let Some(other) = self.other.clone() else {
//!             if let Msg::Meet(other) = msg { self.other = Some(other); }
//!             return Ok(Ok(0));
//!         };
//!         Ok(match msg {
//!             Msg::Meet(_) => Ok(0),
//!             Msg::Number => Ok(7),
//!             // A waits for B ...
//!             Msg::Ask => other.send(Msg::Relay).await.and_then(|answer| answer),
//!             // ... while B waits for A, which is busy waiting for B: only the timeout ends it.
//!             Msg::Relay => other
//!                 .send_timeout(Msg::Number, Duration::from_secs(1))
//!                 .await
//!                 .and_then(|answer| answer),
//!         })
//!     }
//! }
//!
//! // A paused clock lets the timeout expire without really waiting.
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let a = Peer { other: None }.spawn().await?;
//! let b = Peer { other: None }.spawn().await?;
//! a.send(Msg::Meet(b.clone())).await??;
//! b.send(Msg::Meet(a.clone())).await??;
//! let answer = a.send(Msg::Ask).await?;
//! assert!(matches!(answer, Err(AskError::Timeout { enqueued: true })));
//! // A request that does not come back around is fine.
//! assert_eq!(b.send(Msg::Number).await??, 7);
//! # Ok(()) }
//! ```
//!
//! ## Testing actors with a paused clock
//!
//! Timers, backoff delays, `send_timeout` and shutdown timeouts all use Tokio's clock. In a
//! test, start the runtime paused (`#[tokio::test(start_paused = true)]`, which needs Tokio's
//! `test-util` feature in your dev-dependencies): time then only moves when every task is
//! idle, or when the test calls `tokio::time::advance`. A test of a once-a-minute timer runs
//! in microseconds and never flakes on a slow machine.
//!
//! ```
//! use std::time::Duration;
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult};
//!
//! /// Counts ticks of a one-minute timer; a `None` message asks for the count.
//! struct Heartbeat { beats: u32 }
//!
//! impl Actor for Heartbeat {
//!     type Message = Option<()>;
//!     type Response = u32;
//!     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
//!         ctx.schedule(Some(())).every(Duration::from_secs(60)).await?;
//!         Ok(())
//!     }
//!     async fn handle(&mut self, tick: Option<()>, _: &mut ActorContext<Self>) -> ActorResult<u32> {
//!         if tick.is_some() { self.beats += 1; }
//!         Ok(self.beats)
//!     }
//! }
//!
//! // In a test: #[tokio::test(start_paused = true)]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let heart = Heartbeat { beats: 0 }.spawn().await?;
//! assert_eq!(heart.send(None).await?, 0);
//! for _ in 0..3 {
//!     tokio::time::advance(Duration::from_secs(60)).await; // a minute, instantly
//!     tokio::task::yield_now().await; // let the timer task deliver
//! }
//! assert_eq!(heart.send(None).await?, 3);
//! // One jump over several ticks delivers one: the default `MissPolicy::Skip` drops ticks
//! // that are already past (`CatchUp` would deliver them).
//! tokio::time::advance(Duration::from_secs(60 * 5)).await;
//! tokio::task::yield_now().await;
//! assert_eq!(heart.send(None).await?, 4);
//! # Ok(()) }
//! ```
//!
//! Bound every wait in a test with `tokio::time::timeout`, so a bug fails the test instead of
//! hanging it; with a paused clock the timeout costs nothing when the test passes.
