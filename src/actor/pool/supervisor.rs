//! The pool's private supervisor: an actor that starts the workers as its children when it
//! starts and hands their handles back to the builder. It receives no messages of its own;
//! restarts, stops and the restart budget are the ordinary supervision machinery.

use std::sync::Arc;

use tokio::sync::oneshot;

use crate::actor::context::ActorContext;
use crate::actor::handle::ActorHandle;
use crate::actor::runtime::ActorConfig;
use crate::actor::Actor;
use crate::error::ActorResult;

/// Builds one worker (the user's factory, shared by every restart).
pub(crate) type Factory<A> = Arc<dyn Fn() -> A + Send + Sync + 'static>;

/// Supervises `size` workers built by `factory`.
pub(crate) struct PoolSupervisor<A: Actor> {
    pub(crate) factory: Factory<A>,
    pub(crate) size: usize,
    pub(crate) worker_config: ActorConfig,
    /// Where the worker handles go once all have started; taken by the first start.
    pub(crate) ready: Option<oneshot::Sender<Vec<ActorHandle<A>>>>,
}

impl<A: Actor> Actor for PoolSupervisor<A> {
    type Message = ();
    type Response = ();

    async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
        let mut workers = Vec::with_capacity(self.size);
        for _ in 0..self.size {
            let factory = self.factory.clone();
            let worker = ctx
                .spawn_child(move || factory())
                .with_config(self.worker_config.clone())
                .await?;
            workers.push(worker);
        }
        if let Some(ready) = self.ready.take() {
            // The builder may have been dropped meanwhile; the pool then simply has no owner.
            let _ = ready.send(workers);
        }
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> {
        Ok(())
    }
}
