//! The smallest useful actor: a counter with fire-and-forget and request/response messages.
//!
//! Shows `notify`, `send`, `try_notify` against a full mailbox, a typed handler error that goes
//! to `handle_failure`, `get_status`, and a graceful stop awaited with `wait_stopped`.
//!
//! Run: `cargo run --release --example simple_counter`

use tokio_actors::{
    Actor, ActorConfig, ActorContext, ActorError, ActorExt, ActorResult, StopReason, TrySendError,
};

/// What the counter understands.
enum Command {
    Add(i64),
    Get,
    /// Rejected with an error (goes to `handle_failure` when notified).
    Divide(i64),
}

struct Counter {
    value: i64,
    errors: usize,
}

impl Actor for Counter {
    type Message = Command;
    type Response = i64;

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        println!("counter {} started", ctx.actor_id());
        Ok(())
    }

    async fn handle(&mut self, msg: Command, _ctx: &mut ActorContext<Self>) -> ActorResult<i64> {
        match msg {
            Command::Add(n) => self.value += n,
            Command::Get => {}
            Command::Divide(0) => return Err(ActorError::user("division by zero")),
            Command::Divide(n) => self.value /= n,
        }
        Ok(self.value)
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.errors += 1;
        println!("handle_failure: {error} (errors so far: {})", self.errors);
    }

    async fn on_stopped(
        &mut self,
        reason: &StopReason,
        _ctx: &mut ActorContext<Self>,
    ) -> ActorResult<()> {
        println!("counter stopped ({reason}) at value {}", self.value);
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let counter = Counter {
        value: 0,
        errors: 0,
    }
    .spawn()
    .named("counter")
    .with_config(ActorConfig::default().with_mailbox_capacity(8))
    .await?;

    for n in 1..=10 {
        counter.notify(Command::Add(n)).await?; // waits only for mailbox space
    }
    counter.notify(Command::Divide(0)).await?; // error goes to handle_failure; the actor keeps running
    println!("total = {}", counter.send(Command::Get).await?);

    // try_notify never waits: fill the mailbox until it reports Full.
    let mut accepted = 0;
    loop {
        match counter.try_notify(Command::Add(1)) {
            Ok(()) => accepted += 1,
            Err(TrySendError::Full) => break,
            Err(TrySendError::Closed) => return Err("counter stopped unexpectedly".into()),
        }
    }
    println!(
        "try_notify accepted {accepted} before Full (capacity {})",
        counter.mailbox_capacity()
    );

    let status = counter.get_status().await?; // answered ahead of the queued messages
    println!(
        "status: {:?}, {} queued of {}",
        status.status, status.mailbox_len, status.mailbox_capacity
    );
    println!("total = {}", counter.send(Command::Get).await?);

    counter.stop(StopReason::Graceful).await?;
    let reason = counter.wait_stopped().await;
    println!("final reason: {reason}; alive: {}", counter.is_alive());
    Ok(())
}
