//! Offline doubles of the services that issue temporary credentials, on the emulator's own port:
//! STS (`AssumeRole`, V1-signed; `AssumeRoleWithOIDC`), and the state the ECS metadata server
//! and the credentials URI share with it. Every key they issue goes to the registry of keys
//! (`auth`) and is then accepted by the CCC endpoint until it expires; a test reads call
//! counters, shortens lifetimes and makes the services fail.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::auth::{Guard, Keys, Refused, Signature, check_clock};
use crate::encoding::parse_pairs;
use crate::exchange::{Incoming, Reply, param};
use crate::signing::{constant_time_eq, v1_signature, v1_string_to_sign};
use crate::util::{format_timestamp, now_unix};

/// The STS API version.
pub const STS_VERSION: &str = "2015-04-01";
/// The path the emulator serves a credentials URI on: `GET <endpoint>/credentials-uri`.
pub const CREDENTIALS_URI_PATH: &str = "/credentials-uri";
/// The RAM role the metadata server lists unless told otherwise.
pub const DEFAULT_ECS_ROLE: &str = "ccc-emulator-ecs-role";
/// The emulator's identity services: STS, the ECS metadata server and a credentials URI.
/// Reached with [`Emulator::identity`](crate::Emulator::identity).
#[derive(Default)]
pub struct Identity {
    /// `AssumeRole`'s checks: the keys the emulator accepts (shared with the CCC endpoint, and
    /// where issued keys go) and the nonces seen.
    guard: Guard,
    assume_role: AtomicU64,
    assume_role_with_oidc: AtomicU64,
    metadata_token: AtomicU64,
    metadata_credentials: AtomicU64,
    uri: AtomicU64,
    failing: AtomicBool,
    settings: Mutex<Settings>,
}

#[derive(Default)]
struct Settings {
    lifetime: Option<Duration>,
    /// `None` until a test sets it: then the default role.
    ecs_role: Option<Option<String>>,
    metadata_token_required: bool,
    metadata_token_unsupported: bool,
    oidc_token: Option<String>,
    last_oidc_token: Option<String>,
    last_request: Vec<(String, String)>,
    metadata_tokens: Vec<String>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("sts_calls", &self.sts_calls())
            .field("issued", &self.guard.keys().issued_count())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The identity services, issuing keys into `keys`.
    pub(crate) fn new(keys: Arc<Keys>) -> Self {
        Identity {
            guard: Guard::new(keys),
            ..Identity::default()
        }
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// STS requests received, `AssumeRole` and `AssumeRoleWithOIDC`, refused ones included.
    pub fn sts_calls(&self) -> u64 {
        self.assume_role_calls() + self.assume_role_with_oidc_calls()
    }

    /// `AssumeRole` requests received.
    pub fn assume_role_calls(&self) -> u64 {
        self.assume_role.load(Ordering::Relaxed)
    }

    /// `AssumeRoleWithOIDC` requests received.
    pub fn assume_role_with_oidc_calls(&self) -> u64 {
        self.assume_role_with_oidc.load(Ordering::Relaxed)
    }

    /// Token requests (`PUT /latest/api/token`) the metadata server received.
    pub fn metadata_token_calls(&self) -> u64 {
        self.metadata_token.load(Ordering::Relaxed)
    }

    /// Role credential requests the metadata server received.
    pub fn metadata_credential_calls(&self) -> u64 {
        self.metadata_credentials.load(Ordering::Relaxed)
    }

    /// Requests the credentials URI received.
    pub fn credentials_uri_calls(&self) -> u64 {
        self.uri.load(Ordering::Relaxed)
    }

    /// Issued credentials last this long, whatever was asked (`None`: as asked, one hour by
    /// default). Keys already issued keep their expiration.
    pub fn set_lifetime(&self, lifetime: Option<Duration>) {
        self.settings().lifetime = lifetime;
    }

    /// While set, STS, the metadata server and the credentials URI answer HTTP 503.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::Relaxed);
    }

    /// The role the metadata server lists and serves (default [`DEFAULT_ECS_ROLE`]); `None`
    /// for an instance without a role.
    pub fn set_ecs_role(&self, role: Option<&str>) {
        self.settings().ecs_role = Some(role.map(str::to_owned));
    }

