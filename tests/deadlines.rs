//! Deadlines at the end of the clock's range: every entry point that takes a duration or an
//! instant accepts `Duration::MAX`, the distance to the largest `Instant` and its neighbours,
//! and the largest `Instant` and its neighbours, without panicking; such deadlines behave like
//! "never".
//!
//! Each boundary test runs on both runtime flavours. The current-thread runs use the paused
//! clock and check "never" by advancing a day; the multi-thread runs (2 workers; they cannot
//! pause the clock) check that nothing panics and nothing fires early. A panic in a spawned
//! task (a timer, a supervisor job) does not fail a test by itself, so a panic hook records
//! instant-overflow panics with their thread, and each test checks its own threads.
mod support;

use std::panic;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use support::*;
use tokio::time::Instant;
use tokio_actors::*;

const MS: Duration = Duration::from_millis(1);
const NS: Duration = Duration::from_nanos(1);
const DAY: Duration = Duration::from_secs(86_400);

// ---------------------------------------------------------------------------------------------
// Boundary values
// ---------------------------------------------------------------------------------------------

/// The largest representable `Instant` (binary search over the nanoseconds after `now`).
fn latest_instant() -> Instant {
    let base = Instant::now();
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
    let latest = base + to_duration(ok);
    assert!(latest.checked_add(NS).is_none(), "the search found the end");
    latest
}

/// How far below the largest `Instant` the near-the-end values lie (0 = the largest itself).
/// Tokio rounds deadlines up by just under 1 ms, so everything within 1 ms of the end used to
/// overflow inside the timer.
const BELOW_END: [Duration; 8] = [
    Duration::ZERO,
    NS,
    Duration::from_micros(500),
    Duration::from_nanos(999_999),
    MS,
    Duration::from_nanos(1_000_001),
    Duration::from_millis(2),
    Duration::from_secs(1),
];

/// The instants near the end of the range: the largest and its neighbours below.
fn near_end_instants() -> Vec<Instant> {
    let latest = latest_instant();
    BELOW_END.iter().map(|&below| latest - below).collect()
}

/// How many [`huge_duration`]s there are.
const HUGE: usize = 4 + BELOW_END.len();

/// The `n`-th huge duration: `Duration::MAX`, `Duration::MAX - 1 ms`, and the durations that
/// put a deadline taken now at (or just past, or just before) the end of the range. Computed
/// at the moment of use, since the clock moves between the cases of a test.
fn huge_duration(n: usize) -> Duration {
    let to_end = latest_instant() - Instant::now();
    match n {
        0 => Duration::MAX,
        1 => Duration::MAX - MS,
        2 => to_end + MS,
        3 => to_end + NS,
        _ => to_end - BELOW_END[n - 4],
    }
}

// ---------------------------------------------------------------------------------------------
// Panic watch: a timer task or supervisor task that panics does not fail the test by itself.
// ---------------------------------------------------------------------------------------------

/// Names of the threads that panicked in instant arithmetic ("overflow when adding duration to
/// instant").
static CLOCK_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn thread_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_string()
}

/// Records panics that come from instant arithmetic, with the thread they happened on, then
/// runs the previous hook.
fn watch_clock_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let text = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if text.contains("instant") {
                if let Ok(mut all) = CLOCK_PANICS.lock() {
                    all.push(thread_name());
                }
            }
            previous(info);
        }));
    });
}

/// No instant-arithmetic panic on this test's threads: the test thread (which also runs
/// current-thread runtimes) and the workers of its [`multi_thread`] runtime.
fn assert_no_clock_panics() {
    let me = thread_name();
    let workers = format!("{me}-worker");
    let mine: Vec<String> = CLOCK_PANICS
        .lock()
        .unwrap()
        .iter()
        .filter(|t| **t == me || **t == workers)
        .cloned()
        .collect();
    assert!(
        mine.is_empty(),
        "a deadline overflowed the clock on {mine:?} (see the panic message above)"
    );
}

/// Runs `body` on a 2-worker multi-thread runtime whose workers are named after the test, so
/// that panics in its tasks are attributed to it.
fn multi_thread<F: std::future::Future>(body: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name(format!("{}-worker", thread_name()))
        .build()
        .expect("runtime")
        .block_on(body)
}

