//! The GitHub fake: opsdeck's simulated GitHub
//! ([`opsdeck::demo::github::Github`]) on a port of its own, with what only
//! tests need layered around its routes as axum middleware: every request
//! is recorded ([`GithubFake::requests`]), failures can be injected
//! ([`Fault`], [`GithubFake::fail_next`]) and a token can be required
//! ([`GithubFake::require_token`]).
//!
//! The API lives under `http://127.0.0.1:PORT/api/v3`, as on GitHub
//! Enterprise Server.

#[cfg(test)]
mod tests;

use std::io;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::Response;
use chrono::Utc;
use opsdeck::demo::github::{Github, api_path, doc_url, error_body, reply};
use serde_json::json;
use tokio::task::JoinHandle;

pub use opsdeck::demo::github::{
    API_PREFIX, CheckSeed, DEMO_ISSUE, DEMO_REPO, DEMO_TRACKING_BODY, IssueSeed, PullSeed,
    StatusSeed,
};

/// A running fake. Dropping it aborts the server task.
#[derive(Debug)]
pub struct GithubFake {
    /// API base URL, `http://127.0.0.1:PORT/api/v3` (no trailing slash).
    pub url: String,
    github: Github,
    control: Arc<Control>,
    task: JoinHandle<()>,
}

/// An injected failure, queued with [`GithubFake::fail_next`]. It applies to
/// the next `times` requests whose method matches and whose path (without
/// the `/api/v3` prefix, followed by `?query`) contains `path_contains`.
/// Faults are checked before the token and routing; the request is still
/// recorded.
#[derive(Debug, Clone)]
pub struct Fault {
    /// e.g. `"PATCH"` (case-insensitive); `None` matches any method.
    pub method: Option<String>,
    /// Substring of `path?query`; empty matches everything.
    pub path_contains: String,
    /// Response status; `0` means "only apply `delay`, then answer normally".
    pub status: u16,
    /// Raw response body; empty means GitHub's error JSON for `status`.
    pub body: String,
    /// Extra response headers; they replace the default ones of the same name.
    pub headers: Vec<(String, String)>,
    /// How many matching requests fail (default 1; 0 never matches).
    pub times: usize,
    /// Sleep this long before answering (for timeout tests).
    pub delay: Option<Duration>,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            method: None,
            path_contains: String::new(),
            status: 500,
            body: String::new(),
            headers: Vec::new(),
            times: 1,
            delay: None,
        }
    }
}

impl Fault {
    /// A plain error status with GitHub's error JSON (`Not Found`,
    /// `Validation Failed` for a too-long body, `Server Error`, …).
    pub fn status(method: Option<&str>, path_contains: &str, status: u16) -> Fault {
        let doc = doc_url(method.unwrap_or("GET"), path_contains);
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status,
            body: status_error(status, doc),
            ..Fault::default()
        }
    }

    /// The primary rate limit: 403 with `x-ratelimit-remaining: 0` and a
    /// reset `reset_in_secs` from now, plus `retry-after` when given.
    pub fn rate_limited(
        method: Option<&str>,
        path_contains: &str,
        retry_after: Option<u64>,
        reset_in_secs: u64,
    ) -> Fault {
        let reset = Utc::now()
            .timestamp()
            .saturating_add_unsigned(reset_in_secs);
        let mut headers: Vec<(String, String)> = [
            ("x-ratelimit-limit", "5000".to_string()),
            ("x-ratelimit-remaining", "0".to_string()),
            ("x-ratelimit-reset", reset.to_string()),
            ("x-ratelimit-used", "5000".to_string()),
            ("x-ratelimit-resource", "core".to_string()),
        ]
        .map(|(k, v)| (k.to_string(), v))
        .into();
        if let Some(secs) = retry_after {
            headers.push(("retry-after".to_string(), secs.to_string()));
        }
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status: 403,
            body: error_body(
                403,
                "API rate limit exceeded for user ID 1.",
                None,
                "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
            ),
            headers,
            ..Fault::default()
        }
    }

    /// A secondary (abuse) rate limit: 403 with `retry-after` while the
    /// primary quota still has room.
    pub fn secondary_rate_limit(
        method: Option<&str>,
        path_contains: &str,
        retry_after: u64,
    ) -> Fault {
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status: 403,
            body: error_body(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you \
                 try again. If you reach out to GitHub Support for help, please include the \
                 request ID E5B8:3A1F:9C2D41:A0B3E2:5FB7C1D4.",
                None,
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            ),
            headers: vec![("retry-after".to_string(), retry_after.to_string())],
            ..Fault::default()
        }
    }

    /// Only delays matching requests, which are then answered normally.
    pub fn delay(method: Option<&str>, path_contains: &str, delay: Duration) -> Fault {
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status: 0,
            delay: Some(delay),
            ..Fault::default()
        }
    }

    /// Builder-style: fail `times` matching requests.
    pub fn times(mut self, times: usize) -> Fault {
        self.times = times;
        self
    }
}

