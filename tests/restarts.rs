//! Supervised children keep their handle, name and mailbox across restarts; they terminate
//! for good only when their supervisor deletes their slot. Every rule runs on the
//! current-thread runtime (with a paused clock where a backoff delay is involved) and on a
//! two-worker multi-thread runtime (real time).

mod common;
mod restarts_support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{settle, system, uniq, within, Gate};
use restarts_support::*;
use tokio::time::Instant;
use tokio_actors::*;

/// How a scenario lets time pass.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Current-thread runtime with a paused clock: time moves only by `advance` (or when
    /// the runtime is idle).
    Paused,
    /// Multi-thread runtime, real time.
    Real,
}

impl Mode {
    /// A backoff long enough that the pending phase of a scenario fits in it.
    fn backoff(self) -> Duration {
        match self {
            Mode::Paused => Duration::from_secs(10),
            Mode::Real => Duration::from_millis(1500),
        }
    }

    /// Lets `d` pass.
    async fn pass(self, d: Duration) {
        match self {
            Mode::Paused => tokio::time::advance(d).await,
            Mode::Real => tokio::time::sleep(d).await,
        }
    }
}

/// Runs `scenario` on both runtime flavours; with `paused`, the current-thread run has a
/// paused clock.
macro_rules! on_both_flavours {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test]
            async fn current_thread() {
                super::$scenario(super::Mode::Real).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$scenario(super::Mode::Real).await
            }
        }
    };
    ($scenario:ident, paused) => {
        mod $scenario {
            #[tokio::test(start_paused = true)]
            async fn current_thread_paused() {
                super::$scenario(super::Mode::Paused).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$scenario(super::Mode::Real).await
            }
        }
    };
}

/// A OneForOne supervisor with a budget that never runs out in these tests.
fn roomy(config: SupervisionConfig) -> SupervisionConfig {
    config.max_restarts(100, Duration::from_secs(60))
}

/// Asserts two handles are the same actor: equal and with equal hashes.
fn assert_same(a: &ActorHandle<Worker>, b: &ActorHandle<Worker>, what: &str) {
    assert!(a == b, "{what}: handles differ ({a:?} vs {b:?})");
    assert_eq!(hash_of(a), hash_of(b), "{what}: hashes differ");
}

/// `get_status` of a running actor (answered by the actor between two messages).
async fn status(h: &ActorHandle<Worker>) -> ActorStatusInfo {
    within("get_status", h.get_status())
        .await
        .expect("get_status answered")
}

/// `get_status` answered without waiting for anything (by the handle, during a pending
/// restart).
async fn status_now(h: &ActorHandle<Worker>) -> ActorStatusInfo {
    match tokio::time::timeout(Duration::from_millis(1), h.get_status()).await {
        Ok(Ok(info)) => info,
        Ok(Err(e)) => panic!("get_status failed: {e:?}"),
        Err(_) => panic!("get_status was not answered at once"),
    }
}

#[path = "restarts_support/pending.rs"]
mod pending;
#[path = "restarts_support/removal.rs"]
mod removal;

// ---------------------------------------------------------------------------------------------
// The mailbox is handed to the next incarnation.

async fn queued_messages_go_to_the_next_incarnation(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let h = sup.spawn(Spec::new(&probe).named(&uniq("queued"))).await;
    let gate = Gate::new();
    h.notify(W::Block(1, gate.clone())).await.unwrap();
    gate.entered().await;
    let failing = queue_send(&h, W::Fail(2)).await;
    let third = queue_send(&h, W::Echo(3)).await;
    h.try_notify(W::Echo(4)).unwrap();
    h.try_notify(W::Echo(5)).unwrap();
    let sixth = queue_send(&h, W::Echo(6)).await;
    gate.open();

    match join("failing send", failing).await {
        Err(AskError::Actor(ActorError::User(m))) => assert_eq!(m, "fail 2"),
        other => panic!("the failing message's caller: {other:?}"),
    }
    assert_eq!(join("queued send", third).await.unwrap(), (2, 3));
    assert_eq!(join("queued send", sixth).await.unwrap(), (2, 6));
    assert_eq!(probe.handled_by(1), vec![1]);
    assert_eq!(
        probe.handled_by(2),
        vec![3, 4, 5, 6],
        "order kept across the restart"
    );
    assert_eq!(
        probe.handled(2),
        1,
        "the failing message is not redelivered"
    );
    assert_eq!(probe.log.count_prefix("fail"), 1);
    assert_eq!(probe.calls(), 2);
}
on_both_flavours!(queued_messages_go_to_the_next_incarnation);

