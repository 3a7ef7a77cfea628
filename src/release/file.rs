//! The file backend's reads and writes.
//!
//! A tick writes through symbolic links: the chain is followed to the real
//! file, which is replaced atomically (a temporary file in *its* folder,
//! renamed over it), so the link stays a link and the target changes. The
//! file's permissions are kept. A file with more than one hard link cannot
//! be replaced without splitting its names, so it is changed in place: only
//! when the change is one checkbox byte (a tick), which is written at its
//! offset and flushed to disk; anything else is refused.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::error::ReleaseError;

/// A chain of more symbolic links than this is refused (as the kernel does).
const MAX_LINKS: usize = 40;

/// Reads the checklist file (through symbolic links).
pub fn read_file(path: &Path) -> Result<String, ReleaseError> {
    std::fs::read_to_string(path).map_err(|e| ReleaseError::read(path, &e))
}

/// Writes `body` to the file at `path` (through symbolic links), so that a
/// crash leaves either the old or the new file, never half of it.
///
/// Usually a temporary file in the real file's folder, flushed to disk, then
/// renamed over it (keeping its permissions). A file with several hard links
/// is changed in place instead, and only if the file now on disk differs from
/// `body` in exactly one checkbox byte (`[ ]` <-> `[x]`): that byte is written
/// and flushed. Otherwise, or for a symbolic link to nothing, nothing is
/// written and the error says why.
pub fn write_atomic(path: &Path, body: &str) -> Result<(), ReleaseError> {
    let target = resolve(path)?;
    if hard_links(&target) > 1 {
        write_in_place(path, &target, body.as_bytes())
    } else {
        replace(path, &target, body.as_bytes())
    }
}

fn refused(path: &Path, kind: io::ErrorKind, message: String) -> ReleaseError {
    ReleaseError::Write {
        path: path.to_path_buf(),
        kind,
        message: format!("{message}; nothing was written"),
    }
}

/// The file `path` names after following its symbolic links (`path` itself
/// if it is none, or does not exist).
fn resolve(path: &Path) -> Result<PathBuf, ReleaseError> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let dest =
                    std::fs::read_link(&current).map_err(|e| ReleaseError::write(path, &e))?;
                // A relative link is relative to the folder it is in.
                current = match current.parent() {
                    Some(dir) if dest.is_relative() => dir.join(dest),
                    _ => dest,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound && current != path => {
                return Err(refused(
                    path,
                    io::ErrorKind::NotFound,
                    format!(
                        "it is a symbolic link to {}, which does not exist",
                        current.display()
                    ),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(ReleaseError::write(path, &e)),
        }
    }
    Err(refused(
        path,
        io::ErrorKind::Other,
        format!("more than {MAX_LINKS} symbolic links in a row (a loop?)"),
    ))
}

#[cfg(unix)]
fn hard_links(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).map_or(1, |m| m.nlink())
}

#[cfg(not(unix))]
fn hard_links(_path: &Path) -> u64 {
    1
}

/// Replaces `target` (the real file `path` names) atomically with `body`.
fn replace(path: &Path, target: &Path, body: &[u8]) -> Result<(), ReleaseError> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "checklist".into());
    let tmp = dir.join(format!(".{name}.opsdeck-{}.tmp", std::process::id()));
    let old = std::fs::metadata(target).ok();
    let result = (|| -> io::Result<()> {
        let mut f = create_private(&tmp)?;
        f.write_all(body)?;
        if let Some(old) = &old {
            keep_owner(&f, old);
            f.set_permissions(old.permissions())?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, target)?;
        // The rename itself reaches the disk with the folder (best effort).
        #[cfg(unix)]
        let _ = File::open(dir).and_then(|d| d.sync_all());
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(ReleaseError::write(path, &e));
    }
    Ok(())
}

/// A new file only we can read until its permissions are set (never
/// following a link someone left at `tmp`).
fn create_private(tmp: &Path) -> io::Result<File> {
    let open = || {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(tmp)
    };
    match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // A leftover of an earlier run with our process id.
            std::fs::remove_file(tmp)?;
            open()
        }
        other => other,
    }
}

