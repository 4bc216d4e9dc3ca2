//! One merge engine for both importers: an action as a source describes it (a reference page, or
//! the upstream definition) is folded into the spec file that already exists, and every
//! difference is reported in one form, [`Difference`].
//!
//! What each source may change is a table, [`Precedence`], one [`Rule`] per kind of fact:
//!
//! | fact | a reference page ([`Precedence::PAGE`]) | upstream ([`Precedence::UPSTREAM`]) |
//! |---|---|---|
//! | `method` | page | upstream |
//! | `path` | spec (a page does not show it) | upstream |
//! | `deprecated` | spec | either side |
//! | parameter `in` | page | upstream |
//! | parameter `style` | spec, else page (a page cannot tell flat from JSON) | upstream, else spec |
//! | `required` | spec (for a page's new action: page) | upstream |
//! | `referenceRequired` | page | spec only |
//! | `range` | whichever side's source ranks higher: definition, then reference, then convention; the source's on a tie | the same |
//! | types (scalar or kind) | page | spec |
//! | `enum`, `typeName` | page, else spec | spec, else upstream |
//! | `example`s and example bodies | page, else spec | spec, else upstream |
//! | summaries and descriptions | page, else spec | spec only |
//! | `errors`, `enums` | merged by code and name, page first | spec only |
//! | `sensitive` | either side | either side |
//! | order of parameters and fields | the page's, then the spec's others | the spec's, then upstream's others |
//!
//! A parameter the spec types as JSON text (a list, struct or map in `json` style) and the source
//! calls a String is the same parameter: the spec's shape is kept and no difference is reported.
//!
//! Nothing is dropped: an item the source lacks is kept and reported. An item only the source has
//! is added, unless its Rust name clashes with one the result already has. A bare `Map` (values
//! of no stated type) never replaces the spec's value type. Values only the spec states are its
//! own facts, not differences. A key the spec decides once for a new action (`idempotent`) is
//! always the existing file's.

use std::fmt;

use ccc_spec::naming;
use ccc_spec::{
    Action, EnumSpec, ErrorSpec, Field, Location, Parameter, Range, Scalar, Style, Type,
};

/// Where the incoming side of a merge comes from; reports name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// An API reference page.
    Page,
    /// Alibaba's definition of the API (`main.tea`).
    Upstream,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Page => "page",
            Source::Upstream => "upstream",
        }
    }
}

/// Which side a merged value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The existing spec file.
    Spec,
    /// The source being imported.
    Incoming,
}

/// How one kind of fact is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The source's value when it states one, else the spec's.
    Incoming,
    /// The spec's value when it states one, else the source's.
    Spec,
    /// The spec's value; the source's is not looked at.
    SpecOnly,
    /// For flags: set when either side sets it.
    Either,
}

/// The order of parameters and fields in a merged action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// The source's items in its order, then the spec's others.
    IncomingFirst,
    /// The spec's items in its order, then the source's others.
    SpecFirst,
}

/// What a source may change: one rule per kind of fact (see the module's table).
#[derive(Clone, Copy, Debug)]
pub struct Precedence {
    pub source: Source,
    pub method: Rule,
    pub path: Rule,
    pub deprecated: Rule,
    pub location: Rule,
    pub style: Rule,
    pub required: Rule,
    /// `referenceRequired`: what the source says of `required` beyond the result's flag.
    pub reference_required: Rule,
    pub types: Rule,
    /// `enum` and `typeName` references.
    pub names: Rule,
    pub examples: Rule,
    pub docs: Rule,
    /// The action's `errors` and `enums` lists.
    pub lists: Rule,
    pub order: Order,
}

