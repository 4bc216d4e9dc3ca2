//! The pass that makes structs the same on the wire in several actions one struct of the product:
//! what counts as the same, how names are proposed and kept, and that the committed spec is
//! settled (running the pass over it changes nothing).

mod common;

use std::path::Path;

use ccc_import::shared_structs::{refer, settle, share, share_dir};
use ccc_spec::{Action, Product, Type, fingerprint};

const PRODUCT: &str = r#"{"product": "CCC", "version": "2020-07-01", "style": "RPC",
  "docUrl": "u/{action}", "regionalEndpoint": "r.{region}", "endpoints": {}, "errors": [],
  "enums": [{"name": "WorkMode", "values": [{"value": "ON_SITE"}, {"value": "OFFICE_PHONE"}]}]}"#;

fn product(text: &str) -> Product {
    ccc_spec::parse_product(Path::new("product.json"), text).unwrap()
}

fn action(name: &str, response: &str) -> Action {
    let text = format!(
        r#"{{"action": "{name}", "method": "POST", "idempotent": false, "parameters": [],
            "response": {response}, "errors": []}}"#
    );
    ccc_spec::parse_action(Path::new(&format!("actions/{name}.json")), &text).unwrap()
}

/// A `Data` holding a user context (with its example) and a list of channels.
fn call_response(example: &str, extra_channel_field: bool) -> String {
    let extra = if extra_channel_field {
        r#", {"name": "Index", "type": "Integer"}"#
    } else {
        ""
    };
    format!(
        r#"[{{"name": "Data", "type": "Struct", "fields": [
            {{"name": "UserContext", "type": "Struct", "fields": [
              {{"name": "UserId", "type": "String", "example": "{example}"}},
              {{"name": "WorkMode", "type": "String", "enum": "WorkMode"}}]}},
            {{"name": "Channels", "type": "List", "items": {{"type": "Struct",
              "typeName": "Channel", "fields": [
              {{"name": "ChannelId", "type": "String"}}{extra}]}}}}]}}]"#
    )
}

fn data_fields(a: &Action) -> &[ccc_spec::Field] {
    match &a.response[0].ty {
        Type::Struct { fields, .. } => fields,
        other => panic!("Data is {other:?}"),
    }
}

#[test]
fn structs_of_one_shape_in_two_actions_become_one_product_struct() {
    let mut product = product(PRODUCT);
    let mut actions = vec![
        action("AnswerCall", &call_response("a@x", false)),
        action("HoldCall", &call_response("b@x", false)),
        action("HoldCall2", &call_response("a@x", false)),
        // Another shape of channel: the channel is not shared with it.
        action("MakeCall", &call_response("c@x", true)),
    ];
    let report = share(&mut product, &mut actions);
    let names: Vec<&str> = product.structs.iter().map(|s| s.name.as_str()).collect();
    // The user context is the same in all four, the channel in three. The `Data` of the three
    // is the same too, but only the actions' names name it, so it is left to a maintainer.
    assert_eq!(names, ["Channel", "UserContext"], "{report:#?}");
    assert!(
        report
            .iter()
            .any(|l| l == "shared `UserContext`: 4 places in 4 actions, every place proposes this name; places differ in the example or description of UserId: kept the most common"),
        "{report:#?}"
    );
    // The most common example wins.
    let user = product.struct_named("UserContext").unwrap();
    assert_eq!(user.fields[0].example.as_deref(), Some("a@x"));
    // Places refer to it.
    for a in &actions {
        assert_eq!(
            data_fields(a)[0].ty.referenced_struct(),
            Some("UserContext")
        );
    }
    let channel_of = |a: &Action| match &data_fields(a)[1].ty {
        Type::List { items } => (**items).clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(channel_of(&actions[0]).referenced_struct(), Some("Channel"));
    // The other shape keeps its fields, and loses the name it cannot share.
    let make_call_channel = channel_of(&actions[3]);
    assert_eq!(
        fingerprint(&make_call_channel),
        "{ChannelId:String,Index:Integer}"
    );
    let Type::Struct { type_name, .. } = &make_call_channel else {
        panic!()
    };
    assert_eq!(type_name.as_deref(), Some("MakeCallChannel"));
    assert!(report.iter().any(|l| l
        == "MakeCall: response Data.Channels: does not fit the shared struct `Channel`; kept in the action as `MakeCallChannel`"));
    // A second run finds nothing more to do.
    let (before_p, before_a) = (product.clone(), actions.clone());
    let again = share(&mut product, &mut actions);
    assert!(
        again.iter().all(|l| l.starts_with("not shared")),
        "{again:#?}"
    );
    assert_eq!((product, actions), (before_p, before_a));
}

#[test]
fn a_name_the_places_disagree_on_is_left_to_a_maintainer() {
    let shape = |field: &str| {
        format!(
            r#"[{{"name": "{field}", "type": "Struct", "fields": [
                {{"name": "Number", "type": "String"}}]}}]"#
        )
    };
    let mut product = product(PRODUCT);
    let mut actions = vec![action("A", &shape("Caller")), action("B", &shape("Callee"))];
    let report = share(&mut product, &mut actions);
    assert!(product.structs.is_empty());
    assert_eq!(
        report,
        [
            "not shared: a struct at 2 places in 2 actions (e.g. response Caller) whose places \
          name it differently (Callee 1, Caller 1); to share it, name it in product.json"
        ]
    );
}

