//! What a change of the spec changes in the public API of `ccc-sdk`, and what that means for its
//! version.
//!
//! [`compare`] lowers both specs through the same operation model the generator prints (so every
//! name and type is the one the generated Rust has), reads off each action's surface (the client
//! method, the input's fields and setters, the output and its structs, the error enum, the
//! enumerations, the paginator, whether a call is retried) and the product-wide `types`, and
//! lists every difference with its semver class. Descriptions, examples and documented ranges are
//! not API: actions that changed only in those are counted, not listed.
//!
//! The classes follow what a user's code sees. Every generated input, output, struct and
//! enumeration is `#[non_exhaustive]` (and every enumeration keeps an `Unknown` variant, every
//! error enum an `Unhandled` one), so a new optional parameter, a new response field, a new
//! enumeration value or a new error code is additive; a removal, a retyping, or a parameter a
//! call must now set is breaking.
//!
//! The generator is the same on both sides: a change of the generator itself is not seen here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use ccc_spec::naming;
use ccc_spec::{Action, Spec};

use crate::Error;
use crate::model::{self, Member, Operation, Setter, Write};

/// What a change means for users' code, and so for the version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Code that compiled against the old API may not compile, or may fail where it worked.
    Breaking,
    /// New items only: code that compiled still compiles and behaves the same.
    Additive,
    /// No item of the API changes; what a call does on the wire or on retry does.
    Compatible,
}

impl Class {
    /// `breaking`, `additive`, `compatible`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Compatible => "compatible",
        }
    }
}

/// The kind of a change, one per line of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    ActionAdded,
    ActionRemoved,
    HttpMethodChanged,
    IdempotenceChanged,
    DeprecationChanged,
    PaginatorAdded,
    PaginatorRemoved,
    ParameterAdded,
    ParameterRemoved,
    ParameterRenamed,
    /// The wire name changed but not the Rust name.
    ParameterWireNameChanged,
    ParameterMadeRequired,
    ParameterMadeOptional,
    ParameterRetyped,
    /// Flattened or sent as one JSON text.
    ParameterEncodingChanged,
    /// In the query or the body.
    ParameterLocationChanged,
    /// The range refused before sending.
    ParameterRangeChanged,
    /// Redacted in `Debug` or not (a parameter or a field).
    RedactionChanged,
    FieldAdded,
    FieldRemoved,
    FieldRetyped,
    ErrorCodeAdded,
    ErrorCodeRemoved,
    EnumAdded,
    EnumRemoved,
    EnumValueAdded,
    EnumValueRemoved,
    StructAdded,
    StructRemoved,
}

/// Where a change is: one action, or the product-wide `types` module.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// An action, by its wire name.
    Action(String),
    /// `ccc_sdk::types`: shared structs and enumerations, and `ErrorCode`.
    Types,
}

/// One change of the public API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub scope: Scope,
    pub kind: Kind,
    pub class: Class,
    /// What changed, in the report's words: wire names and the Rust items they are.
    pub text: String,
}

/// Every API change between two specs, grouped by scope (actions by name, then `types`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiChanges {
    pub changes: Vec<Change>,
    /// Actions present on both sides that differ only in their documentation: descriptions,
    /// examples, ranges the SDK does not enforce, the reference's word on requiredness.
    pub documentation_only: Vec<String>,
}

/// The release a set of changes calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// The rule this project versions by: Cargo's reading of semver. Before 1.0 the minor number is
/// the breaking one (`0.1.x` and `0.2.0` are incompatible to Cargo), so a breaking change raises
/// it and anything else the patch number; from 1.0 on a breaking change raises the major number,
/// an addition the minor one, and a compatible change the patch number.
pub const VERSION_RULE: &str = "before 1.0, a breaking change raises the minor version and any \
     other change the patch version; from 1.0, breaking raises the major, additive the minor, \
     compatible the patch version";

/// `major.minor.patch`, as Cargo.toml writes a release (no pre-release or build part).
fn parse_version(version: &str) -> Option<[u64; 3]> {
    let mut parts = version.trim().split('.').map(|p| p.parse::<u64>().ok());
    let v = [parts.next()??, parts.next()??, parts.next()??];
    parts.next().is_none().then_some(v)
}

