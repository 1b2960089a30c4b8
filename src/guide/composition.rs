//! # Reply later, pools, pub-sub
//!
//! *This chapter is a placeholder: the APIs it will describe are being added and are not part
//! of this version yet.* They are: `ReplyTo<T>` with `ActorHandle::ask`, to answer a request
//! later or from another task instead of from the return value of `handle`; `ctx.pipe`, to run
//! a future outside the actor and deliver its result as a message; `Recipient<M>`, a
//! type-erased handle to "anything that accepts `M`"; `Group<M>`, named publish-subscribe
//! groups in an `ActorSystem`; and `Pool`, a supervised set of identical workers behind one
//! address. Until then, the [patterns](super::patterns) chapter shows what works today.
