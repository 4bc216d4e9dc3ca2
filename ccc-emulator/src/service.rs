//! CCC request processing, independent of the HTTP library: parameters read, the signature
//! checked (by [`crate::auth`]), routing, faults' decisions and the actions' answers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ccc_spec::{Scalar, Spec, Type};
use serde_json::Value;

use crate::auth::{Credential, Guard, Keys, SignatureKind, signature_kind};
use crate::catalog::{ActionEntry, Catalog, Handler};
use crate::encoding::parse_pairs;
use crate::exchange::{Incoming, Reply, header, param};
use crate::faults::{FaultKind, Faults};
use crate::format::{Format, content_type, xml_escape_into};
use crate::handlers::{self, Failure, Req, fail, fail_with};
use crate::limits::{BodyBudget, Limits};
use crate::respond;
use crate::state::State;
use crate::sts::Identity;
use crate::util::{RequestIds, now_unix};

/// Upper bound on distinct unknown action names counted, so junk requests cannot grow memory.
const UNKNOWN_ACTIONS_CAPACITY: usize = 1024;

/// Everything a running emulator shares between connections.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) catalog: Catalog,
    pub(crate) product: String,
    pub(crate) state: State,
    pub(crate) faults: Faults,
    pub(crate) ids: RequestIds,
    /// Per action, the parameters whose values must parse as their spec type.
    typed_params: Vec<Vec<(String, Scalar)>>,
    /// The signature checks of the CCC endpoint, and the keys it accepts.
    pub(crate) auth: Guard,
    unknown_requests: Mutex<HashMap<String, u64>>,
    /// Requests that arrived over HTTP/2.
    pub(crate) http2_requests: AtomicU64,
    /// STS, the metadata server and the credentials URI, with the keys they issued.
    pub(crate) identity: Identity,
    pub(crate) limits: Limits,
    /// Memory of request bodies being read.
    pub(crate) body_budget: BodyBudget,
    /// Connections answered `503` because the cap was reached.
    pub(crate) refused_connections: AtomicU64,
    /// Rows of the listing of an unmodelled action that pages.
    pub(crate) listing_rows: usize,
}

/// An authenticated, routed request.
pub(crate) struct Routed<'s> {
    pub(crate) entry: &'s ActionEntry,
    params: Vec<(String, String)>,
    pub(crate) format: Format,
    host: String,
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
        let keys = Arc::new(Keys::new(credentials));
        Shared {
            catalog: Catalog::new(spec),
            product: spec.product.code.clone(),
            auth: Guard::new(Arc::clone(&keys)),
            state,
            faults,
            ids: RequestIds::new(),
            typed_params,
            unknown_requests: Mutex::new(HashMap::new()),
            http2_requests: AtomicU64::new(0),
            identity: Identity::new(keys),
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
            SignatureKind::V3(authorization) => self.auth.verify_v3(
                req,
                authorization,
                &params[..query_len],
                now,
                &mut |action| ctx.entry = self.count(action),
            )?,
            SignatureKind::V1 => self.auth.verify_v1(req, &params, now, &mut |action| {
                ctx.entry = self.count(action)
            })?,
            // A V3 request without its Authorization header.
            SignatureKind::None if req.headers.contains_key("x-acs-action") => {
                ctx.entry = header(req.headers, "x-acs-action").and_then(|a| self.count(a));
                return Err(fail("IncompleteSignature"));
            }
            // Reported by the V1 checks, which name the missing parameter.
            SignatureKind::None => self.auth.verify_v1(req, &params, now, &mut |action| {
                ctx.entry = self.count(action)
            })?,
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
                // A debug build panics on an answer that does not fit the spec: a bug, answered
                // as one.
                let shape = std::panic::AssertUnwindSafe(|| {
                    respond::success(
                        &routed.entry.name,
                        &routed.entry.response,
                        routed.format,
                        request_id,
                        top,
                    )
                });
                std::panic::catch_unwind(shape).map_err(|_| fail("InternalError"))
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
