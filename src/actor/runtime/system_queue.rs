//! The system channel: an unbounded FIFO of stop signals, status requests and child notices
//! that overtakes the mailbox.
//!
//! It allocates nothing until its first item (most actors never get one), and the receive loop
//! checks it with one atomic load per message. The actor's waker is registered once and kept,
//! so parking costs a pointer comparison, not a lock.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::Waker;

use super::core::{lock, SystemMsg};
use crate::error::SendError;

#[derive(Default)]
struct QueueState {
    /// The oldest item. Most actors only ever get one system item (their stop), which then
    /// needs no allocation.
    head: Option<SystemMsg>,
    /// Items after `head`, in order.
    rest: VecDeque<SystemMsg>,
    closed: bool,
    /// The actor task's waker, registered the first time it parks.
    waker: Option<Waker>,
}

/// See the [module docs](self).
#[derive(Default)]
pub(crate) struct SystemQueue {
    /// `true` while an item is queued (updated under the lock, read without it).
    pending: AtomicBool,
    state: Mutex<QueueState>,
}

impl SystemQueue {
    /// Appends an item and wakes the actor; `Closed` once the incarnation has terminated.
    pub(crate) fn push(&self, msg: SystemMsg) -> Result<(), SendError> {
        let mut state = lock(&self.state);
        if state.closed {
            return Err(SendError::Closed);
        }
        if state.head.is_none() {
            state.head = Some(msg);
        } else {
            state.rest.push_back(msg);
        }
        self.pending.store(true, Ordering::Release);
        if let Some(waker) = &state.waker {
            waker.wake_by_ref();
        }
        Ok(())
    }

    /// Whether an item is waiting (one atomic load: the receive loop's fast-path check).
    #[inline]
    pub(crate) fn is_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Takes the oldest item.
    pub(crate) fn pop(&self) -> Option<SystemMsg> {
        let mut state = lock(&self.state);
        let item = state.head.take();
        state.head = state.rest.pop_front();
        if state.head.is_none() {
            self.pending.store(false, Ordering::Release);
        }
        item
    }

    /// Makes `push` wake `waker`; `cached` remembers the registered one, so registering the
    /// same task again costs nothing.
    #[inline]
    pub(crate) fn register(&self, waker: &Waker, cached: &mut Option<Waker>) {
        if cached.as_ref().is_some_and(|w| w.will_wake(waker)) {
            return;
        }
        lock(&self.state).waker = Some(waker.clone());
        *cached = Some(waker.clone());
    }

    /// Refuses further items and drops the queued ones (a pending `get_status` then resolves
    /// `ResponseDropped`).
    pub(crate) fn close(&self) {
        let items = {
            let mut state = lock(&self.state);
            state.closed = true;
            state.waker = None;
            self.pending.store(false, Ordering::Release);
            (state.head.take(), std::mem::take(&mut state.rest))
        };
        drop(items);
    }
}
