//! Which String parameters carry JSON text, and of what shape.
//!
//! Many parameters are declared `String` upstream but hold a JSON list or object
//! (`SignInGroup`'s `SignedSkillGroupIdList` is `["skg-1@ccc-test","skg-2@ccc-test"]`). The rule
//! reads the shape from the parameter's example; the spec then records it as a List, Struct or
//! Map parameter in `json` style, so that the SDK takes typed values and writes the JSON itself.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::{Field, Parameter, Scalar, Type, naming};

/// Parameters whose examples are JSON but whose shape the example cannot tell: they stay String
/// (the SDK sends the caller's text as it is). Action, parameter, why.
pub const PLAIN_JSON_TEXT: &[(&str, &str, &str)] = &[
    (
        "ListCallDetailRecords",
        "Criteria",
        "search criteria: the example shows one of the keys it accepts",
    ),
    (
        "ListRecentCallDetailRecords",
        "Criteria",
        "search criteria: the example shows one of the keys it accepts",
    ),
    (
        "SendNotification",
        "MessageBody",
        "an event whose fields depend on its type",
    ),
    (
        "SaveDocument",
        "DocumentJson",
        "a document in the caller's own schema",
    ),
    (
        "CreateCampaign",
        "StrategyParameters",
        "its keys depend on the campaign's strategy",
    ),
    (
        "ClaimCall",
        "CandidateUserListJson",
        "the example's keys (`f0`, `f1`) look like placeholders",
    ),
];

/// How deep an example may nest before the rule gives up on it.
const MAX_DEPTH: usize = 8;

/// A JSON value that keeps an object's keys in the example's order (the fields of a struct
/// follow it, and so does the JSON the SDK writes).
#[derive(Debug)]
enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            // A repeated key: the last one counts, in the place of the first.
            match entries.iter_mut().find(|(e, _)| *e == k) {
                Some(e) => e.1 = v,
                None => entries.push((k, v)),
            }
        }
        Ok(Value::Object(entries))
    }
}

/// What [`json_text`] decided for one parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonText {
    /// Not a plain String, or nothing suggests JSON: nothing to decide or report.
    NotJson,
    /// JSON text of this shape: the parameter becomes `ty` in `json` style. `how` says what the
    /// shape was read from, for the importer's report.
    Shape { ty: Type, how: String },
    /// Looks like JSON but stays String; `why` says why.
    Plain { why: String },
}

/// Decides whether the String parameter `p` of `action` carries JSON text, from its example (and
/// its description, which alone can only report it):
///
/// - a JSON array of strings → List of String; of integers → List of Integer (Long when an item
///   needs 64 bits); of decimals → List of Double; of booleans → List of Boolean;
/// - an object → a Struct whose fields are its keys, typed by their values (nested objects and
///   lists alike); an array of objects → a List of that Struct, its fields the union of the
///   items' keys. The top struct is named after the parameter (`SkillLevelList` → `SkillLevel`);
/// - an example escaped once more (`[\"a\"]`) is read without the extra backslashes;
/// - an empty list or object, a `null`, items of mixed types, a key that is not a name (`"Name "`)
///   or two keys with one Rust name, deeper nesting than 8, or text that is not JSON: the shape is
///   unknown, and the parameter stays String;
/// - a parameter named in [`PLAIN_JSON_TEXT`] stays String whatever its example.
pub fn json_text(action: &str, p: &Parameter) -> JsonText {
    if !matches!(
        p.ty,
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: None
        }
    ) {
        return JsonText::NotJson;
    }
    let example = p.example.as_deref().map(str::trim).unwrap_or("");
    let looks_json = example.starts_with('[') || example.starts_with('{');
    if !looks_json {
        let says_json = p
            .description
            .as_deref()
            .is_some_and(|d| d.to_ascii_uppercase().contains("JSON"));
        return if says_json {
            JsonText::Plain {
                why: "the description says JSON, but no example shows its shape".into(),
            }
        } else {
            JsonText::NotJson
        };
    }
    if let Some((_, _, why)) = PLAIN_JSON_TEXT
        .iter()
        .find(|(a, n, _)| *a == action && *n == p.name)
    {
        return JsonText::Plain {
            why: format!("named in PLAIN_JSON_TEXT: {why}"),
        };
    }
    let (value, escaped) = match serde_json::from_str::<Value>(example) {
        Ok(v) => (v, false),
        Err(_) => match serde_json::from_str::<Value>(&unescape_quotes(example)) {
            Ok(v) => (v, true),
            Err(e) => {
                return JsonText::Plain {
                    why: format!("the example is not JSON ({e})"),
                };
            }
        },
    };
    match shape(&value, "", 0) {
        Ok(ty) => {
            let ty = name_top_struct(ty, &p.name);
            let mut how = format!("{} from the example", describe(&ty));
            if escaped {
                how.push_str(" (read without its extra backslashes)");
            }
            JsonText::Shape { ty, how }
        }
        Err(why) => JsonText::Plain {
            why: format!("the example's shape is unknown: {why}"),
        },
    }
}

