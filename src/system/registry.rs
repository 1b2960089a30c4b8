//! The bookkeeping behind [`ActorSystem`](super::ActorSystem): names and tracked actors.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::ActorSystem;
use crate::actor::runtime::core::ActorControl;

struct Entry {
    control: Arc<dyn ActorControl>,
    /// Not supervised by an actor tracked in this system: `shutdown` stops it directly.
    root: bool,
}

/// Tracked incarnations keyed by registration order, plus the name index.
#[derive(Default)]
pub(crate) struct Registry {
    next_key: u64,
    entries: BTreeMap<u64, Entry>,
    names: HashMap<String, u64>,
}

impl Registry {
    /// Adds an incarnation; `Err(name)` if its name is taken.
    pub(crate) fn insert(
        &mut self,
        control: Arc<dyn ActorControl>,
        root: bool,
    ) -> Result<u64, String> {
        let key = self.next_key;
        if let Some(name) = &control.core().name {
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
            if let Some(name) = &entry.control.core().name {
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
        self.entries
            .values()
            .rev()
            .filter(|e| e.root)
            .map(|e| e.control.clone())
            .collect()
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
