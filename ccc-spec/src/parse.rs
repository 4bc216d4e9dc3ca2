//! Reads spec JSON into the model, collecting every problem with its JSON pointer.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{ErrorLocation, SpecError};
use crate::model::*;

/// Parses a product file's text.
pub fn parse_product(file: &Path, text: &str) -> Result<Product, Vec<SpecError>> {
    let value = parse_json(file, text)?;
    let mut cx = Cx::new(file);
    let product = cx.product(&value);
    cx.finish(product)
}

/// Parses an action file's text.
pub fn parse_action(file: &Path, text: &str) -> Result<Action, Vec<SpecError>> {
    let value = parse_json(file, text)?;
    let mut cx = Cx::new(file);
    let action = cx.action(&value);
    cx.finish(action)
}

pub(crate) fn parse_json(file: &Path, text: &str) -> Result<Value, Vec<SpecError>> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the location is kept apart.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        vec![SpecError {
            file: file.to_path_buf(),
            location: ErrorLocation::LineColumn {
                line: e.line(),
                column: e.column(),
            },
            message: format!("bad JSON: {message}"),
        }]
    })
}

struct Cx<'f> {
    file: &'f Path,
    path: Vec<String>,
    errors: Vec<SpecError>,
}

/// An object being read: keys read so far are remembered so that unknown ones can be reported.
struct Obj<'v> {
    map: &'v Map<String, Value>,
    seen: Vec<&'static str>,
}

