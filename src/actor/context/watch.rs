//! Death watch: an actor asks to be told when another actor terminates for good (a monitor in
//! OTP's words, not a link: the watched actor is not affected).
//!
//! The watcher keeps the set of actors it watches in its context (one incarnation's watches);
//! the watched actor keeps its watchers (weakly) in its shared core. When it terminates for
//! good, each watcher gets a notice on its system channel; the watcher's receive loop runs
//! `on_watched_stopped` only for an actor still in its set, so a notice that arrives after
//! `unwatch`, or after the watcher's own restart, is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use super::ActorContext;
use crate::actor::handle::ActorHandle;
use crate::actor::runtime::core::{ActorControl, SystemMsg};
use crate::actor::Actor;
use crate::types::{ActorId, Terminated};

/// The actors one incarnation watches; allocated on the first watch.
#[derive(Default)]
pub(crate) struct Watches {
    #[allow(clippy::box_collection)] // `None` is one word where an empty map is six
    watched: Option<Box<HashMap<ActorId, Arc<dyn ActorControl>>>>,
}

impl Watches {
    /// Whether a notice about `id` may run the hook; it is the last one for that watch.
    pub(crate) fn admit(&mut self, id: &ActorId) -> bool {
        self.watched
            .as_mut()
            .is_some_and(|watched| watched.remove(id).is_some())
    }

    /// Ends every watch (the incarnation ends): the watched actors forget this watcher.
    pub(crate) fn clear(&mut self, watcher: usize) {
        if let Some(watched) = self.watched.take() {
            for target in watched.values() {
                target.core().remove_watcher(watcher);
            }
        }
    }

    /// How many actors are watched.
    pub(crate) fn len(&self) -> usize {
        self.watched.as_ref().map_or(0, |w| w.len())
    }
}

impl<A: Actor> ActorContext<A> {
    /// Watches `other` (any actor, of any type, in any system): when it terminates for good,
    /// [`Actor::on_watched_stopped`] runs once with a [`Terminated`] notice, between two
    /// messages. Watching an actor that already terminated delivers the notice at once;
    /// watching the same actor twice is one watch. A supervised child that is restarted has not
    /// terminated. The watches end with this incarnation (a restarted watcher starts with none).
    ///
    /// ```
    /// use tokio::sync::mpsc;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorHandle, ActorResult, StopReason, Terminated};
    ///
    /// struct Worker;
    /// impl Actor for Worker {
    ///     type Message = ();
    ///     type Response = ();
    ///     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// }
    ///
    /// struct Monitor(mpsc::UnboundedSender<Terminated>);
    /// impl Actor for Monitor {
    ///     type Message = ActorHandle<Worker>;
    ///     type Response = ();
    ///     async fn handle(&mut self, worker: ActorHandle<Worker>, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         ctx.watch(&worker);
    ///         Ok(())
    ///     }
    ///     async fn on_watched_stopped(&mut self, event: Terminated, _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         let _ = self.0.send(event);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (tx, mut events) = mpsc::unbounded_channel();
    /// let monitor = Monitor(tx).spawn().await?;
    /// let worker = Worker.spawn().named("docs-watched-worker").await?;
    /// monitor.send(worker.clone()).await?;
    /// worker.stop(StopReason::Graceful).await?;
    /// let event = events.recv().await.expect("one notice");
    /// assert_eq!(event.name.as_deref(), Some("docs-watched-worker"));
    /// assert!(matches!(event.reason, StopReason::Graceful));
    /// # Ok(()) }
    /// ```
    pub fn watch<B: Actor>(&mut self, other: &ActorHandle<B>) {
        let target = other.control();
        let watched = self.watches.watched.get_or_insert_with(Default::default);
        if watched
            .get(other.id())
            .is_some_and(|known| Arc::ptr_eq(known, &target))
        {
            return; // already watched: one watch
        }
        if let Some(replaced) = watched.insert(other.id().clone(), target.clone()) {
            // Another actor with the same id (another system): that watch ends here, so its
            // notice can never be taken for this one's.
            replaced.core().remove_watcher(self.address());
        }
        let me: Weak<dyn ActorControl> = self.weak_control();
        if let Err(reason) = target.core().add_watcher(self.address(), me) {
            // Already terminated: the notice comes at once, through our own system channel.
            let event = Terminated {
                id: other.id().clone(),
                name: target.core().name().cloned(),
                reason,
            };
            let _ = self.core().send_system(SystemMsg::Watched(Box::new(event)));
        }
    }

    /// Stops watching the actor with this id: after `unwatch` returns, no notice about it is
    /// delivered (one already on its way is dropped). Unknown ids are ignored.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorHandle, ActorResult};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    /// struct Fickle;
    /// impl Actor for Fickle {
    ///     type Message = ActorHandle<Worker>;
    ///     type Response = usize;
    ///     async fn handle(&mut self, worker: ActorHandle<Worker>, ctx: &mut ActorContext<Self>) -> ActorResult<usize> {
    ///         ctx.watch(&worker);
    ///         ctx.watch(&worker); // one watch
    ///         let watching = ctx.watched_count();
    ///         ctx.unwatch(worker.id());
    ///         Ok(watching * 10 + ctx.watched_count())
    ///     }
    /// }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fickle = Fickle.spawn().await?;
    /// assert_eq!(fickle.send(Worker.spawn().await?).await?, 10);
    /// # Ok(()) }
    /// ```
    pub fn unwatch(&mut self, id: &ActorId) {
        let removed = self.watches.watched.as_mut().and_then(|w| w.remove(id));
        if let Some(target) = removed {
            target.core().remove_watcher(self.address());
        }
    }

    /// How many actors this incarnation watches (example at [`unwatch`](Self::unwatch)).
    pub fn watched_count(&self) -> usize {
        self.watches.len()
    }
}
