//! Typed requests: `ReplyTo` ports, `ask`/`ask_timeout`, the self-request check, and errors that
//! keep their source. Every behaviour runs on both runtime flavours.
mod common;

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio_actors::*;

/// The actor under test: several request types, each with its own reply type.
enum Req {
    Add(u64),
    Get(ReplyTo<u64>),
    Name(ReplyTo<String>),
    /// Answered `n * 10` from a spawned task after `delay`.
    Later(u64, Duration, ReplyTo<u64>),
    /// Forwarded to the helper actor, which answers.
    Forward(u64, ReplyTo<u64>),
    /// Dropped unanswered.
    Drop(ReplyTo<u64>),
    /// Returns `Err` without answering.
    Fail(ReplyTo<u64>),
    /// Kept in the actor's state, unanswered.
    Keep(ReplyTo<u64>),
    /// Whether the kept port reports its asker gone (`None`: no port kept yet).
    KeptClosed(ReplyTo<Option<bool>>),
    /// Answers once the kept port's `closed()` resolved (from a task).
    AwaitKeptClosed(ReplyTo<&'static str>),
    /// Waits at the gate (no reply).
    Block(Arc<Gate>),
    /// Asks the helper from inside the handler (not a self-request).
    AskHelper(u64, ReplyTo<u64>),
    /// Every request method on its own handle; answers what each returned.
    SelfRequests(ReplyTo<Vec<String>>),
    /// Spawns a task that asks this actor (`Get`) and forwards the answer.
    AskSelfFromTask(ReplyTo<u64>),
    /// Reads a file with `?` (a `send`).
    ReadFile(&'static str),
}

struct Server {
    total: u64,
    helper: Option<ActorHandle<Helper>>,
    kept: Option<ReplyTo<u64>>,
    log: Log,
}

impl Server {
    fn new(log: &Log) -> Server {
        Server {
            total: 0,
            helper: None,
            kept: None,
            log: log.clone(),
        }
    }
}

/// Doubles what it is given, answering through the port it receives.
struct Helper;

impl Actor for Helper {
    type Message = (u64, ReplyTo<u64>);
    type Response = ();
    async fn handle(
        &mut self,
        (n, reply): Self::Message,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        let _ = reply.send(n * 2);
        Ok(())
    }
}

/// What a request returned, in a few words.
fn outcome<T: std::fmt::Debug>(r: Result<T, AskError>) -> String {
    match r {
        Ok(v) => format!("ok:{v:?}"),
        Err(AskError::SelfAsk) => "self-ask".into(),
        Err(e) => format!("err:{e}"),
    }
}

impl Actor for Server {
    type Message = Req;
    type Response = u64;

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.helper = Some(Helper.spawn().await?);
        Ok(())
    }

    async fn handle(&mut self, msg: Req, ctx: &mut ActorContext<Self>) -> ActorResult<u64> {
        match msg {
            Req::Add(n) => self.total += n,
            Req::Get(reply) => {
                let _ = reply.send(self.total);
            }
            Req::Name(reply) => {
                let _ = reply.send(format!("server:{}", self.total));
            }
            Req::Later(n, delay, reply) => {
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = reply.send(n * 10);
                });
            }
            Req::Forward(n, reply) => {
                let helper = self.helper.as_ref().expect("started");
                helper.notify((n, reply)).await?;
            }
            Req::Drop(reply) => drop(reply),
            Req::Fail(_reply) => return Err(ActorError::user("refused")),
            Req::Keep(reply) => self.kept = Some(reply),
            Req::KeptClosed(reply) => {
                let _ = reply.send(self.kept.as_ref().map(|k| k.is_closed()));
            }
            Req::AwaitKeptClosed(reply) => {
                let mut kept = self.kept.take().expect("a kept port");
                tokio::spawn(async move {
                    kept.closed().await;
                    let _ = reply.send("closed");
                });
            }
            Req::Block(gate) => gate.pass().await,
            Req::AskHelper(n, reply) => {
                let helper = self.helper.as_ref().expect("started");
                let doubled = helper.ask(|r| (n, r)).await?;
                let _ = reply.send(doubled);
            }
            Req::SelfRequests(reply) => {
                let _ = reply.send(self_requests(ctx).await);
            }
            Req::AskSelfFromTask(reply) => {
                let me = ctx.self_handle();
                tokio::spawn(async move {
                    if let Ok(total) = me.ask(Req::Get).await {
                        let _ = reply.send(total);
                    }
                });
            }
            Req::ReadFile(path) => {
                let bytes = std::fs::read(path)?; // `?` on std::io::Error
                return Ok(bytes.len() as u64);
            }
        }
        Ok(self.total)
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.log.push(format!("handle_failure:{error}"));
    }
}

