//! Rules the importers apply when they first meet an action, so that every importer decides
//! the same way; what a rule decided is then kept in the spec, where a maintainer may override it.

use crate::{Action, EnumSpec, Field, Scalar, Type, naming};

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
}
