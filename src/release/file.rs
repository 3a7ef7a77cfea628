//! The file backend's reads and writes: a tick replaces the checklist file
//! atomically, keeping its permissions.

use std::io::Write;
use std::path::Path;

use super::error::ReleaseError;

/// Reads the checklist file.
pub fn read_file(path: &Path) -> Result<String, ReleaseError> {
    std::fs::read_to_string(path).map_err(|e| ReleaseError::read(path, &e))
}

/// Writes `body` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over the original (keeping its
/// permissions). A crash leaves either the old or the new file, never half.
pub fn write_atomic(path: &Path, body: &str) -> Result<(), ReleaseError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "checklist".into());
    let tmp = dir.join(format!(".{name}.opsdeck-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(body.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(ReleaseError::write(path, &e));
    }
    Ok(())
}
