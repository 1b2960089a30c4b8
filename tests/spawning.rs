//! Spawning and identity.
mod common;

use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use common::*;
use tokio_actors::*;

/// Another actor type, for typed-lookup tests.
struct Other;
impl Actor for Other {
    type Message = ();
    type Response = ();
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && s.chars()
            .enumerate()
            .filter(|(i, _)| ![8, 13, 18, 23].contains(i))
            .all(|(_, c)| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

// 1
#[tokio::test]
async fn anonymous_spawn_has_uuid_id_and_is_not_registered() {
    let log = Log::default();
    let sys = system();
    let a = within("spawn", Probe::new(&log).spawn()).await;
    let b = within("spawn", Probe::new(&log).spawn()).await;
    let (Ok(a), Ok(b)) = (a, b) else {
        panic!("anonymous spawns failed")
    };
    assert!(is_uuid_v4(a.id().as_str()), "{}", a.id());
    assert!(is_uuid_v4(b.id().as_str()), "{}", b.id());
    assert_ne!(a.id(), b.id());
    let reg = ActorSystem::default().registered();
    assert!(!reg
        .iter()
        .any(|n| n == a.id().as_str() || n == b.id().as_str()));
    // Also anonymous with `on_system`: tracked, but not registered under a name.
    let c = within("spawn", Probe::new(&log).spawn().on_system(&sys))
        .await
        .expect("spawn on system");
    assert!(is_uuid_v4(c.id().as_str()));
    assert!(sys.registered().is_empty());
}

// 2
#[tokio::test]
async fn named_spawn_registers_in_default_system() {
    let name = uniq("named");
    let h = within("spawn", Probe::new(&Log::default()).spawn().named(&name))
        .await
        .expect("spawn");
    assert_eq!(h.id().as_str(), name);
    assert_eq!(h.id().to_string(), name);
    let got = ActorSystem::default().get::<Probe>(&name);
    assert_eq!(got.as_ref(), Some(&h));
    assert!(ActorSystem::default().registered().contains(&name));
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", h.wait_stopped()).await;
}

// 3
#[tokio::test]
async fn taken_name_fails_and_first_actor_is_unaffected() {
    let sys = system();
    let name = uniq("taken");
    let first = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&sys),
    )
    .await
    .expect("first spawn");
    let log2 = Log::default();
    let second = Probe::new(&log2);
    let dropped = second.dropped.clone();
    let r = within("spawn", second.spawn().named(&name).on_system(&sys)).await;
    match r {
        Err(SpawnError::NameTaken { name: n, system: s }) => {
            assert_eq!(n, name);
            assert_eq!(s, sys.name());
        }
        other => panic!("expected NameTaken, got {other:?}"),
    }
    assert!(log2.all().is_empty(), "no hook may run: {:?}", log2.all());
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
    assert!(first.is_alive());
    assert_eq!(within("send", first.send(Msg::Echo(7))).await.ok(), Some(7));
    assert_eq!(sys.get::<Probe>(&name).as_ref(), Some(&first));
    sys.shutdown().await;
}

// 4
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_spawns_of_one_name_exactly_one_wins() {
    for _ in 0..20 {
        let sys = system();
        let name = uniq("race");
        let (s1, n1) = (sys.clone(), name.clone());
        let (s2, n2) = (sys.clone(), name.clone());
        let t1 = tokio::spawn(async move {
            Probe::new(&Log::default())
                .spawn()
                .named(n1)
                .on_system(&s1)
                .await
        });
        let t2 = tokio::spawn(async move {
            Probe::new(&Log::default())
                .spawn()
                .named(n2)
                .on_system(&s2)
                .await
        });
        let r1 = within("join", t1).await.expect("join");
        let r2 = within("join", t2).await.expect("join");
        let oks = [&r1, &r2].iter().filter(|r| r.is_ok()).count();
        let taken = [&r1, &r2]
            .iter()
            .filter(|r| matches!(r, Err(SpawnError::NameTaken { .. })))
            .count();
        assert_eq!((oks, taken), (1, 1), "{r1:?} / {r2:?}");
        assert_eq!(sys.registered(), vec![name]);
        within("shutdown", sys.shutdown()).await;
    }
}

