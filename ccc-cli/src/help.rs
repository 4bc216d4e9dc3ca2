//! `ccc --help`: the actions by area with their summaries, written from the table without
//! building a parser for any of them; and the facts under an action's own help.

use std::fmt::Write as _;

use ccc_sdk::raw::RawPageStyleFacts;

use crate::table::{AREAS, Action, Area, find};

/// The top-level help.
pub(crate) fn top() -> String {
    let mut out = String::new();
    out.push_str(
        "ccc: the command line for Alibaba Cloud Contact Center (CCC API 2020-07-01)\n\n\
         Usage: ccc [global options] <action> [flags]\n\
         \x20      ccc <action> --help\n\
         \x20      ccc wait agent-state|call-state [flags]   (`ccc wait --help`)\n\
         \x20      ccc completions bash|zsh|fish|powershell|elvish\n\n\
         Values are checked before anything is sent. Credentials, region and endpoint come from\n\
         the flags below, else the environment (ALIBABA_CLOUD_ACCESS_KEY_ID, …, CCC_ENDPOINT,\n\
         ALIBABA_CLOUD_REGION_ID), else the `aliyun` CLI's profile, the credentials file or the\n\
         instance's RAM role.\n",
    );
    let width = AREAS
        .iter()
        .flat_map(|a| a.commands.iter())
        .map(|c| c.len())
        .max()
        .unwrap_or(0);
    for area in AREAS {
        out.push('\n');
        out.push_str(&area_lines(area, width));
    }
    out.push_str("\nGlobal options:\n");
    let args = crate::args::global_args();
    let usage: Vec<String> = args
        .iter()
        .map(|a| {
            let long = a.get_long().unwrap_or_default();
            match a.get_value_names() {
                Some([name, ..]) if a.get_action().takes_values() => format!("--{long} <{name}>"),
                _ => format!("--{long}"),
            }
        })
        .collect();
    let width = usage.iter().map(String::len).max().unwrap_or(0);
    for (a, usage) in args.iter().zip(&usage) {
        let help = a.get_help().map(ToString::to_string).unwrap_or_default();
        let _ = writeln!(out, "  {usage:<width$}  {help}");
    }
    out.push_str(
        "  -h, --help  Help; `ccc <action> --help` for an action's flags\n\n\
         Exit codes: 0 success; 2 usage, or a value refused before sending; 3 the service\n\
         answered with an error; 4 network, TLS, timeout or an unreadable answer; 5 credentials.\n\
         `ccc wait`: 4 also when the wait times out; 6 when it can no longer succeed.\n",
    );
    out
}

/// `ccc help AREA`: one area's actions.
pub(crate) fn area(area: &Area) -> String {
    let width = area.commands.iter().map(|c| c.len()).max().unwrap_or(0);
    area_lines(area, width)
}

fn area_lines(area: &Area, width: usize) -> String {
    let mut out = format!(
        "{} (`ccc help {}`): {}\n",
        area.title, area.name, area.summary
    );
    for command in area.commands {
        let summary = find(command).map_or("", |a| a.summary);
        let _ = writeln!(out, "  {command:<width$}  {summary}");
    }
    out
}

/// Under an action's flags: how it pages, whether it is safe to repeat, where its reference is.
pub(crate) fn action_facts(action: &Action) -> String {
    let mut out = String::new();
    if let Some(paging) = &action.paging {
        let size = paging
            .size
            .map(|s| {
                let default = paging
                    .default_size
                    .map(|n| format!(", {n} when not given"))
                    .unwrap_or_default();
                format!("; the page size is {}{default}", flag_of(action, s))
            })
            .unwrap_or_default();
        match paging.style {
            RawPageStyleFacts::Number { parameter, .. } => {
                let _ = writeln!(
                    out,
                    "Pages by number ({}, 1 when not given{size}); --all reads every page of {}.{}.",
                    flag_of(action, parameter),
                    paging.page,
                    paging.items
                );
            }
            RawPageStyleFacts::Token { parameter, .. } => {
                let _ = writeln!(
                    out,
                    "Pages by token ({}{size}); --all reads every page of {}.{}.",
                    flag_of(action, parameter),
                    paging.page,
                    paging.items
                );
            }
        }
    }
    out.push_str(if action.op.idempotent() {
        "Safe to repeat: retried after a timeout or a lost connection.\n"
    } else {
        "Not safe to repeat: retried only when the request provably did not reach the service.\n"
    });
    if action.deprecated {
        out.push_str("Deprecated by the service.\n");
    }
    let _ = write!(out, "API reference: {}", action.doc_url);
    out
}

fn flag_of(action: &Action, wire: &str) -> String {
    action
        .params
        .iter()
        .find(|p| p.wire == wire)
        .map_or_else(|| wire.to_owned(), |p| format!("--{}", p.flag))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_top_help_lists_every_area_and_action() {
        let help = super::top();
        for area in crate::table::AREAS {
            assert!(help.contains(area.title), "{}", area.title);
            for c in area.commands {
                assert!(help.contains(&format!("  {c} ")), "{c}");
            }
        }
        assert!(help.contains("--dry-run"));
    }
}
