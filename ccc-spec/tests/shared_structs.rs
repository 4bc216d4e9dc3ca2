//! Structs shared by actions: declared once in `product.json`, referred to by name, filled in on
//! load; unknown names, inline copies, cycles and misplaced references are refused; the
//! `plainStrings` override is checked against the actions.

use std::path::{Path, PathBuf};

use ccc_spec::*;

const PRODUCT: &str = r#"{
  "product": "CCC",
  "version": "2020-07-01",
  "style": "RPC",
  "docUrl": "https://example.invalid/{action}",
  "regionalEndpoint": "ccc.{region}.example.invalid",
  "endpoints": {},
  "errors": [],
  "enums": [
    {"name": "UserState", "values": [{"value": "READY"}, {"value": "BREAK"}]}
  ],
  "structs": [
    {"name": "CallContext", "fields": [
      {"name": "JobId", "type": "String", "example": "job-1"},
      {"name": "Channels", "type": "List", "items": {"type": "Struct", "struct": "Channel"}}
    ]},
    {"name": "Channel", "fields": [
      {"name": "ChannelId", "type": "String"},
      {"name": "State", "type": "String", "enum": "UserState"}
    ]},
    {"name": "Level", "request": true, "fields": [
      {"name": "groupId", "type": "String"},
      {"name": "level", "type": "Integer"}
    ]}
  ],
  "plainStrings": ["Demo: response Data.UserState"]
}"#;

fn action(response: &str) -> String {
    format!(
        r#"{{"action": "Demo", "method": "POST", "idempotent": false, "parameters": [],
            "response": {response}, "errors": []}}"#
    )
}

const GOOD_RESPONSE: &str = r#"[
  {"name": "Data", "type": "Struct", "fields": [
    {"name": "CallContext", "type": "Struct", "struct": "CallContext"},
    {"name": "UserState", "type": "String"}
  ]}
]"#;

/// A spec folder under the temp dir with `files` (path → text), removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(label: &str, files: &[(&str, &str)]) -> Dir {
        let dir =
            std::env::temp_dir().join(format!("ccc-spec-shared-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn load(label: &str, product: &str, demo: &str) -> Result<Spec, String> {
    let dir = Dir::new(
        label,
        &[("product.json", product), ("actions/Demo.json", demo)],
    );
    load_dir(&dir.0).map_err(|e| e.to_string())
}

fn errors_of(demo: &str) -> String {
    let path = Path::new("actions/Demo.json");
    let product = parse_product(Path::new("product.json"), PRODUCT).unwrap();
    match parse_action(path, demo) {
        Ok(a) => check_action(path, &product, &a)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => e
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn a_reference_is_filled_in_on_load_and_written_back_as_a_reference() {
    let text = action(GOOD_RESPONSE);
    let spec = load("good", PRODUCT, &text).unwrap();
    let data = &spec.actions[0].response[0].ty;
    let Type::Struct { fields, .. } = data else {
        panic!("Data is a struct")
    };
    let call = &fields[0].ty;
    assert_eq!(
        fingerprint(call),
        "{Channels:[{ChannelId:String,State:String<UserState>}],JobId:String}"
    );
    assert_eq!(
        spec.product.shared_struct(call).map(|s| s.name.as_str()),
        Some("CallContext")
    );
    // The product's structs are filled in too, and keep their examples.
    let product_call = spec.product.struct_named("CallContext").unwrap();
    assert_eq!(fields_fingerprint(&product_call.fields), fingerprint(call));
    assert_eq!(product_call.fields[0].example.as_deref(), Some("job-1"));

    // As parsed, the reference is a name; the writer writes it back as one.
    let parsed = parse_action(Path::new("actions/Demo.json"), &text).unwrap();
    let written = action_to_json(&parsed);
    assert!(
        written.contains("\"struct\": \"CallContext\"") && !written.contains("\"fields\": []"),
        "{written}"
    );
    assert_eq!(
        parse_action(Path::new("actions/Demo.json"), &written).unwrap(),
        parsed
    );
    // And the product file's canonical text reads back the same.
    let product = parse_product(Path::new("product.json"), PRODUCT).unwrap();
    let again = parse_product(Path::new("product.json"), &product_to_json(&product)).unwrap();
    assert_eq!(again, product);
}

#[test]
fn an_unknown_struct_is_refused_with_its_pointer() {
    let text =
        action(&GOOD_RESPONSE.replace("\"struct\": \"CallContext\"", "\"struct\": \"Nope\""));
    assert_eq!(
        errors_of(&text),
        "actions/Demo.json: at /response/0/fields/0/struct: unknown struct `Nope` (declare it \
         under `structs` of the product)"
    );
}

#[test]
fn a_second_shape_under_a_shared_name_is_refused() {
    let text = action(
        r#"[{"name": "CallContext", "type": "Struct", "typeName": "CallContext", "fields": [
              {"name": "JobId", "type": "String"}]}]"#,
    );
    let errors = errors_of(&text);
    assert!(
        errors.starts_with(
            "actions/Demo.json: at /response/0/typeName: `CallContext` is the name of a shared struct"
        ),
        "{errors}"
    );
}

