//! The workspace around [`generate`](crate::generate): load `spec/`, render the files as they
//! are checked in, and compare with (or write to) `ccc-sdk/src/generated/` and the emulator's
//! copy of the spec, [`EMULATOR_SPEC`].
//!
//! `cargo xtask codegen`, `cargo xtask codegen --check` and the freshness test all call
//! [`plan`], so what is checked is exactly what is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ccc_spec::Spec;

use crate::{EMULATOR_SPEC, Error, GENERATED_DIR, GeneratedFile, SPEC_DIR, format};

/// Loads and validates a spec directory. Error paths are shown relative to `base` when they are
/// inside it, so messages read `spec/actions/X.json: at /parameters/0/type: ...`.
pub fn load(spec_dir: &Path, base: &Path) -> Result<Spec, Error> {
    ccc_spec::load_dir(spec_dir).map_err(|mut errors| {
        for e in &mut errors.0 {
            if let Ok(rel) = e.file.strip_prefix(base) {
                e.file = rel.to_path_buf();
            }
        }
        Error::Spec(errors)
    })
}

/// The generated files for `spec` as they are checked in: generated, then formatted by rustfmt
/// (with the rustfmt config of `root`, if it has one).
pub fn render(spec: &Spec, root: Option<&Path>) -> Result<Vec<GeneratedFile>, Error> {
    // Only Rust goes through rustfmt; the generated Markdown is included by the crate docs.
    let (mut files, other): (Vec<_>, Vec<_>) = crate::generate(spec)?
        .into_iter()
        .partition(|f| f.path.ends_with(".rs"));
    format::rustfmt(&mut files, root)?;
    files.extend(other);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// One generated file that is not as the spec wants it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The spec produces a file that does not exist.
    Create { path: String, new: String },
    /// The file exists with other contents.
    Update {
        path: String,
        old: String,
        new: String,
    },
    /// A file in the generated directory that the spec no longer produces.
    Delete { path: String, old: String },
}

impl Change {
    /// The path, relative to the workspace root.
    pub fn path(&self) -> &str {
        match self {
            Change::Create { path, .. }
            | Change::Update { path, .. }
            | Change::Delete { path, .. } => path,
        }
    }

    /// A unified diff from the checked-in file to the generated one.
    pub fn diff(&self) -> String {
        let (old, new) = match self {
            Change::Create { new, .. } => ("", new.as_str()),
            Change::Update { old, new, .. } => (old.as_str(), new.as_str()),
            Change::Delete { old, .. } => (old.as_str(), ""),
        };
        let path = self.path();
        let (a, b) = match self {
            Change::Create { .. } => ("/dev/null".to_string(), format!("b/{path}")),
            Change::Update { .. } => (format!("a/{path}"), format!("b/{path}")),
            Change::Delete { .. } => (format!("a/{path}"), "/dev/null".to_string()),
        };
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header(&a, &b)
            .to_string()
    }
}

/// What `cargo xtask codegen` would do to bring the checked-in files in line with the spec.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Files to create, rewrite or delete, by path.
    pub changes: Vec<Change>,
    /// How many generated files are already up to date.
    pub unchanged: usize,
    /// How many actions the spec holds.
    pub actions: usize,
}

/// Loads `root/spec`, renders it and compares with `root/ccc-sdk/src/generated`, the command
/// line's table in `root/ccc-cli/src/generated` and `root/ccc-emulator/spec.json`.
pub fn plan(root: &Path) -> Result<Plan, Error> {
    let spec_dir = root.join(SPEC_DIR);
    let spec = load(&spec_dir, root)?;
    let mut files = render(&spec, Some(root))?;
    files.extend(crate::cli::render(&spec, Some(root))?);
    files.push(GeneratedFile {
        path: EMULATOR_SPEC.to_owned(),
        contents: ccc_spec::bundle_dir(&spec_dir).map_err(Error::Spec)?,
    });
    let mut existing = existing_files(root)?;
    let bundle = root.join(EMULATOR_SPEC);
    if bundle.is_file() {
        existing.insert(EMULATOR_SPEC.to_owned(), bundle);
    }
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let mut produced = BTreeMap::new();
    for f in files {
        let path = root.join(&f.path);
        match existing.get(&f.path) {
            Some(_) => {
                let old = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                if old == f.contents {
                    unchanged += 1;
                } else {
                    changes.push(Change::Update {
                        path: f.path.clone(),
                        old,
                        new: f.contents,
                    });
                }
            }
            None => changes.push(Change::Create {
                path: f.path.clone(),
                new: f.contents,
            }),
        }
        produced.insert(f.path, ());
    }
    for (rel, path) in &existing {
        if !produced.contains_key(rel) {
            let old = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            changes.push(Change::Delete {
                path: rel.clone(),
                old,
            });
        }
    }
    changes.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(Plan {
        changes,
        unchanged,
        actions: spec.actions.len(),
    })
}

impl Plan {
    /// Whether the checked-in files are what the spec produces.
    pub fn is_clean(&self) -> bool {
        self.changes.is_empty()
    }

    /// Writes changed files and deletes stale ones under `root`.
    pub fn apply(&self, root: &Path) -> Result<(), Error> {
        for change in &self.changes {
            let path = root.join(change.path());
            match change {
                Change::Create { new, .. } | Change::Update { new, .. } => {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                    }
                    std::fs::write(&path, new).map_err(|e| Error::io(&path, e))?;
                }
                Change::Delete { .. } => {
                    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                }
            }
        }
        Ok(())
    }

    /// Unified diffs of every change, from the checked-in files to the generated ones.
    pub fn diff(&self) -> String {
        self.changes.iter().map(Change::diff).collect()
    }

    /// One line: how many files, and what happened to them (`done`: applied, or only planned).
    pub fn summary(&self, done: bool) -> String {
        let count = |f: fn(&Change) -> bool| self.changes.iter().filter(|c| f(c)).count();
        let created = count(|c| matches!(c, Change::Create { .. }));
        let updated = count(|c| matches!(c, Change::Update { .. }));
        let deleted = count(|c| matches!(c, Change::Delete { .. }));
        let total = self.unchanged + created + updated;
        let verb = if done { "" } else { "to be " };
        format!(
            "{total} files from {} action{}: {created} {verb}created, {updated} {verb}updated, \
             {deleted} stale {verb}deleted, {} unchanged",
            self.actions,
            if self.actions == 1 { "" } else { "s" },
            self.unchanged
        )
    }
}

/// Every `.rs` file under the generated directory: relative path → absolute path.
fn existing_files(root: &Path) -> Result<BTreeMap<String, PathBuf>, Error> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![
        root.join(GENERATED_DIR),
        root.join(crate::cli::CLI_GENERATED_DIR),
    ];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(&dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "md")
                && let Ok(rel) = path.strip_prefix(root)
            {
                // `/`-separated, as `GeneratedFile::path` is.
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, path);
            }
        }
    }
    Ok(out)
}
