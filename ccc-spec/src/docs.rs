//! English documentation kept beside the action files: `spec/docs/<Action>.json` gives an
//! action's summary, description and the descriptions of its parameters and response fields, and
//! `spec/docs/_common.json` those of the parameters and fields many actions share. The importers rewrite
//! `spec/actions/`, never `spec/docs/`, so the prose survives an import; names that no longer
//! exist in the action are refused, so it cannot rot either.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{ErrorLocation, SpecError};
use crate::model::{Action, Field, Parameter, Type};

/// The folder of documentation overlays inside a spec directory.
pub const DOCS_DIR: &str = "docs";
/// The overlay of parameters and response fields shared by many actions (`InstanceId`,
/// `RequestId`, `Data.UserContext.UserState`, …), inside [`DOCS_DIR`].
pub const COMMON_DOCS_FILE: &str = "_common.json";

/// One documentation overlay, as read from its file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionDocs {
    /// The action documented; `None` for the common overlay.
    pub action: Option<String>,
    /// One line: what the action does, for whom.
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Parameter wire name, or a dotted path into a struct parameter → description.
    pub parameters: BTreeMap<String, String>,
    /// Dotted path of a response field (`Data.List.CallDuration`; list items and map values are
    /// passed through) → description.
    pub response: BTreeMap<String, String>,
    /// Error code the action documents → description.
    pub errors: BTreeMap<String, String>,
}

/// Parses an overlay. The common overlay (`common`) has only `parameters` and `response`; an
/// action's overlay must name its action and give a summary.
pub fn parse_docs(file: &Path, text: &str, common: bool) -> Result<ActionDocs, Vec<SpecError>> {
    let value = crate::parse::parse_json(file, text)?;
    let mut errors = Vec::new();
    let mut err = |pointer, message| errors.push(SpecError::at(file, pointer, message));
    let mut docs = ActionDocs::default();
    let Value::Object(map) = &value else {
        err(String::new(), "expected an object".into());
        return Err(errors);
    };
    let known: &[&str] = if common {
        &["parameters", "response"]
    } else {
        &[
            "action",
            "summary",
            "description",
            "parameters",
            "response",
            "errors",
        ]
    };
    for (key, v) in map {
        let pointer = format!("/{}", escape(key));
        match key.as_str() {
            k if !known.contains(&k) => err(
                pointer,
                format!("unknown key `{key}` (known: {})", known.join(", ")),
            ),
            "action" | "summary" | "description" => match v {
                Value::String(s) if !s.trim().is_empty() => {
                    let slot = match key.as_str() {
                        "action" => &mut docs.action,
                        "summary" => &mut docs.summary,
                        _ => &mut docs.description,
                    };
                    *slot = Some(s.clone());
                }
                _ => err(pointer, "expected a non-empty string".into()),
            },
            _ => {
                let Value::Object(entries) = v else {
                    err(pointer, "expected an object of descriptions".into());
                    continue;
                };
                let target = match key.as_str() {
                    "parameters" => &mut docs.parameters,
                    "response" => &mut docs.response,
                    _ => &mut docs.errors,
                };
                for (name, d) in entries {
                    match d {
                        // The generator escapes a line-leading backtick (a fence), which would
                        // spoil a code span that opens the text.
                        Value::String(s) if s.starts_with('`') => err(
                            format!("{pointer}/{}", escape(name)),
                            "a description cannot start with a backtick".into(),
                        ),
                        Value::String(s) if !s.trim().is_empty() => {
                            target.insert(name.clone(), s.clone());
                        }
                        _ => err(
                            format!("{pointer}/{}", escape(name)),
                            "expected a non-empty string".into(),
                        ),
                    }
                }
            }
        }
    }
    if !common {
        if docs.action.is_none() && !map.contains_key("action") {
            err(String::new(), "missing key `action`".into());
        }
        if docs.summary.is_none() && !map.contains_key("summary") {
            err(String::new(), "missing key `summary`".into());
        }
        if let Some(s) = &docs.summary
            && s.contains('\n')
        {
            err("/summary".into(), "a summary is one line".into());
        }
    }
    if errors.is_empty() {
        Ok(docs)
    } else {
        Err(errors)
    }
}

