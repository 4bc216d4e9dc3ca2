//! The spec compiled for serving: per-action lookups, required parameters, error templates and
//! pre-rendered example responses, built once at startup so that requests never walk the spec.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;

use ccc_spec::{Action, Field, Scalar, Spec, Type};
use serde_json::{Map, Number, Value};

use crate::format::{Format, render_xml};
use crate::handlers::{self, HandlerFn};
use crate::listing::Listing;

/// How an action is answered.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    /// From the spec's response tree and examples.
    Example,
    /// By the world model.
    Modelled(HandlerFn),
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Handler::Example => "Example",
            Handler::Modelled(_) => "Modelled",
        })
    }
}

/// A body with a hole for the request id: `head + id + tail`.
#[derive(Debug)]
struct Template {
    head: String,
    tail: String,
}

const REQUEST_ID_HOLE: &str = "__ccc_emulator_request_id__";

impl Template {
    fn new(rendered: String) -> Self {
        match rendered.find(REQUEST_ID_HOLE) {
            Some(i) => Template {
                head: rendered[..i].to_owned(),
                tail: rendered[i + REQUEST_ID_HOLE.len()..].to_owned(),
            },
            None => Template {
                head: rendered,
                tail: String::new(),
            },
        }
    }

    fn fill(&self, request_id: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.head.len() + request_id.len() + self.tail.len());
        out.extend_from_slice(self.head.as_bytes());
        out.extend_from_slice(request_id.as_bytes());
        out.extend_from_slice(self.tail.as_bytes());
        out
    }
}

/// One action, ready to serve.
#[derive(Debug)]
pub(crate) struct ActionEntry {
    /// Position in [`Catalog::actions`].
    pub(crate) index: usize,
    pub(crate) name: String,
    pub(crate) handler: Handler,
    /// Wire names of required parameters.
    pub(crate) required: Vec<String>,
    /// Requests received that named this action.
    pub(crate) requests: AtomicU64,
    /// The spec's response tree, through which every success is shaped.
    pub(crate) response: Vec<Field>,
    /// How an unmodelled action that pages serves its listing.
    pub(crate) listing: Option<Listing>,
    errors: Vec<(String, u16, String)>,
    json: Template,
    xml: Template,
}

impl ActionEntry {
    /// The example answer with `request_id` filled in.
    pub(crate) fn example_body(&self, format: Format, request_id: &str) -> Vec<u8> {
        match format {
            Format::Json => self.json.fill(request_id),
            Format::Xml => self.xml.fill(request_id),
        }
    }
}

/// The spec, compiled.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub(crate) version: String,
    pub(crate) actions: Vec<ActionEntry>,
    index: HashMap<String, usize>,
    errors: HashMap<String, (u16, String)>,
}

impl Catalog {
    pub(crate) fn new(spec: &Spec) -> Self {
        let actions: Vec<ActionEntry> = spec
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| compile_action(spec, i, a))
            .collect();
        let index = actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i))
            .collect();
        let errors = spec
            .product
            .errors
            .iter()
            .map(|e| (e.code.clone(), (e.http_status, e.message.clone())))
            .collect();
        Catalog {
            version: spec.product.version.clone(),
            actions,
            index,
            errors,
        }
    }

    pub(crate) fn find(&self, action: &str) -> Option<&ActionEntry> {
        self.index.get(action).map(|&i| &self.actions[i])
    }

    /// Status and message of an error code: the action's own template first, then the product's,
    /// then a built-in fallback; each `%s` takes the next argument.
    pub(crate) fn error(
        &self,
        action: Option<&ActionEntry>,
        code: &str,
        args: &[&str],
    ) -> (u16, String) {
        let found = action
            .and_then(|a| a.errors.iter().find(|(c, _, _)| c == code))
            .map(|(_, status, message)| (*status, message.as_str()))
            .or_else(|| self.errors.get(code).map(|(s, m)| (*s, m.as_str())));
        let (status, template) = found.unwrap_or_else(|| fallback_error(code));
        (status, substitute(template, args))
    }
}

