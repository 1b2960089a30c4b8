//! The `metrics` feature: counters, gauges and histograms per actor type.
#![cfg(feature = "metrics")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use tokio_actors::*;

/// Records every metric operation as text: `kind name{label=value,...} value`.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

struct Handle {
    log: Log,
    key: String,
}

impl Log {
    fn push(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    fn has(&self, prefix: &str) -> bool {
        self.lines().iter().any(|l| l.starts_with(prefix))
    }
}

impl CounterFn for Handle {
    fn increment(&self, value: u64) {
        self.log.push(format!("counter {} +{value}", self.key));
    }
    fn absolute(&self, value: u64) {
        self.log.push(format!("counter {} ={value}", self.key));
    }
}

impl GaugeFn for Handle {
    fn increment(&self, value: f64) {
        self.log.push(format!("gauge {} +{value}", self.key));
    }
    fn decrement(&self, value: f64) {
        self.log.push(format!("gauge {} -{value}", self.key));
    }
    fn set(&self, value: f64) {
        self.log.push(format!("gauge {} ={value}", self.key));
    }
}

impl HistogramFn for Handle {
    fn record(&self, value: f64) {
        self.log.push(format!("histogram {} {value}", self.key));
    }
}

fn render(key: &Key) -> String {
    let labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl Recorder for Log {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(Handle {
            log: self.clone(),
            key: render(key),
        }))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(Arc::new(Handle {
            log: self.clone(),
            key: render(key),
        }))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(Arc::new(Handle {
            log: self.clone(),
            key: render(key),
        }))
    }
}

struct Metered;
impl Actor for Metered {
    type Message = i32;
    type Response = i32;
    async fn handle(&mut self, n: i32, _: &mut ActorContext<Self>) -> ActorResult<i32> {
        match n {
            0 => panic!("zero"),
            n if n < 0 => Err(ActorError::user("negative")),
            n => Ok(n),
        }
    }
}

struct Boss;
impl Actor for Boss {
    type Message = ();
    type Response = ();
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Metered).named("metrics-child").await?;
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

const ACTOR: &str = "actor=metrics::Metered";

