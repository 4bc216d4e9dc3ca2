//! The operation model: one action of the spec lowered, once, into everything its module says.
//!
//! Every Rust name, type, accessor and setter kind, every doc text, where each parameter travels
//! and how, the structs the action needs (named, collisions resolved) and its error variants are
//! decided here. The emitters in `emit/` only print this model: a new kind of output is a new
//! emitter over it, a new way of sending a parameter is a new [`Write`] and the line that prints it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ccc_spec::naming::{self, StructPlace};
use ccc_spec::{
    Action, EnumSpec, Field, Location, Parameter, Scalar, Spec, StructSpec, Style, Type,
};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::names::Idents;
use crate::{Error, GENERATED_DIR, docs};

/// What an action module imports, by path. The `use` lines are printed from this table, and no
/// struct of the action may take one of its names.
pub(crate) const IMPORTS: &[(&str, &[&str])] = &[
    (
        "crate::codec",
        &["self", "Decode", "Encode", "Flat", "Loc", "Params"],
    ),
    ("crate::error", &["BuildError", "SdkError", "ServiceError"]),
    ("serde_json", &["Map", "Value"]),
];

/// Rust's prelude (edition 2024) and `Self`: names generated code relies on, which a struct of the
/// same name would shadow.
const PRELUDE: &[&str] = &[
    "Self",
    "Copy",
    "Send",
    "Sized",
    "Sync",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Box",
    "ToOwned",
    "Clone",
    "PartialEq",
    "PartialOrd",
    "Eq",
    "Ord",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "Default",
    "Iterator",
    "Extend",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "ToString",
    "Vec",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "Future",
    "IntoFuture",
    "Debug",
    "Hash",
];

/// One action, as its module prints it.
pub(crate) struct Operation<'a> {
    /// The spec file it comes from, `spec/actions/<Action>.json`.
    pub(crate) source: String,
    /// The generated file, relative to the workspace root.
    pub(crate) path: String,
    /// Wire name, `ResetAgentState`.
    pub(crate) wire: &'a str,
    pub(crate) http_method: ccc_spec::Method,
    pub(crate) idempotent: bool,
    pub(crate) deprecated: bool,
    /// The summary as doc prose; `None` when the spec has none (or only blanks).
    pub(crate) summary: Option<String>,
    /// The description as doc prose; `None` when the spec has none.
    pub(crate) description: Option<String>,
    /// `[API reference](url)`.
    pub(crate) reference: String,
    /// The client method, `reset_agent_state`.
    pub(crate) method: Ident,
    pub(crate) names: ActionNames,
    pub(crate) params: Vec<Param>,
    /// The fields of the output.
    pub(crate) output: Vec<Member>,
    /// Every struct the parameters and the response need, parameters first, each before the
    /// structs inside it.
    pub(crate) structs: Vec<Struct>,
    /// Enumerations of this action alone, printed in its module.
    pub(crate) enums: &'a [EnumSpec],
    pub(crate) errors: Vec<ErrorVariant>,
    pub(crate) examples: Vec<Example>,
    /// Dotted wire paths of every response field, lists flattened: `Data.List.Name`.
    pub(crate) known_paths: Vec<String>,
    /// The `use` lines: each path of [`IMPORTS`] with the names this module needs.
    pub(crate) imports: Vec<(&'static str, Vec<&'static str>)>,
    /// How the action pages, when it does ([`ccc_spec::rules::pagination`]).
    pub(crate) paging: Option<Paging>,
}

/// How an action pages: what its paginator sets on the builder and reads from a page.
pub(crate) struct Paging {
    pub(crate) style: PagingStyle,
    /// The output's field holding the page: `data`.
    pub(crate) page: Ident,
    /// The page's list of items: `list`.
    pub(crate) items: Ident,
    /// The type of an item: `User`.
    pub(crate) item: TokenStream,
    /// The wire name of the items' list, for the docs: `Data.List`.
    pub(crate) items_wire: String,
    /// The page size parameter, when the action has one.
    pub(crate) size: Option<PagingParam>,
    /// The page size asked for when none is set: the largest the parameter's range allows.
    pub(crate) default_size: Option<i64>,
}

/// How the next page is asked for.
pub(crate) enum PagingStyle {
    /// By number: the parameter, and the page's `TotalCount` and `PageNumber` fields.
    Number {
        param: PagingParam,
        total: PagingField,
        number: Option<PagingField>,
    },
    /// By token: the parameter's setter and getter, and the page's token field.
    Token { set: Ident, get: Ident, next: Ident },
}

/// An integer parameter the paginator sets.
pub(crate) struct PagingParam {
    /// The builder's value setter: `page_number`.
    pub(crate) set: Ident,
    /// The builder's getter: `get_page_number`.
    pub(crate) get: Ident,
    /// `i64` (`Long`); else `i32`, which a page number or size may not fit.
    pub(crate) wide: bool,
}

