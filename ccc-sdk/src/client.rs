//! The client: one pooled connection set, and the call loop every action goes through
//! (sign → send → read → retry), shared and non-generic so that hundreds of actions stay cheap
//! to compile.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

use crate::codec::{self, Decode, Node, Params};
use crate::config::MAX_ERROR_BODY_BYTES;
use crate::config::{CallOptions, Config, ConfigError};
use crate::credentials::Credentials;
use crate::error::{
    CredentialsError, DispatchError, DispatchKind, ResponseError, SdkError, ServiceError,
    TimeoutError, TimeoutKind,
};
use crate::retry::{self, RetryConfig};
use crate::signing::{self, API_VERSION, HeaderText, Unsigned};
use crate::trace;
use crate::transport::CertificateRefused;
use tracing::Instrument;

/// An action's fixed facts, generated per action.
#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) action: &'static str,
    pub(crate) method: Method,
    /// Safe to repeat (read-only): retried even when an attempt may have reached the service.
    pub(crate) idempotent: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]

pub(crate) enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A client of the CCC API. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use ccc_sdk::{Client, Config, Credentials};
///
/// let config = Config::builder()
///     .region("cn-shanghai")
///     .credentials(Credentials::from_env()?)
///     .build()?;
/// let client = Client::new(config)?;
/// let out = client
///     .reset_agent_state()
///     .instance_id("ccc-test")
///     .device_id("my-device")
///     .send()
///     .await?;
/// println!("{:?}", out.data().and_then(|d| d.user_state()));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    http: reqwest::Client,
    /// The endpoint, parsed once; each request only sets its query.
    base_url: reqwest::Url,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A successful response, read whole: status, request id (from the header) and body. The body
/// is read into a tree by the caller, which decodes it at once: the tree borrows from it.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) raw: bytes::Bytes,
}

/// What a response's head says, besides its body.
#[derive(Debug, Default)]
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) content_type: Option<String>,
    /// The host of a redirect's `Location` (never its path or query).
    pub(crate) location_host: Option<String>,
    /// `x-acs-retry-after`, in milliseconds on the wire.
    pub(crate) retry_after: Option<Duration>,
}

impl Head {
    fn of(response: &reqwest::Response) -> Head {
        let headers = response.headers();
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Head {
            status: response.status().as_u16(),
            request_id: text("x-acs-request-id"),
            content_type: text("content-type"),
            location_host: headers
                .get(reqwest::header::LOCATION)
                .map(|v| location_host(v.as_bytes())),
            retry_after: headers
                .get("x-acs-retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis),
        }
    }

    #[cfg(test)]
    pub(crate) fn test(status: u16, request_id: Option<&str>, content_type: Option<&str>) -> Head {
        Head {
            status,
            request_id: request_id.map(str::to_string),
            content_type: content_type.map(str::to_string),
            ..Head::default()
        }
    }
}

/// The host a `Location` header points at, for an error message: the URL's path and query may
/// echo the request's signed query, credentials included, so they are never kept.
fn location_host(location: &[u8]) -> String {
    let text = String::from_utf8_lossy(location);
    let rest = match text.split_once("://") {
        Some((_, rest)) => rest,
        None => return "(this endpoint)".into(),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Drop any user:password@ part.
    let host = authority.rsplit('@').next().unwrap_or_default();
    host.chars().take(100).collect()
}

/// Why one attempt failed, before it is given the action's error type.
pub(crate) enum Failure {
    Credentials(CredentialsError),
    Timeout(TimeoutKind, Duration),
    Dispatch(DispatchError),
    Response(ResponseError),
    // Boxed: errors are rare, and a small `Result` keeps the success path lean.
    Service(Box<ServiceError>),
}

impl Failure {
    /// Whether another attempt could succeed: throttling, 5xx, timeouts and connection errors.
    /// A refused certificate, a 4xx answer or a body that cannot be read will fail again.
    fn is_transient(&self) -> bool {
        match self {
            Failure::Timeout(..) => true,
            Failure::Dispatch(e) => e.kind != DispatchKind::Certificate,
            Failure::Service(e) => e.is_throttling() || e.http_status() >= 500,
            Failure::Response(e) => e.http_status() >= 500,
            Failure::Credentials(_) => false,
        }
    }

    /// Whether the request provably did not run: the connection could not be opened, or the
    /// service answered that it did not run it (throttling). Anything else may have reached
    /// the service, even a timeout or a connection lost before the answer.
    fn provably_not_run(&self) -> bool {
        match self {
            Failure::Timeout(kind, _) => *kind == TimeoutKind::Connect,
            Failure::Dispatch(e) => e.is_connect(),
            Failure::Service(e) => e.is_throttling(),
            Failure::Response(_) => false,
            Failure::Credentials(_) => true,
        }
    }

    /// Whether the loop may try again, for an action that is or is not safe to repeat.
    fn is_retryable(&self, idempotent: bool) -> bool {
        self.is_transient() && (idempotent || self.provably_not_run())
    }

    /// The wait the service asked for, if it asked.
    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Service(e) => e.retry_after(),
            _ => None,
        }
    }

