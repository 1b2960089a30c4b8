//! What the current thread is doing for the actor runtime, in two thread-local cells:
//!
//! - which actor's task is being polled right now (the address of its shared handle inner), so a
//!   request on one's own handle is refused with `AskError::SelfAsk` instead of waiting for
//!   itself forever;
//! - whether the runtime is discarding queued mailbox messages (a stop), so a reply port dropped
//!   with such a message tells its asker `ResponseDropped` (never delivered) rather than
//!   `NoReply` (delivered, dropped unanswered).
//!
//! Cost: both cells are `const`-initialised `Cell`s without destructors, so each access is a
//! plain thread-local load or store. An actor's task pays one swap and one store per poll of its
//! receive loop (about 15 instructions with the code around them, measured with callgrind), not
//! per message; a request pays one load and a compare.
//!
//! Only code polled by the actor's own task is marked: a task it spawns, piped work, or a
//! blocking thread it hands work to is not, so those may send to it (and a handler that waits
//! for such a task to get its own reply still waits forever: that cycle is not detected).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

thread_local! {
    /// Address of the `HandleInner` of the actor whose task is being polled; 0 for none.
    static POLLING: Cell<usize> = const { Cell::new(0) };
    /// Set while queued envelopes are being dropped at a stop.
    static DISCARDING: Cell<bool> = const { Cell::new(false) };
}

/// `true` if the actor identified by `address` is the one being polled on this thread, i.e. the
/// caller runs inside that actor's own hooks or handler.
#[inline]
pub(crate) fn is_polling(address: usize) -> bool {
    POLLING.with(Cell::get) == address
}

/// Polls `task` with [`is_polling`] answering `true` for `address` during each poll (the
/// previous value is restored afterwards, also on unwinding).
///
/// The caller pins the future in place and lends it: a wrapper that took the future by value
/// would store it twice in the actor's task (an async block keeps its captured value apart
/// from the pinned copy), doubling every idle actor's footprint.
pub(crate) fn polled_as<F: Future>(
    address: usize,
    mut task: Pin<&mut F>,
) -> impl Future<Output = F::Output> + '_ {
    std::future::poll_fn(move |cx| as_actor(address, || task.as_mut().poll(cx)))
}

/// Runs `f` (one poll of the actor's code) with [`is_polling`] answering `true` for `address`
/// (the previous value is restored afterwards, also on unwinding). For a poll loop that exists
/// anyway: two thread-local accesses, no extra future layer.
#[inline(always)]
pub(crate) fn as_actor<R>(address: usize, f: impl FnOnce() -> R) -> R {
    let _restore = Restore(POLLING.with(|cell| cell.replace(address)));
    f()
}

/// Puts the previous value back into `POLLING` when dropped.
struct Restore(usize);

impl Drop for Restore {
    #[inline]
    fn drop(&mut self) {
        POLLING.with(|cell| cell.set(self.0));
    }
}

/// Runs `drop_queued` (which drops queued envelopes) with [`is_discarding`] answering `true`.
pub(crate) fn discarding<R>(drop_queued: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            DISCARDING.with(|cell| cell.set(self.0));
        }
    }
    let _reset = Reset(DISCARDING.with(|cell| cell.replace(true)));
    drop_queued()
}

/// `true` while the runtime drops queued envelopes on this thread (see [`discarding`]).
pub(crate) fn is_discarding() -> bool {
    DISCARDING.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::pin::pin;
    use std::task::Poll;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    }

    #[test]
    fn polling_is_set_only_inside_the_wrapped_future() {
        let seen = runtime().block_on(async {
            let probe = std::future::poll_fn(|_| Poll::Ready((is_polling(7), is_polling(8))));
            polled_as(7, pin!(probe)).await
        });
        assert_eq!(seen, (true, false));
        assert!(is_polling(0) && !is_polling(7));
    }

    #[test]
    fn nested_polls_restore_the_outer_actor() {
        let seen = runtime().block_on(async {
            let outer = async {
                let inner = polled_as(2, pin!(async { is_polling(2) })).await;
                (inner, is_polling(1))
            };
            polled_as(1, pin!(outer)).await
        });
        assert_eq!(seen, (true, true));
    }

    #[test]
    fn discarding_is_scoped() {
        assert!(!is_discarding());
        assert!(discarding(is_discarding));
        assert!(!is_discarding());
        let caught = std::panic::catch_unwind(|| discarding(|| panic!("boom")));
        assert!(caught.is_err());
        assert!(!is_discarding(), "reset on unwinding");
    }
}
