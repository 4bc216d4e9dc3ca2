//! Test support for generated modules: an action's documented example responses must decode,
//! and every value they hold at a path the spec knows must come back out unchanged.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Decode, Encode};

/// Leaves of a tree as `(path, value)`, paths without list indices (`Data.List.Name`), values
/// normalised so that `"200"` and `200`, `"false"` and `false` compare equal. JSON text inside a
/// string (XML carries lists that way) is expanded.
fn leaves(v: &Value, path: &str, out: &mut BTreeSet<(String, String)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(o) => o.iter().for_each(|(k, v)| leaves(v, &join(k), out)),
        Value::Array(items) => items.iter().for_each(|v| leaves(v, path, out)),
        Value::Null => {}
        // Empty, or the reference's placeholder for "none": absent, whatever the type.
        Value::String(s) if s.is_empty() || s == "无" => {}
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(inner @ (Value::Array(_) | Value::Object(_))) => leaves(&inner, path, out),
            _ => {
                out.insert((path.to_string(), normal(s)));
            }
        },
        other => {
            out.insert((path.to_string(), normal(&other.to_string())));
        }
    }
}

fn normal(s: &str) -> String {
    match s.trim().parse::<f64>() {
        Ok(f) => format!("{f}"),
        Err(_) => s.trim().to_ascii_lowercase(),
    }
}

/// Decodes `text` as `T`, re-encodes it, and checks that every leaf of the example at a path in
/// `known` is in the output and the output holds nothing the example does not; then that the
/// output, sent as a JSON response, decodes and encodes again to the very same JSON.
pub(crate) fn check_example<T: Decode + Encode>(content_type: &str, text: &str, known: &[&str]) {
    let tree = super::parse_body(Some(content_type), text.as_bytes())
        .unwrap_or_else(|e| panic!("the {content_type} example does not parse: {e}"));
    let decoded = T::decode(tree.clone())
        .unwrap_or_else(|e| panic!("the {content_type} example does not decode: {e}"));
    // A map's or an Any value's inner paths are data, known through their root.
    let is_known = |p: &str| {
        known
            .iter()
            .any(|k| p == *k || p.strip_prefix(k).is_some_and(|rest| rest.starts_with('.')))
    };
    let mut expected = BTreeSet::new();
    leaves(&tree.into_value(), "", &mut expected);
    let unknown: Vec<String> = expected
        .iter()
        .filter(|(p, _)| !is_known(p))
        .map(|(p, _)| p.clone())
        .collect();
    expected.retain(|(p, _)| is_known(p));
    let mut actual = BTreeSet::new();
    leaves(&decoded.encode(), "", &mut actual);
    let lost: Vec<_> = expected.difference(&actual).collect();
    let invented: Vec<_> = actual.difference(&expected).collect();
    assert!(
        lost.is_empty() && invented.is_empty(),
        "{content_type} example: lost {lost:?}, invented {invented:?} (paths the spec lacks: {unknown:?})"
    );
    assert!(
        !actual.is_empty(),
        "{content_type} example: nothing decoded"
    );
    let once = decoded.encode();
    let body = serde_json::to_vec(&once).expect("a JSON value serializes");
    let tree = super::parse_body(Some("application/json"), &body)
        .unwrap_or_else(|e| panic!("the {content_type} example's encoding does not parse: {e}"));
    let again = T::decode(tree)
        .unwrap_or_else(|e| panic!("the {content_type} example's encoding does not decode: {e}"))
        .encode();
    assert_eq!(
        again, once,
        "{content_type} example: decoded and encoded again, the JSON changed"
    );
}
