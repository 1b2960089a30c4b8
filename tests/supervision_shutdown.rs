//! Stopping a supervisor stops its whole subtree first, for every stop tier and for
//! `ActorSystem::shutdown()`; no child outlives its parent.

mod support;

use std::time::Duration;

use support::*;
use tokio::time::Instant;
use tokio_actors::*;

/// root → [w1, mid → [leaf1, leaf2 (slow on_stopped)], w2]
fn tree(leaf2: Behaviour) -> Vec<ChildSpec> {
    vec![
        ChildSpec::worker("w1"),
        ChildSpec::sup(
            "mid",
            SupervisionConfig::one_for_one(),
            vec![
                ChildSpec::worker("leaf1"),
                ChildSpec::worker("leaf2").behaviour(leaf2),
            ],
        ),
        ChildSpec::worker("w2"),
    ]
}

const WORKERS: [&str; 4] = ["w1", "leaf1", "leaf2", "w2"];

fn slow() -> Behaviour {
    Behaviour {
        slow_on_stopped: Some(Duration::from_secs(1)),
        ..Behaviour::default()
    }
}

async fn stop_tree_with(reason: StopReason) {
    let env = Env::new();
    let root = spawn_sup(&env, "root", SupervisionConfig::default(), tree(slow())).await;
    let mid = env.sup("mid");
    let workers: Vec<_> = WORKERS.iter().map(|l| env.worker(l)).collect();
    let mark = env.len();
    let t0 = Instant::now();
    let is_kill = matches!(reason, StopReason::Kill);
    let expected_kind = kind(&reason);
    root.stop(reason).await.unwrap();
    let final_reason = terminated(&root).await;
    // Checked right after the root's termination: nothing of its subtree may still be alive.
    assert!(!mid.is_alive(), "{expected_kind}: mid outlived root");
    for (l, h) in WORKERS.iter().zip(&workers) {
        assert!(!h.is_alive(), "{expected_kind}: {l} outlived root");
    }
    assert_eq!(kind(&final_reason), expected_kind);
    let lines: Vec<_> = env
        .lines_from(mark)
        .into_iter()
        .filter(|l| !l.starts_with("pre_stop:"))
        .collect();
    if is_kill {
        assert!(lines.is_empty(), "Kill runs no hook: {lines:?}");
        assert!(
            t0.elapsed() < Duration::from_secs(1),
            "Kill does not wait for on_stopped"
        );
        for h in &workers {
            assert!(matches!(terminated(h).await, StopReason::Kill));
        }
        assert!(matches!(terminated(&mid).await, StopReason::Kill));
    } else {
        assert_eq!(
            lines,
            vec![
                format!("stop:root:{expected_kind}"),
                "stop:w2:parent".to_string(),
                "stop:mid:parent".to_string(),
                "stop:leaf2:parent".to_string(),
                "stopped-done:leaf2".to_string(),
                "stop:leaf1:parent".to_string(),
                "stop:w1:parent".to_string(),
            ],
            "{expected_kind}: depth-first, reverse start order, waiting for slow on_stopped"
        );
        assert!(t0.elapsed() >= Duration::from_secs(1), "waited for leaf2");
        for h in &workers {
            assert!(matches!(terminated(h).await, StopReason::ParentRequest));
        }
        assert!(matches!(terminated(&mid).await, StopReason::ParentRequest));
    }
    assert!(
        env.all_events().is_empty(),
        "no on_child_stopped during a supervisor's stop"
    );
}

#[tokio::test(start_paused = true)]
async fn subtree_stops_first_graceful() {
    stop_tree_with(StopReason::Graceful).await;
}

#[tokio::test(start_paused = true)]
async fn subtree_stops_first_cancelled() {
    stop_tree_with(StopReason::Cancelled).await;
}

#[tokio::test(start_paused = true)]
async fn subtree_stops_first_failure() {
    stop_tree_with(StopReason::Failure(ActorError::user("external failure"))).await;
}

#[tokio::test(start_paused = true)]
async fn subtree_stops_first_kill() {
    stop_tree_with(StopReason::Kill).await;
}

// A supervisor whose own budget is exhausted also stops its whole subtree first.
#[tokio::test(start_paused = true)]
async fn subtree_stops_first_budget_exhausted() {
    let env = Env::new();
    let root = spawn_sup(
        &env,
        "root",
        SupervisionConfig::default().max_restarts(0, Duration::from_secs(5)),
        tree(slow()),
    )
    .await;
    let mid = env.sup("mid");
    let workers: Vec<_> = WORKERS.iter().map(|l| env.worker(l)).collect();
    let _ = within("fail", env.worker("w2").send(W::Fail)).await;
    assert!(is_budget_exhausted(&terminated(&root).await));
    assert!(!mid.is_alive());
    assert!(workers.iter().all(|h| !h.is_alive()));
    assert_eq!(env.lines_with(0, "stopped-done:leaf2").len(), 1);
}

