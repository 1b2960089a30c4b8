//! Timers: one-shot and recurring, drift policies, cancellation, stops.
//!
//! Every time-dependent test runs on Tokio's paused clock. `T0` is the registration instant the
//! actor reports back from its `handle` call (the clock does not move unless the test advances
//! it), and every tick is recorded with `Instant::now()` inside `handle`, so assertions are exact
//! millisecond offsets from `T0`.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::{advance, timeout, Instant};
use tokio_actors::*;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

const LIMIT: Duration = Duration::from_secs(10);

/// Lets every ready task (timer tasks, the actor) run; never moves the paused clock.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// Advances the paused clock by `d`, then lets the woken tasks run.
async fn step(d: Duration) {
    advance(d).await;
    settle().await;
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Yields (never sleeps, so the paused clock cannot auto-advance) until the runtime's alive-task
/// count is back to `baseline`; returns the last count seen.
async fn tasks_back_to(baseline: usize) -> usize {
    for _ in 0..10_000 {
        if alive_tasks() == baseline {
            return baseline;
        }
        tokio::task::yield_now().await;
    }
    alive_tasks()
}

fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[derive(Debug, Clone)]
enum Ev {
    /// A timer (or direct) message `tag` was handled at `at`; `timers` = active_timer_count() then.
    Tick {
        tag: u32,
        at: Instant,
        timers: usize,
    },
    /// `handle_failure` received this error text.
    Failure(String),
    /// Result of a cancel performed by a `Block` handler after it was released.
    Cancelled(Result<(), TimerError>),
}

type Log = Arc<Mutex<Vec<Ev>>>;

/// What a `Block` handler does once released.
#[derive(Debug, Clone)]
enum Then {
    Nothing,
    Cancel(RecurringId),
    CancelAll,
}

#[derive(Debug, Clone)]
enum M {
    /// Logged as `Ev::Tick`.
    Tick(u32),
    /// Logged as `Ev::Tick`, then the handler returns `Err`.
    Fail(u32),
    /// The handler waits on the `Notify`, then does `Then`.
    Block(Arc<Notify>, Then),
    /// Registers a recurring timer delivering `Tick(tag)` (or `Fail(tag)` when `fail`).
    Every {
        tag: u32,
        every: Duration,
        policy: MissPolicy,
        fail: bool,
    },
    /// Registers a one-shot `Tick(tag)` after the delay.
    After(u32, Duration),
    /// Registers a one-shot `Tick(tag)` at the instant.
    At(u32, Instant),
    Cancel(RecurringId),
    CancelAll,
    Count,
    /// Builds schedule builders of every kind and drops them without awaiting.
    DropBuilders,
}

#[derive(Debug)]
enum R {
    Unit,
    Scheduled(Result<RecurringId, TimerError>, Instant),
    Cancel(Result<(), TimerError>),
    Count(usize),
}

struct Timed {
    log: Log,
}

impl Timed {
    fn record(&self, tag: u32, ctx: &ActorContext<Self>) {
        self.log.lock().unwrap().push(Ev::Tick {
            tag,
            at: Instant::now(),
            timers: ctx.active_timer_count(),
        });
    }
}

impl Actor for Timed {
    type Message = M;
    type Response = R;

    async fn handle(&mut self, msg: M, ctx: &mut ActorContext<Self>) -> ActorResult<R> {
        Ok(match msg {
            M::Tick(tag) => {
                self.record(tag, ctx);
                R::Unit
            }
            M::Fail(tag) => {
                self.record(tag, ctx);
                return Err(ActorError::user(format!("tick {tag} failed")));
            }
            M::Block(gate, then) => {
                gate.notified().await;
                let res = match then {
                    Then::Nothing => Ok(()),
                    Then::Cancel(id) => ctx.cancel_timer(id),
                    Then::CancelAll => {
                        ctx.cancel_all_timers();
                        Ok(())
                    }
                };
                self.log.lock().unwrap().push(Ev::Cancelled(res));
                R::Unit
            }
            M::Every {
                tag,
                every,
                policy,
                fail,
            } => {
                let msg = if fail { M::Fail(tag) } else { M::Tick(tag) };
                let now = Instant::now();
                let res = ctx.schedule(msg).every(every).on_miss(policy).await;
                R::Scheduled(res, now)
            }
            M::After(tag, d) => {
                let now = Instant::now();
                R::Scheduled(ctx.schedule(M::Tick(tag)).after(d).await, now)
            }
            M::At(tag, when) => {
                let now = Instant::now();
                R::Scheduled(ctx.schedule(M::Tick(tag)).at(when).await, now)
            }
            M::Cancel(id) => R::Cancel(ctx.cancel_timer(id)),
            M::CancelAll => {
                ctx.cancel_all_timers();
                R::Unit
            }
            M::Count => R::Count(ctx.active_timer_count()),
            M::DropBuilders => {
                drop(ctx.schedule(M::Tick(900)).after(Duration::ZERO));
                drop(ctx.schedule(M::Tick(901)).at(Instant::now()));
                drop(ctx.schedule(M::Tick(902)).every(ms(10)));
                drop(
                    ctx.schedule(M::Tick(903))
                        .every(ms(10))
                        .on_miss(MissPolicy::CatchUp),
                );
                R::Unit
            }
        })
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.log
            .lock()
            .unwrap()
            .push(Ev::Failure(error.to_string()));
    }
}

async fn spawn_timed(capacity: usize) -> (ActorHandle<Timed>, Log) {
    let log = Log::default();
    let h = Timed { log: log.clone() }
        .spawn()
        .with_config(ActorConfig::default().with_mailbox_capacity(capacity))
        .await
        .expect("spawn");
    (h, log)
}

async fn ask(h: &ActorHandle<Timed>, m: M) -> R {
    timeout(LIMIT, h.send(m))
        .await
        .expect("send timed out")
        .expect("send failed")
}

/// Registers a recurring timer; returns its id and `T0` (the registration instant).
async fn every(
    h: &ActorHandle<Timed>,
    tag: u32,
    interval: Duration,
    policy: MissPolicy,
) -> (RecurringId, Instant) {
    match ask(
        h,
        M::Every {
            tag,
            every: interval,
            policy,
            fail: false,
        },
    )
    .await
    {
        R::Scheduled(Ok(id), t0) => (id, t0),
        other => panic!("every failed: {other:?}"),
    }
}

async fn after(h: &ActorHandle<Timed>, tag: u32, d: Duration) -> (RecurringId, Instant) {
    match ask(h, M::After(tag, d)).await {
        R::Scheduled(Ok(id), t0) => (id, t0),
        other => panic!("after failed: {other:?}"),
    }
}

async fn count(h: &ActorHandle<Timed>) -> usize {
    match ask(h, M::Count).await {
        R::Count(n) => n,
        other => panic!("{other:?}"),
    }
}

async fn cancel(h: &ActorHandle<Timed>, id: RecurringId) -> Result<(), TimerError> {
    match ask(h, M::Cancel(id)).await {
        R::Cancel(res) => res,
        other => panic!("{other:?}"),
    }
}

/// Millisecond offsets from `t0` of every handled `tag`.
fn ticks(log: &Log, tag: u32, t0: Instant) -> Vec<u64> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Ev::Tick { tag: t, at, .. } if *t == tag => Some((*at - t0).as_millis() as u64),
            _ => None,
        })
        .collect()
}

