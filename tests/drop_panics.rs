//! A panic in user `Drop` code must never skip an exit step nor change a committed reason.
//!
//! Every exit path is run with an actor value whose `Drop` panics: afterwards the name is free,
//! `is_alive()` is false, `wait_stopped` returns the committed reason, `get_status` fails, and a
//! supervisor sees the right `ChildEvent`. The same holds for a queued message whose `Drop`
//! panics when the stop discards it. The last part holds regressions for the other defects of
//! the same report: a cancelled `stop_child` must not orphan its child, an accepted `Kill` runs
//! no further handler, and a priority message never overtakes an accepted stop.
//!
//! Every wait is bounded (`common::within`), so a missing exit step fails a test instead of
//! hanging the suite.

mod common;

use std::future::IntoFuture;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{uniq, within, Gate, Log};
use tokio_actors::*;

/// Runs the async fn `$body` as two tests, one per runtime flavour.
macro_rules! both_flavours {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn current_thread() {
                super::$body().await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$body().await
            }
        }
    };
}

/// A payload whose `Drop` panics while armed; handling it disarms it.
struct Payload {
    armed: bool,
}

impl Drop for Payload {
    fn drop(&mut self) {
        if self.armed && !std::thread::panicking() {
            panic!("Drop of a queued message panicked");
        }
    }
}

/// An actor whose value panics when dropped (while armed).
struct Bomb {
    armed: bool,
    log: Log,
    hang_pre_start: bool,
    veto_graceful: bool,
}

impl Bomb {
    fn armed(log: &Log) -> Bomb {
        Bomb {
            armed: true,
            log: log.clone(),
            hang_pre_start: false,
            veto_graceful: false,
        }
    }

