//! Lifecycle hooks, stop kinds, Kill, and panics in every hook.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tokio_actors::*;

async fn spawn_with(log: &Log, script: Script) -> ActorHandle<Probe> {
    within("spawn", Probe::new(log).script(script).spawn())
        .await
        .expect("spawn")
}

async fn stop_and_wait(h: &ActorHandle<Probe>, reason: StopReason) -> StopReason {
    within("stop", h.stop(reason)).await.expect("stop");
    within("wait_stopped", h.wait_stopped()).await
}

/// Hook entries of the log (everything except status lines).
fn hooks(log: &Log) -> Vec<String> {
    log.all()
        .into_iter()
        .filter(|e| !e.starts_with("status:"))
        .collect()
}

// 32
#[tokio::test]
async fn hooks_run_in_order() {
    let log = Log::default();
    let h = spawn_with(&log, Script::default()).await;
    within("notify", h.notify(Msg::Echo(1)))
        .await
        .expect("notify");
    within("send", h.send(Msg::Echo(2))).await.expect("send");
    let reason = stop_and_wait(&h, StopReason::Graceful).await;
    assert!(matches!(reason, StopReason::Graceful));
    assert_eq!(
        hooks(&log),
        [
            "pre_start",
            "on_started",
            "m1",
            "m2",
            "pre_stop:graceful",
            "on_stopped:graceful"
        ]
    );
}

// 33
#[tokio::test]
async fn pre_start_error_runs_no_other_hook() {
    let log = Log::default();
    let probe = Probe::new(&log).script(Script {
        pre_start: Act::Fail,
        ..Script::default()
    });
    let dropped = probe.dropped.clone();
    let r = within("spawn", probe.spawn()).await;
    match r {
        Err(SpawnError::Init(e)) => {
            assert!(
                matches!(*e, ActorError::User(ref m) if m == "pre_start failed"),
                "{e:?}"
            )
        }
        other => panic!("expected Init, got {other:?}"),
    }
    assert_eq!(hooks(&log), ["pre_start"]);
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
}

#[derive(Clone)]
enum StartMsg {
    Tick,
}

/// A supervisor whose `on_started` spawns a child, schedules a timer, then fails.
struct FailsAfterSetup {
    log: Log,
    child_name: String,
}

impl Actor for FailsAfterSetup {
    type Message = StartMsg;
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let child_log = self.log.clone();
        ctx.spawn_child(move || Probe::new(&child_log))
            .named(self.child_name.clone())
            .await?;
        ctx.schedule(StartMsg::Tick)
            .after(Duration::from_millis(10))
            .await?;
        ctx.schedule(StartMsg::Tick)
            .every(Duration::from_millis(10))
            .await?;
        Err(ActorError::user("setup failed"))
    }
    async fn handle(&mut self, _: StartMsg, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log.push("tick");
        Ok(())
    }
    async fn on_stopped(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log.push("parent on_stopped");
        Ok(())
    }
}

// 34
#[tokio::test(start_paused = true)]
async fn on_started_error_tears_down_timers_and_children() {
    let log = Log::default();
    let sys = system();
    let child_name = uniq("setup-child");
    let r = within(
        "spawn",
        FailsAfterSetup {
            log: log.clone(),
            child_name: child_name.clone(),
        }
        .spawn()
        .on_system(&sys)
        .supervised(),
    )
    .await;
    assert!(
        matches!(r, Err(SpawnError::Init(ref e)) if matches!(**e, ActorError::User(ref m) if m == "setup failed")),
        "{r:?}"
    );
    // The child was stopped (as ParentRequest, its on_stopped ran) before the spawn returned.
    assert!(log.has("on_stopped:parent"), "{:?}", log.all());
    assert!(sys.get::<Probe>(&child_name).is_none());
    assert!(sys.registered().is_empty());
    tokio::time::advance(Duration::from_secs(1)).await;
    settle().await;
    assert!(!log.has("tick"), "no timer fires");
    assert!(!log.has("parent on_stopped"), "on_stopped does not run");
}