/// An integer field of the page.
pub(crate) struct PagingField {
    pub(crate) ident: Ident,
    /// `i64` (`Long`); else `i32`.
    pub(crate) wide: bool,
}

/// The names of an action's own items.
pub(crate) struct ActionNames {
    pub(crate) input: Ident,
    pub(crate) builder: Ident,
    pub(crate) fluent: Ident,
    pub(crate) output: Ident,
    pub(crate) error: Ident,
}

/// A field of the output or of a struct: a public `Option` field, its accessor or setters.
pub(crate) struct Member {
    pub(crate) wire: String,
    /// The field, and its accessor or value setter.
    pub(crate) ident: Ident,
    /// `set_x`, which sets or clears it.
    pub(crate) set: Ident,
    /// The identifier without `r#`: the HTML anchor, and the name `Debug` shows.
    pub(crate) stem: String,
    pub(crate) ty: RustType,
    pub(crate) sensitive: bool,
    pub(crate) doc: String,
}

/// A request parameter: a field of the input, setters on the builders, and a line that writes it.
pub(crate) struct Param {
    /// Names, type and docs, as for a struct field; `doc` is the input field's.
    pub(crate) field: Member,
    /// `get_x`, the builder's view of what is set.
    pub(crate) get: Ident,
    pub(crate) required: bool,
    /// The API reference calls it required; the service's definition does not.
    pub(crate) reference_required: bool,
    /// The values the service's definition allows (`min`, `max`): others are refused before
    /// sending. Ranges only the reference or the convention state are in the docs alone.
    pub(crate) enforced_range: Option<(i64, i64)>,
    pub(crate) location: Location,
    pub(crate) write: Write,
    /// For a `json`-style parameter, the escape hatch that sends the caller's JSON text as it is.
    pub(crate) raw: Option<RawJson>,
    /// The spec's description as doc prose, which the setters repeat; `None` when it has none.
    pub(crate) description: Option<String>,
}

/// A `json`-style parameter's raw form: `x_json`, a `String` field of the builders and the input
/// sent instead of the typed value. Setting one clears the other, so the last one set is sent.
pub(crate) struct RawJson {
    /// The field and its setter, `x_json`.
    pub(crate) ident: Ident,
    /// The identifier without `r#`, as `Debug` shows it.
    pub(crate) stem: String,
    /// Redacted in `Debug`: the parameter is a secret, or the text may hold one (a field of its
    /// type is).
    pub(crate) sensitive: bool,
    /// The input field's doc.
    pub(crate) doc: String,
    /// The setter's doc.
    pub(crate) setter_doc: String,
}

/// How a parameter is written into a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    /// A scalar, as text.
    Put,
    /// A list, struct or map, flattened: `Name.1`, `Name.1.Sub`, `Name.Key`.
    Flat,
    /// A list, struct or map as one JSON text.
    Json,
}

/// A Rust type, with what its accessors and setters look like.
pub(crate) struct RustType {
    pub(crate) tokens: TokenStream,
    /// The type as the docs name it: `List of String`.
    pub(crate) doc: String,
    pub(crate) access: Access,
    pub(crate) setter: Setter,
}

/// How an accessor hands a response field out.
pub(crate) enum Access {
    /// `Option<&str>`.
    Str,
    /// `Option<T>` for `Copy` scalars.
    Copy,
    /// `Option<&T>`.
    Ref,
    /// `&[item]`, empty when absent.
    Slice { item: TokenStream },
}

/// What the value setter of a builder or request struct does.
pub(crate) enum Setter {
    /// Replaces the value.
    Replace,
    /// Appends one item to a list.
    Append { item: TokenStream },
    /// Appends any number of items to a list: `x(["a", "b"])`. A `json`-style list's setter,
    /// since such a list is usually written whole.
    Extend { item: TokenStream },
    /// Inserts one entry into a map.
    Insert { value: TokenStream },
}

/// Whether a struct is sent (built by users, flattened or encoded into parameters) or received
/// (decoded, read through accessors). The two get different impls, so they never share a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Request,
    Response,
}

/// A struct an action needs.
pub(crate) struct Struct {
    pub(crate) name: Ident,
    pub(crate) doc: String,
    pub(crate) role: Role,
    pub(crate) fields: Vec<Member>,
}

/// A variant of the action's error enum.
pub(crate) struct ErrorVariant {
    pub(crate) ident: Ident,
    pub(crate) code: String,
    pub(crate) doc: String,
}

/// A documented example response, and the test that decodes it.
pub(crate) struct Example {
    pub(crate) content_type: &'static str,
    pub(crate) text: String,
    pub(crate) test: Ident,
    pub(crate) doc: String,
}

impl Member {
    /// The value setter's verb and object, for its docs: `Appends one item to`.
    pub(crate) fn setter_verb(&self) -> &'static str {
        match self.ty.setter {
            Setter::Replace => "Sets",
            Setter::Append { .. } => "Appends one item to",
            Setter::Extend { .. } => "Appends these items to",
            Setter::Insert { .. } => "Inserts one entry into",
        }
    }
}

