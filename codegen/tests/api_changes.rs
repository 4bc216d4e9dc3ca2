//! The API change report on pairs of spec states: the zoo fixture, and the zoo with one known
//! difference of each kind. Each pair's report is a snapshot; the kinds and classes are asserted
//! too, so that a snapshot accepted in a hurry cannot hide a wrong verdict.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ccc_spec::Spec;
use codegen::api_changes::{ApiChanges, Class, Kind, compare};
use serde_json::{Value, json};

/// A spec as its files: `product.json` and `actions/<Action>.json`, parsed.
type Files = BTreeMap<String, Value>;

fn zoo() -> Files {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
    let mut files = Files::new();
    let read = |path: PathBuf| -> Value {
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    files.insert("product.json".into(), read(dir.join("product.json")));
    for entry in std::fs::read_dir(dir.join("actions")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        files.insert(format!("actions/{name}"), read(path));
    }
    files
}

/// Loads the files as `ccc_spec::load_dir` would (without areas, which are not API), refusing
/// any spec the loader refuses.
fn load(files: &Files) -> Spec {
    let product_path = Path::new("product.json");
    let product_text = serde_json::to_string_pretty(&files["product.json"]).unwrap();
    let product = ccc_spec::parse_product(product_path, &product_text).unwrap();
    let mut errors = ccc_spec::check_product(product_path, &product);
    let sources: Vec<(PathBuf, String)> = files
        .iter()
        .filter(|(name, _)| name.starts_with("actions/"))
        .map(|(name, v)| {
            (
                PathBuf::from(name),
                serde_json::to_string_pretty(v).unwrap(),
            )
        })
        .collect();
    let spec = ccc_spec::load_sources(Some(product), &sources, &mut errors);
    assert!(
        errors.is_empty(),
        "the edited spec does not load: {errors:?}"
    );
    spec.unwrap()
}

/// The changes from the zoo to the zoo edited by `edit`.
fn changes(edit: impl FnOnce(&mut Files)) -> ApiChanges {
    let before = zoo();
    let mut after = before.clone();
    edit(&mut after);
    compare(&load(&before), &load(&after)).unwrap_or_else(|e| panic!("{e}"))
}

/// The changes from the zoo edited by `edit` back to the zoo: the reverse of [`changes`].
fn reverse(edit: impl FnOnce(&mut Files)) -> ApiChanges {
    let after = zoo();
    let mut before = after.clone();
    edit(&mut before);
    compare(&load(&before), &load(&after)).unwrap_or_else(|e| panic!("{e}"))
}

fn kinds(c: &ApiChanges) -> Vec<(Kind, Class)> {
    c.changes.iter().map(|c| (c.kind, c.class)).collect()
}

/// Asserts the kinds and classes, then snapshots the text report.
fn check(name: &str, c: &ApiChanges, expected: &[(Kind, Class)]) {
    assert_eq!(kinds(c), expected, "{name}:\n{}", c.text("0.1.0"));
    insta::assert_snapshot!(name, c.text("0.1.0"));
}

fn action<'a>(files: &'a mut Files, name: &str) -> &'a mut Value {
    files.get_mut(&format!("actions/{name}.json")).unwrap()
}

fn param<'a>(files: &'a mut Files, action_name: &str, param: &str) -> &'a mut Value {
    action(files, action_name)["parameters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == param)
        .unwrap()
}

fn remove_named(list: &mut Value, name: &str) {
    let list = list.as_array_mut().unwrap();
    let before = list.len();
    list.retain(|v| v["name"] != name && v["code"] != name && v["value"] != name);
    assert_eq!(list.len() + 1, before, "no one item named {name}");
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut().unwrap().push(item);
}

use Class::{Additive, Breaking, Compatible};

#[test]
fn no_change() {
    let c = changes(|_| {});
    check("no_change", &c, &[]);
    assert!(c.documentation_only.is_empty());
}

#[test]
fn documentation_only_changes_are_counted_not_listed() {
    let c = changes(|f| {
        action(f, "ListThings")["summary"] = json!("Lists things, a page at a time.");
        param(f, "CreateWidget", "WidgetName")["example"] = json!("w-2");
    });
    check("documentation_only", &c, &[]);
    assert_eq!(c.documentation_only, ["CreateWidget", "ListThings"]);
}

fn gizmo(f: &mut Files) {
    let mut a = f["actions/LegacyPing.json"].clone();
    a["action"] = json!("GetGizmo");
    a.as_object_mut().unwrap().remove("deprecated");
    f.insert("actions/GetGizmo.json".into(), a);
}

#[test]
fn action_added() {
    check(
        "action_added",
        &changes(gizmo),
        &[(Kind::ActionAdded, Additive)],
    );
}

