//! The one rule that turns wire names into Rust names, shared by the validator and the generator.
//!
//! Words split where a lowercase letter meets an uppercase one and before the last capital of an
//! acronym; digits stay with the word before them: `SaveRTCStatsV2` → `save_rtc_stats_v2`,
//! `StartBack2BackCall` → `start_back2_back_call`, `ProcessCustomIMCallback` →
//! `process_custom_im_callback`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names that would shadow the prelude or names the generated code uses.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err", "Value", "HashMap",
    "Self", "Client", "Error",
];

/// snake_case of a wire name, before keyword escaping: `UserId` → `user_id`.
pub fn snake(wire: &str) -> String {
    let s = wire.to_snake_case();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{s}")
    } else {
        s
    }
}

/// A field or method identifier as written in Rust source: `Type` → `r#type`, `Self` → `self_`.
pub fn field_ident(wire: &str) -> String {
    let s = snake(wire);
    if RAW_KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else if NON_RAW_KEYWORDS.contains(&s.as_str()) || s.is_empty() {
        format!("{s}_")
    } else {
        s
    }
}

/// The identifier without a raw prefix, for use inside other names (`set_type`, `get_type`).
pub fn field_stem(wire: &str) -> String {
    let s = field_ident(wire);
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

/// The client method of an action: `ResetAgentState` → `reset_agent_state`.
pub fn method_ident(action: &str) -> String {
    field_ident(action)
}

/// The module of an action: the same as its method.
pub fn module_ident(action: &str) -> String {
    field_stem(action)
}

/// A type name: `Data` → `Data`, `channel_contexts` → `ChannelContexts`; reserved names get `Type`.
pub fn type_ident(wire: &str) -> String {
    let s = wire.to_upper_camel_case();
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{s}")
    } else {
        s
    };
    if RESERVED_TYPE_NAMES.contains(&s.as_str()) || s.is_empty() {
        format!("{s}Type")
    } else {
        s
    }
}

/// Struct names that say nothing about what a struct holds. No generated type takes one: a struct
/// whose field has such a wire name is named by [`struct_ident`] from where it sits, and the spec
/// refuses one as a `typeName`.
pub const GENERIC_STRUCT_NAMES: &[&str] = &["Data", "List"];

/// Whether `name` is one of [`GENERIC_STRUCT_NAMES`].
pub fn is_generic_struct_name(name: &str) -> bool {
    GENERIC_STRUCT_NAMES.contains(&name)
}

/// Where a struct sits, for [`struct_ident`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StructPlace<'a> {
    /// A parameter or response field of the action itself.
    Top,
    /// A field of the response's top-level `Data`.
    InData,
    /// A field of another struct, whose Rust name this is.
    In(&'a str),
}

/// The Rust name of a struct the spec does not name (no `typeName`): the UpperCamelCase of its
/// field's wire name, unless that name is generic (`Data`, `List`); then it says what the struct
/// holds, from the action's name (its words after the verb, the noun):
///
/// - the items of a generic list at the top or in the top-level `Data` are the noun, singular:
///   the item of `ListUsers`' `Data.List` is a `User`; deeper, `<Parent>Item`;
/// - a top-level `Data` that holds such a list is a page of them: `UserPage`;
/// - any other top-level `Data` is the noun of a `Get` action (`GetInstance` → `Instance`),
///   else the action's result (`ResetAgentStateResult`); deeper, `<Parent>Data`.
///
/// `list_item`: the struct is the item of a list; `holds_list`: it has a `List` field of structs.
pub fn struct_ident(
    action: &str,
    wire: &str,
    place: StructPlace<'_>,
    list_item: bool,
    holds_list: bool,
) -> String {
    let name = type_ident(wire);
    if !is_generic_struct_name(&name) {
        return name;
    }
    let noun = action_noun(action);
    let fallback = |parent: &str| {
        if list_item {
            format!("{parent}Item")
        } else {
            format!("{parent}{name}")
        }
    };
    match place {
        StructPlace::In(parent) => fallback(parent),
        _ if noun.is_empty() => format!("{}Result", type_ident(action)),
        _ if list_item => singular(&noun),
        StructPlace::InData => fallback(&format!("{}Result", type_ident(action))),
        StructPlace::Top if holds_list => format!("{}Page", singular(&noun)),
        StructPlace::Top if action.starts_with("Get") => noun,
        StructPlace::Top => format!("{}Result", type_ident(action)),
    }
}

