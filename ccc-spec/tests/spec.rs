//! The committed spec loads, is canonical, and bad specs are refused with file, place and reason.

use std::path::{Path, PathBuf};

use ccc_spec::*;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn product() -> Product {
    let path = spec_dir().join(PRODUCT_FILE);
    parse_product(&path, &std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Parses `text` as `actions/<file>` and returns the rendered errors.
fn errors_of(file: &str, text: &str) -> Vec<String> {
    let path = Path::new("actions").join(file);
    let action = match parse_action(&path, text) {
        Ok(a) => a,
        Err(e) => return e.iter().map(ToString::to_string).collect(),
    };
    check_action(&path, &product(), &action)
        .iter()
        .map(ToString::to_string)
        .collect()
}

const GOOD: &str = r#"{
  "action": "Demo",
  "method": "POST",
  "idempotent": false,
  "parameters": [
    {"name": "InstanceId", "type": "String", "required": true, "in": "query"}
  ],
  "response": [
    {"name": "Data", "type": "Struct", "fields": [
      {"name": "UserState", "type": "String", "enum": "UserState"}
    ]}
  ],
  "errors": []
}"#;

#[test]
fn committed_spec_loads() {
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.product.code, "CCC");
    assert_eq!(spec.product.version, "2020-07-01");
    let reset = spec.action("ResetAgentState").expect("ResetAgentState");
    assert_eq!(reset.method, Method::Post);
    let required: Vec<_> = reset
        .parameters
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.required,
                p.reference_required,
                p.location,
            )
        })
        .collect();
    // DeviceId: optional in the service's definition, required by the reference's word.
    assert_eq!(
        required,
        [
            ("DeviceId", false, true, Location::Query),
            ("InstanceId", true, false, Location::Query),
            ("UserId", false, false, Location::Query)
        ]
    );
    let data = reset.response.iter().find(|f| f.name == "Data").unwrap();
    let Type::Struct { fields, .. } = &data.ty else {
        panic!("Data is not a struct")
    };
    let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"BreakCode"));
    assert_eq!(names.last(), Some(&"WorkMode"));
    assert_eq!(reset.errors.len(), 2);
    assert!(reset.examples.json.is_some() && reset.examples.xml.is_some());
}

#[test]
fn committed_files_are_in_canonical_layout() {
    let dir = spec_dir();
    let text = std::fs::read_to_string(dir.join(PRODUCT_FILE)).unwrap();
    assert_eq!(product_to_json(&product()), text, "product.json");
    for entry in std::fs::read_dir(dir.join(ACTIONS_DIR)).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let action = parse_action(&path, &text).unwrap();
        assert_eq!(action_to_json(&action), text, "{}", path.display());
    }
}

#[test]
fn a_good_fixture_passes() {
    assert_eq!(errors_of("Demo.json", GOOD), Vec::<String>::new());
}

#[test]
fn bad_json_names_line_and_column() {
    let errors = errors_of(
        "Demo.json",
        "{\n  \"action\": \"Demo\",\n  \"method\" \"POST\"\n}",
    );
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("actions/Demo.json:3:12: bad JSON: expected `:`"),
        "{errors:?}"
    );
}

