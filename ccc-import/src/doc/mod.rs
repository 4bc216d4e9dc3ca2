//! Alibaba Cloud API reference pages (markdown) → `spec/actions/<Action>.json`.
//!
//! A page gives one action: its name (`# Title`), request parameters (`## 请求参数`), the response
//! (`## 返回数据`, a flat table whose nesting is recovered from the examples), the example
//! responses (`## 示例`) and the errors (`## 错误码`).
//!
//! [`import_pages`] reads and checks every page before it writes anything; a file is replaced by
//! renaming a finished temporary file over it, and only through [`ccc_spec::action_to_json`], so
//! importing the same pages again changes no byte.

mod enums;
mod examples;
mod markdown;
mod page;

use std::fmt;
use std::path::{Path, PathBuf};

use ccc_spec::{ACTIONS_DIR, Action, EnumSpec, PRODUCT_FILE, Product};

pub use crate::merge::{DiffKind, Difference, Precedence, Side};
pub use page::parse_page;

/// Folds `page` (an action read from a reference page) into the `existing` spec of the same action
/// by [`Precedence::PAGE`].
pub fn merge(existing: &Action, page: &Action) -> (Action, Vec<Difference>) {
    crate::merge::merge(existing, page, &Precedence::PAGE)
}
/// What [`parse_page`] needs besides the page.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Keep descriptions (summary, parameters, fields, errors, enumerations).
    pub with_descriptions: bool,
    /// The product's enumerations: a listed set of values that fits one of them refers to it.
    pub product_enums: Vec<EnumSpec>,
}

/// A page read into an action, with what the reader had to decide or found on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedPage {
    pub action: Action,
    /// By line.
    pub notes: Vec<Note>,
    /// Whether the page names the HTTP method; if not, `action.method` is a default.
    pub states_method: bool,
    /// Whether the page has a location column; if not, every parameter's location is a default.
    pub states_locations: bool,
}

/// Something worth a reviewer's eye: a decision the page left open, or a list of values found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// 1-based line of the page; 0 for the page as a whole.
    pub line: usize,
    pub kind: NoteKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The page leaves the nesting open; the message says what was chosen.
    Ambiguity,
    /// A description lists values; the message says whether they became an enumeration.
    Enumeration,
    /// A String parameter's example is JSON text; the message says what it became
    /// ([`crate::json_params`]).
    JsonText,
    /// A rule of the spec decided (a struct became a shared struct's reference, a String stays
    /// plain): see [`shared_structs::settle`](crate::shared_structs::settle).
    Spec,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            NoteKind::Ambiguity => "ambiguity",
            NoteKind::Enumeration => "enumeration",
            NoteKind::JsonText => "JSON text",
            NoteKind::Spec => "spec",
        };
        match self.line {
            // A decision about the page as a whole, not one of its lines.
            0 => write!(f, "{kind}: {}", self.message),
            line => write!(f, "line {line}: {kind}: {}", self.message),
        }
    }
}

/// A page (or file) that was refused: `page:line: reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageError {
    pub page: String,
    /// 1-based; `None` when the reason concerns the page as a whole.
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.page, self.reason),
            None => write!(f, "{}: {}", self.page, self.reason),
        }
    }
}

impl std::error::Error for PageError {}

/// Every refused page; nothing was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError(pub Vec<PageError>);

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ccc_spec::write_lines(f, &self.0)
    }
}

impl std::error::Error for ImportError {}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Write descriptions from the pages (`--with-descriptions`). Without it no description is
    /// written, but those already in a spec file are kept.
    pub with_descriptions: bool,
    /// Check and report, but write nothing.
    pub dry_run: bool,
}

/// What an import did, action by action, in the order of the pages.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportReport {
    pub actions: Vec<ActionReport>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionReport {
    pub action: String,
    pub page: PathBuf,
    /// The spec file written (or that would be, with `dry_run`).
    pub file: PathBuf,
    pub outcome: Outcome,
    /// Differences from the spec file that existed; empty for a created one.
    pub differences: Vec<Difference>,
    pub notes: Vec<Note>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

impl ImportReport {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.actions.iter().filter(|a| a.outcome == outcome).count()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.actions {
            let outcome = match a.outcome {
                Outcome::Created => "created",
                Outcome::Updated => "updated",
                Outcome::Unchanged => "unchanged",
            };
            writeln!(
                f,
                "{} ({}): {outcome} {}",
                a.action,
                a.page.display(),
                a.file.display()
            )?;
            for d in &a.differences {
                writeln!(f, "  difference: {d}")?;
            }
            for n in &a.notes {
                writeln!(f, "  {n}")?;
            }
        }
        write!(
            f,
            "{} created, {} updated, {} unchanged",
            self.count(Outcome::Created),
            self.count(Outcome::Updated),
            self.count(Outcome::Unchanged)
        )
    }
}

