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

/// Hashes the registry's sequential keys so that keys close in registration order land close
/// in the table, while no pattern of keys piles up in one place.
///
/// The table places an entry by the low bits of its hash and filters candidates by the top
/// seven (its tag). Here a block of 16 consecutive keys shares one place, spread over the
/// table by a multiplication whose well-mixed high half is rotated down; the low four bits
/// keep the key's order inside the block; the tag comes from the key's own mix. Actors spawned
/// one after the other usually end near each other in time too, so a burst of stops touches a
/// few cache lines of the table instead of two random ones each (at 200,000 actors that was a
/// fifth of the stop's time); and a stride of keys (one long-lived actor in every 64 spawned)
/// still spreads over the whole table.
#[derive(Default)]
struct KeyHasher(u64);

impl KeyHasher {
    const TAG: u64 = 0x7F << 57;

    fn spread(x: u64) -> u64 {
        x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(32)
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(*byte));
        }
    }

    /// Registry keys are single `u64`s: the state is replaced, not chained.
    fn write_u64(&mut self, key: u64) {
        let block = Self::spread(key >> 4) << 4;
        let tag = Self::spread(key) & Self::TAG;
        self.0 = tag | (block & !Self::TAG) | (key & 15);
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

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::{HashMap, HashSet};

    fn hash(key: u64) -> u64 {
        let mut hasher = KeyHasher::default();
        hasher.write_u64(key);
        hasher.finish()
    }

    #[test]
    fn a_block_of_sixteen_keys_is_contiguous() {
        for block in [0u64, 1, 77, 1 << 40] {
            let first = hash(block * 16) & !KeyHasher::TAG;
            for offset in 0..16 {
                assert_eq!(hash(block * 16 + offset) & !KeyHasher::TAG, first + offset);
            }
        }
    }

    #[test]
    fn no_stride_of_keys_piles_up_in_one_group() {
        // 1,024 live keys in a table of 2,048 places probed 16 at a time (128 groups). A plain
        // multiplication put every key of stride 4,096 into one group (a probe per lookup
        // through all of them); here no group gets more than one group's worth.
        for stride in [1u64, 2, 16, 64, 1024, 4096, 65536] {
            let mut piles = HashMap::new();
            for k in 0..1024 {
                *piles.entry((hash(k * stride) & 2047) >> 4).or_insert(0) += 1;
            }
            let highest = piles.values().copied().max().unwrap_or(0);
            assert!(
                highest <= 16,
                "stride {stride}: {highest} keys in one group"
            );
        }
    }

    #[test]
    fn tags_differ_inside_a_block() {
        let tags: HashSet<u64> = (0..16).map(|k| hash(k) & KeyHasher::TAG).collect();
        assert!(tags.len() > 8, "{} tags", tags.len());
    }
}
