use std::time::Duration;

use super::{ActorId, StopReason};

/// Which children a supervisor restarts when one of them has a restart-worthy incident.
///
/// | strategy | restart set |
/// |---|---|
/// | `OneForOne` | the failed child |
/// | `OneForAll` | every child (others stopped in reverse start order, all restarted in start order) |
/// | `RestForOne` | the failed child and every child started after it |
/// | `SimpleOneForOne` | the failed child (dynamic children of one kind; stopped concurrently) |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartStrategy {
    /// Restart only the failed child.
    OneForOne,
    /// Restart all children.
    OneForAll,
    /// Restart the failed child and the ones started after it.
    RestForOne,
    /// Like `OneForOne`, for many dynamic children; they are stopped concurrently.
    SimpleOneForOne,
}

/// When a child is restarted.
///
/// | type | after `Graceful`/`ParentRequest` | after `Cancelled`/`Failure`/`Kill` |
/// |---|---|---|
/// | `Permanent` (default) | restarted | restarted |
/// | `Transient` | removed | restarted |
/// | `Temporary` | removed | removed |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestartType {
    /// Always restarted.
    #[default]
    Permanent,
    /// Restarted only after an abnormal end.
    Transient,
    /// Never restarted.
    Temporary,
}

/// How a supervisor stops a child.
///
/// | policy | what the supervisor does |
/// |---|---|
/// | `Kill` | sends `Kill` at once |
/// | `Timeout(d)` (default, 5 s) | sends `ParentRequest`, waits up to `d`, then `Kill` |
/// | `Infinity` | sends `ParentRequest` and waits as long as it takes |
///
/// A `Timeout` over about 30 years (up to `Duration::MAX`) is shortened to 30 years: in
/// practice it waits like `Infinity`.
///
/// ```
/// use std::time::Duration;
/// use tokio_actors::Shutdown;
/// assert_eq!(Shutdown::default(), Shutdown::Timeout(Duration::from_secs(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Kill immediately.
    Kill,
    /// Ask, then kill after the timeout.
    Timeout(Duration),
    /// Ask and wait without limit (a child that vetoes keeps its parent waiting).
    Infinity,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown::Timeout(Duration::from_secs(5))
    }
}

/// What the supervisor did about a child that ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisionAction {
    /// A restart was initiated (the new incarnation may not be running yet).
    Restarted,
    /// The child will not be restarted and is gone from `children()`.
    Removed,
    /// Never produced: `on_child_stopped` only ever hears about supervised children, and every
    /// event carries `Restarted`, `Removed` or `BudgetExhausted`. The variant stays so that
    /// code matching on it keeps compiling; a match arm for it is never taken.
    NotSupervised,
    /// The restart budget is exhausted; the supervisor is about to stop.
    BudgetExhausted,
}

/// What [`Actor::on_child_stopped`](crate::Actor::on_child_stopped) receives.
#[derive(Debug, Clone)]
pub struct ChildEvent {
    /// The child slot's stable id.
    pub child_id: ActorId,
    /// The child's name, if it is named.
    pub child_name: Option<String>,
    /// The final reason of the incarnation that ended.
    pub reason: StopReason,
    /// The action already taken.
    pub action: SupervisionAction,
}

/// One supervised child, as listed by [`ActorContext::children`](crate::ActorContext::children).
#[derive(Debug, Clone)]
pub struct ChildInfo {
    /// The slot's stable id.
    pub id: ActorId,
    /// The child's name, if it is named.
    pub name: Option<String>,
    /// Its restart type.
    pub restart_type: RestartType,
    /// Its shutdown policy.
    pub shutdown: Shutdown,
    /// The current incarnation has not terminated and is not marked for replacement.
    pub is_alive: bool,
    /// A replacement was decided and is not spawned yet.
    pub restart_pending: bool,
}
