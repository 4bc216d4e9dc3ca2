//! The one writer of success bodies: whatever a handler returns is shaped through the action's
//! response tree of the spec, so that every answer has the names, nesting and types the spec
//! (and so the SDK) expects, in JSON or XML.

use ccc_spec::{Field, Scalar, Type};
use serde_json::{Map, Number, Value};

use crate::format::{Format, render_xml};

/// Marks a field written for the trees that have it: a key `?Name` is `Name` where the tree
/// has such a field, and left out without complaint where it does not. For the writers that
/// several actions share (an agent's context, a skill group's entry), whose trees differ.
pub(crate) const OFFERED: char = '?';

/// The body of a success: the handler's top-level fields with `RequestId`, `Code`,
/// `HttpStatusCode` and `Success` filled in where the tree has them, shaped by the tree.
///
/// A field the tree does not have, or a value that cannot take its field's type, is a bug of the
/// handler that wrote it: in a debug build (every test) it panics, naming each misfit, and the
/// caller answers `500 InternalError`; a release build leaves such fields out.
pub(crate) fn success(
    action: &str,
    tree: &[Field],
    format: Format,
    request_id: &str,
    top: Map<String, Value>,
) -> Vec<u8> {
    let (body, misfits) = shape_answer(tree, request_id, top);
    debug_assert!(
        misfits.is_empty(),
        "the answer of {action} does not fit the spec's response tree: {}",
        misfits.join("; ")
    );
    match format {
        Format::Json => serde_json::to_vec(&body).unwrap_or_default(),
        Format::Xml => render_xml(action, &body),
    }
}

/// The answer shaped by `tree`, and what did not fit it (each with its path), left out.
pub(crate) fn shape_answer(
    tree: &[Field],
    request_id: &str,
    mut top: Map<String, Value>,
) -> (Value, Vec<String>) {
    for field in tree {
        if top.contains_key(&field.name) {
            continue;
        }
        let value = match field.name.as_str() {
            "RequestId" => Value::from(request_id),
            "Code" => Value::from("OK"),
            "HttpStatusCode" => Value::from(200),
            "Success" => Value::Bool(true),
            _ => continue,
        };
        top.insert(field.name.clone(), value);
    }
    let mut misfits = Vec::new();
    shape_fields(tree, &mut top, "", &mut misfits);
    (Value::Object(top), misfits)
}

/// Shapes a struct in place: fields the tree lacks, and values that cannot take their type, go
/// (each named in `misfits`); a null is an absent field.
fn shape_fields(
    fields: &[Field],
    map: &mut Map<String, Value>,
    path: &str,
    misfits: &mut Vec<String>,
) {
    // Offered fields: kept, under their name, where the tree has them.
    let offered: Vec<String> = map
        .keys()
        .filter(|k| k.starts_with(OFFERED))
        .cloned()
        .collect();
    for key in offered {
        let value = map.remove(&key);
        let name = &key[OFFERED.len_utf8()..];
        if let Some(value) = value
            && fields.iter().any(|f| f.name == name)
            && !map.contains_key(name)
        {
            map.insert(name.to_owned(), value);
        }
    }
    map.retain(|name, value| {
        let here = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        match fields.iter().find(|f| f.name == *name) {
            Some(field) => shape(&field.ty, value, &here, misfits),
            None => {
                misfits.push(format!("{here}: no such field"));
                false
            }
        }
    });
}

/// Makes `value` what `ty` wants, in place; `false` when it cannot be (the field is then left
/// out; unless it is null, the reason goes to `misfits`).
fn shape(ty: &Type, value: &mut Value, path: &str, misfits: &mut Vec<String>) -> bool {
    match (ty, value) {
        (_, Value::Null) => false,
        (Type::Scalar { scalar, .. }, value) => {
            let written = std::mem::take(value);
            let shown = written.to_string();
            match scalar_value(*scalar, written) {
                Some(v) => {
                    *value = v;
                    true
                }
                None => {
                    misfits.push(format!("{path}: {shown:.80} is not a {scalar:?}"));
                    false
                }
            }
        }
        (Type::Struct { fields, .. }, Value::Object(map)) => {
            shape_fields(fields, map, path, misfits);
            true
        }
        (Type::List { items }, Value::Array(list)) => {
            let mut i = 0;
            list.retain_mut(|v| {
                i += 1;
                shape(items, v, &format!("{path}[{}]", i - 1), misfits)
            });
            true
        }
        (Type::Map { values }, Value::Object(map)) => {
            map.retain(|k, v| shape(values, v, &format!("{path}.{k}"), misfits));
            true
        }
        (ty, value) => {
            let kind = match ty {
                Type::Struct { .. } => "a struct",
                Type::List { .. } => "a list",
                Type::Map { .. } => "a map",
                Type::Scalar { .. } => "a scalar",
            };
            misfits.push(format!("{path}: {:.80} is not {kind}", value.to_string()));
            false
        }
    }
}

