//! Request processing, independent of the HTTP library: authentication, routing, faults'
//! decisions and the actions' answers.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ccc_spec::{Scalar, Spec, Type};
use serde_json::Value;

use crate::catalog::{ActionEntry, Catalog, Format, Handler, xml_escape_into};
use crate::encoding::parse_pairs;
use crate::faults::{FaultKind, Faults};
use crate::handlers::{self, Failure, Req, fail, fail_with};
use crate::limits::{BodyBudget, Limits};
use crate::respond;
use crate::signing::{
    constant_time_eq, parse_v3_authorization, sha256_hex, v1_signature, v1_string_to_sign,
    v3_canonical_request, v3_signature, v3_string_to_sign,
};
use crate::state::State;
use crate::util::{RequestIds, now_unix, parse_timestamp};

/// How far a request's timestamp may be from the emulator's clock, as the real service allows.
const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;
/// How long a nonce is remembered: twice the skew, so a request stamped in the future cannot be
/// replayed after its nonce is forgotten.
const NONCE_TTL_SECS: i64 = 2 * MAX_CLOCK_SKEW_SECS;
/// Upper bound on remembered nonces; the oldest are forgotten first beyond it.
const NONCE_CAPACITY: usize = 1 << 20;
/// Upper bound on distinct unknown action names counted, so junk requests cannot grow memory.
const UNKNOWN_ACTIONS_CAPACITY: usize = 1024;

/// The V3 headers that must be present and signed.
const V3_REQUIRED_HEADERS: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
];

/// An access key the emulator accepts.
#[derive(Clone)]
pub(crate) struct Credential {
    pub(crate) id: String,
    pub(crate) secret: String,
    /// Set for STS credentials: requests must carry this token.
    pub(crate) token: Option<String>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Remembers (access key, nonce) pairs for [`NONCE_TTL_SECS`], in bounded memory: each pair is
/// kept as a 128-bit keyed hash.
#[derive(Debug)]
pub(crate) struct NonceCache {
    seen: HashSet<u128>,
    order: VecDeque<(i64, u128)>,
    hashers: (RandomState, RandomState),
}

impl Default for NonceCache {
    fn default() -> Self {
        NonceCache::new()
    }
}

impl NonceCache {
    pub(crate) fn new() -> Self {
        NonceCache {
            seen: HashSet::new(),
            order: VecDeque::new(),
            hashers: (RandomState::new(), RandomState::new()),
        }
    }

    /// `false` if the pair was seen within the TTL; remembers it otherwise.
    pub(crate) fn check_and_insert(&mut self, access_key_id: &str, nonce: &str, now: i64) -> bool {
        while let Some(&(expires, key)) = self.order.front() {
            if expires > now && self.order.len() < NONCE_CAPACITY {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&key);
        }
        let pair = (access_key_id, nonce);
        let key = (u128::from(self.hashers.0.hash_one(pair)) << 64)
            | u128::from(self.hashers.1.hash_one(pair));
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back((now + NONCE_TTL_SECS, key));
        true
    }
}

/// Everything a running emulator shares between connections.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) catalog: Catalog,
    pub(crate) product: String,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) state: State,
    pub(crate) faults: Faults,
    pub(crate) ids: RequestIds,
    /// Per action, the parameters whose values must parse as their spec type.
    typed_params: Vec<Vec<(String, Scalar)>>,
    nonces: Mutex<NonceCache>,
    unknown_requests: Mutex<HashMap<String, u64>>,
    /// Requests that arrived over HTTP/2.
    pub(crate) http2_requests: AtomicU64,
    /// STS, the metadata server and the credentials URI, with the keys they issued.
    pub(crate) identity: crate::sts::Identity,
    pub(crate) limits: Limits,
    /// Memory of request bodies being read.
    pub(crate) body_budget: BodyBudget,
    /// Connections answered `503` because the cap was reached.
    pub(crate) refused_connections: AtomicU64,
    /// Rows of the listing of an unmodelled action that pages.
    pub(crate) listing_rows: usize,
}

/// One HTTP request, as the HTTP layer hands it over.
pub(crate) struct Incoming<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a hyper::HeaderMap,
    pub(crate) body: &'a [u8],
}

