//! How an actor is configured: [`ActorConfig`] (mailbox, priority lane, supervision) and
//! [`MailboxConfig`] (mailbox capacity). Both are also re-exported at the crate root.
//!
//! ```
//! use tokio_actors::ActorConfig;
//!
//! let config = ActorConfig::default().with_mailbox_capacity(16);
//! assert_eq!(config.mailbox.capacity, 16);
//! ```

// The engine room (private):
// - `mailbox`: the envelope that carries a message and where its result goes; `enqueue`
// - `system_queue`: the system channel: stops, status requests, child notices
// - `core`: per-incarnation state shared by handles: liveness, kill switch, exit
// - `guard`: catching panics of user code without allocating
// - `task`: the actor's task: start-up, the receive loop, the stop sequence
// - `exit`: the last steps of a stop (registry, liveness, parent, waiters), also on `Kill`
// - `launch`: validating, registering and spawning an incarnation
// - `telemetry`: spans and lifecycle events behind the `tracing` feature
// - `metering`: counters, gauges and histograms behind the `metrics` feature
// - `waiters`: tasks waiting for an incarnation's end or the termination for good
mod config;
pub(crate) mod core;
pub(crate) mod current;
pub(crate) mod exit;
pub(crate) mod guard;
pub(crate) mod handover;
pub(crate) mod lanes;
pub(crate) mod launch;
pub(crate) mod mailbox;
pub(crate) mod metering;
pub(crate) mod sync;
pub(crate) mod system_queue;
pub(crate) mod task;
pub(crate) mod telemetry;
pub(crate) mod waiters;

pub use config::{ActorConfig, MailboxConfig};
