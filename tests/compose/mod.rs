//! Actors shared by the recipient, group and pool tests.
#![allow(dead_code)]

use std::sync::Arc;

use tokio_actors::*;

use super::common::Gate;

/// The event every test publishes.
#[derive(Clone, Debug, PartialEq)]
pub struct Event(pub u32);

/// Records the events it receives; can be held inside a handler by a gate.
pub struct Recorder {
    seen: Vec<u32>,
    /// If set, `on_stopped` waits at this gate (the actor is then stopping: mailbox closed,
    /// still alive).
    stop_gate: Option<Arc<Gate>>,
}

pub enum RecMsg {
    Event(Event),
    Hold(Arc<Gate>),
    Seen,
}

impl From<Event> for RecMsg {
    fn from(e: Event) -> Self {
        RecMsg::Event(e)
    }
}

impl Actor for Recorder {
    type Message = RecMsg;
    type Response = Vec<u32>;

    async fn handle(&mut self, msg: RecMsg, _: &mut ActorContext<Self>) -> ActorResult<Vec<u32>> {
        match msg {
            RecMsg::Event(Event(n)) => self.seen.push(n),
            RecMsg::Hold(gate) => gate.pass().await,
            RecMsg::Seen => {}
        }
        Ok(self.seen.clone())
    }

    async fn on_stopped(&mut self, _: &StopReason, _: &mut ActorContext<Self>) -> ActorResult<()> {
        if let Some(gate) = &self.stop_gate {
            gate.pass().await;
        }
        Ok(())
    }
}

/// A second actor type that accepts `Event`: keeps a running sum.
pub struct Summer(pub u64);

pub enum SumMsg {
    Add(u64),
    Total,
}

impl From<Event> for SumMsg {
    fn from(e: Event) -> Self {
        SumMsg::Add(u64::from(e.0))
    }
}

impl Actor for Summer {
    type Message = SumMsg;
    type Response = u64;

    async fn handle(&mut self, msg: SumMsg, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        if let SumMsg::Add(n) = msg {
            self.0 += n;
        }
        Ok(self.0)
    }
}

pub fn recorder() -> Recorder {
    Recorder {
        seen: Vec::new(),
        stop_gate: None,
    }
}

/// A recorder whose `on_stopped` waits at `gate`.
pub fn recorder_stopping_at(gate: &Arc<Gate>) -> Recorder {
    Recorder {
        seen: Vec::new(),
        stop_gate: Some(gate.clone()),
    }
}
