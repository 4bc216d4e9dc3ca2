//! `spec/areas.json`: every action in exactly one area, and mistakes in the file refused with
//! the file and a pointer.

use std::path::{Path, PathBuf};

use ccc_spec::*;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

#[test]
fn every_action_of_the_spec_is_in_exactly_one_area() {
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert!(spec.areas.len() >= 10, "{} areas", spec.areas.len());
    let listed: usize = spec.areas.iter().map(|a| a.actions.len()).sum();
    assert_eq!(listed, spec.actions.len());
    for action in &spec.actions {
        assert!(spec.area_of(&action.name).is_some(), "{}", action.name);
    }
    assert_eq!(spec.area_of("ResetAgentState").unwrap().name, "agents");
    assert_eq!(spec.area_of("MakeCall").unwrap().name, "calls");
    assert_eq!(spec.area_of("ListTickets").unwrap().name, "tickets");
}

fn action(name: &str) -> Action {
    let text = format!(
        r#"{{"action": "{name}", "method": "POST", "idempotent": false, "parameters": [],
            "response": [], "errors": []}}"#
    );
    parse_action(Path::new(&format!("{name}.json")), &text).unwrap()
}

fn check(text: &str) -> Vec<String> {
    let file = Path::new("areas.json");
    let actions = [action("GetUser"), action("MakeCall"), action("ListUsers")];
    match parse_areas(file, text) {
        Ok(areas) => check_areas(file, &areas, &actions),
        Err(errors) => errors,
    }
    .iter()
    .map(ToString::to_string)
    .collect()
}

#[test]
fn a_complete_file_is_accepted() {
    let errors = check(
        r#"{"areas": [
            {"name": "users", "title": "Users", "summary": "Users.", "actions": ["GetUser", "ListUsers"]},
            {"name": "calls", "title": "Calls", "summary": "Calls.", "actions": ["MakeCall"]}
        ]}"#,
    );
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn an_action_in_two_areas_in_none_or_unknown_is_refused() {
    let errors = check(
        r#"{"areas": [
            {"name": "users", "title": "Users", "summary": "Users.", "actions": ["GetUser", "MakeCalls"]},
            {"name": "calls", "title": "Calls", "summary": "Calls.", "actions": ["GetUser"]}
        ]}"#,
    );
    assert_eq!(
        errors,
        [
            "areas.json: at /areas/0/actions/1: no action `MakeCalls`",
            "areas.json: at /areas/1/actions/0: `GetUser` is already in area `users`: an action has one area",
            "areas.json: at /areas: actions in no area: MakeCall, ListUsers",
        ]
    );
}

#[test]
fn malformed_entries_are_refused_with_their_pointer() {
    let errors = check(
        r#"{"areas": [
            {"name": "Users", "title": "", "summary": "Users.", "actions": ["ListUsers", "GetUser"], "x": 1},
            {"name": "users", "title": "Calls", "summary": "Calls.", "actions": ["MakeCall"]}
        ], "extra": true}"#,
    );
    assert_eq!(
        errors,
        [
            "areas.json: at /extra: unknown key `extra` (known: areas)",
            "areas.json: at /areas/0/x: unknown key `x` (known: name, title, summary, actions)",
            "areas.json: at /areas/0/title: expected a non-empty string",
            "areas.json: at /areas/0/name: `Users` is not a lower-case word (a-z only)",
            "areas.json: at /areas/0/actions: not sorted by name",
        ]
    );
    let errors = check(
        r#"{"areas": [{"name": "a", "title": "A", "summary": "A.", "actions": []}, {"name": "a", "title": "B", "summary": "B.", "actions": ["GetUser", "ListUsers", "MakeCall"]}]}"#,
    );
    assert_eq!(
        errors,
        ["areas.json: at /areas/1/name: area `a` is also /areas/0"]
    );
}
