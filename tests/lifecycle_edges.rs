//! Lifecycle edges: a `Kill` against a handler that blocks without yielding, spawn futures that
//! are dropped before they resolve, and anonymous actors under a system's shutdown.

mod common;

use std::future::IntoFuture;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::{settle, system, uniq, within, Log};
use tokio_actors::*;

// ---------------------------------------------------------------------------------------------
// A committed Kill wins over stop signals queued before it.
// ---------------------------------------------------------------------------------------------

/// A latch a handler waits on while blocking its thread (no `.await`), with a bound.
#[derive(Default)]
struct Latch {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Latch {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    /// Blocks the calling thread until opened (at most 5 s).
    fn wait_blocking(&self) {
        let open = self.open.lock().unwrap();
        let _ = self
            .opened
            .wait_timeout_while(open, common::LIMIT, |open| !*open)
            .unwrap();
    }
}

enum Cmd {
    /// Blocks the thread until the latch opens.
    Block,
    /// Sends itself `first`, then `Kill`, then returns, without yielding in between.
    StopThenKill(StopReason),
}

struct Blocker {
    log: Log,
    entered: Arc<AtomicBool>,
    latch: Arc<Latch>,
    /// `on_stopped` blocks the thread until the latch opens.
    block_on_stopped: bool,
}

impl Blocker {
    fn new(log: &Log) -> Self {
        Blocker {
            log: log.clone(),
            entered: Arc::default(),
            latch: Arc::default(),
            block_on_stopped: false,
        }
    }
}

impl Actor for Blocker {
    type Message = Cmd;
    type Response = ();

    async fn handle(&mut self, cmd: Cmd, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        match cmd {
            Cmd::Block => {
                self.entered.store(true, Ordering::SeqCst);
                self.latch.wait_blocking();
            }
            Cmd::StopThenKill(first) => {
                let me = ctx.self_handle();
                // `stop` only enqueues (or arms the kill switch): these awaits never yield.
                me.stop(first).await.expect("alive");
                me.stop(StopReason::Kill).await.expect("alive");
                self.log.push("handler done");
            }
        }
        Ok(())
    }

    async fn pre_stop(&mut self, reason: &StopReason, _: &mut ActorContext<Self>) -> bool {
        self.log.push(format!("pre_stop {reason}"));
        true
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.log.push(format!("on_stopped {reason}"));
        if self.block_on_stopped {
            self.entered.store(true, Ordering::SeqCst);
            self.latch.wait_blocking();
        }
        Ok(())
    }
}

/// Waits (bounded) until the blocking handler runs.
async fn until_entered(entered: &AtomicBool) {
    within("handler entered", async {
        while !entered.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
}

fn no_stop_hooks(log: &Log) {
    assert!(!log.has_prefix("pre_stop"), "{:?}", log.all());
    assert!(!log.has_prefix("on_stopped"), "{:?}", log.all());
}

/// The shutdown sends `Graceful`, gives up after its tiny timeouts, kills, and reports the
/// actor `unresponsive` (its handler still blocks). When the handler returns, the queued
/// `Graceful` must not run the stop hooks: the actor ends by `Kill`, as reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_kill_wins_over_a_handler_that_blocks_its_thread() {
    let log = Log::default();
    let sys = system();
    let blocker = Blocker::new(&log);
    let (entered, latch) = (blocker.entered.clone(), blocker.latch.clone());
    let actor = within(
        "spawn",
        blocker.spawn().named(uniq("blocked")).on_system(&sys),
    )
    .await
    .unwrap();
    actor.notify(Cmd::Block).await.unwrap();
    until_entered(&entered).await;

    let policy = ShutdownPolicy {
        timeout: Duration::from_millis(20),
        per_actor_timeout: Duration::from_millis(5),
    };
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    // The handler is still blocked: neither the graceful stop nor the kill has taken effect.
    assert!(actor.is_alive());
    assert!(report.graceful.is_empty(), "{report:?}");
    assert!(report.killed.is_empty(), "{report:?}");
    assert_eq!(report.unresponsive, [actor.id().clone()]);

    latch.open();
    let reason = within("actor end", actor.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "ended with {reason}");
    no_stop_hooks(&log);
    assert!(sys.registered().is_empty());
}

/// `stop(Graceful)` queued, then `stop(Kill)`, while the handler blocks: the Kill wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_after_a_queued_graceful_wins_when_the_handler_returns() {
    let log = Log::default();
    let blocker = Blocker::new(&log);
    let (entered, latch) = (blocker.entered.clone(), blocker.latch.clone());
    let actor = within("spawn", blocker.spawn()).await.unwrap();
    actor.notify(Cmd::Block).await.unwrap();
    until_entered(&entered).await;
    actor.stop(StopReason::Graceful).await.unwrap();
    actor.stop(StopReason::Kill).await.unwrap();
    latch.open();
    let reason = within("actor end", actor.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "ended with {reason}");
    no_stop_hooks(&log);
}

/// A Kill accepted while `on_stopped` blocks its thread cannot interrupt it, but it is still
/// the final reason: whoever killed the actor (a shutdown reporting it `killed` or
/// `unresponsive`) sees `Kill`, not the reason of the stop the Kill cut short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_a_blocking_on_stopped_is_the_final_reason() {
    let log = Log::default();
    let sys = system();
    let mut blocker = Blocker::new(&log);
    blocker.block_on_stopped = true;
    let (entered, latch) = (blocker.entered.clone(), blocker.latch.clone());
    let actor = within("spawn", blocker.spawn().on_system(&sys))
        .await
        .unwrap();
    actor.stop(StopReason::Graceful).await.unwrap();
    until_entered(&entered).await; // in `on_stopped`
    let policy = ShutdownPolicy {
        timeout: Duration::from_millis(20),
        per_actor_timeout: Duration::from_millis(5),
    };
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    assert_eq!(report.unresponsive, [actor.id().clone()], "{report:?}");
    latch.open();
    let reason = within("actor end", actor.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "ended with {reason}");
    assert_eq!(log.all(), ["pre_stop graceful", "on_stopped graceful"]);
}

