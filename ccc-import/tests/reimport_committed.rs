//! Re-importing the real sources over the committed spec changes no file: what a maintainer
//! decided in the spec (enumerations given by hand to fields no rule names, JSON shapes, …)
//! survives both importers. The sources are not part of the project; each test prints a note
//! and passes when its source is absent.

use std::path::{Path, PathBuf};

use ccc_import::doc::{ImportOptions, Outcome, expand_inputs, import_pages};
use ccc_spec::{Scalar, Type};

fn committed_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// `shared/<relative>` next to the checkout or to any folder above it, so that the sources are
/// found from a worktree as from the main checkout.
fn shared(relative: &str) -> Option<PathBuf> {
    let found = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared").join(relative))
        .find(|p| p.exists());
    if found.is_none() {
        eprintln!("note: shared/{relative} not found; the test is skipped");
    }
    found
}

/// Places the committed spec types with `RealtimeAgentState`, an enumeration no rule gives by
/// name, so only a spec that keeps its own decisions keeps them.
const REALTIME_STATE_PLACES: &[(&str, &str)] = &[
    ("ListRealtimeAgentStates", "response Data.List.State"),
    ("ListRealtimeAgentStates", "parameter StateList"),
    ("ListAgentStateLogs", "response Data.State"),
];

fn assert_realtime_states_typed(spec: &ccc_spec::Spec) {
    for (action, place) in REALTIME_STATE_PLACES {
        let a = spec
            .actions
            .iter()
            .find(|a| a.name == *action)
            .unwrap_or_else(|| panic!("no action {action}"));
        assert_eq!(
            ccc_spec::rules::place_type(a, place),
            Some(&Type::Scalar {
                scalar: Scalar::String,
                enumeration: Some("RealtimeAgentState".into())
            }),
            "{action}: {place}"
        );
    }
}

#[test]
fn the_upstream_definition_over_the_committed_spec_changes_nothing() {
    let Some(tea) = shared("upstream/ccc-2020-07-01/main.tea") else {
        return;
    };
    let spec = ccc_spec::load_dir(&committed_spec()).expect("the committed spec loads");
    assert_realtime_states_typed(&spec);
    let report = ccc_import::darabonba::import(
        &committed_spec(),
        &tea,
        None,
        &ccc_import::darabonba::ImportOptions { dry_run: true },
    )
    .unwrap();
    assert_eq!(report.created, Vec::<String>::new());
    assert_eq!(report.updated, Vec::<String>::new());
    for (action, _) in REALTIME_STATE_PLACES {
        assert!(report.unchanged.iter().any(|u| u == action), "{action}");
    }
}

#[test]
fn the_reference_pages_over_the_committed_spec_change_nothing() {
    let Some(dir) = shared("api-docs") else {
        return;
    };
    let spec = ccc_spec::load_dir(&committed_spec()).expect("the committed spec loads");
    assert_realtime_states_typed(&spec);
    let pages = expand_inputs(&[dir]).unwrap();
    let report = import_pages(
        &committed_spec(),
        &pages,
        &ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    let changed: Vec<&str> = report
        .actions
        .iter()
        .filter(|a| a.outcome != Outcome::Unchanged)
        .map(|a| a.action.as_str())
        .collect();
    assert_eq!(changed, Vec::<&str>::new(), "{report}");
    for (action, _) in REALTIME_STATE_PLACES {
        assert!(
            report.actions.iter().any(|a| a.action == *action),
            "{action}"
        );
    }
}
