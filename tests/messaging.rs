//! Sending and replies, plus FIFO, load, `send_timeout` and `wait_stopped`.
mod common;

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use tokio_actors::*;

async fn spawn_probe(log: &Log, capacity: usize) -> ActorHandle<Probe> {
    within(
        "spawn",
        Probe::new(log)
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(capacity)),
    )
    .await
    .expect("spawn")
}

// 14
#[tokio::test]
async fn send_returns_value_and_notifies_are_handled_in_order() {
    let log = Log::default();
    let h = spawn_probe(&log, 64).await;
    for n in 1..=5 {
        within("notify", h.notify(Msg::Echo(n)))
            .await
            .expect("notify");
    }
    let r = within("send", h.send(Msg::Echo(42))).await;
    assert!(matches!(r, Ok(42)), "{r:?}");
    assert_eq!(log.with_prefix("m"), ["m1", "m2", "m3", "m4", "m5", "m42"]);
}

// 15
#[tokio::test]
async fn notify_error_goes_to_handle_failure_and_actor_continues() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    within("notify", h.notify(Msg::Fail(1)))
        .await
        .expect("notify");
    within("notify", h.notify(Msg::Echo(2)))
        .await
        .expect("notify");
    assert!(matches!(within("send", h.send(Msg::Echo(3))).await, Ok(3)));
    assert_eq!(log.with_prefix("handle_failure"), ["handle_failure:fail 1"]);
    assert_eq!(log.with_prefix("m"), ["m1", "m2", "m3"]);
    assert!(h.is_alive());
    assert!(!log.has_prefix("on_stopped"));
}

// 16
#[tokio::test]
async fn send_error_reaches_caller_and_stops_actor_without_pre_stop() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    let r = within("send", h.send(Msg::Fail(1))).await;
    assert!(
        matches!(r, Err(AskError::Actor(ActorError::User(ref m))) if m == "fail 1"),
        "{r:?}"
    );
    let reason = within("wait_stopped", h.wait_stopped()).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::User(ref m)) if m == "fail 1"),
        "{reason:?}"
    );
    assert!(!h.is_alive());
    assert!(log.has("on_stopped:failure(fail 1)"), "{:?}", log.all());
    assert!(!log.has_prefix("pre_stop"));
    assert!(!log.has_prefix("handle_failure"));
}

// 17
#[tokio::test]
async fn try_notify_full_then_closed() {
    let log = Log::default();
    let h = spawn_probe(&log, 1).await;
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    assert!(h.try_notify(Msg::Echo(2)).is_ok());
    assert!(matches!(
        h.try_notify(Msg::Echo(3)),
        Err(TrySendError::Full)
    ));
    gate.open();
    assert!(matches!(within("send", h.send(Msg::Echo(4))).await, Ok(4)));
    assert_eq!(log.with_prefix("m"), ["m1", "m2", "m4"]);
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", h.wait_stopped()).await;
    assert!(matches!(
        h.try_notify(Msg::Echo(5)),
        Err(TrySendError::Closed)
    ));
}

// 18 (paused clock: the sleep below only ends once every task is idle, so "still waiting" is
// checked after the waiting notify had every chance to complete)
#[tokio::test(start_paused = true)]
async fn notify_on_full_mailbox_waits_for_space() {
    let log = Log::default();
    let h = spawn_probe(&log, 1).await;
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("notify", h.notify(Msg::Echo(2)))
        .await
        .expect("notify");
    let h2 = h.clone();
    let waiting = tokio::spawn(async move { h2.notify(Msg::Echo(3)).await });
    settle().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!waiting.is_finished(), "notify must wait while full");
    gate.open();
    let r = within("waiting notify", waiting).await.expect("join");
    assert!(r.is_ok(), "{r:?}");
    assert!(matches!(within("send", h.send(Msg::Echo(4))).await, Ok(4)));
    assert_eq!(log.with_prefix("m"), ["m1", "m2", "m3", "m4"]);
}

// 19
#[tokio::test]
async fn waiting_notify_gets_closed_when_actor_stops() {
    let log = Log::default();
    let h = spawn_probe(&log, 1).await;
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("notify", h.notify(Msg::Echo(2)))
        .await
        .expect("notify");
    let h2 = h.clone();
    let waiting = tokio::spawn(async move { h2.notify(Msg::Echo(3)).await });
    settle().await;
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    gate.open();
    let r = within("waiting notify", waiting).await.expect("join");
    assert!(matches!(r, Err(SendError::Closed)), "{r:?}");
    within("wait", h.wait_stopped()).await;
    assert_eq!(log.with_prefix("m"), ["m1"]);
}

