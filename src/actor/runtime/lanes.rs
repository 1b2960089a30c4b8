//! The receiving ends of an actor's mailbox and priority lane, and the messages put aside while
//! a system item overtook them. An incarnation owns them while it runs; a supervised child
//! parks them in its handle between incarnations, so queued messages reach the next one in
//! their order.

use tokio::sync::mpsc;

use super::guard::contain_drop;
use super::mailbox::Envelope;
use crate::actor::Actor;

/// The receiving ends, with the one-slot places for messages put aside.
pub(crate) struct Lanes<A: Actor> {
    pub(crate) mailbox: mpsc::Receiver<Envelope<A>>,
    /// The priority lane, if configured: read before the mailbox. Boxed so an actor without
    /// one pays one word.
    pub(crate) priority: Option<Box<PriorityLane<A>>>,
    /// A mailbox message taken just as a system item (or a priority message) arrived; it runs
    /// after them.
    pub(crate) deferred: Option<Envelope<A>>,
}

/// The receiving end of a priority lane.
pub(crate) struct PriorityLane<A: Actor> {
    pub(crate) rx: mpsc::Receiver<Envelope<A>>,
    /// A priority message taken just as a system item arrived; it runs right after it, before
    /// any mailbox message.
    pub(crate) stash: Option<Envelope<A>>,
}

impl<A: Actor> Lanes<A> {
    pub(crate) fn new(
        mailbox: mpsc::Receiver<Envelope<A>>,
        priority: Option<mpsc::Receiver<Envelope<A>>>,
    ) -> Self {
        Lanes {
            mailbox,
            priority: priority.map(|rx| Box::new(PriorityLane { rx, stash: None })),
            deferred: None,
        }
    }

    /// Closes both lanes (waiting and later senders get `Closed`) and drops every queued
    /// message unhandled (their `send` callers get `ResponseDropped`). A panic in a message's
    /// `Drop` is contained.
    pub(crate) fn close_and_drain(&mut self) {
        self.mailbox.close();
        if let Some(lane) = &mut self.priority {
            lane.rx.close();
        }
        // Marked as discarding: a reply port inside a dropped message means `ResponseDropped`.
        super::current::discarding(|| {
            contain_drop(self.deferred.take());
            drop_queued(&mut self.mailbox);
            if let Some(lane) = &mut self.priority {
                contain_drop(lane.stash.take());
                drop_queued(&mut lane.rx);
            }
        });
        sweep_late_arrivals(&mut self.mailbox);
        if let Some(lane) = &mut self.priority {
            sweep_late_arrivals(&mut lane.rx);
        }
    }
}

/// Drops what lands in a closed, drained lane after the drain.
///
/// A sender reserves a slot, then pushes into it: one preempted in between pushes after the
/// drain, and its message would sit in the channel (its `send` waiting for a reply) until the
/// last handle is gone. So while any slot is still reserved (every slot comes back when its
/// message is taken, or when a waiting sender learns of the close), the receiving end moves
/// to a small task that drops what arrives ([`LateArrivals`]). Two atomic loads on the common
/// path, where nothing is reserved.
fn sweep_late_arrivals<A: Actor>(rx: &mut mpsc::Receiver<Envelope<A>>) {
    if rx.capacity() == rx.max_capacity() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        // No runtime to wait on (a drop outside Tokio): a late message stays in the channel
        // until the last handle goes.
        return;
    };
    let (_, closed) = mpsc::channel(1);
    let late = LateArrivals(std::mem::replace(rx, closed));
    runtime.spawn(late.sweep());
}

/// A closed lane's receiving end with slots still reserved, swept by a task of its own.
/// Whatever it still holds when dropped (the runtime shutting down) is discarded like a
/// drained message: its `send` caller gets `ResponseDropped`, a panicking `Drop` is contained.
struct LateArrivals<A: Actor>(mpsc::Receiver<Envelope<A>>);

impl<A: Actor> LateArrivals<A> {
    /// Turns of the scheduler to wait before sleeping on the lane.
    const EAGER_TURNS: usize = 64;

