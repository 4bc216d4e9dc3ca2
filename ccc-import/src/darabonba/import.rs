//! The whole import: read `main.tea` (and `api-info.json`), map, merge with the spec files that
//! exist, validate everything, then write only the files whose text changes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use ccc_spec::{ACTIONS_DIR, Action, PRODUCT_FILE, SpecError, SpecErrors};

use super::api_info::ApiInfo;
use super::error::ImportError;
use super::map::{Note, to_actions};
use super::merge;
use super::parser::{TeaFile, parse};
use crate::Difference;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Compute the report but write nothing.
    pub dry_run: bool,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Action files that did not exist.
    pub created: Vec<String>,
    /// Action files whose text changed.
    pub updated: Vec<String>,
    /// Action files already equal to the result.
    pub unchanged: Vec<String>,
    /// Actions of the spec that upstream does not define; left as they are.
    pub not_upstream: Vec<String>,
    /// Every difference between existing spec files and upstream, and how it was settled.
    pub differences: Vec<Difference>,
    /// What the mapping left out or noticed (Rust-name clashes, fields never sent, …).
    pub notes: Vec<Note>,
    /// Fields given an enumeration because they are named like one
    /// ([`ccc_spec::rules::enumerations_by_name`]): `Action: response Data.UserState: enumeration
    /// UserState`.
    pub enumerations: Vec<String>,
    /// String parameters whose examples are JSON text, and what they became
    /// ([`crate::json_params`]): `SignInGroup SignedSkillGroupIdList: JSON text, List of String …`.
    pub json_text: Vec<String>,
    /// What the spec's rules decided after merging
    /// ([`shared_structs::settle`](crate::shared_structs::settle)): `Action: response Data.X: …`.
    pub spec_rules: Vec<String>,
    /// Differences between `product.json`'s endpoints and upstream's (`api-info.json`, the
    /// `@endpointMap` of `main.tea`); `product.json` is never written.
    pub endpoint_differences: Vec<String>,
    /// Actions marked deprecated in the result.
    pub deprecated: Vec<String>,
    /// Files written (empty on a dry run).
    pub written: Vec<PathBuf>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} created, {} updated, {} unchanged, {} in the spec but not upstream",
            self.created.len(),
            self.updated.len(),
            self.unchanged.len(),
            self.not_upstream.len()
        )?;
        for a in &self.created {
            writeln!(f, "created {a}")?;
        }
        for a in &self.updated {
            writeln!(f, "updated {a}")?;
        }
        for a in &self.not_upstream {
            writeln!(f, "not upstream (kept): {a}")?;
        }
        for d in &self.differences {
            writeln!(f, "difference: {d}")?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        for e in &self.enumerations {
            writeln!(f, "enumeration by name: {e}")?;
        }
        for j in &self.json_text {
            writeln!(f, "json text: {j}")?;
        }
        for e in &self.spec_rules {
            writeln!(f, "spec: {e}")?;
        }
        for e in &self.endpoint_differences {
            writeln!(f, "endpoints: {e}")?;
        }
        Ok(())
    }
}

fn io(path: &Path, e: impl fmt::Display) -> ImportError {
    ImportError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Reads and parses a `.tea` file; errors name it as given.
pub fn read_tea(path: &Path) -> Result<TeaFile, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    Ok(parse(&path.display().to_string(), &text)?)
}

/// Reads `api-info.json`.
pub fn read_api_info(path: &Path) -> Result<ApiInfo, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    ApiInfo::parse(&text).map_err(|message| ImportError::ApiInfo {
        path: path.display().to_string(),
        message,
    })
}

/// Compares two endpoint maps, naming their sources.
pub fn endpoint_differences(
    a_name: &str,
    a: &BTreeMap<String, String>,
    b_name: &str,
    b: &BTreeMap<String, String>,
) -> Vec<String> {
    let regions: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = Vec::new();
    for r in regions {
        match (a.get(r), b.get(r)) {
            (Some(x), Some(y)) if x != y => {
                out.push(format!("{r}: {a_name} has {x}, {b_name} has {y}"))
            }
            (Some(_), None) => out.push(format!("{r}: only in {a_name}")),
            (None, Some(_)) => out.push(format!("{r}: only in {b_name}")),
            _ => {}
        }
    }
    out
}

/// Imports `tea_path` into `spec_dir` (which holds `product.json` and `actions/`).
///
/// `api_info_path` defaults to `api-info.json` beside `tea_path` when that file exists. Each
/// action is merged with its existing file by [`crate::Precedence::UPSTREAM`]. Every resulting
/// file is checked with `ccc_spec::check_action` and the whole directory as it would be is
/// loaded with `ccc_spec::load_sources` before anything is written; on any error nothing is
/// written. Files whose text would not change are not touched; the others are written to a
/// temporary file and renamed into place.
pub fn import(
    spec_dir: &Path,
    tea_path: &Path,
    api_info_path: Option<&Path>,
    opts: &ImportOptions,
) -> Result<Report, ImportError> {
    let tea = read_tea(tea_path)?;
    let default_info = tea_path.with_file_name("api-info.json");
    let info_path = match api_info_path {
        Some(p) => Some(p.to_path_buf()),
        None if default_info.is_file() => Some(default_info),
        None => None,
    };
    let info = match &info_path {
        Some(p) => read_api_info(p)?,
        None => ApiInfo::default(),
    };
    import_parsed(spec_dir, &tea, &info, opts)
}

