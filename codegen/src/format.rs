//! Running rustfmt over generated files, so that they are exactly what `cargo fmt` leaves.
//!
//! prettyplease prints valid, readable code, but not always rustfmt's layout (long chains,
//! match arms); without this step `cargo fmt --check` would fail on the checked-in files.
//! One rustfmt process formats every file: it follows `mod` declarations from the root module.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Error, GeneratedFile};

/// Formats `files` in place with `rustfmt --edition 2024`, using the workspace's rustfmt
/// config if `config_dir` holds one.
pub(crate) fn rustfmt(files: &mut [GeneratedFile], config_dir: Option<&Path>) -> Result<(), Error> {
    if files.is_empty() {
        return Ok(());
    }
    let dir = TempDir::new()?;
    for f in files.iter() {
        let path = dir.0.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, &f.contents).map_err(|e| Error::io(&path, e))?;
    }

    let mut cmd = Command::new(rustfmt_program());
    cmd.arg("--edition").arg("2024");
    if let Some(config) = config_dir.and_then(find_config) {
        cmd.arg("--config-path").arg(config);
    }
    for f in files.iter().filter(|f| !is_reached(f, files)) {
        cmd.arg(dir.0.join(&f.path));
    }
    let output = cmd.output().map_err(|e| {
        Error::Rustfmt(if e.kind() == std::io::ErrorKind::NotFound {
            "not found; install it with `rustup component add rustfmt` (or point $RUSTFMT at it)"
                .to_string()
        } else {
            format!("cannot run it: {e}")
        })
    })?;
    if !output.status.success() {
        return Err(Error::Rustfmt(format!(
            "failed ({}) on the generated code:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        )));
    }
    for f in files.iter_mut() {
        let path = dir.0.join(&f.path);
        f.contents = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

fn rustfmt_program() -> std::ffi::OsString {
    std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into())
}

fn find_config(dir: &Path) -> Option<PathBuf> {
    ["rustfmt.toml", ".rustfmt.toml"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

/// Whether rustfmt reaches `file` through a `mod.rs` in its own or an enclosing directory, so it
/// need not (and should not, to avoid formatting it twice) be named on the command line.
fn is_reached(file: &GeneratedFile, all: &[GeneratedFile]) -> bool {
    let Some(dir) = Path::new(&file.path).parent() else {
        return false;
    };
    all.iter().any(|other| {
        let other = Path::new(&other.path);
        other != Path::new(&file.path)
            && other.file_name().is_some_and(|n| n == "mod.rs")
            && other.parent().is_some_and(|d| dir.starts_with(d))
    })
}

/// A scratch directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, Error> {
        // Tests format in parallel threads of one process: the counter keeps them apart.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "ccc-codegen-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        if path.exists() {
            let _ = std::fs::remove_dir_all(&path);
        }
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
