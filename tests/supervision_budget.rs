//! Restart budget, failing restarts, nested escalation, many children, shutdown timeouts.
//! Time-dependent tests use the paused clock.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::*;
use tokio::time::Instant;
use tokio_actors::*;

const MS: fn(u64) -> Duration = Duration::from_millis;

/// Fails the current incarnation of `label` through a `send` and waits for the `n`-th event.
async fn fail_and_wait(env: &Env, sup: &str, label: &str, n: usize) -> Vec<Recorded> {
    let r = within("fail", env.worker(label).send(W::Fail)).await;
    assert!(
        matches!(r, Err(AskError::Actor(ActorError::User(_)))),
        "{r:?}"
    );
    events_at_least(env, sup, n).await
}

/// Advances the paused clock to `target` (which must not be in the past).
async fn advance_to(target: Instant) {
    let now = Instant::now();
    assert!(target >= now, "target already passed by {:?}", now - target);
    tokio::time::advance(target - now).await;
}

#[tokio::test(start_paused = true)]
async fn third_incident_within_window_exhausts_budget() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::one_for_one().max_restarts(2, Duration::from_secs(1)),
        vec![ChildSpec::worker("a"), ChildSpec::worker("b")],
    )
    .await;
    let a = env.worker("a");
    fail_and_wait(&env, "sup", "b", 1).await;
    settled(&sup, 2).await;
    tokio::time::advance(MS(100)).await;
    fail_and_wait(&env, "sup", "b", 2).await;
    settled(&sup, 2).await;
    tokio::time::advance(MS(100)).await;
    let evs = fail_and_wait(&env, "sup", "b", 3).await;
    assert_eq!(
        env.actions("sup"),
        vec![
            SupervisionAction::Restarted,
            SupervisionAction::Restarted,
            SupervisionAction::BudgetExhausted
        ]
    );
    assert!(evs.iter().all(|r| r.child == "b"));
    assert!(is_budget_exhausted(&terminated(&sup).await));
    assert!(!a.is_alive(), "the other child was stopped");
    assert_eq!(env.lines_with(0, "stop:a"), vec!["stop:a:parent"]);
    assert_eq!(
        env.lines_with(0, "stop:sup"),
        vec!["stop:sup:failure"],
        "on_stopped ran"
    );
    assert_eq!(env.starts("b"), 3, "no restart after exhaustion");
    assert!(!env.worker("b").is_alive());
}

/// Two incidents `gap` apart with a budget of 1 per `window`; returns the second action.
async fn second_incident_after(gap: Duration, window: Duration) -> SupervisionAction {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::one_for_one().max_restarts(1, window),
        vec![ChildSpec::worker("b")],
    )
    .await;
    let first = fail_and_wait(&env, "sup", "b", 1).await[0].clone();
    assert_eq!(first.event.action, SupervisionAction::Restarted);
    settled(&sup, 1).await;
    advance_to(first.at + gap).await;
    let second = fail_and_wait(&env, "sup", "b", 2).await[1].clone();
    assert_eq!(
        second.at - first.at,
        gap,
        "test precondition: incidents exactly {gap:?} apart"
    );
    if second.event.action == SupervisionAction::BudgetExhausted {
        assert!(is_budget_exhausted(&terminated(&sup).await));
    } else {
        sup.stop(StopReason::Graceful).await.unwrap();
        terminated(&sup).await;
    }
    second.event.action
}

// Edges of the sliding window.
#[tokio::test(start_paused = true)]
async fn window_edges() {
    let w = Duration::from_secs(1);
    assert_eq!(
        second_incident_after(w - MS(1), w).await,
        SupervisionAction::BudgetExhausted,
        "just inside the window"
    );
    assert_eq!(
        second_incident_after(w, w).await,
        SupervisionAction::BudgetExhausted,
        "a record exactly at the boundary still counts"
    );
    assert_eq!(
        second_incident_after(w + MS(1), w).await,
        SupervisionAction::Restarted,
        "just outside the window"
    );
}