    async fn sweep(mut self) {
        // A sender caught between reserving and pushing finishes within a few turns; so does a
        // waiting sender handed a slot just before the close (it gives the slot back when it
        // runs next). The common cases end here.
        for _ in 0..Self::EAGER_TURNS {
            match self.0.try_recv() {
                Ok(envelope) => discard(envelope),
                Err(mpsc::error::TryRecvError::Empty)
                    if self.0.capacity() < self.0.max_capacity() =>
                {
                    tokio::task::yield_now().await;
                }
                Err(_) => return,
            }
        }
        // A slot still reserved after that (a suspended `send` future nobody polls): no
        // spinning. A push wakes this task; a slot given back without a push does not, and then
        // the task sleeps with the closed lane until the runtime shuts down.
        while let Some(envelope) = self.0.recv().await {
            discard(envelope);
        }
    }
}

impl<A: Actor> Drop for LateArrivals<A> {
    fn drop(&mut self) {
        super::current::discarding(|| drop_queued(&mut self.0));
    }
}

/// Drops one envelope as discarded (never delivered), with a panic in its `Drop` contained.
fn discard<A: Actor>(envelope: Envelope<A>) {
    super::current::discarding(|| contain_drop(Some(envelope)));
}

/// Drops every envelope queued in `rx` now, each with a panic in its `Drop` contained. The
/// caller marks the thread as discarding.
fn drop_queued<A: Actor>(rx: &mut mpsc::Receiver<Envelope<A>>) {
    while let Ok(envelope) = rx.try_recv() {
        contain_drop(Some(envelope));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Echo;

    /// Pushes a request through `slot` after the close; asserts its reply port is dropped
    /// unanswered (the caller gets `ResponseDropped`).
    async fn push_late(slot: mpsc::Permit<'_, Envelope<Echo>>) {
        let (reply, answer) = tokio::sync::oneshot::channel();
        slot.send(Envelope::ask(7, reply));
        let answer = tokio::time::timeout(std::time::Duration::from_secs(5), answer).await;
        assert!(
            matches!(answer, Ok(Err(_))),
            "reply port dropped: {answer:?}"
        );
    }

    /// A sender that reserved a slot before the close and pushes after the drain: its reply
    /// port is dropped (the caller gets `ResponseDropped`), not kept until the last handle goes.
    async fn late_push_is_dropped(priority: bool) {
        let (tx, rx) = mpsc::channel::<Envelope<Echo>>(2);
        let (ptx, prx) = mpsc::channel::<Envelope<Echo>>(2);
        let mut lanes = Lanes::new(rx, Some(prx));
        let sender = if priority { &ptx } else { &tx };
        let slot = sender.try_reserve().expect("a free slot");
        lanes.close_and_drain();
        push_late(slot).await;
        assert!(sender.try_send(Envelope::tell(1)).is_err(), "still closed");
        drop(lanes);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn late_mailbox_push_is_dropped() {
        late_push_is_dropped(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn late_priority_push_is_dropped() {
        late_push_is_dropped(true).await;
    }

    /// The sweeper stops turning after a while and sleeps on the lane; a push still wakes it.
    #[tokio::test(flavor = "current_thread")]
    async fn a_late_push_after_the_eager_turns_is_dropped() {
        let (tx, rx) = mpsc::channel::<Envelope<Echo>>(2);
        let mut lanes = Lanes::<Echo>::new(rx, None);
        let slot = tx.try_reserve().expect("a free slot");
        lanes.close_and_drain();
        for _ in 0..4 * LateArrivals::<Echo>::EAGER_TURNS {
            tokio::task::yield_now().await;
        }
        push_late(slot).await;
    }

    #[tokio::test(flavor = "current_thread")]
    async fn nothing_reserved_keeps_the_receiver() {
        let (tx, rx) = mpsc::channel::<Envelope<Echo>>(2);
        let mut lanes = Lanes::<Echo>::new(rx, None);
        tx.try_send(Envelope::tell(1)).expect("room");
        lanes.close_and_drain();
        assert_eq!(lanes.mailbox.capacity(), 2, "drained in place");
        assert!(tx.is_closed());
    }
}
