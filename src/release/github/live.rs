//! Reads of what a checklist points at: the issue search (blockers).

use octocrab::models::issues::Issue;
use serde::Deserialize;

use super::{GithubClient, GithubError};
use crate::release::blockers::{Blocker, MAX_LISTED};

/// `GET /search/issues`'s answer (`items` are full issues plus a `score`).
#[derive(Deserialize)]
struct SearchPage {
    total_count: u64,
    #[serde(default)]
    incomplete_results: bool,
    items: Vec<Issue>,
}

/// What a search found: GitHub's `total_count` and the first page.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// How many issues match.
    pub total: usize,
    /// The first [`MAX_LISTED`], newest first.
    pub items: Vec<Blocker>,
    /// GitHub says the search timed out before it saw everything.
    pub incomplete: bool,
}

/// `owner/name` of an issue's `repository_url` (`…/repos/{owner}/{name}`).
fn repo_of(repository_url: &str) -> String {
    let mut parts = repository_url.trim_end_matches('/').rsplit('/');
    match (parts.next(), parts.next()) {
        (Some(name), Some(owner)) => format!("{owner}/{name}"),
        _ => repository_url.to_string(),
    }
}

impl From<Issue> for Blocker {
    fn from(i: Issue) -> Self {
        Blocker {
            repo: repo_of(i.repository_url.as_str()),
            number: i.number,
            title: i.title,
            url: i.html_url.to_string(),
            assignee: i
                .assignee
                .map(|a| a.login)
                .or_else(|| i.assignees.into_iter().next().map(|a| a.login)),
            labels: i.labels.into_iter().map(|l| l.name).collect(),
            created_at: i.created_at,
        }
    }
}

impl GithubClient {
    /// Searches issues with GitHub's search syntax (`GET /search/issues`):
    /// the total count and the first [`MAX_LISTED`], newest first.
    pub async fn search_issues(&self, query: &str) -> Result<Found, GithubError> {
        let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let (page, _) = self
            .get::<SearchPage>(
                &format!("/search/issues?q={q}&sort=created&order=desc&per_page={MAX_LISTED}"),
                &format!("searching issues ({query})"),
            )
            .await?;
        Ok(Found {
            total: usize::try_from(page.total_count).unwrap_or(usize::MAX),
            items: page.items.into_iter().map(Blocker::from).collect(),
            incomplete: page.incomplete_results,
        })
    }
}
