//! The supervisor's state machine: child slots, incidents, restart sets, budget.
//!
//! Runs inside the supervisor's task between messages. Decisions come from the pure
//! functions in `decision`; the waiting (stopping siblings, starting new incarnations) runs in
//! background restart jobs (`restart`), which report back through the system channel.
//!
//! A slot is one child for its whole life: its handle (and mailbox) outlive incarnations.
//! Slots are kept in start order in a [`SlotTable`], with an index by id, so every operation
//! on one child is O(1) amortized in the number of children.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::decision::{backoff_delay, restart_set, should_restart, RestartBudget};
use super::restart::{run_restart_job, ChildStarter, RestartOrder};
use super::slots::{Identified, SlotTable};
use super::stopping::{retire, settle, terminate_when_idle, StopOrder, StopTarget};
use super::SupervisionConfig;
use crate::actor::runtime::core::{lock, next_tag, ActorControl, SystemMsg};
use crate::actor::runtime::exit::ParentLink;
use crate::actor::runtime::launch::LaunchSpec;
use crate::actor::runtime::ActorConfig;
use crate::actor::runtime::{metering, telemetry};
use crate::error::{ActorError, SupervisionError};
use crate::system::ActorSystem;
use crate::types::{
    ActorId, ChildEvent, ChildInfo, RestartStrategy, RestartType, StopReason, SupervisionAction,
};

/// News about a child, carried on the supervisor's system channel.
pub(crate) enum ChildNotice {
    /// Sent by a child incarnation when it reached `Running` (`incarnation` is its tag).
    Started {
        slot: ActorId,
        incarnation: u64,
        control: Arc<dyn ActorControl>,
    },
    /// Sent by a child incarnation as the last step of its stop sequence.
    Exited {
        slot: ActorId,
        incarnation: u64,
        reason: StopReason,
        control: Arc<dyn ActorControl>,
    },
    /// Sent by a restart job whose factory panicked or whose spawn failed.
    RestartFailed {
        slot: ActorId,
        incarnation: u64,
        reason: StopReason,
    },
    /// A `stop_child` finished; deliver its event between messages.
    Removed(ChildEvent),
}

/// What processing a notice asks the actor's task to do next.
#[derive(Default)]
pub(crate) struct NoticeOutcome {
    /// Events for `on_child_stopped`, in order.
    pub(crate) events: Vec<ChildEvent>,
    /// A stop the supervisor must commit to (budget exhausted).
    pub(crate) stop: Option<StopReason>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SlotState {
    /// Incarnation `tag` was started (it may have ended with its notice not processed yet).
    Alive,
    /// A replacement, incarnation `tag`, was decided and has not reached `Running` yet.
    Pending,
}

/// One child across all its incarnations.
pub(crate) struct Slot {
    spec: ChildSpec,
    /// The child itself: the same handle for every incarnation.
    pub(crate) control: Arc<dyn ActorControl>,
    /// The tag of the current incarnation (Alive) or of the expected one (Pending).
    pub(crate) tag: u64,
    state: SlotState,
    /// Since when the current incarnation has been running; `None` after an incident until a
    /// new incarnation reaches `Running` (for the backoff's quiet-time reset).
    running_since: Option<Instant>,
    /// Consecutive restarts, for the backoff.
    restarts_in_row: u32,
}

/// What `spawn_child` fixes for a slot's whole life.
pub(crate) struct ChildSpec {
    pub(crate) id: ActorId,
    pub(crate) name: Option<String>,
    pub(crate) restart_type: RestartType,
    pub(crate) shutdown: crate::types::Shutdown,
    pub(crate) config: ActorConfig,
    pub(crate) starter: Arc<dyn ChildStarter>,
}

impl ChildSpec {
    /// How to launch incarnation `tag` of this child under the supervisor `me` (a child is
    /// tracked iff its supervisor is, or it is named).
    pub(crate) fn launch_spec(
        &self,
        tag: u64,
        supervisor_tracked: bool,
        me: &Arc<dyn ActorControl>,
        system: &Arc<ActorSystem>,
    ) -> LaunchSpec {
        LaunchSpec {
            id: Some(self.id.clone()),
            name: self.name.clone(),
            config: self.config.clone(),
            system: system.clone(),
            tracked: supervisor_tracked || self.name.is_some(),
            has_tracked_parent: supervisor_tracked,
            incarnation: Some(tag),
            parent: Some(ParentLink {
                parent: me.clone(),
                restart_type: self.restart_type,
                announce_start: true,
            }),
        }
    }
}

impl Identified for Slot {
    fn id(&self) -> &ActorId {
        &self.spec.id
    }
}

impl Slot {
    /// A slot whose first incarnation has just started.
    pub(crate) fn new_alive(spec: ChildSpec, tag: u64, control: Arc<dyn ActorControl>) -> Self {
        Slot {
            spec,
            control,
            tag,
            state: SlotState::Alive,
            running_since: Some(Instant::now()),
            restarts_in_row: 0,
        }
    }