/// What to send back.
#[derive(Debug)]
pub(crate) enum Reply {
    Send {
        status: u16,
        content_type: String,
        body: Vec<u8>,
        /// Send only half of `body` under its full length, then close.
        truncate: bool,
    },
    /// Close the connection without answering.
    Drop,
}

/// An authenticated, routed request.
pub(crate) struct Routed<'s> {
    pub(crate) entry: &'s ActionEntry,
    params: Vec<(String, String)>,
    pub(crate) format: Format,
    host: String,
}

fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json;charset=utf-8",
        Format::Xml => "text/xml;charset=utf-8",
    }
}

fn header<'h>(headers: &'h hyper::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Which signature a request carries.
enum SignatureKind<'h> {
    /// An `Authorization` header (ACS3-HMAC-SHA256).
    V3(&'h hyper::header::HeaderValue),
    /// A `Signature` parameter (HMAC-SHA1), in the query or the form body.
    V1,
    /// Neither.
    None,
}

fn signature_kind<'h>(
    headers: &'h hyper::HeaderMap,
    params: &[(String, String)],
) -> SignatureKind<'h> {
    if let Some(authorization) = headers.get("authorization") {
        SignatureKind::V3(authorization)
    } else if param(params, "Signature").is_some() {
        SignatureKind::V1
    } else {
        SignatureKind::None
    }
}

/// Context gathered while authenticating, needed to render an error.
struct Ctx<'s> {
    format: Format,
    host: String,
    entry: Option<&'s ActionEntry>,
}

