//! The deploy repository: read a branch's manifests straight from git's
//! object store, commit a bump on a new branch without touching the user's
//! working tree or current branch, and push it.
//!
//! Everything runs the `git` program (never a shell) with `-C <repo>`, each
//! argument its own argv entry, `GIT_TERMINAL_PROMPT=0`, `LC_ALL=C` and stdin
//! closed. Variables that would redirect git elsewhere (`GIT_DIR`,
//! `GIT_WORK_TREE`, `GIT_INDEX_FILE`, …) are removed from its environment.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use tokio::io::AsyncWriteExt;

/// Builds an argv slice from `&str`, `String`, `Path`… values (for this
/// module and its files, which are declared below it).
macro_rules! argv {
    ($($a:expr),* $(,)?) => { [$(::std::ffi::OsStr::new(&$a)),*] };
}

mod branch;
mod run;
#[cfg(test)]
mod tests;
mod worktree;

pub use branch::bump_branch_name;
use run::{check_arg, command, describe, exec, failure, run};
use worktree::{WorktreeGuard, checked_rel_path, fill_and_commit, unique_temp_dir};

/// A failed git operation. Messages name the command and carry git's stderr.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GitError {
    pub message: String,
}

impl GitError {
    fn new(message: impl Into<String>) -> Self {
        GitError {
            message: message.into(),
        }
    }
}

/// Identity used when the repository has none configured.
const FALLBACK_NAME: &str = "opsdeck";
const FALLBACK_EMAIL: &str = "opsdeck@localhost";

/// `*` stays within a directory, `**` crosses directories.
fn build_globs(globs: &[String]) -> Result<GlobSet, GitError> {
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g).literal_separator(true).build();
        set.add(glob.map_err(|e| GitError::new(format!("invalid glob {g:?}: {e}")))?);
    }
    set.build()
        .map_err(|e| GitError::new(format!("invalid globs: {e}")))
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// A deploy repository's work tree (its top level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub path: std::path::PathBuf,
}

impl Repo {
    /// Checks that `path` is a git work tree (`git rev-parse --show-toplevel`);
    /// `~/` is expanded by the caller. The returned repo's path is the top level.
    pub async fn open(path: &Path) -> Result<Repo, GitError> {
        let out = run(path, &[], &argv!["rev-parse", "--show-toplevel"], None).await?;
        let top = out.strip_suffix(b"\n").unwrap_or(&out);
        if top.is_empty() {
            return Err(GitError::new(format!(
                "{} is not a git work tree",
                path.display()
            )));
        }
        Ok(Repo {
            path: path_from_bytes(top),
        })
    }

    async fn git(&self, args: &[&OsStr]) -> Result<Vec<u8>, GitError> {
        run(&self.path, &[], args, None).await
    }

    /// The files of `branch` (a local or remote-tracking branch, or any
    /// commit-ish) matching any of `globs`, with their contents, read from the
    /// object store rather than the working tree: one `git ls-tree` and one
    /// `git cat-file --batch` for all of them. Symlinks, submodules and
    /// non-UTF-8 files or paths are skipped (with a warning). Sorted by path.
    pub async fn files_at(
        &self,
        branch: &str,
        globs: &[String],
    ) -> Result<Vec<(String, String)>, GitError> {
        check_arg("branch", branch)?;
        let set = build_globs(globs)?;
        // Not --name-only: the full listing also has each entry's mode, type
        // and object id, so submodules and symlinks can be skipped and
        // cat-file is fed object ids (a path may contain a newline).
        let listing = self
            .git(&argv!["ls-tree", "-r", "-z", "--full-tree", branch])
            .await?;
        let mut wanted: Vec<(String, String)> = Vec::new();
        for entry in listing.split(|b| *b == 0) {
            // "<mode> SP <type> SP <oid> TAB <path>"
            let Some(tab) = entry.iter().position(|b| *b == b'\t') else {
                continue;
            };
            let meta = String::from_utf8_lossy(&entry[..tab]);
            let &[mode, "blob", oid] = meta.split(' ').collect::<Vec<_>>().as_slice() else {
                continue;
            };
            let Ok(path) = std::str::from_utf8(&entry[tab + 1..]) else {
                tracing::warn!(branch, path = %String::from_utf8_lossy(&entry[tab + 1..]), "skipping non-UTF-8 path");
                continue;
            };
            if mode != "120000" && set.is_match(path) {
                wanted.push((path.to_owned(), oid.to_owned()));
            }
        }
        wanted.sort();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let oids: Vec<&str> = wanted.iter().map(|(_, oid)| oid.as_str()).collect();
        let blobs = self.cat_blobs(&oids).await?;
        let mut files = Vec::with_capacity(wanted.len());
        for ((path, _), blob) in wanted.into_iter().zip(blobs) {
            match String::from_utf8(blob) {
                Ok(text) => files.push((path, text)),
                Err(_) => tracing::warn!(branch, path, "skipping non-UTF-8 file"),
            }
        }
        Ok(files)
    }