async fn nothing_is_answered_twice(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let h = sup.spawn(Spec::new(&probe)).await;
    let gate = Gate::new();
    h.notify(W::Block(1, gate.clone())).await.unwrap();
    gate.entered().await;
    let r2 = queue_send(&h, W::Echo(2)).await;
    let r3 = queue_send(&h, W::Fail(3)).await;
    let r4 = queue_send(&h, W::Echo(4)).await;
    h.try_notify(W::Panic(5)).unwrap();
    let r6 = queue_send(&h, W::Echo(6)).await;
    let r7 = queue_send(&h, W::Fail(7)).await;
    h.try_notify(W::Echo(8)).unwrap();
    let r9 = queue_send(&h, W::Echo(9)).await;
    gate.open();

    assert_eq!(join("r2", r2).await.unwrap(), (1, 2));
    assert!(matches!(join("r3", r3).await, Err(AskError::Actor(_))));
    assert_eq!(join("r4", r4).await.unwrap(), (2, 4));
    assert_eq!(join("r6", r6).await.unwrap(), (3, 6));
    assert!(matches!(join("r7", r7).await, Err(AskError::Actor(_))));
    assert_eq!(join("r9", r9).await.unwrap(), (4, 9));
    // Let anything that would be redelivered run, then count.
    assert_eq!(echo(&h, 10).await, 4);
    for n in 1..=10 {
        assert_eq!(probe.handled(n), 1, "request {n} handled once");
    }
    assert_eq!(probe.handled_by(1), vec![1, 2]);
    assert_eq!(probe.handled_by(2), vec![4]);
    assert_eq!(probe.handled_by(3), vec![6]);
    assert_eq!(probe.handled_by(4), vec![8, 9, 10]);
    assert_eq!(probe.calls(), 4);
}
on_both_flavours!(nothing_is_answered_twice);

// ---------------------------------------------------------------------------------------------
// A handle held before three restarts is the handle after them.

async fn one_for_one_handle_survives_three_restarts(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let name = uniq("ofo");
    let h = sup.spawn(Spec::new(&probe).named(&name)).await;
    let early = sys.get::<Worker>(&name).expect("registered");
    assert_same(&h, &early, "spawn_child vs get");
    assert_eq!(status(&h).await.incarnation, 1);
    for k in 1..=3u64 {
        fail(&h, 100 + k).await;
        assert_eq!(
            echo(&h, k).await,
            k + 1,
            "answered by incarnation {}",
            k + 1
        );
        let now = sys.get::<Worker>(&name).expect("still registered");
        assert_same(&h, &now, "after a restart");
        assert_same(&early, &now, "early handle after a restart");
        assert!(early.is_alive());
        let inside = sup.child(h.id()).await.expect("ctx.child");
        assert_same(&h, &inside, "ctx.child after a restart");
        let info = status(&early).await;
        assert_eq!(info.status, ActorStatus::Running);
        assert_eq!((info.incarnation, info.restarts), (k + 1, k));
    }
    assert_eq!(echo(&early, 50).await, 4);
    assert_eq!(probe.calls(), 4);
    let actions: Vec<_> = sup.events().into_iter().map(|(_, a, _)| a).collect();
    assert_eq!(actions, vec![SupervisionAction::Restarted; 3]);
}
on_both_flavours!(one_for_one_handle_survives_three_restarts);

async fn one_for_all_sibling_handle_survives_three_restarts(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_all())).await;
    let (pa, pb) = (Probe::new(), Probe::new());
    let name_b = uniq("ofa-b");
    let a = sup.spawn(Spec::new(&pa).named(&uniq("ofa-a"))).await;
    let b = sup.spawn(Spec::new(&pb).named(&name_b)).await;
    for k in 1..=3u64 {
        fail(&a, k).await;
        pb.until_calls(k + 1).await;
        assert_eq!(
            echo(&b, k).await,
            k + 1,
            "the sibling's next incarnation answers"
        );
        assert_same(
            &b,
            &sys.get::<Worker>(&name_b).expect("registered"),
            "sibling",
        );
        assert_eq!(echo(&a, 10 + k).await, k + 1);
    }
    assert_eq!((pa.calls(), pb.calls()), (4, 4));
    let info = status(&b).await;
    assert_eq!((info.status, info.incarnation), (ActorStatus::Running, 4));
}
on_both_flavours!(one_for_all_sibling_handle_survives_three_restarts);