#[tokio::test(start_paused = true)]
async fn incidents_spaced_beyond_window_never_exhaust() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::one_for_one().max_restarts(2, Duration::from_secs(1)),
        vec![ChildSpec::worker("b")],
    )
    .await;
    for n in 1..=10 {
        fail_and_wait(&env, "sup", "b", n).await;
        settled(&sup, 1).await;
        tokio::time::advance(MS(1100)).await;
    }
    assert!(env
        .actions("sup")
        .iter()
        .all(|a| *a == SupervisionAction::Restarted));
    assert_eq!(env.starts("b"), 11);
    assert!(sup.is_alive());
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(start_paused = true)]
async fn zero_budget_exhausts_at_first_incident() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::one_for_one().max_restarts(0, Duration::from_secs(5)),
        vec![ChildSpec::worker("a"), ChildSpec::worker("b")],
    )
    .await;
    let evs = fail_and_wait(&env, "sup", "b", 1).await;
    assert_eq!(evs[0].event.action, SupervisionAction::BudgetExhausted);
    assert!(matches!(
        evs[0].event.reason,
        StopReason::Failure(ActorError::User(_))
    ));
    assert!(is_budget_exhausted(&terminated(&sup).await));
    assert_eq!(env.starts("b"), 1);
    assert!(!env.worker("a").is_alive());
    // A normal exit of a Transient/Temporary child is not restart-worthy: no exhaustion.
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::one_for_one().max_restarts(0, Duration::from_secs(5)),
        vec![ChildSpec::worker("t").restart(RestartType::Transient)],
    )
    .await;
    within("stop self", env.worker("t").send(W::StopSelf))
        .await
        .unwrap();
    let evs = events_at_least(&env, "sup", 1).await;
    assert_eq!(evs[0].event.action, SupervisionAction::Removed);
    assert_eq!(
        within("ping", sup.send(S::Ping))
            .await
            .ok()
            .map(|r| format!("{r:?}")),
        Some("Pong".to_string())
    );
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(start_paused = true)]
async fn child_failing_on_every_start_exhausts_budget() {
    let env = Env::new();
    let b = Behaviour {
        fail_on_started_from: Some(2),
        ..Behaviour::default()
    };
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![ChildSpec::worker("b").behaviour(b)],
    )
    .await;
    fail_and_wait(&env, "sup", "b", 4).await;
    assert!(is_budget_exhausted(&terminated(&sup).await));
    let evs = env.events("sup");
    assert_eq!(
        evs.iter().map(|r| r.event.action).collect::<Vec<_>>(),
        vec![
            SupervisionAction::Restarted,
            SupervisionAction::Restarted,
            SupervisionAction::Restarted,
            SupervisionAction::BudgetExhausted
        ]
    );
    for r in &evs[1..] {
        assert!(
            matches!(&r.event.reason, StopReason::Failure(ActorError::User(m)) if m.contains("on_started")),
            "{:?}",
            r.event.reason
        );
    }
    assert_eq!(env.starts("b"), 4, "initial start + 3 restarts, then stop");
    assert!(
        env.lines_with(0, "stop:b").len() == 1,
        "start-up failures run no on_stopped"
    );
}

