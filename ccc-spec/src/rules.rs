//! Rules the importers apply when they first meet an action, so that every importer decides
//! the same way; what a rule decided is then kept in the spec, where a maintainer may override it.

use crate::{Action, EnumSpec, Field, Scalar, Type, naming};

mod json_text;
pub use json_text::{JsonText, PLAIN_JSON_TEXT, describe as describe_type, json_text};

/// Prefixes of actions that only read: asking for them twice changes nothing.
const READ_ONLY_PREFIXES: &[&str] = &["Get", "List", "Describe", "Check", "Query", "Search"];

/// Actions that read only, although their names do not say so.
const READ_ONLY_ACTIONS: &[&str] = &["PollUserStatus", "ExportContactFlow", "PickOutboundNumbers"];

/// Whether an action is safe to repeat: sent twice, it has the effect of sending it once, so a
/// client may retry it after a timeout or a lost connection, when it cannot know whether the
/// first request reached the service.
///
/// Read-only actions are (`Get*`, `List*`, `Describe*`, `Check*`, `Query*`, `Search*`, and a few
/// named ones); every other action places a call, changes state or writes data, and is not.
pub fn safe_to_repeat(action: &str) -> bool {
    READ_ONLY_ACTIONS.contains(&action)
        || READ_ONLY_PREFIXES.iter().any(|p| {
            action
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
}

/// Gives every String parameter or field of `action` that is named like one of `enums` (its wire
/// name, as a type name, is the enumeration's name: `UserState`, `WorkMode`) and has no
/// enumeration yet that enumeration, unless its example is none of the enumeration's values.
/// Returns what it decided, one line each (`response Data.UserState: enumeration UserState`), for
/// the importer's report.
///
/// Importers apply it to what they read, before merging with the spec; a field the spec already
/// gives an enumeration keeps it, and one the product lists in `plainStrings` stays a plain
/// string ([`keep_plain`], which importers apply after merging).
pub fn enumerations_by_name(action: &mut Action, enums: &[EnumSpec]) -> Vec<String> {
    let mut decided = Vec::new();
    for p in &mut action.parameters {
        name_enumeration(
            &mut p.ty,
            p.example.as_deref(),
            &p.name,
            &format!("parameter {}", p.name),
            enums,
            &mut decided,
        );
    }
    for f in &mut action.response {
        field_enumerations(f, "response ", enums, &mut decided);
    }
    decided
}

/// Takes the enumeration away from every String of `action` that `plain` (the product's
/// `plainStrings`, `Action: response Data.WorkMode` each) keeps plain: the override of
/// [`enumerations_by_name`]. Returns what it undid, one line each, for the importer's report.
pub fn keep_plain(action: &mut Action, plain: &[String]) -> Vec<String> {
    let mut undone = Vec::new();
    for entry in plain {
        let Some((name, place)) = entry.split_once(": ") else {
            continue;
        };
        if name != action.name {
            continue;
        }
        if let Some(Type::Scalar {
            enumeration: enumeration @ Some(_),
            ..
        }) = place_type_mut(action, place)
        {
            undone.push(format!(
                "{place}: plain String, not enumeration {}",
                enumeration.take().unwrap_or_default()
            ));
        }
    }
    undone
}

/// The type at a place of an action as [`enumerations_by_name`] reports it
/// (`response Data.List.WorkMode`, `parameter Name`; lists and maps are passed through), with
/// the list or map around it removed; `None` when the action has no such place.
pub fn place_type<'a>(action: &'a Action, place: &str) -> Option<&'a Type> {
    let (kind, path) = place.split_once(' ')?;
    let mut names = path.split('.');
    let first = names.next()?;
    let mut ty = match kind {
        "parameter" => &action.parameters.iter().find(|p| p.name == first)?.ty,
        "response" => &action.response.iter().find(|f| f.name == first)?.ty,
        _ => return None,
    };
    for name in names {
        ty = match inner(ty) {
            Type::Struct { fields, .. } => &fields.iter().find(|f| f.name == name)?.ty,
            _ => return None,
        };
    }
    Some(inner(ty))
}

fn inner(mut ty: &Type) -> &Type {
    while let Type::List { items: t } | Type::Map { values: t } = ty {
        ty = t;
    }
    ty
}