// 20
#[tokio::test]
async fn queued_sends_resolve_response_dropped_at_stop() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    let gate = Gate::new();
    let h1 = h.clone();
    let g = gate.clone();
    let in_flight = tokio::spawn(async move { h1.send(Msg::Block(1, g)).await });
    gate.entered().await;
    let mut queued = Vec::new();
    for n in 2..=4 {
        let hq = h.clone();
        queued.push(tokio::spawn(async move { hq.send(Msg::Echo(n)).await }));
    }
    within("queue", async {
        while h.mailbox_len() < 3 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    gate.open();
    let r = within("in-flight send", in_flight).await.expect("join");
    assert!(
        matches!(r, Ok(1)),
        "the message in progress finishes: {r:?}"
    );
    for q in queued {
        let r = within("queued send", q).await.expect("join");
        assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    }
    within("wait", h.wait_stopped()).await;
    assert_eq!(log.with_prefix("m"), ["m1"]);
}

// 21
#[tokio::test]
async fn notify_and_send_after_termination_are_closed() {
    let h = spawn_probe(&Log::default(), 8).await;
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", h.wait_stopped()).await;
    let n = within("notify", h.notify(Msg::Echo(1))).await;
    assert!(matches!(n, Err(SendError::Closed)), "{n:?}");
    let s = within("send", h.send(Msg::Echo(1))).await;
    assert!(matches!(s, Err(AskError::Send(SendError::Closed))), "{s:?}");
}

// 22
#[tokio::test]
async fn mailbox_len_invariant_excludes_message_in_progress() {
    let h = spawn_probe(&Log::default(), 4).await;
    let check = |len: usize| {
        assert_eq!(h.mailbox_len(), len);
        assert_eq!(
            h.mailbox_len() + h.mailbox_available(),
            h.mailbox_capacity()
        );
        assert_eq!(h.mailbox_capacity(), 4);
    };
    check(0);
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    check(0);
    for n in 2..=3 {
        within("notify", h.notify(Msg::Echo(n)))
            .await
            .expect("notify");
    }
    check(2);
    gate.open();
    within("send", h.send(Msg::Echo(9))).await.expect("send");
    check(0);
    // Fill again with a blocked handler, then stop: 0 after termination.
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(4, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("notify", h.notify(Msg::Echo(5)))
        .await
        .expect("notify");
    check(1);
    within("kill", h.stop(StopReason::Kill))
        .await
        .expect("kill");
    within("wait", h.wait_stopped()).await;
    check(0);
}

// 23
// Handles hash by id only, so interior mutability behind the handle cannot change the key.
#[allow(clippy::mutable_key_type)]
#[tokio::test]
async fn handle_equality_and_hash() {
    let a = spawn_probe(&Log::default(), 8).await;
    let b = spawn_probe(&Log::default(), 8).await;
    let a2 = a.clone();
    assert_eq!(a, a2);
    assert_ne!(a, b);
    let set: HashSet<_> = [a.clone(), a2.clone(), a.clone()].into_iter().collect();
    assert_eq!(set.len(), 1);
    let set: HashSet<_> = [a.clone(), b.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(format!("{a:?}").contains(a.id().as_str()));
}

// 24
#[tokio::test]
async fn spawn_returns_after_on_started() {
    let log = Log::default();
    let gate = Gate::new();
    let probe = Probe::new(&log).script(Script {
        on_started: Act::Wait(gate.clone()),
        ..Script::default()
    });
    let spawn = tokio::spawn(async move { probe.spawn().await });
    gate.entered().await;
    settle().await;
    assert!(!spawn.is_finished(), "spawn must wait for on_started");
    gate.open();
    let h = within("spawn", spawn)
        .await
        .expect("join")
        .expect("spawn ok");
    assert!(h.is_alive());
    assert_eq!(log.with_prefix("on_started"), ["on_started"]);
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", h.wait_stopped()).await;
    assert!(!h.is_alive());
}

// 25
#[tokio::test]
async fn panic_in_send_handler_is_typed_error_and_stops() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    let r = within("send", h.send(Msg::Panic(7))).await;
    assert!(
        matches!(r, Err(AskError::Actor(ActorError::Panic(ref m))) if m.contains("handler panic 7")),
        "{r:?}"
    );
    let reason = within("wait", h.wait_stopped()).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::Panic(ref m)) if m.contains("handler panic 7")),
        "{reason:?}"
    );
    assert!(
        log.has("on_stopped:panic(handler panic 7)"),
        "{:?}",
        log.all()
    );
}

// 26
#[tokio::test]
async fn panic_in_notify_handler_stops_without_handle_failure() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    within("notify", h.notify(Msg::Panic(3)))
        .await
        .expect("notify");
    let reason = within("wait", h.wait_stopped()).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::Panic(ref m)) if m.contains("handler panic 3")),
        "{reason:?}"
    );
    assert!(!log.has_prefix("handle_failure"), "{:?}", log.all());
    assert!(!h.is_alive());
}

