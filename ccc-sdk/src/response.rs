//! The response of one attempt: its head and its body, read within the size limit, then told
//! apart (a success, kept whole for decoding; a service error; an unreadable answer) and, for a
//! success, decoded into the action's output.

use std::time::Duration;

use crate::codec::{self, Decode, Node};
use crate::config::{Config, MAX_ERROR_BODY_BYTES};
use crate::deadline::Deadlines;
use crate::error::{ResponseError, ServiceError};
use crate::failure::{Exchange, Failure, transport_failure};
use crate::request::Operation;

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
    pub(crate) fn of(response: &reqwest::Response) -> Head {
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

/// What the transport's errors are read against, for this configuration.
pub(crate) fn exchange(config: &Config) -> Exchange<'_> {
    Exchange {
        host: config.endpoint.host(),
        connect_timeout: config.connect_timeout,
        read_timeout: config.read_timeout,
    }
}

/// Reads an answer whole, within the configured size limit (and the smaller one of error
/// answers), and tells a success from a failure.
pub(crate) async fn read(
    mut response: reqwest::Response,
    config: &Config,
    deadlines: &Deadlines,
) -> Result<Response, Failure> {
    let head = Head::of(&response);
    let limit = if (200..300).contains(&head.status) {
        config.max_response_bytes
    } else {
        MAX_ERROR_BODY_BYTES.min(config.max_response_bytes)
    };
    let body = read_body(&mut response, limit, &head, config, deadlines).await?;
    read_response(head, body)
}

/// Reads a body up to `limit` bytes: refused at once when `Content-Length` says it is larger,
/// cut short as soon as it passes the limit otherwise.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
    head: &Head,
    config: &Config,
    deadlines: &Deadlines,
) -> Result<bytes::Bytes, Failure> {
    let too_large = |got: &[u8], what: String| {
        Failure::Response(ResponseError::new(
            head.status,
            head.request_id.clone(),
            format!("{what}, over the limit of {limit} bytes (ConfigBuilder::max_response_bytes)"),
            got,
        ))
    };
    let content_length = response.content_length();
    if let Some(len) = content_length
        && len > limit as u64
    {
        return Err(too_large(&[], format!("the body is {len} bytes")));
    }
    let read_error = |e| transport_failure(e, &exchange(config));
    // Each chunk that arrives gives the next the whole read limit.
    let mut next_chunk = async || {
        let chunk = response.chunk().await.map_err(read_error);
        deadlines.progress();
        chunk
    };
    // Most bodies arrive in one chunk: keep it as it is, without a copy.
    let Some(first) = next_chunk().await? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() > limit {
        return Err(too_large(&first, "the body is larger".into()));
    }
    let Some(second) = next_chunk().await? else {
        return Ok(first);
    };
    let expected = content_length.unwrap_or(0) as usize;
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
        next = next_chunk().await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::reset_agent_state::ResetAgentStateOutput;
    use crate::request::Method;

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
}
