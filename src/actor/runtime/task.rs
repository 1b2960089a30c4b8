//! The actor's task: start-up, the receive loop, and the stop sequence (§4.3 steps 1–3).
//!
//! The receive loop is kept lean because it is the hot path:
//! - the system channel gets priority with one atomic load per message (`SystemQueue`);
//! - an idle actor parks in one `poll_fn` on the mailbox, with the system queue holding its
//!   waker (no `select!`, no allocation, no lock);
//! - an actor with a priority lane (§9.3) takes a separate path after one `Option` check, so
//!   actors without one pay a single predictable branch;
//! - `handle` is awaited directly, with no per-message wrapper: panics are caught once around the
//!   whole loop, and a `send` caller's reply slot is parked in `Live` so a panic still answers it.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use tokio::sync::mpsc;

use super::core::SystemMsg;
use super::current;
use super::exit::{ExitPlan, Finalizer};
use super::guard::{caught, caught_sync, poll_caught, Flatten};
use super::mailbox::{Envelope, Payload, Reply};
use super::system_queue::SystemQueue;
use super::{metering, telemetry};
use crate::actor::context::ActorContext;
use crate::actor::supervision::{kill_children, ChildNotice};
use crate::actor::Actor;
use crate::error::ActorError;
use crate::types::{ActorStatus, ChildEvent, StopReason};

/// The actor value and everything only its task touches.
pub(crate) struct Live<A: Actor> {
    actor: A,
    ctx: ActorContext<A>,
    lanes: Lanes<A>,
    /// The reply slot of the `send` being handled, kept here (not in the handler's future) so a
    /// panic in `handle` can still answer the caller with `AskError::Actor(Panic)`.
    reply: Option<Reply<A::Response>>,
    /// The waker registered with the system queue.
    system_waker: Option<Waker>,
    /// Per-message metric handles (`metrics` feature; zero-sized without it).
    meters: metering::Meters,
    /// A mailbox message taken just as a system item (or a priority message) arrived; it runs
    /// after them.
    deferred: Option<Envelope<A>>,
}

/// The receiving ends of the mailbox and of the priority lane, kept together so the receive
/// loop reaches both through one reference.
struct Lanes<A: Actor> {
    mailbox: mpsc::Receiver<Envelope<A>>,
    /// The priority lane (§9.3), if configured: read before the mailbox.
    priority: Option<mpsc::Receiver<Envelope<A>>>,
}

/// Owns one incarnation. If it is dropped before `run` finished (`Kill`, runtime shutdown), its
/// `Drop` runs the Kill path: no hooks, children killed, then the exit steps.
pub(crate) struct ActorTask<A: Actor> {
    live: Option<Live<A>>,
    plan: Option<ExitPlan>,
    /// The task was polled (counted in the `alive` gauge); `metrics` feature only.
    #[cfg(feature = "metrics")]
    counted: bool,
}

enum Next<A: Actor> {
    Mail(Envelope<A>),
    System(SystemMsg),
}

/// Whether the stop sequence runs `on_stopped`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hooks {
    Run,
    Skip,
}

impl<A: Actor> ActorTask<A> {
    pub(crate) fn new(
        actor: A,
        ctx: ActorContext<A>,
        mailbox: mpsc::Receiver<Envelope<A>>,
        priority: Option<mpsc::Receiver<Envelope<A>>>,
        plan: ExitPlan,
    ) -> Self {
        let live = Live {
            actor,
            ctx,
            lanes: Lanes { mailbox, priority },
            reply: None,
            system_waker: None,
            deferred: None,
            meters: metering::Meters::new::<A>(),
        };
        ActorTask {
            live: Some(live),
            plan: Some(plan),
            #[cfg(feature = "metrics")]
            counted: false,
        }
    }

    /// The whole life of the incarnation.
    ///
    /// Written as a function returning an `async move` block (not an `async fn` taking `self`),
    /// so the task's future holds `self` once instead of twice.
    #[allow(clippy::manual_async_fn)] // deliberate, see above
    pub(crate) fn run(mut self) -> impl Future<Output = ()> + Send {
        async move {
            metering::born::<A>();
            #[cfg(feature = "metrics")]
            {
                self.counted = true;
            }
            let (Some(live), Some(plan)) = (self.live.as_mut(), self.plan.as_mut()) else {
                return;
            };
            let reason = live.lifecycle(plan).await;
            metering::died::<A>(&reason);
            // Drop the actor value before publishing the exit, so `wait_stopped` means "released".
            self.live = None;
            if let Some(plan) = self.plan.take() {
                drop(Finalizer { plan, reason });
            }
        }
    }
}

