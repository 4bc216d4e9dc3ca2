//! `import_pages` on scratch spec folders: writing, refusing, re-importing, merging.

mod common;

use std::path::PathBuf;

use ccc_import::doc::{
    DiffKind, ImportOptions, Outcome, expand_inputs, import_pages, merge, pages_in,
};
use ccc_spec::{Scalar, Style, Type};
use common::{SpecDir, fixture};

fn import(spec: &SpecDir, pages: &[&str]) -> ccc_import::doc::ImportReport {
    let pages: Vec<PathBuf> = pages.iter().map(|p| fixture(p)).collect();
    import_pages(&spec.path, &pages, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn reimporting_reset_agent_state_over_the_committed_spec_is_a_no_op() {
    let committed =
        std::fs::read_to_string(common::project_spec().join("actions/ResetAgentState.json"))
            .unwrap();
    for with_descriptions in [false, true] {
        let spec = SpecDir::new("reset").with_action("ResetAgentState");
        let opts = ImportOptions {
            with_descriptions,
            dry_run: false,
        };
        let report = import_pages(&spec.path, &[fixture("ResetAgentState.md")], &opts).unwrap();
        let a = &report.actions[0];
        assert_eq!(a.outcome, Outcome::Unchanged, "{report}");
        assert!(a.differences.is_empty(), "{report}");
        assert_eq!(spec.read_action("ResetAgentState"), committed);
    }
}

#[test]
fn importing_twice_changes_nothing() {
    let spec = SpecDir::new("twice");
    let first = import(&spec, &["GetGadget.md", "ListGadgets.md"]);
    assert_eq!(first.count(Outcome::Created), 2, "{first}");
    let before = spec.snapshot();
    let second = import(&spec, &["GetGadget.md", "ListGadgets.md"]);
    assert_eq!(second.count(Outcome::Unchanged), 2, "{second}");
    assert!(second.actions.iter().all(|a| a.differences.is_empty()));
    assert_eq!(spec.snapshot(), before);
    // What was written loads and validates as a spec.
    let loaded = ccc_spec::load_dir(&spec.path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.actions.len(), 2);
    // And is exactly the canonical text of what it holds.
    for a in &loaded.actions {
        assert_eq!(spec.read_action(&a.name), ccc_spec::action_to_json(a));
    }
}

#[test]
fn a_refused_page_writes_nothing_and_every_refusal_is_listed() {
    let spec = SpecDir::new("refuse").with_action("ResetAgentState");
    let before = spec.snapshot();
    let pages = [
        fixture("GetGadget.md"),
        fixture("BadType.md"),
        fixture("ResetAgentState.md"),
        fixture("BadTable.md"),
    ];
    let opts = ImportOptions {
        with_descriptions: true,
        dry_run: false,
    };
    let err = import_pages(&spec.path, &pages, &opts).unwrap_err();
    assert_eq!(err.0.len(), 2, "{err}");
    let text = err.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("BadType.md:17: unknown type `Tuple`"),
        "{text}"
    );
    assert!(
        lines[1].contains("BadTable.md:10: malformed table"),
        "{text}"
    );
    // Nothing written: no GetGadget.json, ResetAgentState.json as it was, no temporary file.
    assert_eq!(spec.snapshot(), before);
}

#[test]
fn an_action_that_would_not_validate_is_refused() {
    let spec = SpecDir::new("invalid");
    let dir = spec.path.join("pages");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("Clash.md");
    std::fs::write(
        &page,
        "# Clash\n\n## 请求参数\n\n|名称|类型|是否必选|示例值|描述|\n|--|--|--|--|--|\n|UserId|String|是|a|x |\n|UserID|String|是|b|y |\n\n## 返回数据\n\n|名称|类型|示例值|描述|\n|--|--|--|--|\n|RequestId|String|R|Id. |\n",
    )
    .unwrap();
    let err = import_pages(&spec.path, &[page], &ImportOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("Clash.md"), "{text}");
    assert!(text.contains("not a valid spec"), "{text}");
    assert!(
        text.contains("both become the Rust name `user_id`"),
        "{text}"
    );
    assert!(!spec.action_file("Clash").exists());
}

#[test]
fn two_pages_for_one_action_are_refused() {
    let spec = SpecDir::new("twice-named");
    let pages = [fixture("GetGadget.md"), fixture("GetGadget.md")];
    let err = import_pages(&spec.path, &pages, &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("is also imported from"), "{err}");
    assert!(!spec.action_file("GetGadget").exists());
}

#[test]
fn dry_run_reports_but_writes_nothing() {
    let spec = SpecDir::new("dry");
    let opts = ImportOptions {
        with_descriptions: false,
        dry_run: true,
    };
    let report = import_pages(&spec.path, &[fixture("GetGadget.md")], &opts).unwrap();
    assert_eq!(report.actions[0].outcome, Outcome::Created);
    assert!(spec.snapshot().is_empty());
}

#[test]
fn reimport_updates_what_the_page_says_keeps_the_rest_and_reports_each_change() {
    let spec = SpecDir::new("merge");
    import(&spec, &["GetGadget.md"]);
    // Hand edits the page knows nothing about, and some it contradicts.
    let file = spec.action_file("GetGadget");
    let mut a = ccc_spec::parse_action(&file, &spec.read_action("GetGadget")).unwrap();
    a.deprecated = true;
    a.parameters[0].required = false; // the page says 是
    a.parameters[0].description = Some("Hand-written.".into());
    a.parameters.retain(|p| p.name != "ApiToken"); // the page has it
    a.parameters.push(ccc_spec::Parameter {
        name: "Extra".into(),
        ty: Type::List {
            items: Box::new(Type::Scalar {
                scalar: Scalar::String,
                enumeration: None,
            }),
        },
        required: false,
        reference_required: false,
        range: None,
        location: ccc_spec::Location::Query,
        style: Some(Style::Json),
        sensitive: false,
        example: None,
        description: None,
    });
    if let Type::Struct { fields, .. } = &mut a.response[1].ty {
        // Data.Color: String on the page.
        fields[1].ty = Type::Scalar {
            scalar: Scalar::Integer,
            enumeration: None,
        };
        if let Type::Struct { type_name, .. } = &mut fields[0].ty {
            *type_name = Some("GadgetOwner".into());
        }
    }
    a.response[0].ty = Type::Scalar {
        scalar: Scalar::String,
        enumeration: Some("UserState".into()),
    };
    a.errors[0].message = "Old message.".into();
    a.errors.remove(1);
    a.examples.xml = None;
    std::fs::write(&file, ccc_spec::action_to_json(&a)).unwrap();

    let report = import(&spec, &["GetGadget.md"]);
    let r = &report.actions[0];
    assert_eq!(r.outcome, Outcome::Updated);
    let changes: Vec<String> = r.differences.iter().map(ToString::to_string).collect();
    assert_eq!(
        changes,
        [
            "GetGadget parameters/GadgetId: referenceRequired: spec false, page true; kept page",
            "GetGadget parameters/ApiToken: added from the page",
            "GetGadget parameters/Extra: not on the page; kept",
            "GetGadget response/Data/Color: type: spec Integer, page String; kept page",
            "GetGadget errors/NotExists.GadgetId: message: spec \"Old message.\", page \"The gadget %s does not exist.\"; kept page",
            "GetGadget errors/Gadget.Busy: added from the page",
            "GetGadget examples/xml: example body: spec unset, page of 266 bytes; kept page",
        ],
        "{report}"
    );
    let merged = ccc_spec::parse_action(&file, &spec.read_action("GetGadget")).unwrap();
    assert!(merged.deprecated, "kept");
    // The spec's `required` stands (the definition decides it); the page's word is kept beside it.
    let gadget = &merged.parameters[0];
    assert!(!gadget.required && gadget.reference_required, "{gadget:?}");
    assert_eq!(
        merged.parameters[0].description.as_deref(),
        Some("Hand-written."),
        "descriptions are kept when importing without them"
    );
    let extra = merged
        .parameters
        .iter()
        .find(|p| p.name == "Extra")
        .unwrap();
    assert_eq!(extra.style, Some(Style::Json));
    let Type::Struct { fields, .. } = &merged.response[1].ty else {
        panic!()
    };
    let Type::Struct { type_name, .. } = &fields[0].ty else {
        panic!()
    };
    assert_eq!(type_name.as_deref(), Some("GadgetOwner"), "typeName kept");
    assert_eq!(
        merged.response[0].ty,
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: Some("UserState".into())
        },
        "enum reference kept"
    );
    // A third import is a no-op.
    let again = import(&spec, &["GetGadget.md"]);
    assert_eq!(again.actions[0].outcome, Outcome::Unchanged, "{again}");
}