// 5
#[tokio::test]
async fn same_name_on_two_systems() {
    let (s1, s2) = (system(), system());
    let name = uniq("twin");
    let a = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&s1),
    )
    .await
    .expect("spawn a");
    let b = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&s2),
    )
    .await
    .expect("spawn b");
    let ga = s1.get::<Probe>(&name).expect("in s1");
    let gb = s2.get::<Probe>(&name).expect("in s2");
    // Same id (the name), so compare incarnations by liveness after stopping one.
    assert_eq!(ga, a);
    assert_eq!(gb, b);
    within("stop", a.stop(StopReason::Graceful))
        .await
        .expect("stop a");
    within("wait", a.wait_stopped()).await;
    assert!(!ga.is_alive());
    assert!(gb.is_alive());
    assert!(s1.get::<Probe>(&name).is_none());
    assert!(s2.get::<Probe>(&name).is_some());
    s2.shutdown().await;
}

// 6
#[tokio::test]
async fn get_with_wrong_type_is_none() {
    let sys = system();
    let name = uniq("typed");
    let _h = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&sys),
    )
    .await
    .expect("spawn");
    assert!(sys.get::<Other>(&name).is_none());
    assert!(sys.get::<Probe>(&name).is_some());
    assert!(sys.get::<Probe>("no-such-name").is_none());
    sys.shutdown().await;
}

// 7
#[tokio::test]
async fn supervised_then_with_config_is_still_a_supervisor() {
    let events = Default::default();
    let parent = within(
        "spawn",
        Parent { events }
            .spawn()
            .supervised()
            .with_config(ActorConfig::default()),
    )
    .await
    .expect("spawn parent");
    let log = Log::default();
    let l2 = log.clone();
    let child = Parent::spawn_probe(&parent, Arc::new(move || Probe::new(&l2)), None).await;
    assert!(child.is_ok(), "spawn_child failed: {:?}", child.err());
    // And the reverse order works too.
    let p2 = within(
        "spawn",
        Parent {
            events: Default::default(),
        }
        .spawn()
        .with_config(ActorConfig::default().with_mailbox_capacity(3))
        .supervised(),
    )
    .await
    .expect("spawn parent 2");
    assert_eq!(p2.mailbox_capacity(), 3);
    let l3 = log.clone();
    let c2 = Parent::spawn_probe(&p2, Arc::new(move || Probe::new(&l3)), None).await;
    assert!(c2.is_ok(), "spawn_child failed: {:?}", c2.err());
    // Without supervision: NotASupervisor.
    let p3 = within(
        "spawn",
        Parent {
            events: Default::default(),
        }
        .spawn(),
    )
    .await
    .expect("spawn parent 3");
    let l4 = log.clone();
    let c3 = Parent::spawn_probe(&p3, Arc::new(move || Probe::new(&l4)), None).await;
    assert!(
        matches!(
            c3,
            Err(ActorError::Supervision(SupervisionError::NotASupervisor))
        ),
        "{:?}",
        c3.err()
    );
    for p in [&parent, &p2, &p3] {
        within("stop", p.stop(StopReason::Graceful))
            .await
            .expect("stop");
        within("wait", p.wait_stopped()).await;
    }
}

// 8
#[tokio::test]
async fn mailbox_capacity_default_and_configured() {
    let h = within("spawn", Probe::new(&Log::default()).spawn())
        .await
        .expect("spawn");
    assert_eq!(h.mailbox_capacity(), 64);
    let st = within("status", h.get_status()).await.expect("status");
    assert_eq!(st.mailbox_capacity, 64);
    let h7 = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(7)),
    )
    .await
    .expect("spawn");
    assert_eq!(h7.mailbox_capacity(), 7);
    assert_eq!(h7.mailbox_available(), 7);
    let st = within("status", h7.get_status()).await.expect("status");
    assert_eq!(st.mailbox_capacity, 7);
    let hm = within(
        "spawn",
        Probe::new(&Log::default()).spawn().with_config(
            ActorConfig::default().with_mailbox(MailboxConfig::default().with_capacity(5)),
        ),
    )
    .await
    .expect("spawn");
    assert_eq!(hm.mailbox_capacity(), 5);
}