#[tokio::test]
async fn messages_stops_and_restarts_are_measured() {
    let log = Log::default();
    let _guard = metrics::set_default_local_recorder(&log);

    let actor = Metered.spawn().await.unwrap();
    assert_eq!(actor.send(1).await.unwrap(), 1);
    actor.notify(-1).await.unwrap();
    assert!(actor.send(0).await.is_err()); // panics: the actor stops
    actor.wait_stopped().await;

    let boss = Boss.spawn().supervised().await.unwrap();
    let child = ActorSystem::default()
        .get::<Metered>("metrics-child")
        .unwrap();
    assert!(child.send(-5).await.is_err()); // a send error: the child stops, is restarted
    tokio::time::timeout(Duration::from_secs(5), async {
        while !log.has("counter tokio_actors_restarts_total{actor=metrics::Metered} +1") {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("restart counted");
    boss.stop(StopReason::Graceful).await.unwrap();
    boss.wait_stopped().await;

    let expect = [
        format!("counter tokio_actors_messages_total{{{ACTOR},outcome=ok}} +1"),
        format!("counter tokio_actors_messages_total{{{ACTOR},outcome=error}} +1"),
        format!("counter tokio_actors_messages_total{{{ACTOR},outcome=panic}} +1"),
        format!("histogram tokio_actors_handle_seconds{{{ACTOR}}}"),
        format!("histogram tokio_actors_mailbox_wait_seconds{{{ACTOR}}}"),
        format!("gauge tokio_actors_mailbox_depth{{{ACTOR}}} ="),
        format!("gauge tokio_actors_alive{{{ACTOR}}} =1"),
        format!("gauge tokio_actors_alive{{{ACTOR}}} =0"),
        format!("counter tokio_actors_stops_total{{{ACTOR},reason=failure}} +1"),
        "counter tokio_actors_stops_total{actor=metrics::Boss,reason=graceful} +1".to_string(),
    ];
    for line in expect {
        assert!(log.has(&line), "missing `{line}` in {:#?}", log.lines());
    }
}

/// The values a gauge was set to, in order; panics on `increment`/`decrement` (gauges are only
/// ever set, so a late recorder sees totals, never a bare `-1`).
fn gauge_values(log: &Log, key: &str) -> Vec<f64> {
    let prefix = format!("gauge {key} ");
    log.lines()
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|v| {
            let v = v
                .strip_prefix('=')
                .unwrap_or_else(|| panic!("{key}: not a set: {v}"));
            v.parse().unwrap()
        })
        .collect()
}

/// Blocks on its gate while handling `1`, after reporting that it got there.
struct Deep {
    gate: Arc<tokio::sync::Semaphore>,
    entered: tokio::sync::mpsc::UnboundedSender<()>,
}
impl Actor for Deep {
    type Message = u32;
    type Response = ();
    async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if n == 1 {
            let _ = self.entered.send(());
            let _permit = self.gate.acquire().await;
        }
        Ok(())
    }
}

#[tokio::test]
async fn mailbox_depth_is_the_sum_over_actors_of_one_type() {
    let log = Log::default();
    let _guard = metrics::set_default_local_recorder(&log);
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let (entered, mut entered_rx) = tokio::sync::mpsc::unbounded_channel();
    let deep = |gate: &Arc<tokio::sync::Semaphore>| Deep {
        gate: gate.clone(),
        entered: entered.clone(),
    };
    let busy = deep(&gate).spawn().await.unwrap();
    let idle = deep(&gate).spawn().await.unwrap();

    for _ in 0..6 {
        busy.try_notify(1).unwrap();
    }
    // `busy` takes the first message (5 stay queued) and blocks in it.
    tokio::time::timeout(Duration::from_secs(5), entered_rx.recv())
        .await
        .expect("busy handler entered")
        .unwrap();
    // `idle` takes a message with an empty mailbox: its 0 must not hide the other 5.
    idle.send(0).await.unwrap();
    let key = "tokio_actors_mailbox_depth{actor=metrics::Deep}";
    assert_eq!(
        gauge_values(&log, key).last(),
        Some(&5.0),
        "{:#?}",
        log.lines()
    );

    // Draining `busy` brings the sum back to 0; stopping both leaves it there.
    gate.add_permits(100);
    busy.send(0).await.unwrap();
    assert_eq!(gauge_values(&log, key).last(), Some(&0.0));
    for actor in [busy, idle] {
        actor.stop(StopReason::Graceful).await.unwrap();
        actor.wait_stopped().await;
    }
    assert!(gauge_values(&log, key).iter().all(|v| *v >= 0.0));
}

struct Late;
impl Actor for Late {
    type Message = ();
    type Response = ();
    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_recorder_installed_after_spawn_sees_later_events_and_nothing_goes_negative() {
    let actor = Late.spawn().await.unwrap();
    actor.send(()).await.unwrap(); // no recorder yet: lost, as expected

    let log = Log::default();
    let _guard = metrics::set_default_local_recorder(&log);
    actor.send(()).await.unwrap();
    actor.stop(StopReason::Graceful).await.unwrap();
    actor.wait_stopped().await;

    let late = "actor=metrics::Late";
    for line in [
        format!("counter tokio_actors_messages_total{{{late},outcome=ok}} +1"),
        format!("histogram tokio_actors_handle_seconds{{{late}}}"),
        format!("counter tokio_actors_stops_total{{{late},reason=graceful}} +1"),
    ] {
        assert!(log.has(&line), "missing `{line}` in {:#?}", log.lines());
    }
    let alive = gauge_values(&log, &format!("tokio_actors_alive{{{late}}}"));
    assert_eq!(alive, vec![0.0], "{:#?}", log.lines());
}
