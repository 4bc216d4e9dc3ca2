//! From the parsed fixture to spec actions.

#[path = "darabonba_common/mod.rs"]
mod common;

use ccc_import::darabonba::{ApiInfo, Mapped, parse, to_actions};
use ccc_spec::{Action, Field, Location, Method, Parameter, Scalar, Style, Type};

fn info() -> ApiInfo {
    ApiInfo::parse(&common::fixture_text("shop-api-info.json")).unwrap()
}

fn mapped() -> Mapped {
    let tea = parse("shop.tea", &common::fixture_text("shop.tea")).unwrap();
    to_actions(&tea, &info()).unwrap()
}

fn action<'m>(m: &'m Mapped, name: &str) -> &'m Action {
    m.actions.iter().find(|a| a.name == name).unwrap()
}

fn param<'a>(a: &'a Action, name: &str) -> &'a Parameter {
    a.parameters.iter().find(|p| p.name == name).unwrap()
}

fn field<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields.iter().find(|f| f.name == name).unwrap()
}

fn scalar(s: Scalar) -> Type {
    Type::Scalar {
        scalar: s,
        enumeration: None,
    }
}

#[test]
fn one_action_per_params_block_sorted() {
    let m = mapped();
    let names: Vec<&str> = m.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["ListWidgets", "PlaceOrder", "RemoveGadget"]);
    let p = action(&m, "PlaceOrder");
    assert_eq!(p.method, Method::Post);
    assert_eq!(p.path, "/");
    assert_eq!(action(&m, "ListWidgets").method, Method::Get);
    for a in &m.actions {
        assert!(a.summary.is_none() && a.description.is_none() && a.errors.is_empty());
    }
}

#[test]
fn parameters_locations_styles_required_examples() {
    let m = mapped();
    let a = action(&m, "PlaceOrder");
    let names: Vec<&str> = a.parameters.iter().map(|p| p.name.as_str()).collect();
    // The request model's order.
    assert_eq!(
        names,
        [
            "StoreId",
            "Items",
            "Note",
            "Tags",
            "Attributes",
            "Password",
            "Quantity"
        ]
    );
    let store = param(a, "StoreId");
    assert_eq!(store.ty, scalar(Scalar::String));
    assert!(store.required, "the description carries the marker");
    assert_eq!(store.location, Location::Query);
    assert_eq!(store.style, None);
    assert_eq!(store.example.as_deref(), Some("store-1"));
    assert_eq!(store.description, None, "descriptions are never copied");

    // Sent through the shrink model as JSON, in the body; the type is the full one.
    let items = param(a, "Items");
    assert_eq!(items.location, Location::Body);
    assert_eq!(items.style, Some(Style::Json));
    assert!(items.required);
    let Type::List { items: item } = &items.ty else {
        panic!("Items is a list")
    };
    let Type::Struct { type_name, fields } = item.as_ref() else {
        panic!("of structs")
    };
    assert_eq!(type_name, &None);
    assert_eq!(fields[1].ty, scalar(Scalar::Integer));

    let note = param(a, "Note");
    assert_eq!(note.location, Location::Body);
    assert_eq!(note.example, None, "an empty example is skipped");
    assert!(!note.required);

    // Lists and maps not shrunk travel flattened.
    let tags = param(a, "Tags");
    assert_eq!(tags.style, Some(Style::Flat));
    assert_eq!(tags.location, Location::Query);
    assert_eq!(
        tags.ty,
        Type::List {
            items: Box::new(scalar(Scalar::String))
        }
    );
    let attrs = param(a, "Attributes");
    assert_eq!(attrs.style, Some(Style::Flat));
    assert_eq!(
        attrs.ty,
        Type::Map {
            values: Box::new(scalar(Scalar::String))
        }
    );
    assert!(param(a, "Password").sensitive);
    assert!(!store.sensitive);
    assert_eq!(param(a, "Quantity").ty, scalar(Scalar::Long));
}