// ActorSystem::shutdown() for a whole tree.
#[tokio::test(start_paused = true)]
async fn system_shutdown_stops_tree_without_restarts() {
    let env = Env::new();
    let sys = ActorSystem::create(unique("sys")).unwrap();
    let root_name = unique("root");
    let leaf1_name = unique("leaf1");
    let mut specs = tree(slow());
    if let ChildKind::Sup(_, kids) = &mut specs[1].kind {
        kids[0] = ChildSpec::worker("leaf1").named(&leaf1_name);
    }
    let root = within(
        "spawn root",
        Sup::new("root", env.clone(), specs)
            .spawn()
            .named(&root_name)
            .on_system(&sys)
            .supervised(),
    )
    .await
    .unwrap();
    let mid = env.sup("mid");
    let workers: Vec<_> = WORKERS.iter().map(|l| env.worker(l)).collect();
    let mut registered = sys.registered();
    registered.sort();
    let mut expected = vec![root_name.clone(), leaf1_name.clone()];
    expected.sort();
    assert_eq!(registered, expected);

    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(
        report.graceful,
        vec![root.id().clone()],
        "only the root is a root"
    );
    assert!(
        report.killed.is_empty() && report.unresponsive.is_empty(),
        "{report:?}"
    );
    assert!(!root.is_alive() && !mid.is_alive());
    for (l, h) in WORKERS.iter().zip(&workers) {
        assert!(!h.is_alive(), "{l} outlived shutdown");
    }
    assert!(sys.registered().is_empty());
    for l in WORKERS.iter().chain(&["mid", "root"]) {
        assert_eq!(env.starts(l), 1, "{l} was not restarted");
    }
    assert!(
        env.all_events().is_empty(),
        "children stopped by their supervisor: no events"
    );
    let stops = env.lines_with(0, "stop:");
    assert_eq!(
        stops.first().map(String::as_str),
        Some("stop:root:graceful")
    );
    assert_eq!(stops.len(), 6);
    assert!(
        stops[1..].iter().all(|l| l.ends_with(":parent")),
        "{stops:?}"
    );
    // Nothing is restarted later either.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(sys.get::<Worker>(&leaf1_name).is_none());
    assert_eq!(env.starts("leaf1"), 1);
}

// shutdown() with a child that vetoes ParentRequest: its supervisor kills it at its Shutdown
// timeout; the supervisor itself still ends gracefully, and nothing outlives it.
#[tokio::test(start_paused = true)]
async fn system_shutdown_with_vetoing_child() {
    let env = Env::new();
    let sys = ActorSystem::create(unique("sys")).unwrap();
    let veto = Behaviour {
        veto_parent: true,
        ..Behaviour::default()
    };
    let root = within(
        "spawn root",
        Sup::new(
            "root",
            env.clone(),
            vec![ChildSpec::worker("stubborn")
                .behaviour(veto)
                .shutdown(Shutdown::Timeout(Duration::from_secs(1)))],
        )
        .spawn()
        .on_system(&sys)
        .supervised(),
    )
    .await
    .unwrap();
    let child = env.worker("stubborn");
    let report = within("shutdown", sys.shutdown()).await;
    assert_eq!(report.graceful, vec![root.id().clone()], "{report:?}");
    assert!(!root.is_alive() && !child.is_alive());
    assert!(matches!(terminated(&child).await, StopReason::Kill));
    assert_eq!(env.starts("stubborn"), 1);
    assert!(env.all_events().is_empty());
}