fn place_type_mut<'a>(action: &'a mut Action, place: &str) -> Option<&'a mut Type> {
    fn inner_mut(ty: &mut Type) -> &mut Type {
        match ty {
            Type::List { items: t } | Type::Map { values: t } => inner_mut(t),
            other => other,
        }
    }
    let (kind, path) = place.split_once(' ')?;
    let mut names = path.split('.');
    let first = names.next()?;
    let mut ty = match kind {
        "parameter" => &mut action.parameters.iter_mut().find(|p| p.name == first)?.ty,
        "response" => &mut action.response.iter_mut().find(|f| f.name == first)?.ty,
        _ => return None,
    };
    for name in names {
        ty = match inner_mut(ty) {
            Type::Struct { fields, .. } => &mut fields.iter_mut().find(|f| f.name == name)?.ty,
            _ => return None,
        };
    }
    Some(inner_mut(ty))
}

fn field_enumerations(f: &mut Field, prefix: &str, enums: &[EnumSpec], decided: &mut Vec<String>) {
    let place = format!("{prefix}{}", f.name);
    name_enumeration(
        &mut f.ty,
        f.example.as_deref(),
        &f.name,
        &place,
        enums,
        decided,
    );
}

fn name_enumeration(
    ty: &mut Type,
    example: Option<&str>,
    wire: &str,
    place: &str,
    enums: &[EnumSpec],
    decided: &mut Vec<String>,
) {
    match ty {
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: enumeration @ None,
        } => {
            let name = naming::type_ident(wire);
            let Some(e) = enums.iter().find(|e| e.name == name) else {
                return;
            };
            if example.is_some_and(|ex| !e.values.iter().any(|v| v.value == ex)) {
                return;
            }
            *enumeration = Some(e.name.clone());
            decided.push(format!("{place}: enumeration {}", e.name));
        }
        Type::Scalar { .. } => {}
        Type::List { items } => name_enumeration(items, None, wire, place, enums, decided),
        Type::Map { .. } => {}
        Type::Struct { fields, .. } => {
            for f in fields {
                field_enumerations(f, &format!("{place}."), enums, decided);
            }
        }
    }
}

/// The page sizes a listing accepts where no source states them: 1 to 100, the range the API
/// reference gives every listing whose page states one.
pub const PAGE_SIZE_CONVENTION: (i64, i64) = (1, 100);

/// Gives the page-size parameter of a paged action (see [`pagination`]) that states no range the
/// API's convention, [`PAGE_SIZE_CONVENTION`], so that every paged action records the sizes it
/// takes and its paginator a default. Returns the report line of the parameter so given (the
/// importers put the action's name before it).
pub fn page_size_range(action: &mut Action) -> Vec<String> {
    let Some(size) = pagination(action).and_then(|p| p.page_size) else {
        return Vec::new();
    };
    let Some(p) = action.parameters.iter_mut().find(|p| p.name == size) else {
        return Vec::new();
    };
    if p.range.is_some() {
        return Vec::new();
    }
    let (min, max) = PAGE_SIZE_CONVENTION;
    p.range = Some(crate::Range {
        min,
        max,
        from: crate::RangeSource::Convention,
    });
    vec![format!(
        "parameter {size}: no source states its range; {min} to {max} by convention"
    )]
}

/// A range stated in prose: the first `<min>-<max>` (or `~`, `–`, `到`, `至`) after `范围` or
/// `range`, e.g. `分页大小，范围1-100。` gives 1 to 100.
pub fn range_in_text(text: &str) -> Option<(i64, i64)> {
    let lower = text.to_lowercase();
    let start = ["范围", "range"]
        .iter()
        .filter_map(|k| lower.find(k).map(|i| i + k.len()))
        .min()?;
    let rest = &lower[start..];
    // A number after optional spaces, colons or `为`: its value and the bytes read.
    let digits = |s: &str| -> Option<(i64, usize)> {
        let trimmed = s.trim_start_matches([' ', ':', '：', '为']);
        let skipped = s.len() - trimmed.len();
        let n = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 12 {
            return None;
        }
        let value = trimmed[..n].parse().ok()?;
        Some((value, skipped + n))
    };
    let (min, used) = digits(rest)?;
    let rest = &rest[used..];
    let sep = ["-", "~", "–", "到", "至"]
        .iter()
        .find(|s| rest.trim_start().starts_with(**s))?;
    let rest = rest.trim_start()[sep.len()..].trim_start();
    let (max, _) = digits(rest)?;
    (min <= max).then_some((min, max))
}

