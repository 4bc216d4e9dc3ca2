//! The client: one pooled connection set, and the call loop every action goes through
//! (sign → send → read → retry), shared and non-generic so that hundreds of actions stay cheap
//! to compile.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

use crate::codec::{self, Decode, Node, Params};
use crate::config::{CallOptions, Config, ConfigError};
use crate::credentials::Credentials;
use crate::error::{
    CredentialsError, DispatchError, ResponseError, SdkError, ServiceError, TimeoutError,
    TimeoutKind,
};
use crate::retry::{self, RetryConfig};
use crate::signing::{self, API_VERSION, HeaderText, Unsigned};

/// An action's fixed facts, generated per action.
#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) action: &'static str,
    pub(crate) method: Method,
    /// Safe to repeat (read-only): retried even when an attempt may have reached the service.
    pub(crate) idempotent: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // Which methods occur depends on the actions the spec holds.
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

/// Why one attempt failed, before it is given the action's error type.
pub(crate) enum Failure {
    Credentials(CredentialsError),
    Timeout(TimeoutKind),
    Dispatch(DispatchError),
    Response(ResponseError),
    // Boxed: errors are rare, and a small `Result` keeps the success path lean.
    Service(Box<ServiceError>),
}

impl Failure {
    /// Throttling, 5xx, timeouts and connection errors are worth another attempt.
    fn is_retryable(&self) -> bool {
        match self {
            Failure::Timeout(_) | Failure::Dispatch(_) => true,
            Failure::Service(e) => e.is_throttling() || e.http_status() >= 500,
            Failure::Response(e) => e.http_status() >= 500,
            Failure::Credentials(_) => false,
        }
    }
}

impl Client {
    /// A client with the given configuration.
    pub fn new(config: Config) -> Result<Client, ConfigError> {
        install_crypto_provider();
        let mut http = reqwest::Client::builder();
        if config.http2_prior_knowledge {
            http = http.http2_prior_knowledge();
        }
        let http = http
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(concat!("ccc-sdk-rust/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60))
            // Retries belong to this client alone: each attempt is signed afresh and counted
            // against the policy. reqwest's own layer would replay a signed request (and clone
            // every request in case it does).
            .retry(reqwest::retry::never().max_retries_per_request(0))
            .build()
            .map_err(|e| ConfigError::new(format!("cannot build the HTTP client: {e}")))?;
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
        let response = self
            .invoke(op, &params, options)
            .await
            .map_err(|e| e.map_service_error(E::from))?;
        decode_success(op, response).map_err(SdkError::Response)
    }

    /// The attempt loop, bounded by the operation timeout. Not generic: compiled once for all
    /// actions.
    async fn invoke(
        &self,
        op: &Operation,
        params: &Params<'_>,
        options: &CallOptions,
    ) -> Result<Response, SdkError<ServiceError>> {
        let config = &self.inner.config;
        let retry = options.retry.as_ref().unwrap_or(&config.retry);
        let attempt_timeout = options.attempt_timeout.or(config.attempt_timeout);
        let attempts = AtomicU32::new(0);
        let run = self.attempts(op, params, retry, attempt_timeout, &attempts);
        let result = match options.operation_timeout.or(config.operation_timeout) {
            None => run.await,
            Some(limit) => match tokio::time::timeout(limit, run).await {
                Ok(r) => r,
                Err(_) => {
                    return Err(SdkError::Timeout(TimeoutError {
                        kind: TimeoutKind::Operation,
                        limit: Some(limit),
                        attempts: attempts.load(Ordering::Relaxed),
                    }));
                }
            },
        };
        result.map_err(|f| match f {
            Failure::Credentials(e) => SdkError::Credentials(e),
            Failure::Timeout(kind) => SdkError::Timeout(TimeoutError {
                kind,
                limit: match kind {
                    TimeoutKind::Connect => Some(config.connect_timeout),
                    _ => attempt_timeout.or(Some(config.read_timeout)),
                },
                attempts: attempts.load(Ordering::Relaxed),
            }),
            Failure::Dispatch(e) => SdkError::Dispatch(e),
            Failure::Response(e) => SdkError::Response(e),
            Failure::Service(e) => SdkError::Service(*e),
        })
    }

    async fn attempts(
        &self,
        op: &Operation,
        params: &Params<'_>,
        retry: &RetryConfig,
        attempt_timeout: Option<Duration>,
        attempts: &AtomicU32,
    ) -> Result<Response, Failure> {
        let started = Instant::now();
        loop {
            let n = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let once = self.attempt(op, params);
            let outcome = match attempt_timeout {
                None => once.await,
                Some(limit) => tokio::time::timeout(limit, once)
                    .await
                    .unwrap_or(Err(Failure::Timeout(TimeoutKind::Attempt))),
            };
            match outcome {
                Ok(r) => return Ok(r),
                Err(f) if f.is_retryable() && n < retry.max_attempts() => {
                    let wait = retry.backoff(n, retry::jitter_unit());
                    if started.elapsed() + wait >= retry.max_elapsed() {
                        return Err(f);
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(f) => return Err(f),
            }
        }
    }

    /// The credentials for the next attempt, from the configured provider.
    pub(crate) fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.inner.config.credentials.credentials()
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

    /// One signed request and its response, read whole.
    async fn attempt(&self, op: &Operation, params: &Params<'_>) -> Result<Response, Failure> {
        let creds = self.credentials().map_err(Failure::Credentials)?;
        let request = self.prepare(op, params, &creds)?;
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(transport_failure)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let header_request_id = header("x-acs-request-id");
        let content_type = header("content-type");
        let body = response.bytes().await.map_err(transport_failure)?;
        read_response(status, header_request_id, content_type.as_deref(), body)
    }
}

/// Reads a successful response's body into the action's output.
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
        Ok(tree) => O::decode(tree).map_err(|e| {
            ResponseError::new(
                status,
                request_id,
                format!("the response does not fit {}: {e}", op.action),
                &raw,
            )
        }),
        Err(reason) => Err(ResponseError::new(status, request_id, reason, &raw)),
    }
}

fn body_request_id(tree: Option<&Node<'_>>) -> Option<String> {
    tree?.get("RequestId")?.as_str().map(str::to_string)
}

/// Tells a success from the service's error. A success is kept whole, for the caller to decode;
/// any other status is read here, into a service error or a response error.
pub(crate) fn read_response(
    status: u16,
    header_request_id: Option<String>,
    content_type: Option<&str>,
    body: bytes::Bytes,
) -> Result<Response, Failure> {
    if (200..300).contains(&status) {
        return Ok(Response {
            status,
            request_id: header_request_id,
            content_type: content_type.map(str::to_string),
            raw: body,
        });
    }
    let tree = codec::parse_body(content_type, &body);
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

fn transport_failure(e: reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::Timeout(if e.is_connect() {
            TimeoutKind::Connect
        } else {
            TimeoutKind::Attempt
        });
    }
    let what = if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the response body was cut off"
    } else if e.is_builder() {
        "the request cannot be built"
    } else {
        "the exchange failed"
    };
    // The chain of causes says why (refused, reset, DNS); the URL holds no secret.
    let mut message = what.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Failure::Dispatch(DispatchError {
        message,
        source: Some(Box::new(e)),
    })
}

/// Uses ring for TLS unless the application installed a provider of its own.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing the race to another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::reset_agent_state::ResetAgentStateOutput;

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