/// The same race without a second thread: the handler itself queues a stop, then a Kill, and
/// returns without yielding. Tier 1 (`Graceful`) and tier 2 (`Cancelled`) alike lose.
async fn stop_then_kill_inside_the_handler(first: StopReason) {
    let log = Log::default();
    let actor = within("spawn", Blocker::new(&log).spawn()).await.unwrap();
    actor.notify(Cmd::StopThenKill(first)).await.unwrap();
    let reason = within("actor end", actor.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "ended with {reason}");
    assert!(log.has("handler done"), "{:?}", log.all());
    no_stop_hooks(&log);
}

#[tokio::test]
async fn a_kill_wins_over_an_earlier_stop_current_thread() {
    stop_then_kill_inside_the_handler(StopReason::Graceful).await;
    stop_then_kill_inside_the_handler(StopReason::Cancelled).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_wins_over_an_earlier_stop_multi_thread() {
    stop_then_kill_inside_the_handler(StopReason::Graceful).await;
    stop_then_kill_inside_the_handler(StopReason::Cancelled).await;
}

// ---------------------------------------------------------------------------------------------
// Dropping a spawn future before it resolves cancels the spawn.
// ---------------------------------------------------------------------------------------------

/// An actor whose `on_started` never finishes on its own; counts its live values.
struct SlowStart {
    live: Arc<AtomicUsize>,
    log: Log,
}

impl SlowStart {
    fn new(live: &Arc<AtomicUsize>, log: &Log) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        SlowStart {
            live: live.clone(),
            log: log.clone(),
        }
    }
}

impl Drop for SlowStart {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Actor for SlowStart {
    type Message = ();
    type Response = ();

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log.push("on_started begins");
        tokio::time::sleep(Duration::from_secs(3600)).await;
        self.log.push("on_started ends");
        Ok(())
    }

    async fn on_stopped(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log.push("on_stopped");
        Ok(())
    }
}

