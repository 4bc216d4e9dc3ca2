//! A bad spec is reported, file and place and all, through the same entry `cargo xtask codegen`
//! uses, and through the binary itself, without a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A workspace with a spec whose one action has the problems `action` puts in it.
fn workspace(name: &str, action: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("ccc-codegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("spec/actions")).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo/product.json");
    std::fs::copy(fixture, root.join("spec/product.json")).unwrap();
    std::fs::write(root.join("spec/actions/BadOne.json"), action).unwrap();
    root
}

const UNKNOWN_TYPE: &str = r#"{
  "action": "BadOne",
  "method": "POST",
  "idempotent": false,
  "parameters": [
    { "name": "Size", "type": "Integer", "in": "query" },
    { "name": "Shape", "type": "Blob", "in": "query" }
  ],
  "response": [
    { "name": "Kind", "type": "String", "enum": "NoSuchEnum" }
  ],
  "errors": []
}
"#;

#[test]
fn every_spec_error_names_its_file_and_pointer() {
    let root = workspace("unknown-type", UNKNOWN_TYPE);
    let err = codegen::sync::plan(&root).expect_err("a spec with an unknown type must be refused");
    let text = err.to_string();
    let _ = std::fs::remove_dir_all(&root);
    assert!(matches!(err, codegen::Error::Spec(_)), "{text}");
    assert!(
        text.contains("spec/actions/BadOne.json: at /parameters/1/type:"),
        "{text}"
    );
    assert!(text.contains("Blob"), "{text}");
}

#[test]
fn bad_json_is_reported_with_line_and_column() {
    let root = workspace("bad-json", "{\n  \"action\": \"BadOne\",\n  oops\n}\n");
    let text = codegen::sync::plan(&root).unwrap_err().to_string();
    let _ = std::fs::remove_dir_all(&root);
    assert!(text.contains("spec/actions/BadOne.json:3:"), "{text}");
}

#[test]
fn a_spec_error_leaves_the_generated_files_alone() {
    let root = workspace("untouched", UNKNOWN_TYPE);
    let generated = root.join(codegen::GENERATED_DIR);
    std::fs::create_dir_all(&generated).unwrap();
    std::fs::write(generated.join("mod.rs"), "// kept\n").unwrap();
    assert!(codegen::sync::plan(&root).is_err());
    let kept = std::fs::read_to_string(generated.join("mod.rs")).unwrap();
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(kept, "// kept\n");
}

/// The binary: a clean message on stderr, a failing exit code, no panic.
#[test]
fn xtask_codegen_reports_spec_errors_and_fails() {
    let root = workspace("xtask", UNKNOWN_TYPE);
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(manifest_dir.join(".."))
        .args([
            "run",
            "--quiet",
            "--offline",
            "--package",
            "xtask",
            "--",
            "codegen",
        ])
        .arg("--root")
        .arg(&root)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&root);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("error: the spec has"), "{stderr}");
    assert!(
        stderr.contains("spec/actions/BadOne.json: at /parameters/1/type:"),
        "{stderr}"
    );
}

/// Files the spec no longer produces are stale: planned for deletion, shown in the diff.
#[test]
fn stale_generated_files_are_deleted() {
    let root = std::env::temp_dir().join(format!("ccc-codegen-stale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
    common::copy_dir(&fixture, &root.join("spec"));
    let stale = root.join(codegen::GENERATED_DIR).join("operation/gone.rs");
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, "// old\n").unwrap();

    let plan = codegen::sync::plan(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        plan.diff()
            .contains("--- a/ccc-sdk/src/generated/operation/gone.rs")
    );
    plan.apply(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(!stale.exists());
    let again = codegen::sync::plan(&root).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&root);
    assert!(again.is_clean(), "{}", again.diff());
}

#[test]
fn a_second_shape_under_a_shared_structs_name_is_refused() {
    // The loader cannot produce this; a spec built in memory can, and the generator checks.
    let zoo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
    let mut spec = ccc_spec::load_dir(&zoo).unwrap_or_else(|e| panic!("{e}"));
    assert!(codegen::generate(&spec).is_ok());
    let things = spec
        .actions
        .iter_mut()
        .find(|a| a.name == "ListThings")
        .unwrap();
    let owner = things
        .response
        .iter_mut()
        .find(|f| f.name == "Owner")
        .unwrap();
    let ccc_spec::Type::Struct { fields, .. } = &mut owner.ty else {
        panic!("Owner is a struct")
    };
    fields.pop();
    assert_refused(
        &spec,
        "spec/actions/ListThings.json",
        "a struct named `Owner` has another shape than the shared struct of that name",
    );
}

/// The generator refuses `spec` with an error naming `file` and saying `message`.
fn assert_refused(spec: &ccc_spec::Spec, file: &str, message: &str) {
    let text = codegen::generate(spec).unwrap_err().to_string();
    assert!(text.contains(file) && text.contains(message), "{text}");
}

/// Two codes of different files that give one `ErrorCode` variant: the validator sees one file at
/// a time, the generator refuses them, naming both.
#[test]
fn codes_of_two_files_that_give_one_variant_are_refused() {
    // The fixture's product lists `Bad.Input`.
    let action = r#"{
  "action": "BadOne",
  "method": "POST",
  "idempotent": false,
  "parameters": [],
  "response": [],
  "errors": [
    { "httpStatus": 400, "code": "BadInput", "message": "m" }
  ]
}
"#;
    let root = workspace("code-clash", action);
    let err = codegen::sync::plan(&root).expect_err("two codes for one variant must be refused");
    let text = err.to_string();
    let _ = std::fs::remove_dir_all(&root);
    assert!(matches!(err, codegen::Error::Generate { .. }), "{text}");
    assert!(
        text.contains(
            "error codes `Bad.Input` (listed in spec/product.json) and `BadInput` both become the \
             variant `ErrorCode::BadInput`"
        ),
        "{text}"
    );
    assert!(text.contains("spec/actions/BadOne.json"), "{text}");
}

