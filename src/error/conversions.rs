//! `From` impls that let `?` turn common errors into an [`ActorError`] (the table in its docs).
//!
//! A blanket `impl<E: Error> From<E>` would overlap with the standard `From<T> for T`
//! (`ActorError` is an `Error` itself), so each type is listed here. Errors that have a
//! meaningful identity are kept as [`ActorError::Other`] (shown by `Display`, returned by
//! `source()`); a few crate errors that have always become text stay that way.

use std::convert::Infallible;
use std::error::Error;
use std::sync::Arc;

use super::{
    ActorError, AskError, SendError, SpawnError, StreamError, SupervisionError, TimerError,
    TrySendError,
};

/// `From<$ty> for ActorError`, keeping the error as `ActorError::Other`.
macro_rules! keep_as_other {
    ($($ty:ty),* $(,)?) => {
        $(
            impl From<$ty> for ActorError {
                fn from(error: $ty) -> Self {
                    ActorError::other(error)
                }
            }
        )*
    };
}

keep_as_other!(
    std::io::Error,
    std::fmt::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::num::TryFromIntError,
    std::str::ParseBoolError,
    std::char::ParseCharError,
    std::array::TryFromSliceError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
    std::net::AddrParseError,
    std::time::SystemTimeError,
    tokio::time::error::Elapsed,
    tokio::task::JoinError,
    tokio::sync::oneshot::error::RecvError,
    tokio::sync::AcquireError,
    SendError,
    TrySendError,
    AskError,
);

impl<T: Send + Sync + 'static> From<tokio::sync::mpsc::error::SendError<T>> for ActorError {
    fn from(error: tokio::sync::mpsc::error::SendError<T>) -> Self {
        ActorError::other(error)
    }
}

impl From<Box<dyn Error + Send + Sync + 'static>> for ActorError {
    /// A boxed `ActorError` comes back as itself; any other error is kept as `Other`.
    fn from(error: Box<dyn Error + Send + Sync + 'static>) -> Self {
        match error.downcast::<ActorError>() {
            Ok(actor_error) => *actor_error,
            Err(error) => ActorError::Other(Arc::from(error)),
        }
    }
}

impl From<Arc<dyn Error + Send + Sync + 'static>> for ActorError {
    fn from(error: Arc<dyn Error + Send + Sync + 'static>) -> Self {
        ActorError::Other(error)
    }
}

impl From<SpawnError> for ActorError {
    fn from(error: SpawnError) -> Self {
        ActorError::Spawn(error)
    }
}

impl From<SupervisionError> for ActorError {
    fn from(error: SupervisionError) -> Self {
        ActorError::Supervision(error)
    }
}

impl From<TimerError> for ActorError {
    /// The error's text, as `User` (kept from the first version of the crate).
    fn from(error: TimerError) -> Self {
        ActorError::User(error.to_string())
    }
}

impl From<StreamError> for ActorError {
    /// The error's text, as `User` (kept from the first version of the crate).
    fn from(error: StreamError) -> Self {
        ActorError::User(error.to_string())
    }
}

impl From<String> for ActorError {
    fn from(message: String) -> Self {
        ActorError::User(message)
    }
}

impl From<&str> for ActorError {
    fn from(message: &str) -> Self {
        ActorError::User(message.to_owned())
    }
}

impl From<Infallible> for ActorError {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    fn parse(text: &str) -> Result<u32, ActorError> {
        Ok(text.parse::<u32>()?)
    }

    #[test]
    fn question_mark_keeps_the_source() {
        let e = parse("x").unwrap_err();
        assert!(matches!(e, ActorError::Other(_)));
        let source = e.source().expect("a source");
        assert!(source.downcast_ref::<std::num::ParseIntError>().is_some());
        assert_eq!(e.to_string(), source.to_string());
        assert_eq!(parse("7").ok(), Some(7));
    }

    #[test]
    fn a_boxed_actor_error_is_unwrapped() {
        let boxed: Box<dyn Error + Send + Sync> = Box::new(ActorError::Panic("p".into()));
        assert!(matches!(ActorError::from(boxed), ActorError::Panic(ref m) if m == "p"));
        let boxed: Box<dyn Error + Send + Sync> = "plain text".into();
        let e = ActorError::from(boxed);
        assert!(matches!(e, ActorError::Other(_)));
        assert_eq!(e.to_string(), "plain text");
    }

    #[test]
    fn earlier_conversions_keep_their_shape() {
        assert!(
            matches!(ActorError::from(TimerError::NotFound), ActorError::User(ref m) if m == "timer not found")
        );
        assert!(matches!(
            ActorError::from(StreamError::NotFound),
            ActorError::User(_)
        ));
        assert!(matches!(
            ActorError::from(SupervisionError::NotASupervisor),
            ActorError::Supervision(_)
        ));
        assert!(matches!(ActorError::from("t"), ActorError::User(ref m) if m == "t"));
        let e = ActorError::from(SpawnError::MissingRuntime);
        assert!(e
            .source()
            .is_some_and(|s| s.downcast_ref::<SpawnError>().is_some()));
    }

    #[test]
    fn crate_errors_chain() {
        let e = ActorError::from(AskError::Actor(ActorError::user("inner")));
        let ask = e
            .source()
            .and_then(|s| s.downcast_ref::<AskError>())
            .expect("AskError");
        let inner = ask
            .source()
            .and_then(|s| s.downcast_ref::<ActorError>())
            .expect("inner");
        assert!(matches!(inner, ActorError::User(ref m) if m == "inner"));
        assert!(ActorError::from(SendError::Closed)
            .to_string()
            .contains("stopping"));
    }

    #[test]
    fn clones_share_the_source() {
        let e = ActorError::from(std::io::Error::other("disk"));
        let c = e.clone();
        let (ActorError::Other(a), ActorError::Other(b)) = (&e, &c) else {
            panic!("kept as Other")
        };
        assert!(Arc::ptr_eq(a, b));
    }
}