/// Waits (bounded) until `live` drops to zero.
async fn until_released(live: &AtomicUsize) {
    within("actor value dropped", async {
        while live.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
}

/// Only the start of `on_started` may have run. `started`: it surely did (a paused clock lets the
/// actor reach it before the timeout; with real time, a loaded machine may not).
fn cut_short_in_start_up(log: &Log, started: bool) {
    let all = log.all();
    assert!(all.iter().all(|e| e == "on_started begins"), "{all:?}");
    if started {
        assert!(!all.is_empty());
    }
}

async fn a_timed_out_named_spawn_frees_its_name(paused: bool) {
    let (live, log, sys) = (Arc::new(AtomicUsize::new(0)), Log::default(), system());
    let name = uniq("slow");
    let spawn = SlowStart::new(&live, &log)
        .spawn()
        .named(&name)
        .on_system(&sys);
    let outcome = tokio::time::timeout(Duration::from_millis(10), spawn).await;
    assert!(
        outcome.is_err(),
        "on_started never finishes: the spawn times out"
    );
    until_released(&live).await;
    // The name is released right after the value is dropped (on another thread, maybe).
    within("name released", async {
        while !sys.registered().is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    // Killed in start-up: neither the rest of `on_started` nor `on_stopped` ran.
    cut_short_in_start_up(&log, paused);
    assert!(sys.get::<SlowStart>(&name).is_none());
    // The name can be taken again.
    let again = within(
        "respawn",
        Blocker::new(&log).spawn().named(&name).on_system(&sys),
    )
    .await
    .expect("the name is free again");
    assert_eq!(sys.registered(), [name]);
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful, [again.id().clone()], "{report:?}");
}

#[tokio::test(start_paused = true)]
async fn dropping_a_named_spawn_future_frees_the_name_current_thread() {
    a_timed_out_named_spawn_frees_its_name(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_named_spawn_future_frees_the_name_multi_thread() {
    a_timed_out_named_spawn_frees_its_name(false).await;
}

async fn a_timed_out_anonymous_spawn_leaves_nothing_behind(paused: bool) {
    let (live, log, sys) = (Arc::new(AtomicUsize::new(0)), Log::default(), system());
    for _ in 0..3 {
        let spawn = SlowStart::new(&live, &log).spawn().on_system(&sys);
        let outcome = tokio::time::timeout(Duration::from_millis(10), spawn).await;
        assert!(outcome.is_err());
    }
    // Also without a system: the default one.
    let spawn = SlowStart::new(&live, &log).spawn();
    assert!(tokio::time::timeout(Duration::from_millis(10), spawn)
        .await
        .is_err());
    until_released(&live).await;
    cut_short_in_start_up(&log, paused);
    if paused {
        assert_eq!(log.count_prefix("on_started begins"), 4);
    }
    // Nothing is left for the system to stop.
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report, ShutdownReport::default());
}

#[tokio::test(start_paused = true)]
async fn dropping_an_anonymous_spawn_future_drops_the_actor_current_thread() {
    a_timed_out_anonymous_spawn_leaves_nothing_behind(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_anonymous_spawn_future_drops_the_actor_multi_thread() {
    a_timed_out_anonymous_spawn_leaves_nothing_behind(false).await;
}

/// A spawn future dropped before its first poll never starts anything.
#[tokio::test]
async fn a_spawn_future_never_polled_starts_nothing() {
    let (live, log, sys) = (Arc::new(AtomicUsize::new(0)), Log::default(), system());
    let name = uniq("never");
    let spawn = SlowStart::new(&live, &log)
        .spawn()
        .named(&name)
        .on_system(&sys)
        .into_future();
    drop(spawn);
    assert_eq!(live.load(Ordering::SeqCst), 0);
    settle().await;
    assert!(log.all().is_empty());
    assert!(sys.registered().is_empty());
}

/// A spawn that resolved is not affected by what happens to its future afterwards.
#[tokio::test(start_paused = true)]
async fn a_completed_spawn_is_kept() {
    let log = Log::default();
    let sys = system();
    let actor = tokio::time::timeout(
        Duration::from_secs(1),
        Blocker::new(&log).spawn().on_system(&sys),
    )
    .await
    .expect("starts at once")
    .unwrap();
    settle().await;
    assert!(actor.is_alive());
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful, [actor.id().clone()]);
}

// ---------------------------------------------------------------------------------------------
// Every actor belongs to a system, anonymous or not; its shutdown stops them all.
// ---------------------------------------------------------------------------------------------

/// Ticks on a recurring timer; logs its stop; optionally spawns anonymous ticking children.
struct Ticker {
    ticks: Arc<AtomicUsize>,
    log: Log,
    children: usize,
}

impl Actor for Ticker {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.schedule(()).every(Duration::from_millis(10)).await?;
        for _ in 0..self.children {
            let (ticks, log) = (self.ticks.clone(), self.log.clone());
            ctx.spawn_child(move || Ticker {
                ticks: ticks.clone(),
                log: log.clone(),
                children: 0,
            })
            .await?;
        }
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.ticks.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.log.push(format!("stopped {reason}"));
        Ok(())
    }
}

/// An anonymous actor whose handles were all dropped keeps ticking until its system shuts
/// down, which stops it like any other; it never shows up in `registered()`.
#[tokio::test(start_paused = true)]
async fn shutdown_stops_an_anonymous_actor_without_handles() {
    let (ticks, log, sys) = (Arc::new(AtomicUsize::new(0)), Log::default(), system());
    let ticker = Ticker {
        ticks: ticks.clone(),
        log: log.clone(),
        children: 0,
    };
    let id = within("spawn", ticker.spawn().on_system(&sys))
        .await
        .unwrap()
        .id()
        .clone(); // the only handle is dropped here
    tokio::time::sleep(Duration::from_millis(55)).await;
    assert!(ticks.load(Ordering::SeqCst) >= 5, "the timer ticks");
    assert!(sys.registered().is_empty(), "anonymous actors have no name");
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful, [id]);
    assert_eq!(log.all(), ["stopped graceful"]);
    let after = ticks.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        after,
        "no tick after the shutdown"
    );
}

/// An anonymous supervisor with anonymous children: one root for the shutdown, which stops the
/// whole tree; no names are registered.
#[tokio::test(start_paused = true)]
async fn shutdown_stops_an_anonymous_tree() {
    let (ticks, log, sys) = (Arc::new(AtomicUsize::new(0)), Log::default(), system());
    let ticker = Ticker {
        ticks: ticks.clone(),
        log: log.clone(),
        children: 3,
    };
    let boss = within("spawn", ticker.spawn().supervised().on_system(&sys))
        .await
        .unwrap();
    assert!(sys.registered().is_empty());
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful, [boss.id().clone()]);
    assert!(report.killed.is_empty() && report.unresponsive.is_empty());
    // Three children stopped by their supervisor, then the supervisor.
    assert_eq!(log.count_prefix("stopped"), 4, "{:?}", log.all());
}
