//! The checked-in rustdoc of `ccc-sdk/src/generated/` says what each action and value is, in
//! English: every action's client method, input, builders and output open with prose (the
//! method with the action's summary), no doc comment carries the source's Chinese prose, the
//! setters of every action carry the parameter's description themselves (not only a link to the
//! input's field), and its accessors lead to a description, not only to the wire-name-and-type
//! line. The spec's own docs test (`ccc-spec/tests/docs.rs`) holds every action's overlay to
//! describe everything; this test checks that the descriptions reached the generated code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::ext::IdentExt;
use syn::{Attribute, Expr, Fields, ImplItem, Item, ItemStruct, Lit, Meta, Type};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generated() -> PathBuf {
    root().join("ccc-sdk/src/generated")
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The doc text of an item: its `///` or `//!` lines, joined by newlines, leading space removed.
fn doc(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        let Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        if !nv.path.is_ident("doc") {
            continue;
        }
        if let Expr::Lit(lit) = &nv.value
            && let Lit::Str(s) = &lit.lit
        {
            let line = s.value();
            lines.push(line.strip_prefix(' ').unwrap_or(&line).to_owned());
        }
    }
    lines.join("\n")
}

fn is_cjk(c: char) -> bool {
    ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// `text` without its code spans.
fn outside_code(text: &str) -> String {
    text.split('`').step_by(2).collect()
}

/// A first line that is English prose: words outside code spans, no CJK, and not the bare
/// wire-name-and-type line the generator writes when the spec has no description.
fn is_prose(line: &str) -> bool {
    let words = outside_code(line)
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1)
        .count();
    words >= 2 && !line.starts_with("Wire name ") && !line.chars().any(is_cjk)
}

/// Whether a field's doc opens with a description of its own, before the generated
/// `Wire name …` paragraph.
fn is_described(doc: &str) -> bool {
    let first = doc.split("\n\n").next().unwrap_or_default().trim();
    !first.is_empty() && is_prose(first)
}

/// The CJK characters of a doc text that are prose rather than a quoted example value. The
/// generator quotes the action file's example verbatim on the `Wire name …` line (or in a
/// fenced block after `Example:`); those are wire data, not documentation, and are allowed.
fn cjk_prose(doc: &str) -> Option<String> {
    let mut in_example = false;
    let mut fence = None;
    for line in doc.lines() {
        if let Some(f) = fence {
            if line.trim() == f {
                fence = None;
            }
            continue;
        }
        if in_example && (line.starts_with("```") || line.starts_with("~~~~")) {
            fence = Some(if line.starts_with("```") {
                "```"
            } else {
                "~~~~"
            });
            continue;
        }
        in_example = line.trim() == "Example:";
        let checked = match line.find("Example: `") {
            Some(at) if line.starts_with("Wire name ") => &line[..at],
            _ => line,
        };
        if checked.chars().any(is_cjk) {
            return Some(line.to_owned());
        }
    }
    None
}

/// Every struct of a file, and the `pub fn`s (name, doc) of its inherent impls, by type name.
#[derive(Default)]
struct Items {
    structs: BTreeMap<String, ItemStruct>,
    methods: BTreeMap<String, Vec<(String, String)>>,
}

impl Items {
    fn of(file: syn::File) -> Self {
        let mut items = Items::default();
        for item in file.items {
            match item {
                Item::Struct(s) => {
                    items.structs.insert(s.ident.to_string(), s);
                }
                Item::Impl(i) if i.trait_.is_none() => {
                    let name = type_name(&i.self_ty).unwrap_or_default();
                    let methods = items.methods.entry(name).or_default();
                    for it in &i.items {
                        if let ImplItem::Fn(f) = it
                            && matches!(f.vis, syn::Visibility::Public(_))
                        {
                            methods.push((f.sig.ident.to_string(), doc(&f.attrs)));
                        }
                    }
                }
                _ => {}
            }
        }
        items
    }
}

/// The last path segment of a type (`crate::Client` → `Client`).
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Every type name a field's type mentions, generic arguments included (`Option<Vec<User>>`
/// gives `Option`, `Vec`, `User`).
fn mentioned(ty: &Type, out: &mut Vec<String>) {
    if let Type::Path(p) = ty {
        for seg in &p.path.segments {
            out.push(seg.ident.to_string());
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                for a in &args.args {
                    if let syn::GenericArgument::Type(t) = a {
                        mentioned(t, out);
                    }
                }
            }
        }
    }
}

/// One generated operation module.
struct Operation {
    action: String,
    file: PathBuf,
    items: Items,
}