/// Tags of every handled tick, in handling order.
fn tags(log: &Log) -> Vec<u32> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Ev::Tick { tag, .. } => Some(*tag),
            _ => None,
        })
        .collect()
}

fn failures(log: &Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Ev::Failure(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

async fn stop_and_wait<A: Actor>(h: &ActorHandle<A>, reason: StopReason) -> StopReason {
    h.stop(reason).await.expect("stop");
    timeout(LIMIT, h.wait_stopped())
        .await
        .expect("actor did not stop")
}

// ---------------------------------------------------------------------------------------------
// One-shot timers
// ---------------------------------------------------------------------------------------------

/// `after(d)` delivers once after `d`, not before.
#[tokio::test(start_paused = true)]
async fn after_delivers_once_at_the_deadline_not_before() {
    let (h, log) = spawn_timed(8).await;
    let (_, t0) = after(&h, 1, ms(100)).await;
    settle().await;
    assert!(ticks(&log, 1, t0).is_empty());
    step(ms(99)).await;
    assert!(
        ticks(&log, 1, t0).is_empty(),
        "delivered before its deadline"
    );
    step(ms(1)).await;
    assert_eq!(ticks(&log, 1, t0), vec![100]);
    step(ms(10_000)).await;
    assert_eq!(ticks(&log, 1, t0), vec![100], "a one-shot delivers once");
}

/// `at(past)`, `at(now)` and `after(ZERO)` deliver immediately.
#[tokio::test(start_paused = true)]
async fn at_past_and_after_zero_deliver_immediately() {
    let (h, log) = spawn_timed(8).await;
    let now = Instant::now();
    let past = now.checked_sub(ms(5_000)).unwrap_or(now);
    let (_, t0) = match ask(&h, M::At(1, past)).await {
        R::Scheduled(Ok(id), t0) => (id, t0),
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        ask(&h, M::At(2, t0)).await,
        R::Scheduled(Ok(_), _)
    ));
    after(&h, 3, Duration::ZERO).await;
    settle().await;
    assert_eq!(ticks(&log, 1, t0), vec![0]);
    assert_eq!(ticks(&log, 2, t0), vec![0]);
    assert_eq!(ticks(&log, 3, t0), vec![0]);
    step(ms(10_000)).await;
    assert_eq!(tags(&log).len(), 3, "each one-shot delivers exactly once");
}

/// One-shot ticks go through the mailbox in order with direct messages.
#[tokio::test(start_paused = true)]
async fn one_shot_is_ordered_with_other_messages() {
    let (h, log) = spawn_timed(8).await;
    let (_, t0) = after(&h, 100, ms(50)).await;
    h.notify(M::Tick(1)).await.unwrap();
    settle().await;
    step(ms(50)).await;
    h.notify(M::Tick(2)).await.unwrap();
    settle().await;
    assert_eq!(tags(&log), vec![1, 100, 2]);
    assert_eq!(ticks(&log, 100, t0), vec![50]);

    // With the actor busy, a one-shot that fires between two direct messages is queued (and
    // handled) between them.
    let (_, t1) = after(&h, 200, ms(30)).await;
    let gate = Arc::new(Notify::new());
    h.notify(M::Block(gate.clone(), Then::Nothing))
        .await
        .unwrap();
    settle().await;
    h.notify(M::Tick(3)).await.unwrap();
    step(ms(30)).await;
    h.notify(M::Tick(4)).await.unwrap();
    assert_eq!(
        h.mailbox_len(),
        3,
        "Tick(3), the one-shot and Tick(4) are queued"
    );
    gate.notify_one();
    settle().await;
    assert_eq!(tags(&log), vec![1, 100, 2, 3, 200, 4]);
    assert_eq!(ticks(&log, 200, t1), vec![30]);
    step(ms(1_000)).await;
    assert_eq!(tags(&log).len(), 6, "one-shots deliver once");
}

/// A one-shot counts as active until its message is dispatched; inside its own `handle`
/// call it is no longer counted. Recurring timers stay counted.
#[tokio::test(start_paused = true)]
async fn one_shot_stops_counting_when_dispatched() {
    let (h, log) = spawn_timed(8).await;
    assert_eq!(count(&h).await, 0);
    every(&h, 1, ms(1_000), MissPolicy::Skip).await;
    after(&h, 2, ms(100)).await;
    assert_eq!(count(&h).await, 2);
    step(ms(99)).await;
    assert_eq!(count(&h).await, 2);
    step(ms(1)).await;
    let seen = log.lock().unwrap().clone();
    match seen.as_slice() {
        [Ev::Tick {
            tag: 2, timers: 1, ..
        }] => {}
        other => panic!("expected the one-shot handled with 1 timer left, got {other:?}"),
    }
    assert_eq!(count(&h).await, 1);
}

/// `cancel_timer` → Ok, again → NotFound; cancelling a fired one-shot → NotFound.
#[tokio::test(start_paused = true)]
async fn cancel_timer_ok_then_not_found() {
    let (h, log) = spawn_timed(8).await;
    let (rec, _) = every(&h, 1, ms(100), MissPolicy::Skip).await;
    let (pending, _) = after(&h, 2, ms(100)).await;
    let (fired, t0) = after(&h, 3, ms(10)).await;
    assert_eq!(count(&h).await, 3);

    assert!(matches!(cancel(&h, rec).await, Ok(())));
    assert!(matches!(cancel(&h, rec).await, Err(TimerError::NotFound)));
    assert!(matches!(cancel(&h, pending).await, Ok(())));
    assert!(matches!(
        cancel(&h, pending).await,
        Err(TimerError::NotFound)
    ));
    assert_eq!(count(&h).await, 1);

    step(ms(10)).await;
    assert_eq!(ticks(&log, 3, t0), vec![10]);
    assert!(matches!(cancel(&h, fired).await, Err(TimerError::NotFound)));
    assert_eq!(count(&h).await, 0);

    step(ms(1_000)).await;
    assert_eq!(tags(&log), vec![3], "cancelled timers never deliver");
}

// ---------------------------------------------------------------------------------------------
// Recurring timers
// ---------------------------------------------------------------------------------------------

/// `every(i)` delivers first at `T0 + i`, not at `T0`, then on the grid.
#[tokio::test(start_paused = true)]
async fn every_first_tick_is_one_interval_after_registration() {
    let (h, log) = spawn_timed(8).await;
    let (_, t0) = every(&h, 1, ms(100), MissPolicy::Skip).await;
    settle().await;
    assert!(ticks(&log, 1, t0).is_empty(), "ticked at T0");
    step(ms(99)).await;
    assert!(ticks(&log, 1, t0).is_empty());
    step(ms(1)).await;
    assert_eq!(ticks(&log, 1, t0), vec![100]);
    for _ in 0..4 {
        step(ms(100)).await;
    }
    assert_eq!(ticks(&log, 1, t0), vec![100, 200, 300, 400, 500]);
    assert_eq!(count(&h).await, 1, "a recurring timer stays active");
}

/// `every(ZERO)` → `InvalidInterval`, and nothing is registered.
#[tokio::test(start_paused = true)]
async fn every_zero_is_invalid_interval() {
    let (h, log) = spawn_timed(8).await;
    for policy in [MissPolicy::Skip, MissPolicy::CatchUp, MissPolicy::Delay] {
        let r = ask(
            &h,
            M::Every {
                tag: 1,
                every: Duration::ZERO,
                policy,
                fail: false,
            },
        )
        .await;
        assert!(
            matches!(r, R::Scheduled(Err(TimerError::InvalidInterval), _)),
            "{policy:?}: {r:?}"
        );
    }
    assert_eq!(count(&h).await, 0);
    step(ms(100)).await;
    assert!(tags(&log).is_empty());
}

/// After `cancel_timer` no tick of that timer is handled, even ticks already queued;
/// they are not seen by `handle_failure` either.
#[tokio::test(start_paused = true)]
async fn cancel_timer_skips_ticks_already_queued() {
    let (h, log) = spawn_timed(8).await;
    let (id, t0) = every(&h, 1, ms(100), MissPolicy::Skip).await;
    let (other, _) = after(&h, 2, ms(150)).await;
    let gate = Arc::new(Notify::new());
    h.notify(M::Block(gate.clone(), Then::Cancel(id)))
        .await
        .unwrap();
    settle().await;
    step(ms(100)).await;
    step(ms(100)).await;
    // Ticks at 100 and 200 of the recurring timer plus the one-shot at 150 are queued.
    assert_eq!(h.mailbox_len(), 3);
    gate.notify_one();
    settle().await;
    assert!(
        ticks(&log, 1, t0).is_empty(),
        "a queued tick of a cancelled timer was handled"
    );
    assert_eq!(
        ticks(&log, 2, t0),
        vec![200],
        "the other timer is unaffected"
    );
    assert!(failures(&log).is_empty());
    assert!(log
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, Ev::Cancelled(Ok(())))));
    step(ms(500)).await;
    assert!(ticks(&log, 1, t0).is_empty());
    assert!(matches!(cancel(&h, other).await, Err(TimerError::NotFound)));
    assert_eq!(count(&h).await, 0);
}

