//! The English documentation overlays of `spec/docs/`: applied over the action files, complete
//! where promised, and refused when they name what an action does not have.

use std::path::{Path, PathBuf};

use ccc_spec::*;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// Prose that is still the source's Chinese rather than the project's English.
fn is_english(text: &str) -> bool {
    !text
        .chars()
        .any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

#[test]
fn every_action_has_a_one_line_english_summary() {
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.actions.len(), 253);
    let bad: Vec<_> = spec
        .actions
        .iter()
        .filter(|a| {
            a.summary
                .as_deref()
                .is_none_or(|s| s.trim().is_empty() || s.contains('\n') || !is_english(s))
        })
        .map(|a| a.name.as_str())
        .collect();
    assert!(bad.is_empty(), "no one-line English summary: {bad:?}");
}

/// Every parameter, response field path and error code of `action` without an English
/// description.
fn undocumented(action: &Action) -> Vec<String> {
    let mut missing = Vec::new();
    let mut check = |path: String, description: Option<&str>| {
        if description.is_none_or(|d| d.trim().is_empty() || !is_english(d)) {
            missing.push(path);
        }
    };
    fn walk(fields: &[Field], prefix: &str, check: &mut dyn FnMut(String, Option<&str>)) {
        for f in fields {
            let path = format!("{prefix}{}", f.name);
            check(path.clone(), f.description.as_deref());
            if let Some(inner) = fields_of(&f.ty) {
                walk(inner, &format!("{path}."), check);
            }
        }
    }
    for p in &action.parameters {
        check(p.name.clone(), p.description.as_deref());
        if let Some(inner) = fields_of(&p.ty) {
            walk(inner, &format!("{}.", p.name), &mut check);
        }
    }
    walk(&action.response, "", &mut check);
    // Every error the action documents says, in English, when it happens.
    for e in &action.errors {
        check(format!("error {}", e.code), e.description.as_deref());
    }
    missing
}

fn fields_of(ty: &Type) -> Option<&[Field]> {
    match ty {
        Type::Struct { fields, .. } => Some(fields),
        Type::List { items: t } | Type::Map { values: t } => fields_of(t),
        Type::Scalar { .. } => None,
    }
}

#[test]
fn every_action_describes_every_parameter_and_field_in_english() {
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let mut report = Vec::new();
    assert_eq!(spec.actions.len(), 253);
    for action in &spec.actions {
        let name = &action.name;
        assert!(
            action.description.as_deref().is_none_or(is_english),
            "{name}: description not in English"
        );
        let missing = undocumented(action);
        if !missing.is_empty() {
            report.push(format!("{name}: {}", missing.join(", ")));
        }
    }
    assert!(report.is_empty(), "undocumented:\n{}", report.join("\n"));
}

#[test]
fn the_overlay_replaces_the_action_files_prose() {
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let reset = spec.action("ResetAgentState").unwrap();
    let overlay_path = spec_dir().join(DOCS_DIR).join("ResetAgentState.json");
    let overlay = parse_docs(
        &overlay_path,
        &std::fs::read_to_string(&overlay_path).unwrap(),
        false,
    )
    .unwrap();
    assert_eq!(reset.summary, overlay.summary);
    let user_id = reset
        .parameters
        .iter()
        .find(|p| p.name == "UserId")
        .unwrap();
    assert_eq!(
        user_id.description.as_ref(),
        overlay.parameters.get("UserId")
    );
    // The action file itself still holds the source's prose: only the overlay changed it.
    let file = spec_dir().join(ACTIONS_DIR).join("ResetAgentState.json");
    let raw = parse_action(&file, &std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_ne!(raw.summary, reset.summary);
}

const ACTION: &str = r#"{
  "action": "Demo",
  "method": "POST",
  "idempotent": false,
  "parameters": [
    {"name": "InstanceId", "type": "String", "required": true, "in": "query"}
  ],
  "response": [
    {"name": "Data", "type": "Struct", "fields": [
      {"name": "List", "type": "List", "items": {"type": "Struct", "fields": [
        {"name": "CallDuration", "type": "Long"}
      ]}}
    ]}
  ],
  "errors": []
}"#;

