//! Request parameters as the service reads them: each a name and a text value, in the query string
//! or the form body. Lists and structs travel flattened (`Name.1.Sub`) or as one JSON text.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::Encode;

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    Query,
    Body,
}

/// Name-value pairs of one location; names are the spec's wire names where they can be, values
/// borrow from the input where they can, so encoding allocates only what it must.
pub(crate) type Pairs<'a> = Vec<(Cow<'static, str>, Cow<'a, str>)>;

/// What an action's input adds to a request: implemented by every generated input, and called
/// by [`Client::send_action`](crate::client::Client::send_action), which is generic over it.
pub(crate) trait WriteParams {
    /// Adds the input's parameters to `p`, borrowing their values from the input.
    fn write_params<'a>(&'a self, p: &mut Params<'a>);
}

/// The parameters of one request, before signing; they borrow from the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params<'a> {
    pub(crate) query: Pairs<'a>,
    pub(crate) body: Pairs<'a>,
}

impl<'a> Params<'a> {
    fn slot(&mut self, loc: Loc) -> &mut Pairs<'a> {
        match loc {
            Loc::Query => &mut self.query,
            Loc::Body => &mut self.body,
        }
    }

    /// A scalar parameter.
    pub(crate) fn put<T: ToParam + ?Sized>(&mut self, loc: Loc, name: &'static str, v: &'a T) {
        self.slot(loc).push((Cow::Borrowed(name), v.to_param()));
    }

    /// A list, struct or map in `flat` style: `Name.1`, `Name.1.Sub`, `Name.Key`.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "no action of the spec sends a flat-style list, struct or map yet; generated code calls this when one does"
        )
    )]
    pub(crate) fn flat<T: Flat + ?Sized>(&mut self, loc: Loc, name: &'static str, v: &'a T) {
        v.flatten(name, self.slot(loc));
    }

    /// A list, struct or map in `json` style: one parameter holding JSON text, written as
    /// [`JsonText`] says.
    pub(crate) fn json<T: JsonText + ?Sized>(&mut self, loc: Loc, name: &'static str, v: &T) {
        let mut text = String::new();
        v.write_json(&mut text);
        self.slot(loc).push((Cow::Borrowed(name), Cow::Owned(text)));
    }
}

/// A value sent as JSON text, byte for byte as Alibaba's official SDK for Java (the one most
/// integrators use) sends the same value, so that the service sees what it sees from it.
///
/// The Java SDK turns a model into a `java.util.HashMap` of its wire names (absent fields held as
/// nulls) and writes it with Gson, HTML escaping off. Hence:
///
/// - compact: no space after `,` or `:`;
/// - an object's entries in the iteration order of a Java `HashMap` holding all its fields: by
///   bucket (the key's Java `String.hashCode`, its upper half folded into the lower, masked by a
///   table of 16 slots doubled while more than three quarters full), and within a bucket in the
///   spec's field order; absent fields are left out but count towards the table's size. A map's
///   entries likewise, inserted in key order. (Treeified buckets, eight keys or more in one slot,
///   do not occur in these small objects.)
/// - in strings, `"` and `\` escaped with a backslash; `\b`, `\f`, `\n`, `\r` and `\t` by
///   their short forms; other control characters below U+0020 as `\u00xx` (lower-case hex);
///   U+2028 and U+2029 as `\u2028` and `\u2029`; everything else, `<`, `>`, `&`, `'`, `=`, `/`
///   and all non-ASCII text included, as it is (UTF-8);
/// - integers in decimal; decimals in serde_json's shortest form that reads back the same (Gson
///   writes `1.0E20` where this writes `100000000000000000000.0`; no parameter of the API is a
///   decimal that large).
///
/// The Go SDK (`encoding/json`, HTML escaping off) writes the same bytes except the order of an
/// object's keys (it keeps a struct's declaration order and sorts a map's keys).
pub(crate) trait JsonText {
    fn write_json(&self, out: &mut String);
}

/// Writes `s` as a JSON string, escaped as [`JsonText`] says.
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if c < ' ' => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl JsonText for str {
    fn write_json(&self, out: &mut String) {
        write_json_string(self, out);
    }
}

impl JsonText for String {
    fn write_json(&self, out: &mut String) {
        write_json_string(self, out);
    }
}

