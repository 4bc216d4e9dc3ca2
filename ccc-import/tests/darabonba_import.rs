//! The whole import into temporary spec directories: determinism, idempotence, one-action
//! changes, merging, refusals that write nothing.

#[path = "darabonba_common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

use ccc_import::darabonba::{ImportError, ImportOptions, Report, import};
use common::TempDir;

fn spec_dir(tag: &str) -> TempDir {
    let t = TempDir::new(tag);
    t.write("product.json", &common::fixture_text("spec/product.json"));
    t
}

fn tea_file(dir: &TempDir, text: &str) -> PathBuf {
    dir.write("up/main.tea", text)
}

fn run(spec: &TempDir, tea: &Path) -> Result<Report, ImportError> {
    import(
        spec.path(),
        tea,
        Some(&common::fixture("shop-api-info.json")),
        &ImportOptions::default(),
    )
}

/// The fixture with one more parameter in ListWidgets.
fn changed_one() -> String {
    let text = common::fixture_text("shop.tea");
    let anchor = "  colors?: [ string ](name='Colors'),\n";
    assert!(text.contains(anchor));
    text.replace(
        anchor,
        &format!("{anchor}  shape?: string(name='Shape', example='round'),\n"),
    )
}

/// The fixture with one more action.
fn added_one() -> String {
    common::fixture_text("shop.tea")
        + "\nmodel PingRequest {\n  echo?: string(name='Echo'),\n}\n\
model PingResponseBody = {\n  echo?: string(name='Echo'),\n}\n\
model PingResponse = {\n  body?: PingResponseBody(name='body'),\n}\n\
async function pingWithOptions(request: PingRequest, runtime: Util.RuntimeOptions): PingResponse {\n\
  var query = {};\n  query['Echo'] = request.echo;\n\
  var params = new OpenApi.Params{\n    action = 'Ping',\n    pathname = '/',\n    method = 'POST',\n    style = 'RPC',\n  };\n\
  return callApi(params, req, runtime);\n}\n"
}

#[test]
fn import_then_reimport_is_byte_identical() {
    let spec = spec_dir("idem");
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    let first = run(&spec, &tea).unwrap();
    assert_eq!(first.created, ["ListWidgets", "PlaceOrder", "RemoveGadget"]);
    assert_eq!(first.written.len(), 3);
    assert_eq!(first.deprecated, ["ListWidgets", "RemoveGadget"]);
    let loaded = ccc_spec::load_dir(spec.path()).unwrap();
    assert_eq!(loaded.actions.len(), 3);
    // Written through the canonical writer.
    for a in &loaded.actions {
        assert_eq!(
            spec.read(&format!("actions/{}.json", a.name)),
            ccc_spec::action_to_json(a)
        );
    }
    let before = spec.snapshot();
    let second = run(&spec, &tea).unwrap();
    assert_eq!(
        second.unchanged,
        ["ListWidgets", "PlaceOrder", "RemoveGadget"]
    );
    assert!(second.created.is_empty() && second.updated.is_empty());
    assert!(second.written.is_empty());
    assert!(second.differences.is_empty());
    assert_eq!(spec.snapshot(), before, "no temporary files, no changes");
}

#[test]
fn one_action_changed_changes_only_its_file() {
    let spec = spec_dir("one");
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    run(&spec, &tea).unwrap();
    let before = spec.snapshot();

    let tea = tea_file(&spec, &changed_one());
    let report = run(&spec, &tea).unwrap();
    assert_eq!(report.updated, ["ListWidgets"]);
    assert_eq!(report.unchanged, ["PlaceOrder", "RemoveGadget"]);
    let after = spec.snapshot();
    let changed: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| b.0.as_str())
        .collect();
    assert_eq!(changed, ["ListWidgets.json"]);
    assert!(spec.read("actions/ListWidgets.json").contains("\"Shape\""));
    let text: Vec<String> = report.differences.iter().map(|d| d.to_string()).collect();
    assert_eq!(text, ["ListWidgets parameters/Shape: added from upstream"]);
}

#[test]
fn one_action_added_creates_only_its_file() {
    let spec = spec_dir("add");
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    run(&spec, &tea).unwrap();
    let before = spec.snapshot();
    let tea = tea_file(&spec, &added_one());
    let report = run(&spec, &tea).unwrap();
    assert_eq!(report.created, ["Ping"]);
    assert_eq!(report.unchanged.len(), 3);
    let after = spec.snapshot();
    assert_eq!(after.len(), 4);
    let without_new: Vec<_> = after.into_iter().filter(|f| f.0 != "Ping.json").collect();
    assert_eq!(without_new, before);
}

