//! Reads of what a checklist points at: the issue search (blockers), pull
//! requests and issues in any repository, and what CI says about a ref.

use octocrab::models::IssueState;
use octocrab::models::issues::Issue;
use octocrab::models::pulls::PullRequest;
use serde::Deserialize;

use super::{GithubClient, GithubError};
use crate::release::blockers::{Blocker, MAX_LISTED};
use crate::release::links::{Checks, ItemState};

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

/// A pull request's state, title, page and head commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullInfo {
    /// Open, draft, closed or merged.
    pub state: ItemState,
    /// Its title.
    pub title: String,
    /// Its web page.
    pub url: String,
    /// The head commit (whose checks count).
    pub head_sha: String,
}

/// An issue's state, title and page, and whether it is a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueInfo {
    /// Open or closed.
    pub open: bool,
    /// Its title.
    pub title: String,
    /// Its web page.
    pub url: String,
    /// GitHub says it is a pull request (it has `pull_request`).
    pub pull: bool,
}

#[derive(Deserialize)]
struct StatusEntry {
    state: String,
}

/// `GET commits/{ref}/status`: only the statuses are read (its `state` is
/// `pending` when there are none, which here is [`Checks::None`]).
#[derive(Deserialize)]
struct CombinedStatusRef {
    statuses: Vec<StatusEntry>,
}

#[derive(Deserialize)]
struct CheckRunRef {
    status: String,
    conclusion: Option<String>,
}

#[derive(Deserialize)]
struct CheckRunsRef {
    check_runs: Vec<CheckRunRef>,
}

/// A ref in a path: `/` is kept (branch names hold it), the rest of what
/// is not unreserved is escaped.
fn ref_path(reference: &str) -> String {
    reference
        .split('/')
        .map(|part| url::form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
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
    /// `GET /repos/{repo}/pulls/{number}`.
    pub async fn pull_in(&self, repo: &str, number: u64) -> Result<PullInfo, GithubError> {
        let (pr, _) = self
            .get::<PullRequest>(
                &format!("/repos/{repo}/pulls/{number}"),
                &format!("pull request {repo}#{number}"),
            )
            .await?;
        let state = match (pr.merged_at, pr.state, pr.draft) {
            (Some(_), _, _) => ItemState::Merged,
            (None, Some(IssueState::Closed), _) => ItemState::Closed,
            (None, _, Some(true)) => ItemState::Draft,
            _ => ItemState::Open,
        };
        Ok(PullInfo {
            state,
            title: pr.title.unwrap_or_default(),
            url: pr
                .html_url
                .map_or_else(|| format!("{repo}#{number}"), |u| u.to_string()),
            head_sha: pr.head.sha,
        })
    }

    /// `GET /repos/{repo}/issues/{number}` (a pull request is an issue too).
    pub async fn issue_in(&self, repo: &str, number: u64) -> Result<IssueInfo, GithubError> {
        let (issue, _) = self
            .get::<Issue>(
                &format!("/repos/{repo}/issues/{number}"),
                &format!("{repo}#{number}"),
            )
            .await?;
        Ok(IssueInfo {
            open: matches!(issue.state, IssueState::Open),
            title: issue.title,
            url: issue.html_url.to_string(),
            pull: issue.pull_request.is_some(),
        })
    }

    /// What CI says about a branch, tag or commit: its commit statuses
    /// (`commits/{ref}/status`) and check runs (`commits/{ref}/check-runs`,
    /// the first 100) together.
    pub async fn checks(&self, repo: &str, reference: &str) -> Result<Checks, GithubError> {
        let path = format!("/repos/{repo}/commits/{}", ref_path(reference));
        let what = format!("CI of {repo}@{reference}");
        let statuses_path = format!("{path}/status?per_page=100");
        let runs_path = format!("{path}/check-runs?per_page=100");
        let (statuses, runs) = futures::future::try_join(
            self.get::<CombinedStatusRef>(&statuses_path, &what),
            self.get::<CheckRunsRef>(&runs_path, &what),
        )
        .await?;
        Ok(Checks::combine(
            statuses.0.statuses.iter().map(|s| s.state.as_str()),
            runs.0
                .check_runs
                .iter()
                .map(|r| (r.status.as_str(), r.conclusion.as_deref())),
        ))
    }

    /// The API base URL as messages show it (without user or password).
    pub fn shown_api_url(&self) -> &str {
        &self.shown_url
    }

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
