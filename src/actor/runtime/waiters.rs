//! Tasks waiting for a lifecycle change of one actor (an incarnation's end, its termination for
//! good). Their wakers live under the actor's record lock, so checking the state and
//! registering is one step, and a change made under that lock is never missed.
//!
//! Cheaper than a general notifier: registering is a push onto a vector that most actors never
//! allocate, and waking takes the whole list under the lock the change holds anyway.

use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;

/// Wakers by the key of the future waiting.
#[derive(Default)]
pub(crate) struct Waiters(Vec<(u64, Waker)>);

impl Waiters {
    /// A key unique in this process, for one waiting future.
    pub(crate) fn next_key() -> u64 {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    /// Registers the waker of future `key`. `known` says the future registered before: its
    /// entry is refreshed if still here (the list may have been taken and woken since).
    pub(crate) fn register(&mut self, key: u64, waker: &Waker, known: bool) {
        if known {
            if let Some((_, held)) = self.0.iter_mut().find(|(k, _)| *k == key) {
                if !held.will_wake(waker) {
                    held.clone_from(waker);
                }
                return;
            }
        }
        self.0.push((key, waker.clone()));
    }

    /// Forgets future `key` (it resolved, or was dropped while waiting).
    pub(crate) fn remove(&mut self, key: u64) {
        if let Some(at) = self.0.iter().position(|(k, _)| *k == key) {
            self.0.swap_remove(at);
        }
    }

    /// Takes every waker, to be woken once the lock is released.
    pub(crate) fn take(&mut self) -> Waiters {
        std::mem::take(self)
    }

    /// Wakes every waker taken.
    pub(crate) fn wake_all(self) {
        for (_, waker) in self.0 {
            waker.wake();
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    #[test]
    fn a_refreshed_registration_is_one_entry_and_one_wake() {
        let (count, waker) = counter();
        let mut waiters = Waiters::default();
        let key = Waiters::next_key();
        waiters.register(key, &waker, false);
        waiters.register(key, &waker, true);
        assert_eq!(waiters.len(), 1);
        waiters.take().wake_all();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert_eq!(waiters.len(), 0, "taken");
    }

    #[test]
    fn a_new_waker_replaces_the_old_one() {
        let (old, old_waker) = counter();
        let (new, new_waker) = counter();
        let mut waiters = Waiters::default();
        let key = Waiters::next_key();
        waiters.register(key, &old_waker, false);
        waiters.register(key, &new_waker, true);
        waiters.take().wake_all();
        assert_eq!(old.0.load(Ordering::SeqCst), 0);
        assert_eq!(new.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_known_future_registers_again_after_a_take() {
        let (count, waker) = counter();
        let mut waiters = Waiters::default();
        let key = Waiters::next_key();
        waiters.register(key, &waker, false);
        waiters.take().wake_all();
        waiters.register(key, &waker, true);
        assert_eq!(waiters.len(), 1, "registered again");
        waiters.take().wake_all();
        assert_eq!(count.0.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn removal_forgets_only_that_future() {
        let (a, waker_a) = counter();
        let (b, waker_b) = counter();
        let mut waiters = Waiters::default();
        let (key_a, key_b) = (Waiters::next_key(), Waiters::next_key());
        assert_ne!(key_a, key_b);
        waiters.register(key_a, &waker_a, false);
        waiters.register(key_b, &waker_b, false);
        waiters.remove(key_a);
        waiters.remove(key_a);
        waiters.take().wake_all();
        assert_eq!(a.0.load(Ordering::SeqCst), 0);
        assert_eq!(b.0.load(Ordering::SeqCst), 1);
    }
}
