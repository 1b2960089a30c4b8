//! Process groups: named sets of [`Recipient`]s inside one [`ActorSystem`](super::ActorSystem),
//! for publish/subscribe.
//!
//! A group is found by its name *and* its message type, so `group::<Price>("ticks")` and
//! `group::<Trade>("ticks")` are two unrelated groups. Members are recipients, so actors of
//! different types can belong to one group as long as each accepts the message.
//!
//! Shape and costs:
//! - The member list is a copy-on-write `Arc<Vec<_>>` behind a mutex. A broadcast takes the
//!   lock once to clone the `Arc` (its snapshot) and then delivers without holding it; `join` and
//!   `leave` edit the list in place unless a broadcast still holds the old snapshot, in which
//!   case they copy it first.
//! - A member that has terminated leaves by itself, lazily: `members`, `broadcast` and
//!   `try_broadcast` skip every member whose `is_alive()` is false and then remove the dead ones;
//!   `join` sweeps the list after as many joins as it had live members at the last sweep, so a group whose members
//!   keep dying without anyone broadcasting does not grow without bound. No task per member.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::actor::runtime::core::lock;
use crate::actor::Recipient;
use crate::error::{SendError, TrySendError};
use crate::types::ActorId;

/// What [`Group::try_broadcast`] did with each member, by id.
///
/// Members that had already terminated are in none of the lists (they left the group).
///
/// ```
/// use tokio_actors::BroadcastReport;
///
/// let report = BroadcastReport::default();
/// assert_eq!(report.members(), 0);
/// assert!(report.full.is_empty() && report.closed.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BroadcastReport {
    /// Accepted the message into their mailbox.
    pub delivered: Vec<ActorId>,
    /// Had no free mailbox slot; the message was not delivered to them.
    pub full: Vec<ActorId>,
    /// Were stopping (mailbox closed); the message was not delivered to them.
    pub closed: Vec<ActorId>,
}

impl BroadcastReport {
    /// How many members the broadcast reached or tried: `delivered + full + closed`.
    pub fn members(&self) -> usize {
        self.delivered.len() + self.full.len() + self.closed.len()
    }
}

/// The members of one group.
struct Members<M> {
    /// The snapshot a broadcast takes; edited in place when no broadcast holds it.
    list: Arc<Vec<Recipient<M>>>,
    /// The same members, for duplicate-free joins in constant time.
    index: HashSet<Recipient<M>>,
    /// Joins since the last sweep of dead members.
    joins_since_sweep: usize,
    /// Members left by the last sweep: joins sweep again after as many more joins (at least
    /// 16), so the list holds at most about twice its live members plus 16.
    after_last_sweep: usize,
}

impl<M: 'static> Members<M> {
    fn new() -> Self {
        Members {
            list: Arc::new(Vec::new()),
            index: HashSet::new(),
            joins_since_sweep: 0,
            after_last_sweep: 0,
        }
    }

    /// Removes every member that matches `gone`.
    fn remove_where(&mut self, gone: impl Fn(&Recipient<M>) -> bool) {
        if !self.list.iter().any(&gone) {
            return;
        }
        self.index.retain(|m| !gone(m));
        Arc::make_mut(&mut self.list).retain(|m| !gone(m));
    }

    fn sweep(&mut self) {
        self.joins_since_sweep = 0;
        self.remove_where(|m| !m.is_alive());
        self.after_last_sweep = self.list.len();
    }
}

/// One group's shared state.
struct GroupShared<M> {
    name: Arc<str>,
    members: Mutex<Members<M>>,
}

/// A named set of recipients of `M` in one system: join, leave, broadcast.
///
/// Get it with [`ActorSystem::group`](super::ActorSystem::group); every call with the same name
/// and message type returns a handle to the same group, and clones are cheap.
///
/// Rules:
/// - Joining the same actor twice is one membership; [`leave`](Self::leave) removes it.
/// - A member that terminates leaves by itself: it is never counted by a broadcast nor returned
///   by [`members`](Self::members) once its `is_alive()` is false.
/// - A broadcast delivers to the members as they were when it started (a snapshot): an actor
///   that joins during a broadcast gets the next one.
/// - Order: each member receives the broadcasts of one caller in the order they were made.
///
/// ```
/// use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
///
/// #[derive(Clone)]
/// struct News(&'static str);
///
/// struct Reader(Vec<&'static str>);
/// impl Actor for Reader {
///     type Message = News;
///     type Response = usize;
///     async fn handle(&mut self, n: News, _: &mut ActorContext<Self>) -> ActorResult<usize> {
///         self.0.push(n.0);
///         Ok(self.0.len())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::create("docs-group")?;
/// let news = system.group::<News>("news");
/// let alice = Reader(Vec::new()).spawn().await?;
/// let bob = Reader(Vec::new()).spawn().await?;
/// news.join(alice.recipient());
/// news.join(bob.recipient());
/// news.join(bob.recipient()); // already a member
/// assert_eq!(news.broadcast(News("hello")).await, 2);
/// assert_eq!(alice.send(News("again")).await?, 2);
/// # Ok(()) }
/// ```
pub struct Group<M> {
    shared: Arc<GroupShared<M>>,
}

