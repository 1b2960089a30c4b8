use crate::actor::supervision::SupervisionConfig;
use crate::error::SpawnError;

/// How an actor is configured: its mailbox and, for supervisors, its supervision.
///
/// Built through `Default` and the builder methods; validated when the actor is spawned.
///
/// ```
/// use tokio_actors::ActorConfig;
/// let config = ActorConfig::default().with_mailbox_capacity(256).supervised();
/// assert_eq!(config.mailbox.capacity, 256);
/// assert!(config.supervision.is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ActorConfig {
    /// The mailbox settings.
    pub mailbox: MailboxConfig,
    /// `Some` makes the actor a supervisor.
    pub supervision: Option<SupervisionConfig>,
    /// `Some(capacity)` gives the actor a second, bounded priority lane, whose messages are taken
    /// before any queued ordinary message (system items still come first); `None` (the default)
    /// means no lane. See [`with_priority_lane`](Self::with_priority_lane).
    pub priority_lane: Option<usize>,
}

impl ActorConfig {
    /// Sets the mailbox capacity (must be at least 1).
    pub fn with_mailbox_capacity(mut self, capacity: usize) -> Self {
        self.mailbox.capacity = capacity;
        self
    }

    /// Replaces the mailbox settings.
    pub fn with_mailbox(mut self, mailbox: MailboxConfig) -> Self {
        self.mailbox = mailbox;
        self
    }

    /// Makes the actor a supervisor with the default policy (OneForOne, 3 restarts in 5 s).
    pub fn supervised(self) -> Self {
        self.with_supervision(SupervisionConfig::default())
    }

    /// Makes the actor a supervisor with the given policy.
    pub fn with_supervision(mut self, config: SupervisionConfig) -> Self {
        self.supervision = Some(config);
        self
    }

    /// Gives the actor a priority lane of `capacity` messages (must be at least 1; checked at
    /// spawn, `SpawnError::InvalidConfig` otherwise).
    ///
    /// Between two messages the actor takes every pending system item (stops, status
    /// requests, child notices), then the oldest priority message, then the oldest mailbox
    /// message: a message sent with [`notify_priority`](crate::ActorHandle::notify_priority)
    /// or [`send_priority`](crate::ActorHandle::send_priority) overtakes every ordinary
    /// message not yet started, never the one in progress. The lane has its own backpressure;
    /// a flood of priority messages starves the mailbox for as long as it lasts.
    ///
    /// ```
    /// use tokio_actors::{Actor, ActorConfig, ActorContext, ActorExt, ActorResult};
    ///
    /// struct Echo;
    /// impl Actor for Echo {
    ///     type Message = &'static str;
    ///     type Response = &'static str;
    ///     async fn handle(&mut self, m: &'static str, _: &mut ActorContext<Self>) -> ActorResult<&'static str> {
    ///         Ok(m)
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let echo = Echo
    ///     .spawn()
    ///     .with_config(ActorConfig::default().with_priority_lane(8))
    ///     .await?;
    /// assert_eq!(echo.priority_capacity(), 8);
    /// echo.notify("ordinary").await?;
    /// echo.notify_priority("urgent").await?;
    /// assert_eq!(echo.send_priority("answered").await?, "answered");
    /// # Ok(()) }
    /// ```
    pub fn with_priority_lane(mut self, capacity: usize) -> Self {
        self.priority_lane = Some(capacity);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), SpawnError> {
        self.mailbox.validate()?;
        if let Some(capacity) = self.priority_lane {
            MailboxConfig::validate_capacity("priority lane", capacity)?;
        }
        if let Some(sup) = &self.supervision {
            sup.validate()?;
        }
        Ok(())
    }
}

/// Mailbox settings. The mailbox is bounded: a full one makes senders wait.
///
/// ```
/// use tokio_actors::MailboxConfig;
/// assert_eq!(MailboxConfig::default().capacity, 64);
/// assert_eq!(MailboxConfig::default().with_capacity(8).capacity, 8);
/// ```
#[derive(Debug, Clone)]
pub struct MailboxConfig {
    /// How many messages may wait in the mailbox (default 64).
    pub capacity: usize,
}

impl Default for MailboxConfig {
    fn default() -> Self {
        MailboxConfig { capacity: 64 }
    }
}

impl MailboxConfig {
    /// Sets the capacity (must be at least 1).
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// The largest capacity Tokio's bounded channel supports.
    pub(crate) const MAX_CAPACITY: usize = tokio::sync::Semaphore::MAX_PERMITS;

    fn validate(&self) -> Result<(), SpawnError> {
        Self::validate_capacity("mailbox", self.capacity)
    }

    /// A bounded lane's capacity: at least 1, at most what Tokio's channel supports.
    fn validate_capacity(what: &str, capacity: usize) -> Result<(), SpawnError> {
        match capacity {
            0 => Err(SpawnError::InvalidConfig(format!(
                "{what} capacity must be at least 1"
            ))),
            c if c > Self::MAX_CAPACITY => Err(SpawnError::InvalidConfig(format!(
                "{what} capacity {c} exceeds the maximum of {}",
                Self::MAX_CAPACITY
            ))),
            _ => Ok(()),
        }
    }
}
