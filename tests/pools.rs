//! `Pool`: routing, backpressure, the concurrency bound, supervision and stop, on both runtime
//! flavours.
mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use tokio::sync::Semaphore;
use tokio_actors::*;

/// Counts how many jobs are inside a handler at once, and holds them until released.
struct Flight {
    now: AtomicUsize,
    max: AtomicUsize,
    release: Semaphore,
}

impl Default for Flight {
    fn default() -> Self {
        Flight {
            now: AtomicUsize::new(0),
            max: AtomicUsize::new(0),
            release: Semaphore::new(0),
        }
    }
}

enum Job {
    /// Answers the worker's id.
    Who,
    /// One message of a keyed sequence; the worker checks `seq` grows per key.
    Keyed { key: u64, seq: u64 },
    /// Answers what the keyed messages looked like.
    Report,
    /// Panics in the handler.
    Panic,
    /// Waits at the gate.
    Hold(Arc<Gate>),
    /// Enters the flight, waits for a release permit, leaves.
    Fly(Arc<Flight>),
}

#[derive(Debug)]
enum Out {
    Id(ActorId),
    Report {
        keys: HashSet<u64>,
        count: u64,
        out_of_order: u64,
    },
    Done,
}

#[derive(Default)]
struct Worker {
    last: HashMap<u64, u64>,
    count: u64,
    out_of_order: u64,
}

impl Actor for Worker {
    type Message = Job;
    type Response = Out;

    async fn handle(&mut self, job: Job, ctx: &mut ActorContext<Self>) -> ActorResult<Out> {
        Ok(match job {
            Job::Who => Out::Id(ctx.actor_id().clone()),
            Job::Keyed { key, seq } => {
                let previous = self.last.insert(key, seq);
                if previous.is_some_and(|p| p >= seq) || (previous.is_none() && seq != 0) {
                    self.out_of_order += 1;
                }
                self.count += 1;
                Out::Done
            }
            Job::Report => Out::Report {
                keys: self.last.keys().copied().collect(),
                count: self.count,
                out_of_order: self.out_of_order,
            },
            Job::Panic => panic!("worker told to panic"),
            Job::Hold(gate) => {
                gate.pass().await;
                Out::Done
            }
            Job::Fly(flight) => {
                let now = flight.now.fetch_add(1, Ordering::SeqCst) + 1;
                flight.max.fetch_max(now, Ordering::SeqCst);
                flight.release.acquire().await.expect("open").forget();
                flight.now.fetch_sub(1, Ordering::SeqCst);
                Out::Done
            }
        })
    }
}

fn key_of(job: &Job) -> u64 {
    match job {
        Job::Keyed { key, .. } => *key,
        _ => 0,
    }
}

async fn who(pool: &Pool<Worker>) -> ActorId {
    match within("who", pool.send(Job::Who)).await {
        Ok(Out::Id(id)) => id,
        other => panic!("unexpected answer {other:?}"),
    }
}

/// Round-robin: each worker in turn, in `workers()` order.
async fn round_robin_takes_turns() {
    let pool = within("pool", Pool::builder(3, Worker::default))
        .await
        .expect("pool");
    let order: Vec<ActorId> = pool.workers().iter().map(|w| w.id().clone()).collect();
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(who(&pool).await);
    }
    let expected: Vec<ActorId> = order.iter().chain(order.iter()).cloned().collect();
    assert_eq!(got, expected);
    assert!(
        order.iter().collect::<HashSet<_>>().len() == 3,
        "three workers"
    );
}

/// Least-loaded: a message goes to the worker with the shortest mailbox.
async fn least_loaded_picks_the_shortest_mailbox() {
    let pool = within(
        "pool",
        Pool::builder(3, Worker::default)
            .routing(Routing::LeastLoaded)
            .with_config(ActorConfig::default().with_mailbox_capacity(8)),
    )
    .await
    .expect("pool");
    let workers = pool.workers();
    let gates: Vec<_> = workers.iter().map(|_| Gate::new()).collect();
    for (w, g) in workers.iter().zip(&gates) {
        w.notify(Job::Hold(g.clone())).await.expect("hold");
        g.entered().await;
    }
    for (w, queued) in workers.iter().zip([3, 1, 2]) {
        for _ in 0..queued {
            w.notify(Job::Who).await.expect("queue");
        }
    }
    let lens = || workers.iter().map(|w| w.mailbox_len()).collect::<Vec<_>>();
    pool.notify(Job::Who).await.expect("notify");
    assert_eq!(lens(), [3, 2, 2]);
    pool.notify(Job::Who).await.expect("notify");
    pool.notify(Job::Who).await.expect("notify");
    assert_eq!(lens(), [3, 3, 3]);
    for g in &gates {
        g.open();
    }
}