impl ApiChanges {
    /// How many changes of `class`.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// The release these changes call for after `version` (see [`VERSION_RULE`]); `None` when
    /// `version` is not `major.minor.patch`.
    pub fn bump(&self, version: &str) -> Option<Bump> {
        let [major, _, _] = parse_version(version)?;
        let worst = self.changes.iter().map(|c| c.class).min();
        Some(match (worst, major) {
            (None, _) => Bump::None,
            (Some(Class::Breaking), 0) => Bump::Minor,
            (Some(_), 0) => Bump::Patch,
            (Some(Class::Breaking), _) => Bump::Major,
            (Some(Class::Additive), _) => Bump::Minor,
            (Some(Class::Compatible), _) => Bump::Patch,
        })
    }

    /// The version after `version` that these changes call for; `None` when `version` is not
    /// `major.minor.patch`.
    pub fn next_version(&self, version: &str) -> Option<String> {
        let [major, minor, patch] = parse_version(version)?;
        Some(match self.bump(version)? {
            Bump::None => format!("{major}.{minor}.{patch}"),
            Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
            Bump::Minor => format!("{major}.{}.0", minor + 1),
            Bump::Major => format!("{}.0.0", major + 1),
        })
    }

    /// The closing line: what the changes call for after `version`.
    fn verdict(&self, version: &str) -> String {
        let counts = format!(
            "{} breaking, {} additive, {} compatible",
            self.count(Class::Breaking),
            self.count(Class::Additive),
            self.count(Class::Compatible)
        );
        match (self.bump(version), self.next_version(version)) {
            (Some(Bump::None), _) => {
                format!("No API change: {version} needs no new release for the API.")
            }
            (Some(bump), Some(next)) => {
                let rule = if version.starts_with("0.") {
                    "at 0.x, a breaking change raises the minor version and any other the patch \
                     version"
                } else {
                    "from 1.0, a breaking change raises the major version, an addition the \
                     minor, any other the patch version"
                };
                format!(
                    "{counts}: a {} release, {version} → {next} ({rule}).",
                    bump.as_str()
                )
            }
            _ => format!("{counts}; `{version}` is not a version this report can raise."),
        }
    }

    fn documentation_note(&self) -> Option<String> {
        match self.documentation_only.len() {
            0 => None,
            n => Some(format!(
                "Not listed: {} changed only in documentation (descriptions, examples, ranges \
                 the SDK leaves to the service).",
                plural(n, "action")
            )),
        }
    }

    /// The report for a terminal: changes grouped by action, then the version verdict after
    /// `version` (the crate's current version).
    pub fn text(&self, version: &str) -> String {
        let mut out = String::new();
        let mut scope = None;
        for c in &self.changes {
            if scope != Some(&c.scope) {
                if scope.is_some() {
                    out.push('\n');
                }
                let _ = writeln!(out, "{}", scope_title(&c.scope));
                scope = Some(&c.scope);
            }
            let _ = writeln!(out, "  {:<10}  {}", c.class.as_str(), c.text);
        }
        if !self.changes.is_empty() {
            out.push('\n');
        }
        if let Some(note) = self.documentation_note() {
            let _ = writeln!(out, "{note}");
        }
        let _ = writeln!(out, "{}", self.verdict(version));
        out
    }

    /// The same as a changelog entry in Markdown: breaking changes, additions, other changes,
    /// each grouped by action, then the version verdict.
    pub fn markdown(&self, version: &str) -> String {
        let mut out = String::new();
        for (class, title) in [
            (Class::Breaking, "Breaking changes"),
            (Class::Additive, "Additions"),
            (Class::Compatible, "Other changes"),
        ] {
            let mut scope = None;
            for c in self.changes.iter().filter(|c| c.class == class) {
                if scope.is_none() {
                    let _ = writeln!(out, "### {title}\n");
                }
                if scope != Some(&c.scope) {
                    let _ = writeln!(out, "- {}", scope_title(&c.scope));
                    scope = Some(&c.scope);
                }
                let _ = writeln!(out, "  - {}", c.text);
            }
            if scope.is_some() {
                out.push('\n');
            }
        }
        if let Some(note) = self.documentation_note() {
            let _ = writeln!(out, "{note}\n");
        }
        let _ = writeln!(out, "{}", self.verdict(version));
        out
    }
}

/// `1 field`, `2 fields`.
fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn scope_title(scope: &Scope) -> String {
    match scope {
        Scope::Action(name) => format!(
            "`{name}` (`Client::{}`)",
            naming::method_ident(name).trim_start_matches("r#")
        ),
        Scope::Types => "Shared types (`ccc_sdk::types`)".to_string(),
    }
}

