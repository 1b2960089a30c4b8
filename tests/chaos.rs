//! Seeded chaos suite: random supervision trees under injected faults, checked against a
//! reference model of OTP supervision (`chaos_support/model.rs`).
//!
//! Each iteration builds random trees (strategies OneForOne/OneForAll/RestForOne/
//! SimpleOneForOne, restart types Permanent/Transient/Temporary, budgets of 0–8 restarts,
//! nested supervisors, shutdown policies Kill/Timeout/Infinity, some children that veto their
//! supervisor's stop request and are killed when their timeout expires; every node named in a
//! dedicated `ActorSystem`), then:
//!
//! 1. **Predicted phase.** One fault at a time: a handler panic, a handler error on a `send`,
//!    `stop(Graceful | Cancelled | Kill)`, or `stop_child` by the supervisor. After each, it
//!    waits until the tree matches the model: the `on_child_stopped` events of every supervisor
//!    (child, action, reason), the incarnations per name (factory calls and `pre_start`s), every
//!    live supervisor's `children()` (names in start order, all alive, none pending), and the
//!    registry.
//! 2. **Concurrent phase.** On a fresh tree, many faults at once from many tasks, including
//!    `stop_child` calls the supervisor abandons after their first poll; only invariants are
//!    checked: every request resolves within a bound, and once the root has stopped no
//!    incarnation that ever ran is alive, no name is registered and every actor value created
//!    has been dropped (a counter incremented in `Node::new`, decremented in `Drop`).
//!
//! The model only uses what does not depend on whether a restarted child keeps its handle:
//! events, `children()`, the registry and counters; handles are always fetched fresh with
//! `ActorSystem::get` or asked of the supervisor.
//!
//! By default a short run: 50 iterations on each real-clock flavour, 800 under the paused
//! clock (where waits cost no wall time), each flavour from its own fixed seed; a few seconds in
//! all. A soak, and the replay of a failure:
//!
//! ```text
//! CHAOS_ITERS=100000 CHAOS_SEED=123 cargo test --release --test chaos -- --nocapture
//! CHAOS_SEED=<seed> CHAOS_ITERS=1 CHAOS_FAULTS=<faults> cargo test --test chaos <test> -- --nocapture
//! ```
//!
//! `CHAOS_SEED` is the seed of iteration 0; iteration `i` uses a seed derived from it. A failure
//! prints the test, the iteration, that iteration's seed, the tree and the faults it injected,
//! and the exact replay command (the second line above). The seed fixes the trees and the
//! faults; `chaos_current_thread` and `chaos_paused_clock` also replay the same interleaving,
//! `chaos_multi_thread` only usually does (run the same seed under `chaos_paused_clock` for a
//! deterministic rerun). `CHAOS_FAULTS` sets the number of faults of the predicted phase
//! (default 8; the concurrent phase injects twice as many). With `--nocapture` each test prints
//! what it covered (faults, events by action, roots lost).

#[path = "chaos_support/model.rs"]
mod model;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use model::{Ev, Model, Rng, Spec};
use tokio_actors::*;

/// Bound for anything a request or a settle may take.
const LIMIT: Duration = Duration::from_secs(10);

/// Everything the actors of one tree record.
#[derive(Default)]
struct World {
    /// Actor values alive (incremented in `Node::new`, decremented in `Drop`).
    live: AtomicI64,
    made: Mutex<BTreeMap<String, usize>>,
    starts: Mutex<BTreeMap<String, usize>>,
    events: Mutex<BTreeMap<String, Vec<Ev>>>,
    /// `self_handle()` of every incarnation that ran `pre_start`.
    handles: Mutex<Vec<ActorHandle<Node>>>,
}

fn bump(map: &Mutex<BTreeMap<String, usize>>, name: &str) {
    *map.lock().unwrap().entry(name.to_string()).or_default() += 1;
}

/// Every node of a tree: a worker, or a supervisor that starts its children in `on_started`.
struct Node {
    spec: Arc<Spec>,
    world: Arc<World>,
}

impl Node {
    fn new(spec: Arc<Spec>, world: Arc<World>) -> Node {
        world.live.fetch_add(1, Ordering::SeqCst);
        bump(&world.made, &spec.name);
        Node { spec, world }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.world.live.fetch_sub(1, Ordering::SeqCst);
    }
}