impl<A: Actor> Drop for ActorTask<A> {
    fn drop(&mut self) {
        // Only reached with a plan left when the task was aborted (Kill) or dropped by its runtime.
        let Some(plan) = self.plan.take() else { return };
        #[cfg(feature = "metrics")]
        if self.counted {
            metering::died::<A>(&StopReason::Kill);
        }
        let mut children = Vec::new();
        if let Some(mut live) = self.live.take() {
            live.close_mailbox();
            live.ctx.stop_sources();
            children = live.ctx.take_children_for_kill();
            drop(live);
        }
        kill_children(
            children,
            Finalizer {
                plan,
                reason: StopReason::Kill,
            },
        );
    }
}

impl<A: Actor> Live<A> {
    async fn lifecycle(&mut self, plan: &mut ExitPlan) -> StopReason {
        // Start-up and the stop sequence are boxed: they run once, and keeping their state out
        // of the task's future keeps every idle actor small.
        // Every hook runs in `start`, `serve` or `stop_sequence`; each is polled marked as this
        // actor's code, so a request on its own handle is refused (`AskError::SelfAsk`).
        let address = self.ctx.address();
        let started = current::polled_as(address, Box::pin(self.start()).as_mut()).await;
        if let Err(e) = started {
            return Box::pin(self.stop_sequence(StopReason::Failure(e), Hooks::Skip)).await;
        }
        self.ctx.status = ActorStatus::Running;
        telemetry::started(self.ctx.actor_id());
        if let Some(link) = &plan.parent {
            let notice = ChildNotice::Started {
                slot: link.slot.clone(),
                incarnation: link.incarnation,
                control: plan.control.clone(),
            };
            let _ = link.parent.core().send_system(SystemMsg::child(notice));
        }
        if let Some(startup) = plan.startup.take() {
            let _ = startup.send(Ok(()));
        }
        let served = {
            let mut serving = pin!(self.serve());
            poll_fn(|cx| current::as_actor(address, || poll_caught(serving.as_mut(), cx))).await
        };
        let reason = match served {
            Ok(reason) => reason,
            Err(panic) => {
                // Only `handle` runs unguarded inside `serve`: this is a handler panic.
                if let ActorError::Panic(message) = &panic {
                    telemetry::panicked(self.ctx.actor_id(), message);
                }
                metering::panicked::<A>();
                if let Some(reply) = self.reply.take() {
                    let _ = reply.send(Err(Box::new(panic.clone())));
                }
                StopReason::Failure(panic)
            }
        };
        current::polled_as(
            address,
            Box::pin(self.stop_sequence(reason, Hooks::Run)).as_mut(),
        )
        .await
    }

    async fn start(&mut self) -> Result<(), ActorError> {
        caught(self.actor.pre_start(&mut self.ctx)).await.flat()?;
        caught(self.actor.on_started(&mut self.ctx)).await.flat()
    }

    /// The next system item or mailbox message; system items first (§7), then the priority
    /// lane if there is one (§9.3).
    async fn next(&mut self) -> Next<A> {
        let queue = &self.ctx.core().system;
        let lanes = &mut self.lanes;
        let system_waker = &mut self.system_waker;
        let deferred = &mut self.deferred;
        poll_fn(|cx| {
            if queue.is_pending() {
                if let Some(msg) = queue.pop() {
                    return Poll::Ready(Next::System(msg));
                }
            }
            // The only cost of the lane for an actor without one: this check.
            if let Some(lane) = &mut lanes.priority {
                return poll_with_lane(queue, lane, &mut lanes.mailbox, deferred, system_waker, cx);
            }
            if let Some(envelope) = deferred.take() {
                return Poll::Ready(Next::Mail(envelope));
            }
            if let Poll::Ready(Some(envelope)) = lanes.mailbox.poll_recv(cx) {
                // A system item pushed before this message was enqueued must still overtake it.
                // (`system_first`, written out: the call costs ~10 instructions per message.)
                if queue.is_pending() {
                    if let Some(msg) = queue.pop() {
                        *deferred = Some(envelope);
                        return Poll::Ready(Next::System(msg));
                    }
                }
                return Poll::Ready(Next::Mail(envelope));
            }
            park(queue, cx.waker(), system_waker)
        })
        .await
    }

