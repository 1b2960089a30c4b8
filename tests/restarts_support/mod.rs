//! Actors and helpers for `tests/restarts.rs`: a worker whose incarnations are numbered by its
//! factory, and a supervisor that spawns workers on request and records child events.
#![allow(dead_code)]

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_actors::*;

use crate::common::{reason_tag, within, Gate, Log};

/// What every incarnation of one worker slot shares with the test.
#[derive(Clone, Default)]
pub struct Probe {
    pub log: Log,
    calls: Arc<AtomicU64>,
    handled: Arc<Mutex<HashMap<u64, u32>>>,
}

impl Probe {
    pub fn new() -> Probe {
        Probe::default()
    }

    /// A child factory: incarnation `k` is the value built by the `k`-th call.
    pub fn factory(&self) -> impl Fn() -> Worker + Send + Sync + 'static {
        let probe = self.clone();
        move || Worker {
            inc: probe.calls.fetch_add(1, Ordering::SeqCst) + 1,
            seen: 0,
            probe: probe.clone(),
        }
    }

    /// How many times the factory was called.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// How many times a handler ran for request `n`.
    pub fn handled(&self, n: u64) -> u32 {
        self.handled.lock().unwrap().get(&n).copied().unwrap_or(0)
    }

    /// Request ids handled by incarnation `inc`, in order.
    pub fn handled_by(&self, inc: u64) -> Vec<u64> {
        let prefix = format!("h{inc}:");
        self.log
            .with_prefix(&prefix)
            .iter()
            .map(|line| line[prefix.len()..].parse().expect("request id"))
            .collect()
    }

    /// Polls until the factory was called `n` times.
    pub async fn until_calls(&self, n: u64) {
        within(&format!("factory call #{n}"), async {
            while self.calls() < n {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await;
        assert_eq!(self.calls(), n, "factory called more often than expected");
    }

    fn count(&self, n: u64) {
        *self.handled.lock().unwrap().entry(n).or_default() += 1;
    }
}

/// One incarnation of a worker.
pub struct Worker {
    /// Which incarnation this value is (1 for the first).
    pub inc: u64,
    /// Messages handled by this value.
    seen: u64,
    probe: Probe,
}

/// Messages of [`Worker`]. Every request carries an id, counted when its handler runs.
pub enum W {
    /// Answers `(incarnation, n)`; logs `h<inc>:<n>`.
    Echo(u64),
    /// Returns `Err(user("fail <n>"))`.
    Fail(u64),
    /// Panics.
    Panic(u64),
    /// Logs `h<inc>:<n>`, waits at the gate, answers.
    Block(u64, Arc<Gate>),
    /// Schedules `Echo(n)` to this incarnation after `d`.
    TimerIn(Duration, u64),
}

impl Actor for Worker {
    type Message = W;
    type Response = (u64, u64);

    async fn pre_start(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.probe
            .log
            .push(format!("pre_start:{}:seen={}", self.inc, self.seen));
        Ok(())
    }

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.probe.log.push(format!("on_started:{}", self.inc));
        Ok(())
    }

    async fn handle(&mut self, msg: W, ctx: &mut ActorContext<Self>) -> ActorResult<(u64, u64)> {
        self.seen += 1;
        match msg {
            W::Echo(n) => {
                self.probe.count(n);
                self.probe.log.push(format!("h{}:{n}", self.inc));
                Ok((self.inc, n))
            }
            W::Fail(n) => {
                self.probe.count(n);
                self.probe.log.push(format!("fail{}:{n}", self.inc));
                Err(ActorError::user(format!("fail {n}")))
            }
            W::Panic(n) => {
                self.probe.count(n);
                self.probe.log.push(format!("panic{}:{n}", self.inc));
                panic!("worker panic {n}")
            }
            W::Block(n, gate) => {
                self.probe.count(n);
                self.probe.log.push(format!("h{}:{n}", self.inc));
                gate.pass().await;
                Ok((self.inc, n))
            }
            W::TimerIn(d, n) => {
                ctx.schedule(W::Echo(n))
                    .after(d)
                    .await
                    .map_err(|e| ActorError::user(e.to_string()))?;
                Ok((self.inc, 0))
            }
        }
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.probe
            .log
            .push(format!("on_stopped:{}:{}", self.inc, reason_tag(reason)));
        Ok(())
    }
}

/// How [`Boss`] spawns one worker.
#[derive(Clone)]
pub struct Spec {
    pub probe: Probe,
    pub name: Option<String>,
    pub restart: RestartType,
    pub shutdown: Shutdown,
    pub capacity: usize,
    /// Priority lane capacity, if any.
    pub priority: Option<usize>,
}

impl Spec {
    pub fn new(probe: &Probe) -> Spec {
        Spec {
            probe: probe.clone(),
            name: None,
            restart: RestartType::Permanent,
            shutdown: Shutdown::default(),
            capacity: 16,
            priority: None,
        }
    }
    pub fn named(mut self, name: &str) -> Spec {
        self.name = Some(name.to_string());
        self
    }
    pub fn restart(mut self, restart: RestartType) -> Spec {
        self.restart = restart;
        self
    }
    pub fn shutdown(mut self, shutdown: Shutdown) -> Spec {
        self.shutdown = shutdown;
        self
    }
    pub fn capacity(mut self, capacity: usize) -> Spec {
        self.capacity = capacity;
        self
    }
    pub fn priority_lane(mut self, capacity: usize) -> Spec {
        self.priority = Some(capacity);
        self
    }
}

/// A supervisor that spawns workers on request and records every child event.
pub struct Boss {
    pub events: Arc<Mutex<Vec<ChildEvent>>>,
}

/// Messages of [`Boss`].
pub enum B {
    Spawn(Spec),
    Child(ActorId),
    StopChild(ActorId),
}

/// Replies of [`Boss`].
pub enum BR {
    Spawned(Result<ActorHandle<Worker>, ActorError>),
    Child(Option<ActorHandle<Worker>>),
    Stopped(Result<(), SupervisionError>),
}

impl Actor for Boss {
    type Message = B;
    type Response = BR;

    async fn handle(&mut self, msg: B, ctx: &mut ActorContext<Self>) -> ActorResult<BR> {
        Ok(match msg {
            B::Spawn(spec) => {
                let mut config = ActorConfig::default().with_mailbox_capacity(spec.capacity);
                if let Some(lane) = spec.priority {
                    config = config.with_priority_lane(lane);
                }
                let builder = ctx
                    .spawn_child(spec.probe.factory())
                    .restart_type(spec.restart)
                    .shutdown(spec.shutdown)
                    .with_config(config);
                let spawned = match spec.name {
                    Some(name) => builder.named(name).await,
                    None => builder.await,
                };
                BR::Spawned(spawned)
            }
            B::Child(id) => BR::Child(ctx.child::<Worker>(&id)),
            B::StopChild(id) => BR::Stopped(ctx.stop_child(id).await),
        })
    }

    async fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.events.lock().unwrap().push(event.clone());
        Ok(())
    }
}

