//! A panic in user `Drop` code must never skip an exit step nor change a committed reason.
//!
//! Every exit path is run with an actor value whose `Drop` panics: afterwards the name is free,
//! `is_alive()` is false, `wait_stopped` returns the committed reason, `get_status` fails, and a
//! supervisor sees the right `ChildEvent`. The same holds for a queued message whose `Drop`
//! panics when the stop discards it. The last part holds regressions for the other defects of
//! the same report: a cancelled `stop_child` must not orphan its child, an accepted `Kill` runs
//! no further handler, and a priority message never overtakes an accepted stop.
//!
//! Every wait is bounded (`common::within`), so a missing exit step fails a test instead of
//! hanging the suite.

#[path = "drop_panics_support/actors.rs"]
mod actors;
mod common;

use std::future::IntoFuture;
use std::sync::atomic::Ordering;
use std::time::Duration;

use actors::*;
use common::{uniq, within, Gate, Log};
use tokio_actors::*;

// ---------------------------------------------------------------------------------------------
// Unsupervised exit paths.

async fn graceful() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    within("stop", h.stop(StopReason::Graceful)).await.unwrap();
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(
        matches!(reason, StopReason::Graceful),
        "reason changed to {reason:?}"
    );
    assert!(log.has("on_stopped:graceful"), "{:?}", log.all());
}
both_flavours!(graceful_drop_panic_keeps_reason => graceful);

async fn cancelled() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    within("stop", h.stop(StopReason::Cancelled)).await.unwrap();
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(
        matches!(reason, StopReason::Cancelled),
        "reason changed to {reason:?}"
    );
    assert!(log.has("on_stopped:cancelled"), "{:?}", log.all());
}
both_flavours!(cancelled_drop_panic_keeps_reason => cancelled);

async fn failure() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    let r = within("send", h.send(BM::Fail)).await;
    assert!(
        matches!(r, Err(AskError::Actor(ActorError::User(_)))),
        "{r:?}"
    );
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::User(_))),
        "reason changed to {reason:?}"
    );
}
both_flavours!(failure_drop_panic_keeps_reason => failure);

