//! Snapshots of the generator's output on small fixture specs that exercise the hard cases,
//! and on the real spec's ResetAgentState. Review changes with `cargo insta review`.

use std::path::{Path, PathBuf};

use codegen::GeneratedFile;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The files a fixture spec renders to, formatted exactly as `cargo xtask codegen` would.
fn render(spec_dir: &Path) -> Vec<GeneratedFile> {
    let spec = codegen::sync::load(spec_dir, spec_dir).unwrap_or_else(|e| panic!("{e}"));
    codegen::sync::render(&spec, None).unwrap_or_else(|e| panic!("{e}"))
}

/// `ccc-sdk/src/generated/operation/list_things.rs` → `operation__list_things`.
fn snapshot_name(path: &str) -> String {
    path.trim_start_matches(codegen::GENERATED_DIR)
        .trim_start_matches('/')
        .trim_end_matches(".rs")
        .replace('/', "__")
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a GeneratedFile {
    files
        .iter()
        .find(|f| f.path.ends_with(path))
        .unwrap_or_else(|| panic!("no generated file ends with {path}"))
}

#[test]
fn zoo_fixture() {
    let files = render(&fixture("zoo"));
    let names: Vec<String> = files.iter().map(|f| snapshot_name(&f.path)).collect();
    assert_eq!(
        names,
        [
            "actions_by_area.md",
            "client_methods",
            "endpoints",
            "mod",
            "operation__create_widget",
            "operation__legacy_ping",
            "operation__list_gadgets",
            "operation__list_notes",
            "operation__list_things",
            "operation__mod",
            "types",
        ]
    );
    for f in &files {
        insta::assert_snapshot!(format!("zoo__{}", snapshot_name(&f.path)), &f.contents);
    }
}

/// No struct of the real spec is named just `Data` or `List`.
#[test]
fn no_generated_type_is_named_for_nothing_it_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = codegen::sync::load(&root.join("spec"), &root).unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    for f in &files {
        for generic in ccc_spec::naming::GENERIC_STRUCT_NAMES {
            assert!(
                !f.contents.contains(&format!("pub struct {generic} ")),
                "{} has a struct named {generic}",
                f.path
            );
        }
    }
    let list_users = file(&files, "operation/list_users.rs");
    assert!(list_users.contents.contains("pub struct UserPage "));
    assert!(
        list_users
            .contents
            .contains("pub list: Option<Vec<crate::types::User>>,")
    );
}

#[test]
fn reset_agent_state_from_the_real_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = codegen::sync::load(&root.join("spec"), &root).unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::sync::render(&spec, Some(&root)).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(
        "reset_agent_state",
        &file(&files, "operation/reset_agent_state.rs").contents
    );
}

