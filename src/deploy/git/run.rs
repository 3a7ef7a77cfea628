//! Running `git`: the argv, the environment it gets, and its failures as
//! [`GitError`]s.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Stdio;

use super::GitError;

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

/// `git <args>` for messages (without `-C` and global `-c` options).
pub(super) fn describe(args: &[&OsStr]) -> String {
    args.iter().fold("git".to_owned(), |s, a| {
        format!("{s} {}", a.to_string_lossy())
    })
}

pub(super) fn command(dir: &Path, pre: &[&str], args: &[&OsStr]) -> std::process::Command {
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
pub(super) fn failure(label: &str, out: &std::process::Output) -> GitError {
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
pub(super) async fn exec(
    dir: &Path,
    pre: &[&str],
    args: &[&OsStr],
) -> Result<std::process::Output, GitError> {
    tracing::debug!(dir = %dir.display(), cmd = %describe(args), "running git");
    let out = tokio::process::Command::from(command(dir, pre, args))
        .output()
        .await;
    out.map_err(|e| GitError::new(format!("{} failed: could not run git: {e}", describe(args))))
}

/// Runs git; a non-zero exit is an error naming `label` (default: the command).
pub(super) async fn run(
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
pub(super) fn check_arg(what: &str, value: &str) -> Result<(), GitError> {
    if value.is_empty() || value.starts_with('-') {
        return Err(GitError::new(format!("invalid {what} {value:?}")));
    }
    Ok(())
}
