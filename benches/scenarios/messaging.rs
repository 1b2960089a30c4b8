//! Message-passing scenarios: `tell`, `tell-8`, `ask`, `ping-pong`, `fan-out`.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio_actors::{Actor, ActorContext, ActorExt, ActorHandle, ActorResult};

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

/// The raw counterpart of an envelope: fire-and-forget or request with a oneshot reply.
enum RawMsg {
    Add(u64),
    Ask(u64, oneshot::Sender<u64>),
}

/// The raw counterpart of `Summer`: mpsc(64) into one spawned task.
fn spawn_raw_summer() -> mpsc::Sender<RawMsg> {
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let mut total = 0u64;
        while let Some(msg) = rx.recv().await {
            match msg {
                RawMsg::Add(n) => total += n,
                RawMsg::Ask(n, reply) => {
                    total += n;
                    let _ = reply.send(total);
                }
            }
        }
    });
    tx
}

async fn raw_ask(tx: &mpsc::Sender<RawMsg>, n: u64) -> u64 {
    let (reply, response) = oneshot::channel();
    tx.send(RawMsg::Ask(n, reply)).await.expect("raw send");
    response.await.expect("raw reply")
}

/// 0 + 1 + … + (n - 1)
fn triangle(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

const THROUGHPUT: &[MetricSpec] = &[MetricSpec {
    name: "throughput",
    unit: Unit::PerSec,
    better: Better::Higher,
    target: Some(0.90),
}];

pub const TELL: Scenario = Scenario {
    name: "tell",
    metrics: THROUGHPUT,
    run: |ctx| tell(ctx, 1),
    fresh_process: false,
};

pub const TELL_8: Scenario = Scenario {
    name: "tell-8",
    metrics: THROUGHPUT,
    run: |ctx| tell(ctx, ctx.sizes.tell_senders),
    fresh_process: false,
};

/// `total` notifies split over `senders` concurrent tasks, then one request to confirm.
fn tell(ctx: &Ctx, senders: u64) -> Vec<f64> {
    let per_sender = ctx.sizes.tell / senders;
    let total = per_sender * senders;
    let expected = senders * triangle(per_sender);
    let elapsed = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let actor = Summer(0).spawn().await.expect("spawn");
            let start = Instant::now();
            if senders == 1 {
                for i in 0..per_sender {
                    actor.notify(i).await.expect("notify");
                }
            } else {
                let tasks: Vec<_> = (0..senders)
                    .map(|_| {
                        let actor = actor.clone();
                        tokio::spawn(async move {
                            for i in 0..per_sender {
                                actor.notify(i).await.expect("notify");
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("sender");
                }
            }
            assert_eq!(actor.send(0).await.expect("confirm"), expected);
            start.elapsed()
        }),
        Side::Raw => drive(ctx.rt, async move {
            let tx = spawn_raw_summer();
            let start = Instant::now();
            if senders == 1 {
                for i in 0..per_sender {
                    tx.send(RawMsg::Add(i)).await.expect("send");
                }
            } else {
                let tasks: Vec<_> = (0..senders)
                    .map(|_| {
                        let tx = tx.clone();
                        tokio::spawn(async move {
                            for i in 0..per_sender {
                                tx.send(RawMsg::Add(i)).await.expect("send");
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("sender");
                }
            }
            assert_eq!(raw_ask(&tx, 0).await, expected);
            start.elapsed()
        }),
    };
    vec![rate(total, elapsed)]
}

pub const ASK: Scenario = Scenario {
    name: "ask",
    metrics: &[
        MetricSpec {
            name: "mean latency",
            unit: Unit::Nanos,
            better: Better::Lower,
            target: Some(1.10),
        },
        MetricSpec {
            name: "p99 latency",
            unit: Unit::Nanos,
            better: Better::Lower,
            target: None,
        },
    ],
    run: ask,
    fresh_process: false,
};

/// Sequential request/response round trips; mean and p99 latency in ns.
fn ask(ctx: &Ctx) -> Vec<f64> {
    let n = ctx.sizes.ask;
    let mut samples: Vec<u64> = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let actor = Summer(0).spawn().await.expect("spawn");
            let mut samples = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                let total = actor.send(1).await.expect("send");
                samples.push(t.elapsed().as_nanos() as u64);
                std::hint::black_box(total);
            }
            assert_eq!(actor.send(0).await.expect("confirm"), n as u64);
            samples
        }),
        Side::Raw => drive(ctx.rt, async move {
            let tx = spawn_raw_summer();
            let mut samples = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                let total = raw_ask(&tx, 1).await;
                samples.push(t.elapsed().as_nanos() as u64);
                std::hint::black_box(total);
            }
            assert_eq!(raw_ask(&tx, 0).await, n as u64);
            samples
        }),
    };
    let mean = samples.iter().sum::<u64>() as f64 / samples.len() as f64;
    samples.sort_unstable();
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)] as f64;
    vec![mean, p99]
}