impl Param {
    pub(crate) fn required_word(&self) -> &'static str {
        match (self.required, self.reference_required) {
            (true, _) => "required",
            (false, false) => "optional",
            (false, true) => "optional; the API reference lists it as required",
        }
    }
}

/// Lowers one action of `spec`.
/// The action's names of the generator's own types, and its structs named.
fn named<'a>(
    spec: &'a Spec,
    action: &'a Action,
    source: &'a str,
) -> Result<(ActionNames, Lowering<'a>), Error> {
    let idents = Idents { file: source };
    let prefix = naming::type_ident(&action.name);
    let names = ActionNames {
        input: idents.ident(&format!("{prefix}Input"))?,
        builder: idents.ident(&format!("{prefix}InputBuilder"))?,
        fluent: idents.ident(&format!("{prefix}FluentBuilder"))?,
        output: idents.ident(&format!("{prefix}Output"))?,
        error: idents.ident(&format!("{prefix}Error"))?,
    };
    let mut lowering = Lowering {
        spec,
        action: &action.name,
        local_enums: &action.enums,
        idents,
        named: Vec::new(),
        by_node: HashMap::new(),
        failure: None,
    };
    lowering.name_structs(action, &names)?;
    if let Some(message) = lowering.failure.take() {
        return Err(lowering.err(message));
    }
    Ok((names, lowering))
}

