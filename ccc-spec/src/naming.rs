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
/// passwords, secrets and tokens, but not page tokens (pagination cursors such as `NextPageToken`).
pub fn is_sensitive(wire: &str) -> bool {
    let lower = wire.to_ascii_lowercase();
    if lower.ends_with("pagetoken") {
        return false;
    }
    ["password", "secret", "token"]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn secrets_are_recognised_by_name() {
        for wire in ["Password", "AccessKeySecret", "SecurityToken", "ApiToken"] {
            assert!(is_sensitive(wire), "{wire}");
        }
        for wire in ["NextPageToken", "PageSize", "UserId", "TokenCount2"] {
            assert_eq!(is_sensitive(wire), wire == "TokenCount2", "{wire}");
        }
    }
}
