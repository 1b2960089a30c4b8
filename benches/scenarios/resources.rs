//! Resource scenarios: `memory` (RSS per idle actor, measured in a fresh child process) and
//! `timers` (recurring 1 ms timers: ticks delivered and CPU time per tick).

use std::future::IntoFuture;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;
use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult};

use super::lifecycle::Idle;
use super::{drive, Better, Ctx, Flavour, MetricSpec, Scenario, Side, Unit};

const ENV_SIDE: &str = "TA_BENCH_MEMORY";
const ENV_FLAVOUR: &str = "TA_BENCH_FLAVOUR";
const ENV_COUNT: &str = "TA_BENCH_COUNT";
const RESULT_PREFIX: &str = "TA_BENCH_BYTES_PER_ACTOR=";

/// Resident set size of this process in bytes (VmRSS of /proc/self/status).
pub fn rss_bytes() -> u64 {
    status_bytes("VmRSS:")
}

/// The peak resident set size of this process so far in bytes (VmHWM of /proc/self/status).
pub fn peak_rss_bytes() -> u64 {
    status_bytes("VmHWM:")
}

/// A size field of /proc/self/status (given in kB there), in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    kb * 1024
}

/// User + system CPU time of this process (fields 14 and 15 of /proc/self/stat, in clock
/// ticks of 1/100 s).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    // The command name (field 2) may contain spaces; fields after it start past the last ')'.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3, so field k is at index k - 3.
    let ticks: u64 = fields[14 - 3].parse::<u64>().expect("utime")
        + fields[15 - 3].parse::<u64>().expect("stime");
    Duration::from_millis(ticks * 10)
}

pub const MEMORY: Scenario = Scenario {
    name: "memory",
    metrics: &[MetricSpec {
        name: "RSS per actor",
        unit: Unit::Bytes,
        better: Better::Lower,
        target: Some(2.0),
    }],
    run: memory,
    fresh_process: true,
};

