//! Shared test actors and helpers for the integration tests.
#![allow(dead_code)]

use std::future::IntoFuture;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio_actors::*;

/// Upper bound for anything a test awaits; a hang fails the test instead of the suite.
pub const LIMIT: Duration = Duration::from_secs(5);

/// Awaits `f` under [`LIMIT`]; panics with `what` on timeout.
pub async fn within<F: IntoFuture>(what: &str, f: F) -> F::Output {
    match tokio::time::timeout(LIMIT, f.into_future()).await {
        Ok(v) => v,
        Err(_) => panic!("timed out: {what}"),
    }
}

/// A name unique within this test process.
pub fn uniq(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A dedicated system with a unique name.
pub fn system() -> Arc<ActorSystem> {
    ActorSystem::create(uniq("sys")).expect("fresh system name")
}

/// Polls `is_alive()` until false, under [`LIMIT`].
pub async fn until_dead(alive: impl Fn() -> bool) {
    within("actor termination", async {
        while alive() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
}

/// Yields a few times so other tasks can run.
pub async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// A shared, ordered event log.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    pub fn has(&self, s: &str) -> bool {
        self.0.lock().unwrap().iter().any(|e| e == s)
    }
    pub fn has_prefix(&self, p: &str) -> bool {
        self.0.lock().unwrap().iter().any(|e| e.starts_with(p))
    }
    pub fn count_prefix(&self, p: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.starts_with(p))
            .count()
    }
    /// Entries starting with `p`, in order.
    pub fn with_prefix(&self, p: &str) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.starts_with(p))
            .cloned()
            .collect()
    }
}

/// A two-sided rendezvous: the actor signals `entered`, then waits for `release`.
pub struct Gate {
    entered: Semaphore,
    release: Semaphore,
}

impl Gate {
    pub fn new() -> Arc<Gate> {
        Arc::new(Gate {
            entered: Semaphore::new(0),
            release: Semaphore::new(0),
        })
    }
    /// Actor side.
    pub async fn pass(&self) {
        self.entered.add_permits(1);
        self.release.acquire().await.expect("gate open").forget();
    }
    /// Test side: waits until the actor is inside the gate.
    pub async fn entered(&self) {
        within("gate entered", self.entered.acquire())
            .await
            .expect("gate open")
            .forget();
    }
    /// Test side: lets one waiter through.
    pub fn open(&self) {
        self.release.add_permits(1);
    }
}

/// What a scripted hook does.
#[derive(Clone, Default)]
pub enum Act {
    /// Returns `Ok` (`true` for `pre_stop`).
    #[default]
    Ok,
    /// Returns `Err(user("<hook> failed"))` (`false`, a veto, for `pre_stop`).
    Fail,
    /// Panics with "<hook> panicked".
    Panic,
    /// Never completes.
    Hang,
    /// Waits at the gate, then behaves like `Ok`.
    Wait(Arc<Gate>),
}

impl Act {
    /// Runs the scripted behaviour; `Err` for `Fail`.
    async fn run(&self, hook: &str) -> ActorResult<()> {
        match self {
            Act::Ok => Ok(()),
            Act::Fail => Err(ActorError::user(format!("{hook} failed"))),
            Act::Panic => panic!("{hook} panicked"),
            Act::Hang => std::future::pending().await,
            Act::Wait(g) => {
                g.pass().await;
                Ok(())
            }
        }
    }
}

/// Per-hook scripts for [`Probe`].
#[derive(Clone, Default)]
pub struct Script {
    pub pre_start: Act,
    pub on_started: Act,
    pub pre_stop: Act,
    pub on_stopped: Act,
    pub panic_in_handle_failure: bool,
    /// `pre_stop` vetoes this many times before consulting `pre_stop`'s [`Act`].
    pub vetoes: u32,
    /// If set, `on_stopped` also logs `stopped:<tag>` (to order several actors in one log).
    pub tag: Option<String>,
    /// `try_notify`s sent to `self_handle()` from `on_started` (before any gate wait).
    pub self_notify_on_start: Vec<u64>,
}

/// The general-purpose test actor: logs every hook into a [`Log`].
pub struct Probe {
    pub log: Log,
    pub script: Script,
    pub dropped: Arc<AtomicBool>,
}

