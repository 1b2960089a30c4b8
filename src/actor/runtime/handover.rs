//! The hand-over of a supervised child's receiving ends (mailbox, priority lane) from one
//! incarnation to the next.
//!
//! An ending incarnation parks them here; the next incarnation takes them; the final
//! termination takes them to close and drain them. The one race that matters is a park racing
//! the final termination: the lanes must then be closed exactly once, never left parked in a
//! terminated actor (their queued `send` callers would wait forever). `park` checks the
//! liveness flag before and after storing; termination clears the flag before taking. Every
//! interleaving is checked with loom (`loom_model` below).

use super::sync::{lock, Mutex};

/// One parking place; `T` is the boxed lanes.
pub(crate) struct Handover<T> {
    slot: Mutex<Option<T>>,
}

impl<T> Default for Handover<T> {
    fn default() -> Self {
        Handover {
            slot: Mutex::new(None),
        }
    }
}

impl<T> Handover<T> {
    /// Parks `value` for the next incarnation, unless `alive()` says the actor terminated for
    /// good: then the value comes back and the caller closes it.
    pub(crate) fn park(&self, value: T, alive: impl Fn() -> bool) -> Option<T> {
        if !alive() {
            return Some(value);
        }
        *lock(&self.slot) = Some(value);
        if alive() {
            return None;
        }
        // Terminated meanwhile: whoever takes it first closes it.
        lock(&self.slot).take()
    }

    /// Takes the parked value (a new incarnation, or the final termination after it cleared
    /// the liveness flag).
    pub(crate) fn take(&self) -> Option<T> {
        lock(&self.slot).take()
    }
}

#[cfg(all(test, tokio_actors_loom))]
mod loom_model {
    //! A park racing the final termination closes the lanes exactly once.

    use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use loom::sync::Arc;

    use super::Handover;

    struct Actor {
        alive: AtomicBool,
        parked: Handover<u32>,
        closed: AtomicUsize,
    }

    #[test]
    fn a_park_racing_termination_is_closed_exactly_once() {
        loom::model(|| {
            let actor = Arc::new(Actor {
                alive: AtomicBool::new(true),
                parked: Handover::default(),
                closed: AtomicUsize::new(0),
            });
            let ending = {
                let actor = actor.clone();
                loom::thread::spawn(move || {
                    let back = actor.parked.park(7, || actor.alive.load(Ordering::Acquire));
                    if back.is_some() {
                        actor.closed.fetch_add(1, Ordering::SeqCst);
                    }
                })
            };
            // The final termination: clear the flag first, then take.
            if actor.alive.swap(false, Ordering::AcqRel) && actor.parked.take().is_some() {
                actor.closed.fetch_add(1, Ordering::SeqCst);
            }
            ending.join().unwrap();
            // Whatever the interleaving: closed once, nothing left parked.
            assert!(actor.parked.take().is_none(), "left parked in a dead actor");
            assert_eq!(actor.closed.load(Ordering::SeqCst), 1);
        });
    }

    #[test]
    fn a_parked_value_reaches_the_next_incarnation_while_alive() {
        loom::model(|| {
            let actor = Arc::new(Actor {
                alive: AtomicBool::new(true),
                parked: Handover::default(),
                closed: AtomicUsize::new(0),
            });
            let ending = {
                let actor = actor.clone();
                loom::thread::spawn(move || {
                    assert!(actor
                        .parked
                        .park(7, || actor.alive.load(Ordering::Acquire))
                        .is_none());
                })
            };
            ending.join().unwrap();
            assert_eq!(actor.parked.take(), Some(7));
        });
    }
}
