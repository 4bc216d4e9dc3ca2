//! Turning generated types back into a JSON tree: for printing a response as JSON, for `serde`
//! users, and for request parameters sent in `json` style.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// A type that can be written as a JSON tree with the service's wire names.
pub(crate) trait Encode {
    fn encode(&self) -> Value;
}

/// Writes an optional field; `None` is left out, so the tree holds only what the service sent.
pub(crate) fn put<T: Encode>(o: &mut Map<String, Value>, name: &str, v: &Option<T>) {
    if let Some(v) = v {
        o.insert(name.to_string(), v.encode());
    }
}

impl Encode for String {
    fn encode(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Encode for bool {
    fn encode(&self) -> Value {
        Value::Bool(*self)
    }
}

impl Encode for i32 {
    fn encode(&self) -> Value {
        Value::from(*self)
    }
}

impl Encode for i64 {
    fn encode(&self) -> Value {
        Value::from(*self)
    }
}

impl Encode for f32 {
    fn encode(&self) -> Value {
        // Through the shortest decimal form, so 0.1f32 prints as 0.1, not 0.100000001.
        self.to_string()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }
}

impl Encode for f64 {
    fn encode(&self) -> Value {
        serde_json::Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

impl Encode for Value {
    fn encode(&self) -> Value {
        self.clone()
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self) -> Value {
        Value::Array(self.iter().map(Encode::encode).collect())
    }
}

impl<T: Encode> Encode for HashMap<String, T> {
    fn encode(&self) -> Value {
        // Sorted, so that printing a map is deterministic.
        let mut entries: Vec<_> = self.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.clone(), v.encode()))
                .collect(),
        )
    }
}
