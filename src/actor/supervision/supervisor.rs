//! The supervisor's state machine: child slots, incidents, restart sets, budget (§5).
//!
//! Runs inside the supervisor's task between messages. Decisions come from the pure
//! functions in `decision`; the waiting (stopping siblings, starting new incarnations) runs in
//! background restart jobs (`restart`), which report back through the system channel.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::decision::{backoff_delay, restart_set, should_restart, RestartBudget};
use super::restart::{run_restart_job, ChildStarter, RestartOrder};
use super::stopping::stop_with_policy;
use super::SupervisionConfig;
use crate::actor::runtime::core::{lock, ActorControl, SystemMsg};
use crate::actor::runtime::exit::ParentLink;
use crate::actor::runtime::launch::LaunchSpec;
use crate::actor::runtime::ActorConfig;
use crate::actor::runtime::{metering, telemetry};
use crate::error::{ActorError, SupervisionError};
use crate::system::ActorSystem;
use crate::types::{
    ActorId, ChildEvent, ChildInfo, RestartStrategy, RestartType, Shutdown, StopReason,
    SupervisionAction,
};

/// News about a child, carried on the supervisor's system channel.
pub(crate) enum ChildNotice {
    /// Sent by a child incarnation when it reached `Running`.
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
    /// `incarnation` was started (it may have terminated with its notice not processed yet).
    Alive,
    /// A replacement, `incarnation`, was decided and has not reached `Running` yet.
    Pending,
}

/// Everything needed to run one child position across incarnations.
pub(crate) struct Slot {
    spec: ChildSpec,
    /// The current incarnation number (Alive) or the expected one (Pending).
    pub(crate) incarnation: u64,
    /// The latest incarnation that reached `Running`.
    pub(crate) current: Option<Arc<dyn ActorControl>>,
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
    pub(crate) shutdown: Shutdown,
    pub(crate) config: ActorConfig,
    pub(crate) starter: Arc<dyn ChildStarter>,
}

impl ChildSpec {
    /// How to launch incarnation `incarnation` of this child under the supervisor `me` (a
    /// child is tracked iff its supervisor is, or it is named, SPEC §3.7).
    pub(crate) fn launch_spec(
        &self,
        incarnation: u64,
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
            parent: Some(ParentLink {
                parent: me.clone(),
                slot: self.id.clone(),
                incarnation,
            }),
        }
    }
}

