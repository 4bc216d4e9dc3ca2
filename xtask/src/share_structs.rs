//! `cargo xtask share-structs [--dry-run]`: makes the structs that are the same on the wire in
//! several actions one struct of `spec/product.json`, and reports every decision.

use std::io::Write as _;
use std::process::ExitCode;

const ABOUT: &str = "\
usage: cargo xtask share-structs [--dry-run]

Finds the structs that have one shape (wire names, types, inner structs) in two actions or more,
requests' and responses' apart, lifts each into `structs` of spec/product.json under a proposed
name (a request's with `request`) and makes every place refer to it; structs with the shape of an
existing product struct of their side refer to it. Prints each decision (names chosen among
several proposals are marked for review).";

pub(crate) fn run(args: &[String]) -> ExitCode {
    crate::dry_run_task(args, ABOUT, |dry_run| {
        let spec_dir = crate::workspace_root().join("spec");
        crate::all_or_nothing(
            ccc_import::shared_structs::share_dir(&spec_dir, dry_run),
            |report| {
                let mut out = std::io::stdout().lock();
                for d in &report.decisions {
                    let _ = writeln!(out, "{d}");
                }
                let verb = if dry_run { "would change" } else { "changed" };
                let _ = writeln!(out, "{} files {verb}", report.changed.len());
            },
        )
    })
}