    /// The receive loop; returns the committed stop reason. A panic in `handle` unwinds out of
    /// it (caught by `lifecycle`); every other hook it calls is guarded individually.
    async fn serve(&mut self) -> StopReason {
        loop {
            let mut envelope = match self.next().await {
                Next::System(msg) => match Box::pin(self.on_system(msg)).await {
                    Some(reason) => return reason,
                    None => continue,
                },
                Next::Mail(envelope) => envelope,
            };
            metering::dequeued(&self.meters, &envelope, &self.ctx);
            #[allow(clippy::let_unit_value)] // `()` without the `tracing` feature
            let caller = telemetry::caller(&mut envelope);
            let msg = match envelope.payload {
                Payload::Tell(msg) => msg,
                Payload::Ask(msg, reply) => {
                    self.reply = Some(reply);
                    msg
                }
                Payload::Timer(msg, timer) if self.ctx.feeds.admit(timer, false) => msg,
                Payload::Stream { msg, stream, last } if self.ctx.feeds.admit(stream, last) => msg,
                Payload::Piped(msg, task) if self.ctx.feeds.admit(task, true) => msg,
                Payload::StreamFailure(failure) => match self.stream_failed(*failure) {
                    Some(reason) => return reason,
                    None => continue,
                },
                // A message of a cancelled timer, stream or pipe: skipped silently.
                Payload::Timer(..) | Payload::Stream { .. } | Payload::Piped(..) => continue,
            };
            #[allow(clippy::let_unit_value)] // `()` without the `metrics` feature
            let started = metering::start();
            let result =
                telemetry::in_message_span(caller, self.actor.handle(msg, &mut self.ctx)).await;
            metering::handled(&self.meters, started, result.is_ok());
            match (result, self.reply.take()) {
                (Ok(response), Some(reply)) => {
                    let _ = reply.send(Ok(response));
                }
                (Ok(_), None) => {}
                (Err(e), Some(reply)) => {
                    let _ = reply.send(Err(Box::new(e.clone())));
                    return StopReason::Failure(e);
                }
                (Err(e), None) => {
                    if let Some(reason) = self.report_failure(e) {
                        return reason;
                    }
                }
            }
        }
    }

    fn stream_failed(
        &mut self,
        (stream, error, last): (u64, ActorError, bool),
    ) -> Option<StopReason> {
        if self.ctx.feeds.admit(stream, last) {
            self.report_failure(error)
        } else {
            None
        }
    }

    /// Hands an error to `handle_failure`; a panic there stops the actor.
    fn report_failure(&mut self, error: ActorError) -> Option<StopReason> {
        let actor = &mut self.actor;
        caught_sync(move || actor.handle_failure(error))
            .err()
            .map(StopReason::Failure)
    }

    async fn on_system(&mut self, msg: SystemMsg) -> Option<StopReason> {
        match msg {
            SystemMsg::Stop(reason) => self.on_stop_signal(*reason).await,
            SystemMsg::Status(reply) => {
                let _ = reply.send(self.ctx.status_info());
                None
            }
            SystemMsg::Child(notice) => {
                let outcome = self.ctx.on_child_notice(*notice);
                for event in &outcome.events {
                    if let Some(reason) = self.child_stopped(event).await {
                        // A decided budget exhaustion stays the reason the parent sees.
                        return Some(outcome.stop.unwrap_or(reason));
                    }
                }
                outcome.stop
            }
        }
    }

    async fn on_stop_signal(&mut self, reason: StopReason) -> Option<StopReason> {
        match reason {
            StopReason::Graceful | StopReason::ParentRequest => {
                match caught(self.actor.pre_stop(&reason, &mut self.ctx)).await {
                    Ok(true) => Some(reason),
                    Ok(false) => None,
                    Err(panic) => Some(StopReason::Failure(panic)),
                }
            }
            StopReason::Kill => {
                self.ctx.core().kill();
                None
            }
            other => Some(other),
        }
    }

    async fn child_stopped(&mut self, event: &ChildEvent) -> Option<StopReason> {
        match caught(self.actor.on_child_stopped(event, &mut self.ctx)).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => self.report_failure(e),
            Err(panic) => Some(StopReason::Failure(panic)),
        }
    }

    /// Steps 1–3 of §4.3: close the mailbox, cancel timers and streams, run `on_stopped`,
    /// stop the children. Returns the final reason.
    async fn stop_sequence(&mut self, reason: StopReason, hooks: Hooks) -> StopReason {
        self.close_mailbox();
        self.ctx.stop_sources();
        self.ctx.status = ActorStatus::Stopping;
        let reason = if hooks == Hooks::Run {
            match caught(self.actor.on_stopped(&reason, &mut self.ctx))
                .await
                .flat()
            {
                Ok(()) => reason,
                Err(e) => StopReason::Failure(e),
            }
        } else {
            reason
        };
        self.ctx.stop_children().await;
        reason
    }

    /// Closes the mailbox and the priority lane: waiting and later senders get `Closed`; queued
    /// messages of both are dropped unhandled, so their `send` callers get `ResponseDropped`.
    fn close_mailbox(&mut self) {
        let lanes = &mut self.lanes;
        lanes.mailbox.close();
        if let Some(lane) = &mut lanes.priority {
            lane.close();
        }
        let deferred = &mut self.deferred;
        // Marked as discarding: a reply port inside a dropped message means `ResponseDropped`.
        current::discarding(|| {
            *deferred = None;
            while lanes.mailbox.try_recv().is_ok() {}
            if let Some(lane) = &mut lanes.priority {
                while lane.try_recv().is_ok() {}
            }
        });
    }
}

