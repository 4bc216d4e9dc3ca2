//! `cargo xtask codegen [--check]`: writes `ccc-sdk/src/generated/` from `spec/`, or with
//! `--check` only reports (with a diff) where the checked-in files differ from what the spec gives.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use codegen::sync;

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--root DIR]

Generates ccc-sdk/src/generated/ from spec/: writes the files whose content changed and deletes
generated files the spec no longer produces.

options:
  --check        write nothing; exit 1 with a diff if the checked-in files are not up to date
  --root DIR     the workspace to work on (default: the one this xtask belongs to)
  -h, --help     show this help";

struct Args {
    check: bool,
    root: PathBuf,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        check: false,
        root: crate::workspace_root(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => parsed.check = true,
            "--root" => match it.next() {
                Some(dir) => parsed.root = PathBuf::from(dir),
                None => return Err("`--root` needs a directory".into()),
            },
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
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
    ExitCode::SUCCESS
}