impl Precedence {
    /// A reference page: it is the authority on what it documents.
    pub const PAGE: Precedence = Precedence {
        source: Source::Page,
        method: Rule::Incoming,
        path: Rule::SpecOnly,
        deprecated: Rule::SpecOnly,
        location: Rule::Incoming,
        style: Rule::Spec,
        required: Rule::Spec,
        reference_required: Rule::Incoming,
        types: Rule::Incoming,
        names: Rule::Incoming,
        examples: Rule::Incoming,
        docs: Rule::Incoming,
        lists: Rule::Incoming,
        order: Order::IncomingFirst,
    };

    /// The upstream definition: it is the authority on the wire (method, path, where and how each
    /// parameter travels) and fills what the spec leaves unset.
    pub const UPSTREAM: Precedence = Precedence {
        source: Source::Upstream,
        method: Rule::Incoming,
        path: Rule::Incoming,
        deprecated: Rule::Either,
        location: Rule::Incoming,
        style: Rule::Incoming,
        required: Rule::Incoming,
        reference_required: Rule::SpecOnly,
        types: Rule::Spec,
        names: Rule::Spec,
        examples: Rule::Spec,
        docs: Rule::SpecOnly,
        lists: Rule::SpecOnly,
        order: Order::SpecFirst,
    };
}

/// One difference between an existing spec file and an imported source, and how it was settled.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub action: String,
    /// `parameters/Name`, `response/Data/Items[]/Name` (`[]` a list's items, `{}` a map's
    /// values), `errors/Code`, `enums/Name`, `examples/json`, or empty for the action itself.
    pub path: String,
    pub source: Source,
    pub kind: DiffKind,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    /// The source has it, the spec did not: added.
    Added,
    /// The source has it, but its Rust name clashes with an item of the result: not added.
    NotAddedClash { with: String },
    /// The spec has it, the source does not: kept.
    Missing,
    /// Both state it and disagree on one aspect (or only the source states it); `kept` says
    /// whose value is in the result.
    Differs {
        aspect: String,
        spec: String,
        incoming: String,
        kept: Side,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self.source.name();
        write!(f, "{}", self.action)?;
        if !self.path.is_empty() {
            write!(f, " {}", self.path)?;
        }
        match &self.kind {
            DiffKind::Added => write!(f, ": added from {}", the(self.source)),
            DiffKind::NotAddedClash { with } => write!(
                f,
                ": {} has it but its Rust name clashes with `{with}` of the spec; not added",
                the(self.source)
            ),
            DiffKind::Missing => match self.source {
                Source::Page => write!(f, ": not on the page; kept"),
                Source::Upstream => write!(f, ": not upstream; kept"),
            },
            DiffKind::Differs {
                aspect,
                spec,
                incoming,
                kept,
            } => write!(
                f,
                ": {aspect}: spec {spec}, {source} {incoming}; kept {}",
                match kept {
                    Side::Spec => "spec",
                    Side::Incoming => source,
                }
            ),
        }
    }
}

fn the(source: Source) -> &'static str {
    match source {
        Source::Page => "the page",
        Source::Upstream => "upstream",
    }
}

