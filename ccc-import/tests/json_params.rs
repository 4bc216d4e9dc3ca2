//! Both importers give a new String parameter whose example is JSON text its shape, report it,
//! and from then on keep what the spec file says: a JSON shape stays although the source says
//! String, and a parameter the file keeps String (the override) stays String.

#[path = "darabonba_common/mod.rs"]
mod tea_common;

mod common;

use ccc_import::darabonba::{ImportOptions as TeaOptions, import};
use ccc_import::doc::{ImportOptions, Outcome, import_pages};
use ccc_spec::{Action, Scalar, Style, Type};

fn parameter<'a>(a: &'a Action, name: &str) -> &'a ccc_spec::Parameter {
    a.parameters.iter().find(|p| p.name == name).unwrap()
}

fn is_json_list_of_strings(a: &Action, name: &str) -> bool {
    let p = parameter(a, name);
    p.style == Some(Style::Json)
        && matches!(&p.ty, Type::List { items } if matches!(**items, Type::Scalar { scalar: Scalar::String, .. }))
}

fn load(text: &str) -> Action {
    ccc_spec::parse_action(std::path::Path::new("actions/X.json"), text).unwrap()
}

/// The String parameter back in its file: what a maintainer writes to override the rule.
fn as_plain_string(text: &str, name: &str) -> String {
    let mut a = load(text);
    let p = a.parameters.iter_mut().find(|p| p.name == name).unwrap();
    p.ty = Type::Scalar {
        scalar: Scalar::String,
        enumeration: None,
    };
    p.style = None;
    ccc_spec::action_to_json(&a)
}

#[test]
fn the_definition_importer_decides_once_then_keeps_the_file() {
    let spec = tea_common::TempDir::new("json-text");
    spec.write(
        "product.json",
        &tea_common::fixture_text("spec/product.json"),
    );
    let anchor = "  colors?: [ string ](name='Colors'),\n";
    let text = tea_common::fixture_text("shop.tea");
    assert!(text.contains(anchor));
    let tea = spec.write(
        "up/main.tea",
        &text.replace(
            anchor,
            &format!("{anchor}  tags?: string(name='Tags', example='[\"red\",\"blue\"]'),\n"),
        ),
    );
    let run = || {
        import(
            spec.path(),
            &tea,
            Some(&tea_common::fixture("shop-api-info.json")),
            &TeaOptions::default(),
        )
        .unwrap()
    };
    let file = "actions/ListWidgets.json";

    let first = run();
    assert_eq!(
        first.json_text,
        ["ListWidgets Tags: JSON text, List of String from the example"]
    );
    assert!(first.to_string().contains("json text: ListWidgets Tags"));
    assert!(is_json_list_of_strings(&load(&spec.read(file)), "Tags"));

    // Again: the file's shape stays though upstream still says String; nothing is written.
    let again = run();
    assert!(again.written.is_empty(), "{again}");
    assert!(
        !again
            .differences
            .iter()
            .any(|d| d.path == "parameters/Tags"),
        "typed JSON text is the String upstream states, not a difference: {again}"
    );
    assert!(is_json_list_of_strings(&load(&spec.read(file)), "Tags"));

    // Overridden in the file: it stays String, and the rule says nothing.
    let overridden = as_plain_string(&spec.read(file), "Tags");
    spec.write(file, &overridden);
    let kept = run();
    assert!(kept.json_text.is_empty(), "{kept}");
    assert_eq!(spec.read(file), overridden);
}

#[test]
fn the_page_importer_decides_once_then_keeps_the_file() {
    let Some(dir) = common::real_pages() else {
        return;
    };
    let page = [dir.join("AddNumbersToSkillGroup.md")];
    let spec = common::SpecDir::new("json-text-page");
    let first = import_pages(&spec.path, &page, &ImportOptions::default()).unwrap();
    assert_eq!(first.actions[0].outcome, Outcome::Created);
    assert!(
        first.to_string().contains(
            "JSON text: AddNumbersToSkillGroup NumberList: JSON text, List of String from the example"
        ),
        "{first}"
    );
    assert!(is_json_list_of_strings(
        &load(&spec.read_action("AddNumbersToSkillGroup")),
        "NumberList"
    ));

    // The page says String; the file's JSON shape stays, and the file is unchanged.
    let again = import_pages(&spec.path, &page, &ImportOptions::default()).unwrap();
    assert_eq!(again.actions[0].outcome, Outcome::Unchanged, "{again}");
    assert!(
        !again.actions[0]
            .differences
            .iter()
            .any(|d| d.path == "parameters/NumberList"),
        "typed JSON text is the String the page states, not a difference: {again}"
    );

    // Overridden in the file: the page changes nothing.
    let overridden = as_plain_string(&spec.read_action("AddNumbersToSkillGroup"), "NumberList");
    std::fs::write(spec.action_file("AddNumbersToSkillGroup"), &overridden).unwrap();
    let kept = import_pages(&spec.path, &page, &ImportOptions::default()).unwrap();
    assert_eq!(kept.actions[0].outcome, Outcome::Unchanged, "{kept}");
    assert_eq!(spec.read_action("AddNumbersToSkillGroup"), overridden);
}