/// One name, one shape, one definition across the crate: a struct of an action's module may not
/// take the name of a shared struct (it refers to it, or is named after its action), nor a name
/// a struct of another module takes, whatever its shape: the same shape in two actions is one
/// shared struct of `spec/product.json`, another shape is named after its action. Every refusal
/// names both places.
pub(crate) fn check_struct_names(spec: &Spec) -> Result<(), Error> {
    const PRODUCT: &str = "spec/product.json";
    // Name → (shape, where it is defined).
    let mut seen: BTreeMap<String, (String, String)> = spec
        .product
        .structs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let shape = ccc_spec::fields_fingerprint(&s.fields);
            (s.name.clone(), (shape, format!("{PRODUCT} (/structs/{i})")))
        })
        .collect();
    for action in &spec.actions {
        let source = format!("spec/actions/{}.json", action.name);
        let (_, lowering) = named(spec, action, &source)?;
        for s in &lowering.named {
            let shape = ccc_spec::fields_fingerprint(s.fields);
            let here = format!("{source} ({})", s.place);
            match seen.get(&s.name) {
                Some((_, at)) if at.starts_with(PRODUCT) => {
                    return Err(lowering.err(format!(
                        "struct `{}` at {} has the name of the shared struct defined in {at}: \
                         refer to it (`\"struct\": \"{}\"`), or name this one after the action \
                         (`ccc_spec::naming::own_struct_ident`)",
                        s.name, s.place, s.name
                    )));
                }
                Some((other, at)) if *other != shape => {
                    return Err(lowering.err(format!(
                        "struct `{}` at {here} has another shape than the struct `{}` at {at}: \
                         one name, one shape across the crate; name one of them after its action \
                         (`ccc_spec::naming::own_struct_ident`)",
                        s.name, s.name
                    )));
                }
                Some((_, at)) => {
                    return Err(lowering.err(format!(
                        "struct `{}` at {here} is defined again: the struct at {at} has its name \
                         and shape; one definition per name across the crate, so declare it once \
                         under `structs` of {PRODUCT} and refer to it from both \
                         (`cargo xtask share-structs` does)",
                        s.name
                    )));
                }
                None => {
                    seen.insert(s.name.clone(), (shape, here));
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn lower<'a>(spec: &'a Spec, action: &'a Action) -> Result<Operation<'a>, Error> {
    let source = format!("spec/actions/{}.json", action.name);
    let (names, lowering) = named(spec, action, &source)?;
    let idents = Idents { file: &source };

    let mut params = Vec::new();
    for p in &action.parameters {
        params.push(lowering.param(p)?);
    }
    check_raw_names(&source, &params)?;
    let mut output = Vec::new();
    for f in &action.response {
        output.push(lowering.member(f)?);
    }
    let mut structs = Vec::new();
    for s in &lowering.named {
        let mut fields = Vec::new();
        for f in s.fields {
            fields.push(lowering.member(f)?);
        }
        let part = match s.role {
            Role::Request => format!(
                "Part of the input of {}; build one with `{}::default()` and its setters.",
                docs::code(&action.name),
                s.name
            ),
            Role::Response => format!("Part of the output of {}.", docs::code(&action.name)),
        };
        structs.push(Struct {
            name: idents.ident(&s.name)?,
            doc: format!(
                "{}Wire name {}. {part}",
                docs::lead(s.description),
                docs::code(s.wire)
            ),
            role: s.role,
            fields,
        });
    }

    let mut errors = Vec::new();
    for e in &action.errors {
        errors.push(ErrorVariant {
            ident: idents.ident(&ccc_spec::error_variant(&e.code))?,
            code: e.code.clone(),
            doc: error_doc(e),
        });
    }

    let mut examples = Vec::new();
    for (text, content_type, test, what) in [
        (
            &action.examples.json,
            "application/json",
            "decodes_the_json_example",
            "JSON",
        ),
        (
            &action.examples.xml,
            "text/xml",
            "decodes_the_xml_example",
            "XML",
        ),
    ] {
        if let Some(text) = text {
            examples.push(Example {
                content_type,
                text: text.clone(),
                test: idents.ident(test)?,
                doc: format!(
                    " The reference's {what} example decodes, and every value comes back out."
                ),
            });
        }
    }
    let mut known_paths = Vec::new();
    known(&action.response, "", &mut known_paths);

    let imports = IMPORTS
        .iter()
        .map(|(path, items)| {
            let used = items
                .iter()
                .copied()
                .filter(|item| match *item {
                    "Flat" => structs.iter().any(|s| s.role == Role::Request),
                    "Loc" => !params.is_empty(),
                    _ => true,
                })
                .collect();
            (*path, used)
        })
        .collect();

    let paging = lowering.paging(action, &params)?;

    Ok(Operation {
        path: format!(
            "{GENERATED_DIR}/operation/{}.rs",
            naming::module_ident(&action.name)
        ),
        wire: &action.name,
        http_method: action.method,
        idempotent: action.idempotent,
        deprecated: action.deprecated,
        summary: action
            .summary
            .as_deref()
            .map(docs::prose)
            .filter(|s| !s.is_empty()),
        description: action
            .description
            .as_deref()
            .map(docs::prose)
            .filter(|s| !s.is_empty()),
        reference: format!("[API reference]({})", spec.product.doc_url_of(&action.name)),
        method: idents.ident(&naming::method_ident(&action.name))?,
        names,
        params,
        output,
        structs,
        enums: &action.enums,
        errors,
        examples,
        known_paths,
        imports,
        paging,
        source,
    })
}

/// An error's doc: code, status and message, then its description.
pub(crate) fn error_doc(e: &ccc_spec::ErrorSpec) -> String {
    let mut text = format!(
        "{} (HTTP {}): {}",
        docs::code(&e.code),
        e.http_status,
        docs::prose(&e.message)
    );
    if let Some(d) = e.description.as_deref().map(docs::prose)
        && !d.is_empty()
    {
        text.push_str("\n\n");
        text.push_str(&d);
    }
    text
}

/// A struct named, before its fields are lowered.
struct Named<'a> {
    /// The name before any collision prefix: `typeName` or the field's wire name.
    base: String,
    name: String,
    /// Wire name of the field that first holds it.
    wire: &'a str,
    /// Where it first is: `parameter SkillLevelList`, `response Data.List`.
    place: String,
    description: Option<&'a str>,
    ty: &'a Type,
    fields: &'a [Field],
    role: Role,
}

struct Lowering<'a> {
    spec: &'a Spec,
    /// The action's wire name; the product's code for its shared structs.
    action: &'a str,
    /// Enumerations of the action alone (none for shared structs).
    local_enums: &'a [EnumSpec],
    idents: Idents<'a>,
    named: Vec<Named<'a>>,
    /// A `Type::Struct` node of the spec → its entry in `named`.
    by_node: HashMap<*const Type, usize>,
    /// The first problem met while naming structs.
    failure: Option<String>,
}

fn node(ty: &Type) -> *const Type {
    std::ptr::from_ref(ty)
}

impl<'a> Lowering<'a> {
    fn err(&self, message: String) -> Error {
        Error::Generate {
            file: self.idents.file.to_string(),
            message,
        }
    }

    /// Names every struct of the action, depth first, parameters before the response; a name
    /// already taken gets its parent's name in front.
    fn name_structs(&mut self, action: &'a Action, names: &ActionNames) -> Result<(), Error> {
        let mut taken: BTreeSet<String> = PRELUDE
            .iter()
            .chain(IMPORTS.iter().flat_map(|(_, items)| items.iter()))
            .map(|s| s.to_string())
            .collect();
        for n in [
            &names.input,
            &names.builder,
            &names.fluent,
            &names.output,
            &names.error,
        ] {
            taken.insert(n.to_string());
        }
        for e in &action.enums {
            if !taken.insert(e.name.clone()) {
                return Err(self.err(format!(
                    "enumeration `{}` has the name of a type the generator needs",
                    e.name
                )));
            }
        }
        let input = names.input.to_string();
        for p in &action.parameters {
            self.name(
                &mut taken,
                &p.ty,
                (&p.name, &format!("parameter {}", p.name)),
                p.description.as_deref(),
                (&input, StructPlace::Top, false),
                Role::Request,
            );
        }
        let output = names.output.to_string();
        for f in &action.response {
            self.name(
                &mut taken,
                &f.ty,
                (&f.name, &format!("response {}", f.name)),
                f.description.as_deref(),
                (&output, StructPlace::Top, false),
                Role::Response,
            );
        }
        Ok(())
    }

    /// `(wire, path)`: the wire name of the field holding it and where that is
    /// (`response Data.List`). `at`: the Rust name of the parent (a struct, or the input or
    /// output), where the struct sits for [`naming::struct_ident`], and whether it is the item of
    /// a list.
    fn name(
        &mut self,
        taken: &mut BTreeSet<String>,
        ty: &'a Type,
        (wire, path): (&'a str, &str),
        description: Option<&'a str>,
        at: (&str, StructPlace<'_>, bool),
        role: Role,
    ) {
        let (parent, place, list_item) = at;
        match ty {
            Type::Scalar { .. } => {}
            Type::List { items } => {
                let at = (parent, place, true);
                self.name(taken, items, (wire, path), description, at, role);
            }
            Type::Map { values } => {
                let at = (parent, place, false);
                self.name(taken, values, (wire, path), description, at, role);
            }
            // Printed once, in `types`; its fields are named there. Sent and received structs get
            // different impls, so a shared struct is one or the other (the validator checks).
            Type::Struct { .. } if let Some(s) = self.spec.product.shared_struct(ty) => {
                if s.request != (role == Role::Request) {
                    self.failure.get_or_insert_with(|| {
                        format!(
                            "{path}: the shared struct `{}` is {}",
                            s.name,
                            if s.request {
                                "a request struct, in a response"
                            } else {
                                "a response struct, in a request"
                            }
                        )
                    });
                }
            }
            Type::Struct { type_name, fields } => {
                let holds_list = fields.iter().any(|f| {
                    naming::is_generic_struct_name(&f.name)
                        && matches!(&f.ty, Type::List { items } if matches!(**items, Type::Struct { .. }))
                });
                let base = type_name.clone().unwrap_or_else(|| {
                    naming::struct_ident(self.action, wire, place, list_item, holds_list)
                });
                // The same struct written twice (same name, same fields) is one type.
                if let Some(i) = self
                    .named
                    .iter()
                    .position(|s| s.base == base && s.role == role && s.ty == ty)
                {
                    self.by_node.insert(node(ty), i);
                    return;
                }
                let mut name = base.clone();
                if taken.contains(&name) {
                    name = format!("{parent}{base}");
                    let mut n = 2;
                    while taken.contains(&name) {
                        name = format!("{parent}{base}{n}");
                        n += 1;
                    }
                }
                taken.insert(name.clone());
                self.by_node.insert(node(ty), self.named.len());
                self.named.push(Named {
                    base,
                    name: name.clone(),
                    wire,
                    place: path.to_string(),
                    description,
                    ty,
                    fields,
                    role,
                });
                let inner = if place == StructPlace::Top && !list_item && wire == "Data" {
                    StructPlace::InData
                } else {
                    StructPlace::In(&name)
                };
                for f in fields {
                    let at = (name.as_str(), inner, false);
                    let deeper = format!("{path}.{}", f.name);
                    let description = f.description.as_deref();
                    self.name(taken, &f.ty, (&f.name, &deeper), description, at, role);
                }
            }
        }
    }

    fn struct_name(&self, ty: &Type) -> Result<&str, Error> {
        self.by_node
            .get(&node(ty))
            .map(|&i| self.named[i].name.as_str())
            .ok_or_else(|| self.err("internal: a struct was not named".into()))
    }

    /// The enumeration a string refers to, and whether it is the action's own.
    fn find_enum(&self, name: &str) -> Result<(&'a EnumSpec, bool), Error> {
        if let Some(e) = self.local_enums.iter().find(|e| e.name == name) {
            return Ok((e, true));
        }
        match self.spec.product.enums.iter().find(|e| e.name == name) {
            Some(e) => Ok((e, false)),
            None => Err(self.err(format!("unknown enumeration `{name}`"))),
        }
    }

    fn rust_type(&self, ty: &Type) -> Result<RustType, Error> {
        if let Some(shared) = self.spec.product.shared_struct(ty) {
            return self.shared_type(ty, shared);
        }
        let (tokens, doc, access) = match ty {
            Type::Scalar {
                enumeration: Some(name),
                scalar,
            } => {
                let (e, local) = self.find_enum(name)?;
                let ident = self.idents.ident(&e.name)?;
                if local {
                    (
                        quote!(#ident),
                        format!("{}, one of [`{}`]", scalar.as_str(), e.name),
                        Access::Ref,
                    )
                } else {
                    (
                        quote!(crate::types::#ident),
                        format!(
                            "{}, one of [`{}`](crate::types::{})",
                            scalar.as_str(),
                            e.name,
                            e.name
                        ),
                        Access::Ref,
                    )
                }
            }
            Type::Scalar { scalar, .. } => {
                let (tokens, access) = match scalar {
                    Scalar::String => (quote!(String), Access::Str),
                    Scalar::Integer => (quote!(i32), Access::Copy),
                    Scalar::Long => (quote!(i64), Access::Copy),
                    Scalar::Boolean => (quote!(bool), Access::Copy),
                    Scalar::Float => (quote!(f32), Access::Copy),
                    Scalar::Double => (quote!(f64), Access::Copy),
                    Scalar::Any => (quote!(Value), Access::Ref),
                };
                (tokens, scalar.as_str().to_string(), access)
            }
            Type::Struct { .. } => {
                let name = self.struct_name(ty)?;
                let ident = self.idents.ident(name)?;
                (quote!(#ident), format!("Struct [`{name}`]"), Access::Ref)
            }
            Type::List { items } => {
                let item = self.rust_type(items)?;
                let t = &item.tokens;
                return Ok(RustType {
                    tokens: quote!(Vec<#t>),
                    doc: format!("List of {}", item.doc),
                    access: Access::Slice {
                        item: item.tokens.clone(),
                    },
                    setter: Setter::Append { item: item.tokens },
                });
            }
            Type::Map { values } => {
                let value = self.rust_type(values)?;
                let t = &value.tokens;
                return Ok(RustType {
                    tokens: quote!(std::collections::HashMap<String, #t>),
                    doc: format!("Map of String to {}", value.doc),
                    access: Access::Ref,
                    setter: Setter::Insert {
                        value: value.tokens,
                    },
                });
            }
        };
        Ok(RustType {
            tokens,
            doc,
            access,
            setter: Setter::Replace,
        })
    }

    /// A shared struct, printed once in `types`.
    fn shared_type(&self, ty: &Type, shared: &StructSpec) -> Result<RustType, Error> {
        // One name, one shape: a spec built without the loader could break that.
        if let Type::Struct { fields, .. } = ty
            && ccc_spec::fields_fingerprint(fields) != ccc_spec::fields_fingerprint(&shared.fields)
        {
            return Err(self.err(format!(
                "a struct named `{}` has another shape than the shared struct of that name",
                shared.name
            )));
        }
        let ident = self.idents.ident(&shared.name)?;
        Ok(RustType {
            tokens: quote!(crate::types::#ident),
            doc: format!("Struct [`{0}`](crate::types::{0})", shared.name),
            access: Access::Ref,
            setter: Setter::Replace,
        })
    }

    fn member(&self, f: &Field) -> Result<Member, Error> {
        let ty = self.rust_type(&f.ty)?;
        let doc = format!(
            "{}Wire name {}, {}{}.{}",
            docs::lead(f.description.as_deref()),
            docs::code(&f.name),
            ty.doc,
            sensitive_note(f.sensitive),
            docs::example(f.example.as_deref()),
        );
        Ok(Member {
            wire: f.name.clone(),
            ident: self.idents.field(&f.name)?,
            set: self.idents.prefixed("set_", &f.name)?,
            stem: naming::field_stem(&f.name),
            ty,
            sensitive: f.sensitive,
            doc,
        })
    }

    /// How the action pages, by the rule of `ccc_spec`; `params` are its lowered parameters.
    fn paging(&self, action: &Action, params: &[Param]) -> Result<Option<Paging>, Error> {
        let Some(rule) = ccc_spec::rules::pagination(action) else {
            return Ok(None);
        };
        let missing = |what: &str| self.err(format!("internal: the paging rule names {what}"));
        let page = action
            .response
            .iter()
            .find(|f| f.name == rule.page)
            .ok_or_else(|| missing("a missing page"))?;
        let Type::Struct { fields, .. } = &page.ty else {
            return Err(missing("a page that is not a struct"));
        };
        let field = |wire: &str| {
            fields
                .iter()
                .find(|f| f.name == wire)
                .ok_or_else(|| missing(&format!("a missing field `{wire}`")))
        };
        let integer = |wire: &str| -> Result<PagingField, Error> {
            let f = field(wire)?;
            Ok(PagingField {
                ident: self.idents.field(wire)?,
                wide: is_long(&f.ty),
            })
        };
        let param = |wire: &str| -> Result<PagingParam, Error> {
            let p = params
                .iter()
                .find(|p| p.field.wire == wire)
                .ok_or_else(|| missing(&format!("a missing parameter `{wire}`")))?;
            let spec = action.parameters.iter().find(|s| s.name == wire);
            Ok(PagingParam {
                set: p.field.ident.clone(),
                get: p.get.clone(),
                wide: spec.is_some_and(|s| is_long(&s.ty)),
            })
        };
        let Type::List { items } = &field(&rule.items)?.ty else {
            return Err(missing("items that are not a list"));
        };
        let style = match &rule.style {
            ccc_spec::rules::PageStyle::Number {
                parameter,
                total,
                number,
            } => PagingStyle::Number {
                param: param(parameter)?,
                total: integer(total)?,
                number: number.as_deref().map(integer).transpose()?,
            },
            ccc_spec::rules::PageStyle::Token { parameter, next } => {
                let p = param(parameter)?;
                PagingStyle::Token {
                    set: p.set,
                    get: p.get,
                    next: self.idents.field(next)?,
                }
            }
        };
        Ok(Some(Paging {
            style,
            page: self.idents.field(&rule.page)?,
            items: self.idents.field(&rule.items)?,
            item: self.rust_type(items)?.tokens,
            items_wire: format!("{}.{}", rule.page, rule.items),
            size: rule.page_size.as_deref().map(param).transpose()?,
            default_size: rule.page_size.as_deref().map(|wire| {
                action
                    .parameters
                    .iter()
                    .find(|p| p.name == wire)
                    .and_then(|p| p.range)
                    .map_or(ccc_spec::rules::PAGE_SIZE_CONVENTION.1, |r| r.max)
            }),
        }))
    }

    fn param(&self, p: &Parameter) -> Result<Param, Error> {
        let mut ty = self.rust_type(&p.ty)?;
        let write = match (&p.ty, p.style) {
            (Type::Scalar { .. }, _) => Write::Put,
            (_, Some(Style::Json)) => Write::Json,
            (_, _) => Write::Flat,
        };
        if write == Write::Json
            && let Setter::Append { item } = &ty.setter
        {
            ty.setter = Setter::Extend { item: item.clone() };
        }
        let place = match p.location {
            Location::Query => "in the query",
            Location::Body => "in the body",
        };
        let style = match write {
            Write::Put => "",
            Write::Json => ", as one JSON text",
            Write::Flat => ", flattened",
        };
        let doc = format!(
            "{}Wire name {}, {}, {}, {place}{style}{}.{}{}",
            docs::lead(p.description.as_deref()),
            docs::code(&p.name),
            ty.doc,
            match (p.required, p.reference_required) {
                (true, _) => "required",
                (false, false) => "optional",
                // The page's word is documentation; the service's definition decides.
                (false, true) => {
                    "optional (the API reference lists it as required; it is sent only when set)"
                }
            },
            sensitive_note(p.sensitive),
            range_note(p.range),
            docs::example(p.example.as_deref()),
        );
        let ident = self.idents.field(&p.name)?;
        let raw = if write == Write::Json {
            let stem = format!("{}_json", naming::field_stem(&p.name));
            Some(RawJson {
                ident: self.idents.ident(&stem)?,
                doc: format!(
                    "{} as JSON text the caller wrote, set with `{stem}`: when present it is sent \
                     as it is, and the typed field (then empty) is not.",
                    docs::code(&p.name),
                ),
                setter_doc: format!(
                    "Sets {} as JSON text written by the caller, sent as it is: for a value the \
                     typed setter cannot express. It replaces a value set with `{ident}`, as \
                     `{ident}` replaces it: the last one set is sent.",
                    docs::code(&p.name),
                ),
                stem,
                sensitive: p.sensitive || holds_secret(&p.ty),
            })
        } else {
            None
        };
        Ok(Param {
            field: Member {
                wire: p.name.clone(),
                ident,
                set: self.idents.prefixed("set_", &p.name)?,
                stem: naming::field_stem(&p.name),
                ty,
                sensitive: p.sensitive,
                doc,
            },
            get: self.idents.prefixed("get_", &p.name)?,
            required: p.required,
            reference_required: p.reference_required,
            enforced_range: p
                .range
                .filter(|r| r.from == ccc_spec::RangeSource::Definition)
                .map(|r| (r.min, r.max)),
            location: p.location,
            write,
            raw,
            description: p
                .description
                .as_deref()
                .map(docs::prose)
                .filter(|d| !d.is_empty()),
        })
    }
}

/// What the docs say of a parameter's range, by whose word it is.
fn range_note(range: Option<ccc_spec::Range>) -> String {
    let Some(r) = range else {
        return String::new();
    };
    let (min, max) = (r.min, r.max);
    match r.from {
        ccc_spec::RangeSource::Definition => {
            format!(" From {min} to {max}: other values are refused before anything is sent.")
        }
        ccc_spec::RangeSource::Reference => format!(
            " The API reference gives {min} to {max}; the SDK leaves other values to the service."
        ),
        ccc_spec::RangeSource::Convention => format!(
            " No source states its range; {min} to {max} is what the API's listings take, and a \
             paginator's default page is {max}."
        ),
    }
}

fn is_long(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Scalar {
            scalar: Scalar::Long,
            ..
        }
    )
}

/// Whether a value of `ty` may hold a secret: a field somewhere inside it is sensitive.
fn holds_secret(ty: &Type) -> bool {
    match ty {
        Type::Scalar { .. } => false,
        Type::Struct { fields, .. } => fields.iter().any(|f| f.sensitive || holds_secret(&f.ty)),
        Type::List { items } => holds_secret(items),
        Type::Map { values } => holds_secret(values),
    }
}

/// Refuses a raw setter (`x_json`) that would take the name of another parameter's field or
/// setter.
fn check_raw_names(file: &str, params: &[Param]) -> Result<(), Error> {
    for p in params {
        let Some(raw) = &p.raw else { continue };
        let taken = params.iter().find(|o| {
            [&o.field.ident, &o.field.set, &o.get]
                .iter()
                .any(|i| **i == raw.ident)
        });
        if let Some(o) = taken {
            return Err(Error::Generate {
                file: file.to_string(),
                message: format!(
                    "the JSON-text setter `{}` of parameter `{}` takes a name of parameter `{}`",
                    raw.stem, p.field.wire, o.field.wire
                ),
            });
        }
    }
    Ok(())
}

fn sensitive_note(sensitive: bool) -> &'static str {
    if sensitive {
        ", sensitive (redacted in `Debug`)"
    } else {
        ""
    }
}

/// Dotted wire paths of every field, lists and maps flattened: `Data.List.Name`.
fn known(fields: &[Field], prefix: &str, out: &mut Vec<String>) {
    for f in fields {
        let path = if prefix.is_empty() {
            f.name.clone()
        } else {
            format!("{prefix}.{}", f.name)
        };
        let mut ty = &f.ty;
        while let Type::List { items } = ty {
            ty = items;
        }
        match ty {
            Type::Struct { fields, .. } => known(fields, &path, out),
            // A map's keys are data, not fields: any path below it is known.
            Type::Map { .. } | Type::Scalar { .. } => out.push(path),
            Type::List { .. } => {}
        }
    }
}

/// The product's shared structs, as `types` prints them: fields lowered as in an action, and a
/// doc naming the actions whose responses hold each.
pub(crate) fn lower_shared(spec: &Spec, source: &str) -> Result<Vec<Struct>, Error> {
    let lowering = Lowering {
        spec,
        action: &spec.product.code,
        local_enums: &[],
        idents: Idents { file: source },
        named: Vec::new(),
        by_node: HashMap::new(),
        failure: None,
    };
    let mut out = Vec::new();
    for s in &spec.product.structs {
        let role = match s.request {
            true => Role::Request,
            false => Role::Response,
        };
        let mut users = Vec::new();
        for a in &spec.actions {
            let holds_it = match role {
                Role::Request => a.parameters.iter().any(|p| holds(spec, &p.ty, &s.name)),
                Role::Response => a.response.iter().any(|f| holds(spec, &f.ty, &s.name)),
            };
            if holds_it {
                users.push(format!(
                    "[`{}`](crate::operation::{})",
                    a.name,
                    naming::module_ident(&a.name)
                ));
            }
        }
        let mut fields = Vec::new();
        for f in &s.fields {
            fields.push(lowering.member(f)?);
        }
        let actions = |n: usize| format!("{n} action{}", if n == 1 { "" } else { "s" });
        let used = match (role, users.len()) {
            (Role::Response, 0) => "No action's response holds it yet.".to_string(),
            (Role::Response, n) => format!(
                "Part of the output of {} ({}): one type wherever the service sends this shape.",
                users.join(", "),
                actions(n)
            ),
            (Role::Request, 0) => format!(
                "No action's request holds it yet; build one with `{}::default()` and its \
                 setters.",
                s.name
            ),
            (Role::Request, n) => format!(
                "Part of the input of {} ({}): one type wherever a request sends this shape; \
                 build one with `{}::default()` and its setters.",
                users.join(", "),
                actions(n),
                s.name
            ),
        };
        out.push(Struct {
            name: lowering.idents.ident(&s.name)?,
            doc: format!("{}{used}", docs::lead(s.description.as_deref())),
            role,
            fields,
        });
    }
    Ok(out)
}

/// Whether a type holds the shared struct `name`, at any depth.
fn holds(spec: &Spec, ty: &Type, name: &str) -> bool {
    match ty {
        Type::Struct { type_name, fields } => {
            (type_name.as_deref() == Some(name) && spec.product.shared_struct(ty).is_some())
                || fields.iter().any(|f| holds(spec, &f.ty, name))
        }
        Type::List { items: t } | Type::Map { values: t } => holds(spec, t, name),
        Type::Scalar { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: Type, sensitive: bool) -> Field {
        Field {
            name: name.into(),
            ty,
            sensitive,
            example: None,
            description: None,
        }
    }

    #[test]
    fn raw_json_text_of_a_value_holding_a_secret_is_a_secret() {
        let string = Type::Scalar {
            scalar: Scalar::String,
            enumeration: None,
        };
        let plain = Type::Struct {
            type_name: None,
            fields: vec![field("Name", string.clone(), false)],
        };
        assert!(!holds_secret(&plain));
        assert!(!holds_secret(&string));
        let deep = Type::List {
            items: Box::new(Type::Struct {
                type_name: None,
                fields: vec![field(
                    "Login",
                    Type::Map {
                        values: Box::new(Type::Struct {
                            type_name: None,
                            fields: vec![field("Password", string, true)],
                        }),
                    },
                    false,
                )],
            }),
        };
        assert!(holds_secret(&deep));
    }
}
