use std::time::Duration;
use tokio_actors::*;

struct Counter(u64);
impl Actor for Counter {
    type Message = u64;
    type Response = u64;
    async fn handle(&mut self, m: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        if m == 999 {
            panic!("boom");
        }
        if m == 998 {
            return Err(ActorError::user("bad"));
        }
        self.0 += m;
        Ok(self.0)
    }
}

#[tokio::test]
async fn smoke() {
    let h = Counter(0).spawn().await.unwrap();
    h.notify(1).await.unwrap();
    assert_eq!(h.send(2).await.unwrap(), 3);
    let st = h.get_status().await.unwrap();
    assert_eq!(st.status, ActorStatus::Running);
    let e = h.send(999).await.unwrap_err();
    assert!(
        matches!(e, AskError::Actor(ActorError::Panic(ref m)) if m.contains("boom")),
        "{e:?}"
    );
    let r = tokio::time::timeout(Duration::from_secs(5), h.wait_stopped())
        .await
        .unwrap();
    assert!(matches!(r, StopReason::Failure(ActorError::Panic(_))));
    assert!(!h.is_alive());
    assert!(matches!(h.notify(1).await, Err(SendError::Closed)));
}

struct Sup;
impl Actor for Sup {
    type Message = ();
    type Response = Vec<ChildInfo>;
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Counter(0)).named("smoke-child").await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<Vec<ChildInfo>> {
        Ok(ctx.children())
    }
}

#[tokio::test]
async fn smoke_restart() {
    let s = Sup.spawn().supervised().await.unwrap();
    let sys = ActorSystem::default();
    let c = sys.get::<Counter>("smoke-child").unwrap();
    assert_eq!(c.send(5).await.unwrap(), 5);
    let _ = c.send(998).await;
    c.wait_stopped().await;
    for _ in 0..100 {
        if let Some(c2) = sys.get::<Counter>("smoke-child") {
            if c2.is_alive() {
                assert_eq!(c2.send(1).await.unwrap(), 1);
                let kids = s.send(()).await.unwrap();
                assert_eq!(kids.len(), 1);
                s.stop(StopReason::Graceful).await.unwrap();
                s.wait_stopped().await;
                assert!(!c2.is_alive());
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("not restarted");
}