/// Every change of the public API from `old` to `new`.
pub fn compare(old: &Spec, new: &Spec) -> Result<ApiChanges, Error> {
    let old_api = Api::of(old)?;
    let new_api = Api::of(new)?;
    let mut out = Out::default();
    let names: BTreeSet<&String> = old_api
        .actions
        .keys()
        .chain(new_api.actions.keys())
        .collect();
    let mut documentation_only = Vec::new();
    for name in names {
        let scope = Scope::Action(name.clone());
        match (old_api.actions.get(name), new_api.actions.get(name)) {
            (None, Some(a)) => out.push(
                &scope,
                Kind::ActionAdded,
                Class::Additive,
                format!(
                    "action added: `Client::{}`, with `{}`, `{}` and `{}`",
                    a.method, a.input, a.output, a.error
                ),
            ),
            (Some(a), None) => out.push(
                &scope,
                Kind::ActionRemoved,
                Class::Breaking,
                format!(
                    "action removed: `Client::{}` and its module `operation::{}`",
                    a.method, a.module
                ),
            ),
            (Some(o), Some(n)) => {
                let before = out.changes.len();
                compare_action(&mut out, &scope, o, n);
                if out.changes.len() == before
                    && old.action(name).map(|a| unfilled(old, a))
                        != new.action(name).map(|a| unfilled(new, a))
                {
                    documentation_only.push(name.clone());
                }
            }
            (None, None) => {}
        }
    }
    let types = Scope::Types;
    compare_enums(&mut out, &types, "types::", &old_api.enums, &new_api.enums);
    compare_structs(&mut out, &old_api.structs, &new_api.structs);
    compare_error_codes(&mut out, &old_api.error_codes, &new_api.error_codes);
    Ok(ApiChanges {
        changes: out.changes,
        documentation_only,
    })
}

/// An action with its shared structs' fields left out: a change inside one is the shared
/// struct's, reported once in `types`.
fn unfilled(spec: &Spec, action: &Action) -> Action {
    fn strip(spec: &Spec, ty: &mut ccc_spec::Type) {
        let shared = spec.product.shared_struct(ty).is_some();
        match ty {
            ccc_spec::Type::Struct { fields, .. } if shared => fields.clear(),
            ccc_spec::Type::Struct { fields, .. } => {
                for f in fields {
                    strip(spec, &mut f.ty);
                }
            }
            ccc_spec::Type::List { items: t } | ccc_spec::Type::Map { values: t } => strip(spec, t),
            ccc_spec::Type::Scalar { .. } => {}
        }
    }
    let mut a = action.clone();
    for f in &mut a.response {
        strip(spec, &mut f.ty);
    }
    for p in &mut a.parameters {
        strip(spec, &mut p.ty);
    }
    a
}

#[derive(Default)]
struct Out {
    changes: Vec<Change>,
}

impl Out {
    fn push(&mut self, scope: &Scope, kind: Kind, class: Class, text: String) {
        self.changes.push(Change {
            scope: scope.clone(),
            kind,
            class,
            text,
        });
    }
}

/// The public surface of the whole SDK as far as the spec decides it.
struct Api {
    actions: BTreeMap<String, ActionApi>,
    /// `types`' enumerations: name → values.
    enums: BTreeMap<String, Vec<Value>>,
    /// `types`' structs: name → fields.
    structs: BTreeMap<String, Vec<FieldApi>>,
    /// `ErrorCode`'s variants: code → variant.
    error_codes: BTreeMap<String, String>,
}

struct ActionApi {
    method: String,
    module: String,
    input: String,
    output: String,
    error: String,
    http: &'static str,
    idempotent: bool,
    deprecated: bool,
    params: Vec<ParamApi>,
    output_fields: Vec<FieldApi>,
    /// Code → variant of the action's error enum.
    errors: BTreeMap<String, String>,
    enums: BTreeMap<String, Vec<Value>>,
    /// The paginator's item type, when the action pages.
    paginator: Option<String>,
}

/// An enumeration value: wire value and variant.
#[derive(Clone, PartialEq)]
struct Value {
    wire: String,
    variant: String,
}

