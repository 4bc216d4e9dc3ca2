//! `parse_page` on small pages written for these tests, one tolerance or refusal per test.

mod common;

use ccc_import::doc::{NoteKind, ParseOptions, ParsedPage, parse_page};
use ccc_spec::{Action, Field, Location, Method, Scalar, Style, Type};

fn opts() -> ParseOptions {
    ParseOptions {
        with_descriptions: false,
        product_enums: common::product().enums,
    }
}

fn parse(name: &str) -> ParsedPage {
    parse_page(name, &common::fixture_text(name), &opts()).unwrap_or_else(|e| panic!("{e}"))
}

fn field<'a>(fields: &'a [Field], path: &str) -> &'a Field {
    let mut fields = fields;
    let mut found = None;
    for name in path.split('.') {
        let f = fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field `{name}` of `{path}`"));
        fields = match &f.ty {
            Type::Struct { fields, .. } => fields,
            Type::List { items } => match &**items {
                Type::Struct { fields, .. } => fields,
                _ => &[],
            },
            _ => &[],
        };
        found = Some(f);
    }
    found.unwrap()
}

fn names(fields: &[Field]) -> Vec<&str> {
    fields.iter().map(|f| f.name.as_str()).collect()
}

fn struct_fields(ty: &Type) -> &[Field] {
    match ty {
        Type::Struct { fields, .. } => fields,
        Type::List { items } => struct_fields(items),
        other => panic!("not a struct: {other:?}"),
    }
}

fn scalar(s: Scalar) -> Type {
    Type::Scalar {
        scalar: s,
        enumeration: None,
    }
}

fn action(name: &str) -> Action {
    parse(name).action
}

#[test]
fn flat_table_nesting_is_recovered_from_the_examples() {
    let a = action("GetGadget.md");
    assert_eq!(names(&a.response), ["Code", "Data", "RequestId"]);
    let data = field(&a.response, "Data");
    assert_eq!(names(struct_fields(&data.ty)), ["Owner", "Color"]);
    let owner = field(&a.response, "Data.Owner");
    // `Since` comes after the parts' rows; only the XML example shows it back under `Owner`.
    assert_eq!(names(struct_fields(&owner.ty)), ["Name", "Parts", "Since"]);
    let parts = field(&a.response, "Data.Owner.Parts");
    // `Name` is already taken in `Owner`, and the XML shows it inside a part.
    assert_eq!(
        names(struct_fields(&parts.ty)),
        ["PartId", "Weight", "Name", "Note"]
    );
}

#[test]
fn array_of_x_is_a_list_of_struct_named_x() {
    let a = action("GetGadget.md");
    let parts = field(&a.response, "Data.Owner.Parts");
    let Type::List { items } = &parts.ty else {
        panic!("{:?}", parts.ty)
    };
    let Type::Struct { type_name, .. } = &**items else {
        panic!("{items:?}")
    };
    assert_eq!(type_name.as_deref(), Some("Part"));
    assert_eq!(
        field(&a.response, "Data.Owner.Parts.Weight").ty,
        scalar(Scalar::Double)
    );
}

#[test]
fn array_of_data_gets_no_type_name() {
    let text = common::fixture_text("GetGadget.md").replace("|Array of Part|", "|Array of Data|");
    let a = parse_page("GetGadget.md", &text, &opts())
        .unwrap_or_else(|e| panic!("{e}"))
        .action;
    let Type::List { items } = &field(&a.response, "Data.Owner.Parts").ty else {
        panic!("Parts is not a list")
    };
    let Type::Struct { type_name, .. } = &**items else {
        panic!("{items:?}")
    };
    // `Data` names nothing; the generator's rule names the struct from where it sits.
    assert_eq!(type_name, &None);
}

#[test]
fn a_field_in_neither_example_is_placed_by_row_order_and_reported() {
    let p = parse("GetGadget.md");
    let notes: Vec<_> = p
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Ambiguity)
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].line, 29);
    assert!(notes[0].message.contains("`Note`"), "{}", notes[0].message);
    assert!(
        notes[0].message.contains("placed in `Data.Owner.Parts`"),
        "{}",
        notes[0].message
    );
}

