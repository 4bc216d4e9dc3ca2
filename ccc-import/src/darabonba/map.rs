//! From the syntax tree to spec actions: one action per function that builds an `OpenApi.Params`.
//!
//! Only facts are taken: names, wire names, types, nesting, locations, the required flag (a
//! description containing `This parameter is required.`; the text itself is never copied),
//! example values and the deprecation.

use std::collections::{BTreeMap, HashMap};

use ccc_spec::naming;
use ccc_spec::{Action, Examples, Field, Location, Method, Parameter, Scalar, Style, Type};

use super::api_info::ApiInfo;
use super::error::{Pos, TeaError};
use super::parser::{Function, Model, ModelField, Target, TeaFile, TeaType};

/// The marker of a required parameter inside its description.
pub const REQUIRED_MARKER: &str = "This parameter is required.";

/// Builder methods every generated input has; a parameter may not take their names
/// (`ccc_spec::check_action` refuses them).
const BUILDER_METHODS: &[&str] = &["send", "build", "builder", "options"];

/// Something the mapping left out or noticed, with the action and the place inside it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub action: String,
    /// `parameters/Name`, `response/Data/Items[]/Name`, or empty for the action itself.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.action, self.message)
        } else {
            write!(f, "{} {}: {}", self.action, self.path, self.message)
        }
    }
}

/// The actions an upstream file describes, sorted by name, and what was noticed on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapped {
    pub actions: Vec<Action>,
    pub notes: Vec<Note>,
}

/// The spec type of a primitive Darabonba type; `None` for a name that is not a primitive.
///
/// `string` → String; `int8`, `int16`, `int32`, `int`, `integer`, `uint8`, `uint16` → Integer;
/// `int64`, `long`, `uint32`, `uint64` → Long; `float` → Float; `double`, `number` → Double;
/// `boolean` → Boolean; `any` → Any; `object` → Map of Any. `bytes`, `readable` and `writable`
/// are streams, which an RPC parameter or JSON field cannot be: they are refused.
pub fn primitive(name: &str) -> Option<Result<Type, &'static str>> {
    let scalar = |s| {
        Some(Ok(Type::Scalar {
            scalar: s,
            enumeration: None,
        }))
    };
    match name {
        "string" => scalar(Scalar::String),
        "int8" | "int16" | "int32" | "int" | "integer" | "uint8" | "uint16" => {
            scalar(Scalar::Integer)
        }
        "int64" | "long" | "uint32" | "uint64" => scalar(Scalar::Long),
        "float" => scalar(Scalar::Float),
        "double" | "number" => scalar(Scalar::Double),
        "boolean" => scalar(Scalar::Boolean),
        "any" => scalar(Scalar::Any),
        "object" => Some(Ok(Type::Map {
            values: Box::new(Type::Scalar {
                scalar: Scalar::Any,
                enumeration: None,
            }),
        })),
        "bytes" | "readable" | "writable" => Some(Err("a stream or byte type")),
        _ => None,
    }
}

/// Whether a wire name is a secret: it contains `Password`, `Secret` or `Token` (any case).
pub fn is_sensitive(wire: &str) -> bool {
    ccc_spec::naming::is_sensitive(wire)
}

struct Cx<'a> {
    tea: &'a TeaFile,
    models: HashMap<&'a str, &'a Model>,
    errors: Vec<TeaError>,
    notes: Vec<Note>,
    action: String,
}

