/// Identifies one timer (one-shot or recurring) within one actor incarnation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecurringId(pub(crate) u64);

/// What a recurring timer does when it falls behind its schedule.
///
/// Timer registered at `T0 = 0` with a 100 ms interval; the tick due at 100 is delivered late,
/// at 350:
///
/// | policy | delivered at 350 | next deliveries |
/// |---|---|---|
/// | `Skip` (default) | 1 | 400, 500, … (missed ticks dropped) |
/// | `CatchUp` | 3 (the late tick + one per missed tick, while the mailbox has room) | 400, 500, … |
/// | `Delay` | 1 | 450, 550, … (grid re-anchored at the late delivery) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissPolicy {
    /// Drop missed ticks; resume on the original grid.
    #[default]
    Skip,
    /// Deliver missed ticks at once (non-blocking) until the mailbox is full; resume on the grid.
    CatchUp,
    /// Restart the schedule one interval after the late tick.
    Delay,
}
