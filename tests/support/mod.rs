//! Shared harness for the supervision tests: a configurable `Worker` child, a configurable
//! `Sup` supervisor (which can also be a child, so trees nest), and an `Env` that records every
//! start, stop and `ChildEvent` with the actor's label.
#![allow(dead_code)]

use std::collections::HashMap;
use std::future::IntoFuture;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_actors::*;

/// Upper bound for any await that could hang.
pub const T: Duration = Duration::from_secs(5);

/// A process-unique name.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Awaits `fut` under [`T`], panicking with `what` if it does not finish.
pub async fn within<F: IntoFuture>(what: &str, fut: F) -> F::Output {
    tokio::time::timeout(T, fut.into_future())
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// Polls `cond` (1 ms sleeps) until true, under [`T`].
pub async fn poll_until(what: &str, mut cond: impl FnMut() -> bool) {
    within(what, async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
}

/// A short word for a stop reason, used in log lines.
pub fn kind(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::Graceful => "graceful",
        StopReason::ParentRequest => "parent",
        StopReason::Failure(_) => "failure",
        StopReason::Cancelled => "cancelled",
        StopReason::Kill => "kill",
    }
}

/// One recorded `on_child_stopped` call.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub supervisor: String,
    pub child: String,
    pub event: ChildEvent,
    pub at: Instant,
}

/// Shared recording of everything the actors of one test do.
#[derive(Clone, Default)]
pub struct Env {
    log: Arc<Mutex<Vec<String>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
    workers: Arc<Mutex<HashMap<String, ActorHandle<Worker>>>>,
    sups: Arc<Mutex<HashMap<String, ActorHandle<Sup>>>>,
    starts: Arc<Mutex<HashMap<String, usize>>>,
    factory_calls: Arc<Mutex<HashMap<String, usize>>>,
}

impl Env {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, line: impl Into<String>) {
        self.log.lock().unwrap().push(line.into());
    }

    /// Every log line so far.
    pub fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Log lines from index `from` on.
    pub fn lines_from(&self, from: usize) -> Vec<String> {
        self.log.lock().unwrap()[from..].to_vec()
    }

    /// Log lines from `from` on that start with `prefix`.
    pub fn lines_with(&self, from: usize, prefix: &str) -> Vec<String> {
        self.lines_from(from)
            .into_iter()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// The latest incarnation's handle of the worker labelled `label`.
    pub fn worker(&self, label: &str) -> ActorHandle<Worker> {
        self.workers
            .lock()
            .unwrap()
            .get(label)
            .cloned()
            .unwrap_or_else(|| panic!("no worker {label}"))
    }

    /// The latest incarnation's handle of the supervisor labelled `label`.
    pub fn sup(&self, label: &str) -> ActorHandle<Sup> {
        self.sups
            .lock()
            .unwrap()
            .get(label)
            .cloned()
            .unwrap_or_else(|| panic!("no supervisor {label}"))
    }

    /// How many times an actor labelled `label` ran `pre_start`.
    pub fn starts(&self, label: &str) -> usize {
        self.starts.lock().unwrap().get(label).copied().unwrap_or(0)
    }

    /// How many times the factory of `label` was called.
    pub fn factory_calls(&self, label: &str) -> usize {
        self.factory_calls
            .lock()
            .unwrap()
            .get(label)
            .copied()
            .unwrap_or(0)
    }

    fn bump(map: &Mutex<HashMap<String, usize>>, label: &str) -> usize {
        let mut map = map.lock().unwrap();
        let n = map.entry(label.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    /// Every `on_child_stopped` call seen by the supervisor labelled `sup`.
    pub fn events(&self, sup: &str) -> Vec<Recorded> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.supervisor == sup)
            .cloned()
            .collect()
    }

    /// The actions of [`Env::events`].
    pub fn actions(&self, sup: &str) -> Vec<SupervisionAction> {
        self.events(sup).iter().map(|r| r.event.action).collect()
    }

    pub fn all_events(&self) -> Vec<Recorded> {
        self.events.lock().unwrap().clone()
    }
}

