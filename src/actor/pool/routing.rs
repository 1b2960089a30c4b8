//! How a pool picks the worker for a message: pure decisions over the worker count, a ticket
//! from an atomic counter and the mailbox lengths, so every rule has a table test.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How a [`Pool`](super::Pool) chooses the worker for each message.
///
/// | routing | picks | good for |
/// |---|---|---|
/// | `RoundRobin` (default) | the next worker in turn | uniform, short jobs |
/// | `LeastLoaded` | the worker with the fewest queued messages (ties: in turn) | jobs of uneven length |
/// | `KeyHash(key)` | always the same worker for the same `key(&msg)` | per-key order and state |
///
/// `LeastLoaded` counts queued messages only, not the one a worker is handling. `KeyHash` mixes
/// the key before reducing it to a worker index, so keys that are multiples of the pool size
/// still spread; equal keys always go to the same worker, which keeps their relative order.
///
/// ```
/// use tokio_actors::Routing;
///
/// struct Order { customer: u64 }
/// let by_customer: Routing<Order> = Routing::KeyHash(|o: &Order| o.customer);
/// assert!(matches!(by_customer, Routing::KeyHash(_)));
/// assert!(matches!(Routing::<Order>::default(), Routing::RoundRobin));
/// ```
pub enum Routing<M> {
    /// Each worker in turn.
    RoundRobin,
    /// The worker with the shortest mailbox.
    LeastLoaded,
    /// The worker chosen by a key of the message; equal keys, same worker.
    KeyHash(fn(&M) -> u64),
}

// Written out: a derive would require `M: Default`.
#[allow(clippy::derivable_impls)]
impl<M> Default for Routing<M> {
    fn default() -> Self {
        Routing::RoundRobin
    }
}

impl<M> Clone for Routing<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Routing<M> {}

impl<M> fmt::Debug for Routing<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Routing::RoundRobin => "RoundRobin",
            Routing::LeastLoaded => "LeastLoaded",
            Routing::KeyHash(_) => "KeyHash",
        })
    }
}

/// A routing rule plus the counter it turns.
pub(crate) struct Router<M> {
    routing: Routing<M>,
    tickets: AtomicUsize,
}

impl<M> Router<M> {
    pub(crate) fn new(routing: Routing<M>) -> Self {
        Router {
            routing,
            tickets: AtomicUsize::new(0),
        }
    }

    /// The worker for `msg` among `workers` (at least 1); `queued(i)` is worker `i`'s mailbox length.
    pub(crate) fn pick(&self, msg: &M, workers: usize, queued: impl Fn(usize) -> usize) -> usize {
        match self.routing {
            Routing::RoundRobin => round_robin(self.ticket(), workers),
            Routing::LeastLoaded => least_loaded(self.ticket(), workers, queued),
            Routing::KeyHash(key) => key_hash(key(msg), workers),
        }
    }

    fn ticket(&self) -> usize {
        self.tickets.fetch_add(1, Ordering::Relaxed)
    }
}

/// `ticket mod workers`.
pub(crate) fn round_robin(ticket: usize, workers: usize) -> usize {
    ticket % workers
}

/// The worker with the fewest queued messages; among equals, the first one at or after
/// `ticket mod workers` (so idle workers take turns). Stops looking at an empty mailbox.
pub(crate) fn least_loaded(
    ticket: usize,
    workers: usize,
    queued: impl Fn(usize) -> usize,
) -> usize {
    let start = ticket % workers;
    let mut best = start;
    let mut best_len = queued(start);
    for step in 1..workers {
        if best_len == 0 {
            break;
        }
        let i = (start + step) % workers;
        let len = queued(i);
        if len < best_len {
            best = i;
            best_len = len;
        }
    }
    best
}

/// The worker for a key: a fixed bit mix of the key (the SplitMix64 finaliser), mod `workers`.
pub(crate) fn key_hash(key: u64, workers: usize) -> usize {
    let mut z = key;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % workers as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_table() {
        // (ticket, workers, expected)
        let table = [
            (0, 4, 0),
            (1, 4, 1),
            (3, 4, 3),
            (4, 4, 0),
            (9, 4, 1),
            (7, 1, 0),
        ];
        for (ticket, workers, expected) in table {
            assert_eq!(round_robin(ticket, workers), expected, "{ticket} {workers}");
        }
    }

    #[test]
    fn least_loaded_table() {
        // (ticket, queue lengths, expected)
        let table: [(usize, &[usize], usize); 8] = [
            (0, &[3, 1, 2], 1), // the shortest
            (0, &[2, 2, 2], 0), // all equal: start at the ticket
            (1, &[2, 2, 2], 1),
            (5, &[2, 2, 2], 2), // 5 mod 3
            (2, &[1, 0, 5], 1), // wraps around from the ticket
            (0, &[0, 0, 0], 0), // idle workers take turns
            (1, &[0, 0, 0], 1),
            (0, &[7], 0), // one worker
        ];
        for (ticket, lens, expected) in table {
            let got = least_loaded(ticket, lens.len(), |i| lens[i]);
            assert_eq!(got, expected, "ticket {ticket}, lens {lens:?}");
        }
    }

    #[test]
    fn least_loaded_stops_at_an_empty_mailbox() {
        use std::cell::Cell;
        let looked = Cell::new(0);
        let got = least_loaded(1, 8, |i| {
            looked.set(looked.get() + 1);
            usize::from(i != 2)
        });
        assert_eq!((got, looked.get()), (2, 2));
    }

    #[test]
    fn key_hash_is_stable_in_range_and_spreads_multiples() {
        for key in 0..1_000u64 {
            let w = key_hash(key, 4);
            assert!(w < 4);
            assert_eq!(w, key_hash(key, 4), "same key, same worker");
        }
        // Keys that are all multiples of the pool size still reach every worker.
        let mut hit = [0usize; 4];
        for k in 0..400u64 {
            hit[key_hash(k * 4, 4)] += 1;
        }
        assert!(hit.iter().all(|&n| n > 50), "{hit:?}");
        assert_eq!(key_hash(u64::MAX, 1), 0);
    }

    #[test]
    fn router_turns_its_counter_and_hashes_keys() {
        let rr = Router::<u64>::new(Routing::RoundRobin);
        let picks: Vec<_> = (0..6).map(|_| rr.pick(&0, 3, |_| 0)).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);

        let keyed = Router::<u64>::new(Routing::KeyHash(|m| *m));
        for m in [1u64, 42, 7, 42, 1] {
            assert_eq!(keyed.pick(&m, 5, |_| 0), key_hash(m, 5));
        }

        let least = Router::<u64>::new(Routing::LeastLoaded);
        assert_eq!(least.pick(&0, 3, |i| [4, 0, 9][i]), 1);
    }
}