/// [`import`] of an already parsed file and api-info.
pub fn import_parsed(
    spec_dir: &Path,
    tea: &TeaFile,
    info: &ApiInfo,
    opts: &ImportOptions,
) -> Result<Report, ImportError> {
    let mapped = to_actions(tea, info).map_err(ImportError::Tea)?;

    let product_path = spec_dir.join(PRODUCT_FILE);
    let product_text = std::fs::read_to_string(&product_path).map_err(|e| io(&product_path, e))?;
    let product = ccc_spec::parse_product(&product_path, &product_text)
        .map_err(|e| ImportError::ExistingSpec(SpecErrors(e)))?;
    let product_errors = ccc_spec::check_product(&product_path, &product);
    if !product_errors.is_empty() {
        return Err(ImportError::ExistingSpec(SpecErrors(product_errors)));
    }
    if let Some(v) = &info.version
        && v != &product.version
    {
        return Err(ImportError::ApiInfo {
            path: "api-info.json".into(),
            message: format!(
                "version {v}, but {} is version {}",
                product_path.display(),
                product.version
            ),
        });
    }

    let mut report = Report {
        notes: mapped.notes,
        ..Report::default()
    };
    if !info.endpoints.is_empty() {
        report.endpoint_differences.extend(endpoint_differences(
            "product.json",
            &product.endpoints,
            "api-info.json",
            &info.endpoints,
        ));
    }
    if let Some(init) = &tea.init
        && !init.endpoint_map.is_empty()
    {
        let tea_map: BTreeMap<String, String> = init.endpoint_map.iter().cloned().collect();
        report.endpoint_differences.extend(endpoint_differences(
            "product.json",
            &product.endpoints,
            "main.tea @endpointMap",
            &tea_map,
        ));
    }

    // The action files as they are.
    let actions_dir = spec_dir.join(ACTIONS_DIR);
    let mut existing_files: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
    if actions_dir.is_dir() {
        let entries = std::fs::read_dir(&actions_dir).map_err(|e| io(&actions_dir, e))?;
        for entry in entries {
            let path = entry.map_err(|e| io(&actions_dir, e))?.path();
            if path.extension().is_some_and(|e| e == "json")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                existing_files.insert(stem.to_string(), (path, text));
            }
        }
    }

    // Merge, render.
    let upstream_names: BTreeSet<&str> = mapped.actions.iter().map(|a| a.name.as_str()).collect();
    let mut results: Vec<(Action, PathBuf, String, Option<&String>)> = Vec::new();
    let mut existing_errors: Vec<SpecError> = Vec::new();
    for up in &mapped.actions {
        let mut up = up.clone();
        for decided in ccc_spec::rules::enumerations_by_name(&mut up, &product.enums) {
            report.enumerations.push(format!("{}: {decided}", up.name));
        }
        let up = &up;
        let path = actions_dir.join(format!("{}.json", up.name));
        let (mut action, old, existing) = match existing_files.get(&up.name) {
            Some((epath, text)) => match ccc_spec::parse_action(epath, text) {
                Ok(mut existing) => {
                    // The file's shared structs, whole, so that they merge field by field.
                    ccc_spec::fill_in_structs(&product, &mut existing);
                    let (merged, diffs) = merge(&existing, up);
                    report.differences.extend(diffs);
                    (merged, Some(text), Some(existing))
                }
                Err(e) => {
                    existing_errors.extend(e);
                    continue;
                }
            },
            None => (up.clone(), None, None),
        };
        let decided = crate::json_params::apply(&mut action, existing.as_ref());
        report.json_text.extend(decided);
        for line in crate::shared_structs::settle(&mut action, &product) {
            report.spec_rules.push(format!("{}: {line}", action.name));
        }
        let text = ccc_spec::action_to_json(&action);
        results.push((action, path, text, old));
    }
    if !existing_errors.is_empty() {
        return Err(ImportError::ExistingSpec(SpecErrors(existing_errors)));
    }

    // Validate every result and the directory as it would be.
    let mut errors: Vec<SpecError> = Vec::new();
    for (action, path, _, _) in &results {
        errors.extend(ccc_spec::check_action(path, &product, action));
    }
    let mut sources: Vec<(PathBuf, String)> = results
        .iter()
        .map(|(_, path, text, _)| (path.clone(), text.clone()))
        .collect();
    for (name, (path, text)) in &existing_files {
        if !upstream_names.contains(name.as_str()) {
            report.not_upstream.push(name.clone());
            sources.push((path.clone(), text.clone()));
        }
    }
    let mut load_errors = Vec::new();
    ccc_spec::load_sources(Some(product.clone()), &sources, &mut load_errors);
    for e in load_errors {
        if !errors.contains(&e) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(SpecErrors(errors)));
    }

    // Write what changes.
    let mut to_write: Vec<(&PathBuf, &String)> = Vec::new();
    for (action, path, text, old) in &results {
        if action.deprecated {
            report.deprecated.push(action.name.clone());
        }
        match old {
            None => {
                report.created.push(action.name.clone());
                to_write.push((path, text));
            }
            Some(old) if *old != text => {
                report.updated.push(action.name.clone());
                to_write.push((path, text));
            }
            Some(_) => report.unchanged.push(action.name.clone()),
        }
    }
    if !opts.dry_run && !to_write.is_empty() {
        for (path, text) in to_write {
            crate::files::write_atomically(path, text).map_err(|e| io(path, e))?;
            report.written.push(path.clone());
        }
    }
    Ok(report)
}
