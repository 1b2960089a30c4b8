//! The background tasks that feed an actor's mailbox (timers, streams, piped work), owned by
//! one incarnation: ids, liveness, cancellation. One registry holds all three kinds, with ids
//! from one counter (an id names one feed of one kind); the map is allocated on first use, so
//! an actor without any pays 24 bytes.

use std::collections::HashMap;

use tokio::task::{AbortHandle, JoinHandle};

/// What a feed is; `cancel` and the counts only see feeds of the kind asked for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FeedKind {
    Timer,
    Stream,
    /// Work started by `ActorContext::pipe`.
    Task,
}

struct Feed {
    task: AbortHandle,
    kind: FeedKind,
    /// Deregistered when its (only) message is dispatched: one-shot timers, piped work.
    one_shot: bool,
}

/// The feeds of one incarnation.
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
    /// Active feeds of one kind (a scan: only status snapshots and counts ask).
    pub(crate) fn count(&self, kind: FeedKind) -> usize {
        self.active
            .as_ref()
            .map_or(0, |a| a.values().filter(|feed| feed.kind == kind).count())
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

    /// Registers a new feed, started by `start` with its id (not started after `shut`: then
    /// `start` is dropped, and with it whatever it owns).
    pub(crate) fn add(
        &mut self,
        kind: FeedKind,
        one_shot: bool,
        start: impl FnOnce(u64) -> JoinHandle<()>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        if !self.shut {
            let task = start(id).abort_handle();
            self.active.get_or_insert_with(Default::default).insert(
                id,
                Feed {
                    task,
                    kind,
                    one_shot,
                },
            );
        }
        id
    }

    /// Stops feed `id` of this kind; `false` if no such feed is active.
    pub(crate) fn cancel(&mut self, kind: FeedKind, id: u64) -> bool {
        let Some(active) = self.active.as_mut() else {
            return false;
        };
        if active.get(&id).map(|feed| feed.kind) != Some(kind) {
            return false;
        }
        match active.remove(&id) {
            Some(feed) => {
                feed.task.abort();
                true
            }
            None => false,
        }
    }

    /// Stops every feed of one kind.
    pub(crate) fn cancel_kind(&mut self, kind: FeedKind) {
        if let Some(active) = self.active.as_mut() {
            active.retain(|_, feed| {
                if feed.kind == kind {
                    feed.task.abort();
                }
                feed.kind != kind
            });
        }
    }

    fn cancel_all(&mut self) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn idle() -> JoinHandle<()> {
        tokio::spawn(std::future::pending())
    }

    #[tokio::test]
    async fn kinds_share_ids_but_not_cancellation() {
        let mut feeds = Feeds::default();
        let timer = feeds.add(FeedKind::Timer, false, |_| idle());
        let stream = feeds.add(FeedKind::Stream, false, |_| idle());
        let task = feeds.add(FeedKind::Task, true, |_| idle());
        assert_eq!((timer, stream, task), (0, 1, 2));
        assert!(
            !feeds.cancel(FeedKind::Stream, timer),
            "a timer id is not a stream"
        );
        assert!(!feeds.cancel(FeedKind::Timer, task));
        assert_eq!(
            (
                feeds.count(FeedKind::Timer),
                feeds.count(FeedKind::Stream),
                feeds.count(FeedKind::Task)
            ),
            (1, 1, 1)
        );
        feeds.cancel_kind(FeedKind::Timer);
        assert_eq!(
            (feeds.count(FeedKind::Timer), feeds.count(FeedKind::Task)),
            (0, 1)
        );
        assert!(feeds.admit(task, false), "one-shot: admitted once");
        assert!(!feeds.admit(task, false));
        assert!(feeds.cancel(FeedKind::Stream, stream));
        assert!(!feeds.cancel(FeedKind::Stream, stream));
    }

    #[tokio::test]
    async fn after_shut_nothing_starts() {
        let mut feeds = Feeds::default();
        feeds.shut();
        let mut started = false;
        feeds.add(FeedKind::Task, true, |_| {
            started = true;
            idle()
        });
        assert!(!started);
        assert_eq!(feeds.count(FeedKind::Task), 0);
    }
}