async fn rest_for_one_follower_handle_survives_three_restarts(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::rest_for_one())).await;
    let (p0, pa, pb) = (Probe::new(), Probe::new(), Probe::new());
    let before = sup.spawn(Spec::new(&p0)).await;
    let a = sup.spawn(Spec::new(&pa)).await;
    let name_b = uniq("rfo-b");
    let b = sup.spawn(Spec::new(&pb).named(&name_b)).await;
    for k in 1..=3u64 {
        fail(&a, k).await;
        pb.until_calls(k + 1).await;
        assert_eq!(echo(&b, k).await, k + 1);
        assert_same(
            &b,
            &sys.get::<Worker>(&name_b).expect("registered"),
            "follower",
        );
        let inside = sup.child(b.id()).await.expect("ctx.child");
        assert_same(&b, &inside, "follower via ctx.child");
    }
    assert_eq!(
        echo(&before, 1).await,
        1,
        "a child started before is not restarted"
    );
    assert_eq!((p0.calls(), pa.calls(), pb.calls()), (1, 4, 4));
}
on_both_flavours!(rest_for_one_follower_handle_survives_three_restarts);

async fn simple_one_for_one_worker_handle_survives_three_restarts(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::simple_one_for_one())).await;
    let (p1, p2) = (Probe::new(), Probe::new());
    let w = sup.spawn(Spec::new(&p1)).await;
    let other = sup.spawn(Spec::new(&p2)).await;
    let id = w.id().clone();
    let inside = sup.child(&id).await.expect("anonymous child found");
    assert_same(&w, &inside, "ctx.child vs spawn_child");
    assert!(w != other);
    for k in 1..=3u64 {
        fail(&w, k).await;
        assert_eq!(echo(&w, k).await, k + 1);
        let inside_now = sup.child(&id).await.expect("anonymous child found");
        assert_same(&w, &inside_now, "ctx.child after a restart");
        assert_same(&inside, &inside_now, "old ctx.child handle");
        assert_eq!(echo(&inside, 10 + k).await, k + 1);
    }
    assert_eq!((p1.calls(), p2.calls()), (4, 1));
    assert_eq!(echo(&other, 1).await, 1);
}
on_both_flavours!(simple_one_for_one_worker_handle_survives_three_restarts);

async fn kill_restart_keeps_the_handle(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let name = uniq("kill");
    let h = sup.spawn(Spec::new(&probe).named(&name)).await;
    for k in 1..=3u64 {
        h.stop(StopReason::Kill).await.expect("kill accepted");
        probe.until_calls(k + 1).await;
        assert_eq!(echo(&h, k).await, k + 1);
        assert_same(
            &h,
            &sys.get::<Worker>(&name).expect("registered"),
            "after kill",
        );
        assert!(h.is_alive());
    }
    let reasons: Vec<_> = sup.events().into_iter().map(|(_, a, r)| (a, r)).collect();
    assert_eq!(
        reasons,
        vec![(SupervisionAction::Restarted, "kill".to_string()); 3]
    );
    assert_eq!(
        probe.log.count_prefix("on_stopped"),
        0,
        "no hook runs for Kill"
    );
}
on_both_flavours!(kill_restart_keeps_the_handle);