impl Shared {
    pub(crate) fn new(
        spec: &Spec,
        credentials: Vec<Credential>,
        state: State,
        faults: Faults,
        limits: Limits,
        listing_rows: usize,
    ) -> Self {
        let typed_params = spec
            .actions
            .iter()
            .map(|a| {
                a.parameters
                    .iter()
                    .filter_map(|p| match p.ty {
                        Type::Scalar { scalar, .. }
                            if scalar != Scalar::String && scalar != Scalar::Any =>
                        {
                            Some((p.name.clone(), scalar))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        Shared {
            catalog: Catalog::new(spec),
            product: spec.product.code.clone(),
            credentials,
            state,
            faults,
            ids: RequestIds::new(),
            typed_params,
            nonces: Mutex::new(NonceCache::new()),
            unknown_requests: Mutex::new(HashMap::new()),
            http2_requests: AtomicU64::new(0),
            identity: crate::sts::Identity::default(),
            body_budget: BodyBudget::new(limits.max_body_bytes_in_flight),
            limits,
            refused_connections: AtomicU64::new(0),
            listing_rows,
        }
    }

    /// Requests received that named `action`, whether or not they authenticated.
    pub(crate) fn requests(&self, action: &str) -> u64 {
        match self.catalog.find(action) {
            Some(entry) => entry.requests.load(Ordering::Relaxed),
            None => self.unknown_counts().get(action).copied().unwrap_or(0),
        }
    }

    pub(crate) fn request_counts(&self) -> Vec<(String, u64)> {
        let mut counts: Vec<(String, u64)> = self
            .catalog
            .actions
            .iter()
            .map(|a| (a.name.clone(), a.requests.load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect();
        counts.extend(self.unknown_counts().iter().map(|(k, v)| (k.clone(), *v)));
        counts
    }

    pub(crate) fn reset_request_counts(&self) {
        for a in &self.catalog.actions {
            a.requests.store(0, Ordering::Relaxed);
        }
        self.unknown_counts().clear();
    }

    fn unknown_counts(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.unknown_requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a request for `action` and finds its entry.
    fn count(&self, action: &str) -> Option<&ActionEntry> {
        match self.catalog.find(action) {
            Some(entry) => {
                entry.requests.fetch_add(1, Ordering::Relaxed);
                Some(entry)
            }
            None => {
                let mut unknown = self.unknown_counts();
                if let Some(n) = unknown.get_mut(action) {
                    *n += 1;
                } else if unknown.len() < UNKNOWN_ACTIONS_CAPACITY {
                    unknown.insert(action.to_owned(), 1);
                }
                None
            }
        }
    }

    /// Renders an error answer in Alibaba's shape.
    fn error_reply(&self, ctx: &Ctx<'_>, request_id: &str, failure: &Failure) -> Reply {
        let args: Vec<&str> = failure.args.iter().map(String::as_str).collect();
        let (status, message) = self.catalog.error(ctx.entry, failure.code, &args);
        self.render_error(
            ctx.format,
            &ctx.host,
            request_id,
            status,
            failure.code,
            &message,
        )
    }

    pub(crate) fn render_error(
        &self,
        format: Format,
        host: &str,
        request_id: &str,
        status: u16,
        code: &str,
        message: &str,
    ) -> Reply {
        let recommend = format!(
            "https://api.aliyun.com/troubleshoot?q={code}&product={}&requestId={request_id}",
            self.product
        );
        let fields = [
            ("RequestId", request_id),
            ("HostId", host),
            ("Code", code),
            ("Message", message),
            ("Recommend", recommend.as_str()),
        ];
        let body = match format {
            Format::Json => {
                let mut out = String::with_capacity(256);
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(k);
                    out.push_str("\":");
                    out.push_str(&Value::from(*v).to_string());
                }
                out.push('}');
                out
            }
            Format::Xml => {
                let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>");
                for (k, v) in fields {
                    out.push('<');
                    out.push_str(k);
                    out.push('>');
                    xml_escape_into(&mut out, v);
                    out.push_str("</");
                    out.push_str(k);
                    out.push('>');
                }
                out.push_str("</Error>");
                out
            }
        };
        Reply::Send {
            status,
            content_type: content_type(format).to_owned(),
            body: body.into_bytes(),
            truncate: false,
        }
    }

    /// Checks the signature and routes the request; on failure, the error answer.
    pub(crate) fn authenticate<'s>(
        &'s self,
        req: &Incoming<'_>,
        request_id: &str,
    ) -> Result<Routed<'s>, Reply> {
        let mut ctx = Ctx {
            format: Format::Json,
            host: header(req.headers, "host")
                .unwrap_or("ccc.aliyuncs.com")
                .to_owned(),
            entry: None,
        };
        match self.authenticate_inner(req, &mut ctx) {
            Ok(routed) => Ok(routed),
            Err(failure) => Err(self.error_reply(&ctx, request_id, &failure)),
        }
    }

    fn authenticate_inner<'s>(
        &'s self,
        req: &Incoming<'_>,
        ctx: &mut Ctx<'s>,
    ) -> Result<Routed<'s>, Failure> {
        let mut params = Vec::new();
        if let Some(query) = req.query {
            parse_pairs(query.as_bytes(), &mut params)
                .map_err(|e| fail_with("InvalidParameter", e.name))?;
        }
        let query_len = params.len();
        let is_form = header(req.headers, "content-type").is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
        if is_form {
            parse_pairs(req.body, &mut params)
                .map_err(|e| fail_with("InvalidParameter", e.name))?;
        }
        if param(&params, "Format").is_some_and(|f| f.eq_ignore_ascii_case("xml")) {
            ctx.format = Format::Xml;
        }
        let now = now_unix();

        // As the service decides: an `Authorization` header is V3, a `Signature` parameter V1.
        // Official SDKs send `x-acs-action` and `x-acs-version` with V1 requests too, so those
        // headers say nothing about the signature.
        let version = match signature_kind(req.headers, &params) {
            SignatureKind::V3(authorization) => {
                self.verify_v3(req, authorization, &params[..query_len], now, ctx)?
            }
            SignatureKind::V1 => self.verify_v1(req, &params, now, ctx)?,
            // A V3 request without its Authorization header.
            SignatureKind::None if req.headers.contains_key("x-acs-action") => {
                ctx.entry = header(req.headers, "x-acs-action").and_then(|a| self.count(a));
                return Err(fail("IncompleteSignature"));
            }
            // Reported by the V1 checks, which name the missing parameter.
            SignatureKind::None => self.verify_v1(req, &params, now, ctx)?,
        };

        if version != self.catalog.version {
            return Err(fail_with("InvalidParameter", "Version"));
        }
        let entry = ctx.entry.ok_or_else(|| fail("InvalidAction.NotFound"))?;
        let method_ok = req.method == "GET" || req.method == "POST";
        if !method_ok || !(req.path == "/" || req.path.is_empty()) {
            return Err(fail("InvalidAction.NotFound"));
        }
        Ok(Routed {
            entry,
            params,
            format: ctx.format,
            host: std::mem::take(&mut ctx.host),
        })
    }

    /// Common checks once the signature's inputs are known: clock, key, signature, token, nonce.
    #[allow(clippy::too_many_arguments)]
    fn check_common(
        &self,
        access_key_id: &str,
        timestamp: &str,
        nonce: &str,
        token: Option<&str>,
        now: i64,
        expected_signature: impl FnOnce(&str) -> String,
        provided_signature: &str,
        case_insensitive: bool,
    ) -> Result<(), Failure> {
        let at = parse_timestamp(timestamp).ok_or_else(|| fail("InvalidTimeStamp.Format"))?;
        if (now - at).abs() > MAX_CLOCK_SKEW_SECS {
            return Err(fail("InvalidTimeStamp.Expired"));
        }
        let issued;
        let credential = match self.credentials.iter().find(|c| c.id == access_key_id) {
            Some(c) => c,
            None => {
                issued = match self.identity.lookup(access_key_id) {
                    crate::sts::Key::Live(c) => c,
                    crate::sts::Key::Expired => return Err(fail("InvalidSecurityToken.Expired")),
                    crate::sts::Key::Unknown => return Err(fail("InvalidAccessKeyId.NotFound")),
                };
                &issued
            }
        };
        let expected = expected_signature(&credential.secret);
        let matches = if case_insensitive {
            constant_time_eq(
                expected.as_bytes(),
                provided_signature.to_ascii_lowercase().as_bytes(),
            )
        } else {
            constant_time_eq(expected.as_bytes(), provided_signature.as_bytes())
        };
        if !matches {
            return Err(fail("SignatureDoesNotMatch"));
        }
        let token_ok = match (&credential.token, token) {
            (Some(want), Some(got)) => constant_time_eq(want.as_bytes(), got.as_bytes()),
            (None, None) => true,
            _ => false,
        };
        if !token_ok {
            return Err(fail("InvalidSecurityToken.MismatchWithAccessKey"));
        }
        let fresh = self
            .nonces
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .check_and_insert(access_key_id, nonce, now);
        if !fresh {
            return Err(fail("SignatureNonceUsed"));
        }
        Ok(())
    }

    fn verify_v3<'r, 's>(
        &'s self,
        req: &Incoming<'r>,
        authorization: &hyper::header::HeaderValue,
        query: &[(String, String)],
        now: i64,
        ctx: &mut Ctx<'s>,
    ) -> Result<&'r str, Failure> {
        let authorization = authorization
            .to_str()
            .map_err(|_| fail("IncompleteSignature"))?;
        let auth =
            parse_v3_authorization(authorization).ok_or_else(|| fail("IncompleteSignature"))?;
        let signed = |name: &str| auth.signed_headers.iter().any(|h| h == name);
        let action =
            header(req.headers, "x-acs-action").ok_or_else(|| fail("IncompleteSignature"))?;
        ctx.entry = self.count(action);
        for name in V3_REQUIRED_HEADERS {
            if !signed(name) || header(req.headers, name).is_none() {
                return Err(fail("IncompleteSignature"));
            }
        }
        let token = match req.headers.get("x-acs-security-token") {
            Some(_) if !signed("x-acs-security-token") => return Err(fail("IncompleteSignature")),
            Some(v) => Some(v.to_str().map_err(|_| fail("IncompleteSignature"))?),
            None => None,
        };
        let version = header(req.headers, "x-acs-version").unwrap_or_default();
        let date = header(req.headers, "x-acs-date").unwrap_or_default();
        let nonce = header(req.headers, "x-acs-signature-nonce").unwrap_or_default();
        let content_sha = header(req.headers, "x-acs-content-sha256").unwrap_or_default();

        // Every signed header's value, several values of one name joined by commas.
        let mut joined: Vec<(String, String)> = Vec::with_capacity(auth.signed_headers.len());
        for name in &auth.signed_headers {
            let mut value = String::new();
            for (i, v) in req.headers.get_all(name.as_str()).iter().enumerate() {
                let v = v.to_str().map_err(|_| fail("IncompleteSignature"))?;
                if i > 0 {
                    value.push(',');
                }
                value.push_str(v.trim());
            }
            if value.is_empty() && !req.headers.contains_key(name.as_str()) {
                return Err(fail("IncompleteSignature"));
            }
            joined.push((name.clone(), value));
        }
        let headers: Vec<(&str, &str)> = joined
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();

        let body_sha = sha256_hex(req.body);
        let hashed_payload = content_sha.trim();
        let body_ok = hashed_payload.eq_ignore_ascii_case(&body_sha);

        self.check_common(
            auth.access_key_id,
            date,
            nonce,
            token,
            now,
            |secret| {
                let canonical = v3_canonical_request(
                    req.method,
                    req.path,
                    query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    &headers,
                    hashed_payload,
                );
                v3_signature(secret, &v3_string_to_sign(&canonical))
            },
            auth.signature,
            true,
        )?;
        // The signature covers the declared hash; a body that does not match it was altered.
        if !body_ok {
            return Err(fail_with("InvalidParameter", "x-acs-content-sha256"));
        }
        Ok(version)
    }

    fn verify_v1<'p, 's>(
        &'s self,
        req: &Incoming<'_>,
        params: &'p [(String, String)],
        now: i64,
        ctx: &mut Ctx<'s>,
    ) -> Result<&'p str, Failure> {
        let required = |name: &'static str| {
            param(params, name).ok_or_else(|| fail_with("MissingParameter", name))
        };
        let action = required("Action")?;
        ctx.entry = self.count(action);
        let version = required("Version")?;
        let access_key_id = required("AccessKeyId")?;
        let signature = required("Signature")?;
        let method = required("SignatureMethod")?;
        let nonce = required("SignatureNonce")?;
        let timestamp = required("Timestamp")?;
        if method != "HMAC-SHA1" {
            return Err(fail_with("InvalidParameter", "SignatureMethod"));
        }
        if param(params, "SignatureVersion").is_some_and(|v| v != "1.0") {
            return Err(fail_with("InvalidParameter", "SignatureVersion"));
        }
        // An unescaped `+` of the base64 signature arrives as a space.
        let signature = signature.replace(' ', "+");
        self.check_common(
            access_key_id,
            timestamp,
            nonce,
            param(params, "SecurityToken"),
            now,
            |secret| {
                let sts = v1_string_to_sign(
                    req.method,
                    params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                );
                v1_signature(secret, &sts)
            },
            &signature,
            false,
        )?;
        Ok(version)
    }