struct ParamApi {
    wire: String,
    ident: String,
    /// The value's type, without the `Option` an optional parameter adds.
    ty: String,
    required: bool,
    /// The value setter's kind: replaces, appends one, appends several, inserts.
    setter: &'static str,
    /// The raw-JSON setter, for a parameter sent as one JSON text.
    raw: Option<String>,
    write: Write,
    location: ccc_spec::Location,
    /// The values the SDK accepts, refusing others before sending.
    enforced_range: Option<(i64, i64)>,
    sensitive: bool,
    /// The fields of an inline request struct it holds.
    fields: Option<Struct>,
}

struct FieldApi {
    wire: String,
    ident: String,
    sensitive: bool,
    /// The field's type as declared, `Option<…>`.
    ty: String,
    /// The inline struct the type holds (itself, or as list item or map value).
    fields: Option<Struct>,
}

struct Struct {
    name: String,
    fields: Vec<FieldApi>,
}

impl Api {
    fn of(spec: &Spec) -> Result<Api, Error> {
        let mut actions = BTreeMap::new();
        for a in &spec.actions {
            actions.insert(a.name.clone(), action_api(spec, a)?);
        }
        let enums = spec
            .product
            .enums
            .iter()
            .map(|e| (e.name.clone(), values(e)))
            .collect();
        let shared = model::lower_shared(spec, "spec/product.json")?;
        let structs = shared
            .iter()
            .map(|s| {
                let fields = s
                    .fields
                    .iter()
                    .map(|m| field_api(m, &[], 0))
                    .collect::<Result<_, _>>()?;
                Ok((s.name.to_string(), fields))
            })
            .collect::<Result<_, Error>>()?;
        let mut error_codes = BTreeMap::new();
        let all = spec
            .product
            .errors
            .iter()
            .chain(spec.actions.iter().flat_map(|a| a.errors.iter()));
        for e in all {
            error_codes.insert(e.code.clone(), ccc_spec::error_variant(&e.code));
        }
        Ok(Api {
            actions,
            enums,
            structs,
            error_codes,
        })
    }
}

fn values(e: &ccc_spec::EnumSpec) -> Vec<Value> {
    e.values
        .iter()
        .map(|v| Value {
            wire: v.value.clone(),
            variant: naming::variant_ident(&v.value),
        })
        .collect()
}

fn action_api(spec: &Spec, action: &Action) -> Result<ActionApi, Error> {
    let op = model::lower(spec, action)?;
    let params = op
        .params
        .iter()
        .map(|p| {
            Ok(ParamApi {
                wire: p.field.wire.clone(),
                ident: p.field.ident.to_string(),
                ty: rust(&p.field.ty.tokens),
                required: p.required,
                setter: match p.field.ty.setter {
                    Setter::Replace => "replaces the value",
                    Setter::Append { .. } => "appends one item",
                    Setter::Extend { .. } => "appends several items",
                    Setter::Insert { .. } => "inserts one entry",
                },
                raw: p.raw.as_ref().map(|r| r.ident.to_string()),
                write: p.write,
                location: p.location,
                enforced_range: p.enforced_range,
                sensitive: p.field.sensitive,
                fields: inline_struct(&rust(&p.field.ty.tokens), &op, 0)?,
            })
        })
        .collect::<Result<_, Error>>()?;
    let output_fields = op
        .output
        .iter()
        .map(|m| field_api(m, &op.structs, 0))
        .collect::<Result<_, _>>()?;
    Ok(ActionApi {
        method: op.method.to_string(),
        module: naming::module_ident(&action.name),
        input: op.names.input.to_string(),
        output: op.names.output.to_string(),
        error: op.names.error.to_string(),
        http: op.http_method.as_str(),
        idempotent: op.idempotent,
        deprecated: op.deprecated,
        params,
        output_fields,
        errors: op
            .errors
            .iter()
            .map(|e| (e.code.clone(), e.ident.to_string()))
            .collect(),
        enums: op
            .enums
            .iter()
            .map(|e| (e.name.clone(), values(e)))
            .collect(),
        paginator: op.paging.as_ref().map(|p| rust(&p.item)),
    })
}

/// Deeper than any struct the spec nests; a bound, so that no spec makes this recurse freely.
const MAX_DEPTH: usize = 32;

fn field_api(m: &Member, structs: &[model::Struct], depth: usize) -> Result<FieldApi, Error> {
    let ty = rust(&m.ty.tokens);
    Ok(FieldApi {
        wire: m.wire.clone(),
        ident: m.ident.to_string(),
        sensitive: m.sensitive,
        fields: inline_struct_in(&ty, structs, depth)?,
        ty: format!("Option<{ty}>"),
    })
}

