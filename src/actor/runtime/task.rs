//! The actor's task: start-up, the receive loop, and the stop sequence (§4.3 steps 1–3).
//!
//! The receive loop gives the system channel priority with one atomic load per message: a
//! system-channel push sets a flag, and only when the flag is set does the loop drain that
//! channel before taking the next mailbox message. When the mailbox is empty the loop parks on
//! both channels in one `poll_fn` (no `select!`, no allocation).

use std::future::poll_fn;
use std::task::Poll;

use tokio::sync::mpsc;

use super::core::SystemMsg;
use super::exit::{ExitPlan, Finalizer};
use super::guard::{caught, caught_sync, Flatten};
use super::mailbox::Envelope;
use super::telemetry;
use crate::actor::context::ActorContext;
use crate::actor::supervision::{kill_children, ChildNotice};
use crate::actor::Actor;
use crate::error::ActorError;
use crate::types::{ActorStatus, ChildEvent, StopReason};

/// The actor value and everything only its task touches.
pub(crate) struct Live<A: Actor> {
    actor: A,
    ctx: ActorContext<A>,
    mailbox: mpsc::Receiver<Envelope<A>>,
}

/// Owns one incarnation. If it is dropped before `run` finished (`Kill`, runtime shutdown), its
/// `Drop` runs the Kill path: no hooks, children killed, then the exit steps.
pub(crate) struct ActorTask<A: Actor> {
    live: Option<Live<A>>,
    system_rx: Option<mpsc::UnboundedReceiver<SystemMsg>>,
    plan: Option<ExitPlan>,
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
        system_rx: mpsc::UnboundedReceiver<SystemMsg>,
        plan: ExitPlan,
    ) -> Self {
        ActorTask {
            live: Some(Live {
                actor,
                ctx,
                mailbox,
            }),
            system_rx: Some(system_rx),
            plan: Some(plan),
        }
    }

    /// The whole life of the incarnation.
    pub(crate) async fn run(mut self) {
        let (Some(live), Some(system_rx), Some(plan)) = (
            self.live.as_mut(),
            self.system_rx.as_mut(),
            self.plan.as_mut(),
        ) else {
            return;
        };
        let reason = live.lifecycle(system_rx, plan).await;
        // Drop the actor value before publishing the exit, so `wait_stopped` means "released".
        self.live = None;
        if let Some(plan) = self.plan.take() {
            drop(Finalizer {
                plan,
                system_rx: self.system_rx.take(),
                reason,
            });
        }
    }
}

impl<A: Actor> Drop for ActorTask<A> {
    fn drop(&mut self) {
        // Only reached with a plan left when the task was aborted (Kill) or dropped by its runtime.
        let Some(plan) = self.plan.take() else { return };
        let mut children = Vec::new();
        if let Some(mut live) = self.live.take() {
            live.close_mailbox();
            live.ctx.stop_sources();
            children = live.ctx.take_children_for_kill();
            drop(live);
        }
        let finalizer = Finalizer {
            plan,
            system_rx: self.system_rx.take(),
            reason: StopReason::Kill,
        };
        kill_children(children, finalizer);
    }
}

impl<A: Actor> Live<A> {
    async fn lifecycle(
        &mut self,
        system_rx: &mut mpsc::UnboundedReceiver<SystemMsg>,
        plan: &mut ExitPlan,
    ) -> StopReason {
        if let Err(e) = self.start().await {
            return self
                .stop_sequence(StopReason::Failure(e), Hooks::Skip)
                .await;
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
        let reason = self.serve(system_rx).await;
        self.stop_sequence(reason, Hooks::Run).await
    }

    async fn start(&mut self) -> Result<(), ActorError> {
        caught(self.actor.pre_start(&mut self.ctx)).await.flat()?;
        caught(self.actor.on_started(&mut self.ctx)).await.flat()
    }

    /// The receive loop; returns the committed stop reason.
    async fn serve(&mut self, system_rx: &mut mpsc::UnboundedReceiver<SystemMsg>) -> StopReason {
        loop {
            if self.ctx.core().take_system_signal() {
                while let Ok(msg) = system_rx.try_recv() {
                    if let Some(reason) = self.on_system(msg).await {
                        return reason;
                    }
                }
            }
            let core = self.ctx.core();
            let mailbox = &mut self.mailbox;
            let next = poll_fn(|cx| {
                // A system item that arrived while the loop was parked must still overtake
                // the mailbox messages queued alongside it (§7).
                if core.system_signal_pending() {
                    if let Poll::Ready(Some(msg)) = system_rx.poll_recv(cx) {
                        return Poll::Ready(Next::System(msg));
                    }
                }
                if let Poll::Ready(Some(envelope)) = mailbox.poll_recv(cx) {
                    return Poll::Ready(Next::Mail(envelope));
                }
                match system_rx.poll_recv(cx) {
                    Poll::Ready(Some(msg)) => Poll::Ready(Next::System(msg)),
                    _ => Poll::Pending,
                }
            })
            .await;
            let stop = match next {
                Next::Mail(envelope) => self.dispatch(envelope).await,
                Next::System(msg) => self.on_system(msg).await,
            };
            if let Some(reason) = stop {
                return reason;
            }
        }
    }

    async fn dispatch(&mut self, envelope: Envelope<A>) -> Option<StopReason> {
        match envelope {
            Envelope::Tell(msg) => self.handle_one_way(msg).await,
            Envelope::Ask(msg, reply) => {
                match caught(self.actor.handle(msg, &mut self.ctx)).await.flat() {
                    Ok(response) => {
                        let _ = reply.send(Ok(response));
                        None
                    }
                    Err(e) => {
                        if let ActorError::Panic(message) = &e {
                            telemetry::panicked(self.ctx.actor_id(), message);
                        }
                        let _ = reply.send(Err(e.clone()));
                        Some(StopReason::Failure(e))
                    }
                }
            }
            Envelope::Timer(msg, timer) => {
                if self.ctx.timers.admit(timer) {
                    self.handle_one_way(msg).await
                } else {
                    None
                }
            }
            Envelope::StreamFailure(failure) => {
                let (stream, error) = *failure;
                if self.ctx.streams.is_active(stream) {
                    self.report_failure(error)
                } else {
                    None
                }
            }
            Envelope::Stream { msg, stream, last } => {
                if self.ctx.streams.admit(stream, last) {
                    self.handle_one_way(msg).await
                } else {
                    None
                }
            }
        }
    }

    /// A message nobody waits for: an `Err` goes to `handle_failure`, a panic stops the actor.
    async fn handle_one_way(&mut self, msg: A::Message) -> Option<StopReason> {
        match caught(self.actor.handle(msg, &mut self.ctx)).await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => self.report_failure(e),
            Err(panic) => {
                if let ActorError::Panic(message) = &panic {
                    telemetry::panicked(self.ctx.actor_id(), message);
                }
                Some(StopReason::Failure(panic))
            }
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

    /// Closes the mailbox: waiting and later senders get `Closed`; queued messages are dropped
    /// unhandled, so their `send` callers get `ResponseDropped`.
    fn close_mailbox(&mut self) {
        self.mailbox.close();
        while self.mailbox.try_recv().is_ok() {}
    }
}
