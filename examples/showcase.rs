//! A tour of tokio-actors in one run, each step printed as it happens:
//!
//! 1. typed actors with `notify` / `send`, and backpressure from a bounded mailbox;
//! 2. the priority system channel: `get_status` and `stop` answered while the mailbox is full;
//! 3. a recurring timer and an attached stream feeding the mailbox;
//! 4. a supervisor restarting a crashing worker (OneForOne), then giving up when its restart
//!    budget is exhausted;
//! 5. an `ActorSystem` with typed lookup and a coordinated shutdown of the actors still running
//!    (one stops gracefully, one refuses and is killed).
//!
//! Run: `cargo run --release --example showcase`

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Notify, Semaphore};
use tokio_actors::{
    Actor, ActorConfig, ActorContext, ActorError, ActorExt, ActorHandle, ActorResult, ActorSystem,
    ChildEvent, MissPolicy, ShutdownPolicy, StopReason, StreamEvent, SupervisionAction,
    SupervisionConfig, TrySendError,
};

// ---------------------------------------------------------------- 1 + 2: a slow worker

/// Waits for a permit before handling each job, so the mailbox fills up.
struct Slow {
    gate: Arc<Semaphore>,
    done: u32,
}

impl Actor for Slow {
    type Message = u32;
    type Response = u32;

    async fn handle(&mut self, _job: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> {
        self.gate
            .acquire()
            .await
            .map_err(|_| ActorError::user("gate closed"))?
            .forget();
        self.done += 1;
        Ok(self.done)
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        println!(
            "  slow worker stopped ({reason}) after {} jobs; queued jobs were discarded",
            self.done
        );
        Ok(())
    }
}

async fn backpressure_and_priority() -> Result<(), Box<dyn std::error::Error>> {
    println!("1+2. bounded mailbox and the priority system channel");
    let gate = Arc::new(Semaphore::new(0));
    let slow = Slow {
        gate: gate.clone(),
        done: 0,
    }
    .spawn()
    .with_config(ActorConfig::default().with_mailbox_capacity(4))
    .await?;
    slow.notify(0).await?; // taken at once; the handler now waits on the gate
    tokio::task::yield_now().await;
    let mut queued = 0;
    while slow.try_notify(queued).is_ok() {
        queued += 1;
    }
    assert!(matches!(slow.try_notify(99), Err(TrySendError::Full)));
    println!(
        "  mailbox full: {} of {} queued, try_notify -> Full",
        slow.mailbox_len(),
        slow.mailbox_capacity()
    );
    let status = tokio::spawn({
        let slow = slow.clone();
        async move { slow.get_status().await }
    });
    tokio::time::sleep(Duration::from_millis(20)).await; // let the request reach the system channel
    gate.add_permits(1); // finish the job in progress; the status request goes next
    let status = status.await??;
    println!(
        "  get_status answered ahead of {} queued jobs: {:?}",
        status.mailbox_len, status.status
    );
    slow.stop(StopReason::Graceful).await?;
    gate.add_permits(1); // the job in progress finishes; then the stop overtakes the queue
    println!(
        "  stop accepted with a full mailbox -> {}",
        slow.wait_stopped().await
    );
    Ok(())
}

// ---------------------------------------------------------------- 3: timers and streams

#[derive(Clone, Debug)]
enum Feed {
    Tick,
    Item(StreamEvent<u32>),
    /// Asks for the counts; not a tick.
    Report,
}

impl From<StreamEvent<u32>> for Feed {
    fn from(event: StreamEvent<u32>) -> Self {
        Feed::Item(event)
    }
}

struct Collector {
    ticks: u32,
    items: Vec<u32>,
    finished: Arc<Notify>,
}

impl Actor for Collector {
    type Message = Feed;
    type Response = (u32, usize);

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.schedule(Feed::Tick)
            .every(Duration::from_millis(20))
            .on_miss(MissPolicy::Skip)
            .await?;
        ctx.add_stream(tokio_stream_like(5));
        Ok(())
    }

