//! The HTTP server (HTTP/1.1, and HTTP/2 with prior knowledge): accepts connections, turns
//! hyper requests into [`Incoming`] and replies into responses, and carries out the faults that
//! act on the connection itself.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming as IncomingBody;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

use crate::control;
use crate::exchange::{Incoming, Reply};
use crate::format::Format;
use crate::limits::{OverBudget, Reservation};
use crate::service::Shared;

/// A handler of requests outside the API: shared state, method, path and body to a reply.
type PathHandler = fn(&Shared, &str, &str, &[u8]) -> control::ControlReply;

/// Paths answered apart from the API's RPC requests, by prefix. Test doubles of other services
/// join this table.
const OTHER_PATHS: &[(&str, PathHandler)] = &[(control::PREFIX, control::handle)];

/// How long shutdown waits for requests in flight before cutting connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// How long an idle connection told to close may take to do so before it is cut.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// Pause after a truncated body's bytes before closing, so they reach the client first.
const TRUNCATE_LINGER: Duration = Duration::from_millis(20);
/// Refusals (connections past the cap) being answered at once; past this they are just closed.
const MAX_REFUSALS: usize = 64;
/// Idle connections being closed at once to admit new ones; past this a new connection at the cap
/// is refused. With [`MAX_REFUSALS`] it fits in the descriptors kept free beside the cap.
const MAX_EVICTING: usize = 16;
/// How long a refused connection's request is read (and discarded) after the answer, so that the
/// client sees the answer rather than a reset.
const REFUSAL_DRAIN: Duration = Duration::from_millis(200);
/// Bytes of a refused connection's request read and discarded at most.
const REFUSAL_DRAIN_BYTES: usize = 64 * 1024;
/// HTTP/1.1 read buffer per connection (headers must fit in it).
const HTTP1_MAX_BUF: usize = 64 * 1024;
/// HTTP/2 flow-control windows: what a client may send before the emulator reads it.
const HTTP2_STREAM_WINDOW: u32 = 64 * 1024;
const HTTP2_CONNECTION_WINDOW: u32 = 256 * 1024;
const HTTP2_MAX_STREAMS: u32 = 128;
const HTTP2_MAX_HEADER_LIST: u32 = 64 * 1024;
/// The HTTP/2 connection preface, by which a client opens HTTP/2 with prior knowledge.
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The error a connection-level fault hands to hyper so that it closes the connection.
#[derive(Debug)]
pub(crate) struct ConnectionFault;

impl fmt::Display for ConnectionFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed by an injected fault")
    }
}

impl std::error::Error for ConnectionFault {}

/// A response body: whole, or cut short under a longer `Content-Length`.
pub(crate) struct ReplyBody {
    data: Option<Bytes>,
    truncated: bool,
    linger: Option<Pin<Box<Sleep>>>,
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = ConnectionFault;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ConnectionFault>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if !self.truncated {
            return Poll::Ready(None);
        }
        // Pending first lets hyper flush what it has; the error then makes it close the socket.
        let linger = self
            .linger
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(TRUNCATE_LINGER)));
        match linger.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(ConnectionFault))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.truncated
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, self.truncated) {
            (_, true) => SizeHint::default(),
            (Some(d), false) => SizeHint::with_exact(d.len() as u64),
            (None, false) => SizeHint::with_exact(0),
        }
    }
}

/// Collects a request body of at most `limit` bytes, its memory reserved from the shared budget
/// as it grows (all of a declared `Content-Length` at once).
async fn read_body(
    mut body: IncomingBody,
    limit: usize,
    reservation: &mut Reservation<'_>,
) -> Result<Vec<u8>, BodyError> {
    let declared = body.size_hint().upper().or(Some(body.size_hint().lower()));
    let declared = declared
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::MAX);
    if declared != usize::MAX && declared > limit {
        return Err(BodyError::TooLarge);
    }
    let mut out = Vec::new();
    if declared != usize::MAX && declared > 0 {
        reservation.grow_to(declared)?;
    }
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        if let Ok(data) = frame.into_data() {
            let len = out.len() + data.len();
            if len > limit {
                return Err(BodyError::TooLarge);
            }
            if len > out.capacity() {
                let target = len.max(out.capacity() * 2).min(limit);
                reservation.grow_to(target)?;
                out.reserve_exact(target - out.len());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

enum BodyError {
    TooLarge,
    Broken,
    OverBudget,
}

impl From<OverBudget> for BodyError {
    fn from(_: OverBudget) -> Self {
        BodyError::OverBudget
    }
}

fn to_response(request_id: &str, reply: Reply) -> Result<Response<ReplyBody>, ConnectionFault> {
    let Reply::Send {
        status,
        content_type,
        body,
        truncate,
    } = reply
    else {
        return Err(ConnectionFault);
    };
    let full_len = body.len();
    let mut body = body;
    if truncate {
        body.truncate(full_len / 2);
    }
    let mut response = Response::new(ReplyBody {
        data: Some(Bytes::from(body)),
        truncated: truncate,
        linger: None,
    });
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-acs-request-id", v);
    }
    if truncate {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(full_len));
    }
    Ok(response)
}

