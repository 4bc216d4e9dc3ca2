//! Decoding a response tree into generated types, as leniently as the service writes it.
//!
//! The service sends `"HttpStatusCode": "200"` and `"OutboundScenario": "false"` where the types
//! are Integer and Boolean, and XML carries everything as text; every scalar decoder accepts both
//! forms. A value that fits neither is an error naming the field's path.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use super::node::Node;

/// Why a response body does not fit the action's response type; names the field's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Wire names from the root to the offending value, e.g. `["Data", "OutboundScenario"]`.
    path: Vec<String>,
    message: String,
}

impl DecodeError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        DecodeError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    fn expected(what: &str, found: &Node<'_>) -> Self {
        Self::new(format!("expected {what}, found {}", describe(found)))
    }

    /// Prepends a path segment as the error travels up the tree.
    pub(crate) fn within(mut self, segment: impl Into<String>) -> Self {
        self.path.insert(0, segment.into());
        self
    }

    /// The field path, dot-separated (`Data.OutboundScenario`; list items as `Items[2]`).
    pub fn path(&self) -> String {
        let mut out = String::new();
        for s in &self.path {
            if !out.is_empty() && !s.starts_with('[') {
                out.push('.');
            }
            out.push_str(s);
        }
        out
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "field `{}`: {}", self.path(), self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// A value in a few words, for an error message.
pub(crate) fn describe(v: &Node<'_>) -> String {
    match v {
        Node::Null => "null".into(),
        Node::Bool(b) => format!("boolean {b}"),
        Node::Number(n) => format!("number {n}"),
        Node::String(s) if s.chars().count() > 40 => {
            let head: String = s.chars().take(40).collect();
            format!("string {head:?}…")
        }
        Node::String(s) => format!("string {s:?}"),
        Node::Array(_) => "an array".into(),
        Node::Object(_) => "an object".into(),
    }
}

/// A type that can be read from a response tree.
pub(crate) trait Decode: Sized {
    /// Whether an empty string (an empty XML element) is a value of this type rather than "absent".
    const EMPTY_IS_VALUE: bool = false;

    /// Takes the tree by value, so owned strings move into the output instead of being copied.
    fn decode(v: Node<'_>) -> Result<Self, DecodeError>;
}

/// Whether a value stands for "nothing here": JSON null, an empty XML element, or the
/// placeholder `无` ("none") that the API reference writes where a struct or map is absent.
fn is_absent(v: &Node<'_>) -> bool {
    match v {
        Node::Null => true,
        Node::String(s) => s.is_empty() || s == "无",
        _ => false,
    }
}

/// A present field's value: `None` when it stands for "nothing here".
fn optional<T: Decode>(v: Node<'_>) -> Result<Option<T>, DecodeError> {
    match v {
        Node::Null => Ok(None),
        v if is_absent(&v) && !T::EMPTY_IS_VALUE => Ok(None),
        v => T::decode(v).map(Some),
    }
}

/// Decodes a field of a struct into its slot; what a generated `Decode` calls for each field it
/// knows. A field sent twice keeps the last value, as in a JSON object.
pub(crate) fn set<T: Decode>(
    slot: &mut Option<T>,
    name: &str,
    v: Node<'_>,
) -> Result<(), DecodeError> {
    *slot = optional(v).map_err(|e| e.within(name))?;
    Ok(())
}

/// What a generated `Decode` hands [`fields`]: told each field's wire name and value, it stores
/// the ones it knows.
pub(crate) type Each<'f> = &'f mut dyn FnMut(&str, Node<'_>) -> Result<(), DecodeError>;

/// Walks the fields of a struct, in the order received: the object itself, a JSON object carried
/// as text, or an empty element (no fields). Not generic, so compiled once for every struct.
pub(crate) fn fields(v: Node<'_>, each: Each<'_>) -> Result<(), DecodeError> {
    match v {
        Node::Object(o) => o.into_iter().try_for_each(|(k, v)| each(&k, v)),
        v if is_absent(&v) => Ok(()),
        Node::String(s) if s.trim_start().starts_with('{') => match Node::from_json(s.as_bytes()) {
            Ok(Node::Object(o)) => o.into_iter().try_for_each(|(k, v)| each(&k, v)),
            _ => Err(DecodeError::expected("an object", &Node::String(s))),
        },
        other => Err(DecodeError::expected("an object", &other)),
    }
}

impl Decode for String {
    const EMPTY_IS_VALUE: bool = true;

    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        match v {
            Node::String(s) => Ok(s.into_owned()),
            Node::Number(n) => Ok(n.to_string()),
            Node::Bool(b) => Ok(b.to_string()),
            Node::Null => Ok(String::new()),
            // A structured value where text is declared: keep it whole, as JSON text.
            other => Ok(other.into_value().to_string()),
        }
    }
}

impl Decode for bool {
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        match &v {
            Node::Bool(b) => Ok(*b),
            Node::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Node::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            Node::Number(n) if n.as_u64() == Some(1) => Ok(true),
            Node::Number(n) if n.as_u64() == Some(0) => Ok(false),
            _ => Err(DecodeError::expected("a Boolean", &v)),
        }
    }
}

fn integer(v: &Node<'_>, what: &str) -> Result<i64, DecodeError> {
    match v {
        Node::Number(n) => {
            if let Some(i) = n.as_i64() {
                return Ok(i);
            }
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
                _ => Err(DecodeError::expected(what, v)),
            }
        }
        Node::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| DecodeError::expected(what, v)),
        other => Err(DecodeError::expected(what, other)),
    }
}

