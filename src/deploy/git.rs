//! The deploy repository: read a branch's manifests straight from git's
//! object store, commit a bump on a new branch without touching the user's
//! working tree or current branch, and push it.
//!
//! Everything runs the `git` program (never a shell) with `-C <repo>`, each
//! argument its own argv entry, `GIT_TERMINAL_PROMPT=0`, `LC_ALL=C` and stdin
//! closed. Variables that would redirect git elsewhere (`GIT_DIR`,
//! `GIT_WORK_TREE`, `GIT_INDEX_FILE`, …) are removed from its environment.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use tokio::io::AsyncWriteExt;

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

/// Variables that would make git ignore `-C <dir>` (e.g. when opsdeck itself
/// is started from a git hook).
const REDIRECTING_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
];

/// Builds an argv slice from `&str`, `String`, `Path`… values.
macro_rules! argv {
    ($($a:expr),* $(,)?) => { [$(OsStr::new(&$a)),*] };
}

/// `git <args>` for messages (without `-C` and global `-c` options).
fn describe(args: &[&OsStr]) -> String {
    args.iter().fold("git".to_owned(), |s, a| {
        format!("{s} {}", a.to_string_lossy())
    })
}

fn command(dir: &Path, pre: &[&str], args: &[&OsStr]) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.arg("-C").arg(dir).args(pre).args(args);
    cmd.env("GIT_TERMINAL_PROMPT", "0").env("LC_ALL", "C");
    for var in REDIRECTING_ENV {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Git's complaint: stderr, else stdout (`git commit` reports "nothing to
/// commit" on stdout), else the exit status.
fn failure(label: &str, out: &std::process::Output) -> GitError {
    let (stderr, stdout) = (
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout),
    );
    let detail = match (stderr.trim(), stdout.trim(), out.status.code()) {
        ("", "", Some(code)) => format!("exit status {code}"),
        ("", "", None) => "killed by a signal".to_owned(),
        ("", stdout, _) => stdout.to_owned(),
        (stderr, _, _) => stderr.to_owned(),
    };
    GitError::new(format!("{label} failed: {detail}"))
}

/// Runs git and returns its output whatever the exit status.
async fn exec(dir: &Path, pre: &[&str], args: &[&OsStr]) -> Result<std::process::Output, GitError> {
    tracing::debug!(dir = %dir.display(), cmd = %describe(args), "running git");
    let out = tokio::process::Command::from(command(dir, pre, args))
        .output()
        .await;
    out.map_err(|e| GitError::new(format!("{} failed: could not run git: {e}", describe(args))))
}

/// Runs git; a non-zero exit is an error naming `label` (default: the command).
async fn run(
    dir: &Path,
    pre: &[&str],
    args: &[&OsStr],
    label: Option<&str>,
) -> Result<Vec<u8>, GitError> {
    let out = exec(dir, pre, args).await?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    Err(failure(label.unwrap_or(&describe(args)), &out))
}

/// Refs, remotes and branch names reach git as separate argv entries, but one
/// starting with `-` would still be read as an option.
fn check_arg(what: &str, value: &str) -> Result<(), GitError> {
    if value.is_empty() || value.starts_with('-') {
        return Err(GitError::new(format!("invalid {what} {value:?}")));
    }
    Ok(())
}

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

/// A path we may write under a worktree: relative, no `.`/`..`/`.git` component.
fn checked_rel_path(path: &str) -> Result<&Path, GitError> {
    let p = Path::new(path);
    let plain = |c: Component| matches!(c, Component::Normal(s) if !s.eq_ignore_ascii_case(".git"));
    if path.is_empty() || !p.components().all(plain) {
        return Err(GitError::new(format!(
            "refusing to write {path:?}: not a plain repository-relative path"
        )));
    }
    Ok(p)
}

fn unique_temp_dir() -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("opsdeck-bump-{}-{nanos}-{n}", std::process::id()))
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

