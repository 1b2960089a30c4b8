//! Process groups (`ActorSystem::group`): membership, broadcast, try_broadcast and members that
//! leave by terminating, on both runtime flavours.
mod common;
mod compose;

use common::*;
use compose::*;
use tokio_actors::*;

async fn seen(rec: &ActorHandle<Recorder>) -> Vec<u32> {
    within("seen", rec.send(RecMsg::Seen)).await.expect("seen")
}

/// Members of two actor types receive every broadcast, in order; the count is the members.
async fn broadcast_reaches_every_member() {
    let sys = system();
    let group = sys.group::<Event>("events");
    let rec = within("spawn", recorder().spawn()).await.expect("spawn");
    let sum = within("spawn", Summer(0).spawn()).await.expect("spawn");
    group.join(rec.recipient());
    group.join(sum.recipient());
    for n in 1..=4 {
        assert_eq!(within("broadcast", group.broadcast(Event(n))).await, 2);
    }
    assert_eq!(seen(&rec).await, [1, 2, 3, 4]);
    assert_eq!(
        within("total", sum.send(SumMsg::Total))
            .await
            .expect("total"),
        10
    );
    assert_eq!(group.members(), vec![rec.recipient(), sum.recipient()]);
    assert_eq!(group.name(), "events");
}

/// A group is identified by (system, name, message type); handles to one group share it.
async fn groups_are_per_system_name_and_type() {
    let (sys, other) = (system(), system());
    let rec = within("spawn", recorder().spawn()).await.expect("spawn");
    sys.group::<Event>("g").join(rec.recipient());
    let again = sys.group::<Event>("g");
    assert_eq!(again.members().len(), 1, "same name and type: same group");
    assert!(
        sys.group::<u32>("g").members().is_empty(),
        "same name, other type"
    );
    assert!(sys.group::<Event>("h").members().is_empty(), "other name");
    assert!(
        other.group::<Event>("g").members().is_empty(),
        "other system"
    );
    let clone = again.clone();
    clone.leave(rec.id());
    assert!(again.members().is_empty(), "clones share the group");
}

/// Joining twice is one membership; `leave` removes it; leaving a non-member is harmless.
async fn join_twice_is_one_membership() {
    let group = system().group::<Event>("dup");
    let rec = within("spawn", recorder().spawn()).await.expect("spawn");
    group.join(rec.recipient());
    group.join(rec.clone().recipient());
    assert_eq!(within("broadcast", group.broadcast(Event(1))).await, 1);
    assert_eq!(seen(&rec).await, [1], "delivered once");
    group.leave(&ActorId::from("nobody"));
    assert_eq!(group.members().len(), 1);
    group.leave(rec.id());
    assert!(group.members().is_empty());
    assert_eq!(within("broadcast", group.broadcast(Event(2))).await, 0);
    assert_eq!(seen(&rec).await, [1]);
}

/// A member that stops leaves the group before any broadcast counts it (nor `members`, nor
/// `try_broadcast`); joining a terminated actor does nothing.
async fn stopped_member_leaves_by_itself() {
    let group = system().group::<Event>("leavers");
    let stays = within("spawn", recorder().spawn()).await.expect("spawn");
    let goes = within("spawn", recorder().spawn()).await.expect("spawn");
    group.join(stays.recipient());
    group.join(goes.recipient());
    goes.stop(StopReason::Graceful).await.expect("stop");
    within("wait", goes.wait_stopped()).await;
    assert_eq!(group.members(), vec![stays.recipient()]);
    assert_eq!(within("broadcast", group.broadcast(Event(1))).await, 1);
    let report = group.try_broadcast(Event(2));
    assert_eq!(report.delivered, vec![stays.id().clone()]);
    assert!(
        report.full.is_empty() && report.closed.is_empty(),
        "{report:?}"
    );
    group.join(goes.recipient());
    assert_eq!(group.members().len(), 1, "a terminated actor cannot join");
    assert_eq!(seen(&stays).await, [1, 2]);
}

/// A member killed without anyone calling `members` first is still not counted.
async fn killed_member_is_not_counted_by_broadcast() {
    let group = system().group::<Event>("killed");
    let members: Vec<_> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(within("spawn", recorder().spawn()).await.expect("spawn"));
        }
        v
    };
    for m in &members {
        group.join(m.recipient());
    }
    for m in &members[..3] {
        m.stop(StopReason::Kill).await.expect("kill");
        within("wait", m.wait_stopped()).await;
    }
    assert_eq!(within("broadcast", group.broadcast(Event(7))).await, 2);
    assert_eq!(group.members().len(), 2);
}

