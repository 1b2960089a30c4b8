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
            while let Ok(envelope) = self.mailbox.try_recv() {
                contain_drop(Some(envelope));
            }
            if let Some(lane) = &mut self.priority {
                contain_drop(lane.stash.take());
                while let Ok(envelope) = lane.rx.try_recv() {
                    contain_drop(Some(envelope));
                }
            }
        });
    }
}