/// Every request method on the actor's own handle, from inside one of its hooks.
async fn self_requests<A: Actor>(ctx: &ActorContext<A>) -> Vec<String>
where
    A::Message: From<Probe>,
    A::Response: std::fmt::Debug,
{
    let me = ctx.self_handle();
    let limit = Duration::from_secs(60);
    vec![
        outcome(me.send(Probe.into()).await),
        outcome(me.send_timeout(Probe.into(), limit).await),
        outcome(me.send_priority(Probe.into()).await),
        outcome(me.ask(|_: ReplyTo<u8>| Probe.into()).await),
        outcome(me.ask_timeout(|_: ReplyTo<u8>| Probe.into(), limit).await),
        outcome(me.get_status().await.map(|s| s.status)),
    ]
}

/// A message that never needs handling: self-requests are refused before enqueueing.
struct Probe;

impl From<Probe> for Req {
    fn from(_: Probe) -> Req {
        Req::Add(0)
    }
}

async fn spawn_server(log: &Log) -> ActorHandle<Server> {
    within("spawn", Server::new(log).spawn())
        .await
        .expect("spawn")
}

// ---------------------------------------------------------------------------------------------

async fn several_request_types() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    within("add", s.notify(Req::Add(4))).await.expect("notify");
    let total: u64 = within("get", s.ask(Req::Get)).await.expect("get");
    let name: String = within("name", s.ask(Req::Name)).await.expect("name");
    assert_eq!((total, name.as_str()), (4, "server:4"));
}

async fn reply_later_from_a_task() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let slow = {
        let s = s.clone();
        tokio::spawn(async move { s.ask(|r| Req::Later(7, Duration::from_millis(50), r)).await })
    };
    // The actor is not blocked while the task works on the first request.
    let later = within("later", s.ask(|r| Req::Later(1, Duration::ZERO, r))).await;
    assert!(matches!(later, Ok(10)), "{later:?}");
    within("get", s.ask(Req::Get))
        .await
        .expect("served meanwhile");
    let slow = within("slow", slow).await.expect("join");
    assert!(matches!(slow, Ok(70)), "{slow:?}");
}

async fn reply_from_a_second_actor() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let r = within("forward", s.ask(|r| Req::Forward(21, r))).await;
    assert!(matches!(r, Ok(42)), "{r:?}");
    let r = within("ask helper", s.ask(|r| Req::AskHelper(5, r))).await;
    assert!(
        matches!(r, Ok(10)),
        "an ask to another actor is not a self-request: {r:?}"
    );
}

async fn dropped_port_is_no_reply() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let r = within("drop", s.ask(Req::Drop)).await;
    assert!(matches!(r, Err(AskError::NoReply)), "{r:?}");
    // A handler error for an `ask` message goes to `handle_failure`; the actor keeps going.
    let r = within("fail", s.ask(Req::Fail)).await;
    assert!(matches!(r, Err(AskError::NoReply)), "{r:?}");
    within("get", s.ask(Req::Get)).await.expect("still serving");
    assert!(log.has("handle_failure:refused"), "{:?}", log.all());
    assert!(s.is_alive());
}

async fn timed_out_asker_closes_the_port() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let r = within("keep", s.ask_timeout(Req::Keep, Duration::from_millis(20))).await;
    assert!(
        matches!(r, Err(AskError::Timeout { enqueued: true })),
        "{r:?}"
    );
    let closed = within("kept closed", s.ask(Req::KeptClosed)).await;
    assert!(
        matches!(closed, Ok(Some(true))),
        "is_closed after the timeout: {closed:?}"
    );
    let awaited = within("await closed", s.ask(Req::AwaitKeptClosed)).await;
    assert!(matches!(awaited, Ok("closed")), "{awaited:?}");
}

