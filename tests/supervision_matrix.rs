//! Table-driven restart matrix: every strategy ×
//! every restart type × every way a child can end. Three children A, B, C (start order); B ends.
//! A and C are Permanent; B has the restart type under test. The supervisor's budget is one
//! restart per hour, so a second incident (A failing) shows whether B's incident was charged.

mod support;

use std::time::Duration;

use support::*;
use tokio_actors::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// B stops itself with `Graceful`.
    OkStop,
    /// A `send` to B whose handler returns `Err`.
    Err,
    /// A `notify` to B whose handler panics.
    Panic,
    /// B is killed from outside.
    Kill,
}

const ENDS: [End; 4] = [End::OkStop, End::Err, End::Panic, End::Kill];
const TYPES: [RestartType; 3] = [
    RestartType::Permanent,
    RestartType::Transient,
    RestartType::Temporary,
];

fn config(strategy: RestartStrategy) -> SupervisionConfig {
    let base = match strategy {
        RestartStrategy::OneForOne => SupervisionConfig::one_for_one(),
        RestartStrategy::OneForAll => SupervisionConfig::one_for_all(),
        RestartStrategy::RestForOne => SupervisionConfig::rest_for_one(),
        RestartStrategy::SimpleOneForOne => SupervisionConfig::simple_one_for_one(),
    };
    assert_eq!(base.strategy, strategy);
    base.max_restarts(1, Duration::from_secs(3600))
}