enum NMsg {
    Fail,
    Panic,
    Children,
    StopChild(String),
    /// `stop_child` abandoned after its first poll (a handler that gives up on it).
    AbandonStopChild(String),
}

enum NReply {
    /// (name, is_alive, restart_pending) per child.
    Children(Vec<(String, bool, bool)>),
    Stopped(Result<(), SupervisionError>),
}

fn config_for(spec: &Spec) -> ActorConfig {
    match &spec.sup {
        None => ActorConfig::default(),
        Some(s) => {
            let base = match s.strategy {
                RestartStrategy::OneForOne => SupervisionConfig::one_for_one(),
                RestartStrategy::OneForAll => SupervisionConfig::one_for_all(),
                RestartStrategy::RestForOne => SupervisionConfig::rest_for_one(),
                RestartStrategy::SimpleOneForOne => SupervisionConfig::simple_one_for_one(),
            };
            ActorConfig::default()
                .with_supervision(base.max_restarts(s.max_restarts, model::WINDOW))
        }
    }
}

/// Short text of a reason, as the model writes it.
fn tag(reason: &StopReason) -> String {
    match reason {
        StopReason::Graceful => "graceful".into(),
        StopReason::ParentRequest => "parent".into(),
        StopReason::Cancelled => "cancelled".into(),
        StopReason::Kill => "kill".into(),
        StopReason::Failure(ActorError::Panic(_)) => "panic".into(),
        StopReason::Failure(ActorError::User(_)) => "error".into(),
        StopReason::Failure(ActorError::Supervision(SupervisionError::BudgetExhausted)) => {
            "budget".into()
        }
        StopReason::Failure(e) => format!("failure({e})"),
    }
}

/// Marks the panics this suite injects, so the panic hook keeps them quiet.
const INJECTED: &str = "chaos-injected panic";

impl Actor for Node {
    type Message = NMsg;
    type Response = NReply;

    async fn pre_start(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        bump(&self.world.starts, &self.spec.name);
        self.world.handles.lock().unwrap().push(ctx.self_handle());
        Ok(())
    }

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let Some(sup) = &self.spec.sup else {
            return Ok(());
        };
        for child in sup.children.clone() {
            let (world, spec) = (self.world.clone(), child.clone());
            ctx.spawn_child(move || Node::new(spec.clone(), world.clone()))
                .named(child.name.clone())
                .restart_type(child.restart)
                .shutdown(child.shutdown)
                .with_config(config_for(&child))
                .await?;
        }
        Ok(())
    }

    async fn handle(&mut self, msg: NMsg, ctx: &mut ActorContext<Self>) -> ActorResult<NReply> {
        Ok(match msg {
            NMsg::Fail => return Err(ActorError::user(format!("{} failed", self.spec.name))),
            NMsg::Panic => panic!("{INJECTED} in {}", self.spec.name),
            NMsg::Children => NReply::Children(
                ctx.children()
                    .into_iter()
                    .map(|c| (c.name.unwrap_or_default(), c.is_alive, c.restart_pending))
                    .collect(),
            ),
            NMsg::StopChild(name) => NReply::Stopped(ctx.stop_child(name).await),
            NMsg::AbandonStopChild(name) => {
                let r = tokio::time::timeout(Duration::ZERO, ctx.stop_child(name)).await;
                NReply::Stopped(r.unwrap_or(Ok(())))
            }
        })
    }

    async fn pre_stop(&mut self, reason: &StopReason, _: &mut ActorContext<Self>) -> bool {
        !(self.spec.veto_parent && matches!(reason, StopReason::ParentRequest))
    }

    async fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        let child = event.child_name.clone().unwrap_or_default();
        self.world
            .events
            .lock()
            .unwrap()
            .entry(self.spec.name.clone())
            .or_default()
            .push((child, event.action, tag(&event.reason)));
        Ok(())
    }
}

/// A fault the suite injects.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Panic,
    Error,
    Graceful,
    Cancelled,
    Kill,
    StopChild,
    /// Only in the concurrent phase: its outcome is not part of the model.
    AbandonStopChild,
}

