//! Streams: delivery, cancellation, backpressure, fairness, stops.
//!
//! All tests run on Tokio's paused clock and wait by yielding only (never by sleeping), so the
//! clock moves only where a test advances it; a hang trips the `timeout`s quickly.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use tokio::time::{advance, timeout, Instant};
use tokio_actors::*;
use tokio_stream::wrappers::{IntervalStream, ReceiverStream};
use tokio_stream::{Stream, StreamExt};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

const LIMIT: Duration = Duration::from_secs(10);

async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

async fn step(d: Duration) {
    advance(d).await;
    settle().await;
}

/// Yields until `cond` holds (at most `tries` yields); returns whether it did.
async fn until(tries: usize, mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..tries {
        if cond() {
            return true;
        }
        tokio::task::yield_now().await;
    }
    cond()
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

async fn tasks_back_to(baseline: usize) -> usize {
    until(10_000, || alive_tasks() == baseline).await;
    alive_tasks()
}

type Boxed<T> = Box<dyn Stream<Item = T> + Send + Unpin>;

#[derive(Debug, Clone, PartialEq)]
enum Ev {
    /// `StreamEvent::Data((tag, value))`.
    Data(u32, u64),
    /// `StreamEvent::Data(value)`, handled at the instant.
    Num(u64, Instant),
    /// `StreamEvent::Data(result)`.
    Res(Result<u64, String>),
    /// `StreamEvent::Finished`; `streams` = active_stream_count() inside that handle call.
    Finished { streams: usize, at: Instant },
    /// A direct `notify`/`send`.
    Note(u64),
    /// `handle_failure` got this text.
    Failure(String),
    /// Result of a cancel performed by a released `Block` handler.
    Cancelled(Result<(), StreamError>),
}

type Log = Arc<Mutex<Vec<Ev>>>;

#[derive(Debug, Clone, Copy)]
enum Then {
    Nothing,
    Cancel(StreamId),
    CancelAll,
}

enum M {
    Tagged(StreamEvent<(u32, u64)>),
    Num(StreamEvent<u64>),
    Res(StreamEvent<Result<u64, String>>),
    Tick(StreamEvent<Instant>),
    Note(u64),
    Block(Arc<Notify>, Then),
    AttachTagged(Boxed<(u32, u64)>),
    /// Attaches all of them within one `handle` call.
    AttachMany(Vec<Boxed<(u32, u64)>>),
    AttachNum(Boxed<u64>),
    AttachRes(Boxed<Result<u64, String>>),
    AttachTick(Boxed<Instant>),
    Cancel(StreamId),
    CancelAll,
    Count,
}

impl From<StreamEvent<(u32, u64)>> for M {
    fn from(e: StreamEvent<(u32, u64)>) -> Self {
        M::Tagged(e)
    }
}
impl From<StreamEvent<u64>> for M {
    fn from(e: StreamEvent<u64>) -> Self {
        M::Num(e)
    }
}
impl From<StreamEvent<Result<u64, String>>> for M {
    fn from(e: StreamEvent<Result<u64, String>>) -> Self {
        M::Res(e)
    }
}
impl From<StreamEvent<Instant>> for M {
    fn from(e: StreamEvent<Instant>) -> Self {
        M::Tick(e)
    }
}

#[derive(Debug)]
enum R {
    Unit,
    Id(StreamId),
    Cancel(Result<(), StreamError>),
    /// active_stream_count() at that moment.
    Count(usize),
}

struct Sink {
    log: Log,
}

impl Sink {
    fn push(&self, e: Ev) {
        self.log.lock().unwrap().push(e);
    }
    fn finished(&self, ctx: &ActorContext<Self>) {
        self.push(Ev::Finished {
            streams: ctx.active_stream_count(),
            at: Instant::now(),
        });
    }
}

impl Actor for Sink {
    type Message = M;
    type Response = R;

    async fn handle(&mut self, msg: M, ctx: &mut ActorContext<Self>) -> ActorResult<R> {
        Ok(match msg {
            M::Tagged(StreamEvent::Data((tag, v))) => {
                self.push(Ev::Data(tag, v));
                R::Unit
            }
            M::Num(StreamEvent::Data(v)) => {
                self.push(Ev::Num(v, Instant::now()));
                R::Unit
            }
            M::Tick(StreamEvent::Data(_)) => {
                self.push(Ev::Num(0, Instant::now()));
                R::Unit
            }
            M::Res(StreamEvent::Data(r)) => {
                self.push(Ev::Res(r.clone()));
                r.map_err(ActorError::user)?;
                R::Unit
            }
            M::Tagged(StreamEvent::Finished)
            | M::Num(StreamEvent::Finished)
            | M::Res(StreamEvent::Finished)
            | M::Tick(StreamEvent::Finished) => {
                self.finished(ctx);
                R::Unit
            }
            M::Note(n) => {
                self.push(Ev::Note(n));
                R::Count(ctx.active_stream_count())
            }
            M::Block(gate, then) => {
                gate.notified().await;
                let res = match then {
                    Then::Nothing => Ok(()),
                    Then::Cancel(id) => ctx.cancel_stream(id),
                    Then::CancelAll => {
                        ctx.cancel_all_streams();
                        Ok(())
                    }
                };
                self.push(Ev::Cancelled(res));
                R::Unit
            }
            M::AttachTagged(s) => R::Id(ctx.add_stream(s)),
            M::AttachMany(streams) => {
                let ids: Vec<StreamId> = streams.into_iter().map(|s| ctx.add_stream(s)).collect();
                R::Count(ids.len())
            }
            M::AttachNum(s) => R::Id(ctx.add_stream(s)),
            M::AttachRes(s) => R::Id(ctx.add_stream(s)),
            M::AttachTick(s) => R::Id(ctx.add_stream(s)),
            M::Cancel(id) => R::Cancel(ctx.cancel_stream(id)),
            M::CancelAll => {
                ctx.cancel_all_streams();
                R::Unit
            }
            M::Count => R::Count(ctx.active_stream_count()),
        })
    }

    fn handle_failure(&mut self, error: ActorError) {
        self.push(Ev::Failure(error.to_string()));
    }
}

async fn spawn_sink(capacity: usize) -> (ActorHandle<Sink>, Log) {
    let log = Log::default();
    let h = Sink { log: log.clone() }
        .spawn()
        .with_config(ActorConfig::default().with_mailbox_capacity(capacity))
        .await
        .expect("spawn");
    (h, log)
}

async fn ask(h: &ActorHandle<Sink>, m: M) -> R {
    timeout(LIMIT, h.send(m))
        .await
        .expect("send timed out")
        .expect("send failed")
}

async fn attach(h: &ActorHandle<Sink>, m: M) -> StreamId {
    match ask(h, m).await {
        R::Id(id) => id,
        other => panic!("{other:?}"),
    }
}

fn tagged_stream(tag: u32, values: impl IntoIterator<Item = u64>) -> Boxed<(u32, u64)> {
    let items: Vec<(u32, u64)> = values.into_iter().map(|v| (tag, v)).collect();
    Box::new(tokio_stream::iter(items))
}

fn tagged(tag: u32, values: impl IntoIterator<Item = u64>) -> M {
    M::AttachTagged(tagged_stream(tag, values))
}

async fn count(h: &ActorHandle<Sink>) -> usize {
    match ask(h, M::Count).await {
        R::Count(n) => n,
        other => panic!("{other:?}"),
    }
}

async fn cancel(h: &ActorHandle<Sink>, id: StreamId) -> Result<(), StreamError> {
    match ask(h, M::Cancel(id)).await {
        R::Cancel(r) => r,
        other => panic!("{other:?}"),
    }
}

fn snapshot(log: &Log) -> Vec<Ev> {
    log.lock().unwrap().clone()
}

fn finished_count(log: &Log) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Ev::Finished { .. }))
        .count()
}

