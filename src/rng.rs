//! A small, fast, non-cryptographic random source for actor ids and restart jitter.
//!
//! One 128-bit OS-random seed per thread (taken through `uuid`'s v4 generator) drives two
//! independent SplitMix64 streams, one per half of a 16-byte output: ids are unique in practice
//! (128 bits of generator state, like the OS source) without a system call per spawn.

use std::cell::Cell;

thread_local! {
    static STATE: Cell<(u64, u64)> = Cell::new(uuid::Uuid::new_v4().as_u64_pair());
}

/// One SplitMix64 step: advances `state` and returns 64 mixed bits.
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The next 128 random bits of this thread's generator, as two words.
fn next_pair() -> (u64, u64) {
    STATE.with(|cell| {
        let (mut high, mut low) = cell.get();
        let out = (split_mix(&mut high), split_mix(&mut low));
        cell.set((high, low));
        out
    })
}

/// The next 64 random bits.
pub(crate) fn next_u64() -> u64 {
    next_pair().0
}

/// A uniformly distributed `f64` in `0.0..1.0`.
pub(crate) fn next_f64() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// 16 random bytes.
pub(crate) fn next_bytes() -> [u8; 16] {
    let (high, low) = next_pair();
    ((u128::from(high) << 64) | u128::from(low)).to_le_bytes()
}