#[test]
fn whole_request_in_the_query() {
    let m = mapped();
    let a = action(&m, "ListWidgets");
    let got: Vec<(&str, Location, Option<Style>, bool)> = a
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location, p.style, p.required))
        .collect();
    assert_eq!(
        got,
        [
            ("PageNumber", Location::Query, None, true),
            ("PageSize", Location::Query, None, false),
            ("Colors", Location::Query, Some(Style::Flat), false),
        ]
    );
    assert_eq!(param(a, "PageSize").ty, scalar(Scalar::Long));
}

#[test]
fn deprecated_from_markers_and_api_info() {
    let m = mapped();
    assert!(action(&m, "ListWidgets").deprecated, "doc-comment marker");
    assert!(action(&m, "RemoveGadget").deprecated, "api-info.json list");
    assert!(!action(&m, "PlaceOrder").deprecated);
    // Without api-info.json only the marker counts.
    let tea = parse("shop.tea", &common::fixture_text("shop.tea")).unwrap();
    let bare = to_actions(&tea, &ApiInfo::default()).unwrap();
    assert!(!action(&bare, "RemoveGadget").deprecated);
    assert!(action(&bare, "ListWidgets").deprecated);
}

#[test]
fn response_tree() {
    let m = mapped();
    let a = action(&m, "PlaceOrder");
    let names: Vec<&str> = a.response.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Code", "Data", "HttpStatusCode", "RequestId"]);
    assert_eq!(
        field(&a.response, "HttpStatusCode").ty,
        scalar(Scalar::Integer)
    );
    assert_eq!(field(&a.response, "Code").example.as_deref(), Some("OK"));
    let Type::Struct { type_name, fields } = &field(&a.response, "Data").ty else {
        panic!("Data is a struct")
    };
    assert_eq!(type_name, &None, "inline structs get no typeName");
    // A named model: resolved, typeName = the model's name.
    let Type::List { items } = &field(fields, "Lines").ty else {
        panic!("Lines is a list")
    };
    let Type::Struct {
        type_name,
        fields: line,
    } = items.as_ref()
    else {
        panic!("of structs")
    };
    assert_eq!(type_name.as_deref(), Some("OrderLine"));
    assert_eq!(field(line, "Price").ty, scalar(Scalar::Double));
    assert_eq!(field(line, "Quantity").example.as_deref(), Some("2"));
    // Lists of structs inside lists of structs.
    let Type::List { items } = &field(fields, "Groups").ty else {
        panic!()
    };
    let Type::Struct { fields: group, .. } = items.as_ref() else {
        panic!()
    };
    let Type::List { items } = &field(group, "Entries").ty else {
        panic!()
    };
    let Type::Struct { fields: entry, .. } = items.as_ref() else {
        panic!()
    };
    assert_eq!(field(entry, "Paid").ty, scalar(Scalar::Boolean));
    // Maps: of a named model, of any; any; a list of maps.
    let Type::Map { values } = &field(fields, "Properties").ty else {
        panic!()
    };
    assert!(
        matches!(values.as_ref(), Type::Struct { type_name: Some(n), fields }
        if n == "PropValue" && fields[1].ty == scalar(Scalar::Float))
    );
    assert_eq!(field(fields, "Extra").ty, scalar(Scalar::Any));
    assert_eq!(
        field(fields, "Counts").ty,
        Type::Map {
            values: Box::new(scalar(Scalar::Any))
        }
    );
    assert_eq!(
        field(fields, "Documents").ty,
        Type::List {
            items: Box::new(Type::Map {
                values: Box::new(scalar(Scalar::Any))
            })
        }
    );
    // A page token is a cursor, not a secret.
    assert!(!field(&action(&m, "ListWidgets").response, "NextPageToken").sensitive);
}

