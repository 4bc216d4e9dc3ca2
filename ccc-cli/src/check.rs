//! Every value checked against the spec before anything is sent, and turned into the text the
//! service reads: integers, booleans and numbers parsed, enumerations matched, required flags
//! present, lists from repeated flags or one JSON array, JSON-shaped values (text or `@file`)
//! checked field by field.

use std::collections::BTreeMap;
use std::io::Read as _;

use ccc_sdk::raw::ParamLocation;
use serde_json::{Map, Value};

use crate::args::is_paging_param;
use crate::table::{Action, Param, Shape, Style};

/// The largest file `@file` reads: a parameter of the API is never near this.
const MAX_FILE_BYTES: u64 = 4 << 20;

/// One parameter as it is sent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WireParam {
    pub(crate) location: ParamLocation,
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) sensitive: bool,
}

/// Where a parameter's value came from.
enum Given<'a> {
    /// The flag's values, as typed (one per occurrence).
    Flags(&'a [String]),
    /// The value under its wire name in `--input-json`.
    Json(&'a Value),
}

/// The parameters of one call: `flags` by wire name (from the command line), `input` the object
/// of `--input-json`. `paging_defaults`: fill in a listing's page number and size when they are
/// not given (a single call; the paginator of `--all` sets them itself).
pub(crate) fn wire_params(
    action: &Action,
    flags: &BTreeMap<&'static str, Vec<String>>,
    input: Option<&Map<String, Value>>,
    paging_defaults: bool,
) -> Result<Vec<WireParam>, String> {
    if let Some(input) = input {
        for key in input.keys() {
            if !action.params.iter().any(|p| p.wire == key) {
                let known = action.params.iter().map(|p| p.wire);
                let hint = match crate::table::nearest(key, known).first() {
                    Some(n) => format!("; did you mean {n}?"),
                    None => String::new(),
                };
                return Err(format!(
                    "--input-json: {} takes no parameter {key:?}{hint}",
                    action.op.name()
                ));
            }
        }
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for p in action.params {
        let given = match (flags.get(p.wire), input.and_then(|i| i.get(p.wire))) {
            (Some(values), _) => Given::Flags(values),
            (None, Some(Value::Null)) | (None, None) => {
                if let Some(v) = paging_defaults.then(|| paging_default(action, p)).flatten() {
                    out.push(wire(p, p.wire.to_owned(), v));
                } else if p.required && !is_paging_param(action, p) {
                    missing.push(p);
                }
                continue;
            }
            (None, Some(v)) => Given::Json(v),
        };
        match p.style {
            Style::Plain => {
                let text = scalar_text(p, &given)?;
                out.push(wire(p, p.wire.to_owned(), text));
            }
            Style::Json => {
                let text = json_text(p, &given)?;
                out.push(wire(p, p.wire.to_owned(), text));
            }
            Style::Flat => {
                let value = json_value(p, &given)?;
                let mut pairs = Vec::new();
                flatten(p.wire.to_owned(), &value, &mut pairs);
                out.extend(pairs.into_iter().map(|(k, v)| wire(p, k, v)));
            }
        }
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|p| {
                let example = p.example.map(|e| format!(", e.g. {e}")).unwrap_or_default();
                format!("--{} ({}{example})", p.flag, p.shape.describe())
            })
            .collect();
        return Err(format!(
            "{} needs {}: {}",
            action.command,
            if missing.len() == 1 {
                "a flag"
            } else {
                "flags"
            },
            list.join(", ")
        ));
    }
    Ok(out)
}

fn wire(p: &Param, name: String, value: String) -> WireParam {
    WireParam {
        location: p.location,
        name,
        value,
        sensitive: p.sensitive,
    }
}

/// Page 1, and pages of the most the action takes, for a listing's single call.
fn paging_default(action: &Action, p: &Param) -> Option<String> {
    let paging = action.paging.as_ref()?;
    match paging.style {
        ccc_sdk::raw::RawPageStyleFacts::Number { parameter, .. } if parameter == p.wire => {
            Some("1".into())
        }
        _ if Some(p.wire) == paging.size => paging.default_size.map(|n| n.to_string()),
        _ => None,
    }
}

/// One scalar's text.
fn scalar_text(p: &Param, given: &Given<'_>) -> Result<String, String> {
    match given {
        Given::Flags(values) => {
            let [value] = values else {
                return Err(format!(
                    "--{} is given {} times; it takes one value",
                    p.flag,
                    values.len()
                ));
            };
            scalar_from_text(&format!("--{}", p.flag), p, &p.shape, value)
        }
        Given::Json(v) => {
            let place = format!("--input-json {}", p.wire);
            check_shape(&place, p, &p.shape, v)?;
            Ok(match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        }
    }
}

/// A scalar typed on the command line, checked and normalised.
fn scalar_from_text(place: &str, p: &Param, shape: &Shape, text: &str) -> Result<String, String> {
    let example = || {
        p.example
            .filter(|_| matches!(p.style, Style::Plain))
            .map(str::to_owned)
            .unwrap_or_else(|| example_of(shape))
    };
    let refuse = |what: &str| format!("{place}: expected {what}, e.g. {}; got {text:?}", example());
    match shape {
        Shape::String | Shape::Any => Ok(text.to_owned()),
        Shape::Integer | Shape::Long => {
            let n: i64 = text.trim().parse().map_err(|_| refuse("an integer"))?;
            if matches!(shape, Shape::Integer) && i32::try_from(n).is_err() {
                return Err(refuse("an integer of 32 bits"));
            }
            check_range(place, p, n)?;
            Ok(n.to_string())
        }
        Shape::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err(refuse("true or false")),
        },
        Shape::Float | Shape::Double => {
            let n: f64 = text.trim().parse().map_err(|_| refuse("a number"))?;
            if !n.is_finite() {
                return Err(refuse("a finite number"));
            }
            Ok(text.trim().to_owned())
        }
        Shape::Enum(values) => {
            if values.contains(&text) {
                Ok(text.to_owned())
            } else {
                Err(format!(
                    "{place}: {text:?} is not one of {}",
                    values.join(", ")
                ))
            }
        }
        Shape::List(_) | Shape::Struct(_) | Shape::Map(_) => {
            let v = parse_json(place, text)?;
            check_shape(place, p, shape, &v)?;
            Ok(text.trim().to_owned())
        }
    }
}

fn check_range(place: &str, p: &Param, n: i64) -> Result<(), String> {
    match p.range {
        Some(r) if r.enforced && !(r.min..=r.max).contains(&n) => Err(format!(
            "{place}: {n} is out of range; the service takes {} to {}",
            r.min, r.max
        )),
        _ => Ok(()),
    }
}

fn example_of(shape: &Shape) -> String {
    match shape {
        Shape::Integer | Shape::Long => "10".into(),
        Shape::Boolean => "true".into(),
        Shape::Float | Shape::Double => "1.5".into(),
        Shape::Enum(values) => values.first().copied().unwrap_or("").into(),
        _ => "text".into(),
    }
}

/// The JSON text of a JSON-style parameter: a user's JSON text is sent as written (once it is
/// checked), as the SDK's `_json` setters send it; a list from repeated flags is written here.
fn json_text(p: &Param, given: &Given<'_>) -> Result<String, String> {
    match given {
        Given::Flags([one]) if looks_like_json(p, one) => {
            let place = format!("--{}", p.flag);
            let text = read_text(&place, one)?;
            let v = parse_json(&place, &text)?;
            check_shape(&place, p, &p.shape, &v)?;
            Ok(text.trim().to_owned())
        }
        _ => Ok(json_value(p, given)?.to_string()),
    }
}

/// Whether a single flag value is the whole JSON value (or a file of it), not one list item.
fn looks_like_json(p: &Param, value: &str) -> bool {
    let v = value.trim_start();
    match p.shape {
        Shape::List(_) => v.starts_with('@') || v.starts_with('['),
        _ => true,
    }
}

/// A list, struct or map parameter as a checked JSON value.
fn json_value(p: &Param, given: &Given<'_>) -> Result<Value, String> {
    let place = match given {
        Given::Flags(_) => format!("--{}", p.flag),
        Given::Json(_) => format!("--input-json {}", p.wire),
    };
    let v = match (given, &p.shape) {
        (Given::Json(v), _) => (*v).clone(),
        (Given::Flags(values), Shape::List(items)) => {
            if let [one] = values
                && looks_like_json(p, one)
            {
                parse_json(&place, &read_text(&place, one)?)?
            } else {
                let mut list = Vec::with_capacity(values.len());
                for (i, text) in values.iter().enumerate() {
                    let here = format!("{place} (value {})", i + 1);
                    list.push(item_from_text(&here, p, items, text)?);
                }
                Value::Array(list)
            }
        }
        (Given::Flags(values), _) => {
            let [one] = values else {
                return Err(format!(
                    "{place} is given {} times; it takes one JSON value",
                    values.len()
                ));
            };
            parse_json(&place, &read_text(&place, one)?)?
        }
    };
    check_shape(&place, p, &p.shape, &v)?;
    Ok(v)
}

/// One item of a list typed as its own flag value.
fn item_from_text(place: &str, p: &Param, shape: &Shape, text: &str) -> Result<Value, String> {
    Ok(match shape {
        Shape::String | Shape::Enum(_) => {
            scalar_from_text(place, p, shape, text)?;
            Value::String(text.to_owned())
        }
        Shape::Integer | Shape::Long => Value::from(
            scalar_from_text(place, p, shape, text)?
                .parse::<i64>()
                .unwrap_or(0),
        ),
        Shape::Boolean => Value::Bool(scalar_from_text(place, p, shape, text)? == "true"),
        Shape::Float | Shape::Double => {
            let n: f64 = scalar_from_text(place, p, shape, text)?
                .parse()
                .unwrap_or(0.0);
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
        Shape::Any | Shape::List(_) | Shape::Struct(_) | Shape::Map(_) => {
            parse_json(place, &read_text(place, text)?)?
        }
    })
}

/// The text of `@path`, or the value itself.
fn read_text(place: &str, value: &str) -> Result<String, String> {
    let Some(path) = value.trim_start().strip_prefix('@') else {
        return Ok(value.to_owned());
    };
    let file =
        std::fs::File::open(path).map_err(|e| format!("{place}: cannot read {path}: {e}"))?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("{place}: cannot read {path}: {e}"))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "{place}: {path} is larger than {} MiB",
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(text)
}

fn parse_json(place: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{place}: not valid JSON: {e}"))
}

/// Checks `v` against `shape`, naming the place of the first mismatch.
fn check_shape(place: &str, p: &Param, shape: &Shape, v: &Value) -> Result<(), String> {
    let refuse = |what: &str| {
        Err(format!(
            "{place}: expected {what}, got {}",
            describe_json(v)
        ))
    };
    match (shape, v) {
        (Shape::Any, _) => Ok(()),
        (Shape::String, Value::String(_)) => Ok(()),
        (Shape::String, Value::Number(_) | Value::Bool(_)) if matches!(p.style, Style::Plain) => {
            Ok(())
        }
        (Shape::String, _) => refuse("text"),
        (Shape::Enum(values), Value::String(s)) if values.contains(&s.as_str()) => Ok(()),
        (Shape::Enum(values), _) => {
            Err(format!("{place}: {v} is not one of {}", values.join(", ")))
        }
        (Shape::Integer | Shape::Long, _) => {
            let n = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) if matches!(p.style, Style::Plain) => s.trim().parse().ok(),
                _ => None,
            };
            let Some(n) = n else {
                return refuse("an integer");
            };
            if matches!(shape, Shape::Integer) && i32::try_from(n).is_err() {
                return refuse("an integer of 32 bits");
            }
            check_range(place, p, n)
        }
        (Shape::Boolean, Value::Bool(_)) => Ok(()),
        (Shape::Boolean, _) => refuse("true or false"),
        (Shape::Float | Shape::Double, Value::Number(_)) => Ok(()),
        (Shape::Float | Shape::Double, _) => refuse("a number"),
        (Shape::List(items), Value::Array(list)) => {
            for (i, item) in list.iter().enumerate() {
                check_shape(&format!("{place}[{i}]"), p, items, item)?;
            }
            Ok(())
        }
        (Shape::List(_), _) => refuse("a JSON array"),
        (Shape::Map(values), Value::Object(map)) => {
            for (k, item) in map {
                check_shape(&format!("{place}.{k}"), p, values, item)?;
            }
            Ok(())
        }
        (Shape::Map(_), _) => refuse("a JSON object"),
        (Shape::Struct(fields), Value::Object(map)) => {
            for (k, item) in map {
                let Some(field) = fields.iter().find(|f| f.wire == k) else {
                    let hint = match crate::table::nearest(k, fields.iter().map(|f| f.wire)).first()
                    {
                        Some(n) => format!("; did you mean {n:?}?"),
                        None => format!(
                            "; its fields are {}",
                            fields.iter().map(|f| f.wire).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    return Err(format!("{place}: no field {k:?}{hint}"));
                };
                check_shape(&format!("{place}.{k}"), p, &field.shape, item)?;
            }
            Ok(())
        }
        (Shape::Struct(_), _) => refuse("a JSON object"),
    }
}

fn describe_json(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A value flattened as the service reads a flat-style parameter: `Name.1`, `Name.1.Sub`,
/// `Name.Key`.
fn flatten(prefix: String, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(format!("{prefix}.{}", i + 1), item, out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                flatten(format!("{prefix}.{k}"), item, out);
            }
        }
        Value::Null => {}
        Value::String(s) => out.push((prefix, s.clone())),
        other => out.push((prefix, other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::find;

    fn flags(pairs: &[(&'static str, &[&str])]) -> BTreeMap<&'static str, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (*k, v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    fn sent(
        command: &str,
        pairs: &[(&'static str, &[&str])],
    ) -> Result<Vec<(String, String)>, String> {
        let action = find(command).unwrap();
        wire_params(action, &flags(pairs), None, true)
            .map(|ps| ps.into_iter().map(|p| (p.name, p.value)).collect())
    }

    #[test]
    fn a_listing_gets_page_one_of_the_largest_size_and_a_missing_flag_is_named() {
        let ps = sent("list-users", &[("InstanceId", &["ccc-test"])]).unwrap();
        assert!(ps.contains(&("PageNumber".into(), "1".into())));
        assert!(ps.contains(&("PageSize".into(), "100".into())));
        let e = sent("list-users", &[]).unwrap_err();
        assert_eq!(
            e,
            "list-users needs a flag: --instance-id (text, e.g. ccc-test)"
        );
    }

    #[test]
    fn integers_booleans_and_enumerations_are_checked() {
        let e = sent(
            "list-users",
            &[("InstanceId", &["x"]), ("PageSize", &["ten"])],
        )
        .unwrap_err();
        assert_eq!(e, "--page-size: expected an integer, e.g. 10; got \"ten\"");
        let e = sent(
            "list-users",
            &[("InstanceId", &["x"]), ("PageNumber", &["99999999999"])],
        )
        .unwrap_err();
        assert!(e.contains("an integer of 32 bits"), "{e}");
        let e = sent("list-users", &[("InstanceId", &["x", "y"])]).unwrap_err();
        assert_eq!(e, "--instance-id is given 2 times; it takes one value");
    }

    #[test]
    fn a_list_is_repeated_flags_or_one_json_array() {
        let repeated = sent(
            "sign-in-group",
            &[
                ("InstanceId", &["ccc-test"]),
                ("DeviceId", &["ws"]),
                ("SignedSkillGroupIdList", &["a@ccc-test", "b@ccc-test"]),
            ],
        )
        .unwrap();
        assert!(repeated.contains(&(
            "SignedSkillGroupIdList".into(),
            r#"["a@ccc-test","b@ccc-test"]"#.into()
        )));
        let json = sent(
            "sign-in-group",
            &[
                ("InstanceId", &["ccc-test"]),
                ("DeviceId", &["ws"]),
                ("SignedSkillGroupIdList", &[r#"[ "a@ccc-test" ]"#]),
            ],
        )
        .unwrap();
        assert!(json.contains(&(
            "SignedSkillGroupIdList".into(),
            r#"[ "a@ccc-test" ]"#.into()
        )));
        let e = sent(
            "sign-in-group",
            &[
                ("InstanceId", &["ccc-test"]),
                ("DeviceId", &["ws"]),
                ("SignedSkillGroupIdList", &["[1, 2"]),
            ],
        )
        .unwrap_err();
        assert!(
            e.starts_with("--signed-skill-group-id-list: not valid JSON"),
            "{e}"
        );
    }

    #[test]
    fn a_struct_is_checked_field_by_field() {
        let ok = sent(
            "add-users-to-skill-group",
            &[
                ("InstanceId", &["ccc-test"]),
                ("SkillGroupId", &["skg@ccc-test"]),
                (
                    "UserSkillLevelList",
                    &[r#"[{"userId":"a@ccc-test","skillLevel":5}]"#],
                ),
            ],
        );
        assert!(ok.is_ok(), "{ok:?}");
        let e = sent(
            "add-users-to-skill-group",
            &[
                ("InstanceId", &["ccc-test"]),
                ("SkillGroupId", &["skg@ccc-test"]),
                (
                    "UserSkillLevelList",
                    &[r#"[{"userId":"a@ccc-test","skillLevel":"high"}]"#],
                ),
            ],
        )
        .unwrap_err();
        assert_eq!(
            e,
            "--user-skill-level-list[0].skillLevel: expected an integer, got \"high\""
        );
        let e = sent(
            "add-users-to-skill-group",
            &[
                ("InstanceId", &["ccc-test"]),
                ("SkillGroupId", &["skg@ccc-test"]),
                ("UserSkillLevelList", &[r#"[{"userID":"a@ccc-test"}]"#]),
            ],
        )
        .unwrap_err();
        assert_eq!(
            e,
            "--user-skill-level-list[0]: no field \"userID\"; did you mean \"userId\"?"
        );
    }

    #[test]
    fn input_json_gives_every_parameter_and_flags_win() {
        let action = find("get-user").unwrap();
        let input: Map<String, Value> =
            serde_json::from_str(r#"{"InstanceId":"ccc-test","UserId":"a@ccc-test"}"#).unwrap();
        let ps = wire_params(
            action,
            &flags(&[("UserId", &["b@ccc-test"])]),
            Some(&input),
            true,
        )
        .unwrap();
        let ps: Vec<_> = ps.into_iter().map(|p| (p.name, p.value)).collect();
        assert!(ps.contains(&("InstanceId".into(), "ccc-test".into())));
        assert!(ps.contains(&("UserId".into(), "b@ccc-test".into())));
        let typo: Map<String, Value> = serde_json::from_str(r#"{"InstanceID":"x"}"#).unwrap();
        let e = wire_params(action, &flags(&[]), Some(&typo), true).unwrap_err();
        assert_eq!(
            e,
            "--input-json: GetUser takes no parameter \"InstanceID\"; did you mean InstanceId?"
        );
    }

    #[test]
    fn flat_values_are_numbered_from_one() {
        let mut out = Vec::new();
        flatten(
            "Name".into(),
            &serde_json::json!([{"A": 1, "B": "x"}, "y"]),
            &mut out,
        );
        assert_eq!(
            out,
            [
                ("Name.1.A".to_owned(), "1".to_owned()),
                ("Name.1.B".to_owned(), "x".to_owned()),
                ("Name.2".to_owned(), "y".to_owned()),
            ]
        );
    }
}
