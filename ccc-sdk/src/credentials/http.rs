//! HTTP for the providers (STS, the metadata server, a credentials URI): bounded in time and
//! size, no redirects, and answers read as hostile input.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::Url;

use super::CredentialsError;
use crate::transport::{self, SharedHttpSettings, Target, Trust};

/// The ECS metadata server: the one plain-http address off loopback the SDK may call, and only
/// from the ECS RAM role provider.
pub(crate) const METADATA_IP: Ipv4Addr = Ipv4Addr::new(100, 100, 100, 200);
/// Largest answer read from STS, the metadata server or a credentials URI; theirs are under 4 KiB.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// A URL providers may call: `https://`, or `http://` to a loopback address (and to the
/// metadata server's address when `metadata` is set).
pub(crate) fn check_url(url: &str, metadata: bool) -> Result<Url, CredentialsError> {
    let bad = |why: &str| CredentialsError::new(format!("URL `{}`: {why}", redact_url(url)));
    let parsed = Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("user names and passwords in URLs are not accepted"));
    }
    let host = parsed.host_str().ok_or_else(|| bad("no host"))?;
    let host_ip = if host.eq_ignore_ascii_case("localhost") {
        Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
    } else {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok()
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if host_ip.is_some_and(|ip| ip.is_loopback()) => Ok(parsed),
        "http" if metadata && host_ip == Some(IpAddr::V4(METADATA_IP)) => Ok(parsed),
        "http" => Err(bad(if metadata {
            "plain http is allowed only to a loopback address or to 100.100.100.200; use https"
        } else {
            "plain http is allowed only to a loopback address (127.0.0.0/8, ::1, localhost); use https"
        })),
        _ => Err(bad(
            "the scheme must be https (or http to a loopback address)",
        )),
    }
}

/// Whether the URL's host is this machine: such traffic never goes through a proxy.
pub(crate) fn is_loopback(url: &str) -> bool {
    let Ok(parsed) = Url::parse(url) else {
        return false;
    };
    match parsed.host_str() {
        Some(h) if h.eq_ignore_ascii_case("localhost") => true,
        Some(h) => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// The URL without user information, query and fragment, which may carry secrets.
pub(crate) fn redact_url(url: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or_default();
    match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => base.to_string(),
    }
}

/// A provider's HTTP client, built at its first request by the SDK's one builder
/// ([`transport::http_client`]) from the network its provider shares: the `Config`'s (proxy,
/// extra roots, user agent) once the provider is given to one, the environment's until then.
/// Its own timeouts, no redirects, and no proxy when it goes `direct` (the metadata server,
/// reachable only from the instance itself, and loopback addresses).
#[derive(Debug)]
pub(crate) struct Client {
    pub(crate) network: SharedHttpSettings,
    host: String,
    direct: bool,
    connect: Duration,
    total: Duration,
    built: OnceLock<reqwest::Client>,
}

impl Client {
    /// A client for `url`'s host; `direct` keeps it off any proxy.
    pub(crate) fn new(url: &str, direct: bool, connect: Duration, total: Duration) -> Client {
        let host = Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        Client {
            network: SharedHttpSettings::default(),
            host,
            direct: direct || is_loopback(url),
            connect,
            total,
            built: OnceLock::new(),
        }
    }

    /// The client, built now if it was not yet.
    pub(crate) fn get(&self) -> Result<&reqwest::Client, CredentialsError> {
        if let Some(c) = self.built.get() {
            return Ok(c);
        }
        let cannot = |e: crate::error::ConfigError| {
            CredentialsError::new(format!("cannot build an HTTP client: {e}"))
        };
        let network = self.network.get().map_err(cannot)?;
        let target = Target {
            host: &self.host,
            direct: self.direct,
            trust: Trust::Roots,
            http2_prior_knowledge: false,
            connect_timeout: self.connect,
            read_timeout: None,
            total_timeout: Some(self.total),
        };
        let client = transport::http_client(&network, &target).map_err(cannot)?;
        Ok(self.built.get_or_init(|| client))
    }
}

/// A response read whole: status and at most [`MAX_BODY_BYTES`] of body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Sends a request and reads its answer, bounded; errors say what failed, never the URL's query.
pub(crate) async fn send(
    what: &str,
    request: reqwest::RequestBuilder,
) -> Result<Answer, CredentialsError> {
    let mut response = request.send().await.map_err(|e| transport(what, e))?;
    let status = response.status().as_u16();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(too_large(what, status));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(what, e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large(what, status));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body })
}