    /// The metadata server refuses requests without a session token (hardened mode).
    pub fn require_metadata_token(&self, required: bool) {
        self.settings().metadata_token_required = required;
    }

    /// The metadata server answers token requests with 404, like one that predates them.
    pub fn refuse_metadata_tokens(&self, refuse: bool) {
        self.settings().metadata_token_unsupported = refuse;
    }

    /// `AssumeRoleWithOIDC` accepts only this token (default: any non-empty one).
    pub fn set_oidc_token(&self, token: Option<&str>) {
        self.settings().oidc_token = token.map(str::to_owned);
    }

    /// The OIDC token of the last `AssumeRoleWithOIDC` request.
    pub fn last_oidc_token(&self) -> Option<String> {
        self.settings().last_oidc_token.clone()
    }

    /// A parameter of the last STS request (`RoleArn`, `RoleSessionName`, `DurationSeconds`,
    /// `Policy`, `ExternalId`, `OIDCProviderArn`, `AccessKeyId`); signatures and tokens are not
    /// kept.
    pub fn last_sts_parameter(&self, name: &str) -> Option<String> {
        self.settings()
            .last_request
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Issues a temporary key expiring `lifetime` from now, as every service here does; for
    /// tests that need one without a request.
    pub fn issue(&self, lifetime: Duration) -> IssuedCredentials {
        let mut bytes = [0u8; 96];
        if getrandom::fill(&mut bytes).is_err() {
            // Keys only need to differ within one run.
            let n = self.guard.keys().issued_count() as u64 ^ now_unix() as u64;
            bytes[..8].copy_from_slice(&n.to_le_bytes());
        }
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let pick = |b: &[u8]| -> String {
            b.iter()
                .map(|x| ALNUM[*x as usize % ALNUM.len()] as char)
                .collect()
        };
        let id = format!("STS.NT{}", pick(&bytes[..22]));
        let secret = pick(&bytes[22..52]);
        // Real tokens are long base64 with `+`, `/` and `=`: what encoders must get right.
        let token = format!(
            "CAIS{}",
            base64::engine::general_purpose::STANDARD.encode(
                bytes[..]
                    .iter()
                    .chain(&bytes[..])
                    .chain(&bytes[..50])
                    .copied()
                    .collect::<Vec<u8>>()
            )
        );
        let lifetime = self.settings().lifetime.unwrap_or(lifetime);
        let expires_at = now_unix() + i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        self.guard.keys().issue(&id, &secret, &token, expires_at);
        IssuedCredentials {
            access_key_id: id,
            access_key_secret: secret,
            security_token: token,
            expiration: format_timestamp(expires_at),
        }
    }

    /// The issued key `id`, while it has not expired.
    #[cfg(test)]
    fn credential(&self, id: &str) -> Option<crate::auth::Credential> {
        match self.guard.keys().lookup(id) {
            crate::auth::Key::Live(credential) => Some(credential),
            crate::auth::Key::Expired | crate::auth::Key::Unknown => None,
        }
    }

    pub(crate) fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    pub(crate) fn ecs_role(&self) -> Option<String> {
        self.settings()
            .ecs_role
            .clone()
            .unwrap_or_else(|| Some(DEFAULT_ECS_ROLE.to_owned()))
    }

    pub(crate) fn metadata_modes(&self) -> (bool, bool) {
        let s = self.settings();
        (s.metadata_token_required, s.metadata_token_unsupported)
    }

    /// A fresh metadata session token, remembered (the last 1024) so that requests can show it.
    pub(crate) fn metadata_token(&self) -> String {
        let mut bytes = [0u8; 24];
        let _ = getrandom::fill(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let mut s = self.settings();
        if s.metadata_tokens.len() >= 1024 {
            s.metadata_tokens.remove(0);
        }
        s.metadata_tokens.push(token.clone());
        token
    }

    pub(crate) fn is_metadata_token(&self, token: &str) -> bool {
        self.settings()
            .metadata_tokens
            .iter()
            .any(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
    }

    pub(crate) fn count_metadata_token(&self) {
        self.metadata_token.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_metadata_credentials(&self) {
        self.metadata_credentials.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_uri(&self) {
        self.uri.fetch_add(1, Ordering::Relaxed);
    }
}

/// Temporary credentials, as issued.
#[derive(Clone)]
pub struct IssuedCredentials {
    /// `STS.NT…`.
    pub access_key_id: String,
    /// The secret.
    pub access_key_secret: String,
    /// The security token requests must carry.
    pub security_token: String,
    /// `2026-11-30T16:00:00Z`.
    pub expiration: String,
}

impl fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

impl IssuedCredentials {
    /// `{"AccessKeyId": …, "AccessKeySecret": …, "SecurityToken": …, "Expiration": …}`.
    pub(crate) fn to_json(&self) -> serde_json::Map<String, Value> {
        let mut map = serde_json::Map::new();
        map.insert(
            "AccessKeyId".into(),
            Value::from(self.access_key_id.as_str()),
        );
        map.insert(
            "AccessKeySecret".into(),
            Value::from(self.access_key_secret.as_str()),
        );
        map.insert(
            "SecurityToken".into(),
            Value::from(self.security_token.as_str()),
        );
        map.insert("Expiration".into(), Value::from(self.expiration.as_str()));
        map
    }
}

/// A JSON reply.
pub(crate) fn json_reply(status: u16, body: &Value) -> Reply {
    Reply::Send {
        status,
        content_type: "application/json;charset=utf-8".to_owned(),
        body: body.to_string().into_bytes(),
        truncate: false,
    }
}

/// An error in Alibaba Cloud's shape.
pub(crate) fn error_reply(status: u16, code: &str, message: &str, request_id: &str) -> Reply {
    json_reply(
        status,
        &json!({
            "RequestId": request_id,
            "HostId": "sts.aliyuncs.com",
            "Code": code,
            "Message": message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Sts"),
        }),
    )
}

/// Answers the request if it is one for STS; `None` for another service's.
pub(crate) fn route(identity: &Identity, req: &Incoming<'_>, request_id: &str) -> Option<Reply> {
    // CCC requests pass here first: a cheap look for STS's version before parsing anything.
    const MARK: &[u8] = b"Version=2015-04-01";
    let has_mark = |b: &[u8]| b.windows(MARK.len()).any(|w| w == MARK);
    if !req.query.is_some_and(|q| has_mark(q.as_bytes())) && !has_mark(req.body) {
        return None;
    }
    let mut params = Vec::new();
    if let Some(query) = req.query {
        parse_pairs(query.as_bytes(), &mut params).ok()?;
    }
    let is_form = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if is_form {
        parse_pairs(req.body, &mut params).ok()?;
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if param("Version") != Some(STS_VERSION) {
        return None;
    }
    let action = param("Action")?;
    let counter = match action {
        "AssumeRole" => &identity.assume_role,
        "AssumeRoleWithOIDC" => &identity.assume_role_with_oidc,
        _ => return None,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    Some(match assume(identity, req.method, &params, action) {
        Ok(body) => json_reply(200, &with_request_id(body, request_id)),
        Err((status, code, message)) => error_reply(status, code, &message, request_id),
    })
}

fn with_request_id(mut body: Value, request_id: &str) -> Value {
    if let Value::Object(map) = &mut body {
        map.insert("RequestId".into(), Value::from(request_id));
    }
    body
}

type StsError = (u16, &'static str, String);

fn assume(
    identity: &Identity,
    method: &str,
    params: &[(String, String)],
    action: &str,
) -> Result<Value, StsError> {
    let param = |name: &str| param(params, name);
    let required = |name: &'static str| {
        param(name)
            .filter(|v| !v.is_empty())
            .ok_or((400, "MissingParameter", format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied.")))
    };
    {
        let mut s = identity.settings();
        s.last_request = params
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "RoleArn"
                        | "RoleSessionName"
                        | "DurationSeconds"
                        | "Policy"
                        | "ExternalId"
                        | "OIDCProviderArn"
                        | "AccessKeyId"
                )
            })
            .cloned()
            .collect();
        if action == "AssumeRoleWithOIDC" {
            s.last_oidc_token = param("OIDCToken").map(str::to_owned);
        }
    }
    if identity.is_failing() {
        return Err((
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.".into(),
        ));
    }
    let timestamp = required("Timestamp")?;
    check_clock(timestamp, now_unix()).map_err(refusal)?;
    if action == "AssumeRole" {
        verify_v1(identity, method, params)?;
    } else {
        required("OIDCProviderArn")?;
        let token = required("OIDCToken")?;
        let wanted = identity.settings().oidc_token.clone();
        if wanted.is_some_and(|w| !constant_time_eq(w.as_bytes(), token.as_bytes())) {
            return Err((
                400,
                "AuthenticationFail.OIDCToken.Invalid",
                "The OIDC token is invalid.".into(),
            ));
        }
    }
    let role_arn = required("RoleArn")?;
    let session = required("RoleSessionName")?;
    let duration = match param("DurationSeconds") {
        None => 3600,
        Some(d) => d
            .parse::<u64>()
            .ok()
            .filter(|d| (900..=43_200).contains(d))
            .ok_or((
                400,
                "InvalidParameter.DurationSeconds",
                "The parameter DurationSeconds is invalid.".into(),
            ))?,
    };
    let issued = identity.issue(Duration::from_secs(duration));
    Ok(json!({
        "AssumedRoleUser": {
            "Arn": format!("{role_arn}/{session}"),
            "AssumedRoleId": format!("300000000000000000:{session}"),
        },
        "Credentials": Value::Object(issued.to_json()),
    }))
}

/// STS's answer to a refused signed request.
fn refusal(refused: Refused) -> StsError {
    let (status, message) = match refused {
        Refused::TimestampFormat => (
            400,
            "Specified time stamp or date value is not well formatted.",
        ),
        Refused::TimestampExpired => (400, "Specified time stamp or date value is expired."),
        Refused::KeyNotFound => (404, "Specified access key is not found."),
        Refused::TokenExpired => (400, "Specified SecurityToken is expired."),
        Refused::SignatureMismatch => (
            400,
            "Specified signature is not matched with our calculation.",
        ),
        Refused::TokenMismatch => (400, "The security token does not match the access key."),
        Refused::NonceUsed => (400, "Specified signature nonce was used already."),
    };
    (status, refused.code(), message.into())
}

/// Checks an `AssumeRole` request's V1 signature against the emulator's keys, the ones it
/// issued included (a role assumed with another role's keys).
fn verify_v1(
    identity: &Identity,
    method: &str,
    params: &[(String, String)],
) -> Result<(), StsError> {
    let param = |name: &str| param(params, name);
    let missing = |name: &str| {
        (
            400,
            "MissingParameter",
            format!(
                "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
            ),
        )
    };
    let id = param("AccessKeyId").ok_or_else(|| missing("AccessKeyId"))?;
    let signature = param("Signature").ok_or_else(|| missing("Signature"))?;
    let nonce = param("SignatureNonce").ok_or_else(|| missing("SignatureNonce"))?;
    if param("SignatureMethod") != Some("HMAC-SHA1")
        || param("SignatureVersion").is_some_and(|v| v != "1.0")
    {
        return Err((
            400,
            "InvalidParameter",
            "The signature method or version is not supported.".into(),
        ));
    }
    // An unescaped `+` of the base64 signature arrives as a space.
    let signature = signature.replace(' ', "+");
    identity
        .guard
        .check(
            id,
            nonce,
            param("SecurityToken"),
            now_unix(),
            |secret| {
                v1_signature(
                    secret,
                    &v1_string_to_sign(
                        method,
                        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    ),
                )
            },
            Signature::Base64(&signature),
        )
        .map_err(refusal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Emulator;

    /// A signed `AssumeRole` request's parameters, with `change` applied before signing.
    fn signed(
        id: &str,
        secret: &str,
        change: impl FnOnce(&mut Vec<(String, String)>),
    ) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = [
            ("AccessKeyId", id),
            ("Action", "AssumeRole"),
            ("Format", "JSON"),
            ("RoleArn", "acs:ram::1:role/r"),
            ("RoleSessionName", "s"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("Version", STS_VERSION),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        params.push(("Timestamp".into(), format_timestamp(now_unix())));
        static NONCES: AtomicU64 = AtomicU64::new(0);
        let nonce = NONCES.fetch_add(1, Ordering::Relaxed);
        params.push(("SignatureNonce".into(), format!("n{nonce}")));
        change(&mut params);
        let sts = v1_string_to_sign("POST", params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        params.push(("Signature".into(), v1_signature(secret, &sts)));
        params
    }

    fn code(r: Result<Value, StsError>) -> &'static str {
        match r {
            Ok(_) => "OK",
            Err((_, code, _)) => code,
        }
    }

    #[test]
    fn assume_role_checks_what_the_service_checks() {
        let emulator = Emulator::builder()
            .access_key("testid", "testsecret")
            .sts_credentials("STS.fixed", "sts-secret", "sts-token")
            .build();
        let shared = &emulator.shared;
        let assume = |p: &[(String, String)]| assume(&shared.identity, "POST", p, "AssumeRole");
        let ok = assume(&signed("testid", "testsecret", |_| {})).unwrap();
        let creds = &ok["Credentials"];
        assert!(
            shared
                .identity
                .credential(creds["AccessKeyId"].as_str().unwrap())
                .is_some()
        );
        assert_eq!(
            code(assume(&signed("testid", "wrong", |_| {}))),
            "SignatureDoesNotMatch"
        );
        assert_eq!(
            code(assume(&signed("nobody", "x", |_| {}))),
            "InvalidAccessKeyId.NotFound"
        );
        let mut tampered = signed("testid", "testsecret", |_| {});
        tampered[3].1 = "acs:ram::1:role/admin".into();
        assert_eq!(code(assume(&tampered)), "SignatureDoesNotMatch");
        let short = signed("testid", "testsecret", |p| {
            p.push(("DurationSeconds".into(), "899".into()))
        });
        assert_eq!(code(assume(&short)), "InvalidParameter.DurationSeconds");
        let old = signed("testid", "testsecret", |p| {
            p.retain(|(k, _)| k != "Timestamp");
            p.push(("Timestamp".into(), format_timestamp(now_unix() - 3600)));
        });
        assert_eq!(code(assume(&old)), "InvalidTimeStamp.Expired");
        let no_role = signed("testid", "testsecret", |p| {
            p.retain(|(k, _)| k != "RoleArn")
        });
        assert_eq!(code(assume(&no_role)), "MissingParameter");
        // STS keys need their token; issued keys sign too (a role assumed with a role's keys).
        assert_eq!(
            code(assume(&signed("STS.fixed", "sts-secret", |_| {}))),
            "InvalidSecurityToken.MismatchWithAccessKey"
        );
        let with_token =
            |p: &mut Vec<(String, String)>| p.push(("SecurityToken".into(), "sts-token".into()));
        assert_eq!(
            code(assume(&signed("STS.fixed", "sts-secret", with_token))),
            "OK"
        );
        let (id, secret, token) = (
            creds["AccessKeyId"].as_str().unwrap(),
            creds["AccessKeySecret"].as_str().unwrap(),
            creds["SecurityToken"].as_str().unwrap().to_owned(),
        );
        let chained = signed(id, secret, |p| p.push(("SecurityToken".into(), token)));
        assert_eq!(code(assume(&chained)), "OK");
        // A key issued and expired is named so, not as unknown.
        let expired = shared.identity.issue(Duration::ZERO);
        let token = expired.security_token.clone();
        let with_expired = signed(&expired.access_key_id, &expired.access_key_secret, |p| {
            p.push(("SecurityToken".into(), token))
        });
        assert_eq!(code(assume(&with_expired)), "InvalidSecurityToken.Expired");
        shared.identity.set_failing(true);
        assert_eq!(
            code(assume(&signed("testid", "testsecret", |_| {}))),
            "ServiceUnavailable"
        );
        assert_eq!(shared.identity.last_sts_parameter("Signature"), None);
    }

    #[test]
    fn assume_role_refuses_a_nonce_used_before() {
        let emulator = Emulator::builder()
            .access_key("testid", "testsecret")
            .access_key("otherid", "othersecret")
            .build();
        let shared = &emulator.shared;
        let assume = |p: &[(String, String)]| assume(&shared.identity, "POST", p, "AssumeRole");
        let nonce = |n: &'static str| {
            move |p: &mut Vec<(String, String)>| {
                p.retain(|(k, _)| k != "SignatureNonce");
                p.push(("SignatureNonce".into(), n.into()));
            }
        };
        // A badly signed request does not spend the nonce.
        assert_eq!(
            code(assume(&signed("testid", "wrong", nonce("once")))),
            "SignatureDoesNotMatch"
        );
        let first = signed("testid", "testsecret", nonce("once"));
        assert_eq!(code(assume(&first)), "OK");
        // The same request again, and a new request with the same nonce.
        let (status, code_, _) = assume(&first).unwrap_err();
        assert_eq!((status, code_), (400, "SignatureNonceUsed"));
        assert_eq!(
            code(assume(&signed("testid", "testsecret", nonce("once")))),
            "SignatureNonceUsed"
        );
        // Nonces are per key.
        assert_eq!(
            code(assume(&signed("otherid", "othersecret", nonce("once")))),
            "OK"
        );
        assert_eq!(
            code(assume(&signed("testid", "testsecret", nonce("twice")))),
            "OK"
        );
    }

    #[test]
    fn assume_role_with_oidc_needs_a_token() {
        let emulator = Emulator::default();
        let shared = &emulator.shared;
        let params = |token: Option<&str>| {
            let mut p: Vec<(String, String)> = [
                ("Action", "AssumeRoleWithOIDC"),
                ("RoleArn", "acs:ram::1:role/r"),
                ("RoleSessionName", "s"),
                ("OIDCProviderArn", "acs:ram::1:oidc-provider/p"),
                ("Version", STS_VERSION),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
            p.push(("Timestamp".into(), format_timestamp(now_unix())));
            if let Some(t) = token {
                p.push(("OIDCToken".into(), t.to_owned()));
            }
            p
        };
        let oidc =
            |p: &[(String, String)]| assume(&shared.identity, "POST", p, "AssumeRoleWithOIDC");
        assert_eq!(code(oidc(&params(None))), "MissingParameter");
        assert_eq!(code(oidc(&params(Some("any")))), "OK");
        shared.identity.set_oidc_token(Some("the-one"));
        assert_eq!(
            code(oidc(&params(Some("any")))),
            "AuthenticationFail.OIDCToken.Invalid"
        );
        assert_eq!(code(oidc(&params(Some("the-one")))), "OK");
        assert_eq!(
            shared.identity.last_oidc_token().as_deref(),
            Some("the-one")
        );
    }

    #[test]
    fn issued_keys_are_accepted_until_they_expire() {
        let identity = Identity::default();
        let live = identity.issue(Duration::from_secs(60));
        let credential = identity.credential(&live.access_key_id).unwrap();
        assert_eq!(credential.secret, live.access_key_secret);
        assert_eq!(
            credential.token.as_deref(),
            Some(live.security_token.as_str())
        );
        assert!(live.access_key_id.starts_with("STS.NT"));
        assert!(live.security_token.len() > 300);
        let dead = identity.issue(Duration::ZERO);
        assert!(identity.credential(&dead.access_key_id).is_none());
        assert!(matches!(
            identity.guard.keys().lookup(&dead.access_key_id),
            crate::auth::Key::Expired
        ));
        assert!(identity.credential("nope").is_none());
        assert!(matches!(
            identity.guard.keys().lookup("nope"),
            crate::auth::Key::Unknown
        ));
        identity.set_lifetime(Some(Duration::ZERO));
        let short = identity.issue(Duration::from_secs(3600));
        assert!(identity.credential(&short.access_key_id).is_none());
        let shown = format!("{live:?} {identity:?}");
        assert!(!shown.contains(&live.access_key_secret) && !shown.contains(&live.security_token));
    }
}
