//! Folding an imported action into the spec that already exists: the page's facts win, whatever the
//! page does not speak of is kept, and every difference is reported.

use std::fmt;

use ccc_spec::{Action, EnumSpec, ErrorSpec, Field, Location, Parameter, Scalar, Type};

/// One difference between the existing spec and the result of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What changed: `parameter `UserId``, `response field `Data.UserState``, `error `X``.
    pub item: String,
    pub kind: ChangeKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// New from the page.
    Added,
    /// In the existing spec but not on the page; kept as it was.
    KeptNotOnPage,
    /// One aspect of the item changed.
    Changed {
        aspect: String,
        from: String,
        to: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ChangeKind::Added => write!(f, "{}: added", self.item),
            ChangeKind::KeptNotOnPage => write!(f, "{}: kept, not on page", self.item),
            ChangeKind::Changed { aspect, from, to } => {
                write!(f, "{}: {aspect} {from} → {to}", self.item)
            }
        }
    }
}

struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, item: &str, kind: ChangeKind) {
        self.0.push(Change {
            item: item.to_string(),
            kind,
        });
    }

    fn changed(
        &mut self,
        item: &str,
        aspect: &str,
        from: impl fmt::Display,
        to: impl fmt::Display,
    ) {
        self.push(
            item,
            ChangeKind::Changed {
                aspect: aspect.into(),
                from: from.to_string(),
                to: to.to_string(),
            },
        );
    }

    /// The page's text if it has one, else the existing; a difference is reported.
    fn text(
        &mut self,
        item: &str,
        aspect: &str,
        old: &Option<String>,
        new: Option<String>,
    ) -> Option<String> {
        match new {
            Some(new) => {
                if old.as_ref() != Some(&new) {
                    self.changed(item, aspect, shown(old.as_deref()), quoted(&new));
                }
                Some(new)
            }
            None => old.clone(),
        }
    }
}

fn quoted(s: &str) -> String {
    const MAX: usize = 60;
    let one_line = s.replace('\n', "⏎");
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("`{cut}…`")
    } else {
        format!("`{one_line}`")
    }
}

fn shown(s: Option<&str>) -> String {
    s.map_or_else(|| "none".into(), quoted)
}

/// A type in one short phrase, for reports.
fn describe(ty: &Type) -> String {
    match ty {
        Type::Scalar {
            scalar,
            enumeration: Some(e),
        } => format!("{} (enum {e})", scalar.as_str()),
        Type::Scalar { scalar, .. } => scalar.as_str().into(),
        Type::Struct { .. } => "Struct".into(),
        Type::List { items } => format!("List of {}", describe(items)),
        Type::Map { values } => format!("Map of {}", describe(values)),
    }
}

/// Folds `imported` (from a page) into `existing` (the spec file), reporting each change.
pub fn merge(existing: &Action, imported: Action) -> (Action, Vec<Change>) {
    let mut c = Changes(Vec::new());
    if existing.method != imported.method {
        c.changed(
            "action",
            "method",
            existing.method.as_str(),
            imported.method.as_str(),
        );
    }
    let summary = c.text("action", "summary", &existing.summary, imported.summary);
    let description = c.text(
        "action",
        "description",
        &existing.description,
        imported.description,
    );
    let parameters = merge_parameters(&mut c, &existing.parameters, imported.parameters);
    let response = merge_fields(
        &mut c,
        "response field",
        "",
        &existing.response,
        imported.response,
    );
    let errors = merge_errors(&mut c, &existing.errors, imported.errors);
    let enums = merge_enums(&mut c, &existing.enums, imported.enums);
    let mut examples = existing.examples.clone();
    if let Some(json) = imported.examples.json
        && examples.json.as_ref() != Some(&json)
    {
        c.changed(
            "examples",
            "JSON example",
            if examples.json.is_some() {
                "old"
            } else {
                "none"
            },
            "the page's",
        );
        examples.json = Some(json);
    }
    if let Some(xml) = imported.examples.xml
        && examples.xml.as_ref() != Some(&xml)
    {
        c.changed(
            "examples",
            "XML example",
            if examples.xml.is_some() {
                "old"
            } else {
                "none"
            },
            "the page's",
        );
        examples.xml = Some(xml);
    }
    let action = Action {
        name: existing.name.clone(),
        method: imported.method,
        path: existing.path.clone(),
        summary,
        description,
        deprecated: existing.deprecated,
        idempotent: existing.idempotent,
        parameters,
        response,
        errors,
        enums,
        examples,
    };
    (action, c.0)
}

