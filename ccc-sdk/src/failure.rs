//! What went wrong in an attempt: the failure, how it is classed (worth another attempt or not),
//! what the caller is shown, and the credentials taken out of anything a server echoed.

use std::borrow::Cow;
use std::time::Duration;

use crate::credentials::Credentials;
use crate::error::{
    CredentialsError, DispatchError, DispatchKind, ResponseError, SdkError, ServiceError,
    TimeoutError, TimeoutKind,
};
use crate::signing;
use crate::transport::CertificateRefused;

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
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Failure::Timeout(..) => true,
            Failure::Dispatch(e) => !e.is_final(),
            Failure::Service(e) => e.is_throttling() || e.http_status() >= 500,
            Failure::Response(e) => e.http_status() >= 500,
            Failure::Credentials(_) => false,
        }
    }

    /// Whether the request provably did not run: the connection could not be opened, or the
    /// service answered that it did not run it (throttling). Anything else may have reached
    /// the service, even a timeout or a connection lost before the answer.
    pub(crate) fn provably_not_run(&self) -> bool {
        match self {
            Failure::Timeout(kind, _) => *kind == TimeoutKind::Connect,
            Failure::Dispatch(e) => e.is_connect(),
            Failure::Service(e) => e.is_throttling(),
            Failure::Response(_) => false,
            Failure::Credentials(_) => true,
        }
    }

    /// Whether the loop may try again, for an action that is or is not safe to repeat.
    pub(crate) fn is_retryable(&self, idempotent: bool) -> bool {
        self.is_transient() && (idempotent || self.provably_not_run())
    }

    /// The wait the service asked for, if it asked.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Service(e) => e.retry_after(),
            _ => None,
        }
    }

    /// Takes out of the error anything that a server echoed of the credentials: a hostile or
    /// confused server (or a proxy's error page) may repeat the request's query or headers.
    pub(crate) fn redact(&mut self, creds: &Credentials) {
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
    pub(crate) fn into_sdk_error(self, attempts: u32) -> SdkError<ServiceError> {
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

/// What a transport error is read against: the host the client talks to, and the timeouts the
/// transport enforces.
pub(crate) struct Exchange<'a> {
    pub(crate) host: &'a str,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
}

/// A transport error as a failure. The `reqwest::Error` is kept as the cause without its URL,
/// which holds the whole signed query (credentials included) in V1.
pub(crate) fn transport_failure(e: reqwest::Error, exchange: &Exchange<'_>) -> Failure {
    let e = e.without_url();
    if e.is_timeout() {
        return if e.is_connect() {
            Failure::Timeout(TimeoutKind::Connect, exchange.connect_timeout)
        } else {
            Failure::Timeout(TimeoutKind::Read, exchange.read_timeout)
        };
    }
    let e = match CertificateRefused::find(exchange.host, e) {
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
