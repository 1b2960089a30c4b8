//! Deadline arithmetic that cannot panic: user-supplied durations may be huge.

use std::time::Duration;

use tokio::time::Instant;

/// About 30 years: where deadlines that would overflow `Instant` are clamped to.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `from + delay`, clamped to a far-future instant instead of overflowing.
pub(crate) fn deadline_after(from: Instant, delay: Duration) -> Instant {
    from.checked_add(delay)
        .unwrap_or_else(|| from + FAR_FUTURE.min(delay))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_delays_clamp_instead_of_panicking() {
        let now = Instant::now();
        assert_eq!(
            deadline_after(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
        assert!(deadline_after(now, Duration::MAX) > now + Duration::from_secs(86_400 * 365));
    }
}