/// What a worker does besides answering messages.
#[derive(Clone, Default)]
pub struct Behaviour {
    /// `pre_stop` returns `false` for `ParentRequest`.
    pub veto_parent: bool,
    /// `pre_stop` returns `false` for `Graceful`.
    pub veto_graceful: bool,
    /// `on_stopped` never returns.
    pub hang_on_stopped: bool,
    /// `on_stopped` sleeps this long, then logs `stopped-done:<label>`.
    pub slow_on_stopped: Option<Duration>,
    /// `on_started` fails when this is the n-th start (1-based) or later.
    pub fail_on_started_from: Option<usize>,
    /// The factory panics when this is its n-th call (1-based) or later.
    pub factory_panic_from: Option<usize>,
    /// `on_started` sleeps this long when this is the n-th start (1-based) or later.
    pub slow_on_started_from: Option<(usize, Duration)>,
}

/// A child that counts `Inc` messages and logs its lifecycle with its label.
pub struct Worker {
    pub label: String,
    env: Env,
    b: Behaviour,
    count: u64,
    start_no: usize,
}

/// Messages of [`Worker`].
pub enum W {
    /// Increments the counter and returns it (fresh state starts at 0).
    Inc,
    /// The handler returns `Err` (a `send` of it stops the worker with `Failure`).
    Fail,
    /// The handler panics.
    Panic,
    /// The worker asks itself to stop `Graceful`.
    StopSelf,
    /// The handler sleeps.
    Sleep(Duration),
}

impl Worker {
    pub fn new(label: impl Into<String>, env: Env, b: Behaviour) -> Self {
        Worker {
            label: label.into(),
            env,
            b,
            count: 0,
            start_no: 0,
        }
    }
}

impl Actor for Worker {
    type Message = W;
    type Response = u64;

    async fn pre_start(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        self.start_no = Env::bump(&self.env.starts, &self.label);
        self.env.push(format!("start:{}", self.label));
        self.env
            .workers
            .lock()
            .unwrap()
            .insert(self.label.clone(), ctx.self_handle());
        Ok(())
    }

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if let Some((n, d)) = self.b.slow_on_started_from {
            if self.start_no >= n {
                tokio::time::sleep(d).await;
                self.env.push(format!("started-done:{}", self.label));
            }
        }
        match self.b.fail_on_started_from {
            Some(n) if self.start_no >= n => Err(ActorError::user(format!(
                "{} failed in on_started",
                self.label
            ))),
            _ => Ok(()),
        }
    }

    async fn handle(&mut self, msg: W, ctx: &mut ActorContext<Self>) -> ActorResult<u64> {
        match msg {
            W::Inc => {
                self.count += 1;
                Ok(self.count)
            }
            W::Fail => Err(ActorError::user(format!("{} failed", self.label))),
            W::Panic => panic!("{} panicked", self.label),
            W::StopSelf => {
                let _ = ctx.self_handle().stop(StopReason::Graceful).await;
                Ok(self.count)
            }
            W::Sleep(d) => {
                tokio::time::sleep(d).await;
                Ok(self.count)
            }
        }
    }

    async fn pre_stop(&mut self, reason: &StopReason, _: &mut ActorContext<Self>) -> bool {
        self.env
            .push(format!("pre_stop:{}:{}", self.label, kind(reason)));
        match reason {
            StopReason::ParentRequest => !self.b.veto_parent,
            StopReason::Graceful => !self.b.veto_graceful,
            _ => true,
        }
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.env
            .push(format!("stop:{}:{}", self.label, kind(reason)));
        if self.b.hang_on_stopped {
            std::future::pending::<()>().await;
        }
        if let Some(d) = self.b.slow_on_stopped {
            tokio::time::sleep(d).await;
            self.env.push(format!("stopped-done:{}", self.label));
        }
        Ok(())
    }
}

/// What kind of child a [`ChildSpec`] spawns.
#[derive(Clone)]
pub enum ChildKind {
    Worker(Behaviour),
    Sup(SupervisionConfig, Vec<ChildSpec>),
}