#[test]
fn parameters_skip_action_and_travel_in_the_query() {
    let a = action("GetGadget.md");
    let names: Vec<&str> = a.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["GadgetId", "ApiToken"]);
    assert!(a.parameters[0].required);
    assert!(!a.parameters[1].required);
    assert!(a.parameters.iter().all(|p| p.location == Location::Query));
    assert_eq!(a.method, Method::Post);
    assert!(!a.parameters[0].sensitive);
    assert!(a.parameters[1].sensitive, "a name with Token is sensitive");
}

#[test]
fn errors_and_examples_are_taken_verbatim() {
    let a = action("GetGadget.md");
    assert_eq!(a.errors.len(), 2);
    assert_eq!(a.errors[0].http_status, 404);
    assert_eq!(a.errors[0].code, "NotExists.GadgetId");
    assert_eq!(a.errors[0].message, "The gadget %s does not exist.");
    assert_eq!(a.errors[0].description, None);
    let json = a.examples.json.as_deref().unwrap();
    assert!(json.starts_with("{\n\t\"RequestId\": \"REQ-1\","));
    assert!(json.ends_with("}\n"));
    let xml = a.examples.xml.as_deref().unwrap();
    assert!(xml.starts_with("<RequestId>REQ-1</RequestId>\n<Data>\n    <Color>"));
}

#[test]
fn without_descriptions_no_prose_is_kept() {
    let a = action("GetGadget.md");
    assert_eq!(a.summary, None);
    assert!(a.parameters.iter().all(|p| p.description.is_none()));
    assert!(a.response.iter().all(|f| f.description.is_none()));
}

#[test]
fn with_descriptions_the_prose_is_kept() {
    let o = ParseOptions {
        with_descriptions: true,
        ..opts()
    };
    let a = parse_page("GetGadget.md", &common::fixture_text("GetGadget.md"), &o)
        .unwrap()
        .action;
    assert_eq!(
        a.summary.as_deref(),
        Some("Reads one gadget with its owner and parts.")
    );
    assert_eq!(a.parameters[0].description.as_deref(), Some("The gadget."));
    assert_eq!(a.errors[1].description.as_deref(), Some("Try later."));
    assert_eq!(
        field(&a.response, "Data.Owner").description.as_deref(),
        Some("Who owns it.")
    );
}

#[test]
fn escaped_characters_are_unescaped() {
    let a = action("ListGadgets.md");
    assert_eq!(a.parameters[0].example.as_deref(), Some("shelf_01"));
    let o = ParseOptions {
        with_descriptions: true,
        ..opts()
    };
    let d = parse_page(
        "ListGadgets.md",
        &common::fixture_text("ListGadgets.md"),
        &o,
    )
    .unwrap()
    .action;
    let id = field(&d.response, "Data.Gadgets.GadgetId");
    assert_eq!(id.example.as_deref(), Some("gdg-*1"));
    assert_eq!(
        id.description.as_deref(),
        Some("The id; the path is a->b, tags look like {x}.")
    );
    assert_eq!(
        field(&d.response, "Data.Gadgets.Tags").example.as_deref(),
        Some("[\"a\", \"b\"]")
    );
}

#[test]
fn multi_line_cells_with_bullets_are_one_row() {
    let o = ParseOptions {
        with_descriptions: true,
        ..opts()
    };
    let a = parse_page(
        "ListGadgets.md",
        &common::fixture_text("ListGadgets.md"),
        &o,
    )
    .unwrap()
    .action;
    let mode = a.parameters.iter().find(|p| p.name == "Mode").unwrap();
    assert_eq!(
        mode.description.as_deref(),
        Some("Where the gadget works:\n- The office itself (ON_SITE)\n- Somewhere else (OFF_SITE)")
    );
    // The row after the multi-line one is still a row of its own.
    let finish = field(&a.response, "Data.Gadgets.Finish");
    assert!(
        finish
            .description
            .as_deref()
            .unwrap()
            .ends_with("- SATIN（缎面）")
    );
    assert_eq!(
        names(struct_fields(&field(&a.response, "Data.Gadgets").ty)),
        ["GadgetId", "Finish", "Tags", "Extra", "Flavour"]
    );
}

