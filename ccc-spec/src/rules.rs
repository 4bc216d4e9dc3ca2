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
/// gives an enumeration keeps it.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn string(enumeration: Option<&str>) -> Type {
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: enumeration.map(str::to_string),
        }
    }

    fn field(name: &str, ty: Type, example: Option<&str>) -> Field {
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
}