/// `cancel_all_timers` drops queued ticks of every timer and zeroes the count.
#[tokio::test(start_paused = true)]
async fn cancel_all_timers_skips_ticks_already_queued() {
    let (h, log) = spawn_timed(8).await;
    let (a, t0) = every(&h, 1, ms(100), MissPolicy::CatchUp).await;
    every(&h, 2, ms(50), MissPolicy::Delay).await;
    let (b, _) = after(&h, 3, ms(120)).await;
    assert_eq!(count(&h).await, 3);
    let gate = Arc::new(Notify::new());
    h.notify(M::Block(gate.clone(), Then::CancelAll))
        .await
        .unwrap();
    settle().await;
    for _ in 0..4 {
        step(ms(50)).await;
    }
    assert!(
        h.mailbox_len() >= 4,
        "ticks are queued: {}",
        h.mailbox_len()
    );
    gate.notify_one();
    settle().await;
    assert!(tags(&log).is_empty(), "handled: {:?}", tags(&log));
    assert_eq!(count(&h).await, 0);
    assert!(matches!(cancel(&h, a).await, Err(TimerError::NotFound)));
    assert!(matches!(cancel(&h, b).await, Err(TimerError::NotFound)));
    step(ms(1_000)).await;
    assert!(tags(&log).is_empty());
    assert!(failures(&log).is_empty());
    let _ = t0;
}