/// The pages of a folder: its `*.md` files except `README.md`, sorted by name.
pub fn pages_in(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let is_md = path.extension().is_some_and(|e| e == "md");
        let is_readme = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.eq_ignore_ascii_case("README.md"));
        if is_md && !is_readme && path.is_file() {
            pages.push(path);
        }
    }
    pages.sort();
    Ok(pages)
}

/// Command-line inputs (pages and folders) → pages: a folder becomes [`pages_in`] it.
pub fn expand_inputs(inputs: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut pages = Vec::new();
    for input in inputs {
        if input.is_dir() {
            pages.extend(pages_in(input)?);
        } else {
            pages.push(input.clone());
        }
    }
    Ok(pages)
}

/// A page ready to be written.
struct Planned {
    report: ActionReport,
    text: String,
}

/// Imports `pages` into the spec in `spec_dir` (which holds `product.json` and `actions/`).
///
/// Every page is read, merged with the existing spec file of its action and validated (the action
/// against the product, then the whole spec as it would be) before any file is written. If a
/// page is refused, the error lists every refused page and nothing is written.
pub fn import_pages(
    spec_dir: &Path,
    pages: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let product = load_product(spec_dir).map_err(|e| ImportError(vec![e]))?;
    let parse_opts = ParseOptions {
        with_descriptions: opts.with_descriptions,
        product_enums: product.enums.clone(),
    };
    let actions_dir = spec_dir.join(ACTIONS_DIR);
    let mut errors = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    for page in pages {
        let name = page.display().to_string();
        let text = match std::fs::read_to_string(page) {
            Ok(t) => t,
            Err(e) => {
                errors.push(file_error(&name, format!("cannot read: {e}")));
                continue;
            }
        };
        let parsed = match parse_page(&name, &text, &parse_opts) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(first) = planned
            .iter()
            .find(|p| p.report.action == parsed.action.name)
        {
            errors.push(file_error(
                &name,
                format!(
                    "action `{}` is also imported from {}",
                    parsed.action.name,
                    first.report.page.display()
                ),
            ));
            continue;
        }
        match plan(&actions_dir, &product, page, &name, parsed) {
            Ok(p) => planned.push(p),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        errors.extend(check_whole_spec(&actions_dir, &product, &planned));
    }
    if !errors.is_empty() {
        return Err(ImportError(errors));
    }
    if !opts.dry_run {
        let mut write_errors = Vec::new();
        for p in planned
            .iter()
            .filter(|p| p.report.outcome != Outcome::Unchanged)
        {
            if let Err(e) = crate::files::write_atomically(&p.report.file, &p.text) {
                write_errors.push(file_error(
                    &p.report.file.display().to_string(),
                    format!("cannot write: {e}"),
                ));
            }
        }
        if !write_errors.is_empty() {
            return Err(ImportError(write_errors));
        }
    }
    Ok(ImportReport {
        actions: planned.into_iter().map(|p| p.report).collect(),
    })
}

fn file_error(name: &str, reason: String) -> PageError {
    PageError {
        page: name.to_string(),
        line: None,
        reason,
    }
}

fn load_product(spec_dir: &Path) -> Result<Product, PageError> {
    let path = spec_dir.join(PRODUCT_FILE);
    let name = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| file_error(&name, format!("cannot read: {e}")))?;
    ccc_spec::parse_product(&path, &text).map_err(|e| {
        file_error(
            &name,
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Merges a parsed page with the existing file of its action and checks the result.
fn plan(
    actions_dir: &Path,
    product: &Product,
    page: &Path,
    name: &str,
    parsed: ParsedPage,
) -> Result<Planned, Vec<PageError>> {
    let file = actions_dir.join(format!("{}.json", parsed.action.name));
    let (existing_text, existing) = if file.exists() {
        let text = std::fs::read_to_string(&file).map_err(|e| {
            vec![file_error(
                &file.display().to_string(),
                format!("cannot read: {e}"),
            )]
        })?;
        let action = ccc_spec::parse_action(&file, &text).map_err(|errs| {
            errs.into_iter()
                .map(|e| {
                    file_error(
                        name,
                        format!("the existing spec file cannot be merged into: {e}"),
                    )
                })
                .collect::<Vec<_>>()
        })?;
        (Some(text), Some(action))
    } else {
        (None, None)
    };
    let (action, differences) = match &existing {
        Some(old) => {
            let mut imported = parsed.action;
            // What the page does not state stays as the spec has it (e.g. from upstream), so
            // that importing pages and the upstream definition in turn settles.
            if !parsed.states_method {
                imported.method = old.method;
            }
            if !parsed.states_locations {
                for p in &mut imported.parameters {
                    if let Some(o) = old.parameters.iter().find(|o| o.name == p.name) {
                        p.location = o.location;
                    }
                }
            }
            // The file's shared structs, whole, so that they merge field by field.
            let mut old = old.clone();
            ccc_spec::fill_in_structs(product, &mut old);
            merge(&old, &imported)
        }
        None => (parsed.action, Vec::new()),
    };
    let mut action = action;
    let mut notes = parsed.notes;
    for message in crate::json_params::apply(&mut action, existing.as_ref()) {
        notes.push(Note {
            line: 0,
            kind: NoteKind::JsonText,
            message,
        });
    }
    for message in crate::shared_structs::settle(&mut action, product) {
        notes.push(Note {
            line: 0,
            kind: NoteKind::Spec,
            message,
        });
    }
    let problems = ccc_spec::check_action(&file, product, &action);
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|e| {
                file_error(
                    name,
                    format!("the imported action is not a valid spec: {e}"),
                )
            })
            .collect());
    }
    let text = ccc_spec::action_to_json(&action);
    match ccc_spec::parse_action(&file, &text) {
        Ok(back) if back == action => {}
        Ok(_) => {
            return Err(vec![file_error(
                name,
                "the written spec would not read back as the imported action".into(),
            )]);
        }
        Err(errs) => {
            return Err(errs
                .into_iter()
                .map(|e| file_error(name, format!("the written spec would not load: {e}")))
                .collect());
        }
    }
    let outcome = match &existing_text {
        None => Outcome::Created,
        Some(old) if *old == text => Outcome::Unchanged,
        Some(_) => Outcome::Updated,
    };
    let mut differences = differences;
    if outcome == Outcome::Updated && differences.is_empty() {
        differences.push(Difference {
            action: action.name.clone(),
            path: String::new(),
            source: crate::Source::Page,
            kind: DiffKind::Differs {
                aspect: "layout".into(),
                spec: "hand-edited".into(),
                incoming: "canonical".into(),
                kept: Side::Incoming,
            },
        });
    }
    Ok(Planned {
        report: ActionReport {
            action: action.name.clone(),
            page: page.to_path_buf(),
            file,
            outcome,
            differences,
            notes,
        },
        text,
    })
}

/// Loads every action file as it will be after the import, so that a clash between files (two
/// files for one action) or a file that no longer loads is caught before anything is written.
fn check_whole_spec(actions_dir: &Path, product: &Product, planned: &[Planned]) -> Vec<PageError> {
    let mut sources: Vec<(PathBuf, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(actions_dir) {
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter(|p| !planned.iter().any(|pl| pl.report.file == *p))
            .collect();
        files.sort();
        for f in files {
            match std::fs::read_to_string(&f) {
                Ok(t) => sources.push((f, t)),
                Err(e) => {
                    return vec![file_error(
                        &f.display().to_string(),
                        format!("cannot read: {e}"),
                    )];
                }
            }
        }
    }
    sources.extend(
        planned
            .iter()
            .map(|p| (p.report.file.clone(), p.text.clone())),
    );
    let mut errors = Vec::new();
    ccc_spec::load_sources(Some(product.clone()), &sources, &mut errors);
    errors
        .into_iter()
        .map(|e| {
            file_error(
                &e.file.display().to_string(),
                format!("after the import the spec would not load: {e}"),
            )
        })
        .collect()
}
