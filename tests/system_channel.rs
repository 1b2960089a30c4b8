//! The system channel and `get_status`, plus stop with parked senders.
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio_actors::*;

async fn spawn_probe(log: &Log, capacity: usize) -> ActorHandle<Probe> {
    within(
        "spawn",
        Probe::new(log)
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(capacity)),
    )
    .await
    .expect("spawn")
}

/// Blocks `h` in a handler and fills its mailbox with `Echo(10..)`; returns the gate.
async fn block_and_fill(h: &ActorHandle<Probe>, queued: u64) -> Arc<Gate> {
    let gate = Gate::new();
    within("notify", h.notify(Msg::Block(1, gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    for n in 0..queued {
        within("notify", h.notify(Msg::Echo(10 + n)))
            .await
            .expect("notify");
    }
    gate
}

// 28 (paused clock: the sleep below only ends once every task is idle)
#[tokio::test(start_paused = true)]
async fn status_is_answered_after_handler_and_before_queued_messages() {
    let log = Log::default();
    let h = spawn_probe(&log, 2).await;
    let gate = block_and_fill(&h, 2).await;
    assert!(matches!(
        h.try_notify(Msg::Echo(99)),
        Err(TrySendError::Full)
    ));
    let hs = h.clone();
    let status = tokio::spawn(async move { hs.get_status().await });
    settle().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(
        !status.is_finished(),
        "status must not be served mid-handler"
    );
    gate.open();
    let st = within("status", status)
        .await
        .expect("join")
        .expect("status");
    // Snapshot taken before any queued message was taken.
    assert_eq!(st.mailbox_len, 2);
    assert_eq!(st.status, ActorStatus::Running);
    within("send", h.send(Msg::Echo(3))).await.expect("send");
    assert_eq!(log.with_prefix("m"), ["m1", "m10", "m11", "m3"]);
}

// 29
#[tokio::test]
async fn graceful_stop_with_full_mailbox_discards_queued_messages() {
    let log = Log::default();
    let h = spawn_probe(&log, 3).await;
    let gate = block_and_fill(&h, 3).await;
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop accepted with a full mailbox");
    gate.open();
    let reason = within("wait", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Graceful), "{reason:?}");
    assert_eq!(log.with_prefix("m"), ["m1"], "no queued message is handled");
    assert!(log.has("pre_stop:graceful"));
    assert!(log.has("on_stopped:graceful"));
    assert_eq!(h.mailbox_len(), 0);
}

/// An actor that owns one child, one timer and one stream, for `get_status` fields.
struct Rich;

#[derive(Clone)]
enum RichMsg {
    Tick,
    Stream,
    Block(Arc<Gate>),
    Noop,
}

impl From<StreamEvent<()>> for RichMsg {
    fn from(_: StreamEvent<()>) -> Self {
        RichMsg::Stream
    }
}

impl Actor for Rich {
    type Message = RichMsg;
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Probe::new(&Log::default())).await?;
        ctx.schedule(RichMsg::Tick)
            .every(Duration::from_secs(3600))
            .await?;
        ctx.add_stream(tokio_stream::pending::<()>());
        Ok(())
    }
    async fn handle(&mut self, msg: RichMsg, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if let RichMsg::Block(g) = msg {
            g.pass().await;
        }
        Ok(())
    }
}

