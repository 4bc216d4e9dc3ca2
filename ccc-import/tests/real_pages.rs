//! The real reference pages in `../../shared/api-docs` (not part of the project; skipped with a
//! note when absent): all of them import and validate, and the deepest ones are snapshotted.

mod common;

use ccc_import::doc::{ImportOptions, Outcome, import_pages, pages_in};
use common::SpecDir;

/// Imports every page into a fresh spec folder.
fn import_all() -> Option<(SpecDir, ccc_import::doc::ImportReport)> {
    let dir = common::real_pages()?;
    let spec = SpecDir::new("real");
    let pages = pages_in(&dir).unwrap();
    assert_eq!(pages.len(), 42, "the folder holds 42 pages");
    let report = import_pages(&spec.path, &pages, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    Some((spec, report))
}

#[test]
fn all_pages_import_load_and_validate() {
    let Some((spec, report)) = import_all() else {
        return;
    };
    assert_eq!(report.count(Outcome::Created), 42, "{report}");
    let loaded = ccc_spec::load_dir(&spec.path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.actions.len(), 42);
    for a in &loaded.actions {
        assert!(a.summary.is_none() && a.parameters.iter().all(|p| p.description.is_none()));
    }
    // Importing again is a no-op, byte for byte.
    let before = spec.snapshot();
    let pages = pages_in(&common::real_pages().unwrap()).unwrap();
    let again = import_pages(&spec.path, &pages, &ImportOptions::default()).unwrap();
    assert_eq!(again.count(Outcome::Unchanged), 42, "{again}");
    assert_eq!(spec.snapshot(), before);
}

#[test]
fn all_pages_import_with_descriptions() {
    let Some(dir) = common::real_pages() else {
        return;
    };
    let spec = SpecDir::new("real-desc");
    let opts = ImportOptions {
        with_descriptions: true,
        dry_run: false,
    };
    let report =
        import_pages(&spec.path, &pages_in(&dir).unwrap(), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.count(Outcome::Created), 42);
    let loaded = ccc_spec::load_dir(&spec.path).unwrap_or_else(|e| panic!("{e}"));
    let make_call = loaded.action("MakeCall").unwrap();
    assert_eq!(
        make_call.summary.as_deref(),
        Some("调用接口MakeCall进行外呼。")
    );
}

#[test]
fn the_real_reset_agent_state_page_over_the_committed_spec_is_a_no_op() {
    let Some(dir) = common::real_pages() else {
        return;
    };
    let spec = SpecDir::new("real-reset").with_action("ResetAgentState");
    let before = spec.read_action("ResetAgentState");
    let report = import_pages(
        &spec.path,
        &[dir.join("ResetAgentState.md")],
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(report.actions[0].outcome, Outcome::Unchanged, "{report}");
    assert_eq!(spec.read_action("ResetAgentState"), before);
}

/// The spec files of the pages with the deepest nesting.
#[test]
fn deepest_pages_snapshots() {
    let Some((spec, _)) = import_all() else {
        return;
    };
    for name in [
        "MakeCall",
        "GetCallDetailRecord",
        "GetInstance",
        "ListHistoricalAgentReport",
        "ListRealtimeAgentStates",
    ] {
        insta::assert_snapshot!(name, spec.read_action(name));
    }
}

/// Every decision and enumeration the import reports for the real pages.
#[test]
fn report_of_the_real_pages() {
    let Some((_, report)) = import_all() else {
        return;
    };
    let mut text = String::new();
    for a in &report.actions {
        for n in &a.notes {
            text.push_str(&format!("{}.md {n}\n", a.action));
        }
    }
    insta::assert_snapshot!("report", text);
}

/// Importing every page over the committed spec changes no `required` flag (the definition
/// decides them) and nothing else: the spec is settled.
#[test]
fn reimporting_the_pages_over_the_committed_spec_changes_no_required_flag() {
    let Some(dir) = common::real_pages() else {
        return;
    };
    let pages = pages_in(&dir).unwrap();
    let mut spec = SpecDir::new("real-required");
    for page in &pages {
        let name = page.file_stem().unwrap().to_string_lossy().into_owned();
        spec = spec.with_action(&name);
    }
    let flags = |spec: &SpecDir| -> Vec<(String, String, bool, bool)> {
        let loaded = ccc_spec::load_dir(&spec.path).unwrap_or_else(|e| panic!("{e}"));
        loaded
            .actions
            .iter()
            .flat_map(|a| {
                a.parameters.iter().map(|p| {
                    (
                        a.name.clone(),
                        p.name.clone(),
                        p.required,
                        p.reference_required,
                    )
                })
            })
            .collect()
    };
    let before = flags(&spec);
    assert!(
        before
            .iter()
            .any(|(a, p, req, reference)| a == "ResetAgentState"
                && p == "DeviceId"
                && !req
                && *reference),
        "ResetAgentState's DeviceId is optional, and the reference's word is kept"
    );
    let files = spec.snapshot();
    let report = import_pages(&spec.path, &pages, &ImportOptions::default()).unwrap();
    assert_eq!(report.count(Outcome::Unchanged), pages.len(), "{report}");
    assert_eq!(flags(&spec), before);
    assert_eq!(spec.snapshot(), files);
}
