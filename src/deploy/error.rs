//! [`DeployError`]: why the deploy view could not be set up, refreshed,
//! planned or bumped; [`VersionError`]: why an instance's version could not
//! be read. The parts have their own: [`GitError`], [`RegistryError`],
//! [`SpliceError`], [`crate::deploy::imageref::ImageRefError`],
//! [`crate::deploy::policy::PolicyError`], [`crate::deploy::scan::ScanError`].

use std::path::PathBuf;

use super::git::GitError;
use super::registry::RegistryError;
use super::splice::SpliceError;
use crate::net::{DecodeError, MAX_BODY};
use crate::release::github::GithubError;

/// Why the deploy view could not be set up, refreshed, planned or bumped
/// (also why one repository's registry lookup failed). `Display` is the
/// sentence shown in the console and on stderr.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    /// A `[[deploy.registry]]`'s `password_env` is not set.
    #[error("deploy.registry {host}: password_env ${var} is not set")]
    PasswordEnv {
        /// The registry host.
        host: String,
        /// The variable.
        var: String,
    },
    /// The HTTP client for instance versions could not be built.
    #[error("cannot build an HTTP client: {0}")]
    HttpClient(String),
    /// The deploy repository (git) failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A registry failed (see [`RegistryError::status`]).
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// GitHub failed while opening the pull request.
    #[error(transparent)]
    Github(#[from] GithubError),
    /// A pin's text could not be rewritten.
    #[error(transparent)]
    Splice(#[from] SpliceError),
    /// A `[deploy] paths` or `[[deploy.values]] paths` glob that does not
    /// parse.
    #[error("deploy: {0}")]
    Glob(#[from] super::scan::GlobError),
    /// No `[[deploy.policy]]` applies to the repository.
    #[error("no [[deploy.policy]] matches {repository}")]
    NoPolicy {
        /// The repository.
        repository: String,
    },
    /// None of the repository's tags fits its policy.
    #[error("none of {repository}'s {tags} tags fits its {policy} policy")]
    NoTagFits {
        /// The repository.
        repository: String,
        /// How many tags it has.
        tags: usize,
        /// The policy kind.
        policy: &'static str,
    },
    /// A bump names an image the snapshot does not have.
    #[error("no image {0}")]
    NoImage(String),
    /// A bump of an image that is not out of sync.
    #[error("{repository} is {sync}, not out of sync; nothing to bump")]
    NotOutOfSync {
        /// The repository.
        repository: String,
        /// Its sync state, as in JSON (`synced`, `unknown`).
        sync: &'static str,
    },
    /// A bump of an image whose published version is unknown.
    #[error("{0}: nothing published to bump to")]
    NothingPublished(String),
    /// A bump of a digest pin while the registry gave no digest.
    #[error("{0}: the registry gave no digest")]
    NoDigest(String),
    /// The image is no longer pinned on the branch.
    #[error("{0} is no longer pinned on the branch; refresh")]
    NotPinned(String),
    /// A file to edit is gone from the branch's files.
    #[error("{0} vanished")]
    FileVanished(String),
    /// A file's edits do not apply.
    #[error("{path}: {error}")]
    Edit {
        /// The file.
        path: String,
        /// Why.
        error: SpliceError,
    },
    /// The deploy repository's working tree has uncommitted changes.
    #[error(
        "the working tree of {} has uncommitted changes ({}); nothing was changed",
        .repo.display(),
        .files.join(", ")
    )]
    Dirty {
        /// The repository.
        repo: PathBuf,
        /// The changed files.
        files: Vec<String>,
    },
    /// The bump's branch already exists (locally or on the remote).
    #[error("branch {0} already exists; nothing was changed")]
    BranchExists(String),
    /// A file changed on the branch after the preview was made.
    #[error(
        "{path} changed on {branch} since the preview; refresh and try again (nothing was changed)"
    )]
    ChangedSincePreview {
        /// The file.
        path: String,
        /// The branch.
        branch: String,
    },
    /// The push failed; the new local branch was deleted again.
    #[error("{0}; the local branch was removed again")]
    PushFailed(GitError),
    /// `deploy.pull_request` is on but `deploy.github_repo` is not set.
    #[error("deploy.github_repo is not set")]
    NoGithubRepo,
}

/// Why an instance's version could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// No answer within the instance's timeout.
    #[error("timed out")]
    Timeout,
    /// The request failed: "connection refused", …
    #[error("{0}")]
    Transport(String),
    /// The answer is larger than [`MAX_BODY`].
    #[error("response larger than {} MiB", MAX_BODY >> 20)]
    TooLarge,
    /// A non-2xx answer.
    #[error("HTTP {0}")]
    Http(u16),
    /// The body is empty, not UTF-8 or an HTML page.
    #[error(transparent)]
    Body(#[from] DecodeError),
    /// A plain-text answer that does not look like a version (clipped).
    #[error("not a version: {0:?}")]
    NotAVersion(String),
    /// `json_pointer` is set but the answer is not JSON.
    #[error("invalid response: {0}")]
    Json(String),
    /// The value at `json_pointer` is not a string or a number.
    #[error("the value at {0} is not a version string")]
    NotAString(String),
    /// There is no value at `json_pointer`.
    #[error("no value at {0}")]
    NoValue(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_name_what_happened() {
        let dirty = DeployError::Dirty {
            repo: PathBuf::from("/d"),
            files: vec!["a.yaml".into(), "README.md".into()],
        };
        assert_eq!(
            dirty.to_string(),
            "the working tree of /d has uncommitted changes (a.yaml, README.md); nothing was changed"
        );
        let not = DeployError::NotOutOfSync {
            repository: "sg/fe".into(),
            sync: "synced",
        };
        assert_eq!(
            not.to_string(),
            "sg/fe is synced, not out of sync; nothing to bump"
        );
        let push = DeployError::PushFailed(GitError {
            message: "git push origin b failed: denied".into(),
        });
        assert_eq!(
            push.to_string(),
            "git push origin b failed: denied; the local branch was removed again"
        );
        let down = DeployError::from(RegistryError::new("registry r: connection refused"));
        assert_eq!(down.to_string(), "registry r: connection refused");
        assert!(
            std::error::Error::source(&down).is_none(),
            "no cause repeats the text"
        );
        assert_eq!(
            VersionError::NotAVersion("<html>".into()).to_string(),
            "not a version: \"<html>\""
        );
        assert_eq!(
            VersionError::Body(DecodeError::Empty).to_string(),
            "empty response"
        );
    }
}
