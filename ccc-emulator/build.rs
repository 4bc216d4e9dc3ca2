//! Embeds the API spec (`../spec/product.json` and every `../spec/actions/*.json`) so that the
//! emulator serves exactly the spec the SDK is generated from.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let spec = manifest.join("..").join("spec");
    let actions_dir = spec.join("actions");
    let product = spec.join("product.json");
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed={}", actions_dir.display());
    println!("cargo:rerun-if-changed={}", product.display());

    let code = match generate(&product, &actions_dir) {
        Ok(code) => code,
        // A compile error names the problem where a build-script panic would bury it.
        Err(message) => format!("compile_error!({message:?});\n"),
    };
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("embedded_spec.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}

fn generate(product: &Path, actions_dir: &Path) -> Result<String, String> {
    if !product.is_file() {
        return Err(format!(
            "ccc-emulator: spec file {} not found",
            product.display()
        ));
    }
    let entries = std::fs::read_dir(actions_dir)
        .map_err(|e| format!("ccc-emulator: cannot read {}: {e}", actions_dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();

    let mut code = String::new();
    let _ = writeln!(
        code,
        "/// `spec/product.json`: its path (for error messages) and its text.\n\
         pub(crate) const PRODUCT: (&str, &str) = (\"spec/product.json\", include_str!({:?}));",
        path_str(product)?
    );
    code.push_str(
        "/// Every `spec/actions/*.json`, sorted by file name: path and text.\n\
         pub(crate) const ACTIONS: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("ccc-emulator: non-UTF-8 file name {}", file.display()))?;
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            format!("spec/actions/{name}"),
            path_str(file)?
        );
    }
    code.push_str("];\n");
    Ok(code)
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("ccc-emulator: non-UTF-8 path {}", path.display()))
}
