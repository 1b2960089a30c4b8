//! Metrics through the `metrics` crate facade when the `metrics` feature is on; every function
//! here compiles to nothing otherwise.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `tokio_actors_messages_total` | counter | `actor`, `outcome` = ok \| error \| panic |
//! | `tokio_actors_restarts_total` | counter | `actor` (the restarted child's type) |
//! | `tokio_actors_stops_total` | counter | `actor`, `reason` |
//! | `tokio_actors_handle_seconds` | histogram | `actor` |
//! | `tokio_actors_mailbox_wait_seconds` | histogram | `actor` (from the enqueue attempt to the start of handling) |
//! | `tokio_actors_alive` | gauge | `actor`: running incarnations of that type |
//! | `tokio_actors_mailbox_depth` | gauge | `actor`: the SUM of the mailbox depths of the live actors of that type |
//!
//! `actor` is the Rust type name of the actor.
//!
//! Both gauges are kept as process-wide counts per actor type, and every change *sets* the gauge
//! to the new total (never `increment`/`decrement`), so a recorder installed late shows the true
//! value from its first event on and a gauge can never go negative. Each actor's share of the
//! depth sum is its mailbox length as sampled when it last took a message; the share leaves the
//! sum when the actor's task ends.
//!
//! Metric handles are cached per actor (no key building on the hot path), but every message
//! first checks which recorder is current (one thread-local read and one atomic load, when the
//! message is dequeued) and resolves the handles again when it changed, so a recorder installed
//! after an actor was spawned still receives that actor's later events.

#[cfg(feature = "metrics")]
mod enabled {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::{Arc, Mutex, OnceLock};

    use tokio::time::Instant;

    use crate::actor::context::ActorContext;
    use crate::actor::runtime::mailbox::Envelope;
    use crate::actor::Actor;
    use crate::types::StopReason;

