//! `cargo xtask share-structs [--dry-run]`: makes the response structs that are the same on the
//! wire in several actions one struct of `spec/product.json`, and reports every decision.

use std::io::Write as _;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask share-structs [--dry-run]

Finds the response structs that have one shape (wire names, types, inner structs) in two actions
or more, lifts each into `structs` of spec/product.json under a proposed name and makes every
place refer to it; structs with the shape of an existing product struct refer to it. Prints each
decision (names chosen among several proposals are marked for review).

options:
  --dry-run   report, write nothing
  -h, --help  show this help";

pub(crate) fn run(args: &[String]) -> ExitCode {
    let dry_run = match crate::dry_run_only(args, USAGE) {
        Ok(dry_run) => dry_run,
        Err(code) => return code,
    };
    let spec_dir = crate::workspace_root().join("spec");
    match ccc_import::shared_structs::share_dir(&spec_dir, dry_run) {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            for d in &report.decisions {
                let _ = writeln!(out, "{d}");
            }
            let verb = if dry_run { "would change" } else { "changed" };
            let _ = writeln!(out, "{} files {verb}", report.changed.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: nothing was written:\n{e}");
            ExitCode::FAILURE
        }
    }
}