// A supervisor stopped while a group restart is still stopping a slow sibling
// abandons the restart; nothing outlives it and nothing is started afterwards.
#[tokio::test(start_paused = true)]
async fn stop_during_group_restart_leaves_nothing_alive() {
    for reason in [StopReason::Graceful, StopReason::Kill] {
        let env = Env::new();
        let sup = spawn_sup(
            &env,
            "sup",
            SupervisionConfig::one_for_all(),
            vec![
                ChildSpec::worker("a").behaviour(slow()),
                ChildSpec::worker("b"),
            ],
        )
        .await;
        let a = env.worker("a");
        let _ = within("fail", env.worker("b").send(W::Fail)).await;
        events_at_least(&env, "sup", 1).await;
        // The restart job is now waiting for a's slow on_stopped.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(a.is_alive(), "a is still stopping");
        let what = kind(&reason);
        sup.stop(reason).await.unwrap();
        terminated(&sup).await;
        assert!(!a.is_alive(), "{what}: a outlived its supervisor");
        assert!(
            !env.worker("a").is_alive() && !env.worker("b").is_alive(),
            "{what}"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            env.starts("a"),
            1,
            "{what}: a not restarted after the supervisor stopped"
        );
        assert_eq!(
            env.starts("b"),
            1,
            "{what}: b not restarted after the supervisor stopped"
        );
    }
}

// Incarnations a restart already created are stopped too: a restarted child still
// in its (slow) on_started when the supervisor stops does not outlive the supervisor.
#[tokio::test(start_paused = true)]
async fn stop_while_restarted_child_is_starting_leaves_nothing_alive() {
    for reason in [StopReason::Graceful, StopReason::Kill] {
        let env = Env::new();
        let b = Behaviour {
            slow_on_started_from: Some((2, Duration::from_secs(2))),
            ..Behaviour::default()
        };
        let sup = spawn_sup(
            &env,
            "sup",
            SupervisionConfig::one_for_one(),
            vec![ChildSpec::worker("b").behaviour(b)],
        )
        .await;
        let _ = within("fail", env.worker("b").send(W::Fail)).await;
        events_at_least(&env, "sup", 1).await;
        poll_until("b restarting", || env.starts("b") == 2).await;
        let b1 = env.worker("b");
        assert!(b1.is_alive());
        let kids = children(&sup).await;
        assert!(kids[0].restart_pending && !kids[0].is_alive, "{kids:?}");
        let what = kind(&reason);
        sup.stop(reason).await.unwrap();
        terminated(&sup).await;
        assert!(
            !b1.is_alive(),
            "{what}: the starting incarnation outlived its supervisor"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(env.starts("b"), 2, "{what}");
    }
}

// A SimpleOneForOne supervisor stops its children concurrently, each with its own Shutdown
// policy: two children that never finish `on_stopped` are both killed when their 1 s patience
// runs out (together, not one after the other), a Kill child is killed at once, a slow
// Infinity child is waited for, and a plain child stops gracefully.
#[tokio::test(start_paused = true)]
async fn simple_one_for_one_stops_children_concurrently_with_their_policies() {
    let env = Env::new();
    let hang = Behaviour {
        hang_on_stopped: true,
        ..Behaviour::default()
    };
    let patience = Shutdown::Timeout(Duration::from_secs(1));
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::simple_one_for_one(),
        vec![
            ChildSpec::worker("h1")
                .behaviour(hang.clone())
                .shutdown(patience),
            ChildSpec::worker("plain"),
            ChildSpec::worker("h2")
                .behaviour(hang.clone())
                .shutdown(patience),
            ChildSpec::worker("k")
                .behaviour(hang)
                .shutdown(Shutdown::Kill),
            ChildSpec::worker("inf")
                .behaviour(Behaviour {
                    slow_on_stopped: Some(Duration::from_millis(1_500)),
                    ..Behaviour::default()
                })
                .shutdown(Shutdown::Infinity),
        ],
    )
    .await;
    let labels = ["h1", "plain", "h2", "k", "inf"];
    let children: Vec<_> = labels.iter().map(|l| env.worker(l)).collect();
    let t0 = Instant::now();
    sup.stop(StopReason::Graceful).await.unwrap();
    assert!(matches!(terminated(&sup).await, StopReason::Graceful));
    let elapsed = t0.elapsed();
    // Sequential stops would take at least 1 + 1 + 1.5 s.
    assert!(
        elapsed >= Duration::from_millis(1_500) && elapsed < Duration::from_millis(2_000),
        "{elapsed:?}"
    );
    for (label, child) in labels.iter().zip(&children) {
        assert!(!child.is_alive(), "{label} outlived its supervisor");
    }
    let reasons: Vec<&str> = {
        let mut out = Vec::new();
        for child in &children {
            out.push(kind(&terminated(child).await));
        }
        out
    };
    assert_eq!(
        reasons,
        vec!["kill", "parent", "kill", "kill", "parent"],
        "h1, plain, h2, k, inf"
    );
    assert!(env.lines().contains(&"stopped-done:inf".to_string()));
    assert!(
        env.all_events().is_empty(),
        "no events for the supervisor's own stop"
    );
}