impl<'a> Cx<'a> {
    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        let message = message.into();
        let message = if self.action.is_empty() {
            message
        } else {
            format!("action {}: {message}", self.action)
        };
        self.errors
            .push(TeaError::new(&self.tea.file, pos, message));
    }

    fn note(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            action: self.action.clone(),
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn model(&self, ty: &TeaType) -> Option<&'a Model> {
        match ty {
            TeaType::Named { name, .. } => self.models.get(name.as_str()).copied(),
            _ => None,
        }
    }

    /// The spec type of a Darabonba type; `stack` holds the models being expanded, to refuse
    /// a model that contains itself.
    fn ty(&mut self, ty: &'a TeaType, path: &str, stack: &mut Vec<&'a str>) -> Option<Type> {
        match ty {
            TeaType::Named { name, pos } => {
                if let Some(p) = primitive(name) {
                    return match p {
                        Ok(t) => Some(t),
                        Err(what) => {
                            self.error(
                                *pos,
                                format!("`{name}` at {path} is {what}, not supported"),
                            );
                            None
                        }
                    };
                }
                let Some(model) = self.models.get(name.as_str()).copied() else {
                    self.error(*pos, format!("unknown type `{name}` at {path}"));
                    return None;
                };
                if stack.contains(&model.name.as_str()) {
                    self.error(*pos, format!("model `{name}` contains itself (at {path})"));
                    return None;
                }
                stack.push(&model.name);
                let fields = self.fields(&model.fields, path, stack);
                stack.pop();
                Some(Type::Struct {
                    // A model called `Data` names nothing; the generator's rule will.
                    type_name: Some(model.name.clone())
                        .filter(|n| !ccc_spec::naming::is_generic_struct_name(n)),
                    fields,
                })
            }
            TeaType::List(item) => Some(Type::List {
                items: Box::new(self.ty(item, &format!("{path}[]"), stack)?),
            }),
            TeaType::Map { key, value } => {
                if !matches!(key.as_ref(), TeaType::Named { name, .. } if name == "string") {
                    let pos = match key.as_ref() {
                        TeaType::Named { pos, .. } => *pos,
                        _ => Pos::default(),
                    };
                    self.error(pos, format!("map keys other than `string` at {path}"));
                    return None;
                }
                Some(Type::Map {
                    values: Box::new(self.ty(value, &format!("{path}{{}}"), stack)?),
                })
            }
            TeaType::Struct(fields) => Some(Type::Struct {
                type_name: None,
                fields: self.fields(fields, path, stack),
            }),
        }
    }

    /// The fields of a struct; a field whose wire name, or Rust name, repeats an earlier one is
    /// left out with a note.
    fn fields(
        &mut self,
        fields: &'a [ModelField],
        path: &str,
        stack: &mut Vec<&'a str>,
    ) -> Vec<Field> {
        let mut out = Vec::new();
        let mut rust: BTreeMap<String, String> = BTreeMap::new();
        for f in fields {
            let wire = f.wire_name();
            let here = format!("{path}/{wire}");
            let stem = naming::field_stem(wire);
            if let Some(other) = rust.get(&stem) {
                self.note(
                    &here,
                    format!("skipped: `{wire}` and `{other}` both become the Rust name `{stem}`"),
                );
                continue;
            }
            let Some(ty) = self.ty(&f.ty, &here, stack) else {
                continue;
            };
            rust.insert(stem, wire.to_string());
            out.push(Field {
                name: wire.to_string(),
                ty,
                sensitive: is_sensitive(wire),
                example: example(f),
                description: None,
            });
        }
        out
    }

    fn action(&mut self, f: &'a Function, info: &ApiInfo) -> Option<Action> {
        let (_, params_pos) = f.facts.params.as_ref()?;
        let params_pos = *params_pos;
        let Some(name) = f.facts.param("action") else {
            self.error(params_pos, "'new OpenApi.Params' without an `action`");
            return None;
        };
        self.action = name.to_string();
        if let Some(style) = f.facts.param("style")
            && style != "RPC"
        {
            self.error(
                params_pos,
                format!("API style `{style}` (only RPC is supported)"),
            );
        }
        if let (Some(v), Some(want)) = (f.facts.param("version"), &info.version)
            && v != want
        {
            self.error(
                params_pos,
                format!("version `{v}`, but api-info.json says `{want}`"),
            );
        }
        let method = match f.facts.param("method") {
            Some("POST") | None => Method::Post,
            Some("GET") => Method::Get,
            Some(other) => {
                self.error(params_pos, format!("method `{other}` (GET or POST)"));
                return None;
            }
        };
        let path = f.facts.param("pathname").unwrap_or("/").to_string();

        // The request: the first parameter of the function, and local models made from it.
        let Some(first) = f.params.first() else {
            self.error(f.pos, format!("function `{}` takes no request", f.name));
            return None;
        };
        let Some(request) = self.model(&first.ty) else {
            self.error(
                f.pos,
                format!(
                    "the request `{}` of `{}` is not a model",
                    first.name, f.name
                ),
            );
            return None;
        };
        let mut vars: HashMap<&str, &'a Model> = HashMap::new();
        vars.insert(&first.name, request);
        for (var, model) in &f.facts.locals {
            if let Some(m) = self.models.get(model.as_str()).copied() {
                vars.insert(var, m);
            }
        }
        let parameters = self.parameters(f, request, &vars)?;

        // The response: `XResponse.body`.
        let Some(response_model) = f.returns.as_ref().and_then(|t| self.model(t)) else {
            self.error(
                f.pos,
                format!("function `{}` does not return a model", f.name),
            );
            return None;
        };
        let Some(body) = response_model
            .fields
            .iter()
            .find(|b| b.name == "body" || b.wire_name() == "body")
        else {
            self.error(
                response_model.pos,
                format!("model `{}` has no `body`", response_model.name),
            );
            return None;
        };
        let response = match &body.ty {
            TeaType::Struct(fields) => self.fields(fields, "response", &mut Vec::new()),
            ty => match self.model(ty) {
                Some(m) => self.fields(&m.fields, "response", &mut vec![m.name.as_str()]),
                None => {
                    self.error(body.pos, "the response body is not a model");
                    return None;
                }
            },
        };
        let deprecated = f.deprecated || info.deprecated.contains(name);
        Some(Action {
            name: name.to_string(),
            method,
            path,
            summary: None,
            description: None,
            deprecated,
            idempotent: ccc_spec::rules::safe_to_repeat(name),
            parameters,
            response,
            errors: Vec::new(),
            enums: Vec::new(),
            examples: Examples::default(),
        })
    }

    fn parameters(
        &mut self,
        f: &Function,
        request: &'a Model,
        vars: &HashMap<&str, &'a Model>,
    ) -> Option<Vec<Parameter>> {
        /// How one request field travels.
        struct Sent {
            location: Location,
            wire: String,
            json: bool,
            pos: Pos,
        }
        let mut sent: BTreeMap<String, Sent> = BTreeMap::new();
        let mut ok = true;
        if let Some((var, pos)) = &f.facts.whole_query {
            match vars.get(var.as_str()) {
                Some(m) => {
                    for field in &m.fields {
                        sent.insert(
                            field.name.clone(),
                            Sent {
                                location: Location::Query,
                                wire: field.wire_name().to_string(),
                                json: false,
                                pos: *pos,
                            },
                        );
                    }
                }
                None => {
                    self.error(*pos, format!("`{var}` is not a request model"));
                    ok = false;
                }
            }
        }
        for s in &f.facts.sends {
            let Some(model) = vars.get(s.var.as_str()) else {
                self.error(s.pos, format!("`{}` is not a request model", s.var));
                ok = false;
                continue;
            };
            if !model.fields.iter().any(|m| m.name == s.field) {
                self.error(
                    s.pos,
                    format!("model `{}` has no field `{}`", model.name, s.field),
                );
                ok = false;
                continue;
            }
            let shrink = f
                .facts
                .shrinks
                .iter()
                .find(|k| k.var == s.var && k.field == s.field);
            let (origin, json) = match shrink {
                Some(k) => {
                    if k.style != "json" {
                        self.error(k.pos, format!("shrink style `{}` (only json)", k.style));
                        ok = false;
                    }
                    if k.wire != s.wire {
                        self.note(
                            &format!("parameters/{}", s.wire),
                            format!(
                                "shrunk under the name `{}`; the wire name `{}` is kept",
                                k.wire, s.wire
                            ),
                        );
                    }
                    (k.from_field.clone(), true)
                }
                None => (s.field.clone(), false),
            };
            let location = match s.target {
                Target::Query => Location::Query,
                Target::Body => Location::Body,
            };
            if let Some(prev) = sent.get(&origin)
                && (prev.location != location || prev.wire != s.wire)
            {
                self.error(
                    s.pos,
                    format!(
                        "field `{origin}` is sent twice (first at {}:{})",
                        prev.pos.line, prev.pos.col
                    ),
                );
                ok = false;
                continue;
            }
            sent.insert(
                origin,
                Sent {
                    location,
                    wire: s.wire.clone(),
                    json,
                    pos: s.pos,
                },
            );
        }
        for origin in sent.keys() {
            if !request.fields.iter().any(|m| &m.name == origin) {
                let pos = sent[origin].pos;
                self.error(
                    pos,
                    format!(
                        "`{origin}` is sent but is not a field of `{}`",
                        request.name
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }

        let mut out = Vec::new();
        let mut rust: BTreeMap<String, String> = BTreeMap::new();
        for field in &request.fields {
            let here = format!("parameters/{}", field.wire_name());
            let Some(s) = sent.get(&field.name) else {
                self.note(&here, "skipped: the request field is never sent");
                continue;
            };
            let here = format!("parameters/{}", s.wire);
            if s.wire != field.wire_name() {
                self.note(
                    &here,
                    format!(
                        "sent as `{}` though the field is named `{}`",
                        s.wire,
                        field.wire_name()
                    ),
                );
            }
            let stem = naming::field_stem(&s.wire);
            if BUILDER_METHODS.contains(&stem.as_str()) {
                self.note(
                    &here,
                    format!("skipped: would become `{stem}`, a name the builder needs for itself"),
                );
                continue;
            }
            if let Some(other) = rust.get(&stem) {
                self.note(
                    &here,
                    format!(
                        "skipped: `{}` and `{other}` both become the Rust name `{stem}`",
                        s.wire
                    ),
                );
                continue;
            }
            let Some(ty) = self.ty(&field.ty, &here, &mut Vec::new()) else {
                continue;
            };
            let style = match (&ty, s.json) {
                (Type::Scalar { .. }, json) => {
                    if json {
                        self.note(&here, "a scalar sent through a JSON shrink: no style");
                    }
                    None
                }
                (_, true) => Some(Style::Json),
                (_, false) => Some(Style::Flat),
            };
            rust.insert(stem, s.wire.clone());
            let range = matches!(
                ty,
                Type::Scalar {
                    scalar: Scalar::Integer | Scalar::Long,
                    ..
                }
            )
            .then(|| definition_range(field))
            .flatten();
            out.push(Parameter {
                name: s.wire.clone(),
                ty,
                required: field
                    .attr("description")
                    .is_some_and(|d| d.contains(REQUIRED_MARKER)),
                reference_required: false,
                range,
                location: s.location,
                style,
                sensitive: is_sensitive(&s.wire),
                example: example(field),
                description: None,
            });
        }
        Some(out)
    }
}

fn example(f: &ModelField) -> Option<String> {
    f.attr("example")
        .filter(|e| !e.is_empty())
        .map(str::to_string)
}

/// Maps every action of a parsed file: one per function holding a `new OpenApi.Params{…}`.
///
/// Deprecated are the actions `info` lists and those whose function carries a deprecation
/// marker. All errors are collected; on any error no action is returned.
pub fn to_actions(tea: &TeaFile, info: &ApiInfo) -> Result<Mapped, Vec<TeaError>> {
    let mut cx = Cx {
        tea,
        models: HashMap::new(),
        errors: Vec::new(),
        notes: Vec::new(),
        action: String::new(),
    };
    for m in &tea.models {
        if cx.models.insert(&m.name, m).is_some() {
            cx.error(m.pos, format!("model `{}` is declared twice", m.name));
        }
    }
    let mut actions: Vec<(Action, Pos)> = Vec::new();
    for f in &tea.functions {
        if let Some(a) = cx.action(f, info) {
            actions.push((a, f.pos));
        }
        cx.action.clear();
    }
    actions.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    for pair in actions.windows(2) {
        if pair[0].0.name == pair[1].0.name {
            let (p0, p1) = (pair[0].1, pair[1].1);
            cx.errors.push(TeaError::new(
                &tea.file,
                p1,
                format!(
                    "action `{}` is defined twice (first at {}:{})",
                    pair[1].0.name, p0.line, p0.col
                ),
            ));
        }
    }
    for name in &info.deprecated {
        if !actions.iter().any(|(a, _)| &a.name == name) {
            cx.notes.push(Note {
                action: name.clone(),
                path: String::new(),
                message: "listed as deprecated by api-info.json but not defined".into(),
            });
        }
    }
    for name in &info.documented {
        if !actions.iter().any(|(a, _)| &a.name == name) {
            cx.notes.push(Note {
                action: name.clone(),
                path: String::new(),
                message: "listed by api-info.json but not defined".into(),
            });
        }
    }
    if !info.documented.is_empty() {
        for (a, _) in &actions {
            if !info.documented.contains(&a.name) {
                cx.notes.push(Note {
                    action: a.name.clone(),
                    path: String::new(),
                    message: "defined but not listed by api-info.json".into(),
                });
            }
        }
    }
    if !cx.errors.is_empty() {
        cx.errors.sort_by_key(|e| e.pos);
        return Err(cx.errors);
    }
    Ok(Mapped {
        actions: actions.into_iter().map(|(a, _)| a).collect(),
        notes: cx.notes,
    })
}

/// The range the definition states for an integer field (`minimum='1', maximum='100'`), if both
/// bounds are there.
fn definition_range(field: &crate::darabonba::parser::ModelField) -> Option<ccc_spec::Range> {
    let bound = |key: &str| field.attr(key)?.trim().parse::<i64>().ok();
    let (min, max) = (bound("minimum")?, bound("maximum")?);
    (min <= max).then_some(ccc_spec::Range {
        min,
        max,
        from: ccc_spec::RangeSource::Definition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_words() {
        assert!(is_sensitive("Password"));
        assert!(is_sensitive("ResetPassword"));
        assert!(is_sensitive("AccessToken"));
        assert!(is_sensitive("ClientSecret"));
        assert!(!is_sensitive("InstanceId"));
    }

    #[test]
    fn primitives() {
        assert!(matches!(
            primitive("int32"),
            Some(Ok(Type::Scalar {
                scalar: Scalar::Integer,
                ..
            }))
        ));
        assert!(matches!(
            primitive("long"),
            Some(Ok(Type::Scalar {
                scalar: Scalar::Long,
                ..
            }))
        ));
        assert!(matches!(primitive("object"), Some(Ok(Type::Map { .. }))));
        assert!(matches!(primitive("readable"), Some(Err(_))));
        assert!(primitive("SomeModel").is_none());
    }
}
