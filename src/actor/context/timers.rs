//! Timers: one-shot and recurring messages delivered through the mailbox, with drift policies.
//!
//! Each active timer is one small Tokio task that sleeps, then enqueues a copy of its message
//! like a `notify`. The actor owns the tasks: they are aborted on cancel and on every stop,
//! and a message whose timer was cancelled is skipped at dispatch.

use std::future::{ready, IntoFuture, Ready};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

use super::feeds::FeedKind;
use super::ActorContext;
use crate::actor::runtime::mailbox::{enqueue, Envelope};
use crate::actor::Actor;
use crate::clock::{clamp_instant, deadline_after, deadline_in};
use crate::error::TimerError;
use crate::types::{MissPolicy, RecurringId};

/// Returned by [`ActorContext::schedule`]: pick when the message is delivered.
///
/// ```
/// use std::time::Duration;
/// use tokio_actors::{Actor, ActorContext, ActorResult, MissPolicy};
///
/// #[derive(Clone)]
/// enum Msg { Tick, Timeout }
///
/// struct Poller;
/// impl Actor for Poller {
///     type Message = Msg;
///     type Response = ();
///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
///         ctx.schedule(Msg::Tick).every(Duration::from_secs(1)).on_miss(MissPolicy::Delay).await?;
///         ctx.schedule(Msg::Timeout).after(Duration::from_secs(30)).await?;
///         Ok(())
///     }
///     async fn handle(&mut self, _: Msg, _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
/// }
/// ```
#[must_use = "a timer is registered only when the builder is awaited"]
pub struct ScheduleBuilder<'ctx, A: Actor> {
    ctx: &'ctx mut ActorContext<A>,
    message: A::Message,
}

impl<'ctx, A: Actor> ScheduleBuilder<'ctx, A> {
    pub(crate) fn new(ctx: &'ctx mut ActorContext<A>, message: A::Message) -> Self {
        ScheduleBuilder { ctx, message }
    }

    /// Delivers once at `when`; an instant in the past delivers immediately. An instant more
    /// than about 30 years ahead (up to the largest `Instant`) is moved to 30 years from now:
    /// in practice the timer never fires.
    pub fn at(self, when: Instant) -> OneShotSchedule<'ctx, A> {
        OneShotSchedule {
            ctx: self.ctx,
            message: self.message,
            deadline: clamp_instant(when),
        }
    }

    /// Delivers once after `delay` (counted from this call); `Duration::ZERO` delivers
    /// immediately. A delay over about 30 years (up to `Duration::MAX`) is shortened to 30
    /// years: in practice the timer never fires.
    pub fn after(self, delay: Duration) -> OneShotSchedule<'ctx, A> {
        OneShotSchedule {
            ctx: self.ctx,
            message: self.message,
            deadline: deadline_in(delay),
        }
    }

    /// Delivers a clone every `interval`, first at registration + `interval`. A zero interval
    /// fails with [`TimerError::InvalidInterval`] when awaited; any other interval is accepted.
    /// Ticks more than about 30 years ahead are moved to 30 years from now, so an interval
    /// over 30 years (up to `Duration::MAX`) in practice never ticks.
    pub fn every(self, interval: Duration) -> RecurringScheduleBuilder<'ctx, A>
    where
        A::Message: Clone,
    {
        RecurringScheduleBuilder {
            ctx: self.ctx,
            message: self.message,
            interval,
            policy: MissPolicy::Skip,
        }
    }
}

/// A one-shot timer, registered when awaited (dropping it registers nothing).
#[must_use = "a timer is registered only when the builder is awaited"]
pub struct OneShotSchedule<'ctx, A: Actor> {
    ctx: &'ctx mut ActorContext<A>,
    message: A::Message,
    deadline: Instant,
}

impl<'ctx, A: Actor> IntoFuture for OneShotSchedule<'ctx, A> {
    type Output = Result<RecurringId, TimerError>;
    type IntoFuture = Ready<Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let OneShotSchedule {
            ctx,
            message,
            deadline,
        } = self;
        let mailbox = ctx.handle.inner.mailbox.clone();
        let id = ctx.feeds.add(FeedKind::Timer, true, move |id| {
            tokio::spawn(async move {
                sleep_until(deadline).await;
                let _ = enqueue(&mailbox, Envelope::timer(message, id)).await;
            })
        });
        ready(Ok(RecurringId(id)))
    }
}

