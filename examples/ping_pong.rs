//! Two actors bouncing a ball with `notify`, each holding the other's handle.
//!
//! Shows actors messaging each other fire-and-forget, an actor stopping itself from `handle`,
//! and waiting for both to finish with `wait_stopped`.
//!
//! Run: `cargo run --release --example ping_pong`

use std::time::Instant;

use tokio_actors::{Actor, ActorContext, ActorExt, ActorHandle, ActorResult, StopReason};

enum Msg {
    /// Introduces the peer.
    Peer(ActorHandle<Player>),
    /// The ball, with the number of hops so far.
    Ball(u64),
}

struct Player {
    name: &'static str,
    peer: Option<ActorHandle<Player>>,
    last_hop: u64,
}

impl Actor for Player {
    type Message = Msg;
    type Response = ();

    async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            Msg::Peer(peer) => self.peer = Some(peer),
            Msg::Ball(hops) => {
                self.last_hop = hops;
                let Some(peer) = &self.peer else {
                    return Err(tokio_actors::ActorError::user("no peer yet"));
                };
                if hops >= HOPS {
                    let _ = peer.stop(StopReason::Graceful).await;
                    ctx.self_handle().stop(StopReason::Graceful).await.ok();
                } else if peer.notify(Msg::Ball(hops + 1)).await.is_err() {
                    ctx.self_handle().stop(StopReason::Graceful).await.ok();
                }
            }
        }
        Ok(())
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        println!(
            "{} stopped ({reason}) after hop {}",
            self.name, self.last_hop
        );
        Ok(())
    }
}

const HOPS: u64 = 100_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ping = Player {
        name: "ping",
        peer: None,
        last_hop: 0,
    }
    .spawn()
    .await?;
    let pong = Player {
        name: "pong",
        peer: None,
        last_hop: 0,
    }
    .spawn()
    .await?;
    ping.notify(Msg::Peer(pong.clone())).await?;
    pong.notify(Msg::Peer(ping.clone())).await?;

    let start = Instant::now();
    ping.notify(Msg::Ball(0)).await?;
    ping.wait_stopped().await;
    pong.wait_stopped().await;
    let elapsed = start.elapsed();
    println!(
        "{HOPS} hops in {elapsed:?} ({:.0} ns per hop)",
        elapsed.as_nanos() as f64 / HOPS as f64
    );
    Ok(())
}