async fn handle(
    shared: Arc<Shared>,
    activity: Arc<Activity>,
    req: Request<IncomingBody>,
) -> Result<Response<ReplyBody>, ConnectionFault> {
    let _in_flight = activity.request_started();
    handle_request(shared, activity.loopback, req).await
}

/// Whether a client at `peer` may use the paths outside the API (the control API): only from
/// this machine, whatever address the emulator listens on.
fn local_client(peer: Option<std::net::SocketAddr>) -> bool {
    peer.is_some_and(|p| match p.ip() {
        std::net::IpAddr::V4(ip) => ip.is_loopback(),
        std::net::IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    })
}

/// An error answer in Alibaba's shape that also closes the connection (the rest of the request
/// is not read).
fn closing_error(
    shared: &Shared,
    headers: &hyper::HeaderMap,
    request_id: &str,
    code: &str,
    args: &[&str],
    message: Option<String>,
) -> Result<Response<ReplyBody>, ConnectionFault> {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let (status, template) = shared.catalog.error(None, code, args);
    let message = message.unwrap_or(template);
    let reply = shared.render_error(Format::Json, host, request_id, status, code, &message);
    let mut response = to_response(request_id, reply)?;
    response
        .headers_mut()
        .insert("connection", HeaderValue::from_static("close"));
    Ok(response)
}

async fn handle_request(
    shared: Arc<Shared>,
    loopback: bool,
    req: Request<IncomingBody>,
) -> Result<Response<ReplyBody>, ConnectionFault> {
    let request_id = shared.ids.next();
    let (mut parts, body) = req.into_parts();
    if parts.version == hyper::Version::HTTP_2 {
        shared.http2_requests.fetch_add(1, Ordering::Relaxed);
        // HTTP/2 carries the host as the `:authority` pseudo-header, which V3 signs as `host`.
        if !parts.headers.contains_key(HOST)
            && let Some(value) = parts
                .uri
                .authority()
                .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        {
            parts.headers.insert(HOST, value);
        }
    }
    let limits = &shared.limits;
    let mut reservation = shared.body_budget.reservation();
    // Most requests have no body: no timer for them.
    let read = if body.is_end_stream() {
        Ok(Ok(Vec::new()))
    } else {
        tokio::time::timeout(
            limits.body_read_timeout,
            read_body(body, limits.max_body_bytes, &mut reservation),
        )
        .await
    };
    let headers = &parts.headers;
    let body = match read {
        Ok(Ok(body)) => body,
        Ok(Err(BodyError::Broken)) => return Err(ConnectionFault),
        Ok(Err(BodyError::TooLarge)) => {
            let code = "InvalidParameter";
            return closing_error(&shared, headers, &request_id, code, &["Body"], None);
        }
        Ok(Err(BodyError::OverBudget)) => {
            let message = format!(
                "Request bodies being read would pass the emulator's memory budget of {} bytes; \
                 try again later.",
                limits.max_body_bytes_in_flight
            );
            let code = "ServiceUnavailable";
            return closing_error(&shared, headers, &request_id, code, &[], Some(message));
        }
        Err(_elapsed) => {
            let message = format!(
                "The request body was not received within {} ms.",
                limits.body_read_timeout.as_millis()
            );
            let code = "RequestTimeout";
            return closing_error(&shared, headers, &request_id, code, &[], Some(message));
        }
    };
    // Paths of their own, apart from the API's signed RPC requests.
    if let Some(route) = OTHER_PATHS
        .iter()
        .find(|(prefix, _)| parts.uri.path().starts_with(prefix))
    {
        let reply = if loopback {
            (route.1)(&shared, parts.method.as_str(), parts.uri.path(), &body)
        } else {
            control::ControlReply {
                status: 403,
                body: serde_json::json!({ "error": "this path answers clients on this machine only" }),
            }
        };
        let mut response = Response::new(ReplyBody {
            data: Some(Bytes::from(
                serde_json::to_vec(&reply.body).unwrap_or_default(),
            )),
            truncated: false,
            linger: None,
        });
        *response.status_mut() =
            StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=utf-8"),
        );
        return Ok(response);
    }
    let incoming = Incoming {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    let identity = &shared.identity;
    let other_service = crate::metadata::route(identity, &incoming, &request_id)
        .or_else(|| crate::sts::route(identity, &incoming, &request_id));
    if let Some(reply) = other_service {
        return to_response(&request_id, reply);
    }
    let routed = match shared.authenticate(&incoming, &request_id) {
        Ok(routed) => routed,
        Err(reply) => return to_response(&request_id, reply),
    };
    let decision = shared.faults.decide(&routed.entry.name);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    let reply = decision
        .outcome
        .and_then(|kind| shared.fault_reply(&routed, &request_id, &kind))
        .unwrap_or_else(|| shared.execute(&routed, &request_id));
    to_response(&request_id, reply)
}

