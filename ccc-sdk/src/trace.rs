//! What a call tells `tracing`: one span per call (`ccc_sdk::call`, at DEBUG) and one event per
//! retry. Fields hold names, numbers and what the service said, redacted: never a secret, a
//! security token, a signature or an AccessKey id. The library installs no subscriber; with
//! none, a call pays one disabled-span check.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use tracing::Span;
use tracing::field::Empty;

use crate::credentials::Credentials;
use crate::error::{SdkError, ServiceError};
use crate::failure::{Failure, Secrets};
use crate::response::Response;

/// The longest text taken from a response into a field.
const MAX_FIELD_CHARS: usize = 128;

/// The span of one call; its outcome is recorded by [`finish`].
pub(crate) fn call_span(action: &'static str, region: Option<&str>) -> Span {
    tracing::debug_span!(
        target: "ccc_sdk::call",
        "call",
        action,
        region = region.unwrap_or(""),
        attempts = Empty,
        http_status = Empty,
        request_id = Empty,
        latency_ms = Empty,
        error_code = Empty,
    )
}

/// Records a success.
pub(crate) fn finish_ok(
    span: &Span,
    started: Option<Instant>,
    attempts: u32,
    response: &Response,
    creds: &Credentials,
) {
    if span.is_disabled() {
        return;
    }
    span.record("attempts", attempts);
    span.record("http_status", response.status);
    if let Some(id) = &response.request_id {
        span.record("request_id", clean(id, Some(creds)));
    }
    record_latency(span, started);
}

/// Records a failure; `creds`, when known, are taken out of anything the server sent.
pub(crate) fn finish_err(
    span: &Span,
    started: Option<Instant>,
    e: &SdkError<ServiceError>,
    creds: Option<&Credentials>,
) {
    if span.is_disabled() {
        return;
    }
    span.record("attempts", e.attempts());
    if let Some(status) = e.http_status() {
        span.record("http_status", status);
    }
    if let Some(id) = e.request_id() {
        span.record("request_id", clean(id, creds));
    }
    span.record("error_code", error_code(e, creds));
    record_latency(span, started);
}

/// An event for a retry: which attempt failed, why, and the wait before the next.
pub(crate) fn retry(attempt: u32, failure: &Failure, wait: Duration) {
    tracing::debug!(
        target: "ccc_sdk::call",
        attempt,
        reason = %reason(failure),
        wait_ms = wait.as_millis() as u64,
        "retrying"
    );
}

fn record_latency(span: &Span, started: Option<Instant>) {
    if let Some(started) = started {
        span.record("latency_ms", started.elapsed().as_secs_f64() * 1e3);
    }
}

/// Text from a server, fit for a field: printable, bounded, credentials redacted.
fn clean(text: &str, creds: Option<&Credentials>) -> String {
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FIELD_CHARS)
        .collect();
    if let Some(creds) = creds {
        Secrets::of(creds).redact(&mut out);
    }
    out
}

/// The service's error code, or the kind of failure (`Timeout.Attempt`, `Dispatch.Connect`, …).
fn error_code(e: &SdkError<ServiceError>, creds: Option<&Credentials>) -> String {
    match e {
        SdkError::Service(e) => clean(e.code(), creds),
        SdkError::Timeout(t) => format!("Timeout.{:?}", t.kind()),
        SdkError::Dispatch(d) => format!("Dispatch.{:?}", d.kind),
        SdkError::Response(_) => "Response".into(),
        SdkError::Credentials(_) => "Credentials".into(),
        SdkError::Build(_) => "Build".into(),
    }
}

/// Why an attempt failed, in a few words.
fn reason(failure: &Failure) -> String {
    let mut out = String::new();
    let _ = match failure {
        Failure::Service(e) => write!(
            out,
            "HTTP {} {}",
            e.http_status(),
            // Redacted when the attempt failed.
            clean(e.code(), None)
        ),
        Failure::Timeout(kind, limit) => write!(out, "{kind:?} timeout after {limit:?}"),
        Failure::Dispatch(e) => write!(out, "{:?} failure", e.kind),
        Failure::Response(e) => write!(out, "unreadable response (HTTP {})", e.http_status()),
        Failure::Credentials(_) => write!(out, "no credentials"),
    };
    out
}
