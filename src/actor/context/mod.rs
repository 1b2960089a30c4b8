//! [`ActorContext`]: what an actor can do from inside its hooks: identity, status, timers,
//! streams, piped work and children.

mod children;
mod feeds;
mod pipe;
mod streams;
mod timers;
mod watch;

use std::future::Future;

use std::sync::Arc;

pub use children::{ChildSpawn, ChildSpawnBuilder};
use feeds::FeedKind;
pub(crate) use feeds::Feeds;
pub use timers::{OneShotSchedule, RecurringScheduleBuilder, ScheduleBuilder};
pub(crate) use watch::Watches;

use crate::actor::handle::ActorHandle;
use crate::actor::runtime::core::{ActorControl, Core};
use crate::actor::supervision::{ChildNotice, NoticeOutcome, SupervisionConfig, Supervisor};
use crate::actor::Actor;
use crate::error::{StreamError, SupervisionError, TimerError};
use crate::system::ActorSystem;
use crate::types::{
    ActorId, ActorStatus, ActorStatusInfo, ChildInfo, RecurringId, StreamEvent, StreamId, TaskId,
};

/// The actor's view of itself, passed to every hook. Created by the runtime only.
///
/// | area | methods |
/// |---|---|
/// | identity | [`actor_id`](Self::actor_id), [`actor_name`](Self::actor_name), [`self_handle`](Self::self_handle), [`status`](Self::status) |
/// | timers | [`schedule`](Self::schedule), [`cancel_timer`](Self::cancel_timer), [`cancel_all_timers`](Self::cancel_all_timers), [`active_timer_count`](Self::active_timer_count) |
/// | streams | [`add_stream`](Self::add_stream), [`cancel_stream`](Self::cancel_stream), [`cancel_all_streams`](Self::cancel_all_streams), [`active_stream_count`](Self::active_stream_count) |
/// | work off the actor | [`pipe`](Self::pipe), [`cancel_task`](Self::cancel_task), [`active_task_count`](Self::active_task_count) |
/// | children | [`spawn_child`](Self::spawn_child), [`children`](Self::children), [`stop_child`](Self::stop_child) |
pub struct ActorContext<A: Actor> {
    handle: ActorHandle<A>,
    pub(crate) status: ActorStatus,
    system: Arc<ActorSystem>,
    /// Timers, streams and piped work of this incarnation.
    pub(crate) feeds: Feeds,
    pub(crate) supervisor: Option<Box<Supervisor>>,
    /// The actors this incarnation watches.
    pub(crate) watches: Watches,
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
            feeds: Feeds::default(),
            supervisor: supervision.map(|config| Box::new(Supervisor::new(config, tracked))),
            watches: Watches::default(),
        }
    }

    pub(crate) fn core(&self) -> &Core {
        self.handle.core()
    }

    pub(crate) fn control(&self) -> Arc<dyn ActorControl> {
        self.handle.control()
    }

    /// This actor as a watcher: a weak reference, so watching keeps nobody alive.
    pub(crate) fn weak_control(&self) -> std::sync::Weak<dyn ActorControl> {
        let inner: Arc<dyn ActorControl> = self.handle.inner.clone();
        Arc::downgrade(&inner)
    }

    /// Identifies this actor for the self-request check (see `ActorHandle::address`).
    pub(crate) fn address(&self) -> usize {
        self.handle.address()
    }

    /// The [`ActorSystem`] this actor belongs to: the one its spawn named with
    /// [`on_system`](crate::SpawnBuilder::on_system) (children inherit their supervisor's), else
    /// [`ActorSystem::default()`]. Use it to look up other actors by name, or clone it to spawn
    /// actors on the same system.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    ///
    /// struct Lookup;
    /// impl Actor for Lookup {
    ///     type Message = &'static str;
    ///     type Response = (String, bool);
    ///     async fn handle(&mut self, name: &'static str, ctx: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
    ///         let system = ctx.system();
    ///         Ok((system.name().to_string(), system.get::<Lookup>(name).is_some()))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-ctx-system")?;
    /// let lookup = Lookup.spawn().named("lookup").on_system(&system).await?;
    /// assert_eq!(lookup.send("lookup").await?, ("docs-ctx-system".to_string(), true));
    /// assert_eq!(lookup.send("nobody").await?, ("docs-ctx-system".to_string(), false));
    /// # system.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub fn system(&self) -> &Arc<ActorSystem> {
        &self.system
    }

    /// This actor's id (equal to `self_handle().id()`).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorId, ActorResult};
    ///
    /// struct WhoAmI;
    /// impl Actor for WhoAmI {
    ///     type Message = ();
    ///     type Response = (ActorId, Option<String>);
    ///     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
    ///         Ok((ctx.actor_id().clone(), ctx.actor_name().cloned()))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let named = WhoAmI.spawn().named("docs-ctx-whoami").await?;
    /// let (id, name) = named.send(()).await?;
    /// assert_eq!((id.as_str(), name.as_deref()), ("docs-ctx-whoami", Some("docs-ctx-whoami")));
    /// let anonymous = WhoAmI.spawn().await?;
    /// assert_eq!(anonymous.send(()).await?, (anonymous.id().clone(), None));
    /// # Ok(()) }
    /// ```
    pub fn actor_id(&self) -> &ActorId {
        self.handle.id()
    }

    /// This actor's name, `None` for anonymous actors (example at
    /// [`actor_id`](Self::actor_id)).
    pub fn actor_name(&self) -> Option<&String> {
        self.handle.core().name()
    }

    /// A handle to this actor, equal to every external handle of it (for a supervised child it
    /// stays valid across restarts).
    ///
    /// A request on it from inside the actor's own hooks (`send`, `ask`, `send_timeout`,
    /// `send_priority`, `get_status`) returns `Err(AskError::SelfAsk)` at once instead of
    /// waiting for itself forever; `notify` and `stop` are fine (a `notify` still waits while
    /// the mailbox is full). To get an answer from one's own mailbox later, use
    /// [`pipe`](Self::pipe) or a `notify` carrying a [`ReplyTo`](crate::ReplyTo).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorHandle, ActorResult, AskError, StopReason};
    ///
    /// /// Answers with its own handle, then stops itself.
    /// struct OneShot;
    /// impl Actor for OneShot {
    ///     type Message = ();
    ///     type Response = ActorHandle<Self>;
    ///     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<ActorHandle<Self>> {
    ///         let me = ctx.self_handle();
    ///         // Waiting for its own reply could never end: refused at once.
    ///         assert!(matches!(me.send(()).await, Err(AskError::SelfAsk)));
    ///         me.stop(StopReason::Graceful).await.expect("alive"); // does not wait for the stop
    ///         Ok(me)
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let actor = OneShot.spawn().await?;
    /// assert_eq!(actor.send(()).await?, actor);
    /// assert!(matches!(actor.wait_stopped().await, StopReason::Graceful));
    /// # Ok(()) }
    /// ```
    pub fn self_handle(&self) -> ActorHandle<A> {
        self.handle.clone()
    }

    /// `Initializing` in `pre_start`/`on_started`, `Running` in `handle`, `pre_stop` and
    /// `on_child_stopped`, `Stopping` in `on_stopped`.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorStatus};
    ///
    /// struct Probe(Option<ActorStatus>);
    /// impl Actor for Probe {
    ///     type Message = ();
    ///     type Response = (Option<ActorStatus>, ActorStatus);
    ///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         self.0 = Some(ctx.status());
    ///         Ok(())
    ///     }
    ///     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<Self::Response> {
    ///         Ok((self.0, ctx.status()))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let probe = Probe(None).spawn().await?;
    /// let (at_start, in_handle) = probe.send(()).await?;
    /// assert_eq!(at_start, Some(ActorStatus::Initializing));
    /// assert_eq!(in_handle, ActorStatus::Running);
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, RecurringId, TimerError};
    ///
    /// #[derive(Clone)]
    /// enum Msg { Arm, Disarm, Ring, Check }
    ///
    /// struct Alarm { timer: Option<RecurringId>, rang: bool }
    /// impl Actor for Alarm {
    ///     type Message = Msg;
    ///     type Response = bool;
    ///     async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<bool> {
    ///         match msg {
    ///             Msg::Arm => {
    ///                 self.timer = Some(ctx.schedule(Msg::Ring).after(Duration::from_secs(5)).await?);
    ///             }
    ///             Msg::Disarm => {
    ///                 let id = self.timer.take().expect("armed");
    ///                 ctx.cancel_timer(id)?;
    ///                 assert_eq!(ctx.cancel_timer(id), Err(TimerError::NotFound));
    ///             }
    ///             Msg::Ring => self.rang = true,
    ///             Msg::Check => {}
    ///         }
    ///         Ok(self.rang)
    ///     }
    /// }
    ///
    /// // A paused clock: the sleep below takes no real time.
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let alarm = Alarm { timer: None, rang: false }.spawn().await?;
    /// alarm.send(Msg::Arm).await?;
    /// alarm.send(Msg::Disarm).await?;
    /// tokio::time::sleep(Duration::from_secs(10)).await; // well past the deadline
    /// assert!(!alarm.send(Msg::Check).await?); // it never rang
    /// # Ok(()) }
    /// ```
    pub fn cancel_timer(&mut self, id: RecurringId) -> Result<(), TimerError> {
        if self.feeds.cancel(FeedKind::Timer, id.0) {
            Ok(())
        } else {
            Err(TimerError::NotFound)
        }
    }

    /// Cancels every timer of this actor.
    pub fn cancel_all_timers(&mut self) {
        self.feeds.cancel_kind(FeedKind::Timer);
    }

    /// Timers registered and not cancelled; a one-shot stops counting when its message is
    /// dispatched to `handle`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult};
    ///
    /// struct Ticker;
    /// impl Actor for Ticker {
    ///     type Message = ();
    ///     type Response = usize;
    ///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         ctx.schedule(()).after(Duration::from_secs(1)).await?; // one-shot
    ///         ctx.schedule(()).every(Duration::from_secs(1)).await?; // recurring
    ///         Ok(())
    ///     }
    ///     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<usize> {
    ///         Ok(ctx.active_timer_count())
    ///     }
    /// }
    ///
    /// // A paused clock: the sleep below takes no real time.
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let ticker = Ticker.spawn().await?;
    /// assert_eq!(ticker.send(()).await?, 2);
    /// tokio::time::sleep(Duration::from_millis(1500)).await;
    /// assert_eq!(ticker.send(()).await?, 1); // the one-shot has fired; the recurring one stays
    /// # Ok(()) }
    /// ```
    pub fn active_timer_count(&self) -> usize {
        self.feeds.count(FeedKind::Timer)
    }

    /// Feeds a stream into the mailbox: each item arrives as `StreamEvent::Data(item)` (converted
    /// with `From`), then one `StreamEvent::Finished`. Items wait for mailbox space, so
    /// backpressure reaches the stream. Returns at once.
    ///
    /// ```
    /// use tokio::sync::oneshot;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, StreamEvent};
    ///
    /// struct Summer { sum: u32, total: Option<oneshot::Sender<u32>> }
    /// impl Actor for Summer {
    ///     type Message = StreamEvent<u32>; // any type with `From<StreamEvent<u32>>` works
    ///     type Response = ();
    ///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         ctx.add_stream(tokio_stream::iter(vec![1, 2, 3]));
    ///         Ok(())
    ///     }
    ///     async fn handle(&mut self, ev: StreamEvent<u32>, _: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         match ev {
    ///             StreamEvent::Data(n) => self.sum += n,
    ///             StreamEvent::Finished => { let _ = self.total.take().expect("once").send(self.sum); }
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (tx, total) = oneshot::channel();
    /// Summer { sum: 0, total: Some(tx) }.spawn().await?;
    /// assert_eq!(total.await?, 6); // sent when `Finished` arrived, after every item
    /// # Ok(()) }
    /// ```
    pub fn add_stream<S>(&mut self, stream: S) -> StreamId
    where
        S: futures_core::Stream + Send + Unpin + 'static,
        S::Item: Send + 'static,
        A::Message: From<StreamEvent<S::Item>>,
    {
        streams::attach::<A, S>(&mut self.feeds, &self.handle.inner.mailbox, stream)
    }

    /// Cancels a stream: it is dropped promptly and none of its queued events reach `handle`.
    /// `Err(NotFound)` for an unknown, cancelled or finished id.
    ///
    /// ```
    /// use tokio::sync::mpsc;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, StreamError, StreamEvent, StreamId};
    /// use tokio_stream::wrappers::ReceiverStream;
    ///
    /// enum Msg { Event(StreamEvent<u32>), StopListening }
    /// impl From<StreamEvent<u32>> for Msg {
    ///     fn from(event: StreamEvent<u32>) -> Self { Msg::Event(event) }
    /// }
    ///
    /// struct Listener { source: Option<ReceiverStream<u32>>, id: Option<StreamId> }
    /// impl Actor for Listener {
    ///     type Message = Msg;
    ///     type Response = ();
    ///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         self.id = Some(ctx.add_stream(self.source.take().expect("once")));
    ///         Ok(())
    ///     }
    ///     async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         if let (Msg::StopListening, Some(id)) = (msg, self.id) {
    ///             ctx.cancel_stream(id)?;
    ///             assert_eq!(ctx.cancel_stream(id), Err(StreamError::NotFound));
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (tx, rx) = mpsc::channel(8);
    /// let listener = Listener { source: Some(ReceiverStream::new(rx)), id: None };
    /// let listener = listener.spawn().await?;
    /// listener.send(Msg::StopListening).await?;
    /// tx.closed().await; // the stream was dropped: its producer sees a closed consumer
    /// assert!(tx.send(1).await.is_err());
    /// # Ok(()) }
    /// ```
    pub fn cancel_stream(&mut self, id: StreamId) -> Result<(), StreamError> {
        if self.feeds.cancel(FeedKind::Stream, id.0) {
            Ok(())
        } else {
            Err(StreamError::NotFound)
        }
    }

    /// Cancels every stream of this actor.
    pub fn cancel_all_streams(&mut self) {
        self.feeds.cancel_kind(FeedKind::Stream);
    }

    /// Streams attached and not yet finished (`Finished` dispatched) or cancelled.
    pub fn active_stream_count(&self) -> usize {
        self.feeds.count(FeedKind::Stream)
    }

    /// Runs `work` as a task owned by this incarnation and delivers its output, mapped by
    /// `to_msg`, into this actor's own mailbox (Akka's `pipeToSelf`). Returns at once: the
    /// actor keeps serving its mailbox while the work runs, which is how it calls a slow
    /// service (an LLM API, a database) without blocking, or asks another actor without the
    /// risk of two actors waiting for each other.
    ///
    /// - The result is enqueued like a `notify` (it waits for mailbox space, and lands behind
    ///   whatever is queued at that moment); a handler error for it goes to
    ///   [`Actor::handle_failure`].
    /// - [`cancel_task`](Self::cancel_task) and every stop (also `Kill`) abort the task, which
    ///   drops `work`; a result already queued is then skipped. Piped work started while the
    ///   actor is stopping (in `on_stopped`) never runs.
    /// - A panic in `work` or in `to_msg` reaches `handle_failure` as
    ///   [`ActorError::Panic`](crate::ActorError::Panic); the actor keeps running.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ReplyTo};
    ///
    /// enum Msg {
    ///     Prompt(String),
    ///     Completed(String),
    ///     Transcript(ReplyTo<Vec<String>>),
    /// }
    ///
    /// /// Stands in for a slow remote model.
    /// async fn complete(prompt: String) -> String {
    ///     tokio::time::sleep(Duration::from_secs(2)).await;
    ///     format!("answer to {prompt}")
    /// }
    ///
    /// #[derive(Default)]
    /// struct Chat(Vec<String>);
    /// impl Actor for Chat {
    ///     type Message = Msg;
    ///     type Response = ();
    ///     async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         match msg {
    ///             Msg::Prompt(p) => {
    ///                 self.0.push(format!("asked {p}"));
    ///                 ctx.pipe(complete(p), Msg::Completed); // the actor stays responsive
    ///             }
    ///             Msg::Completed(answer) => self.0.push(answer),
    ///             Msg::Transcript(reply) => { let _ = reply.send(self.0.clone()); }
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// // A paused clock: the sleeps take no real time.
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let chat = Chat::default().spawn().await?;
    /// chat.notify(Msg::Prompt("hi".into())).await?;
    /// assert_eq!(chat.ask(Msg::Transcript).await?, ["asked hi"]); // served while the work runs
    /// tokio::time::sleep(Duration::from_secs(3)).await;
    /// assert_eq!(chat.ask(Msg::Transcript).await?, ["asked hi", "answer to hi"]);
    /// # Ok(()) }
    /// ```
    pub fn pipe<F, T>(
        &mut self,
        work: F,
        to_msg: impl FnOnce(T) -> A::Message + Send + 'static,
    ) -> TaskId
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        pipe::start::<A, F, _>(&mut self.feeds, &self.handle.inner.mailbox, work, to_msg)
    }

    /// Cancels piped work: its task is aborted (dropping the work future) and its result does
    /// not reach `handle`, even if already queued. `true` if it was active; `false` for an
    /// unknown or cancelled id, or once its result was dispatched to `handle`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, TaskId};
    ///
    /// enum Msg { Start, Cancel, Done, Check }
    ///
    /// struct Job { task: Option<TaskId>, done: bool }
    /// impl Actor for Job {
    ///     type Message = Msg;
    ///     type Response = (bool, usize);
    ///     async fn handle(&mut self, msg: Msg, ctx: &mut ActorContext<Self>) -> ActorResult<(bool, usize)> {
    ///         match msg {
    ///             Msg::Start => {
    ///                 let work = tokio::time::sleep(Duration::from_secs(5));
    ///                 self.task = Some(ctx.pipe(work, |()| Msg::Done));
    ///             }
    ///             Msg::Cancel => {
    ///                 let id = self.task.take().expect("started");
    ///                 assert!(ctx.cancel_task(id));
    ///                 assert!(!ctx.cancel_task(id)); // already cancelled
    ///             }
    ///             Msg::Done => self.done = true,
    ///             Msg::Check => {}
    ///         }
    ///         Ok((self.done, ctx.active_task_count()))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let job = Job { task: None, done: false }.spawn().await?;
    /// assert_eq!(job.send(Msg::Start).await?, (false, 1));
    /// assert_eq!(job.send(Msg::Cancel).await?, (false, 0));
    /// tokio::time::sleep(Duration::from_secs(10)).await;
    /// assert_eq!(job.send(Msg::Check).await?, (false, 0)); // `Done` never came
    /// # Ok(()) }
    /// ```
    pub fn cancel_task(&mut self, id: TaskId) -> bool {
        self.feeds.cancel(FeedKind::Task, id.0)
    }

    /// Piped work started and neither cancelled nor dispatched to `handle` yet (example at
    /// [`cancel_task`](Self::cancel_task)).
    pub fn active_task_count(&self) -> usize {
        self.feeds.count(FeedKind::Task)
    }

    /// The supervised children, in start order (empty for non-supervisors).
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ChildInfo};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    ///
    /// struct Boss;
    /// impl Actor for Boss {
    ///     type Message = ();
    ///     type Response = Vec<ChildInfo>;
    ///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         ctx.spawn_child(|| Worker).named("docs-ctx-children-a").await?;
    ///         ctx.spawn_child(|| Worker).await?; // anonymous
    ///         Ok(())
    ///     }
    ///     async fn handle(&mut self, _: (), ctx: &mut ActorContext<Self>) -> ActorResult<Vec<ChildInfo>> {
    ///         Ok(ctx.children())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let boss = Boss.spawn().supervised().await?; // only supervisors have children
    /// let children = boss.send(()).await?;
    /// assert_eq!(children.len(), 2);
    /// assert_eq!(children[0].name.as_deref(), Some("docs-ctx-children-a"));
    /// assert_eq!(children[1].name, None);
    /// assert!(children.iter().all(|c| c.is_alive && !c.restart_pending));
    /// # Ok(()) }
    /// ```
    pub fn children(&self) -> Vec<ChildInfo> {
        self.supervisor
            .as_ref()
            .map(|s| s.children())
            .unwrap_or_default()
    }

    /// Stops a child with its `Shutdown` policy and removes it (never restarted); returns once it
    /// has terminated. `on_child_stopped` then sees `Removed`.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem, SupervisionError};
    /// # struct Worker;
    /// # impl Actor for Worker {
    /// #     type Message = ();
    /// #     type Response = ();
    /// #     async fn handle(&mut self, _: (), _: &mut ActorContext<Self>) -> ActorResult<()> { Ok(()) }
    /// # }
    ///
    /// struct Boss;
    /// impl Actor for Boss {
    ///     type Message = &'static str;
    ///     type Response = Result<usize, SupervisionError>;
    ///     async fn on_started(&mut self, ctx: &mut ActorContext<Self>) -> ActorResult<()> {
    ///         ctx.spawn_child(|| Worker).named("docs-ctx-stop-child").await?;
    ///         Ok(())
    ///     }
    ///     async fn handle(&mut self, child: &'static str, ctx: &mut ActorContext<Self>)
    ///         -> ActorResult<Self::Response> {
    ///         Ok(ctx.stop_child(child).await.map(|()| ctx.children().len()))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let boss = Boss.spawn().supervised().await?;
    /// let worker = ActorSystem::default().get::<Worker>("docs-ctx-stop-child").expect("named child");
    /// assert_eq!(boss.send("docs-ctx-stop-child").await?, Ok(0)); // stopped and removed
    /// assert!(!worker.is_alive());
    /// let again = boss.send("docs-ctx-stop-child").await?;
    /// assert_eq!(again, Err(SupervisionError::ChildNotFound("docs-ctx-stop-child".into())));
    /// # Ok(()) }
    /// ```
    pub async fn stop_child(&mut self, child: impl Into<ActorId>) -> Result<(), SupervisionError> {
        let child = child.into();
        let me = self.control();
        match self.supervisor.as_mut() {
            None => Err(SupervisionError::NotASupervisor),
            Some(supervisor) => supervisor.stop_child(&child, &me).await,
        }
    }

    /// This actor's handle, without a clone.
    pub(crate) fn self_handle_ref(&self) -> &ActorHandle<A> {
        &self.handle
    }

    /// A status snapshot (served between messages).
    pub(crate) fn status_info(&self) -> ActorStatusInfo {
        let (incarnation, restarts) = self.core().incarnation_counts();
        ActorStatusInfo {
            id: self.actor_id().clone(),
            name: self.actor_name().cloned(),
            status: self.status,
            mailbox_len: self.handle.mailbox_len(),
            mailbox_capacity: self.handle.mailbox_capacity(),
            priority_len: self.handle.priority_len(),
            priority_capacity: self.handle.priority_capacity(),
            child_count: self.supervisor.as_ref().map_or(0, |s| s.len()),
            timer_count: self.feeds.count(FeedKind::Timer),
            stream_count: self.feeds.count(FeedKind::Stream),
            incarnation,
            restarts,
        }
    }

    /// Step 1 of a stop: cancel timers, streams and piped work; later ones are inert.
    pub(crate) fn stop_sources(&mut self) {
        self.feeds.shut();
    }

    /// Whether this actor is a supervisor (it may have children to stop).
    pub(crate) fn is_supervisor(&self) -> bool {
        self.supervisor.is_some()
    }

    /// Step 3 of a stop: stop every child with its policy.
    pub(crate) async fn stop_children(&mut self) {
        let me = self.control();
        if let Some(supervisor) = self.supervisor.as_mut() {
            supervisor.stop_all(&me).await;
        }
    }

    /// The Kill path: every child incarnation (reverse start order) for the kill cascade.
    pub(crate) fn take_children_for_kill(&mut self) -> Vec<Arc<dyn ActorControl>> {
        // A Kill may cut a stop short: children that end from now on tell us again (their
        // notices are settled when this actor terminates).
        self.core().set_reaping(false);
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
