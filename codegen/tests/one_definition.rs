//! One name, one definition: every struct and enum of the checked-in `ccc-sdk/src/generated/` is
//! defined in one file only, so a name means one shape across the crate. The generator refuses a
//! spec that would break this (`spec_errors.rs`); this test reads what it actually wrote, and so
//! also catches an emitter that prints a type twice.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The `.rs` files below `dir`, depth first.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Names of the structs and enums a file defines, at any depth of inline modules.
fn defined(items: &[syn::Item], out: &mut Vec<String>) {
    for item in items {
        match item {
            syn::Item::Struct(s) => out.push(s.ident.to_string()),
            syn::Item::Enum(e) => out.push(e.ident.to_string()),
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                ..
            }) => defined(inner, out),
            _ => {}
        }
    }
}

/// Type name → the generated files that define it, for names defined in more than one.
fn defined_twice(generated: &Path) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    rust_files(generated, &mut files);
    files.sort();
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut names = Vec::new();
        defined(&file.items, &mut names);
        names.sort();
        names.dedup();
        let shown = path.strip_prefix(generated).unwrap().display().to_string();
        for n in names {
            by_name.entry(n).or_default().push(shown.clone());
        }
    }
    by_name.retain(|_, files| files.len() > 1);
    by_name
}

#[test]
fn every_generated_type_name_is_defined_in_one_file() {
    let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ccc-sdk/src/generated");
    let twice = defined_twice(&generated);
    assert!(
        twice.is_empty(),
        "{} names defined in more than one file: {twice:#?}",
        twice.len()
    );
}

#[test]
fn a_name_defined_in_two_files_is_found() {
    let dir = std::env::temp_dir().join(format!("ccc-one-definition-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("operation")).unwrap();
    std::fs::write(dir.join("types.rs"), "pub struct Level { a: u8 }\n").unwrap();
    std::fs::write(
        dir.join("operation/a.rs"),
        "pub struct Level { b: u8 }\npub enum Own { X }\n",
    )
    .unwrap();
    std::fs::write(dir.join("operation/b.rs"), "mod m { pub struct Own; }\n").unwrap();
    let twice = defined_twice(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        twice.into_iter().collect::<Vec<_>>(),
        [
            (
                "Level".to_string(),
                vec!["operation/a.rs".to_string(), "types.rs".to_string()]
            ),
            (
                "Own".to_string(),
                vec!["operation/a.rs".to_string(), "operation/b.rs".to_string()]
            ),
        ]
    );
}