// 35
#[tokio::test]
async fn messages_sent_during_start_are_handled_after_on_started_in_order() {
    let log = Log::default();
    let sys = system();
    let name = uniq("early");
    let gate = Gate::new();
    let probe = Probe::new(&log).script(Script {
        self_notify_on_start: vec![1, 2],
        on_started: Act::Wait(gate.clone()),
        ..Script::default()
    });
    let (s2, n2) = (sys.clone(), name.clone());
    let spawn = tokio::spawn(async move { probe.spawn().named(n2).on_system(&s2).await });
    gate.entered().await;
    let via_registry = sys.get::<Probe>(&name).expect("registered during start");
    within("notify", via_registry.notify(Msg::Echo(3)))
        .await
        .expect("notify");
    settle().await;
    assert!(
        log.with_prefix("m").is_empty(),
        "nothing handled before on_started ends"
    );
    gate.open();
    let h = within("spawn", spawn).await.expect("join").expect("spawn");
    within("send", h.send(Msg::Echo(4))).await.expect("send");
    assert_eq!(
        hooks(&log),
        ["pre_start", "on_started", "m1", "m2", "m3", "m4"]
    );
    sys.shutdown().await;
}

#[tokio::test]
async fn start_failure_frees_the_name() {
    let sys = system();
    let name = uniq("startfail");
    for script in [
        Script {
            pre_start: Act::Fail,
            ..Script::default()
        },
        Script {
            on_started: Act::Fail,
            ..Script::default()
        },
    ] {
        let log = Log::default();
        let r = within(
            "spawn",
            Probe::new(&log)
                .script(script)
                .spawn()
                .named(&name)
                .on_system(&sys),
        )
        .await;
        assert!(matches!(r, Err(SpawnError::Init(_))), "{r:?}");
        assert!(sys.registered().is_empty());
        assert!(sys.get::<Probe>(&name).is_none());
        assert!(!log.has_prefix("on_stopped"));
        assert!(!log.has_prefix("pre_stop"));
    }
    let ok = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&sys),
    )
    .await;
    assert!(ok.is_ok(), "{:?}", ok.err());
    sys.shutdown().await;
}

// 36
#[tokio::test]
async fn ctx_status_per_hook() {
    let log = Log::default();
    let h = spawn_with(&log, Script::default()).await;
    within("send", h.send(Msg::Status)).await.expect("send");
    stop_and_wait(&h, StopReason::Graceful).await;
    assert_eq!(
        log.with_prefix("status:"),
        [
            "status:pre_start:Initializing",
            "status:on_started:Initializing",
            "status:handle:Running",
            "status:on_stopped:Stopping"
        ]
    );
}

// 37, 38
#[tokio::test]
async fn pre_stop_veto_keeps_actor_serving() {
    for reason in [StopReason::Graceful, StopReason::ParentRequest] {
        let log = Log::default();
        let h = spawn_with(
            &log,
            Script {
                vetoes: 1,
                ..Script::default()
            },
        )
        .await;
        let gate = Gate::new();
        within("notify", h.notify(Msg::Block(1, gate.clone())))
            .await
            .expect("notify");
        gate.entered().await;
        within("notify", h.notify(Msg::Echo(2)))
            .await
            .expect("notify");
        within("stop", h.stop(reason.clone())).await.expect("stop");
        gate.open();
        // Vetoed: queued message still handled, actor still serves.
        assert!(matches!(within("send", h.send(Msg::Echo(3))).await, Ok(3)));
        assert!(h.is_alive());
        let st = within("status", h.get_status()).await.expect("status");
        assert_eq!(st.status, ActorStatus::Running);
        assert_eq!(log.with_prefix("m"), ["m1", "m2", "m3"]);
        assert!(!log.has_prefix("on_stopped"));
        // The signal was consumed; a later stop is consulted again and accepted.
        let final_reason = stop_and_wait(&h, reason.clone()).await;
        let tag = reason_tag(&reason);
        assert_eq!(reason_tag(&final_reason), tag);
        assert_eq!(log.count_prefix("pre_stop:"), 2);
        assert!(log.has(&format!("on_stopped:{tag}")), "{:?}", log.all());
    }
}

