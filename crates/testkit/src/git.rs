//! Git repositories in temporary directories.

use std::path::{Path, PathBuf};

/// Runs `git -C dir args…` with a throw-away identity; panics with git's
/// stderr on failure; returns its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A checkout (`deploy-sourcegraph`) with a bare `origin` (`remote.git`) in
/// a temporary directory, holding `files` in one commit on `master`, pushed.
/// Dropping it removes both.
pub struct GitRepo {
    _dir: tempfile::TempDir,
    /// The working copy.
    pub checkout: PathBuf,
    /// The bare remote `origin`.
    pub bare: PathBuf,
}

impl GitRepo {
    /// `files` are `(path relative to the checkout, contents)`.
    pub fn new(files: &[(&str, String)]) -> GitRepo {
        let dir = tempfile::tempdir().expect("tempdir");
        let bare = dir.path().join("remote.git");
        let checkout = dir.path().join("deploy-sourcegraph");
        std::fs::create_dir_all(&bare).expect("mkdir");
        std::fs::create_dir_all(&checkout).expect("mkdir");
        git(
            &bare,
            &["init", "--quiet", "--bare", "--initial-branch=master"],
        );
        git(&checkout, &["init", "--quiet", "--initial-branch=master"]);
        for (path, text) in files {
            let p = checkout.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        git(&checkout, &["add", "."]);
        git(&checkout, &["commit", "--quiet", "-m", "manifests"]);
        git(
            &checkout,
            &["remote", "add", "origin", &bare.to_string_lossy()],
        );
        git(&checkout, &["push", "--quiet", "origin", "master"]);
        GitRepo {
            _dir: dir,
            checkout,
            bare,
        }
    }
}
