/// What a stream attached with [`ActorContext::add_stream`](crate::ActorContext::add_stream)
/// delivers: each item as `Data`, then exactly one `Finished` when the stream ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent<T> {
    /// One item of the stream.
    Data(T),
    /// The stream yielded `None`; nothing more will come from it.
    Finished,
}

/// Identifies one attached stream within one actor incarnation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamId(pub(crate) u64);