/// A schedule builder dropped without `.await` registers nothing.
#[tokio::test(start_paused = true)]
async fn dropped_builder_registers_nothing() {
    let (h, log) = spawn_timed(8).await;
    ask(&h, M::DropBuilders).await;
    assert_eq!(count(&h).await, 0);
    step(ms(1_000)).await;
    assert!(tags(&log).is_empty(), "delivered: {:?}", tags(&log));
    // Ids are not consumed in a visible way either: a real timer still works.
    let (_, t0) = after(&h, 1, ms(10)).await;
    step(ms(10)).await;
    assert_eq!(ticks(&log, 1, t0), vec![10]);
}

/// A timer message whose handler errs goes to `handle_failure`; the timer keeps ticking.
#[tokio::test(start_paused = true)]
async fn failing_tick_goes_to_handle_failure_and_timer_continues() {
    let (h, log) = spawn_timed(8).await;
    let r = ask(
        &h,
        M::Every {
            tag: 7,
            every: ms(100),
            policy: MissPolicy::Skip,
            fail: true,
        },
    )
    .await;
    let t0 = match r {
        R::Scheduled(Ok(_), t0) => t0,
        other => panic!("{other:?}"),
    };
    for _ in 0..3 {
        step(ms(100)).await;
    }
    assert_eq!(ticks(&log, 7, t0), vec![100, 200, 300]);
    let f = failures(&log);
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(f.iter().all(|s| s.contains("tick 7 failed")), "{f:?}");
    assert!(h.is_alive());
    assert_eq!(count(&h).await, 1);
}