    async fn handle(
        &mut self,
        msg: Feed,
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<(u32, usize)> {
        match msg {
            Feed::Tick => self.ticks += 1,
            Feed::Report => {}
            Feed::Item(StreamEvent::Data(v)) => self.items.push(v),
            Feed::Item(StreamEvent::Finished) => {
                println!(
                    "  stream finished after {:?}; {} stream(s) still active",
                    self.items,
                    ctx.active_stream_count()
                );
                self.finished.notify_one();
            }
        }
        Ok((self.ticks, self.items.len()))
    }
}

/// A tiny finite stream without extra dependencies: the receiving end of a channel.
fn tokio_stream_like(n: u32) -> ChannelStream {
    let (tx, rx) = tokio::sync::mpsc::channel(n as usize);
    for v in 0..n {
        let _ = tx.try_send(v * 10);
    }
    ChannelStream(rx)
}

struct ChannelStream(tokio::sync::mpsc::Receiver<u32>);

impl futures_core::Stream for ChannelStream {
    type Item = u32;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u32>> {
        self.0.poll_recv(cx)
    }
}

async fn timers_and_streams() -> Result<(), Box<dyn std::error::Error>> {
    println!("3. a recurring timer and a stream feeding one mailbox");
    let finished = Arc::new(Notify::new());
    let collector = Collector {
        ticks: 0,
        items: Vec::new(),
        finished: finished.clone(),
    }
    .spawn()
    .await?;
    finished.notified().await;
    tokio::time::sleep(Duration::from_millis(110)).await;
    let (ticks, items) = collector.send(Feed::Report).await?;
    let status = collector.get_status().await?;
    println!(
        "  after ~110 ms: {ticks} timer ticks (one per 20 ms), {items} stream items; {} timer(s) active",
        status.timer_count
    );
    collector.stop(StopReason::Graceful).await?;
    collector.wait_stopped().await;
    Ok(())
}

// ---------------------------------------------------------------- 4 + 5: supervision and the system

/// Fails every third request.
struct Flaky {
    served: u32,
}

impl Actor for Flaky {
    type Message = ();
    type Response = u32;

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<u32> {
        self.served += 1;
        if self.served == 3 {
            return Err(ActorError::user("third request is cursed"));
        }
        Ok(self.served)
    }
}

/// Supervises `flaky` and hands each supervision event to `main`, which prints it in order.
struct Boss {
    events: mpsc::UnboundedSender<(String, SupervisionAction)>,
}

impl Actor for Boss {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Flaky { served: 0 })
            .named("flaky")
            .await?;
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
        let line = format!("child {} ended ({})", event.child_id, event.reason);
        let _ = self.events.send((line, event.action));
        Ok(())
    }
}

/// Keeps running until the system shuts down; stops gracefully.
struct Janitor;

impl Actor for Janitor {
    type Message = ();
    type Response = ();

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}

/// Vetoes every polite stop, so a shutdown has to kill it.
struct Stubborn;

impl Actor for Stubborn {
    type Message = ();
    type Response = ();

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }

    async fn pre_stop(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> bool {
        false
    }
}

/// The live `flaky` child: the current incarnation once the supervisor has (re)started it.
async fn current_flaky(system: &ActorSystem) -> ActorHandle<Flaky> {
    loop {
        match system.get::<Flaky>("flaky") {
            Some(handle) if handle.is_alive() => return handle,
            _ => tokio::time::sleep(Duration::from_millis(1)).await,
        }
    }
}

async fn supervision_and_system() -> Result<(), Box<dyn std::error::Error>> {
    println!("4+5. supervision with a restart budget, inside an ActorSystem");
    let system = ActorSystem::create("showcase")?;
    let (events, mut seen) = mpsc::unbounded_channel();
    let boss = Boss { events }
        .spawn()
        .named("boss")
        .on_system(&system)
        .with_supervision(SupervisionConfig::one_for_one().max_restarts(2, Duration::from_secs(10)))
        .await?;
    for round in 1..=3 {
        let flaky = current_flaky(&system).await;
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(flaky.send(()).await);
        }
        println!("  round {round}: {answers:?}");
        // The third answer failed: wait for the supervisor's decision before the next round.
        let (line, action) = seen.recv().await.ok_or("boss gone")?;
        println!("  boss: {line} -> {action:?}");
        if action == SupervisionAction::BudgetExhausted {
            break;
        }
    }
    println!("  boss gave up: {}", boss.wait_stopped().await);

    // Two more actors on the system, still running when it shuts down.
    let janitor = Janitor.spawn().named("janitor").on_system(&system).await?;
    let stubborn = Stubborn
        .spawn()
        .named("stubborn")
        .on_system(&system)
        .await?;
    let mut running = system.registered();
    running.sort();
    println!("  still running: {running:?}");
    let policy = ShutdownPolicy {
        per_actor_timeout: Duration::from_millis(100),
        ..ShutdownPolicy::default()
    };
    let report = system.shutdown_with(policy).await;
    assert_eq!(report.graceful, vec![janitor.id().clone()]);
    assert_eq!(report.killed, vec![stubborn.id().clone()]);
    println!(
        "  shutdown: graceful {:?}, killed after 100 ms {:?}, unresponsive {:?}; registered: {:?}",
        report.graceful,
        report.killed,
        report.unresponsive,
        system.registered()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    backpressure_and_priority().await?;
    timers_and_streams().await?;
    supervision_and_system().await?;
    Ok(())
}