/// Serves `listener` until `shutdown` turns true (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    let mut refusals = JoinSet::new();
    // What each connection being served is doing, to pick one to close at the cap.
    let mut live: Vec<Arc<Activity>> = Vec::new();
    let for_connections = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    while connections.try_join_next().is_some() {}
                    while refusals.try_join_next().is_some() {}
                    live.retain(|a| !a.closed.load(Ordering::Acquire));
                    if !admit(&live, shared.limits.max_connections) {
                        shared.refused_connections.fetch_add(1, Ordering::Relaxed);
                        if refusals.len() < MAX_REFUSALS {
                            refusals.spawn(refuse(stream, Arc::clone(&shared)));
                        }
                        continue;
                    }
                    // Small request/response pairs: waiting to coalesce only adds latency.
                    let _ = stream.set_nodelay(true);
                    let activity = Arc::new(Activity::new(local_client(Some(peer))));
                    live.push(Arc::clone(&activity));
                    connections.spawn(serve_connection(
                        stream,
                        activity,
                        Arc::clone(&shared),
                        for_connections.clone(),
                    ));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            () = stopped(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            Some(_) = refusals.join_next(), if !refusals.is_empty() => {}
        }
    }
    drop(listener);
    refusals.abort_all();
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
    connections.abort_all();
}

/// Whether one more connection may be served beside `live` (the connections not yet closed):
/// below the cap, or at it once the connection idle longest is told to close. A connection with a
/// request in flight, or with part of one received, is never chosen.
fn admit(live: &[Arc<Activity>], max_connections: usize) -> bool {
    let evicting = live
        .iter()
        .filter(|a| a.evicted.load(Ordering::Acquire))
        .count();
    if live.len() - evicting < max_connections {
        return true;
    }
    if evicting >= MAX_EVICTING {
        return false;
    }
    let Some(oldest) = live
        .iter()
        .filter(|a| !a.evicted.load(Ordering::Acquire) && a.is_idle())
        .min_by_key(|a| a.idle_since())
    else {
        return false;
    };
    oldest.evicted.store(true, Ordering::Release);
    oldest.evict.notify_one();
    true
}

