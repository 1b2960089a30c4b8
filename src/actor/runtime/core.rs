//! Per-incarnation state shared by every handle: the system channel, liveness, the kill
//! switch and the final stop reason.

use std::any::Any;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{oneshot, Notify};
use tokio::task::AbortHandle;

use super::system_queue::SystemQueue;
use crate::actor::supervision::ChildNotice;
use crate::error::SendError;
use crate::types::{ActorId, ActorStatusInfo, StopReason};

/// One item of the system channel: everything that must overtake queued mailbox messages.
///
/// Large payloads are boxed so the item stays two words: it keeps the queue's inline first slot
/// (part of every actor's core) small, and system items are rare.
pub(crate) enum SystemMsg {
    /// A Tier-1 or Tier-2 stop signal.
    Stop(Box<StopReason>),
    /// A Kill was accepted. The kill itself is out of band (the task is aborted); this marker
    /// makes the receive loop stop taking messages at once, even while Tokio's cooperative
    /// budget would let it run on before the abort takes effect.
    Kill,
    /// A `get_status` request.
    Status(oneshot::Sender<ActorStatusInfo>),
    /// News about a supervised child (a start, an exit, a failed restart).
    Child(Box<ChildNotice>),
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

#[derive(Default)]
struct KillSwitch {
    requested: bool,
    abort: Option<AbortHandle>,
}

/// The shared, type-independent half of an incarnation.
pub(crate) struct Core {
    pub(crate) id: ActorId,
    pub(crate) name: Option<String>,
    pub(crate) capacity: usize,
    /// The system channel.
    pub(crate) system: SystemQueue,
    alive: AtomicBool,
    kill: Mutex<KillSwitch>,
    /// The final reason, boxed: set once, and it keeps every idle actor 40 bytes smaller.
    exit: Mutex<Option<Box<StopReason>>>,
    exited: Notify,
}

impl Core {
    pub(crate) fn new(id: ActorId, name: Option<String>, capacity: usize) -> Self {
        Core {
            id,
            name,
            capacity,
            system: SystemQueue::default(),
            alive: AtomicBool::new(true),
            kill: Mutex::new(KillSwitch::default()),
            exit: Mutex::new(None),
            exited: Notify::new(),
        }
    }

    /// `true` until the stop sequence marks the incarnation terminated (step 5).
    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
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
            other => self.send_system(SystemMsg::Stop(Box::new(other))),
        }
    }

    /// Aborts the task: its future is dropped at the next `.await`, and the drop guard runs the
    /// rest of the stop sequence.
    pub(crate) fn kill(&self) {
        {
            let mut switch = lock(&self.kill);
            switch.requested = true;
            if let Some(abort) = &switch.abort {
                abort.abort();
            }
        }
        // Refused once terminated: nothing left to stop.
        let _ = self.system.push(SystemMsg::Kill);
    }

    /// Whether a Kill was accepted (checked before stop hooks run, so a Kill wins).
    pub(crate) fn kill_requested(&self) -> bool {
        lock(&self.kill).requested
    }

    /// Connects the kill switch to the spawned task (a kill requested before that takes effect now).
    pub(crate) fn arm_kill(&self, abort: AbortHandle) {
        let mut switch = lock(&self.kill);
        if switch.requested {
            abort.abort();
        }
        switch.abort = Some(abort);
    }

    /// Step 5 of the stop sequence.
    pub(crate) fn mark_terminated(&self) {
        self.alive.store(false, Ordering::Release);
    }

    /// Publishes the final reason and wakes every `wait_stopped` caller.
    pub(crate) fn publish_exit(&self, reason: StopReason) {
        *lock(&self.exit) = Some(Box::new(reason));
        self.exited.notify_waiters();
    }

    /// The final reason, once published.
    pub(crate) fn exit_reason(&self) -> Option<StopReason> {
        lock(&self.exit).as_deref().cloned()
    }

    /// Resolves with the final reason once the incarnation has fully terminated.
    pub(crate) async fn wait_exit(&self) -> StopReason {
        loop {
            let mut notified = pin!(self.exited.notified());
            notified.as_mut().enable();
            if let Some(reason) = self.exit_reason() {
                return reason;
            }
            notified.await;
        }
    }
}

/// A type-erased view of an incarnation, for the registry and for supervisors.
pub(crate) trait ActorControl: Send + Sync + 'static {
    /// The shared state.
    fn core(&self) -> &Core;
    /// The concrete handle inner, for typed lookup (`ActorSystem::get`).
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}