// ---------------------------------------------------------------------------------------------
// Drift policies: worked timelines of a 100 ms timer whose clock jumps past missed ticks
// ---------------------------------------------------------------------------------------------

/// Registers a 100 ms timer with `policy`, jumps the clock by `jump` ms without letting the timer
/// task run in between, then checks the handled ticks (offsets from T0) at each checkpoint.
async fn timeline(policy: MissPolicy, jump: u64, checkpoints: &[(u64, &[u64])]) {
    let (h, log) = spawn_timed(64).await;
    let (_, t0) = every(&h, 1, ms(100), policy).await;
    advance(ms(jump)).await;
    settle().await;
    let mut now = jump;
    for (at, expected) in checkpoints {
        assert!(*at >= now);
        step(ms(at - now)).await;
        now = *at;
        assert_eq!(
            Instant::now() - t0,
            ms(now),
            "the test clock is not where it should be"
        );
        assert_eq!(
            ticks(&log, 1, t0),
            expected.to_vec(),
            "{policy:?}: ticks handled by t = {now}"
        );
    }
    assert!(h.is_alive());
}

/// Skip: 1 at 350 (200 and 300 dropped), then 400, 500 → totals 1/2/2/2/3.
#[tokio::test(start_paused = true)]
async fn skip_timeline() {
    timeline(
        MissPolicy::Skip,
        350,
        &[
            (350, &[350]),
            (399, &[350]),
            (400, &[350, 400]),
            (449, &[350, 400]),
            (450, &[350, 400]),
            (500, &[350, 400, 500]),
            (600, &[350, 400, 500, 600]),
        ],
    )
    .await;
}

/// CatchUp: 3 at 350 (100 + catch-up for 200 and 300), then 400, 500 → 3/4/4/4/5.
#[tokio::test(start_paused = true)]
async fn catch_up_timeline() {
    timeline(
        MissPolicy::CatchUp,
        350,
        &[
            (350, &[350, 350, 350]),
            (399, &[350, 350, 350]),
            (400, &[350, 350, 350, 400]),
            (449, &[350, 350, 350, 400]),
            (450, &[350, 350, 350, 400]),
            (500, &[350, 350, 350, 400, 500]),
            (600, &[350, 350, 350, 400, 500, 600]),
        ],
    )
    .await;
}

/// Delay: 1 at 350, then the grid is re-anchored: 450, 550 → 1/1/1/2/2.
#[tokio::test(start_paused = true)]
async fn delay_timeline() {
    timeline(
        MissPolicy::Delay,
        350,
        &[
            (350, &[350]),
            (399, &[350]),
            (400, &[350]),
            (449, &[350]),
            (450, &[350, 450]),
            (500, &[350, 450]),
            (549, &[350, 450]),
            (550, &[350, 450, 550]),
        ],
    )
    .await;
}

/// Boundary: the timer task wakes exactly at 300. Skip drops 200 and 300 and continues at 400;
/// CatchUp offers 200 and 300; Delay continues at 400.
#[tokio::test(start_paused = true)]
async fn boundary_wake_exactly_on_the_grid() {
    timeline(
        MissPolicy::Skip,
        300,
        &[(300, &[300]), (399, &[300]), (400, &[300, 400])],
    )
    .await;
    timeline(
        MissPolicy::CatchUp,
        300,
        &[
            (300, &[300, 300, 300]),
            (399, &[300, 300, 300]),
            (400, &[300, 300, 300, 400]),
        ],
    )
    .await;
    timeline(
        MissPolicy::Delay,
        300,
        &[(300, &[300]), (399, &[300]), (400, &[300, 400])],
    )
    .await;
}