/// How an action hands out a long result, page by page: decided by [`pagination`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pagination {
    /// How the caller asks for the next page.
    pub style: PageStyle,
    /// Wire name of the top-level response field that holds the page, e.g. `Data`.
    pub page: String,
    /// Wire name of the page's list of items, e.g. `List`.
    pub items: String,
    /// Wire name of the request parameter that sets how many items a page holds
    /// (`PageSize`, `MaxResults`), when the action has one.
    pub page_size: Option<String>,
}

/// How the caller asks for the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageStyle {
    /// By number, counting from 1: the request parameter `PageNumber`.
    Number {
        /// Wire name of the request parameter, `PageNumber`.
        parameter: String,
        /// Wire name of the page's count of all items, `TotalCount`.
        total: String,
        /// Wire name of the page's own number, `PageNumber`, when the page has one.
        number: Option<String>,
    },
    /// By the token the previous page gave.
    Token {
        /// Wire name of the request parameter, `NextPageToken`.
        parameter: String,
        /// Wire name of the page's token for the page after it, `NextPageToken`.
        next: String,
    },
}

/// The request parameter of a page's number.
const PAGE_NUMBER: &str = "PageNumber";
/// The request parameter and the response field of a page token.
const PAGE_TOKEN: &str = "NextPageToken";
/// The response field counting every item of the result.
const TOTAL_COUNT: &str = "TotalCount";
/// Request parameters that set the size of a page, in order of preference.
const PAGE_SIZES: &[&str] = &["PageSize", "MaxResults"];
/// The conventional name of a page's list of items.
const ITEMS: &str = "List";

/// Whether and how `action` pages, by one rule over its parameters and response:
///
/// - **by number**: an integer (`Integer` or `Long`) parameter `PageNumber`, and one top-level
///   struct field of the response (the page) holding an integer `TotalCount` and a list of items:
///   its field `List`, or else its only list field. The page's own integer `PageNumber` is used
///   when it has one;
/// - **by token**: a `String` parameter `NextPageToken`, and one top-level struct field of the
///   response holding a `String` field `NextPageToken` and a list of items, chosen as above.
///
/// In both, an integer parameter `PageSize` (else `MaxResults`) sets the size of a page. An action
/// that takes paging parameters but answers no such page (`GetTicketSummaryReport` answers a
/// summary), or whose response has two candidate pages, does not page.
pub fn pagination(action: &Action) -> Option<Pagination> {
    let param = |name: &str| action.parameters.iter().find(|p| p.name == name);
    let page_size = PAGE_SIZES
        .iter()
        .find(|n| param(n).is_some_and(|p| is_integer(&p.ty)))
        .map(|n| n.to_string());
    let (pages, style): (Vec<_>, _) = if param(PAGE_NUMBER).is_some_and(|p| is_integer(&p.ty)) {
        let pages = action
            .response
            .iter()
            .filter_map(|f| {
                let fields = struct_fields(&f.ty)?;
                let total = fields.iter().find(|f| f.name == TOTAL_COUNT)?;
                if !is_integer(&total.ty) {
                    return None;
                }
                Some((f, items(fields)?))
            })
            .collect();
        (pages, Style::Number)
    } else if param(PAGE_TOKEN).is_some_and(|p| is_string(&p.ty)) {
        let pages = action
            .response
            .iter()
            .filter_map(|f| {
                let fields = struct_fields(&f.ty)?;
                let next = fields.iter().find(|f| f.name == PAGE_TOKEN)?;
                if !is_string(&next.ty) {
                    return None;
                }
                Some((f, items(fields)?))
            })
            .collect();
        (pages, Style::Token)
    } else {
        return None;
    };
    let [(page, items)] = pages.as_slice() else {
        return None;
    };
    let fields = struct_fields(&page.ty)?;
    let style = match style {
        Style::Number => PageStyle::Number {
            parameter: PAGE_NUMBER.into(),
            total: TOTAL_COUNT.into(),
            number: fields
                .iter()
                .find(|f| f.name == PAGE_NUMBER && is_integer(&f.ty))
                .map(|f| f.name.clone()),
        },
        Style::Token => PageStyle::Token {
            parameter: PAGE_TOKEN.into(),
            next: PAGE_TOKEN.into(),
        },
    };
    Some(Pagination {
        style,
        page: page.name.clone(),
        items: items.name.clone(),
        page_size,
    })
}