/// `Live::next` for an actor with a priority lane, once no system item is pending: the oldest
/// priority message, else the oldest mailbox message. Kept out of line so the lane-less loop
/// stays as it was.
#[inline(never)]
fn poll_with_lane<A: Actor>(
    queue: &SystemQueue,
    lane: &mut mpsc::Receiver<Envelope<A>>,
    mailbox: &mut mpsc::Receiver<Envelope<A>>,
    deferred: &mut Option<Envelope<A>>,
    system_waker: &mut Option<Waker>,
    cx: &mut Context<'_>,
) -> Poll<Next<A>> {
    if let Poll::Ready(Some(envelope)) = lane.poll_recv(cx) {
        return Poll::Ready(Next::Mail(envelope));
    }
    if let Some(envelope) = deferred.take() {
        return Poll::Ready(Next::Mail(envelope));
    }
    if let Poll::Ready(Some(envelope)) = mailbox.poll_recv(cx) {
        // A priority message enqueued before this message must overtake it too. `poll_recv`,
        // not `try_recv`: the latter parks the thread while a send is half done.
        if !queue.is_pending() {
            if let Poll::Ready(Some(urgent)) = lane.poll_recv(cx) {
                *deferred = Some(envelope);
                return Poll::Ready(Next::Mail(urgent));
            }
        }
        return Poll::Ready(system_first(queue, envelope, deferred));
    }
    park(queue, cx.waker(), system_waker)
}

/// A mailbox message just taken: if a system item arrived meanwhile, it goes first and the
/// message waits in `deferred` (a system item pushed before the message was enqueued must
/// overtake it, §7).
#[inline(always)]
fn system_first<A: Actor>(
    queue: &SystemQueue,
    envelope: Envelope<A>,
    deferred: &mut Option<Envelope<A>>,
) -> Next<A> {
    if queue.is_pending() {
        if let Some(msg) = queue.pop() {
            *deferred = Some(envelope);
            return Next::System(msg);
        }
    }
    Next::Mail(envelope)
}

/// Parking with an empty mailbox (the channels hold our waker now): make sure a system item
/// pushed from now on wakes us too, then look again.
#[inline(always)]
fn park<A: Actor>(queue: &SystemQueue, waker: &Waker, cached: &mut Option<Waker>) -> Poll<Next<A>> {
    queue.register(waker, cached);
    match queue.is_pending().then(|| queue.pop()).flatten() {
        Some(msg) => Poll::Ready(Next::System(msg)),
        None => Poll::Pending,
    }
}

#[cfg(test)]
mod footprint {
    //! Guards the per-actor memory footprint (issue: idle actors must stay small).

    use std::mem::size_of_val;
    use std::sync::Arc;

    use super::{ActorTask, ExitPlan};
    use crate::actor::handle::{ActorHandle, HandleInner};
    use crate::actor::runtime::core::Core;
    use crate::{Actor, ActorContext, ActorId, ActorResult, ActorSystem};

    struct Tiny;
    impl Actor for Tiny {
        type Message = u64;
        type Response = u64;
        async fn handle(&mut self, m: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
            Ok(m)
        }
    }

    #[test]
    fn an_idle_actor_stays_small() {
        assert!(std::mem::size_of::<HandleInner<Tiny>>() <= 256);
        assert!(std::mem::size_of::<ActorContext<Tiny>>() <= 96);
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let core = Core::new(ActorId::from("footprint"), None, 1);
        let handle = ActorHandle::from_inner(Arc::new(HandleInner {
            mailbox: tx,
            priority: None,
            core,
        }));
        let ctx = ActorContext::new(handle.clone(), ActorSystem::default(), None, false);
        let plan = ExitPlan {
            control: handle.control(),
            registration: None,
            parent: None,
            startup: None,
        };
        let task = ActorTask::new(Tiny, ctx, rx, None, plan).run();
        let size = size_of_val(&task);
        // Default features: 640. `metrics` adds five metric handles per actor; `tracing` the
        // sender's span and the `message` span around each handler call.
        let limit = 640
            + 128 * usize::from(cfg!(feature = "metrics"))
            + 128 * usize::from(cfg!(feature = "tracing"));
        assert!(
            size <= limit,
            "the task future of a trivial actor grew to {size} bytes"
        );
    }
}