#[test]
fn unknown_type_is_refused_with_its_pointer() {
    let text = GOOD.replace(r#""type": "String", "enum""#, r#""type": "Strnig", "enum""#);
    let errors = errors_of("Demo.json", &text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("actions/Demo.json: at /response/0/fields/0/type: unknown type `Strnig`"),
        "{errors:?}"
    );
}

#[test]
fn a_struct_named_for_nothing_it_holds_is_refused() {
    for generic in ccc_spec::naming::GENERIC_STRUCT_NAMES {
        let text = GOOD.replace(
            r#""type": "Struct", "fields""#,
            &format!(r#""type": "Struct", "typeName": "{generic}", "fields""#),
        );
        let errors = errors_of("Demo.json", &text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(&format!(
                "actions/Demo.json: at /response/0/typeName: `{generic}` says nothing"
            )),
            "{errors:?}"
        );
    }
    let named = GOOD.replace(
        r#""type": "Struct", "fields""#,
        r#""type": "Struct", "typeName": "DemoAgentSnapshot", "fields""#,
    );
    assert_eq!(errors_of("Demo.json", &named), Vec::<String>::new());
}

#[test]
fn missing_key_is_refused() {
    let text = GOOD.replace(r#""required": true, "in": "query""#, r#""required": true"#);
    let errors = errors_of("Demo.json", &text);
    assert_eq!(
        errors,
        ["actions/Demo.json: at /parameters/0: missing key `in`"]
    );
}

#[test]
fn a_reference_word_on_a_required_parameter_is_refused() {
    let text = GOOD.replace(
        r#""required": true, "in""#,
        r#""required": true, "referenceRequired": true, "in""#,
    );
    let errors = errors_of("Demo.json", &text);
    assert_eq!(
        errors,
        [
            "actions/Demo.json: at /parameters/0/referenceRequired: `referenceRequired` is for a parameter that is not `required`"
        ]
    );
    let optional = GOOD.replace(
        r#""required": true, "in""#,
        r#""required": false, "referenceRequired": true, "in""#,
    );
    assert_eq!(errors_of("Demo.json", &optional), Vec::<String>::new());
}

#[test]
fn unknown_key_is_refused() {
    let text = GOOD.replace(r#""required": true"#, r#""requried": true"#);
    let errors = errors_of("Demo.json", &text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("actions/Demo.json: at /parameters/0/requried: unknown key `requried`"),
        "{errors:?}"
    );
}

#[test]
fn duplicate_field_is_refused() {
    let text = GOOD.replace(
        r#"{"name": "UserState", "type": "String", "enum": "UserState"}"#,
        r#"{"name": "UserState", "type": "String"}, {"name": "UserState", "type": "Long"}"#,
    );
    let errors = errors_of("Demo.json", &text);
    assert_eq!(
        errors,
        [
            "actions/Demo.json: at /response/0/fields/1/name: duplicate field `UserState` (first at /response/0/fields/0)"
        ]
    );
}

#[test]
fn two_wire_names_for_one_rust_name_are_refused() {
    let text = GOOD.replace(
        r#"{"name": "InstanceId", "type": "String", "required": true, "in": "query"}"#,
        r#"{"name": "InstanceId", "type": "String", "in": "query"}, {"name": "instance_id", "type": "String", "in": "body"}"#,
    );
    let errors = errors_of("Demo.json", &text);
    assert_eq!(
        errors,
        [
            "actions/Demo.json: at /parameters/1/name: parameter `instance_id` and `InstanceId` (at /parameters/0) both become the Rust name `instance_id`"
        ]
    );
}

#[test]
fn a_parameter_that_would_take_another_ones_setter_is_refused() {
    let text = GOOD.replace(
        r#"{"name": "InstanceId", "type": "String", "required": true, "in": "query"}"#,
        r#"{"name": "InstanceId", "type": "String", "in": "query"}, {"name": "SetInstanceId", "type": "String", "in": "query"}"#,
    );
    assert_eq!(
        errors_of("Demo.json", &text),
        [
            "actions/Demo.json: at /parameters/1/name: parameter `SetInstanceId` would become `set_instance_id`, the setter of `InstanceId` (at /parameters/0)"
        ]
    );
    // Fields of a struct parameter get setters too.
    let text = GOOD.replace(
        r#"{"name": "InstanceId", "type": "String", "required": true, "in": "query"}"#,
        r#"{"name": "Item", "type": "Struct", "in": "query", "fields": [{"name": "SetMode", "type": "String"}, {"name": "Mode", "type": "String"}]}"#,
    );
    assert_eq!(
        errors_of("Demo.json", &text),
        [
            "actions/Demo.json: at /parameters/0/fields/0/name: field `SetMode` would become `set_mode`, the setter of `Mode` (at /parameters/0/fields/1)"
        ]
    );
    // Response fields have accessors only, so the same pair is fine there.
    let text = GOOD.replace(
        r#"{"name": "UserState", "type": "String", "enum": "UserState"}"#,
        r#"{"name": "Mode", "type": "String"}, {"name": "SetMode", "type": "String"}"#,
    );
    assert_eq!(errors_of("Demo.json", &text), Vec::<String>::new());
}

#[test]
fn a_response_field_named_like_an_output_method_is_refused() {
    for (wire, stem) in [("ToJson", "to_json"), ("Encode", "encode")] {
        let text = GOOD.replace(
            r#"{"name": "Data", "type": "Struct""#,
            &format!(
                r#"{{"name": "{wire}", "type": "String"}}, {{"name": "Data", "type": "Struct""#
            ),
        );
        assert_eq!(
            errors_of("Demo.json", &text),
            [format!(
                "actions/Demo.json: at /response/0/name: response field `{wire}` would become `{stem}`, a method every output has"
            )]
        );
    }
}

#[test]
fn unknown_enumeration_is_refused() {
    let text = GOOD.replace(r#""enum": "UserState""#, r#""enum": "AgentMood""#);
    let errors = errors_of("Demo.json", &text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "actions/Demo.json: at /response/0/fields/0/enum: unknown enumeration `AgentMood`"
        ),
        "{errors:?}"
    );
}

#[test]
fn file_must_be_named_after_its_action() {
    let errors = errors_of("Other.json", GOOD);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("file named `Other.json`"), "{errors:?}");
}

#[test]
fn error_codes_that_clash_are_refused() {
    let text = GOOD.replace(
        r#""errors": []"#,
        r#""errors": [{"httpStatus": 404, "code": "NotExists.UserId", "message": "m"}, {"httpStatus": 404, "code": "NotExists_UserId", "message": "m"}]"#,
    );
    let errors = errors_of("Demo.json", &text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("both become the variant `NotExistsUserId`"),
        "{errors:?}"
    );
}

#[test]
fn error_variants_keep_clear_of_the_catch_alls() {
    assert_eq!(error_variant("NotExists.UserId"), "NotExistsUserId");
    assert_eq!(error_variant("Unhandled"), "UnhandledCode");
    assert_eq!(error_variant("Unknown"), "UnknownCode");
    // `Unknown` and `UnknownCode` cannot both be one action's codes.
    let text = GOOD.replace(
        r#""errors": []"#,
        r#""errors": [{"httpStatus": 404, "code": "Unknown", "message": "m"}, {"httpStatus": 404, "code": "UnknownCode", "message": "m"}]"#,
    );
    let errors = errors_of("Demo.json", &text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("both become the variant `UnknownCode`"),
        "{errors:?}"
    );
}

#[test]
fn a_product_enumeration_cannot_take_a_name_types_holds() {
    let mut p = product();
    let mut e = p.enums[0].clone();
    e.name = "ErrorCode".into();
    p.enums.push(e);
    let text: Vec<String> = check_product(Path::new("product.json"), &p)
        .iter()
        .map(ToString::to_string)
        .collect();
    let last = p.enums.len() - 1;
    assert_eq!(
        text,
        [format!(
            "product.json: at /enums/{last}/name: `ErrorCode` is already the name of a type in `types`"
        )]
    );
}

#[test]
fn load_dir_reports_every_file() {
    let dir = std::env::temp_dir().join(format!("ccc-spec-test-{}", std::process::id()));
    let actions = dir.join(ACTIONS_DIR);
    std::fs::create_dir_all(&actions).unwrap();
    std::fs::copy(spec_dir().join(PRODUCT_FILE), dir.join(PRODUCT_FILE)).unwrap();
    std::fs::write(actions.join("A.json"), "{").unwrap();
    std::fs::write(
        actions.join("Demo.json"),
        GOOD.replace("\"POST\"", "\"PUT\""),
    )
    .unwrap();
    let errors = load_dir(&dir).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    let text = errors.to_string();
    assert_eq!(errors.0.len(), 2, "{text}");
    assert!(text.contains("A.json:1:1: bad JSON"), "{text}");
    assert!(
        text.contains("Demo.json: at /method: unknown method `PUT`"),
        "{text}"
    );
}

#[test]
fn actions_that_act_are_not_safe_to_repeat() {
    let spec = load_dir(&spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let safe = |name: &str| spec.action(name).expect(name).idempotent;
    for name in [
        "MakeCall",
        "BlindTransfer",
        "ResetAgentState",
        "SignInGroup",
    ] {
        assert!(!safe(name), "{name}");
    }
    for name in ["ListUsers", "GetCallDetailRecord", "PollUserStatus"] {
        assert!(safe(name), "{name}");
    }
}

/// `regionalOnly` names regions the endpoint map lacks: one the map has, or an empty id, is
/// refused with its place; the committed list survives a write and a read.
#[test]
fn regional_only_lists_regions_the_endpoint_map_lacks() {
    let committed = product();
    assert_eq!(committed.regional_only, ["cn-shanghai"]);
    assert!(!committed.endpoints.contains_key("cn-shanghai"));
    let path = spec_dir().join(PRODUCT_FILE);
    let again = parse_product(&path, &product_to_json(&committed)).unwrap();
    assert_eq!(again.regional_only, committed.regional_only);

    let text = std::fs::read_to_string(&path).unwrap();
    for (bad, reason) in [
        (r#""cn-beijing""#, "`cn-beijing` is in `endpoints`"),
        (r#""""#, "expected a region id"),
    ] {
        let edited = text.replace(r#""cn-shanghai""#, bad);
        let errors: Vec<String> = match parse_product(&path, &edited) {
            Ok(_) => panic!("`regionalOnly: [{bad}]` was accepted"),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        };
        assert!(
            errors
                .iter()
                .any(|e| e.contains("/regionalOnly/0") && e.contains(reason)),
            "{errors:?}"
        );
    }
}
