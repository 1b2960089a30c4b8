//! Death watch: `ctx.watch`, `ctx.unwatch`, `on_watched_stopped`, `Terminated`.
//!
//! Every test runs on the current-thread runtime and on a 2-worker multi-thread runtime.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{uniq, within};
use tokio::sync::{mpsc, Notify};
use tokio_actors::*;

/// A watched actor that can be told to fail or stop itself.
struct Target;

enum T {
    Ping,
    Fail,
}

impl Actor for Target {
    type Message = T;
    type Response = ();
    async fn handle(&mut self, msg: T, _: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            T::Ping => Ok(()),
            T::Fail => Err(ActorError::user("target failed")),
        }
    }
}

/// What a watcher does when a notice arrives.
#[derive(Clone, Copy, PartialEq)]
enum OnNotice {
    Record,
    Err,
    Panic,
}

enum W {
    Watch(ActorHandle<Target>),
    WatchTwice(ActorHandle<Target>),
    Unwatch(ActorId),
    /// Blocks the handler until the notify fires.
    Block(Arc<Notify>),
    Count,
}

/// Records every notice (and every handled message) into a channel.
struct Watcher {
    events: mpsc::UnboundedSender<String>,
    on_notice: OnNotice,
    failures: Arc<AtomicUsize>,
}

impl Watcher {
    fn new(events: mpsc::UnboundedSender<String>) -> Self {
        Watcher {
            events,
            on_notice: OnNotice::Record,
            failures: Arc::default(),
        }
    }
}

impl Actor for Watcher {
    type Message = W;
    type Response = usize;
    async fn handle(&mut self, msg: W, ctx: &mut ActorContext<Self>) -> ActorResult<usize> {
        match msg {
            W::Watch(target) => ctx.watch(&target),
            W::WatchTwice(target) => {
                ctx.watch(&target);
                ctx.watch(&target);
            }
            W::Unwatch(id) => ctx.unwatch(&id),
            W::Block(release) => {
                let _ = self.events.send("blocked".into());
                release.notified().await;
                let _ = self.events.send("unblocked".into());
            }
            W::Count => {}
        }
        Ok(ctx.watched_count())
    }

    async fn on_watched_stopped(
        &mut self,
        event: Terminated,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        let reason = match &event.reason {
            StopReason::Graceful => "graceful".to_string(),
            StopReason::Kill => "kill".to_string(),
            StopReason::Failure(e) => format!("failure: {e}"),
            other => other.to_string(),
        };
        let _ = self.events.send(format!(
            "terminated {} {:?} {reason}",
            event.id,
            event.name.as_deref()
        ));
        match self.on_notice {
            OnNotice::Record => Ok(()),
            OnNotice::Err => Err(ActorError::user("hook failed")),
            OnNotice::Panic => panic!("hook panicked"),
        }
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.failures.fetch_add(1, Ordering::SeqCst);
        let _ = self.events.send(format!("handle_failure {error}"));
    }
}

/// Lets everything that can run, run (no time passes).
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
}

async fn next(events: &mut mpsc::UnboundedReceiver<String>) -> String {
    within("next event", events.recv()).await.expect("open")
}

fn expect_none(events: &mut mpsc::UnboundedReceiver<String>) {
    if let Ok(extra) = events.try_recv() {
        panic!("unexpected event: {extra}");
    }
}

both_flavours!(a_graceful_stop_is_delivered_once_with_id_name_and_reason => async {
        let (tx, mut events) = mpsc::unbounded_channel();
        let watcher = Watcher::new(tx).spawn().await.unwrap();
        let name = uniq("watched");
        let target = Target.spawn().named(&name).await.unwrap();
        assert_eq!(watcher.send(W::Watch(target.clone())).await.unwrap(), 1);
        target.stop(StopReason::Graceful).await.unwrap();
        assert_eq!(
            next(&mut events).await,
            format!("terminated {name} Some({name:?}) graceful")
        );
        settle().await;
        expect_none(&mut events);
        assert_eq!(
            watcher.send(W::Count).await.unwrap(),
            0,
            "the watch is spent"
        );
        assert!(watcher.is_alive(), "a monitor, not a link");
    }
);

both_flavours!(a_failure_reason_reaches_the_watcher => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::new(tx).spawn().await.unwrap();
    let target = Target.spawn().await.unwrap();
    watcher.send(W::Watch(target.clone())).await.unwrap();
    assert!(target.send(T::Fail).await.is_err());
    assert_eq!(
        next(&mut events).await,
        format!("terminated {} None failure: target failed", target.id())
    );
});

