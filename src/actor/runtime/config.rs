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

    pub(crate) fn validate(&self) -> Result<(), SpawnError> {
        self.mailbox.validate()?;
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
        match self.capacity {
            0 => Err(SpawnError::InvalidConfig(
                "mailbox capacity must be at least 1".into(),
            )),
            c if c > Self::MAX_CAPACITY => Err(SpawnError::InvalidConfig(format!(
                "mailbox capacity {c} exceeds the maximum of {}",
                Self::MAX_CAPACITY
            ))),
            _ => Ok(()),
        }
    }
}
