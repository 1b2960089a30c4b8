//! The `tracing` feature: what an actor emits, printed by a tiny hand-written subscriber (a
//! real application would use `tracing-subscriber`, e.g. `fmt()` with an env filter).
//!
//! Every actor task runs in an `actor` span (`id`, `name`, `actor` = type name) and every
//! handler call in a `message` span that *follows from* the span the message was sent in, so a
//! trace crosses actors. Both spans are DEBUG level: a subscriber filtered at INFO shows only
//! the warnings and errors (abnormal stops, panics, restarts), so enable DEBUG for
//! `tokio_actors` to see them. This subscriber prints everything, with each span's level.
//!
//! Run with `cargo run --example tracing_spans --features tracing`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use tokio_actors::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Instrument, Metadata, Subscriber};

/// Prints spans as they are created and events as they happen; tracks the entered span so that
/// `Span::current()` works (the crate records the sender's span with it).
#[derive(Default)]
struct Printer {
    next: AtomicU64,
    spans: Mutex<Vec<(u64, String, &'static Metadata<'static>)>>,
    entered: Mutex<Vec<Id>>,
}

/// Renders a span's or event's fields as `key=value`.
#[derive(Default)]
struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl Printer {
    fn name_of(&self, id: &Id) -> String {
        let spans = self.spans.lock().unwrap();
        spans
            .iter()
            .find(|(n, ..)| *n == id.into_u64())
            .map_or_else(|| "?".to_string(), |(_, label, _)| label.clone())
    }
}

impl Subscriber for Printer {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields::default();
        span.record(&mut fields);
        let label = format!("{}#{id}", span.metadata().name());
        println!(
            "span  {:<5} {label}{}",
            span.metadata().level().to_string(),
            fields.0
        );
        self.spans
            .lock()
            .unwrap()
            .push((id, label, span.metadata()));
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        println!(
            "link        {} follows from {}",
            self.name_of(span),
            self.name_of(follows)
        );
    }

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let inside = self.current_span().id().map(|id| self.name_of(id));
        println!(
            "event {:<5}{} in {}",
            event.metadata().level().to_string(),
            fields.0,
            inside.unwrap_or_else(|| "-".to_string())
        );
    }

    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.clone());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(at) = entered.iter().rposition(|s| s == span) {
            entered.remove(at);
        }
    }

    fn current_span(&self) -> tracing_core::span::Current {
        let Some(id) = self.entered.lock().unwrap().last().cloned() else {
            return tracing_core::span::Current::none();
        };
        let spans = self.spans.lock().unwrap();
        match spans.iter().find(|(n, ..)| *n == id.into_u64()) {
            Some((_, _, meta)) => tracing_core::span::Current::new(id, meta),
            None => tracing_core::span::Current::none(),
        }
    }
}

struct Greeter;

impl Actor for Greeter {
    type Message = String;
    type Response = String;

    async fn handle(&mut self, name: String, _: &mut ActorContext<Self>) -> ActorResult<String> {
        tracing::info!(%name, "greeting");
        Ok(format!("hello, {name}"))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing::subscriber::set_global_default(Printer::default())?;
    let greeter = Greeter.spawn().named("greeter").await?;
    let request = tracing::info_span!("request", user = "ada");
    let answer = greeter.send("ada".to_string()).instrument(request).await?;
    println!("answer: {answer}");
    greeter.stop(StopReason::Graceful).await?;
    greeter.wait_stopped().await;
    Ok(())
}
