use super::{ActorId, StopReason};

/// A watched actor terminated for good; delivered to
/// [`Actor::on_watched_stopped`](crate::Actor::on_watched_stopped) of every actor that
/// [watched](crate::ActorContext::watch) it.
///
/// "For good" means what [`ActorHandle::wait_stopped`](crate::ActorHandle::wait_stopped)
/// means: an unsupervised actor's first stop, or a supervised child whose supervisor decided
/// not to restart it (or was itself stopped). A restart is not a termination.
#[derive(Debug, Clone)]
pub struct Terminated {
    /// The watched actor's id.
    pub id: ActorId,
    /// Its registered name, if any.
    pub name: Option<String>,
    /// The reason of its last incarnation (what `wait_stopped` returns).
    pub reason: StopReason,
}