    /// The contents of the given blobs, in order, from one `git cat-file --batch`.
    async fn cat_blobs(&self, oids: &[&str]) -> Result<Vec<Vec<u8>>, GitError> {
        let args = argv!["cat-file", "--batch"];
        let label = describe(&args);
        let err = |what: String| GitError::new(format!("{label} failed: {what}"));
        let mut cmd = tokio::process::Command::from(command(&self.path, &[], &args));
        let mut child = cmd
            .stdin(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| err(e.to_string()))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| err("no stdin pipe".into()))?;
        let input = format!("{}\n", oids.join("\n"));
        // Write and read at once: git stops reading its input while its output
        // pipe is full, so writing everything first could deadlock.
        let writer = async move { stdin.write_all(input.as_bytes()).await };
        let (written, out) = tokio::join!(writer, child.wait_with_output());
        let out = out.map_err(|e| err(e.to_string()))?;
        if !out.status.success() {
            return Err(failure(&label, &out));
        }
        written.map_err(|e| err(format!("writing its input: {e}")))?;

        // Each answer: "<oid> <type> <size>\n<contents>\n", or "<oid> missing\n".
        let mut rest = out.stdout.as_slice();
        let mut blobs = Vec::with_capacity(oids.len());
        for oid in oids {
            let nl = rest
                .iter()
                .position(|b| *b == b'\n')
                .ok_or_else(|| err("output ended early".into()))?;
            let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
            let size = header
                .split(' ')
                .nth(2)
                .and_then(|s| s.parse::<usize>().ok());
            let size = size.ok_or_else(|| err(format!("for {oid}: {header}")))?;
            rest = &rest[nl + 1..];
            if rest.len() <= size {
                return Err(err("output ended early".into()));
            }
            blobs.push(rest[..size].to_vec());
            rest = &rest[size + 1..];
        }
        Ok(blobs)
    }

    /// Tracked files with uncommitted changes (staged or not); empty when
    /// clean. Untracked files are ignored.
    pub async fn dirty_files(&self) -> Result<Vec<String>, GitError> {
        // --no-optional-locks: don't refresh the user's index behind their back.
        let args = argv!["status", "--porcelain", "--untracked-files=no", "-z"];
        let out = run(&self.path, &["--no-optional-locks"], &args, None).await?;
        let mut files = Vec::new();
        let mut entries = out.split(|b| *b == 0).filter(|e| e.len() > 3);
        while let Some(entry) = entries.next() {
            files.push(String::from_utf8_lossy(&entry[3..]).into_owned());
            // With -z, a rename or copy ("XY new\0old\0") is followed by its source.
            if entry[..2].iter().any(|b| matches!(b, b'R' | b'C')) {
                entries.next();
            }
        }
        Ok(files)
    }

    /// Whether a local branch `name` or a remote-tracking branch
    /// `<remote>/<name>` exists (an empty `remote` checks local only).
    pub async fn branch_exists(&self, name: &str, remote: &str) -> Result<bool, GitError> {
        check_arg("branch", name)?;
        let local = format!("refs/heads/{name}");
        let tracking = if remote.is_empty() {
            local.clone()
        } else {
            format!("refs/remotes/{remote}/{name}")
        };
        let out = self
            .git(&argv![
                "for-each-ref",
                "--format=%(refname)",
                local,
                tracking
            ])
            .await?;
        // for-each-ref patterns also match refs below them (refs/heads/a
        // matches refs/heads/a/b), so compare exactly.
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .any(|r| r == local || r == tracking))
    }

    /// Which of `names` are branches on `remote` now: one `git ls-remote
    /// --heads` for all of them (it asks the remote, not the local
    /// remote-tracking refs, which may be stale).
    pub async fn remote_branches(
        &self,
        remote: &str,
        names: &[&str],
    ) -> Result<std::collections::BTreeSet<String>, GitError> {
        check_arg("remote", remote)?;
        let mut refs = Vec::with_capacity(names.len());
        for n in names {
            check_arg("branch", n)?;
            refs.push(format!("refs/heads/{n}"));
        }
        let mut args: Vec<&OsStr> = argv!["ls-remote", "--heads", "--", remote].to_vec();
        args.extend(refs.iter().map(OsStr::new));
        let out = self.git(&args).await?;
        // "<oid>\t<ref>\n"; patterns match a ref's tail, so compare exactly.
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(_, r)| refs.iter().any(|want| want == r))
            .filter_map(|(_, r)| r.strip_prefix("refs/heads/"))
            .map(str::to_owned)
            .collect())
    }

    /// `git config --get <key>`, empty when unset.
    async fn config_value(&self, key: &str) -> Result<String, GitError> {
        let args = argv!["config", "--get", key];
        let out = exec(&self.path, &[], &args).await?;
        match out.status.code() {
            Some(0) => Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned()),
            Some(1) => Ok(String::new()),
            _ => Err(failure(&describe(&args), &out)),
        }
    }

    /// Creates `new_branch` from `base` (with no upstream), writes `files`
    /// (repo-relative path → full new content) and commits them with `message`
    /// in a temporary worktree, so the user's working tree, index, HEAD and
    /// current branch are never touched. The worktree is always removed; on
    /// failure the new branch is deleted too. Returns the new commit's sha.
    /// Refuses a branch that already exists. Uses the repo's identity, or
    /// `opsdeck <opsdeck@localhost>` where none is configured.
    pub async fn commit_on_new_branch(
        &self,
        base: &str,
        new_branch: &str,
        files: &[(String, String)],
        message: &str,
    ) -> Result<String, GitError> {
        check_arg("base", base)?;
        check_arg("branch", new_branch)?;
        let valid = exec(
            &self.path,
            &[],
            &argv!["check-ref-format", format!("refs/heads/{new_branch}")],
        )
        .await?;
        if !valid.status.success() {
            return Err(GitError::new(format!("invalid branch name {new_branch:?}")));
        }
        if files.is_empty() {
            return Err(GitError::new(format!(
                "nothing to commit on {new_branch}: no files given"
            )));
        }
        for (path, _) in files {
            checked_rel_path(path)?;
        }
        if self.branch_exists(new_branch, "").await? {
            return Err(GitError::new(format!("branch {new_branch} already exists")));
        }
        let mut identity = Vec::new();
        for (key, fallback) in [("user.name", FALLBACK_NAME), ("user.email", FALLBACK_EMAIL)] {
            if self.config_value(key).await?.is_empty() {
                identity.extend(["-c".to_owned(), format!("{key}={fallback}")]);
            }
        }
        let identity: Vec<&str> = identity.iter().map(String::as_str).collect();

        let dir = unique_temp_dir();
        let mut guard = WorktreeGuard {
            repo: self.path.clone(),
            dir: dir.clone(),
            branch: new_branch.to_owned(),
            armed: true,
        };
        let add = argv![
            "worktree",
            "add",
            "--quiet",
            "--no-track",
            "-b",
            new_branch,
            dir,
            base
        ];
        let result = match self.git(&add).await {
            Ok(_) => fill_and_commit(&dir, files, message, &identity).await,
            // Whatever a failed `worktree add` left (a branch, a registered
            // worktree) is ours: the branch did not exist before.
            Err(e) => Err(e),
        };
        guard.cleanup(result.is_err()).await;
        result
    }

    /// `git push <remote> <branch>:refs/heads/<branch>` (never forced).
    pub async fn push(&self, remote: &str, branch: &str) -> Result<(), GitError> {
        check_arg("remote", remote)?;
        check_arg("branch", branch)?;
        let refspec = format!("{branch}:refs/heads/{branch}");
        let args = argv!["push", remote, refspec];
        run(
            &self.path,
            &[],
            &args,
            Some(&format!("git push {remote} {branch}")),
        )
        .await?;
        Ok(())
    }

    /// Deletes a local branch (`git branch -D`), e.g. after a failed push.
    pub async fn delete_branch(&self, branch: &str) -> Result<(), GitError> {
        check_arg("branch", branch)?;
        self.git(&argv!["branch", "-D", branch]).await?;
        Ok(())
    }
}
