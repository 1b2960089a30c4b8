//! `ActorContext::pipe`: work off the actor whose result comes back through the mailbox.
//! Every behaviour runs on both runtime flavours.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tokio::sync::oneshot;
use tokio_actors::*;

/// Counts live work futures: +1 when built, -1 when dropped (finished, cancelled or aborted).
#[derive(Clone, Default)]
struct Live(Arc<AtomicUsize>);

struct Token(Arc<AtomicUsize>);

impl Live {
    fn token(&self) -> Token {
        self.0.fetch_add(1, Ordering::SeqCst);
        Token(self.0.clone())
    }
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    async fn until_zero(&self) {
        within("work futures dropped", async {
            while self.count() > 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Work that waits for `trigger`, then yields its value; it holds a token while alive.
fn work(live: &Live, trigger: oneshot::Receiver<u64>) -> impl std::future::Future<Output = u64> {
    let token = live.token();
    async move {
        let value = trigger.await.unwrap_or(0);
        drop(token);
        value
    }
}

/// Shared with the test: the `TaskId` of the last started pipe.
type Slot = Arc<Mutex<Option<TaskId>>>;

enum Msg {
    /// Pipes `work(trigger)`, mapping its output to `Piped`.
    Start(oneshot::Receiver<u64>),
    /// Pipes work that never finishes.
    StartForever,
    /// Pipes work that panics.
    StartPanicking,
    /// Pipes work whose `to_msg` panics.
    StartPanickingMap,
    Piped(u64),
    Note(&'static str),
    Block(Arc<Gate>),
    /// Cancels the last pipe; logs `cancel:<bool>` twice (first and second attempt).
    Cancel,
    /// The log and the active task count.
    Report(ReplyTo<(Vec<String>, usize)>),
}

struct Piper {
    live: Live,
    log: Log,
    last: Slot,
    /// Pipes started from `on_stopped` (must never run).
    pipe_in_on_stopped: bool,
}

impl Piper {
    fn new(live: &Live, log: &Log) -> Piper {
        Piper {
            live: live.clone(),
            log: log.clone(),
            last: Slot::default(),
            pipe_in_on_stopped: false,
        }
    }
}

impl Actor for Piper {
    type Message = Msg;
    type Response = ();

    async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            Msg::Start(trigger) => {
                let id = ctx.pipe(work(&self.live, trigger), Msg::Piped);
                *self.last.lock().unwrap() = Some(id);
            }
            Msg::StartForever => {
                let token = self.live.token();
                let id = ctx.pipe(
                    async move {
                        std::future::pending::<()>().await;
                        drop(token);
                    },
                    |()| Msg::Note("never"),
                );
                *self.last.lock().unwrap() = Some(id);
            }
            Msg::StartPanicking => {
                ctx.pipe(async { panic!("work exploded") }, |()| Msg::Note("never"));
            }
            Msg::StartPanickingMap => {
                ctx.pipe(async { 5u64 }, |_| -> Msg { panic!("mapping exploded") });
            }
            Msg::Piped(n) => self.log.push(format!("piped:{n}")),
            Msg::Note(text) => self.log.push(text),
            Msg::Block(gate) => gate.pass().await,
            Msg::Cancel => {
                let id = self.last.lock().unwrap().expect("a pipe was started");
                let first = ctx.cancel_task(id);
                let second = ctx.cancel_task(id);
                self.log.push(format!("cancel:{first}:{second}"));
            }
            Msg::Report(reply) => {
                let _ = reply.send((self.log.all(), ctx.active_task_count()));
            }
        }
        Ok(())
    }

    async fn on_stopped(
        &mut self,
        _: &StopReason,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        if self.pipe_in_on_stopped {
            let token = self.live.token();
            let log = self.log.clone();
            ctx.pipe(
                async move {
                    log.push("ran after stop");
                    drop(token);
                },
                |()| Msg::Note("never"),
            );
        }
        Ok(())
    }

    fn handle_failure(&mut self, error: ActorError) {
        let kind = match &error {
            ActorError::Panic(_) => "panic",
            _ => "other",
        };
        self.log.push(format!("handle_failure:{kind}:{error}"));
    }
}

async fn spawn(piper: Piper) -> ActorHandle<Piper> {
    within("spawn", piper.spawn()).await.expect("spawn")
}

async fn report(h: &ActorHandle<Piper>) -> (Vec<String>, usize) {
    within("report", h.ask(Msg::Report)).await.expect("report")
}

/// Waits until `n` messages are queued.
async fn until_queued(h: &ActorHandle<Piper>, n: usize) {
    within("queued", async {
        while h.mailbox_len() < n {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------------

async fn result_arrives_as_a_message() {
    let (live, log) = (Live::default(), Log::default());
    let h = spawn(Piper::new(&live, &log)).await;
    let (tx, rx) = oneshot::channel();
    within("start", h.notify(Msg::Start(rx)))
        .await
        .expect("notify");
    assert_eq!(
        report(&h).await,
        (vec![], 1),
        "the actor serves while the work runs"
    );
    tx.send(7).expect("work waiting");
    within("piped", async {
        while !log.has("piped:7") {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert_eq!(report(&h).await.1, 0, "dispatched: no longer active");
    live.until_zero().await;
}

/// The result lands behind what was queued when it arrived, ahead of what came later.
async fn result_is_ordered_with_mailbox_traffic() {
    let (live, log) = (Live::default(), Log::default());
    let h = spawn(Piper::new(&live, &log)).await;
    let (tx, rx) = oneshot::channel();
    within("start", h.notify(Msg::Start(rx)))
        .await
        .expect("notify");
    let gate = Gate::new();
    within("block", h.notify(Msg::Block(gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("a", h.notify(Msg::Note("a"))).await.expect("notify");
    within("b", h.notify(Msg::Note("b"))).await.expect("notify");
    tx.send(1).expect("work waiting");
    until_queued(&h, 3).await; // a, b, piped
    within("c", h.notify(Msg::Note("c"))).await.expect("notify");
    gate.open();
    assert_eq!(report(&h).await.0, ["a", "b", "piped:1", "c"]);
}

/// The result waits for mailbox space like a `notify`; nothing is lost.
async fn result_waits_for_mailbox_space() {
    let (live, log) = (Live::default(), Log::default());
    let h = within(
        "spawn",
        Piper::new(&live, &log)
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("spawn");
    let (tx, rx) = oneshot::channel();
    within("start", h.notify(Msg::Start(rx)))
        .await
        .expect("notify");
    let gate = Gate::new();
    within("block", h.notify(Msg::Block(gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("fill", h.notify(Msg::Note("a")))
        .await
        .expect("notify");
    // The result now waits for space (a `try_send` would lose it).
    tx.send(4).expect("work waiting");
    settle().await;
    gate.open();
    within("piped", async {
        while !log.has("piped:4") {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert_eq!(report(&h).await.0, ["a", "piped:4"]);
}

/// Piped from `on_started`: the result is handled once the actor runs.
struct StartsWithPipe(Log);

impl Actor for StartsWithPipe {
    type Message = u64;
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.pipe(async { 40 + 2 }, |n| n);
        Ok(())
    }
    async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.0.push(format!("got:{n}"));
        Ok(())
    }
}

async fn pipe_from_on_started() {
    let log = Log::default();
    let _h = within("spawn", StartsWithPipe(log.clone()).spawn())
        .await
        .expect("spawn");
    within("piped", async {
        while !log.has("got:42") {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
}

async fn cancel_task_true_then_false() {
    let (live, log) = (Live::default(), Log::default());
    let h = spawn(Piper::new(&live, &log)).await;
    within("start", h.notify(Msg::StartForever))
        .await
        .expect("notify");
    assert_eq!(report(&h).await.1, 1);
    within("cancel", h.notify(Msg::Cancel))
        .await
        .expect("notify");
    let (seen, active) = report(&h).await;
    assert_eq!((seen, active), (vec!["cancel:true:false".to_string()], 0));
    live.until_zero().await; // the aborted work future was dropped

    // Once its result was dispatched, a task is no longer cancellable.
    let (tx, rx) = oneshot::channel();
    within("start", h.notify(Msg::Start(rx)))
        .await
        .expect("notify");
    tx.send(2).expect("work waiting");
    within("piped", async {
        while !log.has("piped:2") {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    within("cancel", h.notify(Msg::Cancel))
        .await
        .expect("notify");
    assert!(report(&h)
        .await
        .0
        .ends_with(&["piped:2".into(), "cancel:false:false".into()]));
}

/// A result already queued when its task is cancelled is skipped.
async fn cancelled_result_already_queued_is_skipped() {
    let (live, log) = (Live::default(), Log::default());
    let h = spawn(Piper::new(&live, &log)).await;
    let (tx, rx) = oneshot::channel();
    within("start", h.notify(Msg::Start(rx)))
        .await
        .expect("notify");
    let gate = Gate::new();
    within("block", h.notify(Msg::Block(gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("cancel", h.notify(Msg::Cancel))
        .await
        .expect("notify");
    tx.send(3).expect("work waiting");
    until_queued(&h, 2).await; // cancel, piped
    gate.open();
    let (seen, active) = report(&h).await;
    assert_eq!((seen, active), (vec!["cancel:true:false".to_string()], 0));
    live.until_zero().await;
}

async fn stop_cancels_every_pipe(reason: StopReason) {
    let (live, log) = (Live::default(), Log::default());
    let mut piper = Piper::new(&live, &log);
    piper.pipe_in_on_stopped = true;
    let h = spawn(piper).await;
    for _ in 0..3 {
        within("start", h.notify(Msg::StartForever))
            .await
            .expect("notify");
    }
    assert_eq!(report(&h).await.1, 3);
    assert_eq!(live.count(), 3);
    within("stop", h.stop(reason)).await.expect("stop");
    within("wait", h.wait_stopped()).await;
    live.until_zero().await; // every work future (and the one from on_stopped) was dropped
    settle().await;
    assert!(
        !log.has("ran after stop"),
        "a pipe started while stopping never runs"
    );
}

async fn graceful_stop_cancels_pipes() {
    stop_cancels_every_pipe(StopReason::Graceful).await
}

async fn kill_cancels_pipes() {
    stop_cancels_every_pipe(StopReason::Kill).await
}

async fn panic_in_work_reaches_handle_failure() {
    let (live, log) = (Live::default(), Log::default());
    let h = spawn(Piper::new(&live, &log)).await;
    within("start", h.notify(Msg::StartPanicking))
        .await
        .expect("notify");
    within("failure", async {
        while !log.has_prefix("handle_failure") {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    within("start", h.notify(Msg::StartPanickingMap))
        .await
        .expect("notify");
    within("failure", async {
        while log.count_prefix("handle_failure") < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    let (seen, active) = report(&h).await;
    assert_eq!(
        seen,
        [
            "handle_failure:panic:panicked: work exploded",
            "handle_failure:panic:panicked: mapping exploded"
        ]
    );
    assert_eq!(active, 0, "a failed pipe is no longer active");
    assert!(h.is_alive(), "a pipe panic does not stop the actor");
}

both_flavours!(
    result_arrives_as_a_message,
    result_is_ordered_with_mailbox_traffic,
    result_waits_for_mailbox_space,
    pipe_from_on_started,
    cancel_task_true_then_false,
    cancelled_result_already_queued_is_skipped,
    graceful_stop_cancels_pipes,
    kill_cancels_pipes,
    panic_in_work_reaches_handle_failure,
);