#[test]
fn action_removed() {
    check(
        "action_removed",
        &reverse(gizmo),
        &[(Kind::ActionRemoved, Breaking)],
    );
}

#[test]
fn http_method_idempotence_and_deprecation() {
    let c = changes(|f| {
        action(f, "ListThings")["method"] = json!("POST");
        action(f, "ListThings")["idempotent"] = json!(false);
        action(f, "LegacyPing")["deprecated"] = json!(false);
    });
    check(
        "method_idempotence_deprecation",
        &c,
        &[
            (Kind::DeprecationChanged, Compatible),
            (Kind::HttpMethodChanged, Compatible),
            (Kind::IdempotenceChanged, Compatible),
        ],
    );
}

/// ListNotes pages by `NextPageToken`; without that parameter it does not.
fn no_page_token(f: &mut Files) {
    remove_named(&mut action(f, "ListNotes")["parameters"], "NextPageToken");
}

#[test]
fn paginator_removed() {
    check(
        "paginator_removed",
        &changes(no_page_token),
        &[
            (Kind::PaginatorRemoved, Breaking),
            (Kind::ParameterRemoved, Breaking),
        ],
    );
}

#[test]
fn paginator_added() {
    check(
        "paginator_added",
        &reverse(no_page_token),
        &[
            (Kind::PaginatorAdded, Additive),
            (Kind::ParameterAdded, Additive),
        ],
    );
}

#[test]
fn parameters_added() {
    let c = changes(|f| {
        let params = &mut action(f, "CreateWidget")["parameters"];
        push(
            params,
            json!({"name": "Shade", "type": "String", "enum": "Color", "in": "query"}),
        );
        push(
            params,
            json!({"name": "Region", "type": "String", "required": true, "in": "query"}),
        );
    });
    check(
        "parameters_added",
        &c,
        &[
            (Kind::ParameterAdded, Additive),
            (Kind::ParameterAdded, Breaking),
        ],
    );
}

#[test]
fn parameter_removed() {
    let c = changes(|f| remove_named(&mut action(f, "CreateWidget")["parameters"], "Match"));
    check(
        "parameter_removed",
        &c,
        &[(Kind::ParameterRemoved, Breaking)],
    );
}

#[test]
fn parameter_renamed() {
    // `Self` is the only optional Integer of CreateWidget: one removed, one added, alike.
    let c = changes(|f| param(f, "CreateWidget", "Self")["name"] = json!("Count"));
    check(
        "parameter_renamed",
        &c,
        &[(Kind::ParameterRenamed, Breaking)],
    );
}

#[test]
fn parameter_wire_name_changed() {
    // Both spellings are `widget_name` in Rust.
    let c = changes(|f| param(f, "CreateWidget", "WidgetName")["name"] = json!("WidgetNAME"));
    check(
        "parameter_wire_name_changed",
        &c,
        &[(Kind::ParameterWireNameChanged, Compatible)],
    );
}

#[test]
fn parameters_made_required_and_optional() {
    let c = changes(|f| {
        param(f, "CreateWidget", "Match")["required"] = json!(true);
        param(f, "CreateWidget", "WidgetName")["required"] = json!(false);
    });
    check(
        "parameters_made_required_and_optional",
        &c,
        &[
            (Kind::ParameterMadeRequired, Breaking),
            (Kind::ParameterMadeOptional, Breaking),
        ],
    );
}

#[test]
fn parameter_retyped() {
    let c = changes(|f| param(f, "CreateWidget", "Self")["type"] = json!("Long"));
    check(
        "parameter_retyped",
        &c,
        &[(Kind::ParameterRetyped, Breaking)],
    );
}

#[test]
fn parameter_location_range_and_redaction() {
    let c = changes(|f| {
        param(f, "ListThings", "PageSize")["in"] = json!("body");
        param(f, "ListThings", "PageSize")["range"]["from"] = json!("definition");
        param(f, "CreateWidget", "Password")["sensitive"] = json!(false);
    });
    check(
        "parameter_location_range_and_redaction",
        &c,
        &[
            (Kind::RedactionChanged, Compatible),
            (Kind::ParameterLocationChanged, Compatible),
            (Kind::ParameterRangeChanged, Compatible),
        ],
    );
}

#[test]
fn parameter_encoding_changed() {
    let c = changes(|f| param(f, "CreateWidget", "Tags")["style"] = json!("json"));
    check(
        "parameter_encoding_changed",
        &c,
        &[(Kind::ParameterEncodingChanged, Breaking)],
    );
}

