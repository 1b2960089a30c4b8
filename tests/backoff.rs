//! Restart backoff (paused clock).

use std::time::Duration;

use tokio::time::{advance, timeout};
use tokio_actors::{
    Actor, ActorContext, ActorError, ActorExt, ActorHandle, ActorResult, ActorStatus, ActorSystem,
    Backoff, ChildInfo, SpawnError, SupervisionConfig,
};

struct Child;
impl Actor for Child {
    type Message = bool;
    type Response = ();
    async fn handle(&mut self, fail: bool, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if fail {
            Err(ActorError::user("asked to fail"))
        } else {
            Ok(())
        }
    }
}

enum Cmd {
    Spawn(&'static str),
    Children,
}

struct Parent(Option<ActorHandle<Child>>);
impl Actor for Parent {
    type Message = Cmd;
    type Response = (Vec<ChildInfo>, Option<ActorHandle<Child>>);
    async fn handle(
        &mut self,
        cmd: Cmd,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<Self::Response> {
        if let Cmd::Spawn(name) = cmd {
            self.0 = Some(ctx.spawn_child(|| Child).named(name).await?);
        }
        Ok((ctx.children(), self.0.clone()))
    }
}

async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

async fn pending(parent: &ActorHandle<Parent>) -> bool {
    let (children, _) = timeout(Duration::from_secs(5), parent.send(Cmd::Children))
        .await
        .unwrap()
        .unwrap();
    children[0].restart_pending
}

async fn fail_and_measure(child_name: &str, parent: &ActorHandle<Parent>, expected: Duration) {
    let child = ActorSystem::default()
        .get::<Child>(child_name)
        .expect("child registered");
    assert!(child.send(true).await.is_err());
    settle().await;
    assert!(pending(parent).await, "restart waits for the backoff");
    // The handle follows the child: alive, answering `Restarting` at once.
    assert!(child.is_alive());
    let status = timeout(Duration::from_secs(5), child.get_status())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.status, ActorStatus::Restarting);
    advance(expected - Duration::from_millis(1)).await;
    settle().await;
    assert!(
        pending(parent).await,
        "still waiting 1 ms before {expected:?}"
    );
    advance(Duration::from_millis(2)).await;
    settle().await;
    assert!(!pending(parent).await, "restarted after {expected:?}");
    let fresh = ActorSystem::default()
        .get::<Child>(child_name)
        .expect("new incarnation registered");
    assert!(fresh.is_alive());
    assert_eq!(fresh, child, "one handle across restarts");
    let status = child.get_status().await.unwrap();
    assert_eq!(status.status, ActorStatus::Running);
    assert_eq!(status.restarts + 1, status.incarnation);
}

#[tokio::test(start_paused = true)]
async fn restarts_wait_for_the_exponential_delay_and_reset_after_quiet_time() {
    let ms = Duration::from_millis;
    let config = SupervisionConfig::one_for_one()
        .max_restarts(10, Duration::from_secs(60))
        .with_backoff(Backoff::exponential(ms(100), ms(300)).reset_after(ms(1000)));
    let name = "backoff-child-exponential";
    let parent = Parent(None).spawn().with_supervision(config).await.unwrap();
    parent.send(Cmd::Spawn(name)).await.unwrap();

    fail_and_measure(name, &parent, ms(100)).await;
    fail_and_measure(name, &parent, ms(200)).await;
    fail_and_measure(name, &parent, ms(300)).await;
    fail_and_measure(name, &parent, ms(300)).await; // capped at max
    advance(ms(1000)).await; // a quiet second resets the count
    fail_and_measure(name, &parent, ms(100)).await;
}

#[tokio::test]
async fn jitter_outside_zero_to_one_is_rejected_at_spawn() {
    let config = SupervisionConfig::one_for_one().with_backoff(
        Backoff::exponential(Duration::from_millis(1), Duration::from_millis(10)).with_jitter(1.5),
    );
    let result = Parent(None).spawn().with_supervision(config).await;
    assert!(
        matches!(result, Err(SpawnError::InvalidConfig(_))),
        "{result:?}"
    );
}
