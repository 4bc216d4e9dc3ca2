//! Errors: what went wrong with a call, with the code, message, HTTP status and request id
//! wherever the service gave them.

use std::fmt;
use std::time::Duration;

pub use crate::codec::DecodeError;
pub use crate::credentials::CredentialsError;
use crate::generated::types::ErrorCode;

/// An error the service returned: HTTP status ≥ 400 with Alibaba Cloud's error body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    pub(crate) http_status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
    pub(crate) host_id: Option<String>,
    pub(crate) recommend: Option<String>,
    /// `x-acs-retry-after`: how long the service asked the caller to wait.
    pub(crate) retry_after: Option<Duration>,
    pub(crate) attempts: u32,
}

impl ServiceError {
    /// A builder of a service error, for tests that fabricate one: an answer for the mock client,
    /// or an [`SdkError::Service`] to hand to the code under test. Set at least the
    /// [`code`](ServiceErrorBuilder::code); the HTTP status is 400 unless set.
    ///
    /// ```
    /// use ccc_sdk::error::ServiceError;
    /// use ccc_sdk::operation::get_user::GetUserError;
    ///
    /// let e = ServiceError::builder()
    ///     .code("NotExists.InstanceId")
    ///     .message("The specified instance ccc-x does not exist.")
    ///     .http_status(404)
    ///     .request_id("5A1C-TEST")
    ///     .build();
    /// assert_eq!(e.to_string(), "NotExists.InstanceId: The specified instance ccc-x does not exist. (HTTP 404, request id 5A1C-TEST)");
    /// // The action's error enum picks the variant its code names.
    /// assert!(matches!(GetUserError::from(e), GetUserError::NotExistsInstanceId(_)));
    /// ```
    pub fn builder() -> ServiceErrorBuilder {
        ServiceErrorBuilder {
            error: ServiceError {
                http_status: 400,
                code: String::new(),
                message: String::new(),
                request_id: None,
                host_id: None,
                recommend: None,
                retry_after: None,
                attempts: 1,
            },
        }
    }

    /// The error code, e.g. `NotExists.InstanceId`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The service's message, e.g. `The specified instance ccc-x does not exist.`
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request id, to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status of the response.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The `HostId` of the error body.
    pub fn host_id(&self) -> Option<&str> {
        self.host_id.as_deref()
    }

    /// The `Recommend` link of the error body (a diagnosis page).
    pub fn recommend(&self) -> Option<&str> {
        self.recommend.as_deref()
    }

    /// The error code as an [`ErrorCode`]: one variant per code the spec
    /// knows, the same whichever action returned it, or [`ErrorCode::Unknown`]
    /// holding the code as sent. Reading it matches the code text against the known codes; only
    /// an unknown code is copied.
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::from(self.code.as_str())
    }

    /// The product-wide error this is, if it is one (throttling, signature, …): `None` for a
    /// code only actions document.
    ///
    /// To match a code, [`error_code`](Self::error_code) supersedes it: it knows every code of
    /// the spec, the product-wide ones included. This one remains to tell whether a code is one
    /// the product lists for any action.
    pub fn common_code(&self) -> Option<crate::generated::types::CommonErrorCode> {
        crate::generated::types::CommonErrorCode::from_code(&self.code)
    }

    /// Whether the service asked the caller to slow down. A throttled request was not run.
    pub fn is_throttling(&self) -> bool {
        self.code.starts_with("Throttling") || self.http_status == 429
    }

    /// How long the service asked the caller to wait before trying again (its
    /// `x-acs-retry-after` header, in milliseconds on the wire), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// How many attempts the call made, the one that got this answer included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether asking again could get another answer: throttling, or a fault of the service
    /// (HTTP 5xx). Any other 4xx answer will come again.
    pub(crate) fn is_transient(&self) -> bool {
        self.is_throttling() || self.http_status >= 500
    }
}

/// Builder of a [`ServiceError`]: made by [`ServiceError::builder`].
#[derive(Clone, Debug)]
#[must_use = "the error is made by `build`"]
pub struct ServiceErrorBuilder {
    error: ServiceError,
}