    fn event(&self, reason: StopReason, action: SupervisionAction) -> ChildEvent {
        ChildEvent {
            child_id: self.spec.id.clone(),
            child_name: self.spec.name.clone(),
            reason,
            action,
        }
    }

    /// The incarnation a stop of every child must stop for this slot: the current one, or for
    /// a slot pending restart the replacement already created (in `created`); `None` if none
    /// was launched.
    fn launched(&self, created: &HashSet<u64>) -> Option<StopOrder<'_>> {
        let launched = self.state == SlotState::Alive || created.contains(&self.tag);
        launched.then_some(StopOrder {
            control: &self.control,
            tag: Some(self.tag),
            shutdown: self.spec.shutdown,
        })
    }

    /// The incarnation to stop for this slot, if one was started.
    fn running_target(&self) -> Option<StopTarget> {
        (self.state == SlotState::Alive).then(|| StopTarget {
            control: self.control.clone(),
            tag: Some(self.tag),
            shutdown: self.spec.shutdown,
        })
    }
}

/// Restart work the supervisor's own stop must still find, shared with the restart jobs.
#[derive(Default)]
pub(crate) struct InFlight {
    /// Incarnations launched (by a job or a `spawn_child` in progress) whose `Started` notice
    /// has not been processed yet: `(tag, child)`.
    pub(crate) created: Vec<(u64, Arc<dyn ActorControl>)>,
    /// Pending incarnations `stop_child` cancelled before their job started them.
    pub(crate) cancelled: HashSet<u64>,
    /// Incarnations a job is stopping (group-restart members, Temporary siblings).
    pub(crate) retiring: Vec<StopTarget>,
    /// The supervisor is stopping: jobs start nothing any more.
    pub(crate) closed: bool,
}

impl InFlight {
    /// Forgets a created incarnation (acknowledged, failed, or handed over).
    pub(crate) fn acknowledge(&mut self, tag: u64) {
        self.created.retain(|(n, _)| *n != tag);
    }
}

/// A supervisor's state, kept in its context.
pub(crate) struct Supervisor {
    config: SupervisionConfig,
    /// Whether the supervisor itself is tracked by its home system.
    tracked: bool,
    /// Children in start order, indexed by id.
    slots: SlotTable<Slot>,
    budget: RestartBudget,
    jobs: Vec<AbortHandle>,
    in_flight: Arc<Mutex<InFlight>>,
    /// Children a `stop_child` in progress is stopping (their slot is already deleted), so
    /// a `Kill` or a stop that interrupts `stop_child` still finds them.
    stopping: Vec<Arc<dyn ActorControl>>,
}

