//! The actor's task: start-up, the receive loop, and the first steps of a stop (close the
//! mailbox, cancel timers, streams and piped work, `on_stopped`, stop the children).
//!
//! The receive loop is kept lean because it is the hot path:
//! - the system channel gets priority with one atomic load per message (`SystemQueue`);
//! - an idle actor parks in one `poll_fn` on the mailbox, with the system queue holding its
//!   waker (no `select!`, no allocation, no lock);
//! - an actor with a priority lane takes a separate path after one `Option` check, so
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
use super::guard::{caught, caught_sync, contain_drop, poll_caught, Flatten};
use super::lanes::{Lanes, PriorityLane};
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

/// How the receive loop ended.
enum Served {
    /// A committed stop reason.
    Stop(StopReason),
    /// A `Graceful` or `ParentRequest` stop signal: `pre_stop` may still veto it.
    Signal(StopReason),
}

/// What the receive loop does after a system item.
enum SystemAction {
    Continue,
    Return(Served),
    /// A Kill was accepted: wait for the abort.
    Killed,
    /// A notice that runs a hook.
    Notice(SystemMsg),
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
    pub(crate) fn new(actor: A, ctx: ActorContext<A>, lanes: Lanes<A>, plan: ExitPlan) -> Self {
        let live = Live {
            actor,
            ctx,
            lanes,
            reply: None,
            system_waker: None,
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
            let mut reason = live.lifecycle(plan).await;
            // Every way out of `lifecycle` went through the stop sequence, which closed and
            // drained the lanes of an unsupervised actor.
            let drained = plan.parent.is_none();
            if live.ctx.core().kill_requested() {
                // A Kill accepted too late to cut the stop sequence short (a hook blocked its
                // thread) still wins: whoever killed the actor sees `Kill`.
                reason = StopReason::Kill;
            }
            metering::died::<A>(&reason);
            // The exit steps are armed before any user `Drop` runs, and the actor value is
            // dropped before they run (so `wait_stopped` means "released"). A panic in that
            // `Drop` is contained: it neither skips the exit steps nor changes the reason.
            let finalizer = self.plan.take().map(|plan| Finalizer::new(plan, reason));
            let keep_mailbox = finalizer.as_ref().is_some_and(Finalizer::keeps_mailbox);
            if let Some(live) = self.live.take() {
                live.release(keep_mailbox, drained);
            }
            drop(finalizer);
        }
    }
}

impl<A: Actor> Drop for ActorTask<A> {
    fn drop(&mut self) {
        // Only reached with a plan left when the task was aborted (Kill) or dropped by its runtime.
        let Some(plan) = self.plan.take() else { return };
        // Armed first: whatever user `Drop` code does below, the exit steps run.
        let finalizer = Finalizer::new(plan, StopReason::Kill);
        #[cfg(feature = "metrics")]
        if self.counted {
            metering::died::<A>(&StopReason::Kill);
        }
        let keep_mailbox = finalizer.keeps_mailbox();
        let mut children = Vec::new();
        if let Some(mut live) = self.live.take() {
            live.ctx.stop_sources();
            children = live.ctx.take_children_for_kill();
            live.release(keep_mailbox, false);
        }
        kill_children(children, finalizer);
    }
}