impl Probe {
    pub fn new(log: &Log) -> Probe {
        Probe {
            log: log.clone(),
            script: Script::default(),
            dropped: Arc::new(AtomicBool::new(false)),
        }
    }
    pub fn script(mut self, script: Script) -> Probe {
        self.script = script;
        self
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// Messages understood by [`Probe`].
#[derive(Clone)]
pub enum Msg {
    /// Logs `m<n>`, answers `n`.
    Echo(u64),
    /// Logs `m<n>` and returns `Err(user("fail <n>"))`.
    Fail(u64),
    /// Panics with "handler panic <n>".
    Panic(u64),
    /// Logs `m<n>`, waits at the gate, answers `n`.
    Block(u64, Arc<Gate>),
    /// Sleeps (tokio time), then answers `n`.
    Sleep(u64, Duration),
    /// Never completes.
    Hang,
    /// Logs `status:<ctx.status()>`.
    Status,
    /// Calls `stop(reason)` on its own handle.
    StopSelf(StopReason),
}

/// Short text of a reason, for logs.
pub fn reason_tag(r: &StopReason) -> String {
    match r {
        StopReason::Graceful => "graceful".into(),
        StopReason::ParentRequest => "parent".into(),
        StopReason::Cancelled => "cancelled".into(),
        StopReason::Kill => "kill".into(),
        StopReason::Failure(ActorError::Panic(m)) => format!("panic({m})"),
        StopReason::Failure(ActorError::User(m)) => format!("failure({m})"),
        StopReason::Failure(e) => format!("failure-other({e})"),
    }
}

impl Actor for Probe {
    type Message = Msg;
    type Response = u64;

    async fn pre_start(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log.push("pre_start");
        self.log
            .push(format!("status:pre_start:{:?}", ctx.status()));
        self.script.pre_start.clone().run("pre_start").await
    }

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        self.log.push("on_started");
        self.log
            .push(format!("status:on_started:{:?}", ctx.status()));
        for n in self.script.self_notify_on_start.clone() {
            let r = ctx.self_handle().try_notify(Msg::Echo(n));
            assert!(r.is_ok(), "self try_notify in on_started: {r:?}");
        }
        self.script.on_started.clone().run("on_started").await
    }

    async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<u64> {
        match msg {
            Msg::Echo(n) => {
                self.log.push(format!("m{n}"));
                Ok(n)
            }
            Msg::Fail(n) => {
                self.log.push(format!("m{n}"));
                Err(ActorError::user(format!("fail {n}")))
            }
            Msg::Panic(n) => panic!("handler panic {n}"),
            Msg::Block(n, gate) => {
                self.log.push(format!("m{n}"));
                gate.pass().await;
                Ok(n)
            }
            Msg::Sleep(n, d) => {
                tokio::time::sleep(d).await;
                self.log.push(format!("m{n}"));
                Ok(n)
            }
            Msg::Hang => std::future::pending().await,
            Msg::Status => {
                self.log.push(format!("status:handle:{:?}", ctx.status()));
                Ok(0)
            }
            Msg::StopSelf(reason) => {
                let r = ctx.self_handle().stop(reason).await;
                assert!(r.is_ok(), "self stop: {r:?}");
                Ok(0)
            }
        }
    }

    async fn pre_stop(&mut self, reason: &StopReason, _: &mut ActorContext<Self>) -> bool {
        self.log.push(format!("pre_stop:{}", reason_tag(reason)));
        if self.script.vetoes > 0 {
            self.script.vetoes -= 1;
            return false;
        }
        self.script.pre_stop.clone().run("pre_stop").await.is_ok()
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.log.push(format!("on_stopped:{}", reason_tag(reason)));
        self.log
            .push(format!("status:on_stopped:{:?}", ctx.status()));
        if let Some(tag) = &self.script.tag {
            self.log.push(format!("stopped:{tag}"));
        }
        self.script.on_stopped.clone().run("on_stopped").await
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.log.push(format!("handle_failure:{error}"));
        if self.script.panic_in_handle_failure {
            panic!("handle_failure panicked");
        }
    }
}

/// A supervisor that spawns [`Probe`] children on request and records child events.
pub struct Parent {
    pub events: Arc<Mutex<Vec<ChildEvent>>>,
}

/// Builds a child probe.
pub type ProbeFactory = Arc<dyn Fn() -> Probe + Send + Sync>;

pub enum ParentMsg {
    Spawn(ProbeFactory, Option<String>),
    Children,
}

pub enum ParentReply {
    Child(Result<ActorHandle<Probe>, ActorError>),
    Children(Vec<ChildInfo>),
}

impl Actor for Parent {
    type Message = ParentMsg;
    type Response = ParentReply;

    async fn handle(
        &mut self,
        msg: ParentMsg,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<ParentReply> {
        match msg {
            ParentMsg::Spawn(factory, name) => {
                let builder = ctx.spawn_child(move || factory());
                let r = match name {
                    Some(n) => builder.named(n).await,
                    None => builder.await,
                };
                Ok(ParentReply::Child(r))
            }
            ParentMsg::Children => Ok(ParentReply::Children(ctx.children())),
        }
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

impl Parent {
    /// Asks `parent` to spawn a child from `factory`.
    pub async fn spawn_probe(
        parent: &ActorHandle<Parent>,
        factory: ProbeFactory,
        name: Option<String>,
    ) -> Result<ActorHandle<Probe>, ActorError> {
        match within("parent spawn", parent.send(ParentMsg::Spawn(factory, name))).await {
            Ok(ParentReply::Child(r)) => r,
            Ok(ParentReply::Children(_)) => panic!("unexpected reply"),
            Err(e) => panic!("parent send failed: {e:?}"),
        }
    }
}

/// Polls `fut` once by hand and asserts it is waiting (deterministic on both runtime flavours,
/// unlike spawning it and hoping the task got as far as its wait). Await it afterwards.
pub async fn assert_waits<F: std::future::Future>(fut: std::pin::Pin<&mut F>, what: &str) {
    let mut fut = fut;
    std::future::poll_fn(|cx| {
        assert!(fut.as_mut().poll(cx).is_pending(), "{what}");
        std::task::Poll::Ready(())
    })
    .await;
}

/// Runs each scenario as two tests, `<name>::current_thread` and `<name>::multi_thread` (two
/// workers). Three forms:
///
/// - `both_flavours!(scenario_a, scenario_b)`: each test calls `scenario_x().await`;
/// - `both_flavours!(test_name => scenario_fn, ...)`: the test is named apart from its scenario;
/// - `both_flavours!(test_name => async { ... })`: the scenario is written in place.
#[macro_export]
macro_rules! both_flavours {
    ($($name:ident => async $body:block),+ $(,)?) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[tokio::test]
                async fn current_thread() {
                    async $body.await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn multi_thread() {
                    async $body.await
                }
            }
        )+
    };
    ($($name:ident => $scenario:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn current_thread() {
                    super::$scenario().await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn multi_thread() {
                    super::$scenario().await
                }
            }
        )+
    };
    ($($scenario:ident),+ $(,)?) => {
        $crate::both_flavours!($($scenario => $scenario),+);
    };
}
