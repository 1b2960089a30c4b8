//! Attaching streams: an actor counts the items of two streams and prints each stream's total
//! when its `StreamEvent::Finished` arrives; after the last one it stops itself.
//!
//! One stream is a plain iterator of words, the other a timed stream (an interval ticking every
//! 20 ms, five ticks). Both feed the same mailbox; each item arrives as
//! `StreamEvent::Data(item)` converted into the actor's message type with `From`, and every
//! stream ends with exactly one `Finished`. A handler error for a stream item goes to
//! `handle_failure` and the stream keeps flowing.
//!
//! Run: `cargo run --release --example stream_counter`

use std::time::Duration;

use tokio_actors::{
    Actor, ActorContext, ActorError, ActorExt, ActorResult, StopReason, StreamEvent,
};
use tokio_stream::wrappers::IntervalStream;
use tokio_stream::StreamExt;

enum Msg {
    Word(StreamEvent<&'static str>),
    Tick(StreamEvent<tokio::time::Instant>),
}

impl From<StreamEvent<&'static str>> for Msg {
    fn from(event: StreamEvent<&'static str>) -> Self {
        Msg::Word(event)
    }
}

impl From<StreamEvent<tokio::time::Instant>> for Msg {
    fn from(event: StreamEvent<tokio::time::Instant>) -> Self {
        Msg::Tick(event)
    }
}

#[derive(Default)]
struct StreamCounter {
    words: usize,
    letters: usize,
    ticks: usize,
    rejected: usize,
}

impl Actor for StreamCounter {
    type Message = Msg;
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let words = "the quick brown fox jumps over the lazy dog !"
            .split(' ')
            .collect::<Vec<_>>();
        ctx.add_stream(tokio_stream::iter(words));
        let ticks = IntervalStream::new(tokio::time::interval(Duration::from_millis(20))).take(5);
        ctx.add_stream(ticks);
        println!("attached {} streams", ctx.active_stream_count());
        Ok(())
    }

    async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            Msg::Word(StreamEvent::Data(word)) => {
                if !word.chars().all(char::is_alphabetic) {
                    return Err(ActorError::user(format!("not a word: {word:?}")));
                }
                self.words += 1;
                self.letters += word.len();
            }
            Msg::Word(StreamEvent::Finished) => {
                println!(
                    "words stream finished: {} words, {} letters ({} item rejected)",
                    self.words, self.letters, self.rejected
                );
            }
            Msg::Tick(StreamEvent::Data(_)) => self.ticks += 1,
            Msg::Tick(StreamEvent::Finished) => {
                println!("ticks stream finished: {} ticks", self.ticks);
            }
        }
        // The finished stream is no longer counted inside its `Finished` handler.
        if ctx.active_stream_count() == 0 {
            println!("all streams finished; stopping");
            ctx.self_handle()
                .stop(StopReason::Graceful)
                .await
                .map_err(|e| ActorError::user(e.to_string()))?;
        }
        Ok(())
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.rejected += 1;
        println!("handle_failure: {error}");
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let counter = StreamCounter::default().spawn().await?;
    let reason = tokio::time::timeout(Duration::from_secs(5), counter.wait_stopped()).await?;
    println!("counter stopped: {reason}");
    Ok(())
}
