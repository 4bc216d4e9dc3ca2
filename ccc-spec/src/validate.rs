//! Checks that parse cannot: names that clash once turned into Rust, references that lead nowhere.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{ErrorLocation, SpecError};
use crate::model::*;
use crate::naming;

/// Builder methods every generated input has; a parameter may not take their names.
const BUILDER_METHODS: &[&str] = &["send", "build", "builder", "options"];

/// Methods of every generated output besides its accessors; a top-level response field may not
/// take their names (`to_json` calls `encode` on the output itself).
const OUTPUT_METHODS: &[&str] = &["to_json", "encode"];

struct Checker<'a> {
    file: &'a Path,
    errors: Vec<SpecError>,
    /// Whether the names being checked get `set_` setters (request side) besides their own.
    setters: bool,
}

impl Checker<'_> {
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
        match ty {
            Type::Scalar {
                enumeration: Some(name),
                ..
            } if !spec_enums(name) => self.error(
                format!("{pointer}/enum"),
                format!("unknown enumeration `{name}` (declare it under `enums` of the action or the product)"),
            ),
            Type::Scalar { .. } => {}
            Type::Struct { fields, .. } => self.fields(spec_enums, &format!("{pointer}/fields"), fields),
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

/// The error-enum variant of an error code: `NotExists.InstanceId` → `NotExistsInstanceId`.
pub fn error_variant(code: &str) -> String {
    let v = naming::type_ident(code);
    if v == "Unhandled" {
        "UnhandledCode".into()
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
    };
    c.enums("/enums", &product.enums);
    c.errors("/errors", &product.errors);
    c.errors
}

/// Checks an action file against the product it belongs to.
pub fn check_action(file: &Path, product: &Product, action: &Action) -> Vec<SpecError> {
    let mut c = Checker {
        file,
        errors: Vec::new(),
        setters: true,
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