/// Errors the emulator raises itself, for a spec that does not list them.
fn fallback_error(code: &str) -> (u16, &'static str) {
    match code {
        "MissingParameter" => (
            400,
            "The input parameter \"%s\" that is mandatory for processing this request is not supplied.",
        ),
        "InvalidParameter" => (400, "The specified parameter \"%s\" is not valid."),
        "IncompleteSignature" => (
            400,
            "The request signature does not conform to Aliyun standards.",
        ),
        "SignatureDoesNotMatch" => (
            400,
            "Specified signature is not matched with our calculation.",
        ),
        "SignatureNonceUsed" => (400, "Specified signature nonce was used already."),
        "InvalidTimeStamp.Format" => (
            400,
            "Specified time stamp or date value is not well formatted.",
        ),
        "InvalidTimeStamp.Expired" => (400, "Specified time stamp or date value is expired."),
        "Throttling.User" => (400, "Request was denied due to user flow control."),
        "InvalidSecurityToken.Expired" => (403, "Specified SecurityToken is expired."),
        "InvalidSecurityToken.MismatchWithAccessKey" => {
            (403, "Specified SecurityToken mismatch with the AccessKey.")
        }
        "InvalidAccessKeyId.NotFound" => (404, "Specified access key is not found."),
        "InvalidAction.NotFound" => (
            404,
            "Specified api is not found, please check your url and method.",
        ),
        "NotExists.InstanceId" => (404, "The specified instance %s does not exist."),
        "NotExists.UserId" => (404, "The user %s does not exist in instance %s."),
        "NotExists.SkillGroupId" => (404, "The skill group ID %s does not exist in instance %s."),
        "NotExists.JobId" => (404, "The call %s does not exist."),
        "NotExists.ChannelId" => (404, "The specified channel %s does not exist in call %s."),
        "NotExists.Number" => (404, "The number %s does not exist in instance %s."),
        "NotExists.ContactId" => (404, "The contact %s does not exist in instance %s."),
        "InvalidOperation.UserState" => {
            (400, "The operation is not allowed while the user %s is %s.")
        }
        "InvalidOperation.CallState" => {
            (400, "The operation is not allowed while the call %s is %s.")
        }
        "Parameter.Invalid" => (400, "The parameter %s is invalid. %s."),
        "Parameter.Enumeration" => (
            400,
            "The parameter %s must be one of the value of enumeration %s.",
        ),
        "Parameter.Minimum" => (400, "The parameter %s must be greater than or equal to %s."),
        "Parameter.Maximum" => (400, "The parameter %s must be less than or equal to %s."),
        "UserBusy" => (
            400,
            "The user %s you called was busy. Please try again later.",
        ),
        "AlreadyExists.User" => (409, "User %s already exists in instance %s."),
        "AlreadyExists.SkillGroup" => (409, "Skill group %s already exists in instance %s."),
        "Parameter.Format" => (400, "The format of parameter %s is invalid. %s"),
        "Parameter.Empty" => (400, "The parameter %s may not be null or empty."),
        "RequestTimeout" => (
            408,
            "The request was not received in full within the emulator's read timeout.",
        ),
        "ServiceUnavailable" => (
            503,
            "The request has failed due to a temporary failure of the server.",
        ),
        _ => (
            500,
            "The request processing has failed due to some unknown error, exception or failure.",
        ),
    }
}

