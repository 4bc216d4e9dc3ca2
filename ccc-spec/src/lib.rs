//! The machine-readable spec of the CCC API: its model, a loader that refuses a bad spec with the
//! file, the place inside it and what is wrong, and a writer for the canonical layout.
//!
//! The format is described in `spec/README.md`.

mod areas;
mod bundle;
mod docs;
mod error;
mod model;
pub mod naming;
mod parse;
pub mod rules;
mod shared;
mod validate;
mod write;

use std::path::{Path, PathBuf};

pub use areas::{AREAS_FILE, Area, check_areas, parse_areas};
pub use bundle::{bundle_dir, load_bundle, unbundle};
pub use docs::{
    ActionDocs, COMMON_DOCS_FILE, DOCS_DIR, apply_common_docs, apply_docs, parameter_paths,
    parse_docs, response_paths,
};
pub use error::{ErrorLocation, SpecError, SpecErrors, write_lines};
pub use model::*;
pub use parse::{parse_action, parse_product};
pub use shared::{fields_fingerprint, fill_in_structs, fingerprint, same_shape};
pub use validate::{TYPES_NAMES, check_action, check_product, error_variant};
pub use write::{action_to_json, product_to_json};

/// The product file inside a spec directory.
pub const PRODUCT_FILE: &str = "product.json";
/// The folder of action files inside a spec directory.
pub const ACTIONS_DIR: &str = "actions";