#[test]
fn a_page_spec_is_merged_kept_and_reported_then_stable() {
    let spec = spec_dir("merge");
    spec.write(
        "actions/PlaceOrder.json",
        &common::fixture_text("page/PlaceOrder.json"),
    );
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    let report = run(&spec, &tea).unwrap();
    assert_eq!(report.created, ["ListWidgets", "RemoveGadget"]);
    assert_eq!(report.updated, ["PlaceOrder"]);
    assert!(report.differences.iter().all(|d| d.action == "PlaceOrder"));
    assert_eq!(report.differences.len(), 26);
    let merged = spec.read("actions/PlaceOrder.json");
    assert!(merged.contains("NotExists.Store"), "page error table kept");
    assert!(
        merged.contains("\"enum\": \"OrderCode\""),
        "enum reference kept"
    );
    assert!(merged.contains("Places an order (page text)."));
    // The definition decides `required`: the page's flag of `Note` gave way, reported.
    assert!(
        report.differences.iter().any(|d| d.to_string()
            == "PlaceOrder parameters/Note: required: spec true, upstream false; kept upstream"),
        "{:?}",
        report.differences
    );
    // Again: the merged file is now stable; the remaining disagreements are still reported.
    let before = spec.snapshot();
    let again = run(&spec, &tea).unwrap();
    assert_eq!(again.unchanged.len(), 3);
    assert_eq!(spec.snapshot(), before);
    let left: Vec<String> = again.differences.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        left,
        [
            "PlaceOrder parameters/StoreId: example: spec \"store-9\", upstream \"store-1\"; kept spec",
            "PlaceOrder parameters/Note: type: spec Integer, upstream String; kept spec",
            "PlaceOrder parameters/LegacyFlag: not upstream; kept",
            "PlaceOrder response/Data/Lines[]: typeName: spec \"Line\", upstream \"OrderLine\"; kept spec",
            "PlaceOrder response/Data/Legacy: not upstream; kept",
        ]
    );
}

#[test]
fn an_invalid_result_writes_nothing() {
    let spec = spec_dir("invalid");
    // A page spec naming an enumeration nobody declares: the merged result cannot validate.
    let page = common::fixture_text("page/PlaceOrder.json").replace("\"OrderCode\"", "\"Nowhere\"");
    spec.write("actions/PlaceOrder.json", &page);
    let before = spec.snapshot();
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    let err = run(&spec, &tea).unwrap_err();
    assert!(matches!(err, ImportError::Invalid(_)), "{err}");
    assert!(
        err.to_string().contains("unknown enumeration `Nowhere`"),
        "{err}"
    );
    assert_eq!(
        spec.snapshot(),
        before,
        "not even the valid actions are written"
    );
}

#[test]
fn a_broken_unrelated_file_blocks_the_import() {
    let spec = spec_dir("broken");
    spec.write("actions/Other.json", "{ \"action\": \"Other\", ");
    let before = spec.snapshot();
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    let err = run(&spec, &tea).unwrap_err();
    assert!(matches!(err, ImportError::Invalid(_)), "{err}");
    assert_eq!(spec.snapshot(), before);
}

#[test]
fn a_tea_error_writes_nothing_and_names_the_place() {
    let spec = spec_dir("teaerr");
    let text = common::fixture_text("shop.tea").replace("example='OK'),", "example='OK' {");
    let tea = tea_file(&spec, &text);
    let err = run(&spec, &tea).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.ends_with("main.tea:66:43: expected ')' after annotation list, found '{'"),
        "{msg}"
    );
    assert!(spec.snapshot().is_empty());
}

#[test]
fn dry_run_reports_but_writes_nothing() {
    let spec = spec_dir("dry");
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    let report = import(spec.path(), &tea, None, &ImportOptions { dry_run: true }).unwrap();
    assert_eq!(report.created.len(), 3);
    assert!(report.written.is_empty());
    assert!(spec.snapshot().is_empty());
}

#[test]
fn endpoints_are_compared_and_other_actions_kept() {
    let spec = spec_dir("endpoints");
    let other = "{\n  \"action\": \"Other\",\n  \"method\": \"POST\",\n  \"path\": \"/\",\n  \"idempotent\": false,\n  \"parameters\": [],\n  \"response\": [],\n  \"errors\": []\n}\n";
    spec.write("actions/Other.json", other);
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    let report = run(&spec, &tea).unwrap();
    assert_eq!(
        report.endpoint_differences,
        [
            "xx-south-2: only in product.json",
            "xx-west-3: only in api-info.json"
        ],
        "main.tea's @endpointMap equals product.json; api-info.json does not"
    );
    assert_eq!(report.not_upstream, ["Other"]);
    assert_eq!(spec.read("actions/Other.json"), other);
    assert!(report.to_string().contains("not upstream (kept): Other"));
}

#[test]
fn api_info_beside_main_tea_is_found() {
    let spec = spec_dir("beside");
    let tea = tea_file(&spec, &common::fixture_text("shop.tea"));
    spec.write(
        "up/api-info.json",
        &common::fixture_text("shop-api-info.json"),
    );
    let report = import(spec.path(), &tea, None, &ImportOptions::default()).unwrap();
    assert_eq!(report.deprecated, ["ListWidgets", "RemoveGadget"]);
}
