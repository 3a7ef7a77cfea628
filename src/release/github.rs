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
use crate::net::{clip, decode_json};

/// The longest a read waits for a rate limit to reset before giving up.
pub const MAX_RATE_WAIT: Duration = Duration::from_secs(60);

/// The largest response body the client accepts (as for the alerts clients).
pub const MAX_BODY: usize = crate::net::MAX_BODY;

/// A GitHub failure, as a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubError {
    /// The HTTP status, when GitHub answered.
    pub status: Option<u16>,
    /// What happened.
    pub message: String,
}

impl std::fmt::Display for GithubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GitHub: {}", self.message)
    }
}

impl std::error::Error for GithubError {}

fn fail(message: impl Into<String>) -> GithubError {
    GithubError {
        status: None,
        message: message.into(),
    }
}

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
struct ApiError {
    message: String,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
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

/// Reads the token: `token_command`'s output, else `$token_env` (default
/// `GITHUB_TOKEN`). None when neither gives one (anonymous access).
pub fn token(cfg: &GithubConfig) -> Result<Option<String>, GithubError> {
    if let Some(cmd) = &cfg.token_command {
        let Some((program, args)) = cmd.split_first() else {
            return Err(fail("github.token_command is empty"));
        };
        let out = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| {
                fail(format!(
                    "github.token_command {program:?} could not run: {e}"
                ))
            })?;
        if !out.status.success() {
            return Err(fail(format!(
                "github.token_command {program:?} failed ({}); its output is not shown because it may hold secrets",
                out.status
            )));
        }
        let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if token.is_empty() {
            return Err(fail(format!(
                "github.token_command {program:?} printed no token"
            )));
        }
        return Ok(Some(token));
    }
    let var = cfg.token_env.as_deref().unwrap_or("GITHUB_TOKEN");
    Ok(std::env::var(var)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
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

/// A URL without its user and password, for messages.
fn without_credentials(api_url: &str) -> String {
    match url::Url::parse(api_url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string().trim_end_matches('/').to_string()
        }
        _ => api_url.to_string(),
    }
}

/// A response whose body octocrab has not read yet.
type RawResponse = http::Response<http_body_util::combinators::BoxBody<Bytes, octocrab::Error>>;

impl GithubClient {
    /// Builds a client for `repo` (`owner/name`).
    pub fn new(cfg: &GithubConfig, repo: &str) -> Result<GithubClient, GithubError> {
        let api_url = cfg.api_url.get_ref().trim_end_matches('/').to_string();
        let mut builder = Octocrab::builder()
            .base_uri(api_url.as_str())
            .map_err(|e| fail(format!("invalid github.api_url {api_url:?}: {e}")))?
            .set_connect_timeout(Some(cfg.timeout.min(Duration::from_secs(5))))
            .set_read_timeout(Some(cfg.timeout))
            .set_write_timeout(Some(cfg.timeout));
        if let Some(token) = token(cfg)? {
            builder = builder.personal_token(token);
        }
        let crab = builder
            .build()
            .map_err(|e| fail(format!("cannot build the GitHub client: {e}")))?;
        Ok(GithubClient {
            crab,
            repo: repo.to_string(),
            shown_url: without_credentials(&api_url),
            api_url,
            timeout: cfg.timeout,
        })
    }

    fn timed_out(&self) -> GithubError {
        fail(format!(
            "cannot reach {}: timed out after {}",
            self.shown_url,
            humantime::format_duration(self.timeout)
        ))
    }

    fn transport(&self, e: &(dyn std::error::Error + 'static)) -> GithubError {
        let mut text = e.to_string();
        let mut source = e.source();
        let mut kind = None;
        while let Some(s) = source {
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                kind = Some(io.kind());
            }
            text = s.to_string();
            source = s.source();
        }
        let lower = text.to_lowercase();
        let reason = if kind == Some(std::io::ErrorKind::ConnectionRefused)
            || lower.contains("connection refused")
        {
            "connection refused".to_string()
        } else if kind == Some(std::io::ErrorKind::ConnectionReset) {
            "connection reset".to_string()
        } else if kind == Some(std::io::ErrorKind::TimedOut)
            || lower.contains("timed out")
            || lower.contains("timeout")
        {
            return self.timed_out();
        } else {
            // octocrab's own errors may quote the URL, user and password too.
            clip(&text.replace(&self.api_url, &self.shown_url), 200)
        };
        fail(format!("cannot reach {}: {reason}", self.shown_url))
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
            .map_err(|problem| fail(format!("{what}: {problem}")))
    }

