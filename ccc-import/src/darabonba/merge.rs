//! Folding an upstream action into a spec file that already exists.
//!
//! The precedence rule, one line per fact:
//!
//! - **Upstream wins** for the wire facts its code shows: the action's `method` and `path`, and a
//!   parameter's location (`in`) and `style` (only `main.tea` shows the JSON shrink; a page
//!   cannot tell flat from JSON).
//! - **The existing spec wins** for everything else it states: `required`, types (when the kinds
//!   or scalars differ), `enum` references, `typeName`, examples, descriptions, `summary`,
//!   `errors`, `enums` and example bodies.
//! - **Either may set a flag**: `deprecated` and `sensitive` are true when either side says so.
//! - **Upstream adds** what the spec lacks: parameters and (nested) response fields it does not
//!   have are appended after the existing ones, in upstream order; an `example`, `typeName` or
//!   `enum` (given by name, see `ccc_spec::rules::enumerations_by_name`) the spec leaves unset is
//!   taken from upstream.
//! - **Nothing is dropped**: a parameter or field upstream does not have is kept.
//!
//! Every disagreement, every value or item only upstream has, and every item missing upstream is
//! reported as a [`Difference`]. Values only the spec states (descriptions, errors, a page's
//! examples and typeNames) are its own facts, not differences.

use std::fmt;

use ccc_spec::naming;
use ccc_spec::{Action, Field, Location, Parameter, Style, Type};

/// Which side a merged value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Spec,
    Upstream,
}

/// One difference between an existing spec file and upstream.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub action: String,
    /// `parameters/Name`, `response/Data/Items[]/Name` (`[]` a list's items, `{}` a map's
    /// values), or empty for the action itself.
    pub path: String,
    pub kind: DiffKind,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    /// Upstream has it, the spec did not: added.
    Added,
    /// Upstream has it but its Rust name clashes with one the spec has: not added.
    NotAddedClash { with: String },
    /// The spec has it, upstream does not: kept.
    MissingUpstream,
    /// Both have it and disagree on one aspect; `kept` says whose value is in the result.
    Differs {
        aspect: String,
        spec: String,
        upstream: String,
        kept: Side,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.action)?;
        if !self.path.is_empty() {
            write!(f, " {}", self.path)?;
        }
        match &self.kind {
            DiffKind::Added => write!(f, ": added from upstream"),
            DiffKind::NotAddedClash { with } => write!(
                f,
                ": upstream has it but its Rust name clashes with `{with}` of the spec; not added"
            ),
            DiffKind::MissingUpstream => write!(f, ": not upstream; kept"),
            DiffKind::Differs {
                aspect,
                spec,
                upstream,
                kept,
            } => write!(
                f,
                ": {aspect}: spec {spec}, upstream {upstream}; kept {}",
                match kept {
                    Side::Spec => "spec",
                    Side::Upstream => "upstream",
                }
            ),
        }
    }
}

struct Merger {
    action: String,
    diffs: Vec<Difference>,
}

impl Merger {
    fn push(&mut self, path: &str, kind: DiffKind) {
        self.diffs.push(Difference {
            action: self.action.clone(),
            path: path.to_string(),
            kind,
        });
    }

    fn differs(&mut self, path: &str, aspect: &str, spec: String, upstream: String, kept: Side) {
        self.push(
            path,
            DiffKind::Differs {
                aspect: aspect.into(),
                spec,
                upstream,
                kept,
            },
        );
    }

    /// Spec's value if set, else upstream's. A disagreement, or a value only upstream has, is
    /// reported; a value only the spec has (a page's example or typeName) is not a difference.
    fn opt_text(
        &mut self,
        path: &str,
        aspect: &str,
        spec: &Option<String>,
        up: &Option<String>,
    ) -> Option<String> {
        match (spec, up) {
            (Some(s), Some(u)) if s != u => {
                self.differs(path, aspect, quoted(s), quoted(u), Side::Spec);
                Some(s.clone())
            }
            (Some(s), _) => Some(s.clone()),
            (None, Some(u)) => {
                self.differs(path, aspect, "unset".into(), quoted(u), Side::Upstream);
                Some(u.clone())
            }
            (None, None) => None,
        }
    }

    fn flag(&mut self, path: &str, aspect: &str, spec: bool, up: bool) -> bool {
        if spec != up {
            let kept = if spec { Side::Spec } else { Side::Upstream };
            self.differs(path, aspect, spec.to_string(), up.to_string(), kept);
        }
        spec || up
    }

    fn ty(&mut self, path: &str, spec: &Type, up: &Type) -> Type {
        match (spec, up) {
            (
                Type::Scalar {
                    scalar: s,
                    enumeration,
                },
                Type::Scalar {
                    scalar: u,
                    enumeration: ue,
                },
            ) => {
                if s != u {
                    self.differs(path, "type", type_name(spec), type_name(up), Side::Spec);
                }
                // An enumeration upstream's side was given by name fills a plain String.
                let enumeration = if s == u {
                    self.opt_text(path, "enum", enumeration, ue)
                } else {
                    enumeration.clone()
                };
                Type::Scalar {
                    scalar: *s,
                    enumeration,
                }
            }
            (
                Type::Struct {
                    type_name: st,
                    fields: sf,
                },
                Type::Struct {
                    type_name: ut,
                    fields: uf,
                },
            ) => Type::Struct {
                type_name: self.opt_text(path, "typeName", st, ut),
                fields: self.fields(path, sf, uf),
            },
            (Type::List { items: s }, Type::List { items: u }) => Type::List {
                items: Box::new(self.ty(&format!("{path}[]"), s, u)),
            },
            (Type::Map { values: s }, Type::Map { values: u }) => Type::Map {
                values: Box::new(self.ty(&format!("{path}{{}}"), s, u)),
            },
            _ => {
                self.differs(path, "type", type_name(spec), type_name(up), Side::Spec);
                spec.clone()
            }
        }
    }