/// A recurring timer; set its [`MissPolicy`] with [`on_miss`](Self::on_miss), then await.
#[must_use = "a timer is registered only when the builder is awaited"]
pub struct RecurringScheduleBuilder<'ctx, A: Actor> {
    ctx: &'ctx mut ActorContext<A>,
    message: A::Message,
    interval: Duration,
    policy: MissPolicy,
}

impl<'ctx, A: Actor> RecurringScheduleBuilder<'ctx, A> {
    /// What to do when the timer falls behind (default [`MissPolicy::Skip`]).
    pub fn on_miss(mut self, policy: MissPolicy) -> Self {
        self.policy = policy;
        self
    }
}

impl<'ctx, A: Actor> IntoFuture for RecurringScheduleBuilder<'ctx, A>
where
    A::Message: Clone,
{
    type Output = Result<RecurringId, TimerError>;
    type IntoFuture = Ready<Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let RecurringScheduleBuilder {
            ctx,
            message,
            interval,
            policy,
        } = self;
        let anchor = Instant::now();
        if interval.is_zero() {
            return ready(Err(TimerError::InvalidInterval));
        }
        let mailbox = ctx.handle.inner.mailbox.clone();
        let id = ctx.feeds.add(FeedKind::Timer, false, move |id| {
            tokio::spawn(run_recurring::<A>(
                mailbox, id, message, anchor, interval, policy,
            ))
        });
        ready(Ok(RecurringId(id)))
    }
}

/// The body of a recurring timer task: ticks on the grid `anchor + k·interval`, and a tick that
/// is late follows the timer's `MissPolicy` (`Skip`, `CatchUp` or `Delay`).
async fn run_recurring<A: Actor>(
    mailbox: mpsc::Sender<Envelope<A>>,
    id: u64,
    message: A::Message,
    mut anchor: Instant,
    interval: Duration,
    policy: MissPolicy,
) where
    A::Message: Clone,
{
    // One timer-wheel entry for the timer's whole life, reset for each tick.
    let sleep = sleep_until(deadline_after(anchor, interval));
    tokio::pin!(sleep);
    loop {
        sleep.as_mut().await;
        let due = sleep.deadline();
        if enqueue(&mailbox, Envelope::timer(message.clone(), id))
            .await
            .is_err()
        {
            return;
        }
        let now = Instant::now();
        let next = match policy {
            MissPolicy::Skip => next_on_grid(anchor, interval, now),
            MissPolicy::CatchUp => {
                let mut missed = due.checked_add(interval);
                while let Some(tick) = missed.filter(|tick| *tick <= now) {
                    if mailbox
                        .try_send(Envelope::timer(message.clone(), id))
                        .is_err()
                    {
                        break;
                    }
                    missed = tick.checked_add(interval);
                }
                next_on_grid(anchor, interval, now)
            }
            MissPolicy::Delay => {
                anchor = now;
                deadline_after(now, interval)
            }
        };
        sleep.as_mut().reset(next);
    }
}

/// The first tick `anchor + k·interval` (k ≥ 1) strictly after `now`.
fn next_on_grid(anchor: Instant, interval: Duration, now: Instant) -> Instant {
    let elapsed = now.saturating_duration_since(anchor).as_nanos();
    let step = interval.as_nanos().max(1);
    let ticks = elapsed / step + 1;
    let offset = step.saturating_mul(ticks);
    let offset = Duration::from_nanos(u64::try_from(offset).unwrap_or(u64::MAX));
    deadline_after(anchor, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_on_grid_is_strictly_after_now() {
        let t0 = Instant::now();
        let i = Duration::from_millis(100);
        let ms = Duration::from_millis;
        assert_eq!(next_on_grid(t0, i, t0 + ms(350)), t0 + ms(400));
        assert_eq!(next_on_grid(t0, i, t0 + ms(300)), t0 + ms(400));
        assert_eq!(next_on_grid(t0, i, t0 + ms(100)), t0 + ms(200));
        assert_eq!(next_on_grid(t0, i, t0), t0 + ms(100));
    }
}