#[test]
fn string_typed_examples_and_none_placeholders() {
    let a = action("ListGadgets.md");
    // The JSON example has "2" and "true" as strings; the table's types win.
    assert_eq!(
        field(&a.response, "Data.TotalCount").ty,
        scalar(Scalar::Integer)
    );
    assert_eq!(field(&a.response, "Active").ty, scalar(Scalar::Boolean));
    assert_eq!(
        field(&a.response, "Active").example.as_deref(),
        Some("true")
    );
    // `无` means no example.
    let pw = a
        .parameters
        .iter()
        .find(|p| p.name == "AdminPassword")
        .unwrap();
    assert_eq!(pw.example, None);
    assert!(pw.sensitive);
    assert_eq!(field(&a.response, "Data.Gadgets.Extra").example, None);
}

#[test]
fn missing_xml_example_and_missing_error_table() {
    let a = action("ListGadgets.md");
    assert!(a.examples.json.is_some());
    assert_eq!(a.examples.xml, None);
    assert!(a.errors.is_empty());
}

#[test]
fn a_list_with_struct_children_and_lists_of_scalars() {
    let a = action("ListGadgets.md");
    let gadgets = field(&a.response, "Data.Gadgets");
    let Type::List { items } = &gadgets.ty else {
        panic!()
    };
    assert!(matches!(
        &**items,
        Type::Struct {
            type_name: None,
            ..
        }
    ));
    assert_eq!(
        field(&a.response, "Data.Gadgets.Tags").ty,
        Type::List {
            items: Box::new(scalar(Scalar::String))
        }
    );
    assert_eq!(
        field(&a.response, "Data.Gadgets.Extra").ty,
        Type::Map {
            values: Box::new(scalar(Scalar::Any))
        }
    );
    assert_eq!(
        names(struct_fields(&field(&a.response, "Data").ty)),
        ["Gadgets", "TotalCount"]
    );
}

#[test]
fn the_page_can_name_the_method() {
    assert_eq!(action("ListGadgets.md").method, Method::Get);
}

#[test]
fn enumerations_in_descriptions() {
    let p = parse("ListGadgets.md");
    let a = &p.action;
    // Values that fit the product's WorkMode refer to it.
    let mode = a.parameters.iter().find(|p| p.name == "Mode").unwrap();
    assert_eq!(
        mode.ty,
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: Some("WorkMode".into())
        }
    );
    assert_eq!(mode.style, None);
    // New UPPER_CASE codes become an enumeration of the action, named after the field.
    assert_eq!(a.enums.len(), 1);
    assert_eq!(a.enums[0].name, "Finish");
    let values: Vec<&str> = a.enums[0].values.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(values, ["MATTE", "GLOSSY", "SATIN"]);
    assert!(a.enums[0].values.iter().all(|v| v.description.is_none()));
    assert_eq!(
        field(&a.response, "Data.Gadgets.Finish").ty,
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: Some("Finish".into())
        }
    );
    // Words are not codes.
    assert_eq!(
        field(&a.response, "Data.Gadgets.Flavour").ty,
        scalar(Scalar::String)
    );
    let found: Vec<(usize, &str)> = p
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Enumeration)
        .map(|n| (n.line, n.message.as_str()))
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, 15);
    assert!(found[0].1.contains("the product's enumeration `WorkMode`"));
    assert_eq!(found[1].0, 27);
    assert!(found[1].1.contains("new enumeration `Finish`"));
    assert_eq!(found[2].0, 34);
    assert!(found[2].1.contains("not an enumeration"));
}