fn operations() -> Vec<Operation> {
    let spec = ccc_spec::load_dir(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    spec.actions
        .iter()
        .map(|a| {
            let file = generated()
                .join("operation")
                .join(format!("{}.rs", ccc_spec::naming::module_ident(&a.name)));
            let items = Items::of(parse(&file));
            Operation {
                action: a.name.clone(),
                file,
                items,
            }
        })
        .collect()
}

#[test]
fn every_action_opens_its_items_with_english_prose() {
    let spec = ccc_spec::load_dir(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let mut bad = Vec::new();
    let ops = operations();
    assert_eq!(ops.len(), spec.actions.len());
    // Every action's method on `Client` is in one file.
    let client = Items::of(parse(&generated().join("client_methods.rs")));
    for op in &ops {
        let a = &op.action;
        let items = &op.items;
        // The client method states the action's summary.
        let summary = spec.action(a).and_then(|x| x.summary.clone()).unwrap();
        let method = ccc_spec::naming::method_ident(a);
        let method_doc = client
            .methods
            .get("Client")
            .and_then(|m| m.iter().find(|(n, _)| *n == method))
            .map(|(_, d)| d.clone());
        match method_doc {
            None => bad.push(format!("{a}: no client method `{method}`")),
            Some(d) => {
                let first = d.lines().next().unwrap_or_default().replace('\\', "");
                if !is_prose(&first) || !first.contains(&summary) {
                    bad.push(format!("{a}: client method opens with {first:?}"));
                }
            }
        }
        let ty = ccc_spec::naming::type_ident(a);
        for suffix in ["Input", "InputBuilder", "FluentBuilder", "Output"] {
            let name = format!("{ty}{suffix}");
            match items.structs.get(&name) {
                None => bad.push(format!("{a}: no struct {name}")),
                Some(s) => {
                    let d = doc(&s.attrs);
                    let first = d.lines().next().unwrap_or_default();
                    if !is_prose(first) || !(first.contains(a.as_str()) || first.contains(&ty)) {
                        bad.push(format!("{name} opens with {first:?}"));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn no_generated_doc_carries_chinese_prose() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [generated(), generated().join("operation")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 250, "{} files", files.len());
    let mut bad = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        // Every doc line, at any depth: `///` and `//!` as the file holds them.
        let docs: Vec<&str> = text
            .lines()
            .filter_map(|l| {
                let t = l.trim_start();
                t.strip_prefix("///").or_else(|| t.strip_prefix("//!"))
            })
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        if let Some(line) = cjk_prose(&docs.join("\n")) {
            bad.push(format!("{}: {line}", path.display()));
        }
    }
    assert!(bad.is_empty(), "Chinese in doc prose:\n{}", bad.join("\n"));
}

#[test]
fn fully_documented_actions_describe_every_setter_and_accessor() {
    let spec = ccc_spec::load_dir(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let full: BTreeSet<String> = spec.actions.iter().map(|a| a.name.clone()).collect();
    assert_eq!(full.len(), 253);
    let shared = Items::of(parse(&generated().join("types.rs")));
    let mut bad = Vec::new();
    let mut checked = 0;
    for op in operations().iter().filter(|o| full.contains(&o.action)) {
        let a = &ccc_spec::naming::type_ident(&op.action);
        let own = &op.items;
        let lookup = |name: &str| own.structs.get(name).or_else(|| shared.structs.get(name));
        let methods = |name: &str| {
            own.methods
                .get(name)
                .or_else(|| shared.methods.get(name))
                .cloned()
                .unwrap_or_default()
        };
        // A field's own description, by struct and field name.
        let field_doc = |s: &ItemStruct, field: &str| -> Option<String> {
            let Fields::Named(named) = &s.fields else {
                return None;
            };
            named
                .named
                .iter()
                .find(|f| {
                    // `r#type` is the field of `set_type` and of `r#type`.
                    f.ident
                        .as_ref()
                        .is_some_and(|i| i.unraw() == field.trim_start_matches("r#"))
                })
                .map(|f| doc(&f.attrs))
        };
        let input_name = format!("{a}Input");
        let Some(input) = lookup(&input_name) else {
            bad.push(format!("{a}: no {input_name}"));
            continue;
        };
        // Setters of the builder and of the fluent builder say what the parameter is on their
        // own: the value setter opens with the input field's description, word for word, and
        // `set_x` says it in the description's first sentence (a link alone is not enough).
        for builder in [format!("{a}InputBuilder"), format!("{a}FluentBuilder")] {
            for (m, own_doc) in methods(&builder) {
                if m.starts_with("get_")
                    || ["build", "as_input", "options", "send"].contains(&m.as_str())
                {
                    continue;
                }
                checked += 1;
                if let Some(field) = m.strip_prefix("set_") {
                    match field_doc(input, field) {
                        Some(d) if is_described(&d) => {
                            if !states_description(&own_doc, &d) {
                                bad.push(format!("{builder}::{m}: {own_doc:?}"));
                            }
                        }
                        Some(d) => bad.push(format!("{builder}::{m}: {:?}", first_line(&d))),
                        None => bad.push(format!(
                            "{builder}::{m}: no field `{field}` in {input_name}"
                        )),
                    }
                    continue;
                }
                // A method that stands for no field (`into_paginator`, a raw `x_json` setter)
                // is described by its own doc.
                if m == "into_paginator" || m.ends_with("_json") {
                    if !is_described(&own_doc) {
                        bad.push(format!("{builder}::{m}: {:?}", first_line(&own_doc)));
                    }
                    continue;
                }
                match field_doc(input, &m) {
                    Some(d) if is_described(&d) => {
                        if first_paragraph(&own_doc) != first_paragraph(&d) {
                            bad.push(format!(
                                "{builder}::{m} does not open with the description of \
                                 {input_name}::{m}: {:?}",
                                first_line(&own_doc)
                            ));
                        }
                    }
                    Some(d) => bad.push(format!("{builder}::{m}: {:?}", first_line(&d))),
                    None => bad.push(format!("{builder}::{m}: no field `{m}` in {input_name}")),
                }
            }
        }
        // Accessors of the output and of every struct reachable from the input or output.
        let mut queue = vec![format!("{a}Output"), input_name.clone()];
        let mut seen = BTreeSet::new();
        while let Some(name) = queue.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(s) = lookup(&name) else { continue };
            if let Fields::Named(named) = &s.fields {
                for f in &named.named {
                    let mut types = Vec::new();
                    mentioned(&f.ty, &mut types);
                    queue.extend(types);
                    // The input's fields are reached through the setters above; here only
                    // the structs it holds.
                    if name != input_name {
                        checked += 1;
                        let d = doc(&f.attrs);
                        if !is_described(&d) {
                            let field = f.ident.as_ref().unwrap();
                            bad.push(format!("{a}: {name}::{field}: {:?}", first_line(&d)));
                        }
                    }
                }
            }
            if name != input_name {
                for (m, _) in methods(&name) {
                    if m == "to_json" || m == "builder" {
                        continue;
                    }
                    // A request struct's `set_x` (and `get_x`) belong to its field `x`.
                    let field = m
                        .strip_prefix("set_")
                        .or_else(|| m.strip_prefix("get_"))
                        .filter(|f| field_doc(s, f).is_some())
                        .unwrap_or(&m);
                    if field_doc(s, field).is_none() {
                        bad.push(format!(
                            "{a}: accessor {name}::{m} has no field of its name"
                        ));
                    }
                }
            }
        }
        assert!(seen.len() > 1, "{}: nothing reached", op.file.display());
    }
    assert!(checked > 1000, "only {checked} items checked");
    assert!(bad.is_empty(), "without a description:\n{}", bad.join("\n"));
}

fn first_paragraph(doc: &str) -> &str {
    doc.split("\n\n").next().unwrap_or_default().trim()
}

/// Whether a `set_x` doc (`Sets or clears `X`. …`) goes on with the opening words of the field's
/// description, at least a sentence of prose.
fn states_description(set_doc: &str, field_doc: &str) -> bool {
    let Some((_, said)) = set_doc.split_once("`. ") else {
        return false;
    };
    let description = first_paragraph(field_doc).replace('\n', " ");
    is_prose(said) && said.ends_with('.') && description.starts_with(said.trim())
}

fn first_line(doc: &str) -> &str {
    doc.lines().next().unwrap_or_default()
}

/// A parameter the API reference calls required and the service's definition does not
/// (`referenceRequired`) says both in its input field's docs: optional, and the reference's word.
#[test]
fn the_reference_word_on_requiredness_reaches_the_docs() {
    let spec = ccc_spec::load_dir(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = 0;
    for a in &spec.actions {
        let marked: Vec<&ccc_spec::Parameter> = a
            .parameters
            .iter()
            .filter(|p| p.reference_required)
            .collect();
        if marked.is_empty() {
            continue;
        }
        let file = generated()
            .join("operation")
            .join(format!("{}.rs", ccc_spec::naming::module_ident(&a.name)));
        let items = Items::of(parse(&file));
        let input = &items.structs[&format!("{}Input", a.name)];
        let Fields::Named(fields) = &input.fields else {
            panic!("{}: the input has no named fields", a.name)
        };
        for p in marked {
            let stem = ccc_spec::naming::field_stem(&p.name);
            let field = fields
                .named
                .iter()
                .find(|f| {
                    f.ident
                        .as_ref()
                        .is_some_and(|i| i.to_string().trim_start_matches("r#") == stem)
                })
                .unwrap_or_else(|| panic!("{}: no field {stem}", a.name));
            let text = doc(&field.attrs);
            assert!(
                text.contains("optional (the API reference lists it as required"),
                "{} {}: {text}",
                a.name,
                p.name
            );
            let mut types = Vec::new();
            mentioned(&field.ty, &mut types);
            assert_eq!(
                types.first().map(String::as_str),
                Some("Option"),
                "{} {}",
                a.name,
                p.name
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 29);
}
