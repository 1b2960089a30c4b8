//! Metrics through the `metrics` crate facade when the `metrics` feature is on (SPEC §9.4);
//! every function here compiles to nothing otherwise.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `tokio_actors_messages_total` | counter | `actor`, `outcome` = ok \| error \| panic |
//! | `tokio_actors_restarts_total` | counter | `actor` (the restarted child's type) |
//! | `tokio_actors_stops_total` | counter | `actor`, `reason` |
//! | `tokio_actors_handle_seconds` | histogram | `actor` |
//! | `tokio_actors_mailbox_wait_seconds` | histogram | `actor` (from the enqueue attempt to the start of handling) |
//! | `tokio_actors_alive` | gauge | `actor` |
//! | `tokio_actors_mailbox_depth` | gauge | `actor` (sampled on every dequeue) |
//!
//! `actor` is the Rust type name of the actor.

#[cfg(feature = "metrics")]
mod enabled {
    use tokio::time::Instant;

    use crate::actor::context::ActorContext;
    use crate::actor::runtime::mailbox::Envelope;
    use crate::actor::Actor;
    use crate::types::StopReason;

    fn actor<A>() -> &'static str {
        std::any::type_name::<A>()
    }

    /// The per-message metric handles of one actor, registered once when its task starts so
    /// the hot path only records (no key building, no registry lookup per message).
    pub(crate) struct Meters {
        ok: metrics::Counter,
        error: metrics::Counter,
        handle_seconds: metrics::Histogram,
        wait_seconds: metrics::Histogram,
        depth: metrics::Gauge,
    }

    impl Meters {
        pub(crate) fn new<A>() -> Self {
            let messages = "tokio_actors_messages_total";
            Meters {
                ok: metrics::counter!(messages, "actor" => actor::<A>(), "outcome" => "ok"),
                error: metrics::counter!(messages, "actor" => actor::<A>(), "outcome" => "error"),
                handle_seconds: metrics::histogram!("tokio_actors_handle_seconds", "actor" => actor::<A>()),
                wait_seconds: metrics::histogram!("tokio_actors_mailbox_wait_seconds", "actor" => actor::<A>()),
                depth: metrics::gauge!("tokio_actors_mailbox_depth", "actor" => actor::<A>()),
            }
        }
    }

    /// When a handler call started.
    pub(crate) type Started = Instant;

    pub(crate) fn start() -> Started {
        Instant::now()
    }

    pub(crate) fn dequeued<A: Actor>(
        meters: &Meters,
        envelope: &Envelope<A>,
        ctx: &ActorContext<A>,
    ) {
        meters
            .wait_seconds
            .record(envelope.enqueued.elapsed().as_secs_f64());
        meters.depth.set(ctx.self_handle_ref().mailbox_len() as f64);
    }

    pub(crate) fn handled(meters: &Meters, started: Started, ok: bool) {
        meters
            .handle_seconds
            .record(started.elapsed().as_secs_f64());
        if ok { &meters.ok } else { &meters.error }.increment(1);
    }

    pub(crate) fn panicked<A>() {
        metrics::counter!("tokio_actors_messages_total", "actor" => actor::<A>(), "outcome" => "panic").increment(1);
    }

    pub(crate) fn born<A>() {
        metrics::gauge!("tokio_actors_alive", "actor" => actor::<A>()).increment(1.0);
    }

    pub(crate) fn died<A>(reason: &StopReason) {
        metrics::gauge!("tokio_actors_alive", "actor" => actor::<A>()).decrement(1.0);
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
        _meters: &Meters,
        _envelope: &Envelope<A>,
        _ctx: &ActorContext<A>,
    ) {
    }

    #[inline(always)]
    pub(crate) fn handled(_meters: &Meters, _started: Started, _ok: bool) {}

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