// 27
#[tokio::test]
async fn dropping_all_handles_does_not_stop_the_actor() {
    // Named: still reachable through the registry.
    let sys = system();
    let name = uniq("orphan");
    let log = Log::default();
    let h = within(
        "spawn",
        Probe::new(&log).spawn().named(&name).on_system(&sys),
    )
    .await
    .expect("spawn");
    drop(h);
    settle().await;
    let again = sys.get::<Probe>(&name).expect("still registered");
    assert!(again.is_alive());
    assert!(matches!(
        within("send", again.send(Msg::Echo(1))).await,
        Ok(1)
    ));
    drop(again);
    // Anonymous: keeps handling queued messages after the last handle is gone.
    let log2 = Log::default();
    let probe = Probe::new(&log2);
    let dropped = probe.dropped.clone();
    let h = within("spawn", probe.spawn()).await.expect("spawn");
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    within("notify", h.notify(Msg::Echo(2)))
        .await
        .expect("notify");
    gate.entered().await;
    drop(h);
    gate.open();
    within("h2 handled", async {
        while !log2.has("m2") {
            tokio::task::yield_now().await;
        }
    })
    .await;
    settle().await;
    assert!(!dropped.load(Ordering::SeqCst), "actor must not be dropped");
    assert!(!log2.has_prefix("on_stopped"));
    sys.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_per_sender() {
    let log = Log::default();
    let h = spawn_probe(&log, 4).await;
    let mut tasks = Vec::new();
    for s in 0..8u64 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..200u64 {
                h.notify(Msg::Echo(s * 1000 + i)).await.expect("notify");
            }
        }));
    }
    for t in tasks {
        within("sender", t).await.expect("join");
    }
    within("flush", h.send(Msg::Echo(999_999)))
        .await
        .expect("send");
    let handled: Vec<u64> = log
        .with_prefix("m")
        .iter()
        .map(|s| s[1..].parse().expect("number"))
        .collect();
    assert_eq!(handled.len(), 8 * 200 + 1);
    for s in 0..8u64 {
        let mine: Vec<u64> = handled.iter().copied().filter(|v| v / 1000 == s).collect();
        let expected: Vec<u64> = (0..200).map(|i| s * 1000 + i).collect();
        assert_eq!(mine, expected, "sender {s} out of order");
    }
}

/// A cheap counter actor for the load test.
struct Adder(u64);
impl Actor for Adder {
    type Message = u64;
    type Response = u64;
    async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        self.0 += 1;
        Ok(n * 2)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_sends_all_answered() {
    let h = within("spawn", Adder(0).spawn()).await.expect("spawn");
    let mut tasks = Vec::new();
    for t in 0..100u64 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let mut answered = 0;
            for i in 0..100u64 {
                let n = t * 100 + i;
                match h.send(n).await {
                    Ok(r) if r == n * 2 => answered += 1,
                    other => panic!("send {n}: {other:?}"),
                }
            }
            answered
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += within("sender", t).await.expect("join");
    }
    assert_eq!(total, 10_000);
    assert!(h.is_alive());
}

#[tokio::test]
async fn panic_in_one_actor_does_not_affect_sibling() {
    let (la, lb) = (Log::default(), Log::default());
    let a = spawn_probe(&la, 8).await;
    let b = spawn_probe(&lb, 8).await;
    let r = within("send", a.send(Msg::Panic(1))).await;
    assert!(matches!(r, Err(AskError::Actor(ActorError::Panic(_)))));
    within("wait", a.wait_stopped()).await;
    assert!(b.is_alive());
    assert!(matches!(within("send", b.send(Msg::Echo(5))).await, Ok(5)));
}

// Request timeout
#[tokio::test(start_paused = true)]
async fn send_timeout_not_enqueued_when_mailbox_stays_full() {
    let log = Log::default();
    let h = spawn_probe(&log, 1).await;
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("notify", h.notify(Msg::Echo(2)))
        .await
        .expect("notify");
    let r = within(
        "send_timeout",
        h.send_timeout(Msg::Echo(3), Duration::from_secs(1)),
    )
    .await;
    assert!(
        matches!(r, Err(AskError::Timeout { enqueued: false })),
        "{r:?}"
    );
    gate.open();
    assert!(matches!(within("send", h.send(Msg::Echo(4))).await, Ok(4)));
    assert_eq!(
        log.with_prefix("m"),
        ["m1", "m2", "m4"],
        "message 3 never entered"
    );
}