const FAULTS: [Fault; 6] = [
    Fault::Panic,
    Fault::Error,
    Fault::Graceful,
    Fault::Cancelled,
    Fault::Kill,
    Fault::StopChild,
];

/// Injects `fault` into `name` (whose supervisor is `parent`); returns how the request ended,
/// or `Err` if it did not resolve within [`LIMIT`]. A missing actor is `Ok("absent")`.
async fn inject(
    sys: &ActorSystem,
    name: &str,
    parent: Option<&str>,
    fault: Fault,
) -> Result<String, String> {
    let target = match (fault, parent) {
        (Fault::StopChild | Fault::AbandonStopChild, Some(p)) => p,
        (Fault::StopChild | Fault::AbandonStopChild, None) => {
            return Ok("root has no supervisor".into())
        }
        _ => name,
    };
    let Some(h) = sys.get::<Node>(target) else {
        return Ok("absent".into());
    };
    let request = async {
        match fault {
            Fault::Panic => format!("{:?}", h.notify(NMsg::Panic).await),
            Fault::Error => match h.send(NMsg::Fail).await {
                Err(AskError::Actor(ActorError::User(_))) => "failed".into(),
                Err(e) => format!("{e:?}"),
                Ok(_) => "answered".into(),
            },
            Fault::Graceful => format!("{:?}", h.stop(StopReason::Graceful).await),
            Fault::Cancelled => format!("{:?}", h.stop(StopReason::Cancelled).await),
            Fault::Kill => format!("{:?}", h.stop(StopReason::Kill).await),
            Fault::StopChild | Fault::AbandonStopChild => {
                let msg = match fault {
                    Fault::StopChild => NMsg::StopChild(name.to_string()),
                    _ => NMsg::AbandonStopChild(name.to_string()),
                };
                match h.send(msg).await {
                    Ok(NReply::Stopped(r)) => format!("{r:?}"),
                    Ok(_) => "wrong reply".into(),
                    Err(e) => format!("{e:?}"),
                }
            }
        }
    };
    tokio::time::timeout(LIMIT, request)
        .await
        .map_err(|_| format!("{fault:?} on {target} never resolved"))
}

/// What the runtime shows now, compared with the model; `Err` holds the first difference.
async fn compare(sys: &ActorSystem, world: &World, model: &Model) -> Result<(), String> {
    let mut registered = sys.registered();
    registered.sort();
    let mut live: Vec<String> = model.live().into_iter().map(|(n, _)| n).collect();
    live.sort();
    if registered != live {
        return Err(format!("registry {registered:?}, model {live:?}"));
    }
    let events = world.events.lock().unwrap().clone();
    if events != model.events {
        return Err(format!("events {events:#?}\nmodel {:#?}", model.events));
    }
    let made = world.made.lock().unwrap().clone();
    if made != model.made {
        return Err(format!("factory calls {made:?}, model {:?}", model.made));
    }
    let starts = world.starts.lock().unwrap().clone();
    if starts != model.made {
        return Err(format!("pre_starts {starts:?}, model {:?}", model.made));
    }
    for (sup, want) in model.supervisors() {
        let h = sys.get::<Node>(&sup).ok_or(format!("{sup} not found"))?;
        let reply = tokio::time::timeout(Duration::from_millis(200), h.send(NMsg::Children)).await;
        let Ok(Ok(NReply::Children(kids))) = reply else {
            return Err(format!("{sup}: children() not answered"));
        };
        let names: Vec<String> = kids.iter().map(|k| k.0.clone()).collect();
        if names != want || kids.iter().any(|k| !k.1 || k.2) {
            return Err(format!("{sup}: children() {kids:?}, model {want:?}"));
        }
    }
    Ok(())
}

/// Waits until the runtime matches the model, twice in a row with a pause in between.
async fn settle(sys: &ActorSystem, world: &World, model: &Model) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + LIMIT;
    let mut last = String::new();
    let mut matched = false;
    while tokio::time::Instant::now() < deadline {
        match compare(sys, world, model).await {
            Ok(()) if matched => return Ok(()),
            Ok(()) => matched = true,
            Err(e) => {
                matched = false;
                last = e;
            }
        }
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Err(format!("did not settle: {last}"))
}

