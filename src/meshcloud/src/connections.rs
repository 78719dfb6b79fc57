//! Serving connections: at most `max_connections` at once, a deadline for
//! every request's headers, a keep-alive timeout between requests, and a
//! bounded drain on shutdown.
//!
//! poem's `Server` offers none of the first three: hyper's header-read
//! timeout needs a timer poem does not install, and poem's `idle_timeout`
//! counts every byte as activity, so a client trickling header bytes is
//! never closed. Connections are therefore driven with hyper here and each
//! request is handed to the poem endpoint, as poem's `Server` does.
//!
//! A connection is in one of three phases: reading a request's headers
//! (deadline `header_read_timeout`, counted from the accept or from the
//! first byte after idling), busy with requests, or idle between requests
//! (deadline `keep_alive_timeout`). A connection past its deadline is
//! dropped; an idle HTTP/2 connection is first sent a GOAWAY.
//!
//! A busy connection has no deadline of its own, since a handler may compute
//! for as long as it needs; instead every transfer must make progress. A
//! request body that yields nothing for `body_read_timeout` fails, and a
//! write the peer accepts nothing of for `write_timeout` ends the connection,
//! as does a response the peer grants no HTTP/2 flow-control window for.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use poem::http::uri::Scheme;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, Request, RequestParts};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tracing::{debug, warn};

/// A failing `accept` (out of descriptors, mostly) is retried after this
/// pause instead of in a busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The warning that the connection cap is reached is repeated at most this often.
const FULL_WARNING_EVERY: Duration = Duration::from_secs(60);

/// How long a connection sent a GOAWAY (idle HTTP/2, or shutdown) may take
/// to close itself before it is dropped: hyper waits for the answer to a
/// PING, one round trip, before its final GOAWAY.
const GOAWAY_GRACE: Duration = Duration::from_secs(5);

/// What an HTTP/2 connection with prior knowledge begins with.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    /// Longest wait for the next piece of a request body.
    pub body_read_timeout: Duration,
    /// Longest wait for the peer to accept more response bytes.
    pub write_timeout: Duration,
    pub max_connections: usize,
    /// How long in-flight requests may take to finish after shutdown.
    pub drain: Duration,
}

/// The connection cap, lowered to half the process's open-file limit when
/// that is smaller: the other half stays for the store, backups, outgoing
/// mail and sign-in calls, so connections cannot starve them of descriptors.
pub fn effective_cap(configured: usize) -> usize {
    let Some(limit) = open_file_limit() else { return configured };
    let half = usize::try_from(limit / 2).unwrap_or(usize::MAX).max(1);
    if half < configured {
        warn!(
            max_connections = configured,
            open_file_limit = limit,
            serving = half,
            "max_connections exceeds half the open-file limit (ulimit -n); serving fewer connections at once"
        );
        half
    } else {
        configured
    }
}

/// The soft limit on open files, where the system reports it (Linux).
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find_map(|l| l.strip_prefix("Max open files"))?;
    // "unlimited" does not parse: no limit to respect.
    line.split_whitespace().next()?.parse().ok()
}

/// Serves `endpoint` on `listener` until `shutdown` resolves; then stops
/// accepting, lets in-flight requests finish for up to `limits.drain`, and
/// drops the connections left.
pub async fn serve<E>(
    listener: std::net::TcpListener,
    limits: Limits,
    endpoint: E,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    E: Endpoint + 'static,
{
    listener.set_nonblocking(true)?;
    let listener = TcpListener::from_std(listener)?;
    let local = LocalAddr(Addr::SocketAddr(listener.local_addr()?));
    let endpoint = Arc::new(endpoint);
    // Beyond the cap, connections are not accepted: they wait in the
    // listen backlog, holding no descriptor of ours, until a slot frees.
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // The deadlines are kept here; hyper's own header timer stays off.
    builder.http1().header_read_timeout(None);
    builder.http2().max_pending_accept_reset_streams(20).max_header_list_size(16 * 1024);
    let builder = Arc::new(builder);
    let (drain, draining) = watch::channel(false);
    let mut conns = JoinSet::new();
    let mut warned_full = None;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(done) = conns.join_next() => reaped(done),
            next = next_connection(&listener, &slots, &mut warned_full) => {
                let Some((stream, peer, slot)) = next else { break };
                let conn = Conn {
                    builder: builder.clone(),
                    endpoint: endpoint.clone(),
                    local: local.clone(),
                    peer,
                    limits,
                    draining: draining.clone(),
                    _slot: slot,
                };
                conns.spawn(conn.run(stream));
            }
        }
    }
    // New connections are refused from here on.
    drop(listener);
    let _ = drain.send(true);
    let drained = tokio::time::timeout(limits.drain, async {
        while let Some(done) = conns.join_next().await {
            reaped(done);
        }
    })
    .await;
    if drained.is_err() {
        warn!(open = conns.len(), "closing the connections still busy after the drain period");
        conns.shutdown().await;
    }
    Ok(())
}

