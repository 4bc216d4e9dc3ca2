//! The one writer of success bodies: whatever a handler returns is shaped through the action's
//! response tree of the spec, so that every answer has the names, nesting and types the spec
//! (and so the SDK) expects, in JSON or XML.

use ccc_spec::{Field, Scalar, Type};
use serde_json::{Map, Number, Value};

use crate::format::{Format, render_xml};

/// The body of a success: the handler's top-level fields with `RequestId`, `Code`,
/// `HttpStatusCode` and `Success` filled in where the tree has them, shaped by the tree.
pub(crate) fn success(
    action: &str,
    tree: &[Field],
    format: Format,
    request_id: &str,
    mut top: Map<String, Value>,
) -> Vec<u8> {
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
    let body = shape_struct(tree, top);
    match format {
        Format::Json => serde_json::to_vec(&body).unwrap_or_default(),
        Format::Xml => render_xml(action, &body),
    }
}

fn shape_struct(fields: &[Field], mut value: Map<String, Value>) -> Value {
    shape_fields(fields, &mut value);
    Value::Object(value)
}

/// Shapes a struct in place: fields the tree lacks, and values that cannot take their type, go.
fn shape_fields(fields: &[Field], map: &mut Map<String, Value>) {
    map.retain(|name, value| {
        fields
            .iter()
            .find(|f| f.name == *name)
            .is_some_and(|f| shape(&f.ty, value))
    });
}

/// Makes `value` what `ty` wants, in place; `false` when it cannot be (the field is then left
/// out).
fn shape(ty: &Type, value: &mut Value) -> bool {
    match (ty, value) {
        (_, Value::Null) => false,
        (Type::Scalar { scalar, .. }, value) => {
            match scalar_value(*scalar, std::mem::take(value)) {
                Some(v) => {
                    *value = v;
                    true
                }
                None => false,
            }
        }
        (Type::Struct { fields, .. }, Value::Object(map)) => {
            shape_fields(fields, map);
            true
        }
        (Type::List { items }, Value::Array(list)) => {
            list.retain_mut(|v| shape(items, v));
            true
        }
        (Type::Map { values }, Value::Object(map)) => {
            map.retain(|_, v| shape(values, v));
            true
        }
        _ => false,
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
                "Items": [{"Name": 7, "Extra": 1}, null],
                "NotInTree": 1,
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
}
