//! Telemetry through `tracing` when the `tracing` feature is on; every function here compiles to
//! nothing otherwise, so the hot path carries no cost without the feature.
//!
//! - Spans: each actor task runs inside an `actor` span (`id`, `name`, `actor` = type name); each
//!   handler call inside a child `message` span that follows from the span the message was sent
//!   in (carried in the envelope), so a trace crosses actors.
//! - Events: started (debug), stopped with its reason (debug for Graceful/ParentRequest/Cancelled,
//!   warn for Failure and Kill), panics (error), restart decisions (warn), budget exhaustion (error).

use std::future::Future;

use crate::types::{ActorId, StopReason};

/// Wraps an actor's task future in its `actor` span.
#[cfg(feature = "tracing")]
pub(crate) fn in_actor_span<A, F: Future>(
    id: &ActorId,
    name: Option<&str>,
    task: F,
) -> impl Future<Output = F::Output> {
    use tracing::Instrument;
    let span =
        tracing::debug_span!("actor", id = %id, name = name, actor = std::any::type_name::<A>());
    task.instrument(span)
}

#[cfg(not(feature = "tracing"))]
#[allow(clippy::extra_unused_type_parameters)] // same signature as the feature's version
pub(crate) fn in_actor_span<A, F: Future>(_id: &ActorId, _name: Option<&str>, task: F) -> F {
    task
}

/// Makes a future spawned on an actor's behalf (a supervisor's restart job) run in the current
/// span, so the incarnations it starts nest under the supervisor's span like the first one.
#[cfg(feature = "tracing")]
pub(crate) fn in_current_span<F: Future>(task: F) -> impl Future<Output = F::Output> {
    tracing::Instrument::in_current_span(task)
}

#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn in_current_span<F: Future>(task: F) -> F {
    task
}

/// The span of whoever enqueued a message (`()` without the feature).
#[cfg(feature = "tracing")]
pub(crate) type Caller = tracing::Span;
#[cfg(not(feature = "tracing"))]
pub(crate) type Caller = ();

/// Takes the sender's span out of an envelope.
#[cfg(feature = "tracing")]
pub(crate) fn caller<A: crate::actor::Actor>(
    envelope: &mut crate::actor::runtime::mailbox::Envelope<A>,
) -> Caller {
    std::mem::replace(&mut envelope.sender_span, tracing::Span::none())
}

#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn caller<A: crate::actor::Actor>(
    _envelope: &mut crate::actor::runtime::mailbox::Envelope<A>,
) -> Caller {
}

/// Wraps one handler call in a `message` span that follows from the sender's span, so a trace
/// crosses actors.
#[cfg(feature = "tracing")]
pub(crate) fn in_message_span<F: Future>(
    caller: Caller,
    handler: F,
) -> impl Future<Output = F::Output> {
    use tracing::Instrument;
    let span = tracing::debug_span!("message");
    span.follows_from(&caller);
    handler.instrument(span)
}

#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn in_message_span<F: Future>(_caller: Caller, handler: F) -> F {
    handler
}

#[cfg(feature = "tracing")]
pub(crate) fn restart_decided(child: &ActorId, reason: &StopReason) {
    tracing::warn!(child = %child, %reason, "restarting child");
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn restart_decided(_child: &ActorId, _reason: &StopReason) {}

#[cfg(feature = "tracing")]
pub(crate) fn budget_exhausted(child: &ActorId, reason: &StopReason) {
    tracing::error!(child = %child, %reason, "restart budget exhausted; supervisor stops");
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn budget_exhausted(_child: &ActorId, _reason: &StopReason) {}

#[cfg(feature = "tracing")]
pub(crate) fn started(id: &ActorId) {
    tracing::debug!(actor.id = %id, "actor started");
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn started(_id: &ActorId) {}

#[cfg(feature = "tracing")]
pub(crate) fn stopped(id: &ActorId, reason: &StopReason) {
    match reason {
        StopReason::Failure(_) | StopReason::Kill => {
            tracing::warn!(actor.id = %id, %reason, "actor stopped")
        }
        _ => tracing::debug!(actor.id = %id, %reason, "actor stopped"),
    }
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn stopped(_id: &ActorId, _reason: &StopReason) {}

#[cfg(feature = "tracing")]
pub(crate) fn panicked(id: &ActorId, message: &str) {
    tracing::error!(actor.id = %id, panic = message, "actor panicked");
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn panicked(_id: &ActorId, _message: &str) {}
