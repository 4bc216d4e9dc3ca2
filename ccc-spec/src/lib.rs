//! The machine-readable spec of the CCC API: its model, a loader that refuses a bad spec with the
//! file, the place inside it and what is wrong, and a writer for the canonical layout.
//!
//! The format is described in `spec/README.md`.

mod docs;
mod error;
mod model;
pub mod naming;
mod parse;
pub mod rules;
mod validate;
mod write;

use std::path::{Path, PathBuf};

pub use docs::{
    ActionDocs, COMMON_DOCS_FILE, DOCS_DIR, apply_common_docs, apply_docs, parameter_paths,
    parse_docs, response_paths,
};
pub use error::{ErrorLocation, SpecError, SpecErrors};
pub use model::*;
pub use parse::{parse_action, parse_product};
pub use validate::{check_action, check_product, error_variant};
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
    let sources: Vec<(PathBuf, String)> = files
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
    }
    if errors.is_empty() {
        spec.ok_or_else(|| SpecErrors(Vec::new()))
    } else {
        Err(SpecErrors(errors))
    }
}

/// Builds a spec from a parsed product and action files' texts, for callers that embed the
/// files instead of reading a directory. Errors are appended to `errors`.
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
    Some(Spec {
        product: product?,
        actions,
    })
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
