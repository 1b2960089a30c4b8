//! Piped work (`ActorContext::pipe`): a future run as a task owned by the incarnation, whose
//! output comes back into the actor's own mailbox as a message.
//!
//! The task is registered in the incarnation's feed registry like a one-shot timer, so it is
//! aborted by `cancel_task` and at every stop, and a result that was already queued when its
//! task was cancelled is skipped at dispatch.

use std::future::Future;

use tokio::sync::mpsc;

use super::feeds::{FeedKind, Feeds};
use crate::actor::runtime::guard::{caught, caught_sync};
use crate::actor::runtime::mailbox::{enqueue, Envelope};
use crate::actor::Actor;
use crate::types::TaskId;

/// Starts `work` as a task of the incarnation whose mailbox and feeds these are.
pub(crate) fn start<A, F, M>(
    feeds: &mut Feeds,
    mailbox: &mpsc::Sender<Envelope<A>>,
    work: F,
    to_msg: M,
) -> TaskId
where
    A: Actor,
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    M: FnOnce(F::Output) -> A::Message + Send + 'static,
{
    let mailbox = mailbox.clone();
    TaskId(feeds.add(FeedKind::Task, true, move |id| {
        tokio::spawn(run::<A, F, M>(mailbox, id, work, to_msg))
    }))
}

/// Awaits the work, maps its output and enqueues the message (waiting for mailbox space). A
/// panic in `work` or in `to_msg` is enqueued instead, for `handle_failure`.
async fn run<A, F, M>(mailbox: mpsc::Sender<Envelope<A>>, task: u64, work: F, to_msg: M)
where
    A: Actor,
    F: Future,
    M: FnOnce(F::Output) -> A::Message,
{
    let envelope = match caught(work)
        .await
        .and_then(|output| caught_sync(|| to_msg(output)))
    {
        Ok(msg) => Envelope::piped(msg, task),
        Err(panic) => Envelope::pipe_failure(task, panic),
    };
    // `Closed`: the actor is stopping, and the stop aborts this task anyway.
    let _ = enqueue(&mailbox, envelope).await;
}
