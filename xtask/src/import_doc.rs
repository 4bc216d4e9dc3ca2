//! `cargo xtask import-doc PAGE.md… | FOLDER [--with-descriptions] [--dry-run]`: brings the spec
//! files of the actions these API reference pages describe up to date.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use ccc_import::doc::{ImportOptions, expand_inputs, import_pages};

const USAGE: &str = "\
usage: cargo xtask import-doc PAGE.md... | FOLDER [--with-descriptions] [--dry-run]

Reads API reference pages (markdown) and writes or updates spec/actions/<Action>.json for each,
reporting every change and every choice made where a page leaves the nesting open, then
what that changes in the public API of ccc-sdk. A page that
cannot be read is refused with its line and reason, and then nothing is written.

options:
  --with-descriptions  keep the pages' description text
  --dry-run            report, write nothing
  -h, --help           show this help";

pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut opts = ImportOptions::default();
    let mut inputs = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--with-descriptions" => opts.with_descriptions = true,
            "--dry-run" => opts.dry_run = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with("--") => {
                eprintln!("error: unknown option `{flag}`\n\n{USAGE}");
                return ExitCode::FAILURE;
            }
            path => inputs.push(PathBuf::from(path)),
        }
    }
    if inputs.is_empty() {
        eprintln!("error: name at least one page or folder\n\n{USAGE}");
        return ExitCode::FAILURE;
    }
    let pages = match expand_inputs(&inputs) {
        Ok(pages) => pages,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let root = crate::workspace_root();
    let spec_dir = root.join("spec");
    let before = crate::api_changes::load_now(&root);
    match import_pages(&spec_dir, &pages, &opts) {
        Ok(report) => {
            // A reader that stops early (`| head`) is not an error.
            let _ = writeln!(std::io::stdout(), "{report}");
            if !opts.dry_run {
                let changes = crate::api_changes::after_import(&root, before.as_ref());
                let _ = write!(std::io::stdout(), "{changes}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: nothing was written:\n{e}");
            ExitCode::FAILURE
        }
    }
}
