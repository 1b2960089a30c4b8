//! Actors shared by the crate's unit tests.

use crate::{Actor, ActorContext, ActorResult};

/// Answers every message with the message itself.
pub(crate) struct Echo;

impl Actor for Echo {
    type Message = u64;
    type Response = u64;
    async fn handle(&mut self, m: u64, _: &mut ActorContext<Self>) -> ActorResult<u64> {
        Ok(m)
    }
}
