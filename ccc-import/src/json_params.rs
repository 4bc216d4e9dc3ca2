//! The pass both importers run over an action once it is merged with its spec file: String
//! parameters whose examples are JSON text become List, Struct or Map parameters in `json` style
//! ([`ccc_spec::rules::json_text`]), so that the SDK takes typed values.
//!
//! The rule decides once, for a parameter the spec file does not have yet; from then on the file
//! is the truth, as it is for `idempotent`. A parameter the file keeps as String stays String
//! (that is how a maintainer overrides the rule), and one the file gives a JSON shape keeps it
//! even though every source still calls it String.

use ccc_spec::rules::{JsonText, describe_type, json_text};
use ccc_spec::{Action, Scalar, Style, Type};

/// Applies the rule to the parameters of `action` that `existing` (its spec file, if there is
/// one) does not have, and puts back the JSON shape of those it has. Returns one line per
/// decision, for the importer's report: `SignInGroup SignedSkillGroupIdList: JSON text, List of
/// String from the example`.
pub fn apply(action: &mut Action, existing: Option<&Action>) -> Vec<String> {
    let mut report = Vec::new();
    for p in &mut action.parameters {
        let line = |what: String| format!("{} {}: {what}", action.name, p.name);
        let before = existing.and_then(|e| e.parameters.iter().find(|o| o.name == p.name));
        if let Some(old) = before {
            if old.style == Some(Style::Json) && is_plain_string(&p.ty) {
                p.ty = old.ty.clone();
                p.style = old.style;
                report.push(line(format!(
                    "JSON text, {} as the spec has it (the source says String)",
                    describe_type(&p.ty)
                )));
            }
            continue;
        }
        match json_text(&action.name, p) {
            JsonText::NotJson => {}
            JsonText::Shape { ty, how } => {
                p.ty = ty;
                p.style = Some(Style::Json);
                report.push(line(format!("JSON text, {how}")));
            }
            JsonText::Plain { why } => report.push(line(format!("stays String: {why}"))),
        }
    }
    report
}

fn is_plain_string(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Scalar {
            scalar: Scalar::String,
            enumeration: None
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn action(parameters: &str) -> Action {
        ccc_spec::parse_action(
            Path::new("actions/Demo.json"),
            &format!(
                r#"{{"action": "Demo", "method": "POST", "idempotent": false,
                    "parameters": [{parameters}], "response": [], "errors": []}}"#
            ),
        )
        .unwrap()
    }

    const IDS_STRING: &str =
        r#"{"name": "Ids", "type": "String", "in": "query", "example": "[\"a\",\"b\"]"}"#;
    const IDS_JSON: &str = r#"{"name": "Ids", "type": "List", "items": {"type": "String"},
        "in": "query", "style": "json", "example": "[\"a\",\"b\"]"}"#;

    #[test]
    fn a_new_parameter_is_decided_by_the_rule() {
        let mut a = action(&format!(
            r#"{IDS_STRING}, {{"name": "Doc", "type": "String", "in": "body", "example": "{{}}"}},
               {{"name": "Name", "type": "String", "in": "query", "example": "tom"}}"#
        ));
        let report = apply(&mut a, None);
        assert_eq!(
            report,
            [
                "Demo Ids: JSON text, List of String from the example",
                "Demo Doc: stays String: the example's shape is unknown: an empty object at the top"
            ]
        );
        assert_eq!(
            a.parameters,
            action(&format!(
                r#"{IDS_JSON}, {{"name": "Doc", "type": "String", "in": "body", "example": "{{}}"}},
               {{"name": "Name", "type": "String", "in": "query", "example": "tom"}}"#
            ))
            .parameters
        );
    }

    #[test]
    fn the_spec_file_keeps_its_decision() {
        // The file gave it a JSON shape; the source still says String: the shape stays.
        let existing = action(IDS_JSON);
        let mut a = action(IDS_STRING);
        let report = apply(&mut a, Some(&existing));
        assert_eq!(a.parameters, existing.parameters);
        assert_eq!(
            report,
            ["Demo Ids: JSON text, List of String as the spec has it (the source says String)"]
        );
        // The file keeps it String (an override): it stays String, silently.
        let existing = action(IDS_STRING);
        let mut a = action(IDS_STRING);
        assert!(apply(&mut a, Some(&existing)).is_empty());
        assert_eq!(a.parameters, existing.parameters);
    }
}