/// How a [`Sup`] spawns one child.
#[derive(Clone)]
pub struct ChildSpec {
    pub label: String,
    pub name: Option<String>,
    pub restart: Option<RestartType>,
    pub shutdown: Option<Shutdown>,
    pub capacity: Option<usize>,
    pub kind: ChildKind,
}

impl ChildSpec {
    /// A worker with every builder default.
    pub fn worker(label: &str) -> Self {
        ChildSpec {
            label: label.to_string(),
            name: None,
            restart: None,
            shutdown: None,
            capacity: None,
            kind: ChildKind::Worker(Behaviour::default()),
        }
    }

    /// A nested supervisor with the given children.
    pub fn sup(label: &str, config: SupervisionConfig, children: Vec<ChildSpec>) -> Self {
        ChildSpec {
            kind: ChildKind::Sup(config, children),
            ..Self::worker(label)
        }
    }

    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn restart(mut self, restart: RestartType) -> Self {
        self.restart = Some(restart);
        self
    }

    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = Some(shutdown);
        self
    }

    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = Some(capacity);
        self
    }

    pub fn behaviour(mut self, b: Behaviour) -> Self {
        self.kind = ChildKind::Worker(b);
        self
    }
}

/// A supervisor (when spawned with supervision) that spawns `init` in `on_started` and records
/// every `on_child_stopped`.
pub struct Sup {
    pub label: String,
    env: Env,
    init: Vec<ChildSpec>,
    labels: HashMap<ActorId, String>,
}

/// Messages of [`Sup`].
pub enum S {
    Spawn(ChildSpec),
    Children,
    StopChild(ActorId),
    Ping,
}

/// Responses of [`Sup`].
#[derive(Debug)]
pub enum SR {
    Spawned(Result<ActorId, ActorError>),
    Children(Vec<ChildInfo>),
    /// `stop_child`'s result and how long it took.
    Stopped(Result<(), SupervisionError>, Duration),
    Pong,
}

impl Sup {
    pub fn new(label: impl Into<String>, env: Env, init: Vec<ChildSpec>) -> Self {
        Sup {
            label: label.into(),
            env,
            init,
            labels: HashMap::new(),
        }
    }

    async fn spawn_spec(
        &mut self,
        ctx: &mut ActorContext<Self>,
        spec: ChildSpec,
    ) -> Result<ActorId, ActorError> {
        let mut config = ActorConfig::default();
        if let Some(c) = spec.capacity {
            config = config.with_mailbox_capacity(c);
        }
        let env = self.env.clone();
        let label = spec.label.clone();
        let id = match spec.kind {
            ChildKind::Worker(b) => {
                let mut builder = ctx
                    .spawn_child(move || {
                        let n = Env::bump(&env.factory_calls, &label);
                        if matches!(b.factory_panic_from, Some(k) if n >= k) {
                            panic!("factory of {label} panicked");
                        }
                        Worker::new(label.clone(), env.clone(), b.clone())
                    })
                    .with_config(config);
                if let Some(n) = spec.name {
                    builder = builder.named(n);
                }
                if let Some(r) = spec.restart {
                    builder = builder.restart_type(r);
                }
                if let Some(s) = spec.shutdown {
                    builder = builder.shutdown(s);
                }
                builder.await?.id().clone()
            }
            ChildKind::Sup(sup_config, children) => {
                let mut builder = ctx
                    .spawn_child(move || {
                        Env::bump(&env.factory_calls, &label);
                        Sup::new(label.clone(), env.clone(), children.clone())
                    })
                    .with_config(config.with_supervision(sup_config));
                if let Some(n) = spec.name {
                    builder = builder.named(n);
                }
                if let Some(r) = spec.restart {
                    builder = builder.restart_type(r);
                }
                if let Some(s) = spec.shutdown {
                    builder = builder.shutdown(s);
                }
                builder.await?.id().clone()
            }
        };
        self.labels.insert(id.clone(), spec.label);
        Ok(id)
    }
}

impl Actor for Sup {
    type Message = S;
    type Response = SR;

