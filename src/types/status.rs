use super::ActorId;

/// Where an actor is in its lifecycle.
///
/// | status | when |
/// |---|---|
/// | `Initializing` | inside `pre_start` and `on_started` |
/// | `Running` | serving messages, `pre_stop`, `on_child_stopped` |
/// | `Stopping` | committed to stop; inside `on_stopped` |
/// | `Restarting` | a supervised child between two incarnations (restart pending, backoff included) |
/// | `Stopped` | terminated (never observed from a hook) |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorStatus {
    /// Running `pre_start` / `on_started`.
    Initializing,
    /// Serving messages.
    Running,
    /// Committed to stopping; cleanup in progress.
    Stopping,
    /// A supervised child between two incarnations: its supervisor is restarting it. Its
    /// handle and mailbox stay valid; messages wait for the next incarnation.
    Restarting,
    /// Terminated.
    Stopped,
}

/// A snapshot of an actor, answered by [`ActorHandle::get_status`](crate::ActorHandle::get_status)
/// between two messages.
#[derive(Debug, Clone)]
pub struct ActorStatusInfo {
    /// The actor's id.
    pub id: ActorId,
    /// The actor's registered name, if any.
    pub name: Option<String>,
    /// `Running` when answered by the actor between two messages; `Restarting` when answered
    /// by the handle of a supervised child whose restart is pending.
    pub status: ActorStatus,
    /// Messages queued and not yet taken by the actor.
    pub mailbox_len: usize,
    /// The configured mailbox capacity.
    pub mailbox_capacity: usize,
    /// Priority messages queued and not yet taken by the actor (0 without a priority lane).
    pub priority_len: usize,
    /// The configured priority lane capacity (0 without a priority lane).
    pub priority_capacity: usize,
    /// Number of supervised children (`children().len()`).
    pub child_count: usize,
    /// Number of active timers.
    pub timer_count: usize,
    /// Number of active streams.
    pub stream_count: usize,
    /// Which incarnation this is: 1 for the first, +1 per restart of a supervised child.
    pub incarnation: u64,
    /// How many times the actor was restarted (`incarnation - 1`).
    pub restarts: u64,
}
