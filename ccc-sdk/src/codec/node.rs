//! The tree a response body is read into before decoding: like `serde_json::Value`, but its
//! names and text borrow from the body wherever they can (JSON without escapes), and an object
//! is a list of pairs rather than a sorted map. Decoding walks the pairs once, in the order
//! received, and a struct's decoder finds each name's slot, so building the tree allocates
//! nothing per name and nothing is searched twice.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A value of a response tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Fields<'a>),
}

/// An object's fields, in the order received.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Fields<'a>(Vec<(Cow<'a, str>, Node<'a>)>);

impl<'a> Fields<'a> {
    pub(crate) fn from_vec(fields: Vec<(Cow<'a, str>, Node<'a>)>) -> Self {
        Fields(fields)
    }

    /// A field, left in place.
    pub(crate) fn get(&self, name: &str) -> Option<&Node<'a>> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for Fields<'a> {
    type Item = (Cow<'a, str>, Node<'a>);
    type IntoIter = std::vec::IntoIter<(Cow<'a, str>, Node<'a>)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> Node<'a> {
    /// A field of an object; `None` for anything else.
    pub(crate) fn get(&self, name: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(fields) => fields.get(name),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// Parses JSON text, borrowing from it. Nesting is bounded by serde_json's recursion limit,
    /// which is [`MAX_DEPTH`](super::MAX_DEPTH).
    pub(crate) fn from_json(text: &'a [u8]) -> Result<Node<'a>, serde_json::Error> {
        serde_json::from_slice(text)
    }

    /// The same tree, owning everything, as `serde_json::Value`.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(n) => Value::Number(n),
            Node::String(s) => Value::String(s.into_owned()),
            Node::Array(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Object(fields) => Value::Object(
                fields
                    .0
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_value()))
                    .collect(),
            ),
        }
    }

    /// A tree from a `serde_json::Value`, for tests that write their input with `json!`.
    #[cfg(test)]
    pub(crate) fn from_value(v: Value) -> Node<'static> {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::String(Cow::Owned(s)),
            Value::Array(items) => Node::Array(items.into_iter().map(Node::from_value).collect()),
            Value::Object(o) => Node::Object(Fields(
                o.into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Node::from_value(v)))
                    .collect(),
            )),
        }
    }
}

/// Text that borrows from the input when it can.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        Node::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node<'de>, E> {
        // JSON has no NaN or infinity, so every parsed float has a number.
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((Text(k), v)) = map.next_entry::<Text<'de>, Node<'de>>()? {
            fields.push((k, v));
        }
        Ok(Node::Object(Fields(fields)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_plain_text_borrow_from_the_body() {
        let body =
            br#"{"Code":"OK","Data":{"Ext":"8001","N":3,"F":1.5,"B":true,"Z":null},"L":[1,"a"]}"#;
        let node = Node::from_json(body).unwrap();
        let Node::Object(fields) = &node else {
            panic!("an object")
        };
        assert!(fields.0.iter().all(|(k, _)| matches!(k, Cow::Borrowed(_))));
        assert!(matches!(
            node.get("Code"),
            Some(Node::String(Cow::Borrowed("OK")))
        ));
        assert_eq!(
            node.get("Data")
                .and_then(|d| d.get("Ext"))
                .and_then(Node::as_str),
            Some("8001")
        );
        // Nothing is lost on the way to a Value.
        assert_eq!(
            node.into_value(),
            json!({"Code":"OK","Data":{"Ext":"8001","N":3,"F":1.5,"B":true,"Z":null},"L":[1,"a"]})
        );
    }

    #[test]
    fn escaped_text_is_unescaped() {
        let node = Node::from_json(br#"{"K\u00e9":"a\"b","M":"\u5750"}"#).unwrap();
        assert_eq!(node.get("Ké").and_then(Node::as_str), Some("a\"b"));
        assert_eq!(node.get("M").and_then(Node::as_str), Some("坐"));
    }

    #[test]
    fn a_repeated_name_keeps_the_last_value() {
        let Node::Object(fields) = Node::from_json(br#"{"A":1,"A":2}"#).unwrap() else {
            panic!("an object")
        };
        assert_eq!(fields.get("A"), Some(&Node::Number(2.into())));
    }

    #[test]
    fn values_round_trip() {
        let v = json!({"a": [1, {"b": null}], "c": "x"});
        assert_eq!(Node::from_value(v.clone()).into_value(), v);
        assert_eq!(
            Node::from_value(v).into_value().to_string(),
            r#"{"a":[1,{"b":null}],"c":"x"}"#
        );
    }
}
