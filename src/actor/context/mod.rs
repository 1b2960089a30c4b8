//! [`ActorContext`]: what an actor can do from inside its hooks: identity, status, timers,
//! streams and children.

mod children;
mod feeds;
mod streams;
mod timers;

use std::sync::Arc;

pub use children::ChildSpawnBuilder;
pub(crate) use feeds::Feeds;
pub use timers::{OneShotSchedule, RecurringScheduleBuilder, ScheduleBuilder};

use crate::actor::handle::ActorHandle;
use crate::actor::runtime::core::{ActorControl, Core};
use crate::actor::supervision::{ChildNotice, NoticeOutcome, SupervisionConfig, Supervisor};
use crate::actor::Actor;
use crate::error::{StreamError, SupervisionError, TimerError};
use crate::system::ActorSystem;
use crate::types::{
    ActorId, ActorStatus, ActorStatusInfo, ChildInfo, RecurringId, StreamEvent, StreamId,
};

/// The actor's view of itself, passed to every hook. Created by the runtime only.
///
/// | area | methods |
/// |---|---|
/// | identity | [`actor_id`](Self::actor_id), [`actor_name`](Self::actor_name), [`self_handle`](Self::self_handle), [`status`](Self::status) |
/// | timers | [`schedule`](Self::schedule), [`cancel_timer`](Self::cancel_timer), [`cancel_all_timers`](Self::cancel_all_timers), [`active_timer_count`](Self::active_timer_count) |
/// | streams | [`add_stream`](Self::add_stream), [`cancel_stream`](Self::cancel_stream), [`cancel_all_streams`](Self::cancel_all_streams), [`active_stream_count`](Self::active_stream_count) |
/// | children | [`spawn_child`](Self::spawn_child), [`children`](Self::children), [`stop_child`](Self::stop_child) |
pub struct ActorContext<A: Actor> {
    handle: ActorHandle<A>,
    pub(crate) status: ActorStatus,
    system: Arc<ActorSystem>,
    pub(crate) timers: Feeds,
    pub(crate) streams: Feeds,
    pub(crate) supervisor: Option<Box<Supervisor>>,
}

impl<A: Actor> ActorContext<A> {
    pub(crate) fn new(
        handle: ActorHandle<A>,
        system: Arc<ActorSystem>,
        supervision: Option<SupervisionConfig>,
        tracked: bool,
    ) -> Self {
        ActorContext {
            handle,
            status: ActorStatus::Initializing,
            system,
            timers: Feeds::default(),
            streams: Feeds::default(),
            supervisor: supervision.map(|config| Box::new(Supervisor::new(config, tracked))),
        }
    }

    pub(crate) fn core(&self) -> &Core {
        self.handle.core()
    }

    pub(crate) fn control(&self) -> Arc<dyn ActorControl> {
        self.handle.control()
    }

    pub(crate) fn system(&self) -> &Arc<ActorSystem> {
        &self.system
    }

    /// This actor's id (equal to `self_handle().id()`).
    pub fn actor_id(&self) -> &ActorId {
        self.handle.id()
    }

    /// This actor's name, `None` for anonymous actors.
    pub fn actor_name(&self) -> Option<&String> {
        self.handle.core().name.as_ref()
    }

    /// A handle to this incarnation, equal to every external handle of it.
    ///
    /// Calling `send` on it from inside a hook deadlocks (the actor would wait for itself);
    /// `notify` and `stop` are fine.
    pub fn self_handle(&self) -> ActorHandle<A> {
        self.handle.clone()
    }

    /// `Initializing` in `pre_start`/`on_started`, `Running` in `handle`, `pre_stop` and
    /// `on_child_stopped`, `Stopping` in `on_stopped`.
    pub fn status(&self) -> ActorStatus {
        self.status
    }