fn values_of(log: &Log, tag: u32) -> Vec<u64> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Ev::Data(t, v) if *t == tag => Some(*v),
            _ => None,
        })
        .collect()
}

fn nums(log: &Log) -> Vec<u64> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Ev::Num(v, _) => Some(*v),
            _ => None,
        })
        .collect()
}

fn offsets(log: &Log, t0: Instant) -> (Vec<u64>, Vec<u64>) {
    let mut items = Vec::new();
    let mut finished = Vec::new();
    for e in log.lock().unwrap().iter() {
        match e {
            Ev::Num(_, at) => items.push((*at - t0).as_millis() as u64),
            Ev::Finished { at, .. } => finished.push((*at - t0).as_millis() as u64),
            _ => {}
        }
    }
    (items, finished)
}

fn failures(log: &Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Ev::Failure(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

async fn stop_and_wait(h: &ActorHandle<Sink>, reason: StopReason) {
    h.stop(reason).await.expect("stop");
    timeout(LIMIT, h.wait_stopped())
        .await
        .expect("actor did not stop");
}

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------

/// A finite stream delivers its items in order, then exactly one `Finished`.
#[tokio::test(start_paused = true)]
async fn finite_stream_in_order_then_one_finished() {
    let (h, log) = spawn_sink(8).await;
    attach(&h, tagged(1, 0..200)).await;
    assert!(until(10_000, || finished_count(&log) == 1).await);
    settle().await;
    let seen = snapshot(&log);
    assert_eq!(seen.len(), 201);
    assert_eq!(values_of(&log, 1), (0..200).collect::<Vec<_>>());
    assert!(
        matches!(seen.last(), Some(Ev::Finished { streams: 0, .. })),
        "Finished must come last: {:?}",
        seen.last()
    );
    step(ms(10_000)).await;
    assert_eq!(finished_count(&log), 1, "Finished exactly once");
    assert_eq!(count(&h).await, 0);
}

/// An empty stream delivers only `Finished`.
#[tokio::test(start_paused = true)]
async fn empty_stream_delivers_only_finished() {
    let (h, log) = spawn_sink(8).await;
    attach(&h, tagged(1, [])).await;
    assert!(until(10_000, || finished_count(&log) == 1).await);
    settle().await;
    assert!(
        matches!(snapshot(&log).as_slice(), [Ev::Finished { streams: 0, .. }]),
        "{:?}",
        snapshot(&log)
    );
}

/// `Data(Err(e))` arrives like any item, the handler's error goes to
/// `handle_failure`, and the stream continues.
#[tokio::test(start_paused = true)]
async fn fallible_stream_continues_after_err_items() {
    let (h, log) = spawn_sink(8).await;
    let items: Vec<Result<u64, String>> = vec![
        Ok(1),
        Err("bad-2".into()),
        Ok(3),
        Err("bad-4".into()),
        Ok(5),
    ];
    attach(&h, M::AttachRes(Box::new(tokio_stream::iter(items)))).await;
    assert!(until(10_000, || finished_count(&log) == 1).await);
    let seen: Vec<Ev> = snapshot(&log)
        .into_iter()
        .filter(|e| matches!(e, Ev::Res(_)))
        .collect();
    assert_eq!(
        seen,
        vec![
            Ev::Res(Ok(1)),
            Ev::Res(Err("bad-2".into())),
            Ev::Res(Ok(3)),
            Ev::Res(Err("bad-4".into())),
            Ev::Res(Ok(5)),
        ]
    );
    let f = failures(&log);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f[0].contains("bad-2") && f[1].contains("bad-4"), "{f:?}");
    assert!(h.is_alive());
}

/// `cancel_stream` stops delivery (no later `Data`, no `Finished`), drops the stream
/// promptly (the producer sees its consumer closed), and decrements the count at once.
#[tokio::test(start_paused = true)]
async fn cancel_stream_stops_delivery_and_drops_the_stream() {
    let (h, log) = spawn_sink(8).await;
    let (tx, rx) = mpsc::channel::<u64>(8);
    let id = attach(&h, M::AttachNum(Box::new(ReceiverStream::new(rx)))).await;
    assert_eq!(count(&h).await, 1);
    tx.send(1).await.unwrap();
    tx.send(2).await.unwrap();
    assert!(until(10_000, || nums(&log) == vec![1, 2]).await);

    assert!(matches!(cancel(&h, id).await, Ok(())));
    assert_eq!(count(&h).await, 0, "count decremented at cancel");
    timeout(LIMIT, tx.closed())
        .await
        .expect("the producer never saw the stream dropped");
    assert!(tx.send(3).await.is_err());
    settle().await;
    assert_eq!(nums(&log), vec![1, 2]);
    assert_eq!(finished_count(&log), 0, "no Finished after cancel");
}

/// Items already in the mailbox when the stream is cancelled are skipped,
/// and `handle_failure` does not see them.
#[tokio::test(start_paused = true)]
async fn cancel_stream_skips_items_already_queued() {
    let (h, log) = spawn_sink(16).await;
    let (tx, rx) = mpsc::channel::<u64>(8);
    let id = attach(&h, M::AttachNum(Box::new(ReceiverStream::new(rx)))).await;
    let other = attach(&h, tagged(2, 0..3)).await;
    let gate = Arc::new(Notify::new());
    h.notify(M::Block(gate.clone(), Then::Cancel(id)))
        .await
        .unwrap();
    settle().await;
    for i in 0..5 {
        tx.send(i).await.unwrap();
    }
    drop(tx); // the stream would end: its Finished must be skipped too
    settle().await;
    assert!(
        h.mailbox_len() >= 5,
        "items are queued: {}",
        h.mailbox_len()
    );
    gate.notify_one();
    settle().await;
    assert!(nums(&log).is_empty(), "handled {:?}", nums(&log));
    assert_eq!(
        values_of(&log, 2),
        vec![0, 1, 2],
        "the other stream is unaffected"
    );
    assert_eq!(finished_count(&log), 1, "only the other stream's Finished");
    assert!(snapshot(&log).contains(&Ev::Cancelled(Ok(()))));
    assert!(failures(&log).is_empty());
    assert!(matches!(
        cancel(&h, other).await,
        Err(StreamError::NotFound)
    ));
}

/// `cancel_all_streams` skips queued items of every stream and zeroes the count.
#[tokio::test(start_paused = true)]
async fn cancel_all_streams_skips_everything_queued() {
    let (h, log) = spawn_sink(64).await;
    let (tx1, rx1) = mpsc::channel::<(u32, u64)>(16);
    let (tx2, rx2) = mpsc::channel::<(u32, u64)>(16);
    let a = attach(&h, M::AttachTagged(Box::new(ReceiverStream::new(rx1)))).await;
    let b = attach(&h, M::AttachTagged(Box::new(ReceiverStream::new(rx2)))).await;
    let gate = Arc::new(Notify::new());
    h.notify(M::Block(gate.clone(), Then::CancelAll))
        .await
        .unwrap();
    settle().await;
    for i in 0..5 {
        tx1.send((1, i)).await.unwrap();
        tx2.send((2, i)).await.unwrap();
    }
    drop((tx1, tx2));
    settle().await;
    assert_eq!(h.mailbox_len(), 12, "10 items and 2 Finished are queued");
    gate.notify_one();
    settle().await;
    assert!(values_of(&log, 1).is_empty() && values_of(&log, 2).is_empty());
    assert_eq!(finished_count(&log), 0);
    assert_eq!(count(&h).await, 0);
    assert!(matches!(cancel(&h, a).await, Err(StreamError::NotFound)));
    assert!(matches!(cancel(&h, b).await, Err(StreamError::NotFound)));
}

/// `cancel_stream` twice → `NotFound`; after `Finished` was handled → `NotFound`; the
/// count drops at `Finished` (already inside that `handle` call).
#[tokio::test(start_paused = true)]
async fn cancel_stream_not_found_cases_and_count_at_finished() {
    let (h, log) = spawn_sink(8).await;
    let (_tx, rx) = mpsc::channel::<u64>(1);
    let pending = attach(&h, M::AttachNum(Box::new(ReceiverStream::new(rx)))).await;
    let finite = attach(&h, tagged(1, 0..3)).await;
    assert_ne!(pending, finite, "stream ids are unique");
    assert!(until(10_000, || finished_count(&log) == 1).await);
    assert!(
        matches!(snapshot(&log).last(), Some(Ev::Finished { streams: 1, .. })),
        "inside Finished's handle the finished stream is no longer counted: {:?}",
        snapshot(&log)
    );
    assert_eq!(count(&h).await, 1);
    assert!(matches!(
        cancel(&h, finite).await,
        Err(StreamError::NotFound)
    ));
    assert!(matches!(cancel(&h, pending).await, Ok(())));
    assert_eq!(count(&h).await, 0);
    assert!(matches!(
        cancel(&h, pending).await,
        Err(StreamError::NotFound)
    ));
    assert_eq!(h.get_status().await.unwrap().stream_count, 0);
}

/// Two streams: all items of both arrive (each in order), each stream produces its own
/// `Finished`, and the count drops by one at each.
#[tokio::test(start_paused = true)]
async fn two_streams_each_finish() {
    let (h, log) = spawn_sink(4).await;
    // Attached within one handle call, so both are active before either can finish.
    let both = vec![tagged_stream(1, 0..100), tagged_stream(2, 1_000..1_150)];
    assert!(matches!(ask(&h, M::AttachMany(both)).await, R::Count(2)));
    assert!(until(100_000, || finished_count(&log) == 2).await);
    settle().await;
    assert_eq!(values_of(&log, 1), (0..100).collect::<Vec<_>>());
    assert_eq!(values_of(&log, 2), (1_000..1_150).collect::<Vec<_>>());
    let counts: Vec<usize> = snapshot(&log)
        .iter()
        .filter_map(|e| match e {
            Ev::Finished { streams, .. } => Some(*streams),
            _ => None,
        })
        .collect();
    assert_eq!(counts, vec![1, 0]);
    assert_eq!(count(&h).await, 0);
}

// ---------------------------------------------------------------------------------------------
// Backpressure, ordering, fairness
// ---------------------------------------------------------------------------------------------

/// With a full mailbox (capacity 1, handler blocked) the stream is not consumed
/// beyond one pending item, so the producer's own channel fills up; once released, every item
/// arrives in order.
#[tokio::test(start_paused = true)]
async fn full_mailbox_parks_the_stream() {
    const CHANNEL: usize = 4;
    let (h, log) = spawn_sink(1).await;
    let (tx, rx) = mpsc::channel::<u64>(CHANNEL);
    attach(&h, M::AttachNum(Box::new(ReceiverStream::new(rx)))).await;
    let gate = Arc::new(Notify::new());
    h.notify(M::Block(gate.clone(), Then::Nothing))
        .await
        .unwrap();
    settle().await;
    assert_eq!(h.mailbox_len(), 0, "the actor took the Block message");

    let mut accepted = 0u64;
    loop {
        match tx.try_send(accepted) {
            Ok(()) => {
                accepted += 1;
                settle().await;
                assert!(accepted < 100, "the stream is consumed without bound");
            }
            Err(mpsc::error::TrySendError::Full(_)) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    // 1 item in the mailbox + at most 1 pending in the forwarder + the channel's own capacity.
    let bound = (CHANNEL + 2) as u64;
    assert!(
        (CHANNEL as u64 + 1..=bound).contains(&accepted),
        "accepted {accepted} items (mailbox 1, one pending, channel {CHANNEL})"
    );
    assert_eq!(h.mailbox_len(), 1);
    assert!(nums(&log).is_empty());

    gate.notify_one();
    assert!(until(10_000, || nums(&log).len() as u64 == accepted).await);
    // More items flow once there is room; drop the producer to end the stream.
    for i in accepted..accepted + 20 {
        timeout(LIMIT, tx.send(i)).await.unwrap().unwrap();
    }
    drop(tx);
    assert!(until(10_000, || finished_count(&log) == 1).await);
    assert_eq!(nums(&log), (0..accepted + 20).collect::<Vec<_>>());
}

/// A fast stream through a mailbox of capacity 1 keeps stream order.
#[tokio::test(start_paused = true)]
async fn fast_stream_through_capacity_one_keeps_order() {
    let (h, log) = spawn_sink(1).await;
    attach(&h, M::AttachNum(Box::new(tokio_stream::iter(0..2_000u64)))).await;
    assert!(until(100_000, || finished_count(&log) == 1).await);
    assert_eq!(nums(&log), (0..2_000).collect::<Vec<_>>());
}

/// Stream items and direct messages share the mailbox; an endless stream never starves
/// direct `send`s, which are answered while the stream is still active.
#[tokio::test(start_paused = true)]
async fn endless_stream_does_not_starve_direct_messages() {
    let (h, log) = spawn_sink(8).await;
    let id = attach(
        &h,
        M::AttachNum(Box::new(tokio_stream::iter(std::iter::repeat(7u64)))),
    )
    .await;
    assert!(until(10_000, || nums(&log).len() >= 100).await);
    for n in 0..10 {
        match ask(&h, M::Note(n)).await {
            R::Count(1) => {}
            other => panic!("note {n}: {other:?}"),
        }
    }
    let seen = snapshot(&log);
    let notes: Vec<u64> = seen
        .iter()
        .filter_map(|e| match e {
            Ev::Note(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(notes, (0..10).collect::<Vec<_>>());
    assert_eq!(finished_count(&log), 0);
    ask(&h, M::CancelAll).await;
    assert_eq!(count(&h).await, 0);
    assert!(matches!(cancel(&h, id).await, Err(StreamError::NotFound)));
    let handled = nums(&log).len();
    settle().await;
    assert_eq!(
        nums(&log).len(),
        handled,
        "items handled after cancel_all_streams"
    );
}

/// Direct `notify`s sent while a long finite stream flows are all handled before that stream's
/// `Finished`, interleaved with its items.
#[tokio::test(start_paused = true)]
async fn notifies_interleave_with_a_long_stream() {
    const LEN: u64 = 20_000;
    let (h, log) = spawn_sink(16).await;
    attach(&h, M::AttachNum(Box::new(tokio_stream::iter(0..LEN)))).await;
    assert!(until(10_000, || nums(&log).len() >= 100).await);
    for n in 0..10 {
        timeout(LIMIT, h.notify(M::Note(n))).await.unwrap().unwrap();
    }
    assert!(until(1_000_000, || finished_count(&log) == 1).await);
    let seen = snapshot(&log);
    let pos = |pred: &dyn Fn(&Ev) -> bool| seen.iter().position(pred).unwrap();
    let finished = pos(&|e| matches!(e, Ev::Finished { .. }));
    let last_note = pos(&|e| matches!(e, Ev::Note(9)));
    assert!(last_note < finished);
    let items_after_notes = seen[last_note..]
        .iter()
        .filter(|e| matches!(e, Ev::Num(..)))
        .count();
    assert!(
        items_after_notes > 0,
        "the stream was still flowing after the notes"
    );
    assert_eq!(nums(&log), (0..LEN).collect::<Vec<_>>());
}

/// 1,000 streams on one actor: every stream's order is kept and each finishes once.
#[tokio::test(start_paused = true)]
async fn thousand_streams_on_one_actor() {
    let baseline = alive_tasks();
    let (h, log) = spawn_sink(64).await;
    for tag in 0..1_000 {
        attach(&h, tagged(tag, 0..20)).await;
    }
    assert!(until(1_000_000, || finished_count(&log) == 1_000).await);
    settle().await;
    for tag in 0..1_000 {
        assert_eq!(
            values_of(&log, tag),
            (0..20).collect::<Vec<_>>(),
            "stream {tag}"
        );
    }
    assert_eq!(finished_count(&log), 1_000);
    assert_eq!(count(&h).await, 0);
    stop_and_wait(&h, StopReason::Graceful).await;
    assert_eq!(tasks_back_to(baseline).await, baseline);
}

// ---------------------------------------------------------------------------------------------
// Cancellation, stop and task leaks
// ---------------------------------------------------------------------------------------------

/// An infinite stream cancelled mid-way stops promptly: nothing is handled after the cancel and
/// its forwarding task is gone.
#[tokio::test(start_paused = true)]
async fn infinite_stream_cancelled_midway_stops_promptly() {
    let (h, log) = spawn_sink(8).await;
    let baseline = alive_tasks();
    let id = attach(&h, M::AttachNum(Box::new(tokio_stream::iter(0u64..)))).await;
    assert!(until(10_000, || nums(&log).len() >= 500).await);
    assert!(alive_tasks() > baseline);
    assert!(matches!(cancel(&h, id).await, Ok(())));
    let at_cancel = nums(&log).len();
    settle().await;
    step(ms(1_000)).await;
    assert_eq!(nums(&log).len(), at_cancel, "items handled after cancel");
    assert_eq!(nums(&log), (0..at_cancel as u64).collect::<Vec<_>>());
    assert_eq!(finished_count(&log), 0);
    assert_eq!(
        tasks_back_to(baseline).await,
        baseline,
        "forwarding task left behind"
    );
}

/// Stopping the actor drops its streams (producers see closed consumers) for every
/// kind of stop, and no forwarding task is left behind.
#[tokio::test(start_paused = true)]
async fn stopping_the_actor_drops_its_streams_and_leaks_no_task() {
    let reasons = [
        StopReason::Graceful,
        StopReason::Cancelled,
        StopReason::Failure(ActorError::user("stop")),
        StopReason::Kill,
    ];
    for reason in reasons {
        let label = reason.to_string();
        let baseline = alive_tasks();
        let (h, log) = spawn_sink(4).await;
        let (tx, rx) = mpsc::channel::<u64>(4);
        attach(&h, M::AttachNum(Box::new(ReceiverStream::new(rx)))).await;
        attach(
            &h,
            M::AttachTagged(Box::new(tokio_stream::iter(std::iter::repeat((1, 1))))),
        )
        .await;
        tx.send(42).await.unwrap();
        assert!(until(10_000, || nums(&log) == vec![42]).await, "{label}");
        assert!(alive_tasks() >= baseline + 3, "{label}");
        stop_and_wait(&h, reason).await;
        timeout(LIMIT, tx.closed())
            .await
            .unwrap_or_else(|_| panic!("{label}: stream not dropped at stop"));
        assert_eq!(
            tasks_back_to(baseline).await,
            baseline,
            "{label}: tasks left behind"
        );
        assert_eq!(finished_count(&log), 0, "{label}");
    }
}

// ---------------------------------------------------------------------------------------------
// Timed streams on the paused clock
// ---------------------------------------------------------------------------------------------

/// An interval stream (first tick immediate, then every 100 ms) delivers on the clock, then
/// `Finished` right after its last item.
#[tokio::test(start_paused = true)]
async fn interval_stream_on_the_paused_clock() {
    let (h, log) = spawn_sink(8).await;
    let t0 = Instant::now();
    let ticks = IntervalStream::new(tokio::time::interval(ms(100))).take(5);
    attach(&h, M::AttachTick(Box::new(ticks))).await;
    settle().await;
    assert_eq!(offsets(&log, t0), (vec![0], vec![]));
    step(ms(99)).await;
    assert_eq!(offsets(&log, t0), (vec![0], vec![]));
    step(ms(1)).await;
    assert_eq!(offsets(&log, t0), (vec![0, 100], vec![]));
    for _ in 0..3 {
        step(ms(100)).await;
    }
    assert_eq!(offsets(&log, t0), (vec![0, 100, 200, 300, 400], vec![400]));
    step(ms(1_000)).await;
    assert_eq!(finished_count(&log), 1);
    assert_eq!(count(&h).await, 0);
}

/// A throttled stream paces its items 100 ms apart; `Finished` comes once, after the last item.
#[tokio::test(start_paused = true)]
async fn throttled_stream_on_the_paused_clock() {
    let (h, log) = spawn_sink(8).await;
    let t0 = Instant::now();
    let throttled = Box::pin(tokio_stream::iter(0..5u64).throttle(ms(100)));
    attach(&h, M::AttachNum(Box::new(throttled))).await;
    settle().await;
    assert_eq!(offsets(&log, t0).0, vec![0]);
    step(ms(99)).await;
    assert_eq!(offsets(&log, t0).0, vec![0]);
    step(ms(1)).await;
    assert_eq!(offsets(&log, t0).0, vec![0, 100]);
    for _ in 0..3 {
        step(ms(100)).await;
    }
    assert_eq!(offsets(&log, t0).0, vec![0, 100, 200, 300, 400]);
    assert_eq!(nums(&log), vec![0, 1, 2, 3, 4]);
    step(ms(1_000)).await;
    let (_, finished) = offsets(&log, t0);
    assert_eq!(finished.len(), 1);
    assert!(
        finished[0] >= 400,
        "Finished before the last item: {finished:?}"
    );
    assert_eq!(count(&h).await, 0);
}

/// Backpressure on the paused clock: a 10 ms interval stream into a blocked actor with capacity 2
/// does not pile up ticks; after the block ends the stream continues in order.
#[tokio::test(start_paused = true)]
async fn timed_stream_under_backpressure() {
    static PRODUCED: AtomicU64 = AtomicU64::new(0);
    let (h, log) = spawn_sink(2).await;
    let gate = Arc::new(Notify::new());
    let numbered = IntervalStream::new(tokio::time::interval(ms(10)))
        .map(|_| PRODUCED.fetch_add(1, Ordering::SeqCst));
    let id = attach(&h, M::AttachNum(Box::new(numbered))).await;
    settle().await;
    h.notify(M::Block(gate.clone(), Then::Nothing))
        .await
        .unwrap();
    settle().await;
    let before = PRODUCED.load(Ordering::SeqCst);
    for _ in 0..50 {
        step(ms(10)).await;
    }
    let produced = PRODUCED.load(Ordering::SeqCst) - before;
    assert!(
        produced <= 3,
        "{produced} items pulled from the stream in 500 ms while the mailbox was full"
    );
    assert_eq!(h.mailbox_len(), 2);
    gate.notify_one();
    settle().await;
    step(ms(100)).await;
    let seen = nums(&log);
    assert_eq!(seen, (0..seen.len() as u64).collect::<Vec<_>>());
    assert!(matches!(cancel(&h, id).await, Ok(())));
}

/// A stream attached after the stop commit (from `on_stopped`) is inert: it gets an id, is
/// dropped without being polled, and no forwarding task outlives the actor.
#[tokio::test(start_paused = true)]
async fn streams_added_in_on_stopped_are_inert() {
    type Rx = Arc<Mutex<Option<mpsc::Receiver<u64>>>>;
    struct Late {
        rx: Rx,
        handled: Arc<Mutex<Vec<u64>>>,
    }
    impl Actor for Late {
        type Message = StreamEvent<u64>;
        type Response = ();
        async fn handle(
            &mut self,
            e: StreamEvent<u64>,
            _: &mut ActorContext<Self>,
        ) -> ActorResult<()> {
            if let StreamEvent::Data(v) = e {
                self.handled.lock().unwrap().push(v);
            }
            Ok(())
        }
        async fn on_stopped(
            &mut self,
            _: &StopReason,
            ctx: &mut ActorContext<Self>,
        ) -> ActorResult<()> {
            let rx = self.rx.lock().unwrap().take().unwrap();
            ctx.add_stream(ReceiverStream::new(rx));
            ctx.add_stream(tokio_stream::iter(0..10u64));
            tokio::task::yield_now().await;
            Ok(())
        }
    }

    let baseline = alive_tasks();
    let (tx, rx) = mpsc::channel::<u64>(4);
    tx.send(1).await.unwrap();
    let handled = Arc::new(Mutex::new(Vec::new()));
    let h = Late {
        rx: Arc::new(Mutex::new(Some(rx))),
        handled: handled.clone(),
    }
    .spawn()
    .await
    .unwrap();
    h.stop(StopReason::Graceful).await.unwrap();
    timeout(LIMIT, h.wait_stopped()).await.unwrap();
    timeout(LIMIT, tx.closed())
        .await
        .expect("stream added in on_stopped was not dropped");
    assert!(handled.lock().unwrap().is_empty());
    assert_eq!(tasks_back_to(baseline).await, baseline);
}
