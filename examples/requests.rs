//! Typed requests in an LLM-style orchestrator: one actor, three request types with their own
//! reply types, a reply sent later from a task, a result piped back into the mailbox, and a
//! cancellation ("stop generating") when the asker gives up.
//!
//! - `Generate` is answered from a spawned task that "streams tokens"; the handler returns at
//!   once, so the actor keeps serving other requests meanwhile. The task watches
//!   `ReplyTo::closed()`: when the asker's `ask_timeout` expires, generation stops.
//! - `Usage` and `SetModel` are answered in the handler, each with its own reply type.
//! - The model list is fetched with `ctx.pipe` at start-up: the slow call runs off the actor,
//!   and its result arrives as an ordinary message.
//!
//! Run: `cargo run --release --example requests` (exits by itself after about half a second).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio_actors::{
    Actor, ActorContext, ActorError, ActorExt, ActorResult, AskError, ReplyTo, StopReason,
};

enum Msg {
    /// Generates an answer; replies with the full text.
    Generate {
        prompt: String,
        reply: ReplyTo<String>,
    },
    /// Tokens generated so far, by every request.
    Usage(ReplyTo<u64>),
    /// Switches the model; replies `Err` with a reason for an unknown one.
    SetModel(String, ReplyTo<Result<(), String>>),
    /// The model list, piped in from the start-up fetch.
    Models(Vec<String>),
}

struct Orchestrator {
    model: String,
    models: Vec<String>,
    tokens: Arc<AtomicU64>,
}

/// Stands in for a slow HTTP call to the model provider.
async fn fetch_models() -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    vec!["small".to_string(), "large".to_string()]
}

/// Stands in for a streaming completion: one token every 30 ms, `limit` tokens.
async fn generate(prompt: String, model: String, limit: usize, tokens: Arc<AtomicU64>) -> String {
    let mut text = format!("[{model}] re: {prompt}:");
    for i in 0..limit {
        tokio::time::sleep(Duration::from_millis(30)).await;
        tokens.fetch_add(1, Ordering::Relaxed);
        text.push_str(&format!(" tok{i}"));
    }
    text
}

impl Actor for Orchestrator {
    type Message = Msg;
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        // The slow call runs as a task owned by this actor; its result comes back as a message.
        ctx.pipe(fetch_models(), Msg::Models);
        Ok(())
    }

    async fn handle(&mut self, msg: Msg, _ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            Msg::Generate { prompt, mut reply } => {
                let limit = if prompt.contains("essay") { 100 } else { 3 };
                let work = generate(
                    prompt.clone(),
                    self.model.clone(),
                    limit,
                    self.tokens.clone(),
                );
                // Answered later, from a task: the handler returns at once.
                tokio::spawn(async move {
                    tokio::select! {
                        text = work => {
                            let _ = reply.send(text);
                        }
                        () = reply.closed() => {
                            // The asker gave up: dropping `work` stops the generation.
                            println!("  (generation of {prompt:?} cancelled: nobody is waiting)");
                        }
                    }
                });
            }
            Msg::Usage(reply) => {
                let _ = reply.send(self.tokens.load(Ordering::Relaxed));
            }
            Msg::SetModel(model, reply) => {
                let result = if self.models.contains(&model) {
                    self.model = model;
                    Ok(())
                } else {
                    Err(format!("unknown model {model:?}; known: {:?}", self.models))
                };
                let _ = reply.send(result);
            }
            Msg::Models(models) => {
                println!("  (model list arrived through the mailbox: {models:?})");
                self.models = models;
            }
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tokens = Arc::new(AtomicU64::new(0));
    let llm = Orchestrator {
        model: "small".into(),
        models: Vec::new(),
        tokens: tokens.clone(),
    }
    .spawn()
    .await?;

    println!("1. a short answer, generated in a task while the actor stays free:");
    let pending = {
        let llm = llm.clone();
        tokio::spawn(async move {
            llm.ask(|reply| Msg::Generate {
                prompt: "hello".into(),
                reply,
            })
            .await
        })
    };
    // Served while the generation runs: each request has its own reply type.
    println!(
        "   usage while generating: {} tokens",
        llm.ask(Msg::Usage).await?
    );
    println!("   answer: {}", pending.await??);

    println!("2. switching models (a reply of type Result<(), String>):");
    match llm.ask(|reply| Msg::SetModel("huge".into(), reply)).await? {
        Ok(()) => println!("   switched"),
        Err(why) => println!("   refused: {why}"),
    }
    llm.ask(|reply| Msg::SetModel("large".into(), reply))
        .await?
        .map_err(ActorError::user)?;
    println!("   switched to \"large\"");

    println!("3. a long essay, but the user presses \"stop\" after 100 ms:");
    let before = tokens.load(Ordering::Relaxed);
    let essay = llm
        .ask_timeout(
            |reply| Msg::Generate {
                prompt: "an essay".into(),
                reply,
            },
            Duration::from_millis(100),
        )
        .await;
    assert!(matches!(essay, Err(AskError::Timeout { enqueued: true })));
    println!("   the asker got: {}", essay.unwrap_err());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let spent = tokens.load(Ordering::Relaxed) - before;
    println!("   tokens spent on the essay: {spent} (of 100: generation stopped)");
    assert!(spent < 100);

    llm.stop(StopReason::Graceful).await?;
    llm.wait_stopped().await;
    Ok(())
}
