//! Handles follow restarts: a supervised child is one actor from the outside, whatever happens
//! to its incarnations inside.
//!
//! A supervisor runs one worker and restarts it after a 300 ms backoff. The program keeps the
//! worker's handle from before the failure and shows, step by step:
//!
//! 1. the handle works (the first incarnation counts requests);
//! 2. a request fails; a second request sent meanwhile waits in the mailbox behind it;
//! 3. during the backoff, `get_status` answers `Restarting` and `is_alive()` stays `true`;
//! 4. the next incarnation (a fresh value from the factory) answers the queued request, on the
//!    same handle, which still equals the one in the registry;
//! 5. when the supervisor stops, the worker terminates for good: `wait_stopped` resolves and
//!    `is_alive()` turns `false`.
//!
//! Run with `cargo run --release --example restarts` (about half a second).

use std::time::Duration;

use tokio_actors::*;

/// Counts requests; its count starts from zero in every incarnation.
struct Worker {
    count: u32,
}

enum Job {
    /// Counts one request and answers the count so far.
    Work,
    /// Works for a while, then fails: this incarnation ends.
    SlowFailure(Duration),
}

impl Actor for Worker {
    type Message = Job;
    type Response = u32;

    async fn handle(&mut self, job: Job, _: &mut ActorContext<Self>) -> ActorResult<u32> {
        match job {
            Job::Work => {
                self.count += 1;
                Ok(self.count)
            }
            Job::SlowFailure(after) => {
                tokio::time::sleep(after).await;
                Err(ActorError::user("the database went away"))
            }
        }
    }
}

/// Starts the worker and hands out its handle.
struct Boss;

impl Actor for Boss {
    type Message = ();
    type Response = Option<ActorHandle<Worker>>;

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        ctx.spawn_child(|| Worker { count: 0 })
            .named("restarts-worker")
            .await?;
        Ok(())
    }

    async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
        Ok(ctx.child::<Worker>(&ActorId::from("restarts-worker")))
    }

    async fn on_child_stopped(
        &mut self,
        event: &ChildEvent,
        _: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        println!(
            "   [boss] {} ended ({}): {:?}",
            event.child_id, event.reason, event.action
        );
        Ok(())
    }
}

async fn show_status(label: &str, worker: &ActorHandle<Worker>) -> Result<(), AskError> {
    let info = worker.get_status().await?;
    println!(
        "   {label}: {:?}, incarnation {}, {} restart(s), {} queued, is_alive() = {}",
        info.status,
        info.incarnation,
        info.restarts,
        info.mailbox_len,
        worker.is_alive()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backoff = Backoff::exponential(Duration::from_millis(300), Duration::from_millis(300));
    let boss = Boss
        .spawn()
        .with_supervision(SupervisionConfig::one_for_one().with_backoff(backoff))
        .await?;
    let held = boss.send(()).await?.ok_or("the worker is missing")?;

    println!("1. the handle held from the start works");
    println!("   work -> count {}", held.send(Job::Work).await?);
    println!("   work -> count {}", held.send(Job::Work).await?);
    show_status("status", &held).await?;

    println!("2. a request fails; another one is queued behind it");
    let failing = {
        let worker = held.clone();
        tokio::spawn(async move {
            worker
                .send(Job::SlowFailure(Duration::from_millis(100)))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await; // the failing job is being handled
    let queued = {
        let worker = held.clone();
        tokio::spawn(async move { worker.send(Job::Work).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    println!("   queued behind the failing job: {}", held.mailbox_len());
    match failing.await? {
        Err(e) => println!("   the failing request's caller got: {e}"),
        Ok(n) => println!("   unexpected answer {n}"),
    }

    println!("3. during the 300 ms backoff");
    tokio::time::sleep(Duration::from_millis(50)).await;
    show_status("status", &held).await?;

    println!("4. the next incarnation answers the queued request on the same handle");
    let answer = tokio::time::timeout(Duration::from_secs(5), queued).await???;
    println!("   queued work -> count {answer} (a fresh value: the count restarted)");
    show_status("status", &held).await?;
    let registered = ActorSystem::default()
        .get::<Worker>("restarts-worker")
        .ok_or("the name is not registered")?;
    println!(
        "   the registry gives the same handle: {}",
        registered == held
    );

    println!("5. the supervisor stops: the worker terminates for good");
    boss.stop(StopReason::Graceful).await?;
    let reason = held.wait_stopped().await;
    println!(
        "   wait_stopped -> {reason}; is_alive() = {}; registered: {}",
        held.is_alive(),
        ActorSystem::default()
            .get::<Worker>("restarts-worker")
            .is_some()
    );
    Ok(())
}