#[test]
fn merge_reports_added_fields_and_kept_ones() {
    let o = ccc_import::doc::ParseOptions::default();
    let page = common::fixture_text("GetGadget.md");
    let imported = ccc_import::doc::parse_page("GetGadget.md", &page, &o)
        .unwrap()
        .action;
    let mut old = imported.clone();
    // The old spec lacks `Data.Owner.Since` and has `Data.Legacy`.
    if let Type::Struct { fields, .. } = &mut old.response[1].ty {
        fields.push(ccc_spec::Field {
            name: "Legacy".into(),
            ty: Type::Scalar {
                scalar: Scalar::Long,
                enumeration: None,
            },
            sensitive: false,
            example: None,
            description: Some("Old.".into()),
        });
        if let Type::Struct { fields, .. } = &mut fields[0].ty {
            fields.retain(|f| f.name != "Since");
        }
    }
    let (merged, changes) = merge(&old, &imported);
    let kinds: Vec<(String, DiffKind)> = changes.into_iter().map(|c| (c.path, c.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("response/Data/Owner/Since".to_string(), DiffKind::Added),
            ("response/Data/Legacy".to_string(), DiffKind::Missing),
        ]
    );
    let Type::Struct { fields, .. } = &merged.response[1].ty else {
        panic!()
    };
    assert_eq!(fields.last().unwrap().name, "Legacy");
}

