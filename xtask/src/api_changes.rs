//! `cargo xtask api-changes [--since REV] [--format text|markdown]`: the public API change of
//! `ccc-sdk` from the spec at a git revision to the spec in the work tree.
//!
//! The comparison itself is `codegen::api_changes`; this module finds the spec of a revision
//! (its `spec/` files read with `git ls-tree` and `git cat-file` into a temporary directory,
//! then loaded like the work tree's), and prints the report. `codegen` and the importers print
//! the same report after they run.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use ccc_spec::Spec;
use codegen::api_changes::{self, ApiChanges};

const USAGE: &str = "\
usage: cargo xtask api-changes [--since REV] [--format text|markdown] [--root DIR]

Prints how the public API of ccc-sdk changes from the spec at git revision REV (default HEAD)
to the spec in the work tree: by action, each change marked breaking, additive or compatible,
then the release it calls for after the version in Cargo.toml.

options:
  --since REV        the revision to compare with (default: HEAD)
  --format FORMAT    text (default) or markdown (a changelog entry)
  --root DIR         the workspace to work on (default: the one this xtask belongs to)
  -h, --help         show this help";

/// How to print a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Markdown,
}

impl Format {
    pub(crate) fn parse(s: &str) -> Result<Format, String> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!("unknown format `{other}` (text or markdown)")),
        }
    }
}

/// The options every task that reports API changes takes: `--since REV`, `--format F`.
#[derive(Clone, Debug)]
pub(crate) struct ReportArgs {
    pub(crate) since: String,
    pub(crate) format: Format,
}

impl Default for ReportArgs {
    fn default() -> Self {
        ReportArgs {
            since: "HEAD".into(),
            format: Format::Text,
        }
    }
}

