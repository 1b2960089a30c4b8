//! The type-independent state shared by every handle of one actor: the system channel,
//! liveness, the kill switch, the incarnation record and the final stop reason.
//!
//! An unsupervised actor has one incarnation. A supervised child keeps this state (and its
//! mailbox) across restarts: "alive" means "not terminated for good", while the incarnation
//! record says whether an incarnation is running right now.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};

use tokio::sync::oneshot;
use tokio::task::AbortHandle;

use super::system_queue::SystemQueue;
use super::waiters::Waiters;
use crate::actor::supervision::ChildNotice;
use crate::error::SendError;
use crate::system::Registration;
use crate::types::{ActorId, ActorStatusInfo, StopReason, Terminated};

/// A process-wide unique number for a new incarnation. Supervisors match child notices by it,
/// so a notice from an incarnation they already replaced (or from before their own restart)
/// never matches a current one.
pub(crate) fn next_tag() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// One item of the system channel: everything that must overtake queued mailbox messages.
///
/// Large payloads are boxed so the item stays two words: it keeps the queue's inline first slot
/// (part of every actor's core) small, and system items are rare.
pub(crate) enum SystemMsg {
    /// A Tier-1 or Tier-2 stop signal, for whichever incarnation reads it.
    Stop(Box<StopReason>),
    /// `Stop(Graceful)`, the common case, without the box.
    Graceful,
    /// `ParentRequest` from the supervisor, for the incarnation with this tag only (a stale
    /// one is ignored by a later incarnation).
    ParentStop(u64),
    /// A Kill was accepted. The kill itself is out of band (the task is aborted); this marker
    /// makes the receive loop stop taking messages at once, even while Tokio's cooperative
    /// budget would let it run on before the abort takes effect.
    Kill,
    /// A `get_status` request.
    Status(oneshot::Sender<ActorStatusInfo>),
    /// News about a supervised child (a start, an exit, a failed restart).
    Child(Box<ChildNotice>),
    /// A watched actor terminated for good.
    Watched(Box<Terminated>),
}

impl SystemMsg {
    pub(crate) fn child(notice: ChildNotice) -> Self {
        SystemMsg::Child(Box::new(notice))
    }
}

/// Locks a mutex, ignoring poisoning: every critical section in this crate leaves its data
/// consistent, and user code never runs under these locks.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The kill switch and the record of incarnations.
#[derive(Default)]
struct Incarnations {
    /// A Kill was accepted for the current (or, between incarnations, the next) incarnation.
    requested: bool,
    abort: Option<AbortHandle>,
    /// The tag of the current or latest incarnation.
    tag: u64,
    /// An incarnation is running (launched and not yet ended).
    running: bool,
    /// A supervised child: its mailbox outlives each incarnation (handed to the next one, or
    /// closed by its supervisor when it terminates for good).
    supervised: bool,
    /// How many incarnations were launched.
    count: u32,
    /// The latest ended incarnation and its reason (boxed: most actors never get one until
    /// their end, and it keeps every idle actor small).
    last_end: Option<Box<(u64, StopReason)>>,
    /// The name registration, held until the actor terminates for good.
    registration: Option<Registration>,
    /// The final reason, boxed: set once, and it keeps every idle actor small.
    reason: Option<Box<StopReason>>,
    /// Actors watching this one, by the address of their handle (watching twice is one
    /// watch); allocated on the first watch.
    #[allow(clippy::box_collection)] // `None` is one word where an empty map is six
    watchers: Option<Box<HashMap<usize, Weak<dyn ActorControl>>>>,
    /// Tasks waiting for an incarnation's end or the termination for good: woken by whoever
    /// changes `running`, `last_end` or `reason`, under this same lock.
    waiters: Waiters,
}

