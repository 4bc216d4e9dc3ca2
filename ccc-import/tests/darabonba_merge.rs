//! Merging upstream into a spec file that came from an API reference page.

#[path = "darabonba_common/mod.rs"]
mod common;

use std::path::Path;

use ccc_import::darabonba::{ApiInfo, DiffKind, Side, merge, parse, to_actions};
use ccc_spec::{Action, Field, Location, Method, Scalar, Style, Type};

fn upstream() -> Action {
    let tea = parse("shop.tea", &common::fixture_text("shop.tea")).unwrap();
    let info = ApiInfo::parse(&common::fixture_text("shop-api-info.json")).unwrap();
    to_actions(&tea, &info)
        .unwrap()
        .actions
        .into_iter()
        .find(|a| a.name == "PlaceOrder")
        .unwrap()
}

fn page() -> Action {
    let path = common::fixture("page/PlaceOrder.json");
    ccc_spec::parse_action(&path, &std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn field<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields.iter().find(|f| f.name == name).unwrap()
}

#[test]
fn page_facts_are_kept() {
    let (m, _) = merge(&page(), &upstream());
    let p = page();
    assert_eq!(m.summary, p.summary);
    assert_eq!(m.errors, p.errors);
    assert_eq!(m.examples, p.examples);
    let store = &m.parameters[0];
    assert_eq!(
        store.example.as_deref(),
        Some("store-9"),
        "page example wins"
    );
    assert_eq!(store.description.as_deref(), Some("The store (page text)."));
    let note = m.parameters.iter().find(|p| p.name == "Note").unwrap();
    assert!(
        !note.required && !note.reference_required,
        "the definition decides `required`"
    );
    assert_eq!(
        note.ty,
        Type::Scalar {
            scalar: Scalar::Integer,
            enumeration: None
        },
        "page type wins when the scalars differ"
    );
    let code = field(&m.response, "Code");
    assert!(
        matches!(&code.ty, Type::Scalar { enumeration: Some(e), .. } if e == "OrderCode"),
        "enum reference kept"
    );
    let Type::Struct { type_name, fields } = &field(&m.response, "Data").ty else {
        panic!()
    };
    assert_eq!(
        type_name.as_deref(),
        Some("OrderData"),
        "page typeName kept"
    );
    let Type::List { items } = &field(fields, "Lines").ty else {
        panic!()
    };
    let Type::Struct {
        type_name,
        fields: line,
    } = items.as_ref()
    else {
        panic!()
    };
    assert_eq!(
        type_name.as_deref(),
        Some("Line"),
        "page typeName wins over the model name"
    );
    assert_eq!(
        field(line, "Sku").description.as_deref(),
        Some("Page text.")
    );
    // Kept although upstream lacks them.
    assert!(m.parameters.iter().any(|p| p.name == "LegacyFlag"));
    assert!(fields.iter().any(|f| f.name == "Legacy"));
}

#[test]
fn upstream_wire_facts_win_and_additions_are_appended() {
    let (m, _) = merge(&page(), &upstream());
    assert_eq!(m.method, Method::Post, "upstream method wins");
    let items = m.parameters.iter().find(|p| p.name == "Items").unwrap();
    assert_eq!(items.location, Location::Body, "upstream location wins");
    assert_eq!(items.style, Some(Style::Json), "upstream style wins");
    let note = m.parameters.iter().find(|p| p.name == "Note").unwrap();
    assert_eq!(note.location, Location::Body);
    // The page's parameters first, in its order; then upstream's new ones, in upstream order.
    let names: Vec<&str> = m.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "StoreId",
            "Items",
            "Note",
            "LegacyFlag",
            "Tags",
            "Attributes",
            "Password",
            "Quantity"
        ]
    );
    assert!(
        m.parameters
            .iter()
            .find(|p| p.name == "Password")
            .unwrap()
            .sensitive
    );
    // Nested additions: new fields inside the page's structs; unset examples filled in.
    let response: Vec<&str> = m.response.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(response, ["Code", "Data", "RequestId", "HttpStatusCode"]);
    let Type::Struct { fields, .. } = &field(&m.response, "Data").ty else {
        panic!()
    };
    let data: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        data,
        [
            "OrderId",
            "Lines",
            "Legacy",
            "Groups",
            "Properties",
            "Extra",
            "Counts",
            "Documents"
        ]
    );
    let Type::List { items } = &field(fields, "Lines").ty else {
        panic!()
    };
    let Type::Struct { fields: line, .. } = items.as_ref() else {
        panic!()
    };
    let line: Vec<&str> = line.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(line, ["Sku", "Quantity", "Price"]);
    assert_eq!(field(fields, "OrderId").example.as_deref(), Some("o-1"));
    assert_eq!(
        field(&m.response, "RequestId").example.as_deref(),
        Some("R-1")
    );
}

