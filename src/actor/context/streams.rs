//! Streams: a forwarding task per attached stream feeds its items into the mailbox.

use std::collections::HashMap;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::Poll;

use futures_core::Stream;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::actor::runtime::guard::caught_sync;
use crate::actor::runtime::mailbox::Envelope;
use crate::actor::Actor;
use crate::error::StreamError;
use crate::types::{StreamEvent, StreamId};

/// The attached streams of one incarnation.
#[derive(Default)]
pub(crate) struct StreamSet {
    next_id: u64,
    active: HashMap<u64, AbortHandle>,
    /// Set at the stop commit: later streams get an id but are dropped unpolled.
    shut: bool,
}

impl StreamSet {
    pub(crate) fn len(&self) -> usize {
        self.active.len()
    }

    /// Whether the stream is attached and not finished or cancelled.
    pub(crate) fn is_active(&self, id: u64) -> bool {
        self.active.contains_key(&id)
    }

    /// Whether a dispatched stream event may reach `handle`; the stream stops being active when
    /// its `Finished` is dispatched.
    pub(crate) fn admit(&mut self, id: u64, last: bool) -> bool {
        if !self.active.contains_key(&id) {
            return false;
        }
        if last {
            self.active.remove(&id);
        }
        true
    }

    pub(crate) fn add<A, S>(&mut self, mailbox: &mpsc::Sender<Envelope<A>>, stream: S) -> StreamId
    where
        A: Actor,
        S: Stream + Send + Unpin + 'static,
        S::Item: Send + 'static,
        A::Message: From<StreamEvent<S::Item>>,
    {
        let id = self.next_id;
        self.next_id += 1;
        if !self.shut {
            let task = tokio::spawn(forward::<A, S>(mailbox.clone(), id, stream));
            self.active.insert(id, task.abort_handle());
        }
        StreamId(id)
    }

    pub(crate) fn cancel(&mut self, id: StreamId) -> Result<(), StreamError> {
        match self.active.remove(&id.0) {
            Some(task) => {
                task.abort();
                Ok(())
            }
            None => Err(StreamError::NotFound),
        }
    }

    pub(crate) fn cancel_all(&mut self) {
        for (_, task) in self.active.drain() {
            task.abort();
        }
    }

    pub(crate) fn shut(&mut self) {
        self.cancel_all();
        self.shut = true;
    }
}

impl Drop for StreamSet {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

/// Polls the stream one item at a time, each waiting for mailbox space; then one `Finished`.
///
/// The stream and the `From` conversion are user code: a panic in either ends the stream, is
/// reported to `handle_failure` as `ActorError::Panic`, and is followed by `Finished`.
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
        let envelope = Envelope::Stream {
            msg,
            stream,
            last: false,
        };
        if mailbox.send(envelope).await.is_err() {
            return;
        }
    };
    drop(source);
    if let Some(error) = failure {
        if mailbox
            .send(Envelope::StreamFailure(Box::new((stream, error))))
            .await
            .is_err()
        {
            return;
        }
    }
    if let Ok(msg) = caught_sync(|| A::Message::from(StreamEvent::Finished)) {
        let _ = mailbox
            .send(Envelope::Stream {
                msg,
                stream,
                last: true,
            })
            .await;
    }
}