// 30
#[tokio::test]
async fn status_fields() {
    let sys = system();
    let name = uniq("rich");
    let h = within(
        "spawn",
        Rich.spawn()
            .named(&name)
            .on_system(&sys)
            .supervised()
            .with_config(ActorConfig::default().with_mailbox_capacity(5)),
    )
    .await
    .expect("spawn");
    let gate = Gate::new();
    within("notify", h.notify(RichMsg::Block(gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("notify", h.notify(RichMsg::Noop))
        .await
        .expect("notify");
    within("notify", h.notify(RichMsg::Noop))
        .await
        .expect("notify");
    let hs = h.clone();
    let status = tokio::spawn(async move { hs.get_status().await });
    settle().await;
    gate.open();
    let st = within("status", status)
        .await
        .expect("join")
        .expect("status");
    assert_eq!(st.id.as_str(), name);
    assert_eq!(st.name.as_deref(), Some(name.as_str()));
    assert_eq!(st.status, ActorStatus::Running);
    assert_eq!(st.mailbox_len, 2);
    assert_eq!(st.mailbox_capacity, 5);
    assert_eq!(st.child_count, 1);
    assert_eq!(st.timer_count, 1);
    assert_eq!(st.stream_count, 1);
    // An anonymous, plain actor.
    let p = spawn_probe(&Log::default(), 9).await;
    let st = within("status", p.get_status()).await.expect("status");
    assert_eq!(&st.id, p.id());
    assert_eq!(st.name, None);
    assert_eq!(
        (
            st.mailbox_len,
            st.mailbox_capacity,
            st.child_count,
            st.timer_count,
            st.stream_count
        ),
        (0, 9, 0, 0, 0)
    );
    sys.shutdown().await;
}

// 31
#[tokio::test]
async fn status_and_stop_after_termination_are_closed() {
    let h = spawn_probe(&Log::default(), 4).await;
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", h.wait_stopped()).await;
    let st = within("status", h.get_status()).await;
    assert!(
        matches!(st, Err(AskError::Send(SendError::Closed))),
        "{st:?}"
    );
    for reason in [
        StopReason::Graceful,
        StopReason::Cancelled,
        StopReason::Kill,
        StopReason::ParentRequest,
    ] {
        let r = within("stop", h.stop(reason)).await;
        assert!(matches!(r, Err(SendError::Closed)), "{r:?}");
    }
}

#[tokio::test]
async fn status_pending_at_termination_is_response_dropped() {
    let log = Log::default();
    let gate = Gate::new();
    let probe = Probe::new(&log).script(Script {
        on_stopped: Act::Wait(gate.clone()),
        ..Script::default()
    });
    let h = within("spawn", probe.spawn()).await.expect("spawn");
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    gate.entered().await;
    // Stopping: not answered, and a late stop is accepted (ignored).
    let hs = h.clone();
    let status = tokio::spawn(async move { hs.get_status().await });
    settle().await;
    assert!(!status.is_finished());
    let late = within("late stop", h.stop(StopReason::Cancelled)).await;
    assert!(late.is_ok(), "{late:?}");
    gate.open();
    let st = within("status", status).await.expect("join");
    assert!(matches!(st, Err(AskError::ResponseDropped)), "{st:?}");
    let reason = within("wait", h.wait_stopped()).await;
    assert!(
        matches!(reason, StopReason::Graceful),
        "late signal ignored: {reason:?}"
    );
    assert_eq!(log.count_prefix("on_stopped:"), 1);
}

#[tokio::test]
async fn status_during_initializing_is_answered_once_running() {
    let log = Log::default();
    let gate = Gate::new();
    let name = uniq("init-status");
    let sys = system();
    let probe = Probe::new(&log).script(Script {
        on_started: Act::Wait(gate.clone()),
        ..Script::default()
    });
    let (s2, n2) = (sys.clone(), name.clone());
    let spawn = tokio::spawn(async move { probe.spawn().named(n2).on_system(&s2).await });
    gate.entered().await;
    let h = sys
        .get::<Probe>(&name)
        .expect("registered while initializing");
    assert!(h.is_alive());
    let hs = h.clone();
    let status = tokio::spawn(async move { hs.get_status().await });
    settle().await;
    assert!(!status.is_finished(), "not answered while Initializing");
    gate.open();
    within("spawn", spawn).await.expect("join").expect("spawn");
    let st = within("status", status)
        .await
        .expect("join")
        .expect("status");
    assert_eq!(st.status, ActorStatus::Running);
    sys.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_releases_one_hundred_parked_senders() {
    let log = Log::default();
    let h = spawn_probe(&log, 1).await;
    let gate = block_and_fill(&h, 1).await;
    let mut parked = Vec::new();
    for n in 0..100u64 {
        let h = h.clone();
        if n % 2 == 0 {
            parked.push(tokio::spawn(async move {
                h.notify(Msg::Echo(1000 + n)).await.map_err(AskError::Send)
            }));
        } else {
            parked.push(tokio::spawn(async move {
                h.send(Msg::Echo(1000 + n)).await.map(|_| ())
            }));
        }
    }
    settle().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(
        parked.iter().all(|t| !t.is_finished()),
        "senders must be parked"
    );
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop answered with a full mailbox");
    gate.open();
    for t in parked {
        let r = within("parked sender", t).await.expect("join");
        assert!(
            matches!(r, Err(AskError::Send(SendError::Closed))),
            "parked sender must get Closed: {r:?}"
        );
    }
    within("wait", h.wait_stopped()).await;
    assert_eq!(log.with_prefix("m"), ["m1"]);
}

/// A system item overtakes every mailbox message not yet started, also when the actor was
/// idle (parked waiting for mail) at the moment both arrived.
#[tokio::test]
async fn stop_overtakes_messages_queued_while_idle() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    settle().await; // the actor is parked, waiting for mail
    for n in 1..=3 {
        assert!(h.try_notify(Msg::Echo(n)).is_ok());
    }
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", h.wait_stopped()).await;
    assert!(
        log.with_prefix("m").is_empty(),
        "queued messages must be discarded: {:?}",
        log.all()
    );
}

/// `get_status` queued behind idle-time mail is answered before it.
#[tokio::test]
async fn status_overtakes_messages_queued_while_idle() {
    let log = Log::default();
    let h = spawn_probe(&log, 8).await;
    settle().await;
    for n in 1..=3 {
        assert!(h.try_notify(Msg::Echo(n)).is_ok());
    }
    let st = within("status", h.get_status()).await.expect("status");
    assert_eq!(st.mailbox_len, 3, "status served before any queued message");
}