    /// Adjusts a field (struct update syntax cannot move out of a `Drop` type).
    fn with(mut self, f: impl FnOnce(&mut Bomb)) -> Bomb {
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

enum BM {
    Echo(u64),
    Fail,
    Block(Arc<Gate>),
    Hang,
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
            BM::Hang => std::future::pending().await,
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

fn system() -> Arc<ActorSystem> {
    ActorSystem::create(uniq("drop-panic-sys")).expect("fresh system")
}

async fn spawn_bomb(sys: &Arc<ActorSystem>, bomb: Bomb, name: &str) -> ActorHandle<Bomb> {
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
async fn assert_gone<A: Actor>(sys: &ActorSystem, name: &str, h: &ActorHandle<A>) -> StopReason {
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

// ---------------------------------------------------------------------------------------------
// Unsupervised exit paths.

async fn graceful() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    within("stop", h.stop(StopReason::Graceful)).await.unwrap();
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(
        matches!(reason, StopReason::Graceful),
        "reason changed to {reason:?}"
    );
    assert!(log.has("on_stopped:graceful"), "{:?}", log.all());
}
both_flavours!(graceful_drop_panic_keeps_reason, graceful);

async fn cancelled() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    within("stop", h.stop(StopReason::Cancelled)).await.unwrap();
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(
        matches!(reason, StopReason::Cancelled),
        "reason changed to {reason:?}"
    );
    assert!(log.has("on_stopped:cancelled"), "{:?}", log.all());
}
both_flavours!(cancelled_drop_panic_keeps_reason, cancelled);

async fn failure() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    let r = within("send", h.send(BM::Fail)).await;
    assert!(
        matches!(r, Err(AskError::Actor(ActorError::User(_)))),
        "{r:?}"
    );
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(
        matches!(reason, StopReason::Failure(ActorError::User(_))),
        "reason changed to {reason:?}"
    );
}
both_flavours!(failure_drop_panic_keeps_reason, failure);

async fn kill() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let h = spawn_bomb(&sys, Bomb::armed(&log), &name).await;
    h.notify(BM::Hang).await.unwrap();
    let queued = {
        let h = h.clone();
        tokio::spawn(async move { h.send(BM::Echo(1)).await })
    };
    common::settle().await;
    within("kill", h.stop(StopReason::Kill)).await.unwrap();
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    let r = within("queued send", queued).await.unwrap();
    assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
}
both_flavours!(kill_drop_panic_runs_exit_steps, kill);

async fn kill_during_startup() {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let bomb = Bomb::armed(&log).with(|b| b.hang_pre_start = true);
    let spawn = tokio::spawn(
        bomb.spawn()
            .named(name.clone())
            .on_system(&sys)
            .into_future(),
    );
    let h = within("registered while starting", async {
        loop {
            match sys.get::<Bomb>(&name) {
                Some(h) if log.has("pre_start:hanging") => return h,
                _ => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        }
    })
    .await;
    within("kill", sys.kill(&name)).await.unwrap();
    let r = within("spawn returns", spawn).await.unwrap();
    assert!(r.is_err(), "spawn of a killed actor succeeded");
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    // The name is free for a new actor.
    let again = spawn_bomb(&sys, Bomb::armed(&log).with(|b| b.armed = false), &name).await;
    again.stop(StopReason::Kill).await.unwrap();
    within("second", again.wait_stopped()).await;
}
both_flavours!(
    kill_during_startup_drop_panic_frees_name,
    kill_during_startup
);

/// `ActorSystem::shutdown` escalates to Kill on an actor that vetoes; it must still see it end.
async fn shutdown_escalates() {
    let policy = ShutdownPolicy {
        timeout: Duration::from_secs(2),
        per_actor_timeout: Duration::from_millis(50),
    };
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let bomb = Bomb::armed(&log).with(|b| b.veto_graceful = true);
    let h = spawn_bomb(&sys, bomb, &name).await;
    let report = within("shutdown", sys.shutdown_with(policy)).await;
    assert!(report.unresponsive.is_empty(), "{report:?}");
    assert_eq!(report.killed, vec![h.id().clone()], "{report:?}");
    let reason = assert_gone(&sys, &name, &h).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
}
both_flavours!(
    system_shutdown_kill_drop_panic_not_unresponsive,
    shutdown_escalates
);

fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    let mut b = if multi_thread {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_all().build().expect("runtime")
}

fn runtime_shutdown_case(multi_thread: bool) {
    let (sys, log) = (system(), Log::default());
    let (lone, boss_name, child) = (uniq("lone"), uniq("boss"), uniq("child"));
    let rt = runtime(multi_thread);
    let (h, boss, kid) = rt.block_on(async {
        let h = spawn_bomb(&sys, Bomb::armed(&log), &lone).await;
        let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_one()).await;
        let kid = boss
            .add(ChildPlan::new(&child, &log).armed_from(1))
            .await
            .expect("child spawns");
        (h, boss, kid)
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    runtime(false).block_on(async {
        for (name, reason) in [
            (&lone, assert_gone(&sys, &lone, &h).await),
            (&child, assert_gone(&sys, &child, &kid).await),
            (
                &boss_name,
                assert_gone(&sys, &boss_name, &boss.handle).await,
            ),
        ] {
            assert!(matches!(reason, StopReason::Kill), "{name}: {reason:?}");
        }
        assert!(sys.registered().is_empty(), "{:?}", sys.registered());
    });
}

#[test]
fn runtime_shutdown_drop_panic_current_thread() {
    runtime_shutdown_case(false)
}

#[test]
fn runtime_shutdown_drop_panic_multi_thread() {
    runtime_shutdown_case(true)
}

// ---------------------------------------------------------------------------------------------
// Queued messages whose `Drop` panics when a stop discards them.

async fn queued_payload(reason: StopReason) {
    let (sys, log, name) = (system(), Log::default(), uniq("bomb"));
    let bomb = Bomb::armed(&log).with(|b| b.armed = false);
    let h = spawn_bomb(&sys, bomb, &name).await;
    let gate = Gate::new();
    h.notify(BM::Block(gate.clone())).await.unwrap();
    gate.entered().await;
    h.notify(BM::Payload(Payload { armed: true }))
        .await
        .unwrap();
    let pending = {
        let h = h.clone();
        tokio::spawn(async move { h.send(BM::Echo(7)).await })
    };
    within("queued", async {
        while h.mailbox_len() < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    within("stop", h.stop(reason.clone())).await.unwrap();
    gate.open();
    let got = assert_gone(&sys, &name, &h).await;
    assert_eq!(
        common::reason_tag(&got),
        common::reason_tag(&reason),
        "the discarded message's Drop changed the reason"
    );
    let r = within("discarded send", pending).await.unwrap();
    assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    assert!(!log.has("payload handled"), "{:?}", log.all());
    assert!(!log.has("m7"), "{:?}", log.all());
    if !matches!(reason, StopReason::Kill) {
        let want = format!("on_stopped:{}", common::reason_tag(&reason));
        assert!(log.has(&want), "on_stopped skipped: {:?}", log.all());
    }
}

async fn queued_payload_graceful() {
    queued_payload(StopReason::Graceful).await
}
both_flavours!(
    queued_drop_panic_message_at_graceful_stop,
    queued_payload_graceful
);

async fn queued_payload_kill() {
    queued_payload(StopReason::Kill).await
}
both_flavours!(queued_drop_panic_message_at_kill, queued_payload_kill);

// ---------------------------------------------------------------------------------------------
// Supervised children whose value panics in `Drop`.

/// How [`Boss`] spawns one [`Bomb`] child.
#[derive(Clone)]
struct ChildPlan {
    name: String,
    log: Log,
    restart: RestartType,
    shutdown: Shutdown,
    /// Incarnations from this number on (1-based) panic in `Drop`; 0 = never.
    armed_from: usize,
    calls: Arc<AtomicUsize>,
}

impl ChildPlan {
    fn new(name: &str, log: &Log) -> ChildPlan {
        ChildPlan {
            name: name.to_string(),
            log: log.clone(),
            restart: RestartType::Permanent,
            shutdown: Shutdown::default(),
            armed_from: 0,
            calls: Arc::default(),
        }
    }
    fn armed_from(mut self, n: usize) -> Self {
        self.armed_from = n;
        self
    }
    fn restart(mut self, r: RestartType) -> Self {
        self.restart = r;
        self
    }
    fn shutdown(mut self, s: Shutdown) -> Self {
        self.shutdown = s;
        self
    }
    /// Only the first incarnation panics in `Drop`.
    fn armed_once(mut self) -> Self {
        self.armed_from = usize::MAX;
        self
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// A child that vetoes `ParentRequest`.
struct Stubborn;

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
struct Boss {
    events: Arc<Mutex<Vec<ChildEvent>>>,
}

enum BossMsg {
    Add(ChildPlan),
    AddStubborn(String),
    Children,
    /// `stop_child` bounded by a timeout (the future is dropped when it expires).
    StopChild(String, Duration),
}

enum BossReply {
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
struct BossRef {
    handle: ActorHandle<Boss>,
    events: Arc<Mutex<Vec<ChildEvent>>>,
}

impl Boss {
    async fn spawn(sys: &Arc<ActorSystem>, name: &str, config: SupervisionConfig) -> BossRef {
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
    async fn add(&self, plan: ChildPlan) -> Result<ActorHandle<Bomb>, ActorError> {
        match within("add child", self.handle.send(BossMsg::Add(plan))).await {
            Ok(BossReply::Added(r)) => r,
            _ => panic!("add child: unexpected reply"),
        }
    }
    async fn children(&self) -> Vec<ChildInfo> {
        match within("children", self.handle.send(BossMsg::Children)).await {
            Ok(BossReply::Children(c)) => c,
            _ => panic!("children: unexpected reply"),
        }
    }
    fn events(&self) -> Vec<ChildEvent> {
        self.events.lock().unwrap().clone()
    }
    async fn events_at_least(&self, n: usize) -> Vec<ChildEvent> {
        within(&format!("{n} child events"), async {
            while self.events.lock().unwrap().len() < n {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await;
        self.events()
    }
    /// Waits until `n` children are alive and none is pending a restart.
    async fn settled(&self, n: usize) -> Vec<ChildInfo> {
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

fn is_user_failure(r: &StopReason) -> bool {
    matches!(r, StopReason::Failure(ActorError::User(_)))
}

async fn child_exit(how: &str) {
    let (sys, log) = (system(), Log::default());
    let boss = Boss::spawn(&sys, &uniq("boss"), SupervisionConfig::one_for_one()).await;
    let name = uniq("kid");
    let restart = if how == "graceful" {
        RestartType::Transient
    } else {
        RestartType::Permanent
    };
    let plan = ChildPlan::new(&name, &log).armed_once().restart(restart);
    let kid = boss.add(plan.clone()).await.expect("child spawns");
    match how {
        "graceful" => within("stop", kid.stop(StopReason::Graceful))
            .await
            .unwrap(),
        "failure" => {
            let r = within("send", kid.send(BM::Fail)).await;
            assert!(matches!(r, Err(AskError::Actor(_))), "{r:?}");
        }
        _ => within("kill", kid.stop(StopReason::Kill)).await.unwrap(),
    }
    let events = boss.events_at_least(1).await;
    let ev = &events[0];
    assert_eq!(ev.child_name.as_deref(), Some(name.as_str()));
    match how {
        "graceful" => {
            assert!(matches!(ev.reason, StopReason::Graceful), "{:?}", ev.reason);
            assert_eq!(ev.action, SupervisionAction::Removed, "{ev:?}");
            assert_gone(&sys, &name, &kid).await;
            assert!(boss.children().await.is_empty());
            assert_eq!(
                plan.calls(),
                1,
                "a Transient child that exited normally was restarted"
            );
        }
        "failure" => {
            assert!(is_user_failure(&ev.reason), "{:?}", ev.reason);
            assert_eq!(ev.action, SupervisionAction::Restarted, "{ev:?}");
            boss.settled(1).await;
            assert_eq!(plan.calls(), 2);
        }
        _ => {
            assert!(matches!(ev.reason, StopReason::Kill), "{:?}", ev.reason);
            assert_eq!(ev.action, SupervisionAction::Restarted, "{ev:?}");
            boss.settled(1).await;
            assert_eq!(plan.calls(), 2);
            assert!(sys.registered().contains(&name));
        }
    }
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    within("boss ends", boss.handle.wait_stopped()).await;
    assert!(sys.registered().is_empty(), "{:?}", sys.registered());
    assert_eq!(boss.events().len(), 1, "{:?}", boss.events());
}

async fn child_graceful() {
    child_exit("graceful").await
}
both_flavours!(
    transient_child_graceful_drop_panic_is_removed,
    child_graceful
);

async fn child_failure() {
    child_exit("failure").await
}
both_flavours!(child_failure_drop_panic_keeps_reason, child_failure);

async fn child_kill() {
    child_exit("kill").await
}
both_flavours!(child_kill_drop_panic_is_reported_and_restarted, child_kill);

/// The supervisor stops; its child's value panics in `Drop`.
async fn supervisor_stop(policy: Shutdown) {
    let (sys, log) = (system(), Log::default());
    let boss_name = uniq("boss");
    let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_one()).await;
    let name = uniq("kid");
    let plan = ChildPlan::new(&name, &log).armed_from(1).shutdown(policy);
    let kid = boss.add(plan).await.expect("child spawns");
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    let boss_reason = assert_gone(&sys, &boss_name, &boss.handle).await;
    assert!(
        matches!(boss_reason, StopReason::Graceful),
        "{boss_reason:?}"
    );
    assert!(!kid.is_alive(), "child outlived its supervisor");
    let reason = assert_gone(&sys, &name, &kid).await;
    let want_kill = matches!(policy, Shutdown::Kill);
    if want_kill {
        assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    } else {
        assert!(
            matches!(reason, StopReason::ParentRequest),
            "reason changed to {reason:?}"
        );
        assert!(log.has("on_stopped:parent"), "{:?}", log.all());
    }
    assert!(boss.events().is_empty(), "{:?}", boss.events());
}

async fn supervisor_stop_timeout() {
    supervisor_stop(Shutdown::Timeout(Duration::from_secs(2))).await
}
both_flavours!(supervisor_stop_child_drop_panic, supervisor_stop_timeout);

async fn supervisor_stop_kill() {
    supervisor_stop(Shutdown::Kill).await
}
both_flavours!(
    supervisor_stop_kill_policy_child_drop_panic,
    supervisor_stop_kill
);

/// OneForAll: `b` fails, so `a` is stopped by the group restart and its value panics in `Drop`.
async fn group_restart(policy: Shutdown) {
    let (sys, log) = (system(), Log::default());
    let boss_name = uniq("boss");
    let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_all()).await;
    let (a, b) = (uniq("a"), uniq("b"));
    let pa = ChildPlan::new(&a, &log).armed_once().shutdown(policy);
    let pb = ChildPlan::new(&b, &log);
    boss.add(pa.clone()).await.expect("a spawns");
    let hb = boss.add(pb.clone()).await.expect("b spawns");
    let r = within("fail b", hb.send(BM::Fail)).await;
    assert!(matches!(r, Err(AskError::Actor(_))), "{r:?}");
    let events = boss.events_at_least(1).await;
    assert_eq!(events[0].child_name.as_deref(), Some(b.as_str()));
    assert_eq!(events[0].action, SupervisionAction::Restarted);
    assert!(is_user_failure(&events[0].reason), "{:?}", events[0].reason);
    let kids = boss.settled(2).await;
    let names: Vec<_> = kids
        .iter()
        .map(|c| c.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, vec![a.clone(), b.clone()]);
    assert_eq!((pa.calls(), pb.calls()), (2, 2));
    let mut reg = sys.registered();
    reg.sort();
    let mut want = vec![a.clone(), b.clone(), boss_name.clone()];
    want.sort();
    assert_eq!(reg, want);
    assert_eq!(
        boss.events().len(),
        1,
        "group members produced events: {:?}",
        boss.events()
    );
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    assert_gone(&sys, &boss_name, &boss.handle).await;
    assert!(sys.registered().is_empty(), "{:?}", sys.registered());
}

async fn group_restart_timeout() {
    group_restart(Shutdown::Timeout(Duration::from_secs(2))).await
}
both_flavours!(group_restart_sibling_drop_panic, group_restart_timeout);

async fn group_restart_kill() {
    group_restart(Shutdown::Kill).await
}
both_flavours!(
    group_restart_kill_policy_sibling_drop_panic,
    group_restart_kill
);

// ---------------------------------------------------------------------------------------------
// A cancelled `stop_child` must not orphan its child.

async fn cancelled_stop_child() {
    let (sys, log) = (system(), Log::default());
    let boss_name = uniq("boss");
    let boss = Boss::spawn(&sys, &boss_name, SupervisionConfig::one_for_one()).await;
    let (a, b) = (uniq("stubborn"), uniq("b"));
    let ha = match within("add a", boss.handle.send(BossMsg::AddStubborn(a.clone()))).await {
        Ok(BossReply::AddedStubborn(r)) => r.expect("a spawns"),
        _ => panic!("unexpected reply"),
    };
    boss.add(ChildPlan::new(&b, &log)).await.expect("b spawns");
    // `a` vetoes and has `Shutdown::Infinity`: this `stop_child` is dropped half-way.
    let short = BossMsg::StopChild(a.clone(), Duration::from_millis(50));
    match within("stop a", boss.handle.send(short)).await {
        Ok(BossReply::Stopped(None)) => {}
        _ => panic!("stop_child of a vetoing child should have timed out"),
    }
    let long = BossMsg::StopChild(b.clone(), Duration::from_secs(3));
    match within("stop b", boss.handle.send(long)).await {
        Ok(BossReply::Stopped(Some(Ok(())))) => {}
        _ => panic!("stop_child(b) failed"),
    }
    within("stop boss", boss.handle.stop(StopReason::Graceful))
        .await
        .unwrap();
    assert_gone(&sys, &boss_name, &boss.handle).await;
    assert!(
        !ha.is_alive(),
        "the child of a cancelled stop_child outlived its supervisor"
    );
    assert_gone(&sys, &a, &ha).await;
    assert!(sys.registered().is_empty(), "{:?}", sys.registered());
}
both_flavours!(cancelled_stop_child_leaves_no_orphan, cancelled_stop_child);

// ---------------------------------------------------------------------------------------------
// After an accepted Kill no further handler runs.

/// Counts handler starts; `KillSelf` kills its own actor after passing a gate.
struct Tally {
    started: Arc<AtomicUsize>,
    marker: Arc<AtomicBool>,
}

enum TM {
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

fn tally() -> (Tally, Arc<AtomicUsize>, Arc<AtomicBool>) {
    let started = Arc::new(AtomicUsize::new(0));
    let marker = Arc::new(AtomicBool::new(false));
    let t = Tally {
        started: started.clone(),
        marker: marker.clone(),
    };
    (t, started, marker)
}

async fn self_kill_with_queued_sends() {
    let (t, started, _) = tally();
    let config = ActorConfig::default().with_mailbox_capacity(128);
    let h = within("spawn", t.spawn().with_config(config))
        .await
        .unwrap();
    let gate = Gate::new();
    h.notify(TM::KillSelf(gate.clone())).await.unwrap();
    gate.entered().await;
    let sends: Vec<_> = (0..127)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.send(TM::Count).await })
        })
        .collect();
    within("127 queued", async {
        while h.mailbox_len() < 127 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    gate.open();
    let reason = within("wait_stopped", h.wait_stopped()).await;
    assert!(matches!(reason, StopReason::Kill), "{reason:?}");
    for s in sends {
        let r = within("queued send", s).await.unwrap();
        assert!(matches!(r, Err(AskError::ResponseDropped)), "{r:?}");
    }
    assert_eq!(
        started.load(Ordering::SeqCst),
        0,
        "handlers ran after an accepted Kill"
    );
}
both_flavours!(
    self_kill_runs_no_queued_message,
    self_kill_with_queued_sends
);

async fn external_kill_on_busy_actor() {
    for round in 0..10 {
        let (t, started, _) = tally();
        let config = ActorConfig::default().with_mailbox_capacity(256);
        let h = within("spawn", t.spawn().with_config(config))
            .await
            .unwrap();
        let gate = Gate::new();
        h.notify(TM::Block(gate.clone())).await.unwrap();
        gate.entered().await;
        for _ in 0..200 {
            h.try_notify(TM::Spin).expect("room");
        }
        gate.open();
        within("busy", async {
            while started.load(Ordering::SeqCst) == 0 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        within("kill", h.stop(StopReason::Kill)).await.unwrap();
        let at_kill = started.load(Ordering::SeqCst);
        within("wait_stopped", h.wait_stopped()).await;
        let after = started.load(Ordering::SeqCst);
        assert!(
            after <= at_kill + 1,
            "round {round}: {} handlers started after Kill was accepted",
            after - at_kill
        );
    }
}
both_flavours!(
    external_kill_on_busy_actor_runs_no_more_handlers,
    external_kill_on_busy_actor
);

// ---------------------------------------------------------------------------------------------
// A priority message never overtakes an accepted stop.

async fn priority_after_stop() {
    let mut busy_rounds = 0;
    for round in 0..1000 {
        let (t, started, marker) = tally();
        let config = ActorConfig::default()
            .with_priority_lane(4)
            .with_mailbox_capacity(1024);
        let h = within("spawn", t.spawn().with_config(config))
            .await
            .unwrap();
        let busy = round % 3 != 0;
        if busy {
            // The actor is taking mailbox messages in a tight loop when the stop arrives.
            let gate = Gate::new();
            h.notify(TM::Block(gate.clone())).await.unwrap();
            gate.entered().await;
            for _ in 0..1000 {
                h.try_notify(TM::Count).expect("room");
            }
            gate.open();
            within("busy", async {
                while started.load(Ordering::SeqCst) < 10 {
                    tokio::task::yield_now().await;
                }
            })
            .await;
            busy_rounds += 1;
        }
        within("stop", h.stop(StopReason::Cancelled)).await.unwrap();
        let _ = h.try_notify_priority(TM::Marker);
        let reason = within("wait_stopped", h.wait_stopped()).await;
        assert!(matches!(reason, StopReason::Cancelled), "{reason:?}");
        assert!(
            !marker.load(Ordering::SeqCst),
            "round {round} (busy: {busy}): a priority message sent after an accepted stop was handled"
        );
    }
    assert!(busy_rounds > 0);
}
both_flavours!(
    priority_message_never_overtakes_accepted_stop,
    priority_after_stop
);