/// Answers a connection past the cap with `503 ServiceUnavailable` and closes it.
async fn refuse(mut stream: TcpStream, shared: Arc<Shared>) {
    let request_id = shared.ids.next();
    let Reply::Send { status, body, .. } = shared.render_error(
        Format::Json,
        "",
        &request_id,
        503,
        "ServiceUnavailable",
        &format!(
            "The emulator serves at most {} connections at once; try again later.",
            shared.limits.max_connections
        ),
    ) else {
        return;
    };
    let head = format!(
        "HTTP/1.1 {status} Service Unavailable\r\ncontent-type: application/json;charset=utf-8\r\n\
         x-acs-request-id: {request_id}\r\nretry-after: 1\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    let answer = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await
    };
    if tokio::time::timeout(REFUSAL_DRAIN, answer).await.is_err() {
        return;
    }
    // Reading what the client sent keeps the close a clean FIN, not a reset that could discard
    // the answer before the client reads it.
    let drain = async {
        let mut buf = [0u8; 4096];
        let mut total = 0;
        while total < REFUSAL_DRAIN_BYTES {
            match tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(REFUSAL_DRAIN, drain).await;
}

/// What a connection is doing, for the idle timeouts and for choosing one to close at the cap.
#[derive(Debug)]
pub(crate) struct Activity {
    /// When the connection was accepted.
    opened: Instant,
    in_flight: AtomicUsize,
    /// Requests started, over the connection's life.
    started: AtomicU64,
    /// Milliseconds from `opened` to the end of the last request.
    last_done_ms: AtomicU64,
    /// Bytes received, and the count when the last request ended: more since means part of a
    /// next request has arrived.
    bytes_read: AtomicU64,
    bytes_read_at_rest: AtomicU64,
    /// Milliseconds from `opened` to the first byte received after the last request ended (or
    /// after opening): when the head of the request now arriving began.
    head_began_ms: AtomicU64,
    /// Told when a request's head begins to arrive, so that its timer starts.
    head_began: Notify,
    http2: AtomicBool,
    /// The client is on this machine.
    loopback: bool,
    /// Told to close, to admit a new connection at the cap.
    evicted: AtomicBool,
    evict: Notify,
    /// The connection's task has ended.
    closed: AtomicBool,
}

/// Marks a request as finished when dropped.
pub(crate) struct InFlight<'a>(&'a Activity);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let ms = u64::try_from(self.0.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.last_done_ms.store(ms, Ordering::Relaxed);
        let read = self.0.bytes_read.load(Ordering::Acquire);
        self.0.bytes_read_at_rest.store(read, Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Marks the connection closed when its task ends, however it ends.
struct Closed<'a>(&'a Activity);

impl Drop for Closed<'_> {
    fn drop(&mut self) {
        self.0.closed.store(true, Ordering::Release);
    }
}

impl Activity {
    fn new(loopback: bool) -> Self {
        Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            started: AtomicU64::new(0),
            last_done_ms: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
            bytes_read_at_rest: AtomicU64::new(0),
            head_began_ms: AtomicU64::new(0),
            head_began: Notify::new(),
            http2: AtomicBool::new(false),
            loopback,
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
            closed: AtomicBool::new(false),
        }
    }

    fn request_started(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.started.fetch_add(1, Ordering::AcqRel);
        InFlight(self)
    }

    /// No request in flight, and (HTTP/1.1) none of the next one received: closing the
    /// connection cuts nothing short. An HTTP/2 connection closes with a `GOAWAY`, which lets a
    /// request it has begun finish.
    fn is_idle(&self) -> bool {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return false;
        }
        self.http2.load(Ordering::Relaxed)
            || self.bytes_read.load(Ordering::Acquire)
                == self.bytes_read_at_rest.load(Ordering::Acquire)
    }

    /// Since when the connection has had no request: the end of its last one, or its opening.
    fn idle_since(&self) -> Instant {
        self.opened + Duration::from_millis(self.last_done_ms.load(Ordering::Relaxed))
    }

    fn idle_limit(&self, shared: &Shared) -> Duration {
        if self.http2.load(Ordering::Relaxed) {
            shared.limits.http2_idle_timeout
        } else {
            shared.limits.idle_timeout
        }
    }

    /// When the connection will have been idle too long, if no request starts before.
    fn idle_deadline(&self, shared: &Shared) -> Instant {
        self.idle_since() + self.idle_limit(shared)
    }

    /// Whether to close the connection at `now`, or when to look again.
    fn verdict(&self, shared: &Shared, now: Instant) -> Verdict {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            // A request in flight is bounded by the body read timeout and its handling.
            return Verdict::Until(now + self.idle_limit(shared).min(Duration::from_secs(1)));
        }
        let header_read = shared.limits.header_read_timeout;
        let idle = self.idle_deadline(shared);
        // The first request's head (HTTP/2: the preface and a first request), from accept.
        let first = (self.started.load(Ordering::Acquire) == 0).then(|| self.opened + header_read);
        // A later HTTP/1.1 request's head, from its first byte.
        let http2 = self.http2.load(Ordering::Relaxed);
        let arriving = !http2
            && self.bytes_read.load(Ordering::Acquire)
                > self.bytes_read_at_rest.load(Ordering::Acquire);
        let head = arriving.then(|| {
            self.opened
                + Duration::from_millis(self.head_began_ms.load(Ordering::Acquire))
                + header_read
        });
        let head_deadline = first.into_iter().chain(head).min();
        if head_deadline.is_some_and(|d| d <= now) {
            // HTTP/2 is told with a GOAWAY; an HTTP/1.1 request's head is simply cut off.
            return Verdict::Close { graceful: http2 };
        }
        if idle <= now {
            return Verdict::Close { graceful: true };
        }
        Verdict::Until(head_deadline.map_or(idle, |d| d.min(idle)))
    }
}

/// What the watch over a connection decides.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Close it now, letting hyper finish what it is writing and send HTTP/2's `GOAWAY`, or not.
    Close { graceful: bool },
    /// Look again then.
    Until(Instant),
}

