//! A fixed workload for counting instructions per message with callgrind, which is
//! deterministic even on a busy machine (wall-clock benchmarks are not):
//!
//! ```text
//! cargo bench --bench instructions --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/instructions-<hash> tell 100000
//! ```
//!
//! Modes: `tell` (N `notify`, then one `send`), `ask` (N `send` round trips), `spawn-stop` (N
//! actors spawned, stopped and waited for, one after the other), `ping-pong` (2N hops between
//! two actors), and `raw-tell`, `raw-ask` (the first two over a bounded `tokio::sync::mpsc` +
//! one task). Instructions per message
//! = (total at 2N - total at N) / N, which cancels start-up costs.

use tokio::sync::{mpsc, oneshot};
use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult};

struct Sum(u64);

impl Actor for Sum {
    type Message = u64;
    type Response = u64;
    async fn handle(&mut self, n: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        self.0 += n;
        Ok(self.0)
    }
}

async fn ours_tell(n: u64) -> u64 {
    let actor = Sum(0).spawn().await.expect("spawn");
    for i in 0..n {
        actor.notify(i).await.expect("notify");
    }
    actor.send(0).await.expect("send")
}

async fn ours_ask(n: u64) -> u64 {
    let actor = Sum(0).spawn().await.expect("spawn");
    let mut last = 0;
    for i in 0..n {
        last = actor.send(i).await.expect("send");
    }
    last
}

/// Spawns one actor, stops it gracefully and waits for its end, `n` times.
async fn ours_spawn_stop(n: u64) -> u64 {
    for _ in 0..n {
        let actor = Sum(0).spawn().await.expect("spawn");
        actor
            .stop(tokio_actors::StopReason::Graceful)
            .await
            .expect("stop");
        actor.wait_stopped().await;
    }
    n
}

/// Two actors bouncing a counter `n` times.
struct Bouncer {
    peer: Option<tokio_actors::ActorHandle<Bouncer>>,
    done: Option<oneshot::Sender<u64>>,
}

enum Bounce {
    Peer(tokio_actors::ActorHandle<Bouncer>),
    Hop(u64),
}

impl Actor for Bouncer {
    type Message = Bounce;
    type Response = ();
    async fn handle(&mut self, msg: Bounce, _: &mut ActorContext<Self>) -> ActorResult<()> {
        match msg {
            Bounce::Peer(peer) => self.peer = Some(peer),
            Bounce::Hop(0) => {
                if let Some(done) = self.done.take() {
                    let _ = done.send(0);
                }
            }
            Bounce::Hop(left) => {
                if let Some(peer) = &self.peer {
                    let _ = peer.notify(Bounce::Hop(left - 1)).await;
                }
            }
        }
        Ok(())
    }
}

async fn ours_ping_pong(n: u64) -> u64 {
    let (done, finished) = oneshot::channel();
    let a = Bouncer {
        peer: None,
        done: Some(done),
    }
    .spawn()
    .await
    .expect("spawn");
    let (other, _) = oneshot::channel();
    let b = Bouncer {
        peer: None,
        done: Some(other),
    }
    .spawn()
    .await
    .expect("spawn");
    a.send(Bounce::Peer(b.clone())).await.expect("peer");
    b.send(Bounce::Peer(a.clone())).await.expect("peer");
    // Even hop counts end at `a`.
    a.notify(Bounce::Hop(n * 2)).await.expect("start");
    finished.await.expect("finished")
}

enum Raw {
    Add(u64),
    Ask(u64, oneshot::Sender<u64>),
}

fn raw_actor() -> mpsc::Sender<Raw> {
    let (tx, mut rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let mut sum = 0;
        while let Some(msg) = rx.recv().await {
            match msg {
                Raw::Add(n) => sum += n,
                Raw::Ask(n, reply) => {
                    sum += n;
                    let _ = reply.send(sum);
                }
            }
        }
    });
    tx
}

async fn raw_ask_one(tx: &mpsc::Sender<Raw>, n: u64) -> u64 {
    let (reply, answer) = oneshot::channel();
    assert!(tx.send(Raw::Ask(n, reply)).await.is_ok(), "open");
    answer.await.expect("answered")
}

async fn raw_tell(n: u64) -> u64 {
    let tx = raw_actor();
    for i in 0..n {
        assert!(tx.send(Raw::Add(i)).await.is_ok(), "open");
    }
    raw_ask_one(&tx, 0).await
}

async fn raw_ask(n: u64) -> u64 {
    let tx = raw_actor();
    let mut last = 0;
    for i in 0..n {
        last = raw_ask_one(&tx, i).await;
    }
    last
}

fn main() {
    // `cargo bench` passes `--bench`; positional arguments are the mode and the count.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mode = args.first().map(String::as_str).unwrap_or("tell");
    if ![
        "tell",
        "ask",
        "raw-tell",
        "raw-ask",
        "spawn-stop",
        "ping-pong",
    ]
    .contains(&mode)
    {
        // `cargo bench -- <scenario>` passes the other harness's scenario names here too.
        println!("instructions: nothing to do for `{mode}` (modes: tell, ask, spawn-stop, ping-pong, raw-tell, raw-ask)");
        return;
    }
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(async {
        match mode {
            "tell" => ours_tell(n).await,
            "ask" => ours_ask(n).await,
            "raw-tell" => raw_tell(n).await,
            "raw-ask" => raw_ask(n).await,
            "spawn-stop" => ours_spawn_stop(n).await,
            "ping-pong" => ours_ping_pong(n).await,
            _ => unreachable!("checked above"),
        }
    });
    println!("{mode} {n}: {result}");
}