// 9
#[tokio::test]
async fn zero_or_huge_capacity_is_invalid_and_not_registered() {
    let sys = system();
    let name = uniq("zero");
    let log = Log::default();
    let r = within(
        "spawn",
        Probe::new(&log)
            .spawn()
            .named(&name)
            .on_system(&sys)
            .with_config(ActorConfig::default().with_mailbox_capacity(0)),
    )
    .await;
    assert!(matches!(r, Err(SpawnError::InvalidConfig(_))), "{r:?}");
    assert!(sys.registered().is_empty());
    assert!(sys.get::<Probe>(&name).is_none());
    let r = within(
        "spawn",
        Probe::new(&log)
            .spawn()
            .named(&name)
            .on_system(&sys)
            .with_config(ActorConfig::default().with_mailbox_capacity(usize::MAX)),
    )
    .await;
    assert!(matches!(r, Err(SpawnError::InvalidConfig(_))), "{r:?}");
    assert!(sys.registered().is_empty());
    assert!(log.all().is_empty(), "no hook may run: {:?}", log.all());
    // The name is free for a valid spawn.
    let ok = within(
        "spawn",
        Probe::new(&log).spawn().named(&name).on_system(&sys),
    )
    .await;
    assert!(ok.is_ok());
    sys.shutdown().await;
}

struct ThreadWaker(std::thread::Thread);
impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A minimal executor with no Tokio runtime; gives up after a bounded number of polls.
fn block_on_without_tokio<F: Future>(fut: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    for _ in 0..1000 {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park_timeout(std::time::Duration::from_millis(5));
    }
    panic!("future did not complete outside a runtime");
}

// 10
#[test]
fn spawn_outside_runtime_is_missing_runtime() {
    let log = Log::default();
    let name = uniq("noruntime");
    let r = block_on_without_tokio(Probe::new(&log).spawn().named(&name).into_future());
    assert!(matches!(r, Err(SpawnError::MissingRuntime)), "{r:?}");
    assert!(ActorSystem::default().get::<Probe>(&name).is_none());
    assert!(log.all().is_empty());
}

// 11
#[test]
fn create_with_existing_or_reserved_name_fails() {
    let name = uniq("sysname");
    let s = ActorSystem::create(&name).expect("first create");
    assert_eq!(s.name(), name);
    match ActorSystem::create(&name) {
        Err(SpawnError::SystemNameTaken(n)) => assert_eq!(n, name),
        other => panic!("expected SystemNameTaken, got {other:?}"),
    }
    match ActorSystem::create_with(&name, SystemConfig::default()) {
        Err(SpawnError::SystemNameTaken(n)) => assert_eq!(n, name),
        other => panic!("expected SystemNameTaken, got {other:?}"),
    }
    assert!(matches!(
        ActorSystem::create("default"),
        Err(SpawnError::SystemNameTaken(ref n)) if n == "default"
    ));
}

// 12
#[test]
fn default_system_is_a_singleton() {
    let a = ActorSystem::default();
    let b = ActorSystem::default();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(a.name(), "default");
}

// 13
#[tokio::test]
async fn name_is_reusable_right_after_termination() {
    let sys = system();
    let name = uniq("reuse");
    for round in 0..3u64 {
        let h = within(
            "spawn",
            Probe::new(&Log::default())
                .spawn()
                .named(&name)
                .on_system(&sys),
        )
        .await
        .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        within("stop", h.stop(StopReason::Graceful))
            .await
            .expect("stop");
        until_dead(|| h.is_alive()).await;
        // No extra waiting: the name must already be free.
        assert!(sys.get::<Probe>(&name).is_none());
    }
    // Also after a Kill.
    let h = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&sys),
    )
    .await
    .expect("spawn");
    within("kill", h.stop(StopReason::Kill))
        .await
        .expect("kill");
    until_dead(|| h.is_alive()).await;
    let again = within(
        "spawn",
        Probe::new(&Log::default())
            .spawn()
            .named(&name)
            .on_system(&sys),
    )
    .await;
    assert!(again.is_ok(), "{:?}", again.err());
    sys.shutdown().await;
}