/// The socket, watched for the HTTP/2 preface so that an HTTP/2 connection gets its own idle
/// timeout even before its first request.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    /// Bytes of the preface matched so far; `usize::MAX` once the connection is known not to be
    /// HTTP/2.
    matched: usize,
}

impl Watched {
    fn observe(&mut self, bytes: &[u8]) {
        if self.matched >= H2_PREFACE.len() {
            return;
        }
        let want = &H2_PREFACE[self.matched..];
        let n = want.len().min(bytes.len());
        if bytes[..n] == want[..n] {
            self.matched += n;
            if self.matched == H2_PREFACE.len() {
                self.activity.http2.store(true, Ordering::Relaxed);
            }
        } else {
            self.matched = usize::MAX;
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        let received = buf.filled().len() - before;
        if received > 0 {
            let activity = &self.activity;
            let earlier = activity
                .bytes_read
                .fetch_add(received as u64, Ordering::AcqRel);
            if earlier == activity.bytes_read_at_rest.load(Ordering::Acquire) {
                let ms = u64::try_from(activity.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
                activity.head_began_ms.store(ms, Ordering::Release);
                activity.head_began.notify_one();
            }
        }
        if self.matched < H2_PREFACE.len() && buf.filled().len() > before {
            let mut head = [0u8; H2_PREFACE.len()];
            let new = &buf.filled()[before..];
            let n = new.len().min(head.len());
            head[..n].copy_from_slice(&new[..n]);
            self.observe(&head[..n]);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

async fn serve_connection(
    stream: TcpStream,
    activity: Arc<Activity>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _closed = Closed(&activity);
    let io = Watched {
        stream,
        activity: Arc::clone(&activity),
        matched: 0,
    };
    let for_service = Arc::clone(&shared);
    let for_requests = Arc::clone(&activity);
    let service =
        service_fn(move |req| handle(Arc::clone(&for_service), Arc::clone(&for_requests), req));
    // HTTP/1.1, or HTTP/2 when the client opens with its preface (h2c, prior knowledge).
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // hyper's own header timer would run from the end of the last request, cutting a kept-alive
    // connection at the header-read timeout rather than the idle one; and it does not start
    // before a first byte. The watch below times heads instead.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .max_buf_size(HTTP1_MAX_BUF)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(HTTP2_MAX_STREAMS)
        .initial_stream_window_size(HTTP2_STREAM_WINDOW)
        .initial_connection_window_size(HTTP2_CONNECTION_WINDOW)
        .max_header_list_size(HTTP2_MAX_HEADER_LIST);
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    // Watches for: a connection that does not send its first request's head within the
    // header-read timeout of being accepted (nothing at all, or HTTP/2's preface alone), a later
    // request's head that takes longer from its first byte, and a connection idle too long.
    let check = tokio::time::sleep_until(match activity.verdict(&shared, Instant::now()) {
        Verdict::Until(at) => at,
        Verdict::Close { .. } => Instant::now(),
    });
    tokio::pin!(check);
    let graceful = loop {
        tokio::select! {
            _ = connection.as_mut() => return,
            () = stopped(&mut shutdown) => {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
                return;
            }
            () = activity.evict.notified() => break true,
            () = activity.head_began.notified() => {
                if let Verdict::Until(at) = activity.verdict(&shared, Instant::now()) {
                    check.as_mut().reset(at);
                } else {
                    check.as_mut().reset(Instant::now());
                }
            }
            () = check.as_mut() => match activity.verdict(&shared, Instant::now()) {
                Verdict::Until(at) => check.as_mut().reset(at),
                Verdict::Close { graceful } => break graceful,
            },
        }
    };
    if graceful {
        // HTTP/2 gets a GOAWAY; HTTP/1.1 finishes what it is writing.
        connection.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(CLOSE_GRACE, connection).await;
    }
}

/// Resolves once shutdown is asked for, or its sender is gone.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`; dropping it here keeps callers `Send`.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clients_on_this_machine_reach_the_control_api() {
        let local = |a: &str| local_client(a.parse().ok());
        assert!(local("127.0.0.1:5000"));
        assert!(local("127.8.9.1:5000"));
        assert!(local("[::1]:5000"));
        assert!(local("[::ffff:127.0.0.1]:5000"));
        assert!(!local("192.168.1.7:5000"));
        assert!(!local("[2001:db8::1]:5000"));
        assert!(!local("[::ffff:10.0.0.1]:5000"));
        assert!(!local_client(None));
    }
}