#[tokio::test(start_paused = true)]
async fn factory_panic_on_restart_is_an_incident_that_consumes_budget() {
    let env = Env::new();
    let b = Behaviour {
        factory_panic_from: Some(2),
        ..Behaviour::default()
    };
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default().max_restarts(2, Duration::from_secs(60)),
        vec![ChildSpec::worker("b").behaviour(b)],
    )
    .await;
    fail_and_wait(&env, "sup", "b", 3).await;
    assert!(is_budget_exhausted(&terminated(&sup).await));
    let evs = env.events("sup");
    assert_eq!(
        evs.iter().map(|r| r.event.action).collect::<Vec<_>>(),
        vec![
            SupervisionAction::Restarted,
            SupervisionAction::Restarted,
            SupervisionAction::BudgetExhausted
        ]
    );
    assert!(matches!(
        evs[0].event.reason,
        StopReason::Failure(ActorError::User(_))
    ));
    for r in &evs[1..] {
        assert!(
            matches!(
                &r.event.reason,
                StopReason::Failure(ActorError::Supervision(SupervisionError::FactoryFailed(m)))
                    if m.contains("factory of b panicked")
            ),
            "{:?}",
            r.event.reason
        );
    }
    assert_eq!(env.factory_calls("b"), 3);
    assert_eq!(env.starts("b"), 1);
}

#[tokio::test(start_paused = true)]
async fn exhausted_mid_supervisor_is_restarted_by_root() {
    let env = Env::new();
    let root = spawn_sup(
        &env,
        "root",
        SupervisionConfig::default(),
        vec![ChildSpec::sup(
            "mid",
            SupervisionConfig::one_for_one().max_restarts(1, Duration::from_secs(60)),
            vec![ChildSpec::worker("leaf")],
        )],
    )
    .await;
    let mid0 = env.sup("mid");
    fail_and_wait(&env, "mid", "leaf", 1).await;
    settled(&mid0, 1).await;
    fail_and_wait(&env, "mid", "leaf", 2).await;
    assert_eq!(
        env.actions("mid"),
        vec![
            SupervisionAction::Restarted,
            SupervisionAction::BudgetExhausted
        ]
    );
    // mid0's incarnation ended with the exhausted budget (its handle stays valid: root
    // restarts it); root's event carries that reason.
    let evs = events_at_least(&env, "root", 1).await;
    assert_eq!(evs[0].child, "mid");
    assert_eq!(evs[0].event.child_id, *mid0.id());
    assert!(
        is_budget_exhausted(&evs[0].event.reason),
        "{:?}",
        evs[0].event.reason
    );
    assert_eq!(evs[0].event.action, SupervisionAction::Restarted);
    settled(&root, 1).await;
    let mid1 = env.sup("mid");
    assert!(mid1.is_alive() && mid0.is_alive());
    assert_eq!(mid1, mid0, "one handle across incarnations");
    settled(&mid1, 1).await;
    assert_eq!(env.starts("mid"), 2);
    assert_eq!(env.starts("leaf"), 3);
    let leaf = env.worker("leaf");
    assert_eq!(within("inc", leaf.send(W::Inc)).await.unwrap(), 1);
    // The new mid has a fresh budget: one more leaf failure is restarted.
    fail_and_wait(&env, "mid", "leaf", 3).await;
    assert_eq!(env.actions("mid")[2], SupervisionAction::Restarted);
    root.stop(StopReason::Graceful).await.unwrap();
    terminated(&root).await;
    assert!(!mid1.is_alive() && !env.worker("leaf").is_alive());
}

