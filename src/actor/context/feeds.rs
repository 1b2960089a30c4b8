//! The background tasks that feed an actor's mailbox (timers, streams), owned by one
//! incarnation: ids, liveness, cancellation. The map is allocated on first use, so an actor
//! without timers or streams pays 16 bytes for each kind.

use std::collections::HashMap;

use tokio::task::{AbortHandle, JoinHandle};

struct Feed {
    task: AbortHandle,
    /// Deregistered when its (only) message is dispatched: one-shot timers.
    one_shot: bool,
}

/// One kind of feed (the timers, or the streams) of an incarnation.
#[derive(Default)]
pub(crate) struct Feeds {
    next_id: u64,
    // Boxed on purpose: `None` is 8 bytes where an empty `HashMap` is 48, on every actor.
    #[allow(clippy::box_collection)]
    active: Option<Box<HashMap<u64, Feed>>>,
    /// Set at the stop commit: later feeds get an id but never start.
    shut: bool,
}

impl Feeds {
    pub(crate) fn len(&self) -> usize {
        self.active.as_ref().map_or(0, |a| a.len())
    }

    /// Whether a dispatched message of feed `id` may reach `handle`. A one-shot feed, or any
    /// feed whose `last` message this is, stops being active here.
    pub(crate) fn admit(&mut self, id: u64, last: bool) -> bool {
        let Some(active) = self.active.as_mut() else {
            return false;
        };
        match active.get(&id) {
            None => false,
            Some(feed) => {
                if feed.one_shot || last {
                    active.remove(&id);
                }
                true
            }
        }
    }

    /// Registers a new feed, started by `start` with its id (not started after `shut`).
    pub(crate) fn add(&mut self, one_shot: bool, start: impl FnOnce(u64) -> JoinHandle<()>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        if !self.shut {
            let task = start(id).abort_handle();
            self.active
                .get_or_insert_with(Default::default)
                .insert(id, Feed { task, one_shot });
        }
        id
    }

    /// Stops feed `id`; `false` if it is not active.
    pub(crate) fn cancel(&mut self, id: u64) -> bool {
        match self.active.as_mut().and_then(|a| a.remove(&id)) {
            Some(feed) => {
                feed.task.abort();
                true
            }
            None => false,
        }
    }

    pub(crate) fn cancel_all(&mut self) {
        if let Some(active) = self.active.as_mut() {
            for (_, feed) in active.drain() {
                feed.task.abort();
            }
        }
    }

    /// The stop commit: cancel everything; later feeds are inert.
    pub(crate) fn shut(&mut self) {
        self.cancel_all();
        self.shut = true;
    }
}

impl Drop for Feeds {
    fn drop(&mut self) {
        self.cancel_all();
    }
}