impl ReportArgs {
    /// Takes `arg` (and its value from `rest`) if it is one of these options.
    pub(crate) fn take<'a>(
        &mut self,
        arg: &str,
        rest: &mut impl Iterator<Item = &'a String>,
    ) -> Result<bool, String> {
        match arg {
            "--since" => match rest.next() {
                Some(rev) => self.since = rev.clone(),
                None => return Err("`--since` needs a git revision".into()),
            },
            "--format" => match rest.next() {
                Some(f) => self.format = Format::parse(f)?,
                None => return Err("`--format` needs text or markdown".into()),
            },
            _ => return Ok(false),
        }
        Ok(true)
    }
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut report = ReportArgs::default();
    let mut root = crate::workspace_root();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let taken = match report.take(arg, &mut it) {
            Ok(taken) => taken,
            Err(message) => return crate::usage_error(&message, USAGE),
        };
        if taken {
            continue;
        }
        match arg.as_str() {
            "--root" => match it.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => return crate::usage_error("`--root` needs a directory", USAGE),
            },
            other => return crate::help_or_unknown(other, USAGE),
        }
    }
    let new = match codegen::sync::load(&root.join(codegen::SPEC_DIR), &root) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("error: the spec in the work tree does not load:\n{e}");
            return ExitCode::FAILURE;
        }
    };
    match since(&root, &report.since, &new) {
        Ok(changes) => {
            let text = render(&root, &changes, report.format);
            let _ = write!(
                std::io::stdout(),
                "{}{text}",
                heading(&report.since, report.format)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The line above a report.
pub(crate) fn heading(since: &str, format: Format) -> String {
    match format {
        Format::Text => {
            format!("API changes of ccc-sdk since {since} (spec/ at {since} → spec/ now):\n\n")
        }
        Format::Markdown => String::new(),
    }
}

/// The changes from the spec at `rev` to `new`.
pub(crate) fn since(root: &Path, rev: &str, new: &Spec) -> Result<ApiChanges, String> {
    let old = spec_at(root, rev)?;
    api_changes::compare(&old, new).map_err(|e| format!("comparing with {rev}: {e}"))
}

/// The report in `format`, its verdict against the workspace's version.
pub(crate) fn render(root: &Path, changes: &ApiChanges, format: Format) -> String {
    let version = workspace_version(root).unwrap_or_else(|| "0.0.0".into());
    match format {
        Format::Text => changes.text(&version),
        Format::Markdown => changes.markdown(&version),
    }
}

/// `version` of `[workspace.package]` in the root Cargo.toml: the version of every crate.
pub(crate) fn workspace_version(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
        } else if in_section
            && let Some(value) = line.strip_prefix("version")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            return Some(value.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// Runs git in `root`; its standard output, or an error with what git said.
pub(crate) fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The spec as it is at git revision `rev` of the repository at `root`.
pub(crate) fn spec_at(root: &Path, rev: &str) -> Result<Spec, String> {
    let commit = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("`{rev}` is not a commit of {}", root.display()))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    // Run in `root`, `ls-tree` takes and shows paths relative to it, wherever the top is.
    let spec_path = format!("{}/", codegen::SPEC_DIR);
    let listing = git(root, &["ls-tree", "-r", "-z", &commit, "--", &spec_path])?;
    let mut blobs = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        // `<mode> <type> <object>\t<path>`
        let Some((meta, path)) = entry.split_once('\t') else {
            return Err(format!("unexpected `git ls-tree` line: {entry}"));
        };
        let mut meta = meta.split(' ');
        let (Some(_), Some("blob"), Some(object)) = (meta.next(), meta.next(), meta.next()) else {
            continue;
        };
        let Some(rel) = path.strip_prefix(&spec_path) else {
            continue;
        };
        blobs.push((object.to_string(), rel.to_string()));
    }
    if blobs.is_empty() {
        return Err(format!("{rev} has no {spec_path}"));
    }
    let dir = TempDir(std::env::temp_dir().join(format!(
        "ccc-spec-{}-{}-{}",
        &commit[..commit.len().min(12)],
        std::process::id(),
        unique()
    )));
    let spec_dir = dir.0.join(codegen::SPEC_DIR);
    write_blobs(root, &blobs, &spec_dir)?;
    codegen::sync::load(&spec_dir, &dir.0)
        .map_err(|e| format!("the spec at {rev} does not load:\n{e}"))
}

/// A number no other call of this process has had.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Writes each blob (`object`, path relative to `dir`) into `dir`, read in one `git cat-file`.
fn write_blobs(root: &Path, blobs: &[(String, String)], dir: &Path) -> Result<(), String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
    let request: String = blobs
        .iter()
        .map(|(object, _)| format!("{object}\n"))
        .collect();
    // Written from a thread, so that neither side waits on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = Vec::new();
    let read = child
        .stdout
        .take()
        .ok_or("git cat-file has no output")?
        .read_to_end(&mut out);
    let written = writer
        .join()
        .map_err(|_| "writing to git cat-file panicked")?;
    let status = child.wait().map_err(|e| format!("git cat-file: {e}"))?;
    read.map_err(|e| format!("reading git cat-file: {e}"))?;
    written.map_err(|e| format!("writing to git cat-file: {e}"))?;
    if !status.success() {
        return Err("git cat-file failed".into());
    }
    let mut rest = out.as_slice();
    for (object, rel) in blobs {
        let header_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("git cat-file: truncated output")?;
        let header = String::from_utf8_lossy(&rest[..header_end]).to_string();
        let size: usize = match header.split(' ').collect::<Vec<_>>().as_slice() {
            [o, "blob", size] if o == object => size
                .parse()
                .map_err(|_| format!("git cat-file: bad header `{header}`"))?,
            _ => return Err(format!("git cat-file: unexpected `{header}` for {object}")),
        };
        let body_end = header_end + 1 + size;
        let body = rest
            .get(header_end + 1..body_end)
            .ok_or("git cat-file: truncated output")?;
        rest = rest.get(body_end + 1..).unwrap_or_default();
        if Path::new(rel)
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(format!("unexpected path in spec/: {rel}"));
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// What an importer changed in the API: the spec before it ran (if it loaded) against the spec
/// after. Printed after the importer's own report; a spec that does not load is said, not fatal.
pub(crate) fn after_import(root: &Path, before: Option<&Spec>) -> String {
    let Some(before) = before else {
        return "API changes: not compared (the spec did not load before the import)\n".into();
    };
    let after = match codegen::sync::load(&root.join(codegen::SPEC_DIR), root) {
        Ok(spec) => spec,
        Err(e) => return format!("API changes: not compared (the spec does not load now):\n{e}\n"),
    };
    match api_changes::compare(before, &after) {
        Ok(changes) => format!(
            "\nAPI changes of ccc-sdk made by this import:\n\n{}",
            render(root, &changes, Format::Text)
        ),
        Err(e) => format!("API changes: not compared: {e}\n"),
    }
}

/// The spec of the work tree, if it loads: taken before an import, for [`after_import`].
pub(crate) fn load_now(root: &Path) -> Option<Spec> {
    codegen::sync::load(&root.join(codegen::SPEC_DIR), root).ok()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use codegen::api_changes::{Class, Kind, compare};

    use super::*;

    /// A fresh directory under the system's temporary directory, removed when dropped.
    fn scratch(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("xtask-{name}-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy_dir(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }

    fn workspace() -> PathBuf {
        crate::workspace_root()
    }

    fn git_in(dir: &Path, args: &[&str]) {
        let mut all = vec!["-c", "user.name=t", "-c", "user.email=t@example.test"];
        all.extend(args);
        git(dir, &all).unwrap();
    }

    #[test]
    fn the_spec_of_a_revision_is_read_from_git_even_below_the_repository_top() {
        let repo = scratch("git");
        let ws = repo.0.join("sub/ws");
        copy_dir(
            &workspace().join("codegen/tests/fixtures/zoo"),
            &ws.join("spec"),
        );
        git_in(&repo.0, &["init", "--quiet"]);
        git_in(&repo.0, &["add", "."]);
        git_in(&repo.0, &["commit", "--quiet", "-m", "zoo"]);
        let file = ws.join("spec/actions/ListThings.json");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            text.replace("\"idempotent\": true", "\"idempotent\": false"),
        )
        .unwrap();

        let now = codegen::sync::load(&ws.join("spec"), &ws).unwrap();
        let changes = since(&ws, "HEAD", &now).unwrap();
        let kinds: Vec<_> = changes.changes.iter().map(|c| (c.kind, c.class)).collect();
        assert_eq!(kinds, [(Kind::IdempotenceChanged, Class::Compatible)]);

        let e = since(&ws, "no-such-rev", &now).err().unwrap();
        assert!(e.contains("`no-such-rev` is not a commit"), "{e}");
        // The temporary copy is gone.
        let leftovers = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name().to_string_lossy().starts_with("ccc-spec-")
                    && e.file_name()
                        .to_string_lossy()
                        .contains(&format!("-{}-", std::process::id()))
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    /// The public ResetAgentState page, kept in ccc-import's fixtures.
    fn page() -> String {
        std::fs::read_to_string(workspace().join("ccc-import/tests/fixtures/ResetAgentState.md"))
            .unwrap()
    }

    /// The API change of importing `edited` over the spec that importing the page as it is
    /// gives, on a copy of the workspace's spec.
    fn import_change(edited: &str) -> codegen::api_changes::ApiChanges {
        let dir = scratch("import");
        copy_dir(&workspace().join("spec"), &dir.0.join("spec"));
        let spec_dir = dir.0.join("spec");
        let import = |text: &str| {
            let page = dir.0.join("ResetAgentState.md");
            std::fs::write(&page, text).unwrap();
            let opts = ccc_import::doc::ImportOptions::default();
            ccc_import::doc::import_pages(&spec_dir, &[page], &opts).unwrap();
            codegen::sync::load(&spec_dir, &dir.0).unwrap()
        };
        let before = import(&page());
        let after = import(edited);
        compare(&before, &after).unwrap()
    }

    #[test]
    fn a_field_the_page_adds_is_the_one_change_reported() {
        let edited = page()
            .replace(
                "|WorkMode|String|ON\\_SITE|工作模式。 |\n",
                "|WorkMode|String|ON\\_SITE|工作模式。 |\n|Skill|String|sales|技能。 |\n",
            )
            .replace(
                "\t\t\"WorkMode\": \"ON_SITE\"\n",
                "\t\t\"WorkMode\": \"ON_SITE\",\n\t\t\"Skill\": \"sales\"\n",
            )
            .replace(
                "    <WorkMode>ON_SITE</WorkMode>\n",
                "    <WorkMode>ON_SITE</WorkMode>\n    <Skill>sales</Skill>\n",
            );
        assert_ne!(edited, page());
        let changes = import_change(&edited);
        let text = changes.text("0.1.0");
        assert_eq!(
            text,
            "`ResetAgentState` (`Client::reset_agent_state`)\n  \
             additive    response field `Data.Skill` added: `ResetAgentStateResult::skill`, \
             `Option<String>`\n\n\
             0 breaking, 1 additive, 0 compatible: a patch release, 0.1.0 → 0.1.1 (at 0.x, a \
             breaking change raises the minor version and any other the patch version).\n"
        );
    }

    #[test]
    fn a_parameter_the_page_adds_is_the_one_change_reported() {
        let edited = page().replace(
            "|UserId|String|否|",
            "|Reason|String|否|busy|重置原因。 |\n|UserId|String|否|",
        );
        assert_ne!(edited, page());
        let changes = import_change(&edited);
        let kinds: Vec<_> = changes
            .changes
            .iter()
            .map(|c| (c.kind, c.class, c.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [(
                Kind::ParameterAdded,
                Class::Additive,
                "optional parameter `Reason` added: setter `reason`, `String`"
            )]
        );
    }

    #[test]
    fn a_parameter_the_page_drops_is_kept_by_the_importer_and_no_change_is_reported() {
        // The importer drops nothing a page leaves out: it reports it and keeps it.
        let line = page()
            .lines()
            .find(|l| l.starts_with("|UserId|String|否|"))
            .unwrap()
            .to_string();
        let edited = page().replace(&format!("{line}\n"), "");
        assert_ne!(edited, page());
        let changes = import_change(&edited);
        assert!(changes.changes.is_empty(), "{}", changes.text("0.1.0"));
    }
}
