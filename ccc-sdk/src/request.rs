//! The request of one attempt: an action's fixed facts, and the request laid out, signed and
//! turned into the transport's request.

use std::time::SystemTime;

use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

use crate::codec::Params;
use crate::config::Config;
use crate::credentials::Credentials;
use crate::error::CredentialsError;
use crate::failure::Failure;
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
pub(crate) enum Method {
    Get,
    Post,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// Signs a request afresh (new timestamp and nonce) with the given credentials and lays it out for
/// the transport: the one place a signed request becomes the transport's request.
pub(crate) fn prepare(
    config: &Config,
    base_url: &reqwest::Url,
    op: &Operation,
    params: &Params<'_>,
    creds: &Credentials,
) -> Result<reqwest::Request, Failure> {
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
    let mut url = base_url.clone();
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