    /// The answer of an authenticated request that no fault took over.
    pub(crate) fn execute(&self, routed: &Routed<'_>, request_id: &str) -> Reply {
        let ctx = Ctx {
            format: routed.format,
            host: routed.host.clone(),
            entry: Some(routed.entry),
        };
        match self.execute_inner(routed, request_id) {
            Ok(body) => Reply::Send {
                status: 200,
                content_type: content_type(routed.format).to_owned(),
                body,
                truncate: false,
            },
            Err(failure) => self.error_reply(&ctx, request_id, &failure),
        }
    }

    fn execute_inner(&self, routed: &Routed<'_>, request_id: &str) -> Result<Vec<u8>, Failure> {
        let params = &routed.params;
        for name in &routed.entry.required {
            let present = params.iter().any(|(k, v)| {
                (k == name && !v.is_empty())
                    || (k.len() > name.len()
                        && k.starts_with(name.as_str())
                        && k.as_bytes()[name.len()] == b'.')
            });
            if !present {
                return Err(fail_with("MissingParameter", name.clone()));
            }
        }
        if let Some(typed) = self.typed_params.get(routed.entry.index) {
            for (name, scalar) in typed {
                if let Some(value) = param(params, name)
                    && !scalar_parses(*scalar, value)
                {
                    return Err(fail_with("InvalidParameter", name.clone()));
                }
            }
        }
        let req = Req { params };
        let mut world = self.state.lock();
        world.tick();
        handlers::check_references(&world, &req)?;
        match routed.entry.handler {
            Handler::Example => {
                drop(world);
                match &routed.entry.listing {
                    Some(listing) => listing.answer(
                        &req,
                        self.listing_rows,
                        &routed.entry.name,
                        routed.format,
                        request_id,
                    ),
                    None => Ok(routed.entry.example_body(routed.format, request_id)),
                }
            }
            Handler::Modelled(handler) => {
                let top = run_handler(handler, &mut world, &req)?;
                drop(world);
                Ok(respond::success(
                    &routed.entry.name,
                    &routed.entry.response,
                    routed.format,
                    request_id,
                    top,
                ))
            }
        }
    }

