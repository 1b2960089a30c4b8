//! Names must not be empty, and an actor can reach its own system.

mod common;

use common::{system, uniq, within};
use tokio_actors::*;

struct Echo;
impl Actor for Echo {
    type Message = u32;
    type Response = u32;
    async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> {
        Ok(n)
    }
}

/// A supervisor that spawns one child under the name it is sent.
struct Parent;
impl Actor for Parent {
    type Message = String;
    type Response = Result<ActorId, ActorError>;
    async fn handle(
        &mut self,
        name: String,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<Self::Response> {
        Ok(ctx
            .spawn_child(|| Echo)
            .named(name)
            .await
            .map(|h| h.id().clone()))
    }
}

fn is_invalid_config(e: &SpawnError) -> bool {
    matches!(e, SpawnError::InvalidConfig(message) if message.contains("empty"))
}

#[tokio::test]
async fn an_empty_actor_name_is_rejected_and_nothing_is_registered() {
    let sys = system();
    let err = within("spawn", Echo.spawn().named("").on_system(&sys))
        .await
        .expect_err("empty name");
    assert!(is_invalid_config(&err), "{err:?}");
    assert!(sys.registered().is_empty());
    // The default system too.
    let err = within("spawn", Echo.spawn().named(""))
        .await
        .expect_err("empty name");
    assert!(is_invalid_config(&err), "{err:?}");
    // A non-empty name still works.
    let ok = within("spawn", Echo.spawn().named("x").on_system(&sys))
        .await
        .unwrap();
    assert_eq!(ok.id().as_str(), "x");
    sys.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_child_name_is_rejected_and_the_supervisor_carries_on() {
    let parent = within("spawn", Parent.spawn().supervised()).await.unwrap();
    let answer = within("spawn_child", parent.send(String::new()))
        .await
        .unwrap();
    match answer {
        Err(ActorError::Spawn(e)) => assert!(is_invalid_config(&e), "{e:?}"),
        other => panic!("expected Spawn(InvalidConfig), got {other:?}"),
    }
    let name = uniq("child");
    let id = within("spawn_child", parent.send(name.clone()))
        .await
        .unwrap()
        .expect("a named child");
    assert_eq!(id.as_str(), name);
    parent.stop(StopReason::Graceful).await.unwrap();
    within("stop", parent.wait_stopped()).await;
}

#[test]
fn an_empty_system_name_is_rejected() {
    let err = ActorSystem::create("").expect_err("empty name");
    assert!(is_invalid_config(&err), "{err:?}");
}

struct WhereAmI;
impl Actor for WhereAmI {
    type Message = ();
    type Response = String;
    async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<String> {
        Ok(ctx.system().name().to_string())
    }
}

#[tokio::test]
async fn the_context_exposes_the_actors_system() {
    let sys = system();
    let on_sys = within("spawn", WhereAmI.spawn().on_system(&sys))
        .await
        .unwrap();
    assert_eq!(within("send", on_sys.send(())).await.unwrap(), sys.name());
    let plain = within("spawn", WhereAmI.spawn()).await.unwrap();
    assert_eq!(within("send", plain.send(())).await.unwrap(), "default");
    sys.shutdown().await;
    plain.stop(StopReason::Graceful).await.unwrap();
}
