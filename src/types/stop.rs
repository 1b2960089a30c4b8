use std::fmt;

use crate::error::ActorError;

/// Why an actor stopped, or is asked to stop. The variant decides the termination tier.
///
/// | reason | tier | `pre_stop` | `on_stopped` | counts as |
/// |---|---|---|---|---|
/// | `Graceful` | 1 | yes, may veto | yes | normal exit |
/// | `ParentRequest` | 1 | yes, may veto | yes | normal exit |
/// | `Cancelled` | 2 | no | yes | abnormal |
/// | `Failure(e)` | 2 | no | yes | abnormal |
/// | `Kill` | 3 | no | no | abnormal |
///
/// ```
/// use tokio_actors::{ActorError, StopReason};
/// assert_eq!(StopReason::Graceful.to_string(), "graceful");
/// let failed = StopReason::Failure(ActorError::user("disk full"));
/// assert!(failed.to_string().contains("disk full"));
/// assert!(failed.is_abnormal());
/// ```
#[derive(Debug, Clone)]
pub enum StopReason {
    /// A normal, vetoable stop request.
    Graceful,
    /// A vetoable stop requested by the actor's supervisor.
    ParentRequest,
    /// A non-vetoable stop; `on_stopped` still runs.
    Cancelled,
    /// The actor failed: a `send` handler error, a panic, an exhausted restart budget, or an
    /// explicit `stop(Failure(e))`.
    Failure(ActorError),
    /// Immediate termination at the next `.await`; no hook runs.
    Kill,
}

impl StopReason {
    /// `true` for `Graceful` and `ParentRequest`: the reasons `pre_stop` may veto.
    ///
    /// ```
    /// use tokio_actors::StopReason;
    /// assert!(StopReason::ParentRequest.is_vetoable());
    /// assert!(!StopReason::Cancelled.is_vetoable());
    /// assert!(StopReason::Cancelled.is_abnormal()); // always `!is_vetoable()`
    /// ```
    pub fn is_vetoable(&self) -> bool {
        matches!(self, StopReason::Graceful | StopReason::ParentRequest)
    }

    /// `true` for `Cancelled`, `Failure` and `Kill`: the reasons a `Transient` child is
    /// restarted after.
    pub fn is_abnormal(&self) -> bool {
        !self.is_vetoable()
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Graceful => f.write_str("graceful"),
            StopReason::ParentRequest => f.write_str("parent requested"),
            StopReason::Failure(e) => write!(f, "failure: {e}"),
            StopReason::Cancelled => f.write_str("cancelled"),
            StopReason::Kill => f.write_str("killed"),
        }
    }
}
