//! `ActorSystem::default().shutdown()` stops actors spawned without `on_system`, anonymous ones
//! included. A file with a single test: shutting the process-wide default system down would
//! disturb any other test of the same binary running in parallel.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_actors::*;

/// Ticks on a recurring timer and records how it stopped.
struct Ticker {
    ticks: Arc<AtomicUsize>,
    stopped: Arc<Mutex<Vec<String>>>,
}

impl Actor for Ticker {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.schedule(()).every(Duration::from_millis(10)).await?;
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
        self.stopped.lock().unwrap().push(reason.to_string());
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn the_default_system_stops_anonymous_actors_too() {
    let limit = Duration::from_secs(5);
    let ticks = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(Mutex::new(Vec::new()));
    let mut ids = Vec::new();
    for _ in 0..2 {
        let ticker = Ticker {
            ticks: ticks.clone(),
            stopped: stopped.clone(),
        };
        let handle = tokio::time::timeout(limit, ticker.spawn())
            .await
            .expect("in time")
            .expect("spawned");
        ids.push(handle.id().clone()); // every handle is dropped
    }
    let named = tokio::time::timeout(
        limit,
        Ticker {
            ticks: ticks.clone(),
            stopped: stopped.clone(),
        }
        .spawn()
        .named("default-system-named"),
    )
    .await
    .expect("in time")
    .expect("spawned");
    tokio::time::sleep(Duration::from_millis(55)).await;
    assert!(ticks.load(Ordering::SeqCst) >= 15, "three actors tick");
    let system = ActorSystem::default();
    assert_eq!(system.registered(), ["default-system-named"]);

    let report = tokio::time::timeout(limit, system.shutdown())
        .await
        .expect("in time");
    // Newest first.
    let mut expected = vec![named.id().clone()];
    expected.extend(ids.into_iter().rev());
    assert_eq!(report.graceful, expected);
    assert!(report.killed.is_empty() && report.unresponsive.is_empty());
    assert_eq!(*stopped.lock().unwrap(), ["graceful"; 3]);
    assert!(system.registered().is_empty());
    let after = ticks.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        after,
        "no tick after the shutdown"
    );
}