    /// Takes out of the error anything that a server echoed of the credentials: a hostile or
    /// confused server (or a proxy's error page) may repeat the request's query or headers.
    fn redact(&mut self, creds: &Credentials) {
        let secrets = Secrets::of(creds);
        match self {
            Failure::Response(e) => {
                secrets.redact(&mut e.reason);
                secrets.redact(&mut e.body_prefix);
            }
            Failure::Service(e) => {
                secrets.redact(&mut e.code);
                secrets.redact(&mut e.message);
                for text in [&mut e.request_id, &mut e.host_id, &mut e.recommend]
                    .into_iter()
                    .flatten()
                {
                    secrets.redact(text);
                }
            }
            Failure::Credentials(_) | Failure::Timeout(..) | Failure::Dispatch(_) => {}
        }
    }

    /// The failure as text, as a caller would print it.
    pub(crate) fn describe(self) -> String {
        self.into_sdk_error(1).to_string()
    }

    /// The failure as the error a caller sees, after `attempts` attempts.
    fn into_sdk_error(self, attempts: u32) -> SdkError<ServiceError> {
        match self {
            Failure::Credentials(mut e) => {
                // The attempt whose credentials failed sent nothing.
                e.attempts = attempts.saturating_sub(1);
                SdkError::Credentials(e)
            }
            Failure::Timeout(kind, limit) => SdkError::Timeout(TimeoutError {
                kind,
                limit: Some(limit),
                attempts,
            }),
            Failure::Dispatch(mut e) => {
                e.attempts = attempts;
                SdkError::Dispatch(e)
            }
            Failure::Response(mut e) => {
                e.attempts = attempts;
                SdkError::Response(e)
            }
            Failure::Service(mut e) => {
                e.attempts = attempts;
                SdkError::Service(*e)
            }
        }
    }
}

/// The credentials' texts as they could come back: raw, and percent-encoded as a V1 query
/// carries them.
pub(crate) struct Secrets<'a> {
    texts: [(Option<&'a str>, Option<Cow<'a, str>>); 3],
}

impl<'a> Secrets<'a> {
    pub(crate) fn of(creds: &'a Credentials) -> Self {
        let both = |s: Option<&'a str>| {
            let s = s.filter(|s| !s.is_empty());
            (s, s.map(signing::percent_encode))
        };
        Secrets {
            texts: [
                both(Some(creds.access_key_secret())),
                both(creds.security_token()),
                both(Some(creds.access_key_id())),
            ],
        }
    }

    pub(crate) fn redact(&self, text: &mut String) {
        for (raw, encoded) in &self.texts {
            for s in [raw.as_deref(), encoded.as_deref()].into_iter().flatten() {
                if text.contains(s) {
                    *text = text.replace(s, "[redacted]");
                }
            }
        }
    }
}