/// A type in a few words, for reports: `List of String`, `List of Struct SkillLevel`.
pub fn describe(ty: &Type) -> String {
    match ty {
        Type::Scalar { scalar, .. } => scalar.as_str().into(),
        Type::Struct {
            type_name: Some(n), ..
        } => format!("Struct {n}"),
        Type::Struct { .. } => "Struct".into(),
        Type::List { items } => format!("List of {}", describe(items)),
        Type::Map { values } => format!("Map of {}", describe(values)),
    }
}

/// Drops the backslashes in front of every quote: `[\\"a\\"]` → `["a"]`.
fn unescape_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '"' {
            while out.ends_with('\\') {
                out.pop();
            }
        }
        out.push(c);
    }
    out
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "the top".into()
    } else {
        format!("`{path}`")
    }
}

fn scalar(scalar: Scalar) -> Type {
    Type::Scalar {
        scalar,
        enumeration: None,
    }
}

fn shape(v: &Value, path: &str, depth: usize) -> Result<Type, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} at {}", at(path)));
    }
    Ok(match v {
        Value::Null => return Err(format!("null at {}", at(path))),
        Value::Bool(_) => scalar(Scalar::Boolean),
        Value::String(_) => scalar(Scalar::String),
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => scalar(Scalar::Integer),
            Some(_) => scalar(Scalar::Long),
            None => scalar(Scalar::Double),
        },
        Value::Array(items) => {
            let item_path = format!("{path}[]");
            let mut shapes = items.iter().map(|i| shape(i, &item_path, depth + 1));
            let Some(first) = shapes.next() else {
                return Err(format!("an empty list at {}", at(path)));
            };
            let mut ty = first?;
            for next in shapes {
                ty = unite(ty, next?, &item_path)?;
            }
            Type::List {
                items: Box::new(ty),
            }
        }
        Value::Object(map) => {
            if map.is_empty() {
                return Err(format!("an empty object at {}", at(path)));
            }
            let mut fields: Vec<Field> = Vec::new();
            for (key, value) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if !is_name(key) {
                    return Err(format!("the key {key:?} at {} is not a name", at(path)));
                }
                let stem = naming::field_stem(key);
                if let Some(other) = fields.iter().find(|f| naming::field_stem(&f.name) == stem) {
                    return Err(format!(
                        "the keys `{}` and `{key}` at {} have one Rust name",
                        other.name,
                        at(path)
                    ));
                }
                fields.push(Field {
                    name: key.clone(),
                    ty: shape(value, &here, depth + 1)?,
                    sensitive: false,
                    example: example_of(value),
                    description: None,
                });
            }
            Type::Struct {
                type_name: None,
                fields,
            }
        }
    })
}

/// One shape for two items of a list: equal shapes, Integer widened to Long, or two structs whose
/// fields are united (a key only some items have is a field all the same).
fn unite(a: Type, b: Type, path: &str) -> Result<Type, String> {
    let long = |s: &Scalar| matches!(s, Scalar::Integer | Scalar::Long);
    match (a, b) {
        (a, b) if a == b => Ok(a),
        (Type::Scalar { scalar: x, .. }, Type::Scalar { scalar: y, .. })
            if long(&x) && long(&y) =>
        {
            Ok(scalar(Scalar::Long))
        }
        (
            Type::Struct {
                type_name,
                fields: mut mine,
            },
            Type::Struct { fields: theirs, .. },
        ) => {
            for f in theirs {
                match mine.iter_mut().find(|m| m.name == f.name) {
                    Some(m) => {
                        let ty = std::mem::replace(&mut m.ty, scalar(Scalar::Any));
                        m.ty = unite(ty, f.ty, &format!("{path}.{}", f.name))?;
                    }
                    None => mine.push(f),
                }
            }
            Ok(Type::Struct {
                type_name,
                fields: mine,
            })
        }
        (Type::List { items: x }, Type::List { items: y }) => Ok(Type::List {
            items: Box::new(unite(*x, *y, &format!("{path}[]"))?),
        }),
        (a, b) => Err(format!(
            "items of different types ({} and {}) at {}",
            describe(&a),
            describe(&b),
            at(path)
        )),
    }
}

