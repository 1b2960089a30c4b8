//! `Recipient<M>`: type erasure over actors that accept `M`, on both runtime flavours.
mod common;
mod compose;

use common::*;
use compose::*;
use std::collections::HashSet;
use tokio_actors::*;

/// Two actor types behind `Recipient<Event>` in one `Vec`; each converts with its own `From`.
async fn two_actor_types_in_one_vec() {
    let rec = within("spawn", recorder().spawn()).await.expect("spawn");
    let sum = within("spawn", Summer(0).spawn()).await.expect("spawn");
    let all: Vec<Recipient<Event>> = vec![rec.recipient(), sum.recipient()];
    for n in 1..=3 {
        for r in &all {
            within("notify", r.notify(Event(n))).await.expect("notify");
        }
    }
    assert_eq!(
        within("seen", rec.send(RecMsg::Seen)).await.expect("seen"),
        [1, 2, 3]
    );
    assert_eq!(
        within("total", sum.send(SumMsg::Total))
            .await
            .expect("total"),
        6
    );
    assert_eq!(all[0].id(), rec.id());
    assert_eq!(all[1].id(), sum.id());
}

/// The mailbox is the handle's: a full one makes `try_notify` say `Full` and `notify` wait;
/// messages keep their order, interleaved with the handle's own in sending order.
async fn same_order_and_backpressure_as_the_handle() {
    let rec = within(
        "spawn",
        recorder()
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(2)),
    )
    .await
    .expect("spawn");
    let r: Recipient<Event> = rec.recipient();
    let gate = Gate::new();
    rec.notify(RecMsg::Hold(gate.clone())).await.expect("hold");
    gate.entered().await;
    r.notify(Event(1)).await.expect("1");
    rec.notify(RecMsg::Event(Event(2))).await.expect("2");
    assert_eq!(r.try_notify(Event(9)), Err(TrySendError::Full));
    let mut waiting = std::pin::pin!(r.notify(Event(3)));
    assert_waits(
        waiting.as_mut(),
        "notify must wait while the mailbox is full",
    )
    .await;
    gate.open();
    within("waiting notify", waiting).await.expect("3");
    let seen = within("seen", rec.send(RecMsg::Seen)).await.expect("seen");
    assert_eq!(seen, [1, 2, 3]);
}

/// After termination: `Closed` from both sends, `is_alive` false, `wait_stopped` the reason.
async fn errors_after_the_actor_stopped() {
    let rec = within("spawn", recorder().spawn()).await.expect("spawn");
    let r: Recipient<Event> = rec.recipient();
    assert!(r.is_alive());
    rec.stop(StopReason::Graceful).await.expect("stop");
    assert!(matches!(
        within("wait", r.wait_stopped()).await,
        StopReason::Graceful
    ));
    assert!(!r.is_alive());
    assert_eq!(r.notify(Event(1)).await, Err(SendError::Closed));
    assert_eq!(r.try_notify(Event(1)), Err(TrySendError::Closed));
    assert!(matches!(
        within("again", r.wait_stopped()).await,
        StopReason::Graceful
    ));
}

/// A stopping actor (mailbox closed, `on_stopped` still running) refuses with `Closed` too.
async fn a_waiting_notify_gets_closed_when_the_actor_stops() {
    let rec = within(
        "spawn",
        recorder()
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("spawn");
    let r: Recipient<Event> = rec.recipient();
    let gate = Gate::new();
    rec.notify(RecMsg::Hold(gate.clone())).await.expect("hold");
    gate.entered().await;
    r.notify(Event(1)).await.expect("fills the mailbox");
    let waiting = {
        let r = r.clone();
        tokio::spawn(async move { r.notify(Event(2)).await })
    };
    settle().await;
    rec.stop(StopReason::Graceful).await.expect("stop");
    gate.open();
    let result = within("waiting notify", waiting).await.expect("join");
    assert_eq!(result, Err(SendError::Closed));
    within("wait", rec.wait_stopped()).await;
}

/// Equality and hashing follow the actor: clones and recipients made from two handles of one
/// actor are equal; two actors with the same name in two systems are not.
async fn identity_equality_and_hash() {
    let name = uniq("same-name");
    let (sys_a, sys_b) = (system(), system());
    let a = within("spawn", recorder().spawn().named(&name).on_system(&sys_a))
        .await
        .expect("spawn");
    let b = within("spawn", recorder().spawn().named(&name).on_system(&sys_b))
        .await
        .expect("spawn");
    let ra: Recipient<Event> = a.recipient();
    let looked_up: Recipient<Event> = sys_a
        .get::<Recorder>(&name)
        .expect("registered")
        .recipient();
    let rb: Recipient<Event> = b.recipient();
    assert_eq!(ra, ra.clone());
    assert_eq!(ra, looked_up);
    assert_eq!(ra.id(), rb.id(), "same name");
    assert_ne!(ra, rb, "but two actors");
    let set: HashSet<Recipient<Event>> = [ra.clone(), looked_up, rb.clone(), ra]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 2);
    let debug = format!("{rb:?}");
    assert!(
        debug.contains(&name) && debug.contains("alive: true"),
        "{debug}"
    );
}

both_flavours! {
    recipients_of_two_actor_types_share_one_vec => two_actor_types_in_one_vec,
    recipient_keeps_order_and_backpressure => same_order_and_backpressure_as_the_handle,
    recipient_errors_after_stop => errors_after_the_actor_stopped,
    recipient_waiting_notify_gets_closed_at_stop => a_waiting_notify_gets_closed_when_the_actor_stops,
    recipient_equality_is_actor_identity => identity_equality_and_hash,
}
