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