impl Decode for i64 {
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        integer(&v, "a Long")
    }
}

impl Decode for i32 {
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        let i = integer(&v, "an Integer")?;
        i32::try_from(i).map_err(|_| DecodeError::expected("an Integer (32-bit)", &v))
    }
}

fn float(v: &Node<'_>, what: &str) -> Result<f64, DecodeError> {
    match v {
        Node::Number(n) => n.as_f64().ok_or_else(|| DecodeError::expected(what, v)),
        Node::String(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| DecodeError::expected(what, v)),
        other => Err(DecodeError::expected(what, other)),
    }
}

impl Decode for f64 {
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        float(&v, "a Double")
    }
}

impl Decode for f32 {
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        float(&v, "a Float").map(|f| f as f32)
    }
}

impl Decode for Value {
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        Ok(v.into_value())
    }
}

impl<T: Decode> Decode for Vec<T> {
    /// A JSON array; a JSON array carried as text (`"[\"a\"]"`, as XML shows lists of strings);
    /// or one bare item (XML holds a one-item list as a single element).
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        let mut out = Vec::new();
        items(v, &mut |v| {
            out.push(T::decode(v)?);
            Ok(())
        })?;
        Ok(out)
    }
}

/// Walks the items of a list (see `Decode for Vec`), naming the index of an item that fails.
/// Not generic, so compiled once for every list type.
fn items(
    v: Node<'_>,
    each: &mut dyn FnMut(Node<'_>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    match v {
        Node::Array(items) => items
            .into_iter()
            .enumerate()
            .try_for_each(|(i, item)| each(item).map_err(|e| e.within(format!("[{i}]")))),
        Node::String(s) if s.trim_start().starts_with('[') => match Node::from_json(s.as_bytes()) {
            Ok(parsed @ Node::Array(_)) => items(parsed, each),
            _ => each(Node::String(s)),
        },
        v if is_absent(&v) => Ok(()),
        single => each(single).map_err(|e| e.within("[0]")),
    }
}