impl ServiceErrorBuilder {
    /// The error code, e.g. `Throttling.User` or `NotExists.UserId`.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.error.code = code.into();
        self
    }

    /// The service's message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.error.message = message.into();
        self
    }

    /// The HTTP status of the answer (400 unless set); the service answers with 4xx or 5xx.
    pub fn http_status(mut self, status: u16) -> Self {
        self.error.http_status = status;
        self
    }

    /// The request id.
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.error.request_id = Some(id.into());
        self
    }

    /// The `HostId` of the error body.
    pub fn host_id(mut self, host: impl Into<String>) -> Self {
        self.error.host_id = Some(host.into());
        self
    }

    /// The `Recommend` link of the error body.
    pub fn recommend(mut self, link: impl Into<String>) -> Self {
        self.error.recommend = Some(link.into());
        self
    }

    /// How long the service asks the caller to wait (its `x-acs-retry-after` header).
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.error.retry_after = Some(wait);
        self
    }

    /// How many attempts the call made (1 unless set). The mock client counts them itself.
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.error.attempts = attempts;
        self
    }

    /// The error.
    pub fn build(self) -> ServiceError {
        self.error
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (HTTP {}",
            self.code, self.message, self.http_status
        )?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        write_attempts(f, self.attempts)?;
        f.write_str(")")
    }
}

impl AsRef<ServiceError> for ServiceError {
    fn as_ref(&self) -> &ServiceError {
        self
    }
}

impl std::error::Error for ServiceError {}

/// `, 3 attempts` inside an error's parentheses; nothing for a call that made one.
fn write_attempts(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    if attempts > 1 {
        write!(f, ", {attempts} attempts")?;
    }
    Ok(())
}

/// An input that cannot be sent; raised before anything goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    parameter: &'static str,
    reason: BuildErrorReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum BuildErrorReason {
    Missing,
    #[allow(
        dead_code,
        reason = "made by generated code only where the spec states a definition range"
    )]
    OutOfRange {
        value: i64,
        min: i64,
        max: i64,
    },
}

impl BuildError {
    /// A required parameter was not set; `parameter` is its wire name.
    pub fn missing(parameter: &'static str) -> Self {
        BuildError {
            parameter,
            reason: BuildErrorReason::Missing,
        }
    }

    /// Fails unless `value` is within `min..=max`, the range the service's definition states for
    /// `parameter`.
    #[allow(
        dead_code,
        reason = "called by generated code only where the spec states a definition range"
    )]
    pub(crate) fn check_range(
        parameter: &'static str,
        value: i64,
        min: i64,
        max: i64,
    ) -> Result<(), Self> {
        if (min..=max).contains(&value) {
            return Ok(());
        }
        Err(BuildError {
            parameter,
            reason: BuildErrorReason::OutOfRange { value, min, max },
        })
    }

    /// The wire name of the parameter at fault, e.g. `InstanceId`.
    pub fn parameter(&self) -> &'static str {
        self.parameter
    }

    /// The range the parameter takes (`min`, `max`), when the error is a value outside it.
    pub fn range(&self) -> Option<(i64, i64)> {
        match self.reason {
            BuildErrorReason::OutOfRange { min, max, .. } => Some((min, max)),
            BuildErrorReason::Missing => None,
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            BuildErrorReason::Missing => {
                write!(f, "missing required parameter `{}`", self.parameter)
            }
            BuildErrorReason::OutOfRange { value, min, max } => write!(
                f,
                "parameter `{}` is {value}, outside the range it takes, {min} to {max}",
                self.parameter
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// A response that could not be read: empty, truncated, neither JSON nor XML, or not the shape
/// the action returns. Keeps the status, the request id and the first bytes of the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseError {
    pub(crate) http_status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) reason: String,
    pub(crate) body_prefix: String,
    pub(crate) attempts: u32,
}

/// How much of an unreadable body an error keeps.
pub(crate) const BODY_PREFIX_BYTES: usize = 256;

impl ResponseError {
    /// An unreadable answer: its HTTP status, request id, why it could not be read, and its
    /// body, of which the first 256 bytes are kept. Made by the client; public so that a test
    /// can fabricate an [`SdkError::Response`].
    pub fn new(
        http_status: u16,
        request_id: Option<String>,
        reason: impl Into<String>,
        body: &[u8],
    ) -> Self {
        let end = body.len().min(BODY_PREFIX_BYTES);
        ResponseError {
            http_status,
            request_id,
            reason: reason.into(),
            body_prefix: String::from_utf8_lossy(&body[..end]).into_owned(),
            attempts: 1,
        }
    }

    /// How many attempts the call made, the one that got this response included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The same error after `attempts` attempts (1 unless set).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The HTTP status of the response.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The request id, from the `x-acs-request-id` header or the body.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Why the body could not be read.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The first bytes of the body (at most 256, lossily decoded as UTF-8).
    pub fn body_prefix(&self) -> &str {
        &self.body_prefix
    }

    /// Whether reading again could succeed: a 5xx page (a proxy's) may be gone next time; a
    /// 2xx to 4xx body that cannot be read will be the same.
    pub(crate) fn is_transient(&self) -> bool {
        self.http_status >= 500
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unreadable response (HTTP {}", self.http_status)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        write_attempts(f, self.attempts)?;
        write!(f, "): {}", self.reason)?;
        if !self.body_prefix.is_empty() {
            write!(f, "; body starts {:?}", self.body_prefix)?;
        }
        Ok(())
    }
}

impl std::error::Error for ResponseError {}

/// Which time limit ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection.
    Connect,
    /// No byte of the response for the read timeout.
    Read,
    /// One attempt, from connecting to the last byte of the response.
    Attempt,
    /// The whole call, retries included.
    Operation,
}

/// A call or attempt ran out of time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeoutError {
    pub(crate) kind: TimeoutKind,
    pub(crate) limit: Option<Duration>,
    pub(crate) attempts: u32,
}

