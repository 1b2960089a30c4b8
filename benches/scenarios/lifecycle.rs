//! Lifecycle scenarios: `spawn-stop` and `restart`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio_actors::{
    Actor, ActorContext, ActorError, ActorExt, ActorResult, ActorSystem, AskError, StopReason,
    SupervisionConfig,
};

use super::{drive, Better, Ctx, MetricSpec, Scenario, Side, Unit};

/// Does nothing; the cost measured is the actor machinery itself.
pub struct Idle;

impl Actor for Idle {
    type Message = u64;
    type Response = ();

    async fn handle(&mut self, _: u64, _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

/// The message that ends a raw receive loop.
const RAW_STOP: u64 = u64::MAX;

/// A raw "actor": a bounded channel, a spawned receive loop and a started handshake (the
/// crate's spawn waits for `on_started`, so it includes one round trip too).
pub async fn raw_spawn() -> (mpsc::Sender<u64>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<u64>(64);
    let (started_tx, started_rx) = oneshot::channel::<()>();
    let join = tokio::spawn(async move {
        let _ = started_tx.send(());
        while let Some(v) = rx.recv().await {
            if v == RAW_STOP {
                break;
            }
        }
    });
    started_rx.await.expect("raw start");
    (tx, join)
}

pub const SPAWN_STOP: Scenario = Scenario {
    name: "spawn-stop",
    metrics: &[
        MetricSpec {
            name: "spawn per actor",
            unit: Unit::Micros,
            better: Better::Lower,
            target: Some(2.0),
        },
        MetricSpec {
            name: "stop per actor",
            unit: Unit::Micros,
            better: Better::Lower,
            target: Some(2.0),
        },
    ],
    run: spawn_stop,
    fresh_process: false,
};

/// Spawns n actors one after the other (each awaited), then stops each and waits for its end.
fn spawn_stop(ctx: &Ctx) -> Vec<f64> {
    let n = ctx.sizes.spawn_stop;
    let (spawn, stop) = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let mut handles = Vec::with_capacity(n);
            let start = Instant::now();
            for _ in 0..n {
                handles.push(Idle.spawn().await.expect("spawn"));
            }
            let spawn = start.elapsed();
            let start = Instant::now();
            for h in &handles {
                h.stop(StopReason::Graceful).await.expect("stop");
                let reason = h.wait_stopped().await;
                assert!(matches!(reason, StopReason::Graceful));
            }
            (spawn, start.elapsed())
        }),
        Side::Raw => drive(ctx.rt, async move {
            let mut actors = Vec::with_capacity(n);
            let start = Instant::now();
            for _ in 0..n {
                actors.push(raw_spawn().await);
            }
            let spawn = start.elapsed();
            let start = Instant::now();
            for (tx, join) in actors {
                tx.send(RAW_STOP).await.expect("raw stop");
                join.await.expect("raw join");
            }
            (spawn, start.elapsed())
        }),
    };
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    vec![per(spawn), per(stop)]
}

/// Fails every request that asks it to.
struct Flaky;

impl Actor for Flaky {
    type Message = bool;
    type Response = ();

    async fn handle(&mut self, fail: bool, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if fail {
            Err(ActorError::user("induced failure"))
        } else {
            Ok(())
        }
    }
}

/// A OneForOne supervisor with one named `Flaky` child.
struct Sup;

const CHILD: &str = "flaky";

impl Actor for Sup {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Flaky).named(CHILD).await?;
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

pub const RESTART: Scenario = Scenario {
    name: "restart",
    metrics: &[MetricSpec {
        name: "restart cycle",
        unit: Unit::Micros,
        better: Better::Lower,
        target: None,
    }],
    run: restart,
    fresh_process: false,
};

/// A raw worker's request: fail (the task replies and returns) or answer.
enum RawReq {
    Fail(oneshot::Sender<Result<(), ()>>),
    Work(oneshot::Sender<Result<(), ()>>),
}

/// The raw "registry" slot: the current worker's sender and its generation.
type RawSlot = Arc<Mutex<(u64, mpsc::Sender<RawReq>)>>;

/// Spawns a raw worker (channel + spawn + handshake); the task ends after a `Fail`.
async fn raw_worker() -> (mpsc::Sender<RawReq>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<RawReq>(64);
    let (started_tx, started_rx) = oneshot::channel::<()>();
    let join = tokio::spawn(async move {
        let _ = started_tx.send(());
        while let Some(req) = rx.recv().await {
            match req {
                RawReq::Fail(reply) => {
                    let _ = reply.send(Err(()));
                    return;
                }
                RawReq::Work(reply) => {
                    let _ = reply.send(Ok(()));
                }
            }
        }
    });
    started_rx.await.expect("raw start");
    (tx, join)
}

/// Unique system names: system names are process-global and live forever.
static SYSTEMS: AtomicU64 = AtomicU64::new(0);

/// Fail the child with a `send`, then poll the registry until a new incarnation answers.
fn restart(ctx: &Ctx) -> Vec<f64> {
    let cycles = ctx.sizes.restarts;
    let elapsed = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let name = format!(
                "bench-restart-{}-{}",
                std::process::id(),
                SYSTEMS.fetch_add(1, Ordering::Relaxed)
            );
            let sys = ActorSystem::create(name).expect("system");
            let budget =
                SupervisionConfig::one_for_one().max_restarts(u32::MAX, Duration::from_secs(1));
            let sup = Sup
                .spawn()
                .on_system(&sys)
                .with_supervision(budget)
                .await
                .expect("supervisor");
            let start = Instant::now();
            for _ in 0..cycles {
                let child = sys.get::<Flaky>(CHILD).expect("child registered");
                let failed = child.send(true).await;
                assert!(matches!(failed, Err(AskError::Actor(_))), "{failed:?}");
                loop {
                    if let Some(next) = sys.get::<Flaky>(CHILD) {
                        // Only a new incarnation can answer Ok: the old one stopped at the error.
                        if next.send(false).await.is_ok() {
                            break;
                        }
                    }
                    tokio::task::yield_now().await;
                }
            }
            let elapsed = start.elapsed();
            sup.stop(StopReason::Graceful).await.expect("stop");
            sup.wait_stopped().await;
            elapsed
        }),
        Side::Raw => drive(ctx.rt, async move {
            let (tx, mut join) = raw_worker().await;
            let slot: RawSlot = Arc::new(Mutex::new((0, tx)));
            // The raw "supervisor": waits for the worker to end, respawns, publishes.
            let sup_slot = slot.clone();
            let sup = tokio::spawn(async move {
                loop {
                    let _ = join.await;
                    let (tx, next) = raw_worker().await;
                    let mut s = sup_slot.lock().expect("slot");
                    *s = (s.0 + 1, tx);
                    join = next;
                }
            });
            let start = Instant::now();
            for _ in 0..cycles {
                let (generation, tx) = slot.lock().expect("slot").clone();
                let (reply, response) = oneshot::channel();
                tx.send(RawReq::Fail(reply)).await.expect("raw fail");
                assert_eq!(response.await, Ok(Err(())));
                loop {
                    let (g, tx) = slot.lock().expect("slot").clone();
                    if g != generation {
                        let (reply, response) = oneshot::channel();
                        tx.send(RawReq::Work(reply)).await.expect("raw work");
                        assert_eq!(response.await, Ok(Ok(())));
                        break;
                    }
                    tokio::task::yield_now().await;
                }
            }
            let elapsed = start.elapsed();
            sup.abort();
            elapsed
        }),
    };
    vec![elapsed.as_secs_f64() * 1e6 / cycles as f64]
}