impl Supervisor {
    pub(crate) fn new(config: SupervisionConfig, tracked: bool) -> Self {
        let budget = RestartBudget::new(config.max_restarts, config.restart_window);
        Supervisor {
            config,
            tracked,
            slots: SlotTable::default(),
            budget,
            jobs: Vec::new(),
            in_flight: Arc::default(),
            stopping: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn has_slot(&self, id: &ActorId) -> bool {
        self.slots.key_of(id).is_some()
    }

    /// A child by id (any incarnation; anonymous children included).
    pub(crate) fn child(&self, id: &ActorId) -> Option<Arc<dyn ActorControl>> {
        let key = self.slots.key_of(id)?;
        self.slots.get(key).map(|slot| slot.control.clone())
    }

    /// A fresh incarnation tag.
    pub(crate) fn next_incarnation(&mut self) -> u64 {
        next_tag()
    }

    /// Whether the supervisor itself is tracked by its home system.
    pub(crate) fn is_tracked(&self) -> bool {
        self.tracked
    }

    /// The start-order key of the slot expecting (or running) incarnation `tag` of child `id`.
    fn slot_key(&self, id: &ActorId, tag: u64) -> Option<u64> {
        let key = self.slots.key_of(id)?;
        (self.slots.get(key)?.tag == tag).then_some(key)
    }

    pub(crate) fn add_slot(&mut self, slot: Slot) {
        self.slots.insert(slot);
    }

    fn remove_slot(&mut self, key: u64) -> Option<Slot> {
        self.slots.remove(key)
    }

    /// The restart work shared with jobs (also used by `spawn_child` for its launch window).
    pub(crate) fn in_flight(&self) -> &Arc<Mutex<InFlight>> {
        &self.in_flight
    }

    pub(crate) fn children(&self) -> Vec<ChildInfo> {
        self.slots
            .values()
            .map(|s| ChildInfo {
                id: s.spec.id.clone(),
                name: s.spec.name.clone(),
                restart_type: s.spec.restart_type,
                shutdown: s.spec.shutdown,
                is_alive: s.state == SlotState::Alive && s.control.core().is_running(),
                restart_pending: s.state == SlotState::Pending,
            })
            .collect()
    }

    /// Applies one child notice.
    pub(crate) fn on_notice(
        &mut self,
        notice: ChildNotice,
        me: &Arc<dyn ActorControl>,
        system: &Arc<ActorSystem>,
    ) -> NoticeOutcome {
        match notice {
            ChildNotice::Started {
                slot,
                incarnation,
                control,
            } => {
                lock(&self.in_flight).acknowledge(incarnation);
                match self.slot_key(&slot, incarnation) {
                    Some(key) => {
                        if let Some(s) = self.slots.get_mut(key) {
                            if s.state == SlotState::Pending {
                                s.running_since = Some(Instant::now());
                            }
                            s.state = SlotState::Alive;
                        }
                    }
                    // An incarnation nobody wants any more (its slot was removed meanwhile,
                    // e.g. by a cancelled `spawn_child`).
                    // (its exit notice then terminates it for good).
                    None => control.core().kill_incarnation(incarnation),
                }
                NoticeOutcome::default()
            }
            ChildNotice::Exited {
                slot,
                incarnation,
                reason,
                control,
            } => {
                lock(&self.in_flight).acknowledge(incarnation);
                match self.slot_key(&slot, incarnation) {
                    Some(key) => self.incident(key, reason, me, system),
                    None => {
                        let slotted = self
                            .child(&slot)
                            .is_some_and(|current| Arc::ptr_eq(&current, &control));
                        if !slotted {
                            // No slot: nobody restarts it (an abandoned `stop_child`, a
                            // cancelled `spawn_child`, a dropped Temporary sibling).
                            self.stopping.retain(|c| !Arc::ptr_eq(c, &control));
                            control.terminate(reason);
                        }
                        NoticeOutcome::default()
                    }
                }
            }
            ChildNotice::RestartFailed {
                slot,
                incarnation,
                reason,
            } => {
                lock(&self.in_flight).acknowledge(incarnation);
                match self.slot_key(&slot, incarnation) {
                    Some(key) => self.incident(key, reason, me, system),
                    None => NoticeOutcome::default(),
                }
            }
            ChildNotice::Removed(event) => NoticeOutcome {
                events: vec![event],
                stop: None,
            },
        }
    }

    /// A current incarnation ended without the supervisor asking: decide and act.
    fn incident(
        &mut self,
        failed: u64,
        reason: StopReason,
        me: &Arc<dyn ActorControl>,
        system: &Arc<ActorSystem>,
    ) -> NoticeOutcome {
        let Some(slot) = self.slots.get(failed) else {
            return NoticeOutcome::default();
        };
        if !should_restart(slot.spec.restart_type, &reason) {
            return self.remove_for_good(failed, reason, SupervisionAction::Removed, None);
        }
        if !self.budget.try_charge(Instant::now()) {
            telemetry::budget_exhausted(&slot.spec.id, &reason);
            let stop =
                StopReason::Failure(ActorError::Supervision(SupervisionError::BudgetExhausted));
            return self.remove_for_good(
                failed,
                reason,
                SupervisionAction::BudgetExhausted,
                Some(stop),
            );
        }
        telemetry::restart_decided(&slot.spec.id, &reason);
        metering::restarted(slot.spec.starter.actor_type());
        let event = slot.event(reason, SupervisionAction::Restarted);
        let delay = self.backoff_for(failed);
        let mut stops = Vec::new();
        let mut orders = Vec::new();
        let mut dropped = Vec::new();
        let tracked = self.tracked;
        let members = self
            .slots
            .keys_in(restart_set(self.config.strategy, failed));
        for key in members {
            let is_failed = key == failed;
            let Some(slot) = self.slots.get_mut(key) else {
                continue;
            };
            if !is_failed && slot.state == SlotState::Pending {
                continue; // left to the restart already under way
            }
            if !is_failed {
                if let Some(target) = slot.running_target() {
                    stops.push((target, slot.spec.restart_type == RestartType::Temporary));
                }
                if slot.spec.restart_type == RestartType::Temporary {
                    dropped.push(key);
                    continue;
                }
            }
            let tag = next_tag();
            slot.tag = tag;
            slot.state = SlotState::Pending;
            orders.push(RestartOrder {
                starter: slot.spec.starter.clone(),
                spec: slot.spec.launch_spec(tag, tracked, me, system),
                incarnation: tag,
                control: slot.control.clone(),
            });
        }
        for key in dropped {
            self.remove_slot(key);
        }
        stops.reverse();
        lock(&self.in_flight)
            .retiring
            .extend(stops.iter().map(|(target, _)| target.clone()));
        self.jobs.retain(|job| !job.is_finished());
        let job = tokio::spawn(telemetry::in_current_span(run_restart_job(
            stops,
            delay,
            orders,
            self.in_flight.clone(),
            me.clone(),
        )));
        self.jobs.push(job.abort_handle());
        NoticeOutcome {
            events: vec![event],
            stop: None,
        }
    }

    /// Deletes a slot whose incarnation ended: the child terminates for good (its mailbox is
    /// closed, its name released, `wait_stopped` resolves).
    fn remove_for_good(
        &mut self,
        key: u64,
        reason: StopReason,
        action: SupervisionAction,
        stop: Option<StopReason>,
    ) -> NoticeOutcome {
        let Some(slot) = self.remove_slot(key) else {
            return NoticeOutcome::default();
        };
        slot.control.terminate(reason.clone());
        NoticeOutcome {
            events: vec![slot.event(reason, action)],
            stop,
        }
    }

    /// Counts a restart of slot `key` and returns how long to wait before it.
    fn backoff_for(&mut self, key: u64) -> Duration {
        let Some(backoff) = self.config.backoff else {
            return Duration::ZERO;
        };
        let Some(slot) = self.slots.get_mut(key) else {
            return Duration::ZERO;
        };
        if slot
            .running_since
            .take()
            .is_some_and(|since| since.elapsed() >= backoff.reset_after)
        {
            slot.restarts_in_row = 0;
        }
        slot.restarts_in_row = slot.restarts_in_row.saturating_add(1);
        backoff_delay(&backoff, slot.restarts_in_row, crate::rng::next_f64())
    }

    /// `ctx.stop_child`: remove the slot, cancel a pending restart, stop the running
    /// incarnation with the child's `Shutdown` policy; the child terminates for good.
    pub(crate) async fn stop_child(
        &mut self,
        id: &ActorId,
        me: &Arc<dyn ActorControl>,
    ) -> Result<(), SupervisionError> {
        let key = self
            .slots
            .key_of(id)
            .ok_or_else(|| SupervisionError::ChildNotFound(id.clone()))?;
        let Some(slot) = self.remove_slot(key) else {
            return Err(SupervisionError::ChildNotFound(id.clone()));
        };
        // The incarnation this call stops: the current one, or for a slot pending restart the
        // replacement its job already created (if none yet, the restart is cancelled instead:
        // the factory is not called).
        let target = match slot.state {
            SlotState::Alive => slot.running_target(),
            SlotState::Pending => {
                let mut in_flight = lock(&self.in_flight);
                let created = in_flight.created.iter().any(|(n, _)| *n == slot.tag);
                if !created {
                    in_flight.cancelled.insert(slot.tag);
                }
                created.then(|| StopTarget {
                    control: slot.control.clone(),
                    tag: Some(slot.tag),
                    shutdown: slot.spec.shutdown,
                })
            }
        };
        self.stopping.push(slot.control.clone());
        let reason = match target {
            Some(target) => retire(target).await,
            None => {
                // A group restart may still be stopping the previous incarnation.
                terminate_when_idle(&slot.control).await;
                StopReason::ParentRequest
            }
        };
        // Only this call's entry: a cancelled earlier `stop_child` keeps its own, so the
        // supervisor's stop still finds that child.
        if let Some(i) = self
            .stopping
            .iter()
            .position(|c| Arc::ptr_eq(c, &slot.control))
        {
            self.stopping.swap_remove(i);
        }
        let event = slot.event(reason, SupervisionAction::Removed);
        let _ = me
            .core()
            .send_system(SystemMsg::child(ChildNotice::Removed(event)));
        Ok(())
    }

    /// Closes the restart work, so no job starts anything from now on, and returns what a
    /// stop of every child must find outside the slots: children a `stop_child` or a restart
    /// job is stopping right now and created incarnations whose slot is gone or moved on
    /// (nobody wants them any more), plus the tags of all created incarnations (a slot pending
    /// restart whose replacement already runs).
    fn close_restart_work(&mut self) -> (Vec<StopTarget>, HashSet<u64>) {
        for job in &self.jobs {
            job.abort();
        }
        let mut in_flight = lock(&self.in_flight);
        in_flight.closed = true;
        let mut extras: Vec<StopTarget> = self
            .stopping
            .iter()
            .map(|control| StopTarget {
                control: control.clone(),
                tag: None,
                shutdown: crate::types::Shutdown::Kill,
            })
            .collect();
        extras.extend(in_flight.retiring.iter().cloned());
        for (tag, control) in &in_flight.created {
            let wanted = self
                .slots
                .key_of(&control.core().id)
                .and_then(|key| self.slots.get(key))
                .is_some_and(|slot| slot.tag == *tag);
            if !wanted {
                extras.push(StopTarget {
                    control: control.clone(),
                    tag: Some(*tag),
                    shutdown: crate::types::Shutdown::Kill,
                });
            }
        }
        let created = in_flight.created.iter().map(|(tag, _)| *tag).collect();
        (extras, created)
    }

    /// The supervisor's own stop: stop every child with its policy (no events); each child
    /// terminates for good. Extras first, then the slots in reverse start order; a
    /// SimpleOneForOne supervisor issues every stop first and then waits for each in turn (its
    /// children stop concurrently, each `Timeout` counted from when all stops were issued),
    /// the others stop one child at a time.
    pub(crate) async fn stop_all(&mut self, me: &Arc<dyn ActorControl>) {
        let (extras, created) = self.close_restart_work();
        // Every child terminates for good below, most of them by themselves as their
        // incarnation ends: no exit notices.
        me.core().set_reaping(true);
        let issued = (self.config.strategy == RestartStrategy::SimpleOneForOne).then(|| {
            for target in &extras {
                target.order().issue_final();
            }
            for slot in self.slots.values().rev() {
                if let Some(order) = slot.launched(&created) {
                    order.issue_final();
                }
            }
            Instant::now()
        });
        for target in &extras {
            settle(target.order(), issued).await;
            terminate_when_idle(&target.control).await;
        }
        // Each slot is dropped right after its child terminated, while it is in cache; the
        // others stay, so a `Kill` meanwhile still finds them.
        for key in (0..self.slots.end()).rev() {
            let Some(slot) = self.slots.get(key) else {
                continue;
            };
            if let Some(order) = slot.launched(&created) {
                settle(order, issued).await;
            }
            terminate_when_idle(&slot.control).await;
            self.slots.take(key);
        }
        self.slots.clear();
    }

    /// The Kill path: every child, for the kill cascade (extras first, then the slots in
    /// reverse start order).
    pub(crate) fn take_for_kill(&mut self) -> Vec<Arc<dyn ActorControl>> {
        let (extras, _) = self.close_restart_work();
        let mut children: Vec<_> = extras.into_iter().map(|target| target.control).collect();
        children.extend(
            self.slots
                .drain()
                .into_iter()
                .rev()
                .map(|slot| slot.control),
        );
        children
    }
}