async fn backoff_restart_keeps_the_handle(mode: Mode) {
    let delay = match mode {
        Mode::Paused => Duration::from_secs(1),
        Mode::Real => Duration::from_millis(50),
    };
    let sys = system();
    let config =
        roomy(SupervisionConfig::one_for_one()).with_backoff(Backoff::exponential(delay, delay));
    let sup = Sup::start(&sys, config).await;
    let probe = Probe::new();
    let name = uniq("backoff");
    let h = sup.spawn(Spec::new(&probe).named(&name)).await;
    for k in 1..=3u64 {
        // Taken before the failure: the restart may be done before this task runs again.
        let failed_at = Instant::now();
        fail(&h, k).await;
        // Waits through the backoff delay for the next incarnation's answer.
        assert_eq!(echo(&h, 10 + k).await, k + 1);
        assert!(
            failed_at.elapsed() >= delay,
            "answered before the backoff delay"
        );
        assert_same(
            &h,
            &sys.get::<Worker>(&name).expect("registered"),
            "after backoff",
        );
    }
    assert_eq!(probe.calls(), 4);
}
on_both_flavours!(backoff_restart_keeps_the_handle, paused);

// ---------------------------------------------------------------------------------------------
// Names and identity.

async fn no_name_gap_during_restarts(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let name = uniq("gapless");
    let h = sup.spawn(Spec::new(&probe).named(&name)).await;
    let done = Arc::new(AtomicBool::new(false));
    let (hits, misses, strangers) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let looker = {
        let (sys, name, h) = (sys.clone(), name.clone(), h.clone());
        let (done, hits, misses, strangers) = (
            done.clone(),
            hits.clone(),
            misses.clone(),
            strangers.clone(),
        );
        tokio::spawn(async move {
            while !done.load(Ordering::SeqCst) {
                match sys.get::<Worker>(&name) {
                    Some(found) if found == h => hits.fetch_add(1, Ordering::SeqCst),
                    Some(_) => strangers.fetch_add(1, Ordering::SeqCst),
                    None => misses.fetch_add(1, Ordering::SeqCst),
                };
                tokio::task::yield_now().await;
            }
        })
    };
    for k in 1..=3u64 {
        fail(&h, k).await;
        assert_eq!(echo(&h, 10 + k).await, k + 1);
    }
    h.stop(StopReason::Kill).await.unwrap();
    probe.until_calls(5).await;
    assert_eq!(echo(&h, 20).await, 5);
    done.store(true, Ordering::SeqCst);
    join("looker", looker).await;
    assert_eq!(
        misses.load(Ordering::SeqCst),
        0,
        "ActorSystem::get found nothing"
    );
    assert_eq!(
        strangers.load(Ordering::SeqCst),
        0,
        "get found another actor"
    );
    assert!(hits.load(Ordering::SeqCst) > 0, "the loop ran");
}
on_both_flavours!(no_name_gap_during_restarts);

// Handles hash by identity (a pointer), never by the mailbox state clippy sees inside.
#[allow(clippy::mutable_key_type)]
async fn handles_compare_by_identity(_: Mode) {
    let (sys1, sys2) = (system(), system());
    let probe = Probe::new();
    let a = within(
        "spawn",
        probe.factory()().spawn().on_system(&sys1).named("dup"),
    )
    .await
    .unwrap();
    let b = within(
        "spawn",
        probe.factory()().spawn().on_system(&sys2).named("dup"),
    )
    .await
    .unwrap();
    assert_eq!(a.id(), b.id(), "same name");
    assert!(a != b, "two actors named alike are different");
    let set: HashSet<ActorHandle<Worker>> = [a.clone(), b.clone(), a.clone(), b.clone()].into();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&a) && set.contains(&b));
    let a2 = a.clone();
    assert!(a2 == a);
    assert_eq!(hash_of(&a2), hash_of(&a));
    let found = sys1.get::<Worker>("dup").expect("registered");
    assert!(found == a && found != b);
    assert!(sys2.get::<Worker>("dup").expect("registered") == b);
    // A supervised child with the same name in a third system is yet another actor.
    let sys3 = system();
    let sup = Sup::start(&sys3, roomy(SupervisionConfig::one_for_one())).await;
    let c = sup.spawn(Spec::new(&Probe::new()).named("dup")).await;
    fail(&c, 1).await;
    assert_eq!(echo(&c, 2).await, 2);
    assert!(c != a && c != b);
    let set: HashSet<ActorHandle<Worker>> = [a, b, c.clone(), c].into();
    assert_eq!(set.len(), 3);
}
on_both_flavours!(handles_compare_by_identity);

// ---------------------------------------------------------------------------------------------
// Incarnations: hooks, timers, unsupervised actors.

