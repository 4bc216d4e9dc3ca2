//! `cargo xtask import-doc PAGE.md… | FOLDER [--with-descriptions] [--dry-run]`: brings the spec
//! files of the actions these API reference pages describe up to date.

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
            flag if flag == "-h" || flag.starts_with("--") => {
                return crate::help_or_unknown(flag, USAGE);
            }
            path => inputs.push(PathBuf::from(path)),
        }
    }
    if inputs.is_empty() {
        return crate::usage_error("name at least one page or folder", USAGE);
    }
    let pages = match expand_inputs(&inputs) {
        Ok(pages) => pages,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    crate::import_into_spec(opts.dry_run, |spec_dir| {
        import_pages(spec_dir, &pages, &opts)
    })
}
