//! [`ReleaseError`]: why the release checklist could not be set up, loaded
//! or ticked.

use std::path::PathBuf;

use super::github::GithubError;
use super::tasklist::TickError;

/// Why the release checklist could not be set up, loaded or ticked.
/// `Display` is the sentence shown in the console and on stderr.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// `[release]` names neither a repository nor a file.
    #[error("[release] needs repo or file")]
    NoRepoOrFile,
    /// `[release]` names a repository but neither an issue nor a label.
    #[error("[release] needs issue or label")]
    NoIssueOrLabel,
    /// A tick on GitHub before the tracking issue was loaded.
    #[error("the tracking issue has not been loaded yet")]
    NotLoaded,
    /// GitHub failed (see [`GithubError::kind`] and its HTTP status).
    #[error(transparent)]
    Github(#[from] GithubError),
    /// The step is not where it was, or already in the wanted state;
    /// nothing was written.
    #[error(transparent)]
    Tick(#[from] TickError),
    /// The write went through, but reading back shows the step in the other
    /// state (someone changed it at the same moment).
    #[error(
        "the write went through but reading back shows {id} {}; someone may have changed it at the same moment",
        if *.done { "still open" } else { "still ticked" }
    )]
    NotConfirmed {
        /// The step.
        id: String,
        /// The state that was written.
        done: bool,
    },
    /// The write went through, but the step is missing when read back.
    #[error(
        "the write went through but {id} is missing when read back; someone may have edited the issue at the same moment"
    )]
    MissingAfterWrite {
        /// The step.
        id: String,
    },
    /// The checklist file could not be read.
    #[error("{}: {message}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error's kind (e.g. `NotFound`).
        kind: std::io::ErrorKind,
        /// The I/O error's text.
        message: String,
    },
    /// The checklist file could not be written (nothing was changed).
    #[error("writing {}: {message}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error's kind.
        kind: std::io::ErrorKind,
        /// The I/O error's text.
        message: String,
    },
}

impl ReleaseError {
    /// [`ReleaseError::Read`] of `path`.
    pub(crate) fn read(path: &std::path::Path, e: &std::io::Error) -> ReleaseError {
        ReleaseError::Read {
            path: path.to_path_buf(),
            kind: e.kind(),
            message: e.to_string(),
        }
    }

    /// [`ReleaseError::Write`] of `path`.
    pub(crate) fn write(path: &std::path::Path, e: &std::io::Error) -> ReleaseError {
        ReleaseError::Write {
            path: path.to_path_buf(),
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}