/// CatchUp with a full mailbox (capacity 2, actor busy, one slot taken at 350): the overdue
/// tick takes the last slot, the catch-up offer gets `Full`, 200 and 300 are dropped, and the
/// next delivery is at 400, not immediately.
#[tokio::test(start_paused = true)]
async fn catch_up_with_full_mailbox_drops_the_burst_and_resumes_on_the_grid() {
    let (h, log) = spawn_timed(2).await;
    let (_, t0) = every(&h, 1, ms(100), MissPolicy::CatchUp).await;
    let gate = Arc::new(Notify::new());
    h.notify(M::Block(gate.clone(), Then::Nothing))
        .await
        .unwrap();
    settle().await;
    assert_eq!(h.mailbox_len(), 0, "the actor took the Block message");
    h.notify(M::Tick(99)).await.unwrap();
    assert_eq!(h.mailbox_len(), 1);

    advance(ms(350)).await;
    settle().await;
    assert_eq!(h.mailbox_len(), 2, "the overdue tick takes the last slot");

    gate.notify_one();
    settle().await;
    assert_eq!(
        ticks(&log, 1, t0),
        vec![350],
        "catch-up ticks must be dropped"
    );
    assert_eq!(tags(&log), vec![99, 1]);

    step(ms(49)).await;
    assert_eq!(ticks(&log, 1, t0), vec![350], "resumed before 400");
    step(ms(1)).await;
    assert_eq!(ticks(&log, 1, t0), vec![350, 400]);
    step(ms(100)).await;
    assert_eq!(ticks(&log, 1, t0), vec![350, 400, 500]);
}

// ---------------------------------------------------------------------------------------------
// Timers and stops, task leaks, scale
// ---------------------------------------------------------------------------------------------

/// Timers are cancelled on every kind of stop and no timer task is left behind.
#[tokio::test(start_paused = true)]
async fn timers_are_cancelled_on_every_kind_of_stop() {
    let reasons = [
        StopReason::Graceful,
        StopReason::Cancelled,
        StopReason::Failure(ActorError::user("stop it")),
        StopReason::Kill,
    ];
    for reason in reasons {
        let baseline = alive_tasks();
        let (h, log) = spawn_timed(8).await;
        let (_, t0) = every(&h, 1, ms(100), MissPolicy::Skip).await;
        every(&h, 2, ms(100), MissPolicy::CatchUp).await;
        every(&h, 3, ms(100), MissPolicy::Delay).await;
        after(&h, 4, ms(3_600_000)).await;
        step(ms(100)).await;
        assert_eq!(ticks(&log, 1, t0), vec![100], "{reason}: timers run");
        assert!(
            alive_tasks() >= baseline + 5,
            "{reason}: actor + 4 timer tasks expected, {} > {baseline}",
            alive_tasks()
        );
        let label = reason.to_string();
        stop_and_wait(&h, reason).await;
        assert!(!h.is_alive());
        let left = tasks_back_to(baseline).await;
        assert_eq!(left, baseline, "{label}: tasks left behind after the stop");
    }
}