#[tokio::test(start_paused = true)]
async fn send_timeout_enqueued_when_handler_is_slow() {
    let log = Log::default();
    let h = spawn_probe(&log, 4).await;
    let start = tokio::time::Instant::now();
    let r = within(
        "send_timeout",
        h.send_timeout(
            Msg::Sleep(1, Duration::from_secs(3)),
            Duration::from_secs(1),
        ),
    )
    .await;
    assert!(
        matches!(r, Err(AskError::Timeout { enqueued: true })),
        "{r:?}"
    );
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    // It is still handled.
    assert!(matches!(within("send", h.send(Msg::Echo(2))).await, Ok(2)));
    assert_eq!(log.with_prefix("m"), ["m1", "m2"]);
    assert!(h.is_alive());
}

#[tokio::test(start_paused = true)]
async fn send_timeout_normal_outcomes() {
    let log = Log::default();
    let h = spawn_probe(&log, 4).await;
    let d = Duration::from_secs(1);
    assert!(matches!(
        within("ok", h.send_timeout(Msg::Echo(1), d)).await,
        Ok(1)
    ));
    // ResponseDropped: queued behind a blocked handler, then the actor stops.
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(2, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    let hq = h.clone();
    let queued =
        tokio::spawn(async move { hq.send_timeout(Msg::Echo(3), Duration::from_secs(60)).await });
    within("queued", async {
        while h.mailbox_len() < 1 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    within("stop", h.stop(StopReason::Cancelled))
        .await
        .expect("stop");
    gate.open();
    let r = within("queued", queued).await.expect("join");
    assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    within("wait", h.wait_stopped()).await;
    let r = within("closed", h.send_timeout(Msg::Echo(4), d)).await;
    assert!(matches!(r, Err(AskError::Send(SendError::Closed))), "{r:?}");
    // Handler error.
    let h = spawn_probe(&log, 4).await;
    let r = within("fail", h.send_timeout(Msg::Fail(5), d)).await;
    assert!(
        matches!(r, Err(AskError::Actor(ActorError::User(_)))),
        "{r:?}"
    );
    let reason = within("wait", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Failure(ActorError::User(_))));
}

// Awaitable termination
#[tokio::test]
async fn wait_stopped_resolves_after_actor_value_dropped() {
    let log = Log::default();
    let probe = Probe::new(&log).script(Script {
        on_stopped: Act::Ok,
        ..Script::default()
    });
    let dropped = probe.dropped.clone();
    let h = within("spawn", probe.spawn()).await.expect("spawn");
    let h2 = h.clone();
    let d2 = dropped.clone();
    let waiter = tokio::spawn(async move {
        let r = h2.wait_stopped().await;
        (r, d2.load(Ordering::SeqCst), h2.is_alive())
    });
    settle().await;
    assert!(!waiter.is_finished());
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    let (reason, was_dropped, alive) = within("waiter", waiter).await.expect("join");
    assert!(matches!(reason, StopReason::Graceful), "{reason:?}");
    assert!(
        was_dropped,
        "actor value must be dropped before wait_stopped resolves"
    );
    assert!(!alive);
    // Also after Kill.
    let probe = Probe::new(&log);
    let dropped = probe.dropped.clone();
    let h = within("spawn", probe.spawn()).await.expect("spawn");
    within("notify", h.notify(Msg::Hang)).await.expect("notify");
    within("kill", h.stop(StopReason::Kill))
        .await
        .expect("kill");
    let reason = within("wait", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test]
async fn wait_stopped_is_immediate_when_terminated_and_supports_many_waiters() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    let mut waiters = Vec::new();
    for _ in 0..10 {
        let h = h.clone();
        waiters.push(tokio::spawn(async move { h.wait_stopped().await }));
    }
    // A dropped wait changes nothing.
    let h3 = h.clone();
    let abandoned = tokio::spawn(async move { h3.wait_stopped().await });
    settle().await;
    abandoned.abort();
    within("stop", h.stop(StopReason::Cancelled))
        .await
        .expect("stop");
    for w in waiters {
        let r = within("waiter", w).await.expect("join");
        assert!(matches!(r, StopReason::Cancelled), "{r:?}");
    }
    // Already terminated: resolves at once, repeatedly, with the same reason.
    for _ in 0..3 {
        let r = within("again", h.wait_stopped()).await;
        assert!(matches!(r, StopReason::Cancelled), "{r:?}");
    }
}

#[tokio::test]
async fn wait_stopped_reports_substituted_reason() {
    let log = Log::default();
    let probe = Probe::new(&log).script(Script {
        on_stopped: Act::Fail,
        ..Script::default()
    });
    let h = within("spawn", probe.spawn()).await.expect("spawn");
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    let r = within("wait", h.wait_stopped()).await;
    assert!(
        matches!(r, StopReason::Failure(ActorError::User(ref m)) if m == "on_stopped failed"),
        "{r:?}"
    );
}
