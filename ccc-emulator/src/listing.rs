//! Listings of the actions the world does not model. An action that pages (by the rule
//! [`ccc_spec::rules::pagination`]) answers a listing of a configurable number of rows instead of
//! its one fixed example: each row a copy of the example's first item, numbered in its id-like
//! field where it has one, served page by page as `PageNumber` and `PageSize` (or
//! `NextPageToken`) ask, with the page's `TotalCount`, `PageNumber`, `PageSize` and
//! `NextPageToken` set to match. The rest of the example stays as it is.
//!
//! Rows are made when a page is asked for, never ahead: a page holds at most
//! [`MAX_PAGE_SIZE`] of them, whatever the listing's length.

use ccc_spec::rules::{PageStyle, Pagination};
use ccc_spec::{Field, Scalar, Type};
use serde_json::{Map, Value};

use crate::format::{Format, render_xml};
use crate::handlers::{Failure, Req, fail_args, fail_with};

/// Rows a listing holds unless the emulator is told otherwise: more than one page of 100.
pub const DEFAULT_LISTING_ROWS: usize = 150;
/// The longest listing: `TotalCount` is an `Integer` of the API.
pub(crate) const MAX_LISTING_ROWS: usize = i32::MAX as usize;
/// The largest page served; a larger `PageSize` is served this many rows (and says so).
pub(crate) const MAX_PAGE_SIZE: usize = 1000;
/// The page size when the request sets none and the spec gives no example.
const DEFAULT_PAGE_SIZE: usize = 10;
/// The page's own fields, where it has them.
const TOTAL_COUNT: &str = "TotalCount";
const PAGE_SIZE: &str = "PageSize";
/// Starts every page token, so that a token from elsewhere is not read as an offset.
const TOKEN_PREFIX: &str = "rows-";

/// Where a row's number goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RowId {
    /// A `String` field of the row: the number is written into its text.
    Text(String),
    /// An integer field `Id` of the row: it takes the number.
    Number(String),
    /// The row is a string itself.
    Whole,
}

/// How one action's listing is served: compiled once from its spec.
#[derive(Debug)]
pub(crate) struct Listing {
    pagination: Pagination,
    /// Whether the page has an integer `TotalCount` (always, for actions paging by number).
    has_total: bool,
    /// Whether the page has an integer `PageSize`.
    has_size: bool,
    /// The page size when the request sets none.
    default_size: usize,
    /// The example answer, `RequestId` left for the request's.
    body: Value,
    /// The example's first item, copied into every row.
    row: Value,
    row_id: Option<RowId>,
}