// 39
#[tokio::test]
async fn cancelled_and_failure_skip_pre_stop() {
    let reasons = [
        StopReason::Cancelled,
        StopReason::Failure(ActorError::user("external")),
    ];
    for reason in reasons {
        let log = Log::default();
        let h = spawn_with(
            &log,
            Script {
                pre_stop: Act::Fail, // would veto if consulted
                ..Script::default()
            },
        )
        .await;
        let final_reason = stop_and_wait(&h, reason.clone()).await;
        assert_eq!(reason_tag(&final_reason), reason_tag(&reason));
        assert!(!log.has_prefix("pre_stop"), "{:?}", log.all());
        assert!(log.has(&format!("on_stopped:{}", reason_tag(&reason))));
    }
}

// 40
#[tokio::test]
async fn kill_runs_no_hook() {
    let log = Log::default();
    let probe = Probe::new(&log).script(Script {
        pre_stop: Act::Fail,
        ..Script::default()
    });
    let dropped = probe.dropped.clone();
    let h = within("spawn", probe.spawn()).await.expect("spawn");
    within("send", h.send(Msg::Echo(1))).await.expect("send");
    let reason = stop_and_wait(&h, StopReason::Kill).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    assert!(!log.has_prefix("pre_stop"), "{:?}", log.all());
    assert!(!log.has_prefix("on_stopped"), "{:?}", log.all());
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
    assert!(!h.is_alive());
}

// 41
#[tokio::test]
async fn kill_interrupts_stuck_handle_and_drops_response() {
    let log = Log::default();
    let h = spawn_with(&log, Script::default()).await;
    let hs = h.clone();
    let in_flight = tokio::spawn(async move { hs.send(Msg::Hang).await });
    let hq = h.clone();
    settle().await;
    let queued = tokio::spawn(async move { hq.send(Msg::Echo(2)).await });
    settle().await;
    within("kill", h.stop(StopReason::Kill))
        .await
        .expect("kill");
    let r = within("in-flight", in_flight).await.expect("join");
    assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    let r = within("queued", queued).await.expect("join");
    assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    assert!(matches!(
        within("wait", h.wait_stopped()).await,
        StopReason::Kill
    ));
    assert!(!log.has_prefix("on_stopped"));
}

