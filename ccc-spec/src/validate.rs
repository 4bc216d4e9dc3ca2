//! Checks that parse cannot: names that clash once turned into Rust, references that lead nowhere.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{ErrorLocation, SpecError};
use crate::model::*;
use crate::naming;

/// Builder methods every generated input has; a parameter may not take their names.
const BUILDER_METHODS: &[&str] = &["send", "build", "builder", "options"];

/// Names `types` holds or uses besides the product's enumerations and structs; a shared struct or
/// a product enumeration may not take one (nor a name of Rust's prelude the generated code relies
/// on).
pub const TYPES_NAMES: &[&str] = &[
    "CommonErrorCode",
    "ErrorCode",
    "Decode",
    "Encode",
    "Map",
    "Value",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
];

/// Methods of every generated output besides its accessors; a top-level response field may not
/// take their names (`to_json` calls `encode` on the output itself).
const OUTPUT_METHODS: &[&str] = &["to_json", "encode"];

struct Checker<'a> {
    file: &'a Path,
    errors: Vec<SpecError>,
    /// Whether the names being checked get `set_` setters (request side) besides their own.
    setters: bool,
    /// Names of the product's shared structs, and whether each is a request struct.
    shared: Vec<(&'a str, bool)>,
    /// Whether the types being checked are sent (parameters, a request struct) or received.
    request: bool,
    /// What a struct may be where the types being checked are.
    structs: Structs,
}

/// Which structs a place allows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Structs {
    /// Inline structs and references (an action's parameters and response).
    Both,
    /// Only references (inside a shared struct: every struct in it is shared too).
    References,
}

impl<'a> Checker<'a> {
    fn error(&mut self, pointer: String, message: String) {
        self.errors.push(SpecError {
            file: self.file.to_path_buf(),
            location: ErrorLocation::Pointer(pointer),
            message,
        });
    }