impl TimeoutError {
    /// A timeout of this kind after `limit`, on the first attempt. Made by the client; public so
    /// that a test can fabricate an [`SdkError::Timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use ccc_sdk::error::{TimeoutError, TimeoutKind};
    ///
    /// let e = TimeoutError::new(TimeoutKind::Operation, Duration::from_secs(60)).with_attempts(3);
    /// assert_eq!(e.to_string(), "timed out the call (all attempts) after 60s (3 attempts)");
    /// ```
    pub fn new(kind: TimeoutKind, limit: Duration) -> Self {
        TimeoutError {
            kind,
            limit: Some(limit),
            attempts: 1,
        }
    }

    /// The same timeout after `attempts` attempts.
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The limit that ran out.
    pub fn limit(&self) -> Option<Duration> {
        self.limit
    }

    /// Which limit ran out.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TimeoutKind::Connect => "connecting",
            TimeoutKind::Read => "waiting for response data",
            TimeoutKind::Attempt => "waiting for the response",
            TimeoutKind::Operation => "the call (all attempts)",
        };
        write!(f, "timed out {what}")?;
        if let Some(limit) = self.limit {
            write!(f, " after {limit:?}")?;
        }
        write!(f, " ({} attempt", self.attempts)?;
        if self.attempts != 1 {
            f.write_str("s")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for TimeoutError {}

/// The request could not be sent or its response not received: DNS, connection, TLS, I/O.
///
/// Its `Display` says what failed; its source chain says why (refused, reset, certificate),
/// without the request's URL, which carries credentials in V1 signatures.
#[derive(Debug)]
pub struct DispatchError {
    pub(crate) kind: DispatchKind,
    pub(crate) attempts: u32,
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What part of an exchange failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DispatchKind {
    /// No connection: refused, unreachable, DNS, TLS handshake. Nothing was sent.
    Connect,
    /// The server's certificate was refused. Nothing was sent, and a retry cannot help.
    Certificate,
    /// The connection failed after the request may have been sent.
    Exchange,
    /// The response body was cut off.
    Body,
    /// No rule of a mock client answers the request.
    #[cfg(feature = "test-util")]
    NoRule,
}

impl DispatchError {
    fn of(kind: DispatchKind) -> Self {
        DispatchError {
            kind,
            attempts: 1,
            source: None,
        }
    }

    /// The connection could not be opened (refused, unreachable, DNS, TLS): nothing was sent,
    /// so even an action that is not safe to repeat is retried. Made by the client; public, as
    /// the other constructors, so that a test can fabricate an [`SdkError::Dispatch`] or have the
    /// mock client fail a request this way.
    ///
    /// ```
    /// use ccc_sdk::error::DispatchError;
    ///
    /// let e = DispatchError::connect().with_attempts(2);
    /// assert!(e.is_connect());
    /// assert_eq!(e.to_string(), "cannot connect to the endpoint (2 attempts)");
    /// ```
    pub fn connect() -> Self {
        Self::of(DispatchKind::Connect)
    }

    /// The server's certificate was refused: nothing was sent, and a retry cannot help.
    pub fn certificate() -> Self {
        Self::of(DispatchKind::Certificate)
    }

    /// The connection failed after the request may have reached the service (reset, closed).
    pub fn exchange() -> Self {
        Self::of(DispatchKind::Exchange)
    }

    /// The response body was cut off.
    pub fn body_cut_off() -> Self {
        Self::of(DispatchKind::Body)
    }

    /// The same error, caused by `source` (shown in the error's source chain).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The same error after `attempts` attempts (1 unless set).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// Whether another attempt would fail the same way: a refused certificate (or, in a mock
    /// client, a request no rule answers).
    pub(crate) fn is_final(&self) -> bool {
        match self.kind {
            DispatchKind::Certificate => true,
            #[cfg(feature = "test-util")]
            DispatchKind::NoRule => true,
            DispatchKind::Connect | DispatchKind::Exchange | DispatchKind::Body => false,
        }
    }

    /// No rule of the mock client answers the request; `why` says which rules were tried.
    #[cfg(feature = "test-util")]
    pub(crate) fn no_rule(why: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::of(DispatchKind::NoRule).with_source(why)
    }

    /// The connection could not be opened (refused, unreachable, name not found, TLS): the
    /// request did not reach the service.
    pub fn is_connect(&self) -> bool {
        matches!(self.kind, DispatchKind::Connect | DispatchKind::Certificate)
    }

    /// The server's TLS certificate was refused (untrusted, expired, wrong name).
    pub fn is_certificate(&self) -> bool {
        self.kind == DispatchKind::Certificate
    }

    /// How many attempts the call made, the failed one included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether another exchange could succeed: anything but a refused certificate.
    pub(crate) fn is_transient(&self) -> bool {
        !self.is_final()
    }
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            DispatchKind::Connect => "cannot connect to the endpoint",
            DispatchKind::Certificate => "the endpoint's TLS certificate was refused",
            DispatchKind::Exchange => "the connection failed during the exchange",
            DispatchKind::Body => "the response body was cut off",
            #[cfg(feature = "test-util")]
            DispatchKind::NoRule => "no rule of the mock client answers this request",
        })?;
        if self.attempts > 1 {
            write!(f, " ({} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for DispatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The error of a call; `E` is the action's own error enum.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The input was incomplete; nothing was sent.
    Build(BuildError),
    /// No credentials could be found or loaded; nothing was sent.
    Credentials(CredentialsError),
    /// A time limit ran out.
    Timeout(TimeoutError),
    /// The request could not be sent or the response not received.
    Dispatch(DispatchError),
    /// A response arrived but could not be read.
    Response(ResponseError),
    /// The service answered with an error.
    Service(E),
}

impl<E> SdkError<E> {
    /// The action's error, if the service answered with one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The action's error, if the service answered with one.
    pub fn into_service_error(self) -> Option<E> {
        match self {
            SdkError::Service(e) => Some(e),
            _ => None,
        }
    }

    /// Maps the service error to another type (e.g. a common application error).
    pub fn map_service_error<F>(self, f: impl FnOnce(E) -> F) -> SdkError<F> {
        match self {
            SdkError::Build(e) => SdkError::Build(e),
            SdkError::Credentials(e) => SdkError::Credentials(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Dispatch(e) => SdkError::Dispatch(e),
            SdkError::Response(e) => SdkError::Response(e),
            SdkError::Service(e) => SdkError::Service(f(e)),
        }
    }
}

impl<E: AsRef<ServiceError>> SdkError<E> {
    /// The error code, when the service sent one.
    pub fn code(&self) -> Option<&str> {
        self.as_service_error().map(|e| e.as_ref().code())
    }

    /// The error code as an [`ErrorCode`], when the service answered with an
    /// error; `None` for a failure with no service error (no response, an unreadable one, an
    /// invalid input). The same code gives the same variant on every action.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.as_service_error().map(|e| e.as_ref().error_code())
    }

    /// The request id, when a response carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SdkError::Service(e) => e.as_ref().request_id(),
            SdkError::Response(e) => e.request_id(),
            _ => None,
        }
    }

    /// How many attempts the call made: 0 when nothing was sent (an invalid input, or no
    /// credentials for the first attempt).
    pub fn attempts(&self) -> u32 {
        match self {
            SdkError::Build(_) => 0,
            SdkError::Credentials(e) => e.attempts(),
            SdkError::Timeout(e) => e.attempts(),
            SdkError::Dispatch(e) => e.attempts(),
            SdkError::Response(e) => e.attempts(),
            SdkError::Service(e) => e.as_ref().attempts(),
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            SdkError::Service(e) => Some(e.as_ref().http_status()),
            SdkError::Response(e) => Some(e.http_status()),
            _ => None,
        }
    }

    /// Whether the same request, sent again later, could succeed: throttling, HTTP 5xx, a
    /// timeout, a connection that failed (unless its certificate was refused). An invalid
    /// input, missing credentials, any other 4xx answer or a body that cannot be read will fail
    /// the same way. The client's own retries follow the same rule; a
    /// [waiter](crate::waiter) keeps polling through these errors and stops at the others.
    pub fn is_transient(&self) -> bool {
        match self {
            SdkError::Build(_) | SdkError::Credentials(_) => false,
            SdkError::Timeout(_) => true,
            SdkError::Dispatch(e) => e.is_transient(),
            SdkError::Response(e) => e.is_transient(),
            SdkError::Service(e) => e.as_ref().is_transient(),
        }
    }
}

