//! Terminations for good of `tests/restarts.rs`: the mailbox is closed and drained, the name
//! unregistered, the last reason published; a cancelled pending restart never calls the factory.

use super::*;

/// How a removal scenario ends the child.
#[derive(Clone, Copy, Debug)]
enum Removal {
    StopChild,
    TransientNormalExit,
    Temporary,
    BudgetExhausted,
    SupervisorStopped,
}

async fn removal(removal: Removal) {
    let sys = system();
    let config = match removal {
        Removal::BudgetExhausted => {
            SupervisionConfig::one_for_one().max_restarts(0, Duration::from_secs(60))
        }
        _ => roomy(SupervisionConfig::one_for_one()),
    };
    let sup = Sup::start(&sys, config).await;
    let probe = Probe::new();
    let name = uniq("removed");
    let restart = match removal {
        Removal::TransientNormalExit => RestartType::Transient,
        Removal::Temporary => RestartType::Temporary,
        _ => RestartType::Permanent,
    };
    let spec = Spec::new(&probe)
        .named(&name)
        .capacity(1)
        .restart(restart)
        .shutdown(Shutdown::Kill);
    let h = sup.spawn(spec).await;
    let gate = Gate::new();
    h.notify(W::Block(1, gate.clone())).await.unwrap();
    gate.entered().await;
    let queued = queue_send(&h, W::Echo(2)).await;
    let waiting = {
        let h = h.clone();
        tokio::spawn(async move { h.notify(W::Echo(3)).await })
    };
    settle().await;
    assert!(!waiting.is_finished(), "the mailbox is full");

    let expected = match removal {
        Removal::StopChild => {
            assert_eq!(sup.stop_child(h.id()).await, Ok(()));
            "kill"
        }
        Removal::TransientNormalExit => {
            h.stop(StopReason::Graceful).await.unwrap();
            gate.open();
            "graceful"
        }
        Removal::Temporary | Removal::BudgetExhausted => {
            h.stop(StopReason::Kill).await.unwrap();
            "kill"
        }
        Removal::SupervisorStopped => {
            sup.handle.stop(StopReason::Graceful).await.unwrap();
            "kill"
        }
    };
    let reason = within("child terminated", h.wait_stopped()).await;
    assert_eq!(common::reason_tag(&reason), expected, "{removal:?}");
    assert!(matches!(
        join("queued send", queued).await,
        Err(AskError::ResponseDropped)
    ));
    assert_eq!(
        join("waiting notify", waiting).await,
        Err(SendError::Closed)
    );
    assert!(!h.is_alive());
    assert!(sys.get::<Worker>(&name).is_none(), "name unregistered");
    assert_eq!(h.try_notify(W::Echo(4)), Err(TrySendError::Closed));
    assert!(matches!(
        h.send(W::Echo(5)).await,
        Err(AskError::Send(SendError::Closed))
    ));
    assert_eq!((probe.handled(2), probe.handled(3)), (0, 0));
    assert_eq!(probe.calls(), 1, "never restarted");
    match removal {
        Removal::BudgetExhausted => {
            let boss = within("supervisor stops", sup.handle.wait_stopped()).await;
            assert!(matches!(
                boss,
                StopReason::Failure(ActorError::Supervision(SupervisionError::BudgetExhausted))
            ));
        }
        Removal::SupervisorStopped => {
            let boss = within("supervisor stops", sup.handle.wait_stopped()).await;
            assert!(matches!(boss, StopReason::Graceful));
        }
        _ => {
            let actions: Vec<_> = sup
                .until_events(1)
                .await
                .into_iter()
                .map(|(_, a, _)| a)
                .collect();
            assert_eq!(actions, vec![SupervisionAction::Removed]);
            assert!(sup.handle.is_alive());
        }
    }
}

async fn removed_by_stop_child(_: Mode) {
    removal(Removal::StopChild).await
}
on_both_flavours!(removed_by_stop_child);

