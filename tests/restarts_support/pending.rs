//! Pending restarts of `tests/restarts.rs`: messages and stop signals sent while a restart is
//! pending reach the next incarnation; `get_status` is answered by the handle.

use super::*;

async fn sends_during_a_pending_restart_are_accepted(mode: Mode) {
    let sys = system();
    let delay = mode.backoff();
    let config =
        roomy(SupervisionConfig::one_for_one()).with_backoff(Backoff::exponential(delay, delay));
    let sup = Sup::start(&sys, config).await;
    let probe = Probe::new();
    let name = uniq("pending");
    let h = sup.spawn(Spec::new(&probe).named(&name).capacity(3)).await;
    fail(&h, 1).await;
    let events = sup.until_events(1).await;
    assert_eq!(events[0].1, SupervisionAction::Restarted);
    let pending_since = Instant::now();

    let info = status_now(&h).await;
    assert_eq!(info.status, ActorStatus::Restarting);
    assert_eq!((info.incarnation, info.restarts), (1, 0));
    assert!(h.is_alive(), "alive while a restart is pending");
    let found = sys.get::<Worker>(&name).expect("registered while pending");
    assert!(found == h);
    assert!(
        tokio::time::timeout(Duration::from_millis(1), h.wait_stopped())
            .await
            .is_err(),
        "wait_stopped resolved while a restart is pending"
    );

    let timed = h.send_timeout(W::Echo(10), Duration::from_millis(50)).await;
    assert!(
        matches!(timed, Err(AskError::Timeout { enqueued: true })),
        "send_timeout during the pending restart: {timed:?}"
    );
    h.try_notify(W::Echo(11)).expect("space for 11");
    h.try_notify(W::Echo(12)).expect("space for 12");
    assert_eq!(h.try_notify(W::Echo(99)), Err(TrySendError::Full));
    assert_eq!(h.mailbox_len(), 3);
    let waiting_notify = {
        let h = h.clone();
        tokio::spawn(async move { h.notify(W::Echo(13)).await })
    };
    let waiting_send = {
        let h = h.clone();
        tokio::spawn(async move { h.send(W::Echo(14)).await })
    };
    settle().await;
    assert!(!waiting_notify.is_finished(), "notify waits while full");
    assert!(
        !waiting_send.is_finished(),
        "send waits for the next incarnation"
    );
    let info = status_now(&h).await;
    assert_eq!(
        (info.status, info.mailbox_len),
        (ActorStatus::Restarting, 3)
    );
    assert_eq!(probe.calls(), 1, "still pending");
    assert!(
        pending_since.elapsed() < delay,
        "the pending phase outlived the backoff"
    );

    mode.pass(delay).await;
    join("waiting notify", waiting_notify)
        .await
        .expect("queued");
    assert_eq!(join("waiting send", waiting_send).await.unwrap(), (2, 14));
    let mut handled = probe.handled_by(2);
    // The two waiters raced for the freed slots: either order.
    handled[3..].sort_unstable();
    assert_eq!(handled, vec![10, 11, 12, 13, 14]);
    assert_eq!(probe.handled(99), 0);
    let info = status(&h).await;
    assert_eq!(info.status, ActorStatus::Running);
    assert_eq!((info.incarnation, info.restarts), (2, 1));
}
on_both_flavours!(sends_during_a_pending_restart_are_accepted, paused);

async fn priority_lane_is_handed_to_the_next_incarnation(mode: Mode) {
    let sys = system();
    let delay = mode.backoff();
    let config =
        roomy(SupervisionConfig::one_for_one()).with_backoff(Backoff::exponential(delay, delay));
    let sup = Sup::start(&sys, config).await;
    let probe = Probe::new();
    let h = sup.spawn(Spec::new(&probe).priority_lane(2)).await;
    fail(&h, 1).await;
    sup.until_events(1).await;
    h.notify(W::Echo(2)).await.unwrap();
    h.notify(W::Echo(3)).await.unwrap();
    h.notify_priority(W::Echo(4)).await.unwrap();
    h.try_notify_priority(W::Echo(5)).unwrap();
    assert_eq!(h.try_notify_priority(W::Echo(99)), Err(TrySendError::Full));
    assert_eq!(h.priority_len(), 2);
    mode.pass(delay).await;
    assert_eq!(echo(&h, 6).await, 2);
    assert_eq!(probe.handled_by(2), vec![4, 5, 2, 3, 6]);
}
on_both_flavours!(priority_lane_is_handed_to_the_next_incarnation, paused);

