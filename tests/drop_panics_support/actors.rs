//! Actors and helpers of `tests/drop_panics.rs`: values and messages whose `Drop` panics, a
//! recording supervisor, and a handler counter.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{self, uniq, within, Gate, Log};
use tokio_actors::*;

/// A payload whose `Drop` panics while armed; handling it disarms it.
pub struct Payload {
    pub armed: bool,
}

impl Drop for Payload {
    fn drop(&mut self) {
        if self.armed && !std::thread::panicking() {
            panic!("Drop of a queued message panicked");
        }
    }
}

/// An actor whose value panics when dropped (while armed).
pub struct Bomb {
    pub armed: bool,
    pub log: Log,
    pub hang_pre_start: bool,
    pub veto_graceful: bool,
}

impl Bomb {
    pub fn armed(log: &Log) -> Bomb {
        Bomb {
            armed: true,
            log: log.clone(),
            hang_pre_start: false,
            veto_graceful: false,
        }
    }

    /// Adjusts a field (struct update syntax cannot move out of a `Drop` type).
    pub fn with(mut self, f: impl FnOnce(&mut Bomb)) -> Bomb {
        f(&mut self);
        self
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed && !std::thread::panicking() {
            panic!("Drop of the actor value panicked");
        }
    }
}

pub enum BM {
    Echo(u64),
    Fail,
    Block(Arc<Gate>),
    Payload(Payload),
}

impl Actor for Bomb {
    type Message = BM;
    type Response = u64;

    async fn pre_start(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if self.hang_pre_start {
            self.log.push("pre_start:hanging");
            std::future::pending::<()>().await;
        }
        Ok(())
    }

    async fn handle(&mut self, msg: BM, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        match msg {
            BM::Echo(n) => {
                self.log.push(format!("m{n}"));
                Ok(n)
            }
            BM::Fail => Err(ActorError::user("bomb failed")),
            BM::Block(gate) => {
                gate.pass().await;
                Ok(0)
            }
            BM::Payload(mut p) => {
                p.armed = false;
                self.log.push("payload handled");
                Ok(0)
            }
        }
    }

    async fn pre_stop(&mut self, reason: &StopReason, _: &mut ActorContext<Self>) -> bool {
        !(self.veto_graceful && matches!(reason, StopReason::Graceful))
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        self.log
            .push(format!("on_stopped:{}", common::reason_tag(reason)));
        Ok(())
    }
}

pub fn system() -> Arc<ActorSystem> {
    ActorSystem::create(uniq("drop-panic-sys")).expect("fresh system")
}

pub async fn spawn_bomb(sys: &Arc<ActorSystem>, bomb: Bomb, name: &str) -> ActorHandle<Bomb> {
    within(
        "spawn",
        bomb.spawn()
            .named(name)
            .on_system(sys)
            .with_config(ActorConfig::default()),
    )
    .await
    .expect("spawns")
}

/// Asserts every exit step of `h` (named `name` in `sys`) ran, and returns its final reason.
pub async fn assert_gone<A: Actor>(
    sys: &ActorSystem,
    name: &str,
    h: &ActorHandle<A>,
) -> StopReason {
    let reason = within(&format!("wait_stopped of {name}"), h.wait_stopped()).await;
    assert!(!h.is_alive(), "{name}: is_alive() after wait_stopped");
    assert!(
        !sys.registered().iter().any(|n| n == name),
        "{name} still registered: {:?}",
        sys.registered()
    );
    assert!(sys.get::<A>(name).is_none(), "{name}: get() still finds it");
    let status = within(&format!("get_status of {name}"), h.get_status()).await;
    assert!(
        status.is_err(),
        "{name}: get_status answered after termination"
    );
    reason
}

/// How [`Boss`] spawns one [`Bomb`] child.
#[derive(Clone)]
pub struct ChildPlan {
    pub name: String,
    pub log: Log,
    pub restart: RestartType,
    pub shutdown: Shutdown,
    /// Incarnations from this number on (1-based) panic in `Drop`; 0 = never.
    pub armed_from: usize,
    pub calls: Arc<AtomicUsize>,
}

impl ChildPlan {
    pub fn new(name: &str, log: &Log) -> ChildPlan {
        ChildPlan {
            name: name.to_string(),
            log: log.clone(),
            restart: RestartType::Permanent,
            shutdown: Shutdown::default(),
            armed_from: 0,
            calls: Arc::default(),
        }
    }
    pub fn armed_from(mut self, n: usize) -> Self {
        self.armed_from = n;
        self
    }
    pub fn restart(mut self, r: RestartType) -> Self {
        self.restart = r;
        self
    }
    pub fn shutdown(mut self, s: Shutdown) -> Self {
        self.shutdown = s;
        self
    }
    /// Only the first incarnation panics in `Drop`.
    pub fn armed_once(mut self) -> Self {
        self.armed_from = usize::MAX;
        self
    }
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// A child that vetoes `ParentRequest`.
pub struct Stubborn;

impl Actor for Stubborn {
    type Message = ();
    type Response = ();
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
    async fn pre_stop(&mut self, reason: &StopReason, _: &mut ActorContext<Self>) -> bool {
        !matches!(reason, StopReason::ParentRequest)
    }
}

/// A supervisor that spawns [`Bomb`] children and records its `ChildEvent`s.
pub struct Boss {
    pub events: Arc<Mutex<Vec<ChildEvent>>>,
}

pub enum BossMsg {
    Add(ChildPlan),
    AddStubborn(String),
    Children,
    /// `stop_child` bounded by a timeout (the future is dropped when it expires).
    StopChild(String, Duration),
}

pub enum BossReply {
    Added(Result<ActorHandle<Bomb>, ActorError>),
    AddedStubborn(Result<ActorHandle<Stubborn>, ActorError>),
    Children(Vec<ChildInfo>),
    /// `None`: the timeout expired.
    Stopped(Option<Result<(), SupervisionError>>),
}

impl Actor for Boss {
    type Message = BossMsg;
    type Response = BossReply;