async fn removed_after_a_transient_normal_exit(_: Mode) {
    removal(Removal::TransientNormalExit).await
}
on_both_flavours!(removed_after_a_transient_normal_exit);

async fn removed_as_temporary(_: Mode) {
    removal(Removal::Temporary).await
}
on_both_flavours!(removed_as_temporary);

async fn removed_when_the_budget_is_exhausted(_: Mode) {
    removal(Removal::BudgetExhausted).await
}
on_both_flavours!(removed_when_the_budget_is_exhausted);

async fn removed_when_the_supervisor_stops(_: Mode) {
    removal(Removal::SupervisorStopped).await
}
on_both_flavours!(removed_when_the_supervisor_stops);

// ---------------------------------------------------------------------------------------------
// A cancelled pending restart never calls the factory.

/// A supervisor whose restarts wait an hour (never reached here).
async fn hour_backoff_child(sys: &Arc<ActorSystem>, probe: &Probe) -> (Sup, ActorHandle<Worker>) {
    let hour = Duration::from_secs(3600);
    let config =
        roomy(SupervisionConfig::one_for_one()).with_backoff(Backoff::exponential(hour, hour));
    let sup = Sup::start(sys, config).await;
    let h = sup.spawn(Spec::new(probe).named(&uniq("cancelled"))).await;
    fail(&h, 1).await;
    sup.until_events(1).await;
    (sup, h)
}

/// The checks once the child is gone during its backoff delay.
async fn assert_gone_without_factory_call(
    mode: Mode,
    sys: &Arc<ActorSystem>,
    h: &ActorHandle<Worker>,
    probe: &Probe,
    queued: tokio::task::JoinHandle<Result<(u64, u64), AskError>>,
) {
    let reason = within("child terminated", h.wait_stopped()).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::User(ref m)) if m == "fail 1"),
        "the reason of the last incarnation, got {reason:?}"
    );
    assert!(matches!(
        join("queued send", queued).await,
        Err(AskError::ResponseDropped)
    ));
    assert!(!h.is_alive());
    assert!(sys.get::<Worker>(h.id().as_str()).is_none());
    assert!(matches!(
        h.get_status().await,
        Err(AskError::Send(SendError::Closed))
    ));
    assert_eq!(
        probe.calls(),
        1,
        "the factory was called for a cancelled restart"
    );
    if mode == Mode::Paused {
        tokio::time::advance(Duration::from_secs(7200)).await;
    } else {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    settle().await;
    assert_eq!(probe.calls(), 1, "the factory was called later");
}

async fn stop_child_during_backoff_cancels_the_restart(mode: Mode) {
    let sys = system();
    let probe = Probe::new();
    let (sup, h) = hour_backoff_child(&sys, &probe).await;
    let queued = queue_send(&h, W::Echo(2)).await;
    assert_eq!(sup.stop_child(h.id()).await, Ok(()));
    assert_gone_without_factory_call(mode, &sys, &h, &probe, queued).await;
    let actions: Vec<_> = sup
        .until_events(2)
        .await
        .into_iter()
        .map(|(_, a, _)| a)
        .collect();
    assert_eq!(
        actions,
        vec![SupervisionAction::Restarted, SupervisionAction::Removed]
    );
}
on_both_flavours!(stop_child_during_backoff_cancels_the_restart, paused);

async fn supervisor_stop_during_backoff_cancels_the_restart(mode: Mode) {
    let sys = system();
    let probe = Probe::new();
    let (sup, h) = hour_backoff_child(&sys, &probe).await;
    let queued = queue_send(&h, W::Echo(2)).await;
    sup.handle.stop(StopReason::Graceful).await.unwrap();
    let boss = within("supervisor stops", sup.handle.wait_stopped()).await;
    assert!(matches!(boss, StopReason::Graceful));
    assert_gone_without_factory_call(mode, &sys, &h, &probe, queued).await;
}
on_both_flavours!(supervisor_stop_during_backoff_cancels_the_restart, paused);