macro_rules! json_text_by_display {
    ($($t:ty),*) => {$(
        impl JsonText for $t {
            fn write_json(&self, out: &mut String) {
                // Integers and booleans are written as Rust displays them, which is JSON.
                use std::fmt::Write as _;
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
json_text_by_display!(bool, i32, i64);

macro_rules! json_text_via_encode {
    ($($t:ty),*) => {$(
        impl JsonText for $t {
            fn write_json(&self, out: &mut String) {
                // Decimals: serde_json's shortest text (a non-finite one is `null`).
                out.push_str(&self.encode().to_string());
            }
        }
    )*};
}
json_text_via_encode!(f32, f64);

impl JsonText for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::String(s) => write_json_string(s, out),
            Value::Array(items) => items.write_json(out),
            Value::Object(o) => {
                // serde_json keeps an object's keys sorted, as a map's are.
                let mut obj = JsonObject::new(out);
                for (k, v) in o {
                    obj.entry(k, v);
                }
                obj.finish();
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
}

impl<T: JsonText> JsonText for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: JsonText> JsonText for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: JsonText> JsonText for HashMap<String, T> {
    fn write_json(&self, out: &mut String) {
        let mut keys: Vec<_> = self.keys().collect();
        keys.sort();
        let mut obj = JsonObject::new(out);
        for k in keys {
            obj.entry(k, &self[k]);
        }
        obj.finish();
    }
}

/// A JSON object being written: entries are gathered, then [`JsonObject::finish`] writes them in
/// the order [`JsonText`] describes.
pub(crate) struct JsonObject<'o> {
    out: &'o mut String,
    /// Each present entry, `"name":value`, with its key's spread Java hash.
    entries: Vec<(u32, String)>,
    /// Fields present or absent: the Java map holds an absent one as a null, which counts.
    fields: usize,
}

impl<'o> JsonObject<'o> {
    pub(crate) fn new(out: &'o mut String) -> Self {
        JsonObject {
            out,
            entries: Vec::new(),
            fields: 0,
        }
    }

    pub(crate) fn entry<T: JsonText + ?Sized>(&mut self, name: &str, v: &T) {
        let mut text = String::new();
        write_json_string(name, &mut text);
        text.push(':');
        v.write_json(&mut text);
        self.entries.push((java_spread_hash(name), text));
        self.fields += 1;
    }

    /// A struct's field: left out when absent.
    pub(crate) fn field<T: JsonText>(&mut self, name: &str, v: &Option<T>) {
        match v {
            Some(v) => self.entry(name, v),
            None => self.fields += 1,
        }
    }

    pub(crate) fn finish(mut self) {
        let mask = java_table_size(self.fields) - 1;
        // Stable: within a bucket, the order of insertion.
        self.entries.sort_by_key(|(hash, _)| hash & mask);
        self.out.push('{');
        for (i, (_, text)) in self.entries.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.out.push_str(text);
        }
        self.out.push('}');
    }
}

/// Java's `String.hashCode` of `key` (over its UTF-16 units) with `HashMap`'s spreading of the
/// upper half into the lower.
fn java_spread_hash(key: &str) -> u32 {
    let h = key.encode_utf16().fold(0u32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(u32::from(unit))
    });
    h ^ (h >> 16)
}

/// The table size of a Java `HashMap` after `entries` insertions: 16, doubled while the entries
/// exceed three quarters of it.
fn java_table_size(entries: usize) -> u32 {
    let mut size: u32 = 16;
    while entries > (size as usize) / 4 * 3 && size < 1 << 30 {
        size *= 2;
    }
    size
}

/// A value that travels as one parameter's text.
pub(crate) trait ToParam {
    fn to_param(&self) -> Cow<'_, str>;
}

impl ToParam for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ToParam for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
display_param!(bool, i32, i64, f32, f64);

impl ToParam for Value {
    /// A string as its text; anything else as JSON.
    fn to_param(&self) -> Cow<'_, str> {
        match self {
            Value::String(s) => Cow::Borrowed(s),
            other => Cow::Owned(other.to_string()),
        }
    }
}

/// A value written as one or more flattened parameters under a prefix.
pub(crate) trait Flat {
    fn flatten<'a>(&'a self, prefix: &str, out: &mut Pairs<'a>);
}

macro_rules! flat_scalar {
    ($($t:ty),*) => {$(
        impl Flat for $t {
            fn flatten<'a>(&'a self, prefix: &str, out: &mut Pairs<'a>) {
                out.push((Cow::Owned(prefix.to_string()), self.to_param()));
            }
        }
    )*};
}
flat_scalar!(String, bool, i32, i64, f32, f64);

impl Flat for Value {
    fn flatten<'a>(&'a self, prefix: &str, out: &mut Pairs<'a>) {
        match self {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.flatten(&format!("{prefix}.{}", i + 1), out);
                }
            }
            Value::Object(o) => {
                for (k, v) in o {
                    v.flatten(&format!("{prefix}.{k}"), out);
                }
            }
            Value::Null => {}
            scalar => out.push((Cow::Owned(prefix.to_string()), scalar.to_param())),
        }
    }
}

impl<T: Flat> Flat for Vec<T> {
    /// Items are numbered from 1, as the service expects.
    fn flatten<'a>(&'a self, prefix: &str, out: &mut Pairs<'a>) {
        for (i, item) in self.iter().enumerate() {
            item.flatten(&format!("{prefix}.{}", i + 1), out);
        }
    }
}

impl<T: Flat> Flat for HashMap<String, T> {
    fn flatten<'a>(&'a self, prefix: &str, out: &mut Pairs<'a>) {
        let mut keys: Vec<_> = self.keys().collect();
        keys.sort();
        for k in keys {
            self[k].flatten(&format!("{prefix}.{k}"), out);
        }
    }
}

