/// Identifies one piece of work started with [`ActorContext::pipe`](crate::ActorContext::pipe)
/// within one actor incarnation; give it to
/// [`ActorContext::cancel_task`](crate::ActorContext::cancel_task).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskId(pub(crate) u64);