/// A running [`Boss`] and its event record.
pub struct Sup {
    pub handle: ActorHandle<Boss>,
    pub events: Arc<Mutex<Vec<ChildEvent>>>,
}

impl Sup {
    /// Spawns a boss with `config` on `system`.
    pub async fn start(system: &Arc<ActorSystem>, config: SupervisionConfig) -> Sup {
        let events = Arc::new(Mutex::new(Vec::new()));
        let handle = within(
            "boss spawn",
            Boss {
                events: events.clone(),
            }
            .spawn()
            .on_system(system)
            .with_supervision(config),
        )
        .await
        .expect("boss spawns");
        Sup { handle, events }
    }

    /// Spawns a worker child; returns the handle `spawn_child` gave.
    pub async fn spawn(&self, spec: Spec) -> ActorHandle<Worker> {
        match within("spawn child", self.handle.send(B::Spawn(spec))).await {
            Ok(BR::Spawned(Ok(handle))) => handle,
            Ok(BR::Spawned(Err(e))) => panic!("spawn_child failed: {e}"),
            Ok(_) => panic!("unexpected reply"),
            Err(e) => panic!("boss send failed: {e}"),
        }
    }

    /// `ctx.child::<Worker>(id)` inside the boss.
    pub async fn child(&self, id: &ActorId) -> Option<ActorHandle<Worker>> {
        match within("ctx.child", self.handle.send(B::Child(id.clone()))).await {
            Ok(BR::Child(child)) => child,
            Ok(_) => panic!("unexpected reply"),
            Err(e) => panic!("boss send failed: {e}"),
        }
    }