/// Applies an action's overlay to it: what the overlay gives replaces what the action file says.
/// A parameter or field path the action does not have is an error at its JSON pointer.
pub fn apply_docs(file: &Path, docs: &ActionDocs, action: &mut Action) -> Vec<SpecError> {
    let mut errors = Vec::new();
    if let Some(s) = &docs.summary {
        action.summary = Some(s.clone());
    }
    if let Some(d) = &docs.description {
        action.description = Some(d.clone());
    }
    for (path, text) in &docs.parameters {
        match parameter_slot(&mut action.parameters, path) {
            Some(slot) => *slot = Some(text.clone()),
            None => errors.push(unknown(file, "parameters", path, "parameter", &action.name)),
        }
    }
    for (path, text) in &docs.response {
        match field_slot(&mut action.response, path) {
            Some(slot) => *slot = Some(text.clone()),
            None => errors.push(unknown(
                file,
                "response",
                path,
                "response field",
                &action.name,
            )),
        }
    }
    for (code, text) in &docs.errors {
        match action.errors.iter_mut().find(|e| e.code == *code) {
            Some(e) => e.description = Some(text.clone()),
            None => errors.push(unknown(file, "errors", code, "error", &action.name)),
        }
    }
    errors
}

/// Applies the common overlay to every action that has the parameter or field and whose own
/// overlay did not describe it (`own` holds the actions' overlays by action name). A path no
/// action has is an error.
pub fn apply_common_docs(
    file: &Path,
    common: &ActionDocs,
    actions: &mut [Action],
    own: &BTreeMap<String, ActionDocs>,
) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for (key, entries) in [
        ("parameters", &common.parameters),
        ("response", &common.response),
    ] {
        for (path, text) in entries {
            let mut found = false;
            for action in actions.iter_mut() {
                let described = own.get(&action.name).is_some_and(|d| {
                    let own_entries = if key == "parameters" {
                        &d.parameters
                    } else {
                        &d.response
                    };
                    own_entries.contains_key(path)
                });
                let slot = if key == "parameters" {
                    parameter_slot(&mut action.parameters, path)
                } else {
                    field_slot(&mut action.response, path)
                };
                if let Some(slot) = slot {
                    found = true;
                    if !described {
                        *slot = Some(text.clone());
                    }
                }
            }
            if !found {
                errors.push(SpecError {
                    file: file.to_path_buf(),
                    location: ErrorLocation::Pointer(format!("/{key}/{}", escape(path))),
                    message: format!("no action has `{path}`"),
                });
            }
        }
    }
    errors
}

/// Every parameter path (`Name`, `Name.Sub`) of an action, in order.
pub fn parameter_paths(action: &Action) -> Vec<String> {
    let mut out = Vec::new();
    for p in &action.parameters {
        out.push(p.name.clone());
        paths_in(&p.ty, &p.name, &mut out);
    }
    out
}

/// Every response field path (`Data`, `Data.List`, `Data.List.CallDuration`) of an action.
pub fn response_paths(action: &Action) -> Vec<String> {
    let mut out = Vec::new();
    for f in &action.response {
        out.push(f.name.clone());
        paths_in(&f.ty, &f.name, &mut out);
    }
    out
}

fn paths_in(ty: &Type, prefix: &str, out: &mut Vec<String>) {
    if let Some(fields) = struct_fields(ty) {
        for f in fields {
            let path = format!("{prefix}.{}", f.name);
            out.push(path.clone());
            paths_in(&f.ty, &path, out);
        }
    }
}

/// The fields of a struct, seen through lists and maps.
fn struct_fields(ty: &Type) -> Option<&Vec<Field>> {
    match ty {
        Type::Struct { fields, .. } => Some(fields),
        Type::List { items: t } | Type::Map { values: t } => struct_fields(t),
        Type::Scalar { .. } => None,
    }
}

fn struct_fields_mut(ty: &mut Type) -> Option<&mut Vec<Field>> {
    match ty {
        Type::Struct { fields, .. } => Some(fields),
        Type::List { items: t } | Type::Map { values: t } => struct_fields_mut(t),
        Type::Scalar { .. } => None,
    }
}

fn parameter_slot<'a>(params: &'a mut [Parameter], path: &str) -> Option<&'a mut Option<String>> {
    let (head, rest) = split(path);
    let p = params.iter_mut().find(|p| p.name == head)?;
    match rest {
        None => Some(&mut p.description),
        Some(rest) => field_slot(struct_fields_mut(&mut p.ty)?, rest),
    }
}

fn field_slot<'a>(fields: &'a mut [Field], path: &str) -> Option<&'a mut Option<String>> {
    let (head, rest) = split(path);
    let f = fields.iter_mut().find(|f| f.name == head)?;
    match rest {
        None => Some(&mut f.description),
        Some(rest) => field_slot(struct_fields_mut(&mut f.ty)?, rest),
    }
}

fn split(path: &str) -> (&str, Option<&str>) {
    match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    }
}

fn unknown(file: &Path, key: &str, path: &str, what: &str, action: &str) -> SpecError {
    SpecError {
        file: file.to_path_buf(),
        location: ErrorLocation::Pointer(format!("/{key}/{}", escape(path))),
        message: format!("`{action}` has no {what} `{path}`"),
    }
}

fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
