//! Scale scenarios: many actors, each spawned, asked once and stopped.
//!
//! - `supervisor-10k`, `supervisor-100k`: a SimpleOneForOne supervisor spawns the children
//!   (`ctx.spawn_child`, each awaited, in batches of 1,000 per request), the driver sends one
//!   request to each child through the handles the supervisor returned, then stops the
//!   supervisor and waits for it (which stops every child).
//! - `scale-10k`, `scale-100k`, `scale-1m`: plain actors, each spawned (awaited), asked once,
//!   then all asked to stop and all waited for.
//!
//! The raw baseline is the same for both: n tasks, each with an mpsc(64) channel and a
//! `oneshot` start handshake, one request/reply each through a `oneshot`, then a stop message
//! to every task and every `JoinHandle` awaited.
//!
//! Besides time per actor (total and per phase), each reports the process's peak RSS (VmHWM)
//! above what it had when the first run in the process began, per actor: what the machine must
//! hold at the peak, when all actors are alive.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_actors::{
    Actor, ActorContext, ActorExt, ActorHandle, ActorResult, StopReason, SupervisionConfig,
};

use super::resources::{peak_rss_bytes, rss_bytes};
use super::{drive, Better, Ctx, MetricSpec, Scenario, Side, Unit};

/// Answers `n + 1`; the cost measured is the actor machinery itself.
pub struct Echo;

impl Actor for Echo {
    type Message = u64;
    type Response = u64;

    async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        Ok(n + 1)
    }
}

/// A SimpleOneForOne supervisor: each request spawns that many `Echo` children (each spawn
/// awaited in turn) and returns their handles.
struct Hive;

impl Actor for Hive {
    type Message = usize;
    type Response = Vec<ActorHandle<Echo>>;