/// Bounces a counter to its peer until it reaches zero.
struct Pinger {
    peer: Option<ActorHandle<Pinger>>,
    done: Arc<Notify>,
}

enum Ping {
    Peer(ActorHandle<Pinger>),
    Ball(u64),
}

impl Actor for Pinger {
    type Message = Ping;
    type Response = ();

    async fn handle(&mut self, msg: Ping, _: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            Ping::Peer(peer) => self.peer = Some(peer),
            Ping::Ball(0) => self.done.notify_one(),
            Ping::Ball(n) => {
                let peer = self.peer.as_ref().expect("peer set");
                peer.notify(Ping::Ball(n - 1)).await.expect("bounce");
            }
        }
        Ok(())
    }
}

/// The raw counterpart of `Pinger`.
async fn raw_pinger(mut rx: mpsc::Receiver<u64>, peer: mpsc::Sender<u64>, done: Arc<Notify>) {
    while let Some(n) = rx.recv().await {
        if n == 0 {
            done.notify_one();
        } else if peer.send(n - 1).await.is_err() {
            break;
        }
    }
}

pub const PING_PONG: Scenario = Scenario {
    name: "ping-pong",
    metrics: &[MetricSpec {
        name: "time per hop",
        unit: Unit::Nanos,
        better: Better::Lower,
        target: Some(1.15),
    }],
    run: ping_pong,
    fresh_process: false,
};

/// Two actors (tasks) bouncing a counter through their mailboxes; ns per hop.
fn ping_pong(ctx: &Ctx) -> Vec<f64> {
    let hops = ctx.sizes.ping_pong;
    let elapsed = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let done = Arc::new(Notify::new());
            let a = Pinger {
                peer: None,
                done: done.clone(),
            }
            .spawn()
            .await
            .expect("spawn");
            let b = Pinger {
                peer: None,
                done: done.clone(),
            }
            .spawn()
            .await
            .expect("spawn");
            a.send(Ping::Peer(b.clone())).await.expect("peer");
            b.send(Ping::Peer(a.clone())).await.expect("peer");
            let start = Instant::now();
            a.notify(Ping::Ball(hops)).await.expect("serve");
            done.notified().await;
            let elapsed = start.elapsed();
            // Break the handle cycle so both actors can be dropped.
            for h in [&a, &b] {
                h.stop(tokio_actors::StopReason::Graceful)
                    .await
                    .expect("stop");
            }
            elapsed
        }),
        Side::Raw => drive(ctx.rt, async move {
            let (tx_a, rx_a) = mpsc::channel::<u64>(64);
            let (tx_b, rx_b) = mpsc::channel::<u64>(64);
            let done = Arc::new(Notify::new());
            tokio::spawn(raw_pinger(rx_a, tx_b, done.clone()));
            tokio::spawn(raw_pinger(rx_b, tx_a.clone(), done.clone()));
            let start = Instant::now();
            tx_a.send(hops).await.expect("serve");
            done.notified().await;
            start.elapsed()
        }),
    };
    vec![elapsed.as_nanos() as f64 / hops as f64]
}

pub const FAN_OUT: Scenario = Scenario {
    name: "fan-out",
    metrics: THROUGHPUT,
    run: fan_out,
    fresh_process: false,
};

/// One producer, round-robin notifies to many actors, then one request to each to confirm.
fn fan_out(ctx: &Ctx) -> Vec<f64> {
    let actors = ctx.sizes.fan_out_actors;
    let per_actor = ctx.sizes.fan_out_per_actor;
    let elapsed = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            let mut handles = Vec::with_capacity(actors);
            for _ in 0..actors {
                handles.push(Summer(0).spawn().await.expect("spawn"));
            }
            let start = Instant::now();
            for _ in 0..per_actor {
                for h in &handles {
                    h.notify(1).await.expect("notify");
                }
            }
            for h in &handles {
                assert_eq!(h.send(0).await.expect("confirm"), per_actor);
            }
            start.elapsed()
        }),
        Side::Raw => drive(ctx.rt, async move {
            let senders: Vec<_> = (0..actors).map(|_| spawn_raw_summer()).collect();
            let start = Instant::now();
            for _ in 0..per_actor {
                for tx in &senders {
                    tx.send(RawMsg::Add(1)).await.expect("send");
                }
            }
            for tx in &senders {
                assert_eq!(raw_ask(tx, 0).await, per_actor);
            }
            start.elapsed()
        }),
    };
    vec![rate(actors as u64 * per_actor, elapsed)]
}
