//! The `tracing` feature: actor and message spans, lifecycle events.
#![cfg(feature = "tracing")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_actors::*;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Instrument, Metadata, Subscriber};

/// Records the names of created spans, follows-from links and the messages of events, and
/// tracks the entered span (so `Span::current()` works, as with a real subscriber).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>, Arc<Mutex<Spans>>);

/// Known spans and the stack of entered ones.
#[derive(Default)]
struct Spans {
    known: Vec<(Id, &'static Metadata<'static>)>,
    entered: Vec<(Id, &'static Metadata<'static>)>,
    /// Each span's label (`actor(<name>)` for a named actor span, else its span name) and parent.
    tree: HashMap<u64, (String, Option<u64>)>,
}

impl Recorder {
    fn seen(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// For every span labelled `label`, the labels of its ancestors, nearest first.
    fn ancestors_of(&self, label: &str) -> Vec<Vec<String>> {
        let spans = self.1.lock().unwrap();
        let mut chains = Vec::new();
        for (own, parent) in spans.tree.values() {
            if own != label {
                continue;
            }
            let mut chain = Vec::new();
            let mut next = *parent;
            while let Some(id) = next {
                let (up, grand) = &spans.tree[&id];
                chain.push(up.clone());
                next = *grand;
            }
            chains.push(chain);
        }
        chains
    }
}

/// The `name` field of a span, if recorded.
struct NameField(Option<String>);
impl tracing::field::Visit for NameField {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "name" {
            self.0 = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "name" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

struct MessageText(String);
impl tracing::field::Visit for MessageText {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut seen = self.0.lock().unwrap();
        seen.push(format!("span:{}", attrs.metadata().name()));
        let id = Id::from_u64(seen.len() as u64);
        let mut name = NameField(None);
        attrs.record(&mut name);
        let label = match name.0 {
            Some(name) => format!("{}({name})", attrs.metadata().name()),
            None => attrs.metadata().name().to_string(),
        };
        let mut spans = self.1.lock().unwrap();
        let parent = if attrs.is_contextual() {
            spans.entered.last().map(|(id, _)| id.into_u64())
        } else {
            attrs.parent().map(Id::into_u64)
        };
        spans.tree.insert(id.into_u64(), (label, parent));
        spans.known.push((id.clone(), attrs.metadata()));
        id
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, span: &Id, follows: &Id) {
        let mut seen = self.0.lock().unwrap();
        let name = |id: &Id| {
            seen.get(id.into_u64() as usize - 1)
                .cloned()
                .unwrap_or_default()
        };
        let line = format!("follows:{}<-{}", name(span), name(follows));
        seen.push(line);
    }
    fn event(&self, event: &Event<'_>) {
        let mut text = MessageText(String::new());
        event.record(&mut text);
        self.0
            .lock()
            .unwrap()
            .push(format!("event:{}:{}", event.metadata().level(), text.0));
    }
    fn enter(&self, id: &Id) {
        let mut spans = self.1.lock().unwrap();
        if let Some(entry) = spans.known.iter().find(|(known, _)| known == id).cloned() {
            spans.entered.push(entry);
        }
    }
    fn exit(&self, id: &Id) {
        let mut spans = self.1.lock().unwrap();
        if let Some(pos) = spans.entered.iter().rposition(|(known, _)| known == id) {
            spans.entered.remove(pos);
        }
    }
    fn current_span(&self) -> tracing_core::span::Current {
        match self.1.lock().unwrap().entered.last() {
            Some((id, meta)) => tracing_core::span::Current::new(id.clone(), meta),
            None => tracing_core::span::Current::none(),
        }
    }
}

struct Echo;
impl Actor for Echo {
    type Message = u32;
    type Response = u32;
    async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> {
        if n == 0 {
            panic!("zero");
        }
        Ok(n)
    }
}

#[tokio::test]
async fn actors_run_in_spans_and_log_their_lifecycle() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let echo = Echo.spawn().await.unwrap();
    let caller = tracing::info_span!("caller");
    assert_eq!(echo.send(7).instrument(caller).await.unwrap(), 7);
    assert!(echo.send(0).await.is_err());
    echo.wait_stopped().await;
    let seen = recorder.seen();
    assert!(seen.iter().any(|s| s == "span:actor"), "{seen:?}");
    assert!(seen.iter().any(|s| s == "span:message"), "{seen:?}");
    // The handler's span follows from the sender's span: a trace crosses actors.
    assert!(
        seen.iter()
            .any(|s| s == "follows:span:message<-span:caller"),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|s| s == "event:DEBUG:actor started"),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|s| s == "event:ERROR:actor panicked"),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|s| s == "event:WARN:actor stopped"),
        "{seen:?}"
    );
}

/// Spawns its child `Echo` named "child" in `on_started`.
struct Boss;
impl Actor for Boss {
    type Message = ();
    type Response = ActorHandle<Echo>;
    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Echo).named("telemetry-child").await?;
        Ok(())
    }
    async fn handle(
        &mut self,
        _: (),
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<ActorHandle<Echo>> {
        Ok(ctx
            .child::<Echo>(&ActorId::from("telemetry-child"))
            .expect("child"))
    }
}

/// Every incarnation's `actor` span nests under its supervisor's `actor` span: the first one,
/// started from `on_started`, and the restarted ones, started by a background restart job.
#[tokio::test(start_paused = true)]
async fn restarted_incarnations_nest_under_their_supervisor() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let boss = tokio::time::timeout(
        Duration::from_secs(5),
        Boss.spawn().named("telemetry-boss").supervised(),
    )
    .await
    .expect("in time")
    .unwrap();
    let child = boss.send(()).await.unwrap();
    for restarts in 1..=2u64 {
        assert!(child.send(0).await.is_err()); // panics: restarted
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                let info = child.get_status().await.unwrap();
                if info.status == ActorStatus::Running && info.restarts == restarts {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
        .expect("restarted in time");
    }
    assert_eq!(child.send(5).await.unwrap(), 5);
    let chains = recorder.ancestors_of("actor(telemetry-child)");
    assert_eq!(chains.len(), 3, "three incarnations: {chains:?}");
    for chain in &chains {
        assert!(
            chain.iter().any(|up| up == "actor(telemetry-boss)"),
            "an incarnation's span is outside its supervisor's: {chains:?}"
        );
    }
    boss.stop(StopReason::Graceful).await.unwrap();
    boss.wait_stopped().await;
}