fn inline_struct(ty: &str, op: &Operation<'_>, depth: usize) -> Result<Option<Struct>, Error> {
    inline_struct_in(ty, &op.structs, depth).map_err(|e| match e {
        Error::Generate { message, .. } => Error::Generate {
            file: op.source.clone(),
            message,
        },
        other => other,
    })
}

/// The action's own struct that `ty` holds (as itself, a list item or a map value), with its
/// fields.
fn inline_struct_in(
    ty: &str,
    structs: &[model::Struct],
    depth: usize,
) -> Result<Option<Struct>, Error> {
    let inner = innermost(ty);
    let Some(s) = structs.iter().find(|s| s.name == inner) else {
        return Ok(None);
    };
    if depth >= MAX_DEPTH {
        return Err(Error::Generate {
            file: String::new(),
            message: format!("structs nest deeper than {MAX_DEPTH} levels"),
        });
    }
    let fields = s
        .fields
        .iter()
        .map(|m| field_api(m, structs, depth + 1))
        .collect::<Result<_, _>>()?;
    Ok(Some(Struct {
        name: s.name.to_string(),
        fields,
    }))
}

/// The type inside every `Vec<…>` and map: `Vec<Foo>` → `Foo`, `HashMap<String, Foo>` → `Foo`.
fn innermost(ty: &str) -> &str {
    let start = ty.rfind(['<', ' ']).map_or(0, |i| i + 1);
    let end = ty[start..].find('>').map_or(ty.len(), |i| start + i);
    &ty[start..end]
}

/// A type's tokens as a reader writes them, paths as a user of the crate names them:
/// `Vec<types::UserState>`, `HashMap<String, Value>`.
fn rust(tokens: &proc_macro2::TokenStream) -> String {
    tokens
        .to_string()
        .replace(' ', "")
        .replace(',', ", ")
        .replace("crate::", "")
        .replace("std::collections::", "")
}

fn compare_action(out: &mut Out, scope: &Scope, o: &ActionApi, n: &ActionApi) {
    if o.http != n.http {
        out.push(
            scope,
            Kind::HttpMethodChanged,
            Class::Compatible,
            format!("sent with {} (was {})", n.http, o.http),
        );
    }
    if o.idempotent != n.idempotent {
        let text = if n.idempotent {
            "now safe to repeat: retried whenever an attempt fails in a retryable way"
        } else {
            "no longer safe to repeat: retried only when a request provably did not reach the \
             service"
        };
        out.push(
            scope,
            Kind::IdempotenceChanged,
            Class::Compatible,
            text.into(),
        );
    }
    if o.deprecated != n.deprecated {
        let text = if n.deprecated {
            "deprecated"
        } else {
            "no longer deprecated"
        };
        out.push(
            scope,
            Kind::DeprecationChanged,
            Class::Compatible,
            text.into(),
        );
    }
    match (&o.paginator, &n.paginator) {
        (None, Some(item)) => out.push(
            scope,
            Kind::PaginatorAdded,
            Class::Additive,
            format!("paginator added: `into_paginator()`, items `{item}`"),
        ),
        (Some(item), None) => out.push(
            scope,
            Kind::PaginatorRemoved,
            Class::Breaking,
            format!("paginator removed: `into_paginator()` (items `{item}`)"),
        ),
        _ => {}
    }
    compare_params(out, scope, &n.input, &o.params, &n.params);
    compare_fields(
        out,
        scope,
        Side::Response,
        "",
        &n.output,
        &o.output_fields,
        &n.output_fields,
    );
    for (code, variant) in &n.errors {
        if !o.errors.contains_key(code) {
            out.push(
                scope,
                Kind::ErrorCodeAdded,
                Class::Additive,
                format!("error code `{code}` added: `{}::{variant}`", n.error),
            );
        }
    }
    for (code, variant) in &o.errors {
        if !n.errors.contains_key(code) {
            out.push(
                scope,
                Kind::ErrorCodeRemoved,
                Class::Breaking,
                format!(
                    "error code `{code}` removed: `{}::{variant}` (the code now comes as \
                     `Unhandled`)",
                    o.error
                ),
            );
        }
    }
    compare_enums(out, scope, "", &o.enums, &n.enums);
}