// `SdkError` is a wrapper that says nothing of its own beyond a word of context: its `Display`
// is its variant's, and its source is its variant's source, so that printing the whole chain
// never says a thing twice.
impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Build(e) => write!(f, "invalid input: {e}"),
            SdkError::Credentials(e) => write!(f, "cannot load credentials: {e}"),
            SdkError::Timeout(e) => e.fmt(f),
            SdkError::Dispatch(e) => e.fmt(f),
            SdkError::Response(e) => e.fmt(f),
            SdkError::Service(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SdkError::Build(e) => e.source(),
            SdkError::Credentials(e) => e.source(),
            SdkError::Timeout(e) => e.source(),
            SdkError::Dispatch(e) => e.source(),
            SdkError::Response(e) => e.source(),
            SdkError::Service(e) => e.source(),
        }
    }
}

/// Writes an error and each of its sources, separated by `: `; for logs and reports that take
/// one line: `format!("{}", DisplayErrorChain(&err))`.
pub struct DisplayErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for DisplayErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

/// A configuration that cannot work: says which setting and why, and keeps the cause.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ConfigError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.message)
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod build_error_tests {
    use super::BuildError;

    #[test]
    fn a_value_outside_the_definition_s_range_is_named_with_the_range() {
        assert!(BuildError::check_range("PageSize", 1, 1, 100).is_ok());
        assert!(BuildError::check_range("PageSize", 100, 1, 100).is_ok());
        let e = BuildError::check_range("PageSize", 101, 1, 100).unwrap_err();
        assert_eq!(e.parameter(), "PageSize");
        assert_eq!(e.range(), Some((1, 100)));
        assert_eq!(
            e.to_string(),
            "parameter `PageSize` is 101, outside the range it takes, 1 to 100"
        );
        let e = BuildError::check_range("PageSize", 0, 1, 100).unwrap_err();
        assert_eq!(e.range(), Some((1, 100)));
        assert_eq!(BuildError::missing("InstanceId").range(), None);
    }
}
