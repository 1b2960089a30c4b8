//! `ChildSpawn`, the future of `ctx.spawn_child(..)`: nothing before its first poll, a kill
//! when abandoned after it, an error (not a panic) when polled after completion, and ids that
//! stay unique without a lookup for anonymous children.

mod common;

use std::collections::HashSet;
use std::future::{poll_fn, Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

use common::{system, uniq, until_dead, within, Gate};
use tokio_actors::*;

/// A child that counts its factory calls and may wait in `on_started` at a gate.
struct Child {
    gate: Option<Arc<Gate>>,
}

impl Actor for Child {
    type Message = u32;
    type Response = u32;

    async fn on_started(&mut self, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if let Some(gate) = &self.gate {
            gate.pass().await;
        }
        Ok(())
    }

    async fn handle(&mut self, n: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> {
        Ok(n + 1)
    }
}

enum Cmd {
    /// Build the spawn future, drop it unpolled; answer the factory calls.
    DropUnpolled,
    /// Poll the spawn of a named child once (it waits at the gate), then drop it.
    AbandonAfterFirstPoll { name: String, gate: Arc<Gate> },
    /// Spawn a named child, then poll the finished future once more.
    PollAfterCompletion(String),
    /// Spawn `n` anonymous children; answer their ids.
    SpawnAnonymous(usize),
    /// Spawn a named child.
    SpawnNamed(String),
    /// How many children there are.
    Count,
}

#[derive(Debug)]
enum Answer {
    Calls(usize),
    Done,
    AfterCompletion(Result<(), ActorError>),
    Ids(Vec<ActorId>),
    Spawned(Result<(), ActorError>),
    Count(usize),
}

struct Boss {
    factory_calls: Arc<AtomicUsize>,
}

impl Boss {
    fn factory(&self, gate: Option<Arc<Gate>>) -> impl Fn() -> Child + Send + Sync + 'static {
        let calls = self.factory_calls.clone();
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            Child { gate: gate.clone() }
        }
    }
}

impl Actor for Boss {
    type Message = Cmd;
    type Response = Answer;

    async fn handle(&mut self, cmd: Cmd, ctx: &mut ActorContext<Self>) -> ActorResult<Answer> {
        Ok(match cmd {
            Cmd::DropUnpolled => {
                let future = ctx.spawn_child(self.factory(None)).into_future();
                drop(future);
                Answer::Calls(self.factory_calls.load(Ordering::SeqCst))
            }
            Cmd::AbandonAfterFirstPoll { name, gate } => {
                let mut future = ctx
                    .spawn_child(self.factory(Some(gate)))
                    .named(name)
                    .into_future();
                let first = poll_fn(|cx| Poll::Ready(Pin::new(&mut future).poll(cx).is_pending()));
                assert!(first.await, "the child waits at its gate");
                drop(future);
                Answer::Done
            }
            Cmd::PollAfterCompletion(name) => {
                let mut future = ctx
                    .spawn_child(self.factory(None))
                    .named(name)
                    .into_future();
                (&mut future).await?;
                let again = poll_fn(|cx| Poll::Ready(Pin::new(&mut future).poll(cx))).await;
                match again {
                    Poll::Ready(result) => Answer::AfterCompletion(result.map(|_| ())),
                    Poll::Pending => panic!("a finished spawn future must not wait"),
                }
            }
            Cmd::SpawnAnonymous(n) => {
                let mut ids = Vec::with_capacity(n);
                for _ in 0..n {
                    let child = ctx.spawn_child(self.factory(None)).await?;
                    ids.push(child.id().clone());
                }
                Answer::Ids(ids)
            }
            Cmd::SpawnNamed(name) => Answer::Spawned(
                ctx.spawn_child(self.factory(None))
                    .named(name)
                    .await
                    .map(|_| ()),
            ),
            Cmd::Count => Answer::Count(ctx.children().len()),
        })
    }
}

