//! The bookkeeping behind [`ActorSystem`](super::ActorSystem): names and tracked actors.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::ActorSystem;
use crate::actor::runtime::core::ActorControl;

struct Entry {
    control: Arc<dyn ActorControl>,
    /// Not supervised by an actor tracked in this system: `shutdown` stops it directly.
    root: bool,
}

/// Tracked incarnations keyed by registration order, plus the name index.
///
/// Every top-level actor has an entry, so it is kept small: a hash map (about 32 bytes per
/// entry, against about 60 for a B-tree filled in key order), sorted only by a shutdown.
#[derive(Default)]
pub(crate) struct Registry {
    next_key: u64,
    entries: HashMap<u64, Entry, BuildHasherDefault<KeyHasher>>,
    names: HashMap<String, u64>,
}

/// Hashes the registry's sequential keys: one multiplication (Fibonacci hashing) spreads them
/// over all bits, which the hash map's probing needs.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(*byte));
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Registry {
    /// Adds an incarnation; `Err(name)` if its name is taken.
    pub(crate) fn insert(
        &mut self,
        control: Arc<dyn ActorControl>,
        root: bool,
    ) -> Result<u64, String> {
        let key = self.next_key;
        if let Some(name) = control.core().name() {
            if self.names.contains_key(name) {
                return Err(name.clone());
            }
            self.names.insert(name.clone(), key);
        }
        self.next_key += 1;
        self.entries.insert(key, Entry { control, root });
        Ok(key)
    }

    pub(crate) fn remove(&mut self, key: u64) {
        if let Some(entry) = self.entries.remove(&key) {
            if let Some(name) = entry.control.core().name() {
                if self.names.get(name) == Some(&key) {
                    self.names.remove(name);
                }
            }
        }
    }

    pub(crate) fn named(&self, name: &str) -> Option<Arc<dyn ActorControl>> {
        let key = self.names.get(name)?;
        self.entries.get(key).map(|e| e.control.clone())
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.names.keys().cloned().collect()
    }

    pub(crate) fn roots_newest_first(&self) -> Vec<Arc<dyn ActorControl>> {
        let mut roots: Vec<_> = self
            .entries
            .iter()
            .filter(|(_, e)| e.root)
            .map(|(key, e)| (*key, e.control.clone()))
            .collect();
        roots.sort_unstable_by_key(|(key, _)| std::cmp::Reverse(*key));
        roots.into_iter().map(|(_, control)| control).collect()
    }
}

/// Proof of registration; releasing it removes the entry (the first exit step of a stop, so
/// the name is free before the actor is reported dead).
pub(crate) struct Registration {
    pub(crate) system: Arc<ActorSystem>,
    pub(crate) key: u64,
}

impl Registration {
    pub(crate) fn release(self) {
        self.system.release(self.key);
    }
}
