//! The synchronisation primitives of the protocols this crate owns (the system queue, the
//! mailbox hand-over), swapped for loom's in the model tests:
//! `RUSTFLAGS="--cfg tokio_actors_loom" cargo test --release --lib loom_model`.

#[cfg(not(tokio_actors_loom))]
pub(crate) use std::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex, MutexGuard,
};

#[cfg(tokio_actors_loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex, MutexGuard,
};

/// Locks, ignoring poisoning (no user code runs under these locks).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
