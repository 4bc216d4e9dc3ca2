//! Imports the real upstream definition when it is present (it is not part of the project; the
//! test prints a note and passes when it is absent).

#[path = "darabonba_common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ccc_spec::{Location, Style, Type};
use common::TempDir;

fn upstream_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream/ccc-2020-07-01");
    if dir.join("main.tea").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} not found; the real-upstream test is skipped",
            dir.join("main.tea").display()
        );
        None
    }
}

fn committed_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

#[test]
fn real_main_tea_imports_every_action() {
    let Some(dir) = upstream_dir() else { return };
    let text = std::fs::read_to_string(dir.join("main.tea")).unwrap();
    let info = ccc_import::darabonba::read_api_info(&dir.join("api-info.json")).unwrap();

    let t0 = Instant::now();
    let tea = ccc_import::darabonba::parse("main.tea", &text).unwrap();
    let t_parse = t0.elapsed();
    let mapped = ccc_import::darabonba::to_actions(&tea, &info).unwrap();
    let t_map = t0.elapsed();

    assert_eq!(mapped.actions.len(), 253);
    assert_eq!(tea.models.len(), 773);

    // Every action, settled against the committed product as the importer settles it (response
    // structs of a shared struct's name and shape refer to it), validates against that product.
    let product_path = committed_spec().join("product.json");
    let product = ccc_spec::parse_product(
        &product_path,
        &std::fs::read_to_string(&product_path).unwrap(),
    )
    .unwrap();
    for a in &mapped.actions {
        let path = PathBuf::from(format!("actions/{}.json", a.name));
        let mut a = a.clone();
        ccc_import::shared_structs::settle(&mut a, &product);
        let a = &a;
        let errors = ccc_spec::check_action(&path, &product, a);
        assert!(errors.is_empty(), "{}: {errors:?}", a.name);
        // The canonical text reads back to the same action.
        let back = ccc_spec::parse_action(&path, &ccc_spec::action_to_json(a)).unwrap();
        assert_eq!(&back, a);
        assert!(a.summary.is_none() && a.description.is_none());
    }

    // The 11 deprecated actions are marked, and only they.
    let deprecated: Vec<&str> = mapped
        .actions
        .iter()
        .filter(|a| a.deprecated)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(deprecated.len(), 11);
    let listed: Vec<&str> = info.deprecated.iter().map(String::as_str).collect();
    assert_eq!(deprecated, listed);

    // ResetAgentState: parameters and locations as the committed spec says.
    let committed_path = committed_spec().join("actions/ResetAgentState.json");
    let committed = ccc_spec::parse_action(
        &committed_path,
        &std::fs::read_to_string(&committed_path).unwrap(),
    )
    .unwrap();
    let up = mapped
        .actions
        .iter()
        .find(|a| a.name == "ResetAgentState")
        .unwrap();
    let shape = |a: &ccc_spec::Action| -> Vec<(String, Location)> {
        a.parameters
            .iter()
            .map(|p| (p.name.clone(), p.location))
            .collect()
    };
    assert_eq!(shape(up), shape(&committed));
    assert_eq!(up.method, committed.method);
    let names = |fs: &[ccc_spec::Field]| fs.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&up.response), names(&committed.response));

    // Statistics, for the record.
    let params: usize = mapped.actions.iter().map(|a| a.parameters.len()).sum();
    let json = mapped
        .actions
        .iter()
        .flat_map(|a| &a.parameters)
        .filter(|p| p.style == Some(Style::Json))
        .count();
    let flat = mapped
        .actions
        .iter()
        .flat_map(|a| &a.parameters)
        .filter(|p| p.style == Some(Style::Flat))
        .count();
    let body = mapped
        .actions
        .iter()
        .flat_map(|a| &a.parameters)
        .filter(|p| p.location == Location::Body)
        .count();
    let get = mapped
        .actions
        .iter()
        .filter(|a| a.method == ccc_spec::Method::Get)
        .count();
    let required = mapped
        .actions
        .iter()
        .flat_map(|a| &a.parameters)
        .filter(|p| p.required)
        .count();
    let sensitive: Vec<String> = mapped
        .actions
        .iter()
        .flat_map(|a| {
            a.parameters
                .iter()
                .filter(|p| p.sensitive)
                .map(move |p| format!("{}.{}", a.name, p.name))
        })
        .collect();
    fn named(t: &Type, out: &mut Vec<String>) {
        match t {
            Type::Struct { type_name, fields } => {
                if let Some(n) = type_name {
                    out.push(n.clone());
                }
                for f in fields {
                    named(&f.ty, out);
                }
            }
            Type::List { items } => named(items, out),
            Type::Map { values } => named(values, out),
            Type::Scalar { .. } => {}
        }
    }
    let mut type_names = Vec::new();
    for a in &mapped.actions {
        for f in &a.response {
            named(&f.ty, &mut type_names);
        }
    }
    type_names.sort();
    type_names.dedup();
    eprintln!(
        "real main.tea: {} actions ({get} GET), {} models, {params} parameters ({required} required, {body} in body, {json} json, {flat} flat), deprecated: {deprecated:?}",
        mapped.actions.len(),
        tea.models.len()
    );
    eprintln!("sensitive parameters: {sensitive:?}");
    eprintln!("named models in responses: {type_names:?}");
    for n in &mapped.notes {
        eprintln!("note: {n}");
    }
    eprintln!("parse {t_parse:?}, parse+map {t_map:?}");

    // The whole import into a copy of the committed spec, twice: the second changes nothing.
    let tmp = TempDir::new("real");
    tmp.write(
        "product.json",
        &std::fs::read_to_string(&product_path).unwrap(),
    );
    tmp.write(
        "actions/ResetAgentState.json",
        &std::fs::read_to_string(&committed_path).unwrap(),
    );
    let t1 = Instant::now();
    let report = ccc_import::darabonba::import(
        tmp.path(),
        &dir.join("main.tea"),
        None,
        &ccc_import::darabonba::ImportOptions::default(),
    )
    .unwrap();
    eprintln!(
        "full import (read, parse, map, merge, validate, write 253 files): {:?}",
        t1.elapsed()
    );
    assert_eq!(report.created.len(), 252);
    // The committed ResetAgentState.json is itself the result of this import over the page's
    // facts, so importing again leaves it as it is.
    assert_eq!(report.updated, Vec::<String>::new());
    assert_eq!(report.unchanged, vec!["ResetAgentState".to_string()]);
    for d in &report.differences {
        eprintln!("difference: {d}");
    }
    for e in &report.endpoint_differences {
        eprintln!("endpoints: {e}");
    }
    assert!(ccc_spec::load_dir(tmp.path()).is_ok());
    // Fields named like the product's enumerations get them, in the new files too.
    assert!(
        report.enumerations.contains(
            &"AnswerCall: response Data.UserContext.WorkMode: enumeration WorkMode".into()
        ),
        "{:?}",
        report.enumerations
    );
    let before = tmp.snapshot();
    let again = ccc_import::darabonba::import(
        tmp.path(),
        &dir.join("main.tea"),
        None,
        &ccc_import::darabonba::ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(again.unchanged.len(), 253);
    assert!(again.written.is_empty());
    assert_eq!(tmp.snapshot(), before);
}

