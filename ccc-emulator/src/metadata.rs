//! The ECS instance metadata server's RAM role paths, and a credentials URI: doubles for the
//! SDK's ECS RAM role and credentials URI providers.

use std::time::Duration;

use serde_json::Value;

use crate::exchange::{Incoming, Reply, header};
use crate::sts::{CREDENTIALS_URI_PATH, Identity, error_reply, json_reply};
use crate::util::{format_timestamp, now_unix};

/// `PUT` here gives a session token.
pub const TOKEN_PATH: &str = "/latest/api/token";
/// `GET` lists the instance's role; `GET` with the role's name appended gives its credentials.
pub const ROLES_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";
/// The longest session token the real server grants, in seconds.
const MAX_TOKEN_TTL: u64 = 21_600;
/// Lifetime of credentials the metadata server and the URI hand out, unless shortened.
const LIFETIME: Duration = Duration::from_secs(6 * 3600);

fn text(status: u16, body: &str) -> Reply {
    Reply::Send {
        status,
        content_type: "text/plain;charset=utf-8".to_owned(),
        body: body.as_bytes().to_vec(),
        truncate: false,
    }
}

/// Answers the request if it is one for the metadata server (a path under `/latest/`) or the
/// credentials URI; `None` for another service's.
pub(crate) fn route(identity: &Identity, req: &Incoming<'_>, request_id: &str) -> Option<Reply> {
    (req.path.starts_with("/latest/") || req.path == CREDENTIALS_URI_PATH)
        .then(|| answer(identity, req, request_id))
}

/// Answers a request under `/latest/` or to the credentials URI.
fn answer(identity: &Identity, req: &Incoming<'_>, request_id: &str) -> Reply {
    let header = |name: &str| header(req.headers, name);
    if req.path == CREDENTIALS_URI_PATH {
        identity.count_uri();
        if identity.is_failing() {
            return error_reply(
                503,
                "ServiceUnavailable",
                "The credentials service is unavailable.",
                request_id,
            );
        }
        let mut body = identity.issue(LIFETIME).to_json();
        body.insert("Code".into(), Value::from("Success"));
        return json_reply(200, &Value::Object(body));
    }
    if req.path == TOKEN_PATH {
        identity.count_metadata_token();
        let (_, unsupported) = identity.metadata_modes();
        if unsupported {
            return text(404, "Not Found");
        }
        if req.method != "PUT" {
            return text(405, "Method Not Allowed");
        }
        if identity.is_failing() {
            return text(503, "Service Unavailable");
        }
        let ttl = header(TOKEN_TTL_HEADER).and_then(|t| t.trim().parse::<u64>().ok());
        return match ttl {
            Some(ttl) if (1..=MAX_TOKEN_TTL).contains(&ttl) => {
                text(200, &identity.metadata_token())
            }
            _ => text(400, "Bad Request"),
        };
    }
    if req.method != "GET" {
        return text(405, "Method Not Allowed");
    }
    let (required, _) = identity.metadata_modes();
    match header(TOKEN_HEADER) {
        Some(token) if !identity.is_metadata_token(token) => return text(401, "Unauthorized"),
        None if required => return text(401, "Unauthorized"),
        _ => {}
    }
    let Some(rest) = req.path.strip_prefix(ROLES_PATH) else {
        return text(404, "Not Found");
    };
    if identity.is_failing() {
        return text(503, "Service Unavailable");
    }
    let role = identity.ecs_role();
    match (rest, role) {
        ("", Some(role)) => text(200, &role),
        (asked, Some(role)) if asked == role => {
            identity.count_metadata_credentials();
            let mut body = identity.issue(LIFETIME).to_json();
            body.insert("Code".into(), Value::from("Success"));
            body.insert(
                "LastUpdated".into(),
                Value::from(format_timestamp(now_unix())),
            );
            json_reply(200, &Value::Object(body))
        }
        _ => text(404, "Not Found"),
    }
}