/// A cancelled task was aborted on purpose; only a panic is worth a warning.
fn reaped(done: Result<(), tokio::task::JoinError>) {
    if let Err(e) = done
        && e.is_panic()
    {
        warn!(error = %e, "a connection task panicked");
    }
}

/// The next connection with its slot; `None` only if the slots were closed.
async fn next_connection(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
    warned_full: &mut Option<Instant>,
) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    loop {
        if slots.available_permits() == 0 && warned_full.is_none_or(|at| at.elapsed() >= FULL_WARNING_EVERY) {
            warn!("max_connections reached; new connections wait until one closes");
            *warned_full = Some(Instant::now());
        }
        let slot = slots.clone().acquire_owned().await.ok()?;
        match listener.accept().await {
            Ok((stream, peer)) => return Some((stream, peer, slot)),
            Err(e) => {
                drop(slot);
                warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

/// One accepted connection and what serving it needs.
struct Conn<E> {
    builder: Arc<auto::Builder<TokioExecutor>>,
    endpoint: Arc<E>,
    local: LocalAddr,
    peer: SocketAddr,
    limits: Limits,
    draining: watch::Receiver<bool>,
    /// Frees the connection's place under the cap when the task ends.
    _slot: OwnedSemaphorePermit,
}

impl<E: Endpoint + 'static> Conn<E> {
    async fn run(mut self, stream: TcpStream) {
        let (state_tx, mut state) = watch::channel(State::new());
        // Held to the end, so `state.changed()` never reports a closed channel.
        let tracker = Arc::new(Tracker { state: state_tx, http2: AtomicBool::new(false) });
        let service = {
            let tracker = tracker.clone();
            let (endpoint, local, remote) = (self.endpoint.clone(), self.local.clone(), RemoteAddr(self.peer.into()));
            let body_read_timeout = self.limits.body_read_timeout;
            hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                // Called once the request's headers are parsed.
                let in_flight = tracker.begin();
                let (endpoint, local, remote) = (endpoint.clone(), local.clone(), remote.clone());
                async move {
                    let (parts, body) = req.into_parts();
                    let parts = RequestParts::from((parts, local, remote, Scheme::HTTP));
                    let body = TimedBody::new(body, body_read_timeout).boxed();
                    let req = Request::from_parts(parts, poem::Body::from(body));
                    let resp: hyper::Response<_> = endpoint.get_response(req).await.into();
                    Ok::<_, Infallible>(resp.map(|body| Tracked { body, in_flight, handed: false }))
                }
            })
        };
        let io = TokioIo::new(Watched::new(stream, tracker.clone(), self.limits.write_timeout));
        // Nothing here upgrades a connection; one that did would leave the
        // cap and the drain behind.
        let conn = self.builder.serve_connection(io, service);
        tokio::pin!(conn);
        let mut draining = false;
        // Set once the connection was asked to close: it is dropped when its
        // grace period ends, unless a request is still being served.
        let mut closing: Option<Instant> = None;
        loop {
            let deadline = self.deadline(&state.borrow_and_update(), closing);
            tokio::select! {
                biased;
                ended = conn.as_mut() => {
                    if let Err(e) = ended {
                        debug!(peer = %self.peer, error = %e, "connection ended with an error");
                    }
                    return;
                }
                _ = state.changed() => {}
                _ = self.draining.changed(), if !draining => {
                    // Idle connections close now, busy ones after their response.
                    draining = true;
                    conn.as_mut().graceful_shutdown();
                    let grace = Instant::now() + GOAWAY_GRACE;
                    closing = Some(closing.map_or(grace, |c| c.min(grace)));
                }
                () = sleep_until(deadline) => {
                    let (current, due) = {
                        let s = state.borrow();
                        (s.phase, self.deadline(&s, closing))
                    };
                    let now = Instant::now();
                    if due.is_none_or(|d| d > now) {
                        continue;
                    }
                    if closing.is_none() && matches!(current, Phase::Idle(_)) && tracker.is_http2() {
                        // A GOAWAY tells a client (or a proxy pooling the
                        // connection) to stop sending on it, so no request
                        // races the close.
                        debug!(peer = %self.peer, "idle HTTP/2 connection: sending GOAWAY");
                        conn.as_mut().graceful_shutdown();
                        closing = Some(now + GOAWAY_GRACE);
                        continue;
                    }
                    let why = match (closing, current) {
                        (_, Phase::Busy(_)) => "the peer takes no response data",
                        (Some(_), _) => "did not close within its grace period",
                        (None, Phase::Head(_)) => "no complete request headers in time",
                        (None, _) => "idle keep-alive connection",
                    };
                    debug!(peer = %self.peer, why, "closing connection");
                    return;
                }
            }
        }
    }

    fn deadline(&self, state: &State, closing: Option<Instant>) -> Option<Instant> {
        // Validated timeouts (at most an hour) cannot overflow an Instant.
        let own = match state.phase {
            Phase::Head(since) => since + self.limits.header_read_timeout,
            Phase::Idle(since) => since + self.limits.keep_alive_timeout,
            // However long handlers take; but a response the peer takes
            // nothing of may wait only so long, and no grace period applies.
            Phase::Busy(_) => return state.waiting.values().min().map(|since| *since + self.limits.write_timeout),
        };
        Some(closing.map_or(own, |c| own.min(c)))
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Where a connection stands, which decides its deadline.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Reading a request's headers since this instant.
    Head(Instant),
    /// This many requests in flight (more than one only over HTTP/2).
    Busy(usize),
    /// No request since this instant.
    Idle(Instant),
}

/// What the connection's deadline is computed from.
struct State {
    phase: Phase,
    /// Responses (by request number) whose last frame hyper took and has not
    /// passed on, since when. Only the peer holds one up for long: it reads
    /// nothing, or grants no HTTP/2 flow-control window.
    waiting: BTreeMap<u64, Instant>,
    requests: u64,
}

impl State {
    fn new() -> Self {
        State { phase: Phase::Head(Instant::now()), waiting: BTreeMap::new(), requests: 0 }
    }
}

struct Tracker {
    state: watch::Sender<State>,
    /// The connection speaks HTTP/2 (it began with the preface).
    http2: AtomicBool,
}

impl Tracker {
    /// Bytes arrived: on an idle HTTP/1 connection, a request's headers have
    /// begun. Not so on HTTP/2, where an idle connection still carries
    /// PINGs, WINDOW_UPDATEs and SETTINGS acknowledgements.
    fn received(&self) {
        if self.is_http2() {
            return;
        }
        self.state.send_if_modified(|s| match s.phase {
            Phase::Idle(_) => {
                s.phase = Phase::Head(Instant::now());
                true
            }
            Phase::Head(_) | Phase::Busy(_) => false,
        });
    }

    /// The HTTP/2 preface arrived: the connection is established, and idle
    /// until its first request.
    fn http2(&self) {
        self.http2.store(true, Ordering::Relaxed);
        self.state.send_if_modified(|s| match s.phase {
            Phase::Head(_) => {
                s.phase = Phase::Idle(Instant::now());
                true
            }
            Phase::Idle(_) | Phase::Busy(_) => false,
        });
    }

    fn is_http2(&self) -> bool {
        self.http2.load(Ordering::Relaxed)
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        let mut id = 0;
        self.state.send_modify(|s| {
            s.requests += 1;
            id = s.requests;
            s.phase = match s.phase {
                Phase::Busy(n) => Phase::Busy(n + 1),
                Phase::Head(_) | Phase::Idle(_) => Phase::Busy(1),
            }
        });
        InFlight { tracker: self.clone(), id }
    }
}

/// A request from its parsed headers until its response is written (or
/// abandoned): dropped with the response body.
struct InFlight {
    tracker: Arc<Tracker>,
    id: u64,
}

impl InFlight {
    /// hyper took a frame of the response, to pass on to the peer.
    fn handed(&self) {
        self.tracker.state.send_modify(|s| {
            s.waiting.insert(self.id, Instant::now());
        });
    }

    /// hyper passed the frame on and asks for the next.
    fn taken(&self) {
        self.tracker.state.send_if_modified(|s| s.waiting.remove(&self.id).is_some());
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.tracker.state.send_modify(|s| {
            s.waiting.remove(&self.id);
            s.phase = match s.phase {
                Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
                _ => Phase::Idle(Instant::now()),
            }
        });
    }
}

/// A response body that ends its request's time in flight when hyper is
/// done with it, and reports frames hyper holds on to: a stalled socket
/// shows in `Watched`, but on HTTP/2 a frame also waits for the peer's
/// flow-control window while the socket stays writable.
struct Tracked<B> {
    body: B,
    in_flight: InFlight,
    handed: bool,
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if std::mem::take(&mut self.handed) {
            self.in_flight.taken();
        }
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && frame.is_data()
        {
            self.handed = true;
            self.in_flight.handed();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A request body that fails when the client sends nothing of it for
/// `timeout`: a client that declares a body and withholds it would otherwise
/// keep its request, and its connection slot, forever. The wait is only
/// counted while the handler waits for the body, never while it computes.
struct TimedBody {
    body: Incoming,
    timeout: Duration,
    /// Armed while a read waits for the client.
    timer: Option<Pin<Box<Sleep>>>,
    waiting: bool,
}

impl TimedBody {
    fn new(body: Incoming, timeout: Duration) -> Self {
        TimedBody { body, timeout, timer: None, waiting: false }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            this.waiting = false;
            return Poll::Ready(frame.map(|f| f.map_err(io::Error::other)));
        }
        let started = !std::mem::replace(&mut this.waiting, true);
        if stalled(&mut this.timer, started, this.timeout, cx) {
            // poem answers a failed body read with 400; hyper then closes
            // the connection, the body being unfinished.
            return Poll::Ready(Some(Err(io::Error::new(io::ErrorKind::TimedOut, "request body timed out"))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Whether a wait that is pending has lasted `timeout`: `started` (re)arms
/// `timer` for a wait that begins now; the timer wakes the task when due.
fn stalled(timer: &mut Option<Pin<Box<Sleep>>>, started: bool, timeout: Duration, cx: &mut Context<'_>) -> bool {
    let timer = match timer {
        Some(t) => {
            if started {
                t.as_mut().reset(Instant::now() + timeout);
            }
            t
        }
        None => timer.insert(Box::pin(tokio::time::sleep(timeout))),
    };
    timer.as_mut().poll(cx).is_ready()
}

/// The socket, reporting received bytes to the connection's tracker and
/// failing writes the peer accepts nothing of for `write_timeout`.
struct Watched {
    stream: TcpStream,
    tracker: Arc<Tracker>,
    /// How many bytes of the HTTP/2 preface arrived so far; `None` once the
    /// protocol is known.
    preface: Option<usize>,
    write_timeout: Duration,
    /// Armed while a write waits for the peer to read.
    write_timer: Option<Pin<Box<Sleep>>>,
    write_waiting: bool,
}

impl Watched {
    fn new(stream: TcpStream, tracker: Arc<Tracker>, write_timeout: Duration) -> Self {
        Watched { stream, tracker, preface: Some(0), write_timeout, write_timer: None, write_waiting: false }
    }

    /// Follows the start of the stream until it is known to be HTTP/2 or not.
    fn detect_http2(&mut self, read: &[u8]) {
        let Some(matched) = self.preface else { return };
        let rest = H2_PREFACE.get(matched..).unwrap_or_default();
        let n = read.len().min(rest.len());
        self.preface = if read.get(..n) != rest.get(..n) {
            None
        } else if n == rest.len() {
            self.tracker.http2();
            None
        } else {
            Some(matched + n)
        };
    }

    /// Passes a write's outcome on; a write still pending after
    /// `write_timeout` fails instead, ending the connection.
    fn guard_write<T>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.write_waiting = false;
            return polled;
        }
        let started = !std::mem::replace(&mut self.write_waiting, true);
        if stalled(&mut self.write_timer, started, self.write_timeout, cx) {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the peer stopped reading")));
        }
        Poll::Pending
    }
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.detect_http2(buf.filled().get(before..).unwrap_or_default());
            self.tracker.received();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.guard_write(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.guard_write(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_flush(cx);
        self.guard_write(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn a_handler_that_computes_longer_than_every_timeout_is_not_cut_off() {
        let second = Duration::from_secs(1);
        let limits = Limits {
            header_read_timeout: second,
            keep_alive_timeout: second,
            body_read_timeout: second,
            write_timeout: second,
            max_connections: 4,
            drain: second,
        };
        // Reads its body, then works for longer than any of the timeouts.
        let endpoint = poem::endpoint::make(|req: Request| async move {
            let body = req.into_body().into_bytes().await.map(|b| b.len()).unwrap_or_default();
            tokio::time::sleep(Duration::from_millis(2500)).await;
            format!("read {body}")
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let at = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, limits, endpoint, async {
            let _ = stopped.await;
        }));

        let mut sock = TcpStream::connect(at).await.expect("connect");
        sock.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello")
            .await
            .expect("send");
        let mut response = String::new();
        let read = tokio::time::timeout(Duration::from_secs(10), sock.read_to_string(&mut response)).await;
        assert!(read.is_ok_and(|r| r.is_ok()), "no complete response");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.ends_with("read 5"), "{response}");

        let _ = stop.send(());
        server.await.expect("join").expect("served");
    }
}
