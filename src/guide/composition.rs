//! # Reply later, pools, pub-sub
//!
//! The [messaging](super::messaging) chapter answers every request from the return value of
//! `handle`. This chapter shows the tools for everything else: answering later or from
//! somewhere else, running slow work off the actor, giving up on a request, addressing actors
//! of different types alike, broadcasting, and spreading work over a pool.
//!
//! ## Reply later: `ask` and `ReplyTo`
//!
//! [`ActorHandle::ask`](crate::ActorHandle::ask) puts a typed reply port,
//! [`ReplyTo<T>`](crate::ReplyTo), inside the message. Each request variant chooses its own
//! reply type, and the port can be moved anywhere: here the handler gives it to a spawned task
//! and returns at once, so the actor keeps serving its mailbox while the answer is prepared. A
//! port dropped unanswered gives the asker [`AskError::NoReply`](crate::AskError::NoReply).
//!
//! ```
//! use std::time::Duration;
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ReplyTo};
//!
//! enum Msg {
//!     /// Answered in the handler.
//!     Count(ReplyTo<u64>),
//!     /// Answered later, by a task.
//!     Lookup(String, ReplyTo<Option<String>>),
//! }
//!
//! struct Directory { lookups: u64 }
//!
//! impl Actor for Directory {
//!     type Message = Msg;
//!     type Response = ();
//!     async fn handle(&mut self, msg: Msg, _: &mut ActorContext<Self>) -> ActorResult<()> {
//!         match msg {
//!             Msg::Count(reply) => {
//!                 let _ = reply.send(self.lookups); // Err only if the asker is gone
//!             }
//!             Msg::Lookup(key, reply) => {
//!                 self.lookups += 1;
//!                 tokio::spawn(async move {
//!                     tokio::time::sleep(Duration::from_millis(50)).await; // a slow backend
//!                     let _ = reply.send((key == "ada").then(|| "Lovelace".to_string()));
//!                 });
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let directory = Directory { lookups: 0 }.spawn().await?;
//! let pending = {
//!     let directory = directory.clone();
//!     tokio::spawn(async move { directory.ask(|r| Msg::Lookup("ada".into(), r)).await })
//! };
//! tokio::task::yield_now().await; // let the lookup reach the actor
//! // The actor is free while the lookup runs: another request type is answered meanwhile.
//! assert_eq!(directory.ask(Msg::Count).await?, 1);
//! assert_eq!(pending.await??.as_deref(), Some("Lovelace"));
//! # Ok(()) }
//! ```
//!
//! ## Slow work off the actor: `ctx.pipe`
//!
//! [`ctx.pipe(work, to_msg)`](crate::ActorContext::pipe) runs a future as a task owned by the
//! current incarnation and delivers its output, mapped by `to_msg`, into the actor's own mailbox
//! like any message. The actor keeps handling messages meanwhile. Piped tasks are cancelled by
//! [`cancel_task`](crate::ActorContext::cancel_task) and at every stop; a panic in the work
//! reaches [`handle_failure`](crate::Actor::handle_failure).
//!
//! ```
//! use std::time::Duration;
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult};
//!
//! /// Stands in for a slow call to another service.
//! async fn fetch_rate() -> u64 {
//!     tokio::time::sleep(Duration::from_secs(1)).await;
//!     42
//! }
//!
//! enum Msg { Refresh, Loaded(u64), Get }
//!
//! struct Rates { rate: u64 }
//!
//! impl Actor for Rates {
//!     type Message = Msg;
//!     type Response = u64;
//!     async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<u64> {
//!         match msg {
//!             Msg::Refresh => {
//!                 ctx.pipe(fetch_rate(), Msg::Loaded);
//!             }
//!             Msg::Loaded(rate) => self.rate = rate,
//!             Msg::Get => {}
//!         }
//!         Ok(self.rate)
//!     }
//! }
//!
//! // A paused clock: the one-second call takes no real time.
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rates = Rates { rate: 0 }.spawn().await?;
//! rates.send(Msg::Refresh).await?;
//! assert_eq!(rates.send(Msg::Get).await?, 0); // answered at once: the call runs elsewhere
//! tokio::time::sleep(Duration::from_secs(2)).await;
//! assert_eq!(rates.send(Msg::Get).await?, 42); // the result came back through the mailbox
//! # Ok(()) }
//! ```
//!
//! ## Giving up: `ask_timeout` and `ReplyTo::closed`
//!
//! Cancellation runs from the asker to the worker. When the asker stops waiting (its
//! [`ask_timeout`](crate::ActorHandle::ask_timeout) expires, or it drops the `ask` future), the
//! port closes: [`ReplyTo::is_closed`](crate::ReplyTo::is_closed) turns `true` and
//! [`ReplyTo::closed`](crate::ReplyTo::closed) resolves, so whoever holds the port can stop
//! work nobody is waiting for ("stop generating").
//!
//! ```
//! use std::time::Duration;
//! use tokio::sync::mpsc;
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, AskError, ReplyTo};
//!
//! struct Generator { cancelled: mpsc::UnboundedSender<&'static str> }
//!
//! impl Actor for Generator {
//!     type Message = ReplyTo<String>;
//!     type Response = ();
//!     async fn handle(&mut self, mut reply: ReplyTo<String>, _: &mut ActorContext<Self>) -> ActorResult<()> {
//!         let cancelled = self.cancelled.clone();
//!         tokio::spawn(async move {
//!             tokio::select! {
//!                 () = tokio::time::sleep(Duration::from_secs(60)) => {
//!                     let _ = reply.send("a very long essay".to_string());
//!                 }
//!                 () = reply.closed() => {
//!                     let _ = cancelled.send("nobody is waiting: stopped");
//!                 }
//!             }
//!         });
//!         Ok(())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (cancelled, mut seen) = mpsc::unbounded_channel();
//! let generator = Generator { cancelled }.spawn().await?;
//! let essay = generator.ask_timeout(|reply| reply, Duration::from_secs(1)).await;
//! assert!(matches!(essay, Err(AskError::Timeout { enqueued: true })));
//! assert_eq!(seen.recv().await, Some("nobody is waiting: stopped"));
//! # Ok(()) }
//! ```
//!
//! ## Actors of different types behind one address: `Recipient`
//!
//! [`handle.recipient::<M>()`](crate::ActorHandle::recipient) erases the actor's type: a
//! [`Recipient<M>`](crate::Recipient) accepts `M` and converts it with `From` into the actor's
//! own message type. Recipients of different actor types fit in one collection; sending has the
//! ordering, backpressure and errors of the handle's `notify`.
//!
//! ```
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, Recipient};
//!
//! /// Keeps every line it receives.
//! struct Log(Vec<String>);
//! impl Actor for Log {
//!     type Message = String;
//!     type Response = usize;
//!     async fn handle(&mut self, line: String, _: &mut ActorContext<Self>) -> ActorResult<usize> {
//!         self.0.push(line);
//!         Ok(self.0.len())
//!     }
//! }
//!
//! /// Counts words; its own message type also answers a query.
//! struct Words(usize);
//! enum WordsMsg { Text(String), Total }
//! impl From<String> for WordsMsg {
//!     fn from(text: String) -> Self { WordsMsg::Text(text) }
//! }
//! impl Actor for Words {
//!     type Message = WordsMsg;
//!     type Response = usize;
//!     async fn handle(&mut self, msg: WordsMsg, _: &mut ActorContext<Self>) -> ActorResult<usize> {
//!         if let WordsMsg::Text(text) = msg {
//!             self.0 += text.split_whitespace().count();
//!         }
//!         Ok(self.0)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let log = Log(Vec::new()).spawn().await?;
//! let words = Words(0).spawn().await?;
//! let sinks: Vec<Recipient<String>> = vec![log.recipient(), words.recipient()];
//! for sink in &sinks {
//!     sink.notify("hello actor world".to_string()).await?;
//! }
//! assert_eq!(words.send(WordsMsg::Total).await?, 3); // handled after the notify
//! assert_eq!(log.send("second line".to_string()).await?, 2);
//! # Ok(()) }
//! ```
//!
//! ## Broadcast: `Group`
//!
//! [`system.group::<M>(name)`](crate::ActorSystem::group) is a named publish/subscribe group of
//! recipients of `M`, one per system and message type. [`Group::broadcast`](crate::Group::broadcast)
//! delivers a clone to every member (waiting for space in each) and returns how many accepted
//! it; [`Group::try_broadcast`](crate::Group::try_broadcast) never waits. A member that
//! terminates for good leaves the group by itself.
//!
//! ```
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem, StopReason};
//!
//! /// Remembers the latest price.
//! struct Watcher(u64);
//! impl Actor for Watcher {
//!     type Message = u64;
//!     type Response = u64;
//!     async fn handle(&mut self, price: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
//!         if price > 0 {
//!             self.0 = price;
//!         }
//!         Ok(self.0)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let prices = ActorSystem::default().group::<u64>("guide-prices");
//! let (a, b) = (Watcher(0).spawn().await?, Watcher(0).spawn().await?);
//! prices.join(a.recipient());
//! prices.join(b.recipient());
//! assert_eq!(prices.broadcast(1_250).await, 2);
//! assert_eq!((a.send(0).await?, b.send(0).await?), (1_250, 1_250));
//! b.stop(StopReason::Graceful).await?;
//! b.wait_stopped().await;
//! assert_eq!(prices.broadcast(1_300).await, 1); // b left by itself
//! # Ok(()) }
//! ```
//!
//! ## Many workers behind one address: `Pool`
//!
//! [`Pool::builder(n, factory)`](crate::Pool::builder) runs `n` identical workers under one
//! supervisor (restarted one for one, invisibly to callers: a worker's handle follows its
//! restarts). [`Routing`](crate::Routing) picks the worker for each message: `RoundRobin`,
//! `LeastLoaded` (shortest mailbox), or `KeyHash(key)`, which sends equal keys to the same
//! worker, so the messages of one key are handled in order and one worker holds that key's
//! state. A full worker makes the caller wait, so a pool of `n` workers that each handle one
//! call at a time also bounds calls to an external service to `n` in flight.
//!
//! ```
//! use std::collections::HashMap;
//! use tokio_actors::{Actor, ActorContext, ActorResult, Pool, Routing, StopReason};
//!
//! struct Op { account: u64, amount: i64 }
//!
//! /// Balances of the accounts routed to this worker; refuses to overdraw.
//! #[derive(Default)]
//! struct Ledger(HashMap<u64, i64>);
//! impl Actor for Ledger {
//!     type Message = Op;
//!     type Response = i64;
//!     async fn handle(&mut self, op: Op, _: &mut ActorContext<Self>) -> ActorResult<i64> {
//!         let balance = self.0.entry(op.account).or_insert(0);
//!         if *balance + op.amount >= 0 {
//!             *balance += op.amount;
//!         }
//!         Ok(*balance)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ledger = Pool::builder(4, Ledger::default)
//!     .routing(Routing::KeyHash(|op: &Op| op.account))
//!     .await?;
//! for account in 1..=8 {
//!     // A deposit, then a withdrawal: on one worker, in this order, so both succeed.
//!     ledger.notify(Op { account, amount: 100 }).await?;
//!     ledger.notify(Op { account, amount: -60 }).await?;
//! }
//! for account in 1..=8 {
//!     assert_eq!(ledger.send(Op { account, amount: 0 }).await?, 40);
//! }
//! ledger.stop(StopReason::Graceful).await?;
//! ledger.wait_stopped().await;
//! # Ok(()) }
//! ```
//!
//! ## Knowing when another actor ends
//!
//! [`ctx.watch(&handle)`](crate::ActorContext::watch) asks for a notice when another actor
//! terminates for good: the watcher's [`on_watched_stopped`](crate::Actor::on_watched_stopped)
//! hook then runs between its messages (a monitor, not a link: the watched actor is not
//! affected).
