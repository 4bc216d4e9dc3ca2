//! Running rustfmt over generated files, so that they are exactly what `cargo fmt` leaves.
//!
//! prettyplease prints valid, readable code, but not always rustfmt's layout (long chains,
//! match arms); without this step `cargo fmt --check` would fail on the checked-in files.
//!
//! rustfmt is single-threaded and costs about as much as generating, so the files are split
//! into one batch per core, each batch one rustfmt process. A `mod.rs` would drag every module
//! it declares into its batch, so the `mod.rs` files are formatted in a directory of their own
//! where the modules they declare are empty stand-ins.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Error, GeneratedFile};

/// How many threads or processes to use for `jobs` independent pieces of work.
pub(crate) fn workers(jobs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Below a handful of jobs each, starting a worker costs more than it saves.
    cores.min(jobs / 8).clamp(1, 8)
}

/// Formats `files` in place with `rustfmt --edition 2024`, using the workspace's rustfmt
/// config if `config_dir` holds one. With a workspace, rustfmt's output is cached under
/// `target/`, keyed by rustfmt's version, the config and the input, so files the spec did not
/// change skip rustfmt: that is what keeps `cargo xtask codegen` well under a second.
pub(crate) fn rustfmt(files: &mut [GeneratedFile], config_dir: Option<&Path>) -> Result<(), Error> {
    if files.is_empty() {
        return Ok(());
    }
    let Some(root) = config_dir else {
        return rustfmt_uncached(files, None, &[]);
    };
    // Every file's path: a `mod.rs` formatted without its modules needs them to exist.
    let all: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let cache = Cache::open(root)?;
    let mut missing: Vec<GeneratedFile> = Vec::new();
    let mut at: Vec<usize> = Vec::new();
    for (i, f) in files.iter_mut().enumerate() {
        match cache.get(f) {
            Some(formatted) => f.contents = formatted,
            None => {
                missing.push(f.clone());
                at.push(i);
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let inputs: Vec<String> = missing.iter().map(|f| f.contents.clone()).collect();
    rustfmt_uncached(&mut missing, Some(root), &all)?;
    for ((f, input), i) in missing.into_iter().zip(inputs).zip(at) {
        cache.put(&f.path, &input, &f.contents);
        files[i] = f;
    }
    Ok(())
}

/// rustfmt's output by input, in `target/codegen-rustfmt/`.
struct Cache {
    dir: PathBuf,
    /// rustfmt's version and the config, which the output also depends on.
    salt: String,
}

impl Cache {
    fn open(root: &Path) -> Result<Cache, Error> {
        let version = Command::new(rustfmt_program())
            .args(["--version"])
            .output()
            .map_err(spawn_error)?;
        let mut salt = String::from_utf8_lossy(&version.stdout).into_owned();
        if let Some(config) = find_config(root) {
            salt.push_str(&std::fs::read_to_string(&config).unwrap_or_default());
        }
        Ok(Cache {
            dir: root.join("target").join("codegen-rustfmt"),
            salt,
        })
    }

    fn key(&self, path: &str, input: &str) -> PathBuf {
        // FNV-1a: stable across runs and toolchains, unlike the std hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self
            .salt
            .bytes()
            .chain(path.bytes())
            .chain([0])
            .chain(input.bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.dir.join(format!("{h:016x}-{}.rs", input.len()))
    }

    fn get(&self, f: &GeneratedFile) -> Option<String> {
        std::fs::read_to_string(self.key(&f.path, &f.contents)).ok()
    }

    /// Best effort: a cache that cannot be written only costs time.
    fn put(&self, path: &str, input: &str, output: &str) {
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = std::fs::write(self.key(path, input), output);
        }
    }
}

/// Formats `files`; `others` are the paths of files formatted apart (from the cache) that a
/// `mod.rs` among `files` may declare as modules: rustfmt needs them to exist.
fn rustfmt_uncached(
    files: &mut [GeneratedFile],
    config_dir: Option<&Path>,
    others: &[String],
) -> Result<(), Error> {
    let leaves = TempDir::new()?;
    let mods = TempDir::new()?;
    let is_mod = |f: &GeneratedFile| f.path.ends_with("/mod.rs") || f.path == "mod.rs";
    for p in others {
        if !files.iter().any(|f| &f.path == p) {
            write(&mods.0.join(p), "")?;
        }
    }
    for f in files.iter() {
        if is_mod(f) {
            write(&mods.0.join(&f.path), &f.contents)?;
        } else {
            write(&leaves.0.join(&f.path), &f.contents)?;
            write(&mods.0.join(&f.path), "")?;
        }
    }

    // Leaves, largest first, each to the batch with the least text so far.
    let mut order: Vec<&GeneratedFile> = files.iter().filter(|f| !is_mod(f)).collect();
    order.sort_by_key(|f| std::cmp::Reverse(f.contents.len()));
    let mut batches: Vec<(usize, Vec<PathBuf>)> = vec![(0, Vec::new()); workers(order.len())];
    for f in order {
        if let Some(batch) = batches.iter_mut().min_by_key(|b| b.0) {
            batch.0 += f.contents.len();
            batch.1.push(leaves.0.join(&f.path));
        }
    }
    let mod_files: Vec<&GeneratedFile> = files.iter().filter(|f| is_mod(f)).collect();
    for f in &mod_files {
        if !is_reached(f, &mod_files) {
            batches[0].1.push(mods.0.join(&f.path));
        }
    }

    let config = config_dir.and_then(find_config);
    let children: Vec<Child> = batches
        .iter()
        .filter(|b| !b.1.is_empty())
        .map(|(_, paths)| {
            let mut cmd = Command::new(rustfmt_program());
            cmd.arg("--edition").arg("2024");
            if let Some(config) = &config {
                cmd.arg("--config-path").arg(config);
            }
            cmd.args(paths)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(spawn_error)
        })
        .collect::<Result<_, _>>()?;
    let mut failures = Vec::new();
    for child in children {
        let output = child
            .wait_with_output()
            .map_err(|e| Error::Rustfmt(format!("cannot wait for it: {e}")))?;
        if !output.status.success() {
            failures.push(format!(
                "failed ({}) on the generated code:\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
    }
    if !failures.is_empty() {
        return Err(Error::Rustfmt(failures.join("\n")));
    }

    for f in files.iter_mut() {
        let dir = if is_mod(f) { &mods.0 } else { &leaves.0 };
        let path = dir.join(&f.path);
        f.contents = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

fn write(path: &Path, contents: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, contents).map_err(|e| Error::io(path, e))
}

fn spawn_error(e: std::io::Error) -> Error {
    Error::Rustfmt(if e.kind() == std::io::ErrorKind::NotFound {
        "not found; install it with `rustup component add rustfmt` (or point $RUSTFMT at it)"
            .to_string()
    } else {
        format!("cannot run it: {e}")
    })
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
fn is_reached(file: &GeneratedFile, all: &[&GeneratedFile]) -> bool {
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

#[cfg(test)]
mod cache_tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    #[test]
    fn the_cache_returns_what_was_put_for_that_input_only() {
        let dir = std::env::temp_dir().join(format!("codegen-cache-{}", std::process::id()));
        let cache = Cache {
            dir: dir.clone(),
            salt: "rustfmt 1.0".into(),
        };
        let f = file("a.rs", "fn  x(){}");
        assert_eq!(cache.get(&f), None);
        cache.put(&f.path, &f.contents, "fn x() {}\n");
        assert_eq!(cache.get(&f).as_deref(), Some("fn x() {}\n"));
        // Another input, another path, or another rustfmt: no hit.
        assert_eq!(cache.get(&file("a.rs", "fn  y(){}")), None);
        assert_eq!(cache.get(&file("b.rs", "fn  x(){}")), None);
        let other = Cache {
            dir: dir.clone(),
            salt: "rustfmt 2.0".into(),
        };
        assert_eq!(other.get(&f), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_mod_rs_formats_alone_when_its_modules_come_from_the_cache() {
        // Only `mod.rs` changed: its modules are not formatted again, yet rustfmt must find them.
        let mut files = [file("gen/mod.rs", "mod  a;\npub  mod b;\n")];
        let others = [
            "gen/a.rs".to_string(),
            "gen/b/mod.rs".to_string(),
            "gen/mod.rs".to_string(),
        ];
        rustfmt_uncached(&mut files, None, &others).unwrap();
        assert_eq!(files[0].contents, "mod a;\npub mod b;\n");
        // Without them, rustfmt cannot resolve the modules.
        let mut files = [file("gen/mod.rs", "mod  a;\n")];
        assert!(rustfmt_uncached(&mut files, None, &[]).is_err());
    }
}
