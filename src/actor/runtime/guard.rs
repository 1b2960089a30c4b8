//! Runs user code with panics caught, without boxing the future.

use std::any::Any;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use crate::error::ActorError;

/// Polls `fut` to completion; a panic while polling becomes `Err(ActorError::Panic(msg))`.
pub(crate) async fn caught<F: Future>(fut: F) -> Result<F::Output, ActorError> {
    let mut fut = pin!(fut);
    poll_fn(|cx| poll_caught(fut.as_mut(), cx)).await
}

/// Polls `fut` once with panics caught. For hot call sites that pin their future in place
/// (the `caught` wrapper would store the future twice in the caller's state).
pub(crate) fn poll_caught<F: Future>(
    fut: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, ActorError>> {
    match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
        Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
        Ok(Poll::Pending) => Poll::Pending,
        Err(payload) => Poll::Ready(Err(ActorError::Panic(panic_message(payload)))),
    }
}

/// Runs synchronous user code with panics caught.
pub(crate) fn caught_sync<T>(f: impl FnOnce() -> T) -> Result<T, ActorError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| ActorError::Panic(panic_message(payload)))
}

/// Drops a value whose `Drop` is user code (an actor value, a queued message). A panic there
/// is caught and only logged: it never skips an exit step or changes a committed stop reason.
pub(crate) fn contain_drop<T>(value: T) {
    if let Err(_panic) = caught_sync(move || drop(value)) {
        #[cfg(feature = "tracing")]
        tracing::warn!(panic = %_panic, "a Drop implementation panicked; ignored");
    }
}

/// The text of a panic payload (`&str` or `String`), or a fixed placeholder.
pub(crate) fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_string(),
            Err(_) => "panic with a non-string payload".to_string(),
        },
    }
}

/// A helper trait to flatten `Result<ActorResult<T>, ActorError>` from [`caught`].
pub(crate) trait Flatten<T> {
    fn flat(self) -> Result<T, ActorError>;
}

impl<T> Flatten<T> for Result<Result<T, ActorError>, ActorError> {
    fn flat(self) -> Result<T, ActorError> {
        self.and_then(|inner| inner)
    }
}