/// Merges `incoming` into `existing` (the spec file of the same action) by `precedence`.
pub fn merge(
    existing: &Action,
    incoming: &Action,
    precedence: &Precedence,
) -> (Action, Vec<Difference>) {
    let mut m = Merger {
        p: *precedence,
        action: existing.name.clone(),
        diffs: Vec::new(),
    };
    let method = m.value(
        "",
        "method",
        m.p.method,
        existing.method,
        incoming.method,
        |v| v.as_str().to_string(),
    );
    let path = m.value(
        "",
        "path",
        m.p.path,
        existing.path.clone(),
        incoming.path.clone(),
        |v| quoted(v),
    );
    let deprecated = m.flag(
        "",
        "deprecated",
        m.p.deprecated,
        existing.deprecated,
        incoming.deprecated,
    );
    let summary = m.text(
        "",
        "summary",
        m.p.docs,
        &existing.summary,
        &incoming.summary,
    );
    let description = m.text(
        "",
        "description",
        m.p.docs,
        &existing.description,
        &incoming.description,
    );
    let parameters = m.items(
        "parameters",
        &existing.parameters,
        &incoming.parameters,
        |p| &p.name,
        |m, here, s, i| m.parameter(here, s, i),
    );
    let response = m.fields("response", &existing.response, &incoming.response);
    let (errors, enums) = if m.p.lists == Rule::SpecOnly {
        (existing.errors.clone(), existing.enums.clone())
    } else {
        let errors = m.items(
            "errors",
            &existing.errors,
            &incoming.errors,
            |e| &e.code,
            |m, here, s, i| m.error(here, s, i),
        );
        let enums = m.items(
            "enums",
            &existing.enums,
            &incoming.enums,
            |e| &e.name,
            |m, here, s, i| m.enumeration(here, s, i),
        );
        (errors, enums)
    };
    let mut examples = existing.examples.clone();
    examples.json = m.body(
        "examples/json",
        &existing.examples.json,
        &incoming.examples.json,
    );
    examples.xml = m.body(
        "examples/xml",
        &existing.examples.xml,
        &incoming.examples.xml,
    );
    let action = Action {
        name: existing.name.clone(),
        method,
        path,
        summary,
        description,
        deprecated,
        idempotent: existing.idempotent,
        parameters,
        response,
        errors,
        enums,
        examples,
    };
    (action, m.diffs)
}

struct Merger {
    p: Precedence,
    action: String,
    diffs: Vec<Difference>,
}

impl Merger {
    fn push(&mut self, path: &str, kind: DiffKind) {
        self.diffs.push(Difference {
            action: self.action.clone(),
            path: path.to_string(),
            source: self.p.source,
            kind,
        });
    }

    fn differs(&mut self, path: &str, aspect: &str, spec: String, incoming: String, kept: Side) {
        self.push(
            path,
            DiffKind::Differs {
                aspect: aspect.into(),
                spec,
                incoming,
                kept,
            },
        );
    }

    /// A value both sides always state (a method, a flag of `required`).
    fn value<T: PartialEq>(
        &mut self,
        path: &str,
        aspect: &str,
        rule: Rule,
        spec: T,
        incoming: T,
        show: impl Fn(&T) -> String,
    ) -> T {
        if rule == Rule::SpecOnly || spec == incoming {
            return spec;
        }
        let kept = match rule {
            Rule::Incoming => Side::Incoming,
            _ => Side::Spec,
        };
        self.differs(path, aspect, show(&spec), show(&incoming), kept);
        match kept {
            Side::Incoming => incoming,
            Side::Spec => spec,
        }
    }

    fn flag(&mut self, path: &str, aspect: &str, rule: Rule, spec: bool, incoming: bool) -> bool {
        if rule != Rule::Either {
            return self.value(path, aspect, rule, spec, incoming, bool::to_string);
        }
        if spec != incoming {
            let kept = if spec { Side::Spec } else { Side::Incoming };
            self.differs(path, aspect, spec.to_string(), incoming.to_string(), kept);
        }
        spec || incoming
    }

    /// An optional value: which side's by `rule`; a side that states nothing gives way.
    fn optional<T: Clone + PartialEq>(
        &mut self,
        path: &str,
        aspect: &str,
        rule: Rule,
        spec: &Option<T>,
        incoming: &Option<T>,
        show: impl Fn(&T) -> String,
    ) -> Option<T> {
        let shown = |v: &Option<T>| v.as_ref().map_or_else(|| "unset".to_string(), &show);
        match (rule, spec, incoming) {
            (Rule::SpecOnly, _, _) | (_, _, None) => spec.clone(),
            (_, Some(s), Some(i)) if s == i => spec.clone(),
            (Rule::Incoming, _, Some(_)) | (_, None, Some(_)) => {
                self.differs(path, aspect, shown(spec), shown(incoming), Side::Incoming);
                incoming.clone()
            }
            (_, Some(_), Some(_)) => {
                self.differs(path, aspect, shown(spec), shown(incoming), Side::Spec);
                spec.clone()
            }
        }
    }