/// A realistic error body for a bare status code.
fn status_error(status: u16, doc: &str) -> String {
    let message = match status {
        400 => "Problems parsing JSON",
        401 => "Bad credentials",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        422 => {
            let errors = json!([{
                "resource": "Issue",
                "code": "custom",
                "field": "body",
                "message": "body is too long (maximum is 65536 characters)",
            }]);
            return error_body(422, "Validation Failed", Some(errors), doc);
        }
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        s if s >= 500 => "Server Error",
        _ => "Error",
    };
    error_body(status, message, None, doc)
}

/// One request as received by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the `/api/v3` prefix (the full path if it was missing).
    pub path: String,
    /// Raw query string, without `?` (empty if none).
    pub query: String,
    /// Request body (lossy UTF-8).
    pub body: String,
    /// Whether an `Authorization` header was present.
    pub authorized: bool,
}

/// What the middleware reads and the test sets.
#[derive(Debug, Default)]
struct Control {
    state: Mutex<ControlState>,
}

#[derive(Debug, Default)]
struct ControlState {
    token: Option<String>,
    faults: Vec<Fault>,
    requests: Vec<RecordedRequest>,
}

impl Control {
    fn lock(&self) -> MutexGuard<'_, ControlState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ControlState {
    /// Takes one use of the first queued fault matching the request.
    fn take_fault(&mut self, method: &str, target: &str) -> Option<Fault> {
        let pos = self.faults.iter().position(|f| {
            f.times > 0
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && target.contains(&f.path_contains)
        })?;
        let fault = &mut self.faults[pos];
        fault.times -= 1;
        let taken = fault.clone();
        if fault.times == 0 {
            self.faults.remove(pos);
        }
        Some(taken)
    }
}

impl GithubFake {
    /// An empty fake on `127.0.0.1:<ephemeral>`, spawned on the current
    /// tokio runtime.
    pub async fn start() -> io::Result<GithubFake> {
        Self::serve(Github::new).await
    }

    /// A fake seeded with the demo release data (see [`DEMO_REPO`]).
    pub async fn start_demo() -> io::Result<GithubFake> {
        Self::serve(Github::demo).await
    }

