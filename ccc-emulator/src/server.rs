//! The HTTP server (HTTP/1.1, and HTTP/2 with prior knowledge): accepts connections, turns
//! hyper requests into [`Incoming`] and replies into responses, and carries out the faults that
//! act on the connection itself.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
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
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Sleep;

use crate::catalog::Format;
use crate::service::{Incoming, Reply, Shared};

/// Largest request body read; the API's form bodies are far smaller.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How long shutdown waits for requests in flight before cutting connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// A client has this long to send a request's headers, so idle half-open sockets do not pile up.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause after a truncated body's bytes before closing, so they reach the client first.
const TRUNCATE_LINGER: Duration = Duration::from_millis(20);

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

/// Collects a request body up to `limit` bytes; `None` past it or on a broken connection.
async fn read_body(mut body: IncomingBody, limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(BodyError::TooLarge);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

enum BodyError {
    TooLarge,
    Broken,
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
    let body = match read_body(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(BodyError::Broken) => return Err(ConnectionFault),
        Err(BodyError::TooLarge) => {
            let host = parts
                .headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default();
            let (status, message) = shared.catalog.error(None, "InvalidParameter", &["Body"]);
            let reply = shared.render_error(
                Format::Json,
                host,
                &request_id,
                status,
                "InvalidParameter",
                &message,
            );
            let mut response = to_response(&request_id, reply)?;
            // The unread rest of the body makes the connection unusable.
            response
                .headers_mut()
                .insert("connection", HeaderValue::from_static("close"));
            return Ok(response);
        }
    };
    let incoming = Incoming {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    if let Some(reply) = crate::sts::route(&shared, &incoming, &request_id) {
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
    let for_connections = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Small request/response pairs: waiting to coalesce only adds latency.
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, Arc::clone(&shared), for_connections.clone()));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            () = stopped(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
    connections.abort_all();
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
    // HTTP/1.1, or HTTP/2 when the client opens with its preface (h2c, prior knowledge).
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        () = stopped(&mut shutdown) => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}

/// Resolves once shutdown is asked for, or its sender is gone.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`; dropping it here keeps callers `Send`.
    let _ = shutdown.wait_for(|stop| *stop).await;
}