/// An action whose one parameter is a JSON list of the struct `typeName` with these fields, and
/// whose response holds a struct of the same fields.
fn sending_action(name: &str, type_name: &str, fields: &str) -> Action {
    let text = format!(
        r#"{{"action": "{name}", "method": "POST", "idempotent": false,
            "parameters": [{{"name": "LevelList", "type": "List", "in": "query", "style": "json",
              "items": {{"type": "Struct", "typeName": "{type_name}", "fields": [{fields}]}}}}],
            "response": [{{"name": "Echo", "type": "Struct", "fields": [{fields}]}}],
            "errors": []}}"#
    );
    ccc_spec::parse_action(Path::new(&format!("actions/{name}.json")), &text).unwrap()
}

#[test]
fn request_structs_of_one_name_and_shape_become_one_request_struct_of_the_product() {
    let fields = r#"{"name": "groupId", "type": "String"}, {"name": "level", "type": "Integer"}"#;
    let mut product = product(PRODUCT);
    let mut actions = vec![
        sending_action("A", "Level", fields),
        sending_action("B", "Level", fields),
    ];
    let report = share(&mut product, &mut actions);
    assert!(
        report
            .iter()
            .any(|l| l.starts_with("shared `Level`: 2 places in 2 actions")),
        "{report:#?}"
    );
    let level = product.struct_named("Level").expect("lifted");
    assert!(level.request, "a request's struct is a request struct");
    for a in &actions {
        let Type::List { items } = &a.parameters[0].ty else {
            panic!("a list")
        };
        assert_eq!(items.referenced_struct(), Some("Level"));
        // The response struct of the same fields is another type: received, not sent.
        let echo = &a.response[0].ty;
        assert_ne!(echo.referenced_struct(), Some("Level"), "{echo:?}");
    }
    // The responses' structs are shared apart, under a name of their own.
    let echo = product
        .struct_named("Echo")
        .expect("the responses' struct is shared too");
    assert!(!echo.request);
    let (before_p, before_a) = (product.clone(), actions.clone());
    share(&mut product, &mut actions);
    assert_eq!(
        (product, actions),
        (before_p, before_a),
        "a second run changes nothing"
    );
}

#[test]
fn existing_product_structs_keep_their_name_and_are_referred_to() {
    // The spec named this shape `Party` once; a new action with that shape refers to it.
    let text = PRODUCT.replace(
        r#""enums""#,
        r#""structs": [{"name": "Party", "fields": [{"name": "Number", "type": "String"}]}],
           "enums""#,
    );
    let product = product(&text);
    let mut a = action(
        "A",
        r#"[{"name": "Caller", "type": "Struct", "fields": [
              {"name": "Number", "type": "String", "example": "0571"}]}]"#,
    );
    assert!(refer(&mut a, &product).is_empty());
    assert_eq!(a.response[0].ty.referenced_struct(), Some("Party"));
    // And it loads: the reference is filled in again.
    let mut filled = a.clone();
    ccc_spec::fill_in_structs(&product, &mut filled);
    assert_eq!(fingerprint(&filled.response[0].ty), "{Number:String}");
}

#[test]
fn settling_keeps_the_strings_the_product_keeps_plain() {
    let text = PRODUCT.replace(
        r#""enums""#,
        r#""plainStrings": ["A: response Data.UserContext.WorkMode"], "enums""#,
    );
    let product = product(&text);
    let mut a = action("A", &call_response("a@x", false));
    let report = settle(&mut a, &product);
    assert_eq!(
        report,
        ["response Data.UserContext.WorkMode: plain String, not enumeration WorkMode"]
    );
    assert_eq!(
        ccc_spec::rules::place_type(&a, "response Data.UserContext.WorkMode"),
        Some(&Type::Scalar {
            scalar: ccc_spec::Scalar::String,
            enumeration: None
        })
    );
}

#[test]
fn the_committed_spec_is_settled() {
    let report = share_dir(&common::project_spec(), true).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        report.changed.is_empty(),
        "sharing again would change {:?}",
        report.changed
    );
}

