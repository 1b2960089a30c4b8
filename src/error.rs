//! Typed errors, one enum per failure domain.
//!
//! | enum | domain |
//! |---|---|
//! | [`ActorError`] | what a hook or handler failed with |
//! | [`SendError`] | a message or stop signal could not be delivered |
//! | [`TrySendError`] | a non-waiting delivery failed |
//! | [`AskError`] | a request (`send`, `get_status`) got no answer |
//! | [`SpawnError`] | an actor or system could not be created |
//! | [`TimerError`] | timer registration and cancellation |
//! | [`StreamError`] | stream cancellation |
//! | [`SupervisionError`] | child management |

use thiserror::Error;

use crate::types::ActorId;

/// Shorthand for the result of a hook or handler.
pub type ActorResult<T> = Result<T, ActorError>;

/// What a hook or handler failed with.
///
/// ```
/// use tokio_actors::ActorError;
/// let e = ActorError::user("bad input");
/// assert!(matches!(e, ActorError::User(ref m) if m == "bad input"));
/// ```
#[derive(Debug, Clone, Error)]
pub enum ActorError {
    /// An application error; build it with [`ActorError::user`].
    #[error("{0}")]
    User(String),
    /// Never produced by the runtime: no stop, timeout or restart turns into it (a stop with
    /// [`StopReason::Cancelled`](crate::StopReason::Cancelled) carries no error). It exists
    /// for user code, e.g. a handler that abandons its work because the request was withdrawn;
    /// the runtime treats it like any other handler error.
    #[error("cancelled")]
    Cancelled,
    /// A hook, handler or `handle_failure` panicked; holds the panic message.
    #[error("panicked: {0}")]
    Panic(String),
    /// Spawning an actor or child failed.
    #[error("spawn failed: {0}")]
    Spawn(#[from] SpawnError),
    /// A supervision operation failed, or a supervisor gave up.
    #[error("supervision: {0}")]
    Supervision(#[from] SupervisionError),
}

impl ActorError {
    /// An application error with the given message.
    pub fn user(message: impl Into<String>) -> Self {
        ActorError::User(message.into())
    }
}

impl From<TimerError> for ActorError {
    fn from(value: TimerError) -> Self {
        ActorError::User(value.to_string())
    }
}

impl From<StreamError> for ActorError {
    fn from(value: StreamError) -> Self {
        ActorError::User(value.to_string())
    }
}

/// A message or stop signal could not be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SendError {
    /// The actor has committed to stopping or has terminated.
    #[error("actor is stopping or terminated")]
    Closed,
}

/// [`ActorHandle::try_notify`](crate::ActorHandle::try_notify) failed without waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TrySendError {
    /// The mailbox has no free slot.
    #[error("mailbox is full")]
    Full,
    /// The actor has committed to stopping or has terminated (wins over `Full`).
    #[error("actor is stopping or terminated")]
    Closed,
}

/// A request (`send`, `send_timeout`, `get_status`) did not produce a response.
#[derive(Debug, Clone, Error)]
pub enum AskError {
    /// The request could not be enqueued.
    #[error("request not delivered: {0}")]
    Send(#[from] SendError),
    /// The request was accepted but will never be answered (discarded at stop, abandoned by
    /// `Kill`, or the runtime shut down).
    #[error("request accepted but never answered")]
    ResponseDropped,
    /// The handler returned an error or panicked.
    #[error("handler failed: {0}")]
    Actor(ActorError),
    /// `send_timeout`'s deadline passed; `enqueued` tells whether the message entered the
    /// mailbox (and will still be handled) or not (safe to retry).
    #[error("request timed out (enqueued: {enqueued})")]
    Timeout {
        /// Whether the message was accepted into the mailbox before the deadline.
        enqueued: bool,
    },
}

/// An actor or system could not be created.
#[derive(Debug, Clone, Error)]
pub enum SpawnError {
    /// The spawn was awaited outside a Tokio runtime.
    #[error("no Tokio runtime: spawn must be awaited inside one")]
    MissingRuntime,
    /// `pre_start` or `on_started` returned an error or panicked.
    #[error("actor failed to start: {0}")]
    Init(Box<ActorError>),
    /// A current child of this supervisor already has this id.
    #[error("duplicate child id: {0}")]
    DuplicateChild(ActorId),
    /// The name is already registered in the target system.
    #[error("name `{name}` is already registered in system `{system}`")]
    NameTaken {
        /// The requested name.
        name: String,
        /// The system it was requested in.
        system: String,
    },
    /// An actor system with this name exists (or the name is reserved).
    #[error("actor system name `{0}` is taken")]
    SystemNameTaken(String),
    /// The configuration is invalid: an empty actor or system name, a mailbox capacity of 0 or
    /// above the maximum, or a backoff whose jitter is outside `0.0..=1.0`. The message says
    /// which.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}

/// Timer registration or cancellation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TimerError {
    /// No active timer has this id (unknown, cancelled, or a fired one-shot).
    #[error("timer not found")]
    NotFound,
    /// The interval of a recurring timer is zero.
    #[error("timer interval must be greater than zero")]
    InvalidInterval,
}

/// Stream cancellation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum StreamError {
    /// No active stream has this id (unknown, cancelled, or finished).
    #[error("stream not found")]
    NotFound,
}

/// A supervision operation failed, or a supervisor gave up.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SupervisionError {
    /// The id is not a current child of this supervisor.
    #[error("no child with id {0}")]
    ChildNotFound(ActorId),
    /// More restarts than the budget allows within its window; the supervisor stopped.
    #[error("restart budget exhausted")]
    BudgetExhausted,
    /// A child factory panicked; holds the panic message.
    #[error("child factory panicked: {0}")]
    FactoryFailed(String),
    /// The actor has no supervision config.
    #[error("actor is not a supervisor")]
    NotASupervisor,
}
