//! Supervision decisions as pure functions of (state, event, now), kept apart from the async
//! plumbing that carries them out. Every rule here has a table test below.

use std::collections::VecDeque;
use std::ops::Bound;
use std::time::Duration;

use tokio::time::Instant;

use super::Backoff;
use crate::types::{RestartStrategy, RestartType, StopReason};

/// Whether a child whose incarnation ended with `reason` is restarted, by its restart type
/// (the Erlang/OTP rule: a `Transient` child comes back only after an abnormal end).
///
/// | type | `Graceful`/`ParentRequest` | `Cancelled`/`Failure`/`Kill` |
/// |---|---|---|
/// | Permanent | yes | yes |
/// | Transient | no | yes |
/// | Temporary | no | no |
pub(crate) fn should_restart(restart_type: RestartType, reason: &StopReason) -> bool {
    match restart_type {
        RestartType::Permanent => true,
        RestartType::Transient => reason.is_abnormal(),
        RestartType::Temporary => false,
    }
}

/// The slots a restart of slot `failed` covers, as a range of start-order keys (slots are
/// kept ordered by a key that grows with each `spawn_child`), so a supervisor finds them in
/// O(log n + members).
///
/// | strategy | members |
/// |---|---|
/// | OneForOne, SimpleOneForOne | `failed` only |
/// | OneForAll | every slot |
/// | RestForOne | `failed` and every slot started after it |
pub(crate) fn restart_set(strategy: RestartStrategy, failed: u64) -> (Bound<u64>, Bound<u64>) {
    match strategy {
        RestartStrategy::OneForOne | RestartStrategy::SimpleOneForOne => {
            (Bound::Included(failed), Bound::Included(failed))
        }
        RestartStrategy::OneForAll => (Bound::Unbounded, Bound::Unbounded),
        RestartStrategy::RestForOne => (Bound::Included(failed), Bound::Unbounded),
    }
}

/// The delay before the `n`-th consecutive restart of a slot (exponential backoff):
/// `min(max, min · 2^(n-1))` plus `jitter × sample × that`, with `sample` in `0.0..1.0`.
pub(crate) fn backoff_delay(backoff: &Backoff, n: u32, sample: f64) -> Duration {
    let doublings = n.saturating_sub(1).min(63);
    let base = backoff
        .min
        .saturating_mul(1u32.checked_shl(doublings.min(31)).unwrap_or(u32::MAX));
    let base = if doublings > 31 {
        backoff.max
    } else {
        base.min(backoff.max)
    };
    base.saturating_add(base.mul_f64((backoff.jitter * sample).clamp(0.0, 1.0)))
}

/// The sliding-window restart budget: more than `max` restart decisions within any `window`
/// exhaust it (the supervisor then gives up).
#[derive(Debug)]
pub(crate) struct RestartBudget {
    max: u32,
    window: Duration,
    /// Times of granted restart decisions, oldest first.
    records: VecDeque<Instant>,
}

impl RestartBudget {
    pub(crate) fn new(max: u32, window: Duration) -> Self {
        RestartBudget {
            max,
            window,
            records: VecDeque::new(),
        }
    }

