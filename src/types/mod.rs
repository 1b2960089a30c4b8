//! Plain data types shared by every part of the crate: identities, statuses, stop reasons,
//! timer, stream and task identifiers, the supervision vocabulary and death-watch notices.

mod id;
mod status;
mod stop;
mod stream;
mod supervision;
mod task;
mod timer;
mod watch;

pub use id::ActorId;
pub use status::{ActorStatus, ActorStatusInfo};
pub use stop::StopReason;
pub use stream::{StreamEvent, StreamId};
pub use supervision::{
    ChildEvent, ChildInfo, RestartStrategy, RestartType, Shutdown, SupervisionAction,
};
pub use task::TaskId;
pub use timer::{MissPolicy, RecurringId, TimerId};
pub use watch::Terminated;
