//! Concurrency stress for the hand-offs that are easy to get wrong: a system item arriving while
//! the actor parks (no lost wake-up), many concurrent senders against a tiny mailbox (nothing
//! lost, no hang), and stops racing in-flight requests (every request ends). Multi-thread runtime,
//! bounded iteration counts, every wait under a timeout.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::timeout;
use tokio_actors::*;

const LIMIT: Duration = Duration::from_secs(10);

struct Sum(Arc<AtomicU64>);
impl Actor for Sum {
    type Message = u64;
    type Response = u64;
    async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        Ok(self.0.fetch_add(n, Ordering::SeqCst) + n)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_requests_to_an_idle_actor_are_never_lost() {
    let actor = Sum(Arc::default()).spawn().await.unwrap();
    for round in 0..2_000u64 {
        // Alternate between an actor that just went idle and one that is mid-message.
        if round % 2 == 0 {
            actor.notify(1).await.unwrap();
        }
        let status = timeout(LIMIT, actor.get_status()).await;
        assert!(matches!(status, Ok(Ok(_))), "round {round}: {status:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_senders_on_a_tiny_mailbox_lose_nothing() {
    let total = Arc::new(AtomicU64::new(0));
    let actor = Sum(total.clone())
        .spawn()
        .with_config(ActorConfig::default().with_mailbox_capacity(1))
        .await
        .unwrap();
    let senders: Vec<_> = (0..16)
        .map(|_| {
            let actor = actor.clone();
            tokio::spawn(async move {
                for _ in 0..500 {
                    actor.notify(1).await.unwrap();
                }
                actor.send(0).await.unwrap();
            })
        })
        .collect();
    for sender in senders {
        timeout(LIMIT, sender).await.expect("sender hung").unwrap();
    }
    assert_eq!(total.load(Ordering::SeqCst), 16 * 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_racing_requests_always_end_every_request() {
    for round in 0..200 {
        let actor = Sum(Arc::default())
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(4))
            .await
            .unwrap();
        let requests: Vec<_> = (0..8)
            .map(|_| {
                let actor = actor.clone();
                tokio::spawn(async move { actor.send(1).await })
            })
            .collect();
        let reason = if round % 2 == 0 {
            StopReason::Graceful
        } else {
            StopReason::Kill
        };
        actor.stop(reason).await.unwrap();
        for request in requests {
            let outcome = timeout(LIMIT, request).await.expect("a send hung").unwrap();
            assert!(
                matches!(
                    outcome,
                    Ok(_) | Err(AskError::ResponseDropped) | Err(AskError::Send(SendError::Closed))
                ),
                "round {round}: {outcome:?}"
            );
        }
        timeout(LIMIT, actor.wait_stopped())
            .await
            .expect("stop hung");
        assert!(!actor.is_alive());
    }
}

/// Either noise or the marker that must never be handled after an accepted stop.
enum Probe {
    Noise,
    Marker,
}

struct OrderProbe {
    marker_handled: Arc<std::sync::atomic::AtomicBool>,
    noise: Arc<AtomicU64>,
}

impl Actor for OrderProbe {
    type Message = Probe;
    type Response = ();
    async fn handle(&mut self, msg: Probe, _: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            Probe::Noise => {
                self.noise.fetch_add(1, Ordering::SeqCst);
            }
            Probe::Marker => self.marker_handled.store(true, Ordering::SeqCst),
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_enqueued_after_an_accepted_stop_is_never_handled() {
    // A system item overtakes every mailbox message not yet started. Race the stop
    // against an actor that is busy taking messages from another task.
    for round in 0..10_000u64 {
        let marker_handled = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let noise = Arc::new(AtomicU64::new(0));
        let actor = OrderProbe {
            marker_handled: marker_handled.clone(),
            noise: noise.clone(),
        }
        .spawn()
        .with_config(ActorConfig::default().with_mailbox_capacity(4096))
        .await
        .unwrap();
        let flood = tokio::spawn({
            let actor = actor.clone();
            async move {
                for _ in 0..64 {
                    if actor.try_notify(Probe::Noise).is_err() {
                        break;
                    }
                    tokio::task::yield_now().await;
                }
            }
        });
        let started = timeout(LIMIT, async {
            while noise.load(Ordering::SeqCst) < round % 32 {
                tokio::task::yield_now().await;
            }
        });
        started.await.expect("the actor never took the noise");
        actor.stop(StopReason::Cancelled).await.unwrap();
        let sent = actor.try_notify(Probe::Marker).is_ok();
        timeout(LIMIT, actor.wait_stopped())
            .await
            .expect("stop hung");
        flood.await.unwrap();
        assert!(
            !(sent && marker_handled.load(Ordering::SeqCst)),
            "round {round}: a message enqueued after an accepted stop was handled"
        );
    }
}
