//! Printing an answer: JSON with wire names, a table of the rows inside a listing, or
//! tab-separated text; `--query` (JMESPath) is applied first.

use std::fmt::Write as _;

use serde_json::Value;

use crate::args::Format;

/// A compiled `--query`.
#[derive(Debug)]
pub(crate) struct Query(jmespath::Expression<'static>);

impl Query {
    /// Compiles the expression; one that does not parse is refused before anything is sent.
    pub(crate) fn compile(text: &str) -> Result<Query, String> {
        jmespath::compile(text)
            .map(Query)
            .map_err(|e| format!("--query: not a JMESPath expression: {e}"))
    }

    /// The expression applied to `v`.
    pub(crate) fn apply(&self, v: &Value) -> Result<Value, String> {
        let result = self.0.search(v).map_err(|e| format!("--query: {e}"))?;
        serde_json::to_value(&*result).map_err(|e| format!("--query: {e}"))
    }
}

/// Where the rows of an answer are, when nothing says otherwise: the listing's items.
pub(crate) struct Rows<'a> {
    /// The page field and its list, e.g. `Data` and `List`.
    pub(crate) listing: Option<(&'a str, &'a str)>,
    pub(crate) columns: Option<&'a [String]>,
}

/// The whole answer, formatted.
pub(crate) fn render(v: &Value, format: Format, rows: &Rows<'_>) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Table | Format::Text => {
            let list = match (v, rows.listing) {
                (Value::Array(list), _) => Some(list.as_slice()),
                (Value::Object(_), Some((page, items))) => {
                    match v.get(page).and_then(|p| p.get(items)) {
                        Some(Value::Array(list)) => Some(list.as_slice()),
                        _ => None,
                    }
                }
                _ => None,
            };
            match list {
                Some(list) => grid(list, format, rows.columns),
                None => pairs(v, format),
            }
        }
    }
}

/// Rows of objects, arrays or scalars as a table or as tab-separated lines. Objects give named
/// columns (a header in a table); an array's items are its cells.
pub(crate) fn grid(list: &[Value], format: Format, columns: Option<&[String]>) -> String {
    let columns: Vec<String> = match columns {
        Some(c) => c.to_vec(),
        None => default_columns(list),
    };
    let cells: Vec<Vec<String>> = list
        .iter()
        .map(|row| match row {
            Value::Array(items) if columns.is_empty() => {
                items.iter().map(|v| cell(Some(v))).collect()
            }
            _ if columns.is_empty() => vec![cell(Some(row))],
            _ => columns.iter().map(|c| cell(lookup(row, c))).collect(),
        })
        .collect();
    let mut out = String::new();
    if format == Format::Text {
        for row in &cells {
            out.push_str(&row.join("\t"));
            out.push('\n');
        }
        return out;
    }
    let header = (!columns.is_empty()).then_some(columns);
    let count = cells
        .iter()
        .map(Vec::len)
        .chain(header.as_ref().map(Vec::len))
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..count)
        .map(|i| {
            cells
                .iter()
                .chain(header.as_ref())
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |out: &mut String, row: &[String]| {
        let mut text = String::new();
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(c);
            text.extend(std::iter::repeat_n(' ', widths[i] - width(c)));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    if let Some(header) = &header {
        line(&mut out, header);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&mut out, &rule);
    }
    for row in &cells {
        line(&mut out, row);
    }
    out
}

/// The columns of rows that say none: the scalar fields of the first row, in its order.
pub(crate) fn default_columns(list: &[Value]) -> Vec<String> {
    match list.first() {
        Some(Value::Object(map)) => map
            .iter()
            .filter(|(_, v)| !matches!(v, Value::Object(_) | Value::Array(_)))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// A dotted path into a row: `CallContext.JobId`.
fn lookup<'a>(row: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(row, |v, key| v.get(key))
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.replace(['\t', '\n', '\r'], " "),
        Some(other) => other.to_string(),
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// A value that holds no list of rows: each scalar leaf as `path  value` (a table of two
/// columns) or `path<TAB>value`; a lone scalar as itself.
fn pairs(v: &Value, format: Format) -> String {
    if !matches!(v, Value::Object(_) | Value::Array(_)) {
        return format!("{}\n", cell(Some(v)));
    }
    let mut leaves = Vec::new();
    collect_leaves(String::new(), v, &mut leaves);
    if format == Format::Text {
        let mut out = String::new();
        for (k, v) in &leaves {
            let _ = writeln!(out, "{k}\t{v}");
        }
        return out;
    }
    let rows: Vec<Value> = leaves
        .into_iter()
        .map(|(k, v)| serde_json::json!({ "Field": k, "Value": v }))
        .collect();
    grid(
        &rows,
        Format::Table,
        Some(&["Field".into(), "Value".into()]),
    )
}

fn collect_leaves(prefix: String, v: &Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(map) => {
            for (k, item) in map {
                collect_leaves(join(k), item, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_leaves(join(&i.to_string()), item, out);
            }
        }
        other => out.push((prefix, cell(Some(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_listing_is_a_table_of_its_items() {
        let v = json!({"RequestId": "r", "Data": {"TotalCount": 2, "List": [
            {"UserId": "ann@ccc-test", "Extension": "8001", "Roles": []},
            {"UserId": "bob@ccc-test", "Extension": null}
        ]}});
        let rows = Rows {
            listing: Some(("Data", "List")),
            columns: None,
        };
        assert_eq!(
            render(&v, Format::Table, &rows),
            "Extension  UserId\n---------  ------------\n8001       ann@ccc-test\n           bob@ccc-test\n"
        );
        let columns = ["UserId".to_owned()];
        let rows = Rows {
            listing: Some(("Data", "List")),
            columns: Some(&columns),
        };
        assert_eq!(
            render(&v, Format::Text, &rows),
            "ann@ccc-test\nbob@ccc-test\n"
        );
    }

    #[test]
    fn rows_of_arrays_are_cells_without_a_header() {
        let v = json!([["skg-sales@ccc-test", 5], ["skg-support@ccc-test", 10]]);
        let rows = Rows {
            listing: None,
            columns: None,
        };
        assert_eq!(
            render(&v, Format::Text, &rows),
            "skg-sales@ccc-test\t5\nskg-support@ccc-test\t10\n"
        );
        assert_eq!(
            render(&v, Format::Table, &rows),
            "skg-sales@ccc-test    5\nskg-support@ccc-test  10\n"
        );
    }

    #[test]
    fn an_answer_without_rows_is_its_leaves_and_a_scalar_is_itself() {
        let v = json!({"Data": {"UserState": "READY"}, "RequestId": "r"});
        let rows = Rows {
            listing: None,
            columns: None,
        };
        assert_eq!(
            render(&v, Format::Text, &rows),
            "Data.UserState\tREADY\nRequestId\tr\n"
        );
        assert_eq!(render(&json!("READY"), Format::Text, &rows), "READY\n");
    }

    #[test]
    fn a_query_filters_and_a_bad_one_is_refused() {
        let q = Query::compile("Data.List[?Extension=='8001'].UserId").unwrap();
        let v = json!({"Data": {"List": [{"UserId": "a", "Extension": "8001"}, {"UserId": "b"}]}});
        assert_eq!(q.apply(&v).unwrap(), json!(["a"]));
        assert!(
            Query::compile("Data.[")
                .unwrap_err()
                .starts_with("--query: not a JMESPath")
        );
    }
}