impl<M: Clone + Send + 'static> Group<M> {
    fn new(name: &str) -> Self {
        Group {
            shared: Arc::new(GroupShared {
                name: Arc::from(name),
                members: Mutex::new(Members::new()),
            }),
        }
    }

    /// The group's name.
    ///
    /// ```
    /// # use tokio_actors::ActorSystem;
    /// let system = ActorSystem::create("docs-group-name")?;
    /// assert_eq!(system.group::<u32>("scores").name(), "scores");
    /// # Ok::<(), tokio_actors::SpawnError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Adds `member`; no effect if that actor is already a member. A member that has already
    /// terminated is not added.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-group-join")?;
    /// let group = system.group::<u32>("workers");
    /// let echo = Echo.spawn().await?;
    /// group.join(echo.recipient());
    /// group.join(echo.recipient());
    /// assert_eq!(group.members().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn join(&self, member: Recipient<M>) {
        if !member.is_alive() {
            return;
        }
        let mut members = lock(&self.shared.members);
        if !members.index.insert(member.clone()) {
            return;
        }
        Arc::make_mut(&mut members.list).push(member);
        members.joins_since_sweep += 1;
        if members.joins_since_sweep >= members.after_last_sweep.max(16) {
            members.sweep();
        }
    }

    /// Removes the member with this id, if any (for an id shared by actors of two systems,
    /// both).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-group-leave")?;
    /// let group = system.group::<u32>("workers");
    /// let echo = Echo.spawn().await?;
    /// group.join(echo.recipient());
    /// group.leave(echo.id());
    /// assert!(group.members().is_empty());
    /// assert_eq!(group.broadcast(1).await, 0);
    /// # Ok(()) }
    /// ```
    pub fn leave(&self, id: &ActorId) {
        lock(&self.shared.members).remove_where(|m| m.id() == id);
    }

    /// The current members that have not terminated, in the order they joined.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem, StopReason};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-group-members")?;
    /// let group = system.group::<u32>("workers");
    /// let a = Echo.spawn().await?;
    /// let b = Echo.spawn().await?;
    /// group.join(a.recipient());
    /// group.join(b.recipient());
    /// a.stop(StopReason::Graceful).await?;
    /// a.wait_stopped().await;
    /// let members = group.members(); // `a` left by itself
    /// assert_eq!(members, vec![b.recipient()]);
    /// # Ok(()) }
    /// ```
    pub fn members(&self) -> Vec<Recipient<M>> {
        let snapshot = self.snapshot();
        let alive: Vec<_> = snapshot.iter().filter(|m| m.is_alive()).cloned().collect();
        if alive.len() < snapshot.len() {
            self.sweep();
        }
        alive
    }

    /// Delivers a clone of `msg` to every member, one after the other, waiting for mailbox
    /// space in each; returns how many accepted it. Members that terminated, or stop before
    /// accepting, are not counted. One member with a full mailbox holds up the members after it
    /// (use [`try_broadcast`](Self::try_broadcast) to skip them instead).
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-group-broadcast")?;
    /// let group = system.group::<u32>("workers");
    /// assert_eq!(group.broadcast(1).await, 0); // nobody to tell
    /// for _ in 0..3 {
    ///     group.join(Echo.spawn().await?.recipient());
    /// }
    /// assert_eq!(group.broadcast(2).await, 3);
    /// # Ok(()) }
    /// ```
    pub async fn broadcast(&self, msg: M) -> usize {
        let snapshot = self.snapshot();
        let mut accepted = 0;
        let mut refused = false;
        if let Some((last, rest)) = snapshot.split_last() {
            for member in rest {
                match Self::deliver(member, msg.clone()).await {
                    Ok(()) => accepted += 1,
                    Err(_) => refused = true,
                }
            }
            match Self::deliver(last, msg).await {
                Ok(()) => accepted += 1,
                Err(_) => refused = true,
            }
        }
        if refused {
            self.sweep();
        }
        accepted
    }

    /// Offers a clone of `msg` to every member without waiting, and reports who took it, who
    /// was full and who was stopping. Members that terminated are left out of the report.
    ///
    /// ```
    /// # use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult, ActorSystem};
    /// # struct Echo;
    /// # impl Actor for Echo {
    /// #     type Message = u32;
    /// #     type Response = u32;
    /// #     async fn handle(&mut self, m: u32, _: &mut ActorContext<Self>) -> ActorResult<u32> { Ok(m) }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::create("docs-group-try-broadcast")?;
    /// let group = system.group::<u32>("workers");
    /// let roomy = Echo.spawn().await?;
    /// let tiny = Echo
    ///     .spawn()
    ///     .with_config(ActorConfig::default().with_mailbox_capacity(1))
    ///     .await?;
    /// group.join(roomy.recipient());
    /// group.join(tiny.recipient());
    /// // Single-threaded runtime: nobody takes a message until we await.
    /// assert_eq!(group.try_broadcast(1).delivered.len(), 2);
    /// let report = group.try_broadcast(2);
    /// assert_eq!(report.delivered, vec![roomy.id().clone()]);
    /// assert_eq!(report.full, vec![tiny.id().clone()]);
    /// # Ok(()) }
    /// ```
    pub fn try_broadcast(&self, msg: M) -> BroadcastReport {
        let snapshot = self.snapshot();
        let mut report = BroadcastReport::default();
        let mut dead = false;
        for member in snapshot.iter() {
            if !member.is_alive() {
                dead = true;
                continue;
            }
            match member.try_notify(msg.clone()) {
                Ok(()) => report.delivered.push(member.id().clone()),
                Err(TrySendError::Full) => report.full.push(member.id().clone()),
                Err(TrySendError::Closed) => {
                    if member.is_alive() {
                        report.closed.push(member.id().clone());
                    }
                    dead = true;
                }
            }
        }
        if dead {
            self.sweep();
        }
        report
    }

    /// One member's delivery; a terminated member is skipped without converting the message.
    async fn deliver(member: &Recipient<M>, msg: M) -> Result<(), SendError> {
        if member.is_alive() {
            member.notify(msg).await
        } else {
            Err(SendError::Closed)
        }
    }

    fn snapshot(&self) -> Arc<Vec<Recipient<M>>> {
        lock(&self.shared.members).list.clone()
    }

    fn sweep(&self) {
        lock(&self.shared.members).sweep();
    }
}