impl Client {
    /// A client with the given configuration.
    ///
    /// A client of a plain-http loopback endpoint (the emulator) needs no certificate store;
    /// one of an https endpoint uses the operating system's, with the roots of
    /// [`ConfigBuilder::add_root_certificate`](crate::ConfigBuilder::add_root_certificate)
    /// added. With the `webpki-roots` feature, a host without a store uses Mozilla's roots,
    /// built into the binary.
    pub fn new(config: Config) -> Result<Client, ConfigError> {
        let http = crate::transport::http_client(&config)?;
        let base_url = reqwest::Url::parse(&config.endpoint.base)
            .map_err(|e| ConfigError::new(format!("endpoint `{}`: {e}", config.endpoint.base)))?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                http,
                base_url,
            }),
        })
    }

    /// A client configured from the environment: see [`Config::from_env`].
    pub fn from_env() -> Result<Client, ConfigError> {
        Client::new(Config::from_env()?)
    }

    /// The configuration of this client.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends an action's parameters and decodes its output or error; the body of every
    /// generated `send`.
    pub(crate) async fn call<O: Decode, E: From<ServiceError>>(
        &self,
        op: &'static Operation,
        params: Params<'_>,
        options: &CallOptions,
    ) -> Result<O, SdkError<E>> {
        let (response, creds, attempts, span) = self
            .invoke(op, &params, options)
            .await
            .map_err(|e| e.map_service_error(E::from))?;
        decode_success(op, response).map_err(|e| {
            let mut failure = Failure::Response(e);
            failure.redact(&creds);
            let e = failure.into_sdk_error(attempts);
            trace::finish_err(&span, None, &e, Some(&creds));
            match e {
                SdkError::Response(e) => SdkError::Response(e),
                // `into_sdk_error` keeps the kind it is given.
                other => other.map_service_error(E::from),
            }
        })
    }

    /// The attempt loop, bounded by the operation timeout. Not generic: compiled once for all
    /// actions. Returns the response with the credentials that signed it and the attempt count.
    async fn invoke(
        &self,
        op: &Operation,
        params: &Params<'_>,
        options: &CallOptions,
    ) -> Result<(Response, Credentials, u32, tracing::Span), SdkError<ServiceError>> {
        let config = &self.inner.config;
        let policy = Policy {
            retry: options.retry.as_ref().unwrap_or(&config.retry),
            attempt_timeout: options.attempt_timeout.unwrap_or(config.attempt_timeout),
            idempotent: options.idempotent.unwrap_or(op.idempotent),
        };
        let limit = options
            .operation_timeout
            .unwrap_or(config.operation_timeout);
        let span = trace::call_span(op.action, config.region.as_deref());
        // Timed only when someone listens: no clock read otherwise.
        let started = (!span.is_disabled()).then(Instant::now);
        let attempts = AtomicU32::new(0);
        let run = self.attempts(op, params, &policy, &attempts);
        let outcome = tokio::time::timeout(limit, run)
            .instrument(span.clone())
            .await;
        let attempts = attempts.load(Ordering::Relaxed);
        match outcome {
            Ok(Ok((response, creds))) => {
                trace::finish_ok(&span, started, attempts, &response, &creds);
                Ok((response, creds, attempts, span))
            }
            Ok(Err((failure, creds))) => {
                let e = failure.into_sdk_error(attempts);
                trace::finish_err(&span, started, &e, creds.as_ref());
                Err(e)
            }
            Err(_) => {
                let e = SdkError::Timeout(TimeoutError {
                    kind: TimeoutKind::Operation,
                    limit: Some(limit),
                    attempts,
                });
                trace::finish_err(&span, started, &e, None);
                Err(e)
            }
        }
    }

    async fn attempts(
        &self,
        op: &Operation,
        params: &Params<'_>,
        policy: &Policy<'_>,
        attempts: &AtomicU32,
    ) -> Result<(Response, Credentials), (Failure, Option<Credentials>)> {
        let started = Instant::now();
        loop {
            let n = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let creds = match self.credentials().await {
                Ok(creds) => creds,
                Err(e) => return Err((Failure::Credentials(e), None)),
            };
            let limit = policy.attempt_timeout;
            let outcome = tokio::time::timeout(limit, self.attempt(op, params, &creds))
                .await
                .unwrap_or(Err(Failure::Timeout(TimeoutKind::Attempt, limit)));
            let mut failure = match outcome {
                Ok(r) => return Ok((r, creds)),
                Err(f) => f,
            };
            failure.redact(&creds);
            if !(failure.is_retryable(policy.idempotent) && n < policy.retry.max_attempts()) {
                return Err((failure, Some(creds)));
            }
            let backoff = policy.retry.backoff(n, retry::jitter_unit());
            let wait = failure.retry_after().map_or(backoff, |w| w.max(backoff));
            if started.elapsed() + wait >= policy.retry.max_elapsed() {
                return Err((failure, Some(creds)));
            }
            trace::retry(n, &failure, wait);
            tokio::time::sleep(wait).await;
        }
    }

    /// The credentials for the next attempt, from the configured provider.
    pub(crate) async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.inner.config.credentials.provide_credentials().await
    }

    /// Signs a request afresh (new timestamp and nonce) with the given credentials and lays it out for
    /// the transport.
    pub(crate) fn prepare(
        &self,
        op: &Operation,
        params: &Params<'_>,
        creds: &Credentials,
    ) -> Result<reqwest::Request, Failure> {
        let config = &self.inner.config;
        let timestamp = signing::timestamp(SystemTime::now());
        let nonce = signing::nonce();
        let signed = signing::sign(
            config.signature_version,
            &Unsigned {
                method: op.method.as_str(),
                host: &config.endpoint.authority,
                action: op.action,
                version: API_VERSION,
                params,
                timestamp: &timestamp,
                nonce: &nonce,
            },
            creds,
        );
        let mut url = self.inner.base_url.clone();
        url.set_query((!signed.query.is_empty()).then_some(signed.query.as_str()));
        let method = match op.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut request = reqwest::Request::new(method, url);
        let headers = request.headers_mut();
        headers.reserve(signed.headers.len() + 1);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        // Values that change per request share one buffer: one allocation for all of them, and
        // the copies the transport makes are reference counts, not allocations.
        let mut buffer = Vec::with_capacity(
            signed
                .headers
                .iter()
                .map(|(_, v)| match v {
                    HeaderText::Static(_) => 0,
                    v => v.as_str().len(),
                })
                .sum(),
        );
        for (_, value) in &signed.headers {
            if !matches!(value, HeaderText::Static(_)) {
                buffer.extend_from_slice(value.as_str().as_bytes());
            }
        }
        let buffer = bytes::Bytes::from(buffer);
        let mut at = 0;
        for (name, value) in &signed.headers {
            let value = match value {
                // `from_static` refuses (by panicking) only bytes outside visible ASCII and
                // space, which this check rules out first; it copies nothing.
                HeaderText::Static(s) if s.bytes().all(|b| (b' '..=b'~').contains(&b)) => {
                    Ok(HeaderValue::from_static(s))
                }
                HeaderText::Static(s) => HeaderValue::from_str(s),
                other => {
                    let len = other.as_str().len();
                    at += len;
                    HeaderValue::from_maybe_shared(buffer.slice(at - len..at))
                }
            };
            // Only a security token from outside can hold bytes a header may not.
            let value = value.map_err(|_| {
                Failure::Credentials(CredentialsError::new(format!(
                    "the value of header {name} holds characters an HTTP header cannot carry"
                )))
            })?;
            headers.insert(HeaderName::from_static(name), value);
        }
        if !signed.body.is_empty() {
            *request.body_mut() = Some(signed.body.into());
        }
        Ok(request)
    }

    /// One signed request and its response, read whole (within the size limit).
    async fn attempt(
        &self,
        op: &Operation,
        params: &Params<'_>,
        creds: &Credentials,
    ) -> Result<Response, Failure> {
        let request = self.prepare(op, params, creds)?;
        let mut response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(|e| transport_failure(e, &self.inner.config))?;
        let head = Head::of(&response);
        let limit = if (200..300).contains(&head.status) {
            self.inner.config.max_response_bytes
        } else {
            MAX_ERROR_BODY_BYTES.min(self.inner.config.max_response_bytes)
        };
        let body = read_body(&mut response, limit, &head, &self.inner.config).await?;
        read_response(head, body)
    }
}

