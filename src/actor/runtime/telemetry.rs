//! Lifecycle events, logged through `tracing` when the `tracing` feature is on; free otherwise.

use crate::types::{ActorId, StopReason};

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