/// The shared, type-independent half of an incarnation.
pub(crate) struct Core {
    pub(crate) id: ActorId,
    /// Boxed: most actors are anonymous, and `None` is one word where a `String` is three.
    #[allow(clippy::box_collection)]
    name: Option<Box<String>>,
    /// The system channel.
    pub(crate) system: SystemQueue,
    alive: AtomicBool,
    /// Between two incarnations of a supervised child (a restart is pending): `get_status` is
    /// answered at once with `Restarting`.
    restarting: AtomicBool,
    /// This actor (a supervisor) is stopping all its children and terminates each one itself:
    /// they send no exit notice. Cleared when a new incarnation begins.
    reaping: AtomicBool,
    /// This actor (a supervised child) is being stopped for good by its supervisor's stop of
    /// all its children: whichever incarnation ends next terminates for good right there.
    doomed: AtomicBool,
    /// The incarnation record, kill switch, registration, final reason and watchers (one lock:
    /// all of it is touched only on lifecycle paths, never per message).
    incarnations: Mutex<Incarnations>,
}

impl Core {
    pub(crate) fn new(id: ActorId, name: Option<String>) -> Self {
        Core {
            id,
            name: name.map(Box::new),
            system: SystemQueue::default(),
            alive: AtomicBool::new(true),
            restarting: AtomicBool::new(false),
            reaping: AtomicBool::new(false),
            doomed: AtomicBool::new(false),
            incarnations: Mutex::new(Incarnations::default()),
        }
    }

    /// The registered name, if any.
    pub(crate) fn name(&self) -> Option<&String> {
        self.name.as_deref()
    }