fn compare_params(out: &mut Out, scope: &Scope, input: &str, old: &[ParamApi], new: &[ParamApi]) {
    // Pairs by wire name, then by Rust name (only the wire name changed), then renames: a
    // removed and an added parameter that are each other's only match in type and requiredness.
    let mut pairs: Vec<(&ParamApi, &ParamApi)> = Vec::new();
    let mut gone: Vec<&ParamApi> = Vec::new();
    let mut came: Vec<&ParamApi> = new
        .iter()
        .filter(|p| !old.iter().any(|o| o.wire == p.wire))
        .collect();
    for o in old {
        match new.iter().find(|p| p.wire == o.wire) {
            Some(p) => pairs.push((o, p)),
            None => gone.push(o),
        }
    }
    gone.retain(|o| match came.iter().position(|p| p.ident == o.ident) {
        Some(i) => {
            let p = came.remove(i);
            out.push(
                scope,
                Kind::ParameterWireNameChanged,
                Class::Compatible,
                format!(
                    "parameter `{}` is sent as `{}` (the setter `{}` stays)",
                    o.wire, p.wire, p.ident
                ),
            );
            pairs.push((o, p));
            false
        }
        None => true,
    });
    let alike = |a: &ParamApi, b: &ParamApi| a.ty == b.ty && a.required == b.required;
    gone.retain(|o| {
        let candidates: Vec<usize> = (0..came.len()).filter(|&i| alike(o, came[i])).collect();
        let [i] = candidates.as_slice() else {
            return true;
        };
        let p = came[*i];
        if old
            .iter()
            .filter(|x| !new.iter().any(|n| n.wire == x.wire))
            .filter(|x| alike(x, p))
            .count()
            != 1
        {
            return true;
        }
        came.remove(*i);
        out.push(
            scope,
            Kind::ParameterRenamed,
            Class::Breaking,
            format!(
                "parameter `{}` renamed `{}`: setter `{}` → `{}`",
                o.wire, p.wire, o.ident, p.ident
            ),
        );
        pairs.push((o, p));
        false
    });
    for o in gone {
        out.push(
            scope,
            Kind::ParameterRemoved,
            Class::Breaking,
            format!("parameter `{}` removed: setter `{}`", o.wire, o.ident),
        );
    }
    for p in came {
        if p.required {
            out.push(
                scope,
                Kind::ParameterAdded,
                Class::Breaking,
                format!(
                    "required parameter `{}` added: setter `{}`, `{}`; a call that does not set \
                     it fails to build",
                    p.wire, p.ident, p.ty
                ),
            );
        } else {
            out.push(
                scope,
                Kind::ParameterAdded,
                Class::Additive,
                format!(
                    "optional parameter `{}` added: setter `{}`, `{}`",
                    p.wire, p.ident, p.ty
                ),
            );
        }
    }
    pairs.sort_by(|a, b| a.1.wire.cmp(&b.1.wire));
    for (o, n) in pairs {
        let wire = &n.wire;
        let field = format!("{input}::{}", n.ident);
        if o.required != n.required {
            if n.required {
                out.push(
                    scope,
                    Kind::ParameterMadeRequired,
                    Class::Breaking,
                    format!(
                        "parameter `{wire}` made required: a call that does not set it fails to \
                         build, and `{field}` is `{}`",
                        n.ty
                    ),
                );
            } else {
                out.push(
                    scope,
                    Kind::ParameterMadeOptional,
                    Class::Breaking,
                    format!(
                        "parameter `{wire}` made optional: `{field}` is `Option<{}>`",
                        n.ty
                    ),
                );
            }
        }
        if o.ty != n.ty {
            out.push(
                scope,
                Kind::ParameterRetyped,
                Class::Breaking,
                format!("parameter `{wire}` retyped: `{}` → `{}`", o.ty, n.ty),
            );
        }
        // A new type brings its own setter; the encoding is a change of its own only when the
        // type stays.
        if o.ty == n.ty && (o.write != n.write || o.raw != n.raw) {
            let how = |p: &ParamApi| match p.write {
                Write::Json => "sent as one JSON text",
                Write::Flat => "flattened",
                Write::Put => "sent as text",
            };
            let mut text = format!("parameter `{wire}` is {} (was {})", how(n), how(o));
            if o.setter != n.setter {
                let _ = write!(
                    text,
                    "; setter `{}` {} (was: {})",
                    n.ident, n.setter, o.setter
                );
            }
            match (&o.raw, &n.raw) {
                (None, Some(raw)) => {
                    let _ = write!(text, "; setter `{raw}` added");
                }
                (Some(raw), None) => {
                    let _ = write!(text, "; setter `{raw}` removed");
                }
                _ => {}
            }
            // Gaining a raw setter adds an item; losing it, or a setter taking other
            // arguments, breaks callers.
            let class = if o.setter != n.setter || (o.raw.is_some() && n.raw.is_none()) {
                Class::Breaking
            } else {
                Class::Additive
            };
            out.push(scope, Kind::ParameterEncodingChanged, class, text);
        }
        if o.location != n.location {
            let place = |l| match l {
                ccc_spec::Location::Query => "the query",
                ccc_spec::Location::Body => "the body",
            };
            out.push(
                scope,
                Kind::ParameterLocationChanged,
                Class::Compatible,
                format!(
                    "parameter `{wire}` is sent in {} (was {})",
                    place(n.location),
                    place(o.location)
                ),
            );
        }
        if o.enforced_range != n.enforced_range {
            let text = match n.enforced_range {
                Some((min, max)) => format!(
                    "parameter `{wire}`: values outside {min} to {max} are refused before \
                     sending"
                ),
                None => format!("parameter `{wire}`: no range is enforced before sending"),
            };
            out.push(scope, Kind::ParameterRangeChanged, Class::Compatible, text);
        }
        if o.sensitive != n.sensitive {
            out.push(
                scope,
                Kind::RedactionChanged,
                Class::Compatible,
                redaction("parameter", wire, n.sensitive),
            );
        }
        if let (Some(os), Some(ns)) = (&o.fields, &n.fields) {
            compare_fields(
                out,
                scope,
                Side::Request,
                wire,
                &ns.name,
                &os.fields,
                &ns.fields,
            );
        }
    }
}

