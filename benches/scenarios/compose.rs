//! Composition scenarios: `broadcast-1k` (a process group) and `pool-4` (a worker pool).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem, Pool};

use super::{drive, rate, Better, Ctx, MetricSpec, Scenario, Side, Unit};

/// Adds up what it receives; every message answers the running total.
struct Summer(u64);

impl Actor for Summer {
    type Message = u64;
    type Response = u64;

    async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        self.0 += n;
        Ok(self.0)
    }
}

/// The raw counterpart of `Summer`: mpsc(64) into one spawned task; `(n, None)` adds,
/// `(n, Some(reply))` adds and answers the total.
type RawMsg = (u64, Option<oneshot::Sender<u64>>);

fn spawn_raw_summer() -> mpsc::Sender<RawMsg> {
    let (tx, mut rx) = mpsc::channel::<RawMsg>(64);
    tokio::spawn(async move {
        let mut total = 0u64;
        while let Some((n, reply)) = rx.recv().await {
            total += n;
            if let Some(reply) = reply {
                let _ = reply.send(total);
            }
        }
    });
    tx
}

async fn raw_ask(tx: &mpsc::Sender<RawMsg>, n: u64) -> u64 {
    let (reply, response) = oneshot::channel();
    tx.send((n, Some(reply))).await.expect("raw send");
    response.await.expect("raw reply")
}

pub const BROADCAST_1K: Scenario = Scenario {
    name: "broadcast-1k",
    metrics: &[MetricSpec {
        name: "time per broadcast",
        unit: Unit::Micros,
        better: Better::Lower,
        target: Some(1.5),
    }],
    run: broadcast,
    fresh_process: false,
};

/// 1,000 members; `broadcasts` times one message to all of them, then one request per member to
/// confirm its total. Ours: `Group::broadcast` over recipients; raw: a loop of `send` into
/// 1,000 mpsc channels.
fn broadcast(ctx: &Ctx) -> Vec<f64> {
    let members = ctx.sizes.broadcast_members;
    let broadcasts = ctx.sizes.broadcasts;
    let elapsed = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            // A fresh group per run (the warm-up run uses another one).
            static RUN: AtomicUsize = AtomicUsize::new(0);
            let name = format!("bench-{}", RUN.fetch_add(1, Ordering::Relaxed));
            let group = ActorSystem::default().group::<u64>(&name);
            let mut handles = Vec::with_capacity(members);
            for _ in 0..members {
                let h = Summer(0).spawn().await.expect("spawn");
                group.join(h.recipient());
                handles.push(h);
            }
            let start = Instant::now();
            for _ in 0..broadcasts {
                let accepted = group.broadcast(1).await;
                assert_eq!(accepted, members);
            }
            for h in &handles {
                assert_eq!(h.send(0).await.expect("confirm"), broadcasts);
            }
            let elapsed = start.elapsed();
            for h in &handles {
                group.leave(h.id());
            }
            elapsed
        }),
        Side::Raw => drive(ctx.rt, async move {
            let senders: Vec<_> = (0..members).map(|_| spawn_raw_summer()).collect();
            let start = Instant::now();
            for _ in 0..broadcasts {
                let mut accepted = 0;
                for tx in &senders {
                    if tx.send((1, None)).await.is_ok() {
                        accepted += 1;
                    }
                }
                assert_eq!(accepted, members);
            }
            for tx in &senders {
                assert_eq!(raw_ask(tx, 0).await, broadcasts);
            }
            start.elapsed()
        }),
    };
    vec![elapsed.as_secs_f64() * 1e6 / broadcasts as f64]
}

pub const POOL_4: Scenario = Scenario {
    name: "pool-4",
    metrics: &[
        MetricSpec {
            name: "round trip, 1 caller",
            unit: Unit::Nanos,
            better: Better::Lower,
            target: Some(1.2),
        },
        MetricSpec {
            name: "round trips, 8 callers",
            unit: Unit::PerSec,
            better: Better::Higher,
            target: None,
        },
    ],
    run: pool,
    fresh_process: false,
};

/// Four workers fed round-robin. First one caller doing sequential `send` round trips (mean
/// latency), then 8 concurrent callers doing the same (throughput). Ours: `Pool::send`; raw: four
/// mpsc(64) tasks, an atomic counter picking the next, a oneshot per request.
fn pool(ctx: &Ctx) -> Vec<f64> {
    let n = ctx.sizes.pool_asks;
    const CALLERS: usize = 8;
    let (single, many) = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let pool = Pool::builder(4, || Summer(0)).await.expect("pool");
            let start = Instant::now();
            for _ in 0..n {
                std::hint::black_box(pool.send(1).await.expect("send"));
            }
            let single = start.elapsed();
            let start = Instant::now();
            let callers: Vec<_> = (0..CALLERS)
                .map(|_| {
                    let pool = pool.clone();
                    tokio::spawn(async move {
                        for _ in 0..n / CALLERS {
                            std::hint::black_box(pool.send(1).await.expect("send"));
                        }
                    })
                })
                .collect();
            for c in callers {
                c.await.expect("caller");
            }
            let many = start.elapsed();
            let mut total = 0;
            for w in pool.workers() {
                total += w.send(0).await.expect("confirm");
            }
            assert_eq!(total, (n + n / CALLERS * CALLERS) as u64);
            (single, many)
        }),
        Side::Raw => drive(ctx.rt, async move {
            let workers: Arc<Vec<_>> = Arc::new((0..4).map(|_| spawn_raw_summer()).collect());
            let next = Arc::new(AtomicUsize::new(0));
            let start = Instant::now();
            for _ in 0..n {
                let i = next.fetch_add(1, Ordering::Relaxed) % workers.len();
                std::hint::black_box(raw_ask(&workers[i], 1).await);
            }
            let single = start.elapsed();
            let start = Instant::now();
            let callers: Vec<_> = (0..CALLERS)
                .map(|_| {
                    let workers = workers.clone();
                    let next = next.clone();
                    tokio::spawn(async move {
                        for _ in 0..n / CALLERS {
                            let i = next.fetch_add(1, Ordering::Relaxed) % workers.len();
                            std::hint::black_box(raw_ask(&workers[i], 1).await);
                        }
                    })
                })
                .collect();
            for c in callers {
                c.await.expect("caller");
            }
            let many = start.elapsed();
            let mut total = 0;
            for w in workers.iter() {
                total += raw_ask(w, 0).await;
            }
            assert_eq!(total, (n + n / CALLERS * CALLERS) as u64);
            (single, many)
        }),
    };
    vec![
        single.as_nanos() as f64 / n as f64,
        rate((n / CALLERS * CALLERS) as u64, many),
    ]
}