/// Key-hash: 100,000 messages over 32 keys from 4 concurrent senders (each owning 8 keys);
/// every key is handled by one worker only, in the order it was sent.
async fn key_hash_keeps_per_key_order() {
    const SENDERS: u64 = 4;
    const KEYS_PER_SENDER: u64 = 8;
    const PER_SENDER: u64 = 25_000;
    let pool = within(
        "pool",
        Pool::builder(4, Worker::default).routing(Routing::KeyHash(key_of)),
    )
    .await
    .expect("pool");
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut next_seq = [0u64; KEYS_PER_SENDER as usize];
                let mut x = s + 1;
                for _ in 0..PER_SENDER {
                    // xorshift: keys interleave irregularly
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let slot = (x % KEYS_PER_SENDER) as usize;
                    let key = s * KEYS_PER_SENDER + slot as u64;
                    let seq = next_seq[slot];
                    next_seq[slot] += 1;
                    pool.notify(Job::Keyed { key, seq }).await.expect("notify");
                }
            })
        })
        .collect();
    for s in senders {
        tokio::time::timeout(std::time::Duration::from_secs(60), s)
            .await
            .expect("senders finish")
            .expect("sender");
    }
    let mut all_keys = HashSet::new();
    let mut total = 0;
    let mut busy = 0;
    for w in pool.workers() {
        match within("report", w.send(Job::Report)).await.expect("report") {
            Out::Report {
                keys,
                count,
                out_of_order,
            } => {
                assert_eq!(out_of_order, 0, "per-key order broken");
                for k in &keys {
                    assert!(all_keys.insert(*k), "key {k} reached two workers");
                }
                total += count;
                busy += usize::from(count > 0);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(total, SENDERS * PER_SENDER);
    assert_eq!(all_keys.len() as u64, SENDERS * KEYS_PER_SENDER);
    assert!(busy >= 2, "32 keys spread over more than one worker");
}

/// A full chosen worker makes `notify` wait (it does not spill to another worker).
async fn full_worker_makes_notify_wait() {
    let pool = within(
        "pool",
        Pool::builder(2, Worker::default)
            .routing(Routing::KeyHash(|_| 0))
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("pool");
    let gate = Gate::new();
    pool.notify(Job::Hold(gate.clone())).await.expect("hold");
    gate.entered().await;
    pool.notify(Job::Who).await.expect("fills the mailbox");
    let mut waiting = std::pin::pin!(pool.notify(Job::Who));
    assert_waits(waiting.as_mut(), "notify must wait for the full worker").await;
    let busy: Vec<usize> = pool.workers().iter().map(|w| w.mailbox_len()).collect();
    assert!(busy.contains(&0), "the other worker got nothing: {busy:?}");
    gate.open();
    within("waiting notify", waiting).await.expect("accepted");
}

/// A pool of 4 has at most 4 messages in progress, and reaches 4.
async fn four_workers_bound_concurrency_to_four() {
    let pool = within("pool", Pool::builder(4, Worker::default))
        .await
        .expect("pool");
    let flight = Arc::new(Flight::default());
    for _ in 0..12 {
        pool.notify(Job::Fly(flight.clone())).await.expect("notify");
    }
    within("four in flight", async {
        while flight.now.load(Ordering::SeqCst) < 4 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    })
    .await;
    settle().await;
    assert_eq!(flight.now.load(Ordering::SeqCst), 4, "no fifth job started");
    flight.release.add_permits(12);
    for w in pool.workers() {
        within("drain", w.send(Job::Who)).await.expect("drained");
    }
    assert_eq!(flight.max.load(Ordering::SeqCst), 4);
    assert_eq!(flight.now.load(Ordering::SeqCst), 0);
}

/// A worker that panics is restarted by the pool's supervisor and the pool keeps serving: no
/// caller sees a dead handle, and `workers()` are the same live handles as before.
async fn panicking_worker_is_restarted_and_pool_keeps_serving() {
    let pool = within(
        "pool",
        Pool::builder(2, Worker::default).supervision(
            SupervisionConfig::default().max_restarts(10, std::time::Duration::from_secs(60)),
        ),
    )
    .await
    .expect("pool");
    let before = pool.workers();
    let failed = within("panic", pool.send(Job::Panic)).await;
    assert!(
        matches!(failed, Err(AskError::Actor(ActorError::Panic(_)))),
        "{failed:?}"
    );
    for i in 0..10 {
        let answer = within("after restart", pool.send(Job::Who)).await;
        assert!(
            matches!(answer, Ok(Out::Id(_))),
            "send {i} after the restart: {answer:?}"
        );
        pool.notify(Job::Who)
            .await
            .expect("notify after the restart");
    }
    let after = pool.workers();
    assert_eq!(before, after, "the same handles");
    assert!(after.iter().all(|w| w.is_alive()));
}

/// `stop` stops the supervisor and every worker; `wait_stopped` gives the reason; afterwards
/// every send is refused.
async fn stop_stops_every_worker() {
    let pool = within("pool", Pool::builder(3, Worker::default))
        .await
        .expect("pool");
    let clone = pool.clone();
    clone.stop(StopReason::Graceful).await.expect("stop");
    assert!(matches!(
        within("wait", pool.wait_stopped()).await,
        StopReason::Graceful
    ));
    assert!(pool.workers().iter().all(|w| !w.is_alive()));
    assert_eq!(pool.notify(Job::Who).await, Err(SendError::Closed));
    assert!(matches!(
        pool.send(Job::Who).await,
        Err(AskError::Send(SendError::Closed))
    ));
    assert_eq!(pool.stop(StopReason::Kill).await, Err(SendError::Closed));
}

/// A named pool registers its supervisor in its system; the system's shutdown stops the pool.
async fn named_pool_on_a_system() {
    let sys = system();
    let name = uniq("pool");
    let pool = within(
        "pool",
        Pool::builder(2, Worker::default)
            .named(&name)
            .on_system(&sys),
    )
    .await
    .expect("pool");
    assert_eq!(
        sys.registered(),
        vec![name.clone()],
        "workers are anonymous"
    );
    let taken = Pool::builder(1, Worker::default)
        .named(&name)
        .on_system(&sys)
        .await;
    assert!(
        matches!(taken, Err(SpawnError::NameTaken { .. })),
        "{taken:?}"
    );
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful.len(), 1, "{report:?}");
    within("wait", pool.wait_stopped()).await;
    assert!(pool.workers().iter().all(|w| !w.is_alive()));
}

/// With no restart budget the first failure stops the supervisor, and the pool with it.
async fn exhausted_budget_stops_the_pool() {
    let pool = within(
        "pool",
        Pool::builder(2, Worker::default).supervision(
            SupervisionConfig::default().max_restarts(0, std::time::Duration::from_secs(60)),
        ),
    )
    .await
    .expect("pool");
    let _ = within("panic", pool.send(Job::Panic)).await;
    assert!(matches!(
        within("wait", pool.wait_stopped()).await,
        StopReason::Failure(_)
    ));
    assert!(pool.workers().iter().all(|w| !w.is_alive()));
}

/// Invalid sizes and configs are refused before anything starts; a worker that cannot start
/// fails the spawn.
async fn invalid_pools_are_refused() {
    let zero = Pool::builder(0, Worker::default).await;
    assert!(
        matches!(zero, Err(SpawnError::InvalidConfig(_))),
        "{zero:?}"
    );
    let bad = Pool::builder(2, Worker::default)
        .with_config(ActorConfig::default().with_mailbox_capacity(0))
        .await;
    assert!(matches!(bad, Err(SpawnError::InvalidConfig(_))), "{bad:?}");

    struct NoStart;
    impl Actor for NoStart {
        type Message = ();
        type Response = ();
        async fn pre_start(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
            Err(ActorError::user("cannot start"))
        }
        async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
            Ok(())
        }
    }
    let failed = within("pool", Pool::builder(2, || NoStart)).await;
    assert!(matches!(failed, Err(SpawnError::Init(_))), "{failed:?}");
}

both_flavours! {
    pool_round_robin_takes_turns => round_robin_takes_turns,
    pool_least_loaded_picks_the_shortest_mailbox => least_loaded_picks_the_shortest_mailbox,
    pool_key_hash_keeps_per_key_order_across_100k_messages => key_hash_keeps_per_key_order,
    pool_full_worker_makes_notify_wait => full_worker_makes_notify_wait,
    pool_of_four_has_at_most_four_in_flight => four_workers_bound_concurrency_to_four,
    pool_worker_that_panics_is_restarted_and_pool_keeps_serving => panicking_worker_is_restarted_and_pool_keeps_serving,
    pool_stop_stops_every_worker => stop_stops_every_worker,
    pool_named_on_a_system_stops_with_its_shutdown => named_pool_on_a_system,
    pool_stops_when_the_restart_budget_is_exhausted => exhausted_budget_stops_the_pool,
    pool_invalid_size_or_config_is_refused => invalid_pools_are_refused,
}
