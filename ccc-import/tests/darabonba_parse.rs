//! The lexer and parser on fixtures written for the project.

#[path = "darabonba_common/mod.rs"]
mod common;

use ccc_import::darabonba::{Target, TeaType, parse};

fn shop() -> ccc_import::darabonba::TeaFile {
    parse("shop.tea", &common::fixture_text("shop.tea")).unwrap()
}

#[test]
fn declarations() {
    let t = shop();
    assert_eq!(t.imports, ["Util", "OpenApi", "OpenApiUtil"]);
    assert_eq!(t.extends.as_deref(), Some("OpenApi"));
    let init = t.init.as_ref().unwrap();
    assert_eq!(init.params[0].name, "config");
    assert_eq!(init.endpoint_rule.as_deref(), Some("regional"));
    assert_eq!(
        init.endpoint_map,
        [
            ("xx-north-1".to_string(), "shop.example.test".to_string()),
            ("xx-south-2".to_string(), "shop.example.test".to_string())
        ]
    );
    let names: Vec<&str> = t.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names.len(), 12);
    assert!(names.contains(&"OrderLine") && names.contains(&"PlaceOrderShrinkRequest"));
    let functions: Vec<&str> = t.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        functions,
        [
            "pickHost",
            "placeOrderWithOptions",
            "placeOrder",
            "listWidgetsWithOptions",
            "removeGadgetWithOptions"
        ]
    );
    let pick = &t.functions[0];
    assert!(!pick.is_async);
    assert_eq!(pick.params.len(), 3);
    assert!(matches!(&pick.returns, Some(TeaType::Named { name, .. }) if name == "string"));
    assert!(t.functions[1].is_async);
}

#[test]
fn model_fields_types_and_annotations() {
    let t = shop();
    let req = t
        .models
        .iter()
        .find(|m| m.name == "PlaceOrderRequest")
        .unwrap();
    let store = &req.fields[0];
    assert_eq!(store.name, "storeId");
    assert_eq!(store.wire_name(), "StoreId");
    assert_eq!(store.attr("example"), Some("store-1"));
    assert!(store.optional);
    assert_eq!(store.pos.line, 41);
    // `[ { … } ](name='Items')`: a list of an inline struct, the annotation on the field.
    let TeaType::List(item) = &req.fields[1].ty else {
        panic!("Items is a list")
    };
    let TeaType::Struct(inner) = item.as_ref() else {
        panic!("of structs")
    };
    assert_eq!(inner[0].wire_name(), "Sku");
    assert_eq!(req.fields[1].wire_name(), "Items");
    assert_eq!(req.fields[2].attr("example"), Some(""));
    assert!(matches!(&req.fields[4].ty, TeaType::Map { key, value }
        if matches!(key.as_ref(), TeaType::Named { name, .. } if name == "string")
        && matches!(value.as_ref(), TeaType::Named { name, .. } if name == "string")));
    let body = t
        .models
        .iter()
        .find(|m| m.name == "PlaceOrderResponseBody")
        .unwrap();
    let TeaType::Struct(data) = &body.fields[1].ty else {
        panic!("Data is an inline struct")
    };
    assert_eq!(body.fields[1].wire_name(), "Data");
    assert!(
        matches!(&data[1].ty, TeaType::List(i) if matches!(i.as_ref(), TeaType::Named { name, .. } if name == "OrderLine"))
    );
    assert!(matches!(&data[6].ty, TeaType::List(i) if matches!(i.as_ref(), TeaType::Map { .. })));
}

#[test]
fn function_facts() {
    let t = shop();
    let place = &t.functions[1].facts;
    assert_eq!(
        place.locals,
        [("request".to_string(), "PlaceOrderShrinkRequest".to_string())]
    );
    assert_eq!(place.shrinks.len(), 1);
    let s = &place.shrinks[0];
    assert_eq!(
        (
            s.var.as_str(),
            s.field.as_str(),
            s.from_var.as_str(),
            s.from_field.as_str(),
            s.wire.as_str(),
            s.style.as_str()
        ),
        ("request", "itemsShrink", "tmpReq", "items", "Items", "json")
    );
    let sends: Vec<(Target, &str, &str)> = place
        .sends
        .iter()
        .map(|s| (s.target, s.wire.as_str(), s.field.as_str()))
        .collect();
    assert_eq!(
        sends,
        [
            (Target::Query, "StoreId", "storeId"),
            (Target::Query, "Tags", "tags"),
            (Target::Query, "Attributes", "attributes"),
            (Target::Query, "Password", "password"),
            (Target::Query, "Quantity", "quantity"),
            (Target::Body, "Items", "itemsShrink"),
            (Target::Body, "Note", "note"),
        ]
    );
    assert_eq!(place.param("action"), Some("PlaceOrder"));
    assert_eq!(place.param("method"), Some("POST"));
    assert_eq!(place.param("pathname"), Some("/"));
    assert_eq!(place.param("reqBodyType"), Some("formData"));
    assert!(place.whole_query.is_none());
    let list = &t.functions[3].facts;
    assert_eq!(
        list.whole_query.as_ref().map(|w| w.0.as_str()),
        Some("request")
    );
    assert_eq!(list.param("method"), Some("GET"));
    // Functions without a Params block (helpers, the short forms) carry no action.
    assert!(t.functions[0].facts.params.is_none());
    assert!(t.functions[2].facts.params.is_none());
}