fn substitute(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("%s") {
        out.push_str(&rest[..i]);
        out.push_str(args.next().copied().unwrap_or(""));
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

fn compile_action(spec: &Spec, index: usize, action: &Action) -> ActionEntry {
    let handler = handlers::find(&action.name).map_or(Handler::Example, Handler::Modelled);
    let body = example_response(spec, action);
    let json = serde_json::to_string(&body).unwrap_or_default();
    let xml = String::from_utf8(render_xml(&action.name, &body)).unwrap_or_default();
    let listing = match handler {
        Handler::Example => compile_listing(spec, action, body),
        Handler::Modelled(_) => None,
    };
    ActionEntry {
        index,
        name: action.name.clone(),
        handler,
        required: action
            .parameters
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.clone())
            .collect(),
        requests: AtomicU64::new(0),
        response: action.response.clone(),
        listing,
        errors: action
            .errors
            .iter()
            .map(|e| (e.code.clone(), e.http_status, e.message.clone()))
            .collect(),
        json: Template::new(json),
        xml: Template::new(xml),
    }
}

/// The listing of an unmodelled action that pages, built on its example answer `body`.
fn compile_listing(spec: &Spec, action: &Action, body: Value) -> Option<Listing> {
    let pagination = ccc_spec::rules::pagination(action)?;
    let page = action.response.iter().find(|f| f.name == pagination.page)?;
    let Type::Struct { fields, .. } = &page.ty else {
        return None;
    };
    let Type::List { items } = &fields.iter().find(|f| f.name == pagination.items)?.ty else {
        return None;
    };
    let page_size_example = pagination.page_size.as_ref().and_then(|name| {
        action
            .parameters
            .iter()
            .find(|p| p.name == *name)
            .and_then(|p| p.example.as_deref())
    });
    let fallback_row = example_value(spec, action, items, None);
    Some(Listing::new(
        &action.name,
        pagination,
        page_size_example,
        fields,
        items,
        body,
        fallback_row,
    ))
}

/// The success body an unmodelled action answers with, `RequestId` left as a hole.
fn example_response(spec: &Spec, action: &Action) -> Value {
    let mut body = Map::new();
    for field in &action.response {
        let value = match (field.name.as_str(), &field.ty) {
            (
                "Code",
                Type::Scalar {
                    scalar: Scalar::String,
                    ..
                },
            ) => Value::from("OK"),
            (
                "HttpStatusCode",
                Type::Scalar {
                    scalar: Scalar::String,
                    ..
                },
            ) => Value::from("200"),
            ("HttpStatusCode", _) => Value::from(200),
            ("Success", _) => Value::Bool(true),
            _ => example_value(spec, action, &field.ty, field.example.as_deref()),
        };
        body.insert(field.name.clone(), value);
    }
    body.insert("RequestId".to_owned(), Value::from(REQUEST_ID_HOLE));
    Value::Object(body)
}

fn example_value(spec: &Spec, action: &Action, ty: &Type, example: Option<&str>) -> Value {
    let example = example.map(str::trim).filter(|e| !e.is_empty());
    match ty {
        Type::Scalar {
            scalar,
            enumeration,
        } => match scalar {
            Scalar::String => match example {
                Some(e) => Value::from(e),
                None => enumeration
                    .as_deref()
                    .and_then(|name| spec.find_enum(action, name))
                    .and_then(|e| e.values.first())
                    .map(|v| Value::from(v.value.as_str()))
                    .unwrap_or_else(|| Value::from("")),
            },
            Scalar::Integer | Scalar::Long => {
                Value::from(example.and_then(|e| e.parse::<i64>().ok()).unwrap_or(0))
            }
            Scalar::Float | Scalar::Double => example
                .and_then(|e| e.parse::<f64>().ok())
                .and_then(Number::from_f64)
                .map_or_else(|| Value::from(0.0), Value::Number),
            Scalar::Boolean => Value::Bool(example.is_some_and(|e| e.eq_ignore_ascii_case("true"))),
            Scalar::Any => match example {
                Some(e) => serde_json::from_str(e).unwrap_or_else(|_| Value::from(e)),
                None => Value::Null,
            },
        },
        Type::Struct { fields, .. } => Value::Object(struct_value(spec, action, fields)),
        Type::List { items } => match example.and_then(|e| serde_json::from_str::<Value>(e).ok()) {
            Some(list @ Value::Array(_)) => list,
            _ => Value::Array(vec![example_value(spec, action, items, example)]),
        },
        Type::Map { .. } => match example.and_then(|e| serde_json::from_str::<Value>(e).ok()) {
            Some(map @ Value::Object(_)) => map,
            _ => Value::Object(Map::new()),
        },
    }
}

fn struct_value(spec: &Spec, action: &Action, fields: &[Field]) -> Map<String, Value> {
    fields
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                example_value(spec, action, &f.ty, f.example.as_deref()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_in_order() {
        assert_eq!(
            substitute("The user %s does not exist in instance %s.", &["u", "i"]),
            "The user u does not exist in instance i."
        );
        assert_eq!(substitute("no args", &["x"]), "no args");
        assert_eq!(substitute("%s and %s", &["one"]), "one and ");
    }
}