/// How one call retries, settled from the client's config and the call's options.
struct Policy<'a> {
    retry: &'a RetryConfig,
    attempt_timeout: Duration,
    idempotent: bool,
}

/// Reads a body up to `limit` bytes: refused at once when `Content-Length` says it is larger,
/// cut short as soon as it passes the limit otherwise.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
    head: &Head,
    config: &Config,
) -> Result<bytes::Bytes, Failure> {
    let too_large = |got: &[u8], what: String| {
        Failure::Response(ResponseError::new(
            head.status,
            head.request_id.clone(),
            format!("{what}, over the limit of {limit} bytes (ConfigBuilder::max_response_bytes)"),
            got,
        ))
    };
    if let Some(len) = response.content_length()
        && len > limit as u64
    {
        return Err(too_large(&[], format!("the body is {len} bytes")));
    }
    let read_error = |e| transport_failure(e, config);
    // Most bodies arrive in one chunk: keep it as it is, without a copy.
    let Some(first) = response.chunk().await.map_err(read_error)? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() > limit {
        return Err(too_large(&first, "the body is larger".into()));
    }
    let Some(second) = response.chunk().await.map_err(read_error)? else {
        return Ok(first);
    };
    let expected = response.content_length().unwrap_or(0) as usize;
    let mut body =
        bytes::BytesMut::with_capacity(expected.min(limit).max(first.len() + second.len()));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if body.len() + chunk.len() > limit {
            body.extend_from_slice(&chunk[..limit - body.len()]);
            return Err(too_large(&body, "the body is larger".into()));
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(read_error)?;
    }
    Ok(body.freeze())
}

