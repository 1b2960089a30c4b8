//! The `tracing` feature (SPEC §9.4): actor and message spans, lifecycle events.
#![cfg(feature = "tracing")]

use std::sync::{Arc, Mutex};

use tokio_actors::*;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records the names of created spans and the messages of events.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn seen(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
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
        Id::from_u64(seen.len() as u64)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = MessageText(String::new());
        event.record(&mut text);
        self.0
            .lock()
            .unwrap()
            .push(format!("event:{}:{}", event.metadata().level(), text.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
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
    assert_eq!(echo.send(7).await.unwrap(), 7);
    assert!(echo.send(0).await.is_err());
    echo.wait_stopped().await;
    let seen = recorder.seen();
    assert!(seen.iter().any(|s| s == "span:actor"), "{seen:?}");
    assert!(seen.iter().any(|s| s == "span:message"), "{seen:?}");
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