async fn yield_a_few() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// Lets spawned tasks run; on the paused clock, also lets a day pass, an hour at a time.
async fn let_time_pass(paused: bool) {
    if paused {
        yield_a_few().await;
        for _ in 0..24 {
            tokio::time::advance(Duration::from_secs(3600)).await;
            yield_a_few().await;
        }
    } else {
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// send_timeout
// ---------------------------------------------------------------------------------------------

async fn worker(env: &Env, label: &str) -> ActorHandle<Worker> {
    within(
        "spawn worker",
        Worker::new(label, env.clone(), Behaviour::default()).spawn(),
    )
    .await
    .expect("worker spawns")
}

async fn send_timeout_boundaries(paused: bool) {
    watch_clock_panics();
    let env = Env::new();
    let w = worker(&env, "w").await;
    let mut expected = 0;
    for n in 0..HUGE {
        let d = huge_duration(n);
        expected += 1;
        let r = within("send_timeout", w.send_timeout(W::Inc, d)).await;
        assert_eq!(r.ok(), Some(expected), "send_timeout(Inc, {d:?})");
    }
    if paused {
        // A huge timeout waits like no timeout: a reply that takes a day still arrives.
        let slow = w.send_timeout(W::Sleep(DAY), Duration::MAX);
        let r = tokio::time::timeout(DAY * 2, slow).await.expect("answered");
        assert_eq!(r.ok(), Some(expected));
        let to_end_less_1ms = latest_instant() - Instant::now() - MS;
        let slow = w.send_timeout(W::Sleep(DAY), to_end_less_1ms);
        let r = tokio::time::timeout(DAY * 2, slow).await.expect("answered");
        assert_eq!(r.ok(), Some(expected));
    }
    assert_no_clock_panics();
}

#[tokio::test(start_paused = true)]
async fn send_timeout_boundaries_current_thread() {
    send_timeout_boundaries(true).await;
}

#[test]
fn send_timeout_boundaries_multi_thread() {
    multi_thread(send_timeout_boundaries(false));
}

// ---------------------------------------------------------------------------------------------
// Timers: after, at, every
// ---------------------------------------------------------------------------------------------

/// When a timer is due.
#[derive(Clone, Debug, PartialEq)]
enum When {
    After(Duration),
    At(Instant),
    Every(Duration),
}

#[derive(Clone)]
enum TimerMsg {
    /// Registers a timer that delivers `Fire(when)`.
    Schedule(When),
    Fire(When),
}

/// Registers timers on request and records every delivery.
struct Timed {
    fired: Arc<Mutex<Vec<When>>>,
}

impl Actor for Timed {
    type Message = TimerMsg;
    type Response = Result<(), TimerError>;

    async fn handle(
        &mut self,
        msg: TimerMsg,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<Result<(), TimerError>> {
        match msg {
            TimerMsg::Schedule(when) => {
                let fire = TimerMsg::Fire(when.clone());
                let registered = match when {
                    When::After(d) => ctx.schedule(fire).after(d).await,
                    When::At(t) => ctx.schedule(fire).at(t).await,
                    When::Every(d) => ctx.schedule(fire).every(d).await,
                };
                Ok(registered.map(|_| ()))
            }
            TimerMsg::Fire(when) => {
                self.fired.lock().unwrap().push(when);
                Ok(Ok(()))
            }
        }
    }
}

async fn timed() -> (ActorHandle<Timed>, Arc<Mutex<Vec<When>>>) {
    let fired = Arc::new(Mutex::new(Vec::new()));
    let h = within(
        "spawn timed",
        Timed {
            fired: fired.clone(),
        }
        .spawn(),
    )
    .await
    .expect("spawns");
    (h, fired)
}

async fn schedule(h: &ActorHandle<Timed>, when: When) -> Result<(), TimerError> {
    within("schedule", h.send(TimerMsg::Schedule(when)))
        .await
        .expect("the actor answers")
}

async fn timer_boundaries(paused: bool) {
    watch_clock_panics();
    let (h, fired) = timed().await;
    // Each duration is taken right before its registration (the messages take real time).
    let mut huge = Vec::new();
    for n in 0..HUGE {
        for when in [When::After(huge_duration(n)), When::Every(huge_duration(n))] {
            let r = schedule(&h, when.clone()).await;
            assert_eq!(r, Ok(()), "{when:?} is accepted");
            huge.push(when);
        }
    }
    for when in near_end_instants().into_iter().map(When::At) {
        let r = schedule(&h, when.clone()).await;
        assert_eq!(r, Ok(()), "{when:?} is accepted");
        huge.push(when);
    }
    // Controls: ordinary timers still fire, so the log below can see a delivery.
    let soon = Duration::from_millis(5);
    schedule(&h, When::After(soon)).await.expect("after");
    schedule(&h, When::At(Instant::now() + soon))
        .await
        .expect("at");
    let_time_pass(paused).await;
    // The controls fire after 5 ms; on a busy machine with the real clock that can take a
    // while, so wait for them (bounded) instead of trusting the sleep above.
    let controls_fired = || {
        let seen = fired.lock().unwrap();
        seen.contains(&When::After(soon)) && seen.iter().any(|w| matches!(w, When::At(_)))
    };
    for _ in 0..500 {
        if controls_fired() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seen = fired.lock().unwrap().clone();
    assert!(seen.contains(&When::After(soon)), "control fired: {seen:?}");
    assert!(seen.iter().any(|w| matches!(w, When::At(_))), "{seen:?}");
    for when in &huge {
        assert!(!seen.contains(when), "{when:?} fired: huge means never");
    }
    assert!(h.is_alive());
    assert_no_clock_panics();
}

#[tokio::test(start_paused = true)]
async fn timer_boundaries_current_thread() {
    timer_boundaries(true).await;
}

#[test]
fn timer_boundaries_multi_thread() {
    multi_thread(timer_boundaries(false));
}

/// `every(Duration::MAX)` is accepted like `after(Duration::MAX)` (it used to be rejected with
/// `InvalidInterval`) and never ticks; only a zero interval is invalid.
#[tokio::test(start_paused = true)]
async fn only_a_zero_interval_is_invalid() {
    let (h, fired) = timed().await;
    assert_eq!(schedule(&h, When::Every(Duration::MAX)).await, Ok(()));
    assert_eq!(
        schedule(&h, When::Every(Duration::ZERO)).await,
        Err(TimerError::InvalidInterval)
    );
    schedule(&h, When::Every(DAY / 4)).await.expect("control");
    let_time_pass(true).await;
    let seen = fired.lock().unwrap().clone();
    assert!(!seen.contains(&When::Every(Duration::MAX)), "{seen:?}");
    assert!(!seen.contains(&When::Every(Duration::ZERO)), "{seen:?}");
    let ticks = seen.iter().filter(|w| **w == When::Every(DAY / 4)).count();
    assert_eq!(ticks, 4, "the control ticks every 6 hours: {seen:?}");
}

// ---------------------------------------------------------------------------------------------
// Supervision: Shutdown::Timeout and restart backoff
// ---------------------------------------------------------------------------------------------

/// How long a child takes to stop: longer than any ordinary timeout on the paused clock.
fn slow_stop(paused: bool) -> Duration {
    if paused {
        Duration::from_secs(3600)
    } else {
        Duration::from_millis(20)
    }
}

/// The bound for waiting out a [`slow_stop`]: a day on the paused clock, [`T`] otherwise.
fn slow_bound(paused: bool) -> Duration {
    if paused {
        DAY
    } else {
        T
    }
}

async fn shutdown_timeout_boundaries(paused: bool) {
    watch_clock_panics();
    let env = Env::new();
    let sup = spawn_sup(&env, "sup", SupervisionConfig::one_for_one(), vec![]).await;
    let slow = Behaviour {
        slow_on_stopped: Some(slow_stop(paused)),
        ..Behaviour::default()
    };
    for n in 0..HUGE {
        let label = format!("c{n}");
        let d = huge_duration(n);
        let spec = ChildSpec::worker(&label)
            .restart(RestartType::Temporary)
            .shutdown(Shutdown::Timeout(d))
            .behaviour(slow.clone());
        let id = spawn_child(&sup, spec).await.expect("child spawns");
        // Own bound: on the paused clock the stop takes an hour.
        let stopped = tokio::time::timeout(slow_bound(paused), sup.send(S::StopChild(id)))
            .await
            .expect("stop_child returns");
        assert!(
            matches!(stopped, Ok(SR::Stopped(Ok(()), _))),
            "{d:?}: {stopped:?}"
        );
        // Waited for like `Infinity`: the child finished its slow stop and was not killed.
        let lines = env.lines();
        assert!(lines.contains(&format!("stopped-done:{label}")), "{d:?}");
        assert!(lines.contains(&format!("stop:{label}:parent")), "{d:?}");
        assert!(!lines.contains(&format!("stop:{label}:kill")), "{d:?}");
    }
    assert!(sup.is_alive());
    assert_no_clock_panics();
}

#[tokio::test(start_paused = true)]
async fn shutdown_timeout_boundaries_current_thread() {
    shutdown_timeout_boundaries(true).await;
}

#[test]
fn shutdown_timeout_boundaries_multi_thread() {
    multi_thread(shutdown_timeout_boundaries(false));
}

async fn backoff_boundaries(paused: bool) {
    watch_clock_panics();
    for n in 0..HUGE {
        let d = huge_duration(n);
        let env = Env::new();
        let config = SupervisionConfig::one_for_one()
            .with_backoff(Backoff::exponential(d, Duration::MAX).with_jitter(1.0));
        let label = format!("b{n}");
        let sup = spawn_sup(&env, "sup", config, vec![ChildSpec::worker(&label)]).await;
        settled(&sup, 1).await;
        let _ = within("fail", env.worker(&label).send(W::Fail)).await;
        let_time_pass(paused).await;
        // The restart is still pending after a day: a huge backoff means never.
        let kids = children(&sup).await;
        assert_eq!(kids.len(), 1, "{d:?}");
        assert!(kids[0].restart_pending && !kids[0].is_alive, "{d:?}");
        assert_eq!(env.starts(&label), 1, "{d:?}: restarted");
        assert!(sup.is_alive());
    }
    assert_no_clock_panics();
}

#[tokio::test(start_paused = true)]
async fn backoff_boundaries_current_thread() {
    backoff_boundaries(true).await;
}

#[test]
fn backoff_boundaries_multi_thread() {
    multi_thread(backoff_boundaries(false));
}

// ---------------------------------------------------------------------------------------------
// ActorSystem::shutdown_with
// ---------------------------------------------------------------------------------------------

async fn system_shutdown_boundaries(paused: bool) {
    watch_clock_panics();
    for n in 0..HUGE {
        for per_actor_max in [false, true] {
            let env = Env::new();
            let system = ActorSystem::create(unique("deadlines")).expect("fresh name");
            let slow = Behaviour {
                slow_on_stopped: Some(slow_stop(paused)),
                ..Behaviour::default()
            };
            let w = within(
                "spawn on system",
                Worker::new("root", env.clone(), slow)
                    .spawn()
                    .on_system(&system),
            )
            .await
            .expect("spawns");
            let d = huge_duration(n);
            let policy = ShutdownPolicy {
                timeout: d,
                per_actor_timeout: if per_actor_max { Duration::MAX } else { d },
            };
            let report =
                tokio::time::timeout(slow_bound(paused), system.shutdown_with(policy.clone()))
                    .await
                    .expect("shutdown returns");
            // Waited for: the slow stop finished, nothing was killed.
            assert_eq!(report.graceful, [w.id().clone()], "{policy:?}");
            assert!(report.killed.is_empty() && report.unresponsive.is_empty());
            assert!(env.lines().contains(&"stopped-done:root".to_string()));
        }
    }
    assert_no_clock_panics();
}

#[tokio::test(start_paused = true)]
async fn system_shutdown_boundaries_current_thread() {
    system_shutdown_boundaries(true).await;
}

#[test]
fn system_shutdown_boundaries_multi_thread() {
    multi_thread(system_shutdown_boundaries(false));
}