    /// Reports duplicate wire names and wire names that map to one Rust identifier.
    fn names<'n>(&mut self, pointer: &str, what: &str, names: impl Iterator<Item = &'n str>) {
        let mut wire: BTreeMap<&str, usize> = BTreeMap::new();
        let mut rust: BTreeMap<String, (usize, &str)> = BTreeMap::new();
        for (i, name) in names.enumerate() {
            if let Some(first) = wire.insert(name, i) {
                self.error(
                    format!("{pointer}/{i}/name"),
                    format!("duplicate {what} `{name}` (first at {pointer}/{first})"),
                );
                continue;
            }
            let ident = naming::field_stem(name);
            if let Some((first, other)) = rust.insert(ident.clone(), (i, name)) {
                self.error(
                    format!("{pointer}/{i}/name"),
                    format!(
                        "{what} `{name}` and `{other}` (at {pointer}/{first}) both become the Rust name `{ident}`"
                    ),
                );
            }
        }
        if !self.setters {
            return;
        }
        // `Foo` has the setters `foo` and `set_foo`: a `SetFoo` beside it would take the second.
        for (ident, &(i, name)) in &rust {
            if let Some(&(j, other)) = ident.strip_prefix("set_").and_then(|base| rust.get(base)) {
                self.error(
                    format!("{pointer}/{i}/name"),
                    format!(
                        "{what} `{name}` would become `{ident}`, the setter of `{other}` (at {pointer}/{j})"
                    ),
                );
            }
        }
    }

    fn ty(&mut self, spec_enums: &dyn Fn(&str) -> bool, pointer: &str, ty: &Type) {
        if let Some(name) = ty.referenced_struct() {
            match self.shared.iter().find(|(n, _)| *n == name) {
                None => self.error(
                    format!("{pointer}/struct"),
                    format!("unknown struct `{name}` (declare it under `structs` of the product)"),
                ),
                Some(&(_, request)) if request != self.request => {
                    let (is, here) = match request {
                        true => ("a request struct (`request`)", "a response"),
                        false => ("a response struct", "a request"),
                    };
                    self.error(
                        format!("{pointer}/struct"),
                        format!(
                            "`{name}` is {is}, and {here} cannot hold it: a shared struct is sent \
                             or received, not both"
                        ),
                    )
                }
                Some(_) => {}
            }
            return;
        }
        match ty {
            Type::Scalar {
                enumeration: Some(name),
                ..
            } if !spec_enums(name) => self.error(
                format!("{pointer}/enum"),
                format!("unknown enumeration `{name}` (declare it under `enums` of the action or the product)"),
            ),
            Type::Scalar { .. } => {}
            Type::Struct { type_name, fields } => {
                if self.structs == Structs::References {
                    self.error(
                        format!("{pointer}/fields"),
                        "a struct inside a shared struct is shared too: declare it under `structs` and refer to it with `struct`".into(),
                    );
                }
                if let Some(n) = type_name
                    && self.shared.iter().any(|(s, _)| s == n)
                {
                    self.error(
                        format!("{pointer}/typeName"),
                        format!(
                            "`{n}` is the name of a shared struct: refer to it with `\"struct\": \"{n}\"` (one name, one shape)"
                        ),
                    );
                }
                self.fields(spec_enums, &format!("{pointer}/fields"), fields)
            }
            Type::List { items } => self.ty(spec_enums, &format!("{pointer}/items"), items),
            Type::Map { values } => self.ty(spec_enums, &format!("{pointer}/values"), values),
        }
    }

    fn fields(&mut self, spec_enums: &dyn Fn(&str) -> bool, pointer: &str, fields: &[Field]) {
        self.names(pointer, "field", fields.iter().map(|f| f.name.as_str()));
        for (i, f) in fields.iter().enumerate() {
            self.ty(spec_enums, &format!("{pointer}/{i}"), &f.ty);
        }
    }

    fn enums(&mut self, pointer: &str, enums: &[EnumSpec]) {
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, e) in enums.iter().enumerate() {
            if let Some(first) = names.insert(&e.name, i) {
                self.error(
                    format!("{pointer}/{i}/name"),
                    format!(
                        "duplicate enumeration `{}` (first at {pointer}/{first})",
                        e.name
                    ),
                );
            }
            let mut seen: BTreeMap<String, (usize, &str)> = BTreeMap::new();
            for (j, v) in e.values.iter().enumerate() {
                let ident = naming::variant_ident(&v.value);
                if let Some((first, other)) = seen.insert(ident.clone(), (j, &v.value)) {
                    let what = if other == v.value {
                        format!("duplicate value `{other}`")
                    } else {
                        format!(
                            "values `{}` and `{other}` both become the variant `{ident}`",
                            v.value
                        )
                    };
                    self.error(
                        format!("{pointer}/{i}/values/{j}/value"),
                        format!("{what} (first at {pointer}/{i}/values/{first})"),
                    );
                }
            }
        }
    }

    fn errors(&mut self, pointer: &str, errors: &[ErrorSpec]) {
        let mut seen: BTreeMap<String, (usize, &str)> = BTreeMap::new();
        for (i, e) in errors.iter().enumerate() {
            let ident = error_variant(&e.code);
            if let Some((first, other)) = seen.insert(ident.clone(), (i, &e.code)) {
                let what = if other == e.code {
                    format!("duplicate error code `{other}`")
                } else {
                    format!(
                        "error codes `{}` and `{other}` both become the variant `{ident}`",
                        e.code
                    )
                };
                self.error(
                    format!("{pointer}/{i}/code"),
                    format!("{what} (first at {pointer}/{first})"),
                );
            }
        }
    }
}

/// The variant of an error code, in an action's error enum and in the SDK's `ErrorCode` alike:
/// `NotExists.InstanceId` → `NotExistsInstanceId`. The names of the catch-all variants,
/// `Unhandled` (an action's enum) and `Unknown` (`ErrorCode`), get `Code` appended.
pub fn error_variant(code: &str) -> String {
    let v = naming::type_ident(code);
    if v == "Unhandled" || v == "Unknown" {
        format!("{v}Code")
    } else {
        v
    }
}

/// Checks the product file on its own.
pub fn check_product(file: &Path, product: &Product) -> Vec<SpecError> {
    let mut c = Checker {
        file,
        errors: Vec::new(),
        setters: false,
        shared: shared_names(product),
        request: false,
        structs: Structs::References,
    };
    c.enums("/enums", &product.enums);
    for (i, e) in product.enums.iter().enumerate() {
        if TYPES_NAMES.contains(&e.name.as_str()) {
            c.error(
                format!("/enums/{i}/name"),
                format!("`{}` is already the name of a type in `types`", e.name),
            );
        }
    }
    c.errors("/errors", &product.errors);
    let known = |name: &str| product.enums.iter().any(|e| e.name == name);
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in product.structs.iter().enumerate() {
        let pointer = format!("/structs/{i}");
        if let Some(first) = names.insert(&s.name, i) {
            c.error(
                format!("{pointer}/name"),
                format!(
                    "duplicate struct `{}` (first at /structs/{first}): one name, one shape",
                    s.name
                ),
            );
        }
        if known(&s.name) || TYPES_NAMES.contains(&s.name.as_str()) {
            c.error(
                format!("{pointer}/name"),
                format!("`{}` is already the name of a type in `types`", s.name),
            );
        }
        c.request = s.request;
        c.setters = s.request;
        c.fields(&known, &format!("{pointer}/fields"), &s.fields);
        if let Some(path) = cycle(product, i) {
            c.error(
                format!("{pointer}/name"),
                format!("struct `{}` holds itself: {}", s.name, path.join(" → ")),
            );
        }
    }
    c.errors
}