#[test]
fn a_shared_struct_is_sent_or_received_not_both() {
    let text = r#"{"action": "Demo", "method": "POST", "idempotent": false,
        "parameters": [
          {"name": "Call", "type": "Struct", "struct": "CallContext", "in": "query"},
          {"name": "Levels", "type": "List", "items": {"type": "Struct", "struct": "Level"},
           "in": "query", "style": "json"}
        ],
        "response": [{"name": "Level", "type": "Struct", "struct": "Level"}], "errors": []}"#;
    let errors = errors_of(text);
    assert!(
        errors.contains(
            "at /parameters/0/struct: `CallContext` is a response struct, and a request cannot \
             hold it"
        ),
        "{errors}"
    );
    assert!(
        errors.contains(
            "at /response/0/struct: `Level` is a request struct (`request`), and a response \
             cannot hold it"
        ),
        "{errors}"
    );
    assert!(!errors.contains("/parameters/1"), "{errors}");
    // A request struct of the product is written back with its flag.
    let product = parse_product(Path::new("product.json"), PRODUCT).unwrap();
    assert!(product.struct_named("Level").unwrap().request);
    assert!(!product.struct_named("Channel").unwrap().request);
    assert!(product_to_json(&product).contains("\"name\": \"Level\",\n      \"request\": true,"));
}

#[test]
fn a_reference_carries_nothing_else_and_an_empty_struct_no_name() {
    let text = action(
        r#"[{"name": "A", "type": "Struct", "struct": "CallContext", "fields": []},
            {"name": "B", "type": "Struct", "typeName": "Named", "fields": []}]"#,
    );
    let errors = errors_of(&text);
    assert!(
        errors.contains("at /response/0/fields: `fields` does not go with `struct`"),
        "{errors}"
    );
    assert!(
        errors.contains("at /response/1/typeName: a struct with no fields needs no `typeName`"),
        "{errors}"
    );
}