    async fn pre_start(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        Env::bump(&self.env.starts, &self.label);
        self.env.push(format!("start:{}", self.label));
        self.env
            .sups
            .lock()
            .unwrap()
            .insert(self.label.clone(), ctx.self_handle());
        Ok(())
    }

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        for spec in self.init.clone() {
            self.spawn_spec(ctx, spec).await?;
        }
        Ok(())
    }

    async fn handle(&mut self, msg: S, ctx: &mut ActorContext<Self>) -> ActorResult<SR> {
        Ok(match msg {
            S::Spawn(spec) => SR::Spawned(self.spawn_spec(ctx, spec).await),
            S::Children => SR::Children(ctx.children()),
            S::StopChild(id) => {
                let t0 = Instant::now();
                let r = ctx.stop_child(id).await;
                SR::Stopped(r, t0.elapsed())
            }
            S::Ping => SR::Pong,
        })
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.env
            .push(format!("stop:{}:{}", self.label, kind(reason)));
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        let child = self
            .labels
            .get(&event.child_id)
            .cloned()
            .unwrap_or_else(|| event.child_id.to_string());
        self.env
            .push(format!("event:{}:{}:{:?}", self.label, child, event.action));
        self.env.events.lock().unwrap().push(Recorded {
            supervisor: self.label.clone(),
            child,
            event: event.clone(),
            at: Instant::now(),
        });
        Ok(())
    }
}

/// Spawns a supervisor labelled `label` with `children` started in `on_started`.
pub async fn spawn_sup(
    env: &Env,
    label: &str,
    config: SupervisionConfig,
    children: Vec<ChildSpec>,
) -> ActorHandle<Sup> {
    within(
        "spawn supervisor",
        Sup::new(label, env.clone(), children)
            .spawn()
            .with_supervision(config),
    )
    .await
    .expect("supervisor spawns")
}

/// `ctx.children()` of `sup`.
pub async fn children(sup: &ActorHandle<Sup>) -> Vec<ChildInfo> {
    match within("children()", sup.send(S::Children)).await {
        Ok(SR::Children(c)) => c,
        other => panic!("children(): {other:?}"),
    }
}

/// Spawns a child through `sup` (its `spawn_child` result).
pub async fn spawn_child(sup: &ActorHandle<Sup>, spec: ChildSpec) -> Result<ActorId, ActorError> {
    match within("spawn_child", sup.send(S::Spawn(spec))).await {
        Ok(SR::Spawned(r)) => r,
        other => panic!("spawn_child: {other:?}"),
    }
}

/// `ctx.stop_child(id)` inside `sup`, with its duration.
pub async fn stop_child(
    sup: &ActorHandle<Sup>,
    id: ActorId,
) -> (Result<(), SupervisionError>, Duration) {
    match within("stop_child", sup.send(S::StopChild(id))).await {
        Ok(SR::Stopped(r, d)) => (r, d),
        other => panic!("stop_child: {other:?}"),
    }
}

/// Polls `children()` until there are `n` children, all alive and none pending.
pub async fn settled(sup: &ActorHandle<Sup>, n: usize) -> Vec<ChildInfo> {
    within("children settle", async {
        loop {
            let kids = children(sup).await;
            if kids.len() == n && kids.iter().all(|c| c.is_alive && !c.restart_pending) {
                return kids;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
}

/// Polls until `sup` has recorded at least `n` events.
pub async fn events_at_least(env: &Env, sup: &str, n: usize) -> Vec<Recorded> {
    poll_until(&format!("{n} events of {sup}"), || {
        env.events(sup).len() >= n
    })
    .await;
    env.events(sup)
}

/// Waits for termination (under [`T`]).
pub async fn terminated<A: Actor>(h: &ActorHandle<A>) -> StopReason {
    within("wait_stopped", h.wait_stopped()).await
}

/// `true` if `reason` is `Failure(Supervision(BudgetExhausted))`.
pub fn is_budget_exhausted(reason: &StopReason) -> bool {
    matches!(
        reason,
        StopReason::Failure(ActorError::Supervision(SupervisionError::BudgetExhausted))
    )
}