fn scalar_value(scalar: Scalar, value: Value) -> Option<Value> {
    match scalar {
        Scalar::Any => Some(value),
        Scalar::String => Some(match value {
            Value::String(s) => Value::String(s),
            // Lists the service sends as JSON text (e.g. `SignedSkillGroupIdList` in some trees).
            other => Value::String(other.to_string()),
        }),
        Scalar::Integer | Scalar::Long => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(Value::Number(n)),
            Value::Number(n) => n.as_f64().map(|f| Value::from(f.round() as i64)),
            Value::String(s) => s.trim().parse::<i64>().ok().map(Value::from),
            Value::Bool(b) => Some(Value::from(i64::from(b))),
            _ => None,
        },
        Scalar::Float | Scalar::Double => match value {
            Value::Number(n) => Some(Value::Number(n)),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number),
            _ => None,
        },
        Scalar::Boolean => match value {
            Value::Bool(b) => Some(Value::Bool(b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree() -> Vec<Field> {
        let text = r#"{
          "action": "Fixture", "method": "POST", "idempotent": true, "parameters": [],
          "response": [
            { "name": "Code", "type": "String" },
            { "name": "HttpStatusCode", "type": "Integer" },
            { "name": "RequestId", "type": "String" },
            { "name": "Data", "type": "Struct", "fields": [
              { "name": "Ids", "type": "String" },
              { "name": "Count", "type": "Long" },
              { "name": "On", "type": "Boolean" },
              { "name": "Items", "type": "List", "items": { "type": "Struct", "fields": [
                { "name": "Name", "type": "String" } ] } }
            ] }
          ],
          "errors": []
        }"#;
        ccc_spec::parse_action(std::path::Path::new("actions/Fixture.json"), text)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .response
    }

    #[test]
    fn shapes_through_the_tree() {
        let mut top = Map::new();
        top.insert(
            "Data".into(),
            json!({
                "Ids": ["a", "b"],
                "Count": "12",
                "On": "true",
                "Items": [{"Name": 7}, null],
            }),
        );
        let body = success("Fixture", &tree(), Format::Json, "rid", top);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({
                "Code": "OK",
                "HttpStatusCode": 200,
                "RequestId": "rid",
                "Data": {"Ids": "[\"a\",\"b\"]", "Count": 12, "On": true, "Items": [{"Name": "7"}]},
            })
        );
        let xml = success("Fixture", &tree(), Format::Xml, "rid", Map::new());
        assert!(
            String::from_utf8(xml)
                .unwrap()
                .contains("<RequestId>rid</RequestId>")
        );
    }

    #[test]
    fn what_does_not_fit_is_named() {
        let mut top = Map::new();
        top.insert(
            "Data".into(),
            json!({
                "Count": "twelve",
                "On": "yes",
                "Items": [{"Name": "a", "Nmae": "b"}],
                "NotInTree": 1,
            }),
        );
        top.insert("Extra".into(), json!(1));
        let (body, mut misfits) = shape_answer(&tree(), "rid", top.clone());
        misfits.sort();
        assert_eq!(
            misfits,
            [
                "Data.Count: \"twelve\" is not a Long",
                "Data.Items[0].Nmae: no such field",
                "Data.NotInTree: no such field",
                "Data.On: \"yes\" is not a Boolean",
                "Extra: no such field",
            ]
        );
        assert_eq!(body["Data"], json!({"Items": [{"Name": "a"}]}));
        // An offered field is kept where the tree has it, and only there.
        let mut offered = Map::new();
        offered.insert(
            "Data".into(),
            json!({"?Count": 3, "?Elsewhere": 1, "Items": [{"?Name": "n", "?Other": 2}]}),
        );
        let (body, misfits) = shape_answer(&tree(), "rid", offered);
        assert!(misfits.is_empty(), "{misfits:?}");
        assert_eq!(body["Data"], json!({"Count": 3, "Items": [{"Name": "n"}]}));
        let mut wrong_kind = Map::new();
        wrong_kind.insert("Data".into(), json!([1]));
        let (_, misfits) = shape_answer(&tree(), "rid", wrong_kind);
        assert_eq!(misfits, ["Data: [1] is not a struct"]);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "Data.NotInTree: no such field")]
    fn a_misfit_fails_loudly_in_a_debug_build() {
        let mut top = Map::new();
        top.insert("Data".into(), json!({"NotInTree": 1}));
        success("Fixture", &tree(), Format::Json, "rid", top);
    }
}