/// The hard cases, checked by name so that a snapshot update cannot quietly lose them.
#[test]
fn zoo_names_and_shapes() {
    let files = render(&fixture("zoo"));
    let create = &file(&files, "operation/create_widget.rs").contents;
    for needle in [
        // Keywords as fields and in setter names.
        "pub r#type: WidgetKind,",
        "pub r#match: Option<bool>,",
        "pub self_: Option<i32>,",
        "pub fn set_type(mut self, v: Option<WidgetKind>) -> Self",
        // Generic names say what they hold: the top-level `Data` is the action's result, a
        // `Data` deeper down is named after its parent.
        "pub struct CreateWidgetResult {",
        "pub data: Option<CreateWidgetResult>,",
        "pub struct ItemData {",
        // Collisions: a second `Item`, and an imported name.
        "pub struct Item {",
        "pub struct CreateWidgetOutputItem {",
        "pub struct CreateWidgetOutputParams {",
        // Required and optional; lists append; maps insert.
        "BuildError::missing(\"WidgetName\")",
        "pub parts: Vec<Part>,",
        "pub tags: Option<Vec<String>>,",
        "self.tags.get_or_insert_with(Vec::new).push(item.into());",
        "pub fn labels(mut self, key: impl Into<String>, value: impl Into<String>) -> Self",
        // Where parameters travel.
        "p.put(Loc::Query, \"WidgetName\", &self.widget_name);",
        "p.put(Loc::Body, \"Self\", v);",
        "p.flat(Loc::Query, \"Tags\", v);",
        "p.json(Loc::Query, \"Ids\", v);",
        "p.json(Loc::Body, \"Labels\", v);",
        "p.flat(Loc::Body, \"Parts\", &self.parts);",
        "p.json(Loc::Body, \"Layout\", v);",
        // Map and Any.
        "pub meta: Option<std::collections::HashMap<String, Value>>,",
        "pub extra: Option<Value>,",
        // Product and action enumerations.
        "pub color: Option<crate::types::Color>,",
        "codec::wire_enum!(WidgetKind {",
        // Sensitive values never reach Debug.
        ".field(\"password\", &\"*** redacted ***\")",
        ".field(\"secret\", &self.secret.as_ref().map(|_| \"*** redacted ***\"))",
        ".field(\"token\", &self.token.as_ref().map(|_| \"*** redacted ***\"))",
        // Doc prose cannot become a doctest or a link.
        "//! Longer prose with \\[brackets\\], \\<angle\\> text\n//! and an indented line",
    ] {
        assert!(create.contains(needle), "create_widget.rs lacks {needle:?}");
    }
    assert!(!create.contains(
        "#[derive(Clone, Debug, PartialEq)]\n#[non_exhaustive]\npub struct CreateWidgetInput"
    ));

    let ping = &file(&files, "operation/legacy_ping.rs").contents;
    assert!(ping.contains("#![allow(deprecated)]"));
    let client = &file(&files, "client_methods.rs").contents;
    assert!(client.contains("    #[deprecated]\n    #[inline]\n    pub fn legacy_ping(&self)"));
    assert!(client.contains("#![allow(deprecated)]"));
    assert!(ping.contains("#[deprecated]\n#[derive(Clone, Debug)]"));
    assert!(ping.contains("fn write_params<'a>(&'a self, _p: &mut Params<'a>)"));

    let list = &file(&files, "operation/list_things.rs").contents;
    assert!(list.contains("UnhandledCode(ServiceError),"));
    assert!(list.contains("\"Unhandled\" => Self::UnhandledCode(e),"));
    // A page size but no page: no paginator.
    assert!(!list.contains("into_paginator"));

    // Paging by number, with `Long` numbers (no narrowing) and the page under its own name.
    let gadgets = &file(&files, "operation/list_gadgets.rs").contents;
    for needle in [
        "pub fn into_paginator(self) -> crate::paginator::Paginator<Self>",
        "impl crate::paginator::Paginate for ListGadgetsFluentBuilder {",
        "const STYLE: crate::paginator::PageStyle = crate::paginator::PageStyle::Number;",
        "type Item = Gadget;",
        "this = this.page_number(n);",
        "total: p.total_count,",
        "page.paged_gadgets.and_then(|p| p.rows).unwrap_or_default()",
    ] {
        assert!(gadgets.contains(needle), "list_gadgets.rs lacks {needle:?}");
    }
    // Paging by token, the size set by `MaxResults` (an `i32`: narrowed).
    let notes = &file(&files, "operation/list_notes.rs").contents;
    for needle in [
        "const STYLE: crate::paginator::PageStyle = crate::paginator::PageStyle::Token;",
        "token: self.input.get_next_page_token().cloned(),",
        "this = this.max_results(i32::try_from(n).ok()?);",
        "next_token: p.next_page_token.as_deref(),",
    ] {
        assert!(notes.contains(needle), "list_notes.rs lacks {needle:?}");
    }

    let types = &file(&files, "types.rs").contents;
    assert!(types.contains("UnknownValue => \"UNKNOWN\","));
    assert!(types.contains("BadInput => \"Bad.Input\","));

    // One `ErrorCode` for the product's codes and every action's, sorted by code, each once,
    // with every status it has and the product's description before an action's. The names of
    // the catch-alls get `Code`, as in the actions' enums.
    let codes = types
        .split("pub enum ErrorCode {")
        .nth(1)
        .expect("types.rs holds ErrorCode");
    for needle in [
        "    /// `Bad.Input` (HTTP 400 or 422): Some input could not be used.\n    BadInput,",
        "    /// `Busy` (HTTP 503): The spec does not describe it further;",
        "    /// `Quota.Exceeded` (HTTP 400): The spec does not describe it further;",
        "    /// `Widget.Exists` (HTTP 409): The name is taken.\n    WidgetExists,",
        "    UnhandledCode,",
        "    UnknownCode,",
        "    Unknown(codec::UnknownValue),",
        "codec::wire_enum!(ErrorCode {\n    BadInput => \"Bad.Input\",\n    Busy => \"Busy\",\n    \
         QuotaExceeded => \"Quota.Exceeded\",\n    UnhandledCode => \"Unhandled\",\n    \
         UnknownCode => \"Unknown\",\n    WidgetExists => \"Widget.Exists\",\n});",
    ] {
        assert!(codes.contains(needle), "ErrorCode lacks {needle:?}");
    }
    assert!(list.contains("UnknownCode(ServiceError),"));
    assert!(list.contains("pub fn error_code(&self) -> crate::types::ErrorCode {"));
}

/// Every error code of the real spec, the product's and each action's, is a variant of
/// `ErrorCode`, named by the rule of the actions' enums.
#[test]
fn error_code_knows_every_code_of_the_real_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = codegen::sync::load(&root.join("spec"), &root).unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let types = &file(&files, "types.rs").contents;
    let listing = types
        .split("codec::wire_enum!(ErrorCode {\n")
        .nth(1)
        .and_then(|rest| rest.split("});").next())
        .expect("the ErrorCode listing");
    let listed: Vec<&str> = listing.lines().collect();
    let mut codes: Vec<&str> = spec
        .product
        .errors
        .iter()
        .chain(spec.actions.iter().flat_map(|a| &a.errors))
        .map(|e| e.code.as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert!(codes.len() > spec.product.errors.len());
    let expected: Vec<String> = codes
        .iter()
        .map(|c| format!("    {} => {c:?},", ccc_spec::error_variant(c)))
        .collect();
    assert_eq!(listed, expected);
}

/// Every generated file is Rust that syn reads back, and starts with the `@generated` line.
#[test]
fn output_parses_and_is_marked() {
    for f in render(&fixture("zoo")) {
        let first = f.contents.lines().next().unwrap_or_default();
        if f.path.ends_with(".md") {
            // Markdown for the crate docs, marked in a comment rustdoc does not show.
            assert!(
                first.starts_with("<!-- @generated by `cargo xtask codegen` from spec/"),
                "{}: {first}",
                f.path
            );
            continue;
        }
        assert!(
            first.starts_with("// @generated by `cargo xtask codegen` from spec/"),
            "{}: {first}",
            f.path
        );
        if let Err(e) = syn::parse_file(&f.contents) {
            panic!("{} does not parse: {e}", f.path);
        }
    }
}

/// Generating twice gives the same bytes.
#[test]
fn output_is_deterministic() {
    let spec_dir = fixture("zoo");
    let spec = codegen::sync::load(&spec_dir, &spec_dir).unwrap_or_else(|e| panic!("{e}"));
    let a = codegen::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let b = codegen::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a, b);
}
