//! Writing spec files: both importers replace a file only by renaming a finished one over it.

use std::io::Write;
use std::path::Path;

/// Writes `text` to a temporary file beside `path`, flushes it to disk, then renames it over
/// `path`. A failure leaves `path` as it was and removes the temporary file.
pub(crate) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("action.json");
    let tmp = dir.join(format!(".{file_name}.import-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
