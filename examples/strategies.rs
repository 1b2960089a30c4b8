//! OneForAll and RestForOne side by side: three children `a`, `b`, `c` (started in that order)
//! under one supervisor; `b` fails, and the output shows which children were stopped and
//! started again.
//!
//! - OneForAll restarts every child: `c` and `a` are stopped (reverse start order), then `a`,
//!   `b`, `c` start again (start order). For children that only work together.
//! - RestForOne restarts the failed child and the ones started after it: `c` is stopped, then
//!   `b` and `c` start again; `a` keeps running. For children that depend on earlier ones.
//!
//! Run with `cargo run --release --example strategies`.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_actors::*;

type Lines = mpsc::UnboundedSender<String>;

/// A child that reports its start and stop, and fails when asked.
struct Child {
    name: &'static str,
    lines: Lines,
}

impl Actor for Child {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        let _ = self.lines.send(format!("started {}", self.name));
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Err(ActorError::user("asked to fail"))
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        let _ = self.lines.send(format!("stopped {} ({reason})", self.name));
        Ok(())
    }
}

/// Starts `a`, `b`, `c`; reports each supervision decision.
struct Supervisor {
    lines: Lines,
}

impl Actor for Supervisor {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        for name in ["a", "b", "c"] {
            let lines = self.lines.clone();
            ctx.spawn_child(move || Child {
                name,
                lines: lines.clone(),
            })
            .named(name)
            .await?;
        }
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        let _ = self.lines.send(format!(
            "supervisor: {} failed -> {:?}",
            event.child_id, event.action
        ));
        Ok(())
    }
}

/// Prints lines until `starts` children have started again.
async fn print_until_started(lines: &mut mpsc::UnboundedReceiver<String>, mut starts: usize) {
    while starts > 0 {
        let line = tokio::time::timeout(Duration::from_secs(5), lines.recv())
            .await
            .expect("the restart finishes")
            .expect("the supervisor is running");
        if line.starts_with("started") {
            starts -= 1;
        }
        println!("  {line}");
    }
}

async fn run(
    config: SupervisionConfig,
    restarted: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("{:?}:", config.strategy);
    let system = ActorSystem::create(format!("strategies-{:?}", config.strategy))?;
    let (tx, mut lines) = mpsc::unbounded_channel();
    Supervisor { lines: tx }
        .spawn()
        .with_supervision(config)
        .on_system(&system)
        .await?;
    print_until_started(&mut lines, 3).await;
    println!("  -- b fails --");
    let b = system.get::<Child>("b").ok_or("b is registered")?;
    let _ = b.send(()).await; // an `Err` from a `send` handler: `b` stops with Failure
    print_until_started(&mut lines, restarted).await;
    system.shutdown().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(SupervisionConfig::one_for_all(), 3).await?;
    run(SupervisionConfig::rest_for_one(), 2).await?;
    Ok(())
}
