//! When an actor's Tokio runtime shuts down, its task is dropped without a stop
//! sequence; the drop guard must still free its names, turn `is_alive()` false and resolve
//! `wait_stopped` with `Kill`, for supervisors and their children too.

use std::time::Duration;

use tokio_actors::*;

struct Idle;
impl Actor for Idle {
    type Message = ();
    type Response = ();
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

struct Parent;
impl Actor for Parent {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Idle).named("rt-shutdown-child").await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    let mut builder = if multi_thread {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().expect("runtime")
}

fn check(multi_thread: bool, system_name: &str) {
    let sys = ActorSystem::create(system_name).unwrap();
    let rt = runtime(multi_thread);
    let (idle, parent) = rt.block_on(async {
        let idle = Idle
            .spawn()
            .named("rt-shutdown-idle")
            .on_system(&sys)
            .await
            .unwrap();
        let parent = Parent
            .spawn()
            .named("rt-shutdown-parent")
            .on_system(&sys)
            .supervised()
            .await
            .unwrap();
        (idle, parent)
    });
    let child = sys
        .get::<Idle>("rt-shutdown-child")
        .expect("child registered");
    assert_eq!(sys.registered().len(), 3);
    rt.shutdown_timeout(Duration::from_secs(5));

    for (name, alive) in [
        ("idle", idle.is_alive()),
        ("parent", parent.is_alive()),
        ("child", child.is_alive()),
    ] {
        assert!(!alive, "{name} still alive after its runtime shut down");
    }
    assert!(
        sys.registered().is_empty(),
        "names left behind: {:?}",
        sys.registered()
    );
    let after = runtime(false);
    after.block_on(async {
        for reason in [
            idle.wait_stopped().await,
            parent.wait_stopped().await,
            child.wait_stopped().await,
        ] {
            assert!(matches!(reason, StopReason::Kill), "{reason:?}");
        }
        assert!(matches!(
            idle.send(()).await,
            Err(AskError::Send(SendError::Closed))
        ));
        // The names are free again.
        Idle.spawn()
            .named("rt-shutdown-idle")
            .on_system(&sys)
            .await
            .expect("name reusable");
    });
}

#[test]
fn a_current_thread_runtime_shutdown_releases_every_actor() {
    check(false, "runtime-shutdown-ct");
}

#[test]
fn a_multi_thread_runtime_shutdown_releases_every_actor() {
    check(true, "runtime-shutdown-mt");
}
