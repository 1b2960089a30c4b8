//! The `metrics` feature: the crate reports through the `metrics` facade, so any recorder
//! works (Prometheus, StatsD, ...). This example installs a tiny hand-written recorder that
//! keeps the values in memory, runs a few actors, and prints what was recorded.
//!
//! What to look for in the output:
//! - `tokio_actors_messages_total` split by `outcome` (ok, error, panic);
//! - `tokio_actors_alive`: running actors of each type (a gauge set to the total, so it is
//!   right even for a recorder installed after actors were spawned, and never negative);
//! - `tokio_actors_mailbox_depth`: the sum of the mailbox depths of all actors of a type, each
//!   as sampled when it last took a message (two workers with 5 and 0 queued read 5);
//! - the `handle` and `mailbox_wait` histograms (count and mean here).
//!
//! Run with `cargo run --example metrics_recorder --features metrics`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use tokio::sync::Semaphore;
use tokio_actors::*;

/// The last value of every counter and gauge, and (count, sum) of every histogram, by key.
#[derive(Clone, Default)]
struct Memory(Arc<Mutex<BTreeMap<String, Value>>>);

#[derive(Debug, Clone, Copy)]
enum Value {
    Counter(u64),
    Gauge(f64),
    Histogram { count: u64, sum: f64 },
}

/// One metric: its key, rendered, and the shared store.
struct Slot {
    key: String,
    memory: Memory,
}

impl Slot {
    fn update(&self, f: impl FnOnce(Option<Value>) -> Value) {
        let mut map = self.memory.0.lock().unwrap();
        let value = f(map.get(&self.key).copied());
        map.insert(self.key.clone(), value);
    }
}

impl CounterFn for Slot {
    fn increment(&self, by: u64) {
        self.update(|v| match v {
            Some(Value::Counter(n)) => Value::Counter(n + by),
            _ => Value::Counter(by),
        });
    }
    fn absolute(&self, value: u64) {
        self.update(|_| Value::Counter(value));
    }
}

impl GaugeFn for Slot {
    fn increment(&self, by: f64) {
        self.update(|v| match v {
            Some(Value::Gauge(x)) => Value::Gauge(x + by),
            _ => Value::Gauge(by),
        });
    }
    fn decrement(&self, by: f64) {
        GaugeFn::increment(self, -by);
    }
    fn set(&self, value: f64) {
        self.update(|_| Value::Gauge(value));
    }
}

impl HistogramFn for Slot {
    fn record(&self, value: f64) {
        self.update(|v| match v {
            Some(Value::Histogram { count, sum }) => Value::Histogram {
                count: count + 1,
                sum: sum + value,
            },
            _ => Value::Histogram {
                count: 1,
                sum: value,
            },
        });
    }
}

impl Memory {
    fn slot(&self, key: &Key) -> Arc<Slot> {
        let labels: Vec<String> = key
            .labels()
            .map(|l| {
                format!(
                    "{}={}",
                    l.key(),
                    l.value().rsplit("::").next().unwrap_or("")
                )
            })
            .collect();
        Arc::new(Slot {
            key: format!("{}{{{}}}", key.name(), labels.join(",")),
            memory: self.clone(),
        })
    }
}

impl Recorder for Memory {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.slot(key))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(self.slot(key))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.slot(key))
    }
}

/// Waits on a gate for message 1; fails on 0; succeeds otherwise.
struct Worker {
    gate: Arc<Semaphore>,
}

impl Actor for Worker {
    type Message = u32;
    type Response = ();

    async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<()> {
        match n {
            0 => Err(ActorError::user("zero")),
            1 => {
                let _permit = self.gate.acquire().await;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let memory = Memory::default();
    metrics::set_global_recorder(memory.clone())?;

    let gate = Arc::new(Semaphore::new(0));
    let busy = Worker { gate: gate.clone() }.spawn().await?;
    let idle = Worker { gate: gate.clone() }.spawn().await?;
    for _ in 0..6 {
        busy.try_notify(1)?; // the first blocks on the gate; five stay queued
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    idle.notify(0).await?; // an error with no caller: goes to handle_failure
    idle.send(2).await?; // handled with an empty mailbox
    print("while `busy` has 5 queued and `idle` none", &memory);

    gate.add_permits(10);
    busy.send(2).await?; // drains the queue
    for worker in [busy, idle] {
        worker.stop(StopReason::Graceful).await?;
        worker.wait_stopped().await;
    }
    print("after both stopped", &memory);
    Ok(())
}

fn print(title: &str, memory: &Memory) {
    println!("{title}:");
    for (key, value) in memory.0.lock().unwrap().iter() {
        match value {
            Value::Counter(n) => println!("  {key:<70} {n}"),
            Value::Gauge(x) => println!("  {key:<70} {x}"),
            Value::Histogram { count, sum } => println!(
                "  {key:<70} {count} samples, mean {:.1} µs",
                sum / *count as f64 * 1e6
            ),
        }
    }
}
