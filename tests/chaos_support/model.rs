//! The reference model of OTP supervision the chaos suite checks the runtime against, and the
//! seeded random trees it runs on.
//!
//! The model is a tree of live instances. An incident on a child is decided by its restart type
//! (Permanent: always restart; Transient: only after an abnormal exit; Temporary: never), then by
//! its supervisor's budget (granted restarts per supervisor incarnation; the window is far longer
//! than a run). A granted restart re-creates the restart set of the strategy (OneForOne and
//! SimpleOneForOne: the child; OneForAll: every child; RestForOne: the child and the ones started
//! after it), deleting Temporary members; a re-created supervisor starts its whole initial
//! subtree again with a fresh budget. An exhausted budget deletes the child and stops the
//! supervisor with the reason `budget`, an incident of its own parent. Only the supervisor that
//! decided records an event: members stopped by a group restart and children stopped by their
//! supervisor's own stop record nothing.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use tokio_actors::{RestartStrategy, RestartType, Shutdown, SupervisionAction};

/// A small seeded PRNG (SplitMix64): enough for choosing faults, and reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// `true` with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// The restart window: far longer than any run, so a budget counts every granted restart of a
/// supervisor incarnation.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// How a supervisor is configured and what it starts in `on_started`.
#[derive(Debug)]
pub struct SupSpec {
    pub strategy: RestartStrategy,
    pub max_restarts: u32,
    pub children: Vec<Arc<Spec>>,
}

/// One node of a generated tree (every node is named, so the registry can be checked).
#[derive(Debug)]
pub struct Spec {
    pub name: String,
    pub restart: RestartType,
    pub shutdown: Shutdown,
    /// `pre_stop` vetoes `ParentRequest` (only with a `Timeout` shutdown, so its supervisor
    /// kills it after the timeout).
    pub veto_parent: bool,
    pub sup: Option<SupSpec>,
}

/// A random tree: a supervisor root, up to `depth` levels, 1–4 children per supervisor.
pub fn generate(rng: &mut Rng, prefix: &str) -> Arc<Spec> {
    let mut next = 0;
    gen_node(rng, prefix, 0, &mut next, true)
}

fn gen_node(rng: &mut Rng, prefix: &str, depth: usize, next: &mut usize, sup: bool) -> Arc<Spec> {
    let name = format!("{prefix}-n{next}");
    *next += 1;
    let restart = rng.pick(&[
        RestartType::Permanent,
        RestartType::Permanent,
        RestartType::Transient,
        RestartType::Temporary,
    ]);
    let mut shutdown = rng.pick(&[
        Shutdown::Kill,
        Shutdown::Timeout(Duration::from_secs(1)),
        Shutdown::Infinity,
    ]);
    let veto_parent = matches!(shutdown, Shutdown::Timeout(_)) && rng.chance(30);
    if veto_parent {
        shutdown = Shutdown::Timeout(Duration::from_millis(50));
    }
    let sup = sup.then(|| {
        let strategy = rng.pick(&[
            RestartStrategy::OneForOne,
            RestartStrategy::OneForAll,
            RestartStrategy::RestForOne,
            RestartStrategy::SimpleOneForOne,
        ]);
        let count = 1 + rng.below(4);
        let children = (0..count)
            .map(|_| {
                let nested = depth < 2 && rng.chance(25);
                gen_node(rng, prefix, depth + 1, next, nested)
            })
            .collect();
        // The root gets a larger budget, so most trees live through the predicted phase.
        let max_restarts = if depth == 0 {
            rng.pick(&[2, 4, 8])
        } else {
            rng.pick(&[0, 1, 2, 3, 4])
        };
        SupSpec {
            strategy,
            max_restarts,
            children,
        }
    });
    Arc::new(Spec {
        name,
        restart,
        shutdown,
        veto_parent,
        sup,
    })
}

/// One `on_child_stopped` call: child name, action, reason tag.
pub type Ev = (String, SupervisionAction, String);

/// A live instance.
struct Inst {
    spec: Arc<Spec>,
    granted: u32,
    children: Vec<Inst>,
}

/// The expected state of one tree.
pub struct Model {
    root: Option<Inst>,
    /// Incarnations created per name.
    pub made: BTreeMap<String, usize>,
    /// Events per supervisor name, in order.
    pub events: BTreeMap<String, Vec<Ev>>,
}

fn build(made: &mut BTreeMap<String, usize>, spec: &Arc<Spec>) -> Inst {
    *made.entry(spec.name.clone()).or_default() += 1;
    let children = match &spec.sup {
        Some(s) => s.children.iter().map(|c| build(made, c)).collect(),
        None => Vec::new(),
    };
    Inst {
        spec: spec.clone(),
        granted: 0,
        children,
    }
}

fn node_mut<'a>(mut node: &'a mut Inst, path: &[usize]) -> &'a mut Inst {
    for &i in path {
        node = &mut node.children[i];
    }
    node
}