fn too_large(what: &str, status: u16) -> CredentialsError {
    CredentialsError::new(format!(
        "{what} answered HTTP {status} with more than {} KiB",
        MAX_BODY_BYTES / 1024
    ))
}

fn transport(what: &str, e: reqwest::Error) -> CredentialsError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_redirect() {
        "redirected, which is not followed"
    } else {
        "the exchange failed"
    };
    let e = e.without_url();
    let mut message = format!("{what}: {kind}");
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    CredentialsError::new(message)
}

/// Text from an answer, fit for an error message: printable, at most 200 characters.
pub(crate) fn printable(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(200).collect();
    if s.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// A credential field of an answer: present, a string, not blank, and fit for an HTTP header.
pub(crate) fn credential_field(
    what: &str,
    status: u16,
    object: &serde_json::Map<String, serde_json::Value>,
    path: &str,
    name: &str,
) -> Result<String, CredentialsError> {
    let field = |why: &str| {
        CredentialsError::new(format!(
            "{what} answered HTTP {status} {why} `{path}{name}`"
        ))
    };
    match object.get(name) {
        None | Some(serde_json::Value::Null) => Err(field("without")),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Err(field("with an empty")),
        Some(serde_json::Value::String(s)) if !s.bytes().all(|b| (b'!'..=b'~').contains(&b)) => {
            Err(field("with characters an HTTP header cannot carry in"))
        }
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(field("with a non-string")),
    }
}

/// The `Expiration` of an answer, which must be a UTC timestamp.
pub(crate) fn expiration_field(
    what: &str,
    status: u16,
    object: &serde_json::Map<String, serde_json::Value>,
    path: &str,
) -> Result<std::time::SystemTime, CredentialsError> {
    let text = match object.get("Expiration") {
        Some(serde_json::Value::String(s)) => s.as_str(),
        None | Some(serde_json::Value::Null) => {
            return Err(CredentialsError::new(format!(
                "{what} answered HTTP {status} without `{path}Expiration`"
            )));
        }
        Some(_) => "",
    };
    super::time::parse(text).ok_or_else(|| {
        CredentialsError::new(format!(
            "{what} answered HTTP {status} with `{path}Expiration` `{}`, which is not a UTC time such as 2026-01-02T03:04:05Z",
            printable(text)
        ))
    })
}

/// The credentials an answer carries at `object` (`AccessKeyId`, `AccessKeySecret`,
/// `SecurityToken`, `Expiration`).
pub(crate) fn credentials_from(
    what: &str,
    status: u16,
    object: &serde_json::Map<String, serde_json::Value>,
    path: &str,
) -> Result<super::Credentials, CredentialsError> {
    let id = credential_field(what, status, object, path, "AccessKeyId")?;
    let secret = credential_field(what, status, object, path, "AccessKeySecret")?;
    let token = credential_field(what, status, object, path, "SecurityToken")?;
    let expiration = expiration_field(what, status, object, path)?;
    if expiration <= std::time::SystemTime::now() {
        return Err(CredentialsError::new(format!(
            "{what} answered HTTP {status} with credentials that expired at {}",
            super::time::format(expiration)
        )));
    }
    Ok(super::Credentials::new(id, secret)
        .with_security_token(token)
        .with_expiration(expiration))
}

/// Reads the credentials of an answer shaped `{Code, AccessKeyId, AccessKeySecret,
/// SecurityToken, Expiration}` (the metadata server's and a credentials URI's): a `Code` other
/// than `Success` is an error naming it.
pub(crate) fn credentials_answer(
    what: &str,
    answer: &Answer,
) -> Result<super::Credentials, CredentialsError> {
    let object = json_object(what, answer)?;
    if let Some(code) = object.get("Code").and_then(|c| c.as_str())
        && code != "Success"
    {
        return Err(CredentialsError::new(format!(
            "{what} answered with Code `{}`",
            printable(code)
        )));
    }
    credentials_from(what, answer.status, &object, "")
}

/// Parses a JSON object answer; the error names the status and never quotes the body.
pub(crate) fn json_object(
    what: &str,
    answer: &Answer,
) -> Result<serde_json::Map<String, serde_json::Value>, CredentialsError> {
    match serde_json::from_slice::<serde_json::Value>(&answer.body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(CredentialsError::new(format!(
            "{what} answered HTTP {} with JSON that is not an object",
            answer.status
        ))),
        Err(_) if answer.body.is_empty() => Err(CredentialsError::new(format!(
            "{what} answered HTTP {} with an empty body",
            answer.status
        ))),
        Err(e) => Err(CredentialsError::new(format!(
            "{what} answered HTTP {} with a body that is not JSON (line {}, column {})",
            answer.status,
            e.line(),
            e.column()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_or_the_metadata_server() {
        for ok in [
            "https://sts.aliyuncs.com",
            "http://127.0.0.1:8080/x",
            "http://[::1]:1",
            "http://localhost:9",
        ] {
            assert!(check_url(ok, false).is_ok(), "{ok}");
        }
        let err = check_url("http://sts.aliyuncs.com", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("only to a loopback address"), "{err}");
        assert!(check_url("http://100.100.100.200", false).is_err());
        assert!(check_url("http://100.100.100.200", true).is_ok());
        assert!(check_url("http://100.100.100.201", true).is_err());
        assert!(check_url("http://10.0.0.1", true).is_err());
        assert!(
            is_loopback("http://127.0.0.1:9/x")
                && is_loopback("http://[::1]:9")
                && is_loopback("http://LOCALHOST")
        );
        assert!(!is_loopback("https://sts.aliyuncs.com") && !is_loopback("not a url"));
        assert!(
            check_url("ftp://127.0.0.1", false)
                .unwrap_err()
                .to_string()
                .contains("scheme")
        );
        let err = check_url("https://user:pw@host/", false)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("pw"), "{err}");
        let err = check_url("http://example.com/?token=abc", false)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("abc"), "{err}");
    }

    #[test]
    fn hostile_fields_are_named_not_quoted() {
        let answer = |body: &str| Answer {
            status: 200,
            body: body.as_bytes().to_vec(),
        };
        let obj = |body: &str| json_object("STS", &answer(body));
        assert!(
            obj("[1]")
                .unwrap_err()
                .to_string()
                .contains("not an object")
        );
        assert!(obj("").unwrap_err().to_string().contains("empty body"));
        let err = obj("{\"AccessKeySecret\": \"leak").unwrap_err().to_string();
        assert!(!err.contains("leak") && err.contains("not JSON"), "{err}");
        let creds = |body: &str| credentials_from("STS", 200, &obj(body).unwrap(), "Credentials.");
        let err = creds(r#"{"AccessKeyId": 5}"#).unwrap_err().to_string();
        assert_eq!(
            err,
            "STS answered HTTP 200 with a non-string `Credentials.AccessKeyId`"
        );
        let err = creds(r#"{"AccessKeyId": "a", "AccessKeySecret": "se cret"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`Credentials.AccessKeySecret`") && !err.contains("se cret"),
            "{err}"
        );
        let err = creds(r#"{"AccessKeyId": "a", "AccessKeySecret": "b", "SecurityToken": ""}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "STS answered HTTP 200 with an empty `Credentials.SecurityToken`"
        );
        let err = creds(r#"{"AccessKeyId": "a", "AccessKeySecret": "b", "SecurityToken": "c", "Expiration": "soon"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`Credentials.Expiration` `soon`"), "{err}");
        let ok = creds(r#"{"AccessKeyId": "a", "AccessKeySecret": "b", "SecurityToken": "c", "Expiration": "2030-01-01T00:00:00Z"}"#)
            .unwrap();
        assert_eq!(ok.security_token(), Some("c"));
    }

    #[test]
    fn printable_is_short_and_clean() {
        assert_eq!(printable("a\nb\u{7}c"), "abc");
        assert_eq!(printable(&"x".repeat(300)).chars().count(), 201);
    }
}