/// Re-executes this bench binary in child mode and reads back its bytes-per-actor figure.
fn memory(ctx: &Ctx) -> Vec<f64> {
    let exe = std::env::current_exe().expect("current exe");
    let side = match ctx.side {
        Side::Ours => "ours",
        Side::Raw => "raw",
    };
    let output = Command::new(exe)
        .env(ENV_SIDE, side)
        .env(ENV_FLAVOUR, ctx.flavour.label())
        .env(ENV_COUNT, ctx.sizes.memory.to_string())
        .output()
        .expect("run memory child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "memory child failed: {}\n{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    let value = stdout
        .lines()
        .find_map(|l| l.strip_prefix(RESULT_PREFIX))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no result from memory child: {stdout}"));
    vec![value]
}

/// Child mode: `Some(exit code)` when this process was started by [`memory`].
pub fn memory_child() -> Option<ExitCode> {
    let side = std::env::var(ENV_SIDE).ok()?;
    let flavour = std::env::var(ENV_FLAVOUR)
        .ok()
        .and_then(|f| Flavour::from_label(&f))
        .unwrap_or(Flavour::MultiThread2);
    let count: usize = std::env::var(ENV_COUNT)
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000);
    let rt = flavour.runtime();
    let bytes = match side.as_str() {
        "ours" => drive(&rt, async move {
            // Warm up the runtime, the allocator and the crate's globals first.
            let mut warm = Vec::new();
            for _ in 0..1_000 {
                warm.push(Idle.spawn().await.expect("spawn"));
            }
            let mut handles = Vec::with_capacity(count);
            settle().await;
            let before = rss_bytes();
            for _ in 0..count {
                handles.push(Idle.spawn().await.expect("spawn"));
            }
            settle().await;
            let after = rss_bytes();
            std::hint::black_box((&warm, &handles));
            after.saturating_sub(before) as f64 / count as f64
        }),
        "raw" => drive(&rt, async move {
            let spawn_idle = || {
                let (tx, mut rx) = mpsc::channel::<u64>(64);
                tokio::spawn(async move { while rx.recv().await.is_some() {} });
                tx
            };
            let warm: Vec<_> = (0..1_000).map(|_| spawn_idle()).collect();
            let mut senders = Vec::with_capacity(count);
            settle().await;
            let before = rss_bytes();
            for _ in 0..count {
                senders.push(spawn_idle());
            }
            settle().await;
            let after = rss_bytes();
            std::hint::black_box((&warm, &senders));
            after.saturating_sub(before) as f64 / count as f64
        }),
        other => {
            eprintln!("unknown {ENV_SIDE} value {other:?}");
            return Some(ExitCode::FAILURE);
        }
    };
    println!("{RESULT_PREFIX}{bytes}");
    // Leave without tearing down 100,000 tasks.
    std::mem::forget(rt);
    Some(ExitCode::SUCCESS)
}

/// Lets every spawned task run its first poll and park.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Counts the ticks of its own recurring timer.
struct Ticker(Arc<AtomicU64>);

impl Actor for Ticker {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.schedule(()).every(Duration::from_millis(1)).await?;
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

pub const TIMERS: Scenario = Scenario {
    name: "timers",
    metrics: &[
        MetricSpec {
            name: "ticks delivered",
            unit: Unit::PerSec,
            better: Better::Higher,
            target: None,
        },
        MetricSpec {
            name: "CPU per tick",
            unit: Unit::Nanos,
            better: Better::Lower,
            target: None,
        },
    ],
    run: timers,
    fresh_process: false,
};

/// Many actors with a 1 ms recurring timer; after all are set up, count the ticks delivered
/// and the process CPU time over the run window.
fn timers(ctx: &Ctx) -> Vec<f64> {
    let n = ctx.sizes.timer_actors;
    let window = Duration::from_millis(ctx.sizes.timer_run_ms);
    let ticks = Arc::new(AtomicU64::new(0));
    let counter = ticks.clone();
    let (delivered, cpu, wall) = match ctx.side {
        Side::Ours => drive(ctx.rt, async move {
            // Start them all at once: awaiting each spawn in turn while the earlier timers are
            // already ticking makes set-up quadratic on a saturated current-thread runtime.
            let spawns: Vec<_> = (0..n)
                .map(|_| tokio::spawn(Ticker(counter.clone()).spawn().into_future()))
                .collect();
            for spawn in spawns {
                spawn.await.expect("spawn task").expect("spawn");
            }
            observe(&counter, window).await
        }),
        Side::Raw => drive(ctx.rt, async move {
            for _ in 0..n {
                let (tx, mut rx) = mpsc::channel::<()>(64);
                let c = counter.clone();
                tokio::spawn(async move {
                    while rx.recv().await.is_some() {
                        c.fetch_add(1, Ordering::Relaxed);
                    }
                });
                tokio::spawn(async move {
                    let period = Duration::from_millis(1);
                    let mut interval =
                        tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
                    loop {
                        interval.tick().await;
                        if tx.send(()).await.is_err() {
                            break;
                        }
                    }
                });
            }
            observe(&counter, window).await
        }),
    };
    let per_sec = delivered as f64 / wall.as_secs_f64();
    let cpu_per_tick = cpu.as_nanos() as f64 / delivered.max(1) as f64;
    vec![per_sec, cpu_per_tick]
}

/// Ticks delivered, CPU time used and wall time elapsed over `window`.
async fn observe(counter: &AtomicU64, window: Duration) -> (u64, Duration, Duration) {
    let ticks0 = counter.load(Ordering::Relaxed);
    let cpu0 = cpu_time();
    let wall0 = Instant::now();
    tokio::time::sleep(window).await;
    let ticks1 = counter.load(Ordering::Relaxed);
    let cpu1 = cpu_time();
    (ticks1 - ticks0, cpu1 - cpu0, wall0.elapsed())
}