impl<A: Actor> Live<A> {
    /// The end of the incarnation: a supervised child that may be restarted parks its mailbox
    /// in its handle for the next incarnation; an actor ending for good closes and drains it
    /// unless `drained` (the stop sequence of an unsupervised actor did it already); then the
    /// actor value and the context are dropped, with a panic in a user `Drop` contained.
    fn release(self, keep_mailbox: bool, drained: bool) {
        let Live {
            actor,
            mut ctx,
            lanes,
            ..
        } = self;
        let me = ctx.address();
        ctx.watches.clear(me);
        if keep_mailbox {
            ctx.self_handle_ref().inner.park(lanes);
        } else if !drained {
            let mut lanes = lanes;
            lanes.close_and_drain();
        }
        contain_drop(actor);
        contain_drop(ctx);
    }

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
        self.ctx.core().restart_done();
        telemetry::started(self.ctx.actor_id());
        if let Some(link) = plan.parent.as_ref().filter(|link| link.announce_start) {
            let notice = ChildNotice::Started {
                slot: self.ctx.actor_id().clone(),
                incarnation: plan.tag,
                control: plan.control.clone(),
            };
            let _ = link.parent.core().send_system(SystemMsg::child(notice));
        }
        if let Some(startup) = plan.startup.take() {
            let _ = startup.send(Ok(()));
        }
        loop {
            let served = {
                let mut serving = pin!(self.serve());
                poll_fn(|cx| current::as_actor(address, || poll_caught(serving.as_mut(), cx))).await
            };
            // No `.await` inside this `match`: its scrutinee would stay in the task's future.
            let (reason, signal) = match served {
                Ok(Served::Stop(reason)) => (reason, false),
                Ok(Served::Signal(reason)) => (reason, true),
                Err(panic) => {
                    // Only `handle` runs unguarded inside `serve`: this is a handler panic.
                    if let ActorError::Panic(message) = &panic {
                        telemetry::panicked(self.ctx.actor_id(), message);
                    }
                    metering::panicked::<A>();
                    if let Some(reply) = self.reply.take() {
                        let _ = reply.send(Err(Box::new(panic.clone())));
                    }
                    (StopReason::Failure(panic), false)
                }
            };
            if signal {
                // `pre_stop` and the stop sequence share one box: one allocation per stop.
                let mut stopping = Box::pin(self.stop_on_signal(reason));
                match current::polled_as(address, stopping.as_mut()).await {
                    Some(reason) => return reason,
                    // Vetoed: back to the receive loop.
                    None => continue,
                }
            }
            let mut stopping = Box::pin(self.stop_sequence(reason, Hooks::Run));
            return current::polled_as(address, stopping.as_mut()).await;
        }
    }

    async fn start(&mut self) -> Result<(), ActorError> {
        caught(self.actor.pre_start(&mut self.ctx)).await.flat()?;
        caught(self.actor.on_started(&mut self.ctx)).await.flat()
    }

    /// The next system item or mailbox message: every pending system item first, then the
    /// priority lane if there is one, then the mailbox.
    async fn next(&mut self) -> Next<A> {
        let queue = &self.ctx.core().system;
        let Lanes {
            mailbox,
            priority,
            deferred,
        } = &mut self.lanes;
        let system_waker = &mut self.system_waker;
        poll_fn(|cx| {
            if queue.is_pending() {
                if let Some(msg) = queue.pop() {
                    return Poll::Ready(Next::System(msg));
                }
            }
            // The only cost of the lane for an actor without one: this check.
            if let Some(lane) = priority {
                return poll_with_lane(queue, lane, mailbox, deferred, system_waker, cx);
            }
            if let Some(envelope) = deferred.take() {
                return Poll::Ready(Next::Mail(envelope));
            }
            if let Poll::Ready(Some(envelope)) = mailbox.poll_recv(cx) {
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

    /// The receive loop; returns a committed stop reason, or a stop signal for `pre_stop` to
    /// decide. A panic in `handle` unwinds out of it (caught by `lifecycle`); every other hook
    /// it calls is guarded individually.
    async fn serve(&mut self) -> Served {
        loop {
            let mut envelope = match self.next().await {
                Next::System(msg) => {
                    // No `.await` inside this `match`: its scrutinee would stay in every idle
                    // actor's future.
                    let notice = match self.on_system(msg) {
                        SystemAction::Continue => continue,
                        SystemAction::Return(served) => return served,
                        SystemAction::Killed => None,
                        SystemAction::Notice(notice) => Some(notice),
                    };
                    let Some(notice) = notice else {
                        return killed().await;
                    };
                    match Box::pin(self.on_notice(notice)).await {
                        Some(reason) => return Served::Stop(reason),
                        None => continue,
                    }
                }
                Next::Mail(envelope) => envelope,
            };
            metering::dequeued(&mut self.meters, &envelope, &self.ctx);
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
                    Some(reason) => return Served::Stop(reason),
                    None => continue,
                },
                // A message of a cancelled timer, stream or pipe: skipped silently.
                Payload::Timer(..) | Payload::Stream { .. } | Payload::Piped(..) => continue,
            };
            #[allow(clippy::let_unit_value)] // `()` without the `metrics` feature
            let started = metering::start();
            let result =
                telemetry::in_message_span(caller, self.actor.handle(msg, &mut self.ctx)).await;
            metering::handled(&mut self.meters, started, result.is_ok());
            match (result, self.reply.take()) {
                (Ok(response), Some(reply)) => {
                    let _ = reply.send(Ok(response));
                }
                (Ok(_), None) => {}
                (Err(e), Some(reply)) => {
                    let _ = reply.send(Err(Box::new(e.clone())));
                    return Served::Stop(StopReason::Failure(e));
                }
                (Err(e), None) => {
                    if let Some(reason) = self.report_failure(e) {
                        return Served::Stop(reason);
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

    /// A system item. Stop signals, kill markers and status requests are settled here, without
    /// a future of their own (the receive loop is part of every idle actor); items that run a
    /// hook are handed back for the boxed [`on_notice`](Self::on_notice).
    fn on_system(&mut self, msg: SystemMsg) -> SystemAction {
        match msg {
            // An accepted Kill: no further hook or message runs; the abort drops this task at
            // its next `Pending`.
            SystemMsg::Kill if self.ctx.core().kill_requested() => SystemAction::Killed,
            // A marker of a Kill spent on an earlier incarnation.
            SystemMsg::Kill => SystemAction::Continue,
            SystemMsg::Stop(reason) => self.on_stop_signal(*reason),
            SystemMsg::Graceful => self.on_stop_signal(StopReason::Graceful),
            SystemMsg::ParentStop(tag) if tag == self.ctx.core().current_tag() => {
                self.on_stop_signal(StopReason::ParentRequest)
            }
            // Addressed to an earlier incarnation.
            SystemMsg::ParentStop(_) => SystemAction::Continue,
            SystemMsg::Status(reply) => {
                let _ = reply.send(self.ctx.status_info());
                SystemAction::Continue
            }
            notice => SystemAction::Notice(notice),
        }
    }

    /// A death-watch notice or a child notice: runs `on_watched_stopped` or
    /// `on_child_stopped`; returns a committed stop reason, if any.
    async fn on_notice(&mut self, msg: SystemMsg) -> Option<StopReason> {
        match msg {
            SystemMsg::Watched(event) => {
                // Only for a watch still held (not after `unwatch`, nor from an earlier
                // incarnation's watch).
                if !self.ctx.watches.admit(&event.id) {
                    return None;
                }
                match caught(self.actor.on_watched_stopped(*event, &mut self.ctx)).await {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => self.report_failure(e),
                    Err(panic) => Some(StopReason::Failure(panic)),
                }
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
            // Settled by `on_system`.
            SystemMsg::Kill
            | SystemMsg::Stop(_)
            | SystemMsg::Graceful
            | SystemMsg::ParentStop(_)
            | SystemMsg::Status(_) => None,
        }
    }

    /// A stop signal: a committed Kill wins; `Graceful` and `ParentRequest` go to `pre_stop`
    /// (run by `lifecycle`), any other reason is committed at once.
    fn on_stop_signal(&mut self, reason: StopReason) -> SystemAction {
        if self.ctx.core().kill_requested() {
            // A committed Kill wins over any stop queued before it.
            return SystemAction::Killed;
        }
        match reason {
            StopReason::Graceful | StopReason::ParentRequest => {
                SystemAction::Return(Served::Signal(reason))
            }
            StopReason::Kill => {
                self.ctx.core().kill();
                SystemAction::Continue
            }
            other => SystemAction::Return(Served::Stop(other)),
        }
    }

    /// `pre_stop` for a `Graceful` or `ParentRequest` stop signal, then, unless it vetoed, the
    /// stop sequence; `None` if vetoed. A panic in `pre_stop` stops the actor with `Failure`.
    async fn stop_on_signal(&mut self, reason: StopReason) -> Option<StopReason> {
        let reason = match caught(self.actor.pre_stop(&reason, &mut self.ctx)).await {
            Ok(true) => reason,
            Ok(false) => return None,
            Err(panic) => StopReason::Failure(panic),
        };
        Some(self.stop_sequence(reason, Hooks::Run).await)
    }

    async fn child_stopped(&mut self, event: &ChildEvent) -> Option<StopReason> {
        match caught(self.actor.on_child_stopped(event, &mut self.ctx)).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => self.report_failure(e),
            Err(panic) => Some(StopReason::Failure(panic)),
        }
    }

    /// The first steps of a stop: close the mailbox (unless a supervised child keeps it for
    /// its next incarnation), cancel timers, streams and piped work, run `on_stopped`,
    /// stop the children. Returns the final reason.
    async fn stop_sequence(&mut self, reason: StopReason, hooks: Hooks) -> StopReason {
        if self.ctx.core().kill_requested() {
            // A Kill accepted meanwhile wins: no `on_stopped`; the abort finishes the job.
            killed::<()>().await;
        }
        if !self.ctx.core().is_supervised() {
            // A supervised child keeps its mailbox for its next incarnation.
            self.lanes.close_and_drain();
        }
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
        if self.ctx.is_supervisor() {
            // Boxed: a supervisor's stop is a large future most actors never need.
            Box::pin(self.ctx.stop_children()).await;
        }
        reason
    }
}

/// `Live::next` for an actor with a priority lane, once no system item is pending: the oldest
/// priority message, else the oldest mailbox message. Kept out of line so the lane-less loop
/// stays as it was.
#[inline(never)]
fn poll_with_lane<A: Actor>(
    queue: &SystemQueue,
    lane: &mut PriorityLane<A>,
    mailbox: &mut mpsc::Receiver<Envelope<A>>,
    deferred: &mut Option<Envelope<A>>,
    system_waker: &mut Option<Waker>,
    cx: &mut Context<'_>,
) -> Poll<Next<A>> {
    if let Some(urgent) = lane.stash.take() {
        return Poll::Ready(Next::Mail(urgent));
    }
    if let Poll::Ready(Some(urgent)) = lane.rx.poll_recv(cx) {
        // A system item pushed before this message was enqueued must overtake it.
        return Poll::Ready(system_first(queue, urgent, &mut lane.stash));
    }
    if let Some(envelope) = deferred.take() {
        return Poll::Ready(Next::Mail(envelope));
    }
    if let Poll::Ready(Some(envelope)) = mailbox.poll_recv(cx) {
        // A priority message enqueued before this message must overtake it too. `poll_recv`,
        // not `try_recv`: the latter parks the thread while a send is half done.
        if !queue.is_pending() {
            if let Poll::Ready(Some(urgent)) = lane.rx.poll_recv(cx) {
                *deferred = Some(envelope);
                return Poll::Ready(system_first(queue, urgent, &mut lane.stash));
            }
        }
        return Poll::Ready(system_first(queue, envelope, deferred));
    }
    park(queue, cx.waker(), system_waker)
}

/// A message just taken: if a system item arrived meanwhile, it goes first and the message
/// waits in `slot` (a system item pushed before the message was enqueued must overtake it).
#[inline(always)]
fn system_first<A: Actor>(
    queue: &SystemQueue,
    envelope: Envelope<A>,
    slot: &mut Option<Envelope<A>>,
) -> Next<A> {
    if queue.is_pending() {
        if let Some(msg) = queue.pop() {
            *slot = Some(envelope);
            return Next::System(msg);
        }
    }
    Next::Mail(envelope)
}

/// Where the task waits once a Kill was accepted: the abort drops the task at this `Pending`,
/// and its drop guard runs the Kill path. Nothing after it runs.
async fn killed<T>() -> T {
    std::future::pending().await
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

    use super::{ActorTask, ExitPlan, Lanes};
    use crate::actor::handle::{ActorHandle, HandleInner};
    use crate::actor::runtime::core::Core;
    use crate::{ActorContext, ActorId, ActorSystem};

    use crate::testing::Echo;

    #[test]
    fn an_idle_actor_stays_small() {
        // 240 keeps the handle's allocation (with the `Arc` counts) in the 256-byte class.
        assert!(std::mem::size_of::<HandleInner<Echo>>() <= 240);
        assert!(std::mem::size_of::<ActorContext<Echo>>() <= 96);
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let core = Core::new(ActorId::from("footprint"), None);
        let handle = ActorHandle::from_inner(Arc::new(HandleInner::new(tx, None, core)));
        let ctx = ActorContext::new(handle.clone(), ActorSystem::default(), None, false);
        let plan = ExitPlan {
            control: handle.control(),
            tag: 1,
            parent: None,
            startup: None,
        };
        let task = ActorTask::new(Echo, ctx, Lanes::new(rx, None), plan).run();
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