#[test]
fn rust_name_clashes_and_builder_names_are_skipped_and_noted() {
    let m = mapped();
    let a = action(&m, "RemoveGadget");
    let names: Vec<&str> = a.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["GadgetId"]);
    let fields: Vec<&str> = a.response.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, ["UserId", "AccessToken"]);
    assert!(a.response[1].sensitive);
    let notes: Vec<String> = m.notes.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notes,
        [
            "RemoveGadget parameters/Options: skipped: would become `options`, a name the builder needs for itself",
            "RemoveGadget parameters/Internal: skipped: the request field is never sent",
            "RemoveGadget parameters/GadgetID: skipped: `GadgetID` and `GadgetId` both become the Rust name `gadget_id`",
            "RemoveGadget response/UserID: skipped: `UserID` and `UserId` both become the Rust name `user_id`",
        ]
    );
    // What is left validates.
    let product_path = common::fixture("spec/product.json");
    let product = ccc_spec::parse_product(
        &product_path,
        &std::fs::read_to_string(&product_path).unwrap(),
    )
    .unwrap();
    for a in &m.actions {
        let path = std::path::PathBuf::from(format!("{}.json", a.name));
        assert_eq!(ccc_spec::check_action(&path, &product, a), []);
    }
}

fn map_err(text: &str) -> String {
    let tea = parse("bad.tea", text).unwrap();
    to_actions(&tea, &ApiInfo::default())
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

const SKELETON: &str = "model XRequest {\n  a?: FIELD_TYPE(name='A'),\n}\n\
model XResponseBody = {\n  r?: string(name='R'),\n}\n\
model XResponse = {\n  body?: XResponseBody(name='body'),\n}\n\
async function xWithOptions(request: XRequest, runtime: Util.RuntimeOptions): XResponse {\n\
  query['A'] = request.SENT;\n\
  var params = new OpenApi.Params{\n    action = 'X',\n    method = 'METHOD',\n  };\n}\n";

fn skeleton(field_type: &str, sent: &str, method: &str) -> String {
    SKELETON
        .replace("FIELD_TYPE", field_type)
        .replace("SENT", sent)
        .replace("METHOD", method)
}

#[test]
fn mapping_errors_name_the_place() {
    let tea = parse("ok.tea", &skeleton("string", "a", "POST")).unwrap();
    assert_eq!(
        to_actions(&tea, &ApiInfo::default()).unwrap().actions.len(),
        1
    );

    assert_eq!(
        map_err(&skeleton("Nowhere", "a", "POST")),
        "bad.tea:2:7: action X: unknown type `Nowhere` at parameters/A"
    );
    assert_eq!(
        map_err(&skeleton("readable", "a", "POST")),
        "bad.tea:2:7: action X: `readable` at parameters/A is a stream or byte type, not supported"
    );
    assert_eq!(
        map_err(&skeleton("string", "b", "POST")),
        "bad.tea:11:1: action X: model `XRequest` has no field `b`"
    );
    assert_eq!(
        map_err(&skeleton("string", "a", "PUT")),
        "bad.tea:12:14: action X: method `PUT` (GET or POST)"
    );
    assert_eq!(
        map_err(&skeleton("map[int32]string", "a", "POST")),
        "bad.tea:2:11: action X: map keys other than `string` at parameters/A"
    );
}

#[test]
fn a_model_that_contains_itself_is_refused() {
    let text = skeleton("Loop", "a", "POST") + "model Loop = {\n  next?: Loop(name='Next'),\n}\n";
    assert_eq!(
        map_err(&text),
        "bad.tea:18:10: action X: model `Loop` contains itself (at parameters/A/Next)"
    );
}

#[test]
fn a_model_named_for_nothing_it_holds_gets_no_type_name() {
    let text = skeleton("Data", "a", "POST") + "model Data = {\n  x?: string(name='X'),\n}\n";
    let tea = parse("data.tea", &text).unwrap();
    let mapped = to_actions(&tea, &ApiInfo::default()).unwrap();
    let Type::Struct { type_name, fields } = &mapped.actions[0].parameters[0].ty else {
        panic!("{:?}", mapped.actions[0].parameters[0].ty)
    };
    // `Data` names nothing; the generator's rule names the struct from where it sits.
    assert_eq!(type_name, &None);
    assert_eq!(fields[0].name, "X");
}