#[test]
fn enumeration_values_keep_their_words_with_descriptions() {
    let o = ParseOptions {
        with_descriptions: true,
        ..opts()
    };
    let a = parse_page(
        "ListGadgets.md",
        &common::fixture_text("ListGadgets.md"),
        &o,
    )
    .unwrap()
    .action;
    assert_eq!(a.enums[0].values[1].description.as_deref(), Some("亮面"));
    assert_eq!(a.enums[0].description.as_deref(), Some("The finish."));
}

#[test]
fn list_style_defaults_to_flat() {
    let page = "# P\n\n## 请求参数\n\n|名称|类型|是否必选|示例值|描述|\n|--|--|--|--|--|\n|Ids|List|是|\\[\"a\"\\]|Ids. |\n\n## 返回数据\n\n|名称|类型|示例值|描述|\n|--|--|--|--|\n|RequestId|String|R|Id. |\n";
    let a = parse_page("P.md", page, &opts()).unwrap().action;
    assert_eq!(a.parameters[0].style, Some(Style::Flat));
    assert_eq!(a.parameters[0].example.as_deref(), Some("[\"a\"]"));
}

fn refusal(name: &str) -> String {
    parse_page(name, &common::fixture_text(name), &opts())
        .expect_err("the page must be refused")
        .to_string()
}

#[test]
fn an_unknown_type_names_page_and_row() {
    let e = refusal("BadType.md");
    assert!(
        e.starts_with("BadType.md:17: unknown type `Tuple` for `Size`"),
        "{e}"
    );
}

#[test]
fn a_malformed_table_names_page_and_row() {
    let e = refusal("BadTable.md");
    assert!(
        e.starts_with("BadTable.md:10: malformed table: the row is not closed with `|`"),
        "{e}"
    );
}

#[test]
fn other_refusals() {
    let e = refusal("BadJson.md");
    assert!(
        e.starts_with("BadJson.md:24: unparseable JSON example: EOF while parsing"),
        "{e}"
    );
    let e = refusal("NoTitle.md");
    assert!(e.starts_with("NoTitle.md: no `# Title`"), "{e}");
    let e = refusal("NoParameters.md");
    assert!(e.starts_with("NoParameters.md: no parameter table"), "{e}");
    let wrong_cells = "# P\n\n## 请求参数\n\n|名称|类型|是否必选|示例值|描述|\n|--|--|--|--|--|\n|Id|String|是|x|\n";
    let e = parse_page("P.md", wrong_cells, &opts())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "P.md:7: malformed table: the row has 4 cells, the header 5"
    );
}

const SMALL: &str = "# Small\n\n## 请求参数\n\n|名称|类型|是否必选|示例值|描述|\n|--|--|--|--|--|\n|Id|String|是|x|An id. |\n\n## 返回数据\n\n|名称|类型|示例值|描述|\n|--|--|--|--|\n|Data|Struct| |Data. |\n|Size|Integer|1|Size. |\n\n## 示例\n\n`XML`格式\n\n```\n";

#[test]
fn an_unparseable_xml_example_is_refused_with_its_line() {
    let page = format!("{SMALL}<Data>\n  <Size>1</Size>\n</Dato>\n```\n");
    let e = parse_page("Small.md", &page, &opts())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("Small.md:23: unparseable XML example"), "{e}");
}

#[test]
fn xml_examples_are_fragments_and_extra_example_names_are_reported() {
    let page = format!(
        "{SMALL}<Data>\n  <Size>1</Size>\n  <Colour>red</Colour>\n</Data>\n<RequestId>R</RequestId>\n```\n"
    );
    let p = parse_page("Small.md", &page, &opts()).unwrap();
    let data = field(&p.action.response, "Data");
    assert_eq!(names(struct_fields(&data.ty)), ["Size"]);
    let messages: Vec<String> = p.notes.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "line 11: ambiguity: an example shows `RequestId` in the top level, which the table does not list there; left out",
            "line 13: ambiguity: an example shows `Colour` in `Data`, which the table does not list there; left out",
        ]
    );
}