    async fn handle(
        &mut self,
        count: usize,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<Vec<ActorHandle<Echo>>> {
        let mut children = Vec::with_capacity(count);
        for _ in 0..count {
            children.push(ctx.spawn_child(|| Echo).await?);
        }
        Ok(children)
    }
}

/// Children spawned per request to the supervisor.
const BATCH: usize = 1_000;

/// A raw actor's message.
enum RawMsg {
    Ask(u64, oneshot::Sender<u64>),
    Stop,
}

/// A raw actor: a bounded channel, a spawned receive loop and a start handshake.
async fn raw_spawn() -> (mpsc::Sender<RawMsg>, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<RawMsg>(64);
    let (started_tx, started_rx) = oneshot::channel::<()>();
    let join = tokio::spawn(async move {
        let _ = started_tx.send(());
        while let Some(msg) = rx.recv().await {
            match msg {
                RawMsg::Ask(n, reply) => {
                    let _ = reply.send(n + 1);
                }
                RawMsg::Stop => break,
            }
        }
    });
    started_rx.await.expect("raw start");
    (tx, join)
}

const METRICS: &[MetricSpec] = &[
    MetricSpec {
        name: "total per actor",
        unit: Unit::Micros,
        better: Better::Lower,
        target: Some(2.0),
    },
    MetricSpec {
        name: "spawn per actor",
        unit: Unit::Micros,
        better: Better::Lower,
        target: None,
    },
    MetricSpec {
        name: "send per actor",
        unit: Unit::Micros,
        better: Better::Lower,
        target: None,
    },
    MetricSpec {
        name: "stop per actor",
        unit: Unit::Micros,
        better: Better::Lower,
        target: None,
    },
    MetricSpec {
        name: "peak RSS/actor",
        unit: Unit::Bytes,
        better: Better::Lower,
        target: None,
    },
];

pub const SUPERVISOR_10K: Scenario = Scenario {
    name: "supervisor-10k",
    metrics: METRICS,
    run: |ctx| supervisor(ctx, 10_000),
    fresh_process: false,
};

pub const SUPERVISOR_100K: Scenario = Scenario {
    name: "supervisor-100k",
    metrics: METRICS,
    run: |ctx| supervisor(ctx, 100_000),
    fresh_process: false,
};

pub const SCALE_10K: Scenario = Scenario {
    name: "scale-10k",
    metrics: METRICS,
    run: |ctx| plain(ctx, 10_000),
    fresh_process: false,
};

pub const SCALE_100K: Scenario = Scenario {
    name: "scale-100k",
    metrics: METRICS,
    run: |ctx| plain(ctx, 100_000),
    fresh_process: false,
};

pub const SCALE_1M: Scenario = Scenario {
    name: "scale-1m",
    metrics: METRICS,
    run: |ctx| plain(ctx, 1_000_000),
    fresh_process: false,
};

/// Scenarios left out of a plain `cargo bench` (too slow or too big); `--scale` or naming
/// them selects them.
pub const SCALE_ONLY: &[&str] = &["scale-1m"];

/// Phase durations of one run.
struct Phases {
    spawn: Duration,
    send: Duration,
    stop: Duration,
}

/// RSS when the first run in this process began (each measurement runs in a fresh process).
static BASELINE_RSS: OnceLock<u64> = OnceLock::new();

/// The metric values of one run of `n` actors.
fn report(n: usize, phases: Phases) -> Vec<f64> {
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    let baseline = *BASELINE_RSS.get().expect("baseline recorded");
    let peak = peak_rss_bytes().saturating_sub(baseline);
    vec![
        per(phases.spawn + phases.send + phases.stop),
        per(phases.spawn),
        per(phases.send),
        per(phases.stop),
        peak as f64 / n as f64,
    ]
}

/// The raw baseline: spawn n tasks (each awaited), one request/reply each, stop all.
async fn raw_run(n: usize) -> Phases {
    let start = Instant::now();
    let mut actors = Vec::with_capacity(n);
    for _ in 0..n {
        actors.push(raw_spawn().await);
    }
    let spawn = start.elapsed();
    let start = Instant::now();
    for (i, (tx, _)) in actors.iter().enumerate() {
        let (reply, response) = oneshot::channel();
        tx.send(RawMsg::Ask(i as u64, reply))
            .await
            .expect("raw send");
        assert_eq!(response.await.expect("raw reply"), i as u64 + 1);
    }
    let send = start.elapsed();
    let start = Instant::now();
    for (tx, _) in &actors {
        tx.send(RawMsg::Stop).await.expect("raw stop");
    }
    for (_, join) in actors {
        join.await.expect("raw join");
    }
    let stop = start.elapsed();
    Phases { spawn, send, stop }
}

/// Sends one request to each actor and checks the answer.
async fn ask_each(handles: &[ActorHandle<Echo>]) {
    for (i, h) in handles.iter().enumerate() {
        assert_eq!(h.send(i as u64).await.expect("send"), i as u64 + 1);
    }
}

fn supervisor(ctx: &Ctx, n: usize) -> Vec<f64> {
    let n = n / ctx.sizes.scale_divisor;
    BASELINE_RSS.get_or_init(rss_bytes);
    let phases = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let hive = Hive
                .spawn()
                .with_supervision(SupervisionConfig::simple_one_for_one())
                .await
                .expect("supervisor");
            let start = Instant::now();
            let mut handles = Vec::with_capacity(n);
            while handles.len() < n {
                let batch = BATCH.min(n - handles.len());
                handles.extend(hive.send(batch).await.expect("spawn children"));
            }
            let spawn = start.elapsed();
            let start = Instant::now();
            ask_each(&handles).await;
            let send = start.elapsed();
            let start = Instant::now();
            hive.stop(StopReason::Graceful).await.expect("stop");
            let reason = hive.wait_stopped().await;
            assert!(matches!(reason, StopReason::Graceful), "{reason:?}");
            let stop = start.elapsed();
            assert!(handles.iter().all(|h| !h.is_alive()));
            Phases { spawn, send, stop }
        }),
        Side::Raw => drive(ctx.rt, raw_run(n)),
    };
    report(n, phases)
}

fn plain(ctx: &Ctx, n: usize) -> Vec<f64> {
    let n = n / ctx.sizes.scale_divisor;
    BASELINE_RSS.get_or_init(rss_bytes);
    let phases = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let start = Instant::now();
            let mut handles = Vec::with_capacity(n);
            for _ in 0..n {
                handles.push(Echo.spawn().await.expect("spawn"));
            }
            let spawn = start.elapsed();
            let start = Instant::now();
            ask_each(&handles).await;
            let send = start.elapsed();
            let start = Instant::now();
            for h in &handles {
                h.stop(StopReason::Graceful).await.expect("stop");
            }
            for h in &handles {
                let reason = h.wait_stopped().await;
                assert!(matches!(reason, StopReason::Graceful), "{reason:?}");
            }
            let stop = start.elapsed();
            Phases { spawn, send, stop }
        }),
        Side::Raw => drive(ctx.rt, raw_run(n)),
    };
    report(n, phases)
}
