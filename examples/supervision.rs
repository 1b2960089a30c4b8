//! Supervision in action: a supervisor restarts a crashing worker, then gives up once its
//! restart budget is exhausted.
//!
//! The supervisor allows 3 restarts within 5 s. The worker crashes on request (an `Err` from a
//! `send` handler, then a panic); each time the supervisor's `on_child_stopped` prints the event
//! and the worker comes back with fresh state under the same name. A worker that can no longer
//! start at all then burns through the rest of the budget, and the supervisor stops with
//! `Failure(Supervision(BudgetExhausted))`.
//!
//! Run with `cargo run --release --example supervision`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio_actors::*;

/// A worker that counts requests; it fails on demand, and refuses to start once `broken` is set.
struct Worker {
    count: u32,
    broken: Arc<AtomicU32>,
}

enum Job {
    Work,
    Fail,
    Crash,
}

impl Actor for Worker {
    type Message = Job;
    type Response = u32;

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if self.broken.load(Ordering::SeqCst) > 0 {
            return Err(ActorError::user("cannot connect to the database"));
        }
        Ok(())
    }

    async fn handle(&mut self, job: Job, _: &mut ActorContext<Self>) -> ActorResult<u32> {
        match job {
            Job::Work => {
                self.count += 1;
                Ok(self.count)
            }
            Job::Fail => Err(ActorError::user("bad input")),
            Job::Crash => panic!("worker crashed"),
        }
    }
}

struct Boss {
    broken: Arc<AtomicU32>,
}

impl Actor for Boss {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let broken = self.broken.clone();
        ctx.spawn_child(move || Worker {
            count: 0,
            broken: broken.clone(),
        })
        .named("example-worker")
        .await?;
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        println!(
            "supervisor: child {} stopped ({}) -> {:?}",
            event.child_id, event.reason, event.action
        );
        Ok(())
    }
}

/// The live worker, once the supervisor has (re)started it.
async fn worker(sys: &ActorSystem) -> ActorHandle<Worker> {
    for _ in 0..1000 {
        if let Some(w) = sys.get::<Worker>("example-worker") {
            if w.is_alive() {
                return w;
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("the worker was not restarted");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The runtime catches the worker's panic; keep the default hook's backtrace out of the output.
    std::panic::set_hook(Box::new(|info| println!("(panic in an actor: {info})")));
    let sys = ActorSystem::default();
    let broken = Arc::new(AtomicU32::new(0));
    let boss = Boss {
        broken: broken.clone(),
    }
    .spawn()
    .with_supervision(SupervisionConfig::one_for_one().max_restarts(3, Duration::from_secs(5)))
    .await?;

    let w = worker(&sys).await;
    println!("worker says {}", w.send(Job::Work).await?);
    println!("worker says {}", w.send(Job::Work).await?);

    // 1st restart: an error from a `send` handler.
    println!(
        "asking the worker to fail: {:?}",
        w.send(Job::Fail).await.unwrap_err()
    );
    w.wait_stopped().await;
    let w = worker(&sys).await;
    println!(
        "restarted worker says {} (fresh state)",
        w.send(Job::Work).await?
    );

    // 2nd restart: a panic.
    w.notify(Job::Crash).await?;
    w.wait_stopped().await;
    let w = worker(&sys).await;
    println!(
        "restarted worker says {} (fresh state)",
        w.send(Job::Work).await?
    );

    // Now the worker cannot start any more: the 3rd restart fails in on_started, and the
    // next incident exceeds 3 restarts within 5 s.
    broken.store(1, Ordering::SeqCst);
    let _ = w.send(Job::Fail).await;
    let reason = tokio::time::timeout(Duration::from_secs(5), boss.wait_stopped()).await?;
    println!("supervisor stopped: {reason}");
    assert!(matches!(
        reason,
        StopReason::Failure(ActorError::Supervision(SupervisionError::BudgetExhausted))
    ));
    Ok(())
}