    #[test]
    fn error_bodies_become_service_errors() {
        let body = br#"{"RequestId":"R1","HostId":"ccc.aliyuncs.com","Code":"NotExists.InstanceId","Message":"The specified instance x does not exist.","Recommend":"https://r"}"#;
        let e = service(read_response(
            404,
            None,
            Some("application/json"),
            bytes::Bytes::from_static(body),
        ));
        assert_eq!(e.code(), "NotExists.InstanceId");
        assert_eq!(e.request_id(), Some("R1"));
        assert_eq!(e.http_status(), 404);
        assert_eq!(e.host_id(), Some("ccc.aliyuncs.com"));
        assert_eq!(
            e.to_string(),
            "NotExists.InstanceId: The specified instance x does not exist. (HTTP 404, request id R1)"
        );
        let xml = b"<?xml version='1.0'?><Error><RequestId>R2</RequestId><Code>Throttling.User</Code><Message>m</Message></Error>";
        let e = service(read_response(
            400,
            None,
            Some("text/xml"),
            bytes::Bytes::from_static(xml),
        ));
        assert!(e.is_throttling());
        assert_eq!(e.request_id(), Some("R2"));
    }

    #[test]
    fn unreadable_bodies_keep_status_request_id_and_prefix() {
        let e = response_error(read_response(
            502,
            Some("H1".into()),
            Some("text/html"),
            bytes::Bytes::from_static(b"<html>Bad Gateway"),
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
        let ok = read_response(
            200,
            None,
            Some("application/json"),
            bytes::Bytes::from_static(br#"{"RequestId": "x", "Co"#),
        );
        let op = Operation {
            action: "ResetAgentState",
            method: Method::Post,
            idempotent: false,
        };
        let e = match ok {
            Ok(r) => decode_success::<ResetAgentStateOutput>(&op, r).unwrap_err(),
            Err(_) => panic!("a 200 is a success until its body is read"),
        };
        assert_eq!(e.http_status(), 200);
        assert!(e.reason().starts_with("malformed JSON"), "{}", e.reason());
        let e = response_error(read_response(500, None, None, bytes::Bytes::new()));
        assert_eq!(e.reason(), "empty body");
        let long = vec![b'x'; 1000];
        let e = response_error(read_response(
            503,
            None,
            Some("text/plain"),
            bytes::Bytes::from(long),
        ));
        assert_eq!(e.body_prefix().len(), 256);
        assert!(
            e.to_string()
                .starts_with("unreadable response (HTTP 503): neither JSON nor XML"),
            "{e}"
        );
    }

    #[test]
    fn retry_classes() {
        let svc = |status, code: &str| {
            Failure::Service(Box::new(ServiceError {
                http_status: status,
                code: code.into(),
                message: String::new(),
                request_id: None,
                host_id: None,
                recommend: None,
            }))
        };
        assert!(svc(400, "Throttling.User").is_retryable());
        assert!(svc(503, "ServiceUnavailable").is_retryable());
        assert!(!svc(404, "NotExists.UserId").is_retryable());
        assert!(!svc(400, "SignatureDoesNotMatch").is_retryable());
        assert!(Failure::Timeout(TimeoutKind::Attempt).is_retryable());
        assert!(Failure::Response(ResponseError::new(502, None, "x", b"")).is_retryable());
        assert!(!Failure::Response(ResponseError::new(200, None, "x", b"")).is_retryable());
        assert!(!Failure::Credentials(CredentialsError::new("x")).is_retryable());
    }
}
