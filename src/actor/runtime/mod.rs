//! Actor configuration, and the runtime that drives each actor's task.
//!
//! Public: [`ActorConfig`] and [`MailboxConfig`]. The rest is the engine room:
//!
//! | module | job |
//! |---|---|
//! | `mailbox` | the envelope that carries a message and where its result goes; `enqueue` |
//! | `system_queue` | the system channel: stops, status requests, child notices |
//! | `core` | per-incarnation state shared by handles: liveness, kill switch, exit |
//! | `current` | thread-local marks: the actor being polled (self-requests), discarding mail |
//! | `guard` | catching panics of user code without allocating |
//! | `task` | the actor's task: start-up, the receive loop, the stop sequence |
//! | `exit` | the last steps of a stop (registry, liveness, parent, waiters), also on `Kill` |
//! | `launch` | validating, registering and spawning an incarnation |
//! | `telemetry` | spans and lifecycle events behind the `tracing` feature |
//! | `metering` | counters, gauges and histograms behind the `metrics` feature |

mod config;
pub(crate) mod core;
pub(crate) mod current;
pub(crate) mod exit;
pub(crate) mod guard;
pub(crate) mod launch;
pub(crate) mod mailbox;
pub(crate) mod metering;
pub(crate) mod system_queue;
pub(crate) mod task;
pub(crate) mod telemetry;

pub use config::{ActorConfig, MailboxConfig};