    /// The answer a fault dictates, or `None` to answer normally.
    pub(crate) fn fault_reply(
        &self,
        routed: &Routed<'_>,
        request_id: &str,
        kind: &FaultKind,
    ) -> Option<Reply> {
        let format = routed.format;
        let error = |code: &str, status: Option<u16>, message: Option<&str>| {
            let (spec_status, spec_message) = self.catalog.error(Some(routed.entry), code, &[]);
            self.render_error(
                format,
                &routed.host,
                request_id,
                status.unwrap_or(spec_status),
                code,
                message.unwrap_or(&spec_message),
            )
        };
        let raw = |status: u16, content_type: &str, body: &[u8]| Reply::Send {
            status,
            content_type: content_type.to_owned(),
            body: body.to_vec(),
            truncate: false,
        };
        Some(match kind {
            FaultKind::Throttling => error("Throttling.User", None, None),
            FaultKind::InternalError => error("InternalError", Some(500), None),
            FaultKind::ServiceUnavailable => error("ServiceUnavailable", Some(503), None),
            FaultKind::Error {
                status,
                code,
                message,
            } => error(code, Some(*status), Some(message)),
            FaultKind::DropConnection => Reply::Drop,
            FaultKind::MalformedJson => raw(
                200,
                content_type(Format::Json),
                br#"{"RequestId": "x", "Code""#,
            ),
            FaultKind::NotJson => raw(
                200,
                "text/html;charset=utf-8",
                b"<html><body>502 Bad Gateway</body></html>",
            ),
            FaultKind::RawBody {
                status,
                content_type,
                body,
            } => raw(*status, content_type, body),
            FaultKind::TruncatedBody => match self.execute(routed, request_id) {
                Reply::Send {
                    status,
                    content_type,
                    body,
                    ..
                } => Reply::Send {
                    status,
                    content_type,
                    body,
                    truncate: true,
                },
                Reply::Drop => Reply::Drop,
            },
            FaultKind::Delay(_) => return None,
        })
    }
}