    /// `ctx.stop_child(id)` inside the boss.
    pub async fn stop_child(&self, id: &ActorId) -> Result<(), SupervisionError> {
        match within("stop_child", self.handle.send(B::StopChild(id.clone()))).await {
            Ok(BR::Stopped(r)) => r,
            Ok(_) => panic!("unexpected reply"),
            Err(e) => panic!("boss send failed: {e}"),
        }
    }

    /// `(child id, action, reason)` of every event so far.
    pub fn events(&self) -> Vec<(String, SupervisionAction, String)> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .map(|e| (e.child_id.to_string(), e.action, reason_tag(&e.reason)))
            .collect()
    }

    /// Polls until at least `n` events were recorded.
    pub async fn until_events(&self, n: usize) -> Vec<(String, SupervisionAction, String)> {
        within(&format!("{n} child events"), async {
            while self.events.lock().unwrap().len() < n {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await;
        self.events()
    }
}

/// The hash of `value` with the standard hasher.
pub fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Starts `send(msg)` on `h` and returns once the message is in the mailbox, so several
/// requests queue in a known order.
///
/// The send is polled once here, on the caller's thread, before it is spawned: that first poll
/// puts the message into the mailbox (it has room). Waiting for `mailbox_len` to grow is not
/// enough on its own: the length counts a slot as soon as a sender reserved it, and a sender
/// preempted between reserving and pushing would let a later request overtake it.
pub async fn queue_send(
    h: &ActorHandle<Worker>,
    msg: W,
) -> JoinHandle<Result<(u64, u64), AskError>> {
    assert!(
        h.mailbox_available() > 0,
        "queue_send needs a free mailbox slot"
    );
    let sender = h.clone();
    let mut send = Box::pin(async move { sender.send(msg).await });
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(send.as_mut().poll(cx))).await;
    match first {
        // On the multi-thread runtime an idle actor may answer before this poll returns.
        std::task::Poll::Ready(answer) => tokio::spawn(async move { answer }),
        std::task::Poll::Pending => tokio::spawn(send),
    }
}

/// Awaits a spawned task under the test bound.
pub async fn join<T>(what: &str, task: JoinHandle<T>) -> T {
    within(what, task).await.expect("task did not panic")
}

/// Fails the current incarnation with `Fail(n)` through `send`; asserts the caller gets the
/// handler's error.
pub async fn fail(h: &ActorHandle<Worker>, n: u64) {
    match within("failing send", h.send(W::Fail(n))).await {
        Err(AskError::Actor(ActorError::User(m))) => assert_eq!(m, format!("fail {n}")),
        other => panic!("expected AskError::Actor for Fail({n}), got {other:?}"),
    }
}

/// `send(Echo(n))`, which must succeed; returns the answering incarnation.
pub async fn echo(h: &ActorHandle<Worker>, n: u64) -> u64 {
    match within("echo", h.send(W::Echo(n))).await {
        Ok((inc, m)) => {
            assert_eq!(m, n, "answer to another request");
            inc
        }
        Err(e) => panic!("Echo({n}) failed: {e:?}"),
    }
}