    /// Turns a non-2xx answer into a sentence.
    fn status_error(
        &self,
        what: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> GithubError {
        let api: Option<ApiError> = serde_json::from_slice(body).ok();
        let msg = api
            .as_ref()
            .map(|a| clip(a.message.trim(), 200))
            .unwrap_or_default();
        let code = status.as_u16();
        let message = if let Some(wait) = rate_limit_wait(status, headers, &msg) {
            let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            format!(
                "rate limit exceeded ({msg}); it resets at {} UTC (in {})",
                at.format("%H:%M:%S"),
                humantime::format_duration(Duration::from_secs(wait.as_secs()))
            )
        } else {
            match code {
                401 => format!(
                    "{what}: 401 {}: the token was rejected; check github.token_env / github.token_command",
                    if msg.is_empty() { "Unauthorized" } else { &msg }
                ),
                403 => format!("{what}: 403 {msg}: the token may lack access (repo scope?)"),
                404 => format!(
                    "{what}: 404 not found (a private repository also answers 404 when the token cannot see it)"
                ),
                422 => {
                    let details: Vec<String> = api
                        .map(|a| {
                            a.errors
                                .iter()
                                .filter_map(|e| {
                                    e.get("message")
                                        .and_then(|m| m.as_str())
                                        .map(str::to_string)
                                        .or_else(|| {
                                            e.get("code")
                                                .and_then(|c| c.as_str())
                                                .map(str::to_string)
                                        })
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if details.is_empty() {
                        format!("{what}: 422 {msg}")
                    } else {
                        format!("{what}: 422 {msg}: {}", clip(&details.join("; "), 300))
                    }
                }
                500..=599 => format!(
                    "{what}: GitHub server error {code}{}; try again",
                    if msg.is_empty() {
                        String::new()
                    } else {
                        format!(" ({msg})")
                    }
                ),
                _ => format!("{what}: HTTP {code} {msg}"),
            }
        };
        GithubError {
            status: Some(code),
            message,
        }
    }

    async fn read_body(
        &self,
        what: &str,
        resp: RawResponse,
    ) -> Result<(StatusCode, HeaderMap, Bytes), GithubError> {
        let (parts, body) = resp.into_parts();
        let too_large = || GithubError {
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
            .ok_or_else(|| fail(format!("{} has no milestone titled {title:?}", self.repo)))
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
                    fail(format!(
                        "issues labelled {label:?} in {}: the next page is outside {}; not followed",
                        self.repo, self.shown_url
                    ))
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
            return Err(fail(format!(
                "no open issue in {} is labelled {label:?}{}",
                self.repo,
                milestone
                    .map(|m| format!(" with milestone {m:?}"))
                    .unwrap_or_default()
            )));
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

/// How long to wait when an answer is a rate limit: `retry-after`, else
/// `x-ratelimit-reset` when `x-ratelimit-remaining` is 0.
pub fn rate_limit_wait(status: StatusCode, headers: &HeaderMap, message: &str) -> Option<Duration> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    let exhausted = header("x-ratelimit-remaining") == Some("0");
    if exhausted || message.to_lowercase().contains("rate limit") {
        let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok())?;
        let secs = (reset - Utc::now().timestamp()).max(0);
        return Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)));
    }
    None
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn link_header_next() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::LINK,
            HeaderValue::from_static(
                "<https://x/api/v3/repos/o/r/issues?page=2>; rel=\"next\", <https://x/api/v3/repos/o/r/issues?page=5>; rel=\"last\"",
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://x/api/v3/repos/o/r/issues?page=2")
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn rate_limit_detection() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &h, ""),
            Some(Duration::from_secs(7))
        );
        assert_eq!(rate_limit_wait(StatusCode::NOT_FOUND, &h, ""), None);
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        let reset = (Utc::now().timestamp() + 100).to_string();
        h.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&reset).expect("header"),
        );
        let wait =
            rate_limit_wait(StatusCode::FORBIDDEN, &h, "API rate limit exceeded").expect("limited");
        assert!((95..=100).contains(&wait.as_secs()), "{wait:?}");
        // A 403 that is not a rate limit.
        assert_eq!(
            rate_limit_wait(
                StatusCode::FORBIDDEN,
                &HeaderMap::new(),
                "Resource not accessible"
            ),
            None
        );
    }

    #[test]
    fn token_from_command_and_env() {
        let cfg = GithubConfig {
            token_command: Some(vec!["echo".into(), " s3cret ".into()]),
            ..GithubConfig::default()
        };
        assert_eq!(token(&cfg).expect("ok").as_deref(), Some("s3cret"));
        let cfg = GithubConfig {
            token_command: Some(vec!["false".into()]),
            ..GithubConfig::default()
        };
        let e = token(&cfg).expect_err("fails");
        assert!(e.message.contains("failed"), "{e}");
        let cfg = GithubConfig {
            token_env: Some("OPSDECK_TEST_SURELY_UNSET_VAR".into()),
            ..GithubConfig::default()
        };
        assert_eq!(token(&cfg).expect("ok"), None);
    }
}