    /// `true` until the actor terminated for good (for a supervised child: until its
    /// supervisor deleted its slot).
    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }

    /// Whether this supervisor is stopping all its children (see the field).
    pub(crate) fn is_reaping(&self) -> bool {
        self.reaping.load(Ordering::Acquire)
    }

    pub(crate) fn set_reaping(&self, reaping: bool) {
        self.reaping.store(reaping, Ordering::Release);
    }

    /// Marks this child as stopped for good by its supervisor (see the field).
    pub(crate) fn doom(&self) {
        self.doomed.store(true, Ordering::Release);
    }

    /// Whether this child's next end is its last (see the field).
    pub(crate) fn is_doomed(&self) -> bool {
        self.doomed.load(Ordering::Acquire)
    }

    /// Whether a restart is pending (between two incarnations).
    pub(crate) fn is_restarting(&self) -> bool {
        self.restarting.load(Ordering::Acquire)
    }

    /// The current incarnation reached `Running`.
    pub(crate) fn restart_done(&self) {
        self.restarting.store(false, Ordering::Release);
    }

    /// Keeps the name registration until the actor terminates for good.
    pub(crate) fn hold_registration(&self, registration: Registration) {
        lock(&self.incarnations).registration = Some(registration);
    }

    /// Records a new incarnation with `tag`, before its task is spawned. A Kill accepted while
    /// no incarnation ran applies to this one.
    pub(crate) fn begin_incarnation(&self, tag: u64, supervised: bool) {
        self.set_reaping(false);
        let mut record = lock(&self.incarnations);
        record.supervised = supervised;
        record.tag = tag;
        record.running = true;
        record.abort = None;
        record.count = record.count.saturating_add(1);
    }

    /// Records the end of incarnation `tag` (a supervised child stays alive: its supervisor
    /// decides what comes next). Resets the kill switch: that Kill was spent on this one.
    pub(crate) fn end_incarnation(&self, tag: u64, reason: &StopReason, restarting: bool) {
        let waiters = {
            let mut record = lock(&self.incarnations);
            record.requested = false;
            record.abort = None;
            if record.tag == tag {
                record.running = false;
            }
            record.last_end = Some(Box::new((tag, reason.clone())));
            record.waiters.take()
        };
        if restarting {
            self.restarting.store(true, Ordering::Release);
        }
        waiters.wake_all();
    }

    /// Records the end of incarnation `tag` when it is the child's last (it terminates for
    /// good right after, which publishes the reason and wakes the waiters).
    pub(crate) fn end_last_incarnation(&self, tag: u64) {
        let mut record = lock(&self.incarnations);
        record.requested = false;
        record.abort = None;
        if record.tag == tag {
            record.running = false;
        }
    }

    /// `(incarnation, restarts)` for status reports: 1 and 0 for the first incarnation.
    pub(crate) fn incarnation_counts(&self) -> (u64, u64) {
        let count = u64::from(lock(&self.incarnations).count.max(1));
        (count, count - 1)
    }

    /// The tag of the current (or latest) incarnation.
    pub(crate) fn current_tag(&self) -> u64 {
        lock(&self.incarnations).tag
    }

    /// Whether this actor is a supervised child (its incarnations have a parent).
    pub(crate) fn is_supervised(&self) -> bool {
        lock(&self.incarnations).supervised
    }

    /// Whether an incarnation is running now.
    pub(crate) fn is_running(&self) -> bool {
        lock(&self.incarnations).running
    }

    /// The reason of the latest ended incarnation (the final reason once terminated for good:
    /// a child's last incarnation records no separate end).
    pub(crate) fn last_reason(&self) -> Option<StopReason> {
        let record = lock(&self.incarnations);
        match (record.reason.as_deref(), record.last_end.as_deref()) {
            (Some(last), _) | (None, Some((_, last))) => Some(last.clone()),
            (None, None) => None,
        }
    }

    /// Pushes onto the system channel; `Closed` once the incarnation has terminated.
    pub(crate) fn send_system(&self, msg: SystemMsg) -> Result<(), SendError> {
        self.system.push(msg)
    }

    /// Delivers a stop signal: `Kill` out of band, every other reason on the system channel.
    pub(crate) fn request_stop(&self, reason: StopReason) -> Result<(), SendError> {
        if !self.is_alive() {
            return Err(SendError::Closed);
        }
        match reason {
            StopReason::Kill => {
                self.kill();
                Ok(())
            }
            StopReason::Graceful => self.send_system(SystemMsg::Graceful),
            other => self.send_system(SystemMsg::Stop(Box::new(other))),
        }
    }

    /// Aborts the task: its future is dropped at the next `.await`, and the drop guard runs the
    /// rest of the stop sequence.
    ///
    /// Between two incarnations of a supervised child, the Kill applies to the next one.
    pub(crate) fn kill(&self) {
        {
            let mut switch = lock(&self.incarnations);
            switch.requested = true;
            if let Some(abort) = &switch.abort {
                abort.abort();
            }
        }
        // Refused once terminated: nothing left to stop.
        let _ = self.system.push(SystemMsg::Kill);
    }

    /// Kills incarnation `tag` only; nothing if it already ended.
    pub(crate) fn kill_incarnation(&self, tag: u64) {
        {
            let mut switch = lock(&self.incarnations);
            if switch.tag != tag || !switch.running {
                return;
            }
            switch.requested = true;
            if let Some(abort) = &switch.abort {
                abort.abort();
            }
        }
        let _ = self.system.push(SystemMsg::Kill);
    }

    /// Whether a Kill was accepted for the running incarnation (checked before stop hooks
    /// run, so a Kill wins).
    pub(crate) fn kill_requested(&self) -> bool {
        lock(&self.incarnations).requested
    }

    /// Connects the kill switch to the spawned task (a kill requested before that takes effect now).
    pub(crate) fn arm_kill(&self, abort: AbortHandle) {
        let mut switch = lock(&self.incarnations);
        if switch.requested {
            abort.abort();
        }
        switch.abort = Some(abort);
    }

    /// Asks incarnation `tag` to stop with `ParentRequest` (ignored by any other incarnation).
    pub(crate) fn request_parent_stop(&self, tag: u64) {
        let _ = self.send_system(SystemMsg::ParentStop(tag));
    }

    /// Resolves once incarnation `tag` (or a later one) has ended, or the actor terminated
    /// for good; with that incarnation's reason. `tag` must have been launched.
    pub(crate) fn wait_incarnation_end(&self, tag: u64) -> RecordWait<'_, StopReason> {
        self.wait_for(tag, |record, _, tag| record.incarnation_end(tag))
    }

    /// The reason incarnation `tag` (or a later one) ended with, or the final reason; `None`
    /// while it runs.
    pub(crate) fn incarnation_end(&self, tag: u64) -> Option<StopReason> {
        lock(&self.incarnations).incarnation_end(tag)
    }

    /// Resolves once no incarnation is running (or the actor terminated for good).
    pub(crate) fn wait_idle(&self) -> RecordWait<'_, ()> {
        self.wait_for(0, |record, core, _| {
            (!record.running || !core.is_alive()).then_some(())
        })
    }

    /// A future that resolves with `check`'s first answer, asked again each time the record
    /// changes.
    fn wait_for<T>(&self, arg: u64, check: Check<T>) -> RecordWait<'_, T> {
        RecordWait {
            core: self,
            check,
            arg,
            key: None,
        }
    }

    /// The first step of terminating for good: `is_alive()` becomes false (a mailbox parked
    /// from now on is closed by whoever parks it). Only the first call returns `true`; that
    /// caller then closes the mailbox and calls [`finish`](Self::finish).
    pub(crate) fn mark_dead(&self) -> bool {
        self.alive.swap(false, Ordering::AcqRel)
    }

    /// The type-independent rest of terminating for good, once the mailbox was closed and
    /// drained: leave the registry, close the system channel (pending status requests resolve
    /// `ResponseDropped`), publish the reason to `wait_stopped`, notify the watchers.
    pub(crate) fn finish(&self, reason: StopReason) {
        let registration = lock(&self.incarnations).registration.take();
        if let Some(registration) = registration {
            registration.release();
        }
        self.restarting.store(false, Ordering::Release);
        for item in self.system.close() {
            // A child's exit notice that can no longer be processed: nobody will restart that
            // child, so it terminates for good too.
            if let SystemMsg::Child(notice) = item {
                if let ChildNotice::Exited {
                    control, reason, ..
                } = *notice
                {
                    control.terminate(reason);
                }
            }
        }
        let (watchers, waiters) = {
            let mut state = lock(&self.incarnations);
            state.reason = Some(Box::new(reason.clone()));
            (state.watchers.take(), state.waiters.take())
        };
        waiters.wake_all();
        // Death watch: one notice per watcher, on its system channel (never lost, never
        // blocked by a full mailbox).
        for watcher in watchers.into_iter().flat_map(|w| w.into_values()) {
            if let Some(watcher) = watcher.upgrade() {
                let event = Terminated {
                    id: self.id.clone(),
                    name: self.name().cloned(),
                    reason: reason.clone(),
                };
                let _ = watcher
                    .core()
                    .send_system(SystemMsg::Watched(Box::new(event)));
            }
        }
    }

    /// Adds a watcher (keyed by its handle's address). `Err(reason)` if this actor already
    /// terminated for good: the caller delivers the notice itself, at once.
    pub(crate) fn add_watcher(
        &self,
        key: usize,
        watcher: Weak<dyn ActorControl>,
    ) -> Result<(), StopReason> {
        let mut state = lock(&self.incarnations);
        if let Some(reason) = state.reason.as_deref() {
            return Err(reason.clone());
        }
        state
            .watchers
            .get_or_insert_with(Default::default)
            .insert(key, watcher);
        Ok(())
    }

    /// Removes a watcher added with `key`.
    pub(crate) fn remove_watcher(&self, key: usize) {
        if let Some(watchers) = lock(&self.incarnations).watchers.as_mut() {
            watchers.remove(&key);
        }
    }

    /// The final reason, once published.
    pub(crate) fn exit_reason(&self) -> Option<StopReason> {
        lock(&self.incarnations).reason.as_deref().cloned()
    }

    /// Resolves with the final reason once the actor has terminated for good.
    pub(crate) fn wait_exit(&self) -> RecordWait<'_, StopReason> {
        self.wait_for(0, |record, _, _| record.reason.as_deref().cloned())
    }
}