/// Whose fields: a request struct's (built by users), a response's (read by them), or a
/// shared struct's in `types`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
    Shared,
}

/// Compares the fields of a struct (or output) named `owner` at wire path `path`.
fn compare_fields(
    out: &mut Out,
    scope: &Scope,
    side: Side,
    path: &str,
    owner: &str,
    old: &[FieldApi],
    new: &[FieldApi],
) {
    let what = match side {
        Side::Request => "parameter",
        Side::Response => "response field",
        Side::Shared => "field",
    };
    let at = |wire: &str| {
        if path.is_empty() {
            wire.to_string()
        } else {
            format!("{path}.{wire}")
        }
    };
    for o in old {
        if !new.iter().any(|n| n.wire == o.wire) {
            out.push(
                scope,
                Kind::FieldRemoved,
                Class::Breaking,
                format!("{what} `{}` removed: `{owner}::{}`", at(&o.wire), o.ident),
            );
        }
    }
    for n in new {
        let Some(o) = old.iter().find(|o| o.wire == n.wire) else {
            out.push(
                scope,
                Kind::FieldAdded,
                Class::Additive,
                format!(
                    "{what} `{}` added: `{owner}::{}`, `{}`",
                    at(&n.wire),
                    n.ident,
                    n.ty
                ),
            );
            continue;
        };
        if o.ty != n.ty {
            out.push(
                scope,
                Kind::FieldRetyped,
                Class::Breaking,
                format!(
                    "{what} `{}` retyped: `{owner}::{}` is `{}` (was `{}`)",
                    at(&n.wire),
                    n.ident,
                    n.ty,
                    o.ty
                ),
            );
        }
        if o.sensitive != n.sensitive {
            out.push(
                scope,
                Kind::RedactionChanged,
                Class::Compatible,
                redaction(what, &at(&n.wire), n.sensitive),
            );
        }
        if let (Some(os), Some(ns)) = (&o.fields, &n.fields) {
            compare_fields(
                out,
                scope,
                side,
                &at(&n.wire),
                &ns.name,
                &os.fields,
                &ns.fields,
            );
        }
    }
}

fn redaction(what: &str, wire: &str, sensitive: bool) -> String {
    if sensitive {
        format!("{what} `{wire}` is a secret now: `Debug` redacts it")
    } else {
        format!("{what} `{wire}` is no longer redacted by `Debug`")
    }
}