    fn actor<A>() -> &'static str {
        std::any::type_name::<A>()
    }

    /// The process-wide totals of one actor type behind its two gauges.
    #[derive(Default)]
    struct TypeTotals {
        alive: AtomicI64,
        depth: AtomicI64,
    }

    /// The totals of actor type `A`, created on first use. Looked up when an actor's task starts
    /// and ends, never per message.
    fn totals<A: 'static>() -> Arc<TypeTotals> {
        static TOTALS: OnceLock<Mutex<HashMap<TypeId, Arc<TypeTotals>>>> = OnceLock::new();
        let map = TOTALS.get_or_init(Default::default);
        // The map is only ever inserted into, so a poisoned lock still holds a valid map.
        let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(map.entry(TypeId::of::<A>()).or_default())
    }

    /// Identifies the recorder that is current on this thread (its address; the no-op recorder
    /// has one too).
    fn current_recorder() -> usize {
        metrics::with_recorder(|recorder| {
            recorder as *const dyn metrics::Recorder as *const () as usize
        })
    }

    /// The handles of one actor, resolved against one recorder.
    struct Handles {
        recorder: usize,
        ok: metrics::Counter,
        error: metrics::Counter,
        handle_seconds: metrics::Histogram,
        wait_seconds: metrics::Histogram,
        depth: metrics::Gauge,
    }

    impl Handles {
        fn resolve(name: &'static str, recorder: usize) -> Self {
            let messages = "tokio_actors_messages_total";
            Handles {
                recorder,
                ok: metrics::counter!(messages, "actor" => name, "outcome" => "ok"),
                error: metrics::counter!(messages, "actor" => name, "outcome" => "error"),
                handle_seconds: metrics::histogram!("tokio_actors_handle_seconds", "actor" => name),
                wait_seconds: metrics::histogram!("tokio_actors_mailbox_wait_seconds", "actor" => name),
                depth: metrics::gauge!("tokio_actors_mailbox_depth", "actor" => name),
            }
        }
    }

    /// The per-message metric state of one actor: its cached handles, its type's totals and its
    /// own share of the depth sum. Owned by the actor's task.
    pub(crate) struct Meters {
        name: &'static str,
        handles: Handles,
        totals: Arc<TypeTotals>,
        /// This actor's mailbox depth as last added to `totals.depth`.
        depth_share: i64,
    }

    impl Meters {
        pub(crate) fn new<A: 'static>() -> Self {
            let name = actor::<A>();
            Meters {
                name,
                handles: Handles::resolve(name, current_recorder()),
                totals: totals::<A>(),
                depth_share: 0,
            }
        }

        /// The handles, resolved again if another recorder became current since last time.
        fn handles(&mut self) -> &Handles {
            let recorder = current_recorder();
            if self.handles.recorder != recorder {
                self.handles = Handles::resolve(self.name, recorder);
            }
            &self.handles
        }

        /// Replaces this actor's share of the depth sum and returns the new sum.
        fn set_depth_share(&mut self, depth: i64) -> i64 {
            let delta = depth - self.depth_share;
            self.depth_share = depth;
            self.totals.depth.fetch_add(delta, Ordering::Relaxed) + delta
        }
    }

    impl Drop for Meters {
        /// The actor's task ended: its mailbox no longer counts towards the depth sum.
        fn drop(&mut self) {
            if self.depth_share != 0 {
                let sum = self.set_depth_share(0);
                metrics::gauge!("tokio_actors_mailbox_depth", "actor" => self.name)
                    .set(sum.max(0) as f64);
            }
        }
    }

    /// When a handler call started.
    pub(crate) type Started = Instant;

    pub(crate) fn start() -> Started {
        Instant::now()
    }

    pub(crate) fn dequeued<A: Actor>(
        meters: &mut Meters,
        envelope: &Envelope<A>,
        ctx: &ActorContext<A>,
    ) {
        let depth = ctx.self_handle_ref().mailbox_len() as i64;
        let sum = meters.set_depth_share(depth);
        let handles = meters.handles();
        handles
            .wait_seconds
            .record(envelope.enqueued.elapsed().as_secs_f64());
        handles.depth.set(sum.max(0) as f64);
    }

    pub(crate) fn handled(meters: &mut Meters, started: Started, ok: bool) {
        // Checked against the current recorder when this message was dequeued.
        let handles = &meters.handles;
        handles
            .handle_seconds
            .record(started.elapsed().as_secs_f64());
        if ok { &handles.ok } else { &handles.error }.increment(1);
    }

    pub(crate) fn panicked<A>() {
        metrics::counter!("tokio_actors_messages_total", "actor" => actor::<A>(), "outcome" => "panic").increment(1);
    }

    fn set_alive<A: 'static>(change: i64) {
        let alive = totals::<A>().alive.fetch_add(change, Ordering::Relaxed) + change;
        metrics::gauge!("tokio_actors_alive", "actor" => actor::<A>()).set(alive.max(0) as f64);
    }

    pub(crate) fn born<A: 'static>() {
        set_alive::<A>(1);
    }

    pub(crate) fn died<A: 'static>(reason: &StopReason) {
        set_alive::<A>(-1);
        let reason = match reason {
            StopReason::Graceful => "graceful",
            StopReason::ParentRequest => "parent_request",
            StopReason::Cancelled => "cancelled",
            StopReason::Failure(_) => "failure",
            StopReason::Kill => "kill",
        };
        metrics::counter!("tokio_actors_stops_total", "actor" => actor::<A>(), "reason" => reason)
            .increment(1);
    }

    pub(crate) fn restarted(child_type: &'static str) {
        metrics::counter!("tokio_actors_restarts_total", "actor" => child_type).increment(1);
    }
}

#[cfg(not(feature = "metrics"))]
#[allow(clippy::extra_unused_type_parameters)] // same signatures as the feature's versions
mod enabled {
    use crate::actor::context::ActorContext;
    use crate::actor::runtime::mailbox::Envelope;
    use crate::actor::Actor;
    use crate::types::StopReason;

    /// Nothing to hold without the feature (zero-sized).
    pub(crate) struct Meters;

    impl Meters {
        #[inline(always)]
        pub(crate) fn new<A>() -> Self {
            Meters
        }
    }

    /// Nothing: no clock is read without the feature.
    pub(crate) type Started = ();

    #[inline(always)]
    pub(crate) fn start() -> Started {}

    #[inline(always)]
    pub(crate) fn dequeued<A: Actor>(
        _meters: &mut Meters,
        _envelope: &Envelope<A>,
        _ctx: &ActorContext<A>,
    ) {
    }

    #[inline(always)]
    pub(crate) fn handled(_meters: &mut Meters, _started: Started, _ok: bool) {}

    #[inline(always)]
    pub(crate) fn panicked<A>() {}

    #[inline(always)]
    pub(crate) fn born<A>() {}

    #[inline(always)]
    pub(crate) fn died<A>(_reason: &StopReason) {}

    #[inline(always)]
    pub(crate) fn restarted(_child_type: &'static str) {}
}

pub(crate) use enabled::*;