async fn hooks_run_per_incarnation_on_a_fresh_value(_: Mode) {
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let h = sup.spawn(Spec::new(&probe)).await;
    for k in 1..=2u64 {
        assert_eq!(echo(&h, k).await, k);
        fail(&h, 10 + k).await;
    }
    assert_eq!(echo(&h, 3).await, 3);
    let hooks: Vec<String> = probe
        .log
        .all()
        .into_iter()
        .filter(|l| l.starts_with("pre_start") || l.starts_with("on_"))
        .collect();
    assert_eq!(
        hooks,
        vec![
            "pre_start:1:seen=0",
            "on_started:1",
            "on_stopped:1:failure(fail 11)",
            "pre_start:2:seen=0",
            "on_started:2",
            "on_stopped:2:failure(fail 12)",
            "pre_start:3:seen=0",
            "on_started:3",
        ]
    );
}
on_both_flavours!(hooks_run_per_incarnation_on_a_fresh_value);

async fn timers_of_an_old_incarnation_do_not_fire_into_the_new_one(mode: Mode) {
    let d = match mode {
        Mode::Paused => Duration::from_secs(1),
        Mode::Real => Duration::from_millis(300),
    };
    let sys = system();
    let sup = Sup::start(&sys, roomy(SupervisionConfig::one_for_one())).await;
    let probe = Probe::new();
    let h = sup.spawn(Spec::new(&probe)).await;
    // Timer and failure queued together: the incarnation fails right after setting the timer.
    let gate = Gate::new();
    h.notify(W::Block(1, gate.clone())).await.unwrap();
    gate.entered().await;
    let timer = queue_send(&h, W::TimerIn(d, 77)).await;
    let failing = queue_send(&h, W::Fail(2)).await;
    gate.open();
    assert_eq!(join("timer", timer).await.unwrap(), (1, 0));
    assert!(matches!(
        join("fail", failing).await,
        Err(AskError::Actor(_))
    ));
    assert_eq!(echo(&h, 2).await, 2);
    mode.pass(d * 3).await;
    assert_eq!(echo(&h, 3).await, 2);
    assert_eq!(probe.handled(77), 0, "the old incarnation's timer fired");
    // Control: a timer of the running incarnation does fire.
    assert_eq!(
        within("timer", h.send(W::TimerIn(d, 78))).await.unwrap(),
        (2, 0)
    );
    mode.pass(d * 3).await;
    // With the real clock a busy machine may deliver the control late: wait for it (bounded).
    within("control timer", async {
        while probe.handled(78) == 0 {
            tokio::time::sleep(d).await;
        }
    })
    .await;
    assert_eq!(echo(&h, 4).await, 2);
    assert_eq!(probe.handled(78), 1);
}
on_both_flavours!(
    timers_of_an_old_incarnation_do_not_fire_into_the_new_one,
    paused
);

async fn unsupervised_actors_stop_for_good(_: Mode) {
    let sys = system();
    let probe = Probe::new();
    let name = uniq("unsupervised");
    let h = within(
        "spawn",
        probe.factory()().spawn().on_system(&sys).named(&name),
    )
    .await
    .unwrap();
    fail(&h, 1).await;
    let reason = within("stopped", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Failure(ActorError::User(ref m)) if m == "fail 1"));
    assert!(!h.is_alive());
    assert!(sys.get::<Worker>(&name).is_none());
    assert!(matches!(
        h.send(W::Echo(2)).await,
        Err(AskError::Send(SendError::Closed))
    ));
    assert!(matches!(
        h.get_status().await,
        Err(AskError::Send(SendError::Closed))
    ));
    assert_eq!(probe.calls(), 1);

    let g = within("spawn", probe.factory()().spawn().on_system(&sys))
        .await
        .unwrap();
    g.stop(StopReason::Graceful).await.unwrap();
    assert!(matches!(
        within("stopped", g.wait_stopped()).await,
        StopReason::Graceful
    ));
    assert!(!g.is_alive());
    assert_eq!(g.stop(StopReason::Graceful).await, Err(SendError::Closed));
    assert_eq!(
        probe.log.count_prefix("pre_start"),
        2,
        "one incarnation each"
    );
}
on_both_flavours!(unsupervised_actors_stop_for_good);