both_flavours!(watching_a_terminated_actor_delivers_at_once => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::new(tx).spawn().await.unwrap();
    let target = Target.spawn().await.unwrap();
    target.stop(StopReason::Kill).await.unwrap();
    target.wait_stopped().await;
    watcher.send(W::Watch(target.clone())).await.unwrap();
    assert_eq!(
        next(&mut events).await,
        format!("terminated {} None kill", target.id())
    );
});

both_flavours!(watching_twice_is_one_watch => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::new(tx).spawn().await.unwrap();
    let target = Target.spawn().await.unwrap();
    assert_eq!(
        watcher.send(W::WatchTwice(target.clone())).await.unwrap(),
        1
    );
    target.stop(StopReason::Graceful).await.unwrap();
    assert!(next(&mut events).await.starts_with("terminated"));
    settle().await;
    expect_none(&mut events);
});

both_flavours!(no_notice_after_unwatch => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::new(tx).spawn().await.unwrap();
    let target = Target.spawn().await.unwrap();
    watcher.send(W::Watch(target.clone())).await.unwrap();
    assert_eq!(
        watcher.send(W::Unwatch(target.id().clone())).await.unwrap(),
        0
    );
    target.stop(StopReason::Graceful).await.unwrap();
    target.wait_stopped().await;
    settle().await;
    watcher.send(W::Count).await.unwrap();
    expect_none(&mut events);
});

both_flavours!(a_notice_overtakes_a_full_mailbox => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::new(tx)
        .spawn()
        .with_config(ActorConfig::default().with_mailbox_capacity(1))
        .await
        .unwrap();
    let target = Target.spawn().await.unwrap();
    watcher.send(W::Watch(target.clone())).await.unwrap();
    let release = Arc::new(Notify::new());
    watcher.notify(W::Block(release.clone())).await.unwrap();
    assert_eq!(next(&mut events).await, "blocked"); // the handler is busy now
    watcher.notify(W::Count).await.unwrap(); // the mailbox is now full
    assert_eq!(watcher.try_notify(W::Count), Err(TrySendError::Full));
    target.stop(StopReason::Graceful).await.unwrap();
    target.wait_stopped().await;
    release.notify_one();
    assert_eq!(next(&mut events).await, "unblocked");
    // The notice runs before the queued mailbox message.
    assert!(next(&mut events).await.starts_with("terminated"));
    assert_eq!(watcher.send(W::Count).await.unwrap(), 0);
});

both_flavours!(ten_thousand_watchers_each_get_exactly_one_notice => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let target = Target.spawn().await.unwrap();
    let mut watchers = Vec::new();
    for _ in 0..10_000 {
        let watcher = Watcher::new(tx.clone()).spawn().await.unwrap();
        watcher.send(W::Watch(target.clone())).await.unwrap();
        watchers.push(watcher);
    }
    target.stop(StopReason::Graceful).await.unwrap();
    for _ in 0..10_000 {
        assert!(next(&mut events).await.starts_with("terminated"));
    }
    settle().await;
    expect_none(&mut events);
    for watcher in &watchers {
        assert_eq!(watcher.send(W::Count).await.unwrap(), 0);
    }
});

both_flavours!(an_err_in_the_hook_goes_to_handle_failure => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let mut watcher = Watcher::new(tx);
    watcher.on_notice = OnNotice::Err;
    let failures = watcher.failures.clone();
    let watcher = watcher.spawn().await.unwrap();
    let target = Target.spawn().await.unwrap();
    watcher.send(W::Watch(target.clone())).await.unwrap();
    target.stop(StopReason::Graceful).await.unwrap();
    assert!(next(&mut events).await.starts_with("terminated"));
    assert_eq!(next(&mut events).await, "handle_failure hook failed");
    assert_eq!(failures.load(Ordering::SeqCst), 1);
    assert_eq!(watcher.send(W::Count).await.unwrap(), 0, "still serving");
});

both_flavours!(a_panic_in_the_hook_stops_the_watcher => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let mut watcher = Watcher::new(tx);
    watcher.on_notice = OnNotice::Panic;
    let watcher = watcher.spawn().await.unwrap();
    let target = Target.spawn().await.unwrap();
    watcher.send(W::Watch(target.clone())).await.unwrap();
    target.stop(StopReason::Graceful).await.unwrap();
    assert!(next(&mut events).await.starts_with("terminated"));
    let reason = within("watcher stops", watcher.wait_stopped()).await;
    assert!(
        matches!(&reason, StopReason::Failure(ActorError::Panic(m)) if m.contains("hook panicked")),
        "{reason:?}"
    );
});