#[tokio::test]
async fn kill_interrupts_stuck_on_started() {
    let sys = system();
    let name = uniq("stuck-start");
    let log = Log::default();
    let probe = Probe::new(&log).script(Script {
        on_started: Act::Hang,
        ..Script::default()
    });
    let (s2, n2) = (sys.clone(), name.clone());
    let spawn = tokio::spawn(async move { probe.spawn().named(n2).on_system(&s2).await });
    within("registered", async {
        while sys.get::<Probe>(&name).is_none() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    settle().await;
    within("kill", sys.kill(&name)).await.expect("kill");
    let r = within("spawn", spawn).await.expect("join");
    assert!(matches!(r, Err(SpawnError::Init(_))), "{r:?}");
    assert!(sys.registered().is_empty());
    assert!(!log.has_prefix("on_stopped"));
}

#[tokio::test]
async fn kill_interrupts_stuck_on_stopped() {
    let log = Log::default();
    let h = spawn_with(
        &log,
        Script {
            on_stopped: Act::Hang,
            ..Script::default()
        },
    )
    .await;
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("on_stopped entered", async {
        while !log.has_prefix("on_stopped") {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(h.is_alive(), "alive while Stopping");
    within("kill", h.stop(StopReason::Kill))
        .await
        .expect("kill");
    let reason = within("wait", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
}

// 42
#[tokio::test]
async fn on_stopped_error_becomes_parent_event_reason() {
    let events: Arc<Mutex<Vec<ChildEvent>>> = Default::default();
    let parent = within(
        "spawn",
        Parent {
            events: events.clone(),
        }
        .spawn()
        .supervised(),
    )
    .await
    .expect("spawn");
    let log = Log::default();
    let l2 = log.clone();
    let factory: ProbeFactory = Arc::new(move || {
        Probe::new(&l2).script(Script {
            on_stopped: Act::Fail,
            ..Script::default()
        })
    });
    let child = Parent::spawn_probe(&parent, factory, None)
        .await
        .expect("child");
    within("stop", child.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("event", async {
        while events.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    let ev = events.lock().unwrap()[0].clone();
    assert_eq!(&ev.child_id, child.id());
    assert!(
        matches!(ev.reason, StopReason::Failure(ActorError::User(ref m)) if m == "on_stopped failed"),
        "{:?}",
        ev.reason
    );
    within("stop parent", parent.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", parent.wait_stopped()).await;
}

// 43
#[tokio::test]
async fn name_unregistered_after_termination() {
    let sys = system();
    let name = uniq("gone");
    let h = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&sys),
    )
    .await
    .expect("spawn");
    assert_eq!(sys.registered(), vec![name.clone()]);
    stop_and_wait(&h, StopReason::Cancelled).await;
    assert!(sys.registered().is_empty());
    assert!(sys.get::<Probe>(&name).is_none());
}

// 44
#[tokio::test]
async fn graceful_stop_during_on_started_takes_effect_right_after() {
    let sys = system();
    let name = uniq("stop-in-start");
    let log = Log::default();
    let gate = Gate::new();
    let probe = Probe::new(&log).script(Script {
        on_started: Act::Wait(gate.clone()),
        self_notify_on_start: vec![1],
        ..Script::default()
    });
    let (s2, n2) = (sys.clone(), name.clone());
    let spawn = tokio::spawn(async move { probe.spawn().named(n2).on_system(&s2).await });
    gate.entered().await;
    within("stop", sys.stop(&name)).await.expect("stop");
    gate.open();
    let h = within("spawn", spawn)
        .await
        .expect("join")
        .expect("spawn completes");
    let reason = within("wait", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Graceful), "{reason:?}");
    assert_eq!(
        hooks(&log),
        [
            "pre_start",
            "on_started",
            "pre_stop:graceful",
            "on_stopped:graceful"
        ],
        "stop is handled before the queued message"
    );
}

// Panics in hooks.
#[tokio::test]
async fn panic_in_start_hooks_is_init_panic() {
    for (script, text) in [
        (
            Script {
                pre_start: Act::Panic,
                ..Script::default()
            },
            "pre_start panicked",
        ),
        (
            Script {
                on_started: Act::Panic,
                ..Script::default()
            },
            "on_started panicked",
        ),
    ] {
        let log = Log::default();
        let r = within("spawn", Probe::new(&log).script(script).spawn()).await;
        match r {
            Err(SpawnError::Init(e)) => {
                assert!(
                    matches!(*e, ActorError::Panic(ref m) if m.contains(text)),
                    "{e:?}"
                )
            }
            other => panic!("expected Init(Panic), got {other:?}"),
        }
        assert!(!log.has_prefix("on_stopped"));
    }
}

#[tokio::test]
async fn panic_in_pre_stop_commits_failure() {
    let log = Log::default();
    let h = spawn_with(
        &log,
        Script {
            pre_stop: Act::Panic,
            ..Script::default()
        },
    )
    .await;
    let reason = stop_and_wait(&h, StopReason::Graceful).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::Panic(ref m)) if m.contains("pre_stop panicked")),
        "{reason:?}"
    );
    assert!(
        log.has("on_stopped:panic(pre_stop panicked)"),
        "{:?}",
        log.all()
    );
}

#[tokio::test]
async fn panic_in_on_stopped_replaces_reason() {
    let log = Log::default();
    let h = spawn_with(
        &log,
        Script {
            on_stopped: Act::Panic,
            ..Script::default()
        },
    )
    .await;
    let reason = stop_and_wait(&h, StopReason::Cancelled).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::Panic(ref m)) if m.contains("on_stopped panicked")),
        "{reason:?}"
    );
}

#[tokio::test]
async fn panic_in_handle_failure_stops_actor() {
    let log = Log::default();
    let h = spawn_with(
        &log,
        Script {
            panic_in_handle_failure: true,
            ..Script::default()
        },
    )
    .await;
    within("notify", h.notify(Msg::Fail(1)))
        .await
        .expect("notify");
    let reason = within("wait", h.wait_stopped()).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::Panic(ref m)) if m.contains("handle_failure panicked")),
        "{reason:?}"
    );
    assert!(
        log.has("on_stopped:panic(handle_failure panicked)"),
        "{:?}",
        log.all()
    );
}