/// Runs a handler; a bug in it that panics answers `500 InternalError` instead of dropping the
/// connection, and the world stays usable (its lock ignores poisoning).
fn run_handler(
    handler: handlers::HandlerFn,
    world: &mut crate::world::World,
    req: &Req<'_>,
) -> handlers::Answer {
    let run = std::panic::AssertUnwindSafe(|| handler(world, req));
    std::panic::catch_unwind(run).unwrap_or_else(|_| Err(fail("InternalError")))
}

fn scalar_parses(scalar: Scalar, value: &str) -> bool {
    let value = value.trim();
    match scalar {
        Scalar::Integer => value.parse::<i32>().is_ok(),
        Scalar::Long => value.parse::<i64>().is_ok(),
        Scalar::Float | Scalar::Double => value.parse::<f64>().is_ok(),
        // Official SDKs of some languages send `True`/`False`.
        Scalar::Boolean => {
            value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
        }
        Scalar::String | Scalar::Any => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_per_key_and_expire() {
        let mut cache = NonceCache::new();
        assert!(cache.check_and_insert("ak", "n1", 1000));
        assert!(!cache.check_and_insert("ak", "n1", 1001));
        assert!(cache.check_and_insert("other", "n1", 1001));
        assert!(cache.check_and_insert("ak", "n1", 1000 + NONCE_TTL_SECS));
    }

    #[test]
    fn a_handler_that_panics_is_an_internal_error() {
        fn broken(_: &mut crate::world::World, _: &Req<'_>) -> handlers::Answer {
            panic!("a bug")
        }
        let mut world = crate::world::World::empty();
        let err = run_handler(broken, &mut world, &Req { params: &[] }).unwrap_err();
        assert_eq!(err.code, "InternalError");
    }

    #[test]
    fn scalars_parse_loosely_like_the_service() {
        assert!(scalar_parses(Scalar::Boolean, "True"));
        assert!(scalar_parses(Scalar::Boolean, "false"));
        assert!(!scalar_parses(Scalar::Boolean, "yes"));
        assert!(scalar_parses(Scalar::Integer, "42"));
        assert!(!scalar_parses(Scalar::Integer, "4.2"));
        assert!(scalar_parses(Scalar::Double, "4.2"));
    }
}
