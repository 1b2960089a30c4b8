//! A supervisor's children in start order, with an index by id.
//!
//! Entries live in one vector, in start order; a removed child leaves a hole, and the holes are
//! squeezed out (renumbering the keys) when they outnumber the children, before an insert. So:
//!
//! | operation | cost |
//! |---|---|
//! | insert, remove, lookup by key or id | O(1) amortized |
//! | walk in start order (or reverse, or from a key on) | linear, through one block of memory |
//!
//! One block matters at scale: a tree allocates a node every few children, between the
//! children's own objects, and a walk over 100,000 children then misses the cache at every
//! child (measured at 100,000 children: a `send` to each, in start order, took 0.64 µs with a
//! B-tree against 0.23 µs with this table).
//!
//! Keys are positions, valid until the next insert (which may compact): callers hold them only
//! within one synchronous step.

use std::collections::HashMap;
use std::ops::{Bound, RangeBounds};

use crate::types::ActorId;

/// What the table needs from an entry: its id.
pub(crate) trait Identified {
    fn id(&self) -> &ActorId;
}

/// The table. See the module docs.
pub(crate) struct SlotTable<T> {
    entries: Vec<Option<T>>,
    /// How many entries are `Some`.
    live: usize,
    index: HashMap<ActorId, u64>,
}

impl<T> Default for SlotTable<T> {
    fn default() -> Self {
        SlotTable {
            entries: Vec::new(),
            live: 0,
            index: HashMap::new(),
        }
    }
}

/// Below this many entries holes are never squeezed out (not worth it).
const COMPACT_FROM: usize = 64;

impl<T: Identified> SlotTable<T> {
    /// How many entries there are.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// The key of the entry with this id.
    pub(crate) fn key_of(&self, id: &ActorId) -> Option<u64> {
        let key = *self.index.get(id)?;
        self.get(key).is_some().then_some(key)
    }

    pub(crate) fn get(&self, key: u64) -> Option<&T> {
        self.entries.get(usize::try_from(key).ok()?)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, key: u64) -> Option<&mut T> {
        self.entries.get_mut(usize::try_from(key).ok()?)?.as_mut()
    }

    /// Appends an entry (after every other) and returns its key. The caller checked that its
    /// id is not in the table.
    pub(crate) fn insert(&mut self, value: T) -> u64 {
        if self.entries.len() >= COMPACT_FROM && self.entries.len() - self.live > self.live {
            self.compact();
        }
        let key = self.entries.len() as u64;
        self.index.insert(value.id().clone(), key);
        self.entries.push(Some(value));
        self.live += 1;
        key
    }

    /// Removes the entry with this key.
    pub(crate) fn remove(&mut self, key: u64) -> Option<T> {
        let value = self.take(key)?;
        self.index.remove(value.id());
        Some(value)
    }

