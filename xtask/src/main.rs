//! `cargo xtask <task>`: project chores that need more than cargo.
//!
//! Each task lives in its own module with a `run(args) -> ExitCode`; `main` only dispatches.

mod api_changes;
mod changelog;
mod codegen;
mod import_doc;
mod import_tea;
mod json_params;
mod share_structs;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  api-changes    the public API change from the spec at a git revision to spec/ now (`api-changes --help`)
  changelog      fill CHANGELOG.md's Unreleased section from the API changes since the last release
  codegen        generate ccc-sdk/src/generated/ from spec/ (`codegen --help` for options)
  import-doc     update spec/ from API reference pages (`import-doc --help`)
  import-tea     update spec/ from the Darabonba definition main.tea (`import-tea --help`)
  json-params    give String parameters whose examples are JSON their shape (`json-params --help`)
  share-structs  make structs the same in several actions one product struct (`share-structs --help`)

options:
  -h, --help     show this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    match task.as_str() {
        "api-changes" => api_changes::run(rest),
        "changelog" => changelog::run(rest),
        "codegen" => codegen::run(rest),
        "import-doc" => import_doc::run(rest),
        "import-tea" => import_tea::run(rest),
        "json-params" => json_params::run(rest),
        "share-structs" => share_structs::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("error: unknown task `{other}`\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

/// The arguments of a task whose only option is `--dry-run`: `Ok(dry_run)`, or the exit code after
/// printing the help (asked for, or after an unknown argument).
fn dry_run_only(args: &[String], usage: &str) -> Result<bool, ExitCode> {
    let mut dry_run = false;
    for arg in args {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "-h" | "--help" => {
                println!("{usage}");
                return Err(ExitCode::SUCCESS);
            }
            other => {
                eprintln!("error: unknown argument `{other}`\n\n{usage}");
                return Err(ExitCode::FAILURE);
            }
        }
    }
    Ok(dry_run)
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
