//! Streams: a forwarding task per attached stream feeds its items into the mailbox.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::Poll;

use futures_core::Stream;
use tokio::sync::mpsc;

use super::feeds::{FeedKind, Feeds};
use crate::actor::runtime::guard::caught_sync;
use crate::actor::runtime::mailbox::{enqueue, Envelope};
use crate::actor::Actor;
use crate::types::{StreamEvent, StreamId};

/// Starts the forwarding task of a stream attached with `ActorContext::add_stream`.
pub(crate) fn attach<A, S>(
    feeds: &mut Feeds,
    mailbox: &mpsc::Sender<Envelope<A>>,
    stream: S,
) -> StreamId
where
    A: Actor,
    S: Stream + Send + Unpin + 'static,
    S::Item: Send + 'static,
    A::Message: From<StreamEvent<S::Item>>,
{
    let mailbox = mailbox.clone();
    StreamId(feeds.add(FeedKind::Stream, false, move |id| {
        tokio::spawn(forward::<A, S>(mailbox, id, stream))
    }))
}

/// Polls the stream one item at a time, each waiting for mailbox space; then one `Finished`.
///
/// The stream and the `From` conversion are user code: a panic in either ends the stream, is
/// reported to `handle_failure` as `ActorError::Panic`, and is followed by `Finished` (or, if
/// building `Finished` panics, that failure ends the stream).
async fn forward<A, S>(mailbox: mpsc::Sender<Envelope<A>>, stream: u64, mut source: S)
where
    A: Actor,
    S: Stream + Send + Unpin + 'static,
    A::Message: From<StreamEvent<S::Item>>,
{
    let failure = loop {
        let polled = poll_fn(
            |cx| match caught_sync(|| Pin::new(&mut source).poll_next(cx)) {
                Ok(poll) => poll.map(|item| item.map(Ok)),
                Err(panic) => Poll::Ready(Some(Err(panic))),
            },
        )
        .await;
        let msg = match polled {
            None => break None,
            Some(Err(panic)) => break Some(panic),
            Some(Ok(item)) => match caught_sync(|| A::Message::from(StreamEvent::Data(item))) {
                Ok(msg) => msg,
                Err(panic) => break Some(panic),
            },
        };
        let envelope = Envelope::stream(msg, stream, false);
        if enqueue(&mailbox, envelope).await.is_err() {
            return;
        }
    };
    drop(source);
    if let Some(error) = failure {
        let envelope = Envelope::stream_failure(stream, error, false);
        if enqueue(&mailbox, envelope).await.is_err() {
            return;
        }
    }
    let last = match caught_sync(|| A::Message::from(StreamEvent::Finished)) {
        Ok(msg) => Envelope::stream(msg, stream, true),
        // No `Finished` to send: end the stream with the error instead, so it is not counted
        // as active forever.
        Err(error) => Envelope::stream_failure(stream, error, true),
    };
    let _ = enqueue(&mailbox, last).await;
}