/// A spec directory holding the product, the `Demo` action and the given overlays; returns
/// what `load_dir` makes of it.
fn load_with(overlays: &[(&str, &str)]) -> Result<Spec, SpecErrors> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ccc-spec-docs-{}-{n}", std::process::id()));
    std::fs::create_dir_all(dir.join(ACTIONS_DIR)).unwrap();
    std::fs::create_dir_all(dir.join(DOCS_DIR)).unwrap();
    std::fs::copy(spec_dir().join(PRODUCT_FILE), dir.join(PRODUCT_FILE)).unwrap();
    std::fs::write(dir.join(ACTIONS_DIR).join("Demo.json"), ACTION).unwrap();
    for (file, text) in overlays {
        std::fs::write(dir.join(DOCS_DIR).join(file), text).unwrap();
    }
    let out = load_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    out
}

#[test]
fn an_overlay_is_applied_by_wire_name_and_dotted_path() {
    let spec = load_with(&[
        (
            "Demo.json",
            r#"{"action": "Demo", "summary": "Does a demo.", "description": "More.",
                "parameters": {"InstanceId": "The instance."},
                "response": {"Data.List.CallDuration": "Seconds."}}"#,
        ),
        (
            COMMON_DOCS_FILE,
            r#"{"response": {"Data": "Shared.", "Data.List.CallDuration": "Not this."}}"#,
        ),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let demo = spec.action("Demo").unwrap();
    assert_eq!(demo.summary.as_deref(), Some("Does a demo."));
    assert_eq!(demo.description.as_deref(), Some("More."));
    assert_eq!(
        demo.parameters[0].description.as_deref(),
        Some("The instance.")
    );
    let data = &demo.response[0];
    assert_eq!(data.description.as_deref(), Some("Shared."));
    let Type::Struct { fields, .. } = &data.ty else {
        panic!()
    };
    let Type::List { items } = &fields[0].ty else {
        panic!()
    };
    let Type::Struct { fields: row, .. } = &**items else {
        panic!()
    };
    // The action's own overlay wins over the common one.
    assert_eq!(row[0].description.as_deref(), Some("Seconds."));
}

#[test]
fn names_the_action_lacks_are_refused_with_file_and_pointer() {
    let errors = load_with(&[
        (
            "Demo.json",
            r#"{"action": "Demo", "summary": "Does a demo.",
                "parameters": {"UserId": "x", "InstanceId": "ok"},
                "response": {"Data.List.Duration": "x", "Data.Lists": "x"},
                "errors": {"NotExists.Demo": "x"}}"#,
        ),
        (
            "Gone.json",
            r#"{"action": "Gone", "summary": "Was removed."}"#,
        ),
        (
            "Other.json",
            r#"{"action": "Demo", "summary": "Misfiled."}"#,
        ),
        (COMMON_DOCS_FILE, r#"{"parameters": {"a/b": "x"}}"#),
    ])
    .unwrap_err();
    let text = errors.to_string();
    for expected in [
        "Demo.json: at /parameters/UserId: `Demo` has no parameter `UserId`",
        "Demo.json: at /response/Data.List.Duration: `Demo` has no response field `Data.List.Duration`",
        "Demo.json: at /response/Data.Lists: `Demo` has no response field `Data.Lists`",
        "Demo.json: at /errors/NotExists.Demo: `Demo` has no error `NotExists.Demo`",
        "Gone.json: at /action: no action is named `Gone`",
        "Other.json: at /action: `action` is `Demo` but the file is named",
        "_common.json: at /parameters/a~1b: no action has `a/b`",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(errors.0.len(), 7, "{text}");
}

#[test]
fn a_malformed_overlay_is_refused_with_file_and_pointer() {
    let errors = load_with(&[
        (
            "Demo.json",
            r#"{"action": "Demo", "summary": "Two\nlines.", "sumary": "typo",
                "parameters": {"InstanceId": 3}, "response": {"Data": "`OK` or not"}}"#,
        ),
        (COMMON_DOCS_FILE, r#"{"summary": "not here"}"#),
        ("Bad.json", "{"),
    ])
    .unwrap_err();
    let text = errors.to_string();
    for expected in [
        "Demo.json: at /summary: a summary is one line",
        "Demo.json: at /sumary: unknown key `sumary`",
        "Demo.json: at /parameters/InstanceId: expected a non-empty string",
        "Demo.json: at /response/Data: a description cannot start with a backtick",
        "_common.json: at /summary: unknown key `summary`",
        "Bad.json:1:1: bad JSON",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// Every described parameter and response field of the spec, with its path, the type it holds
/// (a list's items, a map's values) and its example.
fn described_places(spec: &Spec) -> Vec<(String, Type, Option<String>, String)> {
    fn inner(mut ty: &Type) -> &Type {
        while let Type::List { items: t } | Type::Map { values: t } = ty {
            ty = t;
        }
        ty
    }
    fn walk(fields: &[Field], prefix: &str, out: &mut Vec<(String, Type, Option<String>, String)>) {
        for f in fields {
            let path = format!("{prefix}{}", f.name);
            if let Some(d) = &f.description {
                out.push((
                    path.clone(),
                    inner(&f.ty).clone(),
                    f.example.clone(),
                    d.clone(),
                ));
            }
            if let Some(inner) = fields_of(&f.ty) {
                walk(inner, &format!("{path}."), out);
            }
        }
    }
    let mut out = Vec::new();
    for a in &spec.actions {
        let mut places = Vec::new();
        for p in &a.parameters {
            if let Some(d) = &p.description {
                places.push((
                    p.name.clone(),
                    inner(&p.ty).clone(),
                    p.example.clone(),
                    d.clone(),
                ));
            }
            if let Some(fields) = fields_of(&p.ty) {
                walk(fields, &format!("{}.", p.name), &mut places);
            }
        }
        walk(&a.response, "", &mut places);
        out.extend(
            places
                .into_iter()
                .map(|(path, ty, ex, d)| (format!("{}: {path}", a.name), ty, ex, d)),
        );
    }
    out
}

/// The last name of a dotted path.
fn last_name(path: &str) -> &str {
    path.rsplit(['.', ' ']).next().unwrap_or(path)
}

/// A name that holds a moment or a length of time.
fn names_a_time(name: &str) -> bool {
    [
        "Time",
        "Timestamp",
        "TimeStamp",
        "Duration",
        "Seconds",
        "Expires",
        "Datetime",
    ]
    .iter()
    .any(|end| name.ends_with(end))
}

/// Durations and moments say their unit where their sources give it: a moment whose example is
/// a 13-digit number is in milliseconds since the Unix epoch, a name ending in `Seconds` is in
/// seconds, and a number the service sends as a string says so.
#[test]
fn times_and_durations_say_their_unit_and_numbers_in_strings_say_so() {
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let mut bad = Vec::new();
    for (place, ty, example, description) in described_places(&spec) {
        let name = last_name(&place);
        if !names_a_time(name) {
            continue;
        }
        let example = example.as_deref().map(str::trim);
        let epoch_ms = example.is_some_and(|e| {
            e.len() == 13 && e.starts_with('1') && e.bytes().all(|b| b.is_ascii_digit())
        });
        if epoch_ms && !description.contains("milliseconds since the Unix epoch") {
            bad.push(format!(
                "{place}: a moment in milliseconds since the Unix epoch: {description}"
            ));
        }
        if name.ends_with("Seconds") && !description.contains("in seconds") {
            bad.push(format!("{place}: a number of seconds: {description}"));
        }
        let numeric = example.is_none_or(|e| e.parse::<f64>().is_ok());
        if matches!(
            ty,
            Type::Scalar {
                scalar: Scalar::String,
                enumeration: None
            }
        ) && numeric
            && !description.contains("a number in a string")
        {
            bad.push(format!("{place}: a number sent as a string: {description}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The words of an action's name, lower case and without a plural `s`: `ListTickets` gives
/// `list`, `ticket`.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        if c.is_uppercase() && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c.to_ascii_lowercase());
    }
    words.push(word);
    words.into_iter().map(|w| stem(&w)).collect()
}

fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    match w.strip_suffix('s') {
        Some(base) if base.len() > 2 && !base.ends_with('s') => base.to_string(),
        _ => w,
    }
}

/// Whether a summary says something its action's name does not: a word beyond the name's own
/// words and the small words of English.
fn says_more_than_the_name(action: &str, summary: &str) -> bool {
    const SMALL: &[&str] = &[
        "a", "an", "the", "of", "to", "in", "on", "for", "by", "and", "or", "its", "it",
    ];
    let name = name_words(action);
    summary
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(stem)
        .any(|w| !SMALL.contains(&w.as_str()) && !name.contains(&w))
}

#[test]
fn a_summary_says_more_than_the_actions_name() {
    assert!(!says_more_than_the_name("ListTickets", "Lists tickets."));
    assert!(!says_more_than_the_name("GetUser", "Gets the user."));
    assert!(says_more_than_the_name(
        "ListTickets",
        "Lists the tickets of an instance, filtered by state."
    ));
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let thin: Vec<String> = spec
        .actions
        .iter()
        .filter(|a| !says_more_than_the_name(&a.name, a.summary.as_deref().unwrap_or_default()))
        .map(|a| format!("{}: {:?}", a.name, a.summary))
        .collect();
    assert!(
        thin.is_empty(),
        "summaries that only repeat the name:\n{}",
        thin.join("\n")
    );
}
