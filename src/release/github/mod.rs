//! GitHub through octocrab, pointed at `github.api_url` (github.com, GitHub
//! Enterprise's `/api/v3`, or a local test server).
//!
//! Retries are deliberate: octocrab is built without its retry layer, so a
//! write (PATCH, POST) is sent exactly once. Reads that hit a rate limit wait
//! for `retry-after` / `x-ratelimit-reset` (up to [`MAX_RATE_WAIT`]) and try
//! again; longer waits are reported as errors. The token is never logged or
//! shown: it goes straight into octocrab's auth.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use octocrab::models::issues::Issue;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::GithubConfig;
use crate::net::decode_json;

mod auth;
mod error;
mod headers;
mod live;
#[cfg(test)]
mod tests;

pub use auth::token;
use auth::without_credentials;
use error::GithubErrorKind::{BadResponse, NotFound, Setup};
use error::{ApiError, fail};
pub use error::{GithubError, GithubErrorKind};
pub use headers::{next_link, rate_limit_wait};
pub use live::{Found, IssueInfo, PullInfo};

/// The longest a read waits for a rate limit to reset before giving up.
pub const MAX_RATE_WAIT: Duration = Duration::from_secs(60);

/// The largest response body the client accepts (as for the alerts clients).
pub const MAX_BODY: usize = crate::net::MAX_BODY;

/// The parts of an issue opsdeck uses.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueData {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its markdown body.
    pub body: String,
    /// Its milestone's title.
    pub milestone: Option<String>,
    /// The first assignee's login (the release captain).
    pub assignee: Option<String>,
    /// Its web page.
    pub html_url: String,
    /// Open or closed.
    pub open: bool,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Issue> for IssueData {
    fn from(i: Issue) -> Self {
        IssueData {
            number: i.number,
            title: i.title,
            body: i.body.unwrap_or_default(),
            milestone: i.milestone.map(|m| m.title),
            assignee: i
                .assignee
                .map(|a| a.login)
                .or_else(|| i.assignees.into_iter().next().map(|a| a.login)),
            html_url: i.html_url.to_string(),
            open: matches!(i.state, octocrab::models::IssueState::Open),
            updated_at: i.updated_at,
        }
    }
}

#[derive(Deserialize)]
struct MilestoneRef {
    number: u64,
    title: String,
}

#[derive(Deserialize)]
struct UserRef {
    login: String,
}

#[derive(Deserialize)]
struct PullRef {
    html_url: String,
    number: u64,
}

/// A repository on GitHub.
#[derive(Debug, Clone)]
pub struct GithubClient {
    crab: Octocrab,
    /// `owner/name`.
    pub repo: String,
    api_url: String,
    /// `api_url` as errors show it: without any user or password.
    shown_url: String,
    /// Bounds each exchange: the request and reading its whole answer.
    timeout: Duration,
}

/// A response whose body octocrab has not read yet.
type RawResponse = http::Response<http_body_util::combinators::BoxBody<Bytes, octocrab::Error>>;

impl GithubClient {
    /// Builds a client for `repo` (`owner/name`).
    pub fn new(cfg: &GithubConfig, repo: &str) -> Result<GithubClient, GithubError> {
        let api_url = cfg.api_url.get_ref().trim_end_matches('/').to_string();
        let mut builder = Octocrab::builder()
            .base_uri(api_url.as_str())
            .map_err(|e| fail(Setup, format!("invalid github.api_url {api_url:?}: {e}")))?
            .set_connect_timeout(Some(cfg.timeout.min(Duration::from_secs(5))))
            .set_read_timeout(Some(cfg.timeout))
            .set_write_timeout(Some(cfg.timeout));
        if let Some(token) = token(cfg)? {
            builder = builder.personal_token(token);
        }
        let crab = builder
            .build()
            .map_err(|e| fail(Setup, format!("cannot build the GitHub client: {e}")))?;
        Ok(GithubClient {
            crab,
            repo: repo.to_string(),
            shown_url: without_credentials(&api_url),
            api_url,
            timeout: cfg.timeout,
        })
    }

    /// One exchange: sends the request and reads the whole answer (at most
    /// [`MAX_BODY`]), all within the timeout.
    async fn exchange(
        &self,
        what: &str,
        request: impl Future<Output = Result<RawResponse, octocrab::Error>>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), GithubError> {
        let exchange = async {
            let resp = request.await.map_err(|e| self.transport(&e))?;
            self.read_body(what, resp).await
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| self.timed_out())?
    }

