//! # tokio-actors
//!
//! Zero-ceremony, Tokio-native actors with strong typing.
//!
//! Every actor is one `tokio::task` that owns its state, receives one message type through a
//! bounded mailbox (default 64, so senders feel backpressure) and answers through typed
//! handles. Lifecycle control (`stop`, `get_status`, `Kill`) travels on a separate priority
//! system channel, so it works even when the mailbox is full.
//!
//! ```
//! use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, StopReason};
//!
//! struct Counter(u64);
//!
//! impl Actor for Counter {
//!     type Message = u64;
//!     type Response = u64;
//!
//!     async fn handle(&mut self, add: u64, _ctx: &mut ActorContext<Self>) -> ActorResult<u64> {
//!         self.0 += add;
//!         Ok(self.0)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let counter = Counter(0).spawn().await?;
//! counter.notify(2).await?;              // fire-and-forget, waits only for mailbox space
//! assert_eq!(counter.send(3).await?, 5); // request/response
//! counter.stop(StopReason::Graceful).await?;
//! counter.wait_stopped().await;
//! assert!(!counter.is_alive());
//! # Ok(())
//! # }
//! ```
//!
//! New here? Read the [guide]: concepts, messaging and what handler errors do, the three tiers
//! of a stop, supervision, and patterns such as graceful shutdown and testing with a paused
//! clock. (The repository also holds `ARCHITECTURE.md`, a description of the runtime's
//! internals for contributors; using the crate does not require it.)
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod actor;
mod clock;
pub mod error;
pub mod guide;
mod rng;
pub mod system;
#[cfg(test)]
mod testing;
pub mod types;

pub use actor::{
    context::{
        ActorContext, ChildSpawn, ChildSpawnBuilder, OneShotSchedule, RecurringScheduleBuilder,
        ScheduleBuilder,
    },
    handle::{ActorHandle, ReplyTo},
    pool::{Pool, PoolBuilder, Routing},
    runtime::{ActorConfig, MailboxConfig},
    supervision::{Backoff, SupervisionConfig},
    Actor, ActorExt, Recipient, SpawnBuilder,
};
pub use error::{
    ActorError, ActorResult, AskError, SendError, SpawnError, StreamError, SupervisionError,
    TimerError, TrySendError,
};
pub use system::{
    ActorSystem, BroadcastReport, Group, ShutdownPolicy, ShutdownReport, SystemConfig,
};
pub use types::{
    ActorId, ActorStatus, ActorStatusInfo, ChildEvent, ChildInfo, MissPolicy, RecurringId,
    RestartStrategy, RestartType, Shutdown, StopReason, StreamEvent, StreamId, SupervisionAction,
    TaskId, Terminated, TimerId,
};
