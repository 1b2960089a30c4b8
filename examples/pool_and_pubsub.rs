//! Publish/subscribe with a process group, and worker pools.
//!
//! 1. A price feed publishes to the group `"prices"`. Two different actor types subscribe: a
//!    `Ticker` that prints every price and a `Portfolio` that values its holdings; both accept
//!    `Price` (the portfolio converts it into its own message with `From`), so both fit in one
//!    group of `Recipient<Price>`.
//! 2. When the ticker stops, it leaves the group by itself: the next broadcast reaches one member.
//! 3. A pool of 4 `Scorer` workers stands for a slow external service: 12 concurrent requests,
//!    never more than 4 in flight (least-loaded routing).
//! 4. A key-hash pool keeps the order of each account's operations while spreading accounts
//!    over workers.
//!
//! Run with `cargo run --release --example pool_and_pubsub`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio_actors::*;

/// One price update.
#[derive(Clone, Debug)]
struct Price {
    symbol: &'static str,
    cents: u64,
}

/// Prints every price it sees.
struct Ticker;

impl Actor for Ticker {
    type Message = Price;
    type Response = ();

    async fn handle(&mut self, p: Price, _: &mut ActorContext<Self>) -> ActorResult<()> {
        println!(
            "  ticker: {} at {}.{:02}",
            p.symbol,
            p.cents / 100,
            p.cents % 100
        );
        Ok(())
    }
}

/// Holds some shares and values them at the latest prices.
struct Portfolio {
    shares: HashMap<&'static str, u64>,
    prices: HashMap<&'static str, u64>,
}

enum PortfolioMsg {
    Price(Price),
    Value,
}

impl From<Price> for PortfolioMsg {
    fn from(p: Price) -> Self {
        PortfolioMsg::Price(p)
    }
}

impl Actor for Portfolio {
    type Message = PortfolioMsg;
    type Response = u64;

    async fn handle(&mut self, msg: PortfolioMsg, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        if let PortfolioMsg::Price(p) = msg {
            self.prices.insert(p.symbol, p.cents);
        }
        let value = self
            .shares
            .iter()
            .map(|(symbol, n)| n * self.prices.get(symbol).copied().unwrap_or(0))
            .sum();
        Ok(value)
    }
}

/// Stands for a call to a slow service; tracks how many calls are in flight at once.
struct Scorer {
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl Actor for Scorer {
    type Message = String;
    type Response = usize;

    async fn handle(&mut self, text: String, _: &mut ActorContext<Self>) -> ActorResult<usize> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await; // the "remote call"
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(text.split_whitespace().count())
    }
}

/// An account operation; all operations of one account go to the same worker, in order.
struct Op {
    account: u64,
    amount: i64,
}

/// Keeps balances of the accounts routed to it.
#[derive(Default)]
struct Ledger {
    balances: HashMap<u64, i64>,
}

impl Actor for Ledger {
    type Message = Op;
    type Response = i64;

    async fn handle(&mut self, op: Op, _: &mut ActorContext<Self>) -> ActorResult<i64> {
        let balance = self.balances.entry(op.account).or_insert(0);
        if *balance + op.amount < 0 {
            return Ok(*balance); // refused: would overdraw (order matters!)
        }
        *balance += op.amount;
        Ok(*balance)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let system = ActorSystem::create("pool-and-pubsub")?;

    println!("1. publish/subscribe");
    let prices = system.group::<Price>("prices");
    let ticker = Ticker.spawn().await?;
    let portfolio = Portfolio {
        shares: HashMap::from([("ACME", 10), ("INIT", 3)]),
        prices: HashMap::new(),
    }
    .spawn()
    .await?;
    prices.join(ticker.recipient());
    prices.join(portfolio.recipient());
    for (symbol, cents) in [("ACME", 1_250), ("INIT", 9_900), ("ACME", 1_300)] {
        let reached = prices.broadcast(Price { symbol, cents }).await;
        println!("  published {symbol}: {reached} subscribers");
    }
    let value = portfolio.send(PortfolioMsg::Value).await?;
    println!("  portfolio value: {}.{:02}", value / 100, value % 100);

    println!("2. a subscriber that stops leaves the group by itself");
    ticker.stop(StopReason::Graceful).await?;
    ticker.wait_stopped().await;
    let reached = prices
        .broadcast(Price {
            symbol: "INIT",
            cents: 10_000,
        })
        .await;
    println!("  published INIT: {reached} subscriber(s)");
    let report = prices.try_broadcast(Price {
        symbol: "ACME",
        cents: 1_310,
    });
    println!(
        "  try_broadcast: {} delivered, {} full, {} closed",
        report.delivered.len(),
        report.full.len(),
        report.closed.len()
    );

    println!("3. a pool bounds concurrency");
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let scorers = {
        let (in_flight, peak) = (in_flight.clone(), peak.clone());
        Pool::builder(4, move || Scorer {
            in_flight: in_flight.clone(),
            peak: peak.clone(),
        })
        .routing(Routing::LeastLoaded)
        .named("scorers")
        .on_system(&system)
        .await?
    };
    let requests: Vec<_> = (0..12)
        .map(|i| {
            let scorers = scorers.clone();
            tokio::spawn(async move { scorers.send(format!("request number {i}")).await })
        })
        .collect();
    let mut words = 0;
    for r in requests {
        words += r.await??;
    }
    println!(
        "  12 requests answered ({words} words), at most {} in flight",
        peak.load(Ordering::SeqCst)
    );

    println!("4. key-hash routing keeps per-account order");
    let ledger = Pool::builder(4, Ledger::default)
        .routing(Routing::KeyHash(|op: &Op| op.account))
        .await?;
    for account in 1..=3 {
        // Deposit then withdraw: in this order the withdrawal succeeds.
        ledger
            .notify(Op {
                account,
                amount: 100,
            })
            .await?;
        ledger
            .notify(Op {
                account,
                amount: -60,
            })
            .await?;
    }
    for account in 1..=3 {
        let balance = ledger.send(Op { account, amount: 0 }).await?;
        println!("  account {account}: balance {balance}");
    }

    let report = system.shutdown().await;
    println!("shutdown: {} stopped gracefully", report.graceful.len());
    ledger.stop(StopReason::Graceful).await?;
    ledger.wait_stopped().await;
    Ok(())
}
