//! Restart backoff: a worker whose dependency is down fails to start again and again; with
//! `Backoff::exponential(50 ms, 400 ms)` its supervisor waits 50, 100, 200, 400, 400, ... ms before
//! the successive restarts instead of retrying in a tight loop. The output shows when each
//! attempt happened.
//!
//! Run with `cargo run --release --example backoff`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_actors::*;

/// The first start succeeds; after a failure, the next `down` starts fail ("database down").
struct Worker {
    attempts: Arc<AtomicU32>,
    down: u32,
    log: mpsc::UnboundedSender<(u32, bool)>,
}

impl Actor for Worker {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst);
        let ok = attempt == 0 || attempt > self.down;
        let _ = self.log.send((attempt, ok));
        if ok {
            Ok(())
        } else {
            Err(ActorError::user("database down"))
        }
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Err(ActorError::user("lost the database connection"))
    }
}

struct Supervisor {
    log: mpsc::UnboundedSender<(u32, bool)>,
}

impl Actor for Supervisor {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let attempts = Arc::new(AtomicU32::new(0));
        let log = self.log.clone();
        ctx.spawn_child(move || Worker {
            attempts: attempts.clone(),
            down: 5,
            log: log.clone(),
        })
        .named("backoff-worker")
        .await?;
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backoff = Backoff::exponential(Duration::from_millis(50), Duration::from_millis(400));
    let config = SupervisionConfig::one_for_one()
        .max_restarts(10, Duration::from_secs(60))
        .with_backoff(backoff);
    let system = ActorSystem::create("backoff-example")?;
    let (log, mut attempts) = mpsc::unbounded_channel();
    Supervisor { log }
        .spawn()
        .with_supervision(config)
        .on_system(&system)
        .await?;
    attempts.recv().await; // the first start

    let worker = system.get::<Worker>("backoff-worker").ok_or("registered")?;
    let failed_at = Instant::now();
    println!("worker fails; its dependency stays down for 5 start attempts");
    let _ = worker.send(()).await;
    let mut previous = failed_at;
    loop {
        let (attempt, ok) = tokio::time::timeout(Duration::from_secs(5), attempts.recv())
            .await?
            .ok_or("supervisor gone")?;
        let now = Instant::now();
        println!(
            "  restart {attempt}: +{:>4} ms since the failure, waited {:>3} ms -> {}",
            (now - failed_at).as_millis(),
            (now - previous).as_millis(),
            if ok { "running" } else { "failed to start" }
        );
        previous = now;
        if ok {
            break;
        }
    }
    system.shutdown().await;
    Ok(())
}