/// Merges the type of the item `kind `path`` (`path` is dotted, `[]` for list items).
fn merge_type(c: &mut Changes, kind: &str, path: &str, old: &Type, new: Type) -> Type {
    let item = &format!("{kind} `{path}`");
    match (old, new) {
        (
            Type::Scalar {
                scalar: s0,
                enumeration: e0,
            },
            Type::Scalar {
                scalar: s1,
                enumeration: e1,
            },
        ) => {
            if *s0 != s1 {
                c.changed(item, "type", s0.as_str(), s1.as_str());
            }
            let enumeration = match e1 {
                Some(e1) => {
                    if e0.as_ref() != Some(&e1) {
                        c.changed(item, "enum", e0.as_deref().unwrap_or("none"), &e1);
                    }
                    Some(e1)
                }
                None if s1 == Scalar::String => e0.clone(),
                None => None,
            };
            Type::Scalar {
                scalar: s1,
                enumeration,
            }
        }
        (
            Type::Struct {
                type_name: t0,
                fields: f0,
            },
            Type::Struct {
                type_name: t1,
                fields: f1,
            },
        ) => {
            let type_name = match t1 {
                Some(t1) => {
                    if t0.as_ref() != Some(&t1) {
                        c.changed(item, "typeName", t0.as_deref().unwrap_or("none"), &t1);
                    }
                    Some(t1)
                }
                None => t0.clone(),
            };
            let kind = if kind.starts_with("parameter") {
                "parameter field"
            } else {
                "response field"
            };
            let fields = merge_fields(c, kind, &format!("{path}."), f0, f1);
            Type::Struct { type_name, fields }
        }
        (Type::List { items: i0 }, Type::List { items: i1 }) => {
            let items = merge_type(c, kind, &format!("{path}[]"), i0, *i1);
            Type::List {
                items: Box::new(items),
            }
        }
        (Type::Map { values: v0 }, Type::Map { values: v1 }) => {
            let values = match *v1 {
                // A bare `Map` says nothing about its values.
                Type::Scalar {
                    scalar: Scalar::Any,
                    ..
                } => (**v0).clone(),
                v1 => merge_type(c, kind, &format!("{path}{{}}"), v0, v1),
            };
            Type::Map {
                values: Box::new(values),
            }
        }
        (old, new) => {
            c.changed(item, "type", describe(old), describe(&new));
            new
        }
    }
}

fn merge_fields(
    c: &mut Changes,
    kind: &str,
    prefix: &str,
    old: &[Field],
    new: Vec<Field>,
) -> Vec<Field> {
    let mut out = Vec::new();
    for f in new {
        let path = format!("{prefix}{}", f.name);
        let item = format!("{kind} `{path}`");
        match old.iter().find(|o| o.name == f.name) {
            None => {
                c.push(&item, ChangeKind::Added);
                out.push(f);
            }
            Some(o) => {
                let ty = merge_type(c, kind, &path, &o.ty, f.ty);
                let example = c.text(&item, "example", &o.example, f.example);
                let description = c.text(&item, "description", &o.description, f.description);
                out.push(Field {
                    name: f.name,
                    ty,
                    sensitive: o.sensitive || f.sensitive,
                    example,
                    description,
                });
            }
        }
    }
    for o in old {
        if !out.iter().any(|f| f.name == o.name) {
            c.push(
                &format!("{kind} `{prefix}{}`", o.name),
                ChangeKind::KeptNotOnPage,
            );
            out.push(o.clone());
        }
    }
    out
}