/// A restarted incarnation inherits no timers (count is 0 when its `pre_start` runs),
/// and the old incarnation's timer never reaches the new one.
#[tokio::test(start_paused = true)]
async fn restarted_child_inherits_no_timers() {
    #[derive(Debug, Clone, PartialEq)]
    enum CEv {
        PreStart { incarnation: u32, timers: usize },
        Tick(u32),
    }
    type CLog = Arc<Mutex<Vec<CEv>>>;

    #[derive(Clone)]
    enum CM {
        Tick(u32),
        Boom,
    }

    struct Child {
        incarnation: u32,
        log: CLog,
    }
    impl Actor for Child {
        type Message = CM;
        type Response = ();
        async fn pre_start(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
            self.log.lock().unwrap().push(CEv::PreStart {
                incarnation: self.incarnation,
                timers: ctx.active_timer_count(),
            });
            Ok(())
        }
        async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
            ctx.schedule(CM::Tick(self.incarnation))
                .every(ms(100))
                .await?;
            Ok(())
        }
        async fn handle(&mut self, msg: CM, _: &mut ActorContext<Self>) -> ActorResult<()> {
            match msg {
                CM::Tick(n) => {
                    self.log.lock().unwrap().push(CEv::Tick(n));
                    Ok(())
                }
                CM::Boom => Err(ActorError::user("boom")),
            }
        }
    }

    struct Sup {
        name: String,
        log: CLog,
    }
    impl Actor for Sup {
        type Message = ();
        type Response = ();
        async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
            let log = self.log.clone();
            let next = Arc::new(AtomicU32::new(1));
            ctx.spawn_child(move || Child {
                incarnation: next.fetch_add(1, Ordering::SeqCst),
                log: log.clone(),
            })
            .named(self.name.clone())
            .await?;
            Ok(())
        }
        async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
            Ok(())
        }
    }

    let sys = ActorSystem::create(unique("timers-restart")).unwrap();
    let child_name = unique("timer-child");
    let log = CLog::default();
    let sup = Sup {
        name: child_name.clone(),
        log: log.clone(),
    }
    .spawn()
    .supervised()
    .on_system(&sys)
    .await
    .unwrap();

    let first = sys.get::<Child>(&child_name).expect("child registered");
    step(ms(100)).await;
    step(ms(100)).await;
    assert_eq!(
        *log.lock().unwrap(),
        vec![
            CEv::PreStart {
                incarnation: 1,
                timers: 0
            },
            CEv::Tick(1),
            CEv::Tick(1)
        ]
    );

    let err = timeout(LIMIT, first.send(CM::Boom)).await.unwrap();
    assert!(matches!(err, Err(AskError::Actor(_))), "{err:?}");
    // Wait (yielding only, so the clock stays put) for the second incarnation to run; the
    // handle held before the restart follows the child.
    let mut restarted = false;
    for _ in 0..10_000 {
        if log.lock().unwrap().len() >= 4 {
            if let Ok(info) = first.get_status().await {
                if info.incarnation == 2 && info.status == ActorStatus::Running {
                    restarted = true;
                    break;
                }
            }
        }
        tokio::task::yield_now().await;
    }
    assert!(restarted, "child was not restarted");
    let second = sys.get::<Child>(&child_name).expect("still registered");
    assert!(second.is_alive() && first.is_alive());
    assert_eq!(second, first, "one handle for both incarnations");
    assert_eq!(
        log.lock().unwrap()[3],
        CEv::PreStart {
            incarnation: 2,
            timers: 0
        }
    );
    assert_eq!(second.get_status().await.unwrap().timer_count, 1);

    step(ms(100)).await;
    let after_restart: Vec<CEv> = log.lock().unwrap()[4..].to_vec();
    assert_eq!(
        after_restart,
        vec![CEv::Tick(2)],
        "exactly one timer after restart"
    );

    let report = timeout(LIMIT, sys.shutdown()).await.unwrap();
    assert_eq!(report.graceful, vec![sup.id().clone()]);
    assert!(!second.is_alive());
}

/// Many timers on one actor: 1,000 recurring timers all tick, each once per interval; cancelling
/// them all stops every one.
#[tokio::test(start_paused = true)]
async fn thousand_recurring_timers_on_one_actor() {
    let baseline = alive_tasks();
    let (h, log) = spawn_timed(64).await;
    for tag in 0..1_000 {
        every(&h, tag, ms(100), MissPolicy::Skip).await;
    }
    assert_eq!(count(&h).await, 1_000);
    assert_eq!(h.get_status().await.unwrap().timer_count, 1_000);

    for round in 1..=2 {
        advance(ms(100)).await;
        let mut n = 0;
        for _ in 0..10_000 {
            n = tags(&log).len();
            if n >= 1_000 * round {
                break;
            }
            tokio::task::yield_now().await;
        }
        settle().await;
        let mut seen = tags(&log);
        assert_eq!(seen.len(), 1_000 * round, "round {round}: {n}");
        seen.sort_unstable();
        let expected: Vec<u32> = (0..1_000).flat_map(|t| vec![t; round]).collect();
        assert_eq!(seen, expected, "each timer ticks once per interval");
    }

    ask(&h, M::CancelAll).await;
    assert_eq!(count(&h).await, 0);
    step(ms(1_000)).await;
    assert_eq!(tags(&log).len(), 2_000);
    stop_and_wait(&h, StopReason::Graceful).await;
    assert_eq!(tasks_back_to(baseline).await, baseline);
}

/// 1,000 one-shots with distinct deadlines are handled in deadline order.
#[tokio::test(start_paused = true)]
async fn thousand_one_shots_fire_in_deadline_order() {
    let (h, log) = spawn_timed(64).await;
    // Register in a scrambled order so registration order != deadline order.
    let mut t0 = None;
    for i in 0..1_000u32 {
        let tag = (i * 617) % 1_000; // 617 is coprime with 1000: a permutation
        let (_, at) = after(&h, tag, ms(u64::from(tag) + 1)).await;
        t0.get_or_insert(at);
    }
    let t0 = t0.unwrap();
    assert_eq!(count(&h).await, 1_000);
    for _ in 0..1_000 {
        advance(ms(1)).await;
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
    }
    settle().await;
    assert_eq!(tags(&log), (0..1_000).collect::<Vec<_>>());
    for tag in [0u32, 1, 499, 999] {
        assert_eq!(ticks(&log, tag, t0), vec![u64::from(tag) + 1]);
    }
    assert_eq!(count(&h).await, 0);
}

