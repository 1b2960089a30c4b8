//! Key behaviours run on both runtime flavors: multi_thread (2 workers) and current_thread.
mod common;

use common::*;
use tokio_actors::*;

async fn round_trip() {
    let log = Log::default();
    let h = within("spawn", Probe::new(&log).spawn())
        .await
        .expect("spawn");
    for n in 1..=3 {
        within("notify", h.notify(Msg::Echo(n)))
            .await
            .expect("notify");
    }
    assert!(matches!(within("send", h.send(Msg::Echo(4))).await, Ok(4)));
    assert_eq!(log.with_prefix("m"), ["m1", "m2", "m3", "m4"]);
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    assert!(matches!(
        within("wait", h.wait_stopped()).await,
        StopReason::Graceful
    ));
}

async fn stop_with_full_mailbox() {
    let log = Log::default();
    let h = within(
        "spawn",
        Probe::new(&log)
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(2)),
    )
    .await
    .expect("spawn");
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    for n in 2..=3 {
        within("notify", h.notify(Msg::Echo(n)))
            .await
            .expect("notify");
    }
    let h2 = h.clone();
    let parked = tokio::spawn(async move { h2.send(Msg::Echo(4)).await });
    settle().await;
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    gate.open();
    let r = within("parked", parked).await.expect("join");
    assert!(matches!(r, Err(AskError::Send(SendError::Closed))), "{r:?}");
    within("wait", h.wait_stopped()).await;
    assert_eq!(log.with_prefix("m"), ["m1"]);
    assert!(log.has("on_stopped:graceful"));
}

async fn panic_is_typed() {
    let log = Log::default();
    let h = within("spawn", Probe::new(&log).spawn())
        .await
        .expect("spawn");
    let r = within("send", h.send(Msg::Panic(5))).await;
    assert!(
        matches!(r, Err(AskError::Actor(ActorError::Panic(ref m))) if m.contains("handler panic 5")),
        "{r:?}"
    );
    assert!(matches!(
        within("wait", h.wait_stopped()).await,
        StopReason::Failure(ActorError::Panic(_))
    ));
}

async fn shutdown_works() {
    let sys = system();
    let log = Log::default();
    let mut ids = Vec::new();
    for _ in 0..20 {
        let h = within(
            "spawn",
            Probe::new(&log).spawn().named(uniq("f")).on_system(&sys),
        )
        .await
        .expect("spawn");
        ids.push(h);
    }
    let stuck = within(
        "spawn",
        Probe::new(&log)
            .script(Script {
                pre_stop: Act::Fail,
                ..Script::default()
            })
            .spawn()
            .on_system(&sys),
    )
    .await
    .expect("spawn");
    let policy = ShutdownPolicy {
        timeout: std::time::Duration::from_secs(2),
        per_actor_timeout: std::time::Duration::from_millis(50),
    };
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    assert_eq!(report.graceful.len(), 20);
    assert_eq!(report.killed, vec![stuck.id().clone()]);
    assert!(ids.iter().all(|h| !h.is_alive()) && !stuck.is_alive());
    assert!(sys.registered().is_empty());
}

both_flavours! {
    send_notify_round_trip => round_trip,
    stop_with_full_mailbox_closes_parked_senders => stop_with_full_mailbox,
    panic_becomes_typed_error => panic_is_typed,
    shutdown_stops_everything => shutdown_works,
}