#[test]
fn deprecation_markers() {
    let t = shop();
    let deprecated: Vec<&str> = t
        .functions
        .iter()
        .filter(|f| f.deprecated)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(deprecated, ["listWidgetsWithOptions"]);
    // Each marker on its own is enough.
    let only_line = "// Deprecated\nfunction f(): void {}\n";
    assert!(parse("t", only_line).unwrap().functions[0].deprecated);
    let only_doc = "/**\n * @deprecated use g\n */\nfunction f(): void {}\n";
    assert!(parse("t", only_doc).unwrap().functions[0].deprecated);
    let neither =
        "/**\n * Not deprecated; see @deprecated elsewhere.\n */\nfunction f(): void {}\n";
    assert!(!parse("t", neither).unwrap().functions[0].deprecated);
    let on_model = "/** @deprecated */\nmodel M {}\n";
    assert!(parse("t", on_model).unwrap().models[0].deprecated);
}

#[test]
fn other_literal_forms() {
    let t = parse(
        "t",
        "model M { a: string(name=\"A\", maxLength=10, readOnly=true), }\nstatic function f(): void;\n",
    )
    .unwrap();
    let a = &t.models[0].fields[0];
    assert!(!a.optional);
    assert_eq!(
        a.attrs,
        [
            ("name".into(), "A".into()),
            ("maxLength".into(), "10".into()),
            ("readOnly".into(), "true".into())
        ]
    );
    assert_eq!(t.functions[0].facts, Default::default());
}

fn err(text: &str) -> String {
    parse("bad.tea", text).unwrap_err().to_string()
}

#[test]
fn errors_name_line_column_and_what_was_not_understood() {
    assert_eq!(
        err("model M {\n  a?: string(name='A', example='x' {\n}"),
        "bad.tea:2:36: expected ')' after annotation list, found '{'"
    );
    assert_eq!(
        err("model M {\n  a? string\n}"),
        "bad.tea:2:6: expected ':' after field 'a', found 'string'"
    );
    assert_eq!(
        err("model M {\n  a?: (name='A'),\n}"),
        "bad.tea:2:7: expected a type, found '('"
    );
    assert_eq!(
        err("model M {\n  a?: string(name='A')\n  b?: string\n}"),
        "bad.tea:3:3: expected ',' or '}' after field 'a' of model 'M', found 'b'"
    );
    assert_eq!(
        err("model M {\n  a?: [ string (name='A'),\n}"),
        "bad.tea:2:26: expected ']' to close a list type, found ','"
    );
    assert_eq!(
        err("import Util;\nconst x = 1;\n"),
        "bad.tea:2:1: expected 'import', 'extends', 'init', 'model' or 'function' at the top level, found 'const'"
    );
    assert_eq!(
        err("model M {\n  a?: string(name='A),\n}\n"),
        "bad.tea:2:19: unterminated string (no closing ')"
    );
    assert_eq!(
        err("function f(): void {\n  var x = [1, 2};\n}\n"),
        "bad.tea:2:16: expected ']' to close '[' opened at 2:11, found '}'"
    );
    assert_eq!(
        err("async function f(a: A): B {\n  if (x) {\n"),
        "bad.tea:3:1: '{' opened at 2:10 is never closed"
    );
    assert_eq!(
        err("async f(): void {}"),
        "bad.tea:1:7: expected 'function', found 'f'"
    );
    assert_eq!(
        err("function f(): void {\n  var p = new OpenApi.Params{\n    action 'X',\n  };\n}\n"),
        "bad.tea:3:12: expected '=' after 'action', found a string"
    );
    assert_eq!(
        err("model {}"),
        "bad.tea:1:7: expected a model name after 'model', found '{'"
    );
    assert_eq!(
        err("/* open"),
        "bad.tea:1:1: unterminated comment (no closing */)"
    );
    assert_eq!(
        err("model M { a?: map[string string }"),
        "bad.tea:1:26: expected ']' after the key type of a map, found 'string'"
    );
}

#[test]
fn truncated_input_is_an_error_never_a_panic() {
    let text = common::fixture_text("shop.tea");
    let cuts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .filter(|i| i % 5 == 0)
        .collect();
    let info = ccc_import::darabonba::ApiInfo::default();
    for cut in cuts {
        if let Ok(t) = parse("cut.tea", &text[..cut]) {
            // Whatever parses also maps without a panic (to actions or to errors).
            let _ = ccc_import::darabonba::to_actions(&t, &info);
        }
    }
}
