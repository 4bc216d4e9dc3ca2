//! `cargo xtask codegen [--check]`: writes `ccc-sdk/src/generated/` and the emulator's copy of
//! the spec, `ccc-emulator/spec.json`, from `spec/`, or with
//! `--check` only reports (with a diff) where the checked-in files differ from what the spec gives.
//! After writing, it prints what the spec changed in the public API since a git revision.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::sync;

use crate::api_changes::{self, ReportArgs};

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--since REV] [--format text|markdown] [--no-report]
                           [--root DIR]

Generates ccc-sdk/src/generated/ and the `ccc` command line's table (ccc-cli/src/generated/)
from spec/, and bundles spec/ into ccc-emulator/spec.json: writes the files whose content
changed and deletes generated files the spec no longer produces. Then prints how the public API changes from the
spec at REV to spec/ now (as `cargo xtask api-changes` does).

options:
  --check            write nothing; exit 1 with a diff if the checked-in files are not up to date
  --since REV        the git revision whose spec the API report compares with (default: HEAD)
  --format FORMAT    the API report as text (default) or markdown (a changelog entry)
  --no-report        no API report
  --root DIR         the workspace to work on (default: the one this xtask belongs to)
  -h, --help         show this help";

struct Args {
    check: bool,
    root: PathBuf,
    /// The API report's options; `None` with `--no-report`.
    report: Option<ReportArgs>,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        check: false,
        root: crate::workspace_root(),
        report: Some(ReportArgs::default()),
    };
    let mut report = ReportArgs::default();
    let mut no_report = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if report.take(arg, &mut it)? {
            continue;
        }
        match arg.as_str() {
            "--no-report" => no_report = true,
            "--check" => parsed.check = true,
            "--root" => match it.next() {
                Some(dir) => parsed.root = PathBuf::from(dir),
                None => return Err("`--root` needs a directory".into()),
            },
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    parsed.report = (!no_report).then_some(report);
    Ok(Some(parsed))
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let plan = match sync::plan(&args.root) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = |started: Instant| format!("{:.2} s", started.elapsed().as_secs_f64());
    if args.check {
        if plan.is_clean() {
            println!(
                "codegen --check: up to date; {} ({})",
                plan.summary(false),
                elapsed(started)
            );
            return ExitCode::SUCCESS;
        }
        print!("{}", plan.diff());
        eprintln!(
            "codegen --check: the generated files are not what spec/ gives; {} ({})\n\
             run `cargo xtask codegen` to update them",
            plan.summary(false),
            elapsed(started)
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = plan.apply(&args.root) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    println!("codegen: {} ({})", plan.summary(true), elapsed(started));
    if let Some(report) = &args.report {
        print_report(&args.root, report);
    }
    ExitCode::SUCCESS
}

/// The API change since `report.since`; a comparison that cannot be made is said, not fatal:
/// the files are written either way.
fn print_report(root: &Path, report: &ReportArgs) {
    let changes = codegen::sync::load(&root.join(codegen::SPEC_DIR), root)
        .map_err(|e| e.to_string())
        .and_then(|new| api_changes::since(root, &report.since, &new));
    match changes {
        Ok(changes) => {
            let text = api_changes::render(root, &changes, report.format);
            // A reader that stops early (`| head`) is not an error.
            let _ = write!(
                std::io::stdout(),
                "\n{}{text}",
                api_changes::heading(&report.since, report.format)
            );
        }
        Err(e) => eprintln!("codegen: API changes not reported: {e}"),
    }
}