    /// Removes the entry with this key but leaves its id in the index, for a walk that
    /// removes every entry and then calls [`clear`](Self::clear): lookups by id meanwhile find
    /// nothing, as after a `remove`, without hashing each id again.
    pub(crate) fn take(&mut self, key: u64) -> Option<T> {
        let value = self.entries.get_mut(usize::try_from(key).ok()?)?.take()?;
        self.live -= 1;
        // Trailing holes go at once.
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
        }
        Some(value)
    }

    /// Every entry in start order.
    pub(crate) fn values(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.entries.iter().flatten()
    }

    /// The keys of the entries within `range`, in start order.
    pub(crate) fn keys_in(&self, range: impl RangeBounds<u64>) -> Vec<u64> {
        let start = match range.start_bound() {
            Bound::Included(&k) => k,
            Bound::Excluded(&k) => k.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&k) => k.saturating_add(1),
            Bound::Excluded(&k) => k,
            Bound::Unbounded => u64::MAX,
        };
        let end = end.min(self.entries.len() as u64);
        (start..end)
            .filter(|&key| self.get(key).is_some())
            .collect()
    }

    /// The key one past the last entry (keys below it may be holes).
    pub(crate) fn end(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Removes everything.
    pub(crate) fn clear(&mut self) {
        self.entries = Vec::new();
        self.index = HashMap::new();
        self.live = 0;
    }

    /// Removes everything and returns the entries in start order.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        let entries = std::mem::take(&mut self.entries);
        self.index = HashMap::new();
        self.live = 0;
        entries.into_iter().flatten().collect()
    }

    /// Squeezes the holes out: keys are renumbered, start order is kept.
    fn compact(&mut self) {
        self.entries.retain(Option::is_some);
        for (key, value) in self.entries.iter().flatten().enumerate() {
            if let Some(slot) = self.index.get_mut(value.id()) {
                *slot = key as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Entry(ActorId, u32);

    impl Identified for Entry {
        fn id(&self) -> &ActorId {
            &self.0
        }
    }

    fn entry(n: u32) -> Entry {
        Entry(ActorId::from(format!("child-{n}")), n)
    }

    fn order(table: &SlotTable<Entry>) -> Vec<u32> {
        table.values().map(|e| e.1).collect()
    }

    #[test]
    fn keeps_start_order_and_finds_by_id_and_key() {
        let mut table = SlotTable::default();
        let keys: Vec<u64> = (0..5).map(|n| table.insert(entry(n))).collect();
        assert_eq!(order(&table), [0, 1, 2, 3, 4]);
        assert_eq!(table.len(), 5);
        for (n, key) in keys.iter().enumerate() {
            assert_eq!(table.key_of(&entry(n as u32).0), Some(*key));
            assert_eq!(table.get(*key).map(|e| e.1), Some(n as u32));
        }
        assert_eq!(table.key_of(&ActorId::from("nobody")), None);
        assert!(table.get(99).is_none());
    }

    #[test]
    fn removal_leaves_the_others_in_place() {
        let mut table = SlotTable::default();
        let keys: Vec<u64> = (0..5).map(|n| table.insert(entry(n))).collect();
        assert_eq!(table.remove(keys[1]).map(|e| e.1), Some(1));
        assert!(table.remove(keys[1]).is_none(), "removed twice");
        assert_eq!(table.key_of(&entry(1).0), None);
        assert_eq!(order(&table), [0, 2, 3, 4]);
        assert_eq!(table.keys_in(keys[0]..=keys[2]), [keys[0], keys[2]]);
        assert_eq!(table.keys_in(keys[3]..), [keys[3], keys[4]]);
        assert_eq!(table.keys_in(..), [keys[0], keys[2], keys[3], keys[4]]);
        assert_eq!(table.len(), 4);
    }

    #[test]
    fn trailing_holes_go_at_once() {
        let mut table = SlotTable::default();
        let keys: Vec<u64> = (0..3).map(|n| table.insert(entry(n))).collect();
        table.remove(keys[1]);
        table.remove(keys[2]);
        assert_eq!(table.end(), 1);
        assert_eq!(table.insert(entry(7)), 1);
        assert_eq!(order(&table), [0, 7]);
    }

    #[test]
    fn holes_are_squeezed_out_when_they_outnumber_entries() {
        let mut table = SlotTable::default();
        let keys: Vec<u64> = (0..200).map(|n| table.insert(entry(n))).collect();
        // Remove all but every tenth (never the last, so the holes stay).
        for (n, key) in keys.iter().enumerate() {
            if n % 10 != 9 {
                table.remove(*key);
            }
        }
        assert_eq!(table.len(), 20);
        assert_eq!(table.end(), 200);
        let key = table.insert(entry(1000));
        assert_eq!(table.end(), 21, "compacted before the insert");
        assert_eq!(key, 20);
        let expected: Vec<u32> = (0..200).filter(|n| n % 10 == 9).chain([1000]).collect();
        assert_eq!(order(&table), expected);
        // Every id still finds its (renumbered) entry.
        for n in expected {
            let key = table.key_of(&entry(n).0).expect("indexed");
            assert_eq!(table.get(key).map(|e| e.1), Some(n));
        }
    }

    #[test]
    fn take_then_clear_and_drain() {
        let mut table = SlotTable::default();
        let keys: Vec<u64> = (0..4).map(|n| table.insert(entry(n))).collect();
        assert_eq!(table.take(keys[2]).map(|e| e.1), Some(2));
        assert_eq!(table.key_of(&entry(2).0), None, "taken: not found");
        assert_eq!(table.len(), 3);
        let drained: Vec<u32> = table.drain().into_iter().map(|e| e.1).collect();
        assert_eq!(drained, [0, 1, 3]);
        assert_eq!(table.len(), 0);
        assert_eq!(table.key_of(&entry(0).0), None);
        table.insert(entry(5));
        table.clear();
        assert_eq!(table.len(), 0);
        assert!(table.values().next().is_none());
    }
}