/// Stops the root and checks that nothing outlived it.
async fn finish(sys: &ActorSystem, world: &World, root: &ActorHandle<Node>) -> Result<(), String> {
    if root.is_alive() {
        let _ = root.stop(StopReason::Graceful).await;
    }
    tokio::time::timeout(LIMIT, root.wait_stopped())
        .await
        .map_err(|_| "the root did not stop".to_string())?;
    let survivors: Vec<String> = world
        .handles
        .lock()
        .unwrap()
        .iter()
        .filter(|h| h.is_alive())
        .map(|h| h.id().to_string())
        .collect();
    if !survivors.is_empty() {
        return Err(format!("alive after the root stopped: {survivors:?}"));
    }
    if !sys.registered().is_empty() {
        return Err(format!(
            "registered after the root stopped: {:?}",
            sys.registered()
        ));
    }
    // Values a cancelled restart created but never started are dropped with their task.
    let values_gone = async {
        while world.live.load(Ordering::SeqCst) != 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(2), values_gone)
        .await
        .map_err(|_| {
            format!(
                "{} actor values never dropped",
                world.live.load(Ordering::SeqCst)
            )
        })
}

/// What a run covered, printed at its end (visible with `--nocapture`).
#[derive(Default, Debug)]
struct Coverage {
    predicted_faults: usize,
    concurrent_faults: usize,
    restarted: usize,
    removed: usize,
    budget_exhausted: usize,
    roots_lost: usize,
}

/// A running tree and the model of it.
struct Tree {
    sys: Arc<ActorSystem>,
    world: Arc<World>,
    root: ActorHandle<Node>,
    model: Model,
}

/// Generates a tree, spawns it in a fresh system and waits until it matches its model.
async fn grow(rng: &mut Rng, trace: &mut Vec<String>) -> Result<Tree, String> {
    let sys = ActorSystem::create(format!("chaos-{}-{}", std::process::id(), unique()))
        .map_err(|e| e.to_string())?;
    let spec = model::generate(rng, "c");
    trace.push(format!("tree: {spec:?}"));
    let world = Arc::new(World::default());
    let root = Node::new(spec.clone(), world.clone())
        .spawn()
        .named(spec.name.clone())
        .on_system(&sys)
        .with_config(config_for(&spec));
    let root = tokio::time::timeout(LIMIT, root)
        .await
        .map_err(|_| "root spawn hung".to_string())?
        .map_err(|e| format!("root spawn: {e}"))?;
    let model = Model::new(&spec);
    settle(&sys, &world, &model).await?;
    Ok(Tree {
        sys,
        world,
        root,
        model,
    })
}

/// Predicted phase: one fault at a time, the tree checked against the model after each.
async fn predicted(
    rng: &mut Rng,
    faults: usize,
    trace: &mut Vec<String>,
    cover: &mut Coverage,
) -> Result<(), String> {
    let Tree {
        sys,
        world,
        root,
        mut model,
    } = grow(rng, trace).await?;
    for step in 0..faults {
        if !model.root_alive() {
            break;
        }
        let live = model.live();
        // The root is hit rarely: it ends the tree.
        let candidates = if live.len() > 1 && !rng.chance(3) {
            &live[1..]
        } else {
            &live[..]
        };
        let (name, parent) = rng.pick(candidates);
        let fault = match rng.pick(&FAULTS) {
            Fault::StopChild if parent.is_none() => Fault::Kill,
            fault => fault,
        };
        trace.push(format!("step {step}: {fault:?} on {name}"));
        let outcome = inject(&sys, &name, parent.as_deref(), fault).await?;
        let expected = match fault {
            Fault::Error => "failed",
            _ => "Ok(())",
        };
        if outcome != expected {
            return Err(format!(
                "{fault:?} on {name}: {outcome}, expected {expected}"
            ));
        }
        match fault {
            Fault::Panic => model.incident(&name, "panic"),
            Fault::Error => model.incident(&name, "error"),
            Fault::Graceful => model.incident(&name, "graceful"),
            Fault::Cancelled => model.incident(&name, "cancelled"),
            Fault::Kill => model.incident(&name, "kill"),
            Fault::StopChild => model.stop_child(&name),
            Fault::AbandonStopChild => unreachable!("not in the predicted phase"),
        }
        cover.predicted_faults += 1;
        if model.root_alive() {
            settle(&sys, &world, &model).await?;
        } else {
            cover.roots_lost += 1;
        }
    }
    for (_, action, _) in model.events.values().flatten() {
        match action {
            SupervisionAction::Restarted => cover.restarted += 1,
            SupervisionAction::Removed => cover.removed += 1,
            _ => cover.budget_exhausted += 1,
        }
    }
    finish(&sys, &world, &root).await
}

