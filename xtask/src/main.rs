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

use std::fmt::Display;
use std::io::Write as _;
use std::path::{Path, PathBuf};
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

/// The options section of the usage of a task whose only option is `--dry-run`.
const DRY_RUN_OPTIONS: &str = "\
options:
  --dry-run   report, write nothing
  -h, --help  show this help";

/// Runs a task whose only option is `--dry-run` (`about`: its usage line and what it does), or
/// prints its usage when asked for it or given an argument it does not take.
fn dry_run_task(args: &[String], about: &str, task: impl FnOnce(bool) -> ExitCode) -> ExitCode {
    let usage = format!("{about}\n\n{DRY_RUN_OPTIONS}");
    let mut dry_run = false;
    for arg in args {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            other => return help_or_unknown(other, &usage),
        }
    }
    task(dry_run)
}

/// The exit of a task at an argument its own options do not take: its usage after `-h` or
/// `--help`, else an error naming the argument.
fn help_or_unknown(arg: &str, usage: &str) -> ExitCode {
    if arg == "-h" || arg == "--help" {
        println!("{usage}");
        ExitCode::SUCCESS
    } else {
        usage_error(&format!("unknown argument `{arg}`"), usage)
    }
}

/// Tells `error: <message>` and the task's usage: the exit of a call whose words are off.
fn usage_error(message: &str, usage: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{usage}");
    ExitCode::FAILURE
}

/// The exit of a task that writes all or nothing: `report` prints what it did, or the error is
/// told with the assurance that nothing was written.
fn all_or_nothing<R, E: Display>(outcome: Result<R, E>, report: impl FnOnce(R)) -> ExitCode {
    match outcome {
        Ok(done) => {
            report(done);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: nothing was written:\n{e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs an importer on `spec/` (all or nothing), prints its report and, when it wrote, how the
/// public API changed.
fn import_into_spec<R: Display, E: Display>(
    dry_run: bool,
    import: impl FnOnce(&Path) -> Result<R, E>,
) -> ExitCode {
    let root = workspace_root();
    let before = api_changes::load_now(&root);
    all_or_nothing(import(&root.join("spec")), |report| {
        // A reader that stops early (`| head`) is not an error.
        let _ = writeln!(std::io::stdout(), "{report}");
        if !dry_run {
            let changes = api_changes::after_import(&root, before.as_ref());
            let _ = write!(std::io::stdout(), "{changes}");
        }
    })
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
