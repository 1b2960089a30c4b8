//! Typed errors, one enum per failure domain.
//!
//! | enum | domain |
//! |---|---|
//! | [`ActorError`] | what a hook or handler failed with |
//! | [`SendError`] | a message or stop signal could not be delivered |
//! | [`TrySendError`] | a non-waiting delivery failed |
//! | [`AskError`] | a request (`send`, `ask`, `get_status`) got no answer |
//! | [`SpawnError`] | an actor or system could not be created |
//! | [`TimerError`] | timer registration and cancellation |
//! | [`StreamError`] | stream cancellation |
//! | [`SupervisionError`] | child management |

mod conversions;

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use thiserror::Error;

use crate::types::ActorId;

/// Shorthand for the result of a hook or handler.
pub type ActorResult<T> = Result<T, ActorError>;

/// What a hook or handler failed with.
///
/// `ActorError` is `Clone` (it travels inside [`StopReason`](crate::StopReason) to parents and
/// to every `wait_stopped` caller), so an error it wraps is shared behind an [`Arc`].
///
/// # `?` in hooks and handlers
///
/// `?` converts these errors without a `map_err`:
///
/// | error | becomes |
/// |---|---|
/// | `std::io::Error`, `std::fmt::Error`, `ParseIntError`, `ParseFloatError`, `ParseBoolError`, `ParseCharError`, `TryFromIntError`, `TryFromSliceError`, `Utf8Error`, `FromUtf8Error`, `AddrParseError`, `SystemTimeError` | [`Other`](Self::Other), keeping the error |
/// | Tokio's `time::error::Elapsed`, `task::JoinError`, `oneshot::error::RecvError`, `mpsc::error::SendError<T>`, `AcquireError` | [`Other`](Self::Other), keeping the error |
/// | `Box<dyn Error + Send + Sync>` (what `anyhow`-style code and `"text".into()` produce), `Arc<dyn Error + Send + Sync>` | [`Other`](Self::Other); a boxed `ActorError` is unwrapped instead |
/// | this crate's [`SendError`], [`TrySendError`], [`AskError`] | [`Other`](Self::Other), keeping the error |
/// | [`SpawnError`], [`SupervisionError`] | [`Spawn`](Self::Spawn), [`Supervision`](Self::Supervision) |
/// | [`TimerError`], [`StreamError`], `String`, `&str` | [`User`](Self::User) with the text |
/// | `Infallible` | (cannot happen) |
///
/// Any other error type: `.map_err(ActorError::other)`, or implement
/// `From<YourError> for ActorError` in your own crate (the orphan rule allows it because
/// `YourError` is local there) with [`ActorError::other`] as its body. A blanket
/// `impl<E: Error> From<E>` cannot exist: `ActorError` is itself an `Error`, and Rust's own
/// `From<T> for T` would overlap with it.
///
/// The wrapped error stays reachable: [`Display`](fmt::Display) shows its text, and
/// [`source()`](Error::source) returns it, so it can be downcast and its own chain walked.
///
/// ```
/// use std::error::Error;
/// use tokio_actors::{Actor, ActorContext, ActorError, ActorExt, ActorResult, AskError};
///
/// struct Config;
/// impl Actor for Config {
///     type Message = &'static str; // a file path
///     type Response = String;
///     async fn handle(&mut self, path: &'static str, _: &mut ActorContext<Self>) -> ActorResult<String> {
///         Ok(std::fs::read_to_string(path)?) // `?` on std::io::Error
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config.spawn().await?;
/// let Err(AskError::Actor(error)) = config.send("/no/such/file").await else { panic!() };
/// let io = error.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("kept");
/// assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
/// assert_eq!(error.to_string(), io.to_string());
///
/// let e = ActorError::user("bad input"); // plain text, as before
/// assert!(matches!(e, ActorError::User(ref m) if m == "bad input"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub enum ActorError {
    /// An application error given as text; build it with [`ActorError::user`].
    User(String),
    /// An application error that keeps the error it came from (for `source()` and
    /// downcasting); build it with [`ActorError::other`] or by `?` (see the table above).
    Other(Arc<dyn Error + Send + Sync + 'static>),
    /// Never produced by the runtime: no stop, timeout or restart turns into it (a stop with
    /// [`StopReason::Cancelled`](crate::StopReason::Cancelled) carries no error). It exists
    /// for user code, e.g. a handler that abandons its work because the request was withdrawn;
    /// the runtime treats it like any other handler error.
    Cancelled,
    /// A hook, handler, `handle_failure` or piped work panicked; holds the panic message.
    Panic(String),
    /// Spawning an actor or child failed.
    Spawn(SpawnError),
    /// A supervision operation failed, or a supervisor gave up.
    Supervision(SupervisionError),
}

