//! Drift policies side by side: one actor, three 100 ms recurring timers (`Skip`, `CatchUp`,
//! `Delay`), made to fall behind once.
//!
//! At 120 ms a one-shot timer makes the handler do 350 ms of blocking, CPU-bound work. The
//! example runs on a current-thread runtime, so the timer tasks cannot run either: the ticks due
//! at 200, 300 and 400 ms are all late, and each timer wakes at about 470 ms. Then:
//!
//! - `Skip` delivers one tick at ~470 and continues on the original grid (500, 600, …);
//! - `CatchUp` delivers the late tick plus one per missed tick (300, 400) at ~470, then 500, …;
//! - `Delay` delivers one tick at ~470 and re-anchors its grid there (570, 670, …).
//!
//! Offsets are real wall-clock milliseconds since the timers were registered, so expect a few
//! milliseconds of jitter. The program stops the actor and exits by itself after about 0.8 s.
//!
//! Run: `cargo run --release --example timers`

use std::time::Duration;

use tokio::time::Instant;
use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, MissPolicy, StopReason};

const POLICIES: [MissPolicy; 3] = [MissPolicy::Skip, MissPolicy::CatchUp, MissPolicy::Delay];

#[derive(Clone)]
enum Msg {
    /// A tick of the timer with this policy.
    Tick(MissPolicy),
    /// Blocks the thread for a while (simulated CPU-bound work).
    Stall,
    /// Returns the recorded ticks.
    Report,
}

/// For each policy, the offsets (ms since registration) at which its ticks were handled.
type Ticks = Vec<(MissPolicy, Vec<u128>)>;

struct Clockwork {
    start: Instant,
    ticks: Ticks,
}

impl Actor for Clockwork {
    type Message = Msg;
    type Response = Ticks;

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        self.start = Instant::now();
        for policy in POLICIES {
            ctx.schedule(Msg::Tick(policy))
                .every(Duration::from_millis(100))
                .on_miss(policy)
                .await?;
        }
        ctx.schedule(Msg::Stall)
            .after(Duration::from_millis(120))
            .await?;
        Ok(())
    }

    async fn handle(&mut self, msg: Msg, _ctx: &mut ActorContext<Self>) -> ActorResult<Ticks> {
        match msg {
            Msg::Tick(policy) => {
                let at = self.start.elapsed().as_millis();
                if let Some((_, list)) = self.ticks.iter_mut().find(|(p, _)| *p == policy) {
                    list.push(at);
                }
                Ok(Vec::new())
            }
            Msg::Stall => {
                println!(
                    "{:>4} ms  handler starts 350 ms of blocking work",
                    self.start.elapsed().as_millis()
                );
                // Deliberately blocking: stands for CPU-bound work that never yields.
                std::thread::sleep(Duration::from_millis(350));
                println!(
                    "{:>4} ms  handler done; the timers are behind",
                    self.start.elapsed().as_millis()
                );
                Ok(Vec::new())
            }
            Msg::Report => Ok(self.ticks.clone()),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let actor = Clockwork {
        start: Instant::now(),
        ticks: POLICIES.iter().map(|p| (*p, Vec::new())).collect(),
    }
    .spawn()
    .await?;

    tokio::time::sleep(Duration::from_millis(750)).await;
    let ticks = actor.send(Msg::Report).await?;
    actor.stop(StopReason::Graceful).await?;
    actor.wait_stopped().await;

    println!();
    println!("ticks handled (ms since the timers were registered, interval 100 ms):");
    for (policy, list) in ticks {
        let shown: Vec<String> = list.iter().map(|t| t.to_string()).collect();
        println!(
            "  {:<8} {:>2} ticks: {}",
            format!("{policy:?}"),
            list.len(),
            shown.join(", ")
        );
    }
    println!();
    println!("expected: Skip ~ 100, 470, 500, 600, 700");
    println!("          CatchUp ~ 100, 470, 470, 470, 500, 600, 700");
    println!(
        "          Delay ~ 100, 470, 570, 670 (re-anchored at each delivery, so lateness adds up)"
    );
    Ok(())
}