#[test]
fn reimporting_a_page_keeps_a_string_the_product_keeps_plain() {
    let spec = common::SpecDir::new("plain").with_action("ResetAgentState");
    // The maintainer's override: `Data.WorkMode` of ResetAgentState is a plain String.
    let product_path = spec.path.join("product.json");
    let mut product = product(&std::fs::read_to_string(&product_path).unwrap());
    product
        .plain_strings
        .push("ResetAgentState: response Data.WorkMode".into());
    std::fs::write(&product_path, ccc_spec::product_to_json(&product)).unwrap();
    let file = spec.action_file("ResetAgentState");
    let mut a = ccc_spec::parse_action(&file, &spec.read_action("ResetAgentState")).unwrap();
    assert!(!ccc_spec::rules::keep_plain(&mut a, &product.plain_strings).is_empty());
    std::fs::write(&file, ccc_spec::action_to_json(&a)).unwrap();
    let before = spec.read_action("ResetAgentState");

    // The page names the field like the enumeration; the rule would give it one.
    let report = ccc_import::doc::import_pages(
        &spec.path,
        &[common::fixture("ResetAgentState.md")],
        &ccc_import::doc::ImportOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text = report.to_string();
    assert!(
        text.contains("spec: response Data.WorkMode: plain String, not enumeration WorkMode"),
        "{text}"
    );
    assert_eq!(spec.read_action("ResetAgentState"), before, "{text}");
}

/// Whether a field of type `after` decodes every value a field of type `before` did: the same
/// scalar (or a Long for an Integer; an enumeration, which keeps unknown values, for a plain
/// String), and every field of a struct still there.
fn holds(before: &ccc_spec::Type, after: &ccc_spec::Type) -> bool {
    use ccc_spec::{Scalar, Type};
    match (before, after) {
        (
            Type::Scalar {
                scalar: a,
                enumeration: ea,
            },
            Type::Scalar {
                scalar: b,
                enumeration: eb,
            },
        ) => {
            (a == b || (*a == Scalar::Integer && *b == Scalar::Long)) && (ea == eb || ea.is_none())
        }
        (Type::List { items: a }, Type::List { items: b })
        | (Type::Map { values: a }, Type::Map { values: b }) => holds(a, b),
        (Type::Struct { fields: a, .. }, Type::Struct { fields: b, .. }) => a.iter().all(|f| {
            b.iter()
                .find(|g| g.name == f.name)
                .is_some_and(|g| g.sensitive == f.sensitive && holds(&f.ty, &g.ty))
        }),
        _ => false,
    }
}

/// Every action's response, parameters and examples, with shared structs filled in.
fn wire_shapes(spec: &ccc_spec::Spec) -> Vec<(String, Vec<String>, Vec<String>)> {
    spec.actions
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                a.response
                    .iter()
                    .map(|f| format!("{}:{}", f.name, fingerprint(&f.ty)))
                    .collect(),
                a.parameters
                    .iter()
                    .map(|p| format!("{}:{}", p.name, fingerprint(&p.ty)))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn sharing_the_real_pages_structs_changes_nothing_on_the_wire() {
    let Some(pages) = common::real_pages() else {
        return;
    };
    let spec = common::SpecDir::new("share-wire");
    // Start from no shared struct at all: every struct of the pages is inline.
    let product_path = spec.path.join("product.json");
    let mut bare = product(&std::fs::read_to_string(&product_path).unwrap());
    bare.structs.clear();
    std::fs::write(&product_path, ccc_spec::product_to_json(&bare)).unwrap();
    ccc_import::doc::import_pages(
        &spec.path,
        &ccc_import::doc::pages_in(&pages).unwrap(),
        &ccc_import::doc::ImportOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before = ccc_spec::load_dir(&spec.path).unwrap_or_else(|e| panic!("{e}"));

    let report = share_dir(&spec.path, false).unwrap_or_else(|e| panic!("{e}"));
    let after = ccc_spec::load_dir(&spec.path).unwrap_or_else(|e| panic!("{e}"));
    for name in ["UserContext", "ChannelContext", "User"] {
        assert!(
            after.product.struct_named(name).is_some(),
            "{name}: {:#?}",
            report.decisions
        );
    }
    assert!(!report.changed.is_empty());
    // Parameters are untouched; every response field still decodes what it decoded before (a
    // shared struct may hold more fields, or a Long where a page said Integer).
    let params = |s: &ccc_spec::Spec| -> Vec<_> {
        wire_shapes(s).into_iter().map(|(a, _, p)| (a, p)).collect()
    };
    assert_eq!(params(&after), params(&before));
    for (a, b) in after.actions.iter().zip(&before.actions) {
        assert_eq!(a.name, b.name);
        for f in &b.response {
            let g = a.response.iter().find(|g| g.name == f.name);
            assert!(
                g.is_some_and(|g| holds(&f.ty, &g.ty)),
                "{}: response {} no longer holds what it did",
                a.name,
                f.name
            );
        }
    }
    for (a, b) in after.actions.iter().zip(&before.actions) {
        assert_eq!(a.examples, b.examples, "{}", a.name);
    }
    // Settled: a second run changes nothing.
    assert!(share_dir(&spec.path, false).unwrap().changed.is_empty());
}

/// A page that documents fewer fields of a shared struct, or an `Integer` where the product
/// merged a `Long`, keeps referring to it; a field the product lacks does not fit.
#[test]
fn a_struct_the_product_struct_decodes_refers_to_it() {
    let product = product(&PRODUCT.replace(
        r#""errors": [],"#,
        r#""errors": [], "structs": [{"name": "Channel", "fields": [
            {"name": "ChannelId", "type": "String"}, {"name": "Index", "type": "Long"},
            {"name": "Mode", "type": "String", "enum": "WorkMode"}]}],"#,
    ));
    let channels = |fields: &str| {
        format!(
            r#"[{{"name": "Channels", "type": "List", "items": {{"type": "Struct",
               "typeName": "Channel", "fields": [{fields}]}}}}]"#
        )
    };
    let mut fewer = action(
        "HoldCall",
        &channels(r#"{"name": "Index", "type": "Integer"}, {"name": "Mode", "type": "String"}"#),
    );
    assert_eq!(refer(&mut fewer, &product), Vec::<String>::new());
    let Type::List { items } = &fewer.response[0].ty else {
        panic!()
    };
    assert_eq!(items.referenced_struct(), Some("Channel"));

    for (name, fields) in [
        ("MakeCall", r#"{"name": "Extra", "type": "String"}"#),
        ("AnswerCall", r#"{"name": "Index", "type": "String"}"#),
    ] {
        let mut other = action(name, &channels(fields));
        let report = refer(&mut other, &product);
        assert_eq!(
            report,
            [format!(
                "response Channels: does not fit the shared struct `Channel`; kept in the action \
                 as `{name}Channel`"
            )]
        );
    }
}

/// `unify`: same-named structs of compatible shapes become one product struct (a superset of the
/// fields, `Long` for `Integer`); another shape under that name is named after its action, and a
/// second run decides the same.
#[test]
fn same_named_structs_become_one_and_other_shapes_take_their_actions_names() {
    let mut product = product(PRODUCT);
    let user = |fields: &str| {
        format!(
            r#"[{{"name": "Data", "type": "Struct", "fields": [
                {{"name": "UserContext", "type": "Struct", "fields": [{fields}]}}]}}]"#
        )
    };
    let mut actions = vec![
        action(
            "AnswerCall",
            &user(
                r#"{"name": "UserId", "type": "String"}, {"name": "Heartbeat", "type": "Integer"}"#,
            ),
        ),
        action(
            "HoldCall",
            &user(
                r#"{"name": "UserId", "type": "String"}, {"name": "Heartbeat", "type": "Long"}, {"name": "Mode", "type": "String"}"#,
            ),
        ),
    ];
    let report = ccc_import::unify::unify(&mut product, &mut actions);
    let shared = product
        .struct_named("UserContext")
        .unwrap_or_else(|| panic!("{report:#?}"));
    assert_eq!(
        ccc_spec::fields_fingerprint(&shared.fields),
        "{Heartbeat:Long,Mode:String,UserId:String}"
    );
    let inner = |a: &Action| data_fields(a)[0].ty.clone();
    assert_eq!(inner(&actions[0]).referenced_struct(), Some("UserContext"));
    assert_eq!(inner(&actions[1]).referenced_struct(), Some("UserContext"));

    // Another shape under the name: the product struct keeps it.
    actions.push(action(
        "MakeCall",
        &user(r#"{"name": "UserId", "type": "Boolean"}"#),
    ));
    let report = ccc_import::unify::unify(&mut product, &mut actions);
    let Type::Struct { type_name, .. } = inner(&actions[2]) else {
        panic!()
    };
    assert_eq!(
        type_name.as_deref(),
        Some("MakeCallUserContext"),
        "{report:#?}"
    );
    assert_eq!(inner(&actions[0]).referenced_struct(), Some("UserContext"));

    let (before_p, before_a) = (product.clone(), actions.clone());
    ccc_import::unify::unify(&mut product, &mut actions);
    assert_eq!((product, actions), (before_p, before_a));
}