/// `try_broadcast` never waits: a full member is reported `full`, a stopping one `closed`, the
/// others `delivered`, by id.
async fn try_broadcast_reports_without_waiting() {
    let group = system().group::<Event>("try");
    let roomy = within("spawn", recorder().spawn()).await.expect("spawn");
    let full = within(
        "spawn",
        recorder()
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("spawn");
    let stop_gate = Gate::new();
    let stopping = within("spawn", recorder_stopping_at(&stop_gate).spawn())
        .await
        .expect("spawn");
    for m in [&roomy, &full, &stopping] {
        group.join(m.recipient());
    }
    // `full`: held in a handler with one more message queued.
    let hold = Gate::new();
    full.notify(RecMsg::Hold(hold.clone())).await.expect("hold");
    hold.entered().await;
    full.notify(RecMsg::Seen).await.expect("fill");
    // `stopping`: inside `on_stopped`, mailbox closed, still alive.
    stopping.stop(StopReason::Graceful).await.expect("stop");
    stop_gate.entered().await;
    assert!(stopping.is_alive());

    let report = group.try_broadcast(Event(5));
    assert_eq!(report.delivered, vec![roomy.id().clone()]);
    assert_eq!(report.full, vec![full.id().clone()]);
    assert_eq!(report.closed, vec![stopping.id().clone()]);
    assert_eq!(report.members(), 3);

    hold.open();
    stop_gate.open();
    within("wait", stopping.wait_stopped()).await;
    assert_eq!(seen(&roomy).await, [5]);
    assert_eq!(
        seen(&full).await,
        Vec::<u32>::new(),
        "the full member did not get it"
    );
    assert_eq!(group.members().len(), 2, "the stopped member left");
}

/// `broadcast` waits for space in a full member, and counts it once it accepted.
async fn broadcast_waits_for_space() {
    let group = system().group::<Event>("wait");
    let full = within(
        "spawn",
        recorder()
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("spawn");
    group.join(full.recipient());
    let hold = Gate::new();
    full.notify(RecMsg::Hold(hold.clone())).await.expect("hold");
    hold.entered().await;
    full.notify(RecMsg::Event(Event(1))).await.expect("fill");
    let mut broadcast = std::pin::pin!(group.broadcast(Event(2)));
    assert_waits(broadcast.as_mut(), "broadcast must wait for space").await;
    hold.open();
    assert_eq!(within("broadcast", broadcast).await, 1);
    assert_eq!(seen(&full).await, [1, 2]);
}

/// A broadcast goes to the members as they were when it started: an actor that joins while it
/// is waiting does not get that message (and gets the next one).
async fn broadcast_delivers_to_a_snapshot() {
    let group = system().group::<Event>("snapshot");
    let first = within(
        "spawn",
        recorder()
            .spawn()
            .with_config(ActorConfig::default().with_mailbox_capacity(1)),
    )
    .await
    .expect("spawn");
    group.join(first.recipient());
    let hold = Gate::new();
    first
        .notify(RecMsg::Hold(hold.clone()))
        .await
        .expect("hold");
    hold.entered().await;
    first.notify(RecMsg::Seen).await.expect("fill");
    // One poll by hand: the broadcast takes its snapshot, then waits for space in `first`
    // (deterministic on both runtimes, unlike waiting for a spawned task to get that far).
    let mut broadcast = std::pin::pin!(group.broadcast(Event(1)));
    assert_waits(broadcast.as_mut(), "broadcast must wait for space").await;
    let late = within("spawn", recorder().spawn()).await.expect("spawn");
    group.join(late.recipient());
    hold.open();
    assert_eq!(within("broadcast", broadcast).await, 1);
    assert_eq!(within("next", group.broadcast(Event(2))).await, 2);
    assert_eq!(seen(&first).await, [1, 2]);
    assert_eq!(seen(&late).await, [2]);
}

both_flavours! {
    group_broadcast_reaches_every_member => broadcast_reaches_every_member,
    group_is_per_system_name_and_message_type => groups_are_per_system_name_and_type,
    group_join_twice_is_one_membership => join_twice_is_one_membership,
    group_member_that_stops_leaves_before_broadcast_counts_it => stopped_member_leaves_by_itself,
    group_killed_members_are_not_counted => killed_member_is_not_counted_by_broadcast,
    group_try_broadcast_reports_full_and_closed_without_waiting => try_broadcast_reports_without_waiting,
    group_broadcast_waits_for_space => broadcast_waits_for_space,
    group_broadcast_delivers_to_a_snapshot => broadcast_delivers_to_a_snapshot,
}