    async fn handle(
        &mut self,
        msg: BossMsg,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<BossReply> {
        Ok(match msg {
            BossMsg::Add(plan) => {
                let (name, restart, shutdown) = (plan.name.clone(), plan.restart, plan.shutdown);
                let factory = move || {
                    let n = plan.calls.fetch_add(1, Ordering::SeqCst) + 1;
                    let armed = match plan.armed_from {
                        0 => false,
                        usize::MAX => n == 1,
                        k => n >= k,
                    };
                    Bomb::armed(&plan.log).with(|b| b.armed = armed)
                };
                let r = ctx
                    .spawn_child(factory)
                    .named(name)
                    .restart_type(restart)
                    .shutdown(shutdown)
                    .await;
                BossReply::Added(r)
            }
            BossMsg::AddStubborn(name) => {
                let r = ctx
                    .spawn_child(|| Stubborn)
                    .named(name)
                    .shutdown(Shutdown::Infinity)
                    .await;
                BossReply::AddedStubborn(r)
            }
            BossMsg::Children => BossReply::Children(ctx.children()),
            BossMsg::StopChild(name, limit) => {
                let r = tokio::time::timeout(limit, ctx.stop_child(name)).await;
                BossReply::Stopped(r.ok())
            }
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

/// The test side of a [`Boss`].
pub struct BossRef {
    pub handle: ActorHandle<Boss>,
    pub events: Arc<Mutex<Vec<ChildEvent>>>,
}

impl Boss {
    pub async fn spawn(sys: &Arc<ActorSystem>, name: &str, config: SupervisionConfig) -> BossRef {
        let events = Arc::new(Mutex::new(Vec::new()));
        let handle = within(
            "spawn boss",
            Boss {
                events: events.clone(),
            }
            .spawn()
            .named(name)
            .on_system(sys)
            .with_supervision(config),
        )
        .await
        .expect("boss spawns");
        BossRef { handle, events }
    }
}

impl BossRef {
    pub async fn add(&self, plan: ChildPlan) -> Result<ActorHandle<Bomb>, ActorError> {
        match within("add child", self.handle.send(BossMsg::Add(plan))).await {
            Ok(BossReply::Added(r)) => r,
            _ => panic!("add child: unexpected reply"),
        }
    }
    pub async fn children(&self) -> Vec<ChildInfo> {
        match within("children", self.handle.send(BossMsg::Children)).await {
            Ok(BossReply::Children(c)) => c,
            _ => panic!("children: unexpected reply"),
        }
    }
    pub fn events(&self) -> Vec<ChildEvent> {
        self.events.lock().unwrap().clone()
    }
    pub async fn events_at_least(&self, n: usize) -> Vec<ChildEvent> {
        within(&format!("{n} child events"), async {
            while self.events.lock().unwrap().len() < n {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await;
        self.events()
    }
    /// Waits until `n` children are alive and none is pending a restart.
    pub async fn settled(&self, n: usize) -> Vec<ChildInfo> {
        within("children settle", async {
            loop {
                let kids = self.children().await;
                if kids.len() == n && kids.iter().all(|c| c.is_alive && !c.restart_pending) {
                    return kids;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
    }
}

/// Counts handler starts; `KillSelf` kills its own actor after passing a gate.
pub struct Tally {
    pub started: Arc<AtomicUsize>,
    pub marker: Arc<AtomicBool>,
}

pub enum TM {
    Count,
    Spin,
    KillSelf(Arc<Gate>),
    Block(Arc<Gate>),
    Marker,
}

impl Actor for Tally {
    type Message = TM;
    type Response = ();

    async fn handle(&mut self, msg: TM, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            TM::Count => {
                self.started.fetch_add(1, Ordering::SeqCst);
            }
            TM::Spin => {
                self.started.fetch_add(1, Ordering::SeqCst);
                let t0 = std::time::Instant::now();
                while t0.elapsed() < Duration::from_micros(30) {
                    std::hint::spin_loop();
                }
            }
            TM::KillSelf(gate) => {
                gate.pass().await;
                ctx.self_handle()
                    .stop(StopReason::Kill)
                    .await
                    .expect("self kill");
            }
            TM::Block(gate) => gate.pass().await,
            TM::Marker => self.marker.store(true, Ordering::SeqCst),
        }
        Ok(())
    }
}

pub fn tally() -> (Tally, Arc<AtomicUsize>, Arc<AtomicBool>) {
    let started = Arc::new(AtomicUsize::new(0));
    let marker = Arc::new(AtomicBool::new(false));
    let t = Tally {
        started: started.clone(),
        marker: marker.clone(),
    };
    (t, started, marker)
}
