//! The types of the action table that `cargo xtask codegen` writes into `generated/actions.rs`,
//! and the lookups over it. Nothing here names an action: every fact about one is generated.

#[cfg(test)]
pub(crate) use crate::generated::GLOBAL_FLAGS;
pub(crate) use crate::generated::{ACTIONS, AREAS};
use ccc_sdk::raw::{ParamLocation, RawAction, RawPaging};

/// A group of actions in `ccc --help`.
pub(crate) struct Area {
    /// Lower-case identifier, e.g. `agents`.
    pub(crate) name: &'static str,
    /// Heading, e.g. `Agents`.
    pub(crate) title: &'static str,
    /// One sentence on what the area covers.
    pub(crate) summary: &'static str,
    /// The commands of the area's actions.
    pub(crate) commands: &'static [&'static str],
}

/// One action as a command.
pub(crate) struct Action {
    /// The command, e.g. `reset-agent-state`.
    pub(crate) command: &'static str,
    /// The wire name, method and idempotence, as the SDK's raw call takes them.
    pub(crate) op: RawAction,
    /// One English line; empty when the spec has none.
    pub(crate) summary: &'static str,
    /// More on what it does; empty when the spec has none.
    pub(crate) description: &'static str,
    pub(crate) deprecated: bool,
    /// The official API reference.
    pub(crate) doc_url: &'static str,
    /// Sorted by wire name.
    pub(crate) params: &'static [Param],
    /// How it answers page by page, if it does.
    pub(crate) paging: Option<RawPaging>,
}

/// One parameter as a flag.
pub(crate) struct Param {
    /// The flag without its dashes, e.g. `instance-id`.
    pub(crate) flag: &'static str,
    /// The wire name, e.g. `InstanceId`.
    pub(crate) wire: &'static str,
    pub(crate) shape: Shape,
    /// The service refuses a call without it.
    pub(crate) required: bool,
    /// The API reference calls it required although the service does not.
    pub(crate) reference_required: bool,
    pub(crate) location: ParamLocation,
    pub(crate) style: Style,
    /// A secret: hidden by `--dry-run`.
    pub(crate) sensitive: bool,
    pub(crate) range: Option<Range>,
    pub(crate) example: Option<&'static str>,
    /// Empty when the spec has none.
    pub(crate) description: &'static str,
}

/// How a parameter's value travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// A scalar, as text.
    Plain,
    /// A list, struct or map as one JSON text.
    Json,
    /// A list, struct or map flattened: `Name.1`, `Name.1.Sub`, `Name.Key`.
    #[allow(
        dead_code,
        reason = "no parameter of the spec has one yet; the generator writes it when one does"
    )]
    Flat,
}

/// The values an integer takes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Range {
    pub(crate) min: i64,
    pub(crate) max: i64,
    /// The service's definition states it: other values are refused before sending. Otherwise
    /// it is documentation only.
    pub(crate) enforced: bool,
}

/// The shape of a value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    String,
    /// 32-bit.
    Integer,
    /// 64-bit.
    Long,
    Boolean,
    #[allow(
        dead_code,
        reason = "no parameter of the spec has one yet; the generator writes it when one does"
    )]
    Float,
    Double,
    /// Any JSON value.
    #[allow(
        dead_code,
        reason = "no parameter of the spec has one yet; the generator writes it when one does"
    )]
    Any,
    /// A string among these values.
    Enum(&'static [&'static str]),
    List(&'static Shape),
    Struct(&'static [Field]),
    #[allow(
        dead_code,
        reason = "no parameter of the spec has one yet; the generator writes it when one does"
    )]
    Map(&'static Shape),
}

/// A field of a struct-shaped parameter.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) wire: &'static str,
    pub(crate) shape: Shape,
}

impl Shape {
    /// How help and errors name it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Shape::String => "text".into(),
            Shape::Integer => "integer".into(),
            Shape::Long => "integer (64-bit)".into(),
            Shape::Boolean => "boolean (true or false)".into(),
            Shape::Float | Shape::Double => "number".into(),
            Shape::Any => "JSON value".into(),
            Shape::Enum(_) => "one of the values listed".into(),
            Shape::List(items) => format!("list of {}", items.describe_short()),
            Shape::Struct(_) => "JSON object".into(),
            Shape::Map(_) => "JSON object (a map)".into(),
        }
    }

    fn describe_short(&self) -> String {
        match self {
            Shape::Enum(values) => format!("values among {}", values.join(", ")),
            Shape::Struct(_) => "objects".into(),
            other => other.describe(),
        }
    }
}

/// The action of a command.
pub(crate) fn find(command: &str) -> Option<&'static Action> {
    ACTIONS
        .binary_search_by(|a| a.command.cmp(command))
        .ok()
        .map(|i| &ACTIONS[i])
}

/// The commands nearest to `typo`, best first (at most three).
pub(crate) fn nearest<'a>(typo: &str, names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| (strsim::jaro_winkler(typo, n), n))
        .filter(|(score, _)| *score > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_that_lookups_find_every_action() {
        assert!(ACTIONS.windows(2).all(|w| w[0].command < w[1].command));
        for a in &ACTIONS {
            assert!(std::ptr::eq(find(a.command).unwrap(), a));
        }
        assert!(find("no-such-action").is_none());
    }

    #[test]
    fn every_command_of_an_area_exists() {
        let listed: usize = AREAS.iter().map(|a| a.commands.len()).sum();
        assert_eq!(listed, ACTIONS.len());
        for area in AREAS {
            for c in area.commands {
                assert!(find(c).is_some(), "{c} of {}", area.name);
            }
        }
    }

    #[test]
    fn a_typo_finds_the_action_meant() {
        let commands = ACTIONS.iter().map(|a| a.command);
        assert_eq!(
            nearest("reset-agent-stat", commands)[0],
            "reset-agent-state"
        );
        assert!(nearest("zzzz", ACTIONS.iter().map(|a| a.command)).is_empty());
    }
}