impl<T: Decode> Decode for HashMap<String, T> {
    fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
        let mut out = HashMap::new();
        fields(v, &mut |k, v| match T::decode(v) {
            Ok(v) => {
                out.insert(k.to_string(), v);
                Ok(())
            }
            Err(e) => Err(e.within(k)),
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A tree as the decoder gets it, from JSON written with `json!`.
    fn node(v: Value) -> Node<'static> {
        Node::from_value(v)
    }

    /// One field of an object, decoded as a generated `Decode` does it.
    fn field<T: Decode>(v: &Value, name: &str) -> Result<Option<T>, DecodeError> {
        let mut slot = None;
        fields(node(v.clone()), &mut |k, v| {
            if k == name {
                set(&mut slot, k, v)?;
            }
            Ok(())
        })?;
        Ok(slot)
    }

    /// Shaped as generated structs are: `Data { Items: [Item { N }] }`.
    #[derive(Debug, Default)]
    struct Item {
        n: Option<i32>,
    }
    #[derive(Debug, Default)]
    struct Data {
        items: Option<Vec<Item>>,
    }
    #[derive(Debug, Default)]
    struct Root {
        data: Option<Data>,
    }
    impl Decode for Item {
        fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
            let mut out = Self::default();
            fields(v, &mut |name, v| match name {
                "N" => set(&mut out.n, name, v),
                _ => Ok(()),
            })?;
            Ok(out)
        }
    }
    impl Decode for Data {
        fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
            let mut out = Self::default();
            fields(v, &mut |name, v| match name {
                "Items" => set(&mut out.items, name, v),
                _ => Ok(()),
            })?;
            Ok(out)
        }
    }
    impl Decode for Root {
        fn decode(v: Node<'_>) -> Result<Self, DecodeError> {
            let mut out = Self::default();
            fields(v, &mut |name, v| match name {
                "Data" => set(&mut out.data, name, v),
                _ => Ok(()),
            })?;
            Ok(out)
        }
    }

    #[test]
    fn scalars_decode_from_numbers_and_strings() {
        let v = json!({"A": "200", "B": 200, "C": "false", "D": true, "E": "1.5", "F": 7});
        let o = &v;
        assert_eq!(field::<i32>(o, "A").unwrap(), Some(200));
        assert_eq!(field::<i32>(o, "B").unwrap(), Some(200));
        assert_eq!(field::<bool>(o, "C").unwrap(), Some(false));
        assert_eq!(field::<bool>(o, "D").unwrap(), Some(true));
        assert_eq!(field::<f64>(o, "E").unwrap(), Some(1.5));
        assert_eq!(field::<String>(o, "F").unwrap(), Some("7".into()));
        assert_eq!(field::<i64>(o, "Missing").unwrap(), None);
    }

    #[test]
    fn booleans_accept_any_case() {
        assert!(bool::decode(node(json!("True"))).unwrap());
        assert!(!bool::decode(node(json!("FALSE"))).unwrap());
    }

    #[test]
    fn bad_values_name_their_path() {
        let v = json!({"Data": {"Items": [{"N": "1"}, {"N": "x"}]}});
        let err = Root::decode(node(v)).unwrap_err();
        assert_eq!(err.path(), "Data.Items[1].N");
        assert_eq!(
            err.to_string(),
            "field `Data.Items[1].N`: expected an Integer, found string \"x\""
        );
    }

    #[test]
    fn integers_out_of_range_are_errors() {
        assert!(i32::decode(node(json!(4_000_000_000_i64))).is_err());
        assert_eq!(
            i64::decode(node(json!(4_000_000_000_i64))).unwrap(),
            4_000_000_000
        );
    }

    #[test]
    fn lists_accept_arrays_json_text_and_single_items() {
        assert_eq!(
            Vec::<String>::decode(node(json!(["a", "b"]))).unwrap(),
            ["a", "b"]
        );
        assert_eq!(
            Vec::<String>::decode(node(json!("[\"skill-group@ccc-test\"]"))).unwrap(),
            ["skill-group@ccc-test"]
        );
        assert_eq!(
            Vec::<String>::decode(node(json!("only"))).unwrap(),
            ["only"]
        );
        assert!(Vec::<String>::decode(node(json!(""))).unwrap().is_empty());
        assert_eq!(Vec::<i32>::decode(node(json!(["1", 2]))).unwrap(), [1, 2]);
    }

    #[test]
    fn structs_accept_json_text_and_empty_elements() {
        let read = |v: Value| Data::decode(node(v)).map(|d| d.items.map(|i| i.len()));
        assert_eq!(read(json!({"Items": [{}]})).unwrap(), Some(1));
        assert_eq!(read(json!("{\"Items\":[{},{}]}")).unwrap(), Some(2));
        assert_eq!(read(json!("")).unwrap(), None);
        assert!(read(json!(5)).is_err());
    }

    #[test]
    fn a_field_sent_twice_keeps_the_last_value() {
        // JSON text can repeat a name (`json!` cannot): the tree keeps both, the last counts.
        let read = |text: &[u8]| Item::decode(Node::from_json(text).unwrap()).map(|i| i.n);
        assert_eq!(
            read(br#"{"N": "1", "Other": true, "N": "2"}"#).unwrap(),
            Some(2)
        );
        assert_eq!(read(br#"{"N": "1", "N": null}"#).unwrap(), None);
    }

    #[test]
    fn empty_values_are_absent_but_empty_strings_are_text() {
        assert_eq!(field::<i32>(&json!({"A": ""}), "A").unwrap(), None);
        assert_eq!(field::<i32>(&json!({"A": "无"}), "A").unwrap(), None);
        assert_eq!(
            field::<String>(&json!({"A": ""}), "A").unwrap(),
            Some(String::new())
        );
        assert_eq!(field::<String>(&json!({"A": null}), "A").unwrap(), None);
    }

    #[test]
    fn maps_keep_every_entry() {
        let m = HashMap::<String, Value>::decode(node(json!({"a": 1, "b": "x"}))).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m["a"], json!(1));
    }
}