    fn text(
        &mut self,
        path: &str,
        aspect: &str,
        rule: Rule,
        spec: &Option<String>,
        incoming: &Option<String>,
    ) -> Option<String> {
        self.optional(path, aspect, rule, spec, incoming, |s| quoted(s))
    }

    /// An example body: reported without its text, which is long.
    fn body(
        &mut self,
        path: &str,
        spec: &Option<String>,
        incoming: &Option<String>,
    ) -> Option<String> {
        let rule = self.p.examples;
        self.optional(path, "example body", rule, spec, incoming, |b| {
            format!("of {} bytes", b.len())
        })
    }

    /// Merges two lists of named items: pairs by `key`, merges pairs with `both`, adds and keeps
    /// the others in the precedence's order.
    fn items<T: Clone>(
        &mut self,
        path: &str,
        spec: &[T],
        incoming: &[T],
        key: impl Fn(&T) -> &String,
        both: impl Fn(&mut Merger, &str, &T, &T) -> T,
    ) -> Vec<T> {
        let here = |k: &str| format!("{path}/{k}");
        let mut out: Vec<T> = Vec::new();
        let add = |m: &mut Merger, out: &mut Vec<T>, i: &T| {
            let k = key(i);
            let taken = out
                .iter()
                .map(|o| key(o).as_str())
                .chain(spec.iter().map(|s| key(s).as_str()));
            if let Some(with) = clash(taken, k) {
                m.push(&here(k), DiffKind::NotAddedClash { with });
            } else {
                m.push(&here(k), DiffKind::Added);
                out.push(i.clone());
            }
        };
        match self.p.order {
            Order::IncomingFirst => {
                for i in incoming {
                    match spec.iter().find(|s| key(s) == key(i)) {
                        Some(s) => out.push(both(self, &here(key(i)), s, i)),
                        None => add(self, &mut out, i),
                    }
                }
                for s in spec {
                    if !incoming.iter().any(|i| key(i) == key(s)) {
                        self.push(&here(key(s)), DiffKind::Missing);
                        out.push(s.clone());
                    }
                }
            }
            Order::SpecFirst => {
                for s in spec {
                    match incoming.iter().find(|i| key(i) == key(s)) {
                        Some(i) => out.push(both(self, &here(key(s)), s, i)),
                        None => {
                            self.push(&here(key(s)), DiffKind::Missing);
                            out.push(s.clone());
                        }
                    }
                }
                for i in incoming {
                    if !spec.iter().any(|s| key(s) == key(i)) {
                        add(self, &mut out, i);
                    }
                }
            }
        }
        out
    }

    fn fields(&mut self, path: &str, spec: &[Field], incoming: &[Field]) -> Vec<Field> {
        self.items(
            path,
            spec,
            incoming,
            |f| &f.name,
            |m, here, s, i| Field {
                name: s.name.clone(),
                ty: m.ty(here, &s.ty, &i.ty),
                sensitive: m.flag(here, "sensitive", Rule::Either, s.sensitive, i.sensitive),
                example: m.text(here, "example", m.p.examples, &s.example, &i.example),
                description: m.text(
                    here,
                    "description",
                    m.p.docs,
                    &s.description,
                    &i.description,
                ),
            },
        )
    }