/// The name of a struct whose name another shape takes elsewhere in the crate, so that a name
/// means one shape: the product's struct of that name keeps it, and every other shape is named
/// after its action. A name the action gave ([`struct_ident`] for a top-level `Data` or a generic
/// list's items, `named_by_action`) becomes the action's result, or its item for the items of a
/// list: `GetTicket`'s `Ticket` → `GetTicketResult`, `ListTickets`' `Ticket` → `ListTicketsItem`;
/// any other name gets the action's name in front: `ListHistoricalAgentReport`'s `Inbound` →
/// `ListHistoricalAgentReportInbound`.
pub fn own_struct_ident(
    action: &str,
    name: &str,
    named_by_action: bool,
    list_item: bool,
) -> String {
    let action = type_ident(action);
    match (named_by_action, list_item) {
        (true, true) => format!("{action}Item"),
        (true, false) => format!("{action}Result"),
        (false, _) => format!("{action}{name}"),
    }
}

/// Whether `own` is a name [`own_struct_ident`] gives in `action` to a struct that would be named
/// `name`: `GetTicketResult`, `ListTicketsItem` or `ListHistoricalAgentReportInbound` for
/// `Inbound`. An importer keeps such a name the spec holds over the name its source gives.
pub fn is_own_struct_ident(action: &str, name: &str, own: &str) -> bool {
    [(true, true), (true, false), (false, false)]
        .iter()
        .any(|&(by_action, item)| own_struct_ident(action, name, by_action, item) == own)
}

/// An action's name without its verb, the first word: `ListUsers` → `Users`, `GetInstance` →
/// `Instance`; empty for a one-word action.
fn action_noun(action: &str) -> String {
    let snake = snake(action);
    match snake.split_once('_') {
        Some((_, rest)) => rest.to_upper_camel_case(),
        None => String::new(),
    }
}

/// The singular of a CamelCase noun, by its last word (a trailing version such as `V2` stays):
/// `Users` → `User`, `Categories` → `Category`, `Addresses` → `Address`, `RecordsV2` → `RecordV2`.
pub fn singular(noun: &str) -> String {
    let words: Vec<String> = snake(noun)
        .split('_')
        .map(ToUpperCamelCase::to_upper_camel_case)
        .collect();
    let Some(at) = words.iter().rposition(|w| !is_version(w)) else {
        return noun.to_string();
    };
    let mut words = words;
    let w = &words[at];
    let one = if let Some(stem) = w.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "shes", "ches", "xes"]
        .iter()
        .any(|e| w.ends_with(e))
    {
        w[..w.len() - 2].to_string()
    } else if w.ends_with('s') && !["ss", "us", "is"].iter().any(|e| w.ends_with(e)) {
        w[..w.len() - 1].to_string()
    } else {
        w.clone()
    };
    words[at] = one;
    words.concat()
}

