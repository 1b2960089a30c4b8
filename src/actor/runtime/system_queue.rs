//! The system channel: an unbounded FIFO of stop signals, status requests and child notices
//! that overtakes the mailbox.
//!
//! It allocates nothing until its first item (most actors never get one), and the receive loop
//! checks it with one atomic load per message. The actor's waker is registered once and kept,
//! so parking costs a pointer comparison, not a lock.

use std::collections::VecDeque;
use std::task::Waker;

use super::core::SystemMsg;
use super::sync::{lock, AtomicBool, Mutex, Ordering};
use crate::error::SendError;

#[derive(Default)]
struct QueueState {
    /// The oldest item. Most actors only ever get one system item (their stop), which then
    /// needs no allocation.
    head: Option<SystemMsg>,
    /// Items after `head`, in order; boxed, so the many actors that never get a second item
    /// pay one word for it.
    #[allow(clippy::box_collection)]
    rest: Option<Box<VecDeque<SystemMsg>>>,
    closed: bool,
    /// The actor task's waker, registered the first time it parks.
    waker: Option<Waker>,
}

/// See the [module docs](self).
pub(crate) struct SystemQueue {
    /// `true` while an item is queued (updated under the lock, read without it).
    pending: AtomicBool,
    state: Mutex<QueueState>,
}

impl Default for SystemQueue {
    fn default() -> Self {
        SystemQueue {
            pending: AtomicBool::new(false),
            state: Mutex::new(QueueState::default()),
        }
    }
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
            state
                .rest
                .get_or_insert_with(Default::default)
                .push_back(msg);
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
        state.head = state.rest.as_mut().and_then(|rest| rest.pop_front());
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

    /// Refuses further items and returns the queued ones, for the caller to drop (a pending
    /// `get_status` then resolves `ResponseDropped`) or to settle.
    pub(crate) fn close(&self) -> Vec<SystemMsg> {
        let mut state = lock(&self.state);
        state.closed = true;
        state.waker = None;
        self.pending.store(false, Ordering::Release);
        let mut items: Vec<SystemMsg> = state.head.take().into_iter().collect();
        if let Some(rest) = state.rest.take() {
            items.extend(*rest);
        }
        items
    }
}

#[cfg(all(test, tokio_actors_loom))]
mod loom_model {
    //! Every interleaving of a push racing the receive loop's park protocol (loom).

    use std::sync::Arc;
    use std::task::{Wake, Waker};

    use loom::sync::atomic::{AtomicBool, Ordering};

    use super::SystemQueue;
    use crate::actor::runtime::core::SystemMsg;
    use crate::types::StopReason;

    struct Flag(AtomicBool);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    fn stop() -> SystemMsg {
        SystemMsg::Stop(Box::new(StopReason::Graceful))
    }

    /// The receiver side of `Live::next` with an empty mailbox: check, register, check again.
    fn park_or_take(
        queue: &SystemQueue,
        waker: &Waker,
        cached: &mut Option<Waker>,
    ) -> Option<SystemMsg> {
        if queue.is_pending() {
            if let Some(msg) = queue.pop() {
                return Some(msg);
            }
        }
        queue.register(waker, cached);
        queue.is_pending().then(|| queue.pop()).flatten()
    }

    #[test]
    fn a_push_racing_a_park_is_taken_or_wakes_the_actor() {
        loom::model(|| {
            let queue = loom::sync::Arc::new(SystemQueue::default());
            let pusher = {
                let queue = queue.clone();
                loom::thread::spawn(move || queue.push(stop()).is_ok())
            };
            let flag = Arc::new(Flag(AtomicBool::new(false)));
            let waker = Waker::from(flag.clone());
            let mut cached = None;
            let taken = park_or_take(&queue, &waker, &mut cached);
            assert!(pusher.join().unwrap());
            // No lost wake-up: either the item was taken, or the parked actor was woken and
            // then finds it.
            if taken.is_none() {
                assert!(flag.0.load(Ordering::SeqCst), "parked without a wake-up");
                assert!(queue.is_pending());
                assert!(queue.pop().is_some());
            }
            assert!(!queue.is_pending());
        });
    }

    #[test]
    fn two_pushes_keep_their_order_and_the_flag_tracks_the_queue() {
        loom::model(|| {
            let queue = loom::sync::Arc::new(SystemQueue::default());
            let pusher = {
                let queue = queue.clone();
                loom::thread::spawn(move || {
                    queue
                        .push(SystemMsg::Stop(Box::new(StopReason::Cancelled)))
                        .unwrap();
                    queue
                        .push(SystemMsg::Stop(Box::new(StopReason::Kill)))
                        .unwrap();
                })
            };
            let mut seen = Vec::new();
            while seen.len() < 2 {
                match queue.pop() {
                    Some(SystemMsg::Stop(reason)) => seen.push(reason.to_string()),
                    Some(_) => unreachable!(),
                    None => loom::thread::yield_now(),
                }
            }
            pusher.join().unwrap();
            assert_eq!(seen, vec!["cancelled".to_string(), "killed".to_string()]);
            assert!(!queue.is_pending());
        });
    }

    #[test]
    fn close_refuses_later_pushes() {
        loom::model(|| {
            let queue = loom::sync::Arc::new(SystemQueue::default());
            let pusher = {
                let queue = queue.clone();
                loom::thread::spawn(move || queue.push(stop()))
            };
            queue.close();
            // Whether the push won or lost the race, nothing stays queued after close.
            pusher.join().unwrap().ok();
            assert!(queue.pop().is_none());
            assert!(queue.push(stop()).is_err());
        });
    }
}