    fn fields(&mut self, path: &str, spec: &[Field], up: &[Field]) -> Vec<Field> {
        let mut out = Vec::new();
        for s in spec {
            let here = format!("{path}/{}", s.name);
            match up.iter().find(|u| u.name == s.name) {
                Some(u) => out.push(Field {
                    name: s.name.clone(),
                    ty: self.ty(&here, &s.ty, &u.ty),
                    sensitive: self.flag(&here, "sensitive", s.sensitive, u.sensitive),
                    example: self.opt_text(&here, "example", &s.example, &u.example),
                    description: s.description.clone(),
                }),
                None => {
                    self.push(&here, DiffKind::MissingUpstream);
                    out.push(s.clone());
                }
            }
        }
        for u in up {
            if spec.iter().any(|s| s.name == u.name) {
                continue;
            }
            let here = format!("{path}/{}", u.name);
            if let Some(with) = clash(out.iter().map(|f| f.name.as_str()), &u.name) {
                self.push(&here, DiffKind::NotAddedClash { with });
                continue;
            }
            self.push(&here, DiffKind::Added);
            out.push(u.clone());
        }
        out
    }

    fn parameter(&mut self, s: &Parameter, u: &Parameter) -> Parameter {
        let here = format!("parameters/{}", s.name);
        let ty = self.ty(&here, &s.ty, &u.ty);
        if s.required != u.required {
            self.differs(
                &here,
                "required",
                s.required.to_string(),
                u.required.to_string(),
                Side::Spec,
            );
        }
        if s.location != u.location {
            self.differs(
                &here,
                "in",
                location(s.location).into(),
                location(u.location).into(),
                Side::Upstream,
            );
        }
        let style = match &ty {
            Type::Scalar { .. } => None,
            _ => {
                let spec_style = s.style.unwrap_or(Style::Flat);
                match u.style {
                    Some(us) if us != spec_style => {
                        self.differs(
                            &here,
                            "style",
                            style_name(spec_style).into(),
                            style_name(us).into(),
                            Side::Upstream,
                        );
                        Some(us)
                    }
                    Some(us) => Some(us),
                    // Upstream has a scalar here (a type difference, reported): the spec's style.
                    None => Some(spec_style),
                }
            }
        };
        Parameter {
            name: s.name.clone(),
            ty,
            required: s.required,
            location: u.location,
            style,
            sensitive: self.flag(&here, "sensitive", s.sensitive, u.sensitive),
            example: self.opt_text(&here, "example", &s.example, &u.example),
            description: s.description.clone(),
        }
    }
}

/// The existing name whose Rust name equals that of `name`, if any.
fn clash<'n>(existing: impl Iterator<Item = &'n str>, name: &str) -> Option<String> {
    let stem = naming::field_stem(name);
    let mut existing = existing;
    existing
        .find(|e| naming::field_stem(e) == stem)
        .map(str::to_string)
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn location(l: Location) -> &'static str {
    match l {
        Location::Query => "query",
        Location::Body => "body",
    }
}

fn style_name(s: Style) -> &'static str {
    match s {
        Style::Flat => "flat",
        Style::Json => "json",
    }
}

/// A short form of a type for reports: `String`, `List<Struct>`, `Map<Integer>`.
pub fn type_name(t: &Type) -> String {
    match t {
        Type::Scalar { scalar, .. } => scalar.as_str().to_string(),
        Type::Struct { .. } => "Struct".into(),
        Type::List { items } => format!("List<{}>", type_name(items)),
        Type::Map { values } => format!("Map<{}>", type_name(values)),
    }
}

/// Merges `upstream` into the `existing` spec of the same action by the rule of this module.
pub fn merge(existing: &Action, upstream: &Action) -> (Action, Vec<Difference>) {
    let mut m = Merger {
        action: existing.name.clone(),
        diffs: Vec::new(),
    };
    if existing.method != upstream.method {
        m.differs(
            "",
            "method",
            existing.method.as_str().into(),
            upstream.method.as_str().into(),
            Side::Upstream,
        );
    }
    if existing.path != upstream.path {
        m.differs(
            "",
            "path",
            quoted(&existing.path),
            quoted(&upstream.path),
            Side::Upstream,
        );
    }
    let deprecated = m.flag("", "deprecated", existing.deprecated, upstream.deprecated);
    let mut parameters = Vec::new();
    for s in &existing.parameters {
        match upstream.parameters.iter().find(|u| u.name == s.name) {
            Some(u) => parameters.push(m.parameter(s, u)),
            None => {
                m.push(&format!("parameters/{}", s.name), DiffKind::MissingUpstream);
                parameters.push(s.clone());
            }
        }
    }
    for u in &upstream.parameters {
        if existing.parameters.iter().any(|s| s.name == u.name) {
            continue;
        }
        let here = format!("parameters/{}", u.name);
        if let Some(with) = clash(parameters.iter().map(|p| p.name.as_str()), &u.name) {
            m.push(&here, DiffKind::NotAddedClash { with });
            continue;
        }
        m.push(&here, DiffKind::Added);
        parameters.push(u.clone());
    }
    let response = m.fields("response", &existing.response, &upstream.response);
    let action = Action {
        name: existing.name.clone(),
        method: upstream.method,
        path: upstream.path.clone(),
        summary: existing.summary.clone(),
        description: existing.description.clone(),
        deprecated,
        idempotent: existing.idempotent,
        parameters,
        response,
        errors: existing.errors.clone(),
        enums: existing.enums.clone(),
        examples: existing.examples.clone(),
    };
    (action, m.diffs)
}