/// Writes one optional field of a struct being flattened.
pub(crate) fn flat_field<'a, T: Flat>(
    out: &mut Pairs<'a>,
    prefix: &str,
    name: &str,
    v: &'a Option<T>,
) {
    if let Some(v) = v {
        v.flatten(&format!("{prefix}.{name}"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_lists_and_maps_flatten() {
        let mut p = Params::default();
        p.put(Loc::Query, "InstanceId", "ccc-test");
        p.put(Loc::Query, "Flag", &true);
        let ids = vec!["a".to_string(), "b".to_string()];
        p.flat(Loc::Body, "Ids", &ids);
        let mut m = HashMap::new();
        m.insert("k2".to_string(), 2);
        m.insert("k1".to_string(), 1);
        p.flat(Loc::Body, "M", &m);
        let v = json!([{"X": 1}, {"X": "y"}]);
        p.flat(Loc::Body, "V", &v);
        assert_eq!(
            p.query,
            [
                ("InstanceId".into(), "ccc-test".into()),
                ("Flag".into(), "true".into())
            ]
        );
        let body: Vec<_> = p.body.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            body,
            [
                "Ids.1=a", "Ids.2=b", "M.k1=1", "M.k2=2", "V.1.X=1", "V.2.X=y"
            ]
        );
    }

    fn json<T: JsonText + ?Sized>(v: &T) -> String {
        let mut s = String::new();
        v.write_json(&mut s);
        s
    }

    #[test]
    fn json_text_is_written_as_the_official_sdks_write_it() {
        // Compact; non-ASCII, `<>&'/` as they are; quotes and backslashes escaped.
        let list = vec![
            "a".to_string(),
            "技能组-é".to_string(),
            r#"q"b\s"#.to_string(),
            "<x>&'/".to_string(),
        ];
        assert_eq!(json(&list), r#"["a","技能组-é","q\"b\\s","<x>&'/"]"#);
        // Control characters: short forms, else \u00xx in lower case; U+2028/9 escaped.
        assert_eq!(
            json("\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}\u{2028}\u{2029}"),
            "\"\\b\\f\\n\\r\\t\\u0000\\u001f\u{7f}\\u2028\\u2029\""
        );
        assert_eq!(json(&Vec::<String>::new()), "[]");
        assert_eq!(json(&vec![1_i32, -2]), "[1,-2]");
        assert_eq!(json(&vec![true]), "[true]");
        assert_eq!(json(&vec![0.5_f64]), "[0.5]");
        // Objects compact, their keys in a Java HashMap's order: by bucket of the key's
        // hash (`b` → 2, `a` → 1; `skillGroupId` → 14, `skillLevel` and `userId` → 13), within
        // a bucket as inserted.
        let mut m = HashMap::new();
        m.insert("b".to_string(), 2_i64);
        m.insert("a".to_string(), 1_i64);
        assert_eq!(json(&m), r#"{"a":1,"b":2}"#);
        let object = |fields: &[(&str, Option<i32>)]| {
            let mut s = String::new();
            let mut o = JsonObject::new(&mut s);
            for (name, v) in fields {
                o.field(name, v);
            }
            o.finish();
            s
        };
        assert_eq!(
            object(&[("skillGroupId", Some(1)), ("skillLevel", Some(2))]),
            r#"{"skillLevel":2,"skillGroupId":1}"#
        );
        assert_eq!(
            object(&[("userId", Some(1)), ("gone", None), ("skillLevel", Some(2))]),
            r#"{"userId":1,"skillLevel":2}"#
        );
        assert_eq!(
            object(&[("skillLevel", Some(2)), ("userId", Some(1))]),
            r#"{"skillLevel":2,"userId":1}"#
        );
        // Absent fields count towards the table's size: with 13 fields the table has 32 slots,
        // and `Caller` (bucket 5 of 16, 21 of 32) moves after `Name` (15 of either). A Java
        // HashMap given these keys iterates them so.
        assert_eq!(
            object(&[("Caller", Some(1)), ("Name", Some(2))]),
            r#"{"Caller":1,"Name":2}"#
        );
        let mut thirteen = vec![("Caller", Some(1)), ("Name", Some(2))];
        thirteen.extend(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"].map(|k| (k, None)));
        assert_eq!(object(&thirteen), r#"{"Name":2,"Caller":1}"#);
        assert_eq!(java_table_size(12), 16);
        assert_eq!(java_table_size(13), 32);
        assert_eq!(java_table_size(25), 64);
        // Enumerations by their wire values, one the SDK does not know included.
        use crate::types::UserState;
        let states = vec![UserState::from("READY"), UserState::from("NEW_STATE")];
        assert_eq!(json(&states), r#"["READY","NEW_STATE"]"#);
        let v = serde_json::json!({"k": ["<&>", 1, null, {"n": "é"}]});
        assert_eq!(json(&v), r#"{"k":["<&>",1,null,{"n":"é"}]}"#);
    }

    #[test]
    fn json_style_is_one_parameter() {
        let mut p = Params::default();
        p.json(
            Loc::Query,
            "List",
            &vec!["a".to_string(), "b\"c".to_string()],
        );
        assert_eq!(p.query[0].0, "List");
        assert_eq!(p.query[0].1, r#"["a","b\"c"]"#);
    }
}
