//! `spec/areas.json`: the actions grouped by what they are about (agents, calls, tickets, …), in
//! the order a reader meets them. The crate docs list the actions by area; every action is in
//! exactly one.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::{Action, SpecError};

/// The areas file inside a spec directory. Optional: a spec without it has no areas.
pub const AREAS_FILE: &str = "areas.json";

/// One group of actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area {
    /// Lower-case identifier, e.g. `agents`: `[a-z]+`, unique.
    pub name: String,
    /// Heading shown to readers, e.g. `Agents`.
    pub title: String,
    /// One English sentence on what the area covers.
    pub summary: String,
    /// Action names, sorted.
    pub actions: Vec<String>,
}

/// Parses the areas file: `{"areas": [{"name", "title", "summary", "actions": [...]}, ...]}`.
pub fn parse_areas(file: &Path, text: &str) -> Result<Vec<Area>, Vec<SpecError>> {
    let value = crate::parse::parse_json(file, text)?;
    let mut errors = Vec::new();
    let mut err = |pointer, message| errors.push(SpecError::at(file, pointer, message));
    let list = match &value {
        Value::Object(map) => {
            for key in map.keys().filter(|k| *k != "areas") {
                err(
                    format!("/{key}"),
                    format!("unknown key `{key}` (known: areas)"),
                );
            }
            match map.get("areas") {
                Some(Value::Array(list)) => list.as_slice(),
                Some(_) => {
                    err("/areas".into(), "expected an array".into());
                    &[]
                }
                None => {
                    err(String::new(), "missing key `areas`".into());
                    &[]
                }
            }
        }
        _ => {
            err(String::new(), "expected an object".into());
            &[]
        }
    };
    let mut areas = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let here = format!("/areas/{i}");
        let Value::Object(map) = entry else {
            err(here, "expected an object".into());
            continue;
        };
        for key in map.keys() {
            if !["name", "title", "summary", "actions"].contains(&key.as_str()) {
                err(
                    format!("{here}/{key}"),
                    format!("unknown key `{key}` (known: name, title, summary, actions)"),
                );
            }
        }
        let mut text = |key: &str| match map.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(_) => {
                err(
                    format!("{here}/{key}"),
                    "expected a non-empty string".into(),
                );
                String::new()
            }
            None => {
                err(here.clone(), format!("missing key `{key}`"));
                String::new()
            }
        };
        let (name, title, summary) = (text("name"), text("title"), text("summary"));
        if !name.is_empty() && !name.bytes().all(|b| b.is_ascii_lowercase()) {
            err(
                format!("{here}/name"),
                format!("`{name}` is not a lower-case word (a-z only)"),
            );
        }
        let mut actions = Vec::new();
        match map.get("actions") {
            Some(Value::Array(names)) => {
                for (j, n) in names.iter().enumerate() {
                    match n {
                        Value::String(s) => actions.push(s.clone()),
                        _ => err(format!("{here}/actions/{j}"), "expected a string".into()),
                    }
                }
            }
            Some(_) => err(format!("{here}/actions"), "expected an array".into()),
            None => err(here.clone(), "missing key `actions`".into()),
        }
        if !actions.is_sorted() {
            err(format!("{here}/actions"), "not sorted by name".into());
        }
        areas.push(Area {
            name,
            title,
            summary,
            actions,
        });
    }
    if errors.is_empty() {
        Ok(areas)
    } else {
        Err(errors)
    }
}

/// Checks the areas against the actions: area names are unique, every name is an action, and
/// every action is in exactly one area.
pub fn check_areas(file: &Path, areas: &[Area], actions: &[Action]) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let mut err = |pointer, message| errors.push(SpecError::at(file, pointer, message));
    let mut names = BTreeMap::new();
    let mut placed: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, area) in areas.iter().enumerate() {
        if let Some(first) = names.insert(area.name.as_str(), i) {
            err(
                format!("/areas/{i}/name"),
                format!("area `{}` is also /areas/{first}", area.name),
            );
        }
        for (j, action) in area.actions.iter().enumerate() {
            let pointer = format!("/areas/{i}/actions/{j}");
            if !actions.iter().any(|a| &a.name == action) {
                err(pointer, format!("no action `{action}`"));
            } else if let Some(other) = placed.insert(action, &area.name) {
                err(
                    pointer,
                    format!("`{action}` is already in area `{other}`: an action has one area"),
                );
            }
        }
    }
    let missing: Vec<&str> = actions
        .iter()
        .map(|a| a.name.as_str())
        .filter(|a| !placed.contains_key(a))
        .collect();
    if !missing.is_empty() {
        err(
            "/areas".into(),
            format!("actions in no area: {}", missing.join(", ")),
        );
    }
    errors
}