fn location(l: Location) -> &'static str {
    match l {
        Location::Query => "query",
        Location::Body => "body",
    }
}

fn merge_parameters(c: &mut Changes, old: &[Parameter], new: Vec<Parameter>) -> Vec<Parameter> {
    let mut out = Vec::new();
    for p in new {
        let item = format!("parameter `{}`", p.name);
        match old.iter().find(|o| o.name == p.name) {
            None => {
                c.push(&item, ChangeKind::Added);
                out.push(p);
            }
            Some(o) => {
                let ty = merge_type(c, "parameter", &p.name, &o.ty, p.ty);
                if o.required != p.required {
                    c.changed(&item, "required", o.required, p.required);
                }
                if o.location != p.location {
                    c.changed(&item, "in", location(o.location), location(p.location));
                }
                let style = match ty {
                    Type::Scalar { .. } => None,
                    _ => o.style.or(p.style),
                };
                let example = c.text(&item, "example", &o.example, p.example);
                let description = c.text(&item, "description", &o.description, p.description);
                out.push(Parameter {
                    name: p.name,
                    ty,
                    required: p.required,
                    location: p.location,
                    style,
                    sensitive: o.sensitive || p.sensitive,
                    example,
                    description,
                });
            }
        }
    }
    for o in old {
        if !out.iter().any(|p| p.name == o.name) {
            c.push(
                &format!("parameter `{}`", o.name),
                ChangeKind::KeptNotOnPage,
            );
            out.push(o.clone());
        }
    }
    out
}

fn merge_errors(c: &mut Changes, old: &[ErrorSpec], new: Vec<ErrorSpec>) -> Vec<ErrorSpec> {
    let mut out = Vec::new();
    for e in new {
        let item = format!("error `{}`", e.code);
        match old.iter().find(|o| o.code == e.code) {
            None => {
                c.push(&item, ChangeKind::Added);
                out.push(e);
            }
            Some(o) => {
                if o.http_status != e.http_status {
                    c.changed(&item, "HTTP status", o.http_status, e.http_status);
                }
                if o.message != e.message {
                    c.changed(&item, "message", quoted(&o.message), quoted(&e.message));
                }
                let description = c.text(&item, "description", &o.description, e.description);
                out.push(ErrorSpec {
                    http_status: e.http_status,
                    code: e.code,
                    message: e.message,
                    description,
                });
            }
        }
    }
    for o in old {
        if !out.iter().any(|e| e.code == o.code) {
            c.push(&format!("error `{}`", o.code), ChangeKind::KeptNotOnPage);
            out.push(o.clone());
        }
    }
    out
}

fn merge_enums(c: &mut Changes, old: &[EnumSpec], new: Vec<EnumSpec>) -> Vec<EnumSpec> {
    let mut out = Vec::new();
    for e in new {
        let item = format!("enumeration `{}`", e.name);
        match old.iter().find(|o| o.name == e.name) {
            None => {
                c.push(&item, ChangeKind::Added);
                out.push(e);
            }
            Some(o) => {
                let values_of = |e: &EnumSpec| {
                    e.values
                        .iter()
                        .map(|v| v.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if values_of(o) != values_of(&e) {
                    c.changed(&item, "values", values_of(o), values_of(&e));
                }
                let description = c.text(&item, "description", &o.description, e.description);
                let values = e
                    .values
                    .into_iter()
                    .map(|mut v| {
                        let before = o.values.iter().find(|ov| ov.value == v.value);
                        let vitem = format!("{item} value `{}`", v.value);
                        let old_desc = before.and_then(|b| b.description.clone());
                        v.description = c.text(&vitem, "description", &old_desc, v.description);
                        v
                    })
                    .collect();
                out.push(EnumSpec {
                    name: e.name,
                    description,
                    values,
                });
            }
        }
    }
    for o in old {
        if !out.iter().any(|e| e.name == o.name) {
            c.push(
                &format!("enumeration `{}`", o.name),
                ChangeKind::KeptNotOnPage,
            );
            out.push(o.clone());
        }
    }
    out
}
