//! The temporary worktree a bump is committed in, so the user's checkout is
//! never touched, and its cleanup.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::GitError;
use super::run::{command, run};

/// A path we may write under a worktree: relative, no `.`/`..`/`.git` component.
pub(super) fn checked_rel_path(path: &str) -> Result<&Path, GitError> {
    let p = Path::new(path);
    let plain = |c: Component| matches!(c, Component::Normal(s) if !s.eq_ignore_ascii_case(".git"));
    if path.is_empty() || !p.components().all(plain) {
        return Err(GitError::new(format!(
            "refusing to write {path:?}: not a plain repository-relative path"
        )));
    }
    Ok(p)
}

pub(super) fn unique_temp_dir() -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("opsdeck-bump-{}-{nanos}-{n}", std::process::id()))
}

/// Writes `files` into the worktree at `dir`, stages and commits them.
pub(super) async fn fill_and_commit(
    dir: &Path,
    files: &[(String, String)],
    message: &str,
    identity: &[&str],
) -> Result<String, GitError> {
    for (path, content) in files {
        let mut at = dir.to_path_buf();
        for part in checked_rel_path(path)?.components() {
            at.push(part);
            // Never follow a symlink committed in the repository out of the worktree.
            if tokio::fs::symlink_metadata(&at)
                .await
                .is_ok_and(|m| m.file_type().is_symlink())
            {
                return Err(GitError::new(format!(
                    "refusing to write {path}: it goes through a symlink"
                )));
            }
        }
        let written = match at.parent() {
            Some(parent) => tokio::fs::create_dir_all(parent).await,
            None => Ok(()),
        };
        let written = match written {
            Ok(()) => tokio::fs::write(&at, content).await,
            Err(e) => Err(e),
        };
        written.map_err(|e| GitError::new(format!("writing {path} failed: {e}")))?;
    }
    let mut add = vec![OsStr::new("add"), OsStr::new("--")];
    add.extend(files.iter().map(|(p, _)| OsStr::new(p)));
    // Literal pathspecs: a file named `a*.yaml` must not act as a glob.
    run(dir, &["--literal-pathspecs"], &add, Some("git add")).await?;
    run(
        dir,
        identity,
        &argv!["commit", "--quiet", "-m", message],
        Some("git commit"),
    )
    .await?;
    let sha = run(dir, &[], &argv!["rev-parse", "--verify", "HEAD"], None).await?;
    Ok(String::from_utf8_lossy(&sha).trim().to_owned())
}

/// Removes the temporary worktree (and, on failure, the new branch), also
/// when the future doing the commit is dropped half-way.
pub(super) struct WorktreeGuard {
    pub(super) repo: PathBuf,
    pub(super) dir: PathBuf,
    pub(super) branch: String,
    pub(super) armed: bool,
}

impl WorktreeGuard {
    /// Best-effort steps, in order: the worktree may be half-created and the
    /// branch may not exist. The directory is deleted after step 0 (in case
    /// `worktree remove` failed) so that `prune` forgets it.
    fn steps(&self, delete_branch: bool) -> Vec<Vec<&OsStr>> {
        let mut steps = vec![
            argv!["worktree", "remove", "--force", self.dir].to_vec(),
            argv!["worktree", "prune"].to_vec(),
        ];
        if delete_branch {
            steps.push(argv!["branch", "-D", self.branch].to_vec());
        }
        steps
    }

    pub(super) async fn cleanup(&mut self, delete_branch: bool) {
        self.armed = false;
        for (i, args) in self.steps(delete_branch).iter().enumerate() {
            if let Err(e) = run(&self.repo, &[], args, None).await {
                tracing::debug!(error = %e, "worktree cleanup step failed");
            }
            if i == 0 && tokio::fs::try_exists(&self.dir).await.unwrap_or(false) {
                let _ = tokio::fs::remove_dir_all(&self.dir).await;
            }
        }
    }
}

impl Drop for WorktreeGuard {
    fn drop(&mut self) {
        if self.armed {
            tracing::warn!(dir = %self.dir.display(), "commit cancelled; removing its worktree and branch");
            for (i, args) in self.steps(true).iter().enumerate() {
                let _ = command(&self.repo, &[], args).output();
                if i == 0 {
                    let _ = std::fs::remove_dir_all(&self.dir);
                }
            }
        }
    }
}