/// A field's example: a scalar's text; nothing for lists and objects.
fn example_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A key the spec can take as a field's wire name: a letter, then letters, digits or `_`.
fn is_name(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names the struct at the top (or the items of the list at the top) after the parameter:
/// `SkillLevelList` → `SkillLevel`, `ConfigItems` → `ConfigItem`, `CallableTime` → `CallableTime`.
fn name_top_struct(ty: Type, parameter: &str) -> Type {
    let base = naming::type_ident(parameter);
    let base = base.strip_suffix("Json").unwrap_or(&base).to_string();
    match ty {
        Type::Struct { fields, .. } => Type::Struct {
            type_name: Some(base),
            fields,
        },
        Type::List { items } => match *items {
            Type::Struct { fields, .. } => {
                let one = match base.strip_suffix("List") {
                    Some(stem) if !stem.is_empty() => stem.to_string(),
                    _ => naming::singular(&base),
                };
                let one = if naming::is_generic_struct_name(&one) {
                    format!("{base}Item")
                } else {
                    one
                };
                Type::List {
                    items: Box::new(Type::Struct {
                        type_name: Some(one),
                        fields,
                    }),
                }
            }
            other => Type::List {
                items: Box::new(other),
            },
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tests::field;
    use crate::{Location, Style};

    fn param(name: &str, example: Option<&str>, description: Option<&str>) -> Parameter {
        Parameter {
            name: name.into(),
            ty: scalar(Scalar::String),
            required: false,
            reference_required: false,
            range: None,
            location: Location::Query,
            style: None,
            sensitive: false,
            example: example.map(str::to_string),
            description: description.map(str::to_string),
        }
    }

    fn decide(name: &str, example: &str) -> JsonText {
        json_text("Demo", &param(name, Some(example), None))
    }

    fn shape_of(name: &str, example: &str) -> Type {
        match decide(name, example) {
            JsonText::Shape { ty, .. } => ty,
            other => panic!("{example}: {other:?}"),
        }
    }

    fn why_plain(name: &str, example: &str) -> String {
        match decide(name, example) {
            JsonText::Plain { why } => why,
            other => panic!("{example}: {other:?}"),
        }
    }

    fn list(items: Type) -> Type {
        Type::List {
            items: Box::new(items),
        }
    }

    #[test]
    fn arrays_of_scalars_become_lists() {
        assert_eq!(
            shape_of(
                "SignedSkillGroupIdList",
                r#"["skg-1@ccc-test","skg-2@ccc-test"]"#
            ),
            list(scalar(Scalar::String))
        );
        // Whitespace and line breaks around the items do not matter.
        assert_eq!(
            shape_of("Ids", "[\n  \"a\",\n  \"b\"\n]"),
            list(scalar(Scalar::String))
        );
        assert_eq!(shape_of("Levels", "[1, 5]"), list(scalar(Scalar::Integer)));
        assert_eq!(
            shape_of("Ids", "[1, 28036411123456]"),
            list(scalar(Scalar::Long))
        );
        assert_eq!(shape_of("Ratios", "[0.5]"), list(scalar(Scalar::Double)));
        assert_eq!(shape_of("Flags", "[true]"), list(scalar(Scalar::Boolean)));
        // Numbers written as strings stay strings: the wire carries them quoted.
        assert_eq!(
            shape_of("Rates", r#"["1","3"]"#),
            list(scalar(Scalar::String))
        );
    }

    #[test]
    fn objects_become_structs_named_after_the_parameter() {
        let ty = shape_of(
            "SkillLevelList",
            r#"[{"skillGroupId":"a@ccc-test","skillLevel":5},{"skillGroupId":"b@ccc-test","skillLevel":10}]"#,
        );
        assert_eq!(
            ty,
            list(Type::Struct {
                type_name: Some("SkillLevel".into()),
                fields: vec![
                    field("skillGroupId", scalar(Scalar::String), Some("a@ccc-test")),
                    field("skillLevel", scalar(Scalar::Integer), Some("5")),
                ],
            })
        );
        let Type::List { items } = shape_of("ConfigItems", r#"[{"name":"A","value":"1"}]"#) else {
            panic!()
        };
        assert!(matches!(*items, Type::Struct { type_name: Some(ref n), .. } if n == "ConfigItem"));
        // Nested objects are structs the generator names from their keys.
        let ty = shape_of(
            "RoutingProfiles",
            r#"{"RoutingType":"Automatic","Chat":{"IdleSeconds":300,"On":true}}"#,
        );
        assert_eq!(
            ty,
            Type::Struct {
                type_name: Some("RoutingProfiles".into()),
                fields: vec![
                    field("RoutingType", scalar(Scalar::String), Some("Automatic")),
                    field(
                        "Chat",
                        Type::Struct {
                            type_name: None,
                            fields: vec![
                                field("IdleSeconds", scalar(Scalar::Integer), Some("300")),
                                field("On", scalar(Scalar::Boolean), Some("true")),
                            ],
                        },
                        None
                    ),
                ],
            }
        );
    }

    #[test]
    fn items_of_a_list_are_united() {
        // A key only the second item has is a field; Integer and Long widen to Long.
        let ty = shape_of(
            "UserList",
            r#"[{"id":"a","n":1},{"id":"b","n":5000000000,"extra":true}]"#,
        );
        assert_eq!(
            ty,
            list(Type::Struct {
                type_name: Some("User".into()),
                fields: vec![
                    field("id", scalar(Scalar::String), Some("a")),
                    field("n", scalar(Scalar::Long), Some("1")),
                    field("extra", scalar(Scalar::Boolean), Some("true")),
                ],
            })
        );
        assert!(why_plain("Mixed", r#"["a", 1]"#).contains("different types"));
    }

    #[test]
    fn an_example_escaped_once_more_is_read_without_the_backslashes() {
        match decide("NumberList", r#"[\\"02912345678\\"]"#) {
            JsonText::Shape { ty, how } => {
                assert_eq!(ty, list(scalar(Scalar::String)));
                assert!(how.contains("extra backslashes"), "{how}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_shapes_stay_strings_with_the_reason() {
        assert!(why_plain("FlowPackageData", "{}").contains("an empty object at the top"));
        assert!(why_plain("Ids", "[]").contains("an empty list"));
        assert!(
            why_plain("Content", r#"{"basic":{"a":"1"},"media":{}}"#)
                .contains("an empty object at `media`")
        );
        assert!(why_plain("X", r#"[{"Name ":"a"}]"#).contains(r#"the key "Name " "#));
        assert!(why_plain("X", r#"{"a":null}"#).contains("null at `a`"));
        assert!(why_plain("X", r#"{"userId":1,"user_id":2}"#).contains("one Rust name"));
        assert!(why_plain("X", "[not json").contains("not JSON"));
        let deep = format!("{}1{}", "[".repeat(12), "]".repeat(12));
        assert!(why_plain("X", &deep).contains("deeper than 8"));
    }

    #[test]
    fn named_exceptions_and_descriptions() {
        let p = param("Criteria", Some(r#"{"phoneNumber":"0735"}"#), None);
        assert!(matches!(
            json_text("ListCallDetailRecords", &p),
            JsonText::Plain { why } if why.contains("PLAIN_JSON_TEXT")
        ));
        // The same parameter of another action follows the rule.
        assert!(matches!(json_text("Other", &p), JsonText::Shape { .. }));
        let p = param("Filter", None, Some("Filter conditions as JSON text."));
        assert!(matches!(
            json_text("Demo", &p),
            JsonText::Plain { why } if why.contains("no example")
        ));
        assert_eq!(
            json_text("Demo", &param("Name", Some("tom"), None)),
            JsonText::NotJson
        );
        // Only plain Strings are decided.
        let mut p = param("Ids", Some(r#"["a"]"#), None);
        p.ty = list(scalar(Scalar::String));
        p.style = Some(Style::Json);
        assert_eq!(json_text("Demo", &p), JsonText::NotJson);
    }
}