#[test]
fn request_struct_fields() {
    // A request struct is built with `default()` and setters: a new field is additive.
    let c = changes(|f| {
        let fields = &mut param(f, "ListThings", "Filter")["fields"];
        push(fields, json!({"name": "Size", "type": "Integer"}));
        remove_named(fields, "Names");
    });
    check(
        "request_struct_fields",
        &c,
        &[(Kind::FieldRemoved, Breaking), (Kind::FieldAdded, Additive)],
    );
}

fn thing_fields(f: &mut Files) -> &mut Value {
    let things = action(f, "ListThings")["response"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["name"] == "Things")
        .unwrap();
    &mut things["items"]["fields"]
}

#[test]
fn response_field_added() {
    let c = changes(|f| push(thing_fields(f), json!({"name": "Height", "type": "Double"})));
    check("response_field_added", &c, &[(Kind::FieldAdded, Additive)]);
}

#[test]
fn response_field_removed() {
    let c = changes(|f| remove_named(&mut action(f, "ListThings")["response"], "Raw"));
    check(
        "response_field_removed",
        &c,
        &[(Kind::FieldRemoved, Breaking)],
    );
}

#[test]
fn response_field_retyped() {
    let c = changes(|f| {
        let weight = thing_fields(f)
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|x| x["name"] == "Weight")
            .unwrap();
        weight["type"] = json!("Double");
    });
    check(
        "response_field_retyped",
        &c,
        &[(Kind::FieldRetyped, Breaking)],
    );
}

#[test]
fn error_codes_added_and_removed() {
    let c = changes(|f| {
        let errors = &mut action(f, "CreateWidget")["errors"];
        remove_named(errors, "Quota.Exceeded");
        push(
            errors,
            json!({"httpStatus": 423, "code": "Widget.Locked", "message": "Locked."}),
        );
    });
    // The action's error enum and the product-wide `ErrorCode` both change.
    check(
        "error_codes",
        &c,
        &[
            (Kind::ErrorCodeAdded, Additive),
            (Kind::ErrorCodeRemoved, Breaking),
            (Kind::ErrorCodeAdded, Additive),
            (Kind::ErrorCodeRemoved, Breaking),
        ],
    );
}

#[test]
fn enumeration_values_added_and_removed() {
    let c = changes(|f| {
        push(
            &mut f.get_mut("product.json").unwrap()["enums"][0]["values"],
            json!({"value": "GREEN"}),
        );
        remove_named(
            &mut action(f, "CreateWidget")["enums"][0]["values"],
            "LARGE",
        );
    });
    check(
        "enumeration_values",
        &c,
        &[
            (Kind::EnumValueRemoved, Breaking),
            (Kind::EnumValueAdded, Additive),
        ],
    );
}

fn sizes(f: &mut Files) {
    push(
        &mut f.get_mut("product.json").unwrap()["enums"],
        json!({"name": "Size", "values": [{"value": "S"}, {"value": "M"}]}),
    );
}

#[test]
fn enumeration_added() {
    check(
        "enumeration_added",
        &changes(sizes),
        &[(Kind::EnumAdded, Additive)],
    );
}

#[test]
fn enumeration_removed() {
    check(
        "enumeration_removed",
        &reverse(sizes),
        &[(Kind::EnumRemoved, Breaking)],
    );
}

fn labels(f: &mut Files) {
    push(
        &mut f.get_mut("product.json").unwrap()["structs"],
        json!({"name": "Label", "fields": [{"name": "Text", "type": "String"}]}),
    );
}

#[test]
fn shared_struct_added_and_removed() {
    check(
        "shared_struct_added",
        &changes(labels),
        &[(Kind::StructAdded, Additive)],
    );
    check(
        "shared_struct_removed",
        &reverse(labels),
        &[(Kind::StructRemoved, Breaking)],
    );
}

#[test]
fn shared_struct_field_added() {
    let c = changes(|f| {
        let owner = f.get_mut("product.json").unwrap()["structs"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|s| s["name"] == "Owner")
            .unwrap();
        push(
            &mut owner["fields"],
            json!({"name": "Since", "type": "Long"}),
        );
    });
    check(
        "shared_struct_field_added",
        &c,
        &[(Kind::FieldAdded, Additive)],
    );
}

#[test]
fn markdown_groups_by_class_then_action() {
    let c = changes(|f| {
        remove_named(&mut action(f, "ListThings")["response"], "Raw");
        push(thing_fields(f), json!({"name": "Height", "type": "Double"}));
        action(f, "ListThings")["idempotent"] = json!(false);
        remove_named(&mut action(f, "CreateWidget")["parameters"], "Match");
        action(f, "ListNotes")["summary"] = json!("Other words.");
    });
    insta::assert_snapshot!("markdown", c.markdown("0.1.0"));
    insta::assert_snapshot!("markdown_after_1_0", c.markdown("1.4.2"));
}
