//! `cargo xtask changelog [--since REV] [--check]`: writes the "Unreleased" section of
//! `CHANGELOG.md` from the API changes since the last release.
//!
//! The last release is the newest `vX.Y.Z` tag that HEAD contains; before the first tag, the
//! commit the changelog names as its baseline (`<!-- api-baseline: REV -->`, in the entry of
//! the first release). Everything between `## Unreleased` and the next `## ` heading is the
//! command's; the rest of the file is written by hand.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::api_changes::{self, Format};

const USAGE: &str = "\
usage: cargo xtask changelog [--since REV] [--check] [--root DIR]

Fills the \"Unreleased\" section of CHANGELOG.md with the public API changes of ccc-sdk (as a
markdown changelog entry) from the spec of the last release to the spec in the work tree. The
last release is the newest tag vX.Y.Z that HEAD contains, or before any tag the commit named
by `<!-- api-baseline: REV -->` in CHANGELOG.md.

options:
  --since REV    compare with this revision instead
  --check        write nothing; exit 1 if the section is not what the spec gives
  --root DIR     the workspace to work on (default: the one this xtask belongs to)
  -h, --help     show this help";

/// The changelog, relative to the workspace root.
pub(crate) const CHANGELOG: &str = "CHANGELOG.md";
const UNRELEASED: &str = "## Unreleased";
const BASELINE: &str = "<!-- api-baseline:";

pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut since = None;
    let mut check = false;
    let mut root = crate::workspace_root();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--since" => match it.next() {
                Some(rev) => since = Some(rev.clone()),
                None => return crate::usage_error("`--since` needs a git revision", USAGE),
            },
            "--check" => check = true,
            "--root" => match it.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => return crate::usage_error("`--root` needs a directory", USAGE),
            },
            other => return crate::help_or_unknown(other, USAGE),
        }
    }
    match update(&root, since.as_deref(), check) {
        Ok(Outcome::Unchanged(rev)) => {
            println!("changelog: the Unreleased section is up to date (API changes since {rev})");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Written(rev)) => {
            println!("changelog: wrote the Unreleased section (API changes since {rev})");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Stale(rev)) => {
            eprintln!(
                "changelog --check: the Unreleased section is not the API changes since {rev}; \
                 run `cargo xtask changelog`"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What [`update`] did, with the revision compared with.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Unchanged(String),
    Written(String),
    /// With `check`: the section differs.
    Stale(String),
}

/// Rewrites the Unreleased section of `root/CHANGELOG.md` (or with `check` only compares).
pub(crate) fn update(root: &Path, since: Option<&str>, check: bool) -> Result<Outcome, String> {
    let path = root.join(CHANGELOG);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let rev = match since {
        Some(rev) => rev.to_string(),
        None => last_release(root, &text)?,
    };
    let new =
        codegen::sync::load(&root.join(codegen::SPEC_DIR), root).map_err(|e| e.to_string())?;
    let changes = api_changes::since(root, &rev, &new)?;
    let entry = api_changes::render(root, &changes, Format::Markdown);
    let updated = with_unreleased(&text, &rev, &entry)?;
    if updated == text {
        return Ok(Outcome::Unchanged(rev));
    }
    if check {
        return Ok(Outcome::Stale(rev));
    }
    std::fs::write(&path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Outcome::Written(rev))
}

/// The newest `vX.Y.Z` tag HEAD contains, else the baseline the changelog names.
fn last_release(root: &Path, changelog: &str) -> Result<String, String> {
    let tags = api_changes::git(root, &["tag", "--list", "v[0-9]*", "--merged", "HEAD"])?;
    let newest = String::from_utf8_lossy(&tags)
        .lines()
        .filter_map(|t| Some((parse_tag(t)?, t.to_string())))
        .max();
    if let Some((_, tag)) = newest {
        return Ok(tag);
    }
    baseline(changelog).ok_or_else(|| {
        format!(
            "no release tag (vX.Y.Z) and no `{BASELINE} REV -->` in {CHANGELOG}: say which \
             revision to compare with (--since REV)"
        )
    })
}

/// `v1.2.3` → `[1, 2, 3]`.
fn parse_tag(tag: &str) -> Option<[u64; 3]> {
    let mut parts = tag.strip_prefix('v')?.split('.').map(|p| p.parse().ok());
    let v = [parts.next()??, parts.next()??, parts.next()??];
    parts.next().is_none().then_some(v)
}

/// The revision of `<!-- api-baseline: REV -->`.
fn baseline(changelog: &str) -> Option<String> {
    let start = changelog.find(BASELINE)? + BASELINE.len();
    let rest = &changelog[start..];
    let rev = rest[..rest.find("-->")?].trim();
    (!rev.is_empty()).then(|| rev.to_string())
}

/// The changelog with its Unreleased section holding `entry`.
fn with_unreleased(changelog: &str, rev: &str, entry: &str) -> Result<String, String> {
    let start = changelog
        .lines()
        .scan(0, |at, line| {
            let here = *at;
            *at += line.len() + 1;
            Some((here, line))
        })
        .find(|(_, line)| line.trim_end() == UNRELEASED)
        .map(|(at, line)| at + line.len() + 1)
        .ok_or_else(|| format!("{CHANGELOG} has no `{UNRELEASED}` heading"))?;
    let start = start.min(changelog.len());
    let end = changelog[start..]
        .match_indices("\n## ")
        .next()
        .map_or(changelog.len(), |(i, _)| start + i + 1);
    // Notes written by hand (the runtime's changes, which the spec does not show) come first and
    // end with `HAND_WRITTEN_END`; they are kept as they are.
    let kept = changelog[start..end]
        .find(HAND_WRITTEN_END)
        .map_or(0, |i| i + HAND_WRITTEN_END.len());
    let kept = match &changelog[start..start + kept] {
        "" => String::new(),
        notes => format!("{notes}\n"),
    };
    let section = format!(
        "{kept}\n<!-- Written by `cargo xtask changelog` from the API changes since {rev}; edits \
         here are overwritten. -->\n\n{entry}\n"
    );
    Ok(format!(
        "{}{section}{}",
        &changelog[..start],
        &changelog[end..]
    ))
}

/// Ends the hand-written notes at the top of the Unreleased section.
const HAND_WRITTEN_END: &str = "<!-- End of the notes written by hand. -->";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unreleased_section_is_replaced_and_nothing_else() {
        let text = "# Changelog\n\n## Unreleased\n\nold text\n\n## 0.1.0\n\n<!-- api-baseline: abc123 -->\nkept\n";
        let out = with_unreleased(text, "abc123", "### Additions\n\n- new\n").unwrap();
        assert_eq!(
            out,
            "# Changelog\n\n## Unreleased\n\n<!-- Written by `cargo xtask changelog` from the API \
             changes since abc123; edits here are overwritten. -->\n\n### Additions\n\n- new\n\n\
             ## 0.1.0\n\n<!-- api-baseline: abc123 -->\nkept\n"
        );
        // Idempotent: writing the same entry again changes nothing.
        assert_eq!(
            with_unreleased(&out, "abc123", "### Additions\n\n- new\n").unwrap(),
            out
        );
        assert_eq!(baseline(text).as_deref(), Some("abc123"));
        assert!(with_unreleased("# Changelog\n", "x", "y").is_err());
        // Notes written by hand before the marker are kept; the generated part is replaced.
        let hand =
            format!("## Unreleased\n\n### Runtime\n\n- waiters\n\n{HAND_WRITTEN_END}\nold\n");
        let out = with_unreleased(&hand, "r", "e\n").unwrap();
        assert!(
            out.starts_with(&format!(
                "## Unreleased\n\n### Runtime\n\n- waiters\n\n{HAND_WRITTEN_END}\n\n<!-- Written"
            )),
            "{out}"
        );
        assert!(out.ends_with("e\n\n") && !out.contains("old"), "{out}");
        assert_eq!(with_unreleased(&out, "r", "e\n").unwrap(), out);
        // A last section runs to the end of the file.
        let last = with_unreleased("## Unreleased\nold\n", "r", "e\n").unwrap();
        assert!(last.ends_with("e\n\n") && !last.contains("old"), "{last}");
    }

    #[test]
    fn release_tags_are_compared_as_versions() {
        assert_eq!(parse_tag("v0.10.0"), Some([0, 10, 0]));
        assert!(parse_tag("v0.10.0") > parse_tag("v0.9.3"));
        assert_eq!(parse_tag("v1.0"), None);
        assert_eq!(parse_tag("release-1"), None);
    }
}