/// Reads a successful response's body into the action's output. A success is a JSON object or
/// an XML element; anything else (`null`, a string, an array, an HTML page) is refused.
pub(crate) fn decode_success<O: Decode>(
    op: &Operation,
    response: Response,
) -> Result<O, ResponseError> {
    let Response {
        status,
        request_id,
        content_type,
        raw,
    } = response;
    let tree = codec::parse_body(content_type.as_deref(), &raw);
    // The header usually carries the request id; the body is read only when it does not.
    let request_id = request_id.or_else(|| body_request_id(tree.as_ref().ok()));
    match tree {
        Ok(tree @ Node::Object(_)) => O::decode(tree).map_err(|e| {
            ResponseError::new(
                status,
                request_id,
                format!("the response does not fit {}: {e}", op.action),
                &raw,
            )
        }),
        Ok(other) => Err(ResponseError::new(
            status,
            request_id,
            format!(
                "a success must be a JSON object or an XML element, not {}",
                codec::describe(&other)
            ),
            &raw,
        )),
        Err(reason) => Err(ResponseError::new(status, request_id, reason, &raw)),
    }
}

fn body_request_id(tree: Option<&Node<'_>>) -> Option<String> {
    tree?.get("RequestId")?.as_str().map(str::to_string)
}

/// Tells a success from the service's error. A success is kept whole, for the caller to decode;
/// any other status is read here, into a service error or a response error.
pub(crate) fn read_response(head: Head, body: bytes::Bytes) -> Result<Response, Failure> {
    let Head {
        status,
        request_id: header_request_id,
        content_type,
        location_host,
        retry_after,
    } = head;
    if (200..300).contains(&status) {
        return Ok(Response {
            status,
            request_id: header_request_id,
            content_type,
            raw: body,
        });
    }
    if (300..400).contains(&status) {
        let to = location_host.map_or_else(
            || "without a Location".to_string(),
            |host| format!("to host `{host}`"),
        );
        return Err(Failure::Response(ResponseError::new(
            status,
            header_request_id,
            format!("a redirect {to}; the API never redirects, so it was not followed"),
            &body,
        )));
    }
    let tree = codec::parse_body(content_type.as_deref(), &body);
    let request_id = header_request_id.or_else(|| body_request_id(tree.as_ref().ok()));
    let tree = match tree {
        Ok(tree) => tree,
        Err(reason) => {
            return Err(Failure::Response(ResponseError::new(
                status, request_id, reason, &body,
            )));
        }
    };
    let text = |k: &str| {
        tree.get(k).and_then(|v| match v {
            Node::String(s) if !s.is_empty() => Some(s.to_string()),
            Node::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    match text("Code") {
        Some(code) if status >= 400 => Err(Failure::Service(Box::new(ServiceError {
            http_status: status,
            code,
            message: text("Message").unwrap_or_default(),
            request_id,
            host_id: text("HostId"),
            recommend: text("Recommend"),
            retry_after,
            attempts: 1,
        }))),
        _ => Err(Failure::Response(ResponseError::new(
            status,
            request_id,
            if status >= 400 {
                "error response without a Code"
            } else {
                "unexpected HTTP status"
            },
            &body,
        ))),
    }
}

/// A transport error as a failure. The `reqwest::Error` is kept as the cause without its URL,
/// which holds the whole signed query (credentials included) in V1.
fn transport_failure(e: reqwest::Error, config: &Config) -> Failure {
    let e = e.without_url();
    if e.is_timeout() {
        return if e.is_connect() {
            Failure::Timeout(TimeoutKind::Connect, config.connect_timeout)
        } else {
            Failure::Timeout(TimeoutKind::Read, config.read_timeout)
        };
    }
    let e = match CertificateRefused::find(config.endpoint.host(), e) {
        Ok(refused) => {
            return Failure::Dispatch(DispatchError {
                kind: DispatchKind::Certificate,
                attempts: 1,
                source: Some(Box::new(refused)),
            });
        }
        Err(e) => e,
    };
    let kind = if e.is_connect() {
        DispatchKind::Connect
    } else if e.is_body() || e.is_decode() {
        DispatchKind::Body
    } else {
        DispatchKind::Exchange
    };
    Failure::Dispatch(DispatchError {
        kind,
        attempts: 1,
        source: Some(Box::new(e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::reset_agent_state::ResetAgentStateOutput;

    fn read(
        status: u16,
        request_id: Option<&str>,
        ct: Option<&str>,
        body: &'static [u8],
    ) -> Result<Response, Failure> {
        read_response(
            Head::test(status, request_id, ct),
            bytes::Bytes::from_static(body),
        )
    }

    fn service(r: Result<Response, Failure>) -> ServiceError {
        match r {
            Err(Failure::Service(e)) => *e,
            _ => panic!("not a service error"),
        }
    }

    fn response_error(r: Result<Response, Failure>) -> ResponseError {
        match r {
            Err(Failure::Response(e)) => e,
            _ => panic!("not a response error"),
        }
    }

    const OP: Operation = Operation {
        action: "ResetAgentState",
        method: Method::Post,
        idempotent: false,
    };

    fn decode(ct: &str, body: &'static [u8]) -> Result<ResetAgentStateOutput, ResponseError> {
        match read(200, None, Some(ct), body) {
            Ok(r) => decode_success::<ResetAgentStateOutput>(&OP, r),
            Err(_) => panic!("a 200 is a success until its body is read"),
        }
    }

    #[test]
    fn error_bodies_become_service_errors() {
        let body = br#"{"RequestId":"R1","HostId":"ccc.aliyuncs.com","Code":"NotExists.InstanceId","Message":"The specified instance x does not exist.","Recommend":"https://r"}"#;
        let e = service(read(404, None, Some("application/json"), body));
        assert_eq!(e.code(), "NotExists.InstanceId");
        assert_eq!(e.request_id(), Some("R1"));
        assert_eq!(e.http_status(), 404);
        assert_eq!(e.host_id(), Some("ccc.aliyuncs.com"));
        assert_eq!(
            e.to_string(),
            "NotExists.InstanceId: The specified instance x does not exist. (HTTP 404, request id R1)"
        );
        let xml = b"<?xml version='1.0'?><Error><RequestId>R2</RequestId><Code>Throttling.User</Code><Message>m</Message></Error>";
        let e = service(read(400, None, Some("text/xml"), xml));
        assert!(e.is_throttling());
        assert_eq!(e.request_id(), Some("R2"));
    }

    #[test]
    fn retry_after_is_read_in_milliseconds() {
        let mut head = Head::test(400, None, Some("application/json"));
        head.retry_after = Some(Duration::from_millis(1500));
        let e = service(read_response(
            head,
            bytes::Bytes::from_static(br#"{"Code":"Throttling.User","Message":"m"}"#),
        ));
        assert_eq!(e.retry_after(), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn unreadable_bodies_keep_status_request_id_and_prefix() {
        let e = response_error(read(
            502,
            Some("H1"),
            Some("text/html"),
            b"<html>Bad Gateway",
        ));
        assert_eq!(e.http_status(), 502);
        assert_eq!(e.request_id(), Some("H1"));
        assert!(
            e.reason()
                .contains("neither JSON nor XML (Content-Type text/html)"),
            "{}",
            e.reason()
        );
        assert_eq!(e.body_prefix(), "<html>Bad Gateway");
        // A success is read when it is decoded.
        let e = decode("application/json", br#"{"RequestId": "x", "Co"#).unwrap_err();
        assert_eq!(e.http_status(), 200);
        assert!(e.reason().starts_with("malformed JSON"), "{}", e.reason());
        let e = response_error(read(500, None, None, b""));
        assert_eq!(e.reason(), "empty body");
        let e = response_error(read(503, None, Some("text/plain"), &[b'x'; 1000]));
        assert_eq!(e.body_prefix().len(), 256);
        assert!(
            e.to_string()
                .starts_with("unreadable response (HTTP 503): neither JSON nor XML"),
            "{e}"
        );
    }

    #[test]
    fn a_success_must_be_an_object() {
        for (ct, body, found) in [
            ("application/json", &b"null"[..], "null"),
            ("application/json", b"\"\"", "string"),
            ("application/json", b"[1, 2]", "an array"),
            ("application/json", b"42", "number"),
        ] {
            let body: &'static [u8] = Box::leak(body.to_vec().into_boxed_slice());
            let e = decode(ct, body).unwrap_err();
            assert!(
                e.reason().starts_with("a success must be a JSON object")
                    && e.reason().contains(found),
                "{ct} {body:?}: {}",
                e.reason()
            );
        }
        for (ct, body) in [
            ("text/html", &b"<html><body>hi</body></html>"[..]),
            ("application/xhtml+xml", b"<html><body>hi</body></html>"),
            (
                "text/xml",
                b"<?xml version='1.0'?><html><body>hi</body></html>",
            ),
        ] {
            let body: &'static [u8] = Box::leak(body.to_vec().into_boxed_slice());
            assert!(decode(ct, body).is_err(), "{ct}");
        }
        // The two forms an answer takes still decode.
        assert!(decode("application/json", br#"{"RequestId":"R","Code":"OK"}"#).is_ok());
        assert!(
            decode(
                "text/xml",
                b"<ResetAgentStateResponse><Code>OK</Code></ResetAgentStateResponse>"
            )
            .is_ok()
        );
    }

    #[test]
    fn a_redirect_is_an_error_that_names_only_the_host() {
        let mut head = Head::test(307, Some("R3"), None);
        head.location_host = Some(location_host(
            b"http://user:pw@evil.example:8080/path?SecurityToken=abc&Signature=x",
        ));
        let e = response_error(read_response(head, bytes::Bytes::new()));
        assert_eq!(e.http_status(), 307);
        assert!(
            e.reason().contains("to host `evil.example:8080`"),
            "{}",
            e.reason()
        );
        assert!(
            !e.to_string().contains("abc") && !e.to_string().contains("pw"),
            "{e}"
        );
        assert_eq!(
            location_host(b"/relative?SecurityToken=abc"),
            "(this endpoint)"
        );
    }

    fn svc(status: u16, code: &str) -> Failure {
        Failure::Service(Box::new(ServiceError {
            http_status: status,
            code: code.into(),
            message: String::new(),
            request_id: None,
            host_id: None,
            recommend: None,
            retry_after: None,
            attempts: 1,
        }))
    }

    fn dispatch(kind: DispatchKind) -> Failure {
        Failure::Dispatch(DispatchError {
            kind,
            attempts: 1,
            source: None,
        })
    }

    #[test]
    fn retry_classes() {
        // Safe to repeat: every transient failure is retried.
        for f in [
            svc(400, "Throttling.User"),
            svc(503, "ServiceUnavailable"),
            Failure::Timeout(TimeoutKind::Attempt, Duration::ZERO),
            Failure::Timeout(TimeoutKind::Read, Duration::ZERO),
            Failure::Timeout(TimeoutKind::Connect, Duration::ZERO),
            dispatch(DispatchKind::Connect),
            dispatch(DispatchKind::Exchange),
            dispatch(DispatchKind::Body),
            Failure::Response(ResponseError::new(502, None, "x", b"")),
        ] {
            assert!(f.is_retryable(true));
        }
        // Never: answers that will not change, a refused certificate, no credentials.
        for f in [
            svc(404, "NotExists.UserId"),
            svc(400, "SignatureDoesNotMatch"),
            dispatch(DispatchKind::Certificate),
            Failure::Response(ResponseError::new(200, None, "x", b"")),
            Failure::Response(ResponseError::new(307, None, "x", b"")),
            Failure::Credentials(CredentialsError::new("x")),
        ] {
            assert!(!f.is_retryable(true));
            assert!(!f.is_retryable(false));
        }
        // Not safe to repeat: only when the request provably did not run.
        for f in [
            svc(400, "Throttling.User"),
            svc(429, "TooManyRequests"),
            Failure::Timeout(TimeoutKind::Connect, Duration::ZERO),
            dispatch(DispatchKind::Connect),
        ] {
            assert!(f.is_retryable(false));
        }
        for f in [
            svc(503, "ServiceUnavailable"),
            Failure::Timeout(TimeoutKind::Attempt, Duration::ZERO),
            Failure::Timeout(TimeoutKind::Read, Duration::ZERO),
            dispatch(DispatchKind::Exchange),
            dispatch(DispatchKind::Body),
            Failure::Response(ResponseError::new(502, None, "x", b"")),
        ] {
            assert!(!f.is_retryable(false));
        }
    }

    #[test]
    fn echoed_credentials_are_redacted_raw_and_percent_encoded() {
        let creds = Credentials::new("LTAI5tEchoKeyId1234", "echo/secret+key=")
            .with_security_token("CAIS+token/with=chars");
        let body = "AccessKeyId=LTAI5tEchoKeyId1234&SecurityToken=CAIS%2Btoken%2Fwith%3Dchars \
                    secret echo/secret+key= token CAIS+token/with=chars";
        let mut f = Failure::Response(ResponseError::new(500, None, "why", body.as_bytes()));
        f.redact(&creds);
        let Failure::Response(e) = f else {
            unreachable!()
        };
        for s in [
            "LTAI5tEchoKeyId1234",
            "echo/secret+key=",
            "CAIS",
            "token%2F",
        ] {
            assert!(!e.body_prefix().contains(s), "{s} in {}", e.body_prefix());
        }
        assert!(e.body_prefix().contains("[redacted]"));
    }
}