    /// Schedules `message` to be delivered through the mailbox later: chain `.after(d)`,
    /// `.at(instant)` or `.every(interval)` and await. See [`ScheduleBuilder`].
    pub fn schedule(&mut self, message: A::Message) -> ScheduleBuilder<'_, A> {
        ScheduleBuilder::new(self, message)
    }

    /// Cancels a timer: no message of it reaches `handle` afterwards, even ones already queued.
    /// `Err(NotFound)` for an unknown, cancelled or already-fired one-shot id.
    pub fn cancel_timer(&mut self, id: RecurringId) -> Result<(), TimerError> {
        if self.timers.cancel(id.0) {
            Ok(())
        } else {
            Err(TimerError::NotFound)
        }
    }

    /// Cancels every timer of this actor.
    pub fn cancel_all_timers(&mut self) {
        self.timers.cancel_all();
    }

    /// Timers registered and not cancelled; a one-shot stops counting when its message is
    /// dispatched to `handle`.
    pub fn active_timer_count(&self) -> usize {
        self.timers.len()
    }

    /// Feeds a stream into the mailbox: each item arrives as `StreamEvent::Data(item)` (converted
    /// with `From`), then one `StreamEvent::Finished`. Items wait for mailbox space, so
    /// backpressure reaches the stream. Returns at once.
    pub fn add_stream<S>(&mut self, stream: S) -> StreamId
    where
        S: futures_core::Stream + Send + Unpin + 'static,
        S::Item: Send + 'static,
        A::Message: From<StreamEvent<S::Item>>,
    {
        streams::attach::<A, S>(&mut self.streams, &self.handle.inner.mailbox, stream)
    }

    /// Cancels a stream: it is dropped promptly and none of its queued events reach `handle`.
    /// `Err(NotFound)` for an unknown, cancelled or finished id.
    pub fn cancel_stream(&mut self, id: StreamId) -> Result<(), StreamError> {
        if self.streams.cancel(id.0) {
            Ok(())
        } else {
            Err(StreamError::NotFound)
        }
    }

    /// Cancels every stream of this actor.
    pub fn cancel_all_streams(&mut self) {
        self.streams.cancel_all();
    }

    /// Streams attached and not yet finished (`Finished` dispatched) or cancelled.
    pub fn active_stream_count(&self) -> usize {
        self.streams.len()
    }

    /// The supervised children, in start order (empty for non-supervisors).
    pub fn children(&self) -> Vec<ChildInfo> {
        self.supervisor
            .as_ref()
            .map(|s| s.children())
            .unwrap_or_default()
    }

    /// Stops a child with its `Shutdown` policy and removes it (never restarted); returns once it
    /// has terminated. `on_child_stopped` then sees `Removed`.
    pub async fn stop_child(&mut self, child: impl Into<ActorId>) -> Result<(), SupervisionError> {
        let child = child.into();
        let me = self.control();
        match self.supervisor.as_mut() {
            None => Err(SupervisionError::NotASupervisor),
            Some(supervisor) => supervisor.stop_child(&child, &me).await,
        }
    }

    /// This incarnation's handle, without a clone.
    #[cfg(feature = "metrics")]
    pub(crate) fn self_handle_ref(&self) -> &ActorHandle<A> {
        &self.handle
    }

    /// A status snapshot (served between messages).
    pub(crate) fn status_info(&self) -> ActorStatusInfo {
        ActorStatusInfo {
            id: self.actor_id().clone(),
            name: self.actor_name().cloned(),
            status: self.status,
            mailbox_len: self.handle.mailbox_len(),
            mailbox_capacity: self.handle.mailbox_capacity(),
            priority_len: self.handle.priority_len(),
            priority_capacity: self.handle.priority_capacity(),
            child_count: self.supervisor.as_ref().map_or(0, |s| s.len()),
            timer_count: self.timers.len(),
            stream_count: self.streams.len(),
        }
    }

    /// Step 1 of a stop: cancel timers and streams; later ones are inert.
    pub(crate) fn stop_sources(&mut self) {
        self.timers.shut();
        self.streams.shut();
    }

    /// Step 3 of a stop: stop every child with its policy.
    pub(crate) async fn stop_children(&mut self) {
        if let Some(supervisor) = self.supervisor.as_mut() {
            supervisor.stop_all().await;
        }
    }

    /// The Kill path: every child incarnation (reverse start order) for the kill cascade.
    pub(crate) fn take_children_for_kill(&mut self) -> Vec<Arc<dyn ActorControl>> {
        self.supervisor
            .as_mut()
            .map(|s| s.take_for_kill())
            .unwrap_or_default()
    }

    /// Applies a child notice; returns the events for `on_child_stopped` and a stop, if any.
    pub(crate) fn on_child_notice(&mut self, notice: ChildNotice) -> NoticeOutcome {
        let control = self.control();
        match self.supervisor.as_mut() {
            Some(supervisor) => supervisor.on_notice(notice, &control, &self.system),
            None => NoticeOutcome::default(),
        }
    }
}