// SimpleOneForOne with many children and pseudo-random failures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_children_random_failures_all_restarted() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::simple_one_for_one().max_restarts(1000, Duration::from_secs(60)),
        vec![],
    )
    .await;
    let labels: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
    for l in &labels {
        spawn_child(&sup, ChildSpec::worker(l)).await.unwrap();
        assert_eq!(within("inc", env.worker(l).send(W::Inc)).await.unwrap(), 1);
    }
    // Deterministic LCG picks distinct victims and how each one ends.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    let mut victims = BTreeMap::new();
    while victims.len() < 40 {
        let i = (next() % 100) as usize;
        let how = next() % 3;
        victims.entry(i).or_insert(how);
    }
    for (&i, &how) in &victims {
        let h = env.worker(&labels[i]);
        match how {
            0 => {
                let _ = within("fail", h.send(W::Fail)).await;
            }
            1 => h.notify(W::Panic).await.unwrap(),
            _ => h.stop(StopReason::Kill).await.unwrap(),
        }
    }
    let evs = events_at_least(&env, "sup", victims.len()).await;
    assert_eq!(evs.len(), victims.len());
    assert!(evs
        .iter()
        .all(|r| r.event.action == SupervisionAction::Restarted));
    let kids = settled(&sup, 100).await;
    for (k, l) in kids.iter().zip(&labels) {
        assert_eq!(k.id, *env.worker(l).id(), "order kept");
    }
    for (i, l) in labels.iter().enumerate() {
        let expected = if victims.contains_key(&i) { 1 } else { 2 };
        assert_eq!(
            within("inc", env.worker(l).send(W::Inc)).await.unwrap(),
            expected,
            "{l}"
        );
        assert_eq!(
            env.starts(l),
            3 - expected as usize,
            "{l}: only victims restarted"
        );
    }
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
    assert!(labels.iter().all(|l| !env.worker(l).is_alive()));
}

// A child stuck in on_stopped is killed at its Shutdown::Timeout; a slow one is waited for.
#[tokio::test(start_paused = true)]
async fn stuck_on_stopped_is_killed_at_timeout() {
    let env = Env::new();
    let stuck = Behaviour {
        hang_on_stopped: true,
        ..Behaviour::default()
    };
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![ChildSpec::worker("stuck")
            .behaviour(stuck)
            .shutdown(Shutdown::Timeout(Duration::from_secs(3)))],
    )
    .await;
    let child = env.worker("stuck");
    let t0 = Instant::now();
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_secs(3) && took <= Duration::from_millis(3100),
        "supervisor stop took {took:?}"
    );
    assert_eq!(env.lines_with(0, "stop:stuck"), vec!["stop:stuck:parent"]);
    assert!(matches!(terminated(&child).await, StopReason::Kill));

    let env = Env::new();
    let slow = Behaviour {
        slow_on_stopped: Some(Duration::from_secs(1)),
        ..Behaviour::default()
    };
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![ChildSpec::worker("slow")
            .behaviour(slow)
            .shutdown(Shutdown::Timeout(Duration::from_secs(3)))],
    )
    .await;
    let child = env.worker("slow");
    let t0 = Instant::now();
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(1100),
        "took {took:?}"
    );
    assert_eq!(env.lines_with(0, "stopped-done:slow").len(), 1);
    assert!(matches!(
        terminated(&child).await,
        StopReason::ParentRequest
    ));
}

#[tokio::test(start_paused = true)]
async fn supervisor_answers_during_slow_group_restart() {
    let env = Env::new();
    let slow = Behaviour {
        slow_on_stopped: Some(Duration::from_secs(2)),
        ..Behaviour::default()
    };
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::one_for_all(),
        vec![
            ChildSpec::worker("a").behaviour(slow),
            ChildSpec::worker("b"),
        ],
    )
    .await;
    let t0 = Instant::now();
    let evs = fail_and_wait(&env, "sup", "b", 1).await;
    assert_eq!(evs[0].event.action, SupervisionAction::Restarted);
    let kids = children(&sup).await;
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "answered while a is still stopping"
    );
    assert!(env.lines_with(0, "stopped-done:a").is_empty());
    assert_eq!(kids.len(), 2);
    for k in &kids {
        assert!(k.restart_pending && !k.is_alive, "{k:?}");
    }
    settled(&sup, 2).await;
    assert!(t0.elapsed() >= Duration::from_secs(2));
    let tail: Vec<_> = env
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("stopped-done:") || l.starts_with("start:"))
        .filter(|l| l != "start:sup")
        .collect();
    assert_eq!(
        tail,
        vec!["start:a", "start:b", "stopped-done:a", "start:a", "start:b"]
    );
    sup.stop(StopReason::Kill).await.unwrap();
    terminated(&sup).await;
}
