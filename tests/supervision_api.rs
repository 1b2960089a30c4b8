//! Supervision API: `spawn_child`, `children`, `stop_child`, `on_child_stopped`, names.

mod support;

use std::time::Duration;

use support::*;
use tokio_actors::*;

async fn spawn_sup_on(
    env: &Env,
    sys: &std::sync::Arc<ActorSystem>,
    label: &str,
    children: Vec<ChildSpec>,
) -> ActorHandle<Sup> {
    within(
        "spawn supervisor",
        Sup::new(label, env.clone(), children)
            .spawn()
            .on_system(sys)
            .supervised(),
    )
    .await
    .expect("supervisor spawns")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_supervisor_gets_not_a_supervisor() {
    let env = Env::new();
    let plain = within("spawn", Sup::new("plain", env.clone(), vec![]).spawn())
        .await
        .unwrap();
    let r = spawn_child(&plain, ChildSpec::worker("w")).await;
    assert!(
        matches!(
            r,
            Err(ActorError::Supervision(SupervisionError::NotASupervisor))
        ),
        "{r:?}"
    );
    assert_eq!(env.starts("w"), 0, "no child was started");
    assert_eq!(env.factory_calls("w"), 0, "the factory was not called");
    let (r, _) = stop_child(&plain, ActorId::from("whatever")).await;
    assert!(matches!(r, Err(SupervisionError::NotASupervisor)), "{r:?}");
    assert!(children(&plain).await.is_empty());
    plain.stop(StopReason::Graceful).await.unwrap();
    terminated(&plain).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_child_unknown_id_is_child_not_found() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![ChildSpec::worker("a")],
    )
    .await;
    let unknown = ActorId::from(unique("nobody"));
    let (r, _) = stop_child(&sup, unknown.clone()).await;
    match r {
        Err(SupervisionError::ChildNotFound(id)) => assert_eq!(id, unknown),
        other => panic!("expected ChildNotFound, got {other:?}"),
    }
    assert_eq!(children(&sup).await.len(), 1, "the real child is untouched");
    assert!(env.worker("a").is_alive());
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_lists_start_order_with_defaults() {
    let env = Env::new();
    let name_a = unique("a");
    let name_c = unique("c");
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![
            ChildSpec::worker("a").named(&name_a),
            ChildSpec::worker("b"),
        ],
    )
    .await;
    let id_c = spawn_child(&sup, ChildSpec::worker("c").named(&name_c))
        .await
        .unwrap();
    assert_eq!(id_c.as_str(), name_c);
    let kids = children(&sup).await;
    let ids: Vec<_> = kids.iter().map(|c| c.id.clone()).collect();
    assert_eq!(
        ids,
        vec![
            env.worker("a").id().clone(),
            env.worker("b").id().clone(),
            env.worker("c").id().clone()
        ],
        "start order"
    );
    assert_eq!(kids[0].id.as_str(), name_a);
    assert_eq!(kids[0].name.as_deref(), Some(name_a.as_str()));
    assert_eq!(kids[1].name, None);
    assert_eq!(
        kids[1].id.as_str().len(),
        36,
        "anonymous child has a UUID id"
    );
    assert_eq!(kids[2].name.as_deref(), Some(name_c.as_str()));
    for c in &kids {
        assert_eq!(c.restart_type, RestartType::Permanent);
        assert_eq!(c.shutdown, Shutdown::Timeout(Duration::from_secs(5)));
        assert!(c.is_alive);
        assert!(!c.restart_pending);
    }
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_child_name_is_rejected() {
    let env = Env::new();
    let name = unique("dup");
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![ChildSpec::worker("first").named(&name)],
    )
    .await;
    // The name is also registered in the system: DuplicateChild is checked first.
    let r = spawn_child(&sup, ChildSpec::worker("second").named(&name)).await;
    match r {
        Err(ActorError::Spawn(SpawnError::DuplicateChild(id))) => assert_eq!(id.as_str(), name),
        other => panic!("expected DuplicateChild, got {other:?}"),
    }
    assert_eq!(env.starts("second"), 0, "nothing of the second child ran");
    assert_eq!(children(&sup).await.len(), 1, "nothing was added");
    assert!(env.worker("first").is_alive());
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_child_is_registered_in_parents_home_system() {
    let env = Env::new();
    let sys = ActorSystem::create(unique("sys")).unwrap();
    let name = unique("kid");
    let sup = spawn_sup_on(
        &env,
        &sys,
        "sup",
        vec![ChildSpec::worker("kid").named(&name)],
    )
    .await;
    let got = sys.get::<Worker>(&name).expect("named child registered");
    assert_eq!(got, env.worker("kid"));
    assert_eq!(within("send", got.send(W::Inc)).await.unwrap(), 1);
    assert!(sys.registered().contains(&name));
    assert!(
        ActorSystem::default().get::<Worker>(&name).is_none(),
        "registered only in the parent's home system"
    );
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
    assert!(sys.get::<Worker>(&name).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn factory_panic_on_initial_spawn_is_factory_failed() {
    let env = Env::new();
    let sup = spawn_sup(&env, "sup", SupervisionConfig::default(), vec![]).await;
    let b = Behaviour {
        factory_panic_from: Some(1),
        ..Behaviour::default()
    };
    let r = spawn_child(&sup, ChildSpec::worker("bad").behaviour(b)).await;
    match r {
        Err(ActorError::Supervision(SupervisionError::FactoryFailed(msg))) => {
            assert!(msg.contains("factory of bad panicked"), "{msg}")
        }
        other => panic!("expected FactoryFailed, got {other:?}"),
    }
    assert!(children(&sup).await.is_empty(), "nothing was added");
    assert!(sup.is_alive(), "the supervisor survives");
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_child_keeps_id_position_and_capacity() {
    let env = Env::new();
    let sys = ActorSystem::create(unique("sys")).unwrap();
    let name_b = unique("b");
    let sup = spawn_sup_on(
        &env,
        &sys,
        "sup",
        vec![
            ChildSpec::worker("a").capacity(7),
            ChildSpec::worker("b").named(&name_b).capacity(3),
            ChildSpec::worker("c"),
        ],
    )
    .await;
    let before: Vec<_> = children(&sup).await.into_iter().map(|c| c.id).collect();
    let (old_a, old_b, old_c) = (env.worker("a"), env.worker("b"), env.worker("c"));
    assert_eq!(old_a.mailbox_capacity(), 7);
    assert_eq!(old_b.mailbox_capacity(), 3);
    assert_eq!(within("inc", old_a.send(W::Inc)).await.unwrap(), 1);
    assert_eq!(within("inc", old_b.send(W::Inc)).await.unwrap(), 1);

    // b: error from a `send` handler; a: panic from a `notify`.
    assert!(matches!(
        within("fail b", old_b.send(W::Fail)).await,
        Err(AskError::Actor(ActorError::User(_)))
    ));
    events_at_least(&env, "sup", 1).await;
    old_a.notify(W::Panic).await.unwrap();
    events_at_least(&env, "sup", 2).await;
    let after = settled(&sup, 3).await;
    let after: Vec<_> = after.into_iter().map(|c| c.id).collect();
    assert_eq!(after, before, "same ids in the same positions");

    let (new_a, new_b) = (env.worker("a"), env.worker("b"));
    for (old, new) in [(&old_a, &new_a), (&old_b, &new_b)] {
        // A handle follows the child across restarts: the one held before is the same handle.
        assert!(old.is_alive(), "a restarted child's handle stays valid");
        assert!(new.is_alive());
        assert_eq!(old, new, "one handle for every incarnation");
        let status = within("status", old.get_status()).await.unwrap();
        assert_eq!((status.incarnation, status.restarts), (2, 1));
    }
    assert_eq!(
        new_a.mailbox_capacity(),
        7,
        "custom capacity kept (anonymous)"
    );
    assert_eq!(new_b.mailbox_capacity(), 3, "custom capacity kept (named)");
    assert_eq!(new_a.id().as_str().len(), 36);
    assert_eq!(new_b.id().as_str(), name_b);
    assert_eq!(
        within("inc", new_a.send(W::Inc)).await.unwrap(),
        1,
        "fresh state"
    );
    assert!(old_c.is_alive(), "sibling untouched (OneForOne)");
    assert_eq!(env.starts("c"), 1);

    // The registry yields the new, live incarnation.
    let got = sys
        .get::<Worker>(&name_b)
        .expect("registered after restart");
    assert!(got.is_alive());
    assert_eq!(
        within("inc", got.send(W::Inc)).await.unwrap(),
        1,
        "fresh state"
    );
    assert_eq!(
        within("inc", new_b.send(W::Inc)).await.unwrap(),
        2,
        "same incarnation"
    );

    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_event_carries_id_name_reason_action() {
    let env = Env::new();
    let name = unique("named");
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![
            ChildSpec::worker("named").named(&name),
            ChildSpec::worker("anon").restart(RestartType::Temporary),
        ],
    )
    .await;
    let anon_id = env.worker("anon").id().clone();
    let _ = within("fail", env.worker("named").send(W::Fail)).await;
    let ev = events_at_least(&env, "sup", 1).await[0].event.clone();
    assert_eq!(ev.child_id.as_str(), name);
    assert_eq!(ev.child_name.as_deref(), Some(name.as_str()));
    assert!(
        matches!(&ev.reason, StopReason::Failure(ActorError::User(m)) if m.contains("named failed")),
        "{:?}",
        ev.reason
    );
    assert_eq!(ev.action, SupervisionAction::Restarted);

    env.worker("anon")
        .stop(StopReason::Cancelled)
        .await
        .unwrap();
    let ev = events_at_least(&env, "sup", 2).await[1].event.clone();
    assert_eq!(ev.child_id, anon_id);
    assert_eq!(ev.child_name, None);
    assert!(
        matches!(ev.reason, StopReason::Cancelled),
        "{:?}",
        ev.reason
    );
    assert_eq!(ev.action, SupervisionAction::Removed);
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_child_removes_without_restart() {
    let env = Env::new();
    let sys = ActorSystem::create(unique("sys")).unwrap();
    let name = unique("perm");
    let sup = spawn_sup_on(
        &env,
        &sys,
        "sup",
        vec![
            ChildSpec::worker("a"),
            ChildSpec::worker("perm").named(&name),
        ],
    )
    .await;
    let perm = env.worker("perm");
    let (r, _) = stop_child(&sup, perm.id().clone()).await;
    assert!(r.is_ok(), "{r:?}");
    // The reply to the supervisor's handler is sent after stop_child returned.
    assert!(
        !perm.is_alive(),
        "stop_child returns after the child terminated"
    );
    assert_eq!(
        env.lines_with(0, "stop:perm"),
        vec!["stop:perm:parent".to_string()],
        "on_stopped ran with ParentRequest"
    );
    let evs = events_at_least(&env, "sup", 1).await;
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].event.child_id, *perm.id());
    assert_eq!(evs[0].event.action, SupervisionAction::Removed);
    assert!(matches!(evs[0].event.reason, StopReason::ParentRequest));
    let kids = children(&sup).await;
    assert_eq!(kids.len(), 1);
    assert_eq!(kids[0].id, *env.worker("a").id());
    // Not restarted, even though Permanent; the budget is untouched.
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(env.starts("perm"), 1, "not restarted");
    assert!(sys.get::<Worker>(&name).is_none());
    assert_eq!(env.events("sup").len(), 1);
    let (r, _) = stop_child(&sup, perm.id().clone()).await;
    assert!(
        matches!(r, Err(SupervisionError::ChildNotFound(_))),
        "{r:?}"
    );
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(start_paused = true)]
async fn stop_child_of_vetoing_child_escalates_to_kill_after_timeout() {
    let env = Env::new();
    let d = Duration::from_secs(2);
    let veto = Behaviour {
        veto_parent: true,
        ..Behaviour::default()
    };
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![ChildSpec::worker("stubborn")
            .behaviour(veto)
            .shutdown(Shutdown::Timeout(d))],
    )
    .await;
    let child = env.worker("stubborn");
    let (r, took) = stop_child(&sup, child.id().clone()).await;
    assert!(r.is_ok(), "{r:?}");
    assert!(
        took >= d,
        "returned after {took:?}, before the timeout {d:?}"
    );
    assert!(took <= d + Duration::from_millis(100), "took {took:?}");
    assert!(!child.is_alive());
    assert_eq!(
        env.lines_with(0, "pre_stop:stubborn"),
        vec!["pre_stop:stubborn:parent".to_string()],
        "ParentRequest was asked first"
    );
    assert!(
        env.lines_with(0, "stop:stubborn").is_empty(),
        "killed: on_stopped did not run"
    );
    assert!(matches!(terminated(&child).await, StopReason::Kill));
    let evs = events_at_least(&env, "sup", 1).await;
    assert_eq!(evs[0].event.action, SupervisionAction::Removed);
    assert!(
        matches!(evs[0].event.reason, StopReason::Kill),
        "{:?}",
        evs[0].event.reason
    );
    assert!(children(&sup).await.is_empty());
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_stop_stops_children_in_reverse_order_without_events() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![
            ChildSpec::worker("a"),
            ChildSpec::worker("b"),
            ChildSpec::worker("c"),
        ],
    )
    .await;
    let kids = [env.worker("a"), env.worker("b"), env.worker("c")];
    let mark = env.len();
    sup.stop(StopReason::Graceful).await.unwrap();
    assert!(matches!(terminated(&sup).await, StopReason::Graceful));
    for k in &kids {
        assert!(!k.is_alive(), "{:?} outlived its supervisor", k.id());
    }
    let stops = env.lines_with(mark, "stop:");
    assert_eq!(
        stops,
        vec![
            "stop:sup:graceful",
            "stop:c:parent",
            "stop:b:parent",
            "stop:a:parent"
        ],
        "children stopped in reverse start order with ParentRequest"
    );
    assert!(
        env.events("sup").is_empty(),
        "no on_child_stopped during the supervisor's stop"
    );
    assert_eq!(
        env.starts("a") + env.starts("b") + env.starts("c"),
        3,
        "none restarted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_kill_child_runs_no_hooks() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![
            ChildSpec::worker("brutal").shutdown(Shutdown::Kill),
            ChildSpec::worker("polite"),
        ],
    )
    .await;
    let brutal = env.worker("brutal");
    let polite = env.worker("polite");
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
    assert!(!brutal.is_alive() && !polite.is_alive());
    assert!(
        env.lines_with(0, "pre_stop:brutal").is_empty(),
        "no pre_stop for Shutdown::Kill"
    );
    assert!(
        env.lines_with(0, "stop:brutal").is_empty(),
        "no on_stopped for Shutdown::Kill"
    );
    assert!(matches!(terminated(&brutal).await, StopReason::Kill));
    assert_eq!(
        env.lines_with(0, "pre_stop:polite"),
        vec!["pre_stop:polite:parent"]
    );
    assert_eq!(env.lines_with(0, "stop:polite"), vec!["stop:polite:parent"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_supervisor_kills_its_children() {
    let env = Env::new();
    let sup = spawn_sup(
        &env,
        "sup",
        SupervisionConfig::default(),
        vec![
            ChildSpec::worker("a"),
            ChildSpec::worker("b").shutdown(Shutdown::Infinity),
            ChildSpec::sup(
                "mid",
                SupervisionConfig::default(),
                vec![ChildSpec::worker("leaf")],
            ),
        ],
    )
    .await;
    let (a, b, leaf, mid) = (
        env.worker("a"),
        env.worker("b"),
        env.worker("leaf"),
        env.sup("mid"),
    );
    // b is busy in a long handler: Kill must still take it down.
    b.notify(W::Sleep(Duration::from_secs(3600))).await.unwrap();
    sup.stop(StopReason::Kill).await.unwrap();
    assert!(matches!(terminated(&sup).await, StopReason::Kill));
    for (what, alive) in [
        ("a", a.is_alive()),
        ("b", b.is_alive()),
        ("mid", mid.is_alive()),
        ("leaf", leaf.is_alive()),
    ] {
        assert!(!alive, "{what} outlived the killed supervisor");
    }
    for h in [&a, &b, &leaf] {
        assert!(matches!(terminated(h).await, StopReason::Kill));
    }
    assert!(matches!(terminated(&mid).await, StopReason::Kill));
    let hooks: Vec<_> = env
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("stop:") || l.starts_with("pre_stop:") || l.starts_with("event:"))
        .collect();
    assert!(hooks.is_empty(), "no hook ran: {hooks:?}");
}

// stop_child on a slot whose restart is pending cancels the restart.
#[tokio::test(start_paused = true)]
async fn stop_child_cancels_pending_restart() {
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
    let b0 = env.worker("b");
    let _ = within("fail", b0.send(W::Fail)).await;
    events_at_least(&env, "sup", 1).await;
    let kids = children(&sup).await;
    assert!(kids[1].restart_pending, "{kids:?}");
    // b's restart waits for a's slow stop; stop b meanwhile.
    let (r, _) = stop_child(&sup, b0.id().clone()).await;
    assert!(r.is_ok(), "{r:?}");
    let evs = events_at_least(&env, "sup", 2).await;
    assert_eq!(evs[1].child, "b");
    assert_eq!(evs[1].event.action, SupervisionAction::Removed);
    let kids = settled(&sup, 1).await;
    assert_eq!(kids[0].id, *env.worker("a").id());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(env.starts("b"), 1, "b's pending restart was cancelled");
    assert_eq!(env.starts("a"), 2, "a was restarted");
    assert!(!env.worker("b").is_alive());
    assert_eq!(env.events("sup").len(), 2);
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
}

// Kill reaches a supervisor while it waits inside `stop_child` for a child that
// vetoes ParentRequest; the kill cascade must still take that child down ("no child outlives
// its parent").
#[tokio::test(start_paused = true)]
async fn kill_during_stop_child_kills_the_child_being_stopped() {
    for shutdown in [
        Shutdown::Infinity,
        Shutdown::Timeout(Duration::from_secs(60)),
    ] {
        let env = Env::new();
        let veto = Behaviour {
            veto_parent: true,
            ..Behaviour::default()
        };
        let sup = spawn_sup(
            &env,
            "sup",
            SupervisionConfig::default(),
            vec![ChildSpec::worker("stubborn")
                .behaviour(veto)
                .shutdown(shutdown)],
        )
        .await;
        let child = env.worker("stubborn");
        let pending = tokio::spawn({
            let sup = sup.clone();
            let id = child.id().clone();
            async move { sup.send(S::StopChild(id)).await }
        });
        poll_until("child asked to stop", || {
            !env.lines_with(0, "pre_stop:stubborn").is_empty()
        })
        .await;
        sup.stop(StopReason::Kill).await.unwrap();
        assert!(matches!(terminated(&sup).await, StopReason::Kill));
        assert!(
            matches!(
                within("stop_child caller", pending).await.unwrap(),
                Err(AskError::ResponseDropped)
            ),
            "{shutdown:?}"
        );
        assert!(
            !child.is_alive(),
            "{shutdown:?}: the child outlived its killed supervisor"
        );
    }
}

// A name registered in the home system by a non-child → NameTaken; nothing is added.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawn_child_with_name_taken_in_system_is_name_taken() {
    let env = Env::new();
    let sys = ActorSystem::create(unique("sys")).unwrap();
    let name = unique("taken");
    let other = within(
        "spawn",
        Worker::new("other", env.clone(), Behaviour::default())
            .spawn()
            .named(&name)
            .on_system(&sys),
    )
    .await
    .unwrap();
    let sup = spawn_sup_on(&env, &sys, "sup", vec![]).await;
    match spawn_child(&sup, ChildSpec::worker("kid").named(&name)).await {
        Err(ActorError::Spawn(SpawnError::NameTaken { name: n, system })) => {
            assert_eq!(n, name);
            assert_eq!(system, sys.name());
        }
        other => panic!("expected NameTaken, got {other:?}"),
    }
    assert!(children(&sup).await.is_empty());
    assert_eq!(env.starts("kid"), 0);
    assert_eq!(sys.get::<Worker>(&name), Some(other.clone()));
    sup.stop(StopReason::Graceful).await.unwrap();
    terminated(&sup).await;
    other.stop(StopReason::Graceful).await.unwrap();
    terminated(&other).await;
}