impl Slot {
    /// A slot whose first incarnation has just started.
    pub(crate) fn new_alive(
        spec: ChildSpec,
        incarnation: u64,
        control: Arc<dyn ActorControl>,
    ) -> Self {
        Slot {
            spec,
            incarnation,
            current: Some(control),
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
}

/// Restart work the supervisor's own stop must still find, shared with the restart jobs.
#[derive(Default)]
pub(crate) struct InFlight {
    /// Incarnations launched (by a job or a `spawn_child` in progress) whose `Started` notice
    /// has not been processed yet.
    pub(crate) created: Vec<(u64, Arc<dyn ActorControl>)>,
    /// Pending incarnations `stop_child` cancelled before their job started them.
    pub(crate) cancelled: HashSet<u64>,
    /// Incarnations a job is stopping (group-restart members, Temporary siblings).
    pub(crate) retiring: Vec<(Arc<dyn ActorControl>, Shutdown)>,
    /// The supervisor is stopping: jobs start nothing any more.
    pub(crate) closed: bool,
}

impl InFlight {
    /// Forgets a created incarnation (acknowledged, failed, or handed over).
    pub(crate) fn acknowledge(&mut self, incarnation: u64) {
        self.created.retain(|(n, _)| *n != incarnation);
    }
}

/// A supervisor's state, kept in its context.
pub(crate) struct Supervisor {
    config: SupervisionConfig,
    /// Whether the supervisor itself is tracked by its home system.
    tracked: bool,
    slots: Vec<Slot>,
    budget: RestartBudget,
    next_incarnation: u64,
    jobs: Vec<AbortHandle>,
    in_flight: Arc<Mutex<InFlight>>,
    /// Incarnations a `stop_child` in progress is stopping (their slot is already deleted), so
    /// a `Kill` that interrupts `stop_child` still finds them for the kill cascade.
    stopping: Vec<Arc<dyn ActorControl>>,
}

impl Supervisor {
    pub(crate) fn new(config: SupervisionConfig, tracked: bool) -> Self {
        let budget = RestartBudget::new(config.max_restarts, config.restart_window);
        Supervisor {
            config,
            tracked,
            slots: Vec::new(),
            budget,
            next_incarnation: 0,
            jobs: Vec::new(),
            in_flight: Arc::default(),
            stopping: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn has_slot(&self, id: &ActorId) -> bool {
        self.slots.iter().any(|s| &s.spec.id == id)
    }

    pub(crate) fn next_incarnation(&mut self) -> u64 {
        self.next_incarnation += 1;
        self.next_incarnation
    }

    /// Whether the supervisor itself is tracked by its home system.
    pub(crate) fn is_tracked(&self) -> bool {
        self.tracked
    }

    /// The slot running incarnation `incarnation` of child `id` (current or expected).
    fn slot_index(&self, id: &ActorId, incarnation: u64) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| &s.spec.id == id && s.incarnation == incarnation)
    }

    pub(crate) fn add_slot(&mut self, slot: Slot) {
        self.slots.push(slot);
    }

    /// The restart work shared with jobs (also used by `spawn_child` for its launch window).
    pub(crate) fn in_flight(&self) -> &Arc<Mutex<InFlight>> {
        &self.in_flight
    }

    pub(crate) fn children(&self) -> Vec<ChildInfo> {
        self.slots
            .iter()
            .map(|s| ChildInfo {
                id: s.spec.id.clone(),
                name: s.spec.name.clone(),
                restart_type: s.spec.restart_type,
                shutdown: s.spec.shutdown,
                is_alive: s.state == SlotState::Alive
                    && s.current.as_ref().is_some_and(|c| c.core().is_alive()),
                restart_pending: s.state == SlotState::Pending,
            })
            .collect()
    }

    /// Applies one child notice (§5.2).
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
                match self
                    .slot_index(&slot, incarnation)
                    .map(|i| &mut self.slots[i])
                {
                    Some(s) => {
                        if s.state == SlotState::Pending {
                            s.running_since = Some(Instant::now());
                        }
                        s.current = Some(control);
                        s.state = SlotState::Alive;
                    }
                    // An incarnation nobody wants any more (its slot was removed meanwhile).
                    None => control.core().kill(),
                }
                NoticeOutcome::default()
            }
            ChildNotice::Exited {
                slot,
                incarnation,
                reason,
            }
            | ChildNotice::RestartFailed {
                slot,
                incarnation,
                reason,
            } => {
                lock(&self.in_flight).acknowledge(incarnation);
                match self.slot_index(&slot, incarnation) {
                    Some(index) => self.incident(index, reason, me, system),
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
        index: usize,
        reason: StopReason,
        me: &Arc<dyn ActorControl>,
        system: &Arc<ActorSystem>,
    ) -> NoticeOutcome {
        if !should_restart(self.slots[index].spec.restart_type, &reason) {
            let slot = self.slots.remove(index);
            return NoticeOutcome {
                events: vec![slot.event(reason, SupervisionAction::Removed)],
                stop: None,
            };
        }
        if !self.budget.try_charge(Instant::now()) {
            let slot = self.slots.remove(index);
            telemetry::budget_exhausted(&slot.spec.id, &reason);
            return NoticeOutcome {
                events: vec![slot.event(reason, SupervisionAction::BudgetExhausted)],
                stop: Some(StopReason::Failure(ActorError::Supervision(
                    SupervisionError::BudgetExhausted,
                ))),
            };
        }
        telemetry::restart_decided(&self.slots[index].spec.id, &reason);
        metering::restarted(self.slots[index].spec.starter.actor_type());
        let event = self.slots[index].event(reason, SupervisionAction::Restarted);
        let delay = self.backoff_for(index);
        let failed_id = self.slots[index].spec.id.clone();
        let mut stops = Vec::new();
        let mut orders = Vec::new();
        let mut dropped = Vec::new();
        let tracked = self.tracked;
        for i in restart_set(self.config.strategy, index, self.slots.len()) {
            let is_failed = i == index;
            if !is_failed && self.slots[i].state == SlotState::Pending {
                continue; // left to the restart already under way (§5.2 step 7)
            }
            let incarnation = self.next_incarnation();
            let slot = &mut self.slots[i];
            if !is_failed {
                if let Some(current) = &slot.current {
                    stops.push((current.clone(), slot.spec.shutdown));
                }
                if slot.spec.restart_type == RestartType::Temporary {
                    dropped.push(slot.spec.id.clone());
                    continue;
                }
            }
            slot.incarnation = incarnation;
            slot.state = SlotState::Pending;
            let spec = slot.spec.launch_spec(incarnation, tracked, me, system);
            orders.push(RestartOrder {
                starter: slot.spec.starter.clone(),
                spec,
                incarnation,
            });
        }
        self.slots
            .retain(|s| !dropped.contains(&s.spec.id) || s.spec.id == failed_id);
        stops.reverse();
        lock(&self.in_flight).retiring.extend(stops.iter().cloned());
        self.jobs.retain(|job| !job.is_finished());
        let job = tokio::spawn(run_restart_job(
            stops,
            delay,
            orders,
            self.in_flight.clone(),
            me.clone(),
        ));
        self.jobs.push(job.abort_handle());
        NoticeOutcome {
            events: vec![event],
            stop: None,
        }
    }

    /// Counts a restart of slot `index` and returns how long to wait before it (§9.5).
    fn backoff_for(&mut self, index: usize) -> Duration {
        let Some(backoff) = self.config.backoff else {
            return Duration::ZERO;
        };
        let slot = &mut self.slots[index];
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

    /// `ctx.stop_child` (§5.6): remove the slot, cancel a pending restart, stop the incarnation.
    pub(crate) async fn stop_child(
        &mut self,
        id: &ActorId,
        me: &Arc<dyn ActorControl>,
    ) -> Result<(), SupervisionError> {
        let index = self
            .slots
            .iter()
            .position(|s| &s.spec.id == id)
            .ok_or_else(|| SupervisionError::ChildNotFound(id.clone()))?;
        let slot = self.slots.remove(index);
        // The incarnation this call stops: the current one, or for a slot pending restart the
        // replacement its job already created (if none yet, the restart is cancelled instead).
        let target = match slot.state {
            SlotState::Alive => slot.current.clone(),
            SlotState::Pending => {
                let mut in_flight = lock(&self.in_flight);
                let created = in_flight
                    .created
                    .iter()
                    .find(|(n, _)| *n == slot.incarnation)
                    .map(|(_, c)| c.clone());
                if created.is_none() {
                    in_flight.cancelled.insert(slot.incarnation);
                }
                created
            }
        };
        let mut reason = StopReason::ParentRequest;
        if let Some(target) = target {
            self.stopping.push(target.clone());
            reason = stop_with_policy(target.as_ref(), slot.spec.shutdown).await;
            // Only this call's entry: a cancelled earlier `stop_child` keeps its own, so the
            // supervisor's stop still finds that child.
            self.stopping.retain(|c| !Arc::ptr_eq(c, &target));
        }
        let event = slot.event(reason, SupervisionAction::Removed);
        let _ = me
            .core()
            .send_system(SystemMsg::child(ChildNotice::Removed(event)));
        Ok(())
    }

    /// Every incarnation to stop, newest first within a slot, slots in reverse start order.
    /// Closes the restart work first, so no job starts anything after this snapshot.
    fn stop_targets(&self) -> Vec<(Arc<dyn ActorControl>, Shutdown)> {
        for job in &self.jobs {
            job.abort();
        }
        let mut in_flight = lock(&self.in_flight);
        in_flight.closed = true;
        // Incarnations a `stop_child` or a restart job is stopping right now, and created
        // incarnations whose slot is gone or moved on: nobody wants them any more.
        let mut targets: Vec<_> = self
            .stopping
            .iter()
            .map(|control| (control.clone(), Shutdown::Kill))
            .collect();
        targets.extend(in_flight.retiring.iter().cloned());
        for (incarnation, control) in &in_flight.created {
            if !self.slots.iter().any(|s| s.incarnation == *incarnation) {
                targets.push((control.clone(), Shutdown::Kill));
            }
        }
        for slot in self.slots.iter().rev() {
            for (_, control) in in_flight
                .created
                .iter()
                .filter(|(n, _)| *n == slot.incarnation)
            {
                targets.push((control.clone(), slot.spec.shutdown));
            }
            if let Some(current) = &slot.current {
                targets.push((current.clone(), slot.spec.shutdown));
            }
        }
        targets
    }

    /// The supervisor's own stop (§4.3 step 3): stop every child with its policy; no events.
    /// Slots stay in place until all are stopped, so a `Kill` meanwhile still finds them.
    pub(crate) async fn stop_all(&mut self) {
        let targets = self.stop_targets();
        if self.config.strategy == RestartStrategy::SimpleOneForOne {
            let mut stopping = tokio::task::JoinSet::new();
            for (control, shutdown) in targets {
                stopping.spawn(async move { stop_with_policy(control.as_ref(), shutdown).await });
            }
            while stopping.join_next().await.is_some() {}
        } else {
            for (control, shutdown) in targets {
                stop_with_policy(control.as_ref(), shutdown).await;
            }
        }
        self.slots.clear();
    }

    /// The Kill path: every incarnation, for the kill cascade.
    pub(crate) fn take_for_kill(&mut self) -> Vec<Arc<dyn ActorControl>> {
        let targets = self
            .stop_targets()
            .into_iter()
            .map(|(control, _)| control)
            .collect();
        self.slots.clear();
        targets
    }
}