/// The product's struct names, each with whether it is a request struct.
fn shared_names(product: &Product) -> Vec<(&str, bool)> {
    product
        .structs
        .iter()
        .map(|s| (s.name.as_str(), s.request))
        .collect()
}

/// The chain of references by which product struct `start` holds itself, if it does.
fn cycle(product: &Product, start: usize) -> Option<Vec<String>> {
    fn refs<'p>(ty: &'p Type, out: &mut Vec<&'p str>) {
        if let Some(name) = ty.referenced_struct() {
            out.push(name);
            return;
        }
        match ty {
            Type::Scalar { .. } => {}
            Type::Struct { fields, .. } => fields.iter().for_each(|f| refs(&f.ty, out)),
            Type::List { items: t } | Type::Map { values: t } => refs(t, out),
        }
    }
    let target = product.structs[start].name.as_str();
    // Depth-first over names, each visited once: bounded by the number of structs.
    let mut seen = vec![target];
    let mut stack: Vec<(Vec<String>, &str)> = vec![(vec![target.to_string()], target)];
    while let Some((path, name)) = stack.pop() {
        let Some(s) = product.struct_named(name) else {
            continue;
        };
        let mut next = Vec::new();
        s.fields.iter().for_each(|f| refs(&f.ty, &mut next));
        for n in next {
            let mut p = path.clone();
            p.push(n.to_string());
            if n == target {
                return Some(p);
            }
            if !seen.contains(&n) {
                seen.push(n);
                stack.push((p, n));
            }
        }
    }
    None
}

/// Checks an action file against the product it belongs to.
pub fn check_action(file: &Path, product: &Product, action: &Action) -> Vec<SpecError> {
    let mut c = Checker {
        file,
        errors: Vec::new(),
        setters: true,
        shared: shared_names(product),
        request: true,
        structs: Structs::Both,
    };
    if !action
        .name
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_uppercase())
        || !action.name.chars().all(|ch| ch.is_ascii_alphanumeric())
    {
        c.error(
            "/action".into(),
            format!("`{}` is not a CamelCase action name", action.name),
        );
    }
    if let Some(stem) = file.file_stem().and_then(|s| s.to_str())
        && file.extension().is_some_and(|e| e == "json")
        && stem != action.name
    {
        c.error(
            "/action".into(),
            format!(
                "action `{}` is in a file named `{stem}.json`; the file must be named after the action",
                action.name
            ),
        );
    }
    let known = |name: &str| {
        action.enums.iter().any(|e| e.name == name) || product.enums.iter().any(|e| e.name == name)
    };
    c.names(
        "/parameters",
        "parameter",
        action.parameters.iter().map(|p| p.name.as_str()),
    );
    for (i, p) in action.parameters.iter().enumerate() {
        let stem = naming::field_stem(&p.name);
        if BUILDER_METHODS.contains(&stem.as_str()) {
            c.error(
                format!("/parameters/{i}/name"),
                format!(
                    "parameter `{}` would become `{stem}`, a name the builder needs for itself",
                    p.name
                ),
            );
        }
        c.ty(&known, &format!("/parameters/{i}"), &p.ty);
    }
    c.setters = false;
    c.request = false;
    c.fields(&known, "/response", &action.response);
    for (i, f) in action.response.iter().enumerate() {
        let stem = naming::field_stem(&f.name);
        if OUTPUT_METHODS.contains(&stem.as_str()) {
            c.error(
                format!("/response/{i}/name"),
                format!(
                    "response field `{}` would become `{stem}`, a method every output has",
                    f.name
                ),
            );
        }
    }
    c.enums("/enums", &action.enums);
    for (i, e) in action.enums.iter().enumerate() {
        if product.enums.iter().any(|p| p.name == e.name) {
            c.error(
                format!("/enums/{i}/name"),
                format!(
                    "enumeration `{}` is also declared by the product; use that one",
                    e.name
                ),
            );
        }
    }
    c.errors("/errors", &action.errors);
    c.errors
}
