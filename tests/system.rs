//! `ActorSystem` stop/kill/registered/shutdown, plus
//! `ShutdownReport` contents, 1,000-actor shutdown and escalation timing.
mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio::time::Instant;
use tokio_actors::*;

async fn spawn_named(
    sys: &Arc<ActorSystem>,
    log: &Log,
    name: &str,
    script: Script,
) -> ActorHandle<Probe> {
    within(
        "spawn",
        Probe::new(log)
            .script(script)
            .spawn()
            .named(name)
            .on_system(sys),
    )
    .await
    .expect("spawn")
}

// 93
#[tokio::test]
async fn system_stop_is_vetoable_kill_is_not() {
    let sys = system();
    let name = uniq("veto");
    let log = Log::default();
    let h = spawn_named(
        &sys,
        &log,
        &name,
        Script {
            pre_stop: Act::Fail,
            ..Script::default()
        },
    )
    .await;
    within("stop", sys.stop(&name)).await.expect("stop");
    // Round trip: the veto has been processed once a later send is answered.
    assert!(matches!(within("send", h.send(Msg::Echo(1))).await, Ok(1)));
    assert!(log.has("pre_stop:graceful"));
    assert!(h.is_alive());
    within("kill", sys.kill(&name)).await.expect("kill");
    let reason = within("wait", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    assert!(!log.has_prefix("on_stopped"));
    for r in [
        within("stop", sys.stop(&name)).await,
        within("kill", sys.kill(&name)).await,
        within("stop", sys.stop("never-registered")).await,
        within("kill", sys.kill("never-registered")).await,
    ] {
        assert!(matches!(r, Err(SendError::Closed)), "{r:?}");
    }
}

// 94
#[tokio::test]
async fn registered_lists_exactly_named_actors_including_children() {
    let sys = system();
    let (a, b, c) = (uniq("a"), uniq("b"), uniq("child"));
    let log = Log::default();
    let _ha = spawn_named(&sys, &log, &a, Script::default()).await;
    let _hb = spawn_named(&sys, &log, &b, Script::default()).await;
    // Anonymous actors on the system are tracked but not registered.
    let _anon = within("spawn", Probe::new(&log).spawn().on_system(&sys))
        .await
        .expect("spawn");
    let parent = within(
        "spawn",
        Parent {
            events: Default::default(),
        }
        .spawn()
        .on_system(&sys)
        .supervised(),
    )
    .await
    .expect("spawn parent");
    let l2 = log.clone();
    let child =
        Parent::spawn_probe(&parent, Arc::new(move || Probe::new(&l2)), Some(c.clone())).await;
    assert!(child.is_ok(), "{:?}", child.err());
    // Named actors elsewhere are not listed.
    let other = system();
    let _ho = spawn_named(&other, &log, &uniq("elsewhere"), Script::default()).await;
    let got: HashSet<String> = sys.registered().into_iter().collect();
    let want: HashSet<String> = [a, b, c.clone()].into_iter().collect();
    assert_eq!(got, want);
    assert!(sys.get::<Probe>(&c).is_some());
    within("shutdown", sys.shutdown()).await;
    within("shutdown", other.shutdown()).await;
}

// 95
#[tokio::test]
async fn shutdown_terminates_every_tracked_actor() {
    let sys = system();
    let log = Log::default();
    let named = spawn_named(&sys, &log, &uniq("n"), Script::default()).await;
    let anon = within("spawn", Probe::new(&log).spawn().on_system(&sys))
        .await
        .expect("spawn");
    let untracked = within("spawn", Probe::new(&Log::default()).spawn())
        .await
        .expect("spawn");
    let parent = within(
        "spawn",
        Parent {
            events: Default::default(),
        }
        .spawn()
        .on_system(&sys)
        .supervised(),
    )
    .await
    .expect("spawn parent");
    let l2 = log.clone();
    let child = Parent::spawn_probe(&parent, Arc::new(move || Probe::new(&l2)), Some(uniq("c")))
        .await
        .expect("child");
    let report = within("shutdown", sys.shutdown()).await;
    for h in [&named, &anon, &child] {
        assert!(!h.is_alive(), "{h:?} still alive");
    }
    assert!(!parent.is_alive());
    assert!(untracked.is_alive(), "untracked actors are not stopped");
    assert!(sys.registered().is_empty());
    // Roots only: the child is stopped by its parent, not listed.
    let graceful: HashSet<_> = report.graceful.iter().cloned().collect();
    let want: HashSet<_> = [named.id().clone(), anon.id().clone(), parent.id().clone()]
        .into_iter()
        .collect();
    assert_eq!(graceful, want);
    assert_eq!(report.graceful.len(), 3, "each root once");
    assert!(report.killed.is_empty() && report.unresponsive.is_empty());
    // The child saw ParentRequest (its supervisor stopped it).
    assert!(log.has("on_stopped:parent"), "{:?}", log.all());
    within("stop", untracked.stop(StopReason::Kill))
        .await
        .expect("stop");
}

// 96
#[tokio::test(start_paused = true)]
async fn shutdown_kills_vetoing_actor_after_per_actor_timeout() {
    let sys = system();
    let log = Log::default();
    let veto = spawn_named(
        &sys,
        &log,
        &uniq("vetoer"),
        Script {
            pre_stop: Act::Fail,
            ..Script::default()
        },
    )
    .await;
    let polite = spawn_named(&sys, &Log::default(), &uniq("polite"), Script::default()).await;
    let policy = ShutdownPolicy {
        timeout: Duration::from_secs(10),
        per_actor_timeout: Duration::from_secs(2),
    };
    let start = Instant::now();
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(2),
        "waited per_actor_timeout: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(report.killed, vec![veto.id().clone()]);
    assert_eq!(report.graceful, vec![polite.id().clone()]);
    assert!(report.unresponsive.is_empty());
    assert!(!veto.is_alive() && !polite.is_alive());
    assert!(log.has("pre_stop:graceful"));
    assert!(!log.has_prefix("on_stopped"), "killed, so no on_stopped");
}

#[tokio::test(start_paused = true)]
async fn shutdown_respects_global_timeout() {
    let sys = system();
    let mut vetoers = Vec::new();
    for _ in 0..5 {
        vetoers.push(
            spawn_named(
                &sys,
                &Log::default(),
                &uniq("v"),
                Script {
                    pre_stop: Act::Fail,
                    ..Script::default()
                },
            )
            .await,
        );
    }
    let policy = ShutdownPolicy {
        timeout: Duration::from_secs(3),
        per_actor_timeout: Duration::from_secs(2),
    };
    let start = Instant::now();
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    let took = start.elapsed();
    assert!(
        took <= Duration::from_millis(3100),
        "timeout + kill grace: {took:?}"
    );
    assert_eq!(report.killed.len(), 5);
    assert!(vetoers.iter().all(|h| !h.is_alive()));
    assert!(sys.registered().is_empty());
}

#[tokio::test(start_paused = true)]
async fn shutdown_escalates_when_on_stopped_never_finishes() {
    let sys = system();
    let stuck_log = Log::default();
    let stuck = spawn_named(
        &sys,
        &stuck_log,
        &uniq("stuck"),
        Script {
            on_stopped: Act::Hang,
            ..Script::default()
        },
    )
    .await;
    let fine = spawn_named(&sys, &Log::default(), &uniq("fine"), Script::default()).await;
    let policy = ShutdownPolicy {
        timeout: Duration::from_secs(4),
        per_actor_timeout: Duration::from_secs(1),
    };
    let start = Instant::now();
    let report = within("shutdown", sys.shutdown_with(policy.clone())).await;
    let took = start.elapsed();
    assert!(took <= policy.timeout, "{took:?}");
    assert!(took >= policy.per_actor_timeout, "{took:?}");
    assert_eq!(report.killed, vec![stuck.id().clone()]);
    assert_eq!(report.graceful, vec![fine.id().clone()]);
    assert!(report.unresponsive.is_empty());
    assert!(stuck_log.has("on_stopped:graceful"));
    assert!(!stuck.is_alive());
    assert!(matches!(
        within("wait", stuck.wait_stopped()).await,
        StopReason::Kill
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_of_one_thousand_actors() {
    let sys = system();
    let log = Log::default();
    let mut handles = Vec::new();
    for i in 0..1000 {
        let h = if i % 2 == 0 {
            within("spawn", Probe::new(&log).spawn().on_system(&sys)).await
        } else {
            within(
                "spawn",
                Probe::new(&log).spawn().named(uniq("k")).on_system(&sys),
            )
            .await
        };
        handles.push(h.expect("spawn"));
    }
    assert_eq!(sys.registered().len(), 500);
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful.len(), 1000);
    let ids: HashSet<_> = report.graceful.iter().cloned().collect();
    assert_eq!(ids.len(), 1000);
    assert!(handles.iter().all(|h| ids.contains(h.id())));
    assert!(report.killed.is_empty() && report.unresponsive.is_empty());
    assert!(handles.iter().all(|h| !h.is_alive()));
    assert!(sys.registered().is_empty());
    assert_eq!(log.count_prefix("on_stopped:graceful"), 1000);
}

// 98
#[tokio::test]
async fn shutdown_stops_roots_newest_first() {
    let sys = system();
    let log = Log::default();
    let mut handles = Vec::new();
    for i in 0..5 {
        let script = Script {
            tag: Some(i.to_string()),
            ..Script::default()
        };
        handles.push(spawn_named(&sys, &log, &uniq(&format!("ord{i}")), script).await);
    }
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(
        log.with_prefix("stopped:"),
        [
            "stopped:4",
            "stopped:3",
            "stopped:2",
            "stopped:1",
            "stopped:0"
        ]
    );
    let expected: Vec<ActorId> = handles.iter().rev().map(|h| h.id().clone()).collect();
    assert_eq!(
        report.graceful, expected,
        "report lists roots in processing order"
    );
}

// 99
#[tokio::test]
async fn shutdown_of_empty_system_is_immediate_and_system_stays_usable() {
    let sys = system();
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report, ShutdownReport::default());
    let name = uniq("after");
    let h = spawn_named(&sys, &Log::default(), &name, Script::default()).await;
    assert!(matches!(within("send", h.send(Msg::Echo(1))).await, Ok(1)));
    assert_eq!(sys.registered(), vec![name]);
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful, vec![h.id().clone()]);
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report, ShutdownReport::default());
}

#[tokio::test(start_paused = true)]
async fn shutdown_empty_system_takes_no_time() {
    let sys = system();
    let start = Instant::now();
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert!(
        report.graceful.is_empty() && report.killed.is_empty() && report.unresponsive.is_empty()
    );
}
