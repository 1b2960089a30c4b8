//! Edge cases found in review: children launched or being stopped at the moment their
//! supervisor dies, the backoff's quiet-time reset, the reason reported when `stop_child` cancels
//! a pending restart, a panicking stream, and a shutdown without a time limit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{timeout, Instant};
use tokio_actors::*;

const LIMIT: Duration = Duration::from_secs(30);

async fn within<F: std::future::Future>(what: &str, fut: F) -> F::Output {
    timeout(LIMIT, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} hung"))
}

async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

/// A child that takes a while to start.
struct SlowStarter;
impl Actor for SlowStarter {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        tokio::time::sleep(Duration::from_secs(10)).await;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

/// A supervisor that spawns a `SlowStarter` from `on_started`.
struct SpawnsSlowChild(&'static str);
impl Actor for SpawnsSlowChild {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| SlowStarter).named(self.0).await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn killing_a_supervisor_inside_spawn_child_kills_the_starting_child() {
    let sys = ActorSystem::create("regression-kill-in-spawn-child").unwrap();
    let spawner = tokio::spawn({
        let sys = sys.clone();
        async move {
            SpawnsSlowChild("rk-child")
                .spawn()
                .named("rk-sup")
                .on_system(&sys)
                .supervised()
                .await
        }
    });
    let child = loop {
        if let Some(child) = sys.get::<SlowStarter>("rk-child") {
            break child;
        }
        tokio::task::yield_now().await;
    };
    let sup = sys
        .get::<SpawnsSlowChild>("rk-sup")
        .expect("supervisor registered while starting");
    sys.kill("rk-sup").await.unwrap();
    let spawned = within("spawn", spawner).await.unwrap();
    assert!(matches!(spawned, Err(SpawnError::Init(_))), "{spawned:?}");
    assert!(matches!(
        within("supervisor", sup.wait_stopped()).await,
        StopReason::Kill
    ));
    assert!(!child.is_alive(), "no child outlives its parent");
    assert!(sys.registered().is_empty(), "{:?}", sys.registered());
}

/// Vetoes every graceful stop; records that its value was dropped.
struct Vetoer(Arc<AtomicBool>);
impl Actor for Vetoer {
    type Message = ();
    type Response = ();
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
    async fn pre_stop(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> bool {
        false
    }
}
impl Drop for Vetoer {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Fails every request.
struct Failer;
impl Actor for Failer {
    type Message = ();
    type Response = ();
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Err(ActorError::user("boom"))
    }
}

struct GroupSup(Arc<AtomicBool>);
impl Actor for GroupSup {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let dropped = self.0.clone();
        ctx.spawn_child(move || Vetoer(dropped.clone()))
            .named("rt-temp")
            .restart_type(RestartType::Temporary)
            .shutdown(Shutdown::Timeout(Duration::from_secs(2)))
            .await?;
        ctx.spawn_child(|| Failer).named("rt-fail").await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_temporary_sibling_being_stopped_by_a_group_restart_dies_with_its_supervisor() {
    let sys = ActorSystem::create("regression-temporary-sibling").unwrap();
    let dropped = Arc::new(AtomicBool::new(false));
    let sup = GroupSup(dropped.clone())
        .spawn()
        .on_system(&sys)
        .with_supervision(SupervisionConfig::one_for_all())
        .await
        .unwrap();
    let temp = sys.get::<Vetoer>("rt-temp").unwrap();
    let failer = sys.get::<Failer>("rt-fail").unwrap();
    assert!(failer.send(()).await.is_err());
    settle().await; // the group restart is now stopping the vetoing Temporary sibling
    sup.stop(StopReason::Cancelled).await.unwrap();
    within("supervisor", sup.wait_stopped()).await;
    assert!(
        !temp.is_alive(),
        "the Temporary sibling must not outlive its supervisor"
    );
    assert!(dropped.load(Ordering::SeqCst));
}

/// Starts once, then fails in `on_started` at every later start.
struct FailsAfterFirst(usize);
impl Actor for FailsAfterFirst {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if self.0 > 1 {
            Err(ActorError::user("cannot start"))
        } else {
            Ok(())
        }
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Err(ActorError::user("first incident"))
    }
}

struct BackoffSup(Arc<Mutex<Vec<Instant>>>);
impl Actor for BackoffSup {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let calls = self.0.clone();
        ctx.spawn_child(move || {
            let mut calls = calls.lock().unwrap();
            calls.push(Instant::now());
            FailsAfterFirst(calls.len())
        })
        .named("rb-child")
        .await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_keeps_growing_while_no_incarnation_runs() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let s = Duration::from_secs;
    let config = SupervisionConfig::one_for_one()
        .max_restarts(1000, Duration::from_millis(1))
        .with_backoff(Backoff::exponential(s(1), s(100)).reset_after(s(10)));
    let sys = ActorSystem::create("regression-backoff-reset").unwrap();
    let sup = BackoffSup(calls.clone())
        .spawn()
        .on_system(&sys)
        .with_supervision(config)
        .await
        .unwrap();
    let child = sys.get::<FailsAfterFirst>("rb-child").unwrap();
    assert!(child.send(()).await.is_err());
    for _ in 0..600 {
        tokio::time::advance(Duration::from_millis(500)).await;
        settle().await;
    }
    let calls = calls.lock().unwrap().clone();
    let gaps: Vec<u64> = calls.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect();
    assert!(gaps.len() >= 8, "{gaps:?}");
    assert_eq!(
        &gaps[..8],
        &[1, 2, 4, 8, 16, 32, 64, 100],
        "failed starts never count as quiet time"
    );
    sup.stop(StopReason::Cancelled).await.unwrap();
}

struct StopsPendingChild(Arc<Mutex<Vec<String>>>);
impl Actor for StopsPendingChild {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Failer).named("rs-child").await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.stop_child("rs-child").await.map_err(ActorError::from)
    }
    async fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.0
            .lock()
            .unwrap()
            .push(format!("{:?} {}", event.action, event.reason));
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn stop_child_of_a_pending_restart_reports_parent_request() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let config = SupervisionConfig::one_for_one().with_backoff(Backoff::exponential(
        Duration::from_secs(5),
        Duration::from_secs(5),
    ));
    let sys = ActorSystem::create("regression-stop-pending").unwrap();
    let sup = StopsPendingChild(events.clone())
        .spawn()
        .on_system(&sys)
        .with_supervision(config)
        .await
        .unwrap();
    let child = sys.get::<Failer>("rs-child").unwrap();
    assert!(child.send(()).await.is_err());
    // The handle follows the child: during the backoff it reports a pending restart.
    within("restart pending", async {
        while child.get_status().await.unwrap().status != ActorStatus::Restarting {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(child.is_alive(), "alive while a restart is pending");
    settle().await;
    within("stop_child", sup.send(())).await.unwrap();
    // Removed for good: the handle is dead now.
    within("child", child.wait_stopped()).await;
    assert!(!child.is_alive());
    settle().await;
    tokio::time::advance(Duration::from_secs(10)).await;
    settle().await;
    assert_eq!(
        *events.lock().unwrap(),
        vec![
            "Restarted failure: boom".to_string(),
            "Removed parent requested".to_string()
        ]
    );
    assert!(
        sys.get::<Failer>("rs-child").is_none(),
        "the cancelled restart never happens"
    );
    sup.stop(StopReason::Cancelled).await.unwrap();
}

/// A stream that panics on its third poll.
struct PanicsOnThird(u32);
impl futures_core::Stream for PanicsOnThird {
    type Item = u32;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u32>> {
        self.0 += 1;
        if self.0 == 3 {
            panic!("stream exploded");
        }
        std::task::Poll::Ready(Some(self.0))
    }
}

#[derive(Default)]
struct StreamLog {
    items: Vec<u32>,
    failures: Vec<String>,
    finished: u32,
}

struct Consumer(Arc<Mutex<StreamLog>>);
impl Actor for Consumer {
    type Message = StreamEvent<u32>;
    type Response = usize;
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.add_stream(PanicsOnThird(0));
        Ok(())
    }
    async fn handle(
        &mut self,
        event: StreamEvent<u32>,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<usize> {
        let mut log = self.0.lock().unwrap();
        match event {
            StreamEvent::Data(v) => log.items.push(v),
            StreamEvent::Finished => log.finished += 1,
        }
        Ok(ctx.active_stream_count())
    }
    fn handle_failure(&mut self, error: ActorError) {
        self.0.lock().unwrap().failures.push(error.to_string());
    }
}

#[tokio::test]
async fn a_panicking_stream_is_reported_to_handle_failure_and_then_finishes() {
    let log = Arc::new(Mutex::new(StreamLog::default()));
    let consumer = Consumer(log.clone()).spawn().await.unwrap();
    let done = within("finished", async {
        loop {
            if log.lock().unwrap().finished > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
    });
    done.await;
    let log = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(log.items, vec![1, 2]);
    assert_eq!(log.failures.len(), 1);
    assert!(
        log.failures[0].contains("stream exploded"),
        "{:?}",
        log.failures
    );
    assert_eq!(log.finished, 1);
    assert!(
        consumer.is_alive(),
        "a stream panic does not stop the actor"
    );
    assert_eq!(consumer.get_status().await.unwrap().stream_count, 0);
}

#[tokio::test(start_paused = true)]
async fn shutdown_with_an_unlimited_timeout_does_not_overflow() {
    let sys = ActorSystem::create("regression-unlimited-shutdown").unwrap();
    Failer.spawn().on_system(&sys).await.unwrap();
    let policy = ShutdownPolicy {
        timeout: Duration::MAX,
        per_actor_timeout: Duration::MAX,
    };
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    assert_eq!(report.graceful.len(), 1);
}