    /// Charges one restart decision at `now`; `false` means the budget is exhausted.
    ///
    /// Records older than `now - window` are forgotten; one exactly at the boundary still counts.
    /// No subtraction from `now`, so windows longer than the process uptime cannot panic.
    pub(crate) fn try_charge(&mut self, now: Instant) -> bool {
        while let Some(&oldest) = self.records.front() {
            if now.saturating_duration_since(oldest) > self.window {
                self.records.pop_front();
            } else {
                break;
            }
        }
        if self.records.len() < self.max as usize {
            self.records.push_back(now);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ActorError;
    use RestartStrategy::*;
    use RestartType::*;

    #[test]
    fn restart_decision_table() {
        let failure = StopReason::Failure(ActorError::user("x"));
        let table: &[(RestartType, StopReason, bool)] = &[
            (Permanent, StopReason::Graceful, true),
            (Permanent, StopReason::ParentRequest, true),
            (Permanent, StopReason::Cancelled, true),
            (Permanent, failure.clone(), true),
            (Permanent, StopReason::Kill, true),
            (Transient, StopReason::Graceful, false),
            (Transient, StopReason::ParentRequest, false),
            (Transient, StopReason::Cancelled, true),
            (Transient, failure.clone(), true),
            (Transient, StopReason::Kill, true),
            (Temporary, StopReason::Graceful, false),
            (Temporary, StopReason::ParentRequest, false),
            (Temporary, StopReason::Cancelled, false),
            (Temporary, failure, false),
            (Temporary, StopReason::Kill, false),
        ];
        for (restart_type, reason, expected) in table {
            assert_eq!(
                should_restart(*restart_type, reason),
                *expected,
                "{restart_type:?} after {reason}"
            );
        }
    }

    #[test]
    fn restart_set_table() {
        // Slots started in the order 10, 20, 30.
        let slots: std::collections::BTreeSet<u64> = [10, 20, 30].into();
        let table: &[(RestartStrategy, u64, &[u64])] = &[
            (OneForOne, 20, &[20]),
            (SimpleOneForOne, 30, &[30]),
            (OneForAll, 20, &[10, 20, 30]),
            (RestForOne, 10, &[10, 20, 30]),
            (RestForOne, 20, &[20, 30]),
            (RestForOne, 30, &[30]),
        ];
        for (strategy, failed, expected) in table {
            let members: Vec<u64> = slots
                .range(restart_set(*strategy, *failed))
                .copied()
                .collect();
            assert_eq!(&members, expected, "{strategy:?} failed={failed}");
        }
    }

    #[test]
    fn budget_allows_max_within_window_then_refuses() {
        let t0 = Instant::now();
        let mut budget = RestartBudget::new(3, Duration::from_secs(5));
        let s = Duration::from_secs;
        assert!(budget.try_charge(t0));
        assert!(budget.try_charge(t0 + s(1)));
        assert!(budget.try_charge(t0 + s(2)));
        assert!(!budget.try_charge(t0 + s(3)), "4th inside 5 s exhausts");
    }

    #[test]
    fn budget_window_boundary_still_counts_and_older_is_forgotten() {
        let t0 = Instant::now();
        let w = Duration::from_secs(1);
        let mut budget = RestartBudget::new(1, w);
        assert!(budget.try_charge(t0));
        assert!(
            !budget.try_charge(t0 + w),
            "a record exactly at the boundary still counts"
        );
        assert!(
            budget.try_charge(t0 + w + Duration::from_nanos(1)),
            "older than the window is forgotten"
        );
    }

    #[test]
    fn zero_budget_exhausts_at_once() {
        let mut budget = RestartBudget::new(0, Duration::from_secs(5));
        assert!(!budget.try_charge(Instant::now()));
    }

    #[test]
    fn backoff_delay_table() {
        let ms = Duration::from_millis;
        let b = Backoff::exponential(ms(10), ms(100));
        let table: &[(u32, f64, Duration)] = &[
            (1, 0.0, ms(10)),
            (2, 0.0, ms(20)),
            (3, 0.0, ms(40)),
            (4, 0.0, ms(80)),
            (5, 0.0, ms(100)),
            (40, 0.0, ms(100)),
            (u32::MAX, 0.0, ms(100)),
        ];
        for (n, sample, expected) in table {
            assert_eq!(backoff_delay(&b, *n, *sample), *expected, "restart #{n}");
        }
        let jittered = b.with_jitter(0.5);
        assert_eq!(backoff_delay(&jittered, 1, 0.0), ms(10));
        assert_eq!(
            backoff_delay(&jittered, 1, 0.5),
            ms(10) + ms(10).mul_f64(0.25)
        );
        assert!(backoff_delay(&jittered, 2, 0.999) < ms(30));
    }

    #[test]
    fn huge_window_does_not_panic() {
        let mut budget = RestartBudget::new(2, Duration::MAX);
        let t0 = Instant::now();
        assert!(budget.try_charge(t0));
        assert!(budget.try_charge(t0));
        assert!(!budget.try_charge(t0 + Duration::from_secs(1_000_000)));
    }
}