impl ActorError {
    /// An application error with the given message.
    pub fn user(message: impl Into<String>) -> Self {
        ActorError::User(message.into())
    }

    /// An application error that keeps `error` as its source: for an error type `?` does not
    /// convert (`.map_err(ActorError::other)`) or for your own `From` impl.
    ///
    /// ```
    /// use std::error::Error;
    /// use tokio_actors::ActorError;
    ///
    /// #[derive(Debug)]
    /// struct OutOfTokens(u32);
    /// impl std::fmt::Display for OutOfTokens {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         write!(f, "out of tokens after {}", self.0)
    ///     }
    /// }
    /// impl Error for OutOfTokens {}
    /// impl From<OutOfTokens> for ActorError { // allowed in your crate: `OutOfTokens` is local
    ///     fn from(e: OutOfTokens) -> Self { ActorError::other(e) }
    /// }
    ///
    /// let e = ActorError::from(OutOfTokens(4096));
    /// assert_eq!(e.to_string(), "out of tokens after 4096");
    /// assert_eq!(e.source().and_then(|s| s.downcast_ref::<OutOfTokens>()).map(|o| o.0), Some(4096));
    /// ```
    pub fn other(error: impl Error + Send + Sync + 'static) -> Self {
        ActorError::Other(Arc::new(error))
    }
}

impl fmt::Display for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActorError::User(message) => f.write_str(message),
            ActorError::Other(error) => fmt::Display::fmt(error, f),
            ActorError::Cancelled => f.write_str("cancelled"),
            ActorError::Panic(message) => write!(f, "panicked: {message}"),
            ActorError::Spawn(e) => write!(f, "spawn failed: {e}"),
            ActorError::Supervision(e) => write!(f, "supervision: {e}"),
        }
    }
}

impl Error for ActorError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            // The wrapped error itself (not the `Arc`), so `downcast_ref` finds its type.
            ActorError::Other(error) => Some(&**error),
            ActorError::Spawn(e) => Some(e),
            ActorError::Supervision(e) => Some(e),
            ActorError::User(_) | ActorError::Cancelled | ActorError::Panic(_) => None,
        }
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

/// A request (`send`, `send_timeout`, `ask`, `ask_timeout`, `get_status`) did not produce a
/// response.
#[derive(Debug, Clone, Error)]
pub enum AskError {
    /// The request could not be enqueued.
    #[error("request not delivered: {0}")]
    Send(#[from] SendError),
    /// The request was accepted but will never be answered (discarded at stop, abandoned by
    /// `Kill`, or the runtime shut down).
    #[error("request accepted but never answered")]
    ResponseDropped,
    /// The handler returned an error or panicked (`send`, `send_timeout`, `send_priority`).
    #[error("handler failed: {0}")]
    Actor(#[source] ActorError),
    /// The deadline of `send_timeout` or `ask_timeout` passed; `enqueued` tells whether the
    /// message entered the mailbox (and will still be handled) or not (safe to retry).
    #[error("request timed out (enqueued: {enqueued})")]
    Timeout {
        /// Whether the message was accepted into the mailbox before the deadline.
        enqueued: bool,
    },
    /// `ask`: the message reached the actor, but its [`ReplyTo`](crate::ReplyTo) was dropped
    /// without an answer (by the handler, by a task it was moved to, or with the actor value
    /// or a handler the actor was stopped or killed in).
    #[error("the reply port was dropped without an answer")]
    NoReply,
    /// A request on the calling actor's own handle from inside its own hook or handler: the
    /// actor would wait for itself forever. Returned at once; nothing was enqueued.
    #[error("an actor cannot wait for a reply from itself (request on its own handle)")]
    SelfAsk,
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
