//! Scenario definitions and the helpers they share.

pub mod compose;
pub mod lifecycle;
pub mod messaging;
pub mod resources;
pub mod scale;

use std::future::Future;

use tokio::runtime::{Builder, Runtime};

/// Which implementation a measurement exercises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Through `tokio-actors`.
    Ours,
    /// Plain Tokio primitives doing the same work.
    Raw,
}

/// The runtime a measurement runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    MultiThread2,
    CurrentThread,
}

impl Flavour {
    pub fn label(self) -> &'static str {
        match self {
            Flavour::MultiThread2 => "mt-2",
            Flavour::CurrentThread => "ct",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        match label {
            "mt-2" => Some(Flavour::MultiThread2),
            "ct" => Some(Flavour::CurrentThread),
            _ => None,
        }
    }

    /// A fresh runtime; every measurement gets its own, so no task outlives it.
    pub fn runtime(self) -> Runtime {
        let mut builder = match self {
            Flavour::MultiThread2 => {
                let mut b = Builder::new_multi_thread();
                b.worker_threads(2);
                b
            }
            Flavour::CurrentThread => Builder::new_current_thread(),
        };
        builder.enable_all().build().expect("build runtime")
    }
}

/// Whether a larger value of a metric is better for ours.
#[derive(Clone, Copy, Debug)]
pub enum Better {
    Higher,
    Lower,
}

/// How a metric's value is printed.
#[derive(Clone, Copy, Debug)]
pub enum Unit {
    /// Events per second.
    PerSec,
    Nanos,
    Micros,
    Bytes,
}

impl Unit {
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::PerSec if v >= 1e6 => format!("{:.2} M/s", v / 1e6),
            Unit::PerSec => format!("{:.1} k/s", v / 1e3),
            Unit::Nanos => format!("{v:.0} ns"),
            Unit::Micros => format!("{v:.2} µs"),
            Unit::Bytes => format!("{v:.0} B"),
        }
    }
}

/// One number a scenario reports, and the project target for ours/raw if there is one.
pub struct MetricSpec {
    pub name: &'static str,
    pub unit: Unit,
    pub better: Better,
    pub target: Option<f64>,
}

/// Everything one measurement needs.
pub struct Ctx<'a> {
    pub rt: &'a Runtime,
    pub flavour: Flavour,
    pub side: Side,
    pub sizes: &'a Sizes,
}

/// A scenario: `run` performs one measurement of `ctx.side` and returns one value per metric.
pub struct Scenario {
    pub name: &'static str,
    pub metrics: &'static [MetricSpec],
    pub run: fn(&Ctx) -> Vec<f64>,
    /// Measures in a fresh child process, so needs no warm-up repetition.
    pub fresh_process: bool,
}

/// Problem sizes; `--quick` shrinks them for a smoke check.
#[derive(Clone, Debug)]
pub struct Sizes {
    pub tell: u64,
    pub tell_senders: u64,
    pub ask: usize,
    pub spawn_stop: usize,
    pub memory: usize,
    pub ping_pong: u64,
    pub fan_out_actors: usize,
    pub fan_out_per_actor: u64,
    pub timer_actors: usize,
    pub timer_run_ms: u64,
    pub restarts: usize,
    pub broadcast_members: usize,
    pub broadcasts: u64,
    pub pool_asks: usize,
    /// The scale scenarios' actor counts are divided by this.
    pub scale_divisor: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Sizes {
            tell: 1_000_000,
            tell_senders: 8,
            ask: 200_000,
            spawn_stop: 50_000,
            memory: 100_000,
            ping_pong: 200_000,
            fan_out_actors: 1_000,
            fan_out_per_actor: 1_000,
            timer_actors: 10_000,
            timer_run_ms: 1_000,
            restarts: 2_000,
            broadcast_members: 1_000,
            broadcasts: 1_000,
            pool_asks: 200_000,
            scale_divisor: 1,
        }
    }

    pub fn quick() -> Self {
        Sizes {
            tell: 100_000,
            tell_senders: 8,
            ask: 20_000,
            spawn_stop: 5_000,
            memory: 10_000,
            ping_pong: 20_000,
            fan_out_actors: 1_000,
            fan_out_per_actor: 100,
            timer_actors: 1_000,
            timer_run_ms: 200,
            restarts: 200,
            broadcast_members: 1_000,
            broadcasts: 100,
            pool_asks: 20_000,
            scale_divisor: 10,
        }
    }
}

/// Runs `body` as a spawned task (so on the multi-thread runtime it runs on a worker, like
/// the actors, rather than on the thread calling `block_on`) and returns its output.
pub fn drive<F>(rt: &Runtime, body: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    rt.block_on(async move { tokio::spawn(body).await.expect("bench body panicked") })
}

/// Events per second.
pub fn rate(events: u64, elapsed: std::time::Duration) -> f64 {
    events as f64 / elapsed.as_secs_f64()
}

pub fn all() -> Vec<Scenario> {
    vec![
        messaging::TELL,
        messaging::TELL_8,
        messaging::ASK,
        lifecycle::SPAWN_STOP,
        resources::MEMORY,
        messaging::PING_PONG,
        messaging::FAN_OUT,
        resources::TIMERS,
        lifecycle::RESTART,
        compose::BROADCAST_1K,
        compose::POOL_4,
        scale::SUPERVISOR_10K,
        scale::SUPERVISOR_100K,
        scale::SCALE_10K,
        scale::SCALE_100K,
        scale::SCALE_1M,
    ]
}
