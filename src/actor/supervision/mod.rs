//! Supervision configuration: strategy, restart budget, and optional restart backoff.
//!
//! A supervisor is any actor spawned with [`SpawnBuilder::supervised`](crate::SpawnBuilder::supervised)
//! or [`SpawnBuilder::with_supervision`](crate::SpawnBuilder::with_supervision). The vocabulary
//! follows Erlang/OTP's `supervisor`, so its documentation applies.

mod decision;
mod restart;
mod slots;
mod stopping;
mod supervisor;

use std::time::Duration;

pub(crate) use decision::should_restart;
pub(crate) use restart::FactoryStarter;
pub(crate) use stopping::kill_children;
pub(crate) use supervisor::{ChildNotice, ChildSpec, NoticeOutcome, Slot, Supervisor};

use crate::error::SpawnError;
use crate::types::RestartStrategy;

/// A supervisor's policy: which children to restart and how many restarts to allow.
///
/// More than `max_restarts` restart decisions within `restart_window` exhaust the budget: the
/// supervisor stops its children and itself with
/// `Failure(Supervision(BudgetExhausted))`, which its own supervisor sees.
///
/// ```
/// use std::time::Duration;
/// use tokio_actors::{RestartStrategy, SupervisionConfig};
/// let config = SupervisionConfig::one_for_all().max_restarts(10, Duration::from_secs(60));
/// assert_eq!(config.strategy, RestartStrategy::OneForAll);
/// assert_eq!(config.max_restarts, 10);
/// ```
#[derive(Debug, Clone)]
pub struct SupervisionConfig {
    /// Which children are restarted after an incident.
    pub strategy: RestartStrategy,
    /// How many restart decisions the window allows.
    pub max_restarts: u32,
    /// The sliding window the budget counts over.
    pub restart_window: Duration,
    /// Delay before restarts; `None` restarts at once.
    pub backoff: Option<Backoff>,
}

impl Default for SupervisionConfig {
    fn default() -> Self {
        SupervisionConfig {
            strategy: RestartStrategy::OneForOne,
            max_restarts: 3,
            restart_window: Duration::from_secs(5),
            backoff: None,
        }
    }
}

impl SupervisionConfig {
    fn with_strategy(strategy: RestartStrategy) -> Self {
        SupervisionConfig {
            strategy,
            ..Self::default()
        }
    }

    /// OneForOne with the default budget (3 restarts in 5 s).
    pub fn one_for_one() -> Self {
        Self::with_strategy(RestartStrategy::OneForOne)
    }

    /// OneForAll with the default budget.
    pub fn one_for_all() -> Self {
        Self::with_strategy(RestartStrategy::OneForAll)
    }

    /// RestForOne with the default budget.
    pub fn rest_for_one() -> Self {
        Self::with_strategy(RestartStrategy::RestForOne)
    }

    /// SimpleOneForOne with the default budget.
    pub fn simple_one_for_one() -> Self {
        Self::with_strategy(RestartStrategy::SimpleOneForOne)
    }

    /// Allows `max` restarts within any `window`; `max == 0` gives up at the first incident.
    pub fn max_restarts(mut self, max: u32, window: Duration) -> Self {
        self.max_restarts = max;
        self.restart_window = window;
        self
    }

    /// Delays restarts with the given backoff.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), SpawnError> {
        match &self.backoff {
            Some(b) if !(0.0..=1.0).contains(&b.jitter) => Err(SpawnError::InvalidConfig(format!(
                "backoff jitter must be within 0.0..=1.0, got {}",
                b.jitter
            ))),
            _ => Ok(()),
        }
    }
}

/// Exponential restart backoff: the n-th consecutive restart of a slot waits
/// `min(max, min · 2^(n-1))`, plus up to `jitter` × that delay.
///
/// ```
/// use std::time::Duration;
/// use tokio_actors::Backoff;
/// let b = Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1)).with_jitter(0.2);
/// assert_eq!(b.reset_after, Duration::from_secs(60));
/// assert_eq!(b.jitter, 0.2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Delay of the first restart.
    pub min: Duration,
    /// Upper bound of the delay.
    pub max: Duration,
    /// Random extra, as a fraction of the delay (`0.0..=1.0`).
    pub jitter: f64,
    /// A slot's count resets after an incarnation ran this long without an incident.
    pub reset_after: Duration,
}

impl Backoff {
    /// Doubling from `min` up to `max`, no jitter, reset after 60 s.
    pub fn exponential(min: Duration, max: Duration) -> Self {
        Backoff {
            min,
            max,
            jitter: 0.0,
            reset_after: Duration::from_secs(60),
        }
    }

    /// Sets the jitter fraction.
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the quiet time after which the count resets.
    pub fn reset_after(mut self, quiet: Duration) -> Self {
        self.reset_after = quiet;
        self
    }
}
