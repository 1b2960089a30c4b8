//! Deadline arithmetic that cannot panic: user-supplied durations and instants may be huge.
//!
//! Every deadline the crate hands to Tokio goes through [`deadline_in`], [`deadline_after`] or
//! [`clamp_instant`]. They cap it at [`FAR_FUTURE`] from now, so "a huge timeout" behaves like
//! "never" instead of overflowing. Checking `Instant::checked_add` alone is not enough: Tokio
//! rounds every deadline up to the next millisecond, so a deadline within 1 ms of the largest
//! representable `Instant` would still panic inside the timer.

use std::time::Duration;

use tokio::time::Instant;

/// About 30 years: no deadline lies further ahead of the current time than this. Far enough to
/// mean "never" in practice, near enough that Tokio can round it up on every platform.
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// The latest deadline allowed at `now`: `now + FAR_FUTURE`.
fn horizon(now: Instant) -> Instant {
    // Only a clock within 30 years of the end of its range fails here, which no real or paused
    // clock reaches; `now` is then the best instant left.
    now.checked_add(FAR_FUTURE).unwrap_or(now)
}

/// `t`, or [`FAR_FUTURE`] from now if `t` lies further ahead (an instant in the past is kept).
pub(crate) fn clamp_instant(t: Instant) -> Instant {
    t.min(horizon(Instant::now()))
}

/// `from + delay`, capped at [`FAR_FUTURE`] from now; never overflows.
pub(crate) fn deadline_after(from: Instant, delay: Duration) -> Instant {
    let latest = horizon(Instant::now());
    from.checked_add(delay).map_or(latest, |t| t.min(latest))
}

/// `delay` from now, capped at [`FAR_FUTURE`] from now; never overflows.
pub(crate) fn deadline_in(delay: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(delay.min(FAR_FUTURE))
        .unwrap_or_else(|| horizon(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);
    const NS: Duration = Duration::from_nanos(1);

    /// The largest `Instant` representable after `base` (binary search over nanoseconds).
    fn latest_instant(base: Instant) -> Instant {
        let to_duration = |n: u128| {
            let secs = u64::try_from(n / 1_000_000_000).unwrap_or(u64::MAX);
            Duration::new(secs, (n % 1_000_000_000) as u32)
        };
        let (mut ok, mut too_far) = (0u128, Duration::MAX.as_nanos() + 1);
        while too_far - ok > 1 {
            let mid = ok + (too_far - ok) / 2;
            if base.checked_add(to_duration(mid)).is_some() {
                ok = mid;
            } else {
                too_far = mid;
            }
        }
        base + to_duration(ok)
    }

    /// A deadline Tokio can take: rounding it up to the next millisecond cannot overflow, and
    /// it is no later than `FAR_FUTURE` past `after` (the latest `now` the call could have seen).
    fn assert_tokio_safe(deadline: Instant, after: Instant) {
        assert!(deadline.checked_add(MS).is_some(), "cannot be rounded up");
        assert!(deadline <= after + FAR_FUTURE, "not clamped");
    }

    #[test]
    fn the_search_finds_the_end_of_the_range() {
        let now = Instant::now();
        let latest = latest_instant(now);
        assert!(latest.checked_add(NS).is_none());
        assert!(latest > now + FAR_FUTURE * 100);
    }

    #[test]
    fn ordinary_delays_are_exact() {
        let now = Instant::now();
        for d in [
            Duration::ZERO,
            NS,
            MS,
            Duration::from_secs(3600),
            FAR_FUTURE / 2,
        ] {
            assert_eq!(deadline_after(now, d), now + d);
            let t = deadline_in(d);
            assert!(t >= now + d && t <= Instant::now() + d);
        }
        let past = now.checked_sub(Duration::from_millis(5)).unwrap_or(now);
        assert_eq!(deadline_after(past, MS), past + MS);
        assert_eq!(clamp_instant(past), past, "the past is kept");
        assert_eq!(clamp_instant(now + MS), now + MS);
    }

    #[test]
    fn huge_delays_clamp_to_the_far_future() {
        let now = Instant::now();
        let to_end = latest_instant(now) - now;
        let huge = [
            Duration::MAX,
            Duration::MAX - MS,
            to_end + MS,
            to_end + NS,
            to_end,
            to_end - NS,
            to_end - MS / 2,
            to_end - MS,
            to_end - MS - NS,
            to_end - Duration::from_secs(1),
            FAR_FUTURE + NS,
        ];
        for d in huge {
            let a = deadline_after(now, d);
            let b = deadline_in(d);
            let after = Instant::now();
            assert_tokio_safe(a, after);
            assert_tokio_safe(b, after);
            assert!(
                a >= now + FAR_FUTURE && b >= now + FAR_FUTURE,
                "{d:?} shortened too much"
            );
        }
        // A start far ahead is capped too, so the sum cannot creep past the horizon.
        let far = deadline_in(Duration::MAX);
        assert_tokio_safe(
            deadline_after(far, Duration::from_millis(100)),
            Instant::now(),
        );
    }

    #[test]
    fn instants_near_the_end_of_the_range_clamp() {
        let now = Instant::now();
        let latest = latest_instant(now);
        for t in [
            latest,
            latest - NS,
            latest - MS / 2,
            latest - MS,
            latest - MS - NS,
            latest - Duration::from_secs(1),
        ] {
            let c = clamp_instant(t);
            assert_tokio_safe(c, Instant::now());
            assert!(c >= now + FAR_FUTURE);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn tokio_accepts_the_clamped_deadlines() {
        let now = Instant::now();
        let latest = latest_instant(now);
        let deadlines = [
            deadline_in(Duration::MAX),
            deadline_in(latest - now),
            deadline_after(now, latest - now - MS / 2),
            clamp_instant(latest),
            clamp_instant(latest - MS),
        ];
        for deadline in deadlines {
            let waited = tokio::time::timeout_at(deadline, std::future::pending::<()>());
            let r = tokio::time::timeout(Duration::from_secs(86_400), waited).await;
            assert!(r.is_err(), "a clamped deadline is still a day away");
        }
    }
}