#[test]
fn every_difference_is_reported_with_its_path() {
    let (_, diffs) = merge(&page(), &upstream());
    let text: Vec<String> = diffs.iter().map(|d| d.to_string()).collect();
    let expected = [
        "PlaceOrder: method: spec GET, upstream POST; kept upstream",
        "PlaceOrder parameters/StoreId: example: spec \"store-9\", upstream \"store-1\"; kept spec",
        "PlaceOrder parameters/Items[]/Sku: example: spec unset, upstream \"SKU-1\"; kept upstream",
        "PlaceOrder parameters/Items[]/Quantity: added from upstream",
        "PlaceOrder parameters/Items: in: spec query, upstream body; kept upstream",
        "PlaceOrder parameters/Items: style: spec flat, upstream json; kept upstream",
        "PlaceOrder parameters/Note: type: spec Integer, upstream String; kept spec",
        "PlaceOrder parameters/Note: required: spec true, upstream false; kept upstream",
        "PlaceOrder parameters/LegacyFlag: not upstream; kept",
        "PlaceOrder parameters/Tags: added from upstream",
        "PlaceOrder parameters/Attributes: added from upstream",
        "PlaceOrder parameters/Password: added from upstream",
        "PlaceOrder parameters/Quantity: added from upstream",
        "PlaceOrder response/Data/OrderId: example: spec unset, upstream \"o-1\"; kept upstream",
        "PlaceOrder response/Data/Lines[]: typeName: spec \"Line\", upstream \"OrderLine\"; kept spec",
        "PlaceOrder response/Data/Lines[]/Sku: example: spec unset, upstream \"SKU-1\"; kept upstream",
        "PlaceOrder response/Data/Lines[]/Quantity: added from upstream",
        "PlaceOrder response/Data/Lines[]/Price: added from upstream",
        "PlaceOrder response/Data/Legacy: not upstream; kept",
        "PlaceOrder response/Data/Groups: added from upstream",
        "PlaceOrder response/Data/Properties: added from upstream",
        "PlaceOrder response/Data/Extra: added from upstream",
        "PlaceOrder response/Data/Counts: added from upstream",
        "PlaceOrder response/Data/Documents: added from upstream",
        "PlaceOrder response/RequestId: example: spec unset, upstream \"R-1\"; kept upstream",
        "PlaceOrder response/HttpStatusCode: added from upstream",
    ];
    assert_eq!(text, expected);
    assert!(diffs.iter().any(|d| matches!(
        &d.kind,
        DiffKind::Differs { aspect, kept: Side::Incoming, .. } if aspect == "required"
    )));
}

#[test]
fn merging_upstream_into_itself_changes_nothing() {
    let up = upstream();
    let (m, diffs) = merge(&up, &up);
    assert_eq!(m, up);
    assert_eq!(diffs, []);
    // And the merged page validates against the product.
    let (m, _) = merge(&page(), &up);
    let product_path = common::fixture("spec/product.json");
    let product = ccc_spec::parse_product(
        &product_path,
        &std::fs::read_to_string(&product_path).unwrap(),
    )
    .unwrap();
    assert_eq!(
        ccc_spec::check_action(Path::new("PlaceOrder.json"), &product, &m),
        []
    );
}

#[test]
fn deprecation_and_sensitivity_are_set_by_either_side() {
    let mut spec = upstream();
    let mut up = upstream();
    up.deprecated = true;
    spec.parameters[0].sensitive = true;
    let (m, diffs) = merge(&spec, &up);
    assert!(m.deprecated);
    assert!(m.parameters[0].sensitive);
    let text: Vec<String> = diffs.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        text,
        [
            "PlaceOrder: deprecated: spec false, upstream true; kept upstream",
            "PlaceOrder parameters/StoreId: sensitive: spec true, upstream false; kept spec",
        ]
    );
}

#[test]
fn an_upstream_addition_that_clashes_in_rust_is_not_added() {
    let spec = upstream();
    let mut up = upstream();
    let mut extra = up.parameters[0].clone();
    // `STOREId` and `StoreId` both become `store_id`.
    extra.name = "STOREId".into();
    assert_eq!(ccc_spec::naming::field_stem("STOREId"), "store_id");
    up.parameters.push(extra);
    let (m, diffs) = merge(&spec, &up);
    assert!(!m.parameters.iter().any(|p| p.name == "STOREId"));
    assert_eq!(
        diffs.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        [
            "PlaceOrder parameters/STOREId: upstream has it but its Rust name clashes with `StoreId` of the spec; not added"
        ]
    );
}

#[test]
fn new_actions_take_the_repeat_rule_and_the_spec_keeps_its_override() {
    // PlaceOrder changes data: the shared rule says it is not safe to repeat.
    assert!(!upstream().idempotent);
    let mut page = page();
    page.idempotent = true;
    let (m, _) = merge(&page, &upstream());
    assert!(m.idempotent, "a maintainer's override survives an import");
}

/// An enumeration upstream's side was given (by name) fills a field the spec left a plain
/// String, and is reported; one the spec names is kept.
#[test]
fn an_enumeration_fills_a_plain_string_and_never_replaces_one() {
    let mut spec = page();
    let mut up = upstream();
    let plain = |a: &mut Action| {
        let code = a.response.iter_mut().find(|f| f.name == "Code").unwrap();
        code.ty = Type::Scalar {
            scalar: Scalar::String,
            enumeration: None,
        };
    };
    plain(&mut spec);
    plain(&mut up);
    let code = up.response.iter_mut().find(|f| f.name == "Code").unwrap();
    code.ty = Type::Scalar {
        scalar: Scalar::String,
        enumeration: Some("Status".into()),
    };
    let (m, diffs) = merge(&spec, &up);
    assert_eq!(
        field(&m.response, "Code").ty,
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: Some("Status".into())
        }
    );
    assert!(diffs.iter().any(|d| d.path == "response/Code"
        && matches!(&d.kind, DiffKind::Differs { aspect, kept: Side::Incoming, .. } if aspect == "enum")));
    // The page's own enumeration stays.
    let (m, _) = merge(&page(), &up);
    assert!(matches!(
        &field(&m.response, "Code").ty,
        Type::Scalar { enumeration: Some(e), .. } if e == "OrderCode"
    ));
}