/// Enumerations by name; `prefix` is how their path starts (`types::` for the product's).
fn compare_enums(
    out: &mut Out,
    scope: &Scope,
    prefix: &str,
    old: &BTreeMap<String, Vec<Value>>,
    new: &BTreeMap<String, Vec<Value>>,
) {
    for (name, values) in new {
        let Some(before) = old.get(name) else {
            out.push(
                scope,
                Kind::EnumAdded,
                Class::Additive,
                format!(
                    "enumeration `{prefix}{name}` added ({} values)",
                    values.len()
                ),
            );
            continue;
        };
        for v in values {
            if !before.iter().any(|b| b.wire == v.wire) {
                out.push(
                    scope,
                    Kind::EnumValueAdded,
                    Class::Additive,
                    format!(
                        "enumeration value `{}` added: `{prefix}{name}::{}`",
                        v.wire, v.variant
                    ),
                );
            }
        }
        for b in before {
            if !values.iter().any(|v| v.wire == b.wire) {
                out.push(
                    scope,
                    Kind::EnumValueRemoved,
                    Class::Breaking,
                    format!(
                        "enumeration value `{}` removed: `{prefix}{name}::{}` (the value now \
                         decodes as `Unknown`)",
                        b.wire, b.variant
                    ),
                );
            }
        }
    }
    for name in old.keys() {
        if !new.contains_key(name) {
            out.push(
                scope,
                Kind::EnumRemoved,
                Class::Breaking,
                format!("enumeration `{prefix}{name}` removed"),
            );
        }
    }
}

fn compare_structs(
    out: &mut Out,
    old: &BTreeMap<String, Vec<FieldApi>>,
    new: &BTreeMap<String, Vec<FieldApi>>,
) {
    let scope = Scope::Types;
    for (name, fields) in new {
        match old.get(name) {
            None => out.push(
                &scope,
                Kind::StructAdded,
                Class::Additive,
                format!(
                    "struct `types::{name}` added ({})",
                    plural(fields.len(), "field")
                ),
            ),
            Some(before) => compare_fields(
                out,
                &scope,
                Side::Shared,
                "",
                &format!("types::{name}"),
                before,
                fields,
            ),
        }
    }
    for name in old.keys() {
        if !new.contains_key(name) {
            out.push(
                &scope,
                Kind::StructRemoved,
                Class::Breaking,
                format!("struct `types::{name}` removed"),
            );
        }
    }
}

fn compare_error_codes(
    out: &mut Out,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) {
    let scope = Scope::Types;
    for (code, variant) in new {
        if !old.contains_key(code) {
            out.push(
                &scope,
                Kind::ErrorCodeAdded,
                Class::Additive,
                format!("error code `{code}` added: `types::ErrorCode::{variant}`"),
            );
        }
    }
    for (code, variant) in old {
        if !new.contains_key(code) {
            out.push(
                &scope,
                Kind::ErrorCodeRemoved,
                Class::Breaking,
                format!("error code `{code}` removed: `types::ErrorCode::{variant}`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn innermost_type() {
        assert_eq!(innermost("Foo"), "Foo");
        assert_eq!(innermost("Vec<Foo>"), "Foo");
        assert_eq!(innermost("Vec<Vec<Foo>>"), "Foo");
        assert_eq!(innermost("HashMap<String, Foo>"), "Foo");
        assert_eq!(innermost("types::Foo"), "types::Foo");
    }

    #[test]
    fn versions_follow_the_rule() {
        let with = |class| ApiChanges {
            changes: vec![Change {
                scope: Scope::Types,
                kind: Kind::EnumAdded,
                class,
                text: String::new(),
            }],
            documentation_only: Vec::new(),
        };
        let none = ApiChanges::default();
        assert_eq!(none.next_version("0.1.0").as_deref(), Some("0.1.0"));
        assert_eq!(
            with(Class::Breaking).next_version("0.1.3").as_deref(),
            Some("0.2.0")
        );
        assert_eq!(
            with(Class::Additive).next_version("0.1.3").as_deref(),
            Some("0.1.4")
        );
        assert_eq!(
            with(Class::Compatible).next_version("0.1.3").as_deref(),
            Some("0.1.4")
        );
        assert_eq!(
            with(Class::Breaking).next_version("1.2.3").as_deref(),
            Some("2.0.0")
        );
        assert_eq!(
            with(Class::Additive).next_version("1.2.3").as_deref(),
            Some("1.3.0")
        );
        assert_eq!(
            with(Class::Compatible).next_version("1.2.3").as_deref(),
            Some("1.2.4")
        );
        assert_eq!(with(Class::Breaking).next_version("1.2"), None);
        assert_eq!(with(Class::Breaking).next_version("1.2.3-beta"), None);
    }
}