/// Loads and validates `dir/product.json` and every `dir/actions/*.json`, then applies the
/// documentation overlays of `dir/docs/` (absent is fine).
///
/// All problems of all files are reported together.
pub fn load_dir(dir: &Path) -> Result<Spec, SpecErrors> {
    let mut errors = Vec::new();
    let product_path = dir.join(PRODUCT_FILE);
    let product = read(&product_path)
        .and_then(|text| parse_product(&product_path, &text))
        .map_err(|e| errors.extend(e))
        .ok();
    if let Some(p) = &product {
        errors.extend(check_product(&product_path, p));
    }
    let sources: Vec<(PathBuf, String)> = action_files(dir, &mut errors)
        .into_iter()
        .filter_map(|path| match read(&path) {
            Ok(text) => Some((path, text)),
            Err(e) => {
                errors.extend(e);
                None
            }
        })
        .collect();
    let mut spec = load_sources(product, &sources, &mut errors);
    if let Some(spec) = &mut spec {
        load_docs(&dir.join(DOCS_DIR), &mut spec.actions, &mut errors);
        shared_docs(spec);
        let areas_path = dir.join(AREAS_FILE);
        match std::fs::read_to_string(&areas_path) {
            Ok(text) => match parse_areas(&areas_path, &text) {
                Ok(areas) => {
                    errors.extend(check_areas(&areas_path, &areas, &spec.actions));
                    spec.areas = areas;
                }
                Err(e) => errors.extend(e),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => errors.push(file_error(&areas_path, format!("cannot read: {e}"))),
        }
    }
    if errors.is_empty() {
        spec.ok_or_else(|| SpecErrors(Vec::new()))
    } else {
        Err(SpecErrors(errors))
    }
}

/// Builds a spec from a parsed product and action files' texts, for callers that embed the
/// files instead of reading a directory. Errors are appended to `errors`.
///
/// References to shared structs are filled in (see [`Type::Struct`]), and every `plainStrings`
/// entry of the product must name a String of an action that has no enumeration.
pub fn load_sources(
    product: Option<Product>,
    sources: &[(PathBuf, String)],
    errors: &mut Vec<SpecError>,
) -> Option<Spec> {
    let mut actions: Vec<Action> = Vec::new();
    for (path, text) in sources {
        match parse_action(path, text) {
            Ok(action) => {
                if let Some(p) = &product {
                    errors.extend(check_action(path, p, &action));
                }
                actions.push(action);
            }
            Err(e) => errors.extend(e),
        }
    }
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in actions.windows(2) {
        if pair[0].name == pair[1].name {
            errors.push(file_error(
                Path::new(ACTIONS_DIR),
                format!("action `{}` is defined twice", pair[0].name),
            ));
        }
    }
    let mut product = product?;
    for (i, entry) in product.plain_strings.iter().enumerate() {
        let problem = match entry.split_once(": ") {
            Some((name, place)) => match actions.iter().find(|a| a.name == name) {
                None => Some(format!("no action is named `{name}`")),
                Some(a) => match rules::place_type(a, place) {
                    Some(Type::Scalar {
                        scalar: Scalar::String,
                        enumeration: None,
                    }) => None,
                    Some(Type::Scalar {
                        scalar: Scalar::String,
                        enumeration: Some(e),
                    }) => Some(format!(
                        "`{name}` gives `{place}` the enumeration `{e}`, which this entry keeps away"
                    )),
                    Some(_) => Some(format!("`{place}` of `{name}` is not a String")),
                    None => Some(format!("`{name}` has no `{place}`")),
                },
            },
            None => Some("expected `Action: response Path`".into()),
        };
        if let Some(message) = problem {
            errors.push(SpecError {
                file: PathBuf::from(PRODUCT_FILE),
                location: ErrorLocation::Pointer(format!("/plainStrings/{i}")),
                message,
            });
        }
    }
    shared::resolve(&mut product, &mut actions);
    Some(Spec {
        product,
        actions,
        areas: Vec::new(),
    })
}

/// Gives each field of a shared struct the description the documentation overlays give it most
/// often at the struct's places in the actions' parameters and responses (the common overlay's
/// text, as a rule; ties go to the first action by name), else keeps the product file's.
fn shared_docs(spec: &mut Spec) {
    use std::collections::BTreeMap;
    // Struct name → field index → (text → (count, first seen)).
    type Tally = BTreeMap<String, BTreeMap<usize, BTreeMap<String, (usize, usize)>>>;
    fn walk(ty: &Type, product: &Product, tally: &mut Tally, order: &mut usize) {
        match ty {
            Type::Struct { fields, .. } => {
                if let Some(s) = product.shared_struct(ty) {
                    let per_field = tally.entry(s.name.clone()).or_default();
                    for (i, f) in fields.iter().enumerate() {
                        if let Some(d) = &f.description {
                            *order += 1;
                            let e = per_field
                                .entry(i)
                                .or_default()
                                .entry(d.clone())
                                .or_insert((0, *order));
                            e.0 += 1;
                        }
                    }
                }
                for f in fields {
                    walk(&f.ty, product, tally, order);
                }
            }
            Type::List { items: t } | Type::Map { values: t } => walk(t, product, tally, order),
            Type::Scalar { .. } => {}
        }
    }
    let mut tally = Tally::new();
    let mut order = 0;
    for a in &spec.actions {
        for p in &a.parameters {
            walk(&p.ty, &spec.product, &mut tally, &mut order);
        }
        for f in &a.response {
            walk(&f.ty, &spec.product, &mut tally, &mut order);
        }
    }
    for s in &mut spec.product.structs {
        let Some(per_field) = tally.get(&s.name) else {
            continue;
        };
        for (i, texts) in per_field {
            let best = texts
                .iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
                .map(|(text, _)| text.clone());
            if let Some(f) = s.fields.get_mut(*i) {
                f.description = best.or(f.description.take());
            }
        }
    }
    // A place of a shared struct whose action says nothing of a field shows the struct's text,
    // as the one generated type does.
    fn fill(ty: &mut Type, product: &Product) {
        let shared = product.shared_struct(ty).cloned();
        match ty {
            Type::Struct { fields, .. } => {
                for f in fields.iter_mut() {
                    if f.description.is_none()
                        && let Some(s) = &shared
                        && let Some(sf) = s.fields.iter().find(|sf| sf.name == f.name)
                    {
                        f.description = sf.description.clone();
                    }
                    fill(&mut f.ty, product);
                }
            }
            Type::List { items: t } | Type::Map { values: t } => fill(t, product),
            Type::Scalar { .. } => {}
        }
    }
    for a in &mut spec.actions {
        for p in &mut a.parameters {
            fill(&mut p.ty, &spec.product);
        }
        for f in &mut a.response {
            fill(&mut f.ty, &spec.product);
        }
    }
}

/// Reads every overlay of `docs_dir` and applies it: each action's own, then the common one.
fn load_docs(docs_dir: &Path, actions: &mut [Action], errors: &mut Vec<SpecError>) {
    let Ok(entries) = std::fs::read_dir(docs_dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut own = std::collections::BTreeMap::new();
    let mut common = None;
    for path in files {
        let is_common = path.file_name().is_some_and(|n| n == COMMON_DOCS_FILE);
        let docs = match read(&path).and_then(|text| parse_docs(&path, &text, is_common)) {
            Ok(d) => d,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        if is_common {
            common = Some((path, docs));
            continue;
        }
        let name = docs.action.clone().unwrap_or_default();
        let at_action = |message: String| SpecError {
            file: path.clone(),
            location: ErrorLocation::Pointer("/action".into()),
            message,
        };
        if path.file_stem().and_then(|s| s.to_str()) != Some(name.as_str()) {
            errors.push(at_action(format!(
                "`action` is `{name}` but the file is named `{}`",
                path.display()
            )));
            continue;
        }
        match actions.iter_mut().find(|a| a.name == name) {
            Some(action) => {
                errors.extend(apply_docs(&path, &docs, action));
                own.insert(name, docs);
            }
            None => errors.push(at_action(format!("no action is named `{name}`"))),
        }
    }
    if let Some((path, docs)) = common {
        errors.extend(apply_common_docs(&path, &docs, actions, &own));
    }
}

/// Every `dir/actions/*.json`, sorted.
fn action_files(dir: &Path, errors: &mut Vec<SpecError>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let actions_dir = dir.join(ACTIONS_DIR);
    match std::fs::read_dir(&actions_dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
        Err(e) => errors.push(file_error(&actions_dir, format!("cannot read: {e}"))),
    }
    files.sort();
    files
}

fn read(path: &Path) -> Result<String, Vec<SpecError>> {
    std::fs::read_to_string(path).map_err(|e| vec![file_error(path, format!("cannot read: {e}"))])
}

fn file_error(path: &Path, message: String) -> SpecError {
    SpecError {
        file: path.to_path_buf(),
        location: ErrorLocation::File,
        message,
    }
}