impl<M> Clone for Group<M> {
    fn clone(&self) -> Self {
        Group {
            shared: self.shared.clone(),
        }
    }
}

impl<M> fmt::Debug for Group<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("name", &self.shared.name)
            .field("members", &lock(&self.shared.members).list.len())
            .finish()
    }
}

/// A system's groups, keyed by name and message type.
#[derive(Default)]
pub(crate) struct Groups {
    by_key: Mutex<HashMap<(String, TypeId), Arc<dyn Any + Send + Sync>>>,
}

impl Groups {
    /// The group `name` of message type `M`, created empty on first use.
    pub(crate) fn get<M: Clone + Send + 'static>(&self, name: &str) -> Group<M> {
        let mut groups = lock(&self.by_key);
        let entry = groups
            .entry((name.to_string(), TypeId::of::<M>()))
            .or_insert_with(|| Arc::new(Group::<M>::new(name)));
        match entry.downcast_ref::<Group<M>>() {
            Some(group) => group.clone(),
            // Unreachable: the key holds the type. Recreate rather than panic.
            None => {
                let group = Group::<M>::new(name);
                *entry = Arc::new(group.clone());
                group
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Echo;
    use crate::{ActorExt, StopReason};

    #[tokio::test]
    async fn joins_sweep_dead_members_so_the_list_stays_bounded() {
        let group = Groups::default().get::<u64>("churn");
        for _ in 0..200 {
            let echo = Echo.spawn().await.expect("spawn");
            group.join(echo.recipient());
            echo.stop(StopReason::Kill).await.expect("stop");
            echo.wait_stopped().await;
        }
        let len = lock(&group.shared.members).list.len();
        assert!(len <= 32, "dead members accumulated: {len}");
        assert_eq!(lock(&group.shared.members).index.len(), len);
    }

    #[tokio::test]
    async fn a_broadcast_snapshot_survives_a_join_during_it() {
        let group = Groups::default().get::<u64>("snap");
        let a = Echo.spawn().await.expect("spawn");
        group.join(a.recipient());
        let snapshot = group.snapshot();
        let b = Echo.spawn().await.expect("spawn");
        group.join(b.recipient());
        assert_eq!(snapshot.len(), 1);
        assert_eq!(group.snapshot().len(), 2);
    }
}