impl Incarnations {
    fn incarnation_end(&self, tag: u64) -> Option<StopReason> {
        if let Some((ended, reason)) = self.last_end.as_deref() {
            if *ended >= tag {
                return Some(reason.clone());
            }
        }
        self.reason.as_deref().cloned()
    }
}

/// What a [`RecordWait`] asks of the record (and of the core's flags) each time it is polled,
/// with the wait's argument (an incarnation tag, or unused).
type Check<T> = fn(&Incarnations, &Core, u64) -> Option<T>;

/// Waits for a lifecycle change of one actor: polled, it asks its check under the record lock,
/// and registers its waker under that same lock when the answer is not there yet; whoever
/// changes the record wakes every registered waiter. Dropped while waiting, it unregisters.
pub(crate) struct RecordWait<'a, T> {
    core: &'a Core,
    check: Check<T>,
    arg: u64,
    /// Set once registered.
    key: Option<u64>,
}

impl<T> Future for RecordWait<'_, T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        let mut record = lock(&this.core.incarnations);
        if let Some(answer) = (this.check)(&record, this.core, this.arg) {
            if let Some(key) = this.key.take() {
                record.waiters.remove(key);
            }
            return Poll::Ready(answer);
        }
        let known = this.key.is_some();
        let key = *this.key.get_or_insert_with(Waiters::next_key);
        record.waiters.register(key, cx.waker(), known);
        Poll::Pending
    }
}