/// Writes `files` into the worktree at `dir`, stages and commits them.
async fn fill_and_commit(
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
struct WorktreeGuard {
    repo: PathBuf,
    dir: PathBuf,
    branch: String,
    armed: bool,
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

    async fn cleanup(&mut self, delete_branch: bool) {
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

/// A branch name for a bump: `opsdeck/bump-<image>-<tag>` for one image (the
/// last path component of its repository), `opsdeck/bump-<n>-images-<hash>`
/// for several (a stable hash of the images and tags, order-independent).
/// Characters git refuses in a ref are replaced by `-`.
pub fn bump_branch_name(images: &[(String, String)]) -> String {
    let mut uniq: Vec<&(String, String)> = images.iter().collect();
    uniq.sort();
    uniq.dedup();
    if let [(repository, tag)] = uniq.as_slice() {
        let name = repository.rsplit('/').next().unwrap_or(repository);
        return format!(
            "opsdeck/bump-{}",
            sanitize_ref_component(&format!("{name}-{tag}"))
        );
    }
    // FNV-1a: stable across Rust versions, unlike std's hashers.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uniq
        .iter()
        .flat_map(|(r, t)| r.bytes().chain([0]).chain(t.bytes()).chain([0]))
    {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!(
        "opsdeck/bump-{}-images-{:08x}",
        uniq.len(),
        (hash ^ (hash >> 32)) as u32
    )
}

/// Makes `s` safe as one component of a ref name (see git-check-ref-format).
fn sanitize_ref_component(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let bad = c.is_control()
            || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\' | '/')
            || (c == '.' && (out.is_empty() || out.ends_with('.')))
            || (c == '@' && chars.get(i + 1) == Some(&'{'));
        out.push(if bad { '-' } else { c });
    }
    if out.ends_with('.') {
        out.pop();
        out.push('-');
    }
    if let Some(stem) = out.strip_suffix(".lock") {
        out = format!("{stem}-lock");
    }
    if out.is_empty() || out == "@" {
        out = "-".to_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONTEND: &str = "base/frontend/frontend.Deployment.yaml";
    const GITSERVER: &str = "base/gitserver/gitserver.StatefulSet.yaml";
    const COMPOSE: &str = "docker-compose/docker-compose.yaml";
    const BRANCH: &str = "opsdeck/bump-frontend-3.23.0";

    /// Test-side git with a fixed identity and no signing; panics on failure.
    async fn git(dir: &Path, args: &[&str]) -> String {
        let pre = [
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ];
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = run(dir, &pre, &args, None).await.expect("git");
        String::from_utf8(out).expect("utf8").trim().to_owned()
    }

    fn write(dir: &Path, rel: &str, content: &[u8]) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    fn read(dir: &Path, rel: &str) -> String {
        std::fs::read_to_string(dir.join(rel)).expect("read")
    }

    fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    struct Fixture {
        _tmp: tempfile::TempDir,
        bare: PathBuf,
        work: PathBuf,
        repo: Repo,
    }

    /// A bare `origin` and a clone with manifests committed and pushed on master.
    async fn fixture() -> Fixture {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (bare, work) = (tmp.path().join("remote.git"), tmp.path().join("work"));
        let init = ["-c", "init.defaultBranch=master", "init", "--quiet"];
        git(
            tmp.path(),
            &[&init[..], &["--bare", bare.to_str().expect("utf8")]].concat(),
        )
        .await;
        git(
            tmp.path(),
            &[&init[..], &[work.to_str().expect("utf8")]].concat(),
        )
        .await;
        for (k, v) in [
            ("user.name", "Fixture"),
            ("user.email", "fixture@example.com"),
            ("commit.gpgsign", "false"),
        ] {
            git(&work, &["config", k, v]).await;
        }
        write(&work, FRONTEND, b"image: frontend:3.22.0\n");
        write(&work, GITSERVER, b"image: gitserver:3.22.0\n");
        write(&work, COMPOSE, b"services: {}\n");
        write(&work, "README.md", b"# deploy\n");
        git(&work, &["add", "-A"]).await;
        git(&work, &["commit", "--quiet", "-m", "initial"]).await;
        git(
            &work,
            &["remote", "add", "origin", bare.to_str().expect("utf8")],
        )
        .await;
        git(&work, &["push", "--quiet", "-u", "origin", "master"]).await;
        let repo = Repo::open(&work).await.expect("open");
        Fixture {
            _tmp: tmp,
            bare,
            work,
            repo,
        }
    }

    #[tokio::test]
    async fn open_finds_the_top_level_and_rejects_non_work_trees() {
        let f = fixture().await;
        assert_eq!(
            Repo::open(&f.work.join("base/frontend"))
                .await
                .expect("subdir")
                .path,
            f.repo.path
        );
        assert!(
            Repo::open(&f.bare).await.is_err(),
            "a bare repo has no work tree"
        );
        let err = Repo::open(&f.work.join("nope"))
            .await
            .expect_err("missing dir");
        assert!(
            err.message
                .starts_with("git rev-parse --show-toplevel failed: fatal: "),
            "{err}"
        );
    }

    #[tokio::test]
    async fn files_at_reads_the_branch_not_the_working_tree() {
        let f = fixture().await;
        write(&f.work, FRONTEND, b"image: frontend:9.9.9\n");
        write(&f.work, "base/untracked.yaml", b"x: 1\n");
        let globs = [
            "base/**/*.yaml".to_owned(),
            "docker-compose/*.yaml".to_owned(),
        ];
        let expected = owned(&[
            (FRONTEND, "image: frontend:3.22.0\n"),
            (GITSERVER, "image: gitserver:3.22.0\n"),
            (COMPOSE, "services: {}\n"),
        ]);
        let mut expected = expected;
        expected.sort();
        for branch in ["master", "origin/master"] {
            assert_eq!(
                f.repo.files_at(branch, &globs).await.expect("files_at"),
                expected,
                "{branch}"
            );
        }
        // `*` stays within one directory; `.yml` is not `.yaml`.
        let none = ["base/*.yaml".to_owned(), "docker-compose/*.yml".to_owned()];
        assert_eq!(f.repo.files_at("master", &none).await, Ok(vec![]));
        let err = f
            .repo
            .files_at("no-such-branch", &globs)
            .await
            .expect_err("bad ref");
        assert!(
            err.message
                .starts_with("git ls-tree -r -z --full-tree no-such-branch failed: fatal: "),
            "{err}"
        );
        assert!(f.repo.files_at("master", &["[".to_owned()]).await.is_err());
    }

    #[tokio::test]
    async fn files_at_skips_non_utf8_and_handles_many_files() {
        let f = fixture().await;
        write(&f.work, "base/binary.yaml", &[0xff, 0xfe, b'\n']);
        for i in 0..500 {
            write(
                &f.work,
                &format!("base/many/f{i:03}.yaml"),
                format!("n: {i}\n").as_bytes(),
            );
        }
        git(&f.work, &["add", "-A"]).await;
        git(&f.work, &["commit", "--quiet", "-m", "many"]).await;
        let start = std::time::Instant::now();
        let files = f
            .repo
            .files_at("master", &["base/**".to_owned()])
            .await
            .expect("files_at");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(
            files.len(),
            502,
            "500 + frontend + gitserver; the binary is skipped"
        );
        assert!(files.contains(&("base/many/f123.yaml".to_owned(), "n: 123\n".to_owned())));
        assert!(files.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
    }

    #[tokio::test]
    async fn dirty_files_lists_changed_tracked_files_only() {
        let f = fixture().await;
        assert_eq!(f.repo.dirty_files().await, Ok(vec![]));
        write(&f.work, FRONTEND, b"changed\n");
        write(&f.work, "untracked.txt", b"new\n");
        assert_eq!(f.repo.dirty_files().await, Ok(vec![FRONTEND.to_owned()]));
        git(&f.work, &["mv", "README.md", "README2.md"]).await;
        let mut dirty = f.repo.dirty_files().await.expect("status");
        dirty.sort();
        assert_eq!(dirty, vec!["README2.md".to_owned(), FRONTEND.to_owned()]);
    }

    #[tokio::test]
    async fn branch_exists_checks_local_and_remote_tracking_exactly() {
        let f = fixture().await;
        git(&f.work, &["branch", "local-only"]).await;
        git(&f.work, &["branch", "opsdeck/bump-x"]).await;
        git(
            &f.work,
            &["update-ref", "refs/remotes/origin/remote-only", "HEAD"],
        )
        .await;
        for (name, remote, expected) in [
            ("master", "origin", true),
            ("local-only", "origin", true),
            ("remote-only", "origin", true),
            ("remote-only", "", false),
            ("remote-only", "upstream", false),
            ("absent", "origin", false),
            ("opsdeck", "origin", false),
        ] {
            assert_eq!(
                f.repo.branch_exists(name, remote).await,
                Ok(expected),
                "{name} {remote}"
            );
        }
    }

    #[tokio::test]
    async fn commit_on_new_branch_leaves_the_user_alone() {
        let f = fixture().await;
        write(&f.work, "README.md", b"dirty\n");
        let head = git(&f.work, &["rev-parse", "HEAD"]).await;
        let files = owned(&[
            (FRONTEND, "image: frontend:3.23.0\n"),
            ("base/new/x.yaml", "new: true\n"),
        ]);
        let sha = f
            .repo
            .commit_on_new_branch("origin/master", BRANCH, &files, "Bump frontend")
            .await
            .expect("commit");
        assert_eq!(git(&f.work, &["rev-parse", BRANCH]).await, sha);
        assert_eq!(git(&f.work, &["rev-parse", &format!("{sha}^")]).await, head);
        for (path, content) in &files {
            assert_eq!(
                git(&f.work, &["show", &format!("{BRANCH}:{path}")]).await,
                content.trim_end()
            );
        }
        assert_eq!(
            git(&f.work, &["show", &format!("{BRANCH}:{GITSERVER}")]).await,
            "image: gitserver:3.22.0"
        );
        let log = git(&f.work, &["log", "-1", "--format=%an <%ae>|%s", BRANCH]).await;
        assert_eq!(log, "Fixture <fixture@example.com>|Bump frontend");
        // The user's branch, HEAD, working tree and index are untouched.
        assert_eq!(
            git(&f.work, &["symbolic-ref", "--short", "HEAD"]).await,
            "master"
        );
        assert_eq!(git(&f.work, &["rev-parse", "HEAD"]).await, head);
        assert_eq!(read(&f.work, "README.md"), "dirty\n");
        assert_eq!(read(&f.work, FRONTEND), "image: frontend:3.22.0\n");
        assert!(!f.work.join("base/new").exists());
        assert_eq!(f.repo.dirty_files().await, Ok(vec!["README.md".to_owned()]));
        assert_eq!(git(&f.work, &["worktree", "list"]).await.lines().count(), 1);
        // No upstream was set up from origin/master.
        assert_eq!(
            f.repo.config_value(&format!("branch.{BRANCH}.merge")).await,
            Ok(String::new())
        );
        // An existing branch is refused and left as it was.
        let err = f
            .repo
            .commit_on_new_branch("master", BRANCH, &files, "again")
            .await
            .expect_err("exists");
        assert_eq!(err.message, format!("branch {BRANCH} already exists"));
        assert_eq!(git(&f.work, &["rev-parse", BRANCH]).await, sha);
    }

    #[tokio::test]
    async fn failed_commits_leave_nothing_behind() {
        let f = fixture().await;
        let unchanged = owned(&[(FRONTEND, "image: frontend:3.22.0\n")]);
        let err = f
            .repo
            .commit_on_new_branch("master", BRANCH, &unchanged, "noop")
            .await
            .expect_err("no change");
        assert!(
            err.message.starts_with("git commit failed: ")
                && err.message.contains("nothing to commit"),
            "{err}"
        );
        let changed = owned(&[(FRONTEND, "x\n")]);
        let err = f
            .repo
            .commit_on_new_branch("no-such-base", BRANCH, &changed, "m")
            .await
            .expect_err("base");
        assert!(err.message.contains("git worktree add"), "{err}");
        for (branch, path) in [
            (BRANCH, "../evil.yaml"),
            (BRANCH, ".git/config"),
            ("bad..name", FRONTEND),
        ] {
            let files = owned(&[(path, "x\n")]);
            assert!(
                f.repo
                    .commit_on_new_branch("master", branch, &files, "m")
                    .await
                    .is_err(),
                "{branch} {path}"
            );
        }
        // A committed symlink must not let a write escape the worktree.
        std::os::unix::fs::symlink(f.bare.as_path(), f.work.join("link")).expect("symlink");
        git(&f.work, &["add", "link"]).await;
        git(&f.work, &["commit", "--quiet", "-m", "link"]).await;
        let through = owned(&[("link/evil", "x\n")]);
        let err = f
            .repo
            .commit_on_new_branch("master", BRANCH, &through, "m")
            .await
            .expect_err("symlink");
        assert!(err.message.contains("symlink"), "{err}");
        assert!(!f.bare.join("evil").exists());
        assert_eq!(f.repo.branch_exists(BRANCH, "origin").await, Ok(false));
        assert_eq!(git(&f.work, &["worktree", "list"]).await.lines().count(), 1);
    }

    #[tokio::test]
    async fn a_dropped_commit_cleans_up_after_itself() {
        let f = fixture().await;
        let dir = unique_temp_dir();
        git(
            &f.work,
            &[
                "worktree",
                "add",
                "--quiet",
                "-b",
                BRANCH,
                dir.to_str().expect("utf8"),
                "master",
            ],
        )
        .await;
        let guard = WorktreeGuard {
            repo: f.repo.path.clone(),
            dir: dir.clone(),
            branch: BRANCH.to_owned(),
            armed: true,
        };
        drop(guard);
        assert!(!dir.exists());
        assert_eq!(f.repo.branch_exists(BRANCH, "").await, Ok(false));
        assert_eq!(git(&f.work, &["worktree", "list"]).await.lines().count(), 1);
    }

    #[tokio::test]
    async fn commits_fall_back_to_an_opsdeck_identity() {
        let f = fixture().await;
        git(&f.work, &["config", "user.name", ""]).await;
        git(&f.work, &["config", "user.email", ""]).await;
        let files = owned(&[(COMPOSE, "services: {a: {}}\n")]);
        f.repo
            .commit_on_new_branch("master", BRANCH, &files, "m")
            .await
            .expect("commit");
        let author = git(&f.work, &["log", "-1", "--format=%an <%ae>", BRANCH]).await;
        assert_eq!(author, "opsdeck <opsdeck@localhost>");
    }

    #[tokio::test]
    async fn push_lands_the_branch_and_failures_say_why() {
        let f = fixture().await;
        let files = owned(&[(FRONTEND, "image: frontend:3.23.0\n")]);
        let sha = f
            .repo
            .commit_on_new_branch("origin/master", BRANCH, &files, "m")
            .await
            .expect("commit");
        f.repo.push("origin", BRANCH).await.expect("push");
        assert_eq!(git(&f.bare, &["rev-parse", BRANCH]).await, sha);
        assert_eq!(f.repo.branch_exists(BRANCH, "origin").await, Ok(true));

        let err = f
            .repo
            .push("nope", BRANCH)
            .await
            .expect_err("missing remote");
        let expected = format!(
            "git push nope {BRANCH} failed: fatal: 'nope' does not appear to be a git repository"
        );
        assert!(err.message.starts_with(&expected), "{err}");
        assert!(f.repo.push("--force", BRANCH).await.is_err());

        f.repo.delete_branch(BRANCH).await.expect("delete");
        assert_eq!(f.repo.branch_exists(BRANCH, "").await, Ok(false));
        assert!(f.repo.delete_branch(BRANCH).await.is_err());
    }

    #[tokio::test]
    async fn bump_branch_names_are_valid_refs() {
        let name = |items: &[(&str, &str)]| bump_branch_name(&owned(items));
        assert_eq!(
            name(&[("index.docker.io/sourcegraph/frontend", "3.23.0")]),
            BRANCH
        );
        assert_eq!(
            name(&[("redis", "7.2"), ("redis", "7.2")]),
            "opsdeck/bump-redis-7.2"
        );
        assert_eq!(
            name(&[("a/b", "x..y~1^2:3?*[\\ @{z}.lock")]),
            "opsdeck/bump-b-x.-y-1-2-3------{z}-lock"
        );
        assert_eq!(name(&[("app", "1.")]), "opsdeck/bump-app-1-");
        let two = [("org/frontend", "3.23.0"), ("org/gitserver", "3.23.0")];
        let multi = name(&two);
        assert!(
            multi.starts_with("opsdeck/bump-2-images-") && multi.len() == 30,
            "{multi}"
        );
        assert_eq!(name(&[two[1], two[0]]), multi, "order does not matter");
        assert_ne!(name(&[("org/frontend", "3.23.1"), two[1]]), multi);
        let candidates = [
            name(&[("w", "..lock")]),
            name(&[("x/y", ".hidden.")]),
            name(&[("x/", "a\tb")]),
            multi,
        ];
        for candidate in candidates {
            let out = exec(
                &std::env::temp_dir(),
                &[],
                &argv!["check-ref-format", "--branch", candidate],
            )
            .await;
            assert!(
                out.expect("git").status.success(),
                "git refuses {candidate:?}"
            );
        }
    }
}