    fn parameter(&mut self, here: &str, s: &Parameter, i: &Parameter) -> Parameter {
        // JSON text the spec has typed (a list, struct or map in json style) is a String on the
        // wire, which is all a source may say of it: the same parameter, not a difference.
        let typed_json_text = s.style == Some(Style::Json)
            && !matches!(s.ty, Type::Scalar { .. })
            && matches!(
                i.ty,
                Type::Scalar {
                    scalar: Scalar::String,
                    ..
                }
            );
        let ty = if typed_json_text {
            s.ty.clone()
        } else {
            self.ty(here, &s.ty, &i.ty)
        };
        let (required, reference_required) = self.required(here, s, i);
        let location = self.value(here, "in", self.p.location, s.location, i.location, |l| {
            location(*l).into()
        });
        let style = match ty {
            Type::Scalar { .. } => None,
            _ => {
                // Where the source is the authority, an unset style is compared as what it
                // means, flat, and the result states it.
                let spec_style = match self.p.style {
                    Rule::Incoming => Some(s.style.unwrap_or(Style::Flat)),
                    _ => s.style,
                };
                self.optional(here, "style", self.p.style, &spec_style, &i.style, |s| {
                    style_name(*s).into()
                })
            }
        };
        Parameter {
            name: s.name.clone(),
            ty,
            required,
            reference_required,
            range: self.range(here, &s.range, &i.range),
            location,
            style,
            sensitive: self.flag(here, "sensitive", Rule::Either, s.sensitive, i.sensitive),
            example: self.text(here, "example", self.p.examples, &s.example, &i.example),
            description: self.text(
                here,
                "description",
                self.p.docs,
                &s.description,
                &i.description,
            ),
        }
    }

    /// `required` and `referenceRequired` of a parameter both sides have. The service's
    /// definition decides `required` wherever it has the action; a page that calls required what
    /// the result leaves optional is recorded as `referenceRequired`, a fact for the docs, and is
    /// not a difference (the spec holds both facts).
    fn required(&mut self, here: &str, s: &Parameter, i: &Parameter) -> (bool, bool) {
        let absorbed = self.p.reference_required == Rule::Incoming && i.required && !s.required;
        let required = if absorbed {
            s.required
        } else {
            self.value(
                here,
                "required",
                self.p.required,
                s.required,
                i.required,
                |v| v.to_string(),
            )
        };
        let reference_required = match self.p.reference_required {
            Rule::Incoming => {
                let incoming = i.required && !required;
                if incoming != s.reference_required {
                    let show = |v: bool| v.to_string();
                    self.differs(
                        here,
                        "referenceRequired",
                        show(s.reference_required),
                        show(incoming),
                        Side::Incoming,
                    );
                }
                incoming
            }
            _ => s.reference_required && !required,
        };
        (required, reference_required)
    }

    /// An integer's range: the word of the higher-ranked source (the definition's over the
    /// reference's over the convention's), the incoming one's on a tie; a side that states
    /// none gives way.
    fn range(&mut self, here: &str, s: &Option<Range>, i: &Option<Range>) -> Option<Range> {
        let show = |r: &Option<Range>| {
            r.map_or_else(
                || "unset".to_string(),
                |r| format!("{} to {} ({})", r.min, r.max, r.from.as_str()),
            )
        };
        let kept = match (s, i) {
            (_, None) => return *s,
            (Some(a), Some(b)) if a == b => return *s,
            (Some(a), Some(b)) if a.from > b.from => Side::Spec,
            _ => Side::Incoming,
        };
        self.differs(here, "range", show(s), show(i), kept);
        match kept {
            Side::Spec => *s,
            Side::Incoming => *i,
        }
    }

    fn error(&mut self, here: &str, s: &ErrorSpec, i: &ErrorSpec) -> ErrorSpec {
        let rule = self.p.lists;
        ErrorSpec {
            http_status: self.value(
                here,
                "HTTP status",
                rule,
                s.http_status,
                i.http_status,
                |v| v.to_string(),
            ),
            code: s.code.clone(),
            message: self.value(
                here,
                "message",
                rule,
                s.message.clone(),
                i.message.clone(),
                |m| quoted(m),
            ),
            description: self.text(
                here,
                "description",
                self.p.docs,
                &s.description,
                &i.description,
            ),
        }
    }