impl<'f> Cx<'f> {
    fn new(file: &'f Path) -> Self {
        Cx {
            file,
            path: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<SpecError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }

    fn pointer(&self) -> String {
        self.path
            .iter()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    }

    fn error(&mut self, message: impl Into<String>) {
        self.errors.push(SpecError {
            file: self.file.to_path_buf(),
            location: ErrorLocation::Pointer(self.pointer()),
            message: message.into(),
        });
    }

    fn at<T>(&mut self, segment: impl ToString, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(segment.to_string());
        let out = f(self);
        self.path.pop();
        out
    }

    fn object<'v>(&mut self, v: &'v Value) -> Option<Obj<'v>> {
        match v {
            Value::Object(map) => Some(Obj {
                map,
                seen: Vec::new(),
            }),
            other => {
                self.error(format!("expected an object, found {}", kind(other)));
                None
            }
        }
    }

    /// Reports keys of `obj` that were never asked for.
    fn close(&mut self, obj: Obj<'_>) {
        for key in obj.map.keys() {
            if !obj.seen.contains(&key.as_str()) {
                let known = obj.seen.join(", ");
                self.at(key, |cx| {
                    cx.error(format!("unknown key `{key}` (known: {known})"))
                });
            }
        }
    }

    fn opt<'v>(&mut self, obj: &mut Obj<'v>, key: &'static str) -> Option<&'v Value> {
        obj.seen.push(key);
        obj.map.get(key)
    }

    fn req<'v>(&mut self, obj: &mut Obj<'v>, key: &'static str) -> Option<&'v Value> {
        let v = self.opt(obj, key);
        if v.is_none() {
            self.error(format!("missing key `{key}`"));
        }
        v
    }

    fn string(&mut self, key: &str, v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.at(key, |cx| {
                    cx.error(format!("expected a string, found {}", kind(other)))
                });
                None
            }
        }
    }

    fn req_string(&mut self, obj: &mut Obj<'_>, key: &'static str) -> Option<String> {
        let v = self.req(obj, key)?;
        let s = self.string(key, v)?;
        if s.is_empty() {
            self.at(key, |cx| cx.error("must not be empty"));
            return None;
        }
        Some(s)
    }

    fn opt_string(&mut self, obj: &mut Obj<'_>, key: &'static str) -> Option<String> {
        let v = self.opt(obj, key)?;
        self.string(key, v)
    }

    fn opt_bool(&mut self, obj: &mut Obj<'_>, key: &'static str) -> Option<bool> {
        let v = self.opt(obj, key)?;
        self.bool_value(key, v)
    }

    fn req_bool(&mut self, obj: &mut Obj<'_>, key: &'static str) -> Option<bool> {
        let v = self.req(obj, key)?;
        self.bool_value(key, v)
    }

    fn bool_value(&mut self, key: &str, v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                self.at(key, |cx| {
                    cx.error(format!("expected true or false, found {}", kind(other)))
                });
                None
            }
        }
    }

    fn array<'v>(&mut self, key: &str, v: &'v Value) -> &'v [Value] {
        match v {
            Value::Array(items) => items,
            other => {
                self.at(key, |cx| {
                    cx.error(format!("expected an array, found {}", kind(other)))
                });
                &[]
            }
        }
    }

    fn list<T>(
        &mut self,
        obj: &mut Obj<'_>,
        key: &'static str,
        mut item: impl FnMut(&mut Self, &Value) -> Option<T>,
    ) -> Vec<T> {
        let Some(v) = self.opt(obj, key) else {
            return Vec::new();
        };
        let items = self.array(key, v);
        self.at(key, |cx| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| cx.at(i, |cx| item(cx, v)))
                .collect()
        })
    }

    fn product(&mut self, v: &Value) -> Option<Product> {
        let mut o = self.object(v)?;
        self.opt(&mut o, "$schema");
        let code = self.req_string(&mut o, "product");
        let version = self.req_string(&mut o, "version");
        let style = self.req_string(&mut o, "style");
        if let Some(s) = &style
            && s != "RPC"
        {
            self.at("style", |cx| {
                cx.error(format!("unsupported API style `{s}` (only RPC)"))
            });
        }
        let regional_endpoint = self.req_string(&mut o, "regionalEndpoint");
        let doc_url = self.req_string(&mut o, "docUrl");
        let mut endpoints = BTreeMap::new();
        if let Some(v) = self.req(&mut o, "endpoints") {
            self.at("endpoints", |cx| {
                if let Some(map) = cx.object(v) {
                    for (region, host) in map.map {
                        if let Some(host) = cx.string(region, host) {
                            endpoints.insert(region.clone(), host);
                        }
                    }
                }
            });
        }
        let regional_only = self.list(&mut o, "regionalOnly", |cx, v| match v {
            Value::String(region) if endpoints.contains_key(region) => {
                cx.error(format!(
                    "`{region}` is in `endpoints`; `regionalOnly` lists regions it does not"
                ));
                None
            }
            Value::String(region) if !region.is_empty() => Some(region.clone()),
            other => {
                cx.error(format!("expected a region id, found {other}"));
                None
            }
        });
        let errors = self.list(&mut o, "errors", Self::error_spec);
        let enums = self.list(&mut o, "enums", Self::enum_spec);
        let structs = self.list(&mut o, "structs", Self::struct_spec);
        let plain_strings = self.list(&mut o, "plainStrings", |cx, v| match v {
            Value::String(s) if s.split_once(": ").is_some() => Some(s.clone()),
            other => {
                cx.error(format!(
                    "expected `Action: response Path` or `Action: parameter Path`, found {other}"
                ));
                None
            }
        });
        self.close(o);
        Some(Product {
            code: code?,
            version: version?,
            style: style?,
            endpoints,
            regional_endpoint: regional_endpoint?,
            regional_only,
            doc_url: doc_url?,
            errors,
            enums,
            structs,
            plain_strings,
        })
    }

    fn struct_spec(&mut self, v: &Value) -> Option<StructSpec> {
        let mut o = self.object(v)?;
        let name = self.req_string(&mut o, "name");
        if let Some(n) = &name
            && (!is_type_name(n) || crate::naming::is_generic_struct_name(n))
        {
            self.at("name", |cx| {
                cx.error(format!(
                    "`{n}` is not a CamelCase type name that says what the struct holds"
                ))
            });
        }
        let description = self.opt_string(&mut o, "description");
        let request = self.opt_bool(&mut o, "request").unwrap_or(false);
        if self.opt(&mut o, "fields").is_none() {
            self.error("missing key `fields`");
        }
        o.seen.pop();
        let fields = self.list(&mut o, "fields", Self::field);
        self.close(o);
        Some(StructSpec {
            name: name?,
            description,
            request,
            fields,
        })
    }

    fn action(&mut self, v: &Value) -> Option<Action> {
        let mut o = self.object(v)?;
        self.opt(&mut o, "$schema");
        let name = self.req_string(&mut o, "action");
        let method = match self.req_string(&mut o, "method").as_deref() {
            Some("GET") => Some(Method::Get),
            Some("POST") => Some(Method::Post),
            Some(other) => {
                self.at("method", |cx| {
                    cx.error(format!("unknown method `{other}` (GET or POST)"))
                });
                None
            }
            None => None,
        };
        let path = self
            .opt_string(&mut o, "path")
            .unwrap_or_else(|| "/".into());
        let summary = self.opt_string(&mut o, "summary");
        let description = self.opt_string(&mut o, "description");
        let deprecated = self.opt_bool(&mut o, "deprecated").unwrap_or(false);
        let idempotent = self.req_bool(&mut o, "idempotent");
        let parameters = self.list(&mut o, "parameters", Self::parameter);
        let response = self.list(&mut o, "response", Self::field);
        let errors = self.list(&mut o, "errors", Self::error_spec);
        let enums = self.list(&mut o, "enums", Self::enum_spec);
        let mut examples = Examples::default();
        if let Some(v) = self.opt(&mut o, "examples") {
            self.at("examples", |cx| {
                if let Some(mut e) = cx.object(v) {
                    examples.json = cx.opt_string(&mut e, "json");
                    examples.xml = cx.opt_string(&mut e, "xml");
                    cx.close(e);
                }
            });
        }
        self.close(o);
        Some(Action {
            name: name?,
            method: method?,
            path,
            summary,
            description,
            deprecated,
            idempotent: idempotent?,
            parameters,
            response,
            errors,
            enums,
            examples,
        })
    }

    fn parameter(&mut self, v: &Value) -> Option<Parameter> {
        let mut o = self.object(v)?;
        let name = self.req_string(&mut o, "name");
        let ty = self.type_in(&mut o);
        let required = self.opt_bool(&mut o, "required").unwrap_or(false);
        let reference_required = self.opt_bool(&mut o, "referenceRequired").unwrap_or(false);
        if required && reference_required {
            self.at("referenceRequired", |cx| {
                cx.error("`referenceRequired` is for a parameter that is not `required`")
            });
        }
        let range = self
            .opt(&mut o, "range")
            .and_then(|v| self.at("range", |cx| cx.range(v)));
        let location = match self.req_string(&mut o, "in").as_deref() {
            Some("query") => Some(Location::Query),
            Some("body") => Some(Location::Body),
            Some(other) => {
                self.at("in", |cx| {
                    cx.error(format!("unknown location `{other}` (query or body)"))
                });
                None
            }
            None => None,
        };
        let style = match self.opt_string(&mut o, "style").as_deref() {
            None => None,
            Some("flat") => Some(Style::Flat),
            Some("json") => Some(Style::Json),
            Some(other) => {
                self.at("style", |cx| {
                    cx.error(format!("unknown style `{other}` (flat or json)"))
                });
                None
            }
        };
        let sensitive = self.opt_bool(&mut o, "sensitive").unwrap_or(false);
        let example = self.opt_string(&mut o, "example");
        let description = self.opt_string(&mut o, "description");
        self.close(o);
        let ty = ty?;
        if range.is_some()
            && !matches!(
                ty,
                Type::Scalar {
                    scalar: Scalar::Integer | Scalar::Long,
                    ..
                }
            )
        {
            self.at("range", |cx| {
                cx.error("`range` applies only to Integer and Long parameters")
            });
        }
        let style = match (&ty, style) {
            (Type::Scalar { .. }, Some(_)) => {
                self.at("style", |cx| {
                    cx.error("`style` applies only to List, Struct and Map parameters")
                });
                None
            }
            (Type::Scalar { .. }, None) => None,
            (_, Some(s)) => Some(s),
            (_, None) => Some(Style::Flat),
        };
        Some(Parameter {
            name: name?,
            ty,
            required,
            reference_required,
            range,
            location: location?,
            style,
            sensitive,
            example,
            description,
        })
    }

    fn field(&mut self, v: &Value) -> Option<Field> {
        let mut o = self.object(v)?;
        let name = self.req_string(&mut o, "name");
        let ty = self.type_in(&mut o);
        let sensitive = self.opt_bool(&mut o, "sensitive").unwrap_or(false);
        let example = self.opt_string(&mut o, "example");
        let description = self.opt_string(&mut o, "description");
        self.close(o);
        Some(Field {
            name: name?,
            ty: ty?,
            sensitive,
            example,
            description,
        })
    }

    /// A bare type object: the value of `items` or `values`.
    fn type_object(&mut self, v: &Value) -> Option<Type> {
        let mut o = self.object(v)?;
        let ty = self.type_in(&mut o);
        self.close(o);
        ty
    }

    /// Reads the type keys (`type`, `enum`, `typeName`, `fields`, `items`, `values`) of an object.
    fn type_in(&mut self, o: &mut Obj<'_>) -> Option<Type> {
        let name = self.req_string(o, "type")?;
        let scalar = Scalar::ALL.into_iter().find(|s| s.as_str() == name);
        let ty = match (scalar, name.as_str()) {
            (Some(scalar), _) => {
                let enumeration = self.opt_string(o, "enum");
                if enumeration.is_some() && scalar != Scalar::String {
                    self.at("enum", |cx| cx.error("`enum` applies only to String"));
                }
                Type::Scalar {
                    scalar,
                    enumeration,
                }
            }
            (None, "Struct") => {
                if let Some(v) = self.opt(o, "struct") {
                    // A reference to a product struct: its name and nothing else.
                    let name = self.string("struct", v)?;
                    o.seen.extend(["typeName", "fields"]);
                    for key in ["typeName", "fields"] {
                        if o.map.contains_key(key) {
                            self.at(key, |cx| {
                                cx.error(format!(
                                    "`{key}` does not go with `struct`, which refers to the \
                                     product struct `{name}` as it is"
                                ))
                            });
                        }
                    }
                    if !is_type_name(&name) {
                        self.at("struct", |cx| {
                            cx.error(format!("`{name}` is not a CamelCase type name"))
                        });
                    }
                    return Some(Type::struct_ref(&name));
                }
                let type_name = self.opt_string(o, "typeName");
                if let Some(n) = &type_name
                    && !is_type_name(n)
                {
                    self.at("typeName", |cx| {
                        cx.error(format!("`{n}` is not a CamelCase type name"))
                    });
                }
                if let Some(n) = &type_name
                    && crate::naming::is_generic_struct_name(n)
                {
                    self.at("typeName", |cx| {
                        cx.error(format!(
                            "`{n}` says nothing about what the struct holds: name that, or leave \
                             typeName out"
                        ))
                    });
                }
                if self.opt(o, "fields").is_none() {
                    self.error("missing key `fields`");
                }
                o.seen.pop();
                let fields = self.list(o, "fields", Self::field);
                if type_name.is_some() && fields.is_empty() {
                    // In memory that is the form of a reference (`Type::referenced_struct`).
                    self.at("typeName", |cx| {
                        cx.error(
                            "a struct with no fields needs no `typeName` (`struct` refers to a \
                             product struct)",
                        )
                    });
                }
                Type::Struct { type_name, fields }
            }
            (None, "List") => {
                let items = match self.req(o, "items") {
                    Some(v) => self.at("items", |cx| cx.type_object(v))?,
                    None => return None,
                };
                Type::List {
                    items: Box::new(items),
                }
            }
            (None, "Map") => {
                let values = match self.opt(o, "values") {
                    Some(v) => self.at("values", |cx| cx.type_object(v))?,
                    None => Type::Scalar {
                        scalar: Scalar::Any,
                        enumeration: None,
                    },
                };
                Type::Map {
                    values: Box::new(values),
                }
            }
            (None, other) => {
                // The other type keys mean nothing without a known type; one error is enough.
                o.seen
                    .extend(["enum", "typeName", "struct", "fields", "items", "values"]);
                self.at("type", |cx| {
                    cx.error(format!(
                        "unknown type `{other}` (known: String, Integer, Long, Boolean, Float, Double, Any, Struct, List, Map)"
                    ))
                });
                return None;
            }
        };
        // Keys that belong to other kinds of type are reported as unknown by `close`.
        Some(ty)
    }

    /// `{"min": 1, "max": 100, "from": "reference"}`.
    fn range(&mut self, v: &Value) -> Option<Range> {
        let mut o = self.object(v)?;
        let mut int = |cx: &mut Self, key: &'static str| match cx.req(&mut o, key) {
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(other) => {
                cx.at(key, |cx| {
                    cx.error(format!("expected an integer, found {other}"))
                });
                None
            }
            None => None,
        };
        let min = int(self, "min");
        let max = int(self, "max");
        let from = match self.req_string(&mut o, "from").as_deref() {
            Some("definition") => Some(RangeSource::Definition),
            Some("reference") => Some(RangeSource::Reference),
            Some("convention") => Some(RangeSource::Convention),
            Some(other) => {
                self.at("from", |cx| {
                    cx.error(format!(
                        "unknown source `{other}` (definition, reference or convention)"
                    ))
                });
                None
            }
            None => None,
        };
        self.close(o);
        let (min, max, from) = (min?, max?, from?);
        if min > max {
            self.error(format!("`min` {min} is above `max` {max}"));
            return None;
        }
        Some(Range { min, max, from })
    }

    fn error_spec(&mut self, v: &Value) -> Option<ErrorSpec> {
        let mut o = self.object(v)?;
        let http_status = match self.req(&mut o, "httpStatus") {
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| (100..=599).contains(&n)) => {
                n.as_u64().map(|n| n as u16)
            }
            Some(other) => {
                self.at("httpStatus", |cx| {
                    cx.error(format!(
                        "expected an HTTP status from 100 to 599, found {other}"
                    ))
                });
                None
            }
            None => None,
        };
        let code = self.req_string(&mut o, "code");
        let message = self.opt_string(&mut o, "message").unwrap_or_default();
        let description = self.opt_string(&mut o, "description");
        self.close(o);
        Some(ErrorSpec {
            http_status: http_status?,
            code: code?,
            message,
            description,
        })
    }

    fn enum_spec(&mut self, v: &Value) -> Option<EnumSpec> {
        let mut o = self.object(v)?;
        let name = self.req_string(&mut o, "name");
        if let Some(n) = &name
            && !is_type_name(n)
        {
            self.at("name", |cx| {
                cx.error(format!("`{n}` is not a CamelCase type name"))
            });
        }
        let description = self.opt_string(&mut o, "description");
        let values = self.list(&mut o, "values", |cx, v| {
            let mut o = cx.object(v)?;
            let value = cx.req_string(&mut o, "value");
            let description = cx.opt_string(&mut o, "description");
            cx.close(o);
            Some(EnumValue {
                value: value?,
                description,
            })
        });
        if values.is_empty() {
            self.at("values", |cx| {
                cx.error("an enumeration needs at least one value")
            });
        }
        self.close(o);
        Some(EnumSpec {
            name: name?,
            description,
            values,
        })
    }
}

fn is_type_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