/// Gives the new file the old one's owner and group, as far as we may (the
/// group matters for a shared `0640` checklist).
#[cfg(unix)]
fn keep_owner(f: &File, old: &std::fs::Metadata) {
    use std::os::unix::fs::{MetadataExt, fchown};
    if fchown(f, Some(old.uid()), Some(old.gid())).is_err() {
        let _ = fchown(f, None, Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_f: &File, _old: &std::fs::Metadata) {}

/// Writes the one checkbox byte in which `target` (a file with several hard
/// links) differs from `body`, in place.
fn write_in_place(path: &Path, target: &Path, body: &[u8]) -> Result<(), ReleaseError> {
    let io_error = |e: io::Error| ReleaseError::write(path, &e);
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(target)
        .map_err(io_error)?;
    let mut now = Vec::with_capacity(body.len());
    f.read_to_end(&mut now).map_err(io_error)?;
    if now == body {
        return Ok(());
    }
    let links = hard_links(target);
    let changed: Vec<usize> = (0..now.len().min(body.len()))
        .filter(|&i| now[i] != body[i])
        .collect();
    let at = match changed.as_slice() {
        [at] if now.len() == body.len() && is_checkbox(&now, *at) && is_checkbox(body, *at) => *at,
        _ => {
            return Err(refused(
                path,
                io::ErrorKind::InvalidData,
                format!(
                    "the file has {links} hard links, so it is changed in place, and only by \
                     one checkbox; it changed since it was read (check it and tick again)"
                ),
            ));
        }
    };
    let result = (|| -> io::Result<()> {
        f.seek(SeekFrom::Start(at as u64))?;
        f.write_all(&body[at..=at])?;
        f.sync_all()
    })();
    result.map_err(io_error)
}

/// Whether `bytes[at]` is the mark inside a `[?]` checkbox.
fn is_checkbox(bytes: &[u8], at: usize) -> bool {
    let mark = matches!(
        bytes.get(at),
        Some(b' ' | b'\t' | 0x0b | 0x0c | b'x' | b'X')
    );
    mark && at > 0 && bytes.get(at - 1) == Some(&b'[') && bytes.get(at + 1) == Some(&b']')
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    const BODY: &str = "# 3.23\n\n## Setup\n\n- [ ] Create the `3.23` branch\r\n- [x] Tag it\n";

    fn ticked() -> String {
        BODY.replacen("- [ ] Create", "- [x] Create", 1)
    }

    fn differing(a: &[u8], b: &[u8]) -> usize {
        a.iter().zip(b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len())
    }

    #[test]
    fn a_symlink_stays_a_link_and_its_target_is_ticked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.md");
        std::fs::write(&real, BODY).expect("write");
        let link = dir.path().join("RELEASE.md");
        symlink(&real, &link).expect("symlink");

        write_atomic(&link, &ticked()).expect("write");
        let meta = std::fs::symlink_metadata(&link).expect("meta");
        assert!(meta.file_type().is_symlink());
        assert_eq!(std::fs::read_link(&link).expect("link"), real);
        let now = std::fs::read(&real).expect("read");
        assert_eq!(now, ticked().as_bytes());
        assert_eq!(differing(&now, BODY.as_bytes()), 1);
        assert!(now.windows(2).any(|w| w == b"\r\n"), "line endings kept");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_relative_link_in_another_folder_and_a_chain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (docs, conf) = (dir.path().join("docs"), dir.path().join("conf"));
        std::fs::create_dir_all(docs.join("releases")).expect("mkdir");
        std::fs::create_dir_all(&conf).expect("mkdir");
        let real = docs.join("releases").join("3.23.md");
        std::fs::write(&real, BODY).expect("write");
        // conf/current.md -> ../docs/current.md -> releases/3.23.md
        symlink("releases/3.23.md", docs.join("current.md")).expect("symlink");
        let link = conf.join("current.md");
        symlink("../docs/current.md", &link).expect("symlink");

        write_atomic(&link, &ticked()).expect("write");
        assert_eq!(std::fs::read_to_string(&real).expect("read"), ticked());
        for l in [&link, &docs.join("current.md")] {
            assert!(std::fs::symlink_metadata(l).expect("meta").is_symlink());
        }
        assert_eq!(
            std::fs::read_link(&link).expect("link"),
            Path::new("../docs/current.md")
        );
        // The temporary file went in the target's folder, and is gone.
        assert_eq!(
            std::fs::read_dir(docs.join("releases"))
                .expect("dir")
                .count(),
            1
        );
        assert_eq!(std::fs::read_dir(&conf).expect("dir").count(), 1);
    }

    #[test]
    fn a_hard_linked_file_is_ticked_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.md");
        let b = dir.path().join("b.md");
        std::fs::write(&a, BODY).expect("write");
        std::fs::hard_link(&a, &b).expect("hard link");
        let inode = std::fs::metadata(&a).expect("meta").ino();

        write_atomic(&b, &ticked()).expect("write");
        for name in [&a, &b] {
            let meta = std::fs::metadata(name).expect("meta");
            assert_eq!((meta.ino(), meta.nlink()), (inode, 2));
            assert_eq!(std::fs::read_to_string(name).expect("read"), ticked());
        }
        // Unticking works the same way; writing the same body writes nothing.
        write_atomic(&a, BODY).expect("untick");
        assert_eq!(std::fs::read_to_string(&b).expect("read"), BODY);
        write_atomic(&a, BODY).expect("same");
        assert_eq!(std::fs::metadata(&b).expect("meta").ino(), inode);
    }

    #[test]
    fn a_hard_linked_file_that_changed_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.md");
        std::fs::write(&a, BODY).expect("write");
        std::fs::hard_link(&a, dir.path().join("b.md")).expect("hard link");
        let edited = BODY.replace("Tag it", "Tag it now");
        let two = ticked().replacen("- [x] Tag", "- [ ] Tag", 1);
        let text = BODY.replace("Create the", "Cut the");
        let byte = BODY.replace("Tag it", "Tag in");
        for body in [&edited, &two, &text, &byte] {
            let e = write_atomic(&a, body).expect_err("refused");
            assert!(matches!(
                e,
                ReleaseError::Write {
                    kind: io::ErrorKind::InvalidData,
                    ..
                }
            ));
            assert_eq!(
                e.to_string(),
                format!(
                    "writing {}: the file has 2 hard links, so it is changed in place, and only \
                     by one checkbox; it changed since it was read (check it and tick again); \
                     nothing was written",
                    a.display()
                )
            );
            assert_eq!(std::fs::read_to_string(&a).expect("read"), BODY);
        }
    }

    #[test]
    fn the_mode_is_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.md");
        std::fs::write(&real, BODY).expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = dir.path().join("RELEASE.md");
        symlink("real.md", &link).expect("symlink");
        write_atomic(&link, &ticked()).expect("write");
        let mode = std::fs::metadata(&real).expect("meta").permissions().mode();
        assert_eq!(mode & 0o7777, 0o640);
        // In place (hard links) too.
        std::fs::hard_link(&real, dir.path().join("other.md")).expect("hard link");
        write_atomic(&real, BODY).expect("write");
        let mode = std::fs::metadata(&real).expect("meta").permissions().mode();
        assert_eq!(mode & 0o7777, 0o640);
    }

    #[test]
    fn a_dangling_link_or_a_loop_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("RELEASE.md");
        let gone = dir.path().join("gone.md");
        symlink(&gone, &link).expect("symlink");
        let e = write_atomic(&link, BODY).expect_err("dangling");
        assert!(matches!(
            e,
            ReleaseError::Write {
                kind: io::ErrorKind::NotFound,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            format!(
                "writing {}: it is a symbolic link to {}, which does not exist; nothing was written",
                link.display(),
                gone.display()
            )
        );
        assert!(!gone.exists());
        assert!(std::fs::symlink_metadata(&link).expect("meta").is_symlink());
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);

        let (a, b) = (dir.path().join("a.md"), dir.path().join("b.md"));
        symlink(&b, &a).expect("symlink");
        symlink(&a, &b).expect("symlink");
        let e = write_atomic(&a, BODY).expect_err("loop").to_string();
        assert!(e.contains("more than 40 symbolic links"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 3);
    }

    #[test]
    fn a_plain_file_is_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("RELEASE.md");
        std::fs::write(&path, BODY).expect("write");
        let inode = std::fs::metadata(&path).expect("meta").ino();
        write_atomic(&path, &ticked()).expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), ticked());
        assert_ne!(
            std::fs::metadata(&path).expect("meta").ino(),
            inode,
            "renamed over"
        );
        // A stale temporary file of ours does not stop the write.
        let stale = dir
            .path()
            .join(format!(".RELEASE.md.opsdeck-{}.tmp", std::process::id()));
        std::fs::write(&stale, "stale").expect("write");
        write_atomic(&path, BODY).expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), BODY);
        assert!(!stale.exists());
    }
}
