//! `cargo xtask json-params [--dry-run]`: decides afresh, for every String parameter of the spec,
//! whether it carries JSON text (`ccc_spec::rules::json_text`), and rewrites the action files.
//!
//! The importers decide only for parameters new to a file; this task brings the whole spec to
//! the rule at once. It re-decides every String parameter, so a parameter that must stay String
//! whatever its example belongs in `ccc_spec::rules::PLAIN_JSON_TEXT`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use ccc_spec::{ACTIONS_DIR, PRODUCT_FILE};

const ABOUT: &str = "\
usage: cargo xtask json-params [--dry-run]

Gives every String parameter of spec/actions/ whose example is JSON text the JSON shape the
example shows (List, Struct in json style), and reports each decision, including the parameters
left String and why. The spec as it would be is loaded and checked before anything is written.";

pub(crate) fn run(args: &[String]) -> ExitCode {
    crate::dry_run_task(args, ABOUT, |dry_run| {
        crate::all_or_nothing(apply(dry_run), |report| {
            // A reader that stops early (`| head`) is not an error.
            let _ = write!(std::io::stdout(), "{report}");
        })
    })
}

fn apply(dry_run: bool) -> Result<String, String> {
    let spec_dir = crate::workspace_root().join("spec");
    let product_path = spec_dir.join(PRODUCT_FILE);
    let product_text = std::fs::read_to_string(&product_path)
        .map_err(|e| format!("{}: {e}", product_path.display()))?;
    let product = ccc_spec::parse_product(&product_path, &product_text).map_err(show)?;
    let actions_dir = spec_dir.join(ACTIONS_DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&actions_dir)
        .map_err(|e| format!("{}: {e}", actions_dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut report = String::new();
    let mut sources = Vec::new();
    let mut changed = Vec::new();
    let (mut json, mut plain) = (0, 0);
    for path in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut action = ccc_spec::parse_action(&path, &text).map_err(show)?;
        for line in ccc_import::json_params::apply(&mut action, None) {
            if line.contains(": stays String") {
                plain += 1;
            } else {
                json += 1;
            }
            report.push_str(&line);
            report.push('\n');
        }
        let new_text = ccc_spec::action_to_json(&action);
        if new_text != text {
            changed.push((path.clone(), new_text.clone()));
        }
        sources.push((path, new_text));
    }
    let mut errors = Vec::new();
    ccc_spec::load_sources(Some(product), &sources, &mut errors);
    if !errors.is_empty() {
        return Err(show(errors));
    }
    report.push_str(&format!(
        "{json} parameters carry JSON text, {plain} stay String; {} files {}\n",
        changed.len(),
        if dry_run { "would change" } else { "changed" }
    ));
    if !dry_run {
        for (path, text) in &changed {
            std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(report)
}

fn show(errors: Vec<ccc_spec::SpecError>) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
