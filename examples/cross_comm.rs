//! Actors of different types finding each other through an `ActorSystem`.
//!
//! A `Ledger` keeps balances; `Teller`s look the ledger up by name (typed lookup) and forward
//! requests to it with `send`. Ends with a coordinated `shutdown()` and its report.
//!
//! Run: `cargo run --release --example cross_comm`

use std::collections::HashMap;

use tokio_actors::{Actor, ActorContext, ActorError, ActorExt, ActorResult, ActorSystem};

/// The ledger: account → balance.
struct Ledger(HashMap<String, i64>);

enum LedgerMsg {
    Deposit(String, i64),
    Balance(String),
}

impl Actor for Ledger {
    type Message = LedgerMsg;
    type Response = i64;

    async fn handle(&mut self, msg: LedgerMsg, _: &mut ActorContext<Self>) -> ActorResult<i64> {
        Ok(match msg {
            LedgerMsg::Deposit(account, amount) => {
                let balance = self.0.entry(account).or_default();
                *balance += amount;
                *balance
            }
            LedgerMsg::Balance(account) => self.0.get(&account).copied().unwrap_or(0),
        })
    }
}

/// A teller forwards deposits to the ledger it finds in its system.
struct Teller {
    system: std::sync::Arc<ActorSystem>,
    served: u64,
}

impl Actor for Teller {
    type Message = (String, i64);
    type Response = i64;

    async fn handle(
        &mut self,
        (account, amount): (String, i64),
        ctx: &mut ActorContext<Self>,
    ) -> ActorResult<i64> {
        let ledger = self
            .system
            .get::<Ledger>("ledger")
            .ok_or_else(|| ActorError::user("no ledger registered"))?;
        self.served += 1;
        let balance = ledger
            .send(LedgerMsg::Deposit(account, amount))
            .await
            .map_err(|e| ActorError::user(format!("ledger failed: {e}")))?;
        println!(
            "{} deposited {amount:+} -> {balance}",
            ctx.actor_name().map_or("?", |n| n.as_str())
        );
        Ok(balance)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let system = ActorSystem::create("bank")?;
    Ledger(HashMap::new())
        .spawn()
        .named("ledger")
        .on_system(&system)
        .await?;
    for name in ["teller-1", "teller-2"] {
        Teller {
            system: system.clone(),
            served: 0,
        }
        .spawn()
        .named(name)
        .on_system(&system)
        .await?;
    }
    // A lookup with the wrong type finds nothing rather than failing later.
    assert!(system.get::<Teller>("ledger").is_none());

    let t1 = system.get::<Teller>("teller-1").ok_or("teller-1 missing")?;
    let t2 = system.get::<Teller>("teller-2").ok_or("teller-2 missing")?;
    let (a, b) = tokio::join!(
        t1.send(("alice".into(), 100)),
        t2.send(("alice".into(), -30))
    );
    println!("concurrent results: {:?} {:?}", a?, b?);
    let ledger = system.get::<Ledger>("ledger").ok_or("ledger missing")?;
    println!(
        "alice's balance: {}",
        ledger.send(LedgerMsg::Balance("alice".into())).await?
    );

    let mut names = system.registered();
    names.sort();
    println!("registered: {names:?}");
    let report = system.shutdown().await;
    println!(
        "shutdown: {} graceful, {} killed, {} unresponsive; registered now: {:?}",
        report.graceful.len(),
        report.killed.len(),
        report.unresponsive.len(),
        system.registered()
    );
    Ok(())
}