both_flavours!(the_watched_actor_is_not_affected_by_its_watcher => async {
    let (tx, _events) = mpsc::unbounded_channel();
    let watcher = Watcher::new(tx).spawn().await.unwrap();
    let target = Target.spawn().await.unwrap();
    watcher.send(W::Watch(target.clone())).await.unwrap();
    watcher.stop(StopReason::Kill).await.unwrap();
    watcher.wait_stopped().await;
    assert!(target.is_alive());
    target.send(T::Ping).await.unwrap();
});

/// A supervisor whose one child is a `Target`; answers with the child's handle.
struct Boss {
    restart: RestartType,
}

impl Actor for Boss {
    type Message = ();
    type Response = Option<ActorHandle<Target>>;
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Target)
            .restart_type(self.restart)
            .await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
        let id = ctx.children().first().map(|c| c.id.clone());
        Ok(id.and_then(|id| ctx.child::<Target>(&id)))
    }
}

both_flavours!(a_restart_is_not_a_termination_but_a_removal_is => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::new(tx).spawn().await.unwrap();
    let boss = Boss {
        restart: RestartType::Transient,
    }
    .spawn()
    .supervised()
    .await
    .unwrap();
    let child = boss.send(()).await.unwrap().expect("a child");
    watcher.send(W::Watch(child.clone())).await.unwrap();
    // A failure: the Transient child is restarted; its handle stays valid, no notice.
    assert!(child.send(T::Fail).await.is_err());
    within("restarted", async {
        loop {
            match child.get_status().await {
                Ok(info) if info.incarnation == 2 && info.status == ActorStatus::Running => break,
                _ => tokio::task::yield_now().await,
            }
        }
    })
    .await;
    settle().await;
    expect_none(&mut events);
    // A normal exit: removed for good, one notice.
    child.stop(StopReason::Graceful).await.unwrap();
    assert_eq!(
        next(&mut events).await,
        format!("terminated {} None graceful", child.id())
    );
    boss.stop(StopReason::Graceful).await.unwrap();
});

/// A supervised watcher: watches its target on `true`, fails on `false`.
struct SupervisedWatcher {
    target: ActorHandle<Target>,
    events: mpsc::UnboundedSender<String>,
}

impl Actor for SupervisedWatcher {
    type Message = bool;
    type Response = usize;
    async fn handle(&mut self, watch: bool, ctx: &mut ActorContext<Self>) -> ActorResult<usize> {
        if watch {
            ctx.watch(&self.target);
            Ok(ctx.watched_count())
        } else {
            Err(ActorError::user("watcher fails"))
        }
    }
    async fn on_watched_stopped(
        &mut self,
        event: Terminated,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        let _ = self.events.send(format!("terminated {}", event.id));
        Ok(())
    }
}

struct WatcherBoss {
    target: ActorHandle<Target>,
    events: mpsc::UnboundedSender<String>,
    name: String,
}

impl Actor for WatcherBoss {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let (target, events) = (self.target.clone(), self.events.clone());
        ctx.spawn_child(move || SupervisedWatcher {
            target: target.clone(),
            events: events.clone(),
        })
        .named(self.name.clone())
        .await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

both_flavours!(watches_end_with_the_watchers_incarnation => async {
    let (tx, mut events) = mpsc::unbounded_channel();
    let target = Target.spawn().await.unwrap();
    let sys = ActorSystem::create(uniq("watch-sys")).unwrap();
    let name = uniq("supervised-watcher");
    let boss = WatcherBoss {
        target: target.clone(),
        events: tx,
        name: name.clone(),
    }
    .spawn()
    .supervised()
    .on_system(&sys)
    .await
    .unwrap();
    let watcher = sys.get::<SupervisedWatcher>(&name).expect("named child");
    assert_eq!(watcher.send(true).await.unwrap(), 1);
    // The watcher's incarnation fails and is restarted: its watch ends with it.
    assert!(watcher.send(false).await.is_err());
    within("restarted", async {
        loop {
            match watcher.get_status().await {
                Ok(info) if info.incarnation == 2 && info.status == ActorStatus::Running => break,
                _ => tokio::task::yield_now().await,
            }
        }
    })
    .await;
    target.stop(StopReason::Graceful).await.unwrap();
    target.wait_stopped().await;
    settle().await;
    assert_eq!(watcher.send(true).await.unwrap(), 1, "a fresh watch");
    // Watching the now-terminated target delivers at once, exactly once.
    assert_eq!(
        next(&mut events).await,
        format!("terminated {}", target.id())
    );
    settle().await;
    expect_none(&mut events);
    boss.stop(StopReason::Graceful).await.unwrap();
    sys.shutdown().await;
});
