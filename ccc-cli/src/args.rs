//! The command line's own flags, and the parser of one action: built from the action's entry
//! in the table when the action is called, so that a call builds one parser, not 253.

use std::time::Duration;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::table::{Action, Param, Shape, Style};

/// The heading of the command line's own flags in an action's help.
const GLOBAL: &str = "Global options";

/// How the answer is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The response as JSON with wire names (default); JSON lines with `--all`.
    Json,
    /// The list inside a listing as rows, columns aligned.
    Table,
    /// Tab-separated values, no header: for scripts.
    Text,
}

/// The command line's own flags, each usable before or after the action.
pub(crate) fn global_args() -> Vec<Arg> {
    let value = |name: &'static str, value_name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name(value_name)
            .num_args(1)
            .help(help)
            .help_heading(GLOBAL)
    };
    let flag = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .action(ArgAction::SetTrue)
            .help(help)
            .help_heading(GLOBAL)
    };
    vec![
        value(
            "profile",
            "NAME",
            "Profile of ~/.aliyun/config.json or ~/.alibabacloud/credentials (as ALIBABA_CLOUD_PROFILE)",
        ),
        value(
            "region",
            "REGION",
            "Region id, e.g. cn-shanghai (as ALIBABA_CLOUD_REGION_ID)",
        ),
        value(
            "endpoint",
            "URL",
            "Endpoint URL, e.g. http://127.0.0.1:8080 for the emulator (as CCC_ENDPOINT)",
        ),
        value(
            "signature-version",
            "VERSION",
            "Signature scheme (default v3)",
        )
        .value_parser(PossibleValuesParser::new(["v3", "v1"])),
        value(
            "attempt-timeout",
            "DURATION",
            "Bound on one attempt, e.g. 5s or 500ms (default 30s)",
        ),
        value(
            "retries",
            "N",
            "Retries after a failed attempt (default 2; 0: none)",
        ),
        value(
            "output",
            "FORMAT",
            "How the answer is printed (default json)",
        )
        .value_parser(PossibleValuesParser::new(["json", "table", "text"])),
        value(
            "query",
            "JMESPATH",
            "JMESPath expression applied to the answer before it is printed (to each item with --all)",
        ),
        value(
            "columns",
            "NAMES",
            "Columns of --output table/text, comma-separated (dotted paths allowed)",
        ),
        flag(
            "all",
            "Read every page of a listing (JSON lines, or one table)",
        ),
        value(
            "max-items",
            "N",
            "With --all: stop after N items (implies --all)",
        ),
        value(
            "input-json",
            "JSON",
            "The parameters as one JSON object with wire names, or @file.json; flags win over it",
        ),
        flag(
            "dry-run",
            "Print the signed request (secrets and signature hidden) and send nothing",
        ),
        flag(
            "debug",
            "Print the SDK's tracing to stderr (never a secret)",
        ),
    ]
}

/// Whether the global flag `--name` takes a value (so that the word after it is not the action).
pub(crate) fn global_takes_value(name: &str) -> bool {
    matches!(
        name,
        "profile"
            | "region"
            | "endpoint"
            | "signature-version"
            | "attempt-timeout"
            | "retries"
            | "output"
            | "query"
            | "columns"
            | "max-items"
            | "input-json"
    )
}

/// The parser of one action: its parameters as flags, then the global flags.
pub(crate) fn action_command(action: &'static Action) -> Command {
    let mut cmd = Command::new(action.command)
        .bin_name(format!("ccc {}", action.command))
        .about(about(action))
        .after_help(crate::help::action_facts(action))
        .disable_version_flag(true)
        .next_line_help(false)
        .max_term_width(100);
    if !action.description.is_empty() {
        cmd = cmd.long_about(format!("{}\n\n{}", about(action), action.description));
    }
    for p in action.params {
        cmd = cmd.arg(param_arg(action, p));
    }
    cmd.args(global_args())
}

fn about(action: &Action) -> String {
    let name = action.op.name();
    let deprecated = if action.deprecated {
        " (deprecated)"
    } else {
        ""
    };
    if action.summary.is_empty() {
        format!("{name}{deprecated}")
    } else {
        format!("{name}{deprecated}: {}", action.summary)
    }
}

/// Whether the CLI fills the parameter in itself when it is not given: a listing's page number
/// and size (1, and the most the action takes), and its page token.
pub(crate) fn is_paging_param(action: &Action, p: &Param) -> bool {
    let Some(paging) = &action.paging else {
        return false;
    };
    let style = match paging.style {
        ccc_sdk::raw::RawPageStyleFacts::Number { parameter, .. }
        | ccc_sdk::raw::RawPageStyleFacts::Token { parameter, .. } => parameter,
    };
    p.wire == style || Some(p.wire) == paging.size
}