async fn a_sibling_pending_restart_is_restarting_too(mode: Mode) {
    let sys = system();
    let delay = mode.backoff();
    let config =
        roomy(SupervisionConfig::one_for_all()).with_backoff(Backoff::exponential(delay, delay));
    let sup = Sup::start(&sys, config).await;
    let (pa, pb) = (Probe::new(), Probe::new());
    let a = sup.spawn(Spec::new(&pa)).await;
    let b = sup.spawn(Spec::new(&pb).shutdown(Shutdown::Kill)).await;
    fail(&a, 1).await;
    sup.until_events(1).await;
    // The sibling is stopped by the restart, then waits for the same delay.
    let info = within("sibling restarting", async {
        loop {
            if let Ok(Ok(info)) =
                tokio::time::timeout(Duration::from_millis(1), b.get_status()).await
            {
                if info.status == ActorStatus::Restarting {
                    return info;
                }
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert_eq!((info.incarnation, info.restarts), (1, 0));
    assert!(b.is_alive());
    b.try_notify(W::Echo(7)).unwrap();
    assert_eq!(pb.calls(), 1);
    mode.pass(delay).await;
    assert_eq!(echo(&b, 8).await, 2);
    assert_eq!(pb.handled_by(2), vec![7, 8]);
    assert_eq!(echo(&a, 9).await, 2);
    let info = status(&b).await;
    assert_eq!(
        (info.status, info.incarnation, info.restarts),
        (ActorStatus::Running, 2, 1)
    );
}
on_both_flavours!(a_sibling_pending_restart_is_restarting_too, paused);

async fn graceful_stop_while_pending_applies_to_the_next_incarnation(mode: Mode) {
    let sys = system();
    let delay = mode.backoff();
    let config =
        roomy(SupervisionConfig::one_for_one()).with_backoff(Backoff::exponential(delay, delay));
    let sup = Sup::start(&sys, config).await;
    let probe = Probe::new();
    let name = uniq("pending-graceful");
    let spec = Spec::new(&probe)
        .named(&name)
        .restart(RestartType::Transient);
    let h = sup.spawn(spec).await;
    fail(&h, 1).await;
    sup.until_events(1).await;
    let before = queue_send(&h, W::Echo(2)).await;
    h.stop(StopReason::Graceful)
        .await
        .expect("accepted while pending");
    assert!(h.is_alive());
    assert_eq!(probe.calls(), 1);
    mode.pass(delay).await;
    let reason = within("final stop", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Graceful), "got {reason:?}");
    // The stop overtakes the message queued before it, as it would for a running actor.
    assert!(matches!(
        join("queued send", before).await,
        Err(AskError::ResponseDropped)
    ));
    assert_eq!(probe.handled(2), 0);
    assert_eq!(
        probe.calls(),
        2,
        "the next incarnation started and got the stop"
    );
    assert!(probe.log.has("on_stopped:2:graceful"));
    assert!(!h.is_alive());
    assert!(sys.get::<Worker>(&name).is_none());
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
on_both_flavours!(
    graceful_stop_while_pending_applies_to_the_next_incarnation,
    paused
);

async fn cancelled_stop_while_pending_restarts_again(mode: Mode) {
    let sys = system();
    let delay = mode.backoff();
    let config =
        roomy(SupervisionConfig::one_for_one()).with_backoff(Backoff::exponential(delay, delay));
    let sup = Sup::start(&sys, config).await;
    let probe = Probe::new();
    let h = sup.spawn(Spec::new(&probe)).await;
    fail(&h, 1).await;
    sup.until_events(1).await;
    h.stop(StopReason::Cancelled)
        .await
        .expect("accepted while pending");
    mode.pass(delay).await;
    let events = sup.until_events(2).await;
    assert_eq!(events[1].1, SupervisionAction::Restarted);
    assert_eq!(events[1].2, "cancelled");
    assert!(probe.log.has("on_stopped:2:cancelled"));
    mode.pass(delay).await;
    probe.until_calls(3).await;
    assert_eq!(echo(&h, 5).await, 3);
    assert!(h.is_alive());
}
on_both_flavours!(cancelled_stop_while_pending_restarts_again, paused);

async fn kill_while_pending_applies_to_the_next_incarnation(mode: Mode) {
    let sys = system();
    let delay = mode.backoff();
    let config =
        roomy(SupervisionConfig::one_for_one()).with_backoff(Backoff::exponential(delay, delay));
    let sup = Sup::start(&sys, config).await;
    let probe = Probe::new();
    let h = sup.spawn(Spec::new(&probe)).await;
    fail(&h, 1).await;
    sup.until_events(1).await;
    let queued = queue_send(&h, W::Echo(2)).await;
    h.stop(StopReason::Kill)
        .await
        .expect("accepted while pending");
    assert!(h.is_alive());
    mode.pass(delay).await;
    let events = sup.until_events(2).await;
    assert_eq!(
        (events[1].1, events[1].2.as_str()),
        (SupervisionAction::Restarted, "kill"),
        "the Kill ended the next incarnation"
    );
    assert_eq!(probe.calls(), 2);
    mode.pass(delay).await;
    let (inc, n) = join("queued send", queued).await.expect("answered");
    assert_eq!(
        (inc, n),
        (3, 2),
        "the killed incarnation never took the message"
    );
    assert_eq!(probe.handled(2), 1);
    assert_eq!(echo(&h, 3).await, 3);
}
on_both_flavours!(kill_while_pending_applies_to_the_next_incarnation, paused);

async fn stop_on_a_permanent_child_restarts_it(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let name = uniq("permanent-stop");
    let h = sup.spawn(Spec::new(&probe).named(&name)).await;
    let reasons = [StopReason::Graceful, StopReason::Cancelled];
    for (k, reason) in (1..).zip(reasons) {
        h.stop(reason).await.expect("accepted");
        probe.until_calls(k + 1).await;
        assert_eq!(echo(&h, k).await, k + 1);
        assert!(h.is_alive());
        assert_same(
            &h,
            &sys.get::<Worker>(&name).expect("registered"),
            "after stop",
        );
    }
    let events: Vec<_> = sup.events().into_iter().map(|(_, a, r)| (a, r)).collect();
    assert_eq!(
        events,
        vec![
            (SupervisionAction::Restarted, "graceful".to_string()),
            (SupervisionAction::Restarted, "cancelled".to_string()),
        ]
    );
}
on_both_flavours!(stop_on_a_permanent_child_restarts_it);