/// 10,000 actors with one timer each on a dedicated system: all tick, `shutdown()` stops them all
/// and every actor and timer task is gone afterwards.
#[tokio::test(start_paused = true)]
async fn ten_thousand_actors_with_a_timer_each_stop_on_shutdown() {
    static TICKS: AtomicU64 = AtomicU64::new(0);

    struct Ticker;
    impl Actor for Ticker {
        type Message = ();
        type Response = ();
        async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
            ctx.schedule(()).every(ms(100)).await?;
            Ok(())
        }
        async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
            TICKS.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    }

    const N: usize = 10_000;
    let sys = ActorSystem::create(unique("timers-10k")).unwrap();
    let baseline = alive_tasks();
    let mut handles = Vec::with_capacity(N);
    for _ in 0..N {
        handles.push(Ticker.spawn().on_system(&sys).await.unwrap());
    }
    assert!(alive_tasks() >= baseline + 2 * N, "{} tasks", alive_tasks());

    advance(ms(100)).await;
    for _ in 0..100_000 {
        if TICKS.load(Ordering::Relaxed) >= N as u64 {
            break;
        }
        tokio::task::yield_now().await;
    }
    settle().await;
    assert_eq!(
        TICKS.load(Ordering::Relaxed),
        N as u64,
        "each actor ticked once"
    );

    let report = timeout(Duration::from_secs(600), sys.shutdown())
        .await
        .expect("shutdown hung");
    assert_eq!(report.graceful.len(), N);
    assert!(report.killed.is_empty() && report.unresponsive.is_empty());
    assert!(handles.iter().all(|h| !h.is_alive()));
    assert_eq!(tasks_back_to(baseline).await, baseline, "tasks left behind");

    step(ms(1_000)).await;
    assert_eq!(
        TICKS.load(Ordering::Relaxed),
        N as u64,
        "ticks after shutdown"
    );
}

/// Timers created after the stop commit (from `on_stopped`) are accepted but inert: the
/// awaits succeed, nothing is delivered and no timer task outlives the actor.
#[tokio::test(start_paused = true)]
async fn timers_created_in_on_stopped_are_inert() {
    #[derive(Clone)]
    struct Late(Arc<Mutex<Vec<String>>>);
    impl Actor for Late {
        type Message = u32;
        type Response = ();
        async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<()> {
            self.0.lock().unwrap().push(format!("handled {n}"));
            Ok(())
        }
        async fn on_stopped(
            &mut self,
            _: &StopReason,
            ctx: &mut ActorContext<Self>,
        ) -> ActorResult<()> {
            let a = ctx.schedule(1).after(Duration::ZERO).await;
            let b = ctx.schedule(2).at(Instant::now()).await;
            let c = ctx.schedule(3).every(ms(10)).await;
            let d = ctx.schedule(4).after(Duration::MAX).await;
            self.0.lock().unwrap().push(format!(
                "{} {} {} {}",
                a.is_ok(),
                b.is_ok(),
                c.is_ok(),
                d.is_ok()
            ));
            // Give any (wrongly) live timer task a chance to deliver into the mailbox.
            tokio::task::yield_now().await;
            tokio::time::sleep(ms(50)).await;
            Ok(())
        }
    }

    let baseline = alive_tasks();
    let log = Arc::new(Mutex::new(Vec::new()));
    let h = Late(log.clone()).spawn().await.unwrap();
    h.stop(StopReason::Graceful).await.unwrap();
    timeout(LIMIT, h.wait_stopped()).await.unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        vec!["true true true true".to_string()]
    );
    assert_eq!(tasks_back_to(baseline).await, baseline);
}

/// `after(Duration::MAX)` and `at(far future)` neither panic nor fire.
#[tokio::test(start_paused = true)]
async fn huge_delays_do_not_panic() {
    let (h, log) = spawn_timed(8).await;
    after(&h, 1, Duration::MAX).await;
    let far = Instant::now() + Duration::from_secs(86_400 * 365 * 10);
    assert!(matches!(
        ask(&h, M::At(2, far)).await,
        R::Scheduled(Ok(_), _)
    ));
    assert_eq!(count(&h).await, 2);
    step(Duration::from_secs(86_400)).await;
    assert!(tags(&log).is_empty());
    assert!(h.is_alive());
}