async fn supervisor_kill_during_backoff_cancels_the_restart(mode: Mode) {
    let sys = system();
    let probe = Probe::new();
    let (sup, h) = hour_backoff_child(&sys, &probe).await;
    let queued = queue_send(&h, W::Echo(2)).await;
    sup.handle.stop(StopReason::Kill).await.unwrap();
    let boss = within("supervisor stops", sup.handle.wait_stopped()).await;
    assert!(matches!(boss, StopReason::Kill));
    assert_gone_without_factory_call(mode, &sys, &h, &probe, queued).await;
}
on_both_flavours!(supervisor_kill_during_backoff_cancels_the_restart, paused);

async fn temporary_sibling_is_removed_by_a_group_restart(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_all())).await;
    let (pa, pt) = (Probe::new(), Probe::new());
    let a = sup.spawn(Spec::new(&pa)).await;
    let name = uniq("temporary-sibling");
    let spec = Spec::new(&pt)
        .named(&name)
        .capacity(1)
        .restart(RestartType::Temporary)
        .shutdown(Shutdown::Kill);
    let t = sup.spawn(spec).await;
    let gate = Gate::new();
    t.notify(W::Block(1, gate.clone())).await.unwrap();
    gate.entered().await;
    let queued = queue_send(&t, W::Echo(2)).await;
    let waiting = {
        let t = t.clone();
        tokio::spawn(async move { t.notify(W::Echo(3)).await })
    };
    fail(&a, 1).await;
    let reason = within("temporary sibling terminated", t.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "got {reason:?}");
    assert!(matches!(
        join("queued send", queued).await,
        Err(AskError::ResponseDropped)
    ));
    assert_eq!(
        join("waiting notify", waiting).await,
        Err(SendError::Closed)
    );
    assert!(!t.is_alive());
    assert!(sys.get::<Worker>(&name).is_none());
    assert_eq!(echo(&a, 4).await, 2, "the failed child was restarted");
    assert_eq!(pt.calls(), 1);
    assert!(sup.child(t.id()).await.is_none(), "the slot is gone");
}
on_both_flavours!(temporary_sibling_is_removed_by_a_group_restart);

async fn budget_exhausted_while_another_restart_is_pending(mode: Mode) {
    let sys = system();
    let hour = Duration::from_secs(3600);
    let config = SupervisionConfig::one_for_one()
        .max_restarts(1, Duration::from_secs(60))
        .with_backoff(Backoff::exponential(hour, hour));
    let sup = Sup::start(&sys, config).await;
    let (pa, pb) = (Probe::new(), Probe::new());
    let a = sup.spawn(Spec::new(&pa).named(&uniq("budget-a"))).await;
    let b_name = uniq("budget-b");
    let b = sup.spawn(Spec::new(&pb).named(&b_name)).await;
    fail(&b, 1).await;
    sup.until_events(1).await;
    assert_eq!(status_now(&b).await.status, ActorStatus::Restarting);
    let queued = queue_send(&b, W::Echo(2)).await;
    fail(&a, 3).await;
    let boss = within("supervisor stops", sup.handle.wait_stopped()).await;
    assert!(matches!(
        boss,
        StopReason::Failure(ActorError::Supervision(SupervisionError::BudgetExhausted))
    ));
    let a_reason = within("a terminated", a.wait_stopped()).await;
    assert!(matches!(a_reason, StopReason::Failure(ActorError::User(ref m)) if m == "fail 3"));
    assert_gone_without_factory_call(mode, &sys, &b, &pb, queued).await;
    assert!(sys.get::<Worker>(&b_name).is_none());
    assert!(!a.is_alive());
    assert_eq!(pa.calls(), 1);
}
on_both_flavours!(budget_exhausted_while_another_restart_is_pending, paused);