/// `required` is the definition's wherever it has the action: no parameter of the committed spec
/// is required unless `main.tea` requires it, and none `main.tea` requires is optional. What a
/// page says beyond that is `referenceRequired`, on optional parameters only.
#[test]
fn the_committed_spec_requires_what_the_definition_requires() {
    let Some(dir) = upstream_dir() else { return };
    let text = std::fs::read_to_string(dir.join("main.tea")).unwrap();
    let info = ccc_import::darabonba::read_api_info(&dir.join("api-info.json")).unwrap();
    let tea = ccc_import::darabonba::parse("main.tea", &text).unwrap();
    let mapped = ccc_import::darabonba::to_actions(&tea, &info).unwrap();
    let spec = ccc_spec::load_dir(&committed_spec()).unwrap_or_else(|e| panic!("{e}"));

    let mut wrong = Vec::new();
    let mut reference_only = 0;
    for action in &spec.actions {
        let Some(up) = mapped.actions.iter().find(|u| u.name == action.name) else {
            continue;
        };
        for p in &action.parameters {
            let upstream_required = up
                .parameters
                .iter()
                .find(|u| u.name == p.name)
                .is_some_and(|u| u.required);
            if p.required != upstream_required {
                wrong.push(format!(
                    "{} {}: spec required {}, main.tea {}",
                    action.name, p.name, p.required, upstream_required
                ));
            }
            if p.reference_required {
                assert!(!p.required, "{} {}", action.name, p.name);
                reference_only += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The 29 parameters the pages call required and the definition does not.
    assert_eq!(reference_only, 29);
}