async fn dropped_ask_future_closes_the_port() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let asker = {
        let s = s.clone();
        tokio::spawn(async move { s.ask(Req::Keep).await })
    };
    // Wait until the port is kept, then give up on the ask.
    within("kept", async {
        while !matches!(s.ask(Req::KeptClosed).await, Ok(Some(false))) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    asker.abort();
    let _ = asker.await;
    let closed = within("kept closed", s.ask(Req::KeptClosed)).await;
    assert!(matches!(closed, Ok(Some(true))), "{closed:?}");
    let awaited = within("await closed", s.ask(Req::AwaitKeptClosed)).await;
    assert!(matches!(awaited, Ok("closed")), "{awaited:?}");
}

async fn ask_timeout_before_enqueue() {
    let log = Log::default();
    let s = within(
        "spawn",
        Server::new(&log)
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("spawn");
    let gate = Gate::new();
    within("block", s.notify(Req::Block(gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("fill", s.notify(Req::Add(1))).await.expect("notify");
    let r = within("full", s.ask_timeout(Req::Get, Duration::from_millis(20))).await;
    assert!(
        matches!(r, Err(AskError::Timeout { enqueued: false })),
        "{r:?}"
    );
    // Backpressure: a plain ask waits for space, then is answered.
    let waiting = {
        let s = s.clone();
        tokio::spawn(async move { s.ask(Req::Get).await })
    };
    settle().await;
    gate.open();
    let r = within("waited", waiting).await.expect("join");
    assert!(matches!(r, Ok(1)), "{r:?}");
}

async fn ask_a_dead_actor() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    within("stop", s.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", s.wait_stopped()).await;
    let r = within("ask dead", s.ask(Req::Get)).await;
    assert!(matches!(r, Err(AskError::Send(SendError::Closed))), "{r:?}");
    let r = within(
        "ask_timeout dead",
        s.ask_timeout(Req::Get, Duration::from_secs(1)),
    )
    .await;
    assert!(matches!(r, Err(AskError::Send(SendError::Closed))), "{r:?}");
}

async fn ask_waiting_on_a_full_mailbox_when_the_actor_stops() {
    let log = Log::default();
    let s = within(
        "spawn",
        Server::new(&log)
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("spawn");
    let gate = Gate::new();
    within("block", s.notify(Req::Block(gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    within("fill", s.notify(Req::Add(1))).await.expect("notify");
    let parked = {
        let s = s.clone();
        tokio::spawn(async move { s.ask(Req::Get).await })
    };
    settle().await;
    within("stop", s.stop(StopReason::Graceful))
        .await
        .expect("stop");
    gate.open();
    let r = within("parked", parked).await.expect("join");
    assert!(matches!(r, Err(AskError::Send(SendError::Closed))), "{r:?}");
}

/// The actor stops (gracefully, or by `Kill`) with asks still queued: `ResponseDropped`.
async fn queued_ask_at_stop_is_response_dropped(reason: StopReason) {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let gate = Gate::new();
    within("block", s.notify(Req::Block(gate.clone())))
        .await
        .expect("notify");
    gate.entered().await;
    let queued: Vec<_> = (0..3)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.ask(Req::Get).await })
        })
        .collect();
    within("queued", async {
        while s.mailbox_len() < 3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    within("stop", s.stop(reason)).await.expect("stop");
    gate.open();
    for asker in queued {
        let r = within("queued ask", asker).await.expect("join");
        assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    }
    within("wait", s.wait_stopped()).await;
}

async fn queued_ask_at_graceful_stop() {
    queued_ask_at_stop_is_response_dropped(StopReason::Graceful).await
}

async fn queued_ask_at_kill() {
    queued_ask_at_stop_is_response_dropped(StopReason::Kill).await
}

/// A port the actor kept goes away with the actor value: the message was delivered, so
/// `NoReply` (not `ResponseDropped`).
async fn kept_port_at_stop_is_no_reply() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let asker = {
        let s = s.clone();
        tokio::spawn(async move { s.ask(Req::Keep).await })
    };
    within("kept", async {
        while !matches!(s.ask(Req::KeptClosed).await, Ok(Some(false))) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    within("stop", s.stop(StopReason::Graceful))
        .await
        .expect("stop");
    let r = within("asker", asker).await.expect("join");
    assert!(matches!(r, Err(AskError::NoReply)), "{r:?}");
}

async fn self_requests_from_handle() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let seen = within("self requests", s.ask(Req::SelfRequests))
        .await
        .expect("answered");
    assert_eq!(seen, vec!["self-ask"; 6]);
    // A task spawned by the actor is not the actor: its ask is served normally.
    within("add", s.notify(Req::Add(3))).await.expect("notify");
    let r = within("task asks", s.ask(Req::AskSelfFromTask)).await;
    assert!(matches!(r, Ok(3)), "{r:?}");
}

/// Records the self-requests made from its start-up and stop hooks.
struct HookAsker {
    log: Log,
}

impl From<Probe> for () {
    fn from(_: Probe) {}
}

impl Actor for HookAsker {
    type Message = ();
    type Response = ();

    async fn pre_start(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log
            .push(format!("pre_start:{}", self_requests(ctx).await.join(",")));
        Ok(())
    }
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log
            .push(format!("on_started:{}", self_requests(ctx).await.join(",")));
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
    async fn pre_stop(&mut self, _: &StopReason, ctx: &mut ActorContext<Self>) -> bool {
        self.log
            .push(format!("pre_stop:{}", self_requests(ctx).await.join(",")));
        true
    }
    async fn on_stopped(
        &mut self,
        _: &StopReason,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.log
            .push(format!("on_stopped:{}", self_requests(ctx).await.join(",")));
        Ok(())
    }
}

async fn self_requests_from_hooks() {
    let log = Log::default();
    let h = within("spawn", HookAsker { log: log.clone() }.spawn())
        .await
        .expect("spawn");
    within("stop", h.stop(StopReason::Graceful))
        .await
        .expect("stop");
    within("wait", h.wait_stopped()).await;
    let all = ["self-ask"; 6].join(",");
    for hook in ["pre_start", "on_started", "pre_stop", "on_stopped"] {
        assert!(log.has(&format!("{hook}:{all}")), "{hook}: {:?}", log.all());
    }
}

async fn question_mark_keeps_the_io_error() {
    let log = Log::default();
    let s = spawn_server(&log).await;
    let r = within("read", s.send(Req::ReadFile("/definitely/not/here.txt"))).await;
    let Err(ask_error) = r else {
        panic!("expected an error: {r:?}")
    };
    // AskError -> ActorError -> io::Error, each reachable through `source()`.
    let actor_error = ask_error
        .source()
        .and_then(|e| e.downcast_ref::<ActorError>())
        .expect("the handler's error");
    assert!(
        matches!(actor_error, ActorError::Other(_)),
        "{actor_error:?}"
    );
    let io = actor_error
        .source()
        .and_then(|e| e.downcast_ref::<std::io::Error>())
        .expect("the io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(actor_error.to_string(), io.to_string());
    assert!(
        ask_error.to_string().contains(&io.to_string()),
        "{ask_error}"
    );
    // A failed `send` stops the actor; the reason keeps the error too.
    let StopReason::Failure(reason) = within("wait", s.wait_stopped()).await else {
        panic!("a failure")
    };
    assert!(reason.source().is_some_and(|e| e.is::<std::io::Error>()));
}

/// `?` on an io::Error in `on_started` fails the spawn with the error kept.
struct StartsFromFile;

impl Actor for StartsFromFile {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        let _config = std::fs::read_to_string("/definitely/not/here.toml")?;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

async fn question_mark_in_a_hook() {
    let r = within("spawn", StartsFromFile.spawn()).await;
    let Err(SpawnError::Init(error)) = r else {
        panic!("start-up must fail: {r:?}")
    };
    assert!(
        error.source().is_some_and(|e| e.is::<std::io::Error>()),
        "{error:?}"
    );
}

both_flavours!(
    several_request_types,
    reply_later_from_a_task,
    reply_from_a_second_actor,
    dropped_port_is_no_reply,
    timed_out_asker_closes_the_port,
    dropped_ask_future_closes_the_port,
    ask_timeout_before_enqueue,
    ask_a_dead_actor,
    ask_waiting_on_a_full_mailbox_when_the_actor_stops,
    queued_ask_at_graceful_stop,
    queued_ask_at_kill,
    kept_port_at_stop_is_no_reply,
    self_requests_from_handle,
    self_requests_from_hooks,
    question_mark_keeps_the_io_error,
    question_mark_in_a_hook,
);