/// An action with one response struct `Gadget` of the given fields.
fn gadget_action(name: &str, fields: &str) -> String {
    format!(
        r#"{{
  "action": "{name}",
  "method": "POST",
  "idempotent": false,
  "parameters": [],
  "response": [
    {{ "name": "Gadget", "type": "Struct", "fields": [{fields}] }}
  ],
  "errors": []
}}
"#
    )
}

/// An action that sends one struct `Gadget` of the given fields, as JSON text.
fn sending_gadget_action(name: &str, fields: &str) -> String {
    format!(
        r#"{{
  "action": "{name}",
  "method": "POST",
  "idempotent": false,
  "parameters": [
    {{ "name": "Gadget", "type": "Struct", "fields": [{fields}], "in": "query", "style": "json" }}
  ],
  "response": [],
  "errors": []
}}
"#
    )
}

/// The generator's refusal of a zoo workspace whose `BadOne` is `one` and `BadTwo` is `two`.
fn refusal(name: &str, one: &str, two: &str) -> String {
    let root = workspace(name, one);
    std::fs::write(root.join("spec/actions/BadTwo.json"), two).unwrap();
    let err = codegen::sync::plan(&root).expect_err("one name for two structs must be refused");
    let _ = std::fs::remove_dir_all(&root);
    assert!(matches!(err, codegen::Error::Generate { .. }), "{err}");
    err.to_string()
}

/// One name, one shape, one definition across the crate, request side and response side alike:
/// the validator sees one file at a time; the generator refuses a second struct under a name
/// another module's struct takes, naming both places.
#[test]
fn a_second_struct_under_a_name_of_another_module_is_refused_naming_both_places() {
    let id = r#"{ "name": "Id", "type": "String" }"#;
    let size = r#"{ "name": "Size", "type": "Integer" }"#;
    let both = format!("{id}, {size}");

    let text = refusal(
        "two-shapes",
        &gadget_action("BadOne", id),
        &gadget_action("BadTwo", &both),
    );
    assert!(
        text.contains(
            "spec/actions/BadTwo.json: struct `Gadget` at spec/actions/BadTwo.json (response \
             Gadget) has another shape than the struct `Gadget` at spec/actions/BadOne.json \
             (response Gadget)"
        ),
        "{text}"
    );

    // A request's struct and a response's under one name.
    let text = refusal(
        "request-and-response",
        &sending_gadget_action("BadOne", id),
        &gadget_action("BadTwo", &both),
    );
    assert!(
        text.contains("spec/actions/BadTwo.json (response Gadget) has another shape")
            && text.contains("spec/actions/BadOne.json (parameter Gadget)"),
        "{text}"
    );

    // Two requests' structs of one shape are still two definitions: they belong in the product.
    let text = refusal(
        "same-shape",
        &sending_gadget_action("BadOne", id),
        &sending_gadget_action("BadTwo", id),
    );
    assert!(
        text.contains(
            "struct `Gadget` at spec/actions/BadTwo.json (parameter Gadget) is defined again: \
             the struct at spec/actions/BadOne.json (parameter Gadget) has its name and shape"
        ) && text.contains("declare it once under `structs` of spec/product.json"),
        "{text}"
    );

    // The fixture's product shares `Owner`.
    let root = workspace(
        "shared-name",
        &gadget_action("BadOne", id).replace("Gadget", "Owner"),
    );
    let text = codegen::sync::plan(&root)
        .expect_err("a struct named like a shared struct must be refused")
        .to_string();
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        text.contains(
            "spec/actions/BadOne.json: struct `Owner` at response Owner has the name of the \
             shared struct defined in spec/product.json (/structs/"
        ),
        "{text}"
    );
}

/// A shared struct is sent or received: a request struct of the product in a response is refused
/// by the generator too (a spec built in memory can hold one; the validator refuses the file).
#[test]
fn a_request_struct_of_the_product_in_a_response_is_refused() {
    let zoo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
    let mut spec = ccc_spec::load_dir(&zoo).unwrap_or_else(|e| panic!("{e}"));
    let dimensions = spec.product.struct_named("Dimensions").unwrap().clone();
    assert!(dimensions.request);
    let things = spec
        .actions
        .iter_mut()
        .find(|a| a.name == "ListThings")
        .unwrap();
    things.response.push(ccc_spec::Field {
        name: "Size".into(),
        ty: ccc_spec::Type::Struct {
            type_name: Some(dimensions.name.clone()),
            fields: dimensions.fields.clone(),
        },
        sensitive: false,
        example: None,
        description: None,
    });
    assert_refused(
        &spec,
        "spec/actions/ListThings.json",
        "response Size: the shared struct `Dimensions` is a request struct, in a response",
    );
}