/// `true` for the reasons that count as an abnormal exit.
pub fn abnormal(tag: &str) -> bool {
    !matches!(tag, "graceful" | "parent")
}

impl Model {
    pub fn new(spec: &Arc<Spec>) -> Model {
        let mut made = BTreeMap::new();
        let root = build(&mut made, spec);
        Model {
            root: Some(root),
            made,
            events: BTreeMap::new(),
        }
    }

    pub fn root_alive(&self) -> bool {
        self.root.is_some()
    }

    /// Every live name with its parent's name (`None` for the root), in pre-order.
    pub fn live(&self) -> Vec<(String, Option<String>)> {
        fn walk(n: &Inst, parent: Option<&str>, out: &mut Vec<(String, Option<String>)>) {
            out.push((n.spec.name.clone(), parent.map(str::to_string)));
            for c in &n.children {
                walk(c, Some(&n.spec.name), out);
            }
        }
        let mut out = Vec::new();
        if let Some(r) = &self.root {
            walk(r, None, &mut out);
        }
        out
    }

    /// Every live supervisor with the names of its children, in start order.
    pub fn supervisors(&self) -> Vec<(String, Vec<String>)> {
        fn walk(n: &Inst, out: &mut Vec<(String, Vec<String>)>) {
            if n.spec.sup.is_some() {
                let kids = n.children.iter().map(|c| c.spec.name.clone()).collect();
                out.push((n.spec.name.clone(), kids));
            }
            for c in &n.children {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        if let Some(r) = &self.root {
            walk(r, &mut out);
        }
        out
    }

    fn path(&self, name: &str) -> Option<Vec<usize>> {
        fn find(n: &Inst, name: &str, path: &mut Vec<usize>) -> bool {
            if n.spec.name == name {
                return true;
            }
            for (i, c) in n.children.iter().enumerate() {
                path.push(i);
                if find(c, name, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        find(self.root.as_ref()?, name, &mut path).then_some(path)
    }

    /// The live node `name` ended with the reason `tag` without its supervisor asking.
    pub fn incident(&mut self, name: &str, tag: &str) {
        let mut path = self.path(name).expect("incident on a live node");
        let mut tag = tag.to_string();
        loop {
            let Some((&idx, parent_path)) = path.split_last() else {
                self.root = None;
                return;
            };
            let parent_path = parent_path.to_vec();
            let parent = node_mut(self.root.as_mut().expect("live"), &parent_path);
            let spec = parent.spec.clone();
            let sup = spec.sup.as_ref().expect("a parent is a supervisor");
            let child = parent.children[idx].spec.clone();
            let restart = match child.restart {
                RestartType::Permanent => true,
                RestartType::Transient => abnormal(&tag),
                RestartType::Temporary => false,
            };
            let log = self.events.entry(spec.name.clone()).or_default();
            if !restart {
                log.push((child.name.clone(), SupervisionAction::Removed, tag));
                parent.children.remove(idx);
                return;
            }
            if parent.granted < sup.max_restarts {
                parent.granted += 1;
                log.push((child.name.clone(), SupervisionAction::Restarted, tag));
                let set = restart_set(sup.strategy, idx, parent.children.len());
                let old = std::mem::take(&mut parent.children);
                for (i, inst) in old.into_iter().enumerate() {
                    if !set.contains(&i) {
                        parent.children.push(inst);
                    } else if inst.spec.restart != RestartType::Temporary {
                        parent.children.push(build(&mut self.made, &inst.spec));
                    }
                }
                return;
            }
            log.push((child.name.clone(), SupervisionAction::BudgetExhausted, tag));
            parent.children.remove(idx);
            path = parent_path;
            tag = "budget".to_string();
        }
    }

    /// The supervisor of the live node `name` stopped it with `stop_child`.
    pub fn stop_child(&mut self, name: &str) {
        let path = self.path(name).expect("stop_child of a live node");
        let (&idx, parent_path) = path.split_last().expect("not the root");
        let parent = node_mut(self.root.as_mut().expect("live"), parent_path);
        let child = parent.children.remove(idx);
        // A vetoing child is killed once its `Timeout` expires.
        let tag = match child.spec.shutdown {
            Shutdown::Kill => "kill",
            _ if child.spec.veto_parent => "kill",
            _ => "parent",
        };
        self.events
            .entry(parent.spec.name.clone())
            .or_default()
            .push((
                name.to_string(),
                SupervisionAction::Removed,
                tag.to_string(),
            ));
    }
}

fn restart_set(strategy: RestartStrategy, failed: usize, len: usize) -> Range<usize> {
    match strategy {
        RestartStrategy::OneForOne | RestartStrategy::SimpleOneForOne => failed..failed + 1,
        RestartStrategy::OneForAll => 0..len,
        RestartStrategy::RestForOne => failed..len,
    }
}
