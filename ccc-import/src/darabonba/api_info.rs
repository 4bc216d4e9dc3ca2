//! `api-info.json`: the product facts published next to `main.tea`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// What `api-info.json` says; every part is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiInfo {
    pub product: Option<String>,
    pub version: Option<String>,
    /// `apiDoc.hasDoc`: actions with a published reference page.
    pub documented: BTreeSet<String>,
    /// `deprecated`: actions the provider has deprecated.
    pub deprecated: BTreeSet<String>,
    /// `endpoints`: region id → host.
    pub endpoints: BTreeMap<String, String>,
}

impl ApiInfo {
    /// Reads the JSON text; unknown keys are ignored, known keys of the wrong shape are errors.
    pub fn parse(text: &str) -> Result<ApiInfo, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("bad JSON: {e}"))?;
        let Value::Object(top) = &v else {
            return Err("expected an object at the top level".into());
        };
        let string = |key: &str| -> Result<Option<String>, String> {
            match top.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("`{key}` must be a string")),
            }
        };
        let names = |v: Option<&Value>, key: &str| -> Result<BTreeSet<String>, String> {
            match v {
                None => Ok(BTreeSet::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(s.clone()),
                        _ => Err(format!("`{key}` must hold strings only")),
                    })
                    .collect(),
                Some(_) => Err(format!("`{key}` must be an array of action names")),
            }
        };
        let mut info = ApiInfo {
            product: string("product")?,
            version: string("version")?,
            deprecated: names(top.get("deprecated"), "deprecated")?,
            ..ApiInfo::default()
        };
        match top.get("apiDoc") {
            None => {}
            Some(Value::Object(doc)) => {
                info.documented = names(doc.get("hasDoc"), "apiDoc.hasDoc")?;
            }
            Some(_) => return Err("`apiDoc` must be an object".into()),
        }
        match top.get("endpoints") {
            None => {}
            Some(Value::Object(map)) => {
                for (region, host) in map {
                    let Value::String(host) = host else {
                        return Err(format!("`endpoints.{region}` must be a string"));
                    };
                    info.endpoints.insert(region.clone(), host.clone());
                }
            }
            Some(_) => return Err("`endpoints` must be an object".into()),
        }
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_known_keys() {
        let info = ApiInfo::parse(
            r#"{"product":"P","version":"2001-01-01","apiDoc":{"hasDoc":["A","B"],"noDoc":[]},
               "deprecated":["B"],"endpoints":{"r-1":"h.example"},"other":1}"#,
        )
        .unwrap();
        assert_eq!(info.version.as_deref(), Some("2001-01-01"));
        assert_eq!(info.documented.len(), 2);
        assert!(info.deprecated.contains("B"));
        assert_eq!(info.endpoints["r-1"], "h.example");
    }

    #[test]
    fn wrong_shapes_are_errors() {
        assert!(ApiInfo::parse(r#"{"deprecated":"A"}"#).is_err());
        assert!(ApiInfo::parse(r#"{"endpoints":{"r":1}}"#).is_err());
        assert!(ApiInfo::parse("[").is_err());
    }
}