/// `V2`, `V10`: a version suffix of a name.
fn is_version(word: &str) -> bool {
    word.strip_prefix('V')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// An enum variant for a wire value: `ON_SITE` → `OnSite`, `2G` → `V2g`; `Unknown` is kept for
/// values the spec does not list, so a value named that way becomes `UnknownValue`.
pub fn variant_ident(value: &str) -> String {
    let s = value.to_upper_camel_case();
    if s.is_empty() {
        // A value with no letters or digits, such as "-".
        let hex: String = value.bytes().map(|b| format!("{b:02X}")).collect();
        return format!("V{hex}");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("V{s}");
    }
    if s == "Unknown" || s == "Self" {
        return format!("{s}Value");
    }
    s
}

/// Whether a parameter or field of this wire name holds a secret, to be redacted in `Debug`:
/// passwords, secrets and tokens, but not page tokens (pagination cursors such as `NextPageToken`);
/// AccessKey ids, signatures and the signed upload policies that go with them; application and
/// unit keys of chat channels.
pub fn is_sensitive(wire: &str) -> bool {
    let lower = wire.to_ascii_lowercase();
    if lower.ends_with("pagetoken") {
        return false;
    }
    ["password", "secret", "token"]
        .iter()
        .any(|w| lower.contains(w))
        || ["accesskeyid", "signature", "appkey", "unitkey"]
            .iter()
            .any(|w| lower.ends_with(w))
        || lower == "policy"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_known_by_their_names() {
        for wire in [
            "Password",
            "AccessKeySecret",
            "SecurityToken",
            "ChatLoginToken",
            "AccessKeyId",
            "Signature",
            "Policy",
            "ChatAppKey",
            "UnitKey",
        ] {
            assert!(is_sensitive(wire), "{wire}");
        }
        for wire in [
            "NextPageToken",
            "SignedSkillGroupIdList",
            "OssFileKey",
            "PolicyName",
            "UserId",
        ] {
            assert!(!is_sensitive(wire), "{wire}");
        }
    }

    #[test]
    fn method_names_follow_one_rule() {
        assert_eq!(method_ident("ResetAgentState"), "reset_agent_state");
        assert_eq!(
            method_ident("ListCallDetailRecordsV2"),
            "list_call_detail_records_v2"
        );
        assert_eq!(method_ident("StartBack2BackCall"), "start_back2_back_call");
        assert_eq!(method_ident("SaveRTCStatsV2"), "save_rtc_stats_v2");
        assert_eq!(
            method_ident("ProcessCustomIMCallback"),
            "process_custom_im_callback"
        );
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(field_ident("Type"), "r#type");
        assert_eq!(field_stem("Type"), "type");
        assert_eq!(field_ident("Self"), "self_");
        assert_eq!(field_ident("Match"), "r#match");
        assert_eq!(field_ident("UserId"), "user_id");
        assert_eq!(field_ident("80011"), "n80011");
    }

    #[test]
    fn type_and_variant_names() {
        assert_eq!(type_ident("Data"), "Data");
        assert_eq!(type_ident("Result"), "ResultType");
        assert_eq!(type_ident("ChannelContexts"), "ChannelContexts");
        assert_eq!(variant_ident("ON_SITE"), "OnSite");
        assert_eq!(variant_ident("OFFICE_PHONE"), "OfficePhone");
        assert_eq!(variant_ident("2G"), "V2g");
        assert_eq!(variant_ident("UNKNOWN"), "UnknownValue");
        assert_eq!(variant_ident("-"), "V2D");
    }

    #[test]
    fn generic_structs_are_named_after_what_they_hold() {
        use StructPlace::{In, InData, Top};
        // A name that says something stays.
        assert_eq!(
            struct_ident("ListUsers", "UserContext", Top, false, false),
            "UserContext"
        );
        // A list page and its items.
        assert_eq!(
            struct_ident("ListUsers", "Data", Top, false, true),
            "UserPage"
        );
        assert_eq!(
            struct_ident("ListUsers", "List", InData, true, false),
            "User"
        );
        assert_eq!(
            struct_ident("ListCategories", "Data", Top, true, false),
            "Category"
        );
        assert_eq!(
            struct_ident("ImportAddresses", "Data", Top, true, false),
            "Address"
        );
        assert_eq!(
            struct_ident("ListCallDetailRecordsV2", "List", InData, true, false),
            "CallDetailRecordV2"
        );
        assert_eq!(
            struct_ident("ListCallStatus", "Data", Top, true, false),
            "CallStatus"
        );
        // A single thing, or an action's result.
        assert_eq!(
            struct_ident("GetInstance", "Data", Top, false, false),
            "Instance"
        );
        assert_eq!(
            struct_ident("ResetAgentState", "Data", Top, false, false),
            "ResetAgentStateResult"
        );
        assert_eq!(struct_ident("Ping", "Data", Top, true, false), "PingResult");
        // Deeper down, from the parent.
        assert_eq!(
            struct_ident("ListUsers", "Data", InData, false, false),
            "ListUsersResultData"
        );
        assert_eq!(
            struct_ident("ListReports", "List", In("Paged"), true, false),
            "PagedItem"
        );
        assert_eq!(
            struct_ident("ListReports", "Data", In("Paged"), false, false),
            "PagedData"
        );
        for name in GENERIC_STRUCT_NAMES {
            assert!(is_generic_struct_name(name));
        }
        assert!(!is_generic_struct_name("User"));
    }

    #[test]
    fn a_shape_that_cannot_take_its_name_is_named_after_its_action() {
        assert_eq!(
            own_struct_ident("ListHistoricalAgentReport", "Inbound", false, false),
            "ListHistoricalAgentReportInbound"
        );
        assert_eq!(
            own_struct_ident("GetTicket", "Ticket", true, false),
            "GetTicketResult"
        );
        assert_eq!(
            own_struct_ident("ListTickets", "Ticket", true, true),
            "ListTicketsItem"
        );
        assert!(is_own_struct_ident(
            "ListTickets",
            "Ticket",
            "ListTicketsItem"
        ));
        assert!(is_own_struct_ident(
            "GetTicket",
            "Ticket",
            "GetTicketResult"
        ));
        assert!(is_own_struct_ident("GetTicket", "Owner", "GetTicketOwner"));
        assert!(!is_own_struct_ident("GetTicket", "Owner", "Owner"));
        assert!(!is_own_struct_ident(
            "GetTicket",
            "Owner",
            "ListTicketsOwner"
        ));
        // A list's items named by their field keep that name after the action's.
        assert_eq!(
            own_struct_ident("ListCallDetailRecords", "Record", false, true),
            "ListCallDetailRecordsRecord"
        );
    }

    #[test]
    fn secrets_are_recognised_by_name() {
        for wire in ["Password", "AccessKeySecret", "SecurityToken", "ApiToken"] {
            assert!(is_sensitive(wire), "{wire}");
        }
        for wire in ["NextPageToken", "PageSize", "UserId", "TokenCount2"] {
            assert_eq!(is_sensitive(wire), wire == "TokenCount2", "{wire}");
        }
    }
}