#[test]
fn product_structs_are_checked() {
    let product = PRODUCT.replace(
        r#"{"name": "ChannelId", "type": "String"},"#,
        r#"{"name": "ChannelId", "type": "String"},
               {"name": "Back", "type": "Struct", "struct": "CallContext"},
               {"name": "Inline", "type": "Struct", "fields": []},"#,
    );
    let parsed = parse_product(Path::new("product.json"), &product).unwrap();
    let errors: Vec<String> = check_product(Path::new("product.json"), &parsed)
        .iter()
        .map(ToString::to_string)
        .collect();
    let text = errors.join("\n");
    assert!(
        text.contains(
            "at /structs/0/name: struct `CallContext` holds itself: CallContext → Channel → CallContext"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "at /structs/1/fields/2/fields: a struct inside a shared struct is shared too"
        ),
        "{text}"
    );

    let twice = PRODUCT.replace(r#"{"name": "Channel","#, r#"{"name": "CallContext","#);
    let parsed = parse_product(Path::new("product.json"), &twice).unwrap();
    let text: Vec<String> = check_product(Path::new("product.json"), &parsed)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        text.iter()
            .any(|e| e.contains("at /structs/1/name: duplicate struct `CallContext`")),
        "{text:?}"
    );
    let reserved = PRODUCT
        .replace(r#"{"name": "Channel","#, r#"{"name": "Value","#)
        .replace(r#""struct": "Channel""#, r#""struct": "Value""#);
    let parsed = parse_product(Path::new("product.json"), &reserved).unwrap();
    let text: Vec<String> = check_product(Path::new("product.json"), &parsed)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        text,
        ["product.json: at /structs/1/name: `Value` is already the name of a type in `types`"]
    );
    let clash = PRODUCT.replace(r#"{"name": "Channel","#, r#"{"name": "UserState","#);
    let parsed = parse_product(Path::new("product.json"), &clash).unwrap();
    let text: Vec<String> = check_product(Path::new("product.json"), &parsed)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        text.iter()
            .any(|e| e.contains("`UserState` is already the name of a type in `types`")),
        "{text:?}"
    );
}

#[test]
fn a_plain_string_entry_must_name_a_plain_string() {
    // The committed form passes: Data.UserState is a String without an enumeration.
    assert!(load("plain-ok", PRODUCT, &action(GOOD_RESPONSE)).is_ok());
    // An enumeration where the product keeps the string plain is a contradiction.
    let enumerated = GOOD_RESPONSE.replace(
        r#"{"name": "UserState", "type": "String"}"#,
        r#"{"name": "UserState", "type": "String", "enum": "UserState"}"#,
    );
    let err = load("plain-enum", PRODUCT, &action(&enumerated)).unwrap_err();
    assert!(
        err.contains("product.json: at /plainStrings/0: `Demo` gives `response Data.UserState` the enumeration `UserState`"),
        "{err}"
    );
    let missing = PRODUCT.replace("Data.UserState", "Data.Nothing");
    let err = load("plain-missing", &missing, &action(GOOD_RESPONSE)).unwrap_err();
    assert!(
        err.contains("/plainStrings/0: `Demo` has no `response Data.Nothing`"),
        "{err}"
    );
}

#[test]
fn a_shared_fields_doc_is_the_text_the_overlays_give_most_often() {
    let two = |name: &str| action(GOOD_RESPONSE).replace("\"Demo\"", &format!("\"{name}\""));
    let product = PRODUCT.replace("Demo: response", "A: response");
    let dir = Dir::new(
        "docs",
        &[
            ("product.json", &product),
            ("actions/A.json", &two("A")),
            ("actions/B.json", &two("B")),
            ("actions/C.json", &two("C")),
            (
                "docs/A.json",
                r#"{"action": "A", "summary": "A.", "response": {
                    "Data.CallContext.JobId": "Only A says this."}}"#,
            ),
            ("docs/B.json", r#"{"action": "B", "summary": "B."}"#),
            ("docs/C.json", r#"{"action": "C", "summary": "C."}"#),
            (
                "docs/_common.json",
                r#"{"response": {"Data.CallContext.JobId": "Id of the call.",
                    "Data.CallContext.Channels.ChannelId": "Id of the channel."}}"#,
            ),
        ],
    );
    let spec = load_dir(&dir.0).unwrap_or_else(|e| panic!("{e}"));
    let call = spec.product.struct_named("CallContext").unwrap();
    assert_eq!(
        call.fields[0].description.as_deref(),
        Some("Id of the call.")
    );
    let channel = spec.product.struct_named("Channel").unwrap();
    assert_eq!(
        channel.fields[0].description.as_deref(),
        Some("Id of the channel.")
    );
    // Each action's copy keeps what its overlays say.
    let a = spec.action("A").unwrap();
    let Type::Struct { fields, .. } = &a.response[0].ty else {
        panic!()
    };
    let Type::Struct { fields, .. } = &fields[0].ty else {
        panic!()
    };
    assert_eq!(fields[0].description.as_deref(), Some("Only A says this."));
}
