//! `cargo xtask import-tea PATH/main.tea [--api-info PATH] [--dry-run]`: brings the spec up to
//! date with Alibaba's Darabonba definition of the whole API.

use std::path::PathBuf;
use std::process::ExitCode;

use ccc_import::darabonba::{ImportOptions, import};

const USAGE: &str = "\
usage: cargo xtask import-tea PATH/main.tea [--api-info PATH] [--dry-run]

Writes or updates spec/actions/<Action>.json for every action of the definition: parameters
(wire name, type, location, required flag, style, example), the response tree, deprecation.
Required flags are the definition's. Facts a reference page gave (error tables,
enumerations, a page's word that a parameter is required: referenceRequired) are kept; every
difference is reported, then what the import changes in the public API of ccc-sdk.
api-info.json beside main.tea is read unless --api-info names another.

options:
  --api-info PATH  the product facts (endpoints, deprecated actions)
  --dry-run        report, write nothing
  -h, --help       show this help";

pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut opts = ImportOptions::default();
    let mut tea = None;
    let mut api_info = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--api-info" => match it.next() {
                Some(p) => api_info = Some(PathBuf::from(p)),
                None => {
                    return crate::usage_error("`--api-info` needs a path", USAGE);
                }
            },
            "--dry-run" => opts.dry_run = true,
            flag if flag == "-h" || flag.starts_with("--") => {
                return crate::help_or_unknown(flag, USAGE);
            }
            path if tea.is_none() => tea = Some(PathBuf::from(path)),
            extra => {
                return crate::usage_error(
                    &format!("one main.tea only (also got `{extra}`)"),
                    USAGE,
                );
            }
        }
    }
    let Some(tea) = tea else {
        return crate::usage_error("name the main.tea file", USAGE);
    };
    crate::import_into_spec(opts.dry_run, |spec_dir| {
        import(spec_dir, &tea, api_info.as_deref(), &opts)
    })
}
