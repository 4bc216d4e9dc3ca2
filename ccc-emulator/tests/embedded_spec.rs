//! The spec built into the emulator (`spec.json`, a copy `cargo xtask codegen` writes) is exactly
//! the repository's `spec/`: the emulator serves what the SDK is generated from.

use std::path::{Path, PathBuf};

#[test]
fn the_embedded_spec_is_the_repositorys() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut errors = Vec::new();
    let product_path = dir.join(ccc_spec::PRODUCT_FILE);
    let product = std::fs::read_to_string(&product_path).unwrap();
    let product = ccc_spec::parse_product(&product_path, &product).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(ccc_spec::ACTIONS_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    let from_files = ccc_spec::load_sources(Some(product), &sources, &mut errors).unwrap();
    assert!(errors.is_empty(), "{errors:?}");

    let embedded = ccc_emulator::embedded_spec().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(embedded.actions.len(), from_files.actions.len());
    assert!(
        embedded == from_files,
        "ccc-emulator/spec.json is not spec/: run `cargo xtask codegen`"
    );
}
