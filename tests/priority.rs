//! The priority lane.
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio_actors::*;

/// Records what it handles in a shared log.
struct Recorder {
    log: Log,
}

enum M {
    /// Logs `block<`, waits at the gate, logs `block>`.
    Block(Arc<Gate>),
    /// Logs the label.
    Rec(&'static str),
    /// Fails with the label.
    Fail(&'static str),
}

impl Actor for Recorder {
    type Message = M;
    type Response = &'static str;

    async fn handle(&mut self, msg: M, _: &mut ActorContext<Self>) -> ActorResult<&'static str> {
        match msg {
            M::Block(gate) => {
                self.log.push("block<");
                gate.pass().await;
                self.log.push("block>");
                Ok("block")
            }
            M::Rec(label) => {
                self.log.push(label);
                Ok(label)
            }
            M::Fail(label) => Err(ActorError::user(label)),
        }
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.log.push(format!("failure:{error}"));
    }
}

async fn spawn(log: &Log, config: ActorConfig) -> ActorHandle<Recorder> {
    within(
        "spawn",
        Recorder { log: log.clone() }.spawn().with_config(config),
    )
    .await
    .expect("spawn")
}

fn lane(capacity: usize) -> ActorConfig {
    ActorConfig::default()
        .with_mailbox_capacity(16)
        .with_priority_lane(capacity)
}

/// Makes the actor busy inside `handle` until the returned gate is opened.
async fn block(h: &ActorHandle<Recorder>) -> Arc<Gate> {
    let gate = Gate::new();
    within("notify block", h.notify(M::Block(gate.clone())))
        .await
        .expect("notify block");
    gate.entered().await;
    gate
}

/// Waits until everything queued so far has been handled (an ordinary `send` goes last).
async fn drain(h: &ActorHandle<Recorder>) {
    assert_eq!(within("drain", h.send(M::Rec("end"))).await.unwrap(), "end");
}

#[tokio::test(start_paused = true)]
async fn a_priority_message_overtakes_queued_ordinary_ones() {
    let log = Log::default();
    let h = spawn(&log, lane(8)).await;
    let gate = block(&h).await;
    for label in ["o1", "o2", "o3"] {
        h.notify(M::Rec(label)).await.unwrap();
    }
    h.notify_priority(M::Rec("p1")).await.unwrap();
    assert_eq!((h.mailbox_len(), h.priority_len()), (3, 1));
    gate.open();
    drain(&h).await;
    assert_eq!(
        log.all(),
        ["block<", "block>", "p1", "o1", "o2", "o3", "end"]
    );
    assert_eq!((h.mailbox_len(), h.priority_len()), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn fifo_within_the_priority_lane() {
    let log = Log::default();
    let h = spawn(&log, lane(8)).await;
    let gate = block(&h).await;
    h.notify(M::Rec("o1")).await.unwrap();
    h.notify_priority(M::Rec("p1")).await.unwrap();
    h.notify(M::Rec("o2")).await.unwrap();
    assert!(h.try_notify_priority(M::Rec("p2")).is_ok());
    h.notify_priority(M::Rec("p3")).await.unwrap();
    let asked = tokio::spawn({
        let h = h.clone();
        async move { h.send_priority(M::Rec("p4")).await }
    });
    settle().await;
    assert_eq!(h.priority_len(), 4);
    gate.open();
    assert_eq!(within("send_priority", asked).await.unwrap().unwrap(), "p4");
    drain(&h).await;
    assert_eq!(
        log.all(),
        ["block<", "block>", "p1", "p2", "p3", "p4", "o1", "o2", "end"]
    );
}

#[tokio::test(start_paused = true)]
async fn the_message_in_progress_is_not_interrupted() {
    let log = Log::default();
    let h = spawn(&log, lane(4)).await;
    let gate = block(&h).await;
    h.notify_priority(M::Rec("p1")).await.unwrap();
    let asked = tokio::spawn({
        let h = h.clone();
        async move { h.send_priority(M::Rec("p2")).await }
    });
    // Time passes; the handler keeps running and nothing else is handled meanwhile.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(log.all(), ["block<"]);
    assert!(!asked.is_finished());
    gate.open();
    assert_eq!(within("send_priority", asked).await.unwrap().unwrap(), "p2");
    assert_eq!(log.all(), ["block<", "block>", "p1", "p2"]);
}

#[tokio::test(start_paused = true)]
async fn system_items_come_before_priority_messages() {
    let log = Log::default();
    let h = spawn(&log, lane(4)).await;
    let gate = block(&h).await;
    h.notify(M::Rec("o1")).await.unwrap();
    h.notify_priority(M::Rec("p1")).await.unwrap();
    h.notify_priority(M::Rec("p2")).await.unwrap();
    let status = tokio::spawn({
        let h = h.clone();
        async move { h.get_status().await }
    });
    settle().await;
    gate.open();
    // Served before p1 and p2 were taken: both still counted.
    let status = within("get_status", status).await.unwrap().unwrap();
    assert_eq!(status.status, ActorStatus::Running);
    assert_eq!((status.priority_len, status.priority_capacity), (2, 4));
    assert_eq!((status.mailbox_len, status.mailbox_capacity), (1, 16));
    drain(&h).await;
    assert_eq!(log.all(), ["block<", "block>", "p1", "p2", "o1", "end"]);
}

#[tokio::test(start_paused = true)]
async fn a_full_lane_gives_full_or_waits() {
    let log = Log::default();
    let h = spawn(&log, lane(2)).await;
    assert_eq!((h.priority_len(), h.priority_capacity()), (0, 2));
    let gate = block(&h).await;
    h.try_notify_priority(M::Rec("p1")).unwrap();
    h.notify_priority(M::Rec("p2")).await.unwrap();
    assert_eq!(h.priority_len(), 2);
    assert!(matches!(
        h.try_notify_priority(M::Rec("lost")),
        Err(TrySendError::Full)
    ));
    // The mailbox is a separate lane with its own space.
    h.try_notify(M::Rec("o1")).unwrap();
    let waiting = tokio::spawn({
        let h = h.clone();
        async move { h.notify_priority(M::Rec("p3")).await }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !waiting.is_finished(),
        "notify_priority must wait for space"
    );
    gate.open();
    within("waiting notify_priority", waiting)
        .await
        .unwrap()
        .unwrap();
    drain(&h).await;
    // p3 is accepted only once its waiting sender runs again, so it may come after o1.
    let all = log.all();
    assert_eq!(all[..4], ["block<", "block>", "p1", "p2"]);
    assert!(all.contains(&"p3".to_string()) && all.contains(&"o1".to_string()));
    assert_eq!(all.len(), 7);
}

#[tokio::test(start_paused = true)]
async fn a_stop_discards_queued_priority_messages_and_later_ones_are_closed() {
    let log = Log::default();
    let h = spawn(&log, lane(2)).await;
    let gate = block(&h).await;
    let asked = tokio::spawn({
        let h = h.clone();
        async move { h.send_priority(M::Rec("p1")).await }
    });
    settle().await;
    h.notify_priority(M::Rec("p2")).await.unwrap();
    // The lane is full: this one waits for space when the stop commits.
    let waiting = tokio::spawn({
        let h = h.clone();
        async move { h.notify_priority(M::Rec("p3")).await }
    });
    settle().await;
    assert!(!waiting.is_finished());
    h.stop(StopReason::Graceful).await.unwrap();
    gate.open();
    assert!(matches!(
        within("discarded send_priority", asked).await.unwrap(),
        Err(AskError::ResponseDropped)
    ));
    assert!(matches!(
        within("waiting notify_priority", waiting).await.unwrap(),
        Err(SendError::Closed)
    ));
    assert!(matches!(
        within("wait_stopped", h.wait_stopped()).await,
        StopReason::Graceful
    ));
    assert_eq!(log.all(), ["block<", "block>"]);
    assert!(matches!(
        h.notify_priority(M::Rec("late")).await,
        Err(SendError::Closed)
    ));
    assert!(matches!(
        h.try_notify_priority(M::Rec("late")),
        Err(TrySendError::Closed)
    ));
    assert!(matches!(
        h.send_priority(M::Rec("late")).await,
        Err(AskError::Send(SendError::Closed))
    ));
    assert_eq!((h.priority_len(), h.priority_capacity()), (0, 2));
}

#[tokio::test(start_paused = true)]
async fn kill_drops_queued_priority_messages() {
    let log = Log::default();
    let h = spawn(&log, lane(2)).await;
    let _gate = block(&h).await;
    let asked = tokio::spawn({
        let h = h.clone();
        async move { h.send_priority(M::Rec("p1")).await }
    });
    settle().await;
    assert_eq!(h.priority_len(), 1);
    h.stop(StopReason::Kill).await.unwrap();
    assert!(matches!(
        within("killed send_priority", asked).await.unwrap(),
        Err(AskError::ResponseDropped)
    ));
    assert!(matches!(
        within("wait_stopped", h.wait_stopped()).await,
        StopReason::Kill
    ));
    assert_eq!(h.priority_len(), 0);
    assert_eq!(log.all(), ["block<"]);
}

#[tokio::test(start_paused = true)]
async fn errors_route_like_the_ordinary_lane() {
    let log = Log::default();
    let h = spawn(&log, lane(2)).await;
    // A fire-and-forget failure goes to handle_failure; the actor carries on.
    h.notify_priority(M::Fail("told")).await.unwrap();
    drain(&h).await;
    assert_eq!(log.all(), ["failure:told", "end"]);
    assert!(h.is_alive());
    // A failed request answers the caller and stops the actor.
    let r = within("send_priority", h.send_priority(M::Fail("asked"))).await;
    assert!(matches!(r, Err(AskError::Actor(ActorError::User(ref m))) if m == "asked"));
    assert!(matches!(
        within("wait_stopped", h.wait_stopped()).await,
        StopReason::Failure(_)
    ));
}

#[tokio::test(start_paused = true)]
async fn without_a_lane_the_methods_use_the_mailbox() {
    let log = Log::default();
    let h = spawn(&log, ActorConfig::default().with_mailbox_capacity(3)).await;
    assert_eq!((h.priority_len(), h.priority_capacity()), (0, 0));
    let gate = block(&h).await;
    h.notify(M::Rec("o1")).await.unwrap();
    h.notify_priority(M::Rec("p1")).await.unwrap();
    h.try_notify_priority(M::Rec("p2")).unwrap();
    // They went into the mailbox and fill it like ordinary messages.
    assert_eq!((h.mailbox_len(), h.priority_len()), (3, 0));
    assert!(matches!(
        h.try_notify_priority(M::Rec("lost")),
        Err(TrySendError::Full)
    ));
    let asked = tokio::spawn({
        let h = h.clone();
        async move { h.send_priority(M::Rec("p3")).await }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !asked.is_finished(),
        "send_priority must wait for mailbox space"
    );
    gate.open();
    assert_eq!(within("send_priority", asked).await.unwrap().unwrap(), "p3");
    // No overtaking: plain mailbox order.
    assert_eq!(log.all(), ["block<", "block>", "o1", "p1", "p2", "p3"]);
    let status = within("get_status", h.get_status()).await.unwrap();
    assert_eq!((status.priority_len, status.priority_capacity), (0, 0));
    h.stop(StopReason::Graceful).await.unwrap();
    within("wait_stopped", h.wait_stopped()).await;
    assert!(matches!(
        h.notify_priority(M::Rec("late")).await,
        Err(SendError::Closed)
    ));
}

#[tokio::test]
async fn an_invalid_lane_capacity_is_refused_at_spawn() {
    for capacity in [0, usize::MAX] {
        let r = Recorder {
            log: Log::default(),
        }
        .spawn()
        .with_config(ActorConfig::default().with_priority_lane(capacity))
        .await;
        assert!(
            matches!(r, Err(SpawnError::InvalidConfig(_))),
            "capacity {capacity}: {r:?}"
        );
    }
    assert_eq!(ActorConfig::default().priority_lane, None);
    assert_eq!(
        ActorConfig::default().with_priority_lane(5).priority_lane,
        Some(5)
    );
}

#[tokio::test(start_paused = true)]
async fn get_status_reports_the_lane() {
    let log = Log::default();
    let h = spawn(&log, lane(7)).await;
    let status = within("get_status", h.get_status()).await.unwrap();
    assert_eq!((status.priority_len, status.priority_capacity), (0, 7));
    assert_eq!(h.priority_capacity(), 7);
}

/// A priority message a sender enqueued before an ordinary one is always handled first, even
/// when the actor takes the ordinary one while the priority one is being enqueued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_priority_message_never_follows_a_later_ordinary_one() {
    const ROUNDS: usize = 2_000;
    let log = Log::default();
    let h = spawn(&log, lane(4)).await;
    let labels: Vec<(&'static str, &'static str)> = (0..ROUNDS)
        .map(|i| {
            let p: &'static str = Box::leak(format!("p{i}").into_boxed_str());
            let o: &'static str = Box::leak(format!("o{i}").into_boxed_str());
            (p, o)
        })
        .collect();
    within("flood", async {
        for &(p, o) in &labels {
            h.notify_priority(M::Rec(p)).await.unwrap();
            h.notify(M::Rec(o)).await.unwrap();
        }
        drain(&h).await;
    })
    .await;
    let all = log.all();
    assert_eq!(all.len(), 2 * ROUNDS + 1);
    let at = |label: &str| all.iter().position(|l| l == label).unwrap();
    for &(p, o) in &labels {
        assert!(at(p) < at(o), "{p} handled after {o}");
    }
    let priority: Vec<_> = all.iter().filter(|l| l.starts_with('p')).collect();
    let expected: Vec<_> = labels.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(priority, expected.iter().collect::<Vec<_>>(), "lane FIFO");
}