    fn enumeration(&mut self, here: &str, s: &EnumSpec, i: &EnumSpec) -> EnumSpec {
        let values_of = |e: &EnumSpec| {
            e.values
                .iter()
                .map(|v| v.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rule = self.p.lists;
        let keep_incoming = self.value(
            here,
            "values",
            rule,
            values_of(s),
            values_of(i),
            Clone::clone,
        ) == values_of(i);
        let description = self.text(
            here,
            "description",
            self.p.docs,
            &s.description,
            &i.description,
        );
        let base = if keep_incoming { i } else { s };
        let values = base
            .values
            .iter()
            .map(|v| {
                let mut v = v.clone();
                let spec_side = s.values.iter().find(|o| o.value == v.value);
                let inc_side = i.values.iter().find(|o| o.value == v.value);
                let spec_desc = spec_side.and_then(|o| o.description.clone());
                let inc_desc = inc_side.and_then(|o| o.description.clone());
                v.description = self.text(
                    &format!("{here}/{}", v.value),
                    "description",
                    self.p.docs,
                    &spec_desc,
                    &inc_desc,
                );
                v
            })
            .collect();
        EnumSpec {
            name: s.name.clone(),
            description,
            values,
        }
    }

    /// Merges the type at `path`.
    fn ty(&mut self, path: &str, spec: &Type, incoming: &Type) -> Type {
        match (spec, incoming) {
            (
                Type::Scalar {
                    scalar: s,
                    enumeration: se,
                },
                Type::Scalar {
                    scalar: i,
                    enumeration: ie,
                },
            ) => {
                let scalar = self.value(path, "type", self.p.types, *s, *i, |v| {
                    v.as_str().to_string()
                });
                // Only a String carries an enumeration; where the scalars differ, the winner's.
                let enumeration = if scalar != Scalar::String {
                    None
                } else if s != i {
                    if scalar == *s { se.clone() } else { ie.clone() }
                } else {
                    self.text(path, "enum", self.p.names, se, ie)
                };
                Type::Scalar {
                    scalar,
                    enumeration,
                }
            }
            (
                Type::Struct {
                    type_name: st,
                    fields: sf,
                },
                Type::Struct {
                    type_name: it,
                    fields: inf,
                },
            ) => {
                // A name the spec gave after its action, because another shape took the source's
                // name (`ccc_spec::naming::own_struct_ident`), is the spec's decision: it stays.
                let type_name = match (st, it) {
                    (Some(s), Some(i))
                        if ccc_spec::naming::is_own_struct_ident(&self.action, i, s) =>
                    {
                        Some(s.clone())
                    }
                    _ => self.text(path, "typeName", self.p.names, st, it),
                };
                Type::Struct {
                    type_name,
                    fields: self.fields(path, sf, inf),
                }
            }
            (Type::List { items: s }, Type::List { items: i }) => Type::List {
                items: Box::new(self.ty(&format!("{path}[]"), s, i)),
            },
            (Type::Map { values: s }, Type::Map { values: i }) => Type::Map {
                values: Box::new(match i.as_ref() {
                    // A bare `Map` says nothing about its values.
                    Type::Scalar {
                        scalar: Scalar::Any,
                        ..
                    } => (**s).clone(),
                    i => self.ty(&format!("{path}{{}}"), s, i),
                }),
            },
            _ => {
                let kept = match self.p.types {
                    Rule::Incoming => Side::Incoming,
                    _ => Side::Spec,
                };
                self.differs(path, "type", type_name(spec), type_name(incoming), kept);
                match kept {
                    Side::Incoming => incoming.clone(),
                    Side::Spec => spec.clone(),
                }
            }
        }
    }
}

/// The item already taken whose Rust name equals that of `name`, if any.
fn clash<'n>(mut taken: impl Iterator<Item = &'n str>, name: &str) -> Option<String> {
    let stem = naming::field_stem(name);
    taken
        .find(|e| naming::field_stem(e) == stem)
        .map(str::to_string)
}

/// A text as reports show it: quoted, on one line, cut after 60 characters.
fn quoted(s: &str) -> String {
    const MAX: usize = 60;
    let one_line = s.replace('\n', "⏎");
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{one_line:?}")
    }
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