async fn boss(system: &Arc<ActorSystem>) -> (ActorHandle<Boss>, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let boss = Boss {
        factory_calls: calls.clone(),
    }
    .spawn()
    .on_system(system)
    .with_supervision(SupervisionConfig::simple_one_for_one())
    .await
    .expect("supervisor");
    (boss, calls)
}

both_flavours!(
    an_unpolled_spawn_starts_nothing,
    an_abandoned_spawn_kills_the_child_and_frees_its_name,
    polling_after_completion_is_an_error,
    anonymous_children_get_distinct_ids_and_named_ones_stay_checked,
);

async fn an_unpolled_spawn_starts_nothing() {
    let system = system();
    let (boss, calls) = boss(&system).await;
    let answer = within("drop unpolled", boss.send(Cmd::DropUnpolled)).await;
    assert!(matches!(answer, Ok(Answer::Calls(0))), "{answer:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let count = within("count", boss.send(Cmd::Count)).await;
    assert!(matches!(count, Ok(Answer::Count(0))), "{count:?}");
    system.shutdown().await;
}

async fn an_abandoned_spawn_kills_the_child_and_frees_its_name() {
    let system = system();
    let (boss, calls) = boss(&system).await;
    let name = uniq("abandoned");
    let gate = Gate::new();
    let answer = within(
        "abandon",
        boss.send(Cmd::AbandonAfterFirstPoll {
            name: name.clone(),
            gate: gate.clone(),
        }),
    )
    .await;
    assert!(matches!(answer, Ok(Answer::Done)), "{answer:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the factory ran once");
    // The child was launched (registered under its name) and is now killed.
    until_dead(|| system.get::<Child>(&name).is_some()).await;
    let count = within("count", boss.send(Cmd::Count)).await;
    assert!(matches!(count, Ok(Answer::Count(0))), "no slot: {count:?}");
    // The name is free again for a new child.
    let again = within("respawn", boss.send(Cmd::SpawnNamed(name.clone()))).await;
    assert!(matches!(again, Ok(Answer::Spawned(Ok(())))), "{again:?}");
    let child = system.get::<Child>(&name).expect("the new child");
    assert_eq!(within("send", child.send(1)).await.expect("answer"), 2);
    system.shutdown().await;
}

async fn polling_after_completion_is_an_error() {
    let system = system();
    let (boss, _) = boss(&system).await;
    let name = uniq("done");
    let answer = within(
        "poll again",
        boss.send(Cmd::PollAfterCompletion(name.clone())),
    )
    .await;
    match answer {
        Ok(Answer::AfterCompletion(Err(ActorError::Spawn(SpawnError::InvalidConfig(text))))) => {
            assert!(text.contains("after it completed"), "{text}");
        }
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
    // The first completion still counts: one child, reachable by name.
    let count = within("count", boss.send(Cmd::Count)).await;
    assert!(matches!(count, Ok(Answer::Count(1))), "{count:?}");
    assert!(system.get::<Child>(&name).is_some());
    system.shutdown().await;
}

async fn anonymous_children_get_distinct_ids_and_named_ones_stay_checked() {
    let system = system();
    let (boss, _) = boss(&system).await;
    let ids = match within("spawn 2000", boss.send(Cmd::SpawnAnonymous(2000))).await {
        Ok(Answer::Ids(ids)) => ids,
        other => panic!("expected ids, got {other:?}"),
    };
    let distinct: HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 2000);
    let count = within("count", boss.send(Cmd::Count)).await;
    assert!(matches!(count, Ok(Answer::Count(2000))), "{count:?}");
    let name = uniq("named");
    let first = within("named", boss.send(Cmd::SpawnNamed(name.clone()))).await;
    assert!(matches!(first, Ok(Answer::Spawned(Ok(())))), "{first:?}");
    let second = within("duplicate", boss.send(Cmd::SpawnNamed(name.clone()))).await;
    match second {
        Ok(Answer::Spawned(Err(ActorError::Spawn(SpawnError::DuplicateChild(id))))) => {
            assert_eq!(id.as_str(), name);
        }
        other => panic!("expected DuplicateChild, got {other:?}"),
    }
    system.shutdown().await;
}