#[test]
fn a_folder_expands_to_its_pages_without_the_readme() {
    let spec = SpecDir::new("folder");
    let dir = spec.path.join("pages");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["README.md", "B.md", "A.md", "notes.txt"] {
        std::fs::write(dir.join(f), "").unwrap();
    }
    let pages = pages_in(&dir).unwrap();
    let names: Vec<_> = pages
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["A.md", "B.md"]);
    let single = fixture("GetGadget.md");
    let all = expand_inputs(&[dir.clone(), single.clone()]).unwrap();
    assert_eq!(all, [dir.join("A.md"), dir.join("B.md"), single]);
}

#[test]
fn what_a_page_does_not_state_is_kept_from_the_spec() {
    // A page without a location column or a method says nothing about either: the spec's values
    // (from the upstream definition, say) stay, so page and upstream imports in turn settle.
    let spec = SpecDir::new("unstated");
    import(&spec, &["GetGadget.md"]);
    let path = spec.action_file("GetGadget");
    let mut action = ccc_spec::parse_action(&path, &spec.read_action("GetGadget")).unwrap();
    action.method = ccc_spec::Method::Get;
    action.parameters[0].location = ccc_spec::Location::Body;
    std::fs::write(&path, ccc_spec::action_to_json(&action)).unwrap();
    let before = spec.snapshot();
    let report = import(&spec, &["GetGadget.md"]);
    assert_eq!(report.actions[0].outcome, Outcome::Unchanged, "{report}");
    assert_eq!(spec.snapshot(), before);
}