    /// A 2xx answer's JSON.
    fn decode<T: DeserializeOwned>(&self, what: &str, body: &[u8]) -> Result<T, GithubError> {
        decode_json(body, serde_json::from_str)
            .map_err(|problem| fail(BadResponse, format!("{what}: {problem}")))
    }

    async fn read_body(
        &self,
        what: &str,
        resp: RawResponse,
    ) -> Result<(StatusCode, HeaderMap, Bytes), GithubError> {
        let (parts, body) = resp.into_parts();
        let too_large = || GithubError {
            kind: BadResponse,
            status: Some(parts.status.as_u16()),
            message: format!("{what}: response larger than {} MiB", MAX_BODY >> 20),
        };
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY as u64) {
            return Err(too_large());
        }
        let bytes = http_body_util::Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    too_large()
                } else {
                    self.transport(e.as_ref())
                }
            })?
            .to_bytes();
        Ok((parts.status, parts.headers, bytes))
    }

    /// GET with rate-limit waits; returns the decoded body and headers.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        what: &str,
    ) -> Result<(T, HeaderMap), GithubError> {
        let mut waited = false;
        loop {
            let (status, headers, body) = self.exchange(what, self.crab._get(path)).await?;
            if status.is_success() {
                return Ok((self.decode(what, &body)?, headers));
            }
            let msg = serde_json::from_slice::<ApiError>(&body)
                .map(|a| a.message)
                .unwrap_or_default();
            match rate_limit_wait(status, &headers, &msg) {
                Some(wait) if !waited && wait <= MAX_RATE_WAIT => {
                    tracing::info!(?wait, "GitHub rate limit: waiting before retrying a read");
                    tokio::time::sleep(wait).await;
                    waited = true;
                }
                _ => return Err(self.status_error(what, status, &headers, &body)),
            }
        }
    }

    /// Sends a write once; never retried.
    async fn write<T: DeserializeOwned>(
        &self,
        method: http::Method,
        path: &str,
        body: &serde_json::Value,
        what: &str,
    ) -> Result<T, GithubError> {
        let request = async {
            match method {
                http::Method::PATCH => self.crab._patch(path, Some(body)).await,
                _ => self.crab._post(path, Some(body)).await,
            }
        };
        let (status, headers, bytes) =
            self.exchange(what, request).await.map_err(|mut err| {
                // Without an answer's status, the write may have happened.
                if err.status.is_none() {
                    err.message = format!(
                        "{what}: {} — the request may or may not have reached GitHub; it was not retried",
                        err.message
                    );
                }
                err
            })?;
        if !status.is_success() {
            return Err(self.status_error(what, status, &headers, &bytes));
        }
        self.decode(what, &bytes)
    }

    /// `GET /repos/{repo}/issues/{n}`.
    pub async fn issue(&self, number: u64) -> Result<IssueData, GithubError> {
        let (issue, _) = self
            .get::<Issue>(
                &format!("/repos/{}/issues/{number}", self.repo),
                &format!("{}#{number}", self.repo),
            )
            .await?;
        Ok(issue.into())
    }

    /// The milestone number of a title (GitHub filters issues by number).
    async fn milestone_number(&self, title: &str) -> Result<u64, GithubError> {
        let (list, _) = self
            .get::<Vec<MilestoneRef>>(
                &format!("/repos/{}/milestones?state=all&per_page=100", self.repo),
                &format!("milestones of {}", self.repo),
            )
            .await?;
        list.into_iter()
            .find(|m| m.title == title)
            .map(|m| m.number)
            .ok_or_else(|| {
                fail(
                    NotFound,
                    format!("{} has no milestone titled {title:?}", self.repo),
                )
            })
    }

    /// Open issues with `label` (and `milestone`), newest first.
    pub async fn open_issues(
        &self,
        label: &str,
        milestone: Option<&str>,
    ) -> Result<Vec<IssueData>, GithubError> {
        let mut path = format!(
            "/repos/{}/issues?state=open&sort=created&direction=desc&per_page=100&labels={}",
            self.repo,
            url::form_urlencoded::byte_serialize(label.as_bytes()).collect::<String>()
        );
        if let Some(m) = milestone {
            path.push_str(&format!("&milestone={}", self.milestone_number(m).await?));
        }
        let mut out = Vec::new();
        let mut next = Some(path);
        // At most 10 pages (1000 issues).
        for _ in 0..10 {
            let Some(page) = next.take() else { break };
            let (issues, headers) = self
                .get::<Vec<Issue>>(
                    &page,
                    &format!("issues labelled {label:?} in {}", self.repo),
                )
                .await?;
            out.extend(
                issues
                    .into_iter()
                    .filter(|i| i.pull_request.is_none())
                    .map(IssueData::from),
            );
            next = match next_link(&headers) {
                None => None,
                Some(u) => Some(self.relative(&u).ok_or_else(|| {
                    fail(
                        BadResponse,
                        format!(
                            "issues labelled {label:?} in {}: the next page is outside {}; not followed",
                            self.repo, self.shown_url
                        ),
                    )
                })?),
            };
        }
        Ok(out)
    }

    /// A `Link` URL made relative to the API base, so octocrab's base URI
    /// (and its path prefix) applies; `None` for a URL outside the API.
    fn relative(&self, url: &str) -> Option<String> {
        url.strip_prefix(&self.api_url)
            .filter(|rest| rest.starts_with('/'))
            .map(str::to_string)
    }

    /// The newest open issue with `label` (and `milestone`).
    pub async fn find_issue(
        &self,
        label: &str,
        milestone: Option<&str>,
    ) -> Result<IssueData, GithubError> {
        let mut issues = self.open_issues(label, milestone).await?;
        if issues.is_empty() {
            return Err(fail(
                NotFound,
                format!(
                    "no open issue in {} is labelled {label:?}{}",
                    self.repo,
                    milestone
                        .map(|m| format!(" with milestone {m:?}"))
                        .unwrap_or_default()
                ),
            ));
        }
        Ok(issues.remove(0))
    }

    /// `PATCH` the issue body. Sent once, never retried.
    pub async fn update_body(&self, number: u64, body: &str) -> Result<IssueData, GithubError> {
        let issue: Issue = self
            .write(
                http::Method::PATCH,
                &format!("/repos/{}/issues/{number}", self.repo),
                &serde_json::json!({ "body": body }),
                &format!("updating {}#{number}", self.repo),
            )
            .await?;
        Ok(issue.into())
    }

    /// Posts a comment. Sent once, never retried.
    pub async fn comment(&self, number: u64, body: &str) -> Result<(), GithubError> {
        let _: serde_json::Value = self
            .write(
                http::Method::POST,
                &format!("/repos/{}/issues/{number}/comments", self.repo),
                &serde_json::json!({ "body": body }),
                &format!("commenting on {}#{number}", self.repo),
            )
            .await?;
        Ok(())
    }

    /// The authenticated user's login.
    pub async fn current_user(&self) -> Result<String, GithubError> {
        let (user, _) = self.get::<UserRef>("/user", "the current user").await?;
        Ok(user.login)
    }

    /// The open pull request from `branch` of this repository (its owner's
    /// `owner:branch`), if there is one: (number, URL).
    pub async fn open_pull_from(&self, branch: &str) -> Result<Option<(u64, String)>, GithubError> {
        let owner = self.repo.split('/').next().unwrap_or(&self.repo);
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", "open")
            .append_pair("head", &format!("{owner}:{branch}"))
            .append_pair("per_page", "1")
            .finish();
        let (pulls, _) = self
            .get::<Vec<PullRef>>(
                &format!("/repos/{}/pulls?{query}", self.repo),
                &format!("pull requests from {branch} in {}", self.repo),
            )
            .await?;
        Ok(pulls.into_iter().next().map(|p| (p.number, p.html_url)))
    }

    /// Opens a pull request; returns (number, URL). Sent once, never retried.
    pub async fn create_pull(
        &self,
        title: &str,
        head: &str,
        base: &str,
        body: &str,
    ) -> Result<(u64, String), GithubError> {
        let pr: PullRef = self
            .write(
                http::Method::POST,
                &format!("/repos/{}/pulls", self.repo),
                &serde_json::json!({ "title": title, "head": head, "base": base, "body": body }),
                &format!("opening a pull request in {}", self.repo),
            )
            .await?;
        Ok((pr.number, pr.html_url))
    }
}