/// Whether a child of restart type `rt` is restarted after `end` (Permanent always, Transient
/// after an abnormal end, Temporary never).
fn restarts(rt: RestartType, end: End) -> bool {
    match rt {
        RestartType::Permanent => true,
        RestartType::Transient => end != End::OkStop,
        RestartType::Temporary => false,
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

async fn run_case(strategy: RestartStrategy, rt: RestartType, end: End) {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        config(strategy),
        vec![
            ChildSpec::worker("a"),
            ChildSpec::worker("b").restart(rt),
            ChildSpec::worker("c"),
        ],
    )
    .await;
    let (a0, b0, c0) = (env.worker("a"), env.worker("b"), env.worker("c"));
    for h in [&a0, &b0, &c0] {
        assert_eq!(within("inc", h.send(W::Inc)).await.unwrap(), 1);
    }
    let mark = env.len();

    match end {
        End::OkStop => {
            within("stop self", b0.send(W::StopSelf)).await.unwrap();
        }
        End::Err => {
            let r = within("fail", b0.send(W::Fail)).await;
            assert!(
                matches!(r, Err(AskError::Actor(ActorError::User(_)))),
                "{r:?}"
            );
        }
        End::Panic => b0.notify(W::Panic).await.unwrap(),
        End::Kill => b0.stop(StopReason::Kill).await.unwrap(),
    }
    // The reason of B's incarnation, as its supervisor sees it (B's handle outlives the
    // incarnation when it is restarted).
    let final_b = events_at_least(&env, "sup", 1).await[0]
        .event
        .reason
        .clone();
    let expected_kind = match end {
        End::OkStop => "graceful",
        End::Err | End::Panic => "failure",
        End::Kill => "kill",
    };
    assert_eq!(kind(&final_b), expected_kind);
    if end == End::Panic {
        assert!(
            matches!(&final_b, StopReason::Failure(ActorError::Panic(m)) if m.contains("b panicked")),
            "{final_b:?}"
        );
    }

    let restarted = restarts(rt, end);
    let evs = events_at_least(&env, "sup", 1).await;
    let kids = settled(&sup, if restarted { 3 } else { 2 }).await;
    // Nothing more happens afterwards.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let evs_after = env.events("sup");
    assert_eq!(
        evs_after.len(),
        1,
        "on_child_stopped ran exactly once: {evs_after:?}"
    );
    let ev = &evs[0];
    assert_eq!(ev.child, "b");
    assert_eq!(ev.event.child_id, *b0.id());
    assert_eq!(kind(&ev.event.reason), expected_kind, "event reason");
    let action = if restarted {
        SupervisionAction::Restarted
    } else {
        SupervisionAction::Removed
    };
    assert_eq!(ev.event.action, action);

    // Which children were re-created, and in which order stops and starts happened.
    let b_stop = match end {
        End::OkStop => vec!["stop:b:graceful"],
        End::Err | End::Panic => vec!["stop:b:failure"],
        End::Kill => vec![],
    };
    let tail: &[&str] = match (restarted, strategy) {
        (false, _) => &[],
        (true, RestartStrategy::OneForOne | RestartStrategy::SimpleOneForOne) => &["start:b"],
        (true, RestartStrategy::OneForAll) => &[
            "stop:c:parent",
            "stop:a:parent",
            "start:a",
            "start:b",
            "start:c",
        ],
        (true, RestartStrategy::RestForOne) => &["stop:c:parent", "start:b", "start:c"],
    };
    let expected: Vec<String> = s(&b_stop).into_iter().chain(s(tail)).collect();
    let got: Vec<String> = env
        .lines_from(mark)
        .into_iter()
        .filter(|l| l.starts_with("start:") || l.starts_with("stop:"))
        .collect();
    assert_eq!(got, expected, "stops and starts");

    let ids: Vec<_> = kids.iter().map(|c| c.id.clone()).collect();
    if restarted {
        assert_eq!(ids, vec![a0.id().clone(), b0.id().clone(), c0.id().clone()]);
    } else {
        assert_eq!(
            ids,
            vec![a0.id().clone(), c0.id().clone()],
            "B's slot removed"
        );
    }

    // Re-created children are fresh, reached through the handle held before the restart (one
    // handle for every incarnation); the others keep their incarnation and state.
    let recreated = |label: &str| tail.contains(&format!("start:{label}").as_str());
    for (label, old) in [("a", &a0), ("c", &c0)] {
        let cur = env.worker(label);
        if recreated(label) {
            assert!(old.is_alive(), "{label}: the handle follows the child");
            assert_eq!(old, &cur, "{label}: one handle");
            assert_eq!(
                within("inc", old.send(W::Inc)).await.unwrap(),
                1,
                "{label} fresh"
            );
        } else {
            assert!(old.is_alive(), "{label}: kept its incarnation");
            assert_eq!(
                within("inc", old.send(W::Inc)).await.unwrap(),
                2,
                "{label} kept state"
            );
        }
    }
    if restarted {
        let b1 = env.worker("b");
        assert!(b1.is_alive() && b0.is_alive());
        assert_eq!(b1, b0, "b: one handle");
        assert_eq!(within("inc", b0.send(W::Inc)).await.unwrap(), 1, "b fresh");
    } else {
        // Removed for good: the handle is dead, its name free.
        within("b removed", b0.wait_stopped()).await;
        assert!(!b0.is_alive());
    }

    // Budget: one restart per hour. If B's incident was charged, A's failure now exhausts it.
    let a = env.worker("a");
    let _ = within("fail a", a.send(W::Fail)).await;
    let evs = events_at_least(&env, "sup", 2).await;
    assert_eq!(evs[1].child, "a");
    if restarted {
        assert_eq!(
            evs[1].event.action,
            SupervisionAction::BudgetExhausted,
            "B's restart was charged"
        );
        assert!(is_budget_exhausted(&terminated(&sup).await));
        for label in ["a", "b", "c"] {
            assert!(
                !env.worker(label).is_alive(),
                "{label} outlived the supervisor"
            );
        }
    } else {
        assert_eq!(
            evs[1].event.action,
            SupervisionAction::Restarted,
            "Removed did not touch the budget"
        );
        settled(&sup, 2).await;
        sup.stop(StopReason::Graceful).await.unwrap();
        terminated(&sup).await;
        assert!(!env.worker("a").is_alive() && !env.worker("c").is_alive());
    }
}

/// Runs every case of one strategy, each in its own task, and reports all failing cases.
async fn matrix(strategy: RestartStrategy) {
    let mut failures = Vec::new();
    for rt in TYPES {
        for end in ENDS {
            let case = format!("{strategy:?} × {rt:?} × {end:?}");
            let r = tokio::spawn(async move { within("case", run_case(strategy, rt, end)).await })
                .await;
            if let Err(e) = r {
                let msg = e
                    .try_into_panic()
                    .ok()
                    .and_then(|p| {
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    })
                    .unwrap_or_default();
                failures.push(format!("{case}: {msg}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_one_for_one() {
    matrix(RestartStrategy::OneForOne).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_one_for_all() {
    matrix(RestartStrategy::OneForAll).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_rest_for_one() {
    matrix(RestartStrategy::RestForOne).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_simple_one_for_one() {
    matrix(RestartStrategy::SimpleOneForOne).await;
}

// Transient is restarted after `Cancelled` too; Temporary vanishes from children().
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_restarts_after_cancelled_temporary_vanishes() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![
            ChildSpec::worker("t").restart(RestartType::Transient),
            ChildSpec::worker("tmp").restart(RestartType::Temporary),
        ],
    )
    .await;
    let t0 = env.worker("t");
    t0.stop(StopReason::Cancelled).await.unwrap();
    let evs = events_at_least(&env, "sup", 1).await;
    assert!(matches!(evs[0].event.reason, StopReason::Cancelled));
    assert_eq!(evs[0].event.action, SupervisionAction::Restarted);
    settled(&sup, 2).await;
    assert_eq!(env.starts("t"), 2);

    let tmp = env.worker("tmp");
    tmp.stop(StopReason::Cancelled).await.unwrap();
    let evs = events_at_least(&env, "sup", 2).await;
    assert_eq!(evs[1].event.action, SupervisionAction::Removed);
    let kids = settled(&sup, 1).await;
    assert_eq!(kids[0].id, *t0.id());
    assert_eq!(env.starts("tmp"), 1);
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

// A Temporary member of a group restart is stopped and deleted, not restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_for_all_drops_temporary_siblings() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::one_for_all(),
        vec![
            ChildSpec::worker("tmp").restart(RestartType::Temporary),
            ChildSpec::worker("b"),
        ],
    )
    .await;
    let tmp = env.worker("tmp");
    let _ = within("fail", env.worker("b").send(W::Fail)).await;
    events_at_least(&env, "sup", 1).await;
    let kids = settled(&sup, 1).await;
    assert_eq!(kids[0].id, *env.worker("b").id());
    assert!(!tmp.is_alive(), "the Temporary sibling was stopped");
    assert_eq!(env.lines_with(0, "stop:tmp"), vec!["stop:tmp:parent"]);
    assert_eq!(env.starts("tmp"), 1, "and not restarted");
    assert_eq!(env.starts("b"), 2);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(
        env.events("sup").len(),
        1,
        "no event for the dropped sibling"
    );
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

// An incident whose restart set overlaps a pending restart leaves those members to
// the restart already under way: every child is restarted exactly once.
#[tokio::test(start_paused = true)]
async fn overlapping_restart_sets_restart_each_member_once() {
    let env = Env::new();
    let slow = Behaviour {
        slow_on_stopped: Some(Duration::from_secs(2)),
        ..Behaviour::default()
    };
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::rest_for_one(),
        vec![
            ChildSpec::worker("a"),
            ChildSpec::worker("b"),
            ChildSpec::worker("c").behaviour(slow),
        ],
    )
    .await;
    // b fails: set {b, c}; the job waits for c's slow stop.
    let _ = within("fail b", env.worker("b").send(W::Fail)).await;
    events_at_least(&env, "sup", 1).await;
    // a fails meanwhile: set {a, b, c}; b and c are already pending.
    let _ = within("fail a", env.worker("a").send(W::Fail)).await;
    let evs = events_at_least(&env, "sup", 2).await;
    assert_eq!(evs[1].child, "a");
    assert_eq!(evs[1].event.action, SupervisionAction::Restarted);
    settled(&sup, 3).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    for l in ["a", "b", "c"] {
        assert_eq!(env.starts(l), 2, "{l} restarted exactly once");
        assert!(env.worker(l).is_alive());
    }
    assert_eq!(
        env.lines_with(0, "stop:c"),
        vec!["stop:c:parent"],
        "c stopped once"
    );
    assert_eq!(env.events("sup").len(), 2);
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}