impl<T> Drop for RecordWait<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            lock(&self.core.incarnations).waiters.remove(key);
        }
    }
}

/// A type-erased view of an actor, for the registry and for supervisors.
pub(crate) trait ActorControl: Send + Sync + 'static {
    /// The shared state.
    fn core(&self) -> &Core;
    /// Terminates the actor for good (no incarnation may be running): [`Core::mark_dead`],
    /// close and drain the mailbox kept between incarnations (waiting senders `Closed`, queued
    /// `send`s `ResponseDropped`), then [`Core::finish`]. Idempotent.
    fn terminate(&self, reason: StopReason);
    /// The concrete handle inner, for typed lookup (`ActorSystem::get`).
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::future::poll_fn;
    use std::pin::pin;

    fn core() -> Core {
        Core::new(ActorId::random(), None)
    }

    /// Polls `wait` once; `true` if it is still waiting.
    async fn pending<F: Future + Unpin>(wait: &mut F) -> bool {
        poll_fn(|cx| Poll::Ready(Pin::new(&mut *wait).poll(cx).is_pending())).await
    }

    fn waiting(core: &Core) -> usize {
        lock(&core.incarnations).waiters.len()
    }

    #[tokio::test]
    async fn wait_exit_resolves_with_the_final_reason() {
        let core = core();
        let mut wait = core.wait_exit();
        assert!(pending(&mut wait).await);
        assert!(
            pending(&mut wait).await,
            "a second poll refreshes, no second entry"
        );
        assert_eq!(waiting(&core), 1);
        core.finish(StopReason::Cancelled);
        assert!(matches!(wait.await, StopReason::Cancelled));
        assert_eq!(waiting(&core), 0);
        assert!(
            matches!(core.wait_exit().await, StopReason::Cancelled),
            "at once after"
        );
    }

    #[tokio::test]
    async fn a_dropped_wait_unregisters() {
        let core = core();
        let mut first = core.wait_exit();
        let mut second = core.wait_exit();
        assert!(pending(&mut first).await && pending(&mut second).await);
        assert_eq!(waiting(&core), 2);
        drop(first);
        assert_eq!(waiting(&core), 1);
        core.finish(StopReason::Graceful);
        assert!(matches!(second.await, StopReason::Graceful));
    }

    #[tokio::test]
    async fn incarnation_waits_see_their_end_or_a_later_one() {
        let core = core();
        core.begin_incarnation(1, true);
        let mut idle = core.wait_idle();
        let mut first = core.wait_incarnation_end(1);
        assert!(pending(&mut idle).await && pending(&mut first).await);
        core.end_incarnation(1, &StopReason::Graceful, true);
        idle.await;
        assert!(matches!(first.await, StopReason::Graceful));
        core.begin_incarnation(2, true);
        let mut second = pin!(core.wait_incarnation_end(2));
        assert!(
            pending(&mut second).await,
            "the first end does not count for the second"
        );
        core.end_incarnation(3, &StopReason::Cancelled, false);
        assert!(
            matches!(second.await, StopReason::Cancelled),
            "a later end counts"
        );
    }

    #[tokio::test]
    async fn many_waiters_are_all_woken() {
        let core = Arc::new(core());
        let waits: Vec<_> = (0..100)
            .map(|_| {
                let core = core.clone();
                tokio::spawn(async move { core.wait_exit().await })
            })
            .collect();
        tokio::task::yield_now().await;
        core.finish(StopReason::Graceful);
        for wait in waits {
            let woken = tokio::time::timeout(std::time::Duration::from_secs(5), wait).await;
            assert!(matches!(woken, Ok(Ok(StopReason::Graceful))), "{woken:?}");
        }
    }
}