    async fn serve(make: impl FnOnce(&str) -> Github) -> io::Result<GithubFake> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let url = format!("http://{}{API_PREFIX}", listener.local_addr()?);
        let github = make(&url);
        let control = Arc::new(Control::default());
        let app = github.router_with(|routes| {
            routes
                .layer(middleware::from_fn_with_state(control.clone(), token))
                .layer(middleware::from_fn_with_state(control.clone(), faults))
                .layer(middleware::from_fn_with_state(control.clone(), record))
        });
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("github fake stopped: {err}");
            }
        });
        Ok(GithubFake {
            url,
            github,
            control,
            task,
        })
    }

    /// Adds (or replaces) an issue authored by the current user; returns
    /// its number.
    pub fn add_issue(&self, seed: IssueSeed) -> u64 {
        self.github.add_issue(seed)
    }

    /// Returns the number of the milestone titled `title`, creating an open
    /// one if needed.
    pub fn add_milestone(&self, repo: &str, title: &str) -> u64 {
        self.github.add_milestone(repo, title)
    }

    /// Adds (or replaces) a pull request: open, draft, closed or merged,
    /// with its head commit; its head branch points at that commit.
    /// Returns its number.
    pub fn add_pull(&self, seed: PullSeed) -> u64 {
        self.github.add_pull(seed)
    }

    /// Points a branch at a commit (derived from the name when `None`);
    /// returns the SHA.
    pub fn add_branch(&self, repo: &str, name: &str, sha: Option<&str>) -> String {
        self.github.add_branch(repo, name, sha)
    }

    /// Points a tag at a commit (derived from the name when `None`);
    /// returns the SHA.
    pub fn add_tag(&self, repo: &str, name: &str, sha: Option<&str>) -> String {
        self.github.add_tag(repo, name, sha)
    }

    /// Reports a commit status on a branch, tag or SHA (an unknown name
    /// becomes a branch); returns the commit's SHA.
    pub fn add_status(&self, repo: &str, reference: &str, seed: StatusSeed) -> String {
        self.github.add_status(repo, reference, seed)
    }

    /// Reports a check run on a branch, tag or SHA (an unknown name
    /// becomes a branch); returns the commit's SHA.
    pub fn add_check_run(&self, repo: &str, reference: &str, seed: CheckSeed) -> String {
        self.github.add_check_run(repo, reference, seed)
    }

    /// The issue's body (`Some("")` for a null body), `None` if no such issue.
    pub fn issue_body(&self, repo: &str, number: u64) -> Option<String> {
        self.github.issue_body(repo, number)
    }

    /// Simulates someone else editing the issue: sets the body and bumps
    /// `updated_at`. No-op if the issue does not exist.
    pub fn set_issue_body(&self, repo: &str, number: u64, body: &str) {
        self.github.set_issue_body(repo, number, body);
    }

    /// Comment bodies of an issue, oldest first.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<String> {
        self.github.comments(repo, number)
    }

    /// The JSON bodies of every `POST /repos/{repo}/pulls` that reached the
    /// endpoint (including ones rejected with 422), in order.
    pub fn pulls(&self, repo: &str) -> Vec<serde_json::Value> {
        self.github.pulls(repo)
    }

    /// Sets the authenticated user (default `octocat`): `GET /user`, the
    /// author of new comments, pull requests and seeded issues.
    pub fn set_user(&self, login: &str) {
        self.github.set_user(login);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.control.lock().requests.clone()
    }

    /// Queues a fault; faults are matched in the order they were queued.
    pub fn fail_next(&self, fault: Fault) {
        self.control.lock().faults.push(fault);
    }

    /// When `Some`, requests must carry `Authorization: Bearer <t>` (or
    /// `token <t>`); others get 401 `Bad credentials`.
    pub fn require_token(&self, token: Option<&str>) {
        self.control.lock().token = token.map(str::to_string);
    }
}

impl Drop for GithubFake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The path as faults and records see it: below `/api/v3` if it is there.
fn fake_path(request: &Request) -> &str {
    let path = request.uri().path();
    api_path(path).unwrap_or(path)
}

/// Records the request (body included), then passes it on.
async fn record(State(control): State<Arc<Control>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    let recorded = RecordedRequest {
        method: request.method().to_string(),
        path: fake_path(&request).to_string(),
        query: request.uri().query().unwrap_or_default().to_string(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        authorized: request.headers().contains_key(AUTHORIZATION),
    };
    control.lock().requests.push(recorded);
    next.run(request).await
}

/// Applies the first matching queued [`Fault`].
async fn faults(State(control): State<Arc<Control>>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_string();
    let path = fake_path(&request).to_string();
    let target = format!("{path}?{}", request.uri().query().unwrap_or_default());
    let fault = control.lock().take_fault(&method, &target);
    if let Some(fault) = fault {
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
        if fault.status != 0 {
            let body = if fault.body.is_empty() {
                status_error(fault.status, doc_url(&method, &path))
            } else {
                fault.body
            };
            return reply(fault.status, body, fault.headers);
        }
    }
    next.run(request).await
}

/// With a required token, answers 401 `Bad credentials` without it.
async fn token(State(control): State<Arc<Control>>, request: Request, next: Next) -> Response {
    let Some(token) = control.lock().token.clone() else {
        return next.run(request).await;
    };
    let auth = request
        .headers()
        .get(AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let ok = auth.as_deref().is_some_and(|a| {
        let mut parts = a.splitn(2, ' ');
        let scheme = parts.next().unwrap_or_default();
        let given = parts.next().unwrap_or_default().trim();
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
            && given == token
    });
    if ok {
        return next.run(request).await;
    }
    let body = error_body(401, "Bad credentials", None, "https://docs.github.com/rest");
    reply(401, body, Vec::new())
}