/// Concurrent phase: many faults at once from many tasks; only the invariants are checked.
async fn concurrent(
    rng: &mut Rng,
    faults: usize,
    trace: &mut Vec<String>,
    cover: &mut Coverage,
) -> Result<(), String> {
    let tree = grow(rng, trace).await?;
    let names = tree.model.live();
    let mut tasks = Vec::new();
    for _ in 0..faults * 2 {
        let (name, parent) = rng.pick(&names);
        let fault = match rng.below(FAULTS.len() + 1) {
            i if i == FAULTS.len() => Fault::AbandonStopChild,
            i => FAULTS[i],
        };
        trace.push(format!("concurrent: {fault:?} on {name}"));
        cover.concurrent_faults += 1;
        let sys = tree.sys.clone();
        tasks.push(tokio::spawn(async move {
            inject(&sys, &name, parent.as_deref(), fault).await
        }));
        match rng.below(4) {
            0 => tokio::time::sleep(Duration::from_micros(200)).await,
            1 => tokio::task::yield_now().await,
            _ => {}
        }
    }
    for task in tasks {
        tokio::time::timeout(LIMIT * 3, task)
            .await
            .map_err(|_| "an injection task hung".to_string())?
            .map_err(|e| format!("an injection task panicked: {e}"))??;
    }
    finish(&tree.sys, &tree.world, &tree.root).await
}

/// One iteration: a predicted-phase tree, then a concurrent-phase tree.
async fn iteration(
    seed: u64,
    faults: usize,
    trace: &mut Vec<String>,
    cover: &mut Coverage,
) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    predicted(&mut rng, faults, trace, cover).await?;
    concurrent(&mut rng, faults, trace, cover).await
}

fn unique() -> u64 {
    static NEXT: AtomicI64 = AtomicI64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) as u64
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Keeps the injected panics off stderr (a soak injects thousands).
fn quiet_injected_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !payload.contains(INJECTED) {
                previous(info);
            }
        }));
    });
}

/// Runs the configured iterations; on failure prints the seed, iteration and replay command.
async fn run(test: &str, default_seed: u64, default_iters: u64) {
    quiet_injected_panics();
    let base = env_u64("CHAOS_SEED", default_seed);
    let iters = env_u64("CHAOS_ITERS", default_iters);
    let faults = env_u64("CHAOS_FAULTS", 8) as usize;
    let started = std::time::Instant::now();
    let mut cover = Coverage::default();
    for i in 0..iters {
        let seed = base ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut trace = Vec::new();
        if let Err(e) = iteration(seed, faults, &mut trace, &mut cover).await {
            for line in &trace {
                eprintln!("  {line}");
            }
            panic!(
                "chaos failure in {test}, iteration {i}, seed {seed}: {e}\n\
                 replay: CHAOS_SEED={seed} CHAOS_ITERS=1 CHAOS_FAULTS={faults} \
                 cargo test --test chaos {test} -- --nocapture\n\
                 (a chaos_multi_thread interleaving may not recur: try the same seed under \
                 chaos_paused_clock too)"
            );
        }
        if iters > 100 && (i + 1) % 1000 == 0 {
            eprintln!("{test}: {} iterations, {:?}", i + 1, started.elapsed());
        }
    }
    eprintln!(
        "{test}: {iters} iterations in {:?}: {cover:?}",
        started.elapsed()
    );
    assert!(
        iters == 0 || cover.predicted_faults > 0,
        "no fault was injected"
    );
}

#[tokio::test]
async fn chaos_current_thread() {
    run("chaos_current_thread", 0xC0FFEE, 50).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_multi_thread() {
    run("chaos_multi_thread", 0xBADC0DE, 50).await
}

#[tokio::test(start_paused = true)]
async fn chaos_paused_clock() {
    run("chaos_paused_clock", 0x5EED, 800).await
}
