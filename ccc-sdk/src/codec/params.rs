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

    /// A list, struct or map in `json` style: one parameter holding JSON text.
    pub(crate) fn json<T: Encode + ?Sized>(&mut self, loc: Loc, name: &'static str, v: &T) {
        self.slot(loc)
            .push((Cow::Borrowed(name), Cow::Owned(v.encode().to_string())));
    }
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
