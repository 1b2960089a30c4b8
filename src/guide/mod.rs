//! # The guide
//!
//! A walk through tokio-actors for someone who has not used it before. Each chapter is a page
//! of prose with examples that are compiled and run as tests, so they stay true.
//!
//! 1. [Concepts](concepts): actor, handle, context, mailbox, system channel, incarnation.
//! 2. [Messaging and errors](messaging): `notify`, `send`, backpressure, and what an `Err`
//!    from a handler does.
//! 3. [Stopping](stopping): the three tiers of a stop, and what runs in each.
//! 4. [Supervision](supervision): strategies, restart types, the restart budget, backoff, and
//!    what survives a restart.
//! 5. [Patterns](patterns): graceful shutdown on Ctrl-C, avoiding ask cycles, testing actors
//!    with a paused clock.
//! 6. [Reply later, pools, pub-sub](composition): `ask` and `ReplyTo`, `ctx.pipe`,
//!    cancellation, `Recipient`, groups and pools.
//!
//! The repository also holds `ARCHITECTURE.md` (how the runtime is built, for contributors)
//! and `BENCHMARKS.md` (measurements against plain Tokio); neither is needed to use the crate.

pub mod composition;
pub mod concepts;
pub mod messaging;
pub mod patterns;
pub mod stopping;
pub mod supervision;