impl Listing {
    /// The listing of an action that pages as `pagination` says; `body` is its example answer
    /// and `fallback_row` the example item to use when the example's list is empty.
    pub(crate) fn new(
        action: &str,
        pagination: Pagination,
        page_size_example: Option<&str>,
        page_fields: &[Field],
        item_type: &Type,
        body: Value,
        fallback_row: Value,
    ) -> Self {
        let integer = |name: &str| {
            page_fields.iter().any(|f| {
                f.name == name
                    && matches!(
                        f.ty,
                        Type::Scalar {
                            scalar: Scalar::Integer | Scalar::Long,
                            ..
                        }
                    )
            })
        };
        let row = body
            .get(&pagination.page)
            .and_then(|page| page.get(&pagination.items))
            .and_then(|items| items.get(0))
            .cloned()
            .unwrap_or(fallback_row);
        let default_size = page_size_example
            .and_then(|e| e.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .min(MAX_PAGE_SIZE);
        Listing {
            has_total: integer(TOTAL_COUNT),
            has_size: integer(PAGE_SIZE),
            default_size,
            row_id: row_id(action, item_type, &row),
            body,
            row,
            pagination,
        }
    }

    /// The page `req` asks for, of a listing of `rows` rows, rendered.
    pub(crate) fn answer(
        &self,
        req: &Req<'_>,
        rows: usize,
        action: &str,
        format: Format,
        request_id: &str,
    ) -> Result<Vec<u8>, Failure> {
        let rows = rows.min(MAX_LISTING_ROWS);
        let size = match &self.pagination.page_size {
            Some(name) => match req.get(name) {
                Some(text) => positive(name, text)?.min(MAX_PAGE_SIZE),
                None => self.default_size,
            },
            None => self.default_size,
        };
        let (offset, number) = match &self.pagination.style {
            PageStyle::Number { parameter, .. } => {
                let number = match req.get(parameter) {
                    Some(text) => positive(parameter, text)?,
                    None => 1,
                };
                (number.saturating_sub(1).saturating_mul(size), Some(number))
            }
            PageStyle::Token { parameter, .. } => match req.get(parameter) {
                Some(token) => (
                    offset_of(token, rows)
                        .ok_or_else(|| fail_with("InvalidParameter", parameter.clone()))?,
                    None,
                ),
                None => (0, None),
            },
        };
        let start = offset.min(rows);
        let end = start.saturating_add(size).min(rows);
        let items: Vec<Value> = (start..end).map(|i| self.row_at(i)).collect();

        let mut body = self.body.clone();
        let Value::Object(top) = &mut body else {
            return Err(fail_with("InternalError", action));
        };
        top.insert("RequestId".to_owned(), Value::from(request_id));
        let page = top
            .entry(self.pagination.page.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !page.is_object() {
            *page = Value::Object(Map::new());
        }
        let Value::Object(page) = page else {
            return Err(fail_with("InternalError", action));
        };
        page.insert(self.pagination.items.clone(), Value::Array(items));
        if self.has_total {
            page.insert(TOTAL_COUNT.to_owned(), Value::from(rows));
        }
        if self.has_size {
            page.insert(PAGE_SIZE.to_owned(), Value::from(size));
        }
        match &self.pagination.style {
            PageStyle::Number {
                number: Some(field),
                ..
            } => {
                page.insert(field.clone(), Value::from(number.unwrap_or(1)));
            }
            PageStyle::Number { number: None, .. } => {}
            PageStyle::Token { next, .. } => {
                if end < rows {
                    page.insert(next.clone(), Value::from(token_of(end)));
                } else {
                    page.remove(next);
                }
            }
        }
        Ok(match format {
            Format::Json => serde_json::to_vec(&body).unwrap_or_default(),
            Format::Xml => render_xml(action, &body),
        })
    }

    /// Row `index` (from 0): the example's item, numbered from 1 where it has an id.
    fn row_at(&self, index: usize) -> Value {
        let n = index.saturating_add(1);
        let mut row = self.row.clone();
        match (&self.row_id, &mut row) {
            (Some(RowId::Whole), Value::String(text)) => *text = numbered(text, n),
            (Some(RowId::Text(field)), Value::Object(map)) => {
                if let Some(Value::String(text)) = map.get_mut(field) {
                    *text = numbered(text, n);
                }
            }
            (Some(RowId::Number(field)), Value::Object(map)) => {
                map.insert(field.clone(), Value::from(n));
            }
            _ => {}
        }
        row
    }
}

/// A page parameter, a whole number from 1.
fn positive(name: &str, text: &str) -> Result<usize, Failure> {
    let n: i64 = text
        .trim()
        .parse()
        .map_err(|_| fail_with("InvalidParameter", name))?;
    if n < 1 {
        return Err(fail_args("Parameter.Minimum", [name, "1"]));
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The token of the page that starts at row `offset`.
fn token_of(offset: usize) -> String {
    format!("{TOKEN_PREFIX}{offset:x}")
}

/// The row a token gave starts at, if this emulator could have given it for a listing of
/// `rows` rows.
fn offset_of(token: &str, rows: usize) -> Option<usize> {
    let digits = token.strip_prefix(TOKEN_PREFIX)?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let offset = usize::from_str_radix(digits, 16).ok()?;
    (offset > 0 && offset < rows && token_of(offset) == token).then_some(offset)
}

/// `text` with row number `n` in it: before the domain of `user@domain`, else at the end.
fn numbered(text: &str, n: usize) -> String {
    match text.split_once('@') {
        _ if text.is_empty() => format!("row-{n}"),
        Some((name, domain)) => format!("{name}-{n}@{domain}"),
        None => format!("{text}-{n}"),
    }
}

/// Where a row's number goes: an `Id` field (text or integer), else the id named after the
/// listing (`AttemptId` in `ListAttempts`), else a `Number`, else the first text field named
/// like an id (`…Id`) other than the instance's, else the first named like a
/// name (`…Name`); a row that is a string takes it whole. Rows without such a field (a map of
/// no example) are identical copies.
fn row_id(action: &str, item: &Type, row: &Value) -> Option<RowId> {
    let fields = match item {
        Type::Scalar {
            scalar: Scalar::String,
            ..
        } if row.is_string() => return Some(RowId::Whole),
        Type::Struct { fields, .. } => fields,
        _ => return None,
    };
    let present = |f: &&Field| row.get(&f.name).is_some();
    let text = |f: &&Field| {
        matches!(
            f.ty,
            Type::Scalar {
                scalar: Scalar::String,
                ..
            }
        ) && row.get(&f.name).is_some_and(Value::is_string)
    };
    let integer = |f: &&Field| {
        matches!(
            f.ty,
            Type::Scalar {
                scalar: Scalar::Integer | Scalar::Long,
                ..
            }
        )
    };
    if let Some(id) = fields.iter().filter(present).find(|f| f.name == "Id") {
        if text(&id) {
            return Some(RowId::Text(id.name.clone()));
        }
        if integer(&id) {
            return Some(RowId::Number(id.name.clone()));
        }
    }
    // `AttemptId` for `ListAttempts`, `TemplateId` for `ListTicketTemplates`.
    let noun = action.strip_prefix("List").unwrap_or(action);
    let noun = noun.strip_suffix('s').unwrap_or(noun);
    let named_after_listing = |f: &&Field| {
        f.name
            .strip_suffix("Id")
            .is_some_and(|stem| !stem.is_empty() && noun.ends_with(stem))
    };
    fields
        .iter()
        .filter(text)
        .find(named_after_listing)
        .or_else(|| fields.iter().filter(text).find(|f| f.name == "Number"))
        .or_else(|| {
            fields
                .iter()
                .filter(text)
                .find(|f| f.name.ends_with("Id") && f.name != "InstanceId")
        })
        .or_else(|| {
            fields
                .iter()
                .filter(text)
                .find(|f| f.name.ends_with("Name"))
        })
        .map(|f| RowId::Text(f.name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_only_rows_inside_the_listing() {
        assert_eq!(offset_of(&token_of(100), 150), Some(100));
        assert_eq!(offset_of(&token_of(149), 150), Some(149));
        for bad in [
            token_of(0),
            token_of(150),
            "rows-".to_owned(),
            "rows-064".to_owned(),
            "rows-zz".to_owned(),
            "100".to_owned(),
            format!("rows-{}", "f".repeat(40)),
        ] {
            assert_eq!(offset_of(&bad, 150), None, "{bad}");
        }
    }

    /// The field a row is numbered in, for actions of the embedded spec; modelled listings have
    /// none of this.
    #[test]
    fn rows_are_numbered_in_the_field_that_names_them() {
        let spec = crate::embedded_spec().unwrap_or_else(|e| panic!("{e}"));
        let catalog = crate::catalog::Catalog::new(&spec);
        let listing = |name: &str| catalog.find(name).and_then(|a| a.listing.as_ref());
        let text = |f: &str| Some(RowId::Text(f.to_owned()));
        for (action, id, default_size) in [
            ("ListAttempts", text("AttemptId"), 100),
            ("ListTicketTemplates", text("TemplateId"), 100),
            ("ListInstancesOfUser", text("Id"), 10),
            ("ListUnassignedNumbers", text("Number"), 10),
            ("ListRamUsers", text("RamId"), 10),
            ("ListCallTags", text("TagName"), 10),
            (
                "ListLegacyAppraiseLogs",
                Some(RowId::Number("Id".into())),
                10,
            ),
            ("ListDocuments", None, 2),
        ] {
            let l = listing(action).unwrap_or_else(|| panic!("{action} has no listing"));
            assert_eq!((&l.row_id, l.default_size), (&id, default_size), "{action}");
        }
        assert!(catalog.find("ListUsers").is_some());
        assert!(listing("ListUsers").is_none());
        assert!(listing("GetInstance").is_none());
    }

    #[test]
    fn numbers_go_before_the_domain() {
        assert_eq!(numbered("agent@ccc-test", 7), "agent-7@ccc-test");
        assert_eq!(numbered("job-1", 2), "job-1-2");
        assert_eq!(numbered("", 3), "row-3");
    }
}
