//! What the simulation is seeded with: [`IssueSeed`], and the name of the
//! demo's repository.

use chrono::{DateTime, Utc};

/// The demo repository.
pub const DEMO_REPO: &str = "sourcegraph/sourcegraph";

/// An issue to seed (the demo's data; the test kit's `add_issue`).
#[derive(Debug, Clone)]
pub struct IssueSeed {
    /// `"owner/name"`; defaults to [`DEMO_REPO`].
    pub repo: String,
    /// The issue number; `None` picks the next free one. An existing issue
    /// with the same number is replaced.
    pub number: Option<u64>,
    pub title: String,
    /// Markdown body; empty means `"body": null`.
    pub body: String,
    /// Label names; unknown labels are created.
    pub labels: Vec<String>,
    /// Milestone title; created (open) if missing.
    pub milestone: Option<String>,
    /// `"open"` (default) or `"closed"`.
    pub state: String,
    pub assignee: Option<String>,
    /// Defaults to now; `updated_at` starts equal to it.
    pub created_at: Option<DateTime<Utc>>,
}

impl Default for IssueSeed {
    fn default() -> Self {
        Self {
            repo: DEMO_REPO.to_string(),
            number: None,
            title: String::new(),
            body: String::new(),
            labels: Vec::new(),
            milestone: None,
            state: "open".to_string(),
            assignee: None,
            created_at: None,
        }
    }
}

/// A pull request to seed (the demo's data; the test kit's `add_pull`).
#[derive(Debug, Clone)]
pub struct PullSeed {
    /// `"owner/name"`; defaults to [`DEMO_REPO`].
    pub repo: String,
    /// `None` picks the next free number.
    pub number: Option<u64>,
    pub title: String,
    pub body: String,
    /// The head branch (`branch` or `owner:branch`).
    pub head: String,
    /// The base branch.
    pub base: String,
    /// `"open"` (default), `"closed"` or `"merged"`.
    pub state: String,
    pub draft: bool,
    /// The head commit; `None` derives one from the repository, branch
    /// and number. The head branch points at it.
    pub head_sha: Option<String>,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
    /// Defaults to now.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was merged or closed (default: when it was created).
    pub closed_at: Option<DateTime<Utc>>,
}

impl Default for PullSeed {
    fn default() -> Self {
        Self {
            repo: DEMO_REPO.to_string(),
            number: None,
            title: String::new(),
            body: String::new(),
            head: String::new(),
            base: "main".to_string(),
            state: "open".to_string(),
            draft: false,
            head_sha: None,
            labels: Vec::new(),
            assignee: None,
            created_at: None,
            closed_at: None,
        }
    }
}

/// A commit status to report on a ref (`POST /repos/{o}/{r}/statuses/{sha}`
/// as CI would send it).
#[derive(Debug, Clone, Default)]
pub struct StatusSeed {
    /// e.g. `buildkite/sourcegraph`; a later status of the same context
    /// replaces the earlier one, as in the combined status.
    pub context: String,
    /// `pending`, `success`, `failure` or `error`.
    pub state: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
}

/// A check run to report on a ref (as a GitHub App would create it).
#[derive(Debug, Clone, Default)]
pub struct CheckSeed {
    /// e.g. `build`.
    pub name: String,
    /// `queued`, `in_progress` or `completed`.
    pub status: String,
    /// For a completed run: `success`, `failure`, `neutral`, `cancelled`,
    /// `skipped`, `timed_out`, `action_required`.
    pub conclusion: Option<String>,
    /// The app's slug; empty means `github-actions`.
    pub app: String,
}