enum Style {
    Number,
    Token,
}

fn struct_fields(ty: &Type) -> Option<&[Field]> {
    match ty {
        Type::Struct { fields, .. } => Some(fields),
        _ => None,
    }
}

/// A page's list of items: its field `List`, else its only list.
fn items(fields: &[Field]) -> Option<&Field> {
    let lists: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.ty, Type::List { .. }))
        .collect();
    match lists.as_slice() {
        [only] => Some(only),
        many => many.iter().copied().find(|f| f.name == ITEMS),
    }
}

fn is_integer(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Scalar {
            scalar: Scalar::Integer | Scalar::Long,
            ..
        }
    )
}

fn is_string(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: None,
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(enumeration: Option<&str>) -> Type {
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: enumeration.map(str::to_string),
        }
    }

    /// A plain field of these rules' tests (the `json_text` ones too).
    pub(super) fn field(name: &str, ty: Type, example: Option<&str>) -> Field {
        Field {
            name: name.into(),
            ty,
            sensitive: false,
            example: example.map(str::to_string),
            description: None,
        }
    }

    #[test]
    fn fields_named_like_an_enumeration_use_it() {
        let user_state = EnumSpec {
            name: "UserState".into(),
            description: None,
            values: ["READY", "BREAK"]
                .map(|v| crate::EnumValue {
                    value: v.into(),
                    description: None,
                })
                .into(),
        };
        let mut action: Action = crate::parse_action(
            std::path::Path::new("actions/Demo.json"),
            r#"{"action": "Demo", "method": "POST", "idempotent": false, "parameters": [],
                "response": [], "errors": []}"#,
        )
        .unwrap();
        action.response = vec![field(
            "Data",
            Type::Struct {
                type_name: None,
                fields: vec![
                    field("UserState", string(None), Some("READY")),
                    field("Other", string(None), None),
                    // An example outside the enumeration: not that enumeration.
                    field("user_state", string(None), Some("SLEEPING")),
                    // Already decided in the spec.
                    field("Kept", string(Some("Mine")), None),
                ],
            },
            None,
        )];
        let decided = enumerations_by_name(&mut action, &[user_state]);
        assert_eq!(decided, ["response Data.UserState: enumeration UserState"]);
        let Type::Struct { fields, .. } = &action.response[0].ty else {
            unreachable!()
        };
        assert_eq!(fields[0].ty, string(Some("UserState")));
        assert_eq!(fields[1].ty, string(None));
        assert_eq!(fields[2].ty, string(None));
        assert_eq!(fields[3].ty, string(Some("Mine")));
    }

    #[test]
    fn a_plain_string_override_undoes_the_rule() {
        let mut action: Action = crate::parse_action(
            std::path::Path::new("actions/Demo.json"),
            r#"{"action": "Demo", "method": "POST", "idempotent": false, "parameters": [],
                "response": [{"name": "Data", "type": "List", "items": {"type": "Struct",
                  "fields": [{"name": "WorkMode", "type": "String", "enum": "WorkMode"},
                             {"name": "UserState", "type": "String", "enum": "UserState"}]}}],
                "errors": []}"#,
        )
        .unwrap();
        let plain = [
            "Other: response Data.UserState".to_string(),
            "Demo: response Data.WorkMode".to_string(),
        ];
        let undone = keep_plain(&mut action, &plain);
        assert_eq!(
            undone,
            ["response Data.WorkMode: plain String, not enumeration WorkMode"]
        );
        assert_eq!(
            place_type(&action, "response Data.WorkMode"),
            Some(&string(None))
        );
        assert_eq!(
            place_type(&action, "response Data.UserState"),
            Some(&string(Some("UserState")))
        );
        assert_eq!(place_type(&action, "response Data.Nothing"), None);
        // Applied twice, it has nothing more to undo.
        assert!(keep_plain(&mut action, &plain).is_empty());
    }

    #[test]
    fn reads_are_safe_to_repeat_and_changes_are_not() {
        for a in [
            "GetUser",
            "ListCallDetailRecordsV2",
            "DescribeX",
            "CheckNumber",
        ] {
            assert!(safe_to_repeat(a), "{a}");
        }
        assert!(safe_to_repeat("PollUserStatus"));
        for a in [
            "MakeCall",
            "BlindTransfer",
            "ResetAgentState",
            "SignInGroup",
            "CreateUser",
            "ReleaseCall",
            // A prefix counts only as a whole word.
            "Listen",
            "Getaway",
        ] {
            assert!(!safe_to_repeat(a), "{a}");
        }
    }

    fn demo(parameters: &str, response: &str) -> Action {
        crate::parse_action(
            std::path::Path::new("actions/Demo.json"),
            &format!(
                r#"{{"action": "Demo", "method": "POST", "idempotent": true,
                    "parameters": {parameters}, "response": {response}, "errors": []}}"#
            ),
        )
        .unwrap()
    }

    const NUMBERED: &str = r#"[
        {"name": "PageNumber", "type": "Integer", "in": "query"},
        {"name": "PageSize", "type": "Long", "in": "query"}]"#;

    #[test]
    fn a_numbered_page_is_a_struct_with_a_total_and_a_list() {
        let a = demo(
            NUMBERED,
            r#"[{"name": "RequestId", "type": "String"},
                {"name": "Paged", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "Long"},
                  {"name": "PageNumber", "type": "Integer"},
                  {"name": "Rows", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(
            pagination(&a),
            Some(Pagination {
                style: PageStyle::Number {
                    parameter: "PageNumber".into(),
                    total: "TotalCount".into(),
                    number: Some("PageNumber".into()),
                },
                page: "Paged".into(),
                items: "Rows".into(),
                page_size: Some("PageSize".into()),
            })
        );
        // Two lists: the one named `List`; the page's number is optional.
        let a = demo(
            NUMBERED,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "Integer"},
                  {"name": "Other", "type": "List", "items": {"type": "String"}},
                  {"name": "List", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        let p = pagination(&a).unwrap();
        assert_eq!(p.items, "List");
        assert!(matches!(p.style, PageStyle::Number { number: None, .. }));
    }

    #[test]
    fn paging_parameters_without_a_page_do_not_page() {
        // A summary: no list (`GetTicketSummaryReport`).
        let summary = demo(
            NUMBERED,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "TicketsCreated", "type": "String"}]}]"#,
        );
        assert_eq!(pagination(&summary), None);
        // A list but no total.
        let no_total = demo(
            NUMBERED,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "List", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(pagination(&no_total), None);
        // A total that is not a number.
        let text_total = demo(
            NUMBERED,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "String"},
                  {"name": "List", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(pagination(&text_total), None);
        // Two lists, none named `List`: which one is the page's is not clear.
        let two_lists = demo(
            NUMBERED,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "Integer"},
                  {"name": "A", "type": "List", "items": {"type": "String"}},
                  {"name": "B", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(pagination(&two_lists), None);
        // Two candidate pages.
        let two_pages = demo(
            NUMBERED,
            r#"[{"name": "A", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "Integer"},
                  {"name": "List", "type": "List", "items": {"type": "String"}}]},
                {"name": "B", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "Integer"},
                  {"name": "List", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(pagination(&two_pages), None);
        // A page but no page number to ask with.
        let no_number = demo(
            r#"[{"name": "PageSize", "type": "Integer", "in": "query"}]"#,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "Integer"},
                  {"name": "List", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(pagination(&no_number), None);
    }

    #[test]
    fn a_token_page_gives_the_next_token() {
        let a = demo(
            r#"[{"name": "NextPageToken", "type": "String", "in": "query"},
                {"name": "MaxResults", "type": "Integer", "in": "query"}]"#,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "NextPageToken", "type": "String"},
                  {"name": "Messages", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(
            pagination(&a),
            Some(Pagination {
                style: PageStyle::Token {
                    parameter: "NextPageToken".into(),
                    next: "NextPageToken".into(),
                },
                page: "Data".into(),
                items: "Messages".into(),
                page_size: Some("MaxResults".into()),
            })
        );
        // No token in the answer: not a page.
        let a = demo(
            r#"[{"name": "NextPageToken", "type": "String", "in": "query"}]"#,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "Messages", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(pagination(&a), None);
    }

    #[test]
    fn a_range_is_read_from_prose() {
        assert_eq!(range_in_text("分页大小，范围1-100。"), Some((1, 100)));
        assert_eq!(range_in_text("每页大小，范围1-100。"), Some((1, 100)));
        assert_eq!(range_in_text("Page size, range: 1~50."), Some((1, 50)));
        assert_eq!(range_in_text("取值范围为 0 到 10"), Some((0, 10)));
        assert_eq!(range_in_text("分页大小。"), None);
        assert_eq!(range_in_text("范围100-1"), None);
        assert_eq!(range_in_text("范围1-"), None);
        assert_eq!(range_in_text("范围99999999999999999999-1"), None);
    }

    #[test]
    fn a_paged_action_s_page_size_gets_the_convention_unless_it_states_a_range() {
        let mut a = demo(
            r#"[{"name": "PageNumber", "type": "Integer", "required": true, "in": "query"},
                {"name": "PageSize", "type": "Integer", "required": true, "in": "query"}]"#,
            r#"[{"name": "Data", "type": "Struct", "fields": [
                  {"name": "TotalCount", "type": "Integer"},
                  {"name": "List", "type": "List", "items": {"type": "String"}}]}]"#,
        );
        assert_eq!(page_size_range(&mut a).len(), 1);
        let range = a.parameters[1].range.unwrap();
        assert_eq!((range.min, range.max), PAGE_SIZE_CONVENTION);
        assert_eq!(range.from, crate::RangeSource::Convention);
        // A range already stated stays; a second run changes nothing.
        a.parameters[1].range = Some(crate::Range {
            min: 1,
            max: 50,
            from: crate::RangeSource::Reference,
        });
        assert!(page_size_range(&mut a).is_empty());
        assert_eq!(a.parameters[1].range.unwrap().max, 50);
    }

    /// The rule over the real spec: which actions page, and how.
    #[test]
    fn the_spec_pages_as_the_rule_says() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = crate::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        let mut numbered = Vec::new();
        let mut tokens = Vec::new();
        for a in &spec.actions {
            let Some(p) = pagination(a) else {
                continue;
            };
            match p.style {
                PageStyle::Number { .. } => numbered.push((a.name.as_str(), p)),
                PageStyle::Token { .. } => tokens.push((a.name.clone(), p.page, p.items)),
            }
        }
        assert_eq!(numbered.len(), 44);
        let under_data = numbered
            .iter()
            .filter(|(_, p)| p.page == "Data" && p.items == "List")
            .count();
        assert_eq!(under_data, 42);
        let others: Vec<(&str, &str)> = numbered
            .iter()
            .filter(|(_, p)| p.page != "Data")
            .map(|(a, p)| (*a, p.page.as_str()))
            .collect();
        assert_eq!(
            others,
            [
                (
                    "ListAgentSummaryReportsSinceMidnight",
                    "PagedAgentSummaryReport"
                ),
                (
                    "ListSkillGroupSummaryReportsSinceMidnight",
                    "PagedSkillGroupSummaryReport"
                ),
            ]
        );
        assert!(
            numbered
                .iter()
                .all(|(_, p)| p.page_size.as_deref() == Some("PageSize"))
        );
        // Every paged action records the page sizes it takes, so that its paginator has a
        // default: the reference's range where a page states one, else the convention.
        let mut from_reference = 0;
        for a in &spec.actions {
            let Some(size) = pagination(a).and_then(|p| p.page_size) else {
                continue;
            };
            let p = a.parameters.iter().find(|p| p.name == size).unwrap();
            let range = p
                .range
                .unwrap_or_else(|| panic!("{} {size}: no range", a.name));
            assert_eq!((range.min, range.max), (1, 100), "{}", a.name);
            if range.from == crate::RangeSource::Reference {
                from_reference += 1;
            }
        }
        assert_eq!(from_reference, 11);
        let tokens: Vec<(&str, &str, &str)> = tokens
            .iter()
            .map(|(a, p, i)| (a.as_str(), p.as_str(), i.as_str()))
            .collect();
        assert_eq!(
            tokens,
            [
                ("ListDocuments", "Data", "Documents"),
                ("ListGroupChatMessages", "Data", "Messages"),
                ("ListVisitorChatMessages", "Data", "Messages"),
            ]
        );
        // Paging parameters, but a summary for an answer.
        let summary = spec.action("GetTicketSummaryReport").unwrap();
        assert!(summary.parameters.iter().any(|p| p.name == "PageNumber"));
        assert_eq!(pagination(summary), None);
    }
}
