//! Helpers shared by the integration tests: scratch spec folders and the real pages' location.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh spec folder under the system temp dir holding a copy of the project's `product.json`
/// (and, if asked, of some of its action files); removed when dropped.
pub struct SpecDir {
    pub path: PathBuf,
}

impl SpecDir {
    pub fn new(label: &str) -> SpecDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "ccc-import-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join("actions")).unwrap();
        std::fs::copy(
            project_spec().join("product.json"),
            path.join("product.json"),
        )
        .unwrap();
        SpecDir { path }
    }

    /// Copies `spec/actions/<name>.json` of the project into this folder.
    pub fn with_action(self, name: &str) -> SpecDir {
        let file = format!("{name}.json");
        std::fs::copy(
            project_spec().join("actions").join(&file),
            self.path.join("actions").join(&file),
        )
        .unwrap();
        self
    }

    pub fn action_file(&self, name: &str) -> PathBuf {
        self.path.join("actions").join(format!("{name}.json"))
    }

    pub fn read_action(&self, name: &str) -> String {
        std::fs::read_to_string(self.action_file(name)).unwrap()
    }

    /// Every file of `actions/` with its text, sorted by name.
    pub fn snapshot(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(self.path.join("actions"))
            .unwrap()
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap_or_default(),
                )
            })
            .collect();
        files.sort();
        files
    }
}

/// `CCC_IMPORT_KEEP=1` keeps the folders, to look at what a test imported.
impl Drop for SpecDir {
    fn drop(&mut self) {
        if std::env::var_os("CCC_IMPORT_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The project's `spec/` folder.
pub fn project_spec() -> PathBuf {
    manifest_dir().join("../spec")
}

pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(name)
}

pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// The real reference pages (`../../shared/api-docs`), or `None` (with a note) when absent.
pub fn real_pages() -> Option<PathBuf> {
    let dir = manifest_dir().join("../../shared/api-docs");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "note: {} is absent; skipping the test of the real pages",
            dir.display()
        );
        None
    }
}

/// The project's product file, parsed.
pub fn product() -> ccc_spec::Product {
    let path = project_spec().join("product.json");
    ccc_spec::parse_product(&path, &std::fs::read_to_string(&path).unwrap()).unwrap()
}
