/// Identifies one timer within one actor incarnation, returned when the timer is scheduled.
///
/// Despite the name it identifies **one-shot timers too**: `ctx.schedule(msg).after(d)` and
/// `.at(t)` return one so that the timer can be cancelled before it fires, exactly like
/// `.every(d)`. [`TimerId`] is the same type under a name that says so. Passing it to
/// [`cancel_timer`](crate::ActorContext::cancel_timer) after a one-shot fired, after a cancel,
/// or in a later incarnation answers [`TimerError::NotFound`](crate::TimerError::NotFound).
///
/// ```
/// use std::time::Duration;
/// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, TimerId};
///
/// struct Reminder;
/// impl Actor for Reminder {
///     type Message = ();
///     type Response = usize;
///     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<usize> {
///         let once: TimerId = ctx.schedule(()).after(Duration::from_secs(60)).await?;
///         assert_eq!(ctx.active_timer_count(), 1);
///         ctx.cancel_timer(once)?; // a one-shot can be cancelled before it fires
///         Ok(ctx.active_timer_count())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let reminder = Reminder.spawn().await?;
/// assert_eq!(reminder.send(()).await?, 0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecurringId(pub(crate) u64);

/// The id of any timer, one-shot or recurring: another name for [`RecurringId`].
pub type TimerId = RecurringId;

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