async fn kill() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    // Killed inside a handler that never finishes, with a `send` queued behind it.
    let gate = Gate::new();
    h.notify(BM::Block(gate.clone())).await.unwrap();
    gate.entered().await;
    let queued = {
        let h = h.clone();
        tokio::spawn(async move { h.send(BM::Echo(1)).await })
    };
    within("send queued", async {
        while h.mailbox_len() < 1 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    within("kill", h.stop(StopReason::Kill)).await.unwrap();
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    let r = within("queued send", queued).await.unwrap();
    assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
}
both_flavours!(kill_drop_panic_runs_exit_steps => kill);

async fn kill_during_startup() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let bomb = Bomb::armed(&log).with(|b| b.hang_pre_start = true);
    let spawn = tokio::spawn(
        bomb.spawn()
            .named(name.clone())
            .on_system(&sys)
            .into_future(),
    );
    let h = within("registered while starting", async {
        loop {
            match sys.get::<Bomb>(&name) {
                Some(h) if log.has("pre_start:hanging") => return h,
                _ => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        }
    })
    .await;
    within("kill", sys.kill(&name)).await.unwrap();
    let r = within("spawn returns", spawn).await.unwrap();
    assert!(r.is_err(), "spawn of a killed actor succeeded");
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    // The name is free for a new actor.
    let again = spawn_bomb(&sys, Bomb::armed(&log).with(|b| b.armed = false), &name).await;
    again.stop(StopReason::Kill).await.unwrap();
    within("second", again.wait_stopped()).await;
}
both_flavours!(kill_during_startup_drop_panic_frees_name => kill_during_startup);

/// `ActorSystem::shutdown` escalates to Kill on an actor that vetoes; it must still see it end.
async fn shutdown_escalates() {
    let policy = ShutdownPolicy {
        timeout: Duration::from_secs(2),
        per_actor_timeout: Duration::from_millis(50),
    };
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let bomb = Bomb::armed(&log).with(|b| b.veto_graceful = true);
    let h = spawn_bomb(&sys, bomb, &name).await;
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    assert!(report.unresponsive.is_empty(), "{report:?}");
    assert_eq!(report.killed, vec![h.id().clone()], "{report:?}");
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
}
both_flavours!(system_shutdown_kill_drop_panic_not_unresponsive => shutdown_escalates);

fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    let mut b = if multi_thread {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_all().build().expect("runtime")
}

fn runtime_shutdown_case(multi_thread: bool) {
    let (sys, log) = (system(), Log::default());
    let (lone, boss_name, child) = (uniq("lone"), uniq("boss"), uniq("child"));
    let rt = runtime(multi_thread);
    let (h, boss, kid) = rt.block_on(async {
        let h = spawn_bomb(&sys, Bomb::armed(&log), &lone).await;
        let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_one()).await;
        let kid = boss
            .add(ChildPlan::new(&child, &log).armed_from(1))
            .await
            .expect("child spawns");
        (h, boss, kid)
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    runtime(false).block_on(async {
        for (name, reason) in [
            (&lone, assert_gone(&sys, &lone, &h).await),
            (&child, assert_gone(&sys, &child, &kid).await),
            (
                &boss_name,
                assert_gone(&sys, &boss_name, &boss.handle).await,
            ),
        ] {
            assert!(matches!(reason, StopReason::Kill), "{name}: {reason:?}");
        }
        assert!(sys.registered().is_empty(), "{:?}", sys.registered());
    });
}

#[test]
fn runtime_shutdown_drop_panic_current_thread() {
    runtime_shutdown_case(false)
}

#[test]
fn runtime_shutdown_drop_panic_multi_thread() {
    runtime_shutdown_case(true)
}

// ---------------------------------------------------------------------------------------------
// Queued messages whose `Drop` panics when a stop discards them.

async fn queued_payload(reason: StopReason) {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let bomb = Bomb::armed(&log).with(|b| b.armed = false);
    let h = spawn_bomb(&sys, bomb, &name).await;
    let gate = Gate::new();
    h.notify(BM::Block(gate.clone())).await.unwrap();
    gate.entered().await;
    h.notify(BM::Payload(Payload { armed: true }))
        .await
        .unwrap();
    let pending = {
        let h = h.clone();
        tokio::spawn(async move { h.send(BM::Echo(7)).await })
    };
    within("queued", async {
        while h.mailbox_len() < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    within("stop", h.stop(reason.clone())).await.unwrap();
    gate.open();
    let got = assert_gone(&sys, &name, &h).await;
    assert_eq!(
        common::reason_tag(&got),
        common::reason_tag(&reason),
        "the discarded message's Drop changed the reason"
    );
    let r = within("discarded send", pending).await.unwrap();
    assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    assert!(!log.has("payload handled"), "{:?}", log.all());
    assert!(!log.has("m7"), "{:?}", log.all());
    if !matches!(reason, StopReason::Kill) {
        let want = format!("on_stopped:{}", common::reason_tag(&reason));
        assert!(log.has(&want), "on_stopped skipped: {:?}", log.all());
    }
}

async fn queued_payload_graceful() {
    queued_payload(StopReason::Graceful).await
}
both_flavours!(queued_drop_panic_message_at_graceful_stop => queued_payload_graceful);

async fn queued_payload_kill() {
    queued_payload(StopReason::Kill).await
}
both_flavours!(queued_drop_panic_message_at_kill => queued_payload_kill);

// ---------------------------------------------------------------------------------------------
// Supervised children whose value panics in `Drop`.

fn is_user_failure(r: &StopReason) -> bool {
    matches!(r, StopReason::Failure(ActorError::User(_)))
}

async fn child_exit(how: &str) {
    let (sys, log) = (system(), Log::default());
    let boss = Boss::spawn(&sys, &uniq("boss"), SupervisionConfig::one_for_one()).await;
    let name = uniq("kid");
    // Transient: restarted after an abnormal exit only.
    let restart = if matches!(how, "graceful" | "cancelled") {
        RestartType::Transient
    } else {
        RestartType::Permanent
    };
    let plan = ChildPlan::new(&name, &log).armed_once().restart(restart);
    let kid = boss.add(plan.clone()).await.expect("child spawns");
    match how {
        "graceful" => within("stop", kid.stop(StopReason::Graceful))
            .await
            .unwrap(),
        "failure" => {
            let r = within("send", kid.send(BM::Fail)).await;
            assert!(matches!(r, Err(AskError::Actor(_))), "{r:?}");
        }
        "cancelled" => within("stop", kid.stop(StopReason::Cancelled))
            .await
            .unwrap(),
        _ => within("kill", kid.stop(StopReason::Kill)).await.unwrap(),
    }
    let events = boss.events_at_least(1).await;
    let ev = &events[0];
    assert_eq!(ev.child_name.as_deref(), Some(name.as_str()));
    match how {
        "graceful" => {
            assert!(matches!(ev.reason, StopReason::Graceful), "{:?}", ev.reason);
            assert_eq!(ev.action, SupervisionAction::Removed, "{ev:?}");
            assert_gone(&sys, &name, &kid).await;
            assert!(boss.children().await.is_empty());
            assert_eq!(
                plan.calls(),
                1,
                "a Transient child that exited normally was restarted"
            );
        }
        "cancelled" => {
            assert!(
                matches!(ev.reason, StopReason::Cancelled),
                "{:?}",
                ev.reason
            );
            assert_eq!(ev.action, SupervisionAction::Restarted, "{ev:?}");
            boss.settled(1).await;
            assert_eq!(plan.calls(), 2);
        }
        "failure" => {
            assert!(is_user_failure(&ev.reason), "{:?}", ev.reason);
            assert_eq!(ev.action, SupervisionAction::Restarted, "{ev:?}");
            boss.settled(1).await;
            assert_eq!(plan.calls(), 2);
        }
        _ => {
            assert!(matches!(ev.reason, StopReason::Kill), "{:?}", ev.reason);
            assert_eq!(ev.action, SupervisionAction::Restarted, "{ev:?}");
            boss.settled(1).await;
            assert_eq!(plan.calls(), 2);
            assert!(sys.registered().contains(&name));
        }
    }
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    within("boss ends", boss.handle.wait_stopped()).await;
    assert!(sys.registered().is_empty(), "{:?}", sys.registered());
    assert_eq!(boss.events().len(), 1, "{:?}", boss.events());
}

async fn child_graceful() {
    child_exit("graceful").await
}
both_flavours!(transient_child_graceful_drop_panic_is_removed => child_graceful);

async fn child_cancelled() {
    child_exit("cancelled").await
}
both_flavours!(transient_child_cancelled_drop_panic_is_restarted => child_cancelled);

async fn child_failure() {
    child_exit("failure").await
}
both_flavours!(child_failure_drop_panic_keeps_reason => child_failure);

async fn child_kill() {
    child_exit("kill").await
}
both_flavours!(child_kill_drop_panic_is_reported_and_restarted => child_kill);

/// The supervisor stops; its child's value panics in `Drop`.
async fn supervisor_stop(policy: Shutdown) {
    let (sys, log) = (system(), Log::default());
    let boss_name = uniq("boss");
    let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_one()).await;
    let name = uniq("kid");
    let plan = ChildPlan::new(&name, &log).armed_from(1).shutdown(policy);
    let kid = boss.add(plan).await.expect("child spawns");
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    let boss_reason = assert_gone(&sys, &boss_name, &boss.handle).await;
    assert!(
        matches!(boss_reason, StopReason::Graceful),
        "{boss_reason:?}"
    );
    assert!(!kid.is_alive(), "child outlived its supervisor");
    let reason = assert_gone(&sys, &name, &kid).await;
    let want_kill = matches!(policy, Shutdown::Kill);
    if want_kill {
        assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    } else {
        assert!(
            matches!(reason, StopReason::ParentRequest),
            "reason changed to {reason:?}"
        );
        assert!(log.has("on_stopped:parent"), "{:?}", log.all());
    }
    assert!(boss.events().is_empty(), "{:?}", boss.events());
}

async fn supervisor_stop_timeout() {
    supervisor_stop(Shutdown::Timeout(Duration::from_secs(2))).await
}
both_flavours!(supervisor_stop_child_drop_panic => supervisor_stop_timeout);

async fn supervisor_stop_kill() {
    supervisor_stop(Shutdown::Kill).await
}
both_flavours!(supervisor_stop_kill_policy_child_drop_panic => supervisor_stop_kill);

/// OneForAll: `b` fails, so `a` is stopped by the group restart and its value panics in `Drop`.
async fn group_restart(policy: Shutdown) {
    let (sys, log) = (system(), Log::default());
    let boss_name = uniq("boss");
    let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_all()).await;
    let (a, b) = (uniq("a"), uniq("b"));
    let pa = ChildPlan::new(&a, &log).armed_once().shutdown(policy);
    let pb = ChildPlan::new(&b, &log);
    boss.add(pa.clone()).await.expect("a spawns");
    let hb = boss.add(pb.clone()).await.expect("b spawns");
    let r = within("fail b", hb.send(BM::Fail)).await;
    assert!(matches!(r, Err(AskError::Actor(_))), "{r:?}");
    let events = boss.events_at_least(1).await;
    assert_eq!(events[0].child_name.as_deref(), Some(b.as_str()));
    assert_eq!(events[0].action, SupervisionAction::Restarted);
    assert!(is_user_failure(&events[0].reason), "{:?}", events[0].reason);
    let kids = boss.settled(2).await;
    let names: Vec<_> = kids
        .iter()
        .map(|c| c.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, vec![a.clone(), b.clone()]);
    assert_eq!((pa.calls(), pb.calls()), (2, 2));
    let mut reg = sys.registered();
    reg.sort();
    let mut want = vec![a.clone(), b.clone(), boss_name.clone()];
    want.sort();
    assert_eq!(reg, want);
    assert_eq!(
        boss.events().len(),
        1,
        "group members produced events: {:?}",
        boss.events()
    );
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    assert_gone(&sys, &boss_name, &boss.handle).await;
    assert!(sys.registered().is_empty(), "{:?}", sys.registered());
}

async fn group_restart_timeout() {
    group_restart(Shutdown::Timeout(Duration::from_secs(2))).await
}
both_flavours!(group_restart_sibling_drop_panic => group_restart_timeout);

async fn group_restart_kill() {
    group_restart(Shutdown::Kill).await
}
both_flavours!(group_restart_kill_policy_sibling_drop_panic => group_restart_kill);

// ---------------------------------------------------------------------------------------------
// A cancelled `stop_child` must not orphan its child.

async fn cancelled_stop_child() {
    let (sys, log) = (system(), Log::default());
    let boss_name = uniq("boss");
    let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_one()).await;
    let (a, b) = (uniq("stubborn"), uniq("b"));
    let ha = match within("add a", boss.handle.send(BossMsg::AddStubborn(a.clone()))).await {
        Ok(BossReply::AddedStubborn(r)) => r.expect("a spawns"),
        _ => panic!("unexpected reply"),
    };
    boss.add(ChildPlan::new(&b, &log)).await.expect("b spawns");
    // `a` vetoes and has `Shutdown::Infinity`: this `stop_child` is dropped half-way.
    let short = BossMsg::StopChild(a.clone(), Duration::from_millis(50));
    match within("stop a", boss.handle.send(short)).await {
        Ok(BossReply::Stopped(None)) => {}
        _ => panic!("stop_child of a vetoing child should have timed out"),
    }
    let long = BossMsg::StopChild(b.clone(), Duration::from_secs(3));
    match within("stop b", boss.handle.send(long)).await {
        Ok(BossReply::Stopped(Some(Ok(())))) => {}
        _ => panic!("stop_child(b) failed"),
    }
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    assert_gone(&sys, &boss_name, &boss.handle).await;
    assert!(
        !ha.is_alive(),
        "the child of a cancelled stop_child outlived its supervisor"
    );
    assert_gone(&sys, &a, &ha).await;
    assert!(sys.registered().is_empty(), "{:?}", sys.registered());
}
both_flavours!(cancelled_stop_child_leaves_no_orphan => cancelled_stop_child);

// ---------------------------------------------------------------------------------------------
// After an accepted Kill no further handler runs.

async fn self_kill_with_queued_sends() {
    let (t, started, _) = tally();
    let config = ActorConfig::default().with_mailbox_capacity(128);
    let h = within("spawn", t.spawn().with_config(config))
        .await
        .unwrap();
    let gate = Gate::new();
    h.notify(TM::KillSelf(gate.clone())).await.unwrap();
    gate.entered().await;
    let sends: Vec<_> = (0..127)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.send(TM::Count).await })
        })
        .collect();
    within("127 queued", async {
        while h.mailbox_len() < 127 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    gate.open();
    let reason = within("wait_stopped", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    for s in sends {
        let r = within("queued send", s).await.unwrap();
        assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    }
    assert_eq!(
        started.load(Ordering::SeqCst),
        0,
        "handlers ran after an accepted Kill"
    );
}
both_flavours!(self_kill_runs_no_queued_message => self_kill_with_queued_sends);

async fn external_kill_on_busy_actor() {
    for round in 0..10 {
        let (t, started, _) = tally();
        let config = ActorConfig::default().with_mailbox_capacity(256);
        let h = within("spawn", t.spawn().with_config(config))
            .await
            .unwrap();
        let gate = Gate::new();
        h.notify(TM::Block(gate.clone())).await.unwrap();
        gate.entered().await;
        for _ in 0..200 {
            h.try_notify(TM::Spin).expect("room");
        }
        gate.open();
        within("busy", async {
            while started.load(Ordering::SeqCst) == 0 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        within("kill", h.stop(StopReason::Kill)).await.unwrap();
        let at_kill = started.load(Ordering::SeqCst);
        within("wait_stopped", h.wait_stopped()).await;
        let after = started.load(Ordering::SeqCst);
        assert!(
            after <= at_kill + 1,
            "round {round}: {} handlers started after Kill was accepted",
            after - at_kill
        );
    }
}
both_flavours!(external_kill_on_busy_actor_runs_no_more_handlers => external_kill_on_busy_actor);

// ---------------------------------------------------------------------------------------------
// A priority message never overtakes an accepted stop.

async fn priority_after_stop() {
    let mut busy_rounds = 0;
    for round in 0..1000 {
        let (t, started, marker) = tally();
        let config = ActorConfig::default()
            .with_priority_lane(4)
            .with_mailbox_capacity(1024);
        let h = within("spawn", t.spawn().with_config(config))
            .await
            .unwrap();
        let busy = round % 3 != 0;
        if busy {
            // The actor is taking mailbox messages in a tight loop when the stop arrives.
            let gate = Gate::new();
            h.notify(TM::Block(gate.clone())).await.unwrap();
            gate.entered().await;
            for _ in 0..1000 {
                h.try_notify(TM::Count).expect("room");
            }
            gate.open();
            within("busy", async {
                while started.load(Ordering::SeqCst) < 10 {
                    tokio::task::yield_now().await;
                }
            })
            .await;
            busy_rounds += 1;
        }
        within("stop", h.stop(StopReason::Cancelled)).await.unwrap();
        let _ = h.try_notify_priority(TM::Marker);
        let reason = within("wait_stopped", h.wait_stopped()).await;
        assert!(matches!(reason, StopReason::Cancelled), "{reason:?}");
        assert!(
            !marker.load(Ordering::SeqCst),
            "round {round} (busy: {busy}): a priority message sent after an accepted stop was handled"
        );
    }
    assert!(busy_rounds > 0);
}
both_flavours!(priority_message_never_overtakes_accepted_stop => priority_after_stop);