fn param_arg(action: &Action, p: &'static Param) -> Arg {
    let mut help = String::new();
    if !p.description.is_empty() {
        help.push_str(p.description);
        help.push(' ');
    }
    let mut facts = vec![p.shape.describe()];
    if p.required && !is_paging_param(action, p) {
        facts.push("required".into());
    } else if p.reference_required {
        facts.push("the reference calls it required".into());
    }
    if let Some(r) = p.range {
        facts.push(if r.enforced {
            format!("{} to {}", r.min, r.max)
        } else {
            format!("{} to {} as documented", r.min, r.max)
        });
    }
    if matches!(p.style, Style::Json | Style::Flat) {
        facts.push(match p.shape {
            Shape::List(_) => "repeat the flag, or one JSON array, or @file.json".into(),
            _ => "JSON text or @file.json".into(),
        });
    }
    if let Some(e) = p.example {
        facts.push(format!("e.g. {e}"));
    }
    help.push('[');
    help.push_str(&facts.join("; "));
    help.push(']');
    let mut arg = Arg::new(p.wire)
        .long(p.flag)
        .help(help)
        .action(ArgAction::Append)
        .value_name(value_name(&p.shape));
    arg = match p.shape {
        Shape::Enum(values) => arg
            .num_args(1)
            .value_parser(PossibleValuesParser::new(values.iter().copied())),
        Shape::Boolean => arg
            .num_args(0..=1)
            .default_missing_value("true")
            .value_parser(PossibleValuesParser::new(["true", "false"])),
        _ => arg.num_args(1),
    };
    arg
}

fn value_name(shape: &Shape) -> &'static str {
    match shape {
        Shape::String => "TEXT",
        Shape::Integer | Shape::Long => "INT",
        Shape::Boolean => "BOOL",
        Shape::Float | Shape::Double => "NUMBER",
        Shape::Enum(_) => "VALUE",
        Shape::List(items) => match items {
            Shape::Struct(_) | Shape::Map(_) | Shape::List(_) => "JSON",
            other => value_name(other),
        },
        Shape::Any | Shape::Struct(_) | Shape::Map(_) => "JSON",
    }
}

/// The global flags as given.
#[derive(Debug, Default)]
pub(crate) struct Globals {
    pub(crate) profile: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) signature_v1: bool,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) retries: Option<u32>,
    pub(crate) format: Option<Format>,
    pub(crate) query: Option<String>,
    pub(crate) columns: Option<Vec<String>>,
    pub(crate) all: bool,
    pub(crate) max_items: Option<u64>,
    pub(crate) input_json: Option<String>,
    pub(crate) dry_run: bool,
    pub(crate) debug: bool,
}

impl Globals {
    pub(crate) fn format(&self) -> Format {
        self.format.unwrap_or(Format::Json)
    }
}

/// Reads the global flags out of an action's matches; a malformed value is a usage error. A
/// flag the parser does not define (`ccc wait` takes only some of them) is not given.
pub(crate) fn globals(m: &ArgMatches) -> Result<Globals, String> {
    let text = |id: &str| m.try_get_one::<String>(id).ok().flatten().cloned();
    let flag = |id: &str| m.try_get_one::<bool>(id).ok().flatten() == Some(&true);
    let attempt_timeout = text("attempt-timeout")
        .map(|t| parse_duration(&t).map_err(|e| format!("--attempt-timeout: {e}")))
        .transpose()?;
    let retries = text("retries")
        .map(|t| {
            t.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 100)
                .ok_or_else(|| {
                    format!("--retries: expected a count from 0 to 100, e.g. 3; got {t:?}")
                })
        })
        .transpose()?;
    let max_items = text("max-items")
        .map(|t| {
            t.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    format!("--max-items: expected a positive count, e.g. 500; got {t:?}")
                })
        })
        .transpose()?;
    let format = text("output").map(|f| match f.as_str() {
        "table" => Format::Table,
        "text" => Format::Text,
        _ => Format::Json,
    });
    let columns = text("columns").map(|c| {
        c.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    Ok(Globals {
        profile: text("profile"),
        region: text("region"),
        endpoint: text("endpoint"),
        signature_v1: text("signature-version").as_deref() == Some("v1"),
        attempt_timeout,
        retries,
        format,
        query: text("query"),
        columns,
        all: flag("all") || max_items.is_some(),
        max_items,
        input_json: text("input-json"),
        dry_run: flag("dry-run"),
        debug: flag("debug"),
    })
}

/// `500ms`, `5s`, `2m`, `1.5s`, or a bare number of seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let scale = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        _ => return Err(format!("unknown unit in {text:?}; use ms, s or m, e.g. 5s")),
    };
    let seconds = number
        .trim()
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .ok_or_else(|| format!("expected a duration such as 5s or 500ms; got {text:?}"))?;
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_flags_are_those_the_generator_keeps_free() {
        let mut ours: Vec<String> = global_args()
            .iter()
            .map(|a| a.get_long().unwrap().to_owned())
            .chain(["help".to_owned(), "version".to_owned()])
            .collect();
        ours.sort();
        assert_eq!(ours, crate::table::GLOBAL_FLAGS);
        for a in global_args() {
            let long = a.get_long().unwrap();
            assert_eq!(
                global_takes_value(long),
                a.get_action().takes_values(),
                "{long}"
            );
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn every_action_parser_is_well_formed() {
        // clap checks a command's definition (duplicate flags, bad defaults) when it is built.
        for a in &crate::table::ACTIONS {
            action_command(a).debug_assert();
        }
    }
}
